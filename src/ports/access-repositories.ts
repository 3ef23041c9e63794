import type { ApiKey } from '../account/api-key.js';
import type { ServiceAccount } from '../account/service-account.js';
import type { Timestamp } from '../core/clock.js';
import type { AccountId, ApiKeyId, InvitationId, RoleId, ServiceAccountId, TransferRequestId, WorkspaceId } from '../core/ids.js';
import type { Page, PageRequest } from '../core/paging.js';
import type { Grantee } from '../core/principal.js';
import type { CustomRole, WorkspaceRoleRef } from '../role/custom-role.js';
import type { WorkspaceGrant } from '../workspace/grant.js';
import type { TransferRequest } from '../transfer-planner/transfer-request.js';
import type { Invitation, StoredInvitationStatus } from '../workspace/invitation.js';

/** Custom roles of accounts (ROLE-2). Names are unique per account, enforced by the storage. */
export interface CustomRoleRepository {
  getById(id: RoleId): Promise<CustomRole | null>;
  /** Roles of an account ordered by name; the cursor is the last name of a page. */
  listByAccount(accountId: AccountId, page: PageRequest): Promise<Page<CustomRole>>;
  /** Atomic on (account, name): of two concurrent inserts with one name exactly one is `'ok'`. */
  insert(role: CustomRole): Promise<'ok' | 'name-taken'>;
  delete(id: RoleId): Promise<'ok' | 'missing'>;
}

/**
 * Workspace grants (SHR-1, COL-1), keyed by (workspace, grantee). Listing and deleting work by
 * workspace and by (account, grantee) in the storage, never by loading an account's grants.
 */
export interface GrantRepository {
  get(workspaceId: WorkspaceId, grantee: Grantee): Promise<WorkspaceGrant | null>;
  /**
   * Grants of a workspace ordered by grantee: users before service accounts, then by id. The
   * cursor is opaque (`'<type>:<id>'` of the last grant of a page).
   */
  listByWorkspace(workspaceId: WorkspaceId, page: PageRequest): Promise<Page<WorkspaceGrant>>;
  /** Every grant of one grantee in the workspaces of one account (bounded by its workspaces). */
  listByGrantee(accountId: AccountId, grantee: Grantee): Promise<readonly WorkspaceGrant[]>;
  /** Atomic on (workspace, grantee): a second insert for the same pair returns `'exists'`. */
  insert(grant: WorkspaceGrant): Promise<'ok' | 'exists'>;
  updateRole(workspaceId: WorkspaceId, grantee: Grantee, role: WorkspaceRoleRef, updatedAt: Timestamp): Promise<'ok' | 'missing'>;
  delete(workspaceId: WorkspaceId, grantee: Grantee): Promise<'ok' | 'missing'>;
  /** Deletes every grant of a workspace (WS-4); returns how many there were. */
  deleteByWorkspace(workspaceId: WorkspaceId): Promise<number>;
  /** Deletes every grant of a grantee in an account's workspaces; returns how many. */
  deleteByGrantee(accountId: AccountId, grantee: Grantee): Promise<number>;
  /**
   * Moves every grant of a workspace to another account (a transfer, XFER-5): their `accountId`
   * becomes `accountId`, so per-account lookups, counts and seats follow. Returns how many.
   */
  moveWorkspace(workspaceId: WorkspaceId, accountId: AccountId): Promise<number>;
  /** How many grants of an account use a role (ROLE-2: a role in use cannot be deleted). */
  countByRole(accountId: AccountId, role: WorkspaceRoleRef): Promise<number>;
}

/** Filters of {@link InvitationRepository.listByAccount}. */
export interface InvitationFilter {
  readonly workspaceId?: WorkspaceId | undefined;
  readonly status?: StoredInvitationStatus | undefined;
}

/**
 * Invitations (INV-1…INV-3). At most one `pending` invitation per (account, target, email),
 * enforced by the storage. Transitions are guarded by version, so of two concurrent accepts
 * exactly one applies.
 */
