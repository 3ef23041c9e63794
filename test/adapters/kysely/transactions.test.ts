/**
 * Direct tests of the Kysely adapter's units of work, beyond the conformance suite:
 * refused writes keep a PostgreSQL transaction usable, storage failures never commit, the
 * read-only and ended-unit-of-work guards, option checks, and PostgreSQL deadlock retries.
 */
import { Kysely, SqliteDialect, sql } from 'kysely';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Account, User } from '../../../src/account/account.js';
import type { NewAuditEvent } from '../../../src/audit/audit-event.js';
import type { Handle } from '../../../src/core/handle.js';
import type { ApiKey } from '../../../src/account/api-key.js';
import type { ServiceAccount } from '../../../src/account/service-account.js';
import type {
  AccountId,
  ApiKeyId,
  AuditEventId,
  InvitationId,
  ResourceId,
  RoleId,
  ServiceAccountId,
  UserId,
  WorkspaceId,
} from '../../../src/core/ids.js';
import type { CustomRole } from '../../../src/role/custom-role.js';
import type { WorkspaceGrant } from '../../../src/workspace/grant.js';
import type { Invitation } from '../../../src/workspace/invitation.js';
import { createKyselyStore, migrateToLatest, workspaceKitTableNames } from '../../../src/kysely.js';
import type { Store, UnitOfWork } from '../../../src/ports/store.js';
import type { TrackedResource } from '../../../src/workspace/resource.js';
import type { Workspace } from '../../../src/workspace/workspace.js';
import { storeConformanceChecks } from '../../../src/testing.js';
import { dumpTables, postgresTestDatabase, sqliteMemoryStore, type TestStore } from './stores.js';

const AT = '2026-01-01T00:00:00.000Z';
let n = 0;
const next = (prefix: string): string => `${prefix}_${(n += 1)}`;

function user(): User {
  const id = next('usr') as UserId;
  return { id, email: `${id}@example.test`, displayName: id, personalAccountId: `acc_of_${id}` as AccountId, createdAt: AT };
}
function org(handle = next('org').replace('_', '-')): Account {
  return {
    id: next('acc') as AccountId,
    kind: 'organization',
    handle: handle as Handle,
    displayName: handle,
    planId: 'pro',
    ownerUserId: null,
    version: 1,
    createdAt: AT,
    updatedAt: AT,
  };
}
function workspace(accountId: AccountId, handle = next('ws').replace('_', '-')): Workspace {
  return { id: next('ws') as WorkspaceId, accountId, handle: handle as Handle, description: '', defaultRole: null, version: 1, createdAt: AT, updatedAt: AT };
}
function resource(workspaceId: WorkspaceId, id = next('res')): TrackedResource {
  return { id: id as ResourceId, workspaceId, kind: 'flow', name: id, createdAt: AT, state: null, endedAt: null, parentRunId: null };
}
function event(accountId: AccountId): NewAuditEvent {
  return {
    id: next('evt') as AuditEventId,
    accountId,
    workspaceId: null,
    actor: { type: 'system', name: 'test' },
    action: 'account.created',
    subject: { type: 'account', id: accountId },
    at: AT,
    details: {},
  };
}

function role(accountId: AccountId, name = next('role')): CustomRole {
  return { id: next('role') as RoleId, accountId, name, scopes: ['see_flows'], inherits: null, createdAt: AT };
}
function serviceAccount(accountId: AccountId, name = next('sa')): ServiceAccount {
  return { id: next('sa') as ServiceAccountId, accountId, name, createdAt: AT };
}
function grant(w: Workspace, sa: ServiceAccount): WorkspaceGrant {
  const grantee = { type: 'service-account', serviceAccountId: sa.id } as const;
  return { workspaceId: w.id, accountId: w.accountId, grantee, role: 'runner', createdAt: AT, updatedAt: AT };
}
function invitation(w: Workspace, email = `${next('invitee')}@example.test`): Invitation {
  return {
    id: next('inv') as InvitationId,
    accountId: w.accountId,
    email,
    target: { type: 'workspace', workspaceId: w.id, role: 'viewer' },
    invitedBy: { type: 'system', name: 'test' },
    status: 'pending',
    tokenHash: 'hash',
    createdAt: AT,
    expiresAt: '2026-01-08T00:00:00.000Z',
    respondedAt: null,
    acceptedBy: null,
    version: 1,
  };
}
function apiKey(sa: ServiceAccount): ApiKey {
  return {
    id: next('key') as ApiKeyId,
    owner: { type: 'service-account', serviceAccountId: sa.id },
    accountId: sa.accountId,
    name: 'ci',
    secretHash: 'secret',
    createdAt: AT,
    expiresAt: null,
    revokedAt: null,
    rotatedTo: null,
    version: 1,
  };
}

