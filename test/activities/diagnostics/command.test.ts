import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { snapshotDiagnostics, type DiagnosticsArtifact } from '../../../src/activities/diagnostics/snapshot';
import type { DiagnosticsRequest } from '../../../src/activities/types';
import { buildPolicy } from '../../../src/domain/policy';

let dir: string;
let artifactDir: string;
let script: string;

/** The worker's environment: a variable the policy lets through, and secrets of other integrations. */
const worker = {
  PATH: process.env.PATH,
  KUBECONFIG: '/etc/kube/readonly',
  SLACK_BOT_TOKEN: 'xoxb-worker-secret',
  SMTP_URL: 'smtp://user:hunter2@mail',
};

let step = 0;
function request(service: string): DiagnosticsRequest {
  step += 1;
  return { incidentId: 'inc-9', key: `incident-inc-9/${step}-diagnostics`, drill: false, service, severity: 'SEV-2' };
}

function collector(command: Record<string, unknown>) {
  const policy = buildPolicy({ services: { checkout: { diagnostics: { command } } } });
  return snapshotDiagnostics({ services: policy.services, artifactDir, tools: policy.diagnostics, env: worker });
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'collect-diagnostics-'));
  artifactDir = path.join(dir, 'diagnostics');
  // runbook 003's collect-diagnostics.sh, as a node script so the test needs no shell.
  script = path.join(dir, 'collect-diagnostics.js');
  await writeFile(
    script,
    [
      'const mode = process.argv[2];',
      "if (mode === 'hang') setTimeout(() => {}, 60_000);",
      "console.log('env: ' + Object.keys(process.env).sort().join(','));",
      "console.log('incident ' + process.env.INCIDENT_ID + ' ' + process.env.INCIDENT_SERVICE + ' ' + process.env.INCIDENT_SEVERITY);",
      "console.log('slack token: ' + (process.env.SLACK_BOT_TOKEN ?? 'absent'));",
      "if (mode === 'fail') { console.error('kubectl: connection refused'); process.exit(3); }",
    ].join('\n'),
  );
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('command diagnostic', () => {
  it("runs the team's script with only the listed variables; its output is an artifact, not the summary", async () => {
    const report = await collector({ argv: [process.execPath, script], env: ['KUBECONFIG'] }).collect(
      request('checkout'),
      () => undefined,
    );
    assert.equal(
      report.summary,
      `${path.basename(process.execPath)}: exited 0; not configured: Grafana, Loki, Sentry, change feed`,
    );
    assert.doesNotMatch(report.summary, /env:|incident inc-9/, 'the output is not in the summary');
    assert.equal(path.dirname(report.artifact), path.join(artifactDir, 'inc-9'));

    const artifact = JSON.parse(await readFile(report.artifact, 'utf8')) as DiagnosticsArtifact;
    const command = artifact.tools?.command;
    assert.equal(command?.exitCode, 0);
    assert.equal(command?.timedOut, false);
    const lines = command?.stdout.trim().split('\n') ?? [];
    assert.deepEqual(lines[0]?.replace(/^env: /, '').split(','), [
      'INCIDENT_ID',
      'INCIDENT_SERVICE',
      'INCIDENT_SEVERITY',
      'KUBECONFIG',
      'PATH',
    ]);
    assert.equal(lines[1], 'incident inc-9 checkout SEV-2');
    assert.equal(lines[2], 'slack token: absent');
    assert.doesNotMatch(await readFile(report.artifact, 'utf8'), /xoxb-|hunter2/);
  });

  it('a failing script is reported with its exit code, and its stderr kept in the artifact', async () => {
    const report = await collector({ argv: [process.execPath, script, 'fail'] }).collect(
      request('checkout'),
      () => undefined,
    );
    assert.match(report.summary, /: exited 3;/);
    const artifact = JSON.parse(await readFile(report.artifact, 'utf8')) as DiagnosticsArtifact;
    assert.equal(artifact.tools?.command?.exitCode, 3);
    assert.equal(artifact.tools?.command?.stderr, 'kubectl: connection refused\n');
  });

  it('a script past its timeout is stopped and reported as timed out', async () => {
    const report = await collector({ argv: [process.execPath, script, 'hang'], timeout: '1s' }).collect(
      request('checkout'),
      () => undefined,
    );
    assert.match(report.summary, /: timed out after 1000 ms;/);
    const artifact = JSON.parse(await readFile(report.artifact, 'utf8')) as DiagnosticsArtifact;
    assert.equal(artifact.tools?.command?.timedOut, true);
    assert.equal(artifact.tools?.command?.exitCode, null);
  });

  it('a program that does not exist is reported, not thrown', async () => {
    const report = await collector({ argv: [path.join(dir, 'no-such-script')] }).collect(
      request('checkout'),
      () => undefined,
    );
    assert.match(report.summary, /: could not run .*no-such-script: ENOENT;/);
  });

  it('the policy refuses a command written as a shell line or with a bad variable name', () => {
    assert.throws(
      () => buildPolicy({ services: { checkout: { diagnostics: { command: { argv: [] } } } } }),
      /name the program to run \(argv, no shell\)/,
    );
    assert.throws(
      () => buildPolicy({ services: { checkout: { diagnostics: { command: { argv: ['x'], env: ['A B'] } } } } }),
      /is an environment variable name/,
    );
    assert.throws(
      () => buildPolicy({ services: { checkout: { diagnostics: { command: { argv: ['x'], shell: true } } } } }),
      /shell/,
    );
  });
});
