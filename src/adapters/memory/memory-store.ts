/* eslint-disable @typescript-eslint/require-await -- the port is async; this adapter has nothing to await */
import type { Account, AccountRole, Membership, User } from '../../account/account.js';
import type { ApiKey } from '../../account/api-key.js';
import type { ServiceAccount } from '../../account/service-account.js';
import type { AuditEvent, NewAuditEvent } from '../../audit/audit-event.js';
import type { AccountId, ResourceId, UserId, WorkspaceId } from '../../core/ids.js';
import type { ResourceInventory } from '../../ports/resource-inventory.js';
import type {
  AccountRepository,
  AuditRepository,
  MembershipRepository,
  RoleCounts,
  UserRepository,
  WorkspaceRepository,
} from '../../ports/repositories.js';
import type { Store, TransactionOptions, UnitOfWork } from '../../ports/store.js';
import type { CustomRole } from '../../role/custom-role.js';
import type { TransferRequest } from '../../transfer-planner/transfer-request.js';
import type { WorkspaceGrant } from '../../workspace/grant.js';
import type { Invitation } from '../../workspace/invitation.js';
import type { ResourceCounts, ResourceKind, TrackedResource } from '../../workspace/resource.js';
import type { Workspace } from '../../workspace/workspace.js';
import { accessRepositories, AccessState } from './access-repositories.js';
import { granteeKey } from './access-tables.js';
import { MemoryAuditLog } from './audit-log.js';
import { Mutex } from './mutex.js';
import { RunIndex } from './run-index.js';
import { SortedKeys } from './sorted-keys.js';
import { Counters, deepFreeze, getOrCreate, pageOf, type Guard, type Undo } from './tables.js';

/** A deep, JSON-shaped copy of everything an in-memory store holds, in a canonical order. */
export interface MemoryStoreSnapshot {
  readonly users: readonly User[];
  readonly accounts: readonly Account[];
  readonly memberships: readonly Membership[];
  readonly workspaces: readonly Workspace[];
  readonly resources: readonly TrackedResource[];
  readonly audit: readonly AuditEvent[];
  readonly roles: readonly CustomRole[];
  /** Ordered by workspace id, then users before service accounts, then grantee id. */
  readonly grants: readonly WorkspaceGrant[];
  readonly invitations: readonly Invitation[];
  readonly serviceAccounts: readonly ServiceAccount[];
  readonly apiKeys: readonly ApiKey[];
  readonly transferRequests: readonly TransferRequest[];
}

/**
 * The in-memory adapter (STORE-2): a full {@link Store}.
 *
 * - Transactional: every write records its inverse; a unit of work whose promise rejects is
 *   rolled back, leaving the store exactly as before.
 * - Isolated: units of work run one at a time (serializable), so concurrent async commands
 *   never observe each other's partial writes.
 * - Indexed: every port method is a hash lookup or an ordered-index seek; nothing scans a table.
 */
export interface MemoryStore extends Store {
  /** A deep copy of the whole state, for tests (compare before and after a failed command). */
  snapshot(): MemoryStoreSnapshot;
}

const ROLE_ZERO: RoleCounts = { owner: 0, admin: 0, member: 0 };

class State {
  readonly users = new Map<UserId, User>();
  readonly usersByEmail = new Map<string, UserId>();
  readonly accounts = new Map<AccountId, Account>();
  readonly accountsByHandle = new Map<string, AccountId>();
  /** Every account id in order (accounts are never deleted). */
  readonly accountOrder = new SortedKeys();
  readonly memberships = new Map<AccountId, Map<UserId, Membership>>();
  readonly membershipOrder = new Map<AccountId, SortedKeys>();
  readonly membershipsByUser = new Map<UserId, Set<AccountId>>();
  readonly roleCounts = new Map<AccountId, Record<AccountRole, number>>();
  readonly workspaces = new Map<WorkspaceId, Workspace>();
  readonly workspacesByAccount = new Map<AccountId, Map<string, WorkspaceId>>();
  readonly workspaceOrder = new Map<AccountId, SortedKeys>();
  /** Per account: default role → workspaces having it. */
  readonly defaultRoles = new Counters<AccountId>();
  readonly resources = new Map<WorkspaceId, Map<ResourceId, TrackedResource>>();
  readonly resourceCounts = new Map<WorkspaceId, Map<ResourceKind, number>>();
  /** Ended runs per workspace and end day (RET-2, XFER-4). */
  readonly runs = new RunIndex();
  readonly audit = new MemoryAuditLog();
  auditSequence = 0;
  readonly access = new AccessState();

