import type { Account, AccountRole, Membership, User } from '../../account/account.js';
import type { NewAuditEvent } from '../../audit/audit-event.js';
import type { Timestamp } from '../../core/clock.js';
import type { Handle } from '../../core/handle.js';
import type { AccountId, AuditEventId, ResourceId, UserId, WorkspaceId } from '../../core/ids.js';
import type { Store, UnitOfWork } from '../../ports/store.js';
import type { ResourceKind, TrackedResource } from '../../workspace/resource.js';
import type { Workspace } from '../../workspace/workspace.js';
import { expectEqual } from './assertions.js';

// Record builders for the conformance checks. Every id, handle and email carries a random tag
// of the check run, so checks never collide even if a host reuses one database between them.
// Handles obey HDL-2 and ids stay short, so an adapter may keep its usual column constraints.

const BASE_TIME = Date.UTC(2026, 0, 1);

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

  /** A workspace of `accountId` at version 1. */
  workspace(accountId: AccountId, overrides: Partial<Omit<Workspace, 'accountId'>> = {}): Workspace {
    const createdAt = this.at(2);
    return {
      id: this.id<WorkspaceId>('ws'),
      accountId,
      handle: this.handle('ws'),
      description: 'a workspace — with “quotes”, \'apostrophes\' and émojis 🚀',
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

/** Runs `work` in its own transaction: shorthand for reads that verify committed state. */
export function inTx<T>(store: Store, work: (tx: UnitOfWork) => Promise<T>): Promise<T> {
  return store.transaction(work);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
