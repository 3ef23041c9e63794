import { createHash } from 'node:crypto';
import type { Account, AccountRole, Membership, User } from '../../account/account.js';
import type { ApiKey } from '../../account/api-key.js';
import type { ServiceAccount } from '../../account/service-account.js';
import type { NewAuditEvent } from '../../audit/audit-event.js';
import type { Timestamp } from '../../core/clock.js';
import type { Handle } from '../../core/handle.js';
import type {
  AccountId,
  ApiKeyId,
  AuditEventId,
  InvitationId,
  ResourceId,
  RoleId,
  ServiceAccountId,
  TransferRequestId,
  UserId,
  WorkspaceId,
} from '../../core/ids.js';
import { granteeId, type Grantee, type Principal } from '../../core/principal.js';
import type { Store, UnitOfWork } from '../../ports/store.js';
import type { CustomRole, WorkspaceRoleRef } from '../../role/custom-role.js';
import type { TransferRequest } from '../../transfer-planner/transfer-request.js';
import type { WorkspaceGrant } from '../../workspace/grant.js';
import type { Invitation } from '../../workspace/invitation.js';
import type { ResourceKind, TrackedResource } from '../../workspace/resource.js';
import type { Workspace } from '../../workspace/workspace.js';
import { expectEqual } from './assertions.js';

// Record builders for the conformance checks. Every id, handle and email carries a random tag
// of the check run, so checks never collide even if a host reuses one database between them.
// Handles obey HDL-2 and ids stay short, so an adapter may keep its usual column constraints.

const BASE_TIME = Date.UTC(2026, 0, 1);

/** Minutes in the default invitation lifetime (INV-1: 7 days). */
const INVITATION_MINUTES = 7 * 24 * 60;