  /** Files a stored workspace under its account's handle indexes and default-role counts. */
  indexWorkspace(w: Workspace): void {
    this.workspaces.set(w.id, w);
    getOrCreate(this.workspacesByAccount, w.accountId, () => new Map<string, WorkspaceId>()).set(w.handle, w.id);
    getOrCreate(this.workspaceOrder, w.accountId, () => new SortedKeys()).insert(w.handle);
    if (w.defaultRole !== null) this.defaultRoles.add(w.accountId, w.defaultRole, 1);
  }

  /** The inverse of {@link State.indexWorkspace}. */
  unindexWorkspace(w: Workspace): void {
    this.workspaces.delete(w.id);
    this.workspacesByAccount.get(w.accountId)?.delete(w.handle);
    this.workspaceOrder.get(w.accountId)?.delete(w.handle);
    if (w.defaultRole !== null) this.defaultRoles.add(w.accountId, w.defaultRole, -1);
  }
}

/** How many workspaces `listAccessible` reads from the handle index at a time. */
const ACCESSIBLE_BATCH = 64;

/** Builds the repositories of one unit of work over `s`, recording inverses in `undo`. */
function unitOfWork(s: State, undo: Undo[], guard: Guard): UnitOfWork {
  const users: UserRepository = {
    getById: async (id) => (guard(false), s.users.get(id) ?? null),
    getByEmail: async (email) => {
      guard(false);
      const id = s.usersByEmail.get(email);
      return id === undefined ? null : (s.users.get(id) ?? null);
    },
    insert: async (user) => {
      guard(true);
      if (s.usersByEmail.has(user.email) || s.users.has(user.id)) return 'email-taken';
      s.users.set(user.id, deepFreeze({ ...user }));
      s.usersByEmail.set(user.email, user.id);
      undo.push(() => {
        s.users.delete(user.id);
        s.usersByEmail.delete(user.email);
      });
      return 'ok';
    },
  };

  const accounts: AccountRepository = {
    getById: async (id) => (guard(false), s.accounts.get(id) ?? null),
    getByHandle: async (handle) => {
      guard(false);
      const id = s.accountsByHandle.get(handle);
      return id === undefined ? null : (s.accounts.get(id) ?? null);
    },
    list: async (page) => (guard(false), pageOf(s.accountOrder, page.cursor, page.limit, (id) => s.accounts.get(id as AccountId)!, (a) => a.id)),
    insert: async (account) => {
      guard(true);
      if (s.accountsByHandle.has(account.handle) || s.accounts.has(account.id)) return 'handle-taken';
      s.accounts.set(account.id, deepFreeze({ ...account }));
      s.accountsByHandle.set(account.handle, account.id);
      s.accountOrder.insert(account.id);
      undo.push(() => {
        s.accounts.delete(account.id);
        s.accountsByHandle.delete(account.handle);
        s.accountOrder.delete(account.id);
      });
      return 'ok';
    },
    update: async (account, expectedVersion) => {
      guard(true);
      const before = s.accounts.get(account.id);
      if (!before || before.version !== expectedVersion) return 'conflict';
      const owner = s.accountsByHandle.get(account.handle);
      if (owner !== undefined && owner !== account.id) return 'handle-taken';
      s.accounts.set(account.id, deepFreeze({ ...account }));
      s.accountsByHandle.delete(before.handle);
      s.accountsByHandle.set(account.handle, account.id);
      undo.push(() => {
        s.accountsByHandle.delete(account.handle);
        s.accountsByHandle.set(before.handle, before.id);
        s.accounts.set(before.id, before);
      });
      return 'ok';
    },
    // Units of work are already serialized by the store's mutex.
    lock: async () => guard(false),
  };

  const memberships: MembershipRepository = {
    get: async (accountId, userId) => (guard(false), s.memberships.get(accountId)?.get(userId) ?? null),
    listByAccount: async (accountId, page) => {
      guard(false);
      const byUser = s.memberships.get(accountId);
      return pageOf(s.membershipOrder.get(accountId), page.cursor, page.limit, (id) => byUser!.get(id as UserId)!, (m) => m.userId);
    },
    listByUser: async (userId) => {
      guard(false);
      const out: Membership[] = [];
      for (const accountId of s.membershipsByUser.get(userId) ?? []) {
        const m = s.memberships.get(accountId)?.get(userId);
        if (m) out.push(m);
      }
      return out;
    },
    countByRole: async (accountId) => (guard(false), { ...(s.roleCounts.get(accountId) ?? ROLE_ZERO) }),
    insert: async (membership) => {
      guard(true);
      const { accountId, userId } = membership;
      const byUser = getOrCreate(s.memberships, accountId, () => new Map<UserId, Membership>());
      if (byUser.has(userId)) return 'exists';
      byUser.set(userId, deepFreeze({ ...membership }));
      getOrCreate(s.membershipOrder, accountId, () => new SortedKeys()).insert(userId);
      getOrCreate(s.membershipsByUser, userId, () => new Set()).add(accountId);
      getOrCreate(s.roleCounts, accountId, () => ({ ...ROLE_ZERO }))[membership.role] += 1;
      undo.push(() => {
        byUser.delete(userId);
        s.membershipOrder.get(accountId)?.delete(userId);
        s.membershipsByUser.get(userId)?.delete(accountId);
        s.roleCounts.get(accountId)![membership.role] -= 1;
      });
      return 'ok';
    },
    updateRole: async (accountId, userId, role) => {
      guard(true);
      const byUser = s.memberships.get(accountId);
      const before = byUser?.get(userId);
      if (!byUser || !before) return 'missing';
      const counts = s.roleCounts.get(accountId)!;
      byUser.set(userId, deepFreeze({ ...before, role }));
      counts[before.role] -= 1;
      counts[role] += 1;
      undo.push(() => {
        byUser.set(userId, before);
        counts[role] -= 1;
        counts[before.role] += 1;
      });
      return 'ok';
    },
    delete: async (accountId, userId) => {
      guard(true);
      const byUser = s.memberships.get(accountId);
      const before = byUser?.get(userId);
      if (!byUser || !before) return 'missing';
      byUser.delete(userId);
      s.membershipOrder.get(accountId)?.delete(userId);
      s.membershipsByUser.get(userId)?.delete(accountId);
      s.roleCounts.get(accountId)![before.role] -= 1;
      undo.push(() => {
        byUser.set(userId, before);
        s.membershipOrder.get(accountId)?.insert(userId);
        getOrCreate(s.membershipsByUser, userId, () => new Set()).add(accountId);
        s.roleCounts.get(accountId)![before.role] += 1;
      });
      return 'ok';
    },
  };

  const workspaces: WorkspaceRepository = {
    getById: async (id) => (guard(false), s.workspaces.get(id) ?? null),
    getByHandle: async (accountId, handle) => {
      guard(false);
      const id = s.workspacesByAccount.get(accountId)?.get(handle);
      return id === undefined ? null : (s.workspaces.get(id) ?? null);
    },
    listByAccount: async (accountId, page) => {
      guard(false);
      const byHandle = s.workspacesByAccount.get(accountId);
      return pageOf(s.workspaceOrder.get(accountId), page.cursor, page.limit, (h) => s.workspaces.get(byHandle!.get(h)!)!, (w) => w.handle);
    },
    countByAccount: async (accountId) => (guard(false), s.workspacesByAccount.get(accountId)?.size ?? 0),
    listAccessible: async (accountId, grantee, options, page) => {
      guard(false);
      // Walks the account's handle index from the cursor (bounded by its workspaces, a plan
      // limit), keeping those with a grant of `grantee` or, if asked, a default role.
      const order = s.workspaceOrder.get(accountId);
      const byHandle = s.workspacesByAccount.get(accountId);
      const key = granteeKey(grantee);
      const items: Workspace[] = [];
      let cursor = page.cursor;
      let more = false;
      while (order && byHandle && !more) {
        const handles = order.after(cursor, ACCESSIBLE_BATCH);
        for (const handle of handles) {
          const w = s.workspaces.get(byHandle.get(handle)!)!;
          if (!s.access.grants.has(w.id, key) && !(options.withDefaultRole && w.defaultRole !== null)) continue;
          if (items.length === page.limit) {
            more = true;
            break;
          }
          items.push(w);
        }
        if (handles.length < ACCESSIBLE_BATCH) break;
        cursor = handles[handles.length - 1];
      }
      const last = items[items.length - 1];
      return { items, nextCursor: more && last !== undefined ? last.handle : null };
    },
    countByDefaultRole: async (accountId, role) => (guard(false), s.defaultRoles.get(accountId, role)),
    insert: async (workspace) => {
      guard(true);
      if (s.workspacesByAccount.get(workspace.accountId)?.has(workspace.handle) || s.workspaces.has(workspace.id)) return 'handle-taken';
      const stored = deepFreeze({ ...workspace });
      s.indexWorkspace(stored);
      undo.push(() => s.unindexWorkspace(stored));
      return 'ok';
    },
    update: async (workspace, expectedVersion) => {
      guard(true);
      const before = s.workspaces.get(workspace.id);
      if (!before || before.version !== expectedVersion) return 'conflict';
      // Checked under the (possibly new) account: a transfer changes the account.
      const holder = s.workspacesByAccount.get(workspace.accountId)?.get(workspace.handle);
      if (holder !== undefined && holder !== workspace.id) return 'handle-taken';
      const after = deepFreeze({ ...workspace });
      s.unindexWorkspace(before);
      s.indexWorkspace(after);
      undo.push(() => {
        s.unindexWorkspace(after);
        s.indexWorkspace(before);
      });
      return 'ok';
    },
    delete: async (id, expectedVersion) => {
      guard(true);
      const before = s.workspaces.get(id);
      if (!before || before.version !== expectedVersion) return 'conflict';
      s.unindexWorkspace(before);
      undo.push(() => s.indexWorkspace(before));
      return 'ok';
    },
  };

  /** Files a stored resource in the workspace inventory, its kind counts and the run index. */
  const fileResource = (item: TrackedResource): void => {
    getOrCreate(s.resources, item.workspaceId, () => new Map<ResourceId, TrackedResource>()).set(item.id, item);
    const counts = getOrCreate(s.resourceCounts, item.workspaceId, () => new Map<ResourceKind, number>());
    counts.set(item.kind, (counts.get(item.kind) ?? 0) + 1);
    s.runs.add(item);
  };
  /** The inverse of {@link fileResource}. */
  const unfileResource = (item: TrackedResource): void => {
    const byId = s.resources.get(item.workspaceId);
    byId?.delete(item.id);
    if (byId?.size === 0) s.resources.delete(item.workspaceId);
    const counts = s.resourceCounts.get(item.workspaceId);
    const n = (counts?.get(item.kind) ?? 0) - 1;
    if (n > 0) counts!.set(item.kind, n);
    else counts?.delete(item.kind);
    if (counts?.size === 0) s.resourceCounts.delete(item.workspaceId);
    s.runs.remove(item);
  };

  const resources: ResourceInventory = {
    insertMany: async (items) => {
      guard(true);
      const added: TrackedResource[] = [];
      // Registered before the first write so a failure part-way still undoes what was added.
      undo.push(() => {
        for (const item of added) unfileResource(item);
      });
      for (const item of items) {
        if (s.resources.get(item.workspaceId)?.has(item.id)) throw new Error(`resource ${item.id} already exists`);
        RunIndex.check(item);
        const stored = deepFreeze({ ...item });
        fileResource(stored);
        added.push(stored);
      }
    },
    countByWorkspace: async (workspaceId) => {
      guard(false);
      const out: Partial<Record<ResourceKind, number>> = {};
      for (const [kind, n] of s.resourceCounts.get(workspaceId) ?? []) if (n > 0) out[kind] = n;
      return out satisfies ResourceCounts;
    },
    deleteByWorkspace: async (workspaceId) => {
      guard(true);
      const byId = s.resources.get(workspaceId);
      const counts = s.resourceCounts.get(workspaceId);
      s.resources.delete(workspaceId);
      s.resourceCounts.delete(workspaceId);
      const runs = s.runs.take(workspaceId);
      undo.push(() => {
        if (byId) s.resources.set(workspaceId, byId);
        if (counts) s.resourceCounts.set(workspaceId, counts);
        s.runs.restore(workspaceId, runs);
      });
      return byId?.size ?? 0;
    },
    // O(log D + min(p, D - p) + n/512) for D end days, p of them before the cutoff's day, and n
    // runs on that day: it never reads the runs of other days.
    countEndedBefore: async (workspaceId, cutoff) => (guard(false), s.runs.countBefore(workspaceId, cutoff)),
    // O(days emptied + k log n) for k deleted runs: walks the day buckets from the oldest.
    deleteEndedBefore: async (workspaceId, cutoff, limit) => {
      guard(true);
      const ids = s.runs.oldestBefore(workspaceId, cutoff, limit);
      const byId = s.resources.get(workspaceId);
      const removed = ids.map((id) => {
        const item = byId?.get(id);
        if (!item) throw new Error(`workspace-kit: the run index of ${workspaceId} names a missing resource ${id}`);
        return item;
      });
      for (const item of removed) unfileResource(item);
      if (removed.length > 0) {
        undo.push(() => {
          for (const item of removed) fileResource(item);
        });
      }
      return removed.length;
    },
  };

  const audit: AuditRepository = {
    append: async (event: NewAuditEvent) => {
      guard(true);
      const stored: AuditEvent = deepFreeze({ ...structuredClone(event), sequence: ++s.auditSequence });
      const unfile = s.audit.append(stored);
      undo.push(() => {
        unfile();
        s.auditSequence -= 1;
      });
      return stored;
    },
    list: async (accountId, filter, page) => (guard(false), s.audit.list(accountId, filter, page)),
  };

  const access = accessRepositories(
    s.access,
    {
      members: (accountId) => s.memberships.get(accountId)?.keys() ?? [],
      email: (userId) => s.users.get(userId)?.email,
    },
    undo,
    guard,
  );

  return { users, accounts, memberships, workspaces, resources, audit, ...access };
}

