import { loadPlatformConfig } from '../config/platform';
import { provisionTemporalCli, provisionTestServer, type Provisioned } from './temporal-binaries';

/** `npm run temporal:install`: provision both servers ahead of time and say where they are. */
async function main(): Promise<void> {
  const config = loadPlatformConfig();
  const results: [string, Provisioned][] = [
    ['TEMPORAL_CLI_PATH', await provisionTemporalCli(config)],
    ['TEMPORAL_TEST_SERVER_PATH', await provisionTestServer(config)],
  ];
  let missing = 0;
  for (const [envVar, result] of results) {
    if (result.source === 'sdk-download') {
      missing += 1;
      console.error(result.unavailable);
    } else {
      console.log(`${envVar}=${result.path}  (${result.source})`);
    }
  }
  // Only a local binary counts as installed; the SDK's download is a run-time fallback this command cannot make.
  if (missing > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
