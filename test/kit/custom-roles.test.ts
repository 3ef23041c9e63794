import { describe, expect, it } from 'vitest';
import {
  asServiceAccount,
  asUser,
  BUILT_IN_ROLE_SCOPES,
  BUILT_IN_ROLES,
  createAccessSnapshot,
  SCOPE_TIERS,
  WORKSPACE_SCOPES,
  type BuiltInRole,
  type KitResult,
  type Principal,
  type WorkspaceScope,
} from '../../src/index.js';
import type { MemoryStore } from '../../src/memory.js';
import { createTestKit, type TestKit } from '../../src/testing.js';
import { errorOf, valueOf } from '../support/harness.js';
import { fails, succeeds } from '../support/kit-outcomes.js';

type T = TestKit<MemoryStore>;

/** Scopes in catalog order, as `explainAccess` lists them. */
function ordered(scopes: Iterable<WorkspaceScope>): WorkspaceScope[] {
  const set = new Set(scopes);
  return WORKSPACE_SCOPES.filter((s) => set.has(s));
}
const scopesOf = (role: BuiltInRole): WorkspaceScope[] => ordered(BUILT_IN_ROLE_SCOPES[role]);

async function effective(t: T, actor: Principal, workspaceId: string): Promise<readonly WorkspaceScope[]> {
  return valueOf(await t.kit.explainAccess(actor, { workspaceId })).scopes;
}

/** An organization on `planId` with an Owner, an Admin, four members, a service account and two workspaces. */
async function world(planId = 'enterprise') {
  const t = createTestKit();
  const seeded = await t.seed.organization({ handle: 'acme', planId, members: ['admin', 'member', 'member', 'member', 'member'] });
  const { account } = seeded;
  const user = (i: number) => asUser(seeded.members[i]!.user.user.id);
  const owner = asUser(seeded.owner.user.id);
  const prod = await t.seed.workspace(account.id, { handle: 'prod' });
  const staging = await t.seed.workspace(account.id, { handle: 'staging' });
  const hasSa = planId !== 'hobby' && planId !== 'starter';
  const sa = hasSa ? valueOf(await t.kit.createServiceAccount(owner, { accountId: account.id, name: 'ci-bot' })) : null;
  return {
    t,
    ...t,
    account,
    owner,
    admin: user(0),
    bob: user(1),
    carol: user(2),
    dave: user(3),
    eve: user(4),
    prod,
    staging,
    bot: sa ? asServiceAccount(sa.id) : null,
  };
}

/** An organization on `planId` small enough for any plan: an Owner, one member, one workspace. */
async function smallOrg(planId: string) {
  const t = createTestKit();
  const seeded = await t.seed.organization({ planId, members: ['member'] });
  const prod = await t.seed.workspace(seeded.account.id, { handle: 'prod' });
  return { t, ...t, account: seeded.account, owner: asUser(seeded.owner.user.id), bob: asUser(seeded.members[0]!.user.user.id), prod };
}