/**
 * Creates an empty in-memory store.
 *
 * @example
 * ```ts
 * import { createWorkspaceKit } from 'workspace-kit';
 * import { createMemoryStore } from 'workspace-kit/memory';
 *
 * const kit = createWorkspaceKit({ store: createMemoryStore() });
 * ```
 */
export function createMemoryStore(): MemoryStore {
  const state = new State();
  const mutex = new Mutex();

  return {
    transaction<T>(work: (tx: UnitOfWork) => Promise<T>, options?: TransactionOptions): Promise<T> {
      return mutex.run(async () => {
        const undo: Undo[] = [];
        let open = true;
        const readOnly = options?.readOnly === true;
        const guard = (write: boolean): void => {
          if (!open) throw new Error('workspace-kit: a unit of work was used after it ended');
          if (write && readOnly) throw new Error('workspace-kit: write in a read-only unit of work');
        };
        try {
          const result = await work(unitOfWork(state, undo, guard));
          open = false;
          return result;
        } catch (error) {
          open = false;
          for (let i = undo.length - 1; i >= 0; i -= 1) undo[i]!();
          throw error;
        }
      });
    },

    snapshot(): MemoryStoreSnapshot {
      const byKey = <T>(items: Iterable<T>, key: (t: T) => string): T[] =>
        [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      return structuredClone({
        users: byKey(state.users.values(), (u) => u.id),
        accounts: byKey(state.accounts.values(), (a) => a.id),
        memberships: byKey(
          [...state.memberships.values()].flatMap((m) => [...m.values()]),
          (m) => `${m.accountId}\u0000${m.userId}`,
        ),
        workspaces: byKey(state.workspaces.values(), (w) => w.id),
        resources: byKey(
          [...state.resources.values()].flatMap((r) => [...r.values()]),
          (r) => r.id,
        ),
        audit: state.audit.all(),
        roles: byKey(state.access.roles.byId.values(), (r) => r.id),
        grants: byKey(state.access.grants.all(), (g) => `${g.workspaceId}\u0000${granteeKey(g.grantee)}`),
        invitations: byKey(state.access.invitations.byId.values(), (i) => i.id),
        serviceAccounts: byKey(state.access.serviceAccounts.byId.values(), (a) => a.id),
        apiKeys: byKey(state.access.apiKeys.byId.values(), (k) => k.id),
        transferRequests: byKey(state.access.transferRequests.byId.values(), (r) => r.id),
      });
    },
  };
}