/**
 * Commits an organization with two workspaces, a user, a resource and an event, and one row of
 * each access table: a custom role, a service account with a grant and an API key, an invitation.
 */
async function seed(store: Store) {
  const [a, b, u] = [org(), org(), user()];
  const [w1, w2] = [workspace(a.id), workspace(a.id)];
  const r = resource(w1.id);
  const [ro, sa] = [role(a.id), serviceAccount(a.id)];
  const [g, inv, key] = [grant(w1, sa), invitation(w1), apiKey(sa)];
  await store.transaction(async (tx) => {
    expect(await tx.users.insert(u)).toBe('ok');
    for (const x of [a, b]) expect(await tx.accounts.insert(x)).toBe('ok');
    for (const w of [w1, w2]) expect(await tx.workspaces.insert(w)).toBe('ok');
    await tx.resources.insertMany([r]);
    await tx.audit.append(event(a.id));
    expect(await tx.roles.insert(ro)).toBe('ok');
    expect(await tx.serviceAccounts.insert(sa)).toBe('ok');
    expect(await tx.grants.insert(g)).toBe('ok');
    expect(await tx.invitations.insert(inv)).toBe('ok');
    expect(await tx.apiKeys.insert(key)).toBe('ok');
  });
  return { a, b, u, w1, w2, r, role: ro, sa, grant: g, invitation: inv, key };
}

/** Calls every write method of the ports once, with harmless arguments. */
function everyWrite(tx: UnitOfWork, s: Awaited<ReturnType<typeof seed>>): (() => Promise<unknown>)[] {
  return [
    () => tx.users.insert(user()),
    () => tx.accounts.insert(org()),
    () => tx.accounts.update({ ...s.a, version: 2 }, 1),
    () => tx.memberships.insert({ accountId: s.a.id, userId: s.u.id, role: 'member', createdAt: AT }),
    () => tx.memberships.updateRole(s.a.id, s.u.id, 'admin'),
    () => tx.memberships.delete(s.a.id, s.u.id),
    () => tx.workspaces.insert(workspace(s.a.id)),
    () => tx.workspaces.update({ ...s.w1, version: 2 }, 1),
    () => tx.workspaces.delete(s.w2.id, 1),
    () => tx.resources.insertMany([resource(s.w1.id)]),
    () => tx.resources.deleteByWorkspace(s.w1.id),
    () => tx.audit.append(event(s.a.id)),
    () => tx.roles.insert(role(s.a.id)),
    () => tx.roles.delete(s.role.id),
    () => tx.grants.insert(grant(s.w2, s.sa)),
    () => tx.grants.updateRole(s.w1.id, s.grant.grantee, 'viewer', AT),
    () => tx.grants.delete(s.w1.id, s.grant.grantee),
    () => tx.grants.deleteByWorkspace(s.w1.id),
    () => tx.grants.deleteByGrantee(s.a.id, s.grant.grantee),
    () => tx.invitations.insert(invitation(s.w2)),
    () => tx.invitations.update({ ...s.invitation, status: 'revoked', version: 2 }, 1),
    () => tx.invitations.deleteByWorkspace(s.w1.id),
    () => tx.serviceAccounts.insert(serviceAccount(s.a.id)),
    () => tx.serviceAccounts.delete(s.sa.id),
    () => tx.apiKeys.insert(apiKey(s.sa)),
    () => tx.apiKeys.update({ ...s.key, revokedAt: AT, version: 2 }, 1),
    () => tx.apiKeys.deleteByOwner(s.key.owner),
  ];
}

const pg = postgresTestDatabase();
afterAll(() => pg.close());

const engines: readonly { readonly name: string; make(): Promise<TestStore> }[] = [
  { name: 'sqlite', make: () => sqliteMemoryStore() },
  { name: 'postgres', make: () => pg.makeStore() },
];

