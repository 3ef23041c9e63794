import { describe, expect, it } from 'vitest';
import { asServiceAccount, asUser, RESOURCE_KINDS, system, type ResourceKind, type WorkspaceView } from '../../src/index.js';
import { createTestKit } from '../../src/testing.js';

async function personal() {
  const t = createTestKit();
  const ada = await t.seed.user({ handle: 'ada' });
  return { ...t, ada, as: asUser(ada.user.id), accountId: ada.account.id };
}

async function org(planId = 'pro') {
  const t = createTestKit();
  const seeded = await t.seed.organization({ handle: 'acme', planId, members: ['admin', 'member'] });
  return {
    ...t,
    account: seeded.account,
    owner: asUser(seeded.owner.user.id),
    admin: asUser(seeded.members[0]!.user.user.id),
    member: asUser(seeded.members[1]!.user.user.id),
  };
}

describe('createWorkspace (WS-1)', () => {
  it('WS-1 the owner of a personal account creates a workspace at version 1', async () => {
    const { kit, as, accountId, store, clock } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod', description: ' Production ' }))._unsafeUnwrap();
    const now = clock.now().toISOString();
    expect(ws).toMatchObject({
      accountId,
      handle: 'prod',
      description: 'Production',
      version: 1,
      createdAt: now,
      updatedAt: now,
      fullHandle: 'ada/prod',
    });
    const { fullHandle: _fh, ...stored } = ws;
    expect(store.snapshot().workspaces).toEqual([stored]);
  });

  it('WS-1 the description is optional and defaults to empty', async () => {
    const { kit, as, accountId } = await personal();
    expect((await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap().description).toBe('');
  });

  it('WS-1 a description of 500 characters is accepted and 501 refused', async () => {
    const { kit, as, accountId, store } = await personal();
    const r501 = await kit.createWorkspace(as, { accountId, handle: 'prod', description: 'x'.repeat(501) });
    expect(r501._unsafeUnwrapErr().code).toBe('VALIDATION');
    expect(store.snapshot().workspaces).toEqual([]);
    const r500 = await kit.createWorkspace(as, { accountId, handle: 'prod', description: 'x'.repeat(500) });
    expect(r500._unsafeUnwrap().description).toHaveLength(500);
  });

  it('WS-1 an organization Owner and Admin create workspaces', async () => {
    const { kit, account, owner, admin } = await org();
    expect((await kit.createWorkspace(owner, { accountId: account.id, handle: 'one' }))._unsafeUnwrap().fullHandle).toBe('acme/one');
    expect((await kit.createWorkspace(admin, { accountId: account.id, handle: 'two' }))._unsafeUnwrap().fullHandle).toBe('acme/two');
  });

  it('HDL-1 a handle taken in the account is HANDLE_TAKEN naming the account', async () => {
    const { kit, account, owner, store } = await org();
    await kit.createWorkspace(owner, { accountId: account.id, handle: 'prod' });
    const before = store.snapshot();
    const r = await kit.createWorkspace(owner, { accountId: account.id, handle: ' PROD ' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'HANDLE_TAKEN', handle: 'prod', scope: 'workspace', accountId: account.id });
    expect(store.snapshot()).toEqual(before);
  });

  it('HDL-1 the same workspace handle may exist in two accounts', async () => {
    const { kit, seed } = createTestKit();
    const a = await seed.user();
    const b = await seed.user();
    expect((await kit.createWorkspace(asUser(a.user.id), { accountId: a.account.id, handle: 'prod' })).isOk()).toBe(true);
    expect((await kit.createWorkspace(asUser(b.user.id), { accountId: b.account.id, handle: 'prod' })).isOk()).toBe(true);
  });

  it('WS-1 creating in an unknown account is NOT_FOUND account', async () => {
    const { kit, as } = await personal();
    expect((await kit.createWorkspace(as, { accountId: 'acc_nope', handle: 'prod' }))._unsafeUnwrapErr()).toMatchObject({
      code: 'NOT_FOUND',
      entity: 'account',
    });
  });
});

describe('reading workspaces (HDL-1)', () => {
  it('WS-1 getWorkspace by id returns the view with its full handle', async () => {
    const { kit, as, accountId } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    expect((await kit.getWorkspace(as, { workspaceId: ws.id }))._unsafeUnwrap()).toEqual(ws);
  });

  it('WS-1 getWorkspace of a missing id is NOT_FOUND workspace', async () => {
    const { kit, as } = await personal();
    expect((await kit.getWorkspace(as, { workspaceId: 'ws_missing' }))._unsafeUnwrapErr()).toMatchObject({
      code: 'NOT_FOUND',
      entity: 'workspace',
      key: 'ws_missing',
    });
  });

  it('HDL-1 getWorkspaceByHandle normalizes the full handle', async () => {
    const { kit, as, accountId } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'data-team' }))._unsafeUnwrap();
    for (const fullHandle of ['ada/data-team', 'ADA/Data-Team', '  Ada/data-team  ']) {
      expect((await kit.getWorkspaceByHandle(as, { fullHandle }))._unsafeUnwrap(), fullHandle).toEqual(ws);
    }
  });

  it('HDL-1 an unknown full handle is NOT_FOUND keyed by the normalized full handle', async () => {
    const { kit, as, accountId } = await personal();
    await kit.createWorkspace(as, { accountId, handle: 'prod' });
    expect((await kit.getWorkspaceByHandle(as, { fullHandle: 'ADA/Staging' }))._unsafeUnwrapErr()).toMatchObject({
      code: 'NOT_FOUND',
      entity: 'workspace',
      key: 'ada/staging',
    });
    expect((await kit.getWorkspaceByHandle(as, { fullHandle: 'nobody/prod' }))._unsafeUnwrapErr()).toMatchObject({
      code: 'NOT_FOUND',
      key: 'nobody/prod',
    });
  });

  it('HDL-2 a malformed full handle is VALIDATION', async () => {
    const { kit, as } = await personal();
    for (const fullHandle of ['ada', 'ada/prod/x', 'ada/pr--od', 'ada/']) {
      expect((await kit.getWorkspaceByHandle(as, { fullHandle }))._unsafeUnwrapErr().code, fullHandle).toBe('VALIDATION');
    }
  });

  it('HDL-1 an outsider cannot tell a hidden workspace from a missing one', async () => {
    const { kit, as, accountId, seed } = await personal();
    await kit.createWorkspace(as, { accountId, handle: 'prod' });
    const eve = asUser((await seed.user()).user.id);
    const hidden = (await kit.getWorkspaceByHandle(eve, { fullHandle: 'ada/prod' }))._unsafeUnwrapErr();
    const missing = (await kit.getWorkspaceByHandle(eve, { fullHandle: 'ada/nope' }))._unsafeUnwrapErr();
    expect(hidden).toEqual({ ...missing, key: 'ada/prod', message: missing.message.replace('ada/nope', 'ada/prod') });
  });
});

