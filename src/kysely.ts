// workspace-kit/kysely: the SQL storage adapter, on PostgreSQL and SQLite through Kysely.
import type { Kysely } from 'kysely';
import {
  createKyselyStore as createStore,
  type KyselyStore,
  type KyselyStoreOptions,
} from './adapters/kysely/kysely-store.js';
import { tableNamesFor, tablePrefixOf, type TableLocation, type WorkspaceKitTableNames } from './adapters/kysely/tables.js';

export type { KyselyStore, KyselyStoreOptions } from './adapters/kysely/kysely-store.js';
export type { KyselyStoreDialect, TableLocation, WorkspaceKitTableNames } from './adapters/kysely/tables.js';
export {
  createWorkspaceKitMigrator,
  migrateToLatest,
  workspaceKitMigrationProvider,
  workspaceKitMigrations,
} from './adapters/kysely/migrations.js';
export type { WorkspaceKitMigrationOptions } from './adapters/kysely/migrations.js';

/**
 * Creates a {@link KyselyStore}: the workspace-kit storage ports (`Store`) kept in SQL tables,
 * through a `Kysely` instance you own (you also close it: `db.destroy()`). Run
 * {@link migrateToLatest} with the same `dialect`, `tablePrefix` and `schema` first.
 *
 * `dialect` is required (`'postgres'` for PostgreSQL and compatible engines, `'sqlite'`); it
 * is not guessed from the Kysely dialect, so wrapped or third-party dialects work too.
 *
 * How the port contracts are met:
 * - **Uniqueness** (HDL-1, HDL-4, ACC-1) is enforced by unique constraints. Inserts use
 *   `INSERT … ON CONFLICT DO NOTHING` and report `'handle-taken'`, `'email-taken'` or
 *   `'exists'` from the row count; updates that may move a handle run in a savepoint on
 *   PostgreSQL and report the unique violation as `'handle-taken'`. A refused write never
 *   throws and never spoils the rest of the unit of work.
 * - **Versions** (WS-5): `UPDATE … WHERE id = ? AND version = ?` / `DELETE …`, the row count
 *   telling `'ok'` from `'conflict'`.
 * - **Counting and paging** stay in the database: `count(*) … GROUP BY` on an index, keyset
 *   pages (`WHERE handle > ? ORDER BY handle LIMIT n + 1`), one `DELETE` per workspace's
 *   resources, resources inserted 500 rows per statement.
 * - **Runs by end day** (RET-1, XFER-4): a `run_day_counts` table keeps the number of runs per
 *   workspace and UTC end day, in step with every insert and delete of runs, so
 *   `countEndedBefore` sums the earlier days and counts only the cutoff's own day on the
 *   `(workspace_id, ended_at)` index: planning a transfer does not grow with run history.
 *   Pruning deletes in bounded batches through the same index.
 * - **PostgreSQL transactions**: one pooled connection per unit of work, always
 *   `READ COMMITTED` whatever the server's default (`READ ONLY` for `{ readOnly: true }`).
 *   `accounts.lock` is `SELECT … FOR NO KEY UPDATE` (it excludes other lockers and writers of
 *   the account, not inserts of rows referencing it). In read-write units of work
 *   `workspaces.getById` / `getByHandle` lock the row they return the same way (and
 *   `invitations.getById` / `transferRequests.getById` take `FOR UPDATE`), so a command
 *   that reads a workspace and then updates it at the version it read waits for a concurrent
 *   writer instead of failing with `'conflict'`.
 * - **Retries (PostgreSQL)**: a unit of work that fails with a deadlock (`40P01`) or a
 *   serialization failure (`40001`, raised by PostgreSQL-compatible engines that run
 *   everything serializable) is rolled back and **run again**, up to `maxRetries` times
 *   (default 5), after a short random pause. So `work` must be safe to re-run: the kit's
 *   commands are, as they have no effect outside the unit of work before it commits. Pass
 *   `maxRetries: 0` if yours are not.
 * - **SQLite transactions**: units of work run one at a time, behind a FIFO mutex, and
 *   writers begin with `BEGIN IMMEDIATE`, which makes them serializable; `accounts.lock` is
 *   therefore a no-op. Foreign keys are switched on (`PRAGMA foreign_keys = ON`).
 * - **All or nothing**: if `work` rejects, everything is rolled back and the very same
 *   rejection propagates. A storage statement that failed inside the unit of work makes it
 *   roll back even if `work` caught the error, on both engines. Writing in a read-only unit
 *   of work, or using its repositories after it ended, throws.
 * - **Records round-trip unchanged**: timestamps are ISO text, audit actor, subject and
 *   details JSON text, text keys compare in code-unit order (`COLLATE "C"` on PostgreSQL).
 *
 * @throws TypeError for an unknown dialect, an invalid table prefix or `maxRetries`, or a
 *   `schema` on SQLite.
 *
 * @example SQLite (better-sqlite3)
 * ```ts
 * import Database from 'better-sqlite3';
 * import { Kysely, SqliteDialect } from 'kysely';
 * import { createWorkspaceKit } from 'workspace-kit';
 * import { createKyselyStore, migrateToLatest } from 'workspace-kit/kysely';
 *
 * const sqlite = new Database('workspaces.db');
 * sqlite.pragma('journal_mode = WAL');
 * const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
 * await migrateToLatest(db, { dialect: 'sqlite' });
 * const kit = createWorkspaceKit({ store: createKyselyStore(db, { dialect: 'sqlite' }) });
 * ```
 *
 * @example PostgreSQL (pg)
 * ```ts
 * import pg from 'pg';
 * import { Kysely, PostgresDialect } from 'kysely';
 * import { createWorkspaceKit } from 'workspace-kit';
 * import { createKyselyStore, migrateToLatest } from 'workspace-kit/kysely';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
 * const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
 * const options = { dialect: 'postgres', schema: 'workspace_kit' } as const;
 * await migrateToLatest(db, options);
 * const kit = createWorkspaceKit({ store: createKyselyStore(db, options) });
 * // … on shutdown: await db.destroy();
 * ```
 */
export function createKyselyStore<DB>(db: Kysely<DB>, options: KyselyStoreOptions): KyselyStore {
  return createStore(db, options);
}

/**
 * The names of the adapter's tables for a table location (prefix applied; the schema is not
 * part of the names), e.g. to query or back them up directly.
 *
 * @throws TypeError for an invalid table prefix, or a `schema` on SQLite.
 *
 * @example
 * ```ts
 * workspaceKitTableNames({ dialect: 'sqlite', tablePrefix: 'wk_' }).workspaces; // 'wk_workspaces'
 * ```
 */
export function workspaceKitTableNames(location: TableLocation): WorkspaceKitTableNames {
  return tableNamesFor(tablePrefixOf(location));
}