describe('built-in roles (ROLE-1)', () => {
  it('ROLE-1 Viewer ⊂ Runner ⊂ Developer ⊂ Owner, each strictly', () => {
    const chain: BuiltInRole[] = ['viewer', 'runner', 'developer', 'owner'];
    for (let i = 1; i < chain.length; i += 1) {
      const lower = BUILT_IN_ROLE_SCOPES[chain[i - 1]!];
      const upper = BUILT_IN_ROLE_SCOPES[chain[i]!];
      expect([...lower].every((s) => upper.has(s)), `${chain[i - 1]} ⊂ ${chain[i]}`).toBe(true);
      expect(upper.size, `${chain[i]} adds scopes`).toBeGreaterThan(lower.size);
    }
  });

  it('ROLE-1 each tier adds what the spec lists', () => {
    const added = (upper: BuiltInRole, lower: BuiltInRole) =>
      ordered([...BUILT_IN_ROLE_SCOPES[upper]].filter((s) => !BUILT_IN_ROLE_SCOPES[lower].has(s)));
    expect(BUILT_IN_ROLE_SCOPES.viewer).toEqual(new Set(SCOPE_TIERS.viewer));
    for (const s of ['see_flows', 'see_flow_runs', 'see_deployments', 'see_work_pools', 'see_blocks', 'see_automations', 'see_variables', 'see_artifacts', 'see_logs'] as const) {
      expect(BUILT_IN_ROLE_SCOPES.viewer.has(s), s).toBe(true);
    }
    expect(added('runner', 'viewer')).toEqual(['run_deployments']);
    expect(added('developer', 'runner')).toEqual(expect.arrayContaining(['run_flows', 'delete_flow_runs', 'manage_deployments', 'manage_work_pools', 'manage_blocks', 'see_secret_blocks', 'manage_secret_blocks', 'manage_automations', 'manage_variables', 'manage_concurrency_limits', 'see_workspace_settings']));
    expect(added('owner', 'developer')).toEqual(
      expect.arrayContaining(['manage_workspace_users', 'manage_workspace_service_accounts', 'set_default_workspace_role', 'write_workspace_settings', 'delete_workspace', 'transfer_workspace']),
    );
    // Nothing of the Owner tier leaks into a lower role.
    for (const role of ['viewer', 'runner', 'developer', 'worker'] as const) {
      for (const s of SCOPE_TIERS.owner) expect(BUILT_IN_ROLE_SCOPES[role].has(s), `${role} ${s}`).toBe(false);
    }
    // The Owner holds every scope there is.
    expect(scopesOf('owner')).toEqual([...WORKSPACE_SCOPES]);
  });

  it('ROLE-1 Worker holds only what a worker needs: polling and submitting work, no running or managing', () => {
    const worker = BUILT_IN_ROLE_SCOPES.worker;
    for (const s of SCOPE_TIERS.worker) expect(worker.has(s), s).toBe(true);
    for (const s of worker) expect(s.startsWith('manage_') || s.startsWith('run_') || s === 'delete_workspace', s).toBe(false);
    expect(worker.has('see_secret_blocks')).toBe(false);
    expect(worker.has('see_workspace')).toBe(true);
  });

  it.each(BUILT_IN_ROLES)('ROLE-1 a grant of the built-in role %s gives exactly its scopes through the kit', async (role) => {
    const w = await world('pro');
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role }));
    expect(await effective(w.t, w.bob, w.prod.id)).toEqual(scopesOf(role));
  });

  it('ROLE-1 the chain is enforced by commands: viewer < runner < developer on run and deployment tracking', async () => {
    const w = await world('pro');
    const run = { workspaceId: w.prod.id, resources: [{ kind: 'flow-run' as const, name: 'r' }] };
    const deploy = { workspaceId: w.prod.id, resources: [{ kind: 'deployment' as const, name: 'd' }] };
    const heartbeat = { workspaceId: w.prod.id, resources: [{ kind: 'worker' as const, name: 'w' }] };
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'viewer' }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.carol, role: 'runner' }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.dave, role: 'developer' }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.eve, role: 'worker' }));
    expect(await fails(w.t, () => w.kit.trackResources(w.bob, run))).toMatchObject({ code: 'FORBIDDEN', missingScope: 'run_flows' });
    expect(await fails(w.t, () => w.kit.trackResources(w.carol, run))).toMatchObject({ code: 'FORBIDDEN', missingScope: 'run_flows' });
    await succeeds(w.t, () => w.kit.trackResources(w.dave, run));
    await succeeds(w.t, () => w.kit.trackResources(w.dave, deploy));
    expect(await fails(w.t, () => w.kit.trackResources(w.dave, heartbeat))).toMatchObject({ code: 'FORBIDDEN', missingScope: 'write_worker_heartbeats' });
    await succeeds(w.t, () => w.kit.trackResources(w.eve, heartbeat));
    expect(await fails(w.t, () => w.kit.trackResources(w.eve, deploy))).toMatchObject({ code: 'FORBIDDEN', missingScope: 'manage_deployments' });
  });
});