describe('listWorkspaces (WS-1)', () => {
  it('WS-1 lists in handle order and pages with a cursor', async () => {
    const { kit, account, owner, seed } = await org();
    const handles = ['zeta', 'alpha', 'mid', 'beta-2', 'beta', 'omega', '0-first'];
    for (const handle of handles) await seed.workspace(account.id, { handle });
    const seen: WorkspaceView[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const page = (
        await kit.listWorkspaces(owner, { accountId: account.id, limit: 3, ...(cursor ? { cursor } : {}) })
      )._unsafeUnwrap();
      pages += 1;
      seen.push(...page.items);
      if (page.nextCursor === null) break;
      expect(page.nextCursor).toBe(page.items.at(-1)?.handle);
      cursor = page.nextCursor;
    }
    expect(pages).toBe(3);
    expect(seen.map((w) => w.handle)).toEqual([...handles].sort());
    expect(seen.every((w) => w.fullHandle === `acme/${w.handle}`)).toBe(true);
  });

  it('WS-1 a cursor between handles resumes after it', async () => {
    const { kit, account, owner, seed } = await org();
    for (const handle of ['a', 'c', 'e']) await seed.workspace(account.id, { handle });
    const page = (await kit.listWorkspaces(owner, { accountId: account.id, cursor: 'b' }))._unsafeUnwrap();
    expect(page.items.map((w) => w.handle)).toEqual(['c', 'e']);
    expect(page.nextCursor).toBeNull();
  });

  it('WS-1 an account with no workspaces lists none', async () => {
    const { kit, account, owner } = await org();
    expect((await kit.listWorkspaces(owner, { accountId: account.id }))._unsafeUnwrap()).toEqual({ items: [], nextCursor: null });
  });

  it('WS-1 pages through more than a thousand workspaces in order', async () => {
    const { kit, seed } = createTestKit();
    const { account, owner } = await seed.organization({ planId: 'enterprise' });
    const handles = Array.from({ length: 1100 }, (_, i) => `ws-${((i * 7919) % 1100).toString(36)}`);
    for (const handle of handles) await seed.workspace(account.id, { handle });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = (
        await kit.listWorkspaces(asUser(owner.user.id), { accountId: account.id, limit: 500, ...(cursor ? { cursor } : {}) })
      )._unsafeUnwrap();
      seen.push(...page.items.map((w) => w.handle));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([...new Set(handles)].sort());
  });
});

