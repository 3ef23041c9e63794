import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_ROLE_SCOPES, WORKSPACE_SCOPES, asUser, system, type WorkspaceScope } from '../../src/index.js';
import { asServiceAccount, type Principal } from '../../src/core/principal.js';
import type { AccountId, RoleId, ServiceAccountId, UserId, WorkspaceId } from '../../src/core/ids.js';
import { createAccessSnapshot, type AccessData, type AccessSource } from '../../src/role/authorize.js';
import type { BuiltInRole } from '../../src/role/built-in-roles.js';
import type { CustomRole, WorkspaceRoleRef } from '../../src/role/custom-role.js';

// Plain records, as an AccessSnapshot is built from them (straight from storage).
type AccountRec = { id: AccountId; kind: 'personal' | 'organization'; ownerUserId: UserId | null };
type MembershipRec = { accountId: AccountId; userId: UserId; role: 'owner' | 'admin' | 'member' };
type ServiceAccountRec = { id: ServiceAccountId; accountId: AccountId };
type WorkspaceRec = { id: WorkspaceId; accountId: AccountId; defaultRole: WorkspaceRoleRef | null };
type GrantRec = {
  workspaceId: WorkspaceId;
  grantee: { type: 'user'; userId: UserId } | { type: 'service-account'; serviceAccountId: ServiceAccountId };
  role: WorkspaceRoleRef;
};
interface Data {
  accounts: AccountRec[];
  memberships: MembershipRec[];
  serviceAccounts: ServiceAccountRec[];
  workspaces: WorkspaceRec[];
  customRoles: CustomRole[];
  grants: GrantRec[];
}

const ALL = new Set<WorkspaceScope>(WORKSPACE_SCOPES);
const OWNER = BUILT_IN_ROLE_SCOPES.owner;
const sorted = (xs: Iterable<WorkspaceScope>): WorkspaceScope[] => [...xs].sort();
const union = (...sets: Iterable<WorkspaceScope>[]): WorkspaceScope[] => sorted(new Set(sets.flatMap((s) => [...s])));
const isSubset = <T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean => [...a].every((x) => b.has(x));
const isStrictSubset = <T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean => a.size < b.size && isSubset(a, b);

// A small world: Ada owns the organization Acme, Ben administers it, Cy and Dee are Members,
// Eve is an outsider; Ada and Eve have personal accounts; bot is Acme's service account, and
// other-bot belongs to the organization Globex.
const ADA = 'usr_ada' as UserId;
const BEN = 'usr_ben' as UserId;
const CY = 'usr_cy' as UserId;
const DEE = 'usr_dee' as UserId;
const EVE = 'usr_eve' as UserId;
const ACME = 'acc_acme' as AccountId;
const GLOBEX = 'acc_globex' as AccountId;
const ADA_P = 'acc_ada' as AccountId;
const EVE_P = 'acc_eve' as AccountId;
const BOT = 'sa_bot' as ServiceAccountId;
const OTHER_BOT = 'sa_other' as ServiceAccountId;
const PROD = 'ws_prod' as WorkspaceId;
const STAGING = 'ws_staging' as WorkspaceId;
const GLOBEX_WS = 'ws_globex' as WorkspaceId;
const ADA_WS = 'ws_ada' as WorkspaceId;
const EVE_WS = 'ws_eve' as WorkspaceId;
const ACME_ROLE = 'role_acme_ops' as RoleId;
const GLOBEX_ROLE = 'role_globex_ops' as RoleId;

const customRole = (id: RoleId, accountId: AccountId, scopes: WorkspaceScope[], inherits: BuiltInRole | null): CustomRole => ({
  id,
  accountId,
  name: `name of ${id}`,
  scopes: sorted(scopes),
  inherits,
  createdAt: '2024-01-01T00:00:00.000Z',
});
const userGrant = (workspaceId: WorkspaceId, userId: UserId, role: WorkspaceRoleRef): GrantRec => ({
  workspaceId,
  grantee: { type: 'user', userId },
  role,
});
const saGrant = (workspaceId: WorkspaceId, serviceAccountId: ServiceAccountId, role: WorkspaceRoleRef): GrantRec => ({
  workspaceId,
  grantee: { type: 'service-account', serviceAccountId },
  role,
});

