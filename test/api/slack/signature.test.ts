import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { slackSignature, verifySlackSignature } from '../../../src/api/slack/signature';

/** The worked example of Slack's "Verifying requests from Slack" (docs.slack.dev/authentication). */
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TIMESTAMP = '1531420618';
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const AT = Number(TIMESTAMP) * 1000;

const check = (overrides: { secret?: string; timestamp?: string; signature?: string; body?: string; now?: number }) =>
  verifySlackSignature(
    overrides.secret ?? SECRET,
    {
      timestamp: 'timestamp' in overrides ? overrides.timestamp : TIMESTAMP,
      signature: 'signature' in overrides ? overrides.signature : SIGNATURE,
      body: Buffer.from(overrides.body ?? BODY, 'utf8'),
    },
    overrides.now ?? AT,
  );

describe("Slack's request signature", () => {
  it("computes Slack's documented signature and accepts the documented request", () => {
    assert.equal(slackSignature(SECRET, TIMESTAMP, BODY), SIGNATURE);
    assert.deepEqual(check({}), { ok: true });
    // Anywhere inside the five minutes, either way.
    assert.deepEqual(check({ now: AT + 300_000 }), { ok: true });
    assert.deepEqual(check({ now: AT - 300_000 }), { ok: true });
  });

  it('refuses a tampered body, a wrong secret, a stale timestamp and a missing or malformed header', () => {
    assert.equal(reason(check({ body: BODY.replace('text=', 'text=declare') })), 'mismatch');
    assert.equal(reason(check({ body: `${BODY} ` })), 'mismatch');
    assert.equal(reason(check({ secret: '8f742231b10e8888abcd99yyyzzz85a6' })), 'mismatch');
    // The signature covers the timestamp: a fresh timestamp on an old signature does not match either.
    assert.equal(reason(check({ timestamp: '1531420619', now: AT + 1000 })), 'mismatch');
    assert.equal(reason(check({ now: AT + 301_000 })), 'stale');
    assert.equal(reason(check({ now: AT - 301_000 })), 'stale');
    assert.equal(reason(check({ signature: undefined })), 'missing');
    assert.equal(reason(check({ timestamp: undefined })), 'missing');
    assert.equal(reason(check({ signature: SIGNATURE.toUpperCase() })), 'malformed');
    assert.equal(reason(check({ signature: SIGNATURE.replace('v0=', 'v1=') })), 'malformed');
    assert.equal(reason(check({ signature: SIGNATURE.slice(0, -1) })), 'malformed');
    assert.equal(reason(check({ timestamp: '1531420618.5' })), 'malformed');
  });
});

function reason(result: ReturnType<typeof verifySlackSignature>): string {
  return result.ok ? 'ok' : result.reason;
}
