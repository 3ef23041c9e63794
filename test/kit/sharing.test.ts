import { describe, expect, it } from 'vitest';
import {
  asServiceAccount,
  asUser,
  BUILT_IN_ROLE_SCOPES,
  WORKSPACE_SCOPES,
  type BuiltInRole,
  type Principal,
  type WorkspaceScope,
} from '../../src/index.js';
import type { MemoryStore } from '../../src/memory.js';
import { createTestKit, type TestKit } from '../../src/testing.js';
import { errorOf, valueOf } from '../support/harness.js';
import { fails, succeeds } from '../support/kit-outcomes.js';

type T = TestKit<MemoryStore>;

/** The scopes of a built-in role in catalog order, as `explainAccess` lists them. */
function scopesOf(role: BuiltInRole): WorkspaceScope[] {
  return WORKSPACE_SCOPES.filter((s) => BUILT_IN_ROLE_SCOPES[role].has(s));
}

async function effective(t: T, actor: Principal, workspaceId: string): Promise<readonly WorkspaceScope[]> {
  return valueOf(await t.kit.explainAccess(actor, { workspaceId })).scopes;
}

/** A pro organization (workspace RBAC) with an Owner, an Admin, three members, a service account and two workspaces. */
async function world(planId = 'pro') {
  const t = createTestKit();
  const seeded = await t.seed.organization({ handle: 'acme', planId, members: ['admin', 'member', 'member', 'member'] });
  const { account } = seeded;
  const owner = asUser(seeded.owner.user.id);
  const admin = asUser(seeded.members[0]!.user.user.id);
  const bob = asUser(seeded.members[1]!.user.user.id);
  const carol = asUser(seeded.members[2]!.user.user.id);
  const dave = asUser(seeded.members[3]!.user.user.id);
  const prod = await t.seed.workspace(account.id, { handle: 'prod' });
  const staging = await t.seed.workspace(account.id, { handle: 'staging' });
  const sa =
    planId === 'pro' || planId === 'team' || planId === 'enterprise'
      ? valueOf(await t.kit.createServiceAccount(owner, { accountId: account.id, name: 'ci-bot' }))
      : null;
  return { ...t, t, account, owner, admin, bob, carol, dave, prod, staging, sa, seeded };
}

