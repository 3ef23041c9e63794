/**
 * The Kysely adapter's schema migrations: versioned, idempotent, kept apart from the host's own
 * Kysely migrations, with the constraints and indexes the ports rely on, on SQLite and
 * PostgreSQL (with a `schema` option, and through `search_path` without one).
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { AccountId, ResourceId, UserId, WorkspaceId } from '../../../src/core/ids.js';
import type { Handle } from '../../../src/core/handle.js';
import {
  createKyselyStore,
  createWorkspaceKitMigrator,
  migrateToLatest,
  workspaceKitMigrations,
  workspaceKitTableNames,
} from '../../../src/kysely.js';
import { postgresTestDatabase, postgresUrl } from './stores.js';

const MIGRATIONS = ['0001_initial_schema', '0002_access', '0003_retention_and_transfers'];
const APPLIED = MIGRATIONS.map((migrationName) => ({ migrationName, direction: 'Up', status: 'Success' }));
const TABLES_0001 = ['users', 'accounts', 'memberships', 'workspaces', 'resources', 'audit_events'];
const TABLES_0002 = ['custom_roles', 'grants', 'invitations', 'service_accounts', 'api_keys'];
const TABLES_0003 = ['run_day_counts', 'transfer_requests'];
const TABLES = [...TABLES_0001, ...TABLES_0002, ...TABLES_0003];
const INDEXES_0002 = [
  'workspaces_account_default_role_idx',
  'grants_account_grantee_idx',
  'grants_account_role_idx',
  'invitations_pending_key',
  'invitations_account_id_idx',
  'invitations_workspace_id_idx',
  'invitations_account_role_idx',
  'api_keys_owner_idx',
];
const INDEXES_0003 = ['transfer_requests_pending_key', 'transfer_requests_workspace_id_idx'];
const INDEXES = [
  'memberships_user_id_idx',
  'resources_workspace_kind_idx',
  'resources_workspace_ended_at_idx',
  'audit_events_account_sequence_idx',
  'audit_events_account_workspace_sequence_idx',
  ...INDEXES_0002,
  ...INDEXES_0003,
];

const sqliteDb = () => new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });

/** A host's own migration, run by a Migrator with Kysely's default bookkeeping tables. */
const hostMigrator = (db: Kysely<unknown>) =>
  new Migrator({
    db,
    provider: {
      getMigrations: () =>
        Promise.resolve({
          '2024_host_things': {
            up: async (d: Kysely<unknown>) => {
              await d.schema.createTable('host_things').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
            },
          },
        }),
    },
  });

/** A personal account through the store, read back: proves the tables work. */
async function roundTrip(db: Kysely<unknown>, options: Parameters<typeof createKyselyStore>[1]) {
  const store = createKyselyStore(db, options);
  const tag = randomBytes(4).toString('hex');
  const userId = `usr_${tag}` as UserId;
  const accountId = `acc_${tag}` as AccountId;
  const at = '2026-01-01T00:00:00.000Z';
  await store.transaction(async (tx) => {
    expect(await tx.users.insert({ id: userId, email: `${tag}@example.test`, displayName: 'x', personalAccountId: accountId, createdAt: at })).toBe('ok');
    expect(
      await tx.accounts.insert({
        id: accountId,
        kind: 'personal',
        handle: `h-${tag}` as Handle,
        displayName: 'x',
        planId: 'hobby',
        ownerUserId: userId,
        version: 1,
        createdAt: at,
        updatedAt: at,
      }),
    ).toBe('ok');
  });
  return store.transaction((tx) => tx.accounts.getById(accountId), { readOnly: true });
}