function world(patch: Partial<Data> = {}): Data {
  return {
    accounts: [
      { id: ACME, kind: 'organization', ownerUserId: null },
      { id: GLOBEX, kind: 'organization', ownerUserId: null },
      { id: ADA_P, kind: 'personal', ownerUserId: ADA },
      { id: EVE_P, kind: 'personal', ownerUserId: EVE },
    ],
    memberships: [
      { accountId: ACME, userId: ADA, role: 'owner' },
      { accountId: ACME, userId: BEN, role: 'admin' },
      { accountId: ACME, userId: CY, role: 'member' },
      { accountId: ACME, userId: DEE, role: 'member' },
      { accountId: GLOBEX, userId: EVE, role: 'owner' },
    ],
    serviceAccounts: [
      { id: BOT, accountId: ACME },
      { id: OTHER_BOT, accountId: GLOBEX },
    ],
    workspaces: [
      { id: PROD, accountId: ACME, defaultRole: null },
      { id: STAGING, accountId: ACME, defaultRole: null },
      { id: GLOBEX_WS, accountId: GLOBEX, defaultRole: null },
      { id: ADA_WS, accountId: ADA_P, defaultRole: null },
      { id: EVE_WS, accountId: EVE_P, defaultRole: null },
    ],
    customRoles: [
      customRole(ACME_ROLE, ACME, ['manage_variables', 'see_secret_blocks'], 'runner'),
      customRole(GLOBEX_ROLE, GLOBEX, ['manage_blocks'], 'developer'),
    ],
    grants: [],
    ...patch,
  };
}

const withDefault = (id: WorkspaceId, defaultRole: WorkspaceRoleRef | null): Partial<Data> => ({
  workspaces: world().workspaces.map((w) => (w.id === id ? { ...w, defaultRole } : w)),
});

const scopesOf = (data: Data, p: Principal, w: WorkspaceId): WorkspaceScope[] => sorted(createAccessSnapshot(data).scopesOf(p, w));

describe('built-in roles (ROLE-1)', () => {
  it('ROLE-1 Owner ⊃ Developer ⊃ Runner ⊃ Viewer, each strictly containing the one below', () => {
    const { owner, developer, runner, viewer } = BUILT_IN_ROLE_SCOPES;
    expect(isStrictSubset(viewer, runner)).toBe(true);
    expect(isStrictSubset(runner, developer)).toBe(true);
    expect(isStrictSubset(developer, owner)).toBe(true);
    expect(sorted(runner).filter((s) => !viewer.has(s))).toEqual(['run_deployments']);
    for (const s of ['run_flows', 'manage_deployments', 'manage_secret_blocks', 'see_workspace_settings'] as const) {
      expect(developer.has(s) && !runner.has(s)).toBe(true);
    }
    for (const s of ['manage_workspace_users', 'set_default_workspace_role', 'write_workspace_settings', 'delete_workspace', 'transfer_workspace'] as const) {
      expect(owner.has(s) && !developer.has(s)).toBe(true);
    }
  });

  it('ROLE-1 Worker ⊆ Owner, and Worker is not a rung of the ladder (it can poll, it cannot see flows)', () => {
    const { owner, worker, developer, viewer } = BUILT_IN_ROLE_SCOPES;
    expect(isSubset(worker, owner)).toBe(true);
    expect(worker.has('poll_work_queues')).toBe(true);
    expect(isSubset(worker, developer)).toBe(false);
    expect(isSubset(viewer, worker)).toBe(false);
  });

  it('ROLE-1 every built-in role holds only catalogued scopes', () => {
    for (const scopes of Object.values(BUILT_IN_ROLE_SCOPES)) expect(isSubset(scopes, ALL)).toBe(true);
  });
});

