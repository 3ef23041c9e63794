import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_ROLE_SCOPES,
  ACCOUNT_SCOPES,
  BUILT_IN_ROLE_SCOPES,
  WORKSPACE_SCOPES,
  accountRoleOf,
  accountScopesOf,
  asUser,
  hasAccountWideAccess,
  system,
  workspaceScopesOf,
  type AccountAccessSnapshot,
  type AccountId,
  type UserId,
  type WorkspaceScope,
} from '../../src/index.js';
import { createTestKit } from '../../src/testing.js';

const ADA = 'usr_ada' as UserId;
const BOB = 'usr_bob' as UserId;
const personalOf = (owner: UserId): AccountAccessSnapshot => ({
  account: { id: 'acc_p' as AccountId, kind: 'personal', ownerUserId: owner },
  membership: null,
});
const orgWith = (role: 'owner' | 'admin' | 'member' | null): AccountAccessSnapshot => ({
  account: { id: 'acc_o' as AccountId, kind: 'organization', ownerUserId: null },
  membership: role === null ? null : { role },
});

const isStrictSubset = <T>(a: ReadonlySet<T>, b: ReadonlySet<T>) => a.size < b.size && [...a].every((x) => b.has(x));
const minus = <T>(a: ReadonlySet<T>, b: ReadonlySet<T>) => [...a].filter((x) => !b.has(x)).sort();

describe('account role → scopes (ACC-3, ROLE-4)', () => {
  it('ACC-3 the owner of a personal account holds Owner; anyone else holds nothing', () => {
    expect(accountRoleOf(asUser(ADA), personalOf(ADA))).toBe('owner');
    expect(accountRoleOf(asUser(BOB), personalOf(ADA))).toBeNull();
    expect(accountScopesOf(asUser(BOB), personalOf(ADA)).size).toBe(0);
    expect(workspaceScopesOf(asUser(BOB), personalOf(ADA)).size).toBe(0);
  });

  it('ROLE-4 the personal owner holds Owner scopes in its workspaces', () => {
    expect(workspaceScopesOf(asUser(ADA), personalOf(ADA))).toBe(BUILT_IN_ROLE_SCOPES.owner);
    expect(accountScopesOf(asUser(ADA), personalOf(ADA))).toBe(ACCOUNT_ROLE_SCOPES.owner);
  });

  it('ACC-3 organization members hold their membership role; non-members hold none', () => {
    expect(accountRoleOf(asUser(ADA), orgWith('owner'))).toBe('owner');
    expect(accountRoleOf(asUser(ADA), orgWith('admin'))).toBe('admin');
    expect(accountRoleOf(asUser(ADA), orgWith('member'))).toBe('member');
    expect(accountRoleOf(asUser(ADA), orgWith(null))).toBeNull();
  });

  it('ACC-3 an organization has no personal owner: ownerUserId never grants a role there', () => {
    const snapshot: AccountAccessSnapshot = {
      account: { id: 'acc_o' as AccountId, kind: 'organization', ownerUserId: ADA },
      membership: null,
    };
    expect(accountRoleOf(asUser(ADA), snapshot)).toBeNull();
  });

  it('ROLE-4 account Owners and Admins hold implicit workspace Owner scopes', () => {
    expect(workspaceScopesOf(asUser(ADA), orgWith('owner'))).toBe(BUILT_IN_ROLE_SCOPES.owner);
    expect(workspaceScopesOf(asUser(ADA), orgWith('admin'))).toBe(BUILT_IN_ROLE_SCOPES.owner);
  });

  it('ROLE-4 a Member holds no workspace scopes yet (no grants), an outsider none at all', () => {
    expect(workspaceScopesOf(asUser(ADA), orgWith('member')).size).toBe(0);
    expect(workspaceScopesOf(asUser(ADA), orgWith(null)).size).toBe(0);
    expect(accountScopesOf(asUser(ADA), orgWith(null)).size).toBe(0);
  });

  it('ROLE-4 account-wide workspace access: Owners, Admins, the personal owner and the system; not Members or outsiders', () => {
    expect(hasAccountWideAccess(asUser(ADA), orgWith('owner'))).toBe(true);
    expect(hasAccountWideAccess(asUser(ADA), orgWith('admin'))).toBe(true);
    expect(hasAccountWideAccess(asUser(ADA), personalOf(ADA))).toBe(true);
    expect(hasAccountWideAccess(system(), orgWith(null))).toBe(true);
    expect(hasAccountWideAccess(asUser(ADA), orgWith('member'))).toBe(false);
    expect(hasAccountWideAccess(asUser(ADA), orgWith(null))).toBe(false);
    expect(hasAccountWideAccess(asUser(BOB), personalOf(ADA))).toBe(false);
  });

  it('ACC-3 account scopes: a Member sees the account and members only', () => {
    expect([...accountScopesOf(asUser(ADA), orgWith('member'))].sort()).toEqual(['see_account', 'see_members']);
  });

  it('ACC-5 an Admin holds every account scope of an Owner except manage_owners', () => {
    expect(minus(ACCOUNT_ROLE_SCOPES.owner, ACCOUNT_ROLE_SCOPES.admin)).toEqual(['manage_owners']);
    expect(minus(ACCOUNT_ROLE_SCOPES.admin, ACCOUNT_ROLE_SCOPES.owner)).toEqual([]);
    expect(isStrictSubset(ACCOUNT_ROLE_SCOPES.member, ACCOUNT_ROLE_SCOPES.admin)).toBe(true);
  });

  it('ACC-3 an Admin changes settings, manages members, creates workspaces and reads the audit log', () => {
    for (const scope of ['manage_account_settings', 'manage_members', 'create_workspaces', 'read_audit_log', 'manage_service_accounts', 'manage_custom_roles'] as const) {
      expect(ACCOUNT_ROLE_SCOPES.admin.has(scope), scope).toBe(true);
      expect(ACCOUNT_ROLE_SCOPES.member.has(scope), scope).toBe(false);
    }
  });

  it('ACC-3 the Owner holds every account scope', () => {
    expect([...ACCOUNT_ROLE_SCOPES.owner].sort()).toEqual([...ACCOUNT_SCOPES].sort());
  });

  it('ACC-3 the system principal holds Owner in every account and Owner scopes in every workspace', () => {
    for (const snapshot of [personalOf(ADA), orgWith(null), orgWith('member')]) {
      expect(accountRoleOf(system(), snapshot)).toBe('owner');
      expect(accountScopesOf(system(), snapshot)).toBe(ACCOUNT_ROLE_SCOPES.owner);
      expect(workspaceScopesOf(system('cron'), snapshot)).toBe(BUILT_IN_ROLE_SCOPES.owner);
    }
  });
});