for (const engine of engines) {
  describe(`units of work of the kysely ${engine.name} store`, () => {
    it('STORE-2 HDL-4 refused writes (unique violations, stale versions) leave the unit of work usable, and its later writes commit', async () => {
      const entry = await engine.make();
      try {
        const s = await seed(entry.store);
        const later = workspace(s.a.id);
        const laterInvitation = next('inv') as InvitationId;
        await entry.store.transaction(async (tx) => {
          expect(await tx.users.insert({ ...user(), email: s.u.email })).toBe('email-taken');
          expect(await tx.accounts.insert({ ...org(), handle: s.b.handle })).toBe('handle-taken');
          // Unique violations raised by UPDATE: the adapter catches them (savepoint on PostgreSQL).
          expect(await tx.accounts.update({ ...s.a, handle: s.b.handle, version: 2 }, 1)).toBe('handle-taken');
          expect(await tx.workspaces.insert({ ...workspace(s.a.id), handle: s.w1.handle })).toBe('handle-taken');
          expect(await tx.workspaces.update({ ...s.w2, handle: s.w1.handle, version: 2 }, 1)).toBe('handle-taken');
          // Guarded writes at a stale version.
          expect(await tx.workspaces.update({ ...s.w2, description: 'x', version: 3 }, 2)).toBe('conflict');
          expect(await tx.workspaces.delete(s.w2.id, 7)).toBe('conflict');
          expect(await tx.accounts.update({ ...s.a, version: 9 }, 8)).toBe('conflict');
          // The access tables' refusals: names, keys, the partial unique index, versions.
          expect(await tx.roles.insert(role(s.a.id, s.role.name))).toBe('name-taken');
          expect(await tx.serviceAccounts.insert(serviceAccount(s.a.id, s.sa.name))).toBe('name-taken');
          expect(await tx.grants.insert({ ...s.grant, role: 'owner' })).toBe('exists');
          expect(await tx.invitations.insert({ ...invitation(s.w1, s.invitation.email) })).toBe('exists');
          expect(await tx.invitations.update({ ...s.invitation, status: 'revoked', version: 3 }, 2)).toBe('conflict');
          expect(await tx.apiKeys.update({ ...s.key, version: 3 }, 2)).toBe('conflict');
          expect(await tx.grants.delete(s.w2.id, s.grant.grantee)).toBe('missing');
          expect(await tx.roles.delete('role_none' as RoleId)).toBe('missing');
          // The unit of work goes on: a write after each kind of refusal.
          expect(await tx.invitations.insert({ ...invitation(s.w2, s.invitation.email), id: laterInvitation })).toBe('ok');
          expect(await tx.workspaces.insert(later)).toBe('ok');
          expect(await tx.workspaces.update({ ...s.w2, description: 'after', version: 2 }, 1)).toBe('ok');
          await tx.audit.append(event(s.a.id));
        });
        const rows = await dumpTables(entry);
        expect((rows['workspaces'] as { id: string }[]).map((w) => w.id)).toContain(later.id);
        expect(rows['workspaces']).toContainEqual(expect.objectContaining({ id: s.w2.id, description: 'after', version: 2 }));
        expect(rows['auditEvents']).toHaveLength(2);
        expect(rows['accounts']).toContainEqual(expect.objectContaining({ id: s.a.id, handle: s.a.handle, version: 1 }));
        expect((rows['invitations'] as { id: string }[]).map((i) => i.id).sort()).toEqual([s.invitation.id, laterInvitation].sort());
        for (const table of ['customRoles', 'serviceAccounts', 'grants', 'apiKeys']) expect(rows[table], table).toHaveLength(1);
      } finally {
        await entry.release();
      }
    });

    it('STORE-2 a storage statement that failed never commits, even when the work catches the error and resolves', async () => {
      const entry = await engine.make();
      try {
        const s = await seed(entry.store);
        const before = await dumpTables(entry);
        let caught: unknown;
        const outcome = entry.store.transaction(async (tx) => {
          expect(await tx.workspaces.insert(workspace(s.a.id))).toBe('ok');
          try {
            await tx.resources.insertMany([resource(s.w1.id, s.r.id)]); // duplicate primary key
          } catch (error) {
            caught = error;
          }
          return 'resolved anyway';
        });
        const rejection = await outcome.then(
          () => 'resolved',
          (error: unknown) => error,
        );
        expect(caught).toBeDefined();
        expect(rejection, 'the transaction rejects with the failed statement\'s error').toBe(caught);
        expect(await dumpTables(entry)).toEqual(before);
      } finally {
        await entry.release();
      }
    });

    it('STORE-1 every write in a read-only unit of work throws and writes nothing; reads work', async () => {
      const entry = await engine.make();
      try {
        const s = await seed(entry.store);
        const before = await dumpTables(entry);
        const writes = await entry.store.transaction((tx) => Promise.resolve(everyWrite(tx, s).length), { readOnly: true });
        expect(writes).toBe(27);
        for (let i = 0; i < writes; i += 1) {
          await expect(
            entry.store.transaction((tx) => everyWrite(tx, s)[i]!(), { readOnly: true }),
            `write #${i} in a read-only unit of work`,
          ).rejects.toThrow('write in a read-only unit of work');
        }
        const seen = await entry.store.transaction(
          async (tx) => {
            await tx.accounts.lock(s.a.id); // nothing to serialize: a no-op, not an error
            return tx.workspaces.getById(s.w1.id);
          },
          { readOnly: true },
        );
        expect(seen).toEqual(s.w1);
        expect(await dumpTables(entry)).toEqual(before);
      } finally {
        await entry.release();
      }
    });

    it('STORE-1 repositories used after their unit of work ended throw', async () => {
      const entry = await engine.make();
      try {
        const s = await seed(entry.store);
        const leaked = await entry.store.transaction((tx) => Promise.resolve(tx));
        await expect(leaked.workspaces.getById(s.w1.id)).rejects.toThrow('used after it ended');
        await expect(leaked.users.insert(user())).rejects.toThrow('used after it ended');
        let fromFailed: UnitOfWork | undefined;
        const boom = new Error('roll back');
        await expect(
          entry.store.transaction((tx) => {
            fromFailed = tx;
            return Promise.reject(boom);
          }),
        ).rejects.toBe(boom);
        await expect(fromFailed!.accounts.lock(s.a.id)).rejects.toThrow('used after it ended');
      } finally {
        await entry.release();
      }
    });

    it('INV-3 of two concurrent accepts of one invitation, the second reads it only after the first committed, and sees it accepted', async () => {
      const entry = await engine.make();
      try {
        const s = await seed(entry.store);
        let firstHolds!: () => void;
        const held = new Promise<void>((resolve) => (firstHolds = resolve));
        /** Reads the invitation and accepts it if it is still pending at the version read. */
        const accept = (userId: UserId, pause: () => Promise<void>) =>
          entry.store.transaction(async (tx) => {
            const seen = (await tx.invitations.getById(s.invitation.id))!;
            await pause();
            if (seen.status !== 'pending') return { seen, outcome: 'refused' as const };
            const accepted: Invitation = { ...seen, status: 'accepted', respondedAt: AT, acceptedBy: userId, version: seen.version + 1 };
            return { seen, outcome: await tx.invitations.update(accepted, seen.version) };
          });
        const first = accept(s.u.id, async () => {
          firstHolds();
          // Long enough for the second to reach its read while the first holds the row.
          await new Promise((resolve) => setTimeout(resolve, 150));
        });
        await held;
        const second = accept('usr_other' as UserId, () => Promise.resolve());
        const [a, b] = await Promise.all([first, second]);
        expect(a).toMatchObject({ outcome: 'ok', seen: { status: 'pending', version: 1 } });
        // PostgreSQL: getById locked the row (FOR UPDATE), so the second waited; SQLite: the
        // second unit of work queued behind the first. Either way it saw the outcome.
        expect(b).toMatchObject({ outcome: 'refused', seen: { status: 'accepted', version: 2, acceptedBy: s.u.id } });
      } finally {
        await entry.release();
      }
    });
  });
}