describe('custom roles (ROLE-2)', () => {
  it('ROLE-2 a custom role inheriting a built-in holds all of its scopes plus its own', () => {
    const data = world({ grants: [userGrant(PROD, CY, ACME_ROLE)] });
    const snapshot = createAccessSnapshot(data);
    const expected = union(BUILT_IN_ROLE_SCOPES.runner, ['manage_variables', 'see_secret_blocks']);
    expect(sorted(snapshot.scopesOf(asUser(CY), PROD))).toEqual(expected);
    for (const s of WORKSPACE_SCOPES) expect(snapshot.can(asUser(CY), s, PROD)).toBe(expected.includes(s));
    expect(snapshot.can(asUser(CY), 'manage_blocks', PROD)).toBe(false);
    const explanation = snapshot.explain(asUser(CY), PROD);
    expect(explanation.sources.run_deployments).toEqual([{ kind: 'grant', role: ACME_ROLE, roleName: `name of ${ACME_ROLE}` }]);
  });

  it('ROLE-2 a custom role without an inherited role holds exactly its own scopes', () => {
    const bare = customRole('role_bare' as RoleId, ACME, ['see_flows', 'run_deployments'], null);
    const data = world({ customRoles: [...world().customRoles, bare], grants: [userGrant(PROD, CY, bare.id)] });
    expect(scopesOf(data, asUser(CY), PROD)).toEqual(['run_deployments', 'see_flows']);
  });

  it('ROLE-2 a custom role of another account grants nothing, as a grant or as a default role', () => {
    const data = world({
      ...withDefault(STAGING, GLOBEX_ROLE),
      grants: [userGrant(PROD, CY, GLOBEX_ROLE), saGrant(PROD, BOT, GLOBEX_ROLE)],
    });
    const snapshot = createAccessSnapshot(data);
    for (const p of [asUser(CY), asServiceAccount(BOT)]) {
      for (const w of [PROD, STAGING]) {
        expect(snapshot.scopesOf(p, w).size).toBe(0);
        expect(snapshot.can(p, 'see_workspace', w)).toBe(false);
        expect(snapshot.explain(p, w).scopes).toEqual([]);
      }
    }
    // In its own account the same role works.
    const home = world({ grants: [userGrant(GLOBEX_WS, EVE, GLOBEX_ROLE)], memberships: [{ accountId: GLOBEX, userId: EVE, role: 'member' }] });
    expect(scopesOf(home, asUser(EVE), GLOBEX_WS)).toEqual(union(BUILT_IN_ROLE_SCOPES.developer, ['manage_blocks']));
  });

  it('ROLE-2 a grant of a role that does not exist grants nothing', () => {
    const data = world({ grants: [userGrant(PROD, CY, 'role_gone' as RoleId)] });
    expect(scopesOf(data, asUser(CY), PROD)).toEqual([]);
  });
});

describe('default workspace role (ROLE-3)', () => {
  it('ROLE-3 the default role applies to the user Members of the organization', () => {
    const snapshot = createAccessSnapshot(world(withDefault(PROD, 'viewer')));
    expect(sorted(snapshot.scopesOf(asUser(CY), PROD))).toEqual(sorted(BUILT_IN_ROLE_SCOPES.viewer));
    expect(snapshot.can(asUser(DEE), 'see_flows', PROD)).toBe(true);
    expect(snapshot.can(asUser(DEE), 'run_deployments', PROD)).toBe(false);
    expect(snapshot.explain(asUser(CY), PROD).sources.see_flows).toEqual([{ kind: 'default-role', role: 'viewer', roleName: 'viewer' }]);
    // Only where it is set.
    expect(snapshot.scopesOf(asUser(CY), STAGING).size).toBe(0);
  });

  it('ROLE-3 the default role does not apply to service accounts, even the organization’s own', () => {
    const snapshot = createAccessSnapshot(world(withDefault(PROD, 'developer')));
    expect(snapshot.scopesOf(asServiceAccount(BOT), PROD).size).toBe(0);
    expect(snapshot.can(asServiceAccount(BOT), 'see_flows', PROD)).toBe(false);
    expect(snapshot.explain(asServiceAccount(BOT), PROD).scopes).toEqual([]);
  });

  it('ROLE-3 the default role does not apply to non-members', () => {
    const snapshot = createAccessSnapshot(world(withDefault(PROD, 'developer')));
    expect(snapshot.scopesOf(asUser(EVE), PROD).size).toBe(0);
    expect(snapshot.can(asUser(EVE), 'see_flows', PROD)).toBe(false);
    expect(snapshot.can(asUser('usr_nobody'), 'see_flows', PROD)).toBe(false);
  });

  it('ROLE-3 a user’s effective scopes are the union of the default role and its explicit grant', () => {
    const snapshot = createAccessSnapshot(world({ ...withDefault(PROD, 'viewer'), grants: [userGrant(PROD, CY, 'worker')] }));
    const expected = union(BUILT_IN_ROLE_SCOPES.viewer, BUILT_IN_ROLE_SCOPES.worker);
    expect(sorted(snapshot.scopesOf(asUser(CY), PROD))).toEqual(expected);
    expect(snapshot.can(asUser(CY), 'see_flows', PROD)).toBe(true); // default role only
    expect(snapshot.can(asUser(CY), 'poll_work_queues', PROD)).toBe(true); // grant only
    expect(snapshot.can(asUser(CY), 'run_deployments', PROD)).toBe(false); // neither
    const explanation = snapshot.explain(asUser(CY), PROD);
    expect(explanation.sources.see_workspace).toEqual([
      { kind: 'grant', role: 'worker', roleName: 'worker' },
      { kind: 'default-role', role: 'viewer', roleName: 'viewer' },
    ]);
  });

  it('ROLE-3 without a default role, a Member without a grant has no access', () => {
    const snapshot = createAccessSnapshot(world());
    expect(snapshot.scopesOf(asUser(CY), PROD).size).toBe(0);
    expect(snapshot.can(asUser(CY), 'see_workspace', PROD)).toBe(false);
  });

  it('ROLE-3 a default role set on a personal workspace gives nothing to non-owners', () => {
    const snapshot = createAccessSnapshot(world(withDefault(ADA_WS, 'developer')));
    expect(snapshot.scopesOf(asUser(CY), ADA_WS).size).toBe(0);
  });
});

