import type { Timestamp } from '../../core/clock.js';
import type { ResourceId, WorkspaceId } from '../../core/ids.js';
import type { TrackedResource } from '../../workspace/resource.js';
import { SortedKeys } from './sorted-keys.js';

// The retention index of the in-memory adapter (RET-1, RET-2, XFER-4): per workspace, the runs
// that have ended (resources with an `endedAt`), bucketed by UTC end day. A bucket is an ordered
// set of keys `<ms into the day, 8 digits>\0<resource id>`, so within a day runs sort by end
// time, then id. Counting before a cutoff sums whole buckets (each knows its size) and ranks the
// cutoff's own day; deleting walks buckets from the oldest. Neither reads the other runs.

const DAY_MS = 86_400_000;
const SEP = '\u0000';

/** The UTC day (days since the epoch) and the bucket key prefix of an instant, in ms. */
function position(ms: number): { readonly day: number; readonly time: string } {
  const day = Math.floor(ms / DAY_MS);
  return { day, time: String(ms - day * DAY_MS).padStart(8, '0') };
}

/** The instant of a timestamp in ms; throws on one that does not parse. */
export function instantOf(timestamp: Timestamp, what: string): number {
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) throw new TypeError(`workspace-kit: ${what} is not a timestamp: ${JSON.stringify(timestamp)}`);
  return ms;
}

/** Index of the first element of the ascending `a` that is >= `x`. */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The ended runs of one workspace, by end day. */
export class WorkspaceRuns {
  /** The days holding at least one run, ascending. */
  readonly days: number[] = [];
  /** Per day: its runs' keys in end order. */
  readonly buckets = new Map<number, SortedKeys>();
  /** Runs over all days. */
  total = 0;

  add(day: number, key: string): void {
    let bucket = this.buckets.get(day);
    if (!bucket) {
      bucket = new SortedKeys();
      this.buckets.set(day, bucket);
      this.days.splice(lowerBound(this.days, day), 0, day);
    }
    if (bucket.insert(key)) this.total += 1;
  }

  remove(day: number, key: string): void {
    const bucket = this.buckets.get(day);
    if (!bucket?.delete(key)) return;
    this.total -= 1;
    if (bucket.size === 0) {
      this.buckets.delete(day);
      this.days.splice(lowerBound(this.days, day), 1);
    }
  }

  /** Runs that ended strictly before `ms`. */
  countBefore(ms: number): number {
    const { day, time } = position(ms);
    const p = lowerBound(this.days, day);
    let before = 0;
    // Sums the shorter side: the days before the cutoff's day, or the total minus the others.
    if (p <= this.days.length - p) {
      for (let i = 0; i < p; i += 1) before += this.buckets.get(this.days[i]!)!.size;
    } else {
      before = this.total;
      for (let i = p; i < this.days.length; i += 1) before -= this.buckets.get(this.days[i]!)!.size;
    }
    // Keys of the cutoff's day are `${time}\0…` and sort after `${time}`: rank counts ends < ms.
    if (this.days[p] === day) before += this.buckets.get(day)!.rank(time);
    return before;
  }

  /** Up to `limit` ids of runs that ended strictly before `ms`, oldest first. */
  oldestBefore(ms: number, limit: number): ResourceId[] {
    const { day: cutoffDay, time } = position(ms);
    const out: string[] = [];
    for (const day of this.days) {
      if (day > cutoffDay || out.length >= limit) break;
      const bucket = this.buckets.get(day)!;
      const wanted = day < cutoffDay ? limit - out.length : Math.min(limit - out.length, bucket.rank(time));
      for (const key of bucket.after(undefined, wanted)) out.push(key.slice(key.indexOf(SEP) + 1));
    }
    return out as ResourceId[];
  }
}

/** The ended runs of every workspace (see the comment at the top of this file). */
export class RunIndex {
  private readonly byWorkspace = new Map<WorkspaceId, WorkspaceRuns>();

  /** Where a resource is filed, or null for one that has not ended (it is not indexed). */
  private static slot(resource: TrackedResource): { readonly day: number; readonly key: string } | null {
    if (resource.endedAt === null) return null;
    const { day, time } = position(instantOf(resource.endedAt, `the endedAt of resource ${resource.id}`));
    return { day, key: `${time}${SEP}${resource.id}` };
  }

  /** Validates what {@link RunIndex.add} would need, without filing anything. */
  static check(resource: TrackedResource): void {
    RunIndex.slot(resource);
  }

  add(resource: TrackedResource): void {
    const slot = RunIndex.slot(resource);
    if (!slot) return;
    let runs = this.byWorkspace.get(resource.workspaceId);
    if (!runs) {
      runs = new WorkspaceRuns();
      this.byWorkspace.set(resource.workspaceId, runs);
    }
    runs.add(slot.day, slot.key);
  }

  remove(resource: TrackedResource): void {
    const slot = RunIndex.slot(resource);
    const runs = this.byWorkspace.get(resource.workspaceId);
    if (!slot || !runs) return;
    runs.remove(slot.day, slot.key);
    if (runs.total === 0) this.byWorkspace.delete(resource.workspaceId);
  }

  /** How many runs of the workspace ended strictly before `cutoff`. */
  countBefore(workspaceId: WorkspaceId, cutoff: Timestamp): number {
    const ms = instantOf(cutoff, 'the cutoff');
    return this.byWorkspace.get(workspaceId)?.countBefore(ms) ?? 0;
  }

  /** Up to `limit` ids of the workspace's runs that ended strictly before `cutoff`, oldest first. */
  oldestBefore(workspaceId: WorkspaceId, cutoff: Timestamp, limit: number): ResourceId[] {
    const ms = instantOf(cutoff, 'the cutoff');
    return limit < 1 ? [] : (this.byWorkspace.get(workspaceId)?.oldestBefore(ms, Math.floor(limit)) ?? []);
  }

  /** Takes the whole index of a workspace out (its resources were deleted); see {@link RunIndex.restore}. */
  take(workspaceId: WorkspaceId): WorkspaceRuns | undefined {
    const runs = this.byWorkspace.get(workspaceId);
    this.byWorkspace.delete(workspaceId);
    return runs;
  }

  /** Puts back what {@link RunIndex.take} took. */
  restore(workspaceId: WorkspaceId, runs: WorkspaceRuns | undefined): void {
    if (runs) this.byWorkspace.set(workspaceId, runs);
  }
}