describe('custom roles (ROLE-2)', () => {
  it('ROLE-2 an Owner creates a custom role: stored with its own scopes sorted and deduplicated, one event', async () => {
    const w = await world();
    w.clock.advance({ minutes: 1 });
    const { value: role, event } = await succeeds(w.t, () =>
      w.kit.createCustomRole(w.owner, {
        accountId: w.account.id,
        name: '  Deployer ',
        scopes: ['manage_deployments', 'see_flows', 'manage_deployments'],
        inherits: 'runner',
      }),
    );
    expect(role).toEqual({
      id: expect.stringMatching(/^role_/) as string,
      accountId: w.account.id,
      name: 'Deployer',
      scopes: ['manage_deployments', 'see_flows', 'see_workspace'],
      inherits: 'runner',
      createdAt: w.clock.now().toISOString(),
    });
    expect(w.store.snapshot().roles).toEqual([role]);
    expect(event).toMatchObject({
      accountId: w.account.id,
      workspaceId: null,
      actor: w.owner,
      action: 'role.created',
      subject: { type: 'role', id: role.id },
      details: { name: 'Deployer', scopes: ['manage_deployments', 'see_flows', 'see_workspace'], inherits: 'runner' },
    });
    // Every member can list the account's custom roles.
    expect(valueOf(await w.kit.listCustomRoles(w.bob, { accountId: w.account.id })).items).toEqual([role]);
  });

  it('ROLE-2 an Admin manages custom roles too (ACC-3)', async () => {
    const w = await world();
    const { value } = await succeeds(w.t, () => w.kit.createCustomRole(w.admin, { accountId: w.account.id, name: 'Ops', scopes: ['manage_work_pools'] }));
    expect(value.inherits).toBeNull();
    await succeeds(w.t, () => w.kit.deleteCustomRole(w.admin, { roleId: value.id }));
  });

  it('ROLE-2 the name is unique in the account: ALREADY_EXISTS naming it; another account may reuse it', async () => {
    const w = await world();
    await succeeds(w.t, () => w.kit.createCustomRole(w.owner, { accountId: w.account.id, name: 'Deployer', scopes: ['manage_deployments'] }));
    expect(
      await fails(w.t, () => w.kit.createCustomRole(w.owner, { accountId: w.account.id, name: ' Deployer ', scopes: ['see_flows'] })),
    ).toMatchObject({ code: 'ALREADY_EXISTS', entity: 'role', key: 'Deployer' });
    const other = await w.seed.organization({ planId: 'enterprise' });
    await succeeds(w.t, () =>
      w.kit.createCustomRole(asUser(other.owner.user.id), { accountId: other.account.id, name: 'Deployer', scopes: ['see_flows'] }),
    );
  });

  it('ROLE-2 an inherited built-in role gives all its scopes, resolved at use: the stored role keeps only its own', async () => {
    const w = await world();
    const { value: role } = await succeeds(w.t, () =>
      w.kit.createCustomRole(w.owner, { accountId: w.account.id, name: 'Deployer', scopes: ['manage_deployments'], inherits: 'runner' }),
    );
    expect(w.store.snapshot().roles[0]!.scopes).toEqual(['manage_deployments', 'see_workspace']);
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: role.id }));
    const explanation = valueOf(await w.kit.explainAccess(w.bob, { workspaceId: w.prod.id }));
    expect(explanation.scopes).toEqual(ordered([...BUILT_IN_ROLE_SCOPES.runner, 'manage_deployments']));
    expect(explanation.sources.run_deployments).toEqual([{ kind: 'grant', role: role.id, roleName: 'Deployer' }]);
    expect(explanation.sources.manage_deployments).toEqual([{ kind: 'grant', role: role.id, roleName: 'Deployer' }]);
    await succeeds(w.t, () => w.kit.trackResources(w.bob, { workspaceId: w.prod.id, resources: [{ kind: 'deployment', name: 'etl' }] }));
    expect(
      await fails(w.t, () => w.kit.trackResources(w.bob, { workspaceId: w.prod.id, resources: [{ kind: 'variable', name: 'v' }] })),
    ).toMatchObject({ code: 'FORBIDDEN', missingScope: 'manage_variables' });
  });

  it('ROLE-2 every custom role holds see_workspace: a grant always shows the workspace it is granted in', async () => {
    const w = await world();
    const role = valueOf(await w.kit.createCustomRole(w.owner, { accountId: w.account.id, name: 'Trigger', scopes: ['run_deployments'] }));
    expect(role.scopes).toEqual(['run_deployments', 'see_workspace']);
  });

  it('ROLE-2 a role needs a scope or an inherited role; unknown scopes and roles are VALIDATION', async () => {
    const w = await world();
    const bad = [
      { accountId: w.account.id, name: 'Empty', scopes: [] },
      { accountId: w.account.id, name: 'Empty', scopes: [], inherits: null },
      { accountId: w.account.id, name: 'Bad', scopes: ['fly_to_the_moon'] },
      { accountId: w.account.id, name: 'Bad', scopes: ['see_flows'], inherits: 'admin' },
      { accountId: w.account.id, name: '   ', scopes: ['see_flows'] },
      { accountId: w.account.id, name: 'x'.repeat(65), scopes: ['see_flows'] },
    ] as unknown as Parameters<typeof w.kit.createCustomRole>[1][];
    for (const input of bad) {
      expect((await fails(w.t, () => w.kit.createCustomRole(w.owner, input))).code, JSON.stringify(input)).toBe('VALIDATION');
    }
    await succeeds(w.t, () => w.kit.createCustomRole(w.owner, { accountId: w.account.id, name: 'Just viewer', scopes: [], inherits: 'viewer' }));
  });

  it.each(['pro', 'team', 'hobby'])('PLAN-3 ROLE-2 custom roles on %s are PLAN_FEATURE_UNAVAILABLE naming customRoles', async (planId) => {
    const w = await smallOrg(planId);
    expect(
      await fails(w.t, () => w.kit.createCustomRole(w.owner, { accountId: w.account.id, name: 'Deployer', scopes: ['manage_deployments'] })),
    ).toEqual({
      code: 'PLAN_FEATURE_UNAVAILABLE',
      message: `plan ${planId} does not include customRoles`,
      feature: 'customRoles',
      planId,
    });
  });

  it('ROLE-2 only holders of manage_custom_roles create or delete one: a Member and a service account are FORBIDDEN naming it', async () => {
    const w = await world();
    const { value: role } = await succeeds(w.t, () =>
      w.kit.createCustomRole(w.owner, { accountId: w.account.id, name: 'Deployer', scopes: ['manage_deployments'] }),
    );
    for (const actor of [w.bob, w.bot!]) {
      expect(
        await fails(w.t, () => w.kit.createCustomRole(actor, { accountId: w.account.id, name: 'Mine', scopes: ['see_flows'] })),
      ).toEqual({ code: 'FORBIDDEN', message: 'missing scope manage_custom_roles', missingScope: 'manage_custom_roles' });
      expect(await fails(w.t, () => w.kit.deleteCustomRole(actor, { roleId: role.id }))).toMatchObject({
        code: 'FORBIDDEN',
        missingScope: 'manage_custom_roles',
      });
    }
    // Even a workspace Owner by grant: custom roles are an account matter.
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.carol, role: 'owner' }));
    expect(
      await fails(w.t, () => w.kit.createCustomRole(w.carol, { accountId: w.account.id, name: 'Mine', scopes: ['see_flows'] })),
    ).toMatchObject({ code: 'FORBIDDEN', missingScope: 'manage_custom_roles' });
  });

  it('ROLE-2 an outsider cannot create or delete roles of an account it does not know: NOT_FOUND', async () => {
    const w = await world();
    const { value: role } = await succeeds(w.t, () =>
      w.kit.createCustomRole(w.owner, { accountId: w.account.id, name: 'Deployer', scopes: ['manage_deployments'] }),
    );
    const stranger = asUser((await w.seed.user()).user.id);
    expect(
      await fails(w.t, () => w.kit.createCustomRole(stranger, { accountId: w.account.id, name: 'Mine', scopes: ['see_flows'] })),
    ).toMatchObject({ code: 'NOT_FOUND', entity: 'account' });
    expect(await fails(w.t, () => w.kit.deleteCustomRole(stranger, { roleId: role.id }))).toMatchObject({
      code: 'NOT_FOUND',
      entity: 'role',
      key: role.id,
    });
  });

  it('ROLE-2 a role used by grants and a default role cannot be deleted: ROLE_IN_USE with the counts', async () => {
    const w = await world();
    const { value: role } = await succeeds(w.t, () =>
      w.kit.createCustomRole(w.owner, { accountId: w.account.id, name: 'Deployer', scopes: ['manage_deployments'], inherits: 'viewer' }),
    );
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: role.id }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.staging.id, grantee: w.bob, role: role.id }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bot!, role: role.id }));
    await succeeds(w.t, () => w.kit.setDefaultWorkspaceRole(w.owner, { workspaceId: w.staging.id, role: role.id }));
    expect(await fails(w.t, () => w.kit.deleteCustomRole(w.owner, { roleId: role.id }))).toEqual({
      code: 'ROLE_IN_USE',
      message: `role ${role.id} is used by 3 grants, 1 default roles and 0 pending invitations`,
      roleId: role.id,
      grants: 3,
      defaultRoles: 1,
      invitations: 0,
    });
    // Release every use; then it goes.
    await succeeds(w.t, () => w.kit.unshareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob }));
    await succeeds(w.t, () => w.kit.changeWorkspaceRole(w.owner, { workspaceId: w.staging.id, grantee: w.bob, role: 'viewer' }));
    await succeeds(w.t, () => w.kit.unshareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bot! }));
    expect(await fails(w.t, () => w.kit.deleteCustomRole(w.owner, { roleId: role.id }))).toMatchObject({
      code: 'ROLE_IN_USE',
      grants: 0,
      defaultRoles: 1,
      invitations: 0,
    });
    await succeeds(w.t, () => w.kit.setDefaultWorkspaceRole(w.owner, { workspaceId: w.staging.id, role: null }));
    const { value: deleted, event } = await succeeds(w.t, () => w.kit.deleteCustomRole(w.owner, { roleId: role.id }));
    expect(deleted).toEqual(role);
    expect(event).toMatchObject({ action: 'role.deleted', subject: { type: 'role', id: role.id }, details: { name: 'Deployer' } });
    expect(w.store.snapshot().roles).toEqual([]);
  });

  it('ROLE-2 a role offered by a pending invitation cannot be deleted: ROLE_IN_USE counts the invitation', async () => {
    const t = createTestKit();
    const ada = await t.seed.user({ handle: 'ada', planId: 'enterprise' });
    const as = asUser(ada.user.id);
    const ws = await t.seed.workspace(ada.account.id, { handle: 'prod' });
    const { value: role } = await succeeds(t, () => t.kit.createCustomRole(as, { accountId: ada.account.id, name: 'Guest', scopes: [], inherits: 'viewer' }));
    const { value: issued } = await succeeds(t, () => t.kit.inviteCollaborator(as, { workspaceId: ws.id, email: 'bob@example.com', role: role.id }));
    expect(await fails(t, () => t.kit.deleteCustomRole(as, { roleId: role.id }))).toMatchObject({
      code: 'ROLE_IN_USE',
      grants: 0,
      defaultRoles: 0,
      invitations: 1,
    });
    await succeeds(t, () => t.kit.revokeInvitation(as, { invitationId: issued.invitation.id }));
    await succeeds(t, () => t.kit.deleteCustomRole(as, { roleId: role.id }));
  });

  it('ROLE-2 deleting an unused role works; a missing one is NOT_FOUND role', async () => {
    const w = await world();
    const { value: role } = await succeeds(w.t, () => w.kit.createCustomRole(w.owner, { accountId: w.account.id, name: 'Unused', scopes: ['see_flows'] }));
    await succeeds(w.t, () => w.kit.deleteCustomRole(w.owner, { roleId: role.id }));
    expect(await fails(w.t, () => w.kit.deleteCustomRole(w.owner, { roleId: role.id }))).toMatchObject({ code: 'NOT_FOUND', entity: 'role', key: role.id });
    // The name is free again.
    await succeeds(w.t, () => w.kit.createCustomRole(w.owner, { accountId: w.account.id, name: 'Unused', scopes: ['see_flows'] }));
  });
});

