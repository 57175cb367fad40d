import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, type IntegrationProviders } from '../../src/activities';
import type { ChatProvider } from '../../src/activities/providers';
import { buildPolicy } from '../../src/domain/policy';
import type { ChatRequest } from '../../src/activities/types';

test('postToChat hands the chat provider the activity attempt, which decides whether Slack is searched', async () => {
  const seen: number[] = [];
  const chat: Pick<ChatProvider, 'post'> = {
    post: (_request, attempt) => {
      seen.push(attempt);
      return Promise.resolve({ destination: '#inc', duplicate: false });
    },
  };
  const activities = createActivities({ chat, policy: buildPolicy({}) } as IntegrationProviders);
  const request: ChatRequest = {
    incidentId: '20250314-k3f9',
    key: 'incident-20250314-k3f9/2-chat',
    drill: false,
    channel: 'C1',
    message: { kind: 'note', subject: 's', text: 't', fields: [] },
  };

  for (const attempt of [1, 3])
    await new MockActivityEnvironment({ attempt }).run((input: ChatRequest) => activities.postToChat(input), request);

  assert.deepEqual(seen, [1, 3]);
});
