/**
 * Fault tests of the Kysely adapter (STORE-2, WS-4, AUD-1), checked by reading the tables
 * directly with plain SQL, never through the adapter: a command that fails part-way leaves
 * every row of every table exactly as it was.
 *
 * - a write failed by `faultyStore` (for every k of deleteWorkspace's writes);
 * - a statement the database itself refuses mid-command (a trigger raising on DELETE);
 * - PostgreSQL: the command's connection killed by the server mid-command (for every k);
 * - SQLite file: the database handle closed mid-command, the file reopened afterwards.
 */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { asServiceAccount, asUser, system } from '../../../src/core/principal.js';
import { createWorkspaceKit } from '../../../src/kit/workspace-kit.js';
import { createKyselyStore } from '../../../src/kysely.js';
import type { InvitationId, WorkspaceId } from '../../../src/core/ids.js';
import type { Invitation } from '../../../src/workspace/invitation.js';
import type { KitResult } from '../../../src/kit/workspace-kit.js';
import type { Store } from '../../../src/ports/store.js';
import { faultyStore, type FaultyStore } from '../../../src/testing/faulty-store.js';
import { createTestKit, type TestKit } from '../../../src/testing/test-kit.js';
import { errorOf, valueOf } from '../../support/harness.js';
import { beforeWrite, expectEveryFailureChangesNothing } from './fault-tools.js';
import {
  dumpTables,
  postgresTestDatabase,
  sqliteFileDirectory,
  sqliteFileStore,
  sqliteMemoryStore,
  type TestStore,
} from './stores.js';

/**
 * An organization with a workspace tracking resources of many kinds and runs, shared with a
 * user and a service account and with a pending invitation (WS-4 deletes them all), and a
 * neighbour workspace with a grant and an invitation of its own that must survive.
 */
async function seedDeletable(store: Store) {
  const t = createTestKit({ store });
  const { account, owner } = await t.seed.organization({ planId: 'pro' });
  const ws = await t.seed.workspace(account.id, { handle: 'prod' });
  const other = await t.seed.workspace(account.id, { handle: 'other' });
  await t.seed.resources(ws.id, { flow: 2, deployment: 2, 'work-pool': 1, block: 2, 'secret-block': 1, variable: 3, log: 4 });
  await t.seed.runs(ws.id, { count: 40 });
  await t.seed.resources(other.id, { flow: 1, variable: 1 });
  const at = '2026-01-01T00:00:00.000Z';
  const bot = asServiceAccount(`sa_${account.id}`);
  await store.transaction(async (tx) => {
    expect(await tx.serviceAccounts.insert({ id: bot.serviceAccountId, accountId: account.id, name: 'bot', createdAt: at })).toBe('ok');
    for (const [w, grantee] of [[ws, asUser(owner.user.id)], [ws, bot], [other, bot]] as const) {
      const grant = { workspaceId: w.id, accountId: account.id, grantee, role: 'runner', createdAt: at, updatedAt: at } as const;
      expect(await tx.grants.insert(grant)).toBe('ok');
    }
    for (const w of [ws, other]) {
      const invitation: Invitation = {
        id: `inv_${w.id}` as InvitationId,
        accountId: account.id,
        email: `invitee-${w.id}@example.test`,
        target: { type: 'workspace', workspaceId: w.id, role: 'viewer' },
        invitedBy: asUser(owner.user.id),
        status: 'pending',
        tokenHash: 'hash',
        createdAt: at,
        expiresAt: '2999-01-01T00:00:00.000Z',
        respondedAt: null,
        acceptedBy: null,
        version: 1,
      };
      expect(await tx.invitations.insert(invitation)).toBe('ok');
    }
  });
  return { t, ws, deleteIt: () => t.kit.deleteWorkspace(asUser(owner.user.id), { workspaceId: ws.id, expectedVersion: 1 }) };
}

/** How many writes deleteWorkspace makes, counted on a throwaway twin of the seeded state. */
async function writesOfDelete(make: () => Promise<TestStore>): Promise<number> {
  const twin = await make();
  try {
    const counter = faultyStore(twin.store);
    const { deleteIt } = await seedDeletable(counter);
    counter.arm(null);
    valueOf(await deleteIt());
    // At least: resources, grants, invitations, the workspace, the audit event.
    expect(counter.writes).toBeGreaterThanOrEqual(5);
    return counter.writes;
  } finally {
    await twin.release();
  }
}

