import { access } from 'node:fs/promises';
import path from 'node:path';
import type { PlatformConfig } from '../../config/platform';
import { provisionBinary, type BinarySpec, type ProvisionOptions } from '../temporal-binaries';
import { SCHEMA_DIR, SERVER_VERSION, SQL_TOOL_BINARY, temporalServerBuilder } from './server-builder';

export const TEMPORAL_SERVER: BinarySpec = {
  id: 'temporal-server',
  label: `Temporal server ${SERVER_VERSION} (with its SQL schema tool)`,
  envVar: 'TEMPORAL_SERVER_PATH',
  builder: temporalServerBuilder,
};

/** The server binary, the schema tool and the versioned schema directories, all from one build. */
export interface ServerInstall {
  server: string;
  sqlTool: string;
  schemaDir: string;
  source: 'env' | 'cache' | 'built';
}

/**
 * Finds or builds the server like the CLI (override, cache, `go install` under the cache lock). There is no
 * download fallback: the SDK only downloads the CLI. An override names the `server` binary of a directory laid
 * out like the cache entry (`sql` and `schema/` beside it).
 */
export async function provisionTemporalServer(
  config: PlatformConfig,
  override: string | undefined,
  extra: Partial<ProvisionOptions> = {},
): Promise<ServerInstall> {
  const provisioned = await provisionBinary(TEMPORAL_SERVER, {
    override,
    cacheDir: config.cacheDir,
    // PATH is searched for `go` only: the spec has no command name, `server` being far too generic to trust.
    pathDirs: config.pathDirs,
    env: config.childEnv,
    ...extra,
  });
  if (provisioned.source === 'sdk-download') {
    throw new Error(provisioned.unavailable.replace(/With internet access.*$/s, '').trim());
  }
  if (provisioned.source === 'path') throw new Error('unreachable: the server is never taken from PATH');
  const dir = path.dirname(provisioned.path);
  const install = {
    server: provisioned.path,
    sqlTool: path.join(dir, SQL_TOOL_BINARY),
    schemaDir: path.join(dir, SCHEMA_DIR),
    source: provisioned.source,
  };
  for (const file of [install.sqlTool, install.schemaDir]) {
    await access(file).catch(() => {
      throw new Error(`${file} is missing beside ${install.server} (remove ${dir} to rebuild it)`);
    });
  }
  return install;
}