/** Rows written with plain SQL into a schema at 0001 (the adapter itself writes 0002 columns). */
async function seedAtVersion1(db: Kysely<unknown>, table: (name: string) => ReturnType<typeof sql.table>) {
  const tag = randomBytes(4).toString('hex');
  const at = '2026-01-01T00:00:00.000Z';
  const ids = { user: `usr_${tag}`, personal: `acc_p_${tag}`, org: `acc_o_${tag}`, ws1: `ws_1_${tag}`, ws2: `ws_2_${tag}` };
  await sql`insert into ${table('users')} (id, email, display_name, personal_account_id, created_at)
            values (${ids.user}, ${`${tag}@example.test`}, 'Zoë', ${ids.personal}, ${at})`.execute(db);
  await sql`insert into ${table('accounts')} (id, kind, handle, display_name, plan_id, owner_user_id, version, created_at, updated_at)
            values (${ids.personal}, 'personal', ${`p-${tag}`}, 'Zoë', 'hobby', ${ids.user}, 1, ${at}, ${at}),
                   (${ids.org}, 'organization', ${`o-${tag}`}, 'Org', 'pro', null, 3, ${at}, ${at})`.execute(db);
  await sql`insert into ${table('memberships')} (account_id, user_id, role, created_at) values (${ids.org}, ${ids.user}, 'owner', ${at})`.execute(db);
  await sql`insert into ${table('workspaces')} (id, account_id, handle, description, version, created_at, updated_at)
            values (${ids.ws1}, ${ids.org}, 'prod', 'the first', 2, ${at}, ${at}),
                   (${ids.ws2}, ${ids.personal}, 'mine', '', 1, ${at}, ${at})`.execute(db);
  await sql`insert into ${table('resources')} (id, workspace_id, kind, name, created_at) values (${`res_${tag}`}, ${ids.ws1}, 'flow', 'etl', ${at})`.execute(db);
  return { ...ids, at };
}

/** After the upgrade, through the adapter: the 0001 rows are all there, workspaces without a default role. */
async function expectSeededDataKept(
  db: Kysely<unknown>,
  options: Parameters<typeof createKyselyStore>[1],
  seeded: Awaited<ReturnType<typeof seedAtVersion1>>,
): Promise<void> {
  const store = createKyselyStore(db, options);
  await store.transaction(
    async (tx) => {
      expect(await tx.users.getById(seeded.user as UserId)).toMatchObject({ personalAccountId: seeded.personal });
      expect(await tx.accounts.getById(seeded.org as AccountId)).toMatchObject({ kind: 'organization', version: 3 });
      expect(await tx.memberships.get(seeded.org as AccountId, seeded.user as UserId)).toMatchObject({ role: 'owner' });
      expect(await tx.workspaces.getById(seeded.ws1 as WorkspaceId)).toEqual({
        id: seeded.ws1,
        accountId: seeded.org,
        handle: 'prod',
        description: 'the first',
        defaultRole: null,
        version: 2,
        createdAt: seeded.at,
        updatedAt: seeded.at,
      });
      expect((await tx.workspaces.listByAccount(seeded.personal as AccountId, { limit: 10 })).items).toMatchObject([{ id: seeded.ws2, defaultRole: null }]);
      expect(await tx.resources.countByWorkspace(seeded.ws1 as WorkspaceId)).toEqual({ flow: 1 });
      expect(await tx.workspaces.countByDefaultRole(seeded.org as AccountId, 'developer')).toBe(0);
      expect(await tx.seats.count(seeded.org as AccountId, seeded.at)).toBe(1);
    },
    { readOnly: true },
  );
  // The new tables work with the old rows.
  await store.transaction(async (tx) => {
    const ws = (await tx.workspaces.getById(seeded.ws1 as WorkspaceId))!;
    expect(await tx.workspaces.update({ ...ws, defaultRole: 'viewer', version: 3 }, 2)).toBe('ok');
    expect(
      await tx.grants.insert({
        workspaceId: seeded.ws1 as WorkspaceId,
        accountId: seeded.org as AccountId,
        grantee: { type: 'user', userId: seeded.user as UserId },
        role: 'developer',
        createdAt: seeded.at,
        updatedAt: seeded.at,
      }),
    ).toBe('ok');
  });
  const after = await store.transaction((tx) => tx.workspaces.getById(seeded.ws1 as WorkspaceId), { readOnly: true });
  expect(after).toMatchObject({ defaultRole: 'viewer', version: 3 });
}

/** A deterministic pseudo-random sequence in [0, 1) (a linear congruential generator). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Rows written with plain SQL into a schema at 0002: two workspaces with runs ending over ten
 * days (some exactly at midnight or at the last millisecond of a day), runs still going and
 * resources that are no runs; a third workspace has no resources at all.
 */
