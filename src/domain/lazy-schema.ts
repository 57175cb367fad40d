import { inWorkflowContext } from '@temporalio/workflow';

/**
 * A schema of a module the workflow bundle includes. Every module of the bundle is evaluated again in each new (or
 * evicted) workflow's sandbox, and a zod schema is costly to build and to keep (each instance holds its own
 * methods): built eagerly, the input schemas cost every cached incident about 1 MiB and its first workflow task tens
 * of milliseconds, though an incident validates only the commands it receives. In a workflow it is built on first
 * use; elsewhere (CLI, API, worker) at once, as the schema itself, since zod's JSON Schema export (the API's
 * documentation) tells schemas apart by identity.
 *
 * zod cannot be shared between sandboxes instead: the SDK deep-freezes preloaded modules, and zod writes its
 * default locale and memoizer into its frozen config when the first schema is built, and resets `lastIndex` on
 * frozen patterns when it parses.
 */
export function lazySchema<T extends object>(build: () => T): T {
  return inWorkflowContext() ? deferred(build) : build();
}

/** Stands for the schema `build` returns, building it when first touched; for parsing, not for JSON Schema. */
export function deferred<T extends object>(build: () => T): T {
  let built: T | undefined;
  const schema = (): T => (built ??= build());
  // Everything goes to the built schema, so its methods and zod's own checks (`_zod`, `instanceof`) see the real
  // instance. Its properties are reported configurable: the empty stand-in the proxy wraps has none of its own.
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(schema(), key),
    set: (_, key, value) => Reflect.set(schema(), key, value),
    has: (_, key) => Reflect.has(schema(), key),
    ownKeys: () => Reflect.ownKeys(schema()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(schema(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(schema()),
  });
}
