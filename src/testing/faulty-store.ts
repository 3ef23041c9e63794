import { REPOSITORY_NAMES, WRITE_METHODS, type Store, type UnitOfWork } from '../ports/store.js';

/** The error a {@link FaultyStore} throws from the write it was told to fail. */
export class InjectedFault extends Error {
  constructor(readonly writeNumber: number) {
    super(`injected fault on write #${writeNumber}`);
    this.name = 'InjectedFault';
  }
}

/** A store wrapper that fails a chosen write, for fault-injection tests. */
export interface FaultyStore extends Store {
  /** Writes attempted since the last {@link FaultyStore.arm} (or creation). */
  readonly writes: number;
  /**
   * Fails the `k`-th write from now (1-based) by throwing {@link InjectedFault} instead of
   * calling the inner store; `null` disarms. Resets the write counter.
   */
  arm(k: number | null): void;
}

/**
 * Wraps a store so that the k-th write through any repository (see `WRITE_METHODS`) throws.
 * Use it to prove a command is atomic: for every k up to the number of writes the command
 * makes, state after the failed command must equal state before.
 *
 * @example
 * ```ts
 * const store = faultyStore(createMemoryStore());
 * const kit = createWorkspaceKit({ store });
 * store.arm(2); // the second write of the next command fails
 * ```
 */
export function faultyStore(inner: Store, options: { failOnWrite?: number | null } = {}): FaultyStore {
  let writes = 0;
  let failOn: number | null = options.failOnWrite ?? null;

  const wrap = (tx: UnitOfWork): UnitOfWork => {
    const out: Record<string, unknown> = {};
    for (const name of REPOSITORY_NAMES) {
      const repo = tx[name] as unknown as Record<string, unknown>;
      const writeNames = new Set(WRITE_METHODS[name]);
      out[name] = new Proxy(repo, {
        get(target, prop, receiver) {
          const value: unknown = Reflect.get(target, prop, receiver);
          if (typeof value !== 'function' || typeof prop !== 'string' || !writeNames.has(prop)) return value;
          return (...args: unknown[]) => {
            writes += 1;
            if (failOn !== null && writes === failOn) return Promise.reject(new InjectedFault(writes));
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    }
    return out as unknown as UnitOfWork;
  };

  return {
    transaction: (work, opts) => inner.transaction((tx) => work(wrap(tx)), opts),
    get writes() {
      return writes;
    },
    arm(k) {
      writes = 0;
      failOn = k;
    },
  };
}
