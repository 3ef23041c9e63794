/**
 * A reference model of accounts, members, workspace grants, default roles, custom roles,
 * invitations, service accounts and API keys: plain maps, written from the specification
 * (ACC-3…ACC-6, ROLE-1…ROLE-6, SHR-1, COL-1, COL-2, INV-1…INV-3, SA-1…SA-3, PLAN-2, PLAN-3) and
 * the kit's TSDoc, NOT from src/. It never calls the library's authorization: effective scopes
 * are computed here from the model's own memberships, grants and default roles.
 *
 * It predicts each command's outcome (ok, or the error code with the fields that identify it)
 * and applies successful commands to itself. Where several refusals apply at once the model
 * refuses in this order, which is the order the facade documents its checks in: input
 * validation → existence and visibility (`NOT_FOUND`: what the actor may not see does not
 * exist for it) → the actor's scope (`FORBIDDEN`) → the kind of account (`VALIDATION`) → the
 * role named → the plan feature (`PLAN_FEATURE_UNAVAILABLE`) → no escalation (`FORBIDDEN`) →
 * the state (`ALREADY_EXISTS`, `LAST_OWNER`, `PLAN_LIMIT_REACHED`, `ROLE_IN_USE`, …).
 */
import type { AccountRole } from '../../src/account/account.js';
import type { ErrorCode, WorkspaceKitError } from '../../src/core/errors.js';
import { BUILT_IN_ROLE_SCOPES } from '../../src/role/built-in-roles.js';
import { SCOPE_TIERS, WORKSPACE_SCOPES, type WorkspaceScope } from '../../src/role/scopes.js';

// ---------------------------------------------------------------------------------------------
// Static data: roles and plans as the specification states them
// ---------------------------------------------------------------------------------------------

/** The built-in workspace roles (ROLE-1). */
export type BuiltIn = 'owner' | 'developer' | 'runner' | 'viewer' | 'worker';
export const BUILT_INS: readonly BuiltIn[] = ['owner', 'developer', 'runner', 'viewer', 'worker'];

const isBuiltIn = (ref: string): ref is BuiltIn => (BUILT_INS as readonly string[]).includes(ref);

/**
 * ROLE-1, built from the scope tiers (the catalog of scope names), each role containing the one
 * below it: Viewer ⊂ Runner ⊂ Developer ⊂ Owner, and Owner holds every workspace scope. The spec
 * does not list Worker's scopes, only that they are what a worker needs: taken from the library.
 */
export const MODEL_ROLE_SCOPES: Readonly<Record<BuiltIn, ReadonlySet<WorkspaceScope>>> = (() => {
  const viewer: WorkspaceScope[] = [...SCOPE_TIERS.viewer];
  const runner: WorkspaceScope[] = [...viewer, ...SCOPE_TIERS.runner];
  const developer: WorkspaceScope[] = [...runner, ...SCOPE_TIERS.developer];
  return {
    owner: new Set<WorkspaceScope>(WORKSPACE_SCOPES),
    developer: new Set(developer),
    runner: new Set(runner),
    viewer: new Set(viewer),
    worker: new Set(BUILT_IN_ROLE_SCOPES.worker),
  };
})();

/** ACC-3: the account scopes each account role holds. */
const ACCOUNT_SCOPES: Readonly<Record<AccountRole, ReadonlySet<string>>> = {
  owner: new Set([
    'see_account',
    'see_members',
    'manage_account_settings',
    'manage_members',
    'manage_owners',
    'create_workspaces',
    'read_audit_log',
    'manage_service_accounts',
    'manage_custom_roles',
  ]),
  admin: new Set([
    'see_account',
    'see_members',
    'manage_account_settings',
    'manage_members',
    'create_workspaces',
    'read_audit_log',
    'manage_service_accounts',
    'manage_custom_roles',
  ]),
  member: new Set(['see_account', 'see_members']),
};

/** The plan facts the model needs (PLAN table); `team` has a host-chosen seat limit of 3. */
export interface ModelPlan {
  readonly seats: number | null;
  readonly serviceAccounts: boolean;
  readonly workspaceRbac: boolean;
  readonly customRoles: boolean;
}

export const MODEL_PLANS: Readonly<Record<string, ModelPlan>> = {
  hobby: { seats: 2, serviceAccounts: false, workspaceRbac: false, customRoles: false },
  starter: { seats: 3, serviceAccounts: false, workspaceRbac: false, customRoles: false },
  team: { seats: 3, serviceAccounts: true, workspaceRbac: false, customRoles: false },
  pro: { seats: 25, serviceAccounts: true, workspaceRbac: true, customRoles: false },
  enterprise: { seats: null, serviceAccounts: true, workspaceRbac: true, customRoles: true },
};

/** INV-1: invitations expire after 7 days by default. */
export const INVITATION_DAYS = 7;
const DAY = 86_400_000;
const HOUR = 3_600_000;

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

export type UserName = 'ada' | 'bob' | 'cy' | 'dee' | 'eve' | 'fay';
export const USER_NAMES: readonly UserName[] = ['ada', 'bob', 'cy', 'dee', 'eve', 'fay'];

/** A principal of the model: `u:<name>`, `sa:<service account id>` or `system`. */
export type PKey = `u:${UserName}` | `sa:${string}` | 'system';
/** A principal that can hold a grant or own an API key. */
export type GKey = `u:${UserName}` | `sa:${string}`;

export const userKey = (name: UserName): GKey => `u:${name}`;
export const saKey = (id: string): GKey => `sa:${id}`;
export const isUserKey = (k: PKey): k is `u:${UserName}` => k.startsWith('u:');
export const userOf = (k: `u:${UserName}`): UserName => k.slice(2) as UserName;
export const saIdOf = (k: PKey): string | null => (k.startsWith('sa:') ? k.slice(3) : null);

