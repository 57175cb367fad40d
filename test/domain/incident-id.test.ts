import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { incidentIdFor } from '../../src/domain/incident-id';
import { incidentIdSchema } from '../../src/domain/inputs';

describe('incident ids', () => {
  it('carry the UTC day and four base-36 characters drawn from the given source', () => {
    const draws = [0, 35, 10, 9];
    const id = incidentIdFor(new Date('2025-03-14T23:59:00Z'), (bound) => {
      assert.equal(bound, 36);
      return draws.shift() ?? assert.fail('drew more than four characters');
    });
    assert.equal(id, '20250314-0za9');
    assert.equal(incidentIdSchema.safeParse(id).success, true, 'an id the inputs accept');
  });
});
