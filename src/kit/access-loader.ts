import { err, ok, type Result } from 'neverthrow';
import type { Account } from '../account/account.js';
import type { Plan, PlanFeature } from '../account/plans.js';
import { errors, type WorkspaceKitError } from '../core/errors.js';
import type { AccountId, RoleId, WorkspaceId } from '../core/ids.js';
import type { Grantee, Principal } from '../core/principal.js';
import type { UnitOfWork } from '../ports/store.js';
import { findPlan, type KitContext } from './command.js';
import { accountRoleOf, accountScopesOf, type AccountAccessSnapshot } from '../role/access.js';
import { effectiveScopes, type AccessFacts } from '../role/authorize.js';
import { builtInRole, firstMissingScope, isBuiltInRole, resolveCustomRole, type ResolvedRole } from '../role/custom-role.js';
import type { AccountScope, WorkspaceScope } from '../role/scopes.js';
import type { Workspace } from '../workspace/workspace.js';

/** An account as seen by one principal. */
export interface AccountAccess {
  readonly account: Account;
  readonly snapshot: AccountAccessSnapshot;
  readonly scopes: ReadonlySet<AccountScope>;
}

/** A workspace as seen by one principal. */
export interface WorkspaceAccess {
  readonly workspace: Workspace;
  readonly account: Account;
  readonly snapshot: AccountAccessSnapshot;
  readonly facts: AccessFacts;
  readonly scopes: ReadonlySet<WorkspaceScope>;
}

async function snapshotFor(tx: UnitOfWork, actor: Principal, account: Account): Promise<AccountAccessSnapshot> {
  if (account.kind !== 'organization') return { account, membership: null };
  if (actor.type === 'user') return { account, membership: await tx.memberships.get(account.id, actor.userId) };
  if (actor.type === 'service-account') {
    // SA-1: a service account holds the account role Member in its own organization.
    const sa = await tx.serviceAccounts.getById(actor.serviceAccountId);
    return { account, membership: sa?.accountId === account.id ? { role: 'member' } : null };
  }
  return { account, membership: null };
}

/**
 * Loads an account and the actor's access to it. An account the actor holds no role in is
 * `NOT_FOUND`: its existence is not revealed.
 */
export async function loadAccount(
  tx: UnitOfWork,
  actor: Principal,
  accountId: AccountId,
): Promise<Result<AccountAccess, WorkspaceKitError>> {
  const account = await tx.accounts.getById(accountId);
  if (!account) return err(errors.notFound('account', accountId));
  const snapshot = await snapshotFor(tx, actor, account);
  if (accountRoleOf(actor, snapshot) === null) return err(errors.notFound('account', accountId));
  return ok({ account, snapshot, scopes: accountScopesOf(actor, snapshot) });
}

/** Resolves a role reference in an account: a built-in role, or a custom role of that account. */
export async function resolveRoleRef(tx: UnitOfWork, ref: string, accountId: AccountId): Promise<ResolvedRole | null> {
  if (isBuiltInRole(ref)) return builtInRole(ref);
  const role = await tx.roles.getById(ref as RoleId);
  return role && role.accountId === accountId ? resolveCustomRole(role) : null;
}

/** Like {@link resolveRoleRef}, but `NOT_FOUND` for a role that does not exist in the account. */
export async function requireRole(
  tx: UnitOfWork,
  ref: string,
  accountId: AccountId,
): Promise<Result<ResolvedRole, WorkspaceKitError>> {
  const role = await resolveRoleRef(tx, ref, accountId);
  return role ? ok(role) : err(errors.notFound('role', ref));
}

/**
 * The facts of `principal`'s access to `workspace` of `account` (ROLE-3, ROLE-4). With
 * `complete: false`, an account Owner's or Admin's grant and default role are not loaded: they
 * cannot add to the Owner scopes it already holds.
 */
export async function accessFacts(
  tx: UnitOfWork,
  principal: Principal,
  account: Account,
  workspace: Workspace,
  snapshot: AccountAccessSnapshot,
  complete: boolean,
): Promise<AccessFacts> {
  const accountRole = accountRoleOf(principal, snapshot);
  const base = { accountKind: account.kind, accountRole };
  if (principal.type === 'system' || (!complete && (accountRole === 'owner' || accountRole === 'admin'))) {
    return { ...base, grant: null, defaultRole: null };
  }
  const stored = await tx.grants.get(workspace.id, principal);
  const grant = stored ? await resolveRoleRef(tx, stored.role, account.id) : null;
  const defaultRole = workspace.defaultRole === null ? null : await resolveRoleRef(tx, workspace.defaultRole, account.id);
  return { ...base, grant, defaultRole };
}