export interface MUser {
  readonly name: UserName;
  readonly email: string;
  /** `null` while the email has no user (INV-3 may create it). */
  id: string | null;
  personalAccount: string | null;
}

export interface MAccount {
  /** Stable key for messages: `ent`, `tea`, or `p:<user>` for personal accounts. */
  readonly key: string;
  readonly id: string;
  readonly kind: 'personal' | 'organization';
  readonly planId: string;
  /** The owner of a personal account. */
  readonly owner: UserName | null;
  /** Organization members and their account roles. */
  readonly members: Map<UserName, AccountRole>;
}

export interface MWorkspace {
  readonly key: string;
  readonly id: string;
  readonly handle: string;
  readonly account: string;
  defaultRole: string | null;
  /** Grantee → role reference (a built-in name or a custom role id). */
  readonly grants: Map<GKey, string>;
}

export interface MRole {
  readonly id: string;
  readonly account: string;
  readonly name: string;
  readonly scopes: readonly WorkspaceScope[];
  readonly inherits: BuiltIn | null;
  deleted: boolean;
}

export interface MServiceAccount {
  readonly id: string;
  readonly account: string;
  readonly name: string;
  deleted: boolean;
}

export type MTarget = { readonly type: 'account'; readonly role: AccountRole } | { readonly type: 'workspace'; readonly workspace: string; readonly role: string };

export interface MInvitation {
  readonly id: string;
  readonly account: string;
  readonly email: string;
  readonly target: MTarget;
  /** The stored status; `expired` is derived from the time. */
  status: 'pending' | 'accepted' | 'rejected' | 'revoked' | 'expired';
  expiresAt: number;
  /** Every token issued for it, oldest first: only the last one works (INV-2). */
  readonly tokens: string[];
}

export interface MApiKey {
  readonly id: string;
  readonly owner: GKey;
  readonly secret: string;
  expiresAt: number | null;
  revokedAt: number | null;
  /** Replaced by a rotation: a key is rotated once (SA-3). */
  rotated: boolean;
  /** Deleted with its service account. */
  deleted: boolean;
}

/** A predicted outcome. `check` verifies fields of the error that cannot be a constant. */
export type Expected =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code: ErrorCode;
      readonly fields?: Readonly<Record<string, unknown>>;
      readonly check?: (error: WorkspaceKitError) => string | null;
    };

const OK: Expected = { ok: true };
const fail = (code: ErrorCode, fields?: Readonly<Record<string, unknown>>): Expected =>
  fields === undefined ? { ok: false, code } : { ok: false, code, fields };
/** ROLE-5 refusal: `missingScope` must be one of `missing`. */
const escalation = (missing: ReadonlySet<WorkspaceScope>): Expected => ({
  ok: false,
  code: 'FORBIDDEN',
  check: (e) =>
    e.code === 'FORBIDDEN' && missing.has(e.missingScope as WorkspaceScope)
      ? null
      : `missingScope should be one of ${[...missing].join(',')}`,
});

/** One source of a principal's scopes in a workspace (what `explainAccess` reports). */
export type Holding =
  | { readonly kind: 'account-role'; readonly role: 'owner' | 'admin'; readonly scopes: ReadonlySet<WorkspaceScope> }
  | { readonly kind: 'grant' | 'default-role'; readonly role: string; readonly scopes: ReadonlySet<WorkspaceScope> };

/** Counters that show the interesting paths were taken (a vacuous pass is a failure). */
export interface AccessStats {
  ok: number;
  refused: number;
  shared: number;
  escalationRefused: number;
  rbacRefused: number;
  lastOwner: number;
  seatLimit: number;
  roleInUse: number;
  customRoleGrantUsed: number;
  invitationsAccepted: number;
  invitationExpired: number;
  invitationOldToken: number;
  usersCreatedOnAccept: number;
  keysResolved: number;
  keysRefusedExpired: number;
  keysRefusedRevoked: number;
  keysOfDeletedOwner: number;
  keysOfPrincipalWithoutAccess: number;
  intrusions: number;
  membersRemoved: number;
  serviceAccountsDeleted: number;
  leaves: number;
}

export function emptyAccessStats(): AccessStats {
  return {
    ok: 0,
    refused: 0,
    shared: 0,
    escalationRefused: 0,
    rbacRefused: 0,
    lastOwner: 0,
    seatLimit: 0,
    roleInUse: 0,
    customRoleGrantUsed: 0,
    invitationsAccepted: 0,
    invitationExpired: 0,
    invitationOldToken: 0,
    usersCreatedOnAccept: 0,
    keysResolved: 0,
    keysRefusedExpired: 0,
    keysRefusedRevoked: 0,
    keysOfDeletedOwner: 0,
    keysOfPrincipalWithoutAccess: 0,
    intrusions: 0,
    membersRemoved: 0,
    serviceAccountsDeleted: 0,
    leaves: 0,
  };
}

/** What the model resolves a role reference to in an account. */
interface ResolvedModelRole {
  readonly ref: string;
  readonly scopes: ReadonlySet<WorkspaceScope>;
}

