// Transfer planning and retention pruning at scale (XFER-4, XFER-5, RET-1, RET-2), on every
// adapter: memory, SQLite (better-sqlite3, a file in WAL mode) and PostgreSQL (a throwaway
// server, as in sql.bench.ts). One workspace holds 1 000 000 ended runs, 10% of them past the
// target's retention (plan `pro`, 30 days):
//
// - plan: `kit.planTransfer` of a 10k-run and a 1M-run workspace of the same account; it counts
//   the runs the target's retention removes, which must not grow with the history (the adapters
//   keep counts of runs per end day). Beside it a naive baseline counts the same runs by
//   reading every run of the workspace (see BASELINE below), and the two are printed as ratios.
// - execute: one `kit.executeTransfer` of each workspace (re-plans, then prunes the runs past
//   retention in batches inside the unit of work, and moves the workspace): prune throughput.
// - pruneRuns: one `kit.pruneRuns` of an account whose one workspace holds 1M runs, 10% due.
//
// Runs are seeded through the store's `resources.insertMany` (10 000 per unit of work), so the
// adapters' own indexes and day counts are built as in production. A manual clock fixes `now`,
// so every cutoff and count is deterministic.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { AccountId, Principal, ResourceId, Store, TrackedResource, WorkspaceId, WorkspaceKit } from '../src/index.js';
import type { WorkspaceKitTableNames } from '../src/kysely.js';
import { unwrap } from './fixtures-util.js';
import { fullGc } from './gc.js';
import type { Library } from './library.js';
import { measureAcrossSizes, type SizedTask } from './measure.js';
import { startBenchPostgres, type BenchPostgres } from './postgres-server.js';
import {
  formatCount,
  formatDuration,
  formatRatio,
  renderTable,
  sizeLabel,
  type Measurement,
  type ScalingRow,
  type SetupTiming,
  type SuiteResult,
} from './report.js';
import { loadKyselyAdapter, type KyselyAdapterModule } from './sql-library.js';

export type TransferAdapter = 'memory' | 'sqlite' | 'postgres';
export const TRANSFER_ADAPTERS: readonly TransferAdapter[] = ['memory', 'sqlite', 'postgres'];

/** Options of {@link transferBench}. */
export interface TransferBenchOptions {
  readonly lib: Library;
  /** Time budget per operation and size over all rounds, ms. */
  readonly timeMs: number;
  readonly warmupMs: number;
  readonly rounds: number;
  /** Ended runs of the small and the big workspace (the big one also sizes the pruneRuns workspace). */
  readonly runs: readonly [number, number];
  readonly adapters: readonly TransferAdapter[];
  readonly log?: (line: string) => void;
}

/** `now` of every kit in this bench (a manual clock): cutoffs and counts are deterministic. */
const NOW = '2026-01-01T12:00:00.000Z';
const DAY_MS = 86_400_000;
/** The target plan and its retention (DOMAIN.md PLAN table: pro keeps runs 30 days). */
const TARGET_PLAN = 'pro';
const RETENTION_DAYS = 30;
/** Run history spans this many days before NOW. */
const HISTORY_DAYS = 400;
/** The share of runs that ended before the target's cutoff. */
const DUE_SHARE = 0.1;
/** Ended runs per `resources.insertMany` unit of work while seeding. */
const SEED_BATCH = 10_000;
/** Besides the ended runs, each workspace holds runs still going (never pruned) and a few other kinds. */
const EXTRAS: readonly { readonly kind: TrackedResource['kind']; readonly n: number; readonly running: boolean }[] = [
  { kind: 'flow-run', n: 50, running: true },
  { kind: 'flow', n: 100, running: false },
  { kind: 'deployment', n: 10, running: false },
];

const NOW_MS = Date.parse(NOW);
const CUTOFF_MS = NOW_MS - RETENTION_DAYS * DAY_MS;
const CUTOFF = new Date(CUTOFF_MS).toISOString();
const HISTORY_START_MS = NOW_MS - HISTORY_DAYS * DAY_MS;

let sink = 0;
/** Milliseconds to wait after a full GC before a single-shot timing (see {@link settle}). */
const SETTLE_MS = 250;

