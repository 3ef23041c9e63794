// The SQL adapter at scale: the workspaces bench's kit operations on SQLite (better-sqlite3, a
// file in WAL mode) and PostgreSQL, with ONE enterprise organization holding N workspaces; and
// the delete preview (counts by kind) of a workspace holding a million tracked runs, on the
// memory store too. Fixtures are populated with bulk INSERT … SELECT in the adapter's own
// schema (generate_series on PostgreSQL, a recursive CTE on SQLite), not with N kit commands.
// `EXPLAIN` of the hot queries is printed with a verdict: does the database use an index?
//
// The PostgreSQL server is WORKSPACE_KIT_BENCH_PG_URL when set, otherwise a throwaway server
// started like the tests' (bench/postgres-server.ts) and always stopped at the end.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Fn, FnOptions } from 'tinybench';
import type { AccountId, Principal, TrackedResource, WorkspaceId, WorkspaceKit, Store } from '../src/index.js';
import type { KyselyStore, WorkspaceKitTableNames } from '../src/kysely.js';
import { fullGc } from './gc.js';
import type { Library } from './library.js';
import { measureAcrossSizes, type SizedTask } from './measure.js';
import { startBenchPostgres } from './postgres-server.js';
import {
  formatCount,
  formatDuration,
  formatRatio,
  renderTable,
  scalingRatios,
  sizeLabel,
  type ScalingRow,
  type SetupTiming,
  type SuiteResult,
} from './report.js';
import { loadKyselyAdapter, type KyselyAdapterModule } from './sql-library.js';
import { random, sample, unwrap } from './fixtures-util.js';

/** Options of {@link sqlBench}. */
export interface SqlBenchOptions {
  readonly lib: Library;
  /** Workspaces in the one account, smallest first (the workspaces bench's sizes). */
  readonly sizes: readonly number[];
  /** Time budget per operation and size over all rounds, ms (SQL round trips: see run.ts). */
  readonly timeMs: number;
  readonly warmupMs: number;
  readonly rounds: number;
  /** Tracked runs of the small and the big workspace of the delete-preview bench. */
  readonly runs: readonly [number, number];
  /** Whether to time one deleteWorkspace of the big workspace on each adapter. */
  readonly timeDelete: boolean;
  readonly log?: (line: string) => void;
}

type Dialect = 'sqlite' | 'postgres';
type Access = 'hot' | 'cold';
const BOTH: readonly Access[] = ['hot', 'cold'];
const PAGE = 50;
const HOT = 100;
const HOT_CURSORS = HOT / PAGE;
/** Rows per bulk INSERT … SELECT of workspaces, and of resources. */
const WORKSPACE_BATCH = 5_000;
const RESOURCE_BATCH = 250_000;
/** Resources per insertMany transaction when seeding the memory store. */
const MEMORY_BATCH = 10_000;
/** Besides the runs, each delete-preview workspace holds a few other kinds (several groups). */
const EXTRA_KINDS = [
  ['flow', 100],
  ['deployment', 10],
] as const;
/** One year, spread over the runs' end times. */
const YEAR_SECONDS = 365 * 24 * 3600;
const EPOCH_2025 = Date.UTC(2025, 0, 1) / 1000;

let sink = 0;

// ------------------------------------------------------------------------------------------
// Small helpers (seeded draws and kit results come from fixtures-util.ts)
// ------------------------------------------------------------------------------------------


const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

// ------------------------------------------------------------------------------------------
// Databases: one store per fixture (a schema on PostgreSQL, a file on SQLite), plus raw SQL
// ------------------------------------------------------------------------------------------