async function seedRunsAtVersion2(db: Kysely<unknown>, table: (name: string) => ReturnType<typeof sql.table>) {
  const tag = randomBytes(4).toString('hex');
  const at = '2026-01-01T00:00:00.000Z';
  const ids = { user: `usr_${tag}`, account: `acc_${tag}`, ws: [`ws_1_${tag}`, `ws_2_${tag}`, `ws_3_${tag}`] as const };
  await sql`insert into ${table('users')} (id, email, display_name, personal_account_id, created_at)
            values (${ids.user}, ${`${tag}@example.test`}, 'Zoë', ${ids.account}, ${at})`.execute(db);
  await sql`insert into ${table('accounts')} (id, kind, handle, display_name, plan_id, owner_user_id, version, created_at, updated_at)
            values (${ids.account}, 'personal', ${`p-${tag}`}, 'Zoë', 'hobby', ${ids.user}, 1, ${at}, ${at})`.execute(db);
  for (const [i, ws] of ids.ws.entries()) {
    await sql`insert into ${table('workspaces')} (id, account_id, handle, description, default_role, version, created_at, updated_at)
              values (${ws}, ${ids.account}, ${`w${i}`}, '', null, 1, ${at}, ${at})`.execute(db);
  }
  const random = lcg(7);
  const rows: { id: string; workspaceId: string; kind: string; state: string | null; endedAt: string | null }[] = [];
  const dayStart = Date.parse('2026-01-01T00:00:00.000Z');
  for (let n = 0; n < 400; n += 1) {
    const workspaceId = ids.ws[n % 3 === 2 ? 1 : 0];
    const day = Math.floor(random() * 10);
    const edge = random();
    // Midnight, the last millisecond of the day, or anywhere in it.
    const offset = edge < 0.1 ? 0 : edge < 0.2 ? 86_400_000 - 1 : Math.floor(random() * 86_400_000);
    const roll = random();
    const kind = roll < 0.1 ? 'flow' : roll < 0.4 ? 'task-run' : 'flow-run';
    const running = kind !== 'flow' && random() < 0.1;
    rows.push({
      id: `res_${tag}_${String(n).padStart(4, '0')}`,
      workspaceId,
      kind,
      state: kind === 'flow' ? null : running ? 'running' : 'completed',
      endedAt: kind === 'flow' || running ? null : new Date(dayStart + day * 86_400_000 + offset).toISOString(),
    });
  }
  for (let i = 0; i < rows.length; i += 100) {
    const values = rows
      .slice(i, i + 100)
      .map((r) => sql`(${r.id}, ${r.workspaceId}, ${r.kind}, ${r.id}, ${at}, ${r.state}, ${r.endedAt}, null)`);
    await sql`insert into ${table('resources')} (id, workspace_id, kind, name, created_at, state, ended_at, parent_run_id)
              values ${sql.join(values)}`.execute(db);
  }
  return { ...ids, rows };
}