function subtract(a: ReadonlySet<WorkspaceScope>, b: ReadonlySet<WorkspaceScope>): Set<WorkspaceScope> {
  const out = new Set<WorkspaceScope>();
  for (const s of a) if (!b.has(s)) out.add(s);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

export class AccessModel {
  readonly users = new Map<UserName, MUser>();
  readonly accounts = new Map<string, MAccount>();
  readonly workspaces = new Map<string, MWorkspace>();
  readonly roles: MRole[] = [];
  readonly serviceAccounts: MServiceAccount[] = [];
  readonly invitations: MInvitation[] = [];
  readonly apiKeys: MApiKey[] = [];
  /** Audit events that must exist (AUD-1): the setup's, plus one per successful command. */
  events = 0;
  now: number;
  readonly stats: AccessStats = emptyAccessStats();

  constructor(now: number) {
    this.now = now;
  }

  // --- lookups ---

  account(key: string): MAccount {
    const a = this.accounts.get(key);
    if (!a) throw new Error(`model: no account ${key}`);
    return a;
  }

  workspace(key: string): MWorkspace {
    const w = this.workspaces.get(key);
    if (!w) throw new Error(`model: no workspace ${key}`);
    return w;
  }

  user(name: UserName): MUser {
    const u = this.users.get(name);
    if (!u) throw new Error(`model: no user ${name}`);
    return u;
  }

  plan(account: MAccount): ModelPlan {
    const p = MODEL_PLANS[account.planId];
    if (!p) throw new Error(`model: no plan ${account.planId}`);
    return p;
  }

  serviceAccount(id: string): MServiceAccount | undefined {
    return this.serviceAccounts.find((s) => s.id === id);
  }

  liveServiceAccount(id: string): MServiceAccount | undefined {
    const sa = this.serviceAccount(id);
    return sa && !sa.deleted ? sa : undefined;
  }

  userByEmail(email: string): MUser | undefined {
    for (const u of this.users.values()) if (u.email === email && u.id !== null) return u;
    return undefined;
  }

  /** Every principal that exists or existed: registered users and every service account. */
  principals(): GKey[] {
    const out: GKey[] = [];
    for (const u of this.users.values()) if (u.id !== null) out.push(userKey(u.name));
    for (const sa of this.serviceAccounts) out.push(saKey(sa.id));
    return out;
  }

  invitationStatus(inv: MInvitation): 'pending' | 'accepted' | 'rejected' | 'revoked' | 'expired' {
    return inv.status === 'pending' && inv.expiresAt <= this.now ? 'expired' : inv.status;
  }

  // --- ACC-3, ROLE-3, ROLE-4: roles and effective scopes ---

  /** The account role a principal holds (ACC-3, SA-1); `null` for none. */
  accountRole(p: PKey, account: MAccount): AccountRole | null {
    if (p === 'system') return 'owner';
    if (isUserKey(p)) {
      const name = userOf(p);
      if (this.user(name).id === null) return null;
      if (account.kind === 'personal') return account.owner === name ? 'owner' : null;
      return account.members.get(name) ?? null;
    }
    const sa = this.liveServiceAccount(saIdOf(p)!);
    return account.kind === 'organization' && sa?.account === account.key ? 'member' : null;
  }

  accountScopes(p: PKey, account: MAccount): ReadonlySet<string> {
    const role = this.accountRole(p, account);
    return role === null ? new Set() : ACCOUNT_SCOPES[role];
  }

  /** A role reference resolved in an account: a built-in role, or a live custom role of it. */
  resolveRole(ref: string, account: MAccount): ResolvedModelRole | null {
    if (isBuiltIn(ref)) return { ref, scopes: MODEL_ROLE_SCOPES[ref] };
    const role = this.roles.find((r) => r.id === ref && !r.deleted && r.account === account.key);
    if (!role) return null;
    const scopes = new Set<WorkspaceScope>(role.scopes);
    if (role.inherits !== null) for (const s of MODEL_ROLE_SCOPES[role.inherits]) scopes.add(s);
    return { ref, scopes };
  }

  /**
   * Where a principal's scopes in a workspace come from (ROLE-3, ROLE-4, SHR-1, COL-1):
   * account Owners and Admins (and a personal account's owner) hold Owner; a grant counts for
   * the members of an organization (users by membership, its own live service accounts) and
   * for users in a personal account; the default role counts for the user members of an
   * organization only.
   */
  holdings(p: GKey, ws: MWorkspace): Holding[] {
    const account = this.account(ws.account);
    const role = this.accountRole(p, account);
    const out: Holding[] = [];
    if (role === 'owner' || role === 'admin') out.push({ kind: 'account-role', role, scopes: MODEL_ROLE_SCOPES.owner });
    const grantRef = ws.grants.get(p);
    const grantCounts = account.kind === 'personal' ? isUserKey(p) : role !== null;
    if (grantRef !== undefined && grantCounts) {
      const resolved = this.resolveRole(grantRef, account);
      if (resolved) out.push({ kind: 'grant', role: grantRef, scopes: resolved.scopes });
    }
    if (ws.defaultRole !== null && isUserKey(p) && account.kind === 'organization' && role !== null) {
      const resolved = this.resolveRole(ws.defaultRole, account);
      if (resolved) out.push({ kind: 'default-role', role: ws.defaultRole, scopes: resolved.scopes });
    }
    return out;
  }

  /** The effective scopes: the union of every holding (the system principal holds Owner). */
  scopes(p: PKey, ws: MWorkspace): ReadonlySet<WorkspaceScope> {
    if (p === 'system') return MODEL_ROLE_SCOPES.owner;
    const out = new Set<WorkspaceScope>();
    for (const h of this.holdings(p, ws)) for (const s of h.scopes) out.add(s);
    return out;
  }

  /** A workspace the principal cannot see (`see_workspace`) does not exist for it. */
  sees(p: PKey, ws: MWorkspace): boolean {
    return this.scopes(p, ws).has('see_workspace');
  }

  /** True when the principal has no role in the account and no scope in any of its workspaces. */
  isolatedFrom(p: PKey, account: MAccount): boolean {
    if (this.accountRole(p, account) !== null) return false;
    for (const ws of this.workspaces.values()) {
      if (ws.account === account.key && p !== 'system' && this.scopes(p, ws).size > 0) return false;
    }
    return true;
  }

  /** PLAN-2: distinct emails holding a membership, a grant or a pending unexpired invitation. */
  seatEmails(account: MAccount, candidate?: string): Set<string> {
    const emails = new Set<string>();
    for (const name of account.members.keys()) emails.add(this.user(name).email);
    for (const ws of this.workspaces.values()) {
      if (ws.account !== account.key) continue;
      for (const g of ws.grants.keys()) if (isUserKey(g)) emails.add(this.user(userOf(g)).email);
    }
    for (const inv of this.invitations) {
      if (inv.account === account.key && this.invitationStatus(inv) === 'pending') emails.add(inv.email);
    }
    if (candidate !== undefined) emails.add(candidate);
    return emails;
  }

  private seatRefusal(account: MAccount, email: string): Expected | null {
    const max = this.plan(account).seats;
    if (max === null) return null;
    if (this.seatEmails(account, email).size <= max) return null;
    return fail('PLAN_LIMIT_REACHED', { limit: 'seats', max, planId: account.planId, current: this.seatEmails(account).size });
  }

  private ownerCount(account: MAccount): number {
    let n = 0;
    for (const r of account.members.values()) if (r === 'owner') n += 1;
    return n;
  }

  /** The invitation holding the pending slot of (account, target, email), expired or not. */
  private slotHolder(account: MAccount, target: MTarget, email: string): MInvitation | undefined {
    return this.invitations.find(
      (i) =>
        i.account === account.key &&
        i.email === email &&
        i.status === 'pending' &&
        i.target.type === target.type &&
        (i.target.type === 'account' || (target.type === 'workspace' && i.target.workspace === target.workspace)),
    );
  }

  /** A live (unexpired) pending invitation holds the slot; an expired one is replaced (INV-1). */
  private pendingSlotTaken(account: MAccount, target: MTarget, email: string): boolean {
    const holder = this.slotHolder(account, target, email);
    return holder !== undefined && this.invitationStatus(holder) === 'pending';
  }

  // --- SHR-1, ROLE-5: sharing ---

  private manageScope(grantee: GKey): WorkspaceScope {
    return isUserKey(grantee) ? 'manage_workspace_users' : 'manage_workspace_service_accounts';
  }

  /** Plan feature and no-escalation checks of a role being granted (ROLE-5, PLAN-3). */
  private grantableRole(account: MAccount, roleRef: string, actorScopes: ReadonlySet<WorkspaceScope>): Expected | ResolvedModelRole {
    const role = this.resolveRole(roleRef, account);
    if (!role) return fail('NOT_FOUND', { entity: 'role' });
    if (role.ref !== 'developer' && !this.plan(account).workspaceRbac) {
      return fail('PLAN_FEATURE_UNAVAILABLE', { feature: 'workspaceRbac', planId: account.planId });
    }
    const missing = subtract(role.scopes, actorScopes);
    if (missing.size > 0) return escalation(missing);
    return role;
  }

  predictShare(actor: PKey, ws: MWorkspace, grantee: GKey, roleRef: string): Expected {
    if (!this.sees(actor, ws)) return fail('NOT_FOUND', { entity: 'workspace' });
    const scopes = this.scopes(actor, ws);
    const need = this.manageScope(grantee);
    if (!scopes.has(need)) return fail('FORBIDDEN', { missingScope: need });
    const account = this.account(ws.account);
    if (account.kind === 'personal') return fail('VALIDATION');
    const role = this.grantableRole(account, roleRef, scopes);
    if ('ok' in role) return role;
    if (isUserKey(grantee)) {
      if (!account.members.has(userOf(grantee))) return fail('NOT_FOUND', { entity: 'membership' });
    } else if (this.liveServiceAccount(saIdOf(grantee)!)?.account !== account.key) {
      return fail('NOT_FOUND', { entity: 'service-account' });
    }
    if (ws.grants.has(grantee)) return fail('ALREADY_EXISTS', { entity: 'grant' });
    return OK;
  }

  applyShare(ws: MWorkspace, grantee: GKey, roleRef: string): void {
    ws.grants.set(grantee, roleRef);
    this.stats.shared += 1;
    if (!isBuiltIn(roleRef)) this.stats.customRoleGrantUsed += 1;
  }

  predictChangeRole(actor: PKey, ws: MWorkspace, grantee: GKey, roleRef: string): Expected {
    if (!this.sees(actor, ws)) return fail('NOT_FOUND', { entity: 'workspace' });
    const scopes = this.scopes(actor, ws);
    const need = this.manageScope(grantee);
    if (!scopes.has(need)) return fail('FORBIDDEN', { missingScope: need });
    const current = ws.grants.get(grantee);
    if (current === undefined) return fail('NOT_FOUND', { entity: 'grant' });
    const account = this.account(ws.account);
    const role = this.grantableRole(account, roleRef, scopes);
    if ('ok' in role) return role;
    // ROLE-5 both ways: nobody changes the access of a holder of scopes it does not hold.
    const old = this.resolveRole(current, account);
    if (old) {
      const missing = subtract(old.scopes, scopes);
      if (missing.size > 0) return escalation(missing);
    }
    return OK;
  }

  applyChangeRole(ws: MWorkspace, grantee: GKey, roleRef: string): void {
    ws.grants.set(grantee, roleRef);
    if (!isBuiltIn(roleRef)) this.stats.customRoleGrantUsed += 1;
  }

  predictUnshare(actor: PKey, ws: MWorkspace, grantee: GKey): Expected {
    if (!this.sees(actor, ws)) return fail('NOT_FOUND', { entity: 'workspace' });
    const scopes = this.scopes(actor, ws);
    const leaving = actor === grantee;
    const need = this.manageScope(grantee);
    if (!leaving && !scopes.has(need)) return fail('FORBIDDEN', { missingScope: need });
    const current = ws.grants.get(grantee);
    if (current === undefined) return fail('NOT_FOUND', { entity: 'grant' });
    if (!leaving) {
      const old = this.resolveRole(current, this.account(ws.account));
      if (old) {
        const missing = subtract(old.scopes, scopes);
        if (missing.size > 0) return escalation(missing);
      }
    }
    return OK;
  }

  applyUnshare(actor: PKey, ws: MWorkspace, grantee: GKey): void {
    ws.grants.delete(grantee);
    if (actor === grantee) this.stats.leaves += 1;
  }

  predictSetDefault(actor: PKey, ws: MWorkspace, roleRef: string | null): Expected {
    if (!this.sees(actor, ws)) return fail('NOT_FOUND', { entity: 'workspace' });
    const scopes = this.scopes(actor, ws);
    if (!scopes.has('set_default_workspace_role')) return fail('FORBIDDEN', { missingScope: 'set_default_workspace_role' });
    const account = this.account(ws.account);
    if (account.kind === 'personal') return fail('VALIDATION');
    if (roleRef !== null) {
      const role = this.grantableRole(account, roleRef, scopes);
      if ('ok' in role) return role;
    }
    return OK;
  }

  applySetDefault(ws: MWorkspace, roleRef: string | null): void {
    ws.defaultRole = roleRef;
  }

  // --- ROLE-2: custom roles ---

  predictCreateRole(
    actor: PKey,
    account: MAccount | null,
    rawName: string,
    scopes: readonly WorkspaceScope[],
    inherits: BuiltIn | null,
  ): Expected {
    const name = rawName.trim();
    if (name.length < 1 || name.length > 64) return fail('VALIDATION');
    if (scopes.length === 0 && inherits === null) return fail('VALIDATION');
    if (!account || this.accountRole(actor, account) === null) return fail('NOT_FOUND', { entity: 'account' });
    if (!this.accountScopes(actor, account).has('manage_custom_roles')) return fail('FORBIDDEN', { missingScope: 'manage_custom_roles' });
    if (!this.plan(account).customRoles) return fail('PLAN_FEATURE_UNAVAILABLE', { feature: 'customRoles' });
    // ROLE-5: only Owners and Admins manage custom roles, and they hold every workspace scope.
    if (this.roles.some((r) => !r.deleted && r.account === account.key && r.name === name)) {
      return fail('ALREADY_EXISTS', { entity: 'role' });
    }
    return OK;
  }

  applyCreateRole(account: MAccount, id: string, rawName: string, scopes: readonly WorkspaceScope[], inherits: BuiltIn | null): void {
    // The kit adds see_workspace to every custom role: a grant always shows its workspace.
    this.roles.push({ id, account: account.key, name: rawName.trim(), scopes: [...new Set<WorkspaceScope>([...scopes, 'see_workspace'])].sort(), inherits, deleted: false });
  }

  /** How many grants, default roles and stored-pending invitations of the account use a role. */
  roleUses(role: MRole): number {
    let n = 0;
    for (const ws of this.workspaces.values()) {
      if (ws.account !== role.account) continue;
      for (const ref of ws.grants.values()) if (ref === role.id) n += 1;
      if (ws.defaultRole === role.id) n += 1;
    }
    // A pending invitation past its expiry can still be resent, so it still holds its role.
    for (const inv of this.invitations) {
      if (inv.account === role.account && inv.status === 'pending' && inv.target.type === 'workspace' && inv.target.role === role.id) n += 1;
    }
    return n;
  }

  predictDeleteRole(actor: PKey, roleId: string): Expected {
    const role = this.roles.find((r) => r.id === roleId && !r.deleted);
    if (!role) return fail('NOT_FOUND', { entity: 'role' });
    const account = this.account(role.account);
    if (this.accountRole(actor, account) === null) return fail('NOT_FOUND', { entity: 'role' });
    if (!this.accountScopes(actor, account).has('manage_custom_roles')) return fail('FORBIDDEN', { missingScope: 'manage_custom_roles' });
    if (this.roleUses(role) > 0) return fail('ROLE_IN_USE', { roleId });
    return OK;
  }

  applyDeleteRole(roleId: string): void {
    const role = this.roles.find((r) => r.id === roleId && !r.deleted)!;
    role.deleted = true;
  }

  // --- ACC-3…ACC-5, PLAN-2: members ---

  predictAddMember(actor: PKey, account: MAccount | null, user: UserName, role: AccountRole): Expected {
    if (!account || this.accountRole(actor, account) === null) return fail('NOT_FOUND', { entity: 'account' });
    const need = role === 'owner' ? 'manage_owners' : 'manage_members';
    if (!this.accountScopes(actor, account).has(need)) return fail('FORBIDDEN', { missingScope: need });
    if (account.kind === 'personal') return fail('VALIDATION');
    const u = this.user(user);
    if (u.id === null) return fail('NOT_FOUND', { entity: 'user' });
    if (account.members.has(user)) return fail('ALREADY_EXISTS', { entity: 'membership' });
    return this.seatRefusal(account, u.email) ?? OK;
  }

  applyAddMember(account: MAccount, user: UserName, role: AccountRole): void {
    account.members.set(user, role);
  }

  predictChangeMember(actor: PKey, account: MAccount | null, user: UserName, role: AccountRole): Expected {
    if (!account || this.accountRole(actor, account) === null) return fail('NOT_FOUND', { entity: 'account' });
    const scopes = this.accountScopes(actor, account);
    if (!scopes.has('manage_members')) return fail('FORBIDDEN', { missingScope: 'manage_members' });
    const current = account.members.get(user);
    if (current === undefined) return fail('NOT_FOUND', { entity: 'membership' });
    // ACC-5: only an Owner grants, revokes or changes the Owner role.
    if ((current === 'owner' || role === 'owner') && !scopes.has('manage_owners')) return fail('FORBIDDEN', { missingScope: 'manage_owners' });
    // ACC-4: the last Owner cannot be demoted.
    if (current === 'owner' && role !== 'owner' && this.ownerCount(account) <= 1) return fail('LAST_OWNER');
    return OK;
  }

  applyChangeMember(account: MAccount, user: UserName, role: AccountRole): void {
    account.members.set(user, role);
  }

  predictRemoveMember(actor: PKey, account: MAccount | null, user: UserName): Expected {
    if (!account || this.accountRole(actor, account) === null) return fail('NOT_FOUND', { entity: 'account' });
    const scopes = this.accountScopes(actor, account);
    const leaving = actor === userKey(user);
    if (!leaving && !scopes.has('manage_members')) return fail('FORBIDDEN', { missingScope: 'manage_members' });
    const current = account.members.get(user);
    if (current === undefined) return fail('NOT_FOUND', { entity: 'membership' });
    if (!leaving && current === 'owner' && !scopes.has('manage_owners')) return fail('FORBIDDEN', { missingScope: 'manage_owners' });
    if (current === 'owner' && this.ownerCount(account) <= 1) return fail('LAST_OWNER');
    return OK;
  }

  /** SHR-1: workspace access in an organization is for its members; leaving ends it at once. */
  applyRemoveMember(account: MAccount, user: UserName): void {
    account.members.delete(user);
    for (const ws of this.workspaces.values()) if (ws.account === account.key) ws.grants.delete(userKey(user));
    this.stats.membersRemoved += 1;
  }

  // --- ACC-6, COL-1, INV-1…INV-3: invitations ---

  predictInviteMember(actor: PKey, account: MAccount | null, email: string, role: AccountRole): Expected {
    if (!account || this.accountRole(actor, account) === null) return fail('NOT_FOUND', { entity: 'account' });
    const need = role === 'owner' ? 'manage_owners' : 'manage_members';
    if (!this.accountScopes(actor, account).has(need)) return fail('FORBIDDEN', { missingScope: need });
    if (account.kind === 'personal') return fail('VALIDATION');
    const existing = this.userByEmail(email);
    if (existing && account.members.has(existing.name)) return fail('ALREADY_EXISTS', { entity: 'membership' });
    const seat = this.seatRefusal(account, email);
    if (seat) return seat;
    if (this.pendingSlotTaken(account, { type: 'account', role }, email)) return fail('ALREADY_EXISTS', { entity: 'invitation' });
    return OK;
  }

  predictInviteCollaborator(actor: PKey, ws: MWorkspace, email: string, roleRef: string): Expected {
    if (!this.sees(actor, ws)) return fail('NOT_FOUND', { entity: 'workspace' });
    const scopes = this.scopes(actor, ws);
    if (!scopes.has('manage_workspace_users')) return fail('FORBIDDEN', { missingScope: 'manage_workspace_users' });
    const account = this.account(ws.account);
    if (account.kind !== 'personal') return fail('VALIDATION');
    const role = this.grantableRole(account, roleRef, scopes);
    if ('ok' in role) return role;
    const existing = this.userByEmail(email);
    if (existing && existing.name === account.owner) return fail('VALIDATION');
    if (existing && ws.grants.has(userKey(existing.name))) return fail('ALREADY_EXISTS', { entity: 'grant' });
    const seat = this.seatRefusal(account, email);
    if (seat) return seat;
    if (this.pendingSlotTaken(account, { type: 'workspace', workspace: ws.key, role: roleRef }, email)) {
      return fail('ALREADY_EXISTS', { entity: 'invitation' });
    }
    return OK;
  }

  applyInvite(id: string, account: MAccount, email: string, target: MTarget, token: string): void {
    // The kit retires an expired holder of the slot (stored `expired`) and issues a new one.
    const holder = this.slotHolder(account, target, email);
    if (holder) holder.status = 'expired';
    this.invitations.push({ id, account: account.key, email, target, status: 'pending', expiresAt: this.now + INVITATION_DAYS * DAY, tokens: [token] });
  }

  /** Managing an invitation: the inviter's rights over its target; one the actor cannot see is `NOT_FOUND`. */
  private authorizeInvitation(actor: PKey, inv: MInvitation): Expected | null {
    if (inv.target.type === 'account') {
      const account = this.account(inv.account);
      if (this.accountRole(actor, account) === null) return fail('NOT_FOUND', { entity: 'invitation' });
      const need = inv.target.role === 'owner' ? 'manage_owners' : 'manage_members';
      return this.accountScopes(actor, account).has(need) ? null : fail('FORBIDDEN', { missingScope: need });
    }
    const ws = this.workspace(inv.target.workspace);
    if (!this.sees(actor, ws)) return fail('NOT_FOUND', { entity: 'invitation' });
    return this.scopes(actor, ws).has('manage_workspace_users') ? null : fail('FORBIDDEN', { missingScope: 'manage_workspace_users' });
  }

  predictResend(actor: PKey, inv: MInvitation | null): Expected {
    if (!inv) return fail('NOT_FOUND', { entity: 'invitation' });
    const refused = this.authorizeInvitation(actor, inv);
    if (refused) return refused;
    if (inv.status !== 'pending') return fail('INVITATION_INVALID', { reason: 'not-pending' });
    // An expired invitation held no seat; resending makes it hold one again (PLAN-2).
    if (this.invitationStatus(inv) === 'expired') return this.seatRefusal(this.account(inv.account), inv.email) ?? OK;
    return OK;
  }

  applyResend(inv: MInvitation, token: string): void {
    inv.tokens.push(token);
    inv.expiresAt = this.now + INVITATION_DAYS * DAY;
  }

  predictRevokeInvitation(actor: PKey, inv: MInvitation | null): Expected {
    if (!inv) return fail('NOT_FOUND', { entity: 'invitation' });
    const refused = this.authorizeInvitation(actor, inv);
    if (refused) return refused;
    if (inv.status !== 'pending') return fail('INVITATION_INVALID', { reason: 'not-pending' });
    return OK;
  }

  applyRevokeInvitation(inv: MInvitation): void {
    inv.status = 'revoked';
  }

  /** The invitation a presented token opens, or why it opens none (INV-2, INV-3). */
  private byToken(inv: MInvitation | null, token: string): Expected | MInvitation {
    if (!inv || inv.tokens[inv.tokens.length - 1] !== token) return fail('INVITATION_INVALID', { reason: 'invalid-token' });
    const status = this.invitationStatus(inv);
    if (status === 'expired') return fail('INVITATION_INVALID', { reason: 'expired' });
    if (status !== 'pending') return fail('INVITATION_INVALID', { reason: 'not-pending' });
    return inv;
  }

  predictAccept(actor: PKey, inv: MInvitation | null, token: string, withNewUser: boolean): Expected {
    const found = this.byToken(inv, token);
    if ('ok' in found) return found;
    let acceptor: MUser | undefined;
    if (actor === 'system') {
      acceptor = this.userByEmail(found.email);
      if (acceptor && withNewUser) return fail('EMAIL_TAKEN');
      if (!acceptor && !withNewUser) return fail('VALIDATION');
    } else if (isUserKey(actor)) {
      if (withNewUser) return fail('VALIDATION');
      acceptor = this.user(userOf(actor));
      if (acceptor.email !== found.email) return fail('INVITATION_INVALID', { reason: 'email-mismatch' });
    } else {
      return fail('INVITATION_INVALID', { reason: 'email-mismatch' });
    }
    if (acceptor) {
      if (found.target.type === 'account') {
        if (this.account(found.account).members.has(acceptor.name)) return fail('ALREADY_EXISTS', { entity: 'membership' });
      } else if (this.workspace(found.target.workspace).grants.has(userKey(acceptor.name))) {
        return fail('ALREADY_EXISTS', { entity: 'grant' });
      }
    }
    return OK;
  }

  /** Applies an accept; `created` is the user (and personal account) made on the way, if any. */
  applyAccept(inv: MInvitation, created: { userId: string; accountId: string } | null): UserName {
    let acceptor = this.userByEmail(inv.email);
    if (!acceptor) {
      acceptor = [...this.users.values()].find((u) => u.email === inv.email)!;
      acceptor.id = created!.userId;
      acceptor.personalAccount = `p:${acceptor.name}`;
      this.accounts.set(acceptor.personalAccount, {
        key: acceptor.personalAccount,
        id: created!.accountId,
        kind: 'personal',
        planId: 'hobby',
        owner: acceptor.name,
        members: new Map(),
      });
      this.stats.usersCreatedOnAccept += 1;
    }
    if (inv.target.type === 'account') this.account(inv.account).members.set(acceptor.name, inv.target.role);
    else this.workspace(inv.target.workspace).grants.set(userKey(acceptor.name), inv.target.role);
    inv.status = 'accepted';
    this.stats.invitationsAccepted += 1;
    return acceptor.name;
  }

  predictReject(actor: PKey, inv: MInvitation | null, token: string): Expected {
    const found = this.byToken(inv, token);
    if ('ok' in found) return found;
    if (actor === 'system') return OK;
    if (isUserKey(actor) && this.user(userOf(actor)).email === found.email) return OK;
    return fail('INVITATION_INVALID', { reason: 'email-mismatch' });
  }

  applyReject(inv: MInvitation): void {
    inv.status = 'rejected';
  }

  // --- SA-1: service accounts ---

  predictCreateServiceAccount(actor: PKey, account: MAccount | null, name: string): Expected {
    if (!account || this.accountRole(actor, account) === null) return fail('NOT_FOUND', { entity: 'account' });
    if (!this.accountScopes(actor, account).has('manage_service_accounts')) return fail('FORBIDDEN', { missingScope: 'manage_service_accounts' });
    if (account.kind !== 'organization') return fail('VALIDATION');
    if (!this.plan(account).serviceAccounts) return fail('PLAN_FEATURE_UNAVAILABLE', { feature: 'serviceAccounts' });
    if (this.serviceAccounts.some((s) => !s.deleted && s.account === account.key && s.name === name)) {
      return fail('ALREADY_EXISTS', { entity: 'service-account' });
    }
    return OK;
  }

  applyCreateServiceAccount(account: MAccount, id: string, name: string): void {
    this.serviceAccounts.push({ id, account: account.key, name, deleted: false });
  }

  predictDeleteServiceAccount(actor: PKey, saId: string): Expected {
    const sa = this.liveServiceAccount(saId);
    if (!sa) return fail('NOT_FOUND', { entity: 'service-account' });
    const account = this.account(sa.account);
    if (this.accountRole(actor, account) === null) return fail('NOT_FOUND', { entity: 'service-account' });
    if (!this.accountScopes(actor, account).has('manage_service_accounts')) return fail('FORBIDDEN', { missingScope: 'manage_service_accounts' });
    return OK;
  }

  /** Deleting a service account deletes its grants and its API keys. */
  applyDeleteServiceAccount(saId: string): void {
    const sa = this.liveServiceAccount(saId)!;
    sa.deleted = true;
    for (const ws of this.workspaces.values()) ws.grants.delete(saKey(saId));
    for (const key of this.apiKeys) if (key.owner === saKey(saId)) key.deleted = true;
    this.stats.serviceAccountsDeleted += 1;
  }

  // --- SA-2, SA-3: API keys ---

  /** Who may manage a key of `owner`: the user itself or the system; for a service account, its managers. */
  private authorizeKeyOwner(actor: PKey, owner: GKey, entity: 'user' | 'service-account' | 'api-key'): Expected | null {
    if (isUserKey(owner)) {
      if (actor !== 'system' && actor !== owner) return fail('NOT_FOUND', { entity: entity === 'api-key' ? 'api-key' : 'user' });
      return this.user(userOf(owner)).id === null ? fail('NOT_FOUND', { entity: 'user' }) : null;
    }
    const sa = this.liveServiceAccount(saIdOf(owner)!);
    const notFound = fail('NOT_FOUND', { entity: entity === 'api-key' ? 'api-key' : 'service-account' });
    if (!sa) return notFound;
    const account = this.account(sa.account);
    if (this.accountRole(actor, account) === null) return notFound;
    return this.accountScopes(actor, account).has('manage_service_accounts') ? null : fail('FORBIDDEN', { missingScope: 'manage_service_accounts' });
  }

  /**
   * `owner` is the service account named, the user named (system), or `null` for "the actor's
   * own key". Resolves who would own it.
   */
  predictCreateKey(actor: PKey, owner: GKey | null, expiresAt: number | null): { expected: Expected; owner: GKey | null } {
    let resolved: GKey;
    if (owner !== null) resolved = owner;
    else if (isUserKey(actor)) resolved = actor;
    else if (actor === 'system') return { expected: fail('VALIDATION'), owner: null };
    else return { expected: fail('FORBIDDEN', { missingScope: 'manage_service_accounts' }), owner: null };
    const refused = this.authorizeKeyOwner(actor, resolved, isUserKey(resolved) ? 'user' : 'service-account');
    if (refused) return { expected: refused, owner: resolved };
    if (expiresAt !== null && expiresAt <= this.now) return { expected: fail('VALIDATION'), owner: resolved };
    return { expected: OK, owner: resolved };
  }

  applyCreateKey(id: string, owner: GKey, secret: string, expiresAt: number | null): void {
    this.apiKeys.push({ id, owner, secret, expiresAt, revokedAt: null, rotated: false, deleted: false });
  }

  liveKeyRecord(id: string): MApiKey | undefined {
    const key = this.apiKeys.find((k) => k.id === id);
    return key && !key.deleted ? key : undefined;
  }

  predictRevokeKey(actor: PKey, keyId: string): Expected {
    const key = this.liveKeyRecord(keyId);
    if (!key) return fail('NOT_FOUND', { entity: 'api-key' });
    return this.authorizeKeyOwner(actor, key.owner, 'api-key') ?? OK;
  }

  applyRevokeKey(keyId: string): void {
    const key = this.liveKeyRecord(keyId)!;
    if (key.revokedAt === null) key.revokedAt = this.now;
  }

  /** Why a key does not authenticate now (SA-2): revoked first, then expired. */
  keyRefusal(key: MApiKey): 'invalid-key' | 'revoked' | 'expired' | null {
    if (key.deleted) return 'invalid-key';
    if (key.revokedAt !== null && key.revokedAt <= this.now) return 'revoked';
    if (key.expiresAt !== null && key.expiresAt <= this.now) return 'expired';
    return null;
  }

  predictRotateKey(actor: PKey, keyId: string): Expected {
    const key = this.liveKeyRecord(keyId);
    if (!key) return fail('NOT_FOUND', { entity: 'api-key' });
    const refused = this.authorizeKeyOwner(actor, key.owner, 'api-key');
    if (refused) return refused;
    // A key is rotated once: its replacement is the key to rotate next.
    if (key.rotated) return fail('CONFLICT', { entity: 'api-key' });
    if (this.keyRefusal(key) !== null) return fail('VALIDATION');
    return OK;
  }

  /**
   * SA-3: a new key with the old one's owner and expiry; the old one keeps working for the
   * overlap (never longer than it would have anyway), or is revoked at once without one.
   */
  applyRotateKey(keyId: string, newId: string, secret: string, overlapHours: number): void {
    const old = this.liveKeyRecord(keyId)!;
    const originalExpiry = old.expiresAt;
    old.rotated = true;
    if (overlapHours === 0) {
      old.revokedAt = this.now;
    } else {
      const end = this.now + overlapHours * HOUR;
      old.expiresAt = old.expiresAt !== null && old.expiresAt < end ? old.expiresAt : end;
    }
    this.apiKeys.push({ id: newId, owner: old.owner, secret, expiresAt: originalExpiry, revokedAt: null, rotated: false, deleted: false });
  }

  // --- bookkeeping ---

  /** Records the outcome of a predicted command (AUD-1: one event per success). */
  note(expected: Expected): void {
    if (expected.ok) {
      this.stats.ok += 1;
      this.events += 1;
      return;
    }
    this.stats.refused += 1;
    if (expected.code === 'FORBIDDEN' && expected.check !== undefined) this.stats.escalationRefused += 1;
    if (expected.code === 'PLAN_FEATURE_UNAVAILABLE') this.stats.rbacRefused += 1;
    if (expected.code === 'LAST_OWNER') this.stats.lastOwner += 1;
    if (expected.code === 'PLAN_LIMIT_REACHED') this.stats.seatLimit += 1;
    if (expected.code === 'ROLE_IN_USE') this.stats.roleInUse += 1;
    if (expected.code === 'INVITATION_INVALID' && expected.fields?.['reason'] === 'expired') this.stats.invitationExpired += 1;
  }
}