/** One migrated store, and direct SQL on its tables (`$1`, `$2`… placeholders on both engines). */
interface Db {
  readonly dialect: Dialect;
  readonly store: KyselyStore;
  /** A table of the store, quoted and schema-qualified: for raw SQL. */
  t(name: keyof WorkspaceKitTableNames): string;
  query(text: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** PostgreSQL: `query` in a transaction with `enable_seqscan = off` (is an index usable?). */
  queryNoSeqScan?(text: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  release(): Promise<void>;
}

interface Engine {
  readonly dialect: Dialect;
  readonly description: string;
  open(tag: string): Promise<Db>;
  close(): Promise<void>;
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

function postgresEngine(adapter: KyselyAdapterModule, url: string, description: string): Engine {
  const pool = new pg.Pool({ connectionString: url, max: 4, application_name: 'workspace-kit-bench' });
  pool.on('error', () => undefined);
  const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  const names = adapter.workspaceKitTableNames({ dialect: 'postgres' });
  const schemas = new Set<string>();
  const drop = async (schema: string) => {
    schemas.delete(schema);
    await pool.query(`drop schema if exists ${quote(schema)} cascade`);
  };
  return {
    dialect: 'postgres',
    description,
    async open(tag) {
      const schema = `wkb_${tag}_${randomBytes(4).toString('hex')}`.toLowerCase();
      schemas.add(schema);
      await adapter.migrateToLatest(kysely, { dialect: 'postgres', schema });
      return {
        dialect: 'postgres',
        store: adapter.createKyselyStore(kysely, { dialect: 'postgres', schema }),
        t: (name) => `${quote(schema)}.${quote(names[name])}`,
        query: async (text, params = []) => (await pool.query(text, [...params])).rows as Record<string, unknown>[],
        queryNoSeqScan: async (text, params = []) => {
          const client = await pool.connect();
          try {
            await client.query('begin');
            await client.query('set local enable_seqscan = off');
            return (await client.query(text, [...params])).rows as Record<string, unknown>[];
          } finally {
            await client.query('rollback').catch(() => undefined);
            client.release();
          }
        },
        release: () => drop(schema),
      };
    },
    async close() {
      for (const schema of [...schemas]) await drop(schema).catch(() => undefined);
      await kysely.destroy();
    },
  };
}

/** `$n` placeholders to SQLite's `?`, with the parameters in order of appearance. */
function positional(text: string, params: readonly unknown[]): { text: string; params: unknown[] } {
  const ordered: unknown[] = [];
  const out = text.replace(/\$(\d+)/g, (_, n: string) => {
    ordered.push(params[Number(n) - 1]);
    return '?';
  });
  return { text: out, params: ordered };
}

function sqliteEngine(adapter: KyselyAdapterModule): Engine {
  const dir = mkdtempSync(join(tmpdir(), 'workspace-kit-bench-sqlite-'));
  const names = adapter.workspaceKitTableNames({ dialect: 'sqlite' });
  const open = new Set<Kysely<unknown>>();
  // Also on Ctrl-C (postgres-server.ts exits from its signal handler, past `close`).
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.on('exit', removeDir);
  return {
    dialect: 'sqlite',
    description: `better-sqlite3, one file per fixture in ${dir}, journal_mode=WAL, synchronous=NORMAL`,
    async open(tag) {
      const sqlite = new Database(join(dir, `${tag}.db`));
      sqlite.pragma('journal_mode = WAL');
      // The usual WAL setting: commits do not fsync (checkpoints do); PostgreSQL runs with
      // fsync off, so neither engine's numbers include a disk flush per commit.
      sqlite.pragma('synchronous = NORMAL');
      const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
      open.add(kysely);
      await adapter.migrateToLatest(kysely, { dialect: 'sqlite' });
      return {
        dialect: 'sqlite',
        store: adapter.createKyselyStore(kysely, { dialect: 'sqlite' }),
        t: (name) => quote(names[name]),
        query: (text, params = []) => {
          const p = positional(text, params);
          const statement = sqlite.prepare(p.text);
          if (statement.reader) return Promise.resolve(statement.all(...p.params) as Record<string, unknown>[]);
          statement.run(...p.params);
          return Promise.resolve([]);
        },
        release: async () => {
          open.delete(kysely);
          await kysely.destroy();
        },
      };
    },
    async close() {
      for (const k of [...open]) await k.destroy().catch(() => undefined);
      process.off('exit', removeDir);
      removeDir();
    },
  };
}

/** Inserts workspaces `ws-<i>` (id `ws_p<i>`) for i in [from, to] into the account, in one statement. */
async function insertWorkspaces(db: Db, accountId: AccountId, from: number, to: number, now: string): Promise<void> {
  const w = db.t('workspaces');
  const columns = '(id, account_id, handle, description, version, created_at, updated_at)';
  await db.query(
    db.dialect === 'postgres'
      ? `insert into ${w} ${columns}
         select 'ws_p' || i, $1, 'ws-' || i, '', 1, $2, $2 from generate_series($3::int, $4::int) as s(i)`
      : `with recursive s(i) as (select cast($3 as integer) union all select i + 1 from s where i < cast($4 as integer))
         insert into ${w} ${columns} select 'ws_p' || i, $1, 'ws-' || i, '', 1, $2, $2 from s`,
    [accountId, now, from, to],
  );
}

/**
 * Inserts resources `<prefix><i>` of `kind` for i in [from, to] into a workspace, in one
 * statement. Runs are `completed`, their end times spread evenly over 2025 across `total`.
 */
async function insertResources(
  db: Db,
  workspaceId: WorkspaceId,
  prefix: string,
  kind: string,
  from: number,
  to: number,
  total: number,
): Promise<void> {
  const r = db.t('resources');
  const columns = '(id, workspace_id, kind, name, created_at, state, ended_at, parent_run_id)';
  const isRun = kind === 'flow-run' || kind === 'task-run';
  const step = YEAR_SECONDS / total;
  const sql =
    db.dialect === 'postgres'
      ? `insert into ${r} ${columns}
         select $1::text || i, $2, $3, 'run-' || i, x.at, ${isRun ? "'completed', x.at" : 'null, null'}, null
         from generate_series($4::int, $5::int) as s(i),
              lateral (select to_char(timestamp '2025-01-01' + make_interval(secs => i * $6::float8),
                                      'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at) as x`
      : `with recursive s(i) as (select cast($4 as integer) union all select i + 1 from s where i < cast($5 as integer))
         insert into ${r} ${columns}
         select $1 || i, $2, $3, 'run-' || i, at, ${isRun ? "'completed', at" : 'null, null'}, null
         from (select i, strftime('%Y-%m-%dT%H:%M:%fZ', ${EPOCH_2025} + i * $6, 'unixepoch') as at from s)`;
  await db.query(sql, [prefix, workspaceId, kind, from, to, step]);
}

/** Fresh planner statistics (autovacuum/ANALYZE would gather them on a live database). */
async function analyze(db: Db, withVacuum = false): Promise<void> {
  if (db.dialect === 'postgres') {
    for (const name of ['accounts', 'memberships', 'workspaces', 'resources', 'auditEvents'] as const) {
      await db.query(`${withVacuum ? 'vacuum analyze' : 'analyze'} ${db.t(name)}`);
    }
  } else {
    await db.query('analyze');
  }
}

// ------------------------------------------------------------------------------------------
// EXPLAIN of the hot queries, with a verdict
// ------------------------------------------------------------------------------------------

interface Explained {
  readonly label: string;
  readonly usesIndex: boolean;
  readonly plan: string;
}

/** A plan on one line: node names and the lines that matter, costs stripped. */
function condensePostgresPlan(lines: readonly string[]): string {
  return lines
    .map((l) => l.trim())
    .filter((l, i) => i === 0 || l.startsWith('->') || /^(Index Cond|Heap Fetches|Execution Time|Filter|Workers Planned)/.test(l))
    .map((l) =>
      l
        .replace(/^->\s*/, '')
        .replace(/\s*\(cost=[^)]*\)/, '')
        .replace(/\(actual time=[\d.]+\.\.([\d.]+) rows=(\d+) loops=(\d+)\)/, '(rows=$2, loops=$3, $1 ms)'),
    )
    .join(' › ');
}

async function explain(
  db: Db,
  label: string,
  table: keyof WorkspaceKitTableNames,
  text: string,
  params: readonly unknown[],
  analyzeIt = false,
): Promise<Explained> {
  if (db.dialect === 'postgres') {
    const statement = `explain ${analyzeIt ? '(analyze, buffers off) ' : ''}${text}`;
    const planOf = (rows: Record<string, unknown>[]) => rows.map((r) => String(r['QUERY PLAN']));
    const lines = planOf(await db.query(statement, params));
    const all = lines.join('\n');
    const usesIndex = /Index Only Scan|Index Scan|Bitmap Index Scan/.test(all) && !/Seq Scan/.test(all);
    if (usesIndex || !db.queryNoSeqScan) return { label, usesIndex, plan: condensePostgresPlan(lines) };
    // The planner preferred a sequential scan: say why (the table's size) and show that the
    // index is there and usable, with sequential scans switched off for this one statement.
    const stats = await db.query('select reltuples::bigint as n from pg_class where oid = $1::regclass', [db.t(table)]);
    const forced = planOf(await db.queryNoSeqScan(statement, params));
    return {
      label,
      usesIndex,
      plan:
        `planner chose ${condensePostgresPlan(lines)} (table ≈ ${formatCount(Number(stats[0]?.['n'] ?? 0))} rows: reading it all is cheaper than the index for this query)` +
        ` ‖ with enable_seqscan=off: ${condensePostgresPlan(forced)}`,
    };
  }
  const rows = await db.query(`explain query plan ${text}`, params);
  const details = rows.map((r) => String(r['detail']));
  // SEARCH … USING [COVERING] INDEX / PRIMARY KEY is a seek; a SCAN of a table (or of a whole
  // index) is not.
  const seeks = details.some((d) => /^SEARCH .* USING (COVERING INDEX|INDEX|INTEGER PRIMARY KEY|PRIMARY KEY)/.test(d));
  const scans = details.some((d) => /^SCAN /.test(d));
  return { label, usesIndex: seeks && !scans, plan: details.join(' › ') };
}

function explainNote(e: Explained, dialect: Dialect): string {
  const verdict = e.usesIndex
    ? dialect === 'postgres'
      ? 'USES AN INDEX'
      : 'USES AN INDEX (SEARCH … USING INDEX)'
    : dialect === 'postgres'
      ? 'SEQ SCAN (planner\'s choice, see why)'
      : 'NO INDEX SEEK';
  return `EXPLAIN ${e.label}: ${verdict} — ${e.plan}`;
}

/** The adapter's workspace queries (as unit-of-work.ts builds them), explained on a fixture. */
async function explainWorkspaceQueries(f: SqlFixture): Promise<Explained[]> {
  const { db } = f;
  const w = db.t('workspaces');
  const mid = Math.floor(f.n / 2);
  return [
    await explain(db, 'workspace by (account_id, handle)', 'workspaces', `select * from ${w} where "account_id" = $1 and "handle" = $2`, [f.accountId, `ws-${mid}`]),
    await explain(db, 'workspace by id', 'workspaces', `select * from ${w} where "id" = $1`, [`ws_p${mid}`]),
    await explain(
      db,
      `workspace listing page (keyset, limit ${PAGE + 1})`,
      'workspaces',
      `select * from ${w} where "account_id" = $1 and "handle" > $2 order by "handle" limit $3`,
      [f.accountId, `ws-${mid}`, PAGE + 1],
    ),
    await explain(db, 'account by handle', 'accounts', `select * from ${db.t('accounts')} where "handle" = $1`, [f.accountHandle]),
    await explain(
      db,
      'membership (account_id, user_id)',
      'memberships',
      `select * from ${db.t('memberships')} where "account_id" = $1 and "user_id" = $2`,
      [f.accountId, f.ownerUserId],
    ),
  ];
}

// ------------------------------------------------------------------------------------------
// Workspaces on SQL: the same kit operations as the memory bench, at every size
// ------------------------------------------------------------------------------------------

interface KeySet {
  readonly handles: readonly string[];
  readonly ids: readonly WorkspaceId[];
  readonly cursors: readonly string[];
}

interface SqlFixture {
  readonly n: number;
  readonly label: string;
  readonly db: Db;
  readonly kit: WorkspaceKit;
  readonly actor: Principal;
  readonly ownerUserId: string;
  readonly accountId: AccountId;
  readonly accountHandle: string;
  readonly keys: Readonly<Record<Access, KeySet>>;
  readonly populateMs: number;
}

/** A kit over `store`, one user owning one enterprise organization. */
async function ownerAndOrganization(lib: Library, store: Store, tag: string) {
  const { asUser, createWorkspaceKit, system } = lib.kit;
  const kit = createWorkspaceKit({ store });
  const owner = await unwrap(
    kit.registerUser(system('bench'), { email: `owner-${tag}@bench.test`, displayName: 'Bench owner', handle: `owner-${tag}` }),
    'registerUser',
  );
  const actor = asUser(owner.user.id);
  const account = await unwrap(
    kit.createOrganization(actor, { handle: `big-${tag}`, displayName: `Big ${tag}`, planId: 'enterprise' }),
    'createOrganization',
  );
  return { kit, actor, ownerUserId: owner.user.id as string, account };
}

async function buildSqlFixture(lib: Library, engine: Engine, n: number, log: (line: string) => void): Promise<SqlFixture> {
  const label = sizeLabel(n);
  const db = await engine.open(`ws${label}`);
  const { kit, actor, ownerUserId, account } = await ownerAndOrganization(lib, db.store, label.toLowerCase());
  const now = new Date().toISOString();
  const started = performance.now();
  for (let from = 0; from < n; from += WORKSPACE_BATCH) {
    await insertWorkspaces(db, account.id, from, Math.min(n, from + WORKSPACE_BATCH) - 1, now);
  }
  await analyze(db);
  const populateMs = performance.now() - started;
  log(`  ${engine.dialect}: populated ${label}: ${n} workspaces in ${seconds(populateMs)}`);

  const handles = Array.from({ length: n }, (_, i) => `ws-${i}`);
  const ids = Array.from({ length: n }, (_, i) => `ws_p${i}` as WorkspaceId);
  const sorted = [...handles].sort();
  const hot = sample(n, Math.min(HOT, n), 0x401);
  return {
    n,
    label,
    db,
    kit,
    actor,
    ownerUserId,
    accountId: account.id,
    accountHandle: account.handle,
    keys: {
      hot: {
        handles: hot.map((i) => handles[i]!),
        ids: hot.map((i) => ids[i]!),
        cursors: sample(n - PAGE, HOT_CURSORS, 0x402).map((i) => sorted[i]!),
      },
      cold: { handles, ids, cursors: sorted.slice(0, n - PAGE) },
    },
    populateMs,
  };
}

interface TaskSpec {
  readonly fn: Fn;
  readonly options: FnOptions;
}

interface SqlOperation {
  readonly operation: string;
  readonly access: readonly Access[];
  readonly task: (f: SqlFixture, keys: KeySet, pick: (k: number) => number) => TaskSpec;
}

/** The memory bench's kit rows, under the same names so they can be compared. */
const SQL_OPERATIONS: readonly SqlOperation[] = [
  {
    operation: 'getWorkspaceByHandle',
    access: BOTH,
    task: (f, keys, pick) => ({
      fn: async () => {
        const fullHandle = `${f.accountHandle}/${keys.handles[pick(keys.handles.length)]!}`;
        sink += (await unwrap(f.kit.getWorkspaceByHandle(f.actor, { fullHandle }), 'getWorkspaceByHandle')).version;
      },
      options: { async: true },
    }),
  },
  {
    operation: 'getWorkspace (by id)',
    access: BOTH,
    task: (f, keys, pick) => ({
      fn: async () => {
        const workspaceId = keys.ids[pick(keys.ids.length)]!;
        sink += (await unwrap(f.kit.getWorkspace(f.actor, { workspaceId }), 'getWorkspace')).version;
      },
      options: { async: true },
    }),
  },
  {
    operation: `listWorkspaces, page of ${PAGE} after a cursor`,
    access: BOTH,
    task: (f, keys, pick) => ({
      fn: async () => {
        const cursor = keys.cursors[pick(keys.cursors.length)]!;
        const page = await unwrap(f.kit.listWorkspaces(f.actor, { accountId: f.accountId, limit: PAGE, cursor }), 'listWorkspaces');
        if (page.items.length !== PAGE) throw new Error(`listWorkspaces returned ${page.items.length} items`);
        sink += page.items.length;
      },
      options: { async: true },
    }),
  },
  {
    operation: 'createWorkspace, new handle',
    access: BOTH,
    task: (f, keys, pick) => {
      let seq = 0;
      let created: WorkspaceId | undefined;
      return {
        fn: async () => {
          seq += 1;
          const handle = `${keys.handles[pick(keys.handles.length)]!}-n${seq}`;
          created = (await unwrap(f.kit.createWorkspace(f.actor, { accountId: f.accountId, handle }), 'createWorkspace')).id;
        },
        options: {
          async: true,
          // Untimed, through the store: N stays constant (the audit log grows by one event).
          afterEach: async () => {
            if (created === undefined) return;
            const id = created;
            created = undefined;
            const outcome = await f.db.store.transaction((tx) => tx.workspaces.delete(id, 1));
            if (outcome !== 'ok') throw new Error(`bench cleanup: could not delete ${id} (${outcome})`);
          },
        },
      };
    },
  },
];

async function sqlWorkspacesSuite(options: SqlBenchOptions, engine: Engine, log: (line: string) => void): Promise<SuiteResult> {
  const started = performance.now();
  const sizes = [...options.sizes].sort((a, b) => a - b);
  const fixtures: SqlFixture[] = [];
  try {
    for (const n of sizes) fixtures.push(await buildSqlFixture(options.lib, engine, n, log));
    const rows: ScalingRow[] = [];
    let seed = 0x5eed;
    for (const op of SQL_OPERATIONS) {
      for (const access of op.access) {
        seed += 1;
        const tasks: SizedTask[] = fixtures.map((f) => {
          const rng = random(seed);
          const spec = op.task(f, f.keys[access], (k) => Math.floor(rng() * k));
          return { label: f.label, fn: spec.fn, options: spec.options };
        });
        const { bySize, ratios } = await measureAcrossSizes(`${engine.dialect} ${op.operation}`, tasks, options);
        rows.push({ group: access, layer: 'kit', operation: op.operation, bySize, ratios });
        log(`  ${engine.dialect}: measured ${access} ${op.operation}`);
      }
    }
    for (const f of fixtures) {
      const count = await f.db.store.transaction((tx) => tx.workspaces.countByAccount(f.accountId), { readOnly: true });
      if (count !== f.n) throw new Error(`sql bench: ${engine.dialect} account @${f.label} holds ${count} workspaces, expected ${f.n}`);
    }
    const largest = fixtures[fixtures.length - 1]!;
    const explained = await explainWorkspaceQueries(largest);
    return {
      name: `workspaces-${engine.dialect}`,
      title: `workspaces on ${engine.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite'} (Kysely adapter) — one enterprise organization holding N workspaces, actor = its Owner (user)`,
      sizes: fixtures.map((f) => ({ label: f.label, n: f.n })),
      rows: rows.sort((a, b) => (a.group === b.group ? 0 : a.group === 'hot' ? -1 : 1)),
      groups: {
        hot: `keys from a fixed set of ${HOT} workspaces at every size (the ratio is the algorithm's)`,
        cold: 'keys uniform over all N (adds the buffer-cache and B-tree depth effects of a bigger table)',
      },
      setup: fixtures.map((f) => ({
        step: `populate via bulk INSERT … SELECT (${WORKSPACE_BATCH} rows/statement) + ANALYZE`,
        size: f.label,
        totalMs: f.populateMs,
        perItemNs: (f.populateMs * 1e6) / f.n,
      })),
      notes: [
        `${engine.description}`,
        'each kit call is one unit of work: BEGIN, the access check (account, membership), the query, COMMIT; createWorkspace also locks the account row (PostgreSQL) and appends an audit event',
        'createWorkspace: each created workspace is removed through the store after its sample (untimed), so N stays constant',
        `plans below taken on the @${largest.label} fixture after ANALYZE, with the adapter's query shapes (src/adapters/kysely/unit-of-work.ts):`,
        ...explained.map((e) => explainNote(e, engine.dialect)),
        `checksum ${sink}`,
      ],
      wallMs: performance.now() - started,
    };
  } finally {
    for (const f of fixtures) await f.db.release().catch(() => undefined);
  }
}

// ------------------------------------------------------------------------------------------
// Delete preview with a million runs, on memory, SQLite and PostgreSQL
// ------------------------------------------------------------------------------------------

interface RunsFixture {
  readonly adapter: 'memory' | Dialect;
  readonly kit: WorkspaceKit;
  readonly actor: Principal;
  /** Small and big workspace, smallest first, with their run counts. */
  readonly workspaces: readonly { readonly id: WorkspaceId; readonly runs: number }[];
  readonly db: Db | undefined;
  readonly seedMs: number;
}

const expectedTotal = (runs: number): number => runs + EXTRA_KINDS.reduce((n, [, k]) => n + k, 0);

async function buildRunsFixture(
  lib: Library,
  adapter: 'memory' | Dialect,
  engine: Engine | undefined,
  runs: readonly number[],
  log: (line: string) => void,
): Promise<RunsFixture> {
  const db = engine ? await engine.open('runs') : undefined;
  const store: Store = db ? db.store : lib.memory.createMemoryStore();
  const { kit, actor, account } = await ownerAndOrganization(lib, store, `runs-${adapter}`);
  const workspaces: { id: WorkspaceId; runs: number }[] = [];
  const started = performance.now();
  for (const [w, count] of runs.entries()) {
    const ws = await unwrap(kit.createWorkspace(actor, { accountId: account.id, handle: `runs-${w}` }), 'createWorkspace');
    workspaces.push({ id: ws.id, runs: count });
    const kinds: readonly (readonly [string, number])[] = [['flow-run', count], ...EXTRA_KINDS];
    for (const [kind, total] of kinds) {
      const prefix = `res_w${w}_${kind}_`;
      if (db) {
        for (let from = 0; from < total; from += RESOURCE_BATCH) {
          await insertResources(db, ws.id, prefix, kind, from, Math.min(total, from + RESOURCE_BATCH) - 1, total);
        }
        continue;
      }
      const step = (YEAR_SECONDS * 1000) / total;
      const base = Date.UTC(2025, 0, 1);
      const isRun = kind === 'flow-run';
      for (let from = 0; from < total; from += MEMORY_BATCH) {
        const batch: TrackedResource[] = [];
        for (let i = from; i < Math.min(total, from + MEMORY_BATCH); i += 1) {
          const at = new Date(base + i * step).toISOString();
          batch.push({
            id: `${prefix}${i}`,
            workspaceId: ws.id,
            kind,
            name: `run-${i}`,
            createdAt: at,
            state: isRun ? 'completed' : null,
            endedAt: isRun ? at : null,
            parentRunId: null,
          } as TrackedResource);
        }
        await store.transaction((tx) => tx.resources.insertMany(batch));
      }
    }
  }
  // PostgreSQL: VACUUM too, as autovacuum does after a bulk insert: it sets the visibility map
  // that lets the count be answered from the index alone (an index-only scan).
  if (db) await analyze(db, true);
  const seedMs = performance.now() - started;
  const total = runs.reduce((a, b) => a + b, 0);
  log(`  ${adapter}: seeded ${formatCount(total)} runs in ${seconds(seedMs)}`);
  return { adapter, kit, actor, workspaces, db, seedMs };
}

async function deletePreviewSuite(options: SqlBenchOptions, engines: readonly Engine[], log: (line: string) => void): Promise<SuiteResult> {
  const started = performance.now();
  const runs = [...options.runs].sort((a, b) => a - b);
  const labels = runs.map(sizeLabel);
  const rows: ScalingRow[] = [];
  const setup: SetupTiming[] = [];
  const notes: string[] = [];
  const adapters: readonly ('memory' | Dialect)[] = ['memory', ...engines.map((e) => e.dialect)];
  for (const adapter of adapters) {
    const engine = engines.find((e) => e.dialect === adapter);
    const f = await buildRunsFixture(options.lib, adapter, engine, runs, log);
    try {
      setup.push({
        step: `${adapter}: seed runs (${engine ? `bulk INSERT … SELECT, ${formatCount(RESOURCE_BATCH)} rows/statement${adapter === 'postgres' ? ' + VACUUM ANALYZE' : ' + ANALYZE'}` : `resources.insertMany, ${formatCount(MEMORY_BATCH)}/transaction`})`,
        size: labels.join('+'),
        totalMs: f.seedMs,
        perItemNs: (f.seedMs * 1e6) / runs.reduce((a, b) => a + b, 0),
      });
      const tasks: SizedTask[] = f.workspaces.map((w, i) => ({
        label: labels[i]!,
        fn: async () => {
          const preview = await unwrap(f.kit.previewWorkspaceDeletion(f.actor, { workspaceId: w.id }), 'previewWorkspaceDeletion');
          if (preview.totalResources !== expectedTotal(w.runs)) throw new Error(`preview counted ${preview.totalResources}`);
          sink += preview.resources['flow-run'] ?? 0;
        },
        options: { async: true },
      }));
      const { bySize, ratios } = await measureAcrossSizes(`${adapter} previewWorkspaceDeletion`, tasks, { ...options, minIterations: 5 });
      rows.push({ group: adapter, layer: 'kit', operation: 'previewWorkspaceDeletion (counts by kind)', bySize, ratios });
      log(`  ${adapter}: measured previewWorkspaceDeletion`);

      if (f.db) {
        const r = f.db.t('resources');
        const count = `select "kind", count(*) as "n" from ${r} where "workspace_id" = $1 group by "kind"`;
        for (const [i, w] of f.workspaces.entries()) {
          const e = await explain(f.db, `count of resources by kind, workspace of ${labels[i]} runs${adapter === 'postgres' ? ' (ANALYZE)' : ''}`, 'resources', count, [w.id], adapter === 'postgres');
          notes.push(`${adapter}: ${explainNote(e, f.db.dialect)}`);
        }
        if (adapter === 'postgres') {
          const [vm] = await f.db.query('select relallvisible, relpages from pg_class where oid = $1::regclass', [r]);
          notes.push(
            `postgres: after VACUUM ANALYZE the resources table has ${String(vm?.['relallvisible'])} of ${String(vm?.['relpages'])} pages all-visible; ` +
              'with pages not all-visible an index-only scan still visits the heap ("Heap Fetches" = rows); either way the count reads every entry of the workspace',
          );
        }
        const big = f.workspaces[f.workspaces.length - 1]!;
        const e = await explain(f.db, 'delete of a workspace\'s resources (plain EXPLAIN, not run)', 'resources', `delete from ${r} where "workspace_id" = $1`, [big.id]);
        notes.push(`${adapter}: ${explainNote(e, f.db.dialect)}`);
      }

      if (options.timeDelete) {
        const big = f.workspaces[f.workspaces.length - 1]!;
        fullGc();
        const t0 = performance.now();
        const report = await unwrap(f.kit.deleteWorkspace(f.actor, { workspaceId: big.id }), 'deleteWorkspace');
        const ms = performance.now() - t0;
        if (report.totalResources !== expectedTotal(big.runs)) throw new Error(`deleteWorkspace removed ${report.totalResources}`);
        setup.push({
          step: `${adapter}: kit.deleteWorkspace of the ${labels[labels.length - 1]}-run workspace (one run, not repeated)`,
          size: labels[labels.length - 1]!,
          totalMs: ms,
          perItemNs: (ms * 1e6) / report.totalResources,
        });
        notes.push(`${adapter}: deleteWorkspace removed ${formatCount(report.totalResources)} resources in ${formatDuration(ms * 1e6)} = ${formatCount(report.totalResources / (ms / 1000))} runs/s (single run)`);
        log(`  ${adapter}: deleted the big workspace in ${seconds(ms)}`);
      }
    } finally {
      await f.db?.release().catch(() => undefined);
    }
  }
  notes.push(
    'memory keeps a per-workspace count by kind, so its preview is O(kinds); SQL counts with `count(*) … GROUP BY kind` on the (workspace_id, kind) index: ' +
      'an index-only scan (PostgreSQL) / a covering-index SEARCH (SQLite) that still reads one index entry per resource of the workspace, i.e. O(resources in that workspace) — ' +
      `so the ${labels[labels.length - 1]}/${labels[0]} ratio grows toward ${formatCount(runs[runs.length - 1]! / runs[0]!)}× on SQL, less where the fixed cost of a call (round trips, ~1 ms on PostgreSQL) hides the small count. ` +
      'A per-workspace counter table (workspace_id, kind, n), kept by insertMany / deleteByWorkspace in the same transaction, would make it O(1): a design note, not implemented.',
    `checksum ${sink}`,
  );
  return {
    name: 'delete-preview',
    title: `delete preview — kit.previewWorkspaceDeletion of a workspace holding N flow runs (ended over a year) + ${EXTRA_KINDS.map(([k, n]) => `${n} ${k}`).join(', ')}`,
    sizes: runs.map((n, i) => ({ label: labels[i]!, n })),
    rows,
    groups: Object.fromEntries(
      adapters.map((a) => [a, a === 'memory' ? 'memory store (createMemoryStore)' : engines.find((e) => e.dialect === a)!.description]),
    ),
    setup,
    notes,
    wallMs: performance.now() - started,
  };
}

// ------------------------------------------------------------------------------------------
// The suite, and the side-by-side comparison
// ------------------------------------------------------------------------------------------

/** Runs the SQL benches; the PostgreSQL server it started is stopped whatever happens. */
export async function sqlBench(options: SqlBenchOptions): Promise<SuiteResult[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const sizes = [...options.sizes].sort((a, b) => a - b);
  if (sizes.length < 2) throw new Error('sql bench: give at least two sizes to compare');
  if (sizes[0]! < HOT) throw new Error(`sql bench: sizes must be at least the hot set, ${HOT}`);
  const { adapter, description } = await loadKyselyAdapter(options.lib.target);
  log(`sql: adapter ${description}`);
  const engines: Engine[] = [];
  const server = await startBenchPostgres(log);
  try {
    engines.push(sqliteEngine(adapter));
    engines.push(postgresEngine(adapter, server.url, `PostgreSQL (${server.description})`));
    const suites: SuiteResult[] = [];
    for (const engine of engines) {
      log(`sql: ${engine.dialect} workspaces…`);
      suites.push(await sqlWorkspacesSuite(options, engine, log));
    }
    log('sql: delete preview…');
    suites.push(await deletePreviewSuite(options, engines, log));
    return suites;
  } finally {
    for (const engine of engines) await engine.close().catch(() => undefined);
    server.stop();
  }
}

/**
 * The kit rows measured on every adapter, side by side: the memory bench's `workspaces` suite
 * and the SQL suites, per operation and access pattern, with the same ratio columns.
 */
export function printAdapterComparison(suites: readonly SuiteResult[]): void {
  const byAdapter: (readonly [string, SuiteResult])[] = [];
  for (const [adapter, name] of [['memory', 'workspaces'], ['sqlite', 'workspaces-sqlite'], ['postgres', 'workspaces-postgres']] as const) {
    const suite = suites.find((s) => s.name === name);
    if (suite) byAdapter.push([adapter, suite]);
  }
  if (byAdapter.length < 2) return;
  const sizes = byAdapter[0]![1].sizes;
  const first = sizes[0]!;
  const last = sizes[sizes.length - 1]!;
  const headers = ['operation', 'adapter', ...sizes.map((s) => `mean @${s.label}`), `${last.label}/${first.label} mean`, `${last.label}/${first.label} p50`, `ops/s @${last.label}`];
  const rows: string[][] = [];
  for (const op of SQL_OPERATIONS) {
    for (const access of op.access) {
      for (const [adapter, suite] of byAdapter) {
        const row = suite.rows.find((r) => r.layer === 'kit' && r.group === access && r.operation === op.operation);
        if (!row) continue;
        const ratios = scalingRatios(row, suite.sizes);
        const now = row.bySize[last.label];
        rows.push([
          `[${access}] ${op.operation}`,
          adapter,
          ...sizes.map((s) => {
            const m = row.bySize[s.label];
            return m ? formatDuration(m.meanNs) : '—';
          }),
          formatRatio(ratios.mean),
          formatRatio(ratios.p50),
          now ? formatCount(now.opsPerSec) : '—',
        ]);
      }
    }
  }
  console.log('\n## kit operations by adapter — the rows above side by side\n');
  console.log(renderTable(headers, rows, ['left', 'left', ...sizes.map(() => 'right' as const), 'right', 'right', 'right']));
}