describe('default workspace role (ROLE-3)', () => {
  it('ROLE-3 applies to every user member of the organization; the workspace version moves; one event', async () => {
    const w = await world('pro');
    expect(errorOf(await w.kit.getWorkspace(w.bob, { workspaceId: w.prod.id })).code).toBe('NOT_FOUND');
    w.clock.advance({ minutes: 2 });
    const { value: ws, event } = await succeeds(w.t, () => w.kit.setDefaultWorkspaceRole(w.owner, { workspaceId: w.prod.id, role: 'viewer' }));
    expect(ws).toMatchObject({ id: w.prod.id, defaultRole: 'viewer', version: 2, updatedAt: w.clock.now().toISOString() });
    expect(w.store.snapshot().workspaces.find((x) => x.id === w.prod.id)).toEqual(ws);
    expect(event).toMatchObject({
      accountId: w.account.id,
      workspaceId: w.prod.id,
      action: 'workspace.default-role-changed',
      subject: { type: 'workspace', id: w.prod.id },
      details: { defaultRole: { from: null, to: 'viewer' }, version: 2 },
    });
    for (const member of [w.bob, w.carol, w.dave, w.eve]) {
      const explanation = valueOf(await w.kit.explainAccess(member, { workspaceId: w.prod.id }));
      expect(explanation.scopes).toEqual(scopesOf('viewer'));
      expect(explanation.sources.see_flows).toEqual([{ kind: 'default-role', role: 'viewer', roleName: 'viewer' }]);
    }
    // The other workspace is unaffected.
    expect(errorOf(await w.kit.getWorkspace(w.bob, { workspaceId: w.staging.id })).code).toBe('NOT_FOUND');
  });

  it('ROLE-3 effective scopes are the union of the default role and the explicit grant, each source listed', async () => {
    const w = await world('pro');
    await succeeds(w.t, () => w.kit.setDefaultWorkspaceRole(w.owner, { workspaceId: w.prod.id, role: 'viewer' }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'worker' }));
    const explanation = valueOf(await w.kit.explainAccess(w.bob, { workspaceId: w.prod.id }));
    expect(explanation.scopes).toEqual(ordered([...BUILT_IN_ROLE_SCOPES.viewer, ...BUILT_IN_ROLE_SCOPES.worker]));
    const grant = { kind: 'grant', role: 'worker', roleName: 'worker' };
    const def = { kind: 'default-role', role: 'viewer', roleName: 'viewer' };
    expect(explanation.sources.see_workspace).toEqual([grant, def]);
    expect(explanation.sources.poll_work_queues).toEqual([grant]);
    expect(explanation.sources.see_flows).toEqual([def]);
    expect(explanation.accountRole).toBe('member');
    // Both halves work in commands: heartbeat from the grant.
    await succeeds(w.t, () => w.kit.trackResources(w.bob, { workspaceId: w.prod.id, resources: [{ kind: 'worker', name: 'w1' }] }));
  });

  it('ROLE-3 null clears the default role: members without a grant lose access at once', async () => {
    const w = await world('pro');
    await succeeds(w.t, () => w.kit.setDefaultWorkspaceRole(w.owner, { workspaceId: w.prod.id, role: 'runner' }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.carol, role: 'viewer' }));
    const { value, event } = await succeeds(w.t, () => w.kit.setDefaultWorkspaceRole(w.owner, { workspaceId: w.prod.id, role: null }));
    expect(value).toMatchObject({ defaultRole: null, version: 3 });
    expect(event.details).toEqual({ defaultRole: { from: 'runner', to: null }, version: 3 });
    expect(errorOf(await w.kit.getWorkspace(w.bob, { workspaceId: w.prod.id })).code).toBe('NOT_FOUND');
    expect(await effective(w.t, w.carol, w.prod.id)).toEqual(scopesOf('viewer'));
  });

  it('ROLE-3 the default role does not apply to service accounts', async () => {
    const w = await world('pro');
    await succeeds(w.t, () => w.kit.setDefaultWorkspaceRole(w.owner, { workspaceId: w.prod.id, role: 'developer' }));
    expect(errorOf(await w.kit.getWorkspace(w.bot!, { workspaceId: w.prod.id })).code).toBe('NOT_FOUND');
    expect(valueOf(await w.kit.listWorkspaces(w.bot!, { accountId: w.account.id })).items).toEqual([]);
    const explained = valueOf(await w.kit.explainAccess(w.owner, { workspaceId: w.prod.id, principal: w.bot! }));
    expect(explained.scopes).toEqual([]);
    expect(explained.accountRole).toBe('member');
    // With a grant, the service account holds the grant only.
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bot!, role: 'viewer' }));
    expect(await effective(w.t, w.bot!, w.prod.id)).toEqual(scopesOf('viewer'));
  });

  it('ROLE-3 the default role gives nothing to users outside the organization', async () => {
    const w = await world('pro');
    await succeeds(w.t, () => w.kit.setDefaultWorkspaceRole(w.owner, { workspaceId: w.prod.id, role: 'developer' }));
    const stranger = asUser((await w.seed.user()).user.id);
    expect(errorOf(await w.kit.getWorkspace(stranger, { workspaceId: w.prod.id })).code).toBe('NOT_FOUND');
  });

  it('ROLE-3 listWorkspaces shows members the workspaces with a default role, and those granted, nothing else', async () => {
    const w = await world('pro');
    const third = await w.seed.workspace(w.account.id, { handle: 'zz-third' });
    await succeeds(w.t, () => w.kit.setDefaultWorkspaceRole(w.owner, { workspaceId: w.staging.id, role: 'viewer' }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'viewer' }));
    expect(valueOf(await w.kit.listWorkspaces(w.bob, { accountId: w.account.id })).items.map((x) => x.handle)).toEqual(['prod', 'staging']);
    expect(valueOf(await w.kit.listWorkspaces(w.carol, { accountId: w.account.id })).items.map((x) => x.handle)).toEqual(['staging']);
    expect(valueOf(await w.kit.listWorkspaces(w.admin, { accountId: w.account.id })).items.map((x) => x.id)).toEqual([
      w.prod.id,
      w.staging.id,
      third.id,
    ]);
  });

  it('ROLE-3 a custom default role applies like a built-in one', async () => {
    const w = await world();
    const { value: role } = await succeeds(w.t, () =>
      w.kit.createCustomRole(w.owner, { accountId: w.account.id, name: 'Vars', scopes: ['manage_variables'], inherits: 'viewer' }),
    );
    await succeeds(w.t, () => w.kit.setDefaultWorkspaceRole(w.owner, { workspaceId: w.prod.id, role: role.id }));
    await succeeds(w.t, () => w.kit.trackResources(w.bob, { workspaceId: w.prod.id, resources: [{ kind: 'variable', name: 'v' }] }));
  });

  it('ROLE-3 without workspace RBAC only Developer can be the default role', async () => {
    const w = await world('team');
    expect(await fails(w.t, () => w.kit.setDefaultWorkspaceRole(w.owner, { workspaceId: w.prod.id, role: 'viewer' }))).toMatchObject({
      code: 'PLAN_FEATURE_UNAVAILABLE',
      feature: 'workspaceRbac',
      planId: 'team',
    });
    await succeeds(w.t, () => w.kit.setDefaultWorkspaceRole(w.owner, { workspaceId: w.prod.id, role: 'developer' }));
  });

  it('ROLE-3 a personal account has no members: VALIDATION; a stale expectedVersion is CONFLICT; an unknown role NOT_FOUND', async () => {
    const t = createTestKit();
    const ada = await t.seed.user({ planId: 'pro' });
    const ws = await t.seed.workspace(ada.account.id);
    expect((await fails(t, () => t.kit.setDefaultWorkspaceRole(asUser(ada.user.id), { workspaceId: ws.id, role: 'viewer' }))).code).toBe('VALIDATION');
    const w = await world('pro');
    await succeeds(w.t, () => w.kit.setDefaultWorkspaceRole(w.owner, { workspaceId: w.prod.id, role: 'viewer', expectedVersion: 1 }));
    expect(
      await fails(w.t, () => w.kit.setDefaultWorkspaceRole(w.owner, { workspaceId: w.prod.id, role: 'runner', expectedVersion: 1 })),
    ).toMatchObject({ code: 'CONFLICT', entity: 'workspace', expectedVersion: 1, actualVersion: 2 });
    expect(
      await fails(w.t, () => w.kit.setDefaultWorkspaceRole(w.owner, { workspaceId: w.prod.id, role: 'role_missing' })),
    ).toMatchObject({ code: 'NOT_FOUND', entity: 'role' });
  });
});