/** The unarmed command succeeds afterwards and really changes the tables. */
async function expectSucceedsAfterwards(entry: TestStore, run: () => KitResult<unknown>, ws: WorkspaceId): Promise<void> {
  const before = await dumpTables(entry);
  const report = valueOf(await run()) as { totalResources: number };
  expect(report.totalResources).toBe(55);
  const after = await dumpTables(entry);
  expect(after['workspaces']).toHaveLength(before['workspaces']!.length - 1);
  expect((after['resources'] as { workspace_id: string }[]).filter((r) => r.workspace_id === ws)).toEqual([]);
  // WS-4: its grants and invitations went with it; the neighbour's stayed.
  for (const table of ['grants', 'invitations'] as const) {
    const rows = (t: Record<string, unknown[]>) => t[table] as { workspace_id: string }[];
    expect(rows(before).filter((r) => r.workspace_id === ws).length, `${table} of the workspace before`).toBeGreaterThan(0);
    expect(rows(after).filter((r) => r.workspace_id === ws), `${table} of the workspace after`).toEqual([]);
    expect(rows(after), `${table} of the neighbour`).toEqual(rows(before).filter((r) => r.workspace_id !== ws));
  }
  expect(after['auditEvents']).toHaveLength(before['auditEvents']!.length + 1);
}

interface Engine {
  readonly name: string;
  make(): Promise<TestStore>;
  /** Installs a trigger that makes every DELETE of a workspace fail inside the database. */
  refuseWorkspaceDeletes(entry: TestStore): Promise<void>;
}

// The pool first: without a server it throws here, before a temporary directory exists.
const pg = postgresTestDatabase();
const files = sqliteFileDirectory();
afterAll(async () => {
  await pg.close();
  files.remove();
});

const sqliteTrigger = async (entry: TestStore): Promise<void> => {
  await sql`create trigger refuse_workspace_delete before delete on ${entry.table('workspaces')}
            begin select raise(abort, 'refused by a test trigger'); end`.execute(entry.db);
};

const engines: readonly Engine[] = [
  { name: 'sqlite :memory:', make: () => sqliteMemoryStore(), refuseWorkspaceDeletes: sqliteTrigger },
  { name: 'sqlite file (WAL)', make: () => sqliteFileStore(files.dir), refuseWorkspaceDeletes: sqliteTrigger },
  {
    name: 'postgres',
    make: () => pg.makeStore(),
    refuseWorkspaceDeletes: async (entry) => {
      const fn = sql.id(entry.schema!, 'refuse_workspace_delete');
      await sql`create function ${fn}() returns trigger language plpgsql as $$
                begin raise exception 'refused by a test trigger'; end $$`.execute(entry.db);
      await sql`create trigger refuse_workspace_delete before delete on ${entry.table('workspaces')}
                for each row execute function ${fn}()`.execute(entry.db);
    },
  },
];

for (const engine of engines) {
  describe(`faults on the kysely ${engine.name} store`, () => {
    it('STORE-2 WS-4 deleteWorkspace failing at every write k (faultyStore) leaves every table row-for-row unchanged', async () => {
      const entry = await engine.make();
      try {
        const store: FaultyStore = faultyStore(entry.store);
        const { ws, deleteIt } = await seedDeletable(store);
        await expectEveryFailureChangesNothing(store, await writesOfDelete(() => engine.make()), deleteIt, () => dumpTables(entry));
        await expectSucceedsAfterwards(entry, deleteIt, ws.id);
      } finally {
        await entry.release();
      }
    });

    it('STORE-2 WS-4 a statement the database refuses mid-command (DELETE trigger) rolls back the resources already deleted', async () => {
      const entry = await engine.make();
      try {
        const { ws, deleteIt } = await seedDeletable(entry.store);
        await engine.refuseWorkspaceDeletes(entry);
        const before = await dumpTables(entry);
        const result = await deleteIt();
        expect(errorOf(result)).toMatchObject({ code: 'STORAGE' });
        expect(errorOf(result).message).toContain('refused by a test trigger');
        expect(await dumpTables(entry)).toEqual(before);
        expect((before['resources'] as { workspace_id: string }[]).filter((r) => r.workspace_id === ws.id)).toHaveLength(55);
      } finally {
        await entry.release();
      }
    });
  });
}

