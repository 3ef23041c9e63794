import { afterEach, describe, expect, it, vi } from 'vitest';
import { asUser, createWorkspaceKit, sequentialIds, manualClock, system, type AuditEvent } from '../../src/index.js';
import { createMemoryStore } from '../../src/memory.js';

/** Lets pending promise callbacks (async listener rejections) run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function setup(onListenerError?: (error: unknown, event: AuditEvent) => void) {
  const store = createMemoryStore();
  const clock = manualClock('2026-01-01T00:00:00.000Z');
  const kit = createWorkspaceKit({
    store,
    clock,
    ids: sequentialIds(),
    ...(onListenerError ? { onListenerError } : {}),
  });
  const register = async (handle: string) =>
    (await kit.registerUser(system(), { email: `${handle}@example.com`, displayName: handle, handle }))._unsafeUnwrap();
  return { store, clock, kit, register };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('event subscribers (AUD-1)', () => {
  it('AUD-1 a subscriber receives each committed event, in order, equal to the stored one', async () => {
    const { kit, store, register } = setup();
    const seen: AuditEvent[] = [];
    kit.subscribe((e) => {
      seen.push(e);
    });
    const ada = await register('ada');
    const ws = (await kit.createWorkspace(asUser(ada.user.id), { accountId: ada.account.id, handle: 'prod' }))._unsafeUnwrap();
    await kit.updateWorkspace(asUser(ada.user.id), { workspaceId: ws.id, description: 'd' });
    expect(seen.map((e) => e.action)).toEqual(['user.registered', 'workspace.created', 'workspace.updated']);
    expect(seen).toEqual(store.snapshot().audit);
  });

  it('AUD-1 the event is delivered before the command’s result resolves', async () => {
    const { kit } = setup();
    const seen: string[] = [];
    kit.subscribe((e) => {
      seen.push(e.action);
    });
    const r = await kit.registerUser(system(), { email: 'a@example.com', displayName: 'A', handle: 'a' });
    expect(r.isOk()).toBe(true);
    expect(seen).toEqual(['user.registered']);
  });

  it('AUD-1 concurrent commands publish in commit (sequence) order', async () => {
    const { kit, register } = setup();
    const seen: AuditEvent[] = [];
    const ada = await register('ada');
    await kit.changePlan(asUser(ada.user.id), { accountId: ada.account.id, planId: 'enterprise' });
    kit.subscribe((e) => {
      seen.push(e);
    });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => kit.createWorkspace(asUser(ada.user.id), { accountId: ada.account.id, handle: `ws-${i}` })),
    );
    expect(seen).toHaveLength(20);
    const seqs = seen.map((e) => e.sequence);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('AUD-1 failed commands publish nothing', async () => {
    const { kit, register } = setup();
    const ada = await register('ada');
    const listener = vi.fn();
    kit.subscribe(listener);
    await kit.registerUser(system(), { email: 'ada@example.com', displayName: 'Ada', handle: 'ada2' }); // EMAIL_TAKEN
    await kit.createWorkspace(asUser(ada.user.id), { accountId: ada.account.id, handle: 'a--b' }); // VALIDATION
    await kit.createWorkspace(asUser('usr_ghost'), { accountId: ada.account.id, handle: 'prod' }); // NOT_FOUND
    expect(listener).not.toHaveBeenCalled();
  });

  it('AUD-1 queries publish nothing', async () => {
    const { kit, register } = setup();
    const ada = await register('ada');
    const listener = vi.fn();
    kit.subscribe(listener);
    await kit.getAccount(asUser(ada.user.id), { accountId: ada.account.id });
    await kit.listAccounts(asUser(ada.user.id));
    expect(listener).not.toHaveBeenCalled();
  });

  it('AUD-1 several subscribers each receive every event', async () => {
    const { kit, register } = setup();
    const a = vi.fn();
    const b = vi.fn();
    kit.subscribe(a);
    kit.subscribe(b);
    await register('ada');
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);
    expect(a.mock.calls[0]![0]).toBe(b.mock.calls[0]![0]);
  });

  it('the delivered event is frozen: a listener cannot alter the log', async () => {
    const { kit, store } = setup();
    kit.subscribe((e) => {
      expect(Object.isFrozen(e)).toBe(true);
      expect(() => {
        (e as { action: string }).action = 'tampered';
      }).toThrow();
    });
    await kit.registerUser(system(), { email: 'a@example.com', displayName: 'A', handle: 'a' });
    expect(store.snapshot().audit[0]?.action).toBe('user.registered');
  });
});

describe('failing listeners (AUD-1)', () => {
  it('AUD-1 a throwing listener neither rolls back the command nor loses its event, and is reported', async () => {
    const reported: [unknown, AuditEvent][] = [];
    const { kit, store } = setup((error, event) => reported.push([error, event]));
    const boom = new Error('listener exploded');
    kit.subscribe(() => {
      throw boom;
    });
    const after = vi.fn();
    kit.subscribe(after);
    const r = await kit.registerUser(system(), { email: 'a@example.com', displayName: 'A', handle: 'a' });
    const { user } = r._unsafeUnwrap();
    const snap = store.snapshot();
    expect(snap.users.map((u) => u.id)).toEqual([user.id]);
    expect(snap.audit).toHaveLength(1);
    expect(reported).toHaveLength(1);
    expect(reported[0]![0]).toBe(boom);
    expect(reported[0]![1]).toEqual(snap.audit[0]);
    // Later listeners still run.
    expect(after).toHaveBeenCalledTimes(1);
  });

  it('AUD-1 a rejecting async listener neither rolls back the command nor loses its event, and is reported', async () => {
    const onError = vi.fn();
    const { kit, store } = setup(onError);
    const boom = new Error('async listener failed');
    kit.subscribe(async () => {
      await Promise.resolve();
      throw boom;
    });
    const r = await kit.registerUser(system(), { email: 'a@example.com', displayName: 'A', handle: 'a' });
    expect(r.isOk()).toBe(true);
    await settle();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]![0]).toBe(boom);
    expect(onError.mock.calls[0]![1]).toMatchObject({ action: 'user.registered' });
    expect(store.snapshot().audit).toHaveLength(1);
    expect(store.snapshot().users).toHaveLength(1);
  });

  it('AUD-1 the command result does not wait for a slow async listener', async () => {
    const { kit } = setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let finished = false;
    kit.subscribe(async () => {
      await gate;
      finished = true;
    });
    const r = await kit.registerUser(system(), { email: 'a@example.com', displayName: 'A', handle: 'a' });
    expect(r.isOk()).toBe(true);
    expect(finished).toBe(false);
    release();
    await settle();
    expect(finished).toBe(true);
  });

  it('AUD-1 an error handler that itself throws does not break the command', async () => {
    const { kit, store } = setup(() => {
      throw new Error('handler exploded too');
    });
    kit.subscribe(() => {
      throw new Error('listener exploded');
    });
    const r = await kit.registerUser(system(), { email: 'a@example.com', displayName: 'A', handle: 'a' });
    expect(r.isOk()).toBe(true);
    expect(store.snapshot().audit).toHaveLength(1);
  });

  it('AUD-1 by default a failing listener is reported to console.error', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { kit } = setup();
    kit.subscribe(() => {
      throw new Error('nope');
    });
    const r = await kit.registerUser(system(), { email: 'a@example.com', displayName: 'A', handle: 'a' });
    expect(r.isOk()).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(String(spy.mock.calls[0]![0])).toContain('user.registered');
  });

  it('AUD-1 the next command works normally after a listener failed', async () => {
    const onError = vi.fn();
    const { kit, store } = setup(onError);
    let calls = 0;
    kit.subscribe(() => {
      calls += 1;
      if (calls === 1) throw new Error('first only');
    });
    await kit.registerUser(system(), { email: 'a@example.com', displayName: 'A', handle: 'a' });
    await kit.registerUser(system(), { email: 'b@example.com', displayName: 'B', handle: 'b' });
    expect(calls).toBe(2);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(store.snapshot().audit).toHaveLength(2);
  });
});

describe('unsubscribe', () => {
  it('AUD-1 an unsubscribed listener receives nothing more; others keep receiving', async () => {
    const { kit, register } = setup();
    const stays = vi.fn();
    const leaves = vi.fn();
    kit.subscribe(stays);
    const stop = kit.subscribe(leaves);
    await register('ada');
    stop();
    await register('bob');
    expect(leaves).toHaveBeenCalledTimes(1);
    expect(stays).toHaveBeenCalledTimes(2);
  });

  it('unsubscribing twice is harmless', async () => {
    const { kit, register } = setup();
    const listener = vi.fn();
    const stop = kit.subscribe(listener);
    stop();
    stop();
    await register('ada');
    expect(listener).not.toHaveBeenCalled();
  });
});
