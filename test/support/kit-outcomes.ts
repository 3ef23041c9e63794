/**
 * The two outcomes the command tests assert, against a test kit over the memory store:
 * success with exactly one audit event, stored and published (AUD-1); refusal with the store
 * unchanged and no event (AUD-1, ROLE-6).
 */
import { expect } from 'vitest';
import type { AuditEvent, KitResult, WorkspaceKitError } from '../../src/index.js';
import type { MemoryStore } from '../../src/memory.js';
import type { TestKit } from '../../src/testing.js';
import { errorOf, valueOf } from './harness.js';

/** A command that must succeed and record exactly one audit event (AUD-1), also published. */
export async function succeeds<V>(t: TestKit<MemoryStore>, call: () => KitResult<V>): Promise<{ value: V; event: AuditEvent }> {
  const before = t.store.snapshot().audit.length;
  const published = t.events.length;
  const value = valueOf(await call());
  const added = t.store.snapshot().audit.slice(before);
  expect(added).toHaveLength(1);
  expect(t.events.slice(published)).toEqual(added);
  return { value, event: added[0]! };
}

/** A command that must fail, change nothing and record no audit event (AUD-1, ROLE-6). */
export async function fails(t: TestKit<MemoryStore>, call: () => KitResult<unknown>): Promise<WorkspaceKitError> {
  const before = t.store.snapshot();
  const published = t.events.length;
  const error = errorOf(await call());
  expect(t.store.snapshot()).toEqual(before);
  expect(t.events).toHaveLength(published);
  return error;
}