describe('faults on the kysely postgres store: connections killed', () => {
  it('STORE-2 WS-4 the server terminating the connection before write k of deleteWorkspace (every k) leaves every table unchanged', async () => {
    const entry = await pg.makeStore();
    // The killer and the reader use their own pool: this file's pool loses connections.
    const admin = postgresTestDatabase();
    const killed: boolean[] = [];
    try {
      // The unit of work's backend is the only one of this file's pool sitting idle inside a
      // transaction while the command computes between two statements.
      const killer = beforeWrite(entry.store, async () => {
        const { rows } = await sql<{ killed: boolean }>`
          select pg_terminate_backend(pid) as killed from pg_stat_activity
           where application_name = ${pg.applicationName} and state = 'idle in transaction'`.execute(admin.db);
        killed.push(...rows.map((r) => r.killed));
      });
      const { ws, deleteIt } = await seedDeletable(killer);
      const writes = await writesOfDelete(() => pg.makeStore());
      await expectEveryFailureChangesNothing(killer, writes, deleteIt, () => dumpTables(entry, admin.db));
      expect(killed, 'one backend killed per armed write').toEqual(Array.from({ length: writes }, () => true));
      await expectSucceedsAfterwards(entry, deleteIt, ws.id);
    } finally {
      await admin.close();
      await entry.release();
    }
  });
});

describe('faults on the kysely sqlite file store: database closed', () => {
  it('STORE-2 WS-4 the database handle closed before write k of deleteWorkspace (every k): the reopened file is unchanged', async () => {
    const first = await sqliteFileStore(files.dir);
    const { ws, t } = await seedDeletable(first.store);
    const owner = (await t.kit.listMembers(system(), { accountId: ws.accountId, limit: 10 })).unwrapOr(null)?.items[0]?.userId;
    expect(owner).toBeDefined();
    const reopen = () => {
      const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(first.file) }) });
      return { db, close: () => db.destroy() };
    };
    const read = async () => {
      const { db, close } = reopen();
      try {
        return await dumpTables(first, db);
      } finally {
        await close();
      }
    };
    const writes = await writesOfDelete(() => sqliteMemoryStore());
    await first.db.destroy();
    const before = await read();
    for (let k = 1; k <= writes; k += 1) {
      const sqlite = new Database(first.file);
      const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
      const closer = beforeWrite(createKyselyStore(db, { dialect: 'sqlite' }), () => {
        sqlite.close();
        return Promise.resolve();
      });
      closer.arm(k);
      const kit = createWorkspaceKit({ store: closer });
      const result = await kit.deleteWorkspace(asUser(owner!), { workspaceId: ws.id });
      expect(errorOf(result).code, `closed before write ${k}`).toBe('STORAGE');
      expect(sqlite.open).toBe(false);
      expect(await read(), `the file after closing before write ${k}`).toEqual(before);
    }
    rmSync(first.file, { force: true });
  });
});

// ---------------------------------------------------------------------------------------------
// Roles, sharing, invitations, service accounts and API keys: every write k, every engine
// ---------------------------------------------------------------------------------------------

interface AccessScenario {
  readonly title: string;
  /** Seeds the state through `t` (disarmed) and returns the command to run. */
  prepare(t: TestKit<FaultyStore>): Promise<() => KitResult<unknown>>;
}

