import type { ApiKey } from '../../account/api-key.js';
import type { AccountId, ApiKeyId, InvitationId, TransferRequestId, WorkspaceId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/paging.js';
import type { Grantee } from '../../core/principal.js';
import type { InvitationFilter } from '../../ports/access-repositories.js';
import type { WorkspaceRoleRef } from '../../role/custom-role.js';
import type { TransferRequest } from '../../transfer-planner/transfer-request.js';
import type { WorkspaceGrant } from '../../workspace/grant.js';
import type { Invitation, StoredInvitationStatus } from '../../workspace/invitation.js';
import type { SortedKeys } from './sorted-keys.js';
import { addToIndex, Counters, getOrCreate, pageOf, removeFromIndex } from './tables.js';

// The tables behind the access repositories of the in-memory adapter. Each table owns its
// primary map and every secondary index: `put` files a record everywhere, `remove` takes it out
// everywhere, so a write and its inverse are always a matching put/remove pair. Nothing here
// checks uniqueness or versions; the repositories do, before they write.

const SEP = '\u0000';

/**
 * The index key of a grantee: users before service accounts, then by id, as grant listings
 * are ordered ('0' and '1' sort in that order, unlike the type names).
 */
export function granteeKey(grantee: Grantee): string {
  return grantee.type === 'user' ? `0${grantee.userId}` : `1${grantee.serviceAccountId}`;
}

/** The public cursor of a grant listing: `'<type>:<id>'` of the grantee. */
function grantCursor(grant: WorkspaceGrant): string {
  const g = grant.grantee;
  return g.type === 'user' ? `user:${g.userId}` : `service-account:${g.serviceAccountId}`;
}

/** The index key a public grant cursor points at; an unknown type sorts after every grantee. */
function grantCursorKey(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  if (cursor.startsWith('user:')) return `0${cursor.slice('user:'.length)}`;
  if (cursor.startsWith('service-account:')) return `1${cursor.slice('service-account:'.length)}`;
  return '2';
}

/** A table of records named uniquely within their account, listed by name (roles, service accounts). */
export class NamedTable<Id extends string, T extends { readonly id: Id; readonly accountId: AccountId; readonly name: string }> {
  readonly byId = new Map<Id, T>();
  /** Per account: name → id, for uniqueness and lookups by name. */
  private readonly names = new Map<AccountId, Map<string, Id>>();
  /** Per account: the names in order. */
  private readonly order = new Map<AccountId, SortedKeys>();

  /** True when the id exists, or the name is used in the record's account. */
  taken(record: T): boolean {
    return this.byId.has(record.id) || (this.names.get(record.accountId)?.has(record.name) ?? false);
  }

  put(record: T): void {
    this.byId.set(record.id, record);
    getOrCreate(this.names, record.accountId, () => new Map<string, Id>()).set(record.name, record.id);
    addToIndex(this.order, record.accountId, record.name);
  }

  remove(record: T): void {
    this.byId.delete(record.id);
    const names = this.names.get(record.accountId);
    names?.delete(record.name);
    if (names?.size === 0) this.names.delete(record.accountId);
    removeFromIndex(this.order, record.accountId, record.name);
  }

  list(accountId: AccountId, page: PageRequest): Page<T> {
    const names = this.names.get(accountId);
    return pageOf(
      this.order.get(accountId),
      page.cursor,
      page.limit,
      (name) => this.byId.get(names!.get(name)!)!,
      (r) => r.name,
    );
  }
}

/** Workspace grants, by workspace (in grantee order), by (account, grantee), counted by role. */
export class GrantTable {
  /** Per workspace: grantee key → grant. */
  private readonly byWorkspace = new Map<WorkspaceId, Map<string, WorkspaceGrant>>();
  /** Per workspace: grantee keys in order. */
  private readonly order = new Map<WorkspaceId, SortedKeys>();
  /** Per account: grantee key → the workspaces where it holds a grant. */
  private readonly byGrantee = new Map<AccountId, Map<string, Set<WorkspaceId>>>();
  /** Per account: role → number of grants. */
  private readonly roles = new Counters<AccountId>();

  get(workspaceId: WorkspaceId, grantee: Grantee): WorkspaceGrant | null {
    return this.byWorkspace.get(workspaceId)?.get(granteeKey(grantee)) ?? null;
  }

  /** True when the grantee with index key `key` holds a grant on the workspace. */
  has(workspaceId: WorkspaceId, key: string): boolean {
    return this.byWorkspace.get(workspaceId)?.has(key) ?? false;
  }

  put(grant: WorkspaceGrant): void {
    const key = granteeKey(grant.grantee);
    getOrCreate(this.byWorkspace, grant.workspaceId, () => new Map<string, WorkspaceGrant>()).set(key, grant);
    addToIndex(this.order, grant.workspaceId, key);
    const grantees = getOrCreate(this.byGrantee, grant.accountId, () => new Map<string, Set<WorkspaceId>>());
    getOrCreate(grantees, key, () => new Set()).add(grant.workspaceId);
    this.roles.add(grant.accountId, grant.role, 1);
  }

  remove(grant: WorkspaceGrant): void {
    const key = granteeKey(grant.grantee);
    const grants = this.byWorkspace.get(grant.workspaceId);
    grants?.delete(key);
    if (grants?.size === 0) this.byWorkspace.delete(grant.workspaceId);
    removeFromIndex(this.order, grant.workspaceId, key);
    const grantees = this.byGrantee.get(grant.accountId);
    const workspaces = grantees?.get(key);
    workspaces?.delete(grant.workspaceId);
    if (workspaces?.size === 0) grantees!.delete(key);
    if (grantees?.size === 0) this.byGrantee.delete(grant.accountId);
    this.roles.add(grant.accountId, grant.role, -1);
  }

  listByWorkspace(workspaceId: WorkspaceId, page: PageRequest): Page<WorkspaceGrant> {
    const grants = this.byWorkspace.get(workspaceId);
    return pageOf(this.order.get(workspaceId), grantCursorKey(page.cursor), page.limit, (k) => grants!.get(k)!, grantCursor);
  }

  /** Every grant of a workspace (bounded by its grantees). */
  ofWorkspace(workspaceId: WorkspaceId): WorkspaceGrant[] {
    return [...(this.byWorkspace.get(workspaceId)?.values() ?? [])];
  }

  /** Every grant of a grantee in an account's workspaces. */
  ofGrantee(accountId: AccountId, grantee: Grantee): WorkspaceGrant[] {
    const key = granteeKey(grantee);
    const out: WorkspaceGrant[] = [];
    for (const workspaceId of this.byGrantee.get(accountId)?.get(key) ?? []) {
      const grant = this.byWorkspace.get(workspaceId)?.get(key);
      if (grant) out.push(grant);
    }
    return out;
  }

  /** The user ids holding at least one grant in an account's workspaces. */
  *usersOf(accountId: AccountId): Generator<string> {
    for (const key of this.byGrantee.get(accountId)?.keys() ?? []) if (key.startsWith('0')) yield key.slice(1);
  }

  countByRole(accountId: AccountId, role: WorkspaceRoleRef): number {
    return this.roles.get(accountId, role);
  }

  all(): WorkspaceGrant[] {
    return [...this.byWorkspace.values()].flatMap((grants) => [...grants.values()]);
  }
}

/** The name of an ordered invitation index: account, optionally workspace and status. */
function invitationIndex(accountId: AccountId, workspaceId: WorkspaceId | undefined, status: StoredInvitationStatus | undefined): string {
  return `${accountId}${SEP}${workspaceId ?? ''}${SEP}${status ?? ''}`;
}

/** Invitations, listed per account in id order (optionally by workspace and status). */
export class InvitationTable {
  readonly byId = new Map<InvitationId, Invitation>();
  /** Ordered id indexes named by {@link invitationIndex}. */
  private readonly lists = new Map<string, SortedKeys>();
  /** Per workspace: its invitations. */
  private readonly byWorkspace = new Map<WorkspaceId, Set<InvitationId>>();
  /** Pending slot (account, target, email) → the pending invitation holding it. */
  private readonly pending = new Map<string, InvitationId>();
  /** Per account: workspace role → pending invitations offering it. */
  private readonly pendingRoles = new Counters<AccountId>();

  /** The pending slot of (account, target, email); a `null` workspace is the account itself. */
  static slotOf(accountId: AccountId, workspaceId: WorkspaceId | null, email: string): string {
    const target = workspaceId === null ? 'account' : `workspace${SEP}${workspaceId}`;
    return `${accountId}${SEP}${target}${SEP}${email}`;
  }

  /** The slot a pending invitation holds: one per (account, target, email). */
  static slot(invitation: Invitation): string {
    const workspaceId = invitation.target.type === 'account' ? null : invitation.target.workspaceId;
    return InvitationTable.slotOf(invitation.accountId, workspaceId, invitation.email);
  }

  /** The id of the pending invitation holding the slot `invitation` would take, if any. */
  slotHolder(invitation: Invitation): InvitationId | undefined {
    return this.pending.get(InvitationTable.slot(invitation));
  }

  /** The pending invitation holding the slot of (account, target, email), if any: one map lookup. */
  pendingFor(accountId: AccountId, workspaceId: WorkspaceId | null, email: string): Invitation | undefined {
    const id = this.pending.get(InvitationTable.slotOf(accountId, workspaceId, email));
    return id === undefined ? undefined : this.byId.get(id);
  }

  private indexes(invitation: Invitation): string[] {
    const { accountId, status } = invitation;
    const names = [invitationIndex(accountId, undefined, undefined), invitationIndex(accountId, undefined, status)];
    if (invitation.target.type === 'workspace') {
      const { workspaceId } = invitation.target;
      names.push(invitationIndex(accountId, workspaceId, undefined), invitationIndex(accountId, workspaceId, status));
    }
    return names;
  }

  put(invitation: Invitation): void {
    this.byId.set(invitation.id, invitation);
    for (const name of this.indexes(invitation)) addToIndex(this.lists, name, invitation.id);
    if (invitation.target.type === 'workspace') {
      getOrCreate(this.byWorkspace, invitation.target.workspaceId, () => new Set()).add(invitation.id);
    }
    if (invitation.status === 'pending') {
      this.pending.set(InvitationTable.slot(invitation), invitation.id);
      if (invitation.target.type === 'workspace') this.pendingRoles.add(invitation.accountId, invitation.target.role, 1);
    }
  }

  remove(invitation: Invitation): void {
    this.byId.delete(invitation.id);
    for (const name of this.indexes(invitation)) removeFromIndex(this.lists, name, invitation.id);
    if (invitation.target.type === 'workspace') {
      const ids = this.byWorkspace.get(invitation.target.workspaceId);
      ids?.delete(invitation.id);
      if (ids?.size === 0) this.byWorkspace.delete(invitation.target.workspaceId);
    }
    if (invitation.status === 'pending') {
      const slot = InvitationTable.slot(invitation);
      if (this.pending.get(slot) === invitation.id) this.pending.delete(slot);
      if (invitation.target.type === 'workspace') this.pendingRoles.add(invitation.accountId, invitation.target.role, -1);
    }
  }

  list(accountId: AccountId, filter: InvitationFilter, page: PageRequest): Page<Invitation> {
    const order = this.lists.get(invitationIndex(accountId, filter.workspaceId, filter.status));
    return pageOf(order, page.cursor, page.limit, (id) => this.byId.get(id as InvitationId)!, (i) => i.id);
  }

  /** Every invitation to a workspace. */
  ofWorkspace(workspaceId: WorkspaceId): Invitation[] {
    return [...(this.byWorkspace.get(workspaceId) ?? [])].map((id) => this.byId.get(id)!);
  }

  /** Every invitation of an account whose stored status is pending (expired or not). */
  pendingOf(accountId: AccountId): Invitation[] {
    const order = this.lists.get(invitationIndex(accountId, undefined, 'pending'));
    return order ? order.after(undefined, order.size).map((id) => this.byId.get(id as InvitationId)!) : [];
  }

  countPendingByRole(accountId: AccountId, role: WorkspaceRoleRef): number {
    return this.pendingRoles.get(accountId, role);
  }
}

/** API keys by id and per owner in id order. */
export class ApiKeyTable {
  readonly byId = new Map<ApiKeyId, ApiKey>();
  private readonly byOwner = new Map<string, SortedKeys>();

  put(key: ApiKey): void {
    this.byId.set(key.id, key);
    addToIndex(this.byOwner, granteeKey(key.owner), key.id);
  }

  remove(key: ApiKey): void {
    this.byId.delete(key.id);
    removeFromIndex(this.byOwner, granteeKey(key.owner), key.id);
  }

  list(owner: Grantee, page: PageRequest): Page<ApiKey> {
    return pageOf(this.byOwner.get(granteeKey(owner)), page.cursor, page.limit, (id) => this.byId.get(id as ApiKeyId)!, (k) => k.id);
  }

  /** Every key of an owner. */
  ofOwner(owner: Grantee): ApiKey[] {
    const order = this.byOwner.get(granteeKey(owner));
    return order ? order.after(undefined, order.size).map((id) => this.byId.get(id as ApiKeyId)!) : [];
  }
}

/** Transfer requests by id, per workspace, and the one per workspace whose stored status is pending. */
export class TransferRequestTable {
  readonly byId = new Map<TransferRequestId, TransferRequest>();
  /** Per workspace: its requests. */
  private readonly byWorkspace = new Map<WorkspaceId, Set<TransferRequestId>>();
  /** Per workspace: the request whose stored status is `pending` (XFER-2: at most one). */
  private readonly pending = new Map<WorkspaceId, TransferRequestId>();

  /** The id of the workspace's pending request, if any. */
  pendingOf(workspaceId: WorkspaceId): TransferRequestId | undefined {
    return this.pending.get(workspaceId);
  }

  put(request: TransferRequest): void {
    this.byId.set(request.id, request);
    getOrCreate(this.byWorkspace, request.workspaceId, () => new Set()).add(request.id);
    if (request.status === 'pending') this.pending.set(request.workspaceId, request.id);
  }

  remove(request: TransferRequest): void {
    this.byId.delete(request.id);
    const ids = this.byWorkspace.get(request.workspaceId);
    ids?.delete(request.id);
    if (ids?.size === 0) this.byWorkspace.delete(request.workspaceId);
    if (this.pending.get(request.workspaceId) === request.id) this.pending.delete(request.workspaceId);
  }

  /** Every request of a workspace. */
  ofWorkspace(workspaceId: WorkspaceId): TransferRequest[] {
    return [...(this.byWorkspace.get(workspaceId) ?? [])].map((id) => this.byId.get(id)!);
  }
}