describe('options of the kysely store', () => {
  it('STORE-1 an unknown dialect, a bad table prefix, a schema on SQLite or a bad maxRetries is a programmer error (TypeError)', async () => {
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    try {
      expect(() => createKyselyStore(db, { dialect: 'mysql' as 'sqlite' })).toThrow(TypeError);
      for (const tablePrefix of ['1x', 'a-b', 'x'.repeat(21), 'a b', 'wk"']) {
        expect(() => createKyselyStore(db, { dialect: 'sqlite', tablePrefix }), tablePrefix).toThrow(TypeError);
        await expect(migrateToLatest(db, { dialect: 'sqlite', tablePrefix }), tablePrefix).rejects.toThrow(TypeError);
      }
      expect(() => createKyselyStore(db, { dialect: 'sqlite', schema: 'main' })).toThrow(/PostgreSQL only/);
      await expect(migrateToLatest(db, { dialect: 'sqlite', schema: 'main' })).rejects.toThrow(/PostgreSQL only/);
      for (const maxRetries of [-1, 1.5, Number.NaN]) {
        expect(() => createKyselyStore(db, { dialect: 'postgres', maxRetries })).toThrow(TypeError);
      }
      expect(createKyselyStore(db, { dialect: 'sqlite', tablePrefix: 'Wk_2' }).tables).toEqual(
        workspaceKitTableNames({ dialect: 'sqlite', tablePrefix: 'Wk_2' }),
      );
    } finally {
      await db.destroy();
    }
  });
});

