// `npm run test:unit`: every *.test.ts under test/ at any depth (npm's sh has no globstar), one file at a time.
// Extra arguments (e.g. --test-name-pattern) go to the test runner.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const testDir = path.dirname(fileURLToPath(import.meta.url));
const files = readdirSync(testDir, { recursive: true })
  .filter((file) => file.endsWith('.test.ts'))
  .map((file) => path.relative(process.cwd(), path.join(testDir, file)))
  .sort();

// A glob that matches nothing must fail loudly, not pass having run zero tests.
if (files.length === 0) {
  process.stderr.write(`test:unit: no *.test.ts files under ${testDir}\n`);
  process.exit(1);
}

const tsx = createRequire(import.meta.url).resolve('tsx/cli');
// A hung test fails with its name after 15 minutes instead of holding CI until its limit.
const args = [tsx, '--test', '--test-concurrency=1', '--test-timeout=900000', ...process.argv.slice(2), ...files];
const { status, error } = spawnSync(process.execPath, args, { stdio: 'inherit' });
if (error) throw error;
process.exit(status ?? 1);
