/**
 * Adapters fail in odd ways: rejecting with a non-Error value, or throwing synchronously.
 * Whatever the adapter does, a kit method resolves to a `STORAGE` error value — it never
 * throws and its promise never rejects (DESIGN: errors are values; "Never throws").
 * Also: a failing subscriber cannot undo a committed command or lose its event (AUD-1).
 */
import { describe, expect, it, vi } from 'vitest';
import { createMemoryStore } from '../../src/adapters/memory/memory-store.js';
import { asUser, system } from '../../src/core/principal.js';
import { createWorkspaceKit, type KitResult, type WorkspaceKit } from '../../src/kit/workspace-kit.js';
import type { Store } from '../../src/ports/store.js';
import { callSafely, describeOutcome, valueOf } from '../support/harness.js';

class WeirdError extends Error {
  override get message(): string {
    throw new Error('message getter failed');
  }
}

/** A rejected promise with any reason: adapters are not bound to reject with Errors. */
function rejectWith(reason: unknown): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- non-Error reasons are the point here
  return Promise.reject(reason);
}

/** Ways a transaction can fail. */
const failures: readonly { readonly label: string; readonly make: () => Store }[] = [
  { label: 'rejects with an Error', make: () => ({ transaction: () => Promise.reject(new Error('disk full')) }) },
  { label: 'rejects with a string', make: () => ({ transaction: () => rejectWith('disk full') }) },
  { label: 'rejects with undefined', make: () => ({ transaction: () => rejectWith(undefined) }) },
  {
    label: 'throws synchronously',
    make: () => ({
      transaction: () => {
        throw new Error('connection closed');
      },
    }),
  },
  {
    label: 'rejects with a null-prototype object',
    make: () => ({ transaction: () => rejectWith(Object.create(null)) }),
  },
  {
    label: 'rejects with an object whose toString throws',
    make: () => ({
      transaction: () =>
        rejectWith({
          toString(): string {
            throw new Error('toString failed');
          },
        }),
    }),
  },
  { label: 'rejects with an Error whose message getter throws', make: () => ({ transaction: () => Promise.reject(new WeirdError()) }) },
];

const calls: readonly { readonly label: string; readonly call: (kit: WorkspaceKit) => KitResult<unknown> }[] = [
  { label: 'createWorkspace', call: (kit) => kit.createWorkspace(asUser('usr_1'), { accountId: 'acc_2', handle: 'prod' }) },
  { label: 'getWorkspace', call: (kit) => kit.getWorkspace(system(), { workspaceId: 'ws_1' }) },
  {
    label: 'shareWorkspace',
    call: (kit) => kit.shareWorkspace(asUser('usr_1'), { workspaceId: 'ws_1', grantee: asUser('usr_2'), role: 'viewer' }),
  },
  {
    label: 'inviteMember',
    call: (kit) => kit.inviteMember(asUser('usr_1'), { accountId: 'acc_2', email: 'zed@example.com', role: 'member' }),
  },
  { label: 'acceptInvitation', call: (kit) => kit.acceptInvitation(asUser('usr_1'), { token: `wki.inv_1.${'a'.repeat(32)}` }) },
  { label: 'rotateApiKey', call: (kit) => kit.rotateApiKey(asUser('usr_1'), { keyId: 'key_1', overlapHours: 24 }) },
  { label: 'resolveApiKey', call: (kit) => kit.resolveApiKey({ key: `wkk.key_1.${'a'.repeat(32)}` }) },
];

describe('STORE-1 an adapter failure always becomes a STORAGE error value', () => {
  for (const failure of failures) {
    for (const c of calls) {
      it(`STORE-1 ${c.label} when the store ${failure.label}: resolves to STORAGE`, async () => {
        const kit = createWorkspaceKit({ store: failure.make(), onListenerError: () => undefined });
        const outcome = await callSafely(() => c.call(kit));
        expect(describeOutcome(outcome)).toBe('resolved STORAGE');
      });
    }
  }
});

describe('AUD-1 a failing subscriber does not undo a committed command', () => {
  it('AUD-1 listeners that throw or reject: the command is ok, its event stored and delivered to the others', async () => {
    const store = createMemoryStore();
    const onListenerError = vi.fn();
    const kit = createWorkspaceKit({ store, onListenerError });
    const seen: string[] = [];
    kit.subscribe(() => {
      throw new Error('sync listener failure');
    });
    kit.subscribe(() => Promise.reject(new Error('async listener failure')));
    kit.subscribe((e) => {
      seen.push(e.action);
    });
    const ada = valueOf(await kit.registerUser(system(), { email: 'ada@example.com', displayName: 'Ada', handle: 'ada' }));
    valueOf(await kit.createWorkspace(asUser(ada.user.id), { accountId: ada.account.id, handle: 'prod' }));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual(['user.registered', 'workspace.created']);
    expect(store.snapshot().audit.map((e) => e.action)).toEqual(['user.registered', 'workspace.created']);
    expect(store.snapshot().workspaces).toHaveLength(1);
    expect(onListenerError).toHaveBeenCalledTimes(4);
  });
});
