import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadPolicy } from '../../src/config';

/** The example policy files load the way the worker loads them, and say what their comments promise. */

const examples = path.resolve(__dirname, '../../examples');

void test('examples/policy.fast.yaml: second-long SEV-1 windows for the live demo', () => {
  const policy = loadPolicy(path.join(examples, 'policy.fast.yaml'));
  const sev1 = policy.severities['SEV-1'];
  assert.equal(sev1.acknowledgeWithin, 5_000);
  assert.deepEqual(sev1.escalationLadder, [
    { target: 'secondary-oncall' },
    { target: 'engineering-manager', after: 5_000 },
  ]);
  assert.deepEqual(sev1.statusUpdates, { every: 10_000, escalateAfter: 5_000, target: 'engineering-manager' });
  assert.deepEqual(sev1.unresolved, { after: 20_000, target: 'engineering-manager' });
  // Only SEV-1 is sped up; the rest keep DESIGN.md's defaults.
  assert.equal(policy.severities['SEV-2'].acknowledgeWithin, 15 * 60_000);
  assert.deepEqual(
    policy.services.checkout?.smokeChecks.map((c) =>
      c.type === 'prometheus' ? c.query : c.type === 'http' ? c.url : c.name,
    ),
    ['http://127.0.0.1:8787/healthz'],
  );
});

void test('examples/policy.yaml: contacts and a checkout service with smoke checks and a rollback', () => {
  const policy = loadPolicy(path.join(examples, 'policy.yaml'));
  assert.deepEqual(policy.contacts.stakeholders?.email, ['incidents@example.com', 'support-leads@example.com']);
  assert.deepEqual(policy.contacts.security?.email, ['security@example.com']);
  const checkout = policy.services.checkout;
  assert.ok(checkout);
  assert.equal(checkout.smokeChecks.length, 3);
  assert.deepEqual(checkout.smokeChecks[2], {
    type: 'http',
    name: 'payment API',
    url: 'https://api.example.com/payments/health',
    method: 'HEAD',
    expectStatus: 204,
    attempts: 1,
  });
  assert.deepEqual(checkout.rollback, { webhook: 'https://deploy.example.com/hooks/rollback/checkout' });
  assert.equal(policy.severities['SEV-1'].escalationLadder.length, 3);
  assert.equal(policy.severities['SEV-2'].statusUpdates?.every, 20 * 60_000);
  assert.equal(policy.businessHours.timeZone, 'Europe/Berlin');
});

void test("examples/policy.yaml's commented postmortem example loads: 24 h due, a contact's manager", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'incident-policy-'));
  try {
    const text = await readFile(path.join(examples, 'policy.yaml'), 'utf8');
    const uncommented = text.replace(
      /^(\s+)# (postmortem: .*|checkout-lead:|engineering-manager:| {2}(?:name|email|manager): .*)$/gm,
      '$1$2',
    );
    const file = path.join(dir, 'policy.yaml');
    await writeFile(file, uncommented);
    const policy = loadPolicy(file);
    assert.deepEqual(policy.severities['SEV-1'].postmortem, { required: true, due: 24 * 3_600_000 });
    assert.equal(policy.contacts['checkout-lead']?.manager, 'engineering-manager');
    assert.deepEqual(policy.contacts['engineering-manager']?.email, ['eng-manager@example.com']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('a typo in a copy of the example is refused, naming the field', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'incident-policy-'));
  try {
    const broken = (await readFile(path.join(examples, 'policy.fast.yaml'), 'utf8')).replace(
      'every: 10s',
      'every: 10z',
    );
    const file = path.join(dir, 'policy.yaml');
    await writeFile(file, broken);
    assert.throws(() => loadPolicy(file), /severities\.SEV-1\.statusUpdates\.every: "10z" is not a duration/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('examples/policy.yaml: audiences, the announcement channel and the service links', () => {
  const policy = loadPolicy(path.join(examples, 'policy.yaml'));
  assert.deepEqual(Object.keys(policy.audiences), ['stakeholders', 'engineering-leads', 'support-lead', 'security']);
  assert.deepEqual(policy.audiences['stakeholders']?.receives['SEV-2'], ['declaration', 'post-incident-summary']);
  assert.equal(policy.audiences['security']?.security, true);
  assert.deepEqual(policy.announcements, { slack: '#incident-response' });
  assert.equal(policy.services.checkout?.runbook, 'https://runbooks.example.com/checkout');
});
