import { err, ok, type Result } from 'neverthrow';
import type { Account } from '../account/account.js';
import { errors, type WorkspaceKitError } from '../core/errors.js';
import type { AccountId, WorkspaceId } from '../core/ids.js';
import type { Principal } from '../core/principal.js';
import type { UnitOfWork } from '../ports/store.js';
import { accountRoleOf, accountScopesOf, workspaceScopesOf, type AccountAccessSnapshot } from '../role/access.js';
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
  readonly scopes: ReadonlySet<WorkspaceScope>;
}

async function snapshotFor(tx: UnitOfWork, actor: Principal, account: Account): Promise<AccountAccessSnapshot> {
  const membership =
    actor.type === 'user' && account.kind === 'organization'
      ? await tx.memberships.get(account.id, actor.userId)
      : null;
  return { account, membership };
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
  const scopes = workspaceScopesOf(actor, snapshot);
  if (!scopes.has('see_workspace')) return err(errors.notFound('workspace', workspace.id));
  return ok({ workspace, account, snapshot, scopes });
}

/** `FORBIDDEN` naming `scope` unless `scopes` holds it (ROLE-6). */
export function requireScope<S extends string>(scopes: ReadonlySet<S>, scope: S): Result<void, WorkspaceKitError> {
  return scopes.has(scope) ? ok(undefined) : err(errors.forbidden(scope));
}