describe('implicit Owner access and who a grant counts for (ROLE-4)', () => {
  it('ROLE-4 account Owners and Admins hold Owner in every workspace of their account', () => {
    const snapshot = createAccessSnapshot(
      world({ ...withDefault(PROD, 'viewer'), grants: [userGrant(PROD, ADA, 'viewer'), userGrant(STAGING, BEN, 'worker')] }),
    );
    for (const user of [ADA, BEN]) {
      for (const w of [PROD, STAGING]) {
        expect(sorted(snapshot.scopesOf(asUser(user), w))).toEqual(sorted(OWNER));
        for (const s of OWNER) expect(snapshot.can(asUser(user), s, w)).toBe(true);
        const role = user === ADA ? 'owner' : 'admin';
        expect(snapshot.explain(asUser(user), w).sources.delete_workspace).toEqual([{ kind: 'account-role', accountRole: role }]);
      }
    }
  });

  it('ROLE-4 account Owners and Admins hold nothing in another account’s workspaces', () => {
    const snapshot = createAccessSnapshot(world(withDefault(GLOBEX_WS, 'developer')));
    for (const user of [ADA, BEN]) {
      for (const w of [GLOBEX_WS, EVE_WS]) {
        expect(snapshot.scopesOf(asUser(user), w).size).toBe(0);
        expect(snapshot.can(asUser(user), 'see_workspace', w)).toBe(false);
      }
    }
    // Eve owns Globex: Owner there, nothing in Acme.
    expect(snapshot.can(asUser(EVE), 'transfer_workspace', GLOBEX_WS)).toBe(true);
    expect(snapshot.can(asUser(EVE), 'see_workspace', PROD)).toBe(false);
  });

  it('ROLE-4 the owner of a personal account holds Owner in its workspaces', () => {
    const snapshot = createAccessSnapshot(world());
    expect(sorted(snapshot.scopesOf(asUser(ADA), ADA_WS))).toEqual(sorted(OWNER));
    expect(snapshot.can(asUser(ADA), 'delete_workspace', ADA_WS)).toBe(true);
    expect(snapshot.explain(asUser(ADA), ADA_WS).accountRole).toBe('owner');
    expect(snapshot.can(asUser(ADA), 'see_workspace', EVE_WS)).toBe(false);
  });

  it('COL-1 ROLE-4 a collaborator’s grant in a personal account counts', () => {
    const snapshot = createAccessSnapshot(world({ grants: [userGrant(ADA_WS, EVE, 'developer')] }));
    expect(sorted(snapshot.scopesOf(asUser(EVE), ADA_WS))).toEqual(sorted(BUILT_IN_ROLE_SCOPES.developer));
    expect(snapshot.can(asUser(EVE), 'run_flows', ADA_WS)).toBe(true);
    expect(snapshot.can(asUser(EVE), 'delete_workspace', ADA_WS)).toBe(false);
    expect(snapshot.explain(asUser(EVE), ADA_WS).accountRole).toBeNull();
  });

  it('ROLE-4 a grant to a user who is not a member of the organization gives nothing, and explain() says why', () => {
    const snapshot = createAccessSnapshot(world({ grants: [userGrant(PROD, EVE, 'owner')] }));
    expect(snapshot.scopesOf(asUser(EVE), PROD).size).toBe(0);
    for (const s of WORKSPACE_SCOPES) expect(snapshot.can(asUser(EVE), s, PROD)).toBe(false);
    const explanation = snapshot.explain(asUser(EVE), PROD);
    expect(explanation.scopes).toEqual([]);
    expect(explanation.notes).toEqual(['the grant is ignored: the principal is not a member of the owning account']);
  });

  it('SA-1 ROLE-4 a service account’s grant counts in its own organization, as the grant’s role only', () => {
    const snapshot = createAccessSnapshot(world({ grants: [saGrant(PROD, BOT, 'runner')] }));
    expect(sorted(snapshot.scopesOf(asServiceAccount(BOT), PROD))).toEqual(sorted(BUILT_IN_ROLE_SCOPES.runner));
    expect(snapshot.can(asServiceAccount(BOT), 'run_deployments', PROD)).toBe(true);
    expect(snapshot.can(asServiceAccount(BOT), 'see_workspace', STAGING)).toBe(false);
    expect(snapshot.explain(asServiceAccount(BOT), PROD).accountRole).toBe('member');
  });

  it('ROLE-4 a service account of another account gets nothing from a grant', () => {
    const snapshot = createAccessSnapshot(world({ grants: [saGrant(PROD, OTHER_BOT, 'owner'), saGrant(ADA_WS, BOT, 'developer')] }));
    expect(snapshot.scopesOf(asServiceAccount(OTHER_BOT), PROD).size).toBe(0);
    expect(snapshot.can(asServiceAccount(OTHER_BOT), 'see_workspace', PROD)).toBe(false);
    expect(snapshot.explain(asServiceAccount(OTHER_BOT), PROD).notes).toHaveLength(1);
    // A service account granted in a personal workspace gets nothing either.
    expect(snapshot.can(asServiceAccount(BOT), 'see_workspace', ADA_WS)).toBe(false);
    expect(snapshot.scopesOf(asServiceAccount(BOT), ADA_WS).size).toBe(0);
    // An unknown service account, nothing.
    expect(snapshot.can(asServiceAccount('sa_unknown'), 'see_workspace', PROD)).toBe(false);
  });

  it('ROLE-4 the system principal holds every scope in every workspace', () => {
    const snapshot = createAccessSnapshot(world());
    for (const w of [PROD, STAGING, GLOBEX_WS, ADA_WS, EVE_WS]) {
      expect(sorted(snapshot.scopesOf(system(), w))).toEqual(sorted(ALL));
      for (const s of WORKSPACE_SCOPES) expect(snapshot.can(system(), s, w)).toBe(true);
      expect(snapshot.explain(system(), w).sources.transfer_workspace).toEqual([{ kind: 'system' }]);
    }
  });

  it('ROLE-7 an unknown workspace grants nothing, even to an account Owner', () => {
    const snapshot = createAccessSnapshot(world());
    expect(snapshot.can(asUser(ADA), 'see_workspace', 'ws_unknown' as WorkspaceId)).toBe(false);
    expect(snapshot.scopesOf(asUser(ADA), 'ws_unknown' as WorkspaceId).size).toBe(0);
    expect(snapshot.explain(asUser(ADA), 'ws_unknown' as WorkspaceId).notes).toEqual(['the workspace is not in the snapshot']);
  });

  // For the system principal and a workspace missing from the snapshot, can() once answered
  // true while scopesOf() was empty: all three now agree that it holds nothing there.
  it('ROLE-7 can(), scopesOf() and explain() agree for the system principal on an unknown workspace', () => {
    const snapshot = createAccessSnapshot(world());
    const unknown = 'ws_unknown' as WorkspaceId;
    expect(snapshot.can(system(), 'see_workspace', unknown)).toBe(snapshot.scopesOf(system(), unknown).has('see_workspace'));
  });

  // AccessData declares Iterable inputs: each is read once, so a one-shot iterable (a
  // generator, a database cursor) gives the same snapshot as an array.
  it('ROLE-7 a snapshot built from one-shot iterables equals one built from arrays', () => {
    const data = world({ ...withDefault(PROD, 'viewer'), grants: [userGrant(STAGING, CY, 'developer')] });
    function* once<T>(xs: readonly T[]): Generator<T> {
      yield* xs;
    }
    const fromIterables = createAccessSnapshot({
      accounts: once(data.accounts),
      memberships: once(data.memberships),
      serviceAccounts: once(data.serviceAccounts),
      workspaces: once(data.workspaces),
      customRoles: once(data.customRoles),
      grants: once(data.grants),
    });
    expect(sorted(fromIterables.scopesOf(asUser(CY), STAGING))).toEqual(sorted(BUILT_IN_ROLE_SCOPES.developer));
  });
});

