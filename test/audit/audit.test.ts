import { describe, expect, it } from 'vitest';
import { asUser, AUDIT_ACTIONS, system, type AuditEvent, type KitResult } from '../../src/index.js';
import { createTestKit } from '../../src/testing.js';

/** The newest audit event in the store. */
function lastEvent(t: ReturnType<typeof createTestKit>): AuditEvent {
  const audit = t.store.snapshot().audit;
  const last = audit.at(-1);
  if (!last) throw new Error('no audit event');
  return last;
}

describe('one audit event per successful command (AUD-1)', () => {
  it('AUD-1 registerUser records user.registered in the personal account', async () => {
    const t = createTestKit({ start: '2026-02-01T09:00:00.000Z' });
    const { user, account } = (
      await t.kit.registerUser(system('signup'), { email: 'Ada@Example.com', displayName: 'Ada', handle: 'ada', planId: 'starter' })
    )._unsafeUnwrap();
    const audit = t.store.snapshot().audit;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      accountId: account.id,
      workspaceId: null,
      actor: { type: 'system', name: 'signup' },
      action: 'user.registered',
      subject: { type: 'user', id: user.id },
      at: '2026-02-01T09:00:00.000Z',
      details: { email: 'ada@example.com', handle: 'ada', planId: 'starter' },
    });
  });

  it('AUD-1 createOrganization records account.created with the owner', async () => {
    const t = createTestKit();
    const ada = await t.seed.user();
    t.clock.advance({ minutes: 3 });
    const org = (await t.kit.createOrganization(asUser(ada.user.id), { handle: 'acme', displayName: 'Acme', planId: 'pro' }))._unsafeUnwrap();
    expect(lastEvent(t)).toMatchObject({
      accountId: org.id,
      workspaceId: null,
      actor: { type: 'user', userId: ada.user.id },
      action: 'account.created',
      subject: { type: 'account', id: org.id },
      at: '2026-01-01T00:03:00.000Z',
      details: { handle: 'acme', planId: 'pro', owner: ada.user.id },
    });
  });

  it('AUD-1 addMember, changeMemberRole and removeMember record member.* events', async () => {
    const t = createTestKit();
    const { account, owner } = await t.seed.organization({ planId: 'pro' });
    const bob = await t.seed.user();
    const as = asUser(owner.user.id);
    const subject = { type: 'membership', id: `${account.id}/${bob.user.id}` };

    t.clock.advance({ seconds: 1 });
    await t.kit.addMember(as, { accountId: account.id, userId: bob.user.id, role: 'member' });
    expect(lastEvent(t)).toMatchObject({
      accountId: account.id,
      workspaceId: null,
      actor: as,
      action: 'member.added',
      subject,
      at: '2026-01-01T00:00:01.000Z',
      details: { userId: bob.user.id, role: 'member' },
    });

    t.clock.advance({ seconds: 1 });
    await t.kit.changeMemberRole(as, { accountId: account.id, userId: bob.user.id, role: 'admin' });
    expect(lastEvent(t)).toMatchObject({
      action: 'member.role-changed',
      subject,
      at: '2026-01-01T00:00:02.000Z',
      details: { userId: bob.user.id, role: { from: 'member', to: 'admin' } },
    });

    t.clock.advance({ seconds: 1 });
    await t.kit.removeMember(as, { accountId: account.id, userId: bob.user.id });
    expect(lastEvent(t)).toMatchObject({
      action: 'member.removed',
      subject,
      at: '2026-01-01T00:00:03.000Z',
      details: { userId: bob.user.id, role: 'admin', left: false },
    });
  });

  it('AUD-1 changePlan records account.plan-changed from → to', async () => {
    const t = createTestKit();
    const { account, owner } = await t.seed.organization({ planId: 'hobby' });
    await t.kit.changePlan(asUser(owner.user.id), { accountId: account.id, planId: 'team' });
    expect(lastEvent(t)).toMatchObject({
      accountId: account.id,
      action: 'account.plan-changed',
      subject: { type: 'account', id: account.id },
      details: { planId: { from: 'hobby', to: 'team' } },
    });
  });

  it('AUD-1 workspace create, update, track and delete record workspace events with the workspace id', async () => {
    const t = createTestKit();
    const ada = await t.seed.user();
    const as = asUser(ada.user.id);
    const ws = (await t.kit.createWorkspace(as, { accountId: ada.account.id, handle: 'prod', description: 'P' }))._unsafeUnwrap();
    const base = { accountId: ada.account.id, workspaceId: ws.id, actor: as, subject: { type: 'workspace', id: ws.id } };
    expect(lastEvent(t)).toMatchObject({ ...base, action: 'workspace.created', details: { handle: 'prod', description: 'P' } });

    await t.kit.updateWorkspace(as, { workspaceId: ws.id, handle: 'production', description: 'Live' });
    expect(lastEvent(t)).toMatchObject({
      ...base,
      action: 'workspace.updated',
      details: { changes: { handle: { from: 'prod', to: 'production' }, description: { from: 'P', to: 'Live' } }, version: 2 },
    });

    await t.kit.trackResources(as, {
      workspaceId: ws.id,
      resources: [
        { kind: 'flow', name: 'f' },
        { kind: 'flow-run', name: 'r1' },
        { kind: 'flow-run', name: 'r2' },
      ],
    });
    expect(lastEvent(t)).toMatchObject({ ...base, action: 'resources.tracked', details: { counts: { flow: 1, 'flow-run': 2 } } });

    await t.kit.deleteWorkspace(as, { workspaceId: ws.id });
    expect(lastEvent(t)).toMatchObject({
      ...base,
      action: 'workspace.deleted',
      details: { handle: 'production', resources: { flow: 1, 'flow-run': 2 }, totalResources: 3 },
    });
  });

  it('AUD-1 each successful command adds exactly one event, with a fresh id and a growing sequence', async () => {
    const t = createTestKit();
    const count = () => t.store.snapshot().audit.length;
    const ada = await t.seed.user();
    expect(count()).toBe(1);
    const { account, owner } = await t.seed.organization({ planId: 'pro', owner: ada });
    expect(count()).toBe(2);
    const bob = await t.seed.user();
    expect(count()).toBe(3);
    const as = asUser(owner.user.id);
    await t.kit.addMember(as, { accountId: account.id, userId: bob.user.id, role: 'member' });
    expect(count()).toBe(4);
    const ws = (await t.kit.createWorkspace(as, { accountId: account.id, handle: 'prod' }))._unsafeUnwrap();
    expect(count()).toBe(5);
    await t.kit.trackResources(as, { workspaceId: ws.id, resources: [{ kind: 'flow', name: 'f' }] });
    expect(count()).toBe(6);
    const audit = t.store.snapshot().audit;
    expect(new Set(audit.map((e) => e.id)).size).toBe(audit.length);
    const seqs = audit.map((e) => e.sequence);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('AUD-1 queries record nothing', async () => {
    const t = createTestKit();
    const { account, owner } = await t.seed.organization({ planId: 'pro' });
    const ws = await t.seed.workspace(account.id, { handle: 'prod' });
    const as = asUser(owner.user.id);
    const before = t.store.snapshot();
    await t.kit.getWorkspace(as, { workspaceId: ws.id });
    await t.kit.getWorkspaceByHandle(as, { fullHandle: ws.fullHandle });
    await t.kit.listWorkspaces(as, { accountId: account.id });
    await t.kit.previewWorkspaceDeletion(as, { workspaceId: ws.id });
    await t.kit.listAuditEvents(as, { accountId: account.id });
    expect(t.store.snapshot()).toEqual(before);
  });
});

