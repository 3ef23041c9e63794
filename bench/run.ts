// `npm run bench`: runs every bench suite, prints its table, and writes bench/results/latest.json.
// Never part of `npm test`, and nothing is asserted: numbers are read as ratios (largest size
// against smallest, and this run against a saved baseline when there is one).
//
//   npm run bench                      every suite, sizes 1k and 100k
//   npm run bench -- --quick           smaller sizes and budgets, for a smoke run
//   npm run bench -- --only=workspaces one suite (`workspaces`: memory; `sql`: SQLite and
//                                      PostgreSQL, and the delete preview on every adapter)
//   npm run bench -- --only=authorization  snapshot.can vs CASL at 10, 1k and 100k grants
//   npm run bench -- --only=transfer   planTransfer / executeTransfer / pruneRuns with 1M runs,
//                                      on memory, SQLite and PostgreSQL (memory only with --skip=sql)
//   npm run bench -- --skip=sql        every suite but these
//   npm run bench -- --save-baseline   also save this run as bench/results/baseline.json
//   npm run bench -- --target=dist     measure dist/ (default `build`: src/ compiled now by
//                                      tsup; `src`: through tsx, see library.ts for why not)
//
// Environment: BENCH_SIZES=1000,100000  BENCH_TIME_MS=1200  BENCH_WARMUP_MS=250  BENCH_ROUNDS=3
//              BENCH_SQL_TIME_MS=1800  BENCH_RUNS=1000,1000000  BENCH_SQL_DELETE=1
//              BENCH_AUTH_GRANTS=10,1000,100000
//              BENCH_XFER_RUNS=10000,1000000  BENCH_XFER_TIME_MS=1500
//              WORKSPACE_KIT_BENCH_PG_URL=postgres://… (else a throwaway server is started)
import { fileURLToPath } from 'node:url';
import {
  environment,
  printEnvironment,
  printSuite,
  readResults,
  writeResults,
  type ResultsDocument,
  type SuiteResult,
} from './report.js';
import { loadLibrary, TARGETS, type Library, type Target } from './library.js';
import { workspacesBench } from './workspaces.bench.js';
import { printAdapterComparison, sqlBench } from './sql.bench.js';
import { authorizationBench } from './authorization.bench.js';
import { printTransferSummary, TRANSFER_ADAPTERS, transferBench } from './transfer.bench.js';

/** What every suite receives. */
interface RunOptions {
  readonly lib: Library;
  readonly sizes: readonly number[];
  readonly timeMs: number;
  readonly warmupMs: number;
  readonly rounds: number;
  readonly quick: boolean;
}

/** The registry: add a sibling `*.bench.ts` exporting a function returning a SuiteResult. */
const SUITES: readonly { readonly name: string; readonly run: (options: RunOptions) => Promise<SuiteResult | SuiteResult[]> }[] = [
  { name: 'workspaces', run: (o) => workspacesBench(o) },
  {
    name: 'sql',
    // SQL round trips cost ~10-100× a memory call: fewer samples reach the same precision,
    // and the budget keeps the whole `npm run bench` within a few minutes on 2 cores.
    run: (o) =>
      sqlBench({
        ...o,
        timeMs: positive(process.env['BENCH_SQL_TIME_MS'], o.quick ? 300 : 1800),
        runs: sizePair(numberList(process.env['BENCH_RUNS']) ?? (o.quick ? [1_000, 100_000] : [1_000, 1_000_000])),
        timeDelete: process.env['BENCH_SQL_DELETE'] !== '0',
      }),
  },
  {
    // Sizes are grants in the data set, not workspaces: BENCH_AUTH_GRANTS, default 10,1000,100000.
    name: 'authorization',
    run: (o) =>
      authorizationBench({
        ...o,
        grants: numberList(process.env['BENCH_AUTH_GRANTS']) ?? (o.quick ? [10, 1_000, 10_000] : [10, 1_000, 100_000]),
      }),
  },
  {
    // Sizes are ended runs of one workspace (BENCH_XFER_RUNS, default 10000,1000000), on memory,
    // SQLite and PostgreSQL; `--skip=sql` keeps it to the memory store (no PostgreSQL needed).
    name: 'transfer',
    run: (o) =>
      transferBench({
        ...o,
        timeMs: positive(process.env['BENCH_XFER_TIME_MS'], o.quick ? 300 : 1500),
        runs: sizePair(numberList(process.env['BENCH_XFER_RUNS']) ?? (o.quick ? [1_000, 100_000] : [10_000, 1_000_000])),
        adapters: process.argv.some((a) => a.startsWith('--skip=') && a.slice('--skip='.length).split(',').includes('sql'))
          ? ['memory']
          : TRANSFER_ADAPTERS,
      }),
  },
];