describe('shareWorkspace (SHR-1)', () => {
  it('SHR-1 an Owner shares a workspace with a member: the grant is stored, one event is recorded, the member holds exactly the role', async () => {
    const w = await world();
    w.clock.advance({ minutes: 5 });
    const now = w.clock.now().toISOString();
    const { value: grant, event } = await succeeds(w.t, () =>
      w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'runner' }),
    );
    expect(grant).toEqual({ workspaceId: w.prod.id, accountId: w.account.id, grantee: w.bob, role: 'runner', createdAt: now, updatedAt: now });
    expect(w.store.snapshot().grants).toEqual([grant]);
    expect(event).toMatchObject({
      accountId: w.account.id,
      workspaceId: w.prod.id,
      actor: w.owner,
      action: 'workspace.shared',
      subject: { type: 'grant', id: `${w.prod.id}/user:${w.bob.userId}` },
      at: now,
      details: { grantee: w.bob, role: 'runner' },
    });
    expect(await effective(w.t, w.bob, w.prod.id)).toEqual(scopesOf('runner'));
    // Only the shared workspace: the other stays invisible.
    expect(errorOf(await w.kit.getWorkspace(w.bob, { workspaceId: w.staging.id }))).toMatchObject({ code: 'NOT_FOUND', entity: 'workspace' });
    expect(valueOf(await w.kit.listWorkspaces(w.bob, { accountId: w.account.id })).items.map((x) => x.id)).toEqual([w.prod.id]);
  });

  it('SHR-1 before sharing a member without grant cannot see the workspace', async () => {
    const w = await world();
    expect(errorOf(await w.kit.getWorkspace(w.bob, { workspaceId: w.prod.id }))).toMatchObject({ code: 'NOT_FOUND', entity: 'workspace' });
    expect(valueOf(await w.kit.listWorkspaces(w.bob, { accountId: w.account.id })).items).toEqual([]);
  });

  it('SHR-1 an Admin shares, and so does a workspace Owner by grant', async () => {
    const w = await world();
    await succeeds(w.t, () => w.kit.shareWorkspace(w.admin, { workspaceId: w.prod.id, grantee: w.carol, role: 'owner' }));
    const { value } = await succeeds(w.t, () => w.kit.shareWorkspace(w.carol, { workspaceId: w.prod.id, grantee: w.bob, role: 'viewer' }));
    expect(value.role).toBe('viewer');
    expect(w.store.snapshot().grants.map((g) => [g.grantee, g.role])).toEqual([
      [w.bob, 'viewer'],
      [w.carol, 'owner'],
    ]);
    // A workspace Owner by grant holds it in that workspace only.
    expect(
      await fails(w.t, () => w.kit.shareWorkspace(w.carol, { workspaceId: w.staging.id, grantee: w.bob, role: 'viewer' })),
    ).toMatchObject({ code: 'NOT_FOUND', entity: 'workspace' });
  });

  it('SHR-1 shares with a service account of the same organization: it gains access like a user', async () => {
    const w = await world();
    const bot = asServiceAccount(w.sa!.id);
    const { value: grant, event } = await succeeds(w.t, () =>
      w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: bot, role: 'developer' }),
    );
    expect(grant).toMatchObject({ grantee: bot, role: 'developer' });
    expect(event).toMatchObject({
      action: 'workspace.shared',
      subject: { type: 'grant', id: `${w.prod.id}/service-account:${w.sa!.id}` },
      details: { grantee: bot, role: 'developer' },
    });
    expect(await effective(w.t, bot, w.prod.id)).toEqual(scopesOf('developer'));
    expect(valueOf(await w.kit.listWorkspaces(bot, { accountId: w.account.id })).items.map((x) => x.id)).toEqual([w.prod.id]);
    await succeeds(w.t, () => w.kit.trackResources(bot, { workspaceId: w.prod.id, resources: [{ kind: 'deployment', name: 'etl' }] }));
  });

  it('SHR-1 sharing with a user who is not a member of the organization is NOT_FOUND membership', async () => {
    const w = await world();
    const stranger = asUser((await w.seed.user()).user.id);
    expect(
      await fails(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: stranger, role: 'viewer' })),
    ).toMatchObject({ code: 'NOT_FOUND', entity: 'membership', key: `${w.account.id}/${stranger.userId}` });
    expect(errorOf(await w.kit.getWorkspace(stranger, { workspaceId: w.prod.id })).code).toBe('NOT_FOUND');
  });

  it('SHR-1 sharing with another organization’s service account, or an unknown one, is NOT_FOUND service-account', async () => {
    const w = await world();
    const other = await w.seed.organization({ planId: 'team' });
    const foreign = valueOf(
      await w.kit.createServiceAccount(asUser(other.owner.user.id), { accountId: other.account.id, name: 'their-bot' }),
    );
    for (const id of [foreign.id, 'sa_missing']) {
      expect(
        await fails(w.t, () =>
          w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: asServiceAccount(id), role: 'viewer' }),
        ),
        id,
      ).toMatchObject({ code: 'NOT_FOUND', entity: 'service-account', key: id });
    }
  });

  it('SHR-1 sharing twice with the same grantee is ALREADY_EXISTS and keeps the first role', async () => {
    const w = await world();
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'viewer' }));
    expect(
      await fails(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'developer' })),
    ).toMatchObject({ code: 'ALREADY_EXISTS', entity: 'grant', key: `${w.prod.id}/user:${w.bob.userId}` });
    expect(w.store.snapshot().grants.map((g) => g.role)).toEqual(['viewer']);
  });

  it('SHR-1 an unknown role, or a custom role of another account, is NOT_FOUND role', async () => {
    const w = await world();
    const ent = await w.seed.organization({ planId: 'enterprise' });
    const foreignRole = valueOf(
      await w.kit.createCustomRole(asUser(ent.owner.user.id), { accountId: ent.account.id, name: 'Theirs', scopes: ['see_flows'], inherits: 'viewer' }),
    );
    for (const role of ['role_missing', foreignRole.id, 'admin', 'OWNER']) {
      expect(
        await fails(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role })),
        role,
      ).toMatchObject({ code: 'NOT_FOUND', entity: 'role', key: role });
    }
  });

  it('SHR-1 a personal workspace is not shared but collaborated on: VALIDATION pointing to inviteCollaborator', async () => {
    const t = createTestKit();
    const ada = await t.seed.user({ handle: 'ada', planId: 'pro' });
    const bob = await t.seed.user({ handle: 'bob' });
    const ws = await t.seed.workspace(ada.account.id, { handle: 'prod' });
    const error = await fails(t, () =>
      t.kit.shareWorkspace(asUser(ada.user.id), { workspaceId: ws.id, grantee: asUser(bob.user.id), role: 'developer' }),
    );
    expect(error.code).toBe('VALIDATION');
    if (error.code === 'VALIDATION') {
      expect(error.issues[0]?.path).toEqual(['input', 'grantee']);
      expect(error.message).toMatch(/inviteCollaborator|invit\w* collaborators/);
    }
  });

  it('SHR-1 a missing workspace is NOT_FOUND workspace', async () => {
    const w = await world();
    expect(
      await fails(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: 'ws_missing', grantee: w.bob, role: 'viewer' })),
    ).toMatchObject({ code: 'NOT_FOUND', entity: 'workspace', key: 'ws_missing' });
  });
});