describe('built-in workspace roles (ROLE-1)', () => {
  const { owner, developer, runner, viewer, worker } = BUILT_IN_ROLE_SCOPES;

  it('ROLE-1 Owner ⊃ Developer ⊃ Runner ⊃ Viewer, each strictly', () => {
    expect(isStrictSubset(viewer, runner)).toBe(true);
    expect(isStrictSubset(runner, developer)).toBe(true);
    expect(isStrictSubset(developer, owner)).toBe(true);
  });

  it('ROLE-1 Runner adds exactly run_deployments to Viewer', () => {
    expect(minus(runner, viewer)).toEqual(['run_deployments']);
  });

  it('ROLE-1 Viewer sees flows, runs, deployments, work pools, blocks, automations, variables, artifacts, logs and the workspace', () => {
    for (const s of ['see_workspace', 'see_flows', 'see_flow_runs', 'see_deployments', 'see_work_pools', 'see_blocks', 'see_automations', 'see_variables', 'see_artifacts', 'see_logs'] as const) {
      expect(viewer.has(s), s).toBe(true);
    }
    expect([...viewer].every((s) => s.startsWith('see_'))).toBe(true);
    expect(viewer.has('see_secret_blocks')).toBe(false);
    expect(viewer.has('see_workspace_settings')).toBe(false);
  });

  it('ROLE-1 Developer adds running flows, deleting runs, managing resources and secrets, and seeing settings', () => {
    const added = minus(developer, runner);
    for (const s of ['run_flows', 'delete_flow_runs', 'manage_deployments', 'manage_work_pools', 'manage_blocks', 'see_secret_blocks', 'manage_secret_blocks', 'manage_automations', 'manage_variables', 'manage_concurrency_limits', 'see_workspace_settings'] as const) {
      expect(added, s).toContain(s);
    }
    for (const s of ['manage_workspace_users', 'write_workspace_settings', 'delete_workspace', 'transfer_workspace'] as const) {
      expect(developer.has(s), s).toBe(false);
    }
  });

  it('ROLE-1 Owner adds managing users and service accounts, the default role, settings, delete and transfer', () => {
    const added = minus(owner, developer);
    for (const s of ['manage_workspace_users', 'manage_workspace_service_accounts', 'set_default_workspace_role', 'write_workspace_settings', 'delete_workspace', 'transfer_workspace'] as const) {
      expect(added, s).toContain(s);
    }
  });

  it('ROLE-1 Owner holds every workspace scope', () => {
    expect([...owner].sort()).toEqual([...WORKSPACE_SCOPES].sort());
  });

  it('ROLE-1 Worker holds only what polling and submitting work needs', () => {
    for (const s of ['poll_work_queues', 'write_worker_heartbeats', 'write_flow_run_states'] as const) expect(worker.has(s)).toBe(true);
    for (const s of ['run_deployments', 'run_flows', 'manage_deployments', 'manage_blocks', 'see_secret_blocks', 'manage_workspace_users', 'delete_workspace'] as const) {
      expect(worker.has(s), s).toBe(false);
    }
    expect([...worker].every((s) => s.startsWith('see_') || s.startsWith('poll_') || s.startsWith('write_'))).toBe(true);
    expect(isStrictSubset(worker, owner)).toBe(true);
  });

  it('ROLE-1 scope names follow the see_/run_/write_/manage_/delete_/set_/poll_/transfer_ pattern', () => {
    const pattern = /^(see|run|write|manage|delete|set|poll|transfer)_[a-z_]+$/;
    for (const s of WORKSPACE_SCOPES as readonly WorkspaceScope[]) expect(s).toMatch(pattern);
    expect(new Set(WORKSPACE_SCOPES).size).toBe(WORKSPACE_SCOPES.length);
  });
});

