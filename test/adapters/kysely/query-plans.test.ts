/**
 * STORE-2 "indexed, no scans": every statement the Kysely adapter issues is served by an index.
 *
 * The whole conformance suite, then a workload calling every method of the access ports
 * (`access-workload.ts`), run against one store whose Kysely instance logs each query; then
 * every distinct SELECT / UPDATE / DELETE it sent is explained with its real parameters:
 * - SQLite: `EXPLAIN QUERY PLAN` must show only SEARCH steps on the adapter's tables, never a
 *   SCAN (a walk over a whole table or index);
 * - PostgreSQL: `EXPLAIN` with `enable_seqscan = off` must show no Seq Scan on them — with
 *   sequential scans priced out, a remaining one means no index can serve the query. (With
 *   the few rows of a test, the planner would rightly prefer sequential scans otherwise.)
 * Every table must appear in at least one explained statement, so a table the workload never
 * reads cannot pass unnoticed.
 */
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type LogEvent } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createKyselyStore, migrateToLatest } from '../../../src/kysely.js';
import { storeConformanceChecks } from '../../../src/testing.js';
import { ACCESS_METHODS, accessWorkload } from './access-workload.js';
import { postgresTestDatabase } from './stores.js';

const TABLES = new Set([
  'users',
  'accounts',
  'memberships',
  'workspaces',
  'resources',
  'audit_events',
  'custom_roles',
  'grants',
  'invitations',
  'service_accounts',
  'api_keys',
]);

interface Statement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/** Collects the distinct data statements (reads, updates, deletes) a Kysely instance runs. */
function statementLog() {
  const seen = new Map<string, Statement>();
  return {
    log(event: LogEvent) {
      if (event.level !== 'query') return;
      const text = event.query.sql;
      if (/^\s*(select|update|delete)\b/i.test(text) && !seen.has(text)) seen.set(text, { sql: text, parameters: event.query.parameters });
    },
    statements: () => [...seen.values()],
  };
}

/** Runs every conformance check against `store` one after the other (they never collide), then the access workload. */
async function runWorkload(store: Parameters<ReturnType<typeof storeConformanceChecks>[number]['run']>[0]): Promise<void> {
  for (const check of storeConformanceChecks()) await check.run(store);
  const called = await accessWorkload(store);
  expect([...called].sort()).toEqual([...ACCESS_METHODS].sort());
}

/** The adapter's tables a statement names (quoted identifiers, as Kysely writes them). */
function tablesOf(text: string): string[] {
  return [...text.matchAll(/"(\w+)"/g)].map((m) => m[1]!).filter((name) => TABLES.has(name));
}

describe('query plans on SQLite', () => {
  it('STORE-2 every statement the adapter issues searches an index; none scans a table', async () => {
    const sqlite = new Database(':memory:');
    const plain = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
    await migrateToLatest(plain, { dialect: 'sqlite' });
    const recorder = statementLog();
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }), log: (e) => recorder.log(e) });
    try {
      await runWorkload(createKyselyStore(db, { dialect: 'sqlite' }));
      const statements = recorder.statements();
      expect(statements.length).toBeGreaterThan(20);
      expect(new Set(statements.flatMap((s) => tablesOf(s.sql)))).toEqual(TABLES);
      const scans: string[] = [];
      for (const s of statements) {
        const plan = sqlite.prepare(`explain query plan ${s.sql}`).all(...(s.parameters as unknown[])) as { detail: string }[];
        for (const { detail } of plan) {
          const table = /^SCAN (\w+)/.exec(detail)?.[1];
          if (table !== undefined && TABLES.has(table)) scans.push(`${detail}  <=  ${s.sql}`);
        }
      }
      expect(scans).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});

describe('query plans on PostgreSQL', () => {
  const pg = postgresTestDatabase();
  afterAll(() => pg.close());

  it('STORE-2 every statement the adapter issues can be served by an index (no Seq Scan with enable_seqscan off)', async () => {
    const entry = await pg.makeStore();
    const recorder = statementLog();
    // Not destroyed: it shares the file's pool, which pg.close() ends.
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: pg.pool }), log: (e) => recorder.log(e) });
    try {
      await runWorkload(createKyselyStore(db, { dialect: 'postgres', schema: entry.schema }));
      const statements = recorder.statements();
      expect(statements.length).toBeGreaterThan(20);
      expect(new Set(statements.flatMap((s) => tablesOf(s.sql)))).toEqual(TABLES);
      const client = await pg.pool.connect();
      const seqScans: string[] = [];
      try {
        await client.query('begin');
        await client.query('set local enable_seqscan = off');
        for (const s of statements) {
          const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(`explain (format json) ${s.sql}`, [...s.parameters]);
          const visit = (node: unknown): void => {
            if (typeof node !== 'object' || node === null) return;
            const record = node as Record<string, unknown>;
            if (record['Node Type'] === 'Seq Scan' && TABLES.has(String(record['Relation Name']))) {
              seqScans.push(`${String(record['Relation Name'])}  <=  ${s.sql}`);
            }
            for (const value of Object.values(record)) {
              if (Array.isArray(value)) value.forEach(visit);
              else visit(value);
            }
          };
          visit(rows[0]!['QUERY PLAN']);
        }
        await client.query('rollback');
      } finally {
        client.release();
      }
      expect(seqScans).toEqual([]);
    } finally {
      await entry.release();
    }
  });
});
