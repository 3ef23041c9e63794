import type { Page } from '../../core/paging.js';
import { SortedKeys } from './sorted-keys.js';

// Primitives shared by the tables of the in-memory adapter: frozen records, lazily created
// index entries, maintained counters and cursor paging over an ordered index.

/** The inverse of one write, run when its unit of work rolls back. */
export type Undo = () => void;

/** Throws if the unit of work has ended, or if `write` is true in a read-only one. */
export type Guard = (write: boolean) => void;

/** Freezes `value` and everything it holds (stored records are immutable). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** A frozen deep copy of a caller's record: the caller keeps its objects, the store its own. */
export function frozenCopy<T>(value: T): T {
  return deepFreeze(structuredClone(value));
}

/** `map.get(key)`, first setting it to `create()` when absent. */
export function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = create();
    map.set(key, v);
  }
  return v;
}

/** Per-owner counters of string keys (grants per role, workspaces per default role, …). */
export class Counters<K> {
  private readonly byOwner = new Map<K, Map<string, number>>();

  get(owner: K, key: string): number {
    return this.byOwner.get(owner)?.get(key) ?? 0;
  }

  add(owner: K, key: string, delta: number): void {
    const counts = getOrCreate(this.byOwner, owner, () => new Map<string, number>());
    const n = (counts.get(key) ?? 0) + delta;
    if (n === 0) counts.delete(key);
    else counts.set(key, n);
    if (counts.size === 0) this.byOwner.delete(owner);
  }
}

/**
 * One page of an ordered index: up to `limit` items after `cursorKey` (an index key), and the
 * cursor of the next page (`cursorOf` its last item) when more remain.
 */
export function pageOf<T>(
  order: SortedKeys | undefined,
  cursorKey: string | undefined,
  limit: number,
  load: (key: string) => T,
  cursorOf: (item: T) => string,
): Page<T> {
  if (!order) return { items: [], nextCursor: null };
  const keys = order.after(cursorKey, limit + 1);
  const more = keys.length > limit;
  const items = (more ? keys.slice(0, limit) : keys).map(load);
  const last = items[items.length - 1];
  return { items, nextCursor: more && last !== undefined ? cursorOf(last) : null };
}

/** Adds `key` to the ordered index `name` of `indexes`, creating it when absent. */
export function addToIndex<N>(indexes: Map<N, SortedKeys>, name: N, key: string): void {
  getOrCreate(indexes, name, () => new SortedKeys()).insert(key);
}

/** Removes `key` from the ordered index `name`, dropping the index when it empties. */
export function removeFromIndex<N>(indexes: Map<N, SortedKeys>, name: N, key: string): void {
  const index = indexes.get(name);
  if (!index) return;
  index.delete(key);
  if (index.size === 0) indexes.delete(name);
}