describe('account Owners and Admins (ROLE-4)', () => {
  it('ROLE-4 an Admin holds Owner scopes in every workspace, from its account role', async () => {
    const w = await world('pro');
    for (const ws of [w.prod, w.staging]) {
      const explanation = valueOf(await w.kit.explainAccess(w.admin, { workspaceId: ws.id }));
      expect(explanation.scopes).toEqual([...WORKSPACE_SCOPES]);
      expect(explanation.accountRole).toBe('admin');
      expect(explanation.sources.delete_workspace).toEqual([{ kind: 'account-role', accountRole: 'admin' }]);
    }
    const owner = valueOf(await w.kit.explainAccess(w.owner, { workspaceId: w.prod.id }));
    expect(owner.sources.transfer_workspace).toEqual([{ kind: 'account-role', accountRole: 'owner' }]);
    // It acts on them without any grant.
    await succeeds(w.t, () => w.kit.updateWorkspace(w.admin, { workspaceId: w.prod.id, description: 'by the admin' }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.admin, { workspaceId: w.prod.id, grantee: w.bob, role: 'owner' }));
    await succeeds(w.t, () => w.kit.deleteWorkspace(w.admin, { workspaceId: w.staging.id }));
  });

  it('ROLE-4 an Admin with a grant too sees both sources; demoted to Member, only the grant remains', async () => {
    const w = await world('pro');
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.admin, role: 'viewer' }));
    const explained = valueOf(await w.kit.explainAccess(w.owner, { workspaceId: w.prod.id, principal: w.admin }));
    expect(explained.sources.see_flows).toEqual([
      { kind: 'account-role', accountRole: 'admin' },
      { kind: 'grant', role: 'viewer', roleName: 'viewer' },
    ]);
    await succeeds(w.t, () => w.kit.changeMemberRole(w.owner, { accountId: w.account.id, userId: w.admin.userId, role: 'member' }));
    expect(await effective(w.t, w.admin, w.prod.id)).toEqual(scopesOf('viewer'));
    expect(errorOf(await w.kit.getWorkspace(w.admin, { workspaceId: w.staging.id })).code).toBe('NOT_FOUND');
  });

  it('ROLE-4 the owner of a personal account holds Owner scopes in its workspaces', async () => {
    const t = createTestKit();
    const ada = await t.seed.user();
    const ws = await t.seed.workspace(ada.account.id);
    const explained = valueOf(await t.kit.explainAccess(asUser(ada.user.id), { workspaceId: ws.id }));
    expect(explained.scopes).toEqual([...WORKSPACE_SCOPES]);
    expect(explained.accountRole).toBe('owner');
  });
});