describe('event time comes from the manual clock (AUD-1)', () => {
  /** Registers a user after advancing the clock by `by` and returns the event time. */
  async function timeAfter(start: string, by: Parameters<ReturnType<typeof createTestKit>['clock']['advance']>[0]) {
    const t = createTestKit({ start });
    t.clock.advance(by);
    await t.kit.registerUser(system(), { email: 'a@example.com', displayName: 'A', handle: 'a' });
    return lastEvent(t).at;
  }

  it('AUD-1 the event time is the clock moved by exactly the amounts given', async () => {
    expect(await timeAfter('2026-01-01T00:00:00.000Z', { days: 2, hours: 3, minutes: 4, seconds: 5, ms: 6 })).toBe(
      '2026-01-03T03:04:05.006Z',
    );
    expect(await timeAfter('2026-01-01T00:00:00.000Z', { hours: 1.5 })).toBe('2026-01-01T01:30:00.000Z');
  });

  // Documents a src bug: manualClock.advance delegates days to date-fns `add`, which truncates a
  // fractional day amount (src/core/clock.ts, advance).
  it('AUD-1 the event time follows the clock advanced by half a day', async () => {
    expect(await timeAfter('2026-01-01T00:00:00.000Z', { days: 0.5 })).toBe('2026-01-01T12:00:00.000Z');
  });

  // Documents a src bug: date-fns `add({ days })` adds local calendar days, so in a time zone with
  // daylight saving a "day" across the switch is 23 or 25 hours and event times depend on the
  // host's TZ (src/core/clock.ts, advance).
  it('AUD-1 advancing one day moves the event time by 24 hours in any time zone (DST)', async () => {
    const saved = process.env['TZ'];
    process.env['TZ'] = 'America/New_York'; // DST starts 2026-03-08 02:00 local
    try {
      expect(await timeAfter('2026-03-07T12:00:00.000Z', { days: 1 })).toBe('2026-03-08T12:00:00.000Z');
    } finally {
      if (saved === undefined) delete process.env['TZ'];
      else process.env['TZ'] = saved;
    }
  });
});

