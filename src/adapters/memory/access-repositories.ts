/* eslint-disable @typescript-eslint/require-await -- the port is async; this adapter has nothing to await */
import type { ApiKey } from '../../account/api-key.js';
import type { ServiceAccount } from '../../account/service-account.js';
import type { AccountId, RoleId, ServiceAccountId, UserId } from '../../core/ids.js';
import type {
  ApiKeyRepository,
  CustomRoleRepository,
  GrantRepository,
  InvitationRepository,
  SeatCounter,
  ServiceAccountRepository,
  TransferRequestRepository,
} from '../../ports/access-repositories.js';
import type { CustomRole } from '../../role/custom-role.js';
import type { WorkspaceGrant } from '../../workspace/grant.js';
import { ApiKeyTable, GrantTable, InvitationTable, NamedTable, TransferRequestTable } from './access-tables.js';
import { frozenCopy, type Guard, type Undo } from './tables.js';

/** The access tables of an in-memory store: roles, grants, invitations, service accounts, API keys, transfer requests. */
export class AccessState {
  readonly roles = new NamedTable<RoleId, CustomRole>();
  readonly grants = new GrantTable();
  readonly invitations = new InvitationTable();
  readonly serviceAccounts = new NamedTable<ServiceAccountId, ServiceAccount>();
  readonly apiKeys = new ApiKeyTable();
  readonly transferRequests = new TransferRequestTable();
}

/** What seat counting reads outside the access tables. */
export interface SeatSources {
  /** The user ids holding a membership of the account. */
  members(accountId: AccountId): Iterable<UserId>;
  /** A user's (normalized) email, if the user exists. */
  email(userId: UserId): string | undefined;
}