// --- Properties ---------------------------------------------------------------------------

const USERS = ['usr_0', 'usr_1', 'usr_2', 'usr_3', 'usr_4', 'usr_5'] as UserId[];
const ORGS = ['acc_o0', 'acc_o1', 'acc_o2'] as AccountId[];
const PERSONAL = USERS.map((u) => `acc_${u}` as AccountId);
/** Accounts a record may point to: every account, and one missing from the data. */
const ACCOUNT_REFS = [...ORGS, ...PERSONAL, 'acc_missing' as AccountId];
const SERVICE_ACCOUNTS = ['sa_0', 'sa_1', 'sa_2', 'sa_3'] as ServiceAccountId[];
const WORKSPACES = ['ws_0', 'ws_1', 'ws_2', 'ws_3', 'ws_4', 'ws_5', 'ws_6', 'ws_7'] as WorkspaceId[];
const ROLE_IDS = ['role_0', 'role_1', 'role_2', 'role_3'] as RoleId[];
const BUILT_INS: BuiltInRole[] = ['owner', 'developer', 'runner', 'viewer', 'worker'];
const ROLE_REFS: WorkspaceRoleRef[] = [...BUILT_INS, ...ROLE_IDS, 'role_missing' as RoleId];

const granteeArb = fc.oneof(
  fc.constantFrom(...USERS, 'usr_stranger' as UserId).map((userId) => ({ type: 'user' as const, userId })),
  fc.constantFrom(...SERVICE_ACCOUNTS, 'sa_stranger' as ServiceAccountId).map((serviceAccountId) => ({ type: 'service-account' as const, serviceAccountId })),
);
const grantArb: fc.Arbitrary<GrantRec> = fc.record({
  workspaceId: fc.constantFrom(...WORKSPACES, 'ws_missing' as WorkspaceId),
  grantee: granteeArb,
  role: fc.constantFrom(...ROLE_REFS),
});
const granteeKey = (g: GrantRec): string =>
  `${g.workspaceId}/${g.grantee.type === 'user' ? g.grantee.userId : g.grantee.serviceAccountId}`;