describe('no audit event on failure (AUD-1)', () => {
  it('AUD-1 refused, invalid and conflicting commands record none and publish none', async () => {
    const t = createTestKit();
    const { account, owner, members } = await t.seed.organization({ planId: 'hobby', members: ['member'] });
    const ws = await t.seed.workspace(account.id, { handle: 'prod' });
    const stranger = await t.seed.user();
    const as = asUser(owner.user.id);
    const member = asUser(members[0]!.user.user.id);
    const before = t.store.snapshot();
    const published = t.events.length;

    const failures = [
      t.kit.registerUser(as, { email: 'x@example.com', displayName: 'X', handle: 'x' }), // FORBIDDEN
      t.kit.registerUser(system(), { email: owner.user.email, displayName: 'X', handle: 'x' }), // EMAIL_TAKEN
      t.kit.createOrganization(as, { handle: account.handle, displayName: 'Dup' }), // HANDLE_TAKEN
      t.kit.addMember(as, { accountId: account.id, userId: stranger.user.id, role: 'member' }), // seats
      t.kit.addMember(member, { accountId: account.id, userId: stranger.user.id, role: 'member' }), // FORBIDDEN
      t.kit.changeMemberRole(as, { accountId: account.id, userId: owner.user.id, role: 'member' }), // LAST_OWNER
      t.kit.removeMember(as, { accountId: account.id, userId: owner.user.id }), // LAST_OWNER
      t.kit.changePlan(as, { accountId: account.id, planId: 'nope' }), // NOT_FOUND plan
      t.kit.createWorkspace(as, { accountId: account.id, handle: 'second' }), // PLAN_LIMIT_REACHED
      t.kit.createWorkspace(as, { accountId: account.id, handle: 'bad--handle' }), // VALIDATION
      t.kit.updateWorkspace(as, { workspaceId: ws.id, description: 'x', expectedVersion: 7 }), // CONFLICT
      t.kit.deleteWorkspace(as, { workspaceId: ws.id, expectedVersion: 7 }), // CONFLICT
      t.kit.deleteWorkspace(member, { workspaceId: ws.id }), // NOT_FOUND
      t.kit.trackResources(as, { workspaceId: ws.id, resources: [] }), // VALIDATION
    ];
    const codes: string[] = [];
    for (const f of failures) {
      const r = await f;
      expect(r.isErr()).toBe(true);
      codes.push(r._unsafeUnwrapErr().code);
    }
    expect(codes).toEqual([
      'FORBIDDEN',
      'EMAIL_TAKEN',
      'HANDLE_TAKEN',
      'PLAN_LIMIT_REACHED',
      'FORBIDDEN',
      'LAST_OWNER',
      'LAST_OWNER',
      'NOT_FOUND',
      'PLAN_LIMIT_REACHED',
      'VALIDATION',
      'CONFLICT',
      'CONFLICT',
      'NOT_FOUND',
      'VALIDATION',
    ]);
    expect(t.store.snapshot()).toEqual(before);
    expect(t.events).toHaveLength(published);
  });

  it('AUD-1 a failed command does not consume a sequence number', async () => {
    const t = createTestKit();
    const ada = await t.seed.user();
    await t.kit.createWorkspace(asUser(ada.user.id), { accountId: ada.account.id, handle: 'prod' });
    await t.kit.createWorkspace(asUser(ada.user.id), { accountId: ada.account.id, handle: 'prod' }); // HANDLE_TAKEN
    await t.kit.updateWorkspace(asUser(ada.user.id), { workspaceId: t.events.at(-1)!.workspaceId!, description: 'd' });
    expect(t.store.snapshot().audit.map((e) => e.sequence)).toEqual([1, 2, 3]);
  });
});