function sizePair(values: readonly number[]): readonly [number, number] {
  if (values.length !== 2) throw new Error('BENCH_RUNS takes two sizes: the small and the big workspace');
  return [values[0]!, values[1]!];
}

const LATEST = fileURLToPath(new URL('./results/latest.json', import.meta.url));
const BASELINE = fileURLToPath(new URL('./results/baseline.json', import.meta.url));

function numberList(raw: string | undefined): number[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const values = raw.split(',').map((s) => Number(s.trim().replace(/_/g, '')));
  if (values.some((v) => !Number.isInteger(v) || v <= 0)) throw new Error(`invalid size list: ${raw}`);
  return values;
}

function positive(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) throw new Error(`invalid number: ${raw}`);
  return v;
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const quick = args.has('--quick');
  const only = [...args].find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const skip = [...args].find((a) => a.startsWith('--skip='))?.slice('--skip='.length).split(',') ?? [];
  const targetArg = [...args].find((a) => a.startsWith('--target='))?.slice('--target='.length) ?? 'build';
  if (!(TARGETS as readonly string[]).includes(targetArg)) throw new Error(`--target must be one of ${TARGETS.join(', ')}`);
  const lib = await loadLibrary(targetArg as Target);
  const options: RunOptions = {
    lib,
    sizes: numberList(process.env['BENCH_SIZES']) ?? (quick ? [1_000, 10_000] : [1_000, 100_000]),
    timeMs: positive(process.env['BENCH_TIME_MS'], quick ? 300 : 1200),
    warmupMs: positive(process.env['BENCH_WARMUP_MS'], quick ? 50 : 250),
    rounds: positive(process.env['BENCH_ROUNDS'], quick ? 2 : 3),
    quick,
  };
  const selected = SUITES.filter((s) => (only === undefined || only.includes(s.name)) && !skip.includes(s.name));
  if (selected.length === 0) throw new Error(`no suite selected by --only/--skip; known: ${SUITES.map((s) => s.name).join(', ')}`);

  const env = environment();
  printEnvironment(env);
  console.log(`library: ${lib.description}`);
  console.log(
    `sizes ${options.sizes.join(', ')} · ${options.timeMs} ms per operation and size in ${options.rounds} rounds (+${options.warmupMs} ms warm-up)`,
  );
  const baseline = readResults(BASELINE);
  if (baseline) console.log(`baseline: ${BASELINE} (${baseline.environment.date}, node ${baseline.environment.node})`);

  const started = performance.now();
  const suites: SuiteResult[] = [];
  for (const suite of selected) {
    const results = await suite.run(options);
    for (const result of Array.isArray(results) ? results : [results]) {
      suites.push(result);
      printSuite(result, baseline?.suites.find((s) => s.name === result.name));
    }
  }
  printAdapterComparison(suites);
  printTransferSummary(suites);
  const totalMs = performance.now() - started;
  console.log(`\ntotal: ${(totalMs / 1000).toFixed(1)} s`);
  console.log('ratios: 1.00× = flat; "!" ≥ 1.5×, "!!" ≥ 3× (read, never asserted).');

  const doc: ResultsDocument = { schema: 1, environment: env, options: {
      target: lib.target,
      sizes: options.sizes,
      timeMs: options.timeMs,
      warmupMs: options.warmupMs,
      rounds: options.rounds,
      quick,
    }, suites, totalMs };
  writeResults(LATEST, doc);
  console.log(`results: ${LATEST}`);
  if (args.has('--save-baseline')) {
    writeResults(BASELINE, doc);
    console.log(`baseline saved: ${BASELINE}`);
  }
}

await main();
