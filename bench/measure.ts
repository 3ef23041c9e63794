// Measuring one operation at several sizes with tinybench, robustly enough to read ratios on a
// shared, noisy machine: the time budget is split into rounds, the sizes alternate order from
// round to round, each round starts on a collected heap, and the ratio reported is the median
// of the per-round ratios (a burst of noise from another process then hits one round, not one
// size).
import { Bench, type Fn, type FnOptions, type Task } from 'tinybench';
import { fullGc } from './gc.js';
import type { Measurement } from './report.js';

/** One operation bound to the fixture of one size. */
export interface SizedTask {
  /** The size label (`1k`); tasks are given smallest size first. */
  readonly label: string;
  readonly fn: Fn;
  /** Pass `async` explicitly: tinybench otherwise calls the function once to find out. */
  readonly options: FnOptions;
}

/** How long and how often to measure. */
export interface MeasureOptions {
  /** Total time budget per size, ms, split over the rounds. */
  readonly timeMs: number;
  /** Warm-up per size, ms, in the first round only. */
  readonly warmupMs: number;
  readonly rounds: number;
  /**
   * Fewest iterations per task and round (tinybench's default is 64): lower it for operations
   * that take tens of milliseconds, such as counting a million rows in SQL.
   */
  readonly minIterations?: number;
}

/** The measurement at every size, and the largest/smallest ratios (median over rounds). */
export interface SizedMeasurement {
  readonly bySize: Record<string, Measurement>;
  readonly ratios: { readonly mean: number; readonly p50: number };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The measurement of a finished tinybench task; throws if the task failed or never ran. */
export function measurementOf(task: Task): Measurement {
  const result = task.result;
  if (result.state === 'errored') throw new Error(`bench task "${task.name}" failed: ${result.error.message}`);
  if (result.state !== 'completed' && result.state !== 'aborted-with-statistics') {
    throw new Error(`bench task "${task.name}" did not complete (${result.state})`);
  }
  const { latency } = result;
  const toNs = (ms: number): number => ms * 1e6;
  return {
    meanNs: toNs(latency.mean),
    p50Ns: toNs(latency.p50),
    p99Ns: toNs(latency.p99),
    rmePct: latency.rme,
    samples: latency.samplesCount,
    opsPerSec: latency.mean > 0 ? 1000 / latency.mean : Number.POSITIVE_INFINITY,
    rounds: 1,
    spreadPct: 0,
  };
}

/** Several rounds of one size folded into one: medians, and the spread of the round means. */
export function combineRounds(rounds: readonly Measurement[]): Measurement {
  const meanNs = median(rounds.map((m) => m.meanNs));
  const means = rounds.map((m) => m.meanNs);
  return {
    meanNs,
    p50Ns: median(rounds.map((m) => m.p50Ns)),
    p99Ns: median(rounds.map((m) => m.p99Ns)),
    rmePct: median(rounds.map((m) => m.rmePct)),
    samples: rounds.reduce((n, m) => n + m.samples, 0),
    opsPerSec: meanNs > 0 ? 1e9 / meanNs : Number.POSITIVE_INFINITY,
    rounds: rounds.length,
    spreadPct: rounds.length > 1 ? (100 * (Math.max(...means) - Math.min(...means))) / meanNs : 0,
  };
}

/** Measures `tasks` (one per size, smallest first) in alternating rounds. */
export async function measureAcrossSizes(name: string, tasks: readonly SizedTask[], options: MeasureOptions): Promise<SizedMeasurement> {
  const rounds = Math.max(1, Math.floor(options.rounds));
  const perRound = new Map<string, Measurement[]>(tasks.map((t) => [t.label, []]));
  const ratioRounds: { mean: number; p50: number }[] = [];
  for (let r = 0; r < rounds; r += 1) {
    const order = r % 2 === 0 ? tasks : [...tasks].reverse();
    const bench = new Bench({
      name,
      time: options.timeMs / rounds,
      warmup: r === 0 && options.warmupMs > 0,
      warmupTime: options.warmupMs,
      ...(options.minIterations === undefined ? {} : { iterations: options.minIterations, warmupIterations: 2 }),
      throws: true,
      timestampProvider: 'hrtimeNow',
    });
    for (const t of order) bench.add(`${name} @${t.label}`, t.fn, t.options);
    fullGc();
    await bench.run();
    const round = new Map<string, Measurement>();
    bench.tasks.forEach((task, i) => round.set(order[i]!.label, measurementOf(task)));
    for (const [label, m] of round) perRound.get(label)!.push(m);
    const first = round.get(tasks[0]!.label)!;
    const last = round.get(tasks[tasks.length - 1]!.label)!;
    ratioRounds.push({ mean: last.meanNs / first.meanNs, p50: last.p50Ns / first.p50Ns });
  }
  const bySize: Record<string, Measurement> = {};
  for (const [label, ms] of perRound) bySize[label] = combineRounds(ms);
  return {
    bySize,
    ratios: { mean: median(ratioRounds.map((x) => x.mean)), p50: median(ratioRounds.map((x) => x.p50)) },
  };
}