describe('changeWorkspaceRole (SHR-1)', () => {
  it('SHR-1 a workspace Owner changes a grant’s role at any time: the new scopes apply at once', async () => {
    const w = await world();
    const { value: original } = await succeeds(w.t, () =>
      w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'runner' }),
    );
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.carol, role: 'owner' }));
    const deploy = { workspaceId: w.prod.id, resources: [{ kind: 'deployment' as const, name: 'etl' }] };
    expect(await fails(w.t, () => w.kit.trackResources(w.bob, deploy))).toMatchObject({ code: 'FORBIDDEN', missingScope: 'manage_deployments' });
    w.clock.advance({ hours: 1 });
    const { value: changed, event } = await succeeds(w.t, () =>
      w.kit.changeWorkspaceRole(w.carol, { workspaceId: w.prod.id, grantee: w.bob, role: 'developer' }),
    );
    expect(changed).toEqual({ ...original, role: 'developer', updatedAt: w.clock.now().toISOString() });
    expect(w.store.snapshot().grants.find((g) => g.grantee.type === 'user' && g.grantee.userId === w.bob.userId)).toEqual(changed);
    expect(event).toMatchObject({
      accountId: w.account.id,
      workspaceId: w.prod.id,
      actor: w.carol,
      action: 'workspace.share-changed',
      subject: { type: 'grant', id: `${w.prod.id}/user:${w.bob.userId}` },
      details: { grantee: w.bob, role: { from: 'runner', to: 'developer' } },
    });
    expect(await effective(w.t, w.bob, w.prod.id)).toEqual(scopesOf('developer'));
    await succeeds(w.t, () => w.kit.trackResources(w.bob, deploy));
    // Down again: the scope is gone at once.
    await succeeds(w.t, () => w.kit.changeWorkspaceRole(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'viewer' }));
    expect(await fails(w.t, () => w.kit.trackResources(w.bob, deploy))).toMatchObject({ code: 'FORBIDDEN', missingScope: 'manage_deployments' });
  });

  it('SHR-1 changing the role of a grant that does not exist is NOT_FOUND grant', async () => {
    const w = await world();
    expect(
      await fails(w.t, () => w.kit.changeWorkspaceRole(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'viewer' })),
    ).toMatchObject({ code: 'NOT_FOUND', entity: 'grant', key: `${w.prod.id}/user:${w.bob.userId}` });
  });

  it('SHR-1 a service account’s role is changed the same way', async () => {
    const w = await world();
    const bot = asServiceAccount(w.sa!.id);
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: bot, role: 'worker' }));
    const { value } = await succeeds(w.t, () => w.kit.changeWorkspaceRole(w.admin, { workspaceId: w.prod.id, grantee: bot, role: 'runner' }));
    expect(value.role).toBe('runner');
    expect(await effective(w.t, bot, w.prod.id)).toEqual(scopesOf('runner'));
  });
});

describe('unshareWorkspace (SHR-1)', () => {
  it('SHR-1 removing a grant revokes access at once', async () => {
    const w = await world();
    const { value: grant } = await succeeds(w.t, () =>
      w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'developer' }),
    );
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.carol, role: 'viewer' }));
    const { value: removed, event } = await succeeds(w.t, () =>
      w.kit.unshareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob }),
    );
    expect(removed).toEqual(grant);
    expect(event).toMatchObject({
      action: 'workspace.unshared',
      workspaceId: w.prod.id,
      subject: { type: 'grant', id: `${w.prod.id}/user:${w.bob.userId}` },
      details: { grantee: w.bob, role: 'developer', left: false },
    });
    // Carol's grant is untouched.
    expect(w.store.snapshot().grants.map((g) => g.grantee)).toEqual([w.carol]);
    expect(errorOf(await w.kit.getWorkspace(w.bob, { workspaceId: w.prod.id })).code).toBe('NOT_FOUND');
    expect(valueOf(await w.kit.listWorkspaces(w.bob, { accountId: w.account.id })).items).toEqual([]);
    expect(valueOf(await w.kit.explainAccess(w.owner, { workspaceId: w.prod.id, principal: w.bob })).scopes).toEqual([]);
  });

  it('SHR-1 unsharing a service account ends its access, through its API keys too (SA-2)', async () => {
    const w = await world();
    const bot = asServiceAccount(w.sa!.id);
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: bot, role: 'runner' }));
    const { secret } = valueOf(await w.kit.createApiKey(w.owner, { name: 'ci', serviceAccountId: w.sa!.id }));
    const principal = valueOf(await w.kit.resolveApiKey({ key: secret.reveal() })).principal;
    expect(valueOf(await w.kit.getWorkspace(principal, { workspaceId: w.prod.id })).id).toBe(w.prod.id);
    await succeeds(w.t, () => w.kit.unshareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: bot }));
    const again = valueOf(await w.kit.resolveApiKey({ key: secret.reveal() })).principal;
    expect(errorOf(await w.kit.getWorkspace(again, { workspaceId: w.prod.id })).code).toBe('NOT_FOUND');
  });

  it('SHR-1 a grantee may leave on its own, without manage_workspace_users', async () => {
    const w = await world();
    const bot = asServiceAccount(w.sa!.id);
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'viewer' }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: bot, role: 'viewer' }));
    const { event } = await succeeds(w.t, () => w.kit.unshareWorkspace(w.bob, { workspaceId: w.prod.id, grantee: w.bob }));
    expect(event).toMatchObject({ actor: w.bob, action: 'workspace.unshared', details: { grantee: w.bob, role: 'viewer', left: true } });
    const { event: botEvent } = await succeeds(w.t, () => w.kit.unshareWorkspace(bot, { workspaceId: w.prod.id, grantee: bot }));
    expect(botEvent).toMatchObject({ actor: bot, details: { left: true } });
    expect(w.store.snapshot().grants).toEqual([]);
  });

  it('SHR-1 a viewer cannot remove someone else’s grant: FORBIDDEN manage_workspace_users', async () => {
    const w = await world();
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'viewer' }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.carol, role: 'viewer' }));
    expect(await fails(w.t, () => w.kit.unshareWorkspace(w.bob, { workspaceId: w.prod.id, grantee: w.carol }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'manage_workspace_users',
    });
  });

  it('SHR-1 unsharing a grant that does not exist is NOT_FOUND grant', async () => {
    const w = await world();
    expect(await fails(w.t, () => w.kit.unshareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob }))).toMatchObject({
      code: 'NOT_FOUND',
      entity: 'grant',
    });
  });
});

