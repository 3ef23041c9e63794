import type {
  ApiKeyRepository,
  CustomRoleRepository,
  GrantRepository,
  InvitationRepository,
  SeatCounter,
  ServiceAccountRepository,
  TransferRequestRepository,
} from './access-repositories.js';
import type { ResourceInventory } from './resource-inventory.js';
import type {
  AccountRepository,
  AuditRepository,
  MembershipRepository,
  UserRepository,
  WorkspaceRepository,
} from './repositories.js';

/**
 * One unit of work: the repositories, all bound to one transaction. Everything written
 * through them becomes visible to others together at commit, or not at all.
 */
export interface UnitOfWork {
  readonly users: UserRepository;
  readonly accounts: AccountRepository;
  readonly memberships: MembershipRepository;
  readonly workspaces: WorkspaceRepository;
  readonly resources: ResourceInventory;
  readonly audit: AuditRepository;
  readonly roles: CustomRoleRepository;
  readonly grants: GrantRepository;
  readonly invitations: InvitationRepository;
  readonly serviceAccounts: ServiceAccountRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly seats: SeatCounter;
  readonly transferRequests: TransferRequestRepository;
}

/** Options of {@link Store.transaction}. */
export interface TransactionOptions {
  /** The work only reads; adapters may use a cheaper read-only transaction. */
  readonly readOnly?: boolean;
}

/**
 * The storage port (STORE-1). An adapter runs `work` in a transaction: if the promise it
 * returns resolves, everything `work` wrote is committed atomically; if it rejects, nothing is,
 * and the rejection propagates unchanged. Concurrent transactions are isolated from each other
 * (at least as strongly as the guarded writes and `accounts.lock` of the ports require).
 *
 * @example
 * ```ts
 * const count = await store.transaction((tx) => tx.workspaces.countByAccount(accountId), { readOnly: true });
 * ```
 */
export interface Store {
  transaction<T>(work: (tx: UnitOfWork) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

/** The names of the repositories of a {@link UnitOfWork}. */
export const REPOSITORY_NAMES = [
  'users',
  'accounts',
  'memberships',
  'workspaces',
  'resources',
  'audit',
  'roles',
  'grants',
  'invitations',
  'serviceAccounts',
  'apiKeys',
  'seats',
  'transferRequests',
] as const;

/**
 * The write methods of every repository: what a fault-injecting wrapper counts, and what a
 * read-only transaction must not call.
 */
export const WRITE_METHODS: Readonly<Record<(typeof REPOSITORY_NAMES)[number], readonly string[]>> = {
  users: ['insert'],
  accounts: ['insert', 'update'],
  memberships: ['insert', 'updateRole', 'delete'],
  workspaces: ['insert', 'update', 'delete'],
  resources: ['insertMany', 'deleteByWorkspace', 'deleteEndedBefore'],
  audit: ['append'],
  roles: ['insert', 'delete'],
  grants: ['insert', 'updateRole', 'delete', 'deleteByWorkspace', 'deleteByGrantee', 'moveWorkspace'],
  invitations: ['insert', 'update', 'deleteByWorkspace'],
  serviceAccounts: ['insert', 'delete'],
  apiKeys: ['insert', 'update', 'deleteByOwner'],
  seats: [],
  transferRequests: ['insert', 'update', 'deleteByWorkspace'],
};