/** A realistic secret or token hash: the hex SHA-256 of `seed`. */
function sha256(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

function randomTag(): string {
  let tag = '';
  while (tag.length < 8) tag += Math.random().toString(36).slice(2);
  return tag.slice(0, 8);
}

/** A user with its personal account, as the kit creates them (ACC-1). */
export interface PersonalRecords {
  readonly user: User;
  readonly account: Account;
}

/** An organization with its members, as seeded by {@link seedOrganization}. */
export interface SeededOrg {
  readonly account: Account;
  readonly members: readonly { readonly person: PersonalRecords; readonly membership: Membership }[];
}

/** Builds records with unique ids, handles and emails for one check run. */
export class Fixtures {
  /** Random lower-case letters and digits shared by everything this instance builds. */
  readonly tag = randomTag();
  private n = 0;

  /** A fresh, zero-padded sequence number: values built later sort after earlier ones. */
  seq(): string {
    this.n += 1;
    return String(this.n).padStart(4, '0');
  }

  /** An id `${prefix}_${tag}_${seq}`. */
  id<T extends string>(prefix: string, suffix: string = this.seq()): T {
    return `${prefix}_${this.tag}_${suffix}` as T;
  }

  /** A fresh, valid handle `${label}-${tag}-${seq}` (HDL-2). */
  handle(label = 'h'): Handle {
    return `${label}-${this.tag}-${this.seq()}` as Handle;
  }

  /** The instant `minutes` after 2026-01-01T00:00:00.000Z. */
  at(minutes = 0): Timestamp {
    return new Date(BASE_TIME + minutes * 60_000).toISOString();
  }

  /** A user and its personal account, referencing each other. */
  personal(overrides: { readonly email?: string; readonly handle?: Handle; readonly userId?: UserId } = {}): PersonalRecords {
    const userId = overrides.userId ?? this.id<UserId>('usr');
    const accountId = this.id<AccountId>('acc');
    const handle = overrides.handle ?? this.handle('user');
    const createdAt = this.at(0);
    return {
      user: {
        id: userId,
        email: overrides.email ?? `${handle}@example.test`,
        displayName: `Zoë ${handle}`,
        personalAccountId: accountId,
        createdAt,
      },
      account: {
        id: accountId,
        kind: 'personal',
        handle,
        displayName: `Zoë ${handle}`,
        planId: 'hobby',
        ownerUserId: userId,
        version: 1,
        createdAt,
        updatedAt: createdAt,
      },
    };
  }

  /** An organization account at version 1. */
  organization(overrides: Partial<Omit<Account, 'kind' | 'ownerUserId'>> = {}): Account {
    const createdAt = this.at(1);
    return {
      id: this.id<AccountId>('acc'),
      kind: 'organization',
      handle: this.handle('org'),
      displayName: 'Organization “Ünïcode” ✓',
      planId: 'pro',
      ownerUserId: null,
      version: 1,
      createdAt,
      updatedAt: createdAt,
      ...overrides,
    };
  }

  /** A fresh, normalized email `${label}-${tag}-${seq}@example.test`. */
  email(label = 'invitee'): string {
    return `${label}-${this.tag}-${this.seq()}@example.test`;
  }

  /** A workspace of `accountId` at version 1, without a default role. */
  workspace(accountId: AccountId, overrides: Partial<Omit<Workspace, 'accountId'>> = {}): Workspace {
    const createdAt = this.at(2);
    return {
      id: this.id<WorkspaceId>('ws'),
      accountId,
      handle: this.handle('ws'),
      description: 'a workspace — with “quotes”, \'apostrophes\' and émojis 🚀',
      defaultRole: null,
      version: 1,
      createdAt,
      updatedAt: createdAt,
      ...overrides,
    };
  }

  /** A membership of `userId` in `accountId`. */
  membership(accountId: AccountId, userId: UserId, role: AccountRole = 'member'): Membership {
    return { accountId, userId, role, createdAt: this.at(3) };
  }

  /** A tracked resource; runs (`flow-run`, `task-run`) are completed, with an end time. */
  resource(workspaceId: WorkspaceId, kind: ResourceKind = 'flow', overrides: Partial<TrackedResource> = {}): TrackedResource {
    const run = kind === 'flow-run' || kind === 'task-run';
    return {
      id: this.id<ResourceId>('res'),
      workspaceId,
      kind,
      name: `${kind}-${this.n}`,
      createdAt: this.at(4),
      state: run ? 'completed' : null,
      endedAt: run ? this.at(5) : null,
      parentRunId: null,
      ...overrides,
    };
  }

  /**
   * A completed flow run of `workspaceId` that ended at `endedAt` (RET-1); `overrides` may make
   * it a task run, a subflow (`parentRunId`) or give it another terminal state.
   */
  run(workspaceId: WorkspaceId, endedAt: Timestamp, overrides: Partial<TrackedResource> = {}): TrackedResource {
    return this.resource(workspaceId, 'flow-run', { endedAt, ...overrides });
  }

  /**
   * A custom role of `accountId` (ROLE-2) named `Role ${tag} ${seq}` (names built later sort
   * after earlier ones), with sorted scopes and no inherited role.
   */
  role(accountId: AccountId, overrides: Partial<Omit<CustomRole, 'accountId'>> = {}): CustomRole {
    const seq = this.seq();
    return {
      id: this.id<RoleId>('role', seq),
      accountId,
      name: `Role ${this.tag} ${seq}`,
      scopes: ['run_deployments', 'see_flows'],
      inherits: null,
      createdAt: this.at(3),
      ...overrides,
    };
  }

  /** A service account of `accountId` (SA-1) named `Bot ${tag} ${seq}`. */
  serviceAccount(accountId: AccountId, overrides: Partial<Omit<ServiceAccount, 'accountId'>> = {}): ServiceAccount {
    const seq = this.seq();
    return { id: this.id<ServiceAccountId>('sa', seq), accountId, name: `Bot ${this.tag} ${seq}`, createdAt: this.at(3), ...overrides };
  }

  /** A grant of `role` on `workspace` to `grantee` (SHR-1), recorded in the workspace's account. */
  grant(workspace: Workspace, grantee: Grantee, role: WorkspaceRoleRef = 'developer', overrides: Partial<WorkspaceGrant> = {}): WorkspaceGrant {
    return {
      workspaceId: workspace.id,
      accountId: workspace.accountId,
      grantee,
      role,
      createdAt: this.at(4),
      updatedAt: this.at(4),
      ...overrides,
    };
  }

  /**
   * A pending invitation (INV-1) of `accountId` to a fresh email, by default to join the
   * account as a member, invited by a system principal, expiring 7 days after it was created.
   */
  invitation(accountId: AccountId, overrides: Partial<Omit<Invitation, 'accountId'>> = {}): Invitation {
    const id = this.id<InvitationId>('inv');
    return {
      id,
      accountId,
      email: this.email(),
      target: { type: 'account', role: 'member' },
      invitedBy: { type: 'system', name: 'conformance' },
      status: 'pending',
      tokenHash: sha256(id),
      createdAt: this.at(6),
      expiresAt: this.at(6 + INVITATION_MINUTES),
      respondedAt: null,
      acceptedBy: null,
      version: 1,
      ...overrides,
    };
  }

  /** A pending invitation to collaborate on `workspace` with `role` (COL-1). */
  workspaceInvitation(workspace: Workspace, role: WorkspaceRoleRef = 'developer', overrides: Partial<Omit<Invitation, 'accountId' | 'target'>> = {}): Invitation {
    return this.invitation(workspace.accountId, { target: { type: 'workspace', workspaceId: workspace.id, role }, ...overrides });
  }

  /** An API key of `owner` (SA-2) recorded in `accountId`, at version 1, without expiry. */
  apiKey(owner: Grantee, accountId: AccountId, overrides: Partial<Omit<ApiKey, 'owner' | 'accountId'>> = {}): ApiKey {
    const id = this.id<ApiKeyId>('key');
    return {
      id,
      owner,
      accountId,
      name: `key of ${granteeId(owner)}`,
      secretHash: sha256(id),
      createdAt: this.at(7),
      expiresAt: null,
      revokedAt: null,
      rotatedTo: null,
      version: 1,
      ...overrides,
    };
  }

  /**
   * A pending transfer request (XFER-2) moving `workspace` from its account to `targetAccountId`,
   * keeping its handle, requested by `requestedBy`, awaiting the target, at version 1, expiring
   * 24 hours after it was created.
   */
  transferRequest(workspace: Workspace, targetAccountId: AccountId, requestedBy: Principal, overrides: Partial<TransferRequest> = {}): TransferRequest {
    const id = this.id<TransferRequestId>('xfer');
    return {
      id,
      workspaceId: workspace.id,
      sourceAccountId: workspace.accountId,
      targetAccountId,
      newHandle: workspace.handle,
      requestedBy,
      awaiting: 'target',
      status: 'pending',
      fingerprint: sha256(id),
      plannedAt: this.at(8),
      createdAt: this.at(8),
      expiresAt: this.at(8 + 24 * 60),
      respondedAt: null,
      respondedBy: null,
      version: 1,
      ...overrides,
    };
  }

  /** An audit event of `accountId`, by a system principal, with JSON details of every kind. */
  event(accountId: AccountId, overrides: Partial<NewAuditEvent> = {}): NewAuditEvent {
    const id = this.id<AuditEventId>('evt');
    return {
      id,
      accountId,
      workspaceId: null,
      actor: { type: 'system', name: 'conformance' },
      action: 'account.created',
      subject: { type: 'account', id: accountId },
      at: this.at(10),
      details: {
        text: 'héllo “world”',
        count: 3,
        ratio: 0.5,
        flag: false,
        nothing: null,
        list: [1, 'two', { three: 3 }],
        change: { from: 'a', to: 'b' },
      },
      ...overrides,
    };
  }
}

/** Inserts a user and its personal account in `tx` (user first, as the kit does) and expects `'ok'`. */
export async function insertPersonal(tx: UnitOfWork, p: PersonalRecords): Promise<void> {
  expectEqual(await tx.users.insert(p.user), 'ok', `setup: users.insert(${p.user.id})`);
  expectEqual(await tx.accounts.insert(p.account), 'ok', `setup: accounts.insert(${p.account.id})`);
}

/** Inserts an account in `tx` and expects `'ok'`. */
export async function insertAccount(tx: UnitOfWork, account: Account): Promise<void> {
  expectEqual(await tx.accounts.insert(account), 'ok', `setup: accounts.insert(${account.id})`);
}

/** Inserts a membership in `tx` and expects `'ok'`. */
export async function insertMembership(tx: UnitOfWork, membership: Membership): Promise<void> {
  expectEqual(
    await tx.memberships.insert(membership),
    'ok',
    `setup: memberships.insert(${membership.accountId}, ${membership.userId})`,
  );
}

/** Inserts a workspace in `tx` and expects `'ok'`. */
export async function insertWorkspace(tx: UnitOfWork, workspace: Workspace): Promise<void> {
  expectEqual(await tx.workspaces.insert(workspace), 'ok', `setup: workspaces.insert(${workspace.id})`);
}

/** Inserts a custom role in `tx` and expects `'ok'`. */
export async function insertRole(tx: UnitOfWork, role: CustomRole): Promise<void> {
  expectEqual(await tx.roles.insert(role), 'ok', `setup: roles.insert(${role.id})`);
}

/** Inserts a service account in `tx` and expects `'ok'`. */
export async function insertServiceAccount(tx: UnitOfWork, serviceAccount: ServiceAccount): Promise<void> {
  expectEqual(await tx.serviceAccounts.insert(serviceAccount), 'ok', `setup: serviceAccounts.insert(${serviceAccount.id})`);
}

/** Inserts a grant in `tx` and expects `'ok'`. */
export async function insertGrant(tx: UnitOfWork, grant: WorkspaceGrant): Promise<void> {
  expectEqual(await tx.grants.insert(grant), 'ok', `setup: grants.insert(${grant.workspaceId}, ${granteeId(grant.grantee)})`);
}

/** Inserts an invitation in `tx` and expects `'ok'`. */
export async function insertInvitation(tx: UnitOfWork, invitation: Invitation): Promise<void> {
  expectEqual(await tx.invitations.insert(invitation), 'ok', `setup: invitations.insert(${invitation.id})`);
}

/** Inserts a transfer request in `tx` and expects `'ok'`. */
export async function insertTransferRequest(tx: UnitOfWork, request: TransferRequest): Promise<void> {
  expectEqual(await tx.transferRequests.insert(request), 'ok', `setup: transferRequests.insert(${request.id})`);
}

/** Inserts an API key in `tx` and expects `'ok'`. */
export async function insertApiKey(tx: UnitOfWork, key: ApiKey): Promise<void> {
  expectEqual(await tx.apiKeys.insert(key), 'ok', `setup: apiKeys.insert(${key.id})`);
}

/** Commits `count` users with their personal accounts. */
export async function seedPeople(store: Store, f: Fixtures, count: number): Promise<PersonalRecords[]> {
  const people = Array.from({ length: count }, () => f.personal());
  await store.transaction(async (tx) => {
    for (const p of people) await insertPersonal(tx, p);
  });
  return people;
}

/** Commits an organization with one fresh user (and personal account) per role in `roles`. */
export async function seedOrganization(store: Store, f: Fixtures, roles: readonly AccountRole[]): Promise<SeededOrg> {
  const account = f.organization();
  const members = roles.map((role) => {
    const person = f.personal();
    return { person, membership: f.membership(account.id, person.user.id, role) };
  });
  await store.transaction(async (tx) => {
    await insertAccount(tx, account);
    for (const m of members) {
      await insertPersonal(tx, m.person);
      await insertMembership(tx, m.membership);
    }
  });
  return { account, members };
}

/** Commits the given accounts (organizations). */
export async function seedAccounts(store: Store, accounts: readonly Account[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const a of accounts) await insertAccount(tx, a);
  });
}

