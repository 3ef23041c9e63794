/**
 * STORE-2 "indexed, no scans": every statement the Kysely adapter issues is served by an index.
 *
 * The whole conformance suite (the tables emptied before each check, as each expects an empty
 * store), then a workload calling every method of the access ports and of 0003
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
import { Kysely, PostgresDialect, SqliteDialect, sql, type LogEvent } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { Handle } from '../../../src/core/handle.js';
import type { AccountId, ResourceId, UserId, WorkspaceId } from '../../../src/core/ids.js';
import { createKyselyStore, migrateToLatest, workspaceKitTableNames, type KyselyStore } from '../../../src/kysely.js';
import type { TrackedResource } from '../../../src/workspace/resource.js';
import { storeConformanceChecks } from '../../../src/testing.js';
import { ACCESS_METHODS, accessWorkload } from './access-workload.js';
import { emptyTables, postgresTestDatabase } from './stores.js';

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
  'run_day_counts',
  'transfer_requests',
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

/**
 * Runs every conformance check against `store` one after the other, `empty` (unlogged) emptying
 * the tables before each, then the access workload.
 */
async function runWorkload(store: Parameters<ReturnType<typeof storeConformanceChecks>[number]['run']>[0], empty: () => Promise<void>): Promise<void> {
  for (const check of storeConformanceChecks()) {
    await empty();
    await check.run(store);
  }
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
      await runWorkload(createKyselyStore(db, { dialect: 'sqlite' }), () => emptyTables(plain, (name) => sql.table(workspaceKitTableNames({ dialect: 'sqlite' })[name])));
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
      await runWorkload(createKyselyStore(db, { dialect: 'postgres', schema: entry.schema }), () => emptyTables(pg.db, (name) => entry.table(name)));
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

/**
 * INV-1: invitations.getPendingFor is one seek of the partial unique index
 * invitations_pending_key, on its three key columns — not a range of the account's invitations
 * filtered afterwards. The statements come from the access workload: on PostgreSQL both the
 * locking read (read-write units of work, FOR UPDATE) and the plain one.
 */
describe('the plan of invitations.getPendingFor', () => {
  /** The getPendingFor statements (the only reads on target_key) among what the workload sent. */
  const pendingForStatements = (recorder: ReturnType<typeof statementLog>): Statement[] =>
    recorder.statements().filter((s) => /^\s*select\b/i.test(s.sql) && s.sql.includes('"target_key" ='));

  it('INV-1 on SQLite: a search of invitations_pending_key by account, target and email', async () => {
    const sqlite = new Database(':memory:');
    const plain = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
    await migrateToLatest(plain, { dialect: 'sqlite' });
    const recorder = statementLog();
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }), log: (e) => recorder.log(e) });
    try {
      await accessWorkload(createKyselyStore(db, { dialect: 'sqlite' }));
      const statements = pendingForStatements(recorder);
      expect(statements).toHaveLength(1);
      for (const s of statements) {
        const plan = (sqlite.prepare(`explain query plan ${s.sql}`).all(...(s.parameters as unknown[])) as { detail: string }[]).map((p) => p.detail);
        expect(plan).toEqual(['SEARCH invitations USING INDEX invitations_pending_key (account_id=? AND target_key=? AND email=?)']);
      }
    } finally {
      await db.destroy();
    }
  });

  describe('on PostgreSQL', () => {
    const pg = postgresTestDatabase();
    afterAll(() => pg.close());

    it('INV-1 an index scan of invitations_pending_key on account, target and email, locking or not', async () => {
      const entry = await pg.makeStore();
      const recorder = statementLog();
      const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: pg.pool }), log: (e) => recorder.log(e) });
      try {
        await accessWorkload(createKyselyStore(db, { dialect: 'postgres', schema: entry.schema }));
        const statements = pendingForStatements(recorder);
        expect(statements.map((s) => /\bfor update\b/i.test(s.sql)).sort()).toEqual([false, true]);
        const client = await pg.pool.connect();
        try {
          await client.query(`analyze ${entry.schema}.invitations`);
          await client.query('begin');
          await client.query('set local enable_seqscan = off');
          for (const s of statements) {
            const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(`explain (format json) ${s.sql}`, [...s.parameters]);
            const reads: { node: string; index: unknown; cond: unknown }[] = [];
            const visit = (node: unknown): void => {
              if (typeof node !== 'object' || node === null) return;
              const record = node as Record<string, unknown>;
              if (record['Relation Name'] === 'invitations') reads.push({ node: String(record['Node Type']), index: record['Index Name'], cond: record['Index Cond'] });
              for (const value of Object.values(record)) {
                if (Array.isArray(value)) value.forEach(visit);
                else visit(value);
              }
            };
            visit(rows[0]!['QUERY PLAN']);
            expect(reads).toHaveLength(1);
            expect(reads[0]!.node).toBe('Index Scan');
            expect(reads[0]!.index).toBe('invitations_pending_key');
            expect(String(reads[0]!.cond)).toMatch(/account_id = .*target_key = .*email = /);
          }
          await client.query('rollback');
        } finally {
          client.release();
        }
      } finally {
        await entry.release();
      }
    });
  });
});