describe('authorization through the kit (ROLE-4, ROLE-6)', () => {
  async function world() {
    const t = createTestKit();
    const { account, owner, members } = await t.seed.organization({ handle: 'acme', planId: 'pro', members: ['admin', 'member'] });
    const ws = await t.seed.workspace(account.id, { handle: 'prod' });
    const outsider = await t.seed.user();
    const extra = await t.seed.user();
    return {
      ...t,
      account,
      ws,
      extra,
      owner: asUser(owner.user.id),
      ownerId: owner.user.id,
      admin: asUser(members[0]!.user.user.id),
      adminId: members[0]!.user.user.id,
      member: asUser(members[1]!.user.user.id),
      memberId: members[1]!.user.user.id,
      outsider: asUser(outsider.user.id),
    };
  }

  it('ACC-3 an outsider gets NOT_FOUND for every account command and query, and nothing changes', async () => {
    const w = await world();
    const accountId = w.account.id;
    const before = w.store.snapshot();
    const results = await Promise.all([
      w.kit.getAccount(w.outsider, { accountId }),
      w.kit.getAccountRole(w.outsider, { accountId }),
      w.kit.listMembers(w.outsider, { accountId }),
      w.kit.listWorkspaces(w.outsider, { accountId }),
      w.kit.addMember(w.outsider, { accountId, userId: w.extra.user.id, role: 'member' }),
      w.kit.changeMemberRole(w.outsider, { accountId, userId: w.memberId, role: 'admin' }),
      w.kit.removeMember(w.outsider, { accountId, userId: w.memberId }),
      w.kit.changePlan(w.outsider, { accountId, planId: 'enterprise' }),
      w.kit.createWorkspace(w.outsider, { accountId, handle: 'sneaky' }),
      w.kit.listAuditEvents(w.outsider, { accountId }),
    ]);
    for (const r of results) expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'NOT_FOUND', entity: 'account', key: accountId });
    expect(w.store.snapshot()).toEqual(before);
  });

  it('ROLE-4 an outsider gets NOT_FOUND for every workspace command and query', async () => {
    const w = await world();
    const workspaceId = w.ws.id;
    const before = w.store.snapshot();
    const results = await Promise.all([
      w.kit.getWorkspace(w.outsider, { workspaceId }),
      w.kit.updateWorkspace(w.outsider, { workspaceId, description: 'x' }),
      w.kit.previewWorkspaceDeletion(w.outsider, { workspaceId }),
      w.kit.deleteWorkspace(w.outsider, { workspaceId }),
      w.kit.trackResources(w.outsider, { workspaceId, resources: [{ kind: 'flow', name: 'f' }] }),
    ]);
    for (const r of results) expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'NOT_FOUND', entity: 'workspace', key: workspaceId });
    expect((await w.kit.getWorkspaceByHandle(w.outsider, { fullHandle: 'acme/prod' }))._unsafeUnwrapErr().code).toBe('NOT_FOUND');
    expect(w.store.snapshot()).toEqual(before);
  });

  it('ROLE-4 a Member sees the account and its members but no workspace yet', async () => {
    const w = await world();
    expect((await w.kit.getAccount(w.member, { accountId: w.account.id })).isOk()).toBe(true);
    expect((await w.kit.listMembers(w.member, { accountId: w.account.id }))._unsafeUnwrap().items).toHaveLength(3);
    expect((await w.kit.listWorkspaces(w.member, { accountId: w.account.id }))._unsafeUnwrap()).toEqual({ items: [], nextCursor: null });
    expect((await w.kit.getWorkspace(w.member, { workspaceId: w.ws.id }))._unsafeUnwrapErr().code).toBe('NOT_FOUND');
    expect((await w.kit.updateWorkspace(w.member, { workspaceId: w.ws.id, description: 'x' }))._unsafeUnwrapErr().code).toBe('NOT_FOUND');
  });

  it.each([
    ['create_workspaces', 'createWorkspace'],
    ['manage_members', 'addMember'],
    ['manage_owners', 'addMember as owner'],
    ['manage_members', 'changeMemberRole'],
    ['manage_members', 'removeMember'],
    ['manage_account_settings', 'changePlan'],
    ['read_audit_log', 'listAuditEvents'],
  ] as const)('ROLE-6 a Member is FORBIDDEN naming %s (%s) and nothing changes', async (scope, command) => {
    const w = await world();
    const accountId = w.account.id;
    const before = w.store.snapshot();
    const run = {
      createWorkspace: () => w.kit.createWorkspace(w.member, { accountId, handle: 'mine' }),
      addMember: () => w.kit.addMember(w.member, { accountId, userId: w.extra.user.id, role: 'member' }),
      'addMember as owner': () => w.kit.addMember(w.member, { accountId, userId: w.extra.user.id, role: 'owner' }),
      changeMemberRole: () => w.kit.changeMemberRole(w.member, { accountId, userId: w.adminId, role: 'member' }),
      removeMember: () => w.kit.removeMember(w.member, { accountId, userId: w.adminId }),
      changePlan: () => w.kit.changePlan(w.member, { accountId, planId: 'enterprise' }),
      listAuditEvents: () => w.kit.listAuditEvents(w.member, { accountId }),
    }[command];
    const r = await run();
    expect(r._unsafeUnwrapErr()).toEqual({ code: 'FORBIDDEN', message: `missing scope ${scope}`, missingScope: scope });
    expect(w.store.snapshot()).toEqual(before);
  });

  it('ROLE-6 a Member cannot promote itself', async () => {
    const w = await world();
    const r = await w.kit.changeMemberRole(w.member, { accountId: w.account.id, userId: w.memberId, role: 'admin' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'FORBIDDEN', missingScope: 'manage_members' });
  });

  it('ROLE-4 an Admin has implicit Owner access to every workspace of the account', async () => {
    const w = await world();
    expect((await w.kit.getWorkspace(w.admin, { workspaceId: w.ws.id }))._unsafeUnwrap().id).toBe(w.ws.id);
    expect((await w.kit.listWorkspaces(w.admin, { accountId: w.account.id }))._unsafeUnwrap().items.map((x) => x.id)).toEqual([w.ws.id]);
    expect((await w.kit.updateWorkspace(w.admin, { workspaceId: w.ws.id, handle: 'production' })).isOk()).toBe(true);
    expect((await w.kit.previewWorkspaceDeletion(w.admin, { workspaceId: w.ws.id })).isOk()).toBe(true);
    expect((await w.kit.deleteWorkspace(w.admin, { workspaceId: w.ws.id })).isOk()).toBe(true);
  });

  it('ROLE-4 an Owner’s and Admin’s access stops at their account', async () => {
    const w = await world();
    const other = await w.seed.organization({ planId: 'pro' });
    const foreign = await w.seed.workspace(other.account.id, { handle: 'prod' });
    expect((await w.kit.getWorkspace(w.owner, { workspaceId: foreign.id }))._unsafeUnwrapErr().code).toBe('NOT_FOUND');
    expect((await w.kit.deleteWorkspace(w.admin, { workspaceId: foreign.id }))._unsafeUnwrapErr().code).toBe('NOT_FOUND');
  });

  it('ROLE-4 a demoted Admin loses workspace access at once', async () => {
    const w = await world();
    await w.kit.changeMemberRole(w.owner, { accountId: w.account.id, userId: w.adminId, role: 'member' });
    expect((await w.kit.getWorkspace(w.admin, { workspaceId: w.ws.id }))._unsafeUnwrapErr().code).toBe('NOT_FOUND');
    const r = await w.kit.createWorkspace(w.admin, { accountId: w.account.id, handle: 'after' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'FORBIDDEN', missingScope: 'create_workspaces' });
  });
});