/** Commits the given workspaces (their accounts must exist). */
export async function seedWorkspaces(store: Store, workspaces: readonly Workspace[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const w of workspaces) await insertWorkspace(tx, w);
  });
}

/**
 * Committed state for the access checks: an organization `org` and another one `other`, users
 * (with personal accounts, not members unless `members` says so), service accounts of `org`,
 * workspaces of both (in handle order) and a custom role in each.
 */
export interface AccessWorld {
  readonly f: Fixtures;
  readonly org: Account;
  readonly other: Account;
  /** Users in id order. */
  readonly people: readonly PersonalRecords[];
  /** Service accounts of `org`, in id order. */
  readonly bots: readonly ServiceAccount[];
  /** Workspaces of `org`, in id and handle order. */
  readonly ws: readonly Workspace[];
  /** Workspaces of `other`. */
  readonly otherWs: readonly Workspace[];
  /** A custom role of `org`. */
  readonly role: CustomRole;
  /** A custom role of `other`. */
  readonly otherRole: CustomRole;
}

/** Options of {@link seedAccessWorld}. */
export interface AccessWorldOptions {
  readonly people?: number;
  readonly bots?: number;
  readonly workspaces?: number;
  readonly otherWorkspaces?: number;
  /** Memberships of `org` to add: index into `people` and role. */
  readonly members?: readonly (readonly [number, AccountRole])[];
}