/** Mostly organizations (where roles interact), sometimes a personal or a missing account. */
const accountRefArb = fc.oneof(
  { arbitrary: fc.constantFrom(...ORGS), weight: 4 },
  { arbitrary: fc.constantFrom(...ACCOUNT_REFS), weight: 1 },
);

/** Random data sets over a few ids, so that memberships, grants and roles collide often. */
const dataArb: fc.Arbitrary<Data> = fc
  .record({
    orgOwnerIds: fc.array(fc.option(fc.constantFrom(...USERS), { nil: null }), { minLength: ORGS.length, maxLength: ORGS.length }),
    memberships: fc.uniqueArray(
      fc.record({
        accountId: accountRefArb,
        userId: fc.constantFrom(...USERS),
        role: fc.constantFrom('member' as const, 'member' as const, 'owner' as const, 'admin' as const),
      }),
      { selector: (m) => `${m.accountId}/${m.userId}`, minLength: 2, maxLength: 14 },
    ),
    serviceAccountHomes: fc.array(accountRefArb, { minLength: SERVICE_ACCOUNTS.length, maxLength: SERVICE_ACCOUNTS.length }),
    workspaces: fc.array(
      fc.record({ accountId: accountRefArb, defaultRole: fc.option(fc.constantFrom(...ROLE_REFS), { nil: null }) }),
      { minLength: WORKSPACES.length, maxLength: WORKSPACES.length },
    ),
    customRoles: fc.array(
      fc.record({
        accountId: fc.constantFrom(...ACCOUNT_REFS),
        scopes: fc.uniqueArray(fc.constantFrom(...WORKSPACE_SCOPES), { maxLength: 6 }),
        inherits: fc.option(fc.constantFrom(...BUILT_INS), { nil: null }),
      }),
      { minLength: ROLE_IDS.length, maxLength: ROLE_IDS.length },
    ),
    grants: fc.uniqueArray(grantArb, { selector: granteeKey, maxLength: 24 }),
  })
  .map(
    (r): Data => ({
      accounts: [
        // An organization's ownerUserId must never count: it is set at random here.
        ...ORGS.map((id, i) => ({ id, kind: 'organization' as const, ownerUserId: r.orgOwnerIds[i] ?? null })),
        ...USERS.map((u, i) => ({ id: PERSONAL[i]!, kind: 'personal' as const, ownerUserId: u })),
      ],
      memberships: r.memberships,
      serviceAccounts: SERVICE_ACCOUNTS.map((id, i) => ({ id, accountId: r.serviceAccountHomes[i]! })),
      workspaces: WORKSPACES.map((id, i) => ({ id, ...r.workspaces[i]! })),
      customRoles: ROLE_IDS.map((id, i) => customRole(id, r.customRoles[i]!.accountId, r.customRoles[i]!.scopes, r.customRoles[i]!.inherits)),
      grants: r.grants,
    }),
  );