describe('updateWorkspace (WS-3, WS-5)', () => {
  it('WS-3 edits the handle; the version increases and the old handle is free (HDL-3)', async () => {
    const { kit, as, accountId, clock } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod', description: 'P' }))._unsafeUnwrap();
    clock.advance({ minutes: 1 });
    const updated = (await kit.updateWorkspace(as, { workspaceId: ws.id, handle: 'Production' }))._unsafeUnwrap();
    expect(updated).toMatchObject({
      id: ws.id,
      handle: 'production',
      description: 'P',
      version: 2,
      fullHandle: 'ada/production',
      createdAt: ws.createdAt,
      updatedAt: clock.now().toISOString(),
    });
    expect((await kit.getWorkspaceByHandle(as, { fullHandle: 'ada/production' }))._unsafeUnwrap().id).toBe(ws.id);
    expect((await kit.getWorkspaceByHandle(as, { fullHandle: 'ada/prod' }))._unsafeUnwrapErr().code).toBe('NOT_FOUND');
  });

  it('HDL-3 a handle freed by a rename is reusable at once', async () => {
    const { kit, account, owner } = await org();
    const ws = (await kit.createWorkspace(owner, { accountId: account.id, handle: 'prod' }))._unsafeUnwrap();
    await kit.updateWorkspace(owner, { workspaceId: ws.id, handle: 'old-prod' });
    const again = await kit.createWorkspace(owner, { accountId: account.id, handle: 'prod' });
    expect(again._unsafeUnwrap().id).not.toBe(ws.id);
    const list = (await kit.listWorkspaces(owner, { accountId: account.id }))._unsafeUnwrap();
    expect(list.items.map((w) => w.handle)).toEqual(['old-prod', 'prod']);
  });

  it('WS-3 edits the description alone', async () => {
    const { kit, as, accountId } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    const updated = (await kit.updateWorkspace(as, { workspaceId: ws.id, description: '  Live traffic ' }))._unsafeUnwrap();
    expect(updated).toMatchObject({ handle: 'prod', description: 'Live traffic', version: 2 });
    expect((await kit.getWorkspace(as, { workspaceId: ws.id }))._unsafeUnwrap()).toEqual(updated);
  });

  it('WS-5 every change increases the version by one', async () => {
    const { kit, as, accountId } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    const versions: number[] = [ws.version];
    for (const description of ['a', 'b', 'c']) {
      versions.push((await kit.updateWorkspace(as, { workspaceId: ws.id, description }))._unsafeUnwrap().version);
    }
    versions.push((await kit.updateWorkspace(as, { workspaceId: ws.id, handle: 'renamed', description: 'd' }))._unsafeUnwrap().version);
    expect(versions).toEqual([1, 2, 3, 4, 5]);
  });

  it('WS-5 an edit that changes nothing keeps the version', async () => {
    const { kit, as, accountId } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod', description: 'same' }))._unsafeUnwrap();
    const r = (await kit.updateWorkspace(as, { workspaceId: ws.id, handle: 'PROD', description: 'same' }))._unsafeUnwrap();
    expect(r.version).toBe(1);
    expect(r.updatedAt).toBe(ws.updatedAt);
  });

  it('WS-5 the current expectedVersion is accepted; a stale one is CONFLICT and changes nothing', async () => {
    const { kit, as, accountId, store } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    const v2 = (await kit.updateWorkspace(as, { workspaceId: ws.id, description: 'first', expectedVersion: 1 }))._unsafeUnwrap();
    expect(v2.version).toBe(2);
    const before = store.snapshot();
    const stale = await kit.updateWorkspace(as, { workspaceId: ws.id, description: 'second', expectedVersion: 1 });
    expect(stale._unsafeUnwrapErr()).toEqual({
      code: 'CONFLICT',
      message: `workspace ${ws.id} is at version 2, not 1`,
      entity: 'workspace',
      id: ws.id,
      expectedVersion: 1,
      actualVersion: 2,
    });
    expect(store.snapshot()).toEqual(before);
    // A version from the future is a conflict too.
    expect((await kit.updateWorkspace(as, { workspaceId: ws.id, description: 'x', expectedVersion: 9 }))._unsafeUnwrapErr().code).toBe(
      'CONFLICT',
    );
  });

  it('HDL-1 renaming to a handle taken in the account is HANDLE_TAKEN and changes nothing', async () => {
    const { kit, account, owner, store } = await org();
    await kit.createWorkspace(owner, { accountId: account.id, handle: 'prod' });
    const staging = (await kit.createWorkspace(owner, { accountId: account.id, handle: 'staging' }))._unsafeUnwrap();
    const before = store.snapshot();
    const r = await kit.updateWorkspace(owner, { workspaceId: staging.id, handle: 'prod', description: 'also changed' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'HANDLE_TAKEN', handle: 'prod', scope: 'workspace', accountId: account.id });
    expect(store.snapshot()).toEqual(before);
  });

  it('WS-3 an edit with neither handle nor description is VALIDATION', async () => {
    const { kit, as, accountId } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    expect((await kit.updateWorkspace(as, { workspaceId: ws.id }))._unsafeUnwrapErr().code).toBe('VALIDATION');
    expect((await kit.updateWorkspace(as, { workspaceId: ws.id, expectedVersion: 1 }))._unsafeUnwrapErr().code).toBe('VALIDATION');
  });

  it('WS-5 expectedVersion must be a positive integer', async () => {
    const { kit, as, accountId } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    for (const expectedVersion of [0, -1, 1.5]) {
      expect((await kit.updateWorkspace(as, { workspaceId: ws.id, description: 'x', expectedVersion }))._unsafeUnwrapErr().code).toBe(
        'VALIDATION',
      );
    }
  });

  it('WS-3 an invalid new handle is VALIDATION naming the rule', async () => {
    const { kit, as, accountId } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    const r = await kit.updateWorkspace(as, { workspaceId: ws.id, handle: 'prod-' });
    expect(r.isErr() && r.error.code === 'VALIDATION' && r.error.issues[0]?.rule).toBe('edge-hyphen');
  });
});

