/**
 * The every-k fault loop of the memory fault tests (STORE-2, AUD-1): run the command once to
 * count its writes; then, for EVERY k, rebuild the state, fail the k-th write and expect
 * `STORAGE`, the snapshot unchanged and nothing published; disarmed, the same command then
 * succeeds on that same state with its events; armed past the last write, nothing fires.
 */
import { expect } from 'vitest';
import { createMemoryStore, type MemoryStore } from '../../src/adapters/memory/memory-store.js';
import type { KitResult } from '../../src/kit/workspace-kit.js';
import { faultyStore, type FaultyStore } from '../../src/testing/faulty-store.js';
import { createTestKit, type TestKit } from '../../src/testing/test-kit.js';
import { errorOf, valueOf } from '../support/harness.js';

/** Seeds a fresh kit and returns the command under test, ready to run. */
export type Prepare = (t: TestKit<FaultyStore>) => Promise<() => KitResult<unknown>>;

/** A fresh memory store behind a faulty store, a kit over it, and the prepared command. */
export interface Built {
  readonly inner: MemoryStore;
  readonly store: FaultyStore;
  readonly t: TestKit<FaultyStore>;
  readonly run: () => KitResult<unknown>;
}

/** Builds a fresh state for one run of the command. */
export async function build(prepare: Prepare): Promise<Built> {
  const inner = createMemoryStore();
  const store = faultyStore(inner);
  const t = createTestKit({ store });
  return { inner, store, t, run: await prepare(t) };
}

/**
 * Fails each write of the command in turn (see the file comment). `events` is how many audit
 * events one success records (two for a transfer, XFER-6).
 */
export async function expectAtomicAtEveryWrite(prepare: Prepare, { minWrites, events }: { minWrites: number; events: number }): Promise<void> {
  const probe = await build(prepare);
  probe.store.arm(null);
  valueOf(await probe.run());
  const writes = probe.store.writes;
  // Every successful command writes at least its audit events (AUD-1).
  expect(writes).toBeGreaterThanOrEqual(minWrites);

  for (let k = 1; k <= writes; k += 1) {
    const b = await build(prepare);
    const before = b.inner.snapshot();
    const published = b.t.events.length;
    b.store.arm(k);
    const error = errorOf(await b.run());
    expect(error.code, `write #${k} of ${writes}`).toBe('STORAGE');
    expect(error.message).toContain(`write #${k}`);
    expect(b.store.writes, 'nothing is written after the failing write').toBe(k);
    expect(b.inner.snapshot(), `state after a fault at write #${k} of ${writes}`).toEqual(before);
    expect(b.t.events.length, `no event published after a fault at write #${k}`).toBe(published);

    // Disarmed, the very same command now succeeds on the very same state.
    b.store.arm(null);
    valueOf(await b.run());
    expect(b.store.writes).toBe(writes);
    expect(b.t.events.length).toBe(published + events);
    expect(b.inner.snapshot().audit.length).toBe(before.audit.length + events);
  }

  // Arming past the last write fires no fault: the count above is exact.
  const past = await build(prepare);
  past.store.arm(writes + 1);
  valueOf(await past.run());
  expect(past.store.writes).toBe(writes);
}