/**
 * A grant to add to a data set: half of the time to a member or service account of the
 * workspace's own account (where it can interact with the default role and account roles),
 * else any grant.
 */
const extraGrantArb: fc.Arbitrary<(data: Data) => GrantRec> = fc
  .record({ related: fc.boolean(), workspace: fc.nat(), grantee: fc.nat(), role: fc.constantFrom(...ROLE_REFS), any: grantArb })
  .map((r) => (data: Data): GrantRec => {
    if (!r.related) return r.any;
    const w = data.workspaces[r.workspace % data.workspaces.length]!;
    const candidates: GrantRec['grantee'][] = [
      ...data.memberships.filter((m) => m.accountId === w.accountId).map((m) => ({ type: 'user' as const, userId: m.userId })),
      ...data.serviceAccounts
        .filter((a) => a.accountId === w.accountId)
        .map((a) => ({ type: 'service-account' as const, serviceAccountId: a.id })),
    ];
    if (candidates.length === 0) return r.any;
    return { workspaceId: w.id, grantee: candidates[r.grantee % candidates.length]!, role: r.role };
  });

const PRINCIPALS: Principal[] = [
  ...USERS.map((u) => asUser(u)),
  asUser('usr_stranger'),
  ...SERVICE_ACCOUNTS.map((s) => asServiceAccount(s)),
  asServiceAccount('sa_stranger'),
  system('prop'),
];
const CHECKED_WORKSPACES = [...WORKSPACES, 'ws_missing' as WorkspaceId];

/** The scopes a role reference stands for in `accountId`, resolved from the records alone. */
function roleScopes(data: Data, ref: WorkspaceRoleRef, accountId: AccountId): ReadonlySet<WorkspaceScope> {
  if ((BUILT_INS as string[]).includes(ref)) return BUILT_IN_ROLE_SCOPES[ref as BuiltInRole];
  const role = data.customRoles.find((r) => r.id === ref && r.accountId === accountId);
  if (!role) return new Set();
  return new Set([...role.scopes, ...(role.inherits === null ? [] : BUILT_IN_ROLE_SCOPES[role.inherits])]);
}

/** True when `source` really gives `scope` to `principal` in `workspace`, per the records. */
function sourceGives(data: Data, principal: Principal, workspace: WorkspaceRec, source: AccessSource, scope: WorkspaceScope): boolean {
  switch (source.kind) {
    case 'system':
      return principal.type === 'system' && OWNER.has(scope);
    case 'account-role': {
      if (principal.type !== 'user') return false;
      const account = data.accounts.find((a) => a.id === workspace.accountId);
      const holds =
        account?.kind === 'personal'
          ? account.ownerUserId === principal.userId && source.accountRole === 'owner'
          : data.memberships.some((m) => m.accountId === workspace.accountId && m.userId === principal.userId && m.role === source.accountRole);
      return holds && OWNER.has(scope);
    }
    case 'grant': {
      if (principal.type === 'system') return false;
      const mine = data.grants.filter(
        (g) =>
          g.workspaceId === workspace.id &&
          (principal.type === 'user'
            ? g.grantee.type === 'user' && g.grantee.userId === principal.userId
            : g.grantee.type === 'service-account' && g.grantee.serviceAccountId === principal.serviceAccountId),
      );
      return mine.some((g) => g.role === source.role) && roleScopes(data, source.role, workspace.accountId).has(scope);
    }
    case 'default-role':
      return (
        principal.type === 'user' &&
        workspace.defaultRole === source.role &&
        roleScopes(data, source.role, workspace.accountId).has(scope)
      );
  }
}

