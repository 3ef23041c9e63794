import type { Store } from '../../ports/store.js';

/**
 * The suites of the adapter conformance suite (STORE-3), in the order they run: one per
 * repository of a unit of work, then transactions and concurrency.
 */
export const STORE_CONFORMANCE_SUITES = [
  'users',
  'accounts',
  'memberships',
  'workspaces',
  'resources',
  'audit',
  'roles',
  'grants',
  'invitations',
  'serviceAccounts',
  'apiKeys',
  'seats',
  'transferRequests',
  'transactions',
  'concurrency',
] as const;

/** The name of one suite of the conformance suite, e.g. `'workspaces'`. */
export type ConformanceSuiteName = (typeof STORE_CONFORMANCE_SUITES)[number];

/**
 * One check of the adapter conformance suite (STORE-3): a probe of the storage ports that a
 * correct adapter passes. `run` gets a fresh, empty store, resolves when the adapter behaves
 * as the port contracts promise and rejects with an assertion error naming what went wrong.
 *
 * @example
 * ```ts
 * const check = storeConformanceChecks().find((c) => c.id === 'concurrency/workspace-handle-race')!;
 * await check.run(createMyStore()); // rejects if two of 50 concurrent inserts both succeed
 * ```
 */
export interface ConformanceCheck {
  /** The suite the check belongs to. */
  readonly suite: ConformanceSuiteName;
  /** What the check proves, as a sentence, e.g. `a duplicate email gets 'email-taken'`. */
  readonly name: string;
  /** `${suite}/${slug}`: a stable id, for `skip` lists and bug reports. */
  readonly id: string;
  /** The spec ids (DOMAIN.md) the check covers besides STORE-3, e.g. `['HDL-4']`. */
  readonly specIds: readonly string[];
  /** The test title: `STORE-3`, the spec ids, the name and the id in brackets. */
  readonly title: string;
  /** Runs the check against `store`, which must be fresh and empty. */
  run(store: Store): Promise<void>;
}

/** Builds a {@link ConformanceCheck} (internal). */
export function defineCheck(
  suite: ConformanceSuiteName,
  slug: string,
  specIds: readonly string[],
  name: string,
  run: (store: Store) => Promise<void>,
): ConformanceCheck {
  const id = `${suite}/${slug}`;
  const title = ['STORE-3', ...specIds, name].join(' ') + ` [${id}]`;
  return Object.freeze({ suite, name, id, specIds: Object.freeze([...specIds]), title, run });
}