/** Loads a workspace and the actor's scopes in it; a workspace it cannot see is `NOT_FOUND`. */
export async function loadWorkspace(
  tx: UnitOfWork,
  actor: Principal,
  workspaceId: WorkspaceId,
): Promise<Result<WorkspaceAccess, WorkspaceKitError>> {
  const workspace = await tx.workspaces.getById(workspaceId);
  if (!workspace) return err(errors.notFound('workspace', workspaceId));
  return workspaceAccess(tx, actor, workspace);
}

/** The actor's access to an already loaded workspace; `NOT_FOUND` if it cannot see it. */
export async function workspaceAccess(
  tx: UnitOfWork,
  actor: Principal,
  workspace: Workspace,
): Promise<Result<WorkspaceAccess, WorkspaceKitError>> {
  const account = await tx.accounts.getById(workspace.accountId);
  if (!account) return err(errors.notFound('workspace', workspace.id));
  const snapshot = await snapshotFor(tx, actor, account);
  const facts = await accessFacts(tx, actor, account, workspace, snapshot, false);
  const scopes = effectiveScopes(actor, facts);
  if (!scopes.has('see_workspace')) return err(errors.notFound('workspace', workspace.id));
  return ok({ workspace, account, snapshot, facts, scopes });
}

/** The access facts of another principal to a workspace (for `explainAccess`). */
export async function accessFactsOf(
  tx: UnitOfWork,
  principal: Principal,
  account: Account,
  workspace: Workspace,
): Promise<AccessFacts> {
  return accessFacts(tx, principal, account, workspace, await snapshotFor(tx, principal, account), true);
}

/** `FORBIDDEN` naming `scope` unless `scopes` holds it (ROLE-6). */
export function requireScope<S extends string>(scopes: ReadonlySet<S>, scope: S): Result<void, WorkspaceKitError> {
  return scopes.has(scope) ? ok(undefined) : err(errors.forbidden(scope));
}

/** `PLAN_FEATURE_UNAVAILABLE` unless the plan has `feature` (PLAN-3). */
export function requireFeature(plan: Plan, feature: PlanFeature): Result<void, WorkspaceKitError> {
  return plan.features[feature] ? ok(undefined) : err(errors.planFeatureUnavailable(plan.id, feature));
}

/**
 * ROLE-5, no escalation: `FORBIDDEN` naming the first scope of `role` the actor does not hold.
 */
export function requireNoEscalation(actorScopes: ReadonlySet<WorkspaceScope>, role: ResolvedRole): Result<void, WorkspaceKitError> {
  const missing = firstMissingScope(role.scopes, actorScopes);
  return missing === null ? ok(undefined) : err(errors.forbidden(missing));
}

/**
 * ROLE-5: without the workspace-RBAC plan feature every grant uses the built-in Developer role.
 */
export function requireRbacFor(plan: Plan, role: ResolvedRole): Result<void, WorkspaceKitError> {
  return role.ref === 'developer' ? ok(undefined) : requireFeature(plan, 'workspaceRbac');
}

/** The scope that manages a grantee's workspace access: users vs service accounts (ROLE-1). */
export function manageScopeFor(grantee: Grantee): WorkspaceScope {
  return grantee.type === 'user' ? 'manage_workspace_users' : 'manage_workspace_service_accounts';
}

/**
 * A role the actor may give in an account (ROLE-5): it exists there (`NOT_FOUND`), the plan
 * allows it (`PLAN_FEATURE_UNAVAILABLE` for a role other than Developer without workspace RBAC)
 * and holds no scope the actor lacks (`FORBIDDEN`). Returns it with the account's plan.
 */
export async function requireGrantableRole(
  ctx: KitContext,
  tx: UnitOfWork,
  account: Account,
  ref: string,
  actorScopes: ReadonlySet<WorkspaceScope>,
): Promise<Result<{ readonly role: ResolvedRole; readonly plan: Plan }, WorkspaceKitError>> {
  const role = await requireRole(tx, ref, account.id);
  if (role.isErr()) return err(role.error);
  const plan = findPlan(ctx, account.planId);
  if (plan.isErr()) return err(plan.error);
  return requireRbacFor(plan.value, role.value)
    .andThen(() => requireNoEscalation(actorScopes, role.value))
    .map(() => ({ role: role.value, plan: plan.value }));
}