describe('properties of the snapshot (ROLE-3, ROLE-4, ROLE-7)', () => {
  it('ROLE-7 can() = scopesOf().has() = explain().scopes.includes(), and every explained scope has a source that gives it', () => {
    fc.assert(
      fc.property(dataArb, (data) => {
        const snapshot = createAccessSnapshot(data);
        const problems: string[] = [];
        for (const p of PRINCIPALS) {
          for (const w of CHECKED_WORKSPACES) {
            const workspace = data.workspaces.find((x) => x.id === w);
            const scopes = snapshot.scopesOf(p, w);
            const explanation = snapshot.explain(p, w);
            const at = `${JSON.stringify(p)} in ${w}`;
            // Collected, then asserted once: an expect() per scope makes the property slow.
            for (const s of WORKSPACE_SCOPES) {
              const can = snapshot.can(p, s, w);
              if (scopes.has(s) !== can) problems.push(`${at}: can(${s}) ${can}, scopesOf ${!can}`);
              if (explanation.scopes.includes(s) !== can) problems.push(`${at}: can(${s}) ${can}, explain ${!can}`);
            }
            if (explanation.scopes.join() !== WORKSPACE_SCOPES.filter((s) => scopes.has(s)).join()) {
              problems.push(`${at}: explain().scopes not in catalog order`);
            }
            for (const s of explanation.scopes) {
              const sources = explanation.sources[s] ?? [];
              if (sources.length === 0) problems.push(`${at}: ${s} has no source`);
              for (const source of sources) {
                if (!(workspace !== undefined && sourceGives(data, p, workspace, source, s))) {
                  problems.push(`${at}: ${JSON.stringify(source)} does not give ${s}`);
                }
              }
            }
            if (Object.keys(explanation.sources).sort().join() !== [...explanation.scopes].sort().join()) {
              problems.push(`${at}: sources listed for scopes not held`);
            }
          }
        }
        expect(problems).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('ROLE-3 ROLE-4 can() is monotone in grants: adding a grant never removes a permission', () => {
    fc.assert(
      fc.property(dataArb, extraGrantArb, (data, pickExtra) => {
        const extra = pickExtra(data);
        // A grantee holds at most one grant per workspace: the extra grant is a new one.
        fc.pre(!data.grants.some((g) => granteeKey(g) === granteeKey(extra)));
        const before = createAccessSnapshot(data);
        const after = createAccessSnapshot({ ...data, grants: [...data.grants, extra] });
        const lost: string[] = [];
        for (const p of PRINCIPALS) {
          for (const w of CHECKED_WORKSPACES) {
            for (const s of WORKSPACE_SCOPES) if (before.can(p, s, w) && !after.can(p, s, w)) lost.push(`${JSON.stringify(p)} ${s} ${w}`);
          }
        }
        expect(lost).toEqual([]);
        // Only the grantee's access in that workspace may change.
        for (const p of PRINCIPALS) {
          for (const w of CHECKED_WORKSPACES) {
            if (w === extra.workspaceId && JSON.stringify(p) === JSON.stringify(extra.grantee)) continue;
            expect(sorted(after.scopesOf(p, w))).toEqual(sorted(before.scopesOf(p, w)));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('ROLE-7 the snapshot does not depend on the order of the records', () => {
    fc.assert(
      fc.property(dataArb, fc.integer({ min: 1, max: 1000 }), (data, seed) => {
        const rotate = <T>(xs: readonly T[]): T[] => (xs.length === 0 ? [] : [...xs.slice(seed % xs.length), ...xs.slice(0, seed % xs.length)].reverse());
        const a = createAccessSnapshot(data);
        const b = createAccessSnapshot({
          accounts: rotate(data.accounts),
          memberships: rotate(data.memberships),
          serviceAccounts: rotate(data.serviceAccounts),
          workspaces: rotate(data.workspaces),
          customRoles: rotate(data.customRoles),
          grants: rotate(data.grants),
        } satisfies AccessData);
        for (const p of PRINCIPALS) for (const w of CHECKED_WORKSPACES) expect(sorted(b.scopesOf(p, w))).toEqual(sorted(a.scopesOf(p, w)));
      }),
      { numRuns: 100 },
    );
  });
});
