// `npm run bench`: runs every bench suite, prints its table, and writes bench/results/latest.json.
// Never part of `npm test`, and nothing is asserted: numbers are read as ratios (largest size
// against smallest, and this run against a saved baseline when there is one).
//
//   npm run bench                      every suite, sizes 1k and 100k
//   npm run bench -- --quick           smaller sizes and budgets, for a smoke run
//   npm run bench -- --only=workspaces one suite
//   npm run bench -- --save-baseline   also save this run as bench/results/baseline.json
//   npm run bench -- --target=dist     measure dist/ (default `build`: src/ compiled now by
//                                      tsup; `src`: through tsx, see library.ts for why not)
//
// Environment: BENCH_SIZES=1000,100000  BENCH_TIME_MS=1200  BENCH_WARMUP_MS=250  BENCH_ROUNDS=3
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

/** What every suite receives. */
interface RunOptions {
  readonly lib: Library;
  readonly sizes: readonly number[];
  readonly timeMs: number;
  readonly warmupMs: number;
  readonly rounds: number;
}

/** The registry: add a sibling `*.bench.ts` exporting a function returning a SuiteResult. */
const SUITES: readonly { readonly name: string; readonly run: (options: RunOptions) => Promise<SuiteResult> }[] = [
  { name: 'workspaces', run: (o) => workspacesBench(o) },
];

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
  const only = [...args].find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const targetArg = [...args].find((a) => a.startsWith('--target='))?.slice('--target='.length) ?? 'build';
  if (!(TARGETS as readonly string[]).includes(targetArg)) throw new Error(`--target must be one of ${TARGETS.join(', ')}`);
  const lib = await loadLibrary(targetArg as Target);
  const options: RunOptions = {
    lib,
    sizes: numberList(process.env['BENCH_SIZES']) ?? (quick ? [1_000, 10_000] : [1_000, 100_000]),
    timeMs: positive(process.env['BENCH_TIME_MS'], quick ? 300 : 1200),
    warmupMs: positive(process.env['BENCH_WARMUP_MS'], quick ? 50 : 250),
    rounds: positive(process.env['BENCH_ROUNDS'], quick ? 2 : 3),
  };
  const selected = SUITES.filter((s) => only === undefined || s.name === only);
  if (selected.length === 0) throw new Error(`no suite named "${only}"; known: ${SUITES.map((s) => s.name).join(', ')}`);

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
    const result = await suite.run(options);
    suites.push(result);
    printSuite(result, baseline?.suites.find((s) => s.name === result.name));
  }
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
