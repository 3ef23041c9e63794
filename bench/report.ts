// Shared plumbing of every bench: turning tinybench tasks into plain measurements, printing
// scaling tables with their ratios, and writing / reading the JSON results. Nothing here is
// asserted: benches print numbers and ratios for a human (or a later CI step) to judge.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import os from 'node:os';

/** The cost of one operation at one size, in nanoseconds per operation. */
export interface Measurement {
  /** Mean latency per operation. */
  readonly meanNs: number;
  /** Median latency per operation (per batch mean for batched tasks). */
  readonly p50Ns: number;
  readonly p99Ns: number;
  /** Relative margin of error of the mean, in percent. */
  readonly rmePct: number;
  /** How many samples the statistics rest on. */
  readonly samples: number;
  /** Operations per second derived from the mean: `1e9 / meanNs`. */
  readonly opsPerSec: number;
  /** Rounds the measurement was taken in (medians over rounds when more than one). */
  readonly rounds: number;
  /** Spread of the round means, `(max − min) / median`, in percent (0 for one round). */
  readonly spreadPct: number;
}

/** One operation measured at every size of a suite. */
export interface ScalingRow {
  /** The group the row is printed under (e.g. an access pattern), if the suite has groups. */
  readonly group?: string;
  /** What layer the row measures: `kit` (facade), `store` (port primitive), `pure` (no I/O). */
  readonly layer: string;
  readonly operation: string;
  /** Keyed by size label (`1k`, `100k`, …). */
  readonly bySize: Readonly<Record<string, Measurement>>;
  /** Largest/smallest size ratios when measured directly (median of per-round ratios). */
  readonly ratios?: { readonly mean: number; readonly p50: number };
}

/** A timed preparation step, e.g. populating the store. */
export interface SetupTiming {
  readonly step: string;
  readonly size: string;
  readonly totalMs: number;
  /** Cost per item of the step, in nanoseconds. */
  readonly perItemNs: number;
}

/** What a bench file returns: rows measured at each size, smallest size first. */
export interface SuiteResult {
  /** Stable key, used to match a baseline run (`workspaces`). */
  readonly name: string;
  readonly title: string;
  readonly sizes: readonly { readonly label: string; readonly n: number }[];
  readonly rows: readonly ScalingRow[];
  /** What each row group means, printed as a legend; rows are printed group by group. */
  readonly groups?: Readonly<Record<string, string>>;
  readonly setup: readonly SetupTiming[];
  readonly notes: readonly string[];
  readonly wallMs: number;
}

/** Where and on what the numbers were taken. */
export interface Environment {
  readonly date: string;
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
}

/** The JSON document `bench/run.ts` writes. */
export interface ResultsDocument {
  readonly schema: 1;
  readonly environment: Environment;
  readonly options: Readonly<Record<string, unknown>>;
  readonly suites: readonly SuiteResult[];
  readonly totalMs: number;
}

/** Ratio above which a row is flagged: bigger heaps cost some cache misses, scans cost ×N. */
export const FLAG_RATIO = 1.5;
/** Ratio above which a row is flagged loudly: something grows with the size. */
export const ALARM_RATIO = 3;

export function environment(): Environment {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
  };
}

/** `123 ns`, `12.3 µs`, `1.23 ms`: three significant digits in a readable unit. */
export function formatDuration(ns: number): string {
  const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  if (ns < 1e3) return `${fmt(ns)} ns`;
  if (ns < 1e6) return `${fmt(ns / 1e3)} µs`;
  if (ns < 1e9) return `${fmt(ns / 1e6)} ms`;
  return `${fmt(ns / 1e9)} s`;
}

/** `1 234 567` with thin grouping, for throughputs. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '∞';
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** `1.04×`, with a `!` past {@link FLAG_RATIO} and `!!` past {@link ALARM_RATIO}. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  const mark = ratio >= ALARM_RATIO ? ' !!' : ratio >= FLAG_RATIO ? ' !' : '';
  return `${ratio.toFixed(2)}×${mark}`;
}

/** A size label: `1k`, `100k`, `1M`, or the plain number. */
export function sizeLabel(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return String(n);
}

type Align = 'left' | 'right';

/** Renders rows of cells as an aligned plain-text table with a header rule. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (align[i] === 'right' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join(' │ ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─');
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/**
 * The ratio of the largest size's cost to the smallest size's, on the mean and the median: the
 * row's own when it was measured per round, else from its measurements.
 */