/**
 * A full GC, then a pause: right after a full collection of a heap of a million runs V8 is
 * still sweeping it, and the next few hundred ms of allocation pay for that (a 10k-run
 * executeTransfer on memory measured 8 ms after a pause, 150–210 ms straight after the GC).
 */
async function settle(): Promise<void> {
  fullGc();
  await pause();
}

const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** How many of `n` ended runs are due (end strictly before the cutoff). */
export const dueOf = (n: number): number => Math.round(n * DUE_SHARE);

/**
 * The end time of ended run `i` of `n`: the first {@link dueOf}(n) spread evenly over the
 * HISTORY_DAYS − RETENTION_DAYS days before the cutoff, the rest evenly over the RETENTION_DAYS
 * after it (1 ms past the cutoff at the earliest, so no run ends exactly on it). A history of
 * ~400 days whose recent month holds 90% of the runs: the days are the same at every size, only
 * the runs per day change.
 */
function endOf(i: number, n: number): number {
  const due = dueOf(n);
  if (i < due) return HISTORY_START_MS + Math.floor((i * (CUTOFF_MS - HISTORY_START_MS)) / due);
  return CUTOFF_MS + 1 + Math.floor(((i - due) * (NOW_MS - CUTOFF_MS - 1)) / (n - due));
}

/** Ended run `i` of `n` of a workspace: flow runs, every fifth a task run, some failed. */
function runOf(workspaceId: WorkspaceId, tag: string, i: number, n: number): TrackedResource {
  const ended = endOf(i, n);
  const endedAt = new Date(ended).toISOString();
  return {
    id: `res_${tag}_${i}` as ResourceId,
    workspaceId,
    kind: i % 5 === 4 ? 'task-run' : 'flow-run',
    name: `run-${i}`,
    createdAt: new Date(ended - 60_000 - (i % 600) * 1000).toISOString(),
    state: i % 17 === 0 ? 'failed' : 'completed',
    endedAt,
    parentRunId: null,
  };
}