const accessScenarios: readonly AccessScenario[] = [
  {
    title: 'INV-3 ACC-1 acceptInvitation by the system with newUser (user, personal account, membership, status)',
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'pro' });
      const issued = valueOf(await kit.inviteMember(asUser(owner.user.id), { accountId: account.id, email: 'new@example.com', role: 'admin' }));
      const token = issued.token.reveal();
      return () => kit.acceptInvitation(system('signup'), { token, newUser: { displayName: 'New', handle: 'newbie' } });
    },
  },
  {
    title: 'INV-3 COL-1 acceptInvitation of a collaboration invitation (grant and status)',
    prepare: async ({ kit, seed }) => {
      const ada = await seed.user({ planId: 'starter' });
      const ws = await seed.workspace(ada.account.id);
      const bob = await seed.user({ email: 'bob@example.com' });
      const issued = valueOf(await kit.inviteCollaborator(asUser(ada.user.id), { workspaceId: ws.id, email: 'bob@example.com' }));
      const token = issued.token.reveal();
      return () => kit.acceptInvitation(asUser(bob.user.id), { token });
    },
  },
  {
    title: 'SA-1 SA-2 deleteServiceAccount with grants and API keys',
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'team' });
      const actor = asUser(owner.user.id);
      const ws = await seed.workspace(account.id);
      const bot = valueOf(await kit.createServiceAccount(actor, { accountId: account.id, name: 'bot' }));
      const keep = valueOf(await kit.createServiceAccount(actor, { accountId: account.id, name: 'keep' }));
      for (const sa of [bot, keep]) {
        valueOf(await kit.shareWorkspace(actor, { workspaceId: ws.id, grantee: asServiceAccount(sa.id), role: 'developer' }));
        valueOf(await kit.createApiKey(actor, { name: 'a', serviceAccountId: sa.id }));
        valueOf(await kit.createApiKey(actor, { name: 'b', serviceAccountId: sa.id }));
      }
      return () => kit.deleteServiceAccount(actor, { serviceAccountId: bot.id });
    },
  },
  {
    title: 'SA-3 rotateApiKey with a 24 h overlap (old key updated, new key inserted)',
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'team' });
      const actor = asUser(owner.user.id);
      const bot = valueOf(await kit.createServiceAccount(actor, { accountId: account.id, name: 'bot' }));
      const key = valueOf(await kit.createApiKey(actor, { name: 'ci', serviceAccountId: bot.id }));
      return () => kit.rotateApiKey(actor, { keyId: key.key.id, overlapHours: 24 });
    },
  },
  {
    title: 'ACC-3 SHR-1 removeMember of a member holding grants (membership and grants)',
    prepare: async ({ kit, seed }) => {
      const { account, owner, members } = await seed.organization({ planId: 'pro', members: ['member', 'member'] });
      const actor = asUser(owner.user.id);
      for (let i = 0; i < 2; i += 1) {
        const ws = await seed.workspace(account.id);
        for (const m of members) valueOf(await kit.shareWorkspace(actor, { workspaceId: ws.id, grantee: asUser(m.user.user.id), role: 'runner' }));
      }
      return () => kit.removeMember(actor, { accountId: account.id, userId: members[0]!.user.user.id });
    },
  },
  {
    title: 'ROLE-2 SHR-1 shareWorkspace with a custom role',
    prepare: async ({ kit, seed }) => {
      const { account, owner, members } = await seed.organization({ planId: 'enterprise', members: ['member'] });
      const ws = await seed.workspace(account.id);
      const actor = asUser(owner.user.id);
      const role = valueOf(await kit.createCustomRole(actor, { accountId: account.id, name: 'Deployer', scopes: ['manage_deployments'], inherits: 'runner' }));
      return () => kit.shareWorkspace(actor, { workspaceId: ws.id, grantee: asUser(members[0]!.user.user.id), role: role.id });
    },
  },
];

for (const engine of engines) {
  describe(`faults of the access commands on the kysely ${engine.name} store`, () => {
    for (const scenario of accessScenarios) {
      it(`STORE-2 AUD-1 ${scenario.title}: failing at every write k (faultyStore) leaves every table unchanged`, async () => {
        // Count the writes of the command on a throwaway twin of the state.
        const twin = await engine.make();
        let writes: number;
        try {
          const store = faultyStore(twin.store);
          const run = await scenario.prepare(createTestKit({ store }));
          store.arm(null);
          valueOf(await run());
          writes = store.writes;
        } finally {
          await twin.release();
        }
        expect(writes).toBeGreaterThanOrEqual(2);
        const entry = await engine.make();
        try {
          const store = faultyStore(entry.store);
          const t = createTestKit({ store });
          const run = await scenario.prepare(t);
          const published = t.events.length;
          await expectEveryFailureChangesNothing(store, writes, run, () => dumpTables(entry));
          expect(t.events.length, 'no event published by a failed command').toBe(published);
          // Disarmed, the very same command succeeds on the very same state.
          const before = await dumpTables(entry);
          valueOf(await run());
          expect((await dumpTables(entry))['auditEvents']).toHaveLength(before['auditEvents']!.length + 1);
        } finally {
          await entry.release();
        }
      });
    }
  });
}