export function scalingRatios(row: ScalingRow, sizes: SuiteResult['sizes']): { mean: number; p50: number } {
  if (row.ratios) return row.ratios;
  const first = row.bySize[sizes[0]!.label];
  const last = row.bySize[sizes[sizes.length - 1]!.label];
  if (!first || !last) return { mean: Number.NaN, p50: Number.NaN };
  return { mean: last.meanNs / first.meanNs, p50: last.p50Ns / first.p50Ns };
}

/**
 * Prints a suite: one line per operation with its mean cost at each size (± relative margin
 * of error), the largest/smallest ratio on the mean and on the median, and the throughput at
 * the largest size. With a baseline suite of the same name, adds the current/baseline ratio
 * at the largest size, side by side.
 */
export function printSuite(suite: SuiteResult, baseline?: SuiteResult): void {
  const first = suite.sizes[0]!;
  const last = suite.sizes[suite.sizes.length - 1]!;
  const headers = [
    'operation',
    ...suite.sizes.map((s) => `mean @${s.label}`),
    `${last.label}/${first.label} mean`,
    `${last.label}/${first.label} p50`,
    `ops/s @${last.label}`,
    ...(baseline ? [`vs baseline @${last.label}`] : []),
  ];
  const base = (row: ScalingRow): Measurement | undefined =>
    baseline?.rows.find((r) => r.group === row.group && r.layer === row.layer && r.operation === row.operation)?.bySize[
      last.label
    ];
  const rows: string[][] = [];
  let group: string | undefined;
  for (const row of suite.rows) {
    if (row.group !== undefined && row.group !== group) {
      group = row.group;
      rows.push([`[${group}]`, ...headers.slice(1).map(() => '')]);
    }
    const ratios = scalingRatios(row, suite.sizes);
    const now = row.bySize[last.label];
    const then = base(row);
    rows.push([
      `${row.layer.padEnd(5)} ${row.operation}`,
      ...suite.sizes.map((s) => {
        const m = row.bySize[s.label];
        return m ? `${formatDuration(m.meanNs)} ±${(m.rounds > 1 ? m.spreadPct : m.rmePct).toFixed(0)}%` : '—';
      }),
      formatRatio(ratios.mean),
      formatRatio(ratios.p50),
      now ? formatCount(now.opsPerSec) : '—',
      ...(baseline ? [then && now ? `${(now.meanNs / then.meanNs).toFixed(2)}×` : '—'] : []),
    ]);
  }
  const align: Align[] = ['left', ...suite.sizes.map((): Align => 'right'), 'right', 'right', 'right', 'right'];
  console.log(`\n## ${suite.title}\n`);
  for (const [name, meaning] of Object.entries(suite.groups ?? {})) console.log(`[${name}] ${meaning}`);
  if (suite.groups) console.log('');
  console.log(renderTable(headers, rows, align));
  const rounds = Math.max(...suite.rows.flatMap((r) => Object.values(r.bySize).map((m) => m.rounds)));
  console.log(
    rounds > 1
      ? `\nmean = median of ${rounds} round means; ± = their spread (max−min)/median; ratios = median of per-round ratios`
      : '\nmean ± relative margin of error (95%)',
  );
  for (const s of suite.setup) {
    console.log(`setup: ${s.step} @${s.size}: ${(s.totalMs / 1000).toFixed(2)} s (${formatDuration(s.perItemNs)} each)`);
  }
  for (const note of suite.notes) console.log(`note: ${note}`);
  console.log(`suite wall time: ${(suite.wallMs / 1000).toFixed(1)} s`);
  const flagged = suite.rows.filter((r) => {
    const ratios = scalingRatios(r, suite.sizes);
    return Math.min(ratios.mean, ratios.p50) >= FLAG_RATIO;
  });
  if (flagged.length > 0) {
    console.log(
      `flagged (mean and p50 ratios both ≥ ${FLAG_RATIO}; a scan would be near ${formatCount(last.n / first.n)}×): ` +
        flagged.map((r) => `${r.group === undefined ? '' : `[${r.group}] `}${r.layer} ${r.operation}`).join('; '),
    );
  }
}

export function printEnvironment(env: Environment): void {
  console.log(`# workspace-kit benchmarks — ${env.date}`);
  console.log(`node ${env.node} (V8 ${env.v8}) · ${env.platform}`);
  console.log(`${env.cpu} · ${env.cores} cores · ${env.memoryGb} GB`);
}

export function writeResults(path: string, doc: ResultsDocument): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`);
}

/** A previous results document, or `undefined` when the file is missing or unreadable. */
export function readResults(path: string): ResultsDocument | undefined {
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as Partial<ResultsDocument>;
    return doc.schema === 1 && Array.isArray(doc.suites) ? (doc as ResultsDocument) : undefined;
  } catch {
    return undefined;
  }
}