export interface InvitationRepository {
  /**
   * An invitation by id. In a read-write unit of work an adapter with concurrent writers locks
   * the row until the end of the unit of work (SQL: `FOR UPDATE`), so a second accept waits and
   * then sees the first one's outcome.
   */
  getById(id: InvitationId): Promise<Invitation | null>;
  /** Invitations of an account, newest id last (ordered by id); the cursor is the last id. */
  listByAccount(accountId: AccountId, filter: InvitationFilter, page: PageRequest): Promise<Page<Invitation>>;
  /**
   * The invitation holding the pending slot of (account, target, email) — the one with stored
   * status `pending` for that account, workspace (`null` = an account invitation) and email —
   * expired or not; `null` when the slot is free. An index seek (SQL: the partial unique index).
   */
  getPendingFor(accountId: AccountId, workspaceId: WorkspaceId | null, email: string): Promise<Invitation | null>;
  /** `'exists'` when a pending invitation for the same account, target and email exists. */
  insert(invitation: Invitation): Promise<'ok' | 'exists'>;
  /** Guarded update: applies only if the stored version equals `expectedVersion`. */
  update(invitation: Invitation, expectedVersion: number): Promise<'ok' | 'conflict'>;
  /** Deletes every invitation to a workspace (WS-4); returns how many there were. */
  deleteByWorkspace(workspaceId: WorkspaceId): Promise<number>;
  /** How many pending invitations of an account offer a role. */
  countPendingByRole(accountId: AccountId, role: WorkspaceRoleRef): Promise<number>;
}

/** Service accounts of organizations (SA-1); names unique per account, enforced by the storage. */
export interface ServiceAccountRepository {
  getById(id: ServiceAccountId): Promise<ServiceAccount | null>;
  /** Service accounts of an account ordered by name; the cursor is the last name of a page. */
  listByAccount(accountId: AccountId, page: PageRequest): Promise<Page<ServiceAccount>>;
  insert(serviceAccount: ServiceAccount): Promise<'ok' | 'name-taken'>;
  delete(id: ServiceAccountId): Promise<'ok' | 'missing'>;
}

/** API keys (SA-2, SA-3), found by id (the public part of a presented key). */
export interface ApiKeyRepository {
  getById(id: ApiKeyId): Promise<ApiKey | null>;
  /** Keys of one owner ordered by id; the cursor is the last id of a page. */
  listByOwner(owner: Grantee, page: PageRequest): Promise<Page<ApiKey>>;
  insert(key: ApiKey): Promise<'ok'>;
  /** Guarded update: applies only if the stored version equals `expectedVersion`. */
  update(key: ApiKey, expectedVersion: number): Promise<'ok' | 'conflict'>;
  /** Deletes every key of an owner (a deleted service account); returns how many. */
  deleteByOwner(owner: Grantee): Promise<number>;
}

/** Seat counting (PLAN-2), done in the storage. */
export interface SeatCounter {
  /**
   * Distinct seat holders of an account: users holding a membership or a workspace grant, and
   * the emails of invitations pending and unexpired at `now`, counted once per normalized
   * email. With `candidateEmail`, counts as if that email held a seat too.
   */
  count(accountId: AccountId, now: Timestamp, candidateEmail?: string): Promise<number>;
}

/**
 * Transfer requests (XFER-2). At most one request with the stored status `pending` per
 * workspace, enforced by the storage; transitions are guarded by version.
 */
export interface TransferRequestRepository {
  /** A request by id; locked until the end of a read-write unit of work where writers run concurrently. */
  getById(id: TransferRequestId): Promise<TransferRequest | null>;
  /** The request of the workspace whose stored status is `pending` (expired or not), if any. */
  getPendingByWorkspace(workspaceId: WorkspaceId): Promise<TransferRequest | null>;
  /** `'exists'` when the workspace already has a pending request. */
  insert(request: TransferRequest): Promise<'ok' | 'exists'>;
  /** Guarded update: applies only if the stored version equals `expectedVersion`. */
  update(request: TransferRequest, expectedVersion: number): Promise<'ok' | 'conflict'>;
  /** Deletes every request of a workspace (WS-4); returns how many. */
  deleteByWorkspace(workspaceId: WorkspaceId): Promise<number>;
}
