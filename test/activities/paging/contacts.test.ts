import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { embeddedProviders } from '../../../src/activities/defaults';
import { contactPager } from '../../../src/activities/paging/contacts';
import { Outbox } from '../../../src/activities/outbox/store';
import type { EmailProvider } from '../../../src/activities/providers';
import type { PageRequest } from '../../../src/activities/types';
import { localDirs } from '../../../src/config';
import { buildPolicy } from '../../../src/domain/policy';

const policy = buildPolicy({
  contacts: {
    'db-oncall': { email: ['db@example.com'] },
    // No email: chat alone must still reach them.
    'secondary-oncall': { slackUserId: 'U0SECOND1' },
  },
});

const page = (overrides: Partial<PageRequest> = {}): PageRequest => ({
  incidentId: 'inc-1',
  key: `incident-inc-1/${Math.random()}-pager`,
  drill: false,
  action: 'trigger',
  target: 'db-oncall',
  reason: 'manual',
  level: 0,
  summary: '[SEV-1] Ledger writes fail',
  severity: 'SEV-1',
  channel: 'inc-1-ledger',
  ...overrides,
});

/** No paging provider configured (runbook 004's "authority to page"): a page reaches chat and email, never nobody. */
describe('the pager without a paging provider', () => {
  /** The embedded chat and email over a fresh outbox, which the pager records in too. */
  const embedded = () => {
    const dirs = localDirs(mkdtempSync(path.join(tmpdir(), 'pager-')));
    const { chat, email } = embeddedProviders(policy, dirs);
    return { outbox: new Outbox(dirs.outboxDir), chat, email };
  };

  it('a trigger mentions the target in the incident channel and emails their contact', async () => {
    const { outbox, chat, email } = embedded();
    const receipt = await contactPager(outbox, chat, email).send(page());
    assert.match(
      receipt.destination,
      /^db-oncall by chat #inc-1-ledger and email .*\(no paging provider configured\)$/,
    );

    const posted = (await outbox.read({ channel: 'chat' })).map((r) => r.payload);
    assert.equal(posted.length, 1);
    assert.equal(posted[0]?.channel, 'inc-1-ledger');
    assert.deepEqual(posted[0]?.mention, ['db-oncall']);
    assert.match(String(posted[0]?.text), /^db-oncall: you are paged for \[SEV-1\] Ledger writes fail \(manual\)\./);
    const mailed = (await outbox.read({ channel: 'email' })).map((r) => JSON.stringify(r.payload));
    assert.equal(mailed.length, 1);
    assert.match(mailed[0] ?? '', /db@example\.com/);
    assert.equal((await outbox.read({ channel: 'pager' })).length, 1, 'recorded as a page too');
  });

  it('a target with no email is reached by chat alone; acknowledge and resolve wake nobody', async () => {
    const { outbox, chat, email } = embedded();
    const pager = contactPager(outbox, chat, email);
    const receipt = await pager.send(page({ target: 'secondary-oncall' }));
    assert.match(receipt.destination, /^secondary-oncall by chat #inc-1-ledger \(no paging provider configured\)$/);
    await pager.send(page({ action: 'acknowledge' }));
    await pager.send(page({ action: 'resolve' }));
    assert.equal((await outbox.read({ channel: 'chat' })).length, 1);
    assert.equal((await outbox.read({ channel: 'pager' })).length, 3);
  });

  it('fails (so the activity retries) only when neither chat nor email reached anyone', async () => {
    const { outbox, chat, email } = embedded();
    const down = { ...chat, post: () => Promise.reject(new Error('chat is down')) };
    await assert.rejects(
      contactPager(outbox, down, email).send(page({ target: 'secondary-oncall' })),
      /neither chat nor email reached secondary-oncall: chat is down; no email address configured for secondary-oncall/,
    );
  });
  it('hands the attempt’s handoff to the email, so a retry on another worker after SMTP accepted does not mail again', async () => {
    const { outbox, chat } = embedded();
    const earlier = { destination: 'db@example.com (<page@incident-response>)', duplicate: false };
    const handoff = { earlier, accepted: () => Promise.resolve() };
    const given: unknown[] = [];
    const email: EmailProvider = {
      send: (_request, received) => {
        given.push(received);
        return Promise.resolve(received?.earlier ? { ...received.earlier, duplicate: true } : earlier);
      },
    };
    const receipt = await contactPager(outbox, chat, email).send(page(), handoff);
    assert.deepEqual(given, [handoff]);
    assert.match(receipt.destination, /email db@example\.com/);
  });
});
