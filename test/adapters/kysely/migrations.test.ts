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
import type { AccountId, UserId } from '../../../src/core/ids.js';
import type { Handle } from '../../../src/core/handle.js';
import {
  createKyselyStore,
  createWorkspaceKitMigrator,
  migrateToLatest,
  workspaceKitMigrations,
  workspaceKitTableNames,
} from '../../../src/kysely.js';
import { postgresTestDatabase, postgresUrl } from './stores.js';

const APPLIED = [{ migrationName: '0001_initial_schema', direction: 'Up', status: 'Success' }];
const TABLES = ['users', 'accounts', 'memberships', 'workspaces', 'resources', 'audit_events'];
const INDEXES = [
  'memberships_user_id_idx',
  'resources_workspace_kind_idx',
  'resources_workspace_ended_at_idx',
  'audit_events_account_sequence_idx',
  'audit_events_account_workspace_sequence_idx',
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

describe('migrations on SQLite', () => {
  it('STORE-1 migrateToLatest applies 0001 once and is a no-op afterwards', async () => {
    const db = sqliteDb();
    try {
      expect(Object.keys(workspaceKitMigrations({ dialect: 'sqlite' }))).toEqual(['0001_initial_schema']);
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
      const fks = await sql<{ table: string; on_delete: string }>`select "table", on_delete from pragma_foreign_key_list('resources')`.execute(db);
      expect(fks.rows).toEqual([{ table: 'workspaces', on_delete: 'NO ACTION' }]);
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
        [prefixed.accounts, prefixed.auditEvents, prefixed.memberships, prefixed.resources, prefixed.users, prefixed.workspaces, prefixed.migrations, prefixed.migrationLock].sort(),
      );
      expect(await roundTrip(db, { dialect: 'sqlite', tablePrefix: 'wk_' })).toMatchObject({ version: 1 });
      const counts = await sql<{ n: number }>`select (select count(*) from users) + (select count(*) from wk_users) as n`.execute(db);
      expect(counts.rows[0]!.n).toBe(1);
    } finally {
      await db.destroy();
    }
  });

  it('STORE-1 the migrator migrates down as well: the tables are gone, and up again', async () => {
    const db = sqliteDb();
    try {
      await migrateToLatest(db, { dialect: 'sqlite' });
      const migrator = await createWorkspaceKitMigrator(db, { dialect: 'sqlite' });
      expect((await migrator.migrateDown()).results).toEqual([{ migrationName: '0001_initial_schema', direction: 'Down', status: 'Success' }]);
      const { rows } = await sql<{ n: number }>`select count(*) as n from sqlite_master where name in ('users', 'workspaces', 'audit_events')`.execute(db);
      expect(rows[0]!.n).toBe(0);
      expect(await migrateToLatest(db, { dialect: 'sqlite' })).toEqual(APPLIED);
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

  it('STORE-1 migrateToLatest creates the schema, applies 0001 once, and is a no-op afterwards', async () => {
    const schema = newSchema();
    expect(await migrateToLatest(pgdb.db, { dialect: 'postgres', schema })).toEqual(APPLIED);
    expect(await migrateToLatest(pgdb.db, { dialect: 'postgres', schema })).toEqual([]);
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = ${schema} order by table_name`.execute(pgdb.db);
    expect(tables.rows.map((r) => r.table_name)).toEqual([...TABLES, 'workspace_kit_migration', 'workspace_kit_migration_lock'].sort());
    const indexes = await sql<{ indexname: string }>`select indexname from pg_indexes where schemaname = ${schema}`.execute(pgdb.db);
    const names = indexes.rows.map((r) => r.indexname);
    for (const i of [...INDEXES, 'users_email_key', 'accounts_handle_key', 'workspaces_account_handle_key', 'memberships_pkey']) {
      expect(names).toContain(i);
    }
    expect(await roundTrip(pgdb.db, { dialect: 'postgres', schema })).toMatchObject({ kind: 'personal', version: 1 });
  });

  it('STORE-1 text keys compare in code-unit order (COLLATE "C"), the audit sequence is an identity, resources do not cascade', async () => {
    const schema = newSchema();
    await migrateToLatest(pgdb.db, { dialect: 'postgres', schema });
    const columns = await sql<{ table_name: string; column_name: string; data_type: string; collation_name: string | null; is_identity: string }>`
      select table_name, column_name, data_type, collation_name, is_identity from information_schema.columns
       where table_schema = ${schema} and table_name not like 'workspace_kit_%'`.execute(pgdb.db);
    const text = columns.rows.filter((c) => c.data_type === 'text');
    expect(text.length).toBeGreaterThan(30);
    expect(text.filter((c) => c.collation_name !== 'C')).toEqual([]);
    expect(columns.rows.find((c) => c.table_name === 'audit_events' && c.column_name === 'sequence')).toMatchObject({
      data_type: 'bigint',
      is_identity: 'YES',
    });
    const rules = await sql<{ constraint_name: string; delete_rule: string }>`
      select constraint_name, delete_rule from information_schema.referential_constraints
       where constraint_schema = ${schema} order by constraint_name`.execute(pgdb.db);
    expect(rules.rows).toEqual([
      { constraint_name: 'accounts_owner_user_id_fkey', delete_rule: 'NO ACTION' },
      { constraint_name: 'memberships_account_id_fkey', delete_rule: 'NO ACTION' },
      { constraint_name: 'memberships_user_id_fkey', delete_rule: 'NO ACTION' },
      { constraint_name: 'resources_workspace_id_fkey', delete_rule: 'NO ACTION' },
      { constraint_name: 'workspaces_account_id_fkey', delete_rule: 'NO ACTION' },
    ]);
  });

  it('STORE-1 concurrent migrateToLatest calls on one schema apply the migration exactly once', async () => {
    const schema = newSchema();
    await sql`create schema ${sql.id(schema)}`.execute(pgdb.db);
    const results = await Promise.all([1, 2, 3].map(() => migrateToLatest(pgdb.db, { dialect: 'postgres', schema })));
    expect(results.map((r) => r.length).sort()).toEqual([0, 0, 1]);
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
