import type { Account, AccountKind, AccountRole, Membership } from '../account/account.js';
import type { ServiceAccount } from '../account/service-account.js';
import type { AccountId, RoleId, WorkspaceId } from '../core/ids.js';
import type { Principal } from '../core/principal.js';
import type { WorkspaceGrant } from '../workspace/grant.js';
import type { Workspace } from '../workspace/workspace.js';
import { BUILT_IN_ROLE_SCOPES } from './built-in-roles.js';
import { resolveRole, type CustomRole, type ResolvedRole, type WorkspaceRoleRef } from './custom-role.js';
import { WORKSPACE_SCOPES, type WorkspaceScope } from './scopes.js';

const OWNER_SCOPES = BUILT_IN_ROLE_SCOPES.owner;
const NO_SCOPES: ReadonlySet<WorkspaceScope> = new Set();

/**
 * Everything one principal's access to one workspace depends on (ROLE-3, ROLE-4): the kind of
 * the owning account, the principal's account role there, its explicit grant and the
 * workspace's default role, roles already resolved to scopes.
 */
export interface AccessFacts {
  readonly accountKind: AccountKind;
  /**
   * The principal's account role in the owning account: the owner of a personal account holds
   * `owner`, an organization's users their membership role, its service accounts `member`
   * (SA-1); `null` for everyone else.
   */
  readonly accountRole: AccountRole | null;
  /** The principal's explicit grant in the workspace, resolved; `null` without one. */
  readonly grant: ResolvedRole | null;
  /** The workspace's default role, resolved; `null` when unset. */
  readonly defaultRole: ResolvedRole | null;
}

/** Where a scope came from, as {@link explainAccess} reports it. */
export type AccessSource =
  | { readonly kind: 'system' }
  /** Account Owners and Admins (and a personal account's owner) hold Owner everywhere (ROLE-4). */
  | { readonly kind: 'account-role'; readonly accountRole: 'owner' | 'admin' }
  | { readonly kind: 'grant'; readonly role: WorkspaceRoleRef; readonly roleName: string }
  | { readonly kind: 'default-role'; readonly role: WorkspaceRoleRef; readonly roleName: string };

/** A principal's effective scopes in a workspace and, for each, every source that gives it. */
export interface AccessExplanation {
  /** The effective scopes, in catalog order. */
  readonly scopes: readonly WorkspaceScope[];
  /** For each effective scope, its sources. */
  readonly sources: Readonly<Partial<Record<WorkspaceScope, readonly AccessSource[]>>>;
  /** The principal's account role in the owning account, if any. */
  readonly accountRole: AccountRole | null;
  /** Why a grant or default role does not count, when one exists but is ignored. */
  readonly notes: readonly string[];
}

/** The roles that apply to `principal` given `facts`, each with the source it is reported as. */
function applicable(principal: Principal, facts: AccessFacts): { sources: [AccessSource, ReadonlySet<WorkspaceScope>][]; notes: string[] } {
  const sources: [AccessSource, ReadonlySet<WorkspaceScope>][] = [];
  const notes: string[] = [];
  if (principal.type === 'system') {
    sources.push([{ kind: 'system' }, OWNER_SCOPES]);
    return { sources, notes };
  }
  const role = facts.accountRole;
  if (role === 'owner' || role === 'admin') sources.push([{ kind: 'account-role', accountRole: role }, OWNER_SCOPES]);
  // In an organization only its members (and its own service accounts) hold workspace access:
  // a grant left behind by a departed member gives nothing.
  const grantCounts = facts.accountKind === 'personal' ? principal.type === 'user' : role !== null;
  if (facts.grant !== null) {
    if (grantCounts) {
      sources.push([{ kind: 'grant', role: facts.grant.ref, roleName: facts.grant.name }, facts.grant.scopes]);
    } else {
      notes.push('the grant is ignored: the principal is not a member of the owning account');
    }
  }
  // ROLE-3: the default role applies to the user members of an organization, never to
  // service accounts.
  if (facts.defaultRole !== null && principal.type === 'user' && facts.accountKind === 'organization' && role !== null) {
    sources.push([{ kind: 'default-role', role: facts.defaultRole.ref, roleName: facts.defaultRole.name }, facts.defaultRole.scopes]);
  }
  return { sources, notes };
}

/**
 * A principal's effective scopes in a workspace (ROLE-3, ROLE-4): the union of its implicit
 * Owner access (account Owners/Admins, a personal account's owner), its explicit grant and the
 * workspace default role (organization user members only). Pure.
 *
 * @example
 * ```ts
 * effectiveScopes(asUser(bob), { accountKind: 'organization', accountRole: 'member', grant: builtInRole('viewer'), defaultRole: null }).has('see_flows'); // true
 * ```
 */
