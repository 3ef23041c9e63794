import { sql, type Kysely } from 'kysely';
import type { Store, TransactionOptions, UnitOfWork } from '../../ports/store.js';
import { Mutex } from '../memory/mutex.js';
import { isRetryable } from './driver-errors.js';
import {
  checkDialect,
  logicalTables,
  tableNamesFor,
  tablePrefixOf,
  type KyselyStoreDialect,
  type TableLocation,
  type Tables,
  type WorkspaceKitTableNames,
} from './tables.js';
import { kyselyUnitOfWork, UnitOfWorkState } from './unit-of-work.js';

/** Options of {@link createKyselyStore}. */
export interface KyselyStoreOptions extends TableLocation {
  /**
   * PostgreSQL: how many times a unit of work that failed with a deadlock (`40P01`) or a
   * serialization failure (`40001`) is rolled back and run again before its error is
   * returned (default 5; 0 turns retries off). Ignored on SQLite.
   */
  readonly maxRetries?: number | undefined;
}

/** A {@link Store} kept in SQL tables through Kysely. */
export interface KyselyStore extends Store {
  /** The engine the store was created for. */
  readonly dialect: KyselyStoreDialect;
  /** The names of its tables (with the prefix), for hosts' own queries, backups and tests. */
  readonly tables: WorkspaceKitTableNames;
}

const DEFAULT_MAX_RETRIES = 5;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The outcome of the work itself, kept apart from what the driver threw afterwards. */
type WorkOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/**
 * Creates the storage adapter over a caller's Kysely instance (see `src/kysely.ts` for the
 * public documentation).
 */
export function createKyselyStore<DB>(database: Kysely<DB>, options: KyselyStoreOptions): KyselyStore {
  const dialect = checkDialect(options.dialect);
  const tables = tableNamesFor(tablePrefixOf(options));
  const t = logicalTables(tables);
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new TypeError(`workspace-kit/kysely: maxRetries must be a non-negative integer, got ${String(maxRetries)}`);
  }
  const root = database as unknown as Kysely<Tables>;
  const db = options.schema === undefined ? root : root.withSchema(options.schema);

  /** Runs `work` over repositories bound to `conn`, recording how the work itself ended. */
  async function runWork<T>(conn: Kysely<Tables>, state: UnitOfWorkState, work: (tx: UnitOfWork) => Promise<T>): Promise<WorkOutcome<T>> {
    try {
      return { ok: true, value: await work(kyselyUnitOfWork(conn, t, dialect, state)) };
    } catch (error) {
      return { ok: false, error };
    } finally {
      state.open = false;
    }
  }

  // ---------------------------------------------------------------------------------------
  // PostgreSQL: one pooled connection per unit of work, READ COMMITTED; races are settled by
  // unique constraints (ON CONFLICT / savepoints), version-guarded updates and row locks.
  // ---------------------------------------------------------------------------------------

  async function postgresAttempt<T>(work: (tx: UnitOfWork) => Promise<T>, readOnly: boolean): Promise<{ outcome: WorkOutcome<T>; state: UnitOfWorkState }> {
    const state = new UnitOfWorkState(readOnly, !readOnly);
    let outcome: WorkOutcome<T> | undefined;
    try {
      await db
        .transaction()
        // Pinned whatever the server's default: the lock and guarded-write argument needs each
        // statement to see what was committed before it started (REPEATABLE READ would not).
        .setIsolationLevel('read committed')
        .setAccessMode(readOnly ? 'read only' : 'read write')
        .execute(async (trx) => {
          outcome = await runWork(trx, state, work);
          if (!outcome.ok) throw outcome.error;
          // A statement failed and the work went on: PostgreSQL has aborted the transaction
          // and would turn COMMIT into a silent ROLLBACK. Report the statement's error.
          if (state.failure) throw state.failure.error;
        });
    } catch (error) {
      // The work's own rejection wins over anything the driver threw while rolling back.
      if (outcome === undefined || outcome.ok) outcome = { ok: false, error };
    }
    return { outcome: outcome ?? { ok: false, error: new Error('workspace-kit/kysely: the transaction did not run') }, state };
  }

  async function postgresTransaction<T>(work: (tx: UnitOfWork) => Promise<T>, readOnly: boolean): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      const { outcome, state } = await postgresAttempt(work, readOnly);
      if (outcome.ok) return outcome.value;
      // Retry when the database, not the work, decided the outcome: a deadlock or a
      // serialization failure of a statement or of the COMMIT.
      const cause = state.failure?.error ?? outcome.error;
      if (attempt < maxRetries && (isRetryable(dialect, cause) || isRetryable(dialect, outcome.error))) {
        await sleep(Math.random() * 5 * 2 ** attempt);
        continue;
      }
      throw outcome.error;
    }
  }

  // ---------------------------------------------------------------------------------------
  // SQLite: one connection; units of work run one at a time behind a FIFO mutex, writers
  // start with BEGIN IMMEDIATE so another process sharing the file cannot interleave.
  // ---------------------------------------------------------------------------------------

  const mutex = new Mutex();
  let foreignKeysOn = false;

  async function sqliteTransaction<T>(work: (tx: UnitOfWork) => Promise<T>, readOnly: boolean): Promise<T> {
    return mutex.run(() =>
      db.connection().execute(async (conn) => {
        if (!foreignKeysOn) {
          // A per-connection setting (better-sqlite3 turns it on already), and a no-op inside
          // a transaction, hence here, once.
          await sql`pragma foreign_keys = on`.execute(conn);
          foreignKeysOn = true;
        }
        await (readOnly ? sql`begin` : sql`begin immediate`).execute(conn);
        const state = new UnitOfWorkState(readOnly, false);
        const outcome = await runWork(conn, state, work);
        // A failed statement never commits, even if the work caught its error and went on:
        // the same all-or-nothing rule PostgreSQL enforces.
        const failure = !outcome.ok ? outcome : state.failure;
        if (failure === undefined && outcome.ok) {
          try {
            await sql`commit`.execute(conn);
            return outcome.value;
          } catch (error) {
            await sql`rollback`.execute(conn).catch(() => undefined);
            throw error;
          }
        }
        // The work's rejection (or the statement's error) wins over a failing rollback.
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw failure?.error;
      }),
    );
  }

  return {
    dialect,
    tables,
    transaction<T>(work: (tx: UnitOfWork) => Promise<T>, transactionOptions?: TransactionOptions): Promise<T> {
      const readOnly = transactionOptions?.readOnly === true;
      return dialect === 'postgres' ? postgresTransaction(work, readOnly) : sqliteTransaction(work, readOnly);
    },
  };
}