describe('no escalation (ROLE-5)', () => {
  it('ROLE-5 a workspace Owner by grant can grant Owner', async () => {
    const w = await world('pro');
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.carol, role: 'owner' }));
    const { value } = await succeeds(w.t, () => w.kit.shareWorkspace(w.carol, { workspaceId: w.prod.id, grantee: w.bob, role: 'owner' }));
    expect(value.role).toBe('owner');
    await succeeds(w.t, () => w.kit.shareWorkspace(w.carol, { workspaceId: w.prod.id, grantee: w.bot!, role: 'developer' }));
  });

  /** Bob: Developer plus manage_workspace_users, via a custom role. */
  async function delegated() {
    const w = await world();
    const { value: role } = await succeeds(w.t, () =>
      w.kit.createCustomRole(w.owner, { accountId: w.account.id, name: 'Dev lead', scopes: ['manage_workspace_users'], inherits: 'developer' }),
    );
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: role.id }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.dave, role: 'owner' }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.eve, role: 'viewer' }));
    return { ...w, role };
  }

  it('ROLE-5 a Developer with manage_workspace_users grants roles within its own scopes', async () => {
    const w = await delegated();
    await succeeds(w.t, () => w.kit.shareWorkspace(w.bob, { workspaceId: w.prod.id, grantee: w.carol, role: 'developer' }));
    await succeeds(w.t, () => w.kit.changeWorkspaceRole(w.bob, { workspaceId: w.prod.id, grantee: w.carol, role: w.role.id }));
    await succeeds(w.t, () => w.kit.changeWorkspaceRole(w.bob, { workspaceId: w.prod.id, grantee: w.eve, role: 'runner' }));
    await succeeds(w.t, () => w.kit.unshareWorkspace(w.bob, { workspaceId: w.prod.id, grantee: w.eve }));
  });

  it('ROLE-5 it cannot grant a role with scopes it lacks: FORBIDDEN naming the first missing scope', async () => {
    const w = await delegated();
    expect(await fails(w.t, () => w.kit.shareWorkspace(w.bob, { workspaceId: w.prod.id, grantee: w.carol, role: 'owner' }))).toEqual({
      code: 'FORBIDDEN',
      message: 'missing scope manage_workspace_service_accounts',
      missingScope: 'manage_workspace_service_accounts',
    });
    expect(await fails(w.t, () => w.kit.shareWorkspace(w.bob, { workspaceId: w.prod.id, grantee: w.carol, role: 'worker' }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'poll_work_queues',
    });
    // Raising someone else above itself is the same escalation.
    expect(await fails(w.t, () => w.kit.changeWorkspaceRole(w.bob, { workspaceId: w.prod.id, grantee: w.eve, role: 'owner' }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'manage_workspace_service_accounts',
    });
    // Nor can it raise itself.
    expect(await fails(w.t, () => w.kit.changeWorkspaceRole(w.bob, { workspaceId: w.prod.id, grantee: w.bob, role: 'owner' }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'manage_workspace_service_accounts',
    });
    // Nor set a default role above itself.
    expect(await fails(w.t, () => w.kit.setDefaultWorkspaceRole(w.bob, { workspaceId: w.prod.id, role: 'viewer' }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'set_default_workspace_role',
    });
  });

  it('ROLE-5 it cannot change or remove a grant more powerful than itself', async () => {
    const w = await delegated();
    expect(await fails(w.t, () => w.kit.changeWorkspaceRole(w.bob, { workspaceId: w.prod.id, grantee: w.dave, role: 'viewer' }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'manage_workspace_service_accounts',
    });
    expect(await fails(w.t, () => w.kit.unshareWorkspace(w.bob, { workspaceId: w.prod.id, grantee: w.dave }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'manage_workspace_service_accounts',
    });
    expect(await effective(w.t, w.dave, w.prod.id)).toEqual([...WORKSPACE_SCOPES]);
  });

  it('ROLE-5 sharing with a service account needs manage_workspace_service_accounts', async () => {
    const w = await delegated();
    expect(
      await fails(w.t, () => w.kit.shareWorkspace(w.bob, { workspaceId: w.prod.id, grantee: w.bot!, role: 'viewer' })),
    ).toMatchObject({ code: 'FORBIDDEN', missingScope: 'manage_workspace_service_accounts' });
  });

  it.each(['team', 'hobby'])('ROLE-5 without workspace RBAC (%s) every grant is Developer: other roles are PLAN_FEATURE_UNAVAILABLE', async (planId) => {
    const w = await smallOrg(planId);
    for (const role of ['owner', 'runner', 'viewer', 'worker']) {
      expect(
        await fails(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role })),
        role,
      ).toMatchObject({ code: 'PLAN_FEATURE_UNAVAILABLE', feature: 'workspaceRbac', planId });
    }
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'developer' }));
    expect(
      await fails(w.t, () => w.kit.changeWorkspaceRole(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'viewer' })),
    ).toMatchObject({ code: 'PLAN_FEATURE_UNAVAILABLE', feature: 'workspaceRbac' });
  });
});