export function effectiveScopes(principal: Principal, facts: AccessFacts): ReadonlySet<WorkspaceScope> {
  const { sources } = applicable(principal, facts);
  if (sources.length === 0) return NO_SCOPES;
  if (sources.length === 1) return sources[0]![1];
  const out = new Set<WorkspaceScope>();
  for (const [, scopes] of sources) for (const s of scopes) out.add(s);
  return out;
}

/**
 * Explains a principal's effective scopes in a workspace: every scope with every source that
 * gives it (system, account role, explicit grant, default role). Pure.
 *
 * @example
 * ```ts
 * explainAccess(asUser(bob), facts).sources.run_deployments; // [{ kind: 'grant', role: 'runner', roleName: 'runner' }]
 * ```
 */
export function explainAccess(principal: Principal, facts: AccessFacts): AccessExplanation {
  const { sources, notes } = applicable(principal, facts);
  const bySource: Partial<Record<WorkspaceScope, AccessSource[]>> = {};
  for (const scope of WORKSPACE_SCOPES) {
    for (const [source, scopes] of sources) {
      if (scopes.has(scope)) (bySource[scope] ??= []).push(source);
    }
  }
  return {
    scopes: WORKSPACE_SCOPES.filter((s) => bySource[s] !== undefined),
    sources: bySource,
    accountRole: principal.type === 'system' ? 'owner' : facts.accountRole,
    notes,
  };
}

/** The data an {@link AccessSnapshot} is built from: plain records, e.g. straight from storage. */
export interface AccessData {
  readonly accounts: Iterable<Pick<Account, 'id' | 'kind' | 'ownerUserId'>>;
  readonly memberships: Iterable<Pick<Membership, 'accountId' | 'userId' | 'role'>>;
  readonly serviceAccounts?: Iterable<Pick<ServiceAccount, 'id' | 'accountId'>>;
  readonly workspaces: Iterable<Pick<Workspace, 'id' | 'accountId' | 'defaultRole'>>;
  readonly customRoles?: Iterable<CustomRole>;
  readonly grants: Iterable<Pick<WorkspaceGrant, 'workspaceId' | 'grantee' | 'role'>>;
}

interface AccountNode {
  readonly kind: AccountKind;
  readonly ownerUserId: string | null;
  readonly roles: Map<string, AccountRole>;
  readonly serviceAccounts: Set<string>;
}

interface WorkspaceNode {
  readonly accountId: AccountId;
  readonly account: AccountNode;
  defaultRole: ResolvedRole | null;
  readonly userGrants: Map<string, ResolvedRole>;
  readonly serviceAccountGrants: Map<string, ResolvedRole>;
}

/**
 * An immutable, indexed snapshot of grants (ROLE-7): authorization as a pure function of
 * (principal, scope, workspace). Every check is a few hash lookups — no scan, no allocation —
 * whatever the number of grants, workspaces or accounts.
 */
export interface AccessSnapshot {
  /**
   * True when `principal` holds `scope` in the workspace (ROLE-3, ROLE-4, ROLE-6). A workspace
   * missing from the snapshot grants nothing to anyone; the system principal holds every scope
   * of every workspace in it.
   */
  can(principal: Principal, scope: WorkspaceScope, workspaceId: WorkspaceId): boolean;
  /** The facts of `principal`'s access to a workspace, or `null` for an unknown workspace. */
  factsOf(principal: Principal, workspaceId: WorkspaceId): AccessFacts | null;
  /** The effective scopes of `principal` in a workspace (empty for an unknown one). */
  scopesOf(principal: Principal, workspaceId: WorkspaceId): ReadonlySet<WorkspaceScope>;
  /** Every effective scope of `principal` in a workspace with its sources. */
  explain(principal: Principal, workspaceId: WorkspaceId): AccessExplanation;
}

function accountRoleIn(principal: Principal, account: AccountNode): AccountRole | null {
  switch (principal.type) {
    case 'system':
      return 'owner';
    case 'user':
      if (account.kind === 'personal') return account.ownerUserId === principal.userId ? 'owner' : null;
      return account.roles.get(principal.userId) ?? null;
    case 'service-account':
      return account.kind === 'organization' && account.serviceAccounts.has(principal.serviceAccountId) ? 'member' : null;
  }
}

