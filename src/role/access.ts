import type { Account, AccountRole, Membership } from '../account/account.js';
import type { Principal } from '../core/principal.js';
import { ACCOUNT_ROLE_SCOPES, BUILT_IN_ROLE_SCOPES } from './built-in-roles.js';
import type { AccountScope, WorkspaceScope } from './scopes.js';

const NO_SCOPES: ReadonlySet<never> = new Set();

/**
 * What the authorizer needs to know about a principal and one account: the account, and the
 * principal's membership of it if any (a service account of the organization counts as a
 * membership with the role Member, SA-1). A snapshot: loaded once, then checked purely.
 */
export interface AccountAccessSnapshot {
  readonly account: Pick<Account, 'id' | 'kind' | 'ownerUserId'>;
  readonly membership: Pick<Membership, 'role'> | null;
}

/**
 * The account role a principal holds in an account: the owner of a personal account holds
 * Owner (ACC-3), organization members hold their membership role, the system principal holds
 * Owner everywhere, everyone else holds none.
 */
export function accountRoleOf(principal: Principal, snapshot: AccountAccessSnapshot): AccountRole | null {
  if (principal.type === 'system') return 'owner';
  if (snapshot.account.kind === 'personal') {
    return principal.type === 'user' && snapshot.account.ownerUserId === principal.userId ? 'owner' : null;
  }
  return snapshot.membership?.role ?? null;
}

/** The account scopes a principal holds in an account (ACC-3). */
export function accountScopesOf(principal: Principal, snapshot: AccountAccessSnapshot): ReadonlySet<AccountScope> {
  const role = accountRoleOf(principal, snapshot);
  return role === null ? NO_SCOPES : ACCOUNT_ROLE_SCOPES[role];
}

/**
 * True when the principal holds Owner in every workspace of the account: account Owners and
 * Admins, the owner of a personal account, and the system principal (ROLE-4).
 */
export function hasAccountWideAccess(principal: Principal, snapshot: AccountAccessSnapshot): boolean {
  const role = accountRoleOf(principal, snapshot);
  return role === 'owner' || role === 'admin';
}

/**
 * The workspace scopes a principal holds in every workspace of the account through its account
 * role alone (ROLE-4): Owner's for account Owners and Admins, none for others. Grants and
 * default roles add to this per workspace; see `effectiveScopes` and `createAccessSnapshot`.
 */
export function workspaceScopesOf(principal: Principal, snapshot: AccountAccessSnapshot): ReadonlySet<WorkspaceScope> {
  return hasAccountWideAccess(principal, snapshot) ? BUILT_IN_ROLE_SCOPES.owner : NO_SCOPES;
}
