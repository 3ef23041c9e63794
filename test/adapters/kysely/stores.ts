/**
 * Store factories for the Kysely adapter's tests: SQLite in memory and in a file (WAL), and
 * PostgreSQL at `WORKSPACE_KIT_TEST_PG_URL` with a fresh schema per store on one small pool
 * per test file. Every factory has a matching release (close the database, drop the schema),
 * and every store can be read directly, bypassing the adapter (`dumpTables`).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type RawBuilder } from 'kysely';
import pg from 'pg';
import type { Store } from '../../../src/ports/store.js';
import {
  createKyselyStore,
  migrateToLatest,
  workspaceKitTableNames,
  type KyselyStore,
  type KyselyStoreOptions,
  type WorkspaceKitTableNames,
} from '../../../src/kysely.js';

/** A store made for a test, with what it takes to read its tables directly and to release it. */
export interface TestStore {
  readonly store: KyselyStore;
  /** The Kysely instance the store was made on (unqualified: use {@link TestStore.table}). */
  readonly db: Kysely<unknown>;
  /** The schema of the store's tables (PostgreSQL), if any. */
  readonly schema: string | undefined;
  /** A reference to one of the store's tables for raw SQL, schema-qualified when needed. */
  table(name: keyof WorkspaceKitTableNames): RawBuilder<unknown>;
  /** Closes or drops what the store was made on. */
  release(): Promise<void>;
}

const made = new Map<Store, TestStore>();

/** Releases a store made by one of the factories below (for `destroyStore` / `release` hooks). */
export async function releaseStore(store: Store): Promise<void> {
  const entry = made.get(store);
  if (!entry) return;
  made.delete(store);
  await entry.release();
}

function remember(entry: TestStore): TestStore {
  made.set(entry.store, entry);
  return entry;
}

function tableRef(names: WorkspaceKitTableNames, schema: string | undefined) {
  return (name: keyof WorkspaceKitTableNames): RawBuilder<unknown> =>
    sql.table(schema === undefined ? names[name] : `${schema}.${names[name]}`);
}

/** Options of the SQLite factories. */
export interface SqliteStoreOptions {
  readonly tablePrefix?: string;
}

/** A SQLite store over `sqlite` (a better-sqlite3 handle), migrated. */
async function sqliteStore(sqlite: Database.Database, options: SqliteStoreOptions, release: (db: Kysely<unknown>) => Promise<void>): Promise<TestStore> {
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
  const location = { dialect: 'sqlite', ...options } as const;
  await migrateToLatest(db, location);
  return remember({
    store: createKyselyStore(db, location),
    db,
    schema: undefined,
    table: tableRef(workspaceKitTableNames(location), undefined),
    release: () => release(db),
  });
}

/** A fresh SQLite database in memory, migrated. */
export function sqliteMemoryStore(options: SqliteStoreOptions = {}): Promise<TestStore> {
  return sqliteStore(new Database(':memory:'), options, (db) => db.destroy());
}