/**
 * Builds an {@link AccessSnapshot} from plain records. Grants of workspaces or roles missing from
 * the data grant nothing; custom roles are resolved once, their inherited scopes included.
 *
 * @example
 * ```ts
 * const snapshot = createAccessSnapshot({ accounts, memberships, workspaces, grants, customRoles });
 * snapshot.can(asUser(bob.id), 'run_deployments', prod.id); // true or false, in nanoseconds
 * ```
 */
export function createAccessSnapshot(data: AccessData): AccessSnapshot {
  const accounts = new Map<string, AccountNode>();
  for (const a of data.accounts) {
    accounts.set(a.id, { kind: a.kind, ownerUserId: a.ownerUserId, roles: new Map(), serviceAccounts: new Set() });
  }
  for (const m of data.memberships) accounts.get(m.accountId)?.roles.set(m.userId, m.role);
  for (const sa of data.serviceAccounts ?? []) accounts.get(sa.accountId)?.serviceAccounts.add(sa.id);

  const roleRecords = new Map<string, CustomRole>();
  for (const r of data.customRoles ?? []) roleRecords.set(r.id, r);
  const resolved = new Map<string, ResolvedRole | null>();
  const roleOf = (ref: string, accountId: AccountId): ResolvedRole | null => {
    const key = `${accountId}\u0000${ref}`;
    let role = resolved.get(key);
    if (role === undefined) {
      role = resolveRole(ref, accountId, (id: RoleId) => roleRecords.get(id));
      resolved.set(key, role);
    }
    return role;
  };

  const workspaces = new Map<string, WorkspaceNode>();
  for (const w of data.workspaces) {
    const account = accounts.get(w.accountId);
    if (!account) continue;
    workspaces.set(w.id, {
      accountId: w.accountId,
      account,
      defaultRole: w.defaultRole === null ? null : roleOf(w.defaultRole, w.accountId),
      userGrants: new Map(),
      serviceAccountGrants: new Map(),
    });
  }
  // Every input is read once: a generator or a database cursor works as well as an array.
  for (const g of data.grants) {
    const node = workspaces.get(g.workspaceId);
    if (!node) continue;
    const role = roleOf(g.role, node.accountId);
    if (role === null) continue;
    if (g.grantee.type === 'user') node.userGrants.set(g.grantee.userId, role);
    else node.serviceAccountGrants.set(g.grantee.serviceAccountId, role);
  }

  function factsOf(principal: Principal, workspaceId: WorkspaceId): AccessFacts | null {
    const ws = workspaces.get(workspaceId);
    if (!ws) return null;
    const grant =
      principal.type === 'user'
        ? ws.userGrants.get(principal.userId)
        : principal.type === 'service-account'
          ? ws.serviceAccountGrants.get(principal.serviceAccountId)
          : undefined;
    return {
      accountKind: ws.account.kind,
      accountRole: accountRoleIn(principal, ws.account),
      grant: grant ?? null,
      defaultRole: ws.defaultRole,
    };
  }

  return Object.freeze({
    can(principal: Principal, scope: WorkspaceScope, workspaceId: WorkspaceId): boolean {
      const ws = workspaces.get(workspaceId);
      if (ws === undefined) return false;
      if (principal.type === 'system') return true;
      const account = ws.account;
      if (principal.type === 'service-account') {
        if (account.kind !== 'organization' || !account.serviceAccounts.has(principal.serviceAccountId)) return false;
        return ws.serviceAccountGrants.get(principal.serviceAccountId)?.scopes.has(scope) ?? false;
      }
      const userId = principal.userId;
      if (account.kind === 'personal') {
        if (account.ownerUserId === userId) return OWNER_SCOPES.has(scope);
        return ws.userGrants.get(userId)?.scopes.has(scope) ?? false;
      }
      const role = account.roles.get(userId);
      if (role === undefined) return false;
      if (role !== 'member') return OWNER_SCOPES.has(scope);
      if (ws.userGrants.get(userId)?.scopes.has(scope) === true) return true;
      return ws.defaultRole?.scopes.has(scope) ?? false;
    },
    factsOf,
    scopesOf(principal: Principal, workspaceId: WorkspaceId): ReadonlySet<WorkspaceScope> {
      const facts = factsOf(principal, workspaceId);
      return facts === null ? NO_SCOPES : effectiveScopes(principal, facts);
    },
    explain(principal: Principal, workspaceId: WorkspaceId): AccessExplanation {
      const facts = factsOf(principal, workspaceId);
      return facts === null
        ? { scopes: [], sources: {}, accountRole: null, notes: ['the workspace is not in the snapshot'] }
        : explainAccess(principal, facts);
    },
  });
}