describe('Owner role protection (ACC-5)', () => {
  async function withOwners(extraOwners: number) {
    const t = createTestKit();
    const roles = [...Array.from({ length: extraOwners }, () => 'owner' as const), 'admin' as const, 'member' as const];
    const { account, owner, members } = await t.seed.organization({ planId: 'pro', members: roles });
    const admin = members[extraOwners]!.user;
    const member = members[extraOwners + 1]!.user;
    return { ...t, account, owner, admin, member, owners: [owner, ...members.slice(0, extraOwners).map((m) => m.user)] };
  }

  it('ACC-5 an Admin cannot add an Owner (manage_owners)', async () => {
    const t = await withOwners(0);
    const newcomer = await t.seed.user();
    const before = t.store.snapshot();
    const r = await t.kit.addMember(asUser(t.admin.user.id), { accountId: t.account.id, userId: newcomer.user.id, role: 'owner' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'FORBIDDEN', missingScope: 'manage_owners' });
    expect(t.store.snapshot()).toEqual(before);
  });

  it('ACC-5 an Admin cannot promote a Member or itself to Owner', async () => {
    const t = await withOwners(0);
    const before = t.store.snapshot();
    for (const userId of [t.member.user.id, t.admin.user.id]) {
      const r = await t.kit.changeMemberRole(asUser(t.admin.user.id), { accountId: t.account.id, userId, role: 'owner' });
      expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'FORBIDDEN', missingScope: 'manage_owners' });
    }
    expect(t.store.snapshot()).toEqual(before);
  });

  it('ACC-5 an Admin cannot demote an Owner, even one of several', async () => {
    const t = await withOwners(1);
    const before = t.store.snapshot();
    for (const role of ['admin', 'member'] as const) {
      const r = await t.kit.changeMemberRole(asUser(t.admin.user.id), { accountId: t.account.id, userId: t.owner.user.id, role });
      expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'FORBIDDEN', missingScope: 'manage_owners' });
    }
    expect(t.store.snapshot()).toEqual(before);
  });

  it('ACC-5 an Admin cannot remove an Owner', async () => {
    const t = await withOwners(1);
    const before = t.store.snapshot();
    const r = await t.kit.removeMember(asUser(t.admin.user.id), { accountId: t.account.id, userId: t.owner.user.id });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'FORBIDDEN', missingScope: 'manage_owners' });
    expect(t.store.snapshot()).toEqual(before);
  });

  it('ACC-5 an Admin still manages Admins and Members', async () => {
    const t = await withOwners(0);
    const as = asUser(t.admin.user.id);
    expect((await t.kit.changeMemberRole(as, { accountId: t.account.id, userId: t.member.user.id, role: 'admin' })).isOk()).toBe(true);
    expect((await t.kit.changeMemberRole(as, { accountId: t.account.id, userId: t.member.user.id, role: 'member' })).isOk()).toBe(true);
    expect((await t.kit.removeMember(as, { accountId: t.account.id, userId: t.member.user.id })).isOk()).toBe(true);
  });

  it('ACC-5 an Owner grants and revokes the Owner role', async () => {
    const t = await withOwners(0);
    const as = asUser(t.owner.user.id);
    const newcomer = await t.seed.user();
    expect((await t.kit.addMember(as, { accountId: t.account.id, userId: newcomer.user.id, role: 'owner' }))._unsafeUnwrap().role).toBe('owner');
    expect((await t.kit.changeMemberRole(as, { accountId: t.account.id, userId: t.admin.user.id, role: 'owner' }))._unsafeUnwrap().role).toBe('owner');
    expect((await t.kit.changeMemberRole(as, { accountId: t.account.id, userId: t.admin.user.id, role: 'admin' }))._unsafeUnwrap().role).toBe('admin');
    expect((await t.kit.removeMember(as, { accountId: t.account.id, userId: newcomer.user.id })).isOk()).toBe(true);
  });
});