describe('deletion preview and delete (WS-2, WS-4)', () => {
  const COUNTS: Partial<Record<ResourceKind, number>> = {
    flow: 2,
    deployment: 3,
    'work-pool': 1,
    'work-queue': 2,
    block: 1,
    'secret-block': 1,
    notification: 1,
    variable: 4,
  };

  it('WS-4 the preview counts tracked resources by kind and changes nothing', async () => {
    const { kit, as, accountId, seed, store } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    await seed.resources(ws.id, COUNTS);
    await seed.runs(ws.id, { count: 5 });
    await seed.runs(ws.id, { count: 2, kind: 'task-run', state: 'running' });
    const before = store.snapshot();
    const preview = (await kit.previewWorkspaceDeletion(as, { workspaceId: ws.id }))._unsafeUnwrap();
    expect(preview).toEqual({
      workspace: ws,
      resources: { ...COUNTS, 'flow-run': 5, 'task-run': 2 },
      totalResources: 15 + 5 + 2,
    });
    expect(store.snapshot()).toEqual(before);
  });

  it('WS-4 the preview of an empty workspace is all zero', async () => {
    const { kit, as, accountId } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    expect((await kit.previewWorkspaceDeletion(as, { workspaceId: ws.id }))._unsafeUnwrap()).toEqual({
      workspace: ws,
      resources: {},
      totalResources: 0,
    });
  });

  it('WS-2 tracks every resource kind of the spec', async () => {
    const { kit, as, accountId, seed } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    const one = Object.fromEntries(RESOURCE_KINDS.map((k) => [k, 1])) as Record<ResourceKind, number>;
    expect(await seed.resources(ws.id, one)).toBe(RESOURCE_KINDS.length);
    const preview = (await kit.previewWorkspaceDeletion(as, { workspaceId: ws.id }))._unsafeUnwrap();
    expect(preview.resources).toEqual(one);
    expect(RESOURCE_KINDS).toEqual(
      expect.arrayContaining([
        'flow',
        'flow-run',
        'task-run',
        'deployment',
        'work-pool',
        'work-queue',
        'worker',
        'block',
        'secret-block',
        'automation',
        'notification',
        'variable',
        'artifact',
        'concurrency-limit',
        'log',
        'saved-search',
      ]),
    );
  });

  it('WS-4 delete removes the workspace and every tracked resource, leaving other workspaces intact', async () => {
    const { kit, account, owner, seed, store, clock } = await org();
    const prod = (await kit.createWorkspace(owner, { accountId: account.id, handle: 'prod' }))._unsafeUnwrap();
    const other = (await kit.createWorkspace(owner, { accountId: account.id, handle: 'other' }))._unsafeUnwrap();
    await seed.resources(prod.id, COUNTS);
    await seed.runs(prod.id, { count: 1500 });
    await seed.resources(other.id, { flow: 1, deployment: 1 });
    await seed.runs(other.id, { count: 3 });
    const otherBefore = store.snapshot().resources.filter((r) => r.workspaceId === other.id);
    clock.advance({ hours: 2 });
    const report = (await kit.deleteWorkspace(owner, { workspaceId: prod.id }))._unsafeUnwrap();
    expect(report).toEqual({
      workspace: prod,
      resources: { ...COUNTS, 'flow-run': 1500 },
      totalResources: 15 + 1500,
      grantsRemoved: 0,
      invitationsRemoved: 0,
      deletedAt: clock.now().toISOString(),
    });
    const snap = store.snapshot();
    expect(snap.workspaces.map((w) => w.id)).toEqual([other.id]);
    expect(snap.resources.filter((r) => r.workspaceId === prod.id)).toEqual([]);
    expect(snap.resources.filter((r) => r.workspaceId === other.id)).toEqual(otherBefore);
    expect((await kit.getWorkspace(owner, { workspaceId: prod.id }))._unsafeUnwrapErr().code).toBe('NOT_FOUND');
    expect((await kit.previewWorkspaceDeletion(owner, { workspaceId: prod.id }))._unsafeUnwrapErr().code).toBe('NOT_FOUND');
    expect((await kit.listWorkspaces(owner, { accountId: account.id }))._unsafeUnwrap().items.map((w) => w.id)).toEqual([other.id]);
  });

  it('WS-4 deleting an organization workspace removes its access grants, and only its own, in the same step', async () => {
    const { kit, account, owner, admin, member, store, events } = await org();
    const prod = (await kit.createWorkspace(owner, { accountId: account.id, handle: 'prod' }))._unsafeUnwrap();
    const other = (await kit.createWorkspace(owner, { accountId: account.id, handle: 'other' }))._unsafeUnwrap();
    const bot = (await kit.createServiceAccount(owner, { accountId: account.id, name: 'bot' }))._unsafeUnwrap();
    await kit.shareWorkspace(owner, { workspaceId: prod.id, grantee: member, role: 'runner' });
    await kit.shareWorkspace(owner, { workspaceId: prod.id, grantee: asServiceAccount(bot.id), role: 'developer' });
    await kit.shareWorkspace(owner, { workspaceId: other.id, grantee: member, role: 'viewer' });
    const otherGrants = store.snapshot().grants.filter((g) => g.workspaceId === other.id);
    const auditBefore = store.snapshot().audit.length;
    const published = events.length;
    const report = (await kit.deleteWorkspace(admin, { workspaceId: prod.id }))._unsafeUnwrap();
    expect(report).toMatchObject({ grantsRemoved: 2, invitationsRemoved: 0, totalResources: 0 });
    const snap = store.snapshot();
    expect(snap.grants).toEqual(otherGrants);
    const added = snap.audit.slice(auditBefore);
    expect(added).toHaveLength(1);
    expect(events.slice(published)).toEqual(added);
    expect(added[0]).toMatchObject({
      action: 'workspace.deleted',
      workspaceId: prod.id,
      actor: admin,
      details: { handle: 'prod', grantsRemoved: 2, invitationsRemoved: 0 },
    });
    // The grantees lost that access and kept the other.
    expect((await kit.getWorkspace(asServiceAccount(bot.id), { workspaceId: prod.id }))._unsafeUnwrapErr().code).toBe('NOT_FOUND');
    expect((await kit.listWorkspaces(member, { accountId: account.id }))._unsafeUnwrap().items.map((w) => w.id)).toEqual([other.id]);
    // A workspace recreated with the freed handle starts without grants (HDL-3).
    const again = (await kit.createWorkspace(owner, { accountId: account.id, handle: 'prod' }))._unsafeUnwrap();
    expect((await kit.listWorkspaceAccess(owner, { workspaceId: again.id }))._unsafeUnwrap().items).toEqual([]);
  });

  it('WS-4 deleting a personal workspace removes its collaborators’ grants and its pending invitations; their tokens stop working', async () => {
    const t = createTestKit();
    const ada = await t.seed.user({ handle: 'ada', planId: 'pro' });
    const bob = await t.seed.user({ handle: 'bob', email: 'bob@example.com' });
    const as = asUser(ada.user.id);
    const ws = (await t.kit.createWorkspace(as, { accountId: ada.account.id, handle: 'prod' }))._unsafeUnwrap();
    const keep = (await t.kit.createWorkspace(as, { accountId: ada.account.id, handle: 'keep' }))._unsafeUnwrap();
    const forBob = (await t.kit.inviteCollaborator(as, { workspaceId: ws.id, email: 'bob@example.com' }))._unsafeUnwrap();
    (await t.kit.acceptInvitation(asUser(bob.user.id), { token: forBob.token.reveal() }))._unsafeUnwrap();
    const forCarol = (await t.kit.inviteCollaborator(as, { workspaceId: ws.id, email: 'carol@example.com', role: 'viewer' }))._unsafeUnwrap();
    const forDave = (await t.kit.inviteCollaborator(as, { workspaceId: ws.id, email: 'dave@example.com' }))._unsafeUnwrap();
    const forErin = (await t.kit.inviteCollaborator(as, { workspaceId: keep.id, email: 'erin@example.com' }))._unsafeUnwrap();
    const before = t.store.snapshot();
    const ofWs = before.invitations.filter((i) => i.target.type === 'workspace' && i.target.workspaceId === ws.id).length;
    const report = (await t.kit.deleteWorkspace(as, { workspaceId: ws.id }))._unsafeUnwrap();
    const snap = t.store.snapshot();
    expect(report.grantsRemoved).toBe(1);
    expect(report.invitationsRemoved).toBe(ofWs);
    expect(snap.grants).toEqual([]);
    // No invitation to the deleted workspace is left pending; the other workspace's is untouched.
    expect(snap.invitations.filter((i) => i.target.type === 'workspace' && i.target.workspaceId === ws.id && i.status === 'pending')).toEqual([]);
    expect(snap.invitations.filter((i) => i.id === forErin.invitation.id)).toEqual(before.invitations.filter((i) => i.id === forErin.invitation.id));
    expect(before.invitations.length - snap.invitations.length).toBe(ofWs);
    expect(snap.audit.slice(before.audit.length)).toEqual([
      expect.objectContaining({ action: 'workspace.deleted', details: expect.objectContaining({ grantsRemoved: 1, invitationsRemoved: ofWs }) as unknown }),
    ]);
    for (const token of [forCarol.token.reveal(), forDave.token.reveal()]) {
      expect((await t.kit.acceptInvitation(system(), { token, newUser: { displayName: 'X', handle: 'x-user' } }))._unsafeUnwrapErr()).toMatchObject({
        code: 'INVITATION_INVALID',
      });
    }
    expect((await t.kit.getWorkspace(asUser(bob.user.id), { workspaceId: ws.id }))._unsafeUnwrapErr().code).toBe('NOT_FOUND');
    // The seats they held are free again (PLAN-2): only erin's pending invitation remains.
    expect(
      (await t.kit.listInvitations(as, { accountId: ada.account.id, status: 'pending' }))._unsafeUnwrap().items.map((i) => i.email),
    ).toEqual(['erin@example.com']);
  });

  it('WS-4 a failed deletion (stale version) keeps grants and invitations', async () => {
    const { kit, account, owner, member, store } = await org();
    const ws = (await kit.createWorkspace(owner, { accountId: account.id, handle: 'prod' }))._unsafeUnwrap();
    await kit.shareWorkspace(owner, { workspaceId: ws.id, grantee: member, role: 'viewer' });
    await kit.updateWorkspace(owner, { workspaceId: ws.id, description: 'moved' });
    const before = store.snapshot();
    expect((await kit.deleteWorkspace(owner, { workspaceId: ws.id, expectedVersion: 1 }))._unsafeUnwrapErr().code).toBe('CONFLICT');
    expect(store.snapshot()).toEqual(before);
  });

  it('HDL-3 a handle freed by deletion is reusable at once and the new workspace starts empty', async () => {
    const { kit, as, accountId, seed } = await personal(); // hobby: one workspace
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    await seed.resources(ws.id, { flow: 3 });
    await kit.deleteWorkspace(as, { workspaceId: ws.id });
    const again = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    expect(again.id).not.toBe(ws.id);
    expect(again.version).toBe(1);
    expect((await kit.previewWorkspaceDeletion(as, { workspaceId: again.id }))._unsafeUnwrap().totalResources).toBe(0);
    expect((await kit.getWorkspaceByHandle(as, { fullHandle: 'ada/prod' }))._unsafeUnwrap().id).toBe(again.id);
  });

  it('WS-5 delete with a stale expectedVersion is CONFLICT and removes nothing', async () => {
    const { kit, as, accountId, seed, store } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    await seed.resources(ws.id, { flow: 2 });
    await kit.updateWorkspace(as, { workspaceId: ws.id, description: 'moved on' });
    const before = store.snapshot();
    const r = await kit.deleteWorkspace(as, { workspaceId: ws.id, expectedVersion: 1 });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'CONFLICT', entity: 'workspace', id: ws.id, expectedVersion: 1, actualVersion: 2 });
    expect(store.snapshot()).toEqual(before);
    expect((await kit.deleteWorkspace(as, { workspaceId: ws.id, expectedVersion: 2 })).isOk()).toBe(true);
  });

  it('WS-4 deleting twice is NOT_FOUND the second time', async () => {
    const { kit, as, accountId } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    expect((await kit.deleteWorkspace(as, { workspaceId: ws.id })).isOk()).toBe(true);
    expect((await kit.deleteWorkspace(as, { workspaceId: ws.id }))._unsafeUnwrapErr()).toMatchObject({ code: 'NOT_FOUND', entity: 'workspace' });
  });

  it('PLAN-1 deleting a workspace frees its slot in the plan', async () => {
    const { kit, as, accountId } = await personal(); // hobby: one workspace
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    expect((await kit.createWorkspace(as, { accountId, handle: 'second' }))._unsafeUnwrapErr().code).toBe('PLAN_LIMIT_REACHED');
    await kit.deleteWorkspace(as, { workspaceId: ws.id });
    expect((await kit.createWorkspace(as, { accountId, handle: 'second' })).isOk()).toBe(true);
  });
});

