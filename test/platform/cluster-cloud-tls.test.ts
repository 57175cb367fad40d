import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createSecureServer, type Http2SecureServer, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';

/**
 * Temporal Cloud's connection settings, through the worker itself (`tsx src/worker.ts`, configured only by the
 * standard TEMPORAL_* variables): a loopback TLS endpoint that demands a client certificate records who shook
 * hands and what the first gRPC call carried. mTLS must present the configured certificate; an API key must
 * arrive as a bearer over TLS. The endpoint then refuses the call, and the worker exits.
 */

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const TSX_CLI = require.resolve('tsx/cli');

let dir: string;
let server: Http2SecureServer;
let address: string;
const seen: { fingerprint: string | undefined; headers: IncomingHttpHeaders }[] = [];

async function openssl(...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

/** A CA, a server certificate for localhost and a client certificate, all signed by the CA. */
async function makeCertificates(): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test CA');
  for (const [name, subject, ext] of [
    ['server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    ['client', '/CN=incident-worker', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    await openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    await writeFile(path.join(dir, `${name}.ext`), `${ext}\n`);
    const sign = ['-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`];
    await openssl('x509', '-req', '-in', `${name}.csr`, '-out', `${name}.pem`, ...sign);
  }
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'incident-cloud-tls-'));
  await makeCertificates();
  const file = (name: string) => readFile(path.join(dir, name));
  server = createSecureServer({
    key: await file('server.key'),
    cert: await file('server.pem'),
    ca: await file('ca.pem'),
    // A client certificate is requested but not required: the API-key case connects without one.
    requestCert: true,
    rejectUnauthorized: false,
  });
  server.on('stream', (stream, headers) => {
    const socket = stream.session?.socket as TLSSocket | undefined;
    const peer = socket?.getPeerX509Certificate();
    seen.push({ fingerprint: socket?.authorized ? peer?.fingerprint256 : undefined, headers });
    // A gRPC refusal, so the worker gives up at once instead of waiting for an answer.
    stream.respond(
      { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'test' },
      { endStream: true },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs the worker with these settings until the endpoint has seen its first call (or it exits). */
async function workerCall(env: Record<string, string>): Promise<(typeof seen)[number]> {
  const before = seen.length;
  const child = spawn(process.execPath, [TSX_CLI, 'src/worker.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      TEMPORAL_CONFIG_FILE: path.join(ROOT, 'test/e2e/no-such-temporal.toml'),
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: 'incidents.a1b2c',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
      INCIDENT_DATA_DIR: dir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 30_000;
  while (seen.length === before && Date.now() < deadline && child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  await exited;
  const call = seen[before];
  assert.ok(call, `the worker never reached the endpoint:\n${output}`);
  return call;
}

test('mTLS: the worker presents the configured client certificate', { timeout: 60_000 }, async () => {
  const call = await workerCall({
    TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.pem'),
    TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(dir, 'client.key'),
  });
  const expected = new X509Certificate(await readFile(path.join(dir, 'client.pem'))).fingerprint256;
  assert.equal(call.fingerprint, expected, 'the handshake carried the configured certificate, verified by the CA');
  assert.match(String(call.headers[':path']), /^\/temporal\.api\.workflowservice\.v1\.WorkflowService\//);
});

test('API key: sent as a bearer over TLS, without a client certificate', { timeout: 60_000 }, async () => {
  const call = await workerCall({ TEMPORAL_API_KEY: 'cloud-api-key-0123456789' });
  assert.equal(call.fingerprint, undefined, 'no client certificate');
  assert.equal(call.headers.authorization, 'Bearer cloud-api-key-0123456789');
});