describe('denied commands (ROLE-6)', () => {
  it('ROLE-6 a Runner is refused every Owner command with FORBIDDEN naming the scope, and nothing changes', async () => {
    const w = await world('pro');
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'runner' }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.carol, role: 'viewer' }));
    const ws = w.prod.id;
    const cases: [string, () => KitResult<unknown>][] = [
      ['write_workspace_settings', () => w.kit.updateWorkspace(w.bob, { workspaceId: ws, description: 'x' })],
      ['delete_workspace', () => w.kit.deleteWorkspace(w.bob, { workspaceId: ws })],
      ['delete_workspace', () => w.kit.previewWorkspaceDeletion(w.bob, { workspaceId: ws })],
      ['manage_workspace_users', () => w.kit.shareWorkspace(w.bob, { workspaceId: ws, grantee: w.dave, role: 'viewer' })],
      ['manage_workspace_users', () => w.kit.changeWorkspaceRole(w.bob, { workspaceId: ws, grantee: w.carol, role: 'runner' })],
      ['manage_workspace_users', () => w.kit.unshareWorkspace(w.bob, { workspaceId: ws, grantee: w.carol })],
      ['manage_workspace_service_accounts', () => w.kit.shareWorkspace(w.bob, { workspaceId: ws, grantee: w.bot!, role: 'viewer' })],
      ['set_default_workspace_role', () => w.kit.setDefaultWorkspaceRole(w.bob, { workspaceId: ws, role: 'viewer' })],
      ['see_workspace_settings', () => w.kit.listWorkspaceAccess(w.bob, { workspaceId: ws })],
      ['manage_workspace_users', () => w.kit.explainAccess(w.bob, { workspaceId: ws, principal: w.carol })],
      ['manage_workspace_users', () => w.kit.inviteCollaborator(w.bob, { workspaceId: ws, email: 'x@example.com' })],
      ['manage_deployments', () => w.kit.trackResources(w.bob, { workspaceId: ws, resources: [{ kind: 'deployment', name: 'd' }] })],
      ['manage_secret_blocks', () => w.kit.trackResources(w.bob, { workspaceId: ws, resources: [{ kind: 'secret-block', name: 's' }] })],
      ['create_workspaces', () => w.kit.createWorkspace(w.bob, { accountId: w.account.id, handle: 'mine' })],
    ];
    for (const [scope, call] of cases) {
      expect(await fails(w.t, call), scope).toEqual({ code: 'FORBIDDEN', message: `missing scope ${scope}`, missingScope: scope });
    }
  });
});