describe('listAuditEvents (AUD-2)', () => {
  async function history() {
    const t = createTestKit({ start: '2026-01-01T00:00:00.000Z' });
    const { account, owner, members } = await t.seed.organization({ handle: 'acme', planId: 'pro', members: ['admin', 'member'] });
    const as = asUser(owner.user.id);
    const admin = asUser(members[0]!.user.user.id);
    const member = asUser(members[1]!.user.user.id);
    // Seeding wrote: account.created + 2 × member.added by 'test-seed', all at 00:00.
    t.clock.set('2026-01-02T00:00:00.000Z');
    const prod = (await t.kit.createWorkspace(as, { accountId: account.id, handle: 'prod' }))._unsafeUnwrap();
    t.clock.set('2026-01-03T00:00:00.000Z');
    const dev = (await t.kit.createWorkspace(admin, { accountId: account.id, handle: 'dev' }))._unsafeUnwrap();
    t.clock.set('2026-01-04T00:00:00.000Z');
    await t.kit.updateWorkspace(admin, { workspaceId: prod.id, description: 'Production' });
    t.clock.set('2026-01-05T00:00:00.000Z');
    await t.kit.trackResources(as, { workspaceId: dev.id, resources: [{ kind: 'flow', name: 'f' }] });
    t.clock.set('2026-01-06T00:00:00.000Z');
    await t.kit.deleteWorkspace(as, { workspaceId: dev.id });
    // Noise in another account must never show up.
    const other = await t.seed.organization({ planId: 'pro' });
    await t.seed.workspace(other.account.id, { handle: 'prod' });
    return { ...t, account, owner, as, admin, member, prod, dev };
  }

  it('AUD-2 an Owner reads the account log oldest first, only the account’s events', async () => {
    const h = await history();
    const page = (await h.kit.listAuditEvents(h.as, { accountId: h.account.id }))._unsafeUnwrap();
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((e) => e.action)).toEqual([
      'account.created',
      'member.added',
      'member.added',
      'workspace.created',
      'workspace.created',
      'workspace.updated',
      'resources.tracked',
      'workspace.deleted',
    ]);
    expect(page.items.every((e) => e.accountId === h.account.id)).toBe(true);
    // The log holds exactly what the store holds for the account.
    expect(page.items).toEqual(h.store.snapshot().audit.filter((e) => e.accountId === h.account.id));
  });

  it('AUD-2 an Admin reads the log too', async () => {
    const h = await history();
    expect((await h.kit.listAuditEvents(h.admin, { accountId: h.account.id }))._unsafeUnwrap().items).toHaveLength(8);
  });

  it('AUD-2 order desc returns newest first', async () => {
    const h = await history();
    const asc = (await h.kit.listAuditEvents(h.as, { accountId: h.account.id }))._unsafeUnwrap().items;
    const desc = (await h.kit.listAuditEvents(h.as, { accountId: h.account.id, order: 'desc' }))._unsafeUnwrap().items;
    expect(desc).toEqual([...asc].reverse());
  });

  it('AUD-2 filters by workspace, including a deleted one', async () => {
    const h = await history();
    const prod = (await h.kit.listAuditEvents(h.as, { accountId: h.account.id, workspaceId: h.prod.id }))._unsafeUnwrap();
    expect(prod.items.map((e) => e.action)).toEqual(['workspace.created', 'workspace.updated']);
    const dev = (await h.kit.listAuditEvents(h.as, { accountId: h.account.id, workspaceId: h.dev.id }))._unsafeUnwrap();
    expect(dev.items.map((e) => e.action)).toEqual(['workspace.created', 'resources.tracked', 'workspace.deleted']);
    expect(dev.items.every((e) => e.workspaceId === h.dev.id)).toBe(true);
  });

  it('AUD-2 filters by actor: a user id or a system name', async () => {
    const h = await history();
    const byAdmin = (await h.kit.listAuditEvents(h.as, { accountId: h.account.id, actor: h.admin.userId }))._unsafeUnwrap();
    expect(byAdmin.items.map((e) => e.action)).toEqual(['workspace.created', 'workspace.updated']);
    expect(byAdmin.items.every((e) => e.actor.type === 'user' && e.actor.userId === h.admin.userId)).toBe(true);
    const bySeed = (await h.kit.listAuditEvents(h.as, { accountId: h.account.id, actor: 'test-seed' }))._unsafeUnwrap();
    expect(bySeed.items.map((e) => e.action)).toEqual(['account.created', 'member.added', 'member.added']);
    const nobody = (await h.kit.listAuditEvents(h.as, { accountId: h.account.id, actor: 'usr_nobody' }))._unsafeUnwrap();
    expect(nobody.items).toEqual([]);
  });

  it('AUD-2 filters by action', async () => {
    const h = await history();
    const created = (await h.kit.listAuditEvents(h.as, { accountId: h.account.id, action: 'workspace.created' }))._unsafeUnwrap();
    expect(created.items.map((e) => e.subject.id)).toEqual([h.prod.id, h.dev.id]);
  });

  it('AUD-2 filters by time: from inclusive, to exclusive', async () => {
    const h = await history();
    const at = async (from?: string, to?: string) =>
      (
        await h.kit.listAuditEvents(h.as, { accountId: h.account.id, ...(from ? { from } : {}), ...(to ? { to } : {}) })
      )
        ._unsafeUnwrap()
        .items.map((e) => e.at.slice(0, 10));
    expect(await at('2026-01-03T00:00:00.000Z', '2026-01-05T00:00:00.000Z')).toEqual(['2026-01-03', '2026-01-04']);
    expect(await at('2026-01-05T00:00:00Z')).toEqual(['2026-01-05', '2026-01-06']);
    expect(await at(undefined, '2026-01-02T00:00:00Z')).toEqual(['2026-01-01', '2026-01-01', '2026-01-01']);
    expect(await at('2026-01-07T00:00:00Z')).toEqual([]);
  });

  it('AUD-2 time filters accept an offset and compare in UTC', async () => {
    const h = await history();
    const items = (
      await h.kit.listAuditEvents(h.as, {
        accountId: h.account.id,
        from: '2026-01-03T02:00:00+02:00',
        to: '2026-01-04T19:00:00-05:00',
      })
    )._unsafeUnwrap().items;
    expect(items.map((e) => e.at)).toEqual(['2026-01-03T00:00:00.000Z', '2026-01-04T00:00:00.000Z']);
  });

  it('AUD-2 filters combine', async () => {
    const h = await history();
    const r = (
      await h.kit.listAuditEvents(h.as, {
        accountId: h.account.id,
        workspaceId: h.prod.id,
        actor: h.admin.userId,
        action: 'workspace.updated',
        from: '2026-01-04T00:00:00Z',
        to: '2026-01-04T00:00:00.001Z',
      })
    )._unsafeUnwrap();
    expect(r.items).toHaveLength(1);
    expect(r.items[0]).toMatchObject({ action: 'workspace.updated', details: { changes: { description: { from: '', to: 'Production' } } } });
  });

  it('AUD-2 pages oldest first with cursors that cover every event once', async () => {
    const h = await history();
    const all = (await h.kit.listAuditEvents(h.as, { accountId: h.account.id }))._unsafeUnwrap().items;
    const seen: AuditEvent[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = (
        await h.kit.listAuditEvents(h.as, { accountId: h.account.id, limit: 3, ...(cursor ? { cursor } : {}) })
      )._unsafeUnwrap();
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items);
      if (page.nextCursor === null) break;
      expect(page.nextCursor).toBe(String(page.items.at(-1)?.sequence));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(all);
  });

  it('AUD-2 pages newest first with cursors that cover every event once', async () => {
    const h = await history();
    const all = (await h.kit.listAuditEvents(h.as, { accountId: h.account.id, order: 'desc' }))._unsafeUnwrap().items;
    const seen: AuditEvent[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const page = (
        await h.kit.listAuditEvents(h.as, { accountId: h.account.id, order: 'desc', limit: 3, ...(cursor ? { cursor } : {}) })
      )._unsafeUnwrap();
      pages += 1;
      seen.push(...page.items);
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(all);
  });

  it('AUD-2 paging respects filters: a filtered page ends exactly at the last match', async () => {
    const h = await history();
    const first = (
      await h.kit.listAuditEvents(h.as, { accountId: h.account.id, action: 'workspace.created', limit: 1 })
    )._unsafeUnwrap();
    expect(first.items.map((e) => e.subject.id)).toEqual([h.prod.id]);
    expect(first.nextCursor).not.toBeNull();
    const second = (
      await h.kit.listAuditEvents(h.as, { accountId: h.account.id, action: 'workspace.created', limit: 1, cursor: first.nextCursor! })
    )._unsafeUnwrap();
    expect(second.items.map((e) => e.subject.id)).toEqual([h.dev.id]);
    expect(second.nextCursor).toBeNull();
  });

  it('AUD-2 workspace filter and desc order page together', async () => {
    const h = await history();
    const p1 = (
      await h.kit.listAuditEvents(h.as, { accountId: h.account.id, workspaceId: h.dev.id, order: 'desc', limit: 2 })
    )._unsafeUnwrap();
    expect(p1.items.map((e) => e.action)).toEqual(['workspace.deleted', 'resources.tracked']);
    const p2 = (
      await h.kit.listAuditEvents(h.as, { accountId: h.account.id, workspaceId: h.dev.id, order: 'desc', limit: 2, cursor: p1.nextCursor! })
    )._unsafeUnwrap();
    expect(p2.items.map((e) => e.action)).toEqual(['workspace.created']);
    expect(p2.nextCursor).toBeNull();
  });

  it('AUD-2 malformed filters are VALIDATION', async () => {
    const h = await history();
    const bad = [
      { accountId: h.account.id, action: 'workspace.exploded' },
      { accountId: h.account.id, from: 'yesterday' },
      { accountId: h.account.id, order: 'sideways' },
      { accountId: h.account.id, limit: 0 },
      { accountId: h.account.id, actor: '' },
    ] as unknown as Parameters<typeof h.kit.listAuditEvents>[1][];
    for (const input of bad) expect((await h.kit.listAuditEvents(h.as, input))._unsafeUnwrapErr().code).toBe('VALIDATION');
  });

  it('PLAN-3 the audit log of a hobby account is PLAN_FEATURE_UNAVAILABLE', async () => {
    const t = createTestKit();
    const { account, owner } = await t.seed.organization({ planId: 'hobby' });
    const r = await t.kit.listAuditEvents(asUser(owner.user.id), { accountId: account.id });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'PLAN_FEATURE_UNAVAILABLE', feature: 'auditLog', planId: 'hobby' });
    // Also for the owner of a personal hobby account.
    const ada = await t.seed.user();
    expect((await t.kit.listAuditEvents(asUser(ada.user.id), { accountId: ada.account.id }))._unsafeUnwrapErr().code).toBe(
      'PLAN_FEATURE_UNAVAILABLE',
    );
  });

  it('AUD-2 the log becomes readable after an upgrade, with the history kept', async () => {
    const t = createTestKit();
    const { account, owner } = await t.seed.organization({ planId: 'hobby' });
    await t.kit.changePlan(asUser(owner.user.id), { accountId: account.id, planId: 'pro' });
    const items = (await t.kit.listAuditEvents(asUser(owner.user.id), { accountId: account.id }))._unsafeUnwrap().items;
    expect(items.map((e) => e.action)).toEqual(['account.created', 'account.plan-changed']);
  });

  it('AUD-2 a Member is FORBIDDEN naming read_audit_log', async () => {
    const h = await history();
    const r = await h.kit.listAuditEvents(h.member, { accountId: h.account.id });
    expect(r._unsafeUnwrapErr()).toEqual({ code: 'FORBIDDEN', message: 'missing scope read_audit_log', missingScope: 'read_audit_log' });
  });

  it('AUD-2 an outsider gets NOT_FOUND for the account', async () => {
    const h = await history();
    const eve = await h.seed.user();
    const r = await h.kit.listAuditEvents(asUser(eve.user.id), { accountId: h.account.id });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'NOT_FOUND', entity: 'account', key: h.account.id });
  });

  it('AUD-2 the system principal reads any account’s log', async () => {
    const h = await history();
    expect((await h.kit.listAuditEvents(system(), { accountId: h.account.id }))._unsafeUnwrap().items).toHaveLength(8);
  });
});

