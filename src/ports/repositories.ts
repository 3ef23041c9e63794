import type { Account, AccountRole, Membership, User } from '../account/account.js';
import type { AuditAction, AuditEvent, NewAuditEvent } from '../audit/audit-event.js';
import type { Timestamp } from '../core/clock.js';
import type { AccountId, UserId, WorkspaceId } from '../core/ids.js';
import type { Page, PageRequest } from '../core/paging.js';
import type { Grantee } from '../core/principal.js';
import type { WorkspaceRoleRef } from '../role/custom-role.js';
import type { Workspace } from '../workspace/workspace.js';

/**
 * Users by id and by normalized email. `insert` is atomic on the email: of two concurrent
 * inserts with one email, exactly one returns `'ok'`.
 */
export interface UserRepository {
  getById(id: UserId): Promise<User | null>;
  getByEmail(email: string): Promise<User | null>;
  insert(user: User): Promise<'ok' | 'email-taken'>;
}

/**
 * Accounts by id and by handle. Handles are unique across accounts (HDL-1), enforced by the
 * storage itself: `insert` returns `'handle-taken'` instead of creating a duplicate.
 */
export interface AccountRepository {
  getById(id: AccountId): Promise<Account | null>;
  getByHandle(handle: string): Promise<Account | null>;
  /** Every account ordered by id, paged (a scheduler pruning all accounts walks it). */
  list(page: PageRequest): Promise<Page<Account>>;
  insert(account: Account): Promise<'ok' | 'handle-taken'>;
  /**
   * Replaces the account if its stored version equals `expectedVersion` (a guarded update).
   * `account.version` is the new version.
   */
  update(account: Account, expectedVersion: number): Promise<'ok' | 'conflict' | 'handle-taken'>;
  /**
   * Serializes units of work on one account: a second unit of work that locks the same
   * account waits until the first ends (SQL: `SELECT … FOR UPDATE`). Commands that check an
   * invariant over many rows of the account (at least one Owner, seat and workspace counts)
   * lock first, so concurrent commands cannot both pass the check (ACC-4, PLAN-1).
   * Adapters whose units of work are already serializable may implement it as a no-op.
   */
  lock(id: AccountId): Promise<void>;
}

/** Counts of an organization's members by account role. */
export type RoleCounts = Readonly<Record<AccountRole, number>>;

/** Organization memberships, by account and by user. */
export interface MembershipRepository {
  get(accountId: AccountId, userId: UserId): Promise<Membership | null>;
  /** Members of an account ordered by user id; the cursor is the last user id of a page. */
  listByAccount(accountId: AccountId, page: PageRequest): Promise<Page<Membership>>;
  /** Every membership of one user (bounded by the organizations the user belongs to). */
  listByUser(userId: UserId): Promise<readonly Membership[]>;
  /** Members of the account counted by role, without loading them. */
  countByRole(accountId: AccountId): Promise<RoleCounts>;
  insert(membership: Membership): Promise<'ok' | 'exists'>;
  updateRole(accountId: AccountId, userId: UserId, role: AccountRole): Promise<'ok' | 'missing'>;
  delete(accountId: AccountId, userId: UserId): Promise<'ok' | 'missing'>;
}

/**
 * Workspaces by id, by (account, handle), and listed per account in handle order. Handle
 * uniqueness within an account (HDL-1, HDL-4) is enforced by the storage itself.
 */
export interface WorkspaceRepository {
  getById(id: WorkspaceId): Promise<Workspace | null>;
  getByHandle(accountId: AccountId, handle: string): Promise<Workspace | null>;
  /** Workspaces of an account ordered by handle; the cursor is the last handle of a page. */
  listByAccount(accountId: AccountId, page: PageRequest): Promise<Page<Workspace>>;
  countByAccount(accountId: AccountId): Promise<number>;
  /**
   * The workspaces of an account a non-admin principal can see, ordered by handle (cursor: the
   * last handle): those where `grantee` holds a grant, plus, with `withDefaultRole`, those
   * whose default role is set (ROLE-3: it applies to every user member).
   */
  listAccessible(
    accountId: AccountId,
    grantee: Grantee,
    options: { readonly withDefaultRole: boolean },
    page: PageRequest,
  ): Promise<Page<Workspace>>;
  /** How many workspaces of an account have `role` as default role (ROLE-2 deletion check). */
  countByDefaultRole(accountId: AccountId, role: WorkspaceRoleRef): Promise<number>;
  insert(workspace: Workspace): Promise<'ok' | 'handle-taken'>;
  /** Guarded update: applies only if the stored version equals `expectedVersion`. */
  update(workspace: Workspace, expectedVersion: number): Promise<'ok' | 'conflict' | 'handle-taken'>;
  /** Guarded delete: applies only if the stored version equals `expectedVersion`. */
  delete(id: WorkspaceId, expectedVersion: number): Promise<'ok' | 'conflict'>;
}

/** Filters of an audit log query (AUD-2). Times are inclusive `from`, exclusive `to`. */
export interface AuditFilter {
  readonly workspaceId?: WorkspaceId | undefined;
  /** Matches the actor's user id or system name. */
  readonly actor?: string | undefined;
  readonly action?: AuditAction | undefined;
  readonly from?: Timestamp | undefined;
  readonly to?: Timestamp | undefined;
}

/** The append-only audit log (AUD-1, AUD-2). */
export interface AuditRepository {
  /** Appends an event and assigns its `sequence`, greater than every earlier one. */
  append(event: NewAuditEvent): Promise<AuditEvent>;
  /**
   * Events of an account matching `filter`, ordered by sequence (`asc` oldest first, the
   * default, or `desc`). The cursor is the last sequence of a page.
   */
  list(
    accountId: AccountId,
    filter: AuditFilter,
    page: PageRequest & { readonly order?: 'asc' | 'desc' | undefined },
  ): Promise<Page<AuditEvent>>;
}