describe('explainAccess (ROLE-3, ROLE-4, ROLE-6)', () => {
  it('ROLE-6 another principal’s access is explained only to holders of manage_workspace_users', async () => {
    const w = await world('pro');
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: 'developer' }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.carol, role: 'owner' }));
    expect(errorOf(await w.kit.explainAccess(w.bob, { workspaceId: w.prod.id, principal: w.carol }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'manage_workspace_users',
    });
    // Its own, named explicitly, needs nothing more.
    expect(valueOf(await w.kit.explainAccess(w.bob, { workspaceId: w.prod.id, principal: w.bob })).scopes).toEqual(scopesOf('developer'));
    const byCarol = valueOf(await w.kit.explainAccess(w.carol, { workspaceId: w.prod.id, principal: w.bob }));
    expect(byCarol).toMatchObject({ workspaceId: w.prod.id, principal: w.bob, accountRole: 'member', notes: [] });
    expect(byCarol.scopes).toEqual(scopesOf('developer'));
    // A principal without access is explained as having none.
    expect(valueOf(await w.kit.explainAccess(w.carol, { workspaceId: w.prod.id, principal: w.dave })).scopes).toEqual([]);
  });

  it('ROLE-6 a workspace the actor cannot see is NOT_FOUND, whoever it asks about', async () => {
    const w = await world('pro');
    for (const principal of [undefined, w.owner]) {
      expect(errorOf(await w.kit.explainAccess(w.bob, { workspaceId: w.prod.id, ...(principal ? { principal } : {}) }))).toMatchObject({
        code: 'NOT_FOUND',
        entity: 'workspace',
      });
    }
  });

  it('ROLE-6 explainAccess is a query: it records nothing', async () => {
    const w = await world('pro');
    const before = w.store.snapshot();
    await w.kit.explainAccess(w.owner, { workspaceId: w.prod.id, principal: w.bob });
    expect(w.store.snapshot()).toEqual(before);
  });
});

describe('authorization over a snapshot (ROLE-7)', () => {
  it('ROLE-7 createAccessSnapshot over the stored records agrees with the kit for every principal, workspace and scope', async () => {
    const w = await world();
    const { value: role } = await succeeds(w.t, () =>
      w.kit.createCustomRole(w.owner, { accountId: w.account.id, name: 'Vars', scopes: ['manage_variables'], inherits: 'runner' }),
    );
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.bob, role: role.id }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.prod.id, grantee: w.carol, role: 'worker' }));
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.staging.id, grantee: w.bot!, role: 'developer' }));
    await succeeds(w.t, () => w.kit.setDefaultWorkspaceRole(w.owner, { workspaceId: w.prod.id, role: 'viewer' }));
    const stranger = asUser((await w.seed.user()).user.id);
    const snap = w.store.snapshot();
    const access = createAccessSnapshot({
      accounts: snap.accounts,
      memberships: snap.memberships,
      serviceAccounts: snap.serviceAccounts,
      workspaces: snap.workspaces,
      customRoles: snap.roles,
      grants: snap.grants,
    });
    const principals: Principal[] = [w.owner, w.admin, w.bob, w.carol, w.dave, w.eve, w.bot!, stranger];
    for (const ws of [w.prod, w.staging]) {
      for (const p of principals) {
        const fromKit = valueOf(await w.kit.explainAccess(w.owner, { workspaceId: ws.id, principal: p })).scopes;
        expect(ordered(access.scopesOf(p, ws.id)), `${JSON.stringify(p)} in ${ws.handle}`).toEqual(fromKit);
        for (const scope of WORKSPACE_SCOPES) {
          expect(access.can(p, scope, ws.id), `${JSON.stringify(p)} ${scope} ${ws.handle}`).toBe(fromKit.includes(scope));
        }
      }
    }
  });
});