describe('at least one Owner (ACC-4)', () => {
  it('ACC-4 the last Owner cannot demote itself', async () => {
    const { kit, seed, store } = createTestKit();
    const { account, owner } = await seed.organization({ planId: 'pro', members: ['admin'] });
    const before = store.snapshot();
    for (const role of ['admin', 'member'] as const) {
      const r = await kit.changeMemberRole(asUser(owner.user.id), { accountId: account.id, userId: owner.user.id, role });
      expect(r._unsafeUnwrapErr()).toEqual({
        code: 'LAST_OWNER',
        message: `account ${account.id} must keep at least one Owner`,
        accountId: account.id,
      });
    }
    expect(store.snapshot()).toEqual(before);
  });

  it('ACC-4 the last Owner cannot leave', async () => {
    const { kit, seed, store } = createTestKit();
    const { account, owner } = await seed.organization({ planId: 'pro', members: ['admin'] });
    const before = store.snapshot();
    const r = await kit.removeMember(asUser(owner.user.id), { accountId: account.id, userId: owner.user.id });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'LAST_OWNER', accountId: account.id });
    expect(store.snapshot()).toEqual(before);
  });

  it('ACC-4 not even the system can remove or demote the last Owner', async () => {
    const { kit, seed, store } = createTestKit();
    const { account, owner } = await seed.organization({ planId: 'pro' });
    const before = store.snapshot();
    expect((await kit.removeMember(system(), { accountId: account.id, userId: owner.user.id }))._unsafeUnwrapErr().code).toBe('LAST_OWNER');
    expect((await kit.changeMemberRole(system(), { accountId: account.id, userId: owner.user.id, role: 'admin' }))._unsafeUnwrapErr().code).toBe(
      'LAST_OWNER',
    );
    expect(store.snapshot()).toEqual(before);
  });

  it('ACC-4 with two Owners one may be demoted, then the other is the last', async () => {
    const { kit, seed } = createTestKit();
    const { account, owner, members } = await seed.organization({ planId: 'pro', members: ['owner'] });
    const second = members[0]!.user;
    expect((await kit.changeMemberRole(asUser(owner.user.id), { accountId: account.id, userId: second.user.id, role: 'admin' })).isOk()).toBe(true);
    const r = await kit.changeMemberRole(asUser(owner.user.id), { accountId: account.id, userId: owner.user.id, role: 'admin' });
    expect(r._unsafeUnwrapErr().code).toBe('LAST_OWNER');
    const leave = await kit.removeMember(asUser(owner.user.id), { accountId: account.id, userId: owner.user.id });
    expect(leave._unsafeUnwrapErr().code).toBe('LAST_OWNER');
  });

  it('ACC-4 with two Owners one may remove the other, then cannot leave', async () => {
    const { kit, seed } = createTestKit();
    const { account, owner, members } = await seed.organization({ planId: 'pro', members: ['owner'] });
    const second = members[0]!.user;
    expect((await kit.removeMember(asUser(second.user.id), { accountId: account.id, userId: owner.user.id })).isOk()).toBe(true);
    expect((await kit.removeMember(asUser(second.user.id), { accountId: account.id, userId: second.user.id }))._unsafeUnwrapErr().code).toBe(
      'LAST_OWNER',
    );
    expect((await kit.getAccountRole(asUser(second.user.id), { accountId: account.id }))._unsafeUnwrap()).toBe('owner');
  });

  it('ACC-4 re-affirming the last Owner as owner is not a demotion', async () => {
    const { kit, seed } = createTestKit();
    const { account, owner } = await seed.organization({ planId: 'pro' });
    const r = await kit.changeMemberRole(asUser(owner.user.id), { accountId: account.id, userId: owner.user.id, role: 'owner' });
    expect(r._unsafeUnwrap().role).toBe('owner');
  });
});