describe('trackResources (WS-2)', () => {
  it('WS-2 a run defaults to scheduled and has not ended', async () => {
    const { kit, as, accountId, clock } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    const [run] = (await kit.trackResources(as, { workspaceId: ws.id, resources: [{ kind: 'flow-run', name: 'r' }] }))._unsafeUnwrap();
    expect(run).toMatchObject({
      workspaceId: ws.id,
      kind: 'flow-run',
      name: 'r',
      state: 'scheduled',
      endedAt: null,
      parentRunId: null,
      createdAt: clock.now().toISOString(),
    });
  });

  it('RET-1 a terminal run without endedAt ends now; a given endedAt (with or without offset) is normalized to ISO UTC', async () => {
    const { kit, as, accountId, clock } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    const runs = (
      await kit.trackResources(as, {
        workspaceId: ws.id,
        resources: [
          { kind: 'flow-run', name: 'a', state: 'completed' },
          { kind: 'task-run', name: 'b', state: 'failed', endedAt: '2025-12-01T10:00:00Z' },
          { kind: 'flow-run', name: 'c', state: 'running' },
          { kind: 'flow-run', name: 'd', state: 'crashed', parentRunId: 'res_parent' },
          { kind: 'flow-run', name: 'e', state: 'cancelled', endedAt: '2025-12-01T12:00:00+02:00' },
        ],
      })
    )._unsafeUnwrap();
    expect(runs.map((r) => [r.state, r.endedAt, r.parentRunId])).toEqual([
      ['completed', clock.now().toISOString(), null],
      ['failed', '2025-12-01T10:00:00.000Z', null],
      ['running', null, null],
      ['crashed', clock.now().toISOString(), 'res_parent'],
      ['cancelled', '2025-12-01T10:00:00.000Z', null],
    ]);
  });

  it('WS-2 a resource that is not a run has no state and no end', async () => {
    const { kit, as, accountId, store } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    const [dep] = (await kit.trackResources(as, { workspaceId: ws.id, resources: [{ kind: 'deployment', name: 'etl' }] }))._unsafeUnwrap();
    expect(dep).toMatchObject({ kind: 'deployment', state: null, endedAt: null, parentRunId: null });
    expect(store.snapshot().resources).toEqual([dep]);
  });

  it.each([
    ['a state on a non-run', { kind: 'deployment', name: 'x', state: 'completed' }],
    ['an end on a non-run', { kind: 'block', name: 'x', endedAt: '2026-01-01T00:00:00Z' }],
    ['a parent on a non-run', { kind: 'flow', name: 'x', parentRunId: 'res_1' }],
    ['an end on a running run', { kind: 'flow-run', name: 'x', state: 'running', endedAt: '2026-01-01T00:00:00Z' }],
    ['an end on a run with no state (scheduled)', { kind: 'task-run', name: 'x', endedAt: '2026-01-01T00:00:00Z' }],
    ['an unknown kind', { kind: 'spaceship', name: 'x' }],
    ['an unknown state', { kind: 'flow-run', name: 'x', state: 'exploded' }],
    ['an empty name', { kind: 'flow', name: '' }],
    ['a malformed endedAt', { kind: 'flow-run', name: 'x', state: 'completed', endedAt: 'yesterday' }],
  ])('WS-2 refuses %s with VALIDATION and tracks nothing', async (_what, resource) => {
    const { kit, as, accountId, store } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    const before = store.snapshot();
    const input = { workspaceId: ws.id, resources: [{ kind: 'flow', name: 'fine' }, resource] } as Parameters<
      typeof kit.trackResources
    >[1];
    const r = await kit.trackResources(as, input);
    expect(r._unsafeUnwrapErr().code).toBe('VALIDATION');
    if (r.isErr() && r.error.code === 'VALIDATION') expect(r.error.issues[0]?.path.slice(0, 3)).toEqual(['input', 'resources', 1]);
    expect(store.snapshot()).toEqual(before);
  });

  it('WS-2 tracks 1 to 1000 resources per call', async () => {
    const { kit, as, accountId } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    expect((await kit.trackResources(as, { workspaceId: ws.id, resources: [] }))._unsafeUnwrapErr().code).toBe('VALIDATION');
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ kind: 'log' as const, name: `l${i}` }));
    expect((await kit.trackResources(as, { workspaceId: ws.id, resources: many(1001) }))._unsafeUnwrapErr().code).toBe('VALIDATION');
    expect((await kit.trackResources(as, { workspaceId: ws.id, resources: many(1000) }))._unsafeUnwrap()).toHaveLength(1000);
  });

  it('WS-2 tracking into a missing workspace is NOT_FOUND', async () => {
    const { kit, as } = await personal();
    const r = await kit.trackResources(as, { workspaceId: 'ws_missing', resources: [{ kind: 'flow', name: 'f' }] });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'NOT_FOUND', entity: 'workspace' });
  });

  it('ROLE-6 tracking every kind needs its scope, all of which an implicit workspace Owner holds (ROLE-4)', async () => {
    const { kit, account, admin, member, seed, store } = await org();
    const ws = await seed.workspace(account.id, { handle: 'prod' });
    const resources = RESOURCE_KINDS.map((kind) => ({ kind, name: kind }));
    expect((await kit.trackResources(admin, { workspaceId: ws.id, resources }))._unsafeUnwrap()).toHaveLength(RESOURCE_KINDS.length);
    // A Member holds no workspace scopes yet (no grants): the workspace is invisible to it.
    const before = store.snapshot();
    expect((await kit.trackResources(member, { workspaceId: ws.id, resources }))._unsafeUnwrapErr().code).toBe('NOT_FOUND');
    expect(store.snapshot()).toEqual(before);
  });

  it('WS-2 the system principal may track resources', async () => {
    const { kit, as, accountId } = await personal();
    const ws = (await kit.createWorkspace(as, { accountId, handle: 'prod' }))._unsafeUnwrap();
    expect((await kit.trackResources(system('scheduler'), { workspaceId: ws.id, resources: [{ kind: 'flow', name: 'f' }] })).isOk()).toBe(true);
  });
});