/** The access repositories of one unit of work over `a`, recording inverses in `undo`. */
export function accessRepositories(
  a: AccessState,
  sources: SeatSources,
  undo: Undo[],
  guard: Guard,
): {
  roles: CustomRoleRepository;
  grants: GrantRepository;
  invitations: InvitationRepository;
  serviceAccounts: ServiceAccountRepository;
  apiKeys: ApiKeyRepository;
  seats: SeatCounter;
  transferRequests: TransferRequestRepository;
} {
  /** Removes `records` with `remove` and records the inverse; returns how many there were. */
  const removeAll = <T>(records: readonly T[], remove: (r: T) => void, put: (r: T) => void): number => {
    for (const r of records) remove(r);
    if (records.length > 0) {
      undo.push(() => {
        for (const r of records) put(r);
      });
    }
    return records.length;
  };

  const roles: CustomRoleRepository = {
    getById: async (id) => (guard(false), a.roles.byId.get(id) ?? null),
    listByAccount: async (accountId, page) => (guard(false), a.roles.list(accountId, page)),
    insert: async (role) => {
      guard(true);
      const stored = frozenCopy(role);
      if (a.roles.taken(stored)) return 'name-taken';
      a.roles.put(stored);
      undo.push(() => a.roles.remove(stored));
      return 'ok';
    },
    delete: async (id) => {
      guard(true);
      const before = a.roles.byId.get(id);
      if (!before) return 'missing';
      a.roles.remove(before);
      undo.push(() => a.roles.put(before));
      return 'ok';
    },
  };

  const grants: GrantRepository = {
    get: async (workspaceId, grantee) => (guard(false), a.grants.get(workspaceId, grantee)),
    listByWorkspace: async (workspaceId, page) => (guard(false), a.grants.listByWorkspace(workspaceId, page)),
    listByGrantee: async (accountId, grantee) => (guard(false), a.grants.ofGrantee(accountId, grantee)),
    insert: async (grant) => {
      guard(true);
      if (a.grants.get(grant.workspaceId, grant.grantee)) return 'exists';
      const stored = frozenCopy(grant);
      a.grants.put(stored);
      undo.push(() => a.grants.remove(stored));
      return 'ok';
    },
    updateRole: async (workspaceId, grantee, role, updatedAt) => {
      guard(true);
      const before = a.grants.get(workspaceId, grantee);
      if (!before) return 'missing';
      const after: WorkspaceGrant = frozenCopy({ ...before, role, updatedAt });
      a.grants.remove(before);
      a.grants.put(after);
      undo.push(() => {
        a.grants.remove(after);
        a.grants.put(before);
      });
      return 'ok';
    },
    delete: async (workspaceId, grantee) => {
      guard(true);
      const before = a.grants.get(workspaceId, grantee);
      if (!before) return 'missing';
      a.grants.remove(before);
      undo.push(() => a.grants.put(before));
      return 'ok';
    },
    deleteByWorkspace: async (workspaceId) => {
      guard(true);
      return removeAll(a.grants.ofWorkspace(workspaceId), (g) => a.grants.remove(g), (g) => a.grants.put(g));
    },
    deleteByGrantee: async (accountId, grantee) => {
      guard(true);
      return removeAll(a.grants.ofGrantee(accountId, grantee), (g) => a.grants.remove(g), (g) => a.grants.put(g));
    },
    // Bounded by the workspace's grantees: each grant is re-filed under the new account, so its
    // grantee index, role counts and seats move with it.
    moveWorkspace: async (workspaceId, accountId) => {
      guard(true);
      const moves = a.grants
        .ofWorkspace(workspaceId)
        .filter((g) => g.accountId !== accountId)
        .map((before) => ({ before, after: frozenCopy({ ...before, accountId }) }));
      for (const { before, after } of moves) {
        a.grants.remove(before);
        a.grants.put(after);
      }
      if (moves.length > 0) {
        undo.push(() => {
          for (const { before, after } of moves) {
            a.grants.remove(after);
            a.grants.put(before);
          }
        });
      }
      return moves.length;
    },
    countByRole: async (accountId, role) => (guard(false), a.grants.countByRole(accountId, role)),
  };

  const invitations: InvitationRepository = {
    getById: async (id) => (guard(false), a.invitations.byId.get(id) ?? null),
    listByAccount: async (accountId, filter, page) => (guard(false), a.invitations.list(accountId, filter, page)),
    getPendingFor: async (accountId, workspaceId, email) => (guard(false), a.invitations.pendingFor(accountId, workspaceId, email) ?? null),
    insert: async (invitation) => {
      guard(true);
      if (a.invitations.byId.has(invitation.id)) throw new Error(`workspace-kit: invitation ${invitation.id} already exists`);
      if (invitation.status === 'pending' && a.invitations.slotHolder(invitation) !== undefined) return 'exists';
      const stored = frozenCopy(invitation);
      a.invitations.put(stored);
      undo.push(() => a.invitations.remove(stored));
      return 'ok';
    },
    update: async (invitation, expectedVersion) => {
      guard(true);
      const before = a.invitations.byId.get(invitation.id);
      if (!before || before.version !== expectedVersion) return 'conflict';
      // Keeps "one pending per (account, target, email)" even for an update that re-targets.
      const holder = invitation.status === 'pending' ? a.invitations.slotHolder(invitation) : undefined;
      if (holder !== undefined && holder !== invitation.id) return 'conflict';
      const after = frozenCopy(invitation);
      a.invitations.remove(before);
      a.invitations.put(after);
      undo.push(() => {
        a.invitations.remove(after);
        a.invitations.put(before);
      });
      return 'ok';
    },
    deleteByWorkspace: async (workspaceId) => {
      guard(true);
      return removeAll(a.invitations.ofWorkspace(workspaceId), (i) => a.invitations.remove(i), (i) => a.invitations.put(i));
    },
    countPendingByRole: async (accountId, role) => (guard(false), a.invitations.countPendingByRole(accountId, role)),
  };

  const serviceAccounts: ServiceAccountRepository = {
    getById: async (id) => (guard(false), a.serviceAccounts.byId.get(id) ?? null),
    listByAccount: async (accountId, page) => (guard(false), a.serviceAccounts.list(accountId, page)),
    insert: async (serviceAccount) => {
      guard(true);
      const stored = frozenCopy(serviceAccount);
      if (a.serviceAccounts.taken(stored)) return 'name-taken';
      a.serviceAccounts.put(stored);
      undo.push(() => a.serviceAccounts.remove(stored));
      return 'ok';
    },
    delete: async (id) => {
      guard(true);
      const before = a.serviceAccounts.byId.get(id);
      if (!before) return 'missing';
      a.serviceAccounts.remove(before);
      undo.push(() => a.serviceAccounts.put(before));
      return 'ok';
    },
  };

  const apiKeys: ApiKeyRepository = {
    getById: async (id) => (guard(false), a.apiKeys.byId.get(id) ?? null),
    listByOwner: async (owner, page) => (guard(false), a.apiKeys.list(owner, page)),
    insert: async (key) => {
      guard(true);
      if (a.apiKeys.byId.has(key.id)) throw new Error(`workspace-kit: API key ${key.id} already exists`);
      const stored = frozenCopy(key);
      a.apiKeys.put(stored);
      undo.push(() => a.apiKeys.remove(stored));
      return 'ok';
    },
    update: async (key, expectedVersion) => {
      guard(true);
      const before = a.apiKeys.byId.get(key.id);
      if (!before || before.version !== expectedVersion) return 'conflict';
      const after: ApiKey = frozenCopy(key);
      a.apiKeys.remove(before);
      a.apiKeys.put(after);
      undo.push(() => {
        a.apiKeys.remove(after);
        a.apiKeys.put(before);
      });
      return 'ok';
    },
    deleteByOwner: async (owner) => {
      guard(true);
      return removeAll(a.apiKeys.ofOwner(owner), (k) => a.apiKeys.remove(k), (k) => a.apiKeys.put(k));
    },
  };

  const seats: SeatCounter = {
    // Bounded by the account's own members, grantees and pending invitations (PLAN-2 limits).
    count: async (accountId, now, candidateEmail) => {
      guard(false);
      const emails = new Set<string>();
      const addUser = (userId: UserId): void => {
        const email = sources.email(userId);
        if (email !== undefined) emails.add(email);
      };
      for (const userId of sources.members(accountId)) addUser(userId);
      for (const userId of a.grants.usersOf(accountId)) addUser(userId as UserId);
      for (const invitation of a.invitations.pendingOf(accountId)) if (invitation.expiresAt > now) emails.add(invitation.email);
      if (candidateEmail !== undefined) emails.add(candidateEmail.trim().toLowerCase());
      return emails.size;
    },
  };

  const transferRequests: TransferRequestRepository = {
    getById: async (id) => (guard(false), a.transferRequests.byId.get(id) ?? null),
    getPendingByWorkspace: async (workspaceId) => {
      guard(false);
      const id = a.transferRequests.pendingOf(workspaceId);
      return id === undefined ? null : (a.transferRequests.byId.get(id) ?? null);
    },
    insert: async (request) => {
      guard(true);
      if (a.transferRequests.byId.has(request.id)) throw new Error(`workspace-kit: transfer request ${request.id} already exists`);
      if (request.status === 'pending' && a.transferRequests.pendingOf(request.workspaceId) !== undefined) return 'exists';
      const stored = frozenCopy(request);
      a.transferRequests.put(stored);
      undo.push(() => a.transferRequests.remove(stored));
      return 'ok';
    },
    update: async (request, expectedVersion) => {
      guard(true);
      const before = a.transferRequests.byId.get(request.id);
      if (!before || before.version !== expectedVersion) return 'conflict';
      // Keeps "one pending per workspace" even for an update that re-opens or re-targets.
      const holder = request.status === 'pending' ? a.transferRequests.pendingOf(request.workspaceId) : undefined;
      if (holder !== undefined && holder !== request.id) return 'conflict';
      const after = frozenCopy(request);
      a.transferRequests.remove(before);
      a.transferRequests.put(after);
      undo.push(() => {
        a.transferRequests.remove(after);
        a.transferRequests.put(before);
      });
      return 'ok';
    },
    deleteByWorkspace: async (workspaceId) => {
      guard(true);
      return removeAll(
        a.transferRequests.ofWorkspace(workspaceId),
        (r) => a.transferRequests.remove(r),
        (r) => a.transferRequests.put(r),
      );
    },
  };

  return { roles, grants, invitations, serviceAccounts, apiKeys, seats, transferRequests };
}
