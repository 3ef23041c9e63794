import type { Store } from '../../ports/store.js';
import { STORE_CONFORMANCE_SUITES, type ConformanceCheck } from './check.js';
import { storeConformanceChecks } from './store-conformance-checks.js';

/** A test-registering function: `it` or `test` of vitest, jest or mocha (node:test needs a small wrapper). */
export type ConformanceTestFn = (name: string, fn: () => Promise<void>, timeout?: number) => void;

/** The `it` of a test runner, optionally with `it.skip` (used for declared capability gaps when present). */
export interface ConformanceIt extends ConformanceTestFn {
  readonly skip?: ConformanceTestFn | undefined;
}

/**
 * The two functions of a test runner the conformance suite registers its checks with. vitest's
 * and jest's `{ describe, it }` fit as they are.
 */
export interface ConformanceTestApi {
  /** Registers a group of tests. */
  describe(name: string, fn: () => void): void;
  /** Registers one test; a third argument, when given, is its timeout in milliseconds. */
  readonly it: ConformanceIt;
}

/** Options of {@link describeStoreConformance}. */
export interface StoreConformanceOptions {
  /** The adapter's name, shown in the test titles. */
  readonly name: string;
  /** Creates a fresh, EMPTY store; called once per check. */
  readonly createStore: () => Store | Promise<Store>;
  /** Releases a store after its check, whether the check passed or failed. */
  readonly destroyStore?: ((store: Store) => void | Promise<void>) | undefined;
  /**
   * Declared capability gaps: suite names (`'concurrency'`) or check ids
   * (`'workspaces/list-order-is-code-unit'`). Skipped checks are still registered, titled
   * `[skipped: declared gap] …`, through `it.skip` when the runner has it. An entry that is
   * neither a suite nor a check id throws, so a typo cannot silently skip nothing.
   */
  readonly skip?: readonly string[] | undefined;
  /** Timeout of each check in milliseconds; by default the runner's own. */
  readonly timeoutMs?: number | undefined;
}

/** The title prefix of a check skipped as a declared capability gap. */
export const SKIPPED_TITLE_PREFIX = '[skipped: declared gap]';

/** Runs one check against a store from `options`, destroying the store afterwards. */
async function runCheck(check: ConformanceCheck, options: StoreConformanceOptions): Promise<void> {
  const store = await options.createStore();
  try {
    await check.run(store);
  } finally {
    await options.destroyStore?.(store);
  }
}

/**
 * Registers the adapter conformance suite (STORE-3) with a test runner: one `describe` per
 * suite (users, accounts, memberships, workspaces, resources, audit, roles, grants,
 * invitations, serviceAccounts, apiKeys, seats, transferRequests, transactions, concurrency), one
 * `it` per check, each against a fresh store from `createStore`. Titles name
 * STORE-3, the spec ids a check covers and its id, e.g.
 * `STORE-3 HDL-4 of 50 concurrent inserts … [concurrency/workspace-handle-race]`.
 *
 * It imports no test framework: pass your runner's `describe` and `it`.
 *
 * @throws Error if `skip` names neither a suite nor a check id.
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * import { describeStoreConformance } from 'workspace-kit/testing';
 *
 * describeStoreConformance({ describe, it }, {
 *   name: 'my-adapter',
 *   createStore: () => createMyStore(),
 *   skip: ['workspaces/list-order-is-code-unit'], // a declared capability gap
 * });
 * ```
 */
export function describeStoreConformance(api: ConformanceTestApi, options: StoreConformanceOptions): void {
  const checks = storeConformanceChecks();
  const known = new Set<string>([...STORE_CONFORMANCE_SUITES, ...checks.map((c) => c.id)]);
  const skip = new Set(options.skip ?? []);
  const unknown = [...skip].filter((entry) => !known.has(entry));
  if (unknown.length > 0) {
    throw new Error(
      `describeStoreConformance: unknown skip entries ${unknown.map((e) => JSON.stringify(e)).join(', ')}; ` +
        `expected a suite name (${STORE_CONFORMANCE_SUITES.join(', ')}) or a check id from storeConformanceChecks()`,
    );
  }
  const register = (fn: ConformanceTestFn, title: string, body: () => Promise<void>): void => {
    if (options.timeoutMs === undefined) fn(title, body);
    else fn(title, body, options.timeoutMs);
  };

  api.describe(`STORE-3 store conformance: ${options.name}`, () => {
    for (const suite of STORE_CONFORMANCE_SUITES) {
      api.describe(suite, () => {
        for (const check of checks) {
          if (check.suite !== suite) continue;
          if (skip.has(suite) || skip.has(check.id)) {
            const title = `${SKIPPED_TITLE_PREFIX} ${check.title}`;
            const skipFn = api.it.skip;
            if (typeof skipFn === 'function') register(skipFn.bind(api.it), title, () => Promise.resolve());
            else register(api.it, title, () => Promise.resolve());
          } else {
            register(api.it, check.title, () => runCheck(check, options));
          }
        }
      });
    }
  });
}
