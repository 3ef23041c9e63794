import type { KyselyStoreDialect } from './tables.js';

/** The `code` of a driver error: a SQLSTATE from `pg`, an extended result code from better-sqlite3. */
function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { readonly code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * True for a unique or primary-key violation: `23505` on PostgreSQL (and compatible engines),
 * `SQLITE_CONSTRAINT_UNIQUE` / `SQLITE_CONSTRAINT_PRIMARYKEY` on SQLite.
 */
export function isUniqueViolation(dialect: KyselyStoreDialect, error: unknown): boolean {
  const code = codeOf(error);
  return dialect === 'postgres'
    ? code === '23505'
    : code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * True for the failures after which running the whole unit of work again can succeed: a
 * serialization failure (`40001`) or a deadlock (`40P01`) on PostgreSQL. Nothing on SQLite,
 * whose transactions the adapter runs one at a time.
 */
export function isRetryable(dialect: KyselyStoreDialect, error: unknown): boolean {
  if (dialect !== 'postgres') return false;
  const code = codeOf(error);
  return code === '40001' || code === '40P01';
}