/** Commits an {@link AccessWorld}. */
export async function seedAccessWorld(store: Store, options: AccessWorldOptions = {}): Promise<AccessWorld> {
  const f = new Fixtures();
  const [org, other] = [f.organization(), f.organization()];
  const people = Array.from({ length: options.people ?? 3 }, () => f.personal());
  const bots = Array.from({ length: options.bots ?? 2 }, () => f.serviceAccount(org.id));
  const ws = Array.from({ length: options.workspaces ?? 3 }, () => f.workspace(org.id));
  const otherWs = Array.from({ length: options.otherWorkspaces ?? 1 }, () => f.workspace(other.id));
  const [role, otherRole] = [f.role(org.id), f.role(other.id)];
  await store.transaction(async (tx) => {
    await insertAccount(tx, org);
    await insertAccount(tx, other);
    for (const p of people) await insertPersonal(tx, p);
    for (const [i, role] of options.members ?? []) await insertMembership(tx, f.membership(org.id, people[i]!.user.id, role));
    for (const b of bots) await insertServiceAccount(tx, b);
    for (const w of [...ws, ...otherWs]) await insertWorkspace(tx, w);
    await insertRole(tx, role);
    await insertRole(tx, otherRole);
  });
  return { f, org, other, people, bots, ws, otherWs, role, otherRole };
}

/** Runs `work` in its own transaction: shorthand for reads that verify committed state. */
export function inTx<T>(store: Store, work: (tx: UnitOfWork) => Promise<T>): Promise<T> {
  return store.transaction(work);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