describe('listWorkspaceAccess (SHR-1)', () => {
  it('SHR-1 lists the grants of one workspace, users first then service accounts; needs see_workspace_settings', async () => {
    const w = await world();
    const bot = asServiceAccount(w.sa!.id);
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: bot, role: 'runner' }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.carol, role: 'developer' }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'runner' }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.staging.id, grantee: w.dave, role: 'viewer' }));
    const before = w.store.snapshot();
    const page = valueOf(await w.kit.listWorkspaceAccess(w.carol, { workspaceId: w.prod.id }));
    expect(page.items.map((g) => g.grantee)).toEqual([w.bob, w.carol, bot]);
    expect(page.nextCursor).toBeNull();
    expect(w.store.snapshot()).toEqual(before);
    // A runner lacks see_workspace_settings.
    expect(errorOf(await w.kit.listWorkspaceAccess(w.bob, { workspaceId: w.prod.id }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'see_workspace_settings',
    });
  });
});

describe('membership ends workspace access (SHR-1)', () => {
  it('SHR-1 removeMember removes that member’s grants in every workspace and records grantsRemoved', async () => {
    const w = await world();
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'developer' }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.staging.id, grantee: w.bob, role: 'viewer' }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.carol, role: 'viewer' }));
    const { event } = await succeeds(w.t, () => w.kit.removeMember(w.admin, { accountId: w.account.id, userId: w.bob.userId }));
    expect(event).toMatchObject({
      action: 'member.removed',
      details: { userId: w.bob.userId, role: 'member', left: false, grantsRemoved: 2 },
    });
    const snap = w.store.snapshot();
    expect(snap.grants.map((g) => g.grantee)).toEqual([w.carol]);
    expect(snap.memberships.some((m) => m.userId === w.bob.userId)).toBe(false);
    expect(errorOf(await w.kit.getWorkspace(w.bob, { workspaceId: w.prod.id })).code).toBe('NOT_FOUND');
    // Coming back does not bring the old grants back.
    await succeeds(w.t, () => w.kit.addMember(w.owner, { accountId: w.account.id, userId: w.bob.userId, role: 'member' }));
    expect(errorOf(await w.kit.getWorkspace(w.bob, { workspaceId: w.prod.id })).code).toBe('NOT_FOUND');
  });

  it('SHR-1 a member leaving the organization loses its grants (left: true, grantsRemoved)', async () => {
    const w = await world();
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'developer' }));
    const { event } = await succeeds(w.t, () => w.kit.removeMember(w.bob, { accountId: w.account.id, userId: w.bob.userId }));
    expect(event).toMatchObject({ action: 'member.removed', details: { left: true, grantsRemoved: 1 } });
    expect(w.store.snapshot().grants).toEqual([]);
  });

  it('SHR-1 removing a member without grants records grantsRemoved 0', async () => {
    const w = await world();
    const { event } = await succeeds(w.t, () => w.kit.removeMember(w.owner, { accountId: w.account.id, userId: w.dave.userId }));
    expect(event.details).toMatchObject({ grantsRemoved: 0 });
  });
});
