/**
 * Fault tooling shared by the SQL fault tests: a store that runs a hook before the k-th write of
 * a unit of work (to kill the connection or close the database there), and the every-k loop
 * that expects STORAGE and unchanged tables.
 */
import { expect } from 'vitest';
import type { KitResult } from '../../../src/kit/workspace-kit.js';
import { REPOSITORY_NAMES, WRITE_METHODS, type Store, type UnitOfWork } from '../../../src/ports/store.js';
import { errorOf } from '../../support/harness.js';

/** A store that calls `hook` right before the k-th write of a unit of work reaches `inner`. */
export function beforeWrite(inner: Store, hook: (writeNumber: number) => Promise<void>): Store & { arm(k: number | null): void } {
  let armed: number | null = null;
  return {
    arm(k) {
      armed = k;
    },
    transaction: (work, options) =>
      inner.transaction((tx) => {
        let writes = 0;
        const wrapped: Record<string, unknown> = {};
        for (const name of REPOSITORY_NAMES) {
          const repo = tx[name] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
          wrapped[name] = new Proxy(repo, {
            get(target, prop, receiver) {
              const value: unknown = Reflect.get(target, prop, receiver);
              if (typeof value !== 'function' || typeof prop !== 'string' || !WRITE_METHODS[name].includes(prop)) return value;
              return async (...args: unknown[]) => {
                writes += 1;
                if (armed === writes) await hook(writes);
                return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
              };
            },
          });
        }
        return work(wrapped as unknown as UnitOfWork);
      }, options),
  };
}

/** Runs the command once per k in 1..writes with `arm(k)`, expecting STORAGE and unchanged tables. */
export async function expectEveryFailureChangesNothing(
  store: { arm(k: number | null): void },
  writes: number,
  run: () => KitResult<unknown>,
  read: () => Promise<Record<string, unknown[]>>,
): Promise<void> {
  const before = await read();
  for (let k = 1; k <= writes; k += 1) {
    store.arm(k);
    const result = await run();
    store.arm(null);
    expect(errorOf(result).code, `failure at write ${k}`).toBe('STORAGE');
    expect(await read(), `tables after a failure at write ${k}`).toEqual(before);
  }
}