function extrasOf(workspaceId: WorkspaceId, tag: string): TrackedResource[] {
  const out: TrackedResource[] = [];
  for (const e of EXTRAS) {
    for (let i = 0; i < e.n; i += 1) {
      out.push({
        id: `res_${tag}_${e.kind}_${e.running ? 'live' : 'x'}_${i}` as ResourceId,
        workspaceId,
        kind: e.kind,
        name: `${e.kind}-${i}`,
        createdAt: new Date(NOW_MS - (i + 1) * 60_000).toISOString(),
        state: e.running ? 'running' : null,
        endedAt: null,
        parentRunId: null,
      });
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------
// Databases: a file per adapter run on SQLite, a schema on PostgreSQL (as sql.bench.ts does)
// ------------------------------------------------------------------------------------------

interface Db {
  readonly dialect: 'sqlite' | 'postgres';
  readonly store: Store;
  readonly description: string;
  /** A table of the store, quoted and schema-qualified: for raw SQL. */
  t(name: keyof WorkspaceKitTableNames): string;
  /** Raw SQL with `$1`… placeholders; rows as arrays of column values. */
  rows(text: string, params: readonly unknown[]): Promise<unknown[][]>;
  /** One-column statement, every value of the column: the naive baseline's read. */
  column(text: string, params: readonly unknown[]): Promise<readonly unknown[]>;
  /** Fresh planner statistics after seeding (VACUUM ANALYZE on PostgreSQL, as autovacuum would). */
  analyze(): Promise<void>;
  explain(text: string, params: readonly unknown[]): Promise<string>;
  release(): Promise<void>;
}

function positional(text: string, params: readonly unknown[]): { text: string; params: unknown[] } {
  const ordered: unknown[] = [];
  const out = text.replace(/\$(\d+)/g, (_, n: string) => {
    ordered.push(params[Number(n) - 1]);
    return '?';
  });
  return { text: out, params: ordered };
}

async function openSqlite(adapter: KyselyAdapterModule): Promise<Db> {
  const dir = mkdtempSync(join(tmpdir(), 'workspace-kit-bench-transfer-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.on('exit', removeDir);
  const sqlite = new Database(join(dir, 'transfer.db'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
  await adapter.migrateToLatest(kysely, { dialect: 'sqlite' });
  const names = adapter.workspaceKitTableNames({ dialect: 'sqlite' });
  return {
    dialect: 'sqlite',
    store: adapter.createKyselyStore(kysely, { dialect: 'sqlite' }),
    description: `better-sqlite3, a file in ${dir}, journal_mode=WAL, synchronous=NORMAL`,
    t: (name) => quote(names[name]),
    rows: (text, params) => {
      const p = positional(text, params);
      return Promise.resolve(sqlite.prepare(p.text).raw().all(...p.params) as unknown[][]);
    },
    column: (text, params) => {
      const p = positional(text, params);
      return Promise.resolve(sqlite.prepare(p.text).pluck().all(...p.params));
    },
    analyze: () => {
      sqlite.exec('analyze');
      return Promise.resolve();
    },
    explain: (text, params) => {
      const p = positional(text, params);
      const rows = sqlite.prepare(`explain query plan ${p.text}`).all(...p.params) as { detail: string }[];
      return Promise.resolve(rows.map((r) => r.detail).join(' › '));
    },
    release: async () => {
      await kysely.destroy();
      process.off('exit', removeDir);
      removeDir();
    },
  };
}

async function openPostgres(adapter: KyselyAdapterModule, server: BenchPostgres): Promise<Db> {
  const pool = new pg.Pool({ connectionString: server.url, max: 4, application_name: 'workspace-kit-bench-transfer' });
  pool.on('error', () => undefined);
  const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  const schema = `wkb_xfer_${randomBytes(4).toString('hex')}`;
  const names = adapter.workspaceKitTableNames({ dialect: 'postgres' });
  await adapter.migrateToLatest(kysely, { dialect: 'postgres', schema });
  const t = (name: keyof WorkspaceKitTableNames): string => `${quote(schema)}.${quote(names[name])}`;
  const rows = async (text: string, params: readonly unknown[]): Promise<unknown[][]> =>
    (await pool.query({ text, values: [...params], rowMode: 'array' })).rows as unknown[][];
  return {
    dialect: 'postgres',
    store: adapter.createKyselyStore(kysely, { dialect: 'postgres', schema }),
    description: `PostgreSQL (${server.description}), schema ${schema}`,
    t,
    rows,
    column: async (text, params) => (await rows(text, params)).map((r) => r[0]),
    analyze: async () => {
      for (const name of ['accounts', 'memberships', 'workspaces', 'resources', 'runDayCounts'] as const) await pool.query(`vacuum analyze ${t(name)}`);
    },
    explain: async (text, params) => {
      const lines = (await pool.query(`explain (analyze, buffers off) ${text}`, [...params])).rows.map((r: Record<string, unknown>) => String(r['QUERY PLAN']));
      return lines
        .map((l) => l.trim())
        .filter((l, i) => i === 0 || l.startsWith('->') || /^(Index Cond|Heap Fetches|Execution Time|Filter|InitPlan)/.test(l))
        .map((l) => l.replace(/^->\s*/, '').replace(/\s*\(cost=[^)]*\)/, '').replace(/\(actual time=[\d.]+\.\.([\d.]+) rows=(\d+) loops=(\d+)\)/, '(rows=$2, $1 ms)'))
        .join(' › ');
    },
    release: async () => {
      await pool.query(`drop schema if exists ${quote(schema)} cascade`).catch(() => undefined);
      await kysely.destroy();
    },
  };
}

// ------------------------------------------------------------------------------------------
// Fixture: one owner, a source organization (enterprise), a target (pro), a pruning account (pro)
// ------------------------------------------------------------------------------------------

interface Fixture {
  readonly adapter: TransferAdapter;
  readonly store: Store;
  readonly db: Db | undefined;
  readonly kit: WorkspaceKit;
  readonly actor: Principal;
  readonly sourceId: AccountId;
  readonly targetId: AccountId;
  readonly pruneAccountId: AccountId;
}

async function buildFixture(lib: Library, adapter: TransferAdapter, db: Db | undefined): Promise<Fixture> {
  const { asUser, createWorkspaceKit, manualClock, system } = lib.kit;
  const store = db ? db.store : lib.memory.createMemoryStore();
  const kit = createWorkspaceKit({ store, clock: manualClock(NOW) });
  const owner = await unwrap(kit.registerUser(system('bench'), { email: `owner-${adapter}@bench.test`, displayName: 'Bench owner', handle: `xfer-owner-${adapter}` }), 'registerUser');
  const actor = asUser(owner.user.id);
  const org = async (handle: string, planId: string) =>
    (await unwrap(kit.createOrganization(actor, { handle: `${handle}-${adapter}`, displayName: handle, planId }), 'createOrganization')).id;
  return {
    adapter,
    store,
    db,
    kit,
    actor,
    sourceId: await org('xfer-source', 'enterprise'),
    targetId: await org('xfer-target', TARGET_PLAN),
    pruneAccountId: await org('xfer-prune', TARGET_PLAN),
  };
}

/**
 * Seeds `n` ended runs (and the extras) into a new workspace through `resources.insertMany`,
 * SEED_BATCH per unit of work. `keep` receives every ended run, for the memory baseline.
 */
async function seedWorkspace(
  f: Fixture,
  accountId: AccountId,
  handle: string,
  n: number,
  keep?: (run: TrackedResource) => void,
): Promise<{ id: WorkspaceId; ms: number }> {
  const ws = await unwrap(f.kit.createWorkspace(f.actor, { accountId, handle }), 'createWorkspace');
  const tag = handle.replace(/[^a-z0-9]/g, '');
  const started = performance.now();
  await f.store.transaction((tx) => tx.resources.insertMany(extrasOf(ws.id, tag)));
  for (let from = 0; from < n; from += SEED_BATCH) {
    const batch: TrackedResource[] = [];
    for (let i = from; i < Math.min(n, from + SEED_BATCH); i += 1) {
      const run = runOf(ws.id, tag, i, n);
      batch.push(run);
      keep?.(run);
    }
    await f.store.transaction((tx) => tx.resources.insertMany(batch));
  }
  return { id: ws.id, ms: performance.now() - started };
}

// ------------------------------------------------------------------------------------------
// The naive baseline: count the due runs by reading every run of the workspace
// ------------------------------------------------------------------------------------------

/** What the baseline does, per adapter (printed with the results). */
export const BASELINE: Readonly<Record<TransferAdapter, string>> = {
  memory:
    'iterates a Map<id, TrackedResource> holding the workspace\'s ended runs (the same frozen records, in the shape the memory store keeps per workspace; the store does not expose its maps) and counts endedAt < cutoff',
  sqlite:
    'SELECT ended_at FROM resources WHERE workspace_id = ? AND ended_at IS NOT NULL, every row into JS (better-sqlite3 .pluck().all()), counted there: reads one index entry per ended run of the workspace (covering index on (workspace_id, ended_at))',
  postgres:
    'SELECT ended_at FROM resources WHERE workspace_id = $1 AND ended_at IS NOT NULL, every row into JS (pg, rowMode array), counted there: one index entry (and heap visit if not all-visible) per ended run of the workspace',
};

function countDue(values: Iterable<unknown>): number {
  let n = 0;
  for (const v of values) if ((v as string) < CUTOFF) n += 1;
  return n;
}

// ------------------------------------------------------------------------------------------
// The suite
// ------------------------------------------------------------------------------------------

/** The numbers of one adapter, for the summary table. */
export interface TransferAdapterSummary {
  readonly adapter: TransferAdapter;
  readonly sizes: readonly [string, string];
  readonly plan: readonly [Measurement, Measurement];
  readonly planGrowth: { readonly mean: number; readonly p50: number };
  readonly baseline: readonly [Measurement, Measurement];
  readonly baselineGrowth: { readonly mean: number; readonly p50: number };
  /** executeTransfer of each workspace, once: ms and runs it pruned. */
  readonly execute: readonly [{ readonly ms: number; readonly pruned: number }, { readonly ms: number; readonly pruned: number }];
  readonly pruneRuns: { readonly ms: number; readonly pruned: number; readonly runs: number };
}

/** What {@link transferBench} returns: a suite result that also carries the summary numbers. */
export interface TransferSuiteResult extends SuiteResult {
  readonly transfer: readonly TransferAdapterSummary[];
}

export async function transferBench(options: TransferBenchOptions): Promise<TransferSuiteResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const started = performance.now();
  const [small, big] = [...options.runs].sort((a, b) => a - b) as [number, number];
  if (!(small < big)) throw new Error('transfer bench: give two different run counts, small and big');
  const labels = [sizeLabel(small), sizeLabel(big)] as const;
  const rows: ScalingRow[] = [];
  const setup: SetupTiming[] = [];
  const notes: string[] = [];
  const summaries: TransferAdapterSummary[] = [];
  const groups: Record<string, string> = {};

  const wantsSql = options.adapters.some((a) => a !== 'memory');
  const kysely = wantsSql ? await loadKyselyAdapter(options.lib.target) : undefined;
  if (kysely) log(`transfer: adapter ${kysely.description}`);
  let server: BenchPostgres | undefined;
  try {
    for (const adapter of options.adapters) {
      let db: Db | undefined;
      if (adapter === 'sqlite') db = await openSqlite(kysely!.adapter);
      if (adapter === 'postgres') {
        server ??= await startBenchPostgres(log);
        db = await openPostgres(kysely!.adapter, server);
      }
      groups[adapter] = adapter === 'memory' ? 'memory store (createMemoryStore)' : db!.description;
      try {
        summaries.push(await adapterRun(options, adapter, db, labels, [small, big], { rows, setup, notes, log }));
      } finally {
        await db?.release().catch(() => undefined);
      }
    }
  } finally {
    server?.stop();
  }

  notes.push(
    `scenario: now = ${NOW} (manual clock); source organization on enterprise, target on ${TARGET_PLAN} (retention ${RETENTION_DAYS} days, cutoff ${CUTOFF}); ` +
      `each workspace holds N ended runs (80% flow runs, 20% task runs) spread over ${HISTORY_DAYS} days: ${DUE_SHARE * 100}% evenly before the cutoff, 90% over the last ${RETENTION_DAYS} days, ` +
      `plus ${EXTRAS.map((e) => `${e.n} ${e.running ? 'running flow runs' : e.kind}`).join(', ')}; seeded through resources.insertMany, ${formatCount(SEED_BATCH)} per unit of work`,
    'plan = kit.planTransfer (one read-only unit of work: access checks, both accounts, grants, members, invitations, keys, and resources.countEndedBefore at the target\'s cutoff)',
    ...options.adapters.map((a) => `baseline (${a}): ${BASELINE[a]}`),
    'execute = one kit.executeTransfer per workspace (re-plan at plannedAt, then deleteEndedBefore in batches of 1 000 until done, grants, the move and two audit events, all in one unit of work), timed once: it changes the fixture',
    `pruneRuns = one kit.pruneRuns of a ${TARGET_PLAN} account whose one workspace holds ${labels[1]} ended runs, ${DUE_SHARE * 100}% due (default batch 1 000), timed once`,
    `checksum ${sink}`,
  );
  return {
    name: 'transfer',
    title: `transfer — kit.planTransfer of a workspace holding N ended runs (${DUE_SHARE * 100}% past the target's ${RETENTION_DAYS}-day retention) vs a naive scan of its runs`,
    sizes: [
      { label: labels[0], n: small },
      { label: labels[1], n: big },
    ],
    rows,
    groups,
    setup,
    notes,
    wallMs: performance.now() - started,
    transfer: summaries,
  };
}

interface Sinks {
  readonly rows: ScalingRow[];
  readonly setup: SetupTiming[];
  readonly notes: string[];
  readonly log: (line: string) => void;
}

async function adapterRun(
  options: TransferBenchOptions,
  adapter: TransferAdapter,
  db: Db | undefined,
  labels: readonly [string, string],
  sizes: readonly [number, number],
  { rows, setup, notes, log }: Sinks,
): Promise<TransferAdapterSummary> {
  const f = await buildFixture(options.lib, adapter, db);

  // Seed the two workspaces of the source account.
  const memoryRuns: Map<ResourceId, TrackedResource>[] = [];
  const workspaces: WorkspaceId[] = [];
  let seedMs = 0;
  for (const [i, n] of sizes.entries()) {
    const kept = new Map<ResourceId, TrackedResource>();
    const ws = await seedWorkspace(f, f.sourceId, `xfer-${labels[i]!.toLowerCase()}`, n, adapter === 'memory' ? (r) => kept.set(r.id, r) : undefined);
    memoryRuns.push(kept);
    workspaces.push(ws.id);
    seedMs += ws.ms;
    log(`  ${adapter}: seeded ${formatCount(n)} runs in ${seconds(ws.ms)}`);
  }
  const analyzeStarted = performance.now();
  await db?.analyze();
  const analyzeMs = performance.now() - analyzeStarted;
  setup.push({
    step: `${adapter}: seed ${labels.join(' + ')} runs (resources.insertMany, ${formatCount(SEED_BATCH)}/unit of work)${db ? ` + ${db.dialect === 'postgres' ? 'VACUUM ANALYZE' : 'ANALYZE'} (${seconds(analyzeMs)})` : ''}`,
    size: labels.join('+'),
    totalMs: seedMs + analyzeMs,
    perItemNs: ((seedMs + analyzeMs) * 1e6) / (sizes[0] + sizes[1]),
  });

  // planTransfer at both sizes; the plan must be the expected one.
  const planOf = async (i: number) => {
    const plan = await unwrap(f.kit.planTransfer(f.actor, { workspaceId: workspaces[i]!, targetAccountId: f.targetId }), 'planTransfer');
    if (plan.impacts.runsPruned.count !== dueOf(sizes[i]!) || plan.impacts.runsPruned.cutoff !== CUTOFF) {
      throw new Error(`${adapter}: planTransfer counted ${plan.impacts.runsPruned.count} runs before ${plan.impacts.runsPruned.cutoff}, expected ${dueOf(sizes[i]!)} before ${CUTOFF}`);
    }
    return plan;
  };
  for (const i of [0, 1]) {
    const plan = await planOf(i);
    if (plan.blockers.length > 0 || plan.approvalNeeded !== 'none') throw new Error(`${adapter}: the plan is blocked: ${JSON.stringify(plan.blockers)}`);
  }
  const measure = { timeMs: options.timeMs, warmupMs: options.warmupMs, rounds: options.rounds, minIterations: 5 };
  // measure.ts starts each round with a full GC; with a million runs in the memory store's heap
  // the samples right after it pay for the sweeping (planTransfer ~100 µs read 250–450 µs), so
  // each memory task waits for it to end first. The SQL adapters' heaps are small.
  const taskOptions = { async: true, ...(db ? {} : { beforeAll: pause }) } as const;
  const planTasks: SizedTask[] = [0, 1].map((i) => ({
    label: labels[i]!,
    fn: async () => {
      sink += (await planOf(i)).impacts.runsPruned.count;
    },
    options: taskOptions,
  }));
  // Warm the whole kit path up first, both sizes in turn: measure.ts warms only in its first
  // round, and only the size it measures first, which then reads slower (JIT tiering of the
  // command path takes thousands of calls on a busy machine).
  const warmUntil = performance.now() + 4 * options.warmupMs;
  while (performance.now() < warmUntil) for (const i of [0, 1]) sink += (await planOf(i)).impacts.runsPruned.count;
  const plan = await measureAcrossSizes(`${adapter} planTransfer`, planTasks, measure);
  rows.push({ group: adapter, layer: 'kit', operation: 'planTransfer (counts the runs past the target\'s retention)', bySize: plan.bySize, ratios: plan.ratios });
  log(`  ${adapter}: measured planTransfer`);

  // The naive baseline at both sizes.
  const baselineCount = async (i: number): Promise<number> => {
    if (!db) {
      let n = 0;
      for (const r of memoryRuns[i]!.values()) if (r.endedAt !== null && r.endedAt < CUTOFF) n += 1;
      return n;
    }
    return countDue(await db.column(`select ended_at from ${db.t('resources')} where workspace_id = $1 and ended_at is not null`, [workspaces[i]!]));
  };
  for (const i of [0, 1]) {
    const n = await baselineCount(i);
    if (n !== dueOf(sizes[i]!)) throw new Error(`${adapter}: the baseline counted ${n}, expected ${dueOf(sizes[i]!)}`);
  }
  const baselineTasks: SizedTask[] = [0, 1].map((i) => ({
    label: labels[i]!,
    fn: async () => {
      sink += await baselineCount(i);
    },
    options: taskOptions,
  }));
  const baseline = await measureAcrossSizes(`${adapter} baseline`, baselineTasks, { ...measure, minIterations: 3 });
  rows.push({ group: adapter, layer: 'base', operation: 'naive: read every run of the workspace, count in JS', bySize: baseline.bySize, ratios: baseline.ratios });
  log(`  ${adapter}: measured the baseline`);

  if (db) {
    // For reference: the count the adapters made before day counts, an index range of the due runs.
    const rangeSql = `select count(*) from ${db.t('resources')} where workspace_id = $1 and ended_at < $2`;
    const rangeTasks: SizedTask[] = [0, 1].map((i) => ({
      label: labels[i]!,
      fn: async () => {
        sink += Number((await db.rows(rangeSql, [workspaces[i]!, CUTOFF]))[0]![0]);
      },
      options: { async: true },
    }));
    const range = await measureAcrossSizes(`${adapter} range count`, rangeTasks, measure);
    rows.push({ group: adapter, layer: 'ref', operation: 'count(*) … ended_at < cutoff (index range over the due runs)', bySize: range.bySize, ratios: range.ratios });
    // EXPLAIN of the count planTransfer makes (the adapter's statement shape), on the big workspace.
    try {
      const day = CUTOFF.slice(0, 10);
      const countSql =
        `select (select coalesce(sum(n), 0) from ${db.t('runDayCounts')} where workspace_id = $1 and end_day < $2)` +
        ` + (select count(*) from ${db.t('resources')} where workspace_id = $1 and ended_at >= $2 and ended_at < $3) as n`;
      notes.push(`${adapter}: EXPLAIN countEndedBefore @${labels[1]} (day counts before ${day} + that day's runs before the cutoff): ${await db.explain(countSql, [workspaces[1]!, day, CUTOFF])}`);
    } catch (e) {
      notes.push(`${adapter}: EXPLAIN of countEndedBefore failed (${(e as Error).message})`);
    }
  }
  memoryRuns.length = 0;

  // executeTransfer of each workspace, once (the fixture changes).
  const execute: { ms: number; pruned: number }[] = [];
  for (const i of [0, 1]) {
    const p = await planOf(i);
    await settle();
    const t0 = performance.now();
    const result = await unwrap(
      f.kit.executeTransfer(f.actor, { workspaceId: workspaces[i]!, targetAccountId: f.targetId, fingerprint: p.fingerprint, plannedAt: p.plannedAt }),
      'executeTransfer',
    );
    const ms = performance.now() - t0;
    if (result.workspace.accountId !== f.targetId) throw new Error(`${adapter}: executeTransfer did not move the workspace`);
    const left = await f.store.transaction((tx) => tx.resources.countEndedBefore(workspaces[i]!, CUTOFF), { readOnly: true });
    if (left !== 0) throw new Error(`${adapter}: ${left} runs past retention left after executeTransfer`);
    execute.push({ ms, pruned: result.plan.impacts.runsPruned.count });
    setup.push({ step: `${adapter}: kit.executeTransfer, prunes ${formatCount(result.plan.impacts.runsPruned.count)} runs (once)`, size: labels[i]!, totalMs: ms, perItemNs: (ms * 1e6) / result.plan.impacts.runsPruned.count });
    log(`  ${adapter}: executeTransfer @${labels[i]} in ${seconds(ms)}`);
  }
  // The memory store keeps every run in the heap: drop the big workspace's before the next seed.
  if (!db) await f.store.transaction((tx) => tx.resources.deleteByWorkspace(workspaces[1]!));

  // pruneRuns of an account holding one big workspace, 10% due.
  const pw = await seedWorkspace(f, f.pruneAccountId, `prune-${labels[1].toLowerCase()}`, sizes[1]);
  await db?.analyze();
  log(`  ${adapter}: seeded the pruneRuns workspace in ${seconds(pw.ms)}`);
  await settle();
  const t0 = performance.now();
  const report = await unwrap(f.kit.pruneRuns(f.actor, { accountId: f.pruneAccountId }), 'pruneRuns');
  const pruneMs = performance.now() - t0;
  if (report.pruned !== dueOf(sizes[1]) || !report.complete) throw new Error(`${adapter}: pruneRuns removed ${report.pruned}, expected ${dueOf(sizes[1])}`);
  setup.push({ step: `${adapter}: kit.pruneRuns, ${formatCount(report.pruned)} of ${formatCount(sizes[1])} runs due (once)`, size: labels[1], totalMs: pruneMs, perItemNs: (pruneMs * 1e6) / report.pruned });
  log(`  ${adapter}: pruneRuns in ${seconds(pruneMs)}`);

  const at = (m: { bySize: Record<string, Measurement> }) => [m.bySize[labels[0]]!, m.bySize[labels[1]]!] as const;
  return {
    adapter,
    sizes: labels,
    plan: at(plan),
    planGrowth: plan.ratios,
    baseline: at(baseline),
    baselineGrowth: baseline.ratios,
    execute: [execute[0]!, execute[1]!],
    pruneRuns: { ms: pruneMs, pruned: report.pruned, runs: sizes[1] },
  };
}

// ------------------------------------------------------------------------------------------
// Summary: the numbers the issue asks for, one line per adapter
// ------------------------------------------------------------------------------------------

/** Prints the planning and the execution tables of the `transfer` suite, if it ran. */
export function printTransferSummary(suites: readonly SuiteResult[]): void {
  const suite = suites.find((s): s is TransferSuiteResult => s.name === 'transfer' && 'transfer' in s);
  if (!suite || suite.transfer.length === 0) return;
  const [a, b] = suite.transfer[0]!.sizes;
  const ms = (m: Measurement): string => formatDuration(m.meanNs);
  const ratio = (x: number): string => (x >= 0.01 ? `${x.toFixed(2)}×` : x >= 0.0001 ? `${x.toFixed(4)}×` : `${x.toExponential(1)}×`);
  console.log('\n## transfer planning — planTransfer vs the naive scan, by adapter\n');
  console.log(
    renderTable(
      ['adapter', `plan @${a}`, `plan @${b}`, `plan ${b}/${a} (mean, p50)`, `baseline @${a}`, `baseline @${b}`, `baseline ${b}/${a}`, `plan/baseline @${a}`, `plan/baseline @${b}`],
      suite.transfer.map((s) => [
        s.adapter,
        ms(s.plan[0]),
        ms(s.plan[1]),
        `${formatRatio(s.planGrowth.mean)}, ${formatRatio(s.planGrowth.p50)}`,
        ms(s.baseline[0]),
        ms(s.baseline[1]),
        formatRatio(s.baselineGrowth.mean),
        ratio(s.plan[0].meanNs / s.baseline[0].meanNs),
        ratio(s.plan[1].meanNs / s.baseline[1].meanNs),
      ]),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  console.log(`\nplan/baseline < 1: planning is that fraction of one naive scan; a flat plan reads ≈ 1.00× ${b}/${a}, a scan ≈ ${formatCount(suite.sizes[1]!.n / suite.sizes[0]!.n)}×`);
  console.log('\n## transfer execution and pruning — each timed once\n');
  const rate = (pruned: number, t: number): string => `${formatCount(pruned / (t / 1000))} runs/s`;
  console.log(
    renderTable(
      ['adapter', `executeTransfer @${a}`, `executeTransfer @${b}`, `prune throughput @${b}`, `pruneRuns @${b}`, 'pruneRuns throughput'],
      suite.transfer.map((s) => [
        s.adapter,
        `${formatDuration(s.execute[0].ms * 1e6)} (${formatCount(s.execute[0].pruned)} pruned)`,
        `${formatDuration(s.execute[1].ms * 1e6)} (${formatCount(s.execute[1].pruned)} pruned)`,
        rate(s.execute[1].pruned, s.execute[1].ms),
        `${formatDuration(s.pruneRuns.ms * 1e6)} (${formatCount(s.pruneRuns.pruned)} of ${formatCount(s.pruneRuns.runs)})`,
        rate(s.pruneRuns.pruned, s.pruneRuns.ms),
      ]),
      ['left', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
}