/** The day counts the resources imply, as rows of run_day_counts: ended runs per workspace and UTC day. */
function expectedDayCounts(rows: readonly { workspaceId: string; endedAt: string | null }[]) {
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (r.endedAt === null) continue;
    const key = `${r.workspaceId} ${r.endedAt.slice(0, 10)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, n]) => {
      const [workspace_id, end_day] = key.split(' ');
      return { workspace_id, end_day, n };
    });
}

/**
 * After the upgrade: every resource row is kept, run_day_counts holds exactly the grouped
 * counts, and through the adapter countEndedBefore agrees with a plain count for cutoffs at
 * and around every day boundary and run end; pruning, tracking and deleting keep them in step.
 */
async function expectRunsBackfilled(
  db: Kysely<unknown>,
  options: Parameters<typeof createKyselyStore>[1],
  table: (name: string) => ReturnType<typeof sql.table>,
  seeded: Awaited<ReturnType<typeof seedRunsAtVersion2>>,
): Promise<void> {
  const resourceRows = async () =>
    (await sql<{ id: string; workspace_id: string; ended_at: string | null }>`select id, workspace_id, ended_at from ${table('resources')} order by id`.execute(db)).rows;
  const dayCounts = async () =>
    (await sql<{ workspace_id: string; end_day: string; n: number | string }>`
      select workspace_id, end_day, n from ${table('run_day_counts')} order by workspace_id, end_day`.execute(db)).rows.map((r) => ({ ...r, n: Number(r.n) }));
  const current = async () => (await resourceRows()).map((r) => ({ workspaceId: r.workspace_id, endedAt: r.ended_at }));

  expect(await resourceRows()).toEqual(seeded.rows.map((r) => ({ id: r.id, workspace_id: r.workspaceId, ended_at: r.endedAt })));
  const expected = expectedDayCounts(seeded.rows);
  expect(expected.length).toBeGreaterThan(15);
  expect(await dayCounts()).toEqual(expected);

  const store = createKyselyStore(db, options);
  const naive = (rows: readonly { workspaceId: string; endedAt: string | null }[], ws: string, cutoff: string) =>
    rows.filter((r) => r.workspaceId === ws && r.endedAt !== null && r.endedAt < cutoff).length;
  const cutoffs = new Set<string>(['2025-12-31T00:00:00.000Z', '2026-02-01T00:00:00.000Z']);
  for (let day = 0; day <= 10; day += 1) {
    const midnight = Date.parse('2026-01-01T00:00:00.000Z') + day * 86_400_000;
    for (const delta of [-1, 0, 1, 43_200_000]) cutoffs.add(new Date(midnight + delta).toISOString());
  }
  for (const r of seeded.rows.slice(0, 40)) if (r.endedAt !== null) cutoffs.add(r.endedAt);
  const rows = await current();
  await store.transaction(
    async (tx) => {
      for (const ws of seeded.ws) {
        for (const cutoff of cutoffs) {
          expect([ws, cutoff, await tx.resources.countEndedBefore(ws as WorkspaceId, cutoff)]).toEqual([ws, cutoff, naive(rows, ws, cutoff)]);
        }
      }
    },
    { readOnly: true },
  );

  // Pruning in small batches, tracking more runs, deleting a workspace's resources: the day
  // counts stay equal to the grouped resources.
  const [ws1, ws2] = seeded.ws;
  const cutoff = '2026-01-05T12:00:00.000Z';
  const due = naive(rows, ws1, cutoff);
  let pruned = 0;
  for (;;) {
    const n = await store.transaction((tx) => tx.resources.deleteEndedBefore(ws1 as WorkspaceId, cutoff, 7));
    pruned += n;
    if (n < 7) break;
  }
  expect(pruned).toBe(due);
  expect(await store.transaction((tx) => tx.resources.countEndedBefore(ws1 as WorkspaceId, cutoff))).toBe(0);
  expect(await dayCounts()).toEqual(expectedDayCounts(await current()));
  await store.transaction((tx) =>
    tx.resources.insertMany(
      ['2026-01-02T00:00:00.000Z', '2026-01-02T23:59:59.999Z', '2026-01-20T10:00:00.000Z'].map((endedAt, i) => ({
        id: `res_new_${i}_${seeded.user}` as ResourceId,
        workspaceId: ws1 as WorkspaceId,
        kind: 'flow-run',
        name: 'late',
        createdAt: endedAt,
        state: 'failed',
        endedAt,
        parentRunId: null,
      })),
    ),
  );
  expect(await dayCounts()).toEqual(expectedDayCounts(await current()));
  expect(await store.transaction((tx) => tx.resources.countEndedBefore(ws1 as WorkspaceId, cutoff))).toBe(2);
  expect(await store.transaction((tx) => tx.resources.deleteByWorkspace(ws2 as WorkspaceId))).toBe(seeded.rows.filter((r) => r.workspaceId === ws2).length);
  expect((await dayCounts()).filter((r) => r.workspace_id === ws2)).toEqual([]);
  expect(await dayCounts()).toEqual(expectedDayCounts(await current()));
}

describe('migrations on SQLite', () => {
  it('STORE-1 migrateToLatest applies 0001, 0002 and 0003 once and is a no-op afterwards', async () => {
    const db = sqliteDb();
    try {
      expect(Object.keys(workspaceKitMigrations({ dialect: 'sqlite' }))).toEqual(MIGRATIONS);
      expect(await migrateToLatest(db, { dialect: 'sqlite' })).toEqual(APPLIED);
      expect(await migrateToLatest(db, { dialect: 'sqlite' })).toEqual([]);
      const { rows } = await sql<{ type: string; name: string }>`select type, name from sqlite_master where name not like 'sqlite_%' order by name`.execute(db);
      const names = rows.map((r) => r.name);
      for (const t of [...TABLES, 'workspace_kit_migration', 'workspace_kit_migration_lock', ...INDEXES]) expect(names).toContain(t);
      expect(names).not.toContain('kysely_migration');
      expect(await roundTrip(db, { dialect: 'sqlite' })).toMatchObject({ kind: 'personal', version: 1 });
    } finally {
      await db.destroy();
    }
  });

  it('STORE-1 HDL-1 the schema holds the unique constraints, foreign keys (resources not cascading) and the AUTOINCREMENT sequence', async () => {
    const db = sqliteDb();
    try {
      await migrateToLatest(db, { dialect: 'sqlite' });
      const ddl = async (table: string) =>
        (await sql<{ sql: string }>`select sql from sqlite_master where name = ${table}`.execute(db)).rows[0]!.sql;
      expect(await ddl('users')).toMatch(/unique \("email"\)/i);
      expect(await ddl('accounts')).toMatch(/unique \("handle"\)/i);
      expect(await ddl('workspaces')).toMatch(/unique \("account_id", "handle"\)/i);
      expect(await ddl('memberships')).toMatch(/primary key \("account_id", "user_id"\)/i);
      expect(await ddl('audit_events')).toMatch(/"sequence" integer primary key autoincrement/i);
      expect(await ddl('custom_roles')).toMatch(/unique \("account_id", "name"\)/i);
      expect(await ddl('service_accounts')).toMatch(/unique \("account_id", "name"\)/i);
      expect(await ddl('grants')).toMatch(/primary key \("workspace_id", "grantee_type", "grantee_id"\)/i);
      expect(await ddl('invitations_pending_key')).toMatch(/create unique index .*\("account_id", "target_key", "email"\) where "status" = 'pending'/i);
      expect(await ddl('run_day_counts')).toMatch(/primary key \("workspace_id", "end_day"\).*\) without rowid$/is);
      expect(await ddl('transfer_requests_pending_key')).toMatch(/create unique index .*\("workspace_id"\) where "status" = 'pending'/i);
      const fks = async (table: string) =>
        (await sql<{ table: string; on_delete: string }>`select "table", on_delete from pragma_foreign_key_list(${table}) order by "table"`.execute(db)).rows;
      expect(await fks('resources')).toEqual([{ table: 'workspaces', on_delete: 'NO ACTION' }]);
      expect(await fks('grants')).toEqual([
        { table: 'accounts', on_delete: 'NO ACTION' },
        { table: 'workspaces', on_delete: 'NO ACTION' },
      ]);
      expect(await fks('invitations')).toEqual([
        { table: 'accounts', on_delete: 'NO ACTION' },
        { table: 'workspaces', on_delete: 'NO ACTION' },
      ]);
      for (const table of ['custom_roles', 'service_accounts', 'api_keys']) {
        expect(await fks(table)).toEqual([{ table: 'accounts', on_delete: 'NO ACTION' }]);
      }
      expect(await fks('run_day_counts')).toEqual([{ table: 'workspaces', on_delete: 'NO ACTION' }]);
      expect(await fks('transfer_requests')).toEqual([
        { table: 'accounts', on_delete: 'NO ACTION' },
        { table: 'accounts', on_delete: 'NO ACTION' },
        { table: 'workspaces', on_delete: 'NO ACTION' },
      ]);
    } finally {
      await db.destroy();
    }
  });

  it("STORE-1 two table prefixes live side by side, and the host's own Kysely migrations are untouched", async () => {
    const db = sqliteDb();
    try {
      expect(await hostMigrator(db).migrateToLatest()).toMatchObject({ results: [{ migrationName: '2024_host_things', status: 'Success' }] });
      expect(await migrateToLatest(db, { dialect: 'sqlite' })).toEqual(APPLIED);
      expect(await migrateToLatest(db, { dialect: 'sqlite', tablePrefix: 'wk_' })).toEqual(APPLIED);
      expect(await migrateToLatest(db, { dialect: 'sqlite', tablePrefix: 'wk_' })).toEqual([]);
      expect(await hostMigrator(db).migrateToLatest()).toEqual({ results: [] });
      const { rows } = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name like 'wk_%' order by name`.execute(db);
      const prefixed = workspaceKitTableNames({ dialect: 'sqlite', tablePrefix: 'wk_' });
      expect(rows.map((r) => r.name)).toEqual(
        [
          prefixed.accounts,
          prefixed.auditEvents,
          prefixed.memberships,
          prefixed.resources,
          prefixed.users,
          prefixed.workspaces,
          prefixed.customRoles,
          prefixed.grants,
          prefixed.invitations,
          prefixed.serviceAccounts,
          prefixed.apiKeys,
          prefixed.runDayCounts,
          prefixed.transferRequests,
          prefixed.migrations,
          prefixed.migrationLock,
        ].sort(),
      );
      const indexes = await sql<{ name: string }>`select name from sqlite_master where type = 'index' and name like 'wk_%' order by name`.execute(db);
      for (const i of INDEXES) expect(indexes.rows.map((r) => r.name)).toContain(`wk_${i}`);
      expect(await roundTrip(db, { dialect: 'sqlite', tablePrefix: 'wk_' })).toMatchObject({ version: 1 });
      const counts = await sql<{ n: number }>`select (select count(*) from users) + (select count(*) from wk_users) as n`.execute(db);
      expect(counts.rows[0]!.n).toBe(1);
    } finally {
      await db.destroy();
    }
  });

  it('STORE-1 the migrator migrates down as well, one version at a time: the tables and the column are gone, and up again', async () => {
    const db = sqliteDb();
    try {
      await migrateToLatest(db, { dialect: 'sqlite' });
      const migrator = await createWorkspaceKitMigrator(db, { dialect: 'sqlite' });
      const count = async (names: readonly string[]) =>
        (await sql<{ n: number }>`select count(*) as n from sqlite_master where name in (${sql.join(names)})`.execute(db)).rows[0]!.n;
      const workspaceColumns = async () =>
        (await sql<{ name: string }>`select name from pragma_table_info('workspaces')`.execute(db)).rows.map((r) => r.name);

      expect((await migrator.migrateDown()).results).toEqual([{ migrationName: '0003_retention_and_transfers', direction: 'Down', status: 'Success' }]);
      expect(await count([...TABLES_0003, ...INDEXES_0003])).toBe(0);
      expect(await count([...TABLES_0001, ...TABLES_0002])).toBe(TABLES_0001.length + TABLES_0002.length);

      expect((await migrator.migrateDown()).results).toEqual([{ migrationName: '0002_access', direction: 'Down', status: 'Success' }]);
      expect(await count([...TABLES_0002, ...INDEXES_0002])).toBe(0);
      expect(await count(TABLES_0001)).toBe(TABLES_0001.length);
      expect(await workspaceColumns()).not.toContain('default_role');

      expect((await migrator.migrateDown()).results).toEqual([{ migrationName: '0001_initial_schema', direction: 'Down', status: 'Success' }]);
      expect(await count(TABLES)).toBe(0);

      expect(await migrateToLatest(db, { dialect: 'sqlite' })).toEqual(APPLIED);
      expect(await workspaceColumns()).toContain('default_role');
      expect(await roundTrip(db, { dialect: 'sqlite' })).toMatchObject({ version: 1 });
    } finally {
      await db.destroy();
    }
  });

  it('STORE-1 ROLE-3 upgrading a database at 0001 that holds data applies 0002 and 0003, keeps every row, and gives existing workspaces no default role', async () => {
    const db = sqliteDb();
    try {
      const migrator = await createWorkspaceKitMigrator(db, { dialect: 'sqlite' });
      expect((await migrator.migrateTo('0001_initial_schema')).results).toEqual(APPLIED.slice(0, 1));
      const seeded = await seedAtVersion1(db, (name) => sql.table(name));
      expect(await migrateToLatest(db, { dialect: 'sqlite' })).toEqual(APPLIED.slice(1));
      await expectSeededDataKept(db, { dialect: 'sqlite' }, seeded);
    } finally {
      await db.destroy();
    }
  });

  it('RET-1 XFER-4 upgrading a database at 0002 holding runs applies only 0003, keeps every row and backfills the run day counts exactly', async () => {
    const db = sqliteDb();
    try {
      const options = { dialect: 'sqlite', tablePrefix: 'wk_' } as const;
      const migrator = await createWorkspaceKitMigrator(db, options);
      expect((await migrator.migrateTo('0002_access')).results).toEqual(APPLIED.slice(0, 2));
      const table = (name: string) => sql.table(`wk_${name}`);
      const seeded = await seedRunsAtVersion2(db, table);
      expect(await migrateToLatest(db, options)).toEqual(APPLIED.slice(2));
      await expectRunsBackfilled(db, options, table, seeded);
    } finally {
      await db.destroy();
    }
  });
});