/**
 * RET-1 XFER-4: countEndedBefore must not grow with the run history. Its one statement reads
 * the day counts before the cutoff's day (a primary-key range of run_day_counts) and the runs
 * of the cutoff's own day (a range of resources_workspace_ended_at_idx), nothing else.
 */
describe('the plan of countEndedBefore', () => {
  const DAYS = 30;
  const PER_DAY = 40;
  const CUTOFF = '2026-01-21T10:00:00.000Z';
  /** Runs over 30 days, 40 a day at every 36 minutes from midnight, plus a few still running. */
  function runs(workspaceId: WorkspaceId): TrackedResource[] {
    const out: TrackedResource[] = [];
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    for (let day = 0; day < DAYS; day += 1) {
      for (let i = 0; i < PER_DAY; i += 1) {
        const endedAt = new Date(start + day * 86_400_000 + i * 36 * 60_000).toISOString();
        out.push({ id: `res_${day}_${i}` as ResourceId, workspaceId, kind: 'flow-run', name: 'r', createdAt: endedAt, state: 'completed', endedAt, parentRunId: null });
      }
    }
    for (let i = 0; i < 5; i += 1) {
      out.push({ id: `res_live_${i}` as ResourceId, workspaceId, kind: 'flow-run', name: 'r', createdAt: CUTOFF, state: 'running', endedAt: null, parentRunId: null });
    }
    return out;
  }
  // Day 20 (2026-01-21) until 10:00: the 17 runs at 0, 36, …, 576 minutes.
  const SAME_DAY = Math.ceil((10 * 60) / 36);
  const EXPECTED = 20 * PER_DAY + SAME_DAY;

  /** Seeds a workspace through `store`, runs countEndedBefore on a logging Kysely and returns its statement. */
  async function countStatement(store: KyselyStore, recorder: ReturnType<typeof statementLog>): Promise<Statement> {
    const workspaceId = 'ws_plan' as WorkspaceId;
    await store.transaction(async (tx) => {
      expect(await tx.users.insert({ id: 'usr_plan' as UserId, email: 'plan@example.test', displayName: 'p', personalAccountId: 'acc_plan' as AccountId, createdAt: CUTOFF })).toBe('ok');
      expect(
        await tx.accounts.insert({
          id: 'acc_plan' as AccountId,
          kind: 'personal',
          handle: 'plan' as Handle,
          displayName: 'p',
          planId: 'hobby',
          ownerUserId: 'usr_plan' as UserId,
          version: 1,
          createdAt: CUTOFF,
          updatedAt: CUTOFF,
        }),
      ).toBe('ok');
      expect(
        await tx.workspaces.insert({ id: workspaceId, accountId: 'acc_plan' as AccountId, handle: 'w' as Handle, description: '', defaultRole: null, version: 1, createdAt: CUTOFF, updatedAt: CUTOFF }),
      ).toBe('ok');
      await tx.resources.insertMany(runs(workspaceId));
    });
    const before = recorder.statements().length;
    expect(await store.transaction((tx) => tx.resources.countEndedBefore(workspaceId, CUTOFF), { readOnly: true })).toBe(EXPECTED);
    const statements = recorder.statements().slice(before).filter((s) => s.sql.includes('run_day_counts'));
    expect(statements).toHaveLength(1);
    return statements[0]!;
  }

  it('RET-1 XFER-4 on SQLite: a primary-key range of run_day_counts and a covering index range of the cutoff day in resources', async () => {
    const sqlite = new Database(':memory:');
    const plain = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
    await migrateToLatest(plain, { dialect: 'sqlite' });
    const recorder = statementLog();
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }), log: (e) => recorder.log(e) });
    try {
      const s = await countStatement(createKyselyStore(db, { dialect: 'sqlite' }), recorder);
      const plan = (sqlite.prepare(`explain query plan ${s.sql}`).all(...(s.parameters as unknown[])) as { detail: string }[]).map((p) => p.detail);
      expect(plan.filter((d) => /^(SCAN|SEARCH) /.test(d) && d !== 'SCAN CONSTANT ROW')).toEqual([
        'SEARCH run_day_counts USING PRIMARY KEY (workspace_id=? AND end_day<?)',
        'SEARCH resources USING COVERING INDEX resources_workspace_ended_at_idx (workspace_id=? AND ended_at>? AND ended_at<?)',
      ]);
    } finally {
      await db.destroy();
    }
  });

  describe('on PostgreSQL', () => {
    const pg = postgresTestDatabase();
    afterAll(() => pg.close());

    it('RET-1 XFER-4 a pkey range of run_day_counts reading one row per earlier day, and an index range of resources reading only the cutoff day before it', async () => {
      const entry = await pg.makeStore();
      const recorder = statementLog();
      const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: pg.pool }), log: (e) => recorder.log(e) });
      try {
        const s = await countStatement(createKyselyStore(db, { dialect: 'postgres', schema: entry.schema }), recorder);
        const client = await pg.pool.connect();
        try {
          await client.query(`analyze ${entry.schema}.resources, ${entry.schema}.run_day_counts`);
          await client.query('begin');
          // Tiny tables: without this the planner would read the 30 day counts sequentially.
          await client.query('set local enable_seqscan = off');
          const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(`explain (analyze, format json) ${s.sql}`, [...s.parameters]);
          await client.query('rollback');
          // Table reads (Index / Index Only / Bitmap Heap Scan) and the index searches under them.
          const reads: { relation: string; node: string; rows: number }[] = [];
          const searches: { index: string; cond: string }[] = [];
          const visit = (node: unknown): void => {
            if (typeof node !== 'object' || node === null) return;
            const record = node as Record<string, unknown>;
            if (typeof record['Relation Name'] === 'string') {
              reads.push({ relation: record['Relation Name'], node: String(record['Node Type']), rows: Number(record['Actual Rows']) });
            }
            if (typeof record['Index Name'] === 'string') searches.push({ index: record['Index Name'], cond: String(record['Index Cond']) });
            for (const value of Object.values(record)) {
              if (Array.isArray(value)) value.forEach(visit);
              else visit(value);
            }
          };
          visit(rows[0]!['QUERY PLAN']);
          expect(reads.map((r) => r.relation).sort()).toEqual(['resources', 'run_day_counts']);
          for (const r of reads) expect(r.node).toMatch(/^(Index Scan|Index Only Scan|Bitmap Heap Scan)$/);
          // One row per day before the cutoff's day; only the cutoff day's runs before it.
          expect(reads.find((r) => r.relation === 'run_day_counts')!.rows).toBe(20);
          expect(reads.find((r) => r.relation === 'resources')!.rows).toBe(SAME_DAY);
          expect(searches.map((x) => x.index).sort()).toEqual(['resources_workspace_ended_at_idx', 'run_day_counts_pkey']);
          expect(searches.find((x) => x.index === 'run_day_counts_pkey')!.cond).toMatch(/workspace_id = .*end_day < /);
          expect(searches.find((x) => x.index === 'resources_workspace_ended_at_idx')!.cond).toMatch(/workspace_id = .*ended_at >= .*ended_at < /);
        } finally {
          client.release();
        }
      } finally {
        await entry.release();
      }
    });
  });
});