describe('deadlocks on the kysely postgres store', () => {
  /** Two units of work locking two accounts in opposite orders: a certain deadlock. */
  async function crossLocks(entry: TestStore) {
    const [x, y] = [org(), org()];
    await entry.store.transaction(async (tx) => {
      await tx.accounts.insert(x);
      await tx.accounts.insert(y);
    });
    const runs = { xy: 0, yx: 0 };
    let release!: () => void;
    let holders = 0;
    const bothHold = new Promise<void>((resolve) => (release = resolve));
    const lockBoth = (first: Account, second: Account, key: keyof typeof runs) =>
      entry.store.transaction(async (tx) => {
        runs[key] += 1;
        await tx.accounts.lock(first.id);
        if ((holders += 1) === 2) release();
        await bothHold; // the first attempts meet here, each holding one lock
        await tx.accounts.lock(second.id);
        for (const a of [first, second]) {
          const current = (await tx.accounts.getById(a.id))!;
          expect(await tx.accounts.update({ ...current, version: current.version + 1 }, current.version)).toBe('ok');
        }
        return key;
      });
    const outcomes = await Promise.allSettled([lockBoth(x, y, 'xy'), lockBoth(y, x, 'yx')]);
    const versions = await sql<{ version: number }>`select version from ${entry.table('accounts')} where id in (${x.id}, ${y.id})`.execute(entry.db);
    return { outcomes, runs, versions: versions.rows.map((r) => r.version) };
  }

  it('STORE-2 a unit of work chosen as a deadlock victim (40P01) is rolled back and run again: both commit', async () => {
    const entry = await pg.makeStore();
    try {
      const { outcomes, runs, versions } = await crossLocks(entry);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
      expect(runs.xy + runs.yx, 'the victim ran twice').toBe(3);
      expect(versions).toEqual([3, 3]);
    } finally {
      await entry.release();
    }
  });

  it('STORE-2 with maxRetries 0 the deadlock error reaches the caller and the victim changed nothing', async () => {
    const entry = await pg.makeStore({ maxRetries: 0 });
    try {
      const { outcomes, runs, versions } = await crossLocks(entry);
      const rejected = outcomes.filter((o) => o.status === 'rejected');
      expect(rejected).toHaveLength(1);
      expect(rejected[0]!.reason).toMatchObject({ code: '40P01' });
      expect(runs).toEqual({ xy: 1, yx: 1 });
      expect(versions).toEqual([2, 2]);
    } finally {
      await entry.release();
    }
  });
});

describe('isolation of the kysely postgres store', () => {
  const rr = postgresTestDatabase({ settings: ['default_transaction_isolation=repeatable\\ read'] });
  afterAll(() => rr.close());

  it('STORE-2 ACC-4 PLAN-1 a server defaulting to REPEATABLE READ changes nothing: units of work run READ COMMITTED and the concurrency checks pass', async () => {
    const { rows } = await sql<{ level: string }>`select current_setting('default_transaction_isolation') as level`.execute(rr.db);
    expect(rows[0]!.level).toBe('repeatable read');
    for (const check of storeConformanceChecks().filter((c) => c.suite === 'concurrency')) {
      const entry = await rr.makeStore();
      try {
        await check.run(entry.store);
      } finally {
        await entry.release();
      }
    }
  });
});