describe('migrations on PostgreSQL', () => {
  const pgdb = postgresTestDatabase();
  const schemas: string[] = [];
  const newSchema = () => {
    const s = `wk_mig_${randomBytes(5).toString('hex')}`;
    schemas.push(s);
    return s;
  };
  afterAll(async () => {
    for (const s of schemas) await sql`drop schema if exists ${sql.id(s)} cascade`.execute(pgdb.db);
    await pgdb.close();
  });

  it('STORE-1 migrateToLatest creates the schema, applies 0001, 0002 and 0003 once, and is a no-op afterwards', async () => {
    const schema = newSchema();
    expect(await migrateToLatest(pgdb.db, { dialect: 'postgres', schema })).toEqual(APPLIED);
    expect(await migrateToLatest(pgdb.db, { dialect: 'postgres', schema })).toEqual([]);
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = ${schema} order by table_name`.execute(pgdb.db);
    expect(tables.rows.map((r) => r.table_name)).toEqual([...TABLES, 'workspace_kit_migration', 'workspace_kit_migration_lock'].sort());
    const indexes = await sql<{ indexname: string }>`select indexname from pg_indexes where schemaname = ${schema}`.execute(pgdb.db);
    const names = indexes.rows.map((r) => r.indexname);
    for (const i of [
      ...INDEXES,
      'users_email_key',
      'accounts_handle_key',
      'workspaces_account_handle_key',
      'memberships_pkey',
      'custom_roles_account_name_key',
      'service_accounts_account_name_key',
      'grants_pkey',
      'run_day_counts_pkey',
    ]) {
      expect(names).toContain(i);
    }
    const pending = await sql<{ indexdef: string }>`
      select indexdef from pg_indexes where schemaname = ${schema} and indexname = 'invitations_pending_key'`.execute(pgdb.db);
    expect(pending.rows[0]?.indexdef).toMatch(/^CREATE UNIQUE INDEX .* \(account_id, target_key, email\) WHERE \(status = 'pending'::text\)$/);
    const pendingTransfer = await sql<{ indexdef: string }>`
      select indexdef from pg_indexes where schemaname = ${schema} and indexname = 'transfer_requests_pending_key'`.execute(pgdb.db);
    expect(pendingTransfer.rows[0]?.indexdef).toMatch(/^CREATE UNIQUE INDEX .* \(workspace_id\) WHERE \(status = 'pending'::text\)$/);
    expect(await roundTrip(pgdb.db, { dialect: 'postgres', schema })).toMatchObject({ kind: 'personal', version: 1 });
  });

  it('STORE-1 text keys compare in code-unit order (COLLATE "C"), the audit sequence is an identity, resources do not cascade', async () => {
    const schema = newSchema();
    await migrateToLatest(pgdb.db, { dialect: 'postgres', schema });
    const columns = await sql<{ table_name: string; column_name: string; data_type: string; collation_name: string | null; is_identity: string }>`
      select table_name, column_name, data_type, collation_name, is_identity from information_schema.columns
       where table_schema = ${schema} and table_name not like 'workspace_kit_%'`.execute(pgdb.db);
    const text = columns.rows.filter((c) => c.data_type === 'text');
    expect(text.length).toBeGreaterThan(70);
    expect(columns.rows.find((c) => c.table_name === 'workspaces' && c.column_name === 'default_role')).toMatchObject({ data_type: 'text', collation_name: 'C' });
    expect(text.filter((c) => c.collation_name !== 'C')).toEqual([]);
    expect(columns.rows.find((c) => c.table_name === 'audit_events' && c.column_name === 'sequence')).toMatchObject({
      data_type: 'bigint',
      is_identity: 'YES',
    });
    const rules = await sql<{ constraint_name: string; delete_rule: string }>`
      select constraint_name, delete_rule from information_schema.referential_constraints
       where constraint_schema = ${schema} order by constraint_name`.execute(pgdb.db);
    expect(rules.rows).toEqual(
      [
        'accounts_owner_user_id_fkey',
        'api_keys_account_id_fkey',
        'custom_roles_account_id_fkey',
        'grants_account_id_fkey',
        'grants_workspace_id_fkey',
        'invitations_account_id_fkey',
        'invitations_workspace_id_fkey',
        'memberships_account_id_fkey',
        'memberships_user_id_fkey',
        'resources_workspace_id_fkey',
        'run_day_counts_workspace_id_fkey',
        'service_accounts_account_id_fkey',
        'transfer_requests_source_account_id_fkey',
        'transfer_requests_target_account_id_fkey',
        'transfer_requests_workspace_id_fkey',
        'workspaces_account_id_fkey',
      ].map((constraint_name) => ({ constraint_name, delete_rule: 'NO ACTION' })),
    );
  });

  it('STORE-1 concurrent migrateToLatest calls on one schema apply the migrations exactly once', async () => {
    const schema = newSchema();
    await sql`create schema ${sql.id(schema)}`.execute(pgdb.db);
    const results = await Promise.all([1, 2, 3].map(() => migrateToLatest(pgdb.db, { dialect: 'postgres', schema })));
    expect(results.map((r) => r.length).sort()).toEqual([0, 0, MIGRATIONS.length]);
  });

  it('STORE-1 ROLE-3 upgrading a schema at 0001 that holds data applies 0002 and 0003, keeps every row, and gives existing workspaces no default role', async () => {
    const schema = newSchema();
    await sql`create schema ${sql.id(schema)}`.execute(pgdb.db);
    const migrator = await createWorkspaceKitMigrator(pgdb.db, { dialect: 'postgres', schema });
    expect((await migrator.migrateTo('0001_initial_schema')).results).toEqual(APPLIED.slice(0, 1));
    const seeded = await seedAtVersion1(pgdb.db, (name) => sql.table(`${schema}.${name}`));
    expect(await migrateToLatest(pgdb.db, { dialect: 'postgres', schema })).toEqual(APPLIED.slice(1));
    await expectSeededDataKept(pgdb.db, { dialect: 'postgres', schema }, seeded);
  });

  it('RET-1 XFER-4 upgrading a schema at 0002 holding runs applies only 0003, keeps every row and backfills the run day counts exactly', async () => {
    const schema = newSchema();
    await sql`create schema ${sql.id(schema)}`.execute(pgdb.db);
    const migrator = await createWorkspaceKitMigrator(pgdb.db, { dialect: 'postgres', schema });
    expect((await migrator.migrateTo('0002_access')).results).toEqual(APPLIED.slice(0, 2));
    const table = (name: string) => sql.table(`${schema}.${name}`);
    const seeded = await seedRunsAtVersion2(pgdb.db, table);
    expect(await migrateToLatest(pgdb.db, { dialect: 'postgres', schema })).toEqual(APPLIED.slice(2));
    await expectRunsBackfilled(pgdb.db, { dialect: 'postgres', schema }, table, seeded);
  });

  it('STORE-1 migrating down one version at a time drops what 0003, then 0002 added, each in one transaction; up again restores it', async () => {
    const schema = newSchema();
    await migrateToLatest(pgdb.db, { dialect: 'postgres', schema });
    const migrator = await createWorkspaceKitMigrator(pgdb.db, { dialect: 'postgres', schema });
    const tableNames = async () =>
      (
        await sql<{ table_name: string }>`
          select table_name from information_schema.tables where table_schema = ${schema} order by table_name`.execute(pgdb.db)
      ).rows.map((r) => r.table_name);
    expect((await migrator.migrateDown()).results).toEqual([{ migrationName: '0003_retention_and_transfers', direction: 'Down', status: 'Success' }]);
    expect(await tableNames()).toEqual([...TABLES_0001, ...TABLES_0002, 'workspace_kit_migration', 'workspace_kit_migration_lock'].sort());
    expect((await migrator.migrateDown()).results).toEqual([{ migrationName: '0002_access', direction: 'Down', status: 'Success' }]);
    expect(await tableNames()).toEqual([...TABLES_0001, 'workspace_kit_migration', 'workspace_kit_migration_lock'].sort());
    const column = await sql<{ n: string }>`
      select count(*) as n from information_schema.columns
       where table_schema = ${schema} and table_name = 'workspaces' and column_name = 'default_role'`.execute(pgdb.db);
    expect(Number(column.rows[0]!.n)).toBe(0);
    expect(await migrateToLatest(pgdb.db, { dialect: 'postgres', schema })).toEqual(APPLIED.slice(1));
    expect(await roundTrip(pgdb.db, { dialect: 'postgres', schema })).toMatchObject({ version: 1 });
  });

  it('STORE-1 without a schema option the tables go to the search_path schema, and two such schemas never see each other', async () => {
    const [s1, s2] = [newSchema(), newSchema()];
    for (const s of [s1, s2]) await sql`create schema ${sql.id(s)}`.execute(pgdb.db);
    const onSearchPath = (schema: string) =>
      new Kysely<unknown>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: postgresUrl(), max: 2, options: `-c search_path=${schema}` }) }),
      });
    const [db1, db2] = [onSearchPath(s1), onSearchPath(s2)];
    try {
      expect(await migrateToLatest(db1, { dialect: 'postgres', tablePrefix: 'wk_' })).toEqual(APPLIED);
      // Kysely would find s1's bookkeeping table by name and skip creating s2's without the
      // schema the adapter passes it (current_schema()).
      expect(await migrateToLatest(db2, { dialect: 'postgres', tablePrefix: 'wk_' })).toEqual(APPLIED);
      expect(await migrateToLatest(db2, { dialect: 'postgres', tablePrefix: 'wk_' })).toEqual([]);
      expect(await roundTrip(db2, { dialect: 'postgres', tablePrefix: 'wk_' })).toMatchObject({ version: 1 });
      const count = async (schema: string) =>
        Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(`${schema}.wk_users`)}`.execute(pgdb.db)).rows[0]!.n);
      expect([await count(s1), await count(s2)]).toEqual([0, 1]);
    } finally {
      await db1.destroy();
      await db2.destroy();
    }
  });
});
