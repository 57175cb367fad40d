import type * as Zod from 'zod';

/**
 * `zod` as the workflow bundle sees it (src/workflow-bundle.ts points the bundle's `zod` imports here): zod itself,
 * evaluated the first time workflow code reaches into it, which is when a validator first builds a schema. Every
 * module of the bundle is evaluated again in each incident's sandbox, and zod's own modules are most of that: about
 * half a MiB of heap per cached incident and several milliseconds of its first workflow task. An incident that is
 * declared and then waits, as most cached incidents do, never pays for them.
 */
let zod: typeof Zod | undefined;

// 'zod/v4' is the module 'zod' re-exports; only the bare name is redirected here, so this reaches the real one.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a require() in a function is what defers it
const load = (): typeof Zod => (zod ??= require('zod/v4') as typeof Zod);

export = new Proxy({} as typeof Zod, {
  // Webpack asks whether the module is an ES module when it links an import; that question must not load zod.
  get: (_, key): unknown => (key === '__esModule' ? undefined : Reflect.get(load(), key)),
  has: (_, key) => Reflect.has(load(), key),
});
