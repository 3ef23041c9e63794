/**
 * Shared helpers of the invariant, race, fault and fuzz tests: reading a store's snapshot when
 * the adapter has one, paging through every workspace of an account, and capturing how a kit
 * call ends (resolved, rejected or thrown) without letting a thrown error escape.
 */
import { expect } from 'vitest';
import type { MemoryStoreSnapshot } from '../../src/adapters/memory/memory-store.js';
import type { ErrorCode, WorkspaceKitError } from '../../src/core/errors.js';
import type { Principal } from '../../src/core/principal.js';
import type { AccountId } from '../../src/core/ids.js';
import type { WorkspaceView } from '../../src/kit/workspace-commands.js';
import type { KitResult, WorkspaceKit } from '../../src/kit/workspace-kit.js';
import type { Store } from '../../src/ports/store.js';
import type { Result } from 'neverthrow';

/** A store factory: the model, race and fault suites run against every adapter. */
export type StoreFactory = () => Store | Promise<Store>;

/** Releases a store made by a {@link StoreFactory} (close a pool, drop a schema); optional. */
export type StoreRelease = (store: Store) => void | Promise<void>;

/** The store's deep snapshot function when the adapter offers one (the memory store does). */
export function snapshotter(store: Store): (() => MemoryStoreSnapshot) | null {
  const candidate = (store as { snapshot?: unknown }).snapshot;
  return typeof candidate === 'function' ? () => (candidate as () => MemoryStoreSnapshot).call(store) : null;
}

/** `'ok'` or the error code of a settled kit result. */
export function codeOf(result: Result<unknown, WorkspaceKitError>): 'ok' | ErrorCode {
  return result.isOk() ? 'ok' : result.error.code;
}

/** Counts the outcomes of many settled kit results: `{ ok: 1, HANDLE_TAKEN: 99 }`. */
export function tally(results: readonly Result<unknown, WorkspaceKitError>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) {
    const code = codeOf(r);
    out[code] = (out[code] ?? 0) + 1;
  }
  return out;
}

/** The error of a result that must have failed (fails the test otherwise). */
export function errorOf<T>(result: Result<T, WorkspaceKitError>): WorkspaceKitError {
  if (result.isOk()) throw new Error(`expected an error, got ok: ${JSON.stringify(result.value)}`);
  return result.error;
}

/** The value of a result that must have succeeded (fails the test otherwise). */
export function valueOf<T>(result: Result<T, WorkspaceKitError>): T {
  if (result.isErr()) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/**
 * Every workspace of an account, read through `listWorkspaces` page by page (`pageSize` small
 * on purpose so paging itself is exercised). Checks that each page respects the limit, that
 * cursors move forward, and that the whole listing is in strictly ascending handle order —
 * which also proves no handle appears twice (HDL-1).
 */
export async function listAllWorkspaces(
  kit: WorkspaceKit,
  actor: Principal,
  accountId: AccountId | string,
  pageSize = 2,
): Promise<WorkspaceView[]> {
  const all: WorkspaceView[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 10_000; guard += 1) {
    const page = valueOf(
      await kit.listWorkspaces(actor, { accountId, limit: pageSize, ...(cursor !== undefined ? { cursor } : {}) }),
    );
    expect(page.items.length).toBeLessThanOrEqual(pageSize);
    all.push(...page.items);
    if (page.nextCursor === null) break;
    expect(page.items.length).toBe(pageSize);
    expect(page.nextCursor > (cursor ?? '')).toBe(true);
    cursor = page.nextCursor;
  }
  for (let i = 1; i < all.length; i += 1) {
    expect(all[i - 1]!.handle < all[i]!.handle, `handles out of order or repeated: ${all.map((w) => w.handle).join(',')}`).toBe(true);
  }
  return all;
}

/** How a kit call ended. A kit method must always end `resolved`. */
export type CallOutcome =
  | { readonly kind: 'resolved'; readonly result: Result<unknown, WorkspaceKitError> }
  | { readonly kind: 'rejected'; readonly error: unknown }
  | { readonly kind: 'threw'; readonly error: unknown };

/** Calls a kit method and records whether it resolved, rejected or threw synchronously. */
export async function callSafely(call: () => KitResult<unknown>): Promise<CallOutcome> {
  let pending: KitResult<unknown>;
  try {
    pending = call();
  } catch (error) {
    return { kind: 'threw', error };
  }
  try {
    return { kind: 'resolved', result: await pending };
  } catch (error) {
    return { kind: 'rejected', error };
  }
}

/** A short printable description of a call outcome, for assertion messages. */
export function describeOutcome(outcome: CallOutcome): string {
  if (outcome.kind !== 'resolved') {
    let text: string;
    try {
      text = outcome.error instanceof Error ? `${outcome.error.name}: ${outcome.error.message}` : typeof outcome.error;
    } catch {
      text = 'unprintable';
    }
    return `${outcome.kind} (${text})`;
  }
  return outcome.result.isOk() ? 'resolved ok' : `resolved ${outcome.result.error.code}`;
}