describe('audit cursors and no-op plan changes (AUD-2, PLAN-4)', () => {
  it('AUD-2 a cursor that is not a sequence number is VALIDATION, not a silent first page', async () => {
    const t = createTestKit();
    const { account, owner } = await t.seed.organization({ planId: 'pro' });
    const r = await t.kit.listAuditEvents(asUser(owner.user.id), { accountId: account.id, cursor: 'abc' });
    expect(r.isErr() && r.error.code).toBe('VALIDATION');
    expect(r.isErr() && r.error.code === 'VALIDATION' && r.error.issues[0]?.path).toEqual(['input', 'cursor']);
  });

  it('PLAN-4 changing to the current plan keeps the account version and records one event', async () => {
    const t = createTestKit();
    const { account, owner } = await t.seed.organization({ planId: 'team' });
    const before = t.store.snapshot().audit.length;
    const r = (await t.kit.changePlan(asUser(owner.user.id), { accountId: account.id, planId: 'team' }))._unsafeUnwrap();
    expect(r.version).toBe(account.version);
    expect(t.store.snapshot().audit).toHaveLength(before + 1);
    expect(lastEvent(t)).toMatchObject({ action: 'account.plan-changed', details: { planId: { from: 'team', to: 'team' } } });
  });
});

describe('sharing, role, invitation and credential events (AUD-1, AUD-2)', () => {
  /** An enterprise organization whose log holds every action of the sharing, role, invitation and credential commands. */
  async function access() {
    const t = createTestKit({ start: '2026-03-01T00:00:00.000Z' });
    const { account, owner, members } = await t.seed.organization({ handle: 'acme', planId: 'enterprise', members: ['admin', 'member'] });
    const as = asUser(owner.user.id);
    const admin = asUser(members[0]!.user.user.id);
    const member = asUser(members[1]!.user.user.id);
    const bob = await t.seed.user({ email: 'bob@example.com' });
    const step = () => t.clock.advance({ minutes: 1 });
    const ok = async <V>(call: () => KitResult<V>): Promise<V> => {
      step();
      return (await call())._unsafeUnwrap();
    };
    const prod = await ok(() => t.kit.createWorkspace(as, { accountId: account.id, handle: 'prod' }));
    const bot = await ok(() => t.kit.createServiceAccount(admin, { accountId: account.id, name: 'bot' }));
    const role = await ok(() => t.kit.createCustomRole(as, { accountId: account.id, name: 'Deployer', scopes: ['manage_deployments'], inherits: 'runner' }));
    await ok(() => t.kit.shareWorkspace(as, { workspaceId: prod.id, grantee: member, role: 'viewer' }));
    await ok(() => t.kit.changeWorkspaceRole(admin, { workspaceId: prod.id, grantee: member, role: role.id }));
    await ok(() => t.kit.setDefaultWorkspaceRole(as, { workspaceId: prod.id, role: 'viewer' }));
    await ok(() => t.kit.unshareWorkspace(as, { workspaceId: prod.id, grantee: member }));
    await ok(() => t.kit.deleteCustomRole(as, { roleId: role.id }));
    const toBob = await ok(() => t.kit.inviteMember(as, { accountId: account.id, email: 'bob@example.com', role: 'member' }));
    const resent = await ok(() => t.kit.resendInvitation(admin, { invitationId: toBob.invitation.id }));
    await ok(() => t.kit.acceptInvitation(asUser(bob.user.id), { token: resent.token.reveal() }));
    const toCarol = await ok(() => t.kit.inviteMember(as, { accountId: account.id, email: 'carol@example.com', role: 'member' }));
    await ok(() => t.kit.rejectInvitation(system('mailer'), { token: toCarol.token.reveal() }));
    const toDave = await ok(() => t.kit.inviteMember(admin, { accountId: account.id, email: 'dave@example.com', role: 'admin' }));
    await ok(() => t.kit.revokeInvitation(as, { invitationId: toDave.invitation.id }));
    const key = await ok(() => t.kit.createApiKey(as, { name: 'deploy', serviceAccountId: bot.id }));
    const rotated = await ok(() => t.kit.rotateApiKey(admin, { keyId: key.key.id, overlapHours: 1 }));
    await ok(() => t.kit.revokeApiKey(as, { keyId: rotated.key.id }));
    await ok(() => t.kit.deleteServiceAccount(admin, { serviceAccountId: bot.id }));
    // The Owner's own key is recorded in its personal account, not here.
    const ownKey = await ok(() => t.kit.createApiKey(as, { name: 'laptop' }));
    return { ...t, account, owner, as, admin, member, bob, prod, bot, role, toBob, toCarol, toDave, key, rotated, ownKey };
  }

  const NEW_ACTIONS = [
    'workspace.shared',
    'workspace.share-changed',
    'workspace.unshared',
    'workspace.default-role-changed',
    'role.created',
    'role.deleted',
    'invitation.created',
    'invitation.resent',
    'invitation.revoked',
    'invitation.accepted',
    'invitation.rejected',
    'service-account.created',
    'service-account.deleted',
    'api-key.created',
    'api-key.revoked',
    'api-key.rotated',
  ] as const;

  it('AUD-2 the new actions are all filterable actions', () => {
    expect(AUDIT_ACTIONS).toEqual(expect.arrayContaining([...NEW_ACTIONS]));
  });

  it('AUD-1 each command recorded exactly one event in the organization’s log, in order', async () => {
    const h = await access();
    const items = (await h.kit.listAuditEvents(h.as, { accountId: h.account.id }))._unsafeUnwrap().items;
    expect(items.map((e) => e.action)).toEqual([
      'account.created',
      'member.added',
      'member.added',
      'workspace.created',
      'service-account.created',
      'role.created',
      'workspace.shared',
      'workspace.share-changed',
      'workspace.default-role-changed',
      'workspace.unshared',
      'role.deleted',
      'invitation.created',
      'invitation.resent',
      'invitation.accepted',
      'invitation.created',
      'invitation.rejected',
      'invitation.created',
      'invitation.revoked',
      'api-key.created',
      'api-key.rotated',
      'api-key.revoked',
      'service-account.deleted',
    ]);
    expect(items.every((e) => e.accountId === h.account.id)).toBe(true);
    // Published to subscribers exactly as stored.
    const stored = h.store.snapshot().audit;
    expect(h.events).toEqual(stored);
  });

  it.each(NEW_ACTIONS)('AUD-2 filtering by %s returns exactly those events', async (action) => {
    const h = await access();
    const all = (await h.kit.listAuditEvents(h.as, { accountId: h.account.id }))._unsafeUnwrap().items;
    const filtered = (await h.kit.listAuditEvents(h.admin, { accountId: h.account.id, action }))._unsafeUnwrap().items;
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered).toEqual(all.filter((e) => e.action === action));
  });

  it('AUD-1 subjects and details name what changed', async () => {
    const h = await access();
    const one = async (action: (typeof NEW_ACTIONS)[number]) =>
      (await h.kit.listAuditEvents(h.as, { accountId: h.account.id, action }))._unsafeUnwrap().items;
    expect(await one('workspace.share-changed')).toEqual([
      expect.objectContaining({
        actor: h.admin,
        workspaceId: h.prod.id,
        subject: { type: 'grant', id: `${h.prod.id}/user:${h.member.userId}` },
        details: { grantee: h.member, role: { from: 'viewer', to: h.role.id } },
      }),
    ]);
    expect(await one('role.created')).toEqual([
      expect.objectContaining({ workspaceId: null, subject: { type: 'role', id: h.role.id }, details: { name: 'Deployer', scopes: ['manage_deployments', 'see_workspace'], inherits: 'runner' } }),
    ]);
    expect((await one('invitation.created')).map((e) => e.subject.id)).toEqual([h.toBob, h.toCarol, h.toDave].map((i) => i.invitation.id));
    expect(await one('invitation.accepted')).toEqual([
      expect.objectContaining({ actor: asUser(h.bob.user.id), details: expect.objectContaining({ userId: h.bob.user.id, userCreated: false }) as unknown }),
    ]);
    expect(await one('invitation.rejected')).toEqual([expect.objectContaining({ actor: system('mailer') })]);
    expect(await one('api-key.rotated')).toEqual([
      expect.objectContaining({ subject: { type: 'api-key', id: h.key.key.id }, details: expect.objectContaining({ newKeyId: h.rotated.key.id }) as unknown }),
    ]);
    expect(await one('service-account.deleted')).toEqual([
      expect.objectContaining({ subject: { type: 'service-account', id: h.bot.id }, details: { name: 'bot', grantsRemoved: 0, keysRemoved: 2 } }),
    ]);
    // Secrets never reach the log.
    const log = JSON.stringify(h.store.snapshot().audit);
    for (const secret of [h.toBob.token, h.toCarol.token, h.key.secret, h.rotated.secret, h.ownKey.secret]) {
      expect(log).not.toContain(secret.reveal().split('.').at(-1)!);
    }
  });

  it('AUD-2 the workspace filter returns the workspace’s sharing events; account-level events have no workspace', async () => {
    const h = await access();
    const items = (await h.kit.listAuditEvents(h.as, { accountId: h.account.id, workspaceId: h.prod.id }))._unsafeUnwrap().items;
    expect(items.map((e) => e.action)).toEqual([
      'workspace.created',
      'workspace.shared',
      'workspace.share-changed',
      'workspace.default-role-changed',
      'workspace.unshared',
    ]);
  });

  it('AUD-2 the actor filter and the time window work on the new events', async () => {
    const h = await access();
    const byAdmin = (await h.kit.listAuditEvents(h.as, { accountId: h.account.id, actor: h.admin.userId }))._unsafeUnwrap().items;
    expect(byAdmin.map((e) => e.action)).toEqual([
      'service-account.created',
      'workspace.share-changed',
      'invitation.resent',
      'invitation.created',
      'api-key.rotated',
      'service-account.deleted',
    ]);
    const bySystem = (await h.kit.listAuditEvents(h.as, { accountId: h.account.id, actor: 'mailer' }))._unsafeUnwrap().items;
    expect(bySystem.map((e) => e.action)).toEqual(['invitation.rejected']);
    // Minutes 9..12 (from inclusive, to exclusive): invitation created, resent, accepted.
    const window = (
      await h.kit.listAuditEvents(h.as, { accountId: h.account.id, from: '2026-03-01T00:09:00.000Z', to: '2026-03-01T00:12:00.000Z' })
    )._unsafeUnwrap().items;
    expect(window.map((e) => e.action)).toEqual(['invitation.created', 'invitation.resent', 'invitation.accepted']);
  });

  it('AUD-1 a user’s own API key is recorded in its personal account', async () => {
    const h = await access();
    (await h.kit.changePlan(h.as, { accountId: h.owner.account.id, planId: 'pro' }))._unsafeUnwrap();
    const personal = (await h.kit.listAuditEvents(h.as, { accountId: h.owner.account.id, action: 'api-key.created' }))._unsafeUnwrap().items;
    expect(personal).toEqual([
      expect.objectContaining({ accountId: h.owner.account.id, subject: { type: 'api-key', id: h.ownKey.key.id }, details: { name: 'laptop', owner: h.as, expiresAt: null } }),
    ]);
  });
});
