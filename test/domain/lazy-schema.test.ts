import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { deferred, lazySchema } from '../../src/domain/lazy-schema';

const build = () =>
  z.object({
    id: z.string().regex(/^[a-z]+$/, 'use lowercase letters'),
    kind: z.enum(['a', 'b']).default('a'),
  });

describe('deferred schemas (lazySchema in a workflow)', () => {
  it('builds the schema on first use, once', () => {
    let builds = 0;
    const schema = deferred(() => {
      builds += 1;
      return build();
    });
    assert.equal(builds, 0);
    schema.parse({ id: 'x' });
    schema.safeParse({ id: 'y' });
    assert.equal(builds, 1);
  });

  it('parses, refuses and describes like the schema it builds, alone and inside another schema', () => {
    const eager = build();
    const lazy = deferred(build);
    for (const input of [{ id: 'abc' }, { id: 'ABC', kind: 'c' }, { kind: 'b' }, 'not an object']) {
      assert.deepEqual(lazy.safeParse(input), eager.safeParse(input));
      const wrap = (inner: z.ZodType) => z.object({ inner }).safeParse({ inner: input });
      assert.deepEqual(wrap(lazy), wrap(eager));
    }
    assert.deepEqual(
      lazy.extend({ n: z.number() }).safeParse({ id: 'q', n: 'x' }),
      eager.extend({ n: z.number() }).safeParse({ id: 'q', n: 'x' }),
    );
    assert.deepEqual(lazy.shape.kind.unwrap().options, ['a', 'b']);
  });

  it('passes for the schema where zod looks at it', () => {
    const lazy = deferred(build);
    assert.ok(lazy instanceof z.ZodObject);
    assert.ok('_zod' in lazy);
    assert.deepEqual(Object.keys(lazy), Object.keys(build()));
  });

  it('outside a workflow is the schema itself, so the API documentation can export it', () => {
    const schema = build();
    assert.equal(
      lazySchema(() => schema),
      schema,
    );
  });
});