/** A directory in the OS temp dir for SQLite files, and a way to remove it. */
export function sqliteFileDirectory(): { readonly dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'workspace-kit-sqlite-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A SQLite store in a file: the handle and the path are exposed for fault tests. */
export interface SqliteFileTestStore extends TestStore {
  readonly file: string;
  readonly sqlite: Database.Database;
}

/** A fresh SQLite database file in `dir` in WAL mode, migrated; release closes and deletes it. */
export async function sqliteFileStore(dir: string, options: SqliteStoreOptions = {}): Promise<SqliteFileTestStore> {
  const file = join(dir, `store-${randomBytes(6).toString('hex')}.db`);
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  const entry = await sqliteStore(sqlite, options, async (db) => {
    if (sqlite.open) await db.destroy();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  });
  return { ...entry, file, sqlite };
}

/** The PostgreSQL server of the tests; fails loudly when the variable is missing. */
export function postgresUrl(): string {
  const url = process.env['WORKSPACE_KIT_TEST_PG_URL'];
  if (url === undefined || url === '') {
    throw new Error(
      'WORKSPACE_KIT_TEST_PG_URL is not set: the PostgreSQL tests of the Kysely adapter need a server ' +
        '(npm test starts one in its global setup; or export WORKSPACE_KIT_TEST_PG_URL=postgres://…). They never skip.',
    );
  }
  return url;
}

/** One test file's connection to PostgreSQL: a small pool, and a fresh schema per store. */
export interface PostgresTestDatabase {
  /** The Kysely instance over the pool. */
  readonly db: Kysely<unknown>;
  /** The pool itself. */
  readonly pool: pg.Pool;
  /** The `application_name` of the pool's connections. */
  readonly applicationName: string;
  /** A fresh store in a new schema `wk_<random>`, migrated; release drops the schema. */
  makeStore(options?: Omit<KyselyStoreOptions, 'dialect' | 'schema'>): Promise<TestStore>;
  /**
   * A store in this file's one reusable schema, emptied first. Making one retires the store
   * made before it: using a retired store rejects. For suites that make hundreds of stores one
   * after the other (property runs), where a schema per store would cost a migration each.
   */
  recycledStore(): Promise<TestStore>;
  /** Drops every schema still held and closes the pool. */
  close(): Promise<void>;
}

/** Options of {@link postgresTestDatabase}. */
export interface PostgresTestDatabaseOptions {
  /** Server settings for the pool's sessions, e.g. `['deadlock_timeout=50ms']`. */
  readonly settings?: readonly string[];
}

/** Opens a pool (max 10) on the test server; the application name tags its connections. */
export function postgresTestDatabase(options: PostgresTestDatabaseOptions = {}): PostgresTestDatabase {
  const applicationName = `wk-test-${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({
    connectionString: postgresUrl(),
    max: 10,
    application_name: applicationName,
    // Tests need no durability: don't wait for the WAL flush at every commit.
    options: ['synchronous_commit=off', ...(options.settings ?? [])].map((s) => `-c ${s}`).join(' '),
  });
  // A connection the server ends (a fault test kills one) must not crash the test process:
  // pg emits 'error' on the idle pool and on a checked-out client alike.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  const names = workspaceKitTableNames({ dialect: 'postgres' });
  const live = new Set<TestStore>();
  let recycled: { readonly schema: string; current: { retired: boolean } | null } | null = null;

  const dropSchema = (schema: string) => sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);

  return {
    db,
    pool,
    applicationName,
    async makeStore(storeOptions = {}) {
      const schema = `wk_${randomBytes(6).toString('hex')}`;
      await migrateToLatest(db, { dialect: 'postgres', schema });
      const entry: TestStore = {
        store: createKyselyStore(db, { ...storeOptions, dialect: 'postgres', schema }),
        db,
        schema,
        table: tableRef(names, schema),
        release: async () => {
          live.delete(entry);
          await dropSchema(schema);
        },
      };
      live.add(entry);
      return remember(entry);
    },
    async recycledStore() {
      if (recycled === null) {
        const schema = `wk_${randomBytes(6).toString('hex')}`;
        await migrateToLatest(db, { dialect: 'postgres', schema });
        recycled = { schema, current: null };
      } else {
        if (recycled.current) recycled.current.retired = true;
        await emptyTables(db, tableRef(names, recycled.schema));
      }
      const slot = recycled;
      const generation = { retired: false };
      slot.current = generation;
      const inner = createKyselyStore(db, { dialect: 'postgres', schema: slot.schema });
      const store: KyselyStore = {
        dialect: inner.dialect,
        tables: inner.tables,
        transaction: (work, transactionOptions) =>
          generation.retired
            ? Promise.reject(new Error('test store retired: a newer recycled store was made'))
            : inner.transaction(work, transactionOptions),
      };
      return remember({ store, db, schema: slot.schema, table: tableRef(names, slot.schema), release: () => Promise.resolve() });
    },
    async close() {
      for (const entry of [...live]) await releaseStore(entry.store);
      if (recycled !== null) await dropSchema(recycled.schema);
      await db.destroy();
    },
  };
}

/** The tables children first, so rows can be deleted in this order. */
const CHILDREN_FIRST = [
  'transferRequests',
  'runDayCounts',
  'apiKeys',
  'invitations',
  'grants',
  'serviceAccounts',
  'customRoles',
  'resources',
  'memberships',
  'workspaces',
  'auditEvents',
  'accounts',
  'users',
] as const;

/** Deletes every row of the adapter's tables (on `db`, outside any unit of work). */
export async function emptyTables(db: Kysely<unknown>, table: (name: keyof WorkspaceKitTableNames) => RawBuilder<unknown>): Promise<void> {
  await db.connection().execute(async (conn) => {
    for (const name of CHILDREN_FIRST) await sql`delete from ${table(name)}`.execute(conn);
  });
}

/** The order of a table's rows in a dump: its primary key. */
const DUMP_ORDER: Readonly<Record<(typeof CHILDREN_FIRST)[number], string>> = {
  transferRequests: 'id',
  runDayCounts: 'workspace_id, end_day',
  apiKeys: 'id',
  invitations: 'id',
  grants: 'workspace_id, grantee_type, grantee_id',
  serviceAccounts: 'id',
  customRoles: 'id',
  users: 'id',
  accounts: 'id',
  memberships: 'account_id, user_id',
  workspaces: 'id',
  resources: 'id',
  auditEvents: 'sequence',
};

/**
 * Every row of every table of the store, read with plain SQL on `db` (not through the
 * adapter), in primary-key order: for comparing the database before and after a failure.
 */
export async function dumpTables(entry: Pick<TestStore, 'db' | 'table'>, db: Kysely<unknown> = entry.db): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const name of CHILDREN_FIRST) {
    const { rows } = await sql`select * from ${entry.table(name)} order by ${sql.raw(DUMP_ORDER[name])}`.execute(db);
    out[name] = rows;
  }
  return out;
}
