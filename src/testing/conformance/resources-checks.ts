import type { Timestamp } from '../../core/clock.js';
import type { ResourceId, WorkspaceId } from '../../core/ids.js';
import type { Store, UnitOfWork } from '../../ports/store.js';
import type { ResourceCounts, TrackedResource } from '../../workspace/resource.js';
import { expectDeepEqual, expectEqual, expectRejectsWith, expectTrue } from './assertions.js';
import { defineCheck, type ConformanceCheck } from './check.js';
import { Fixtures, inTx, seedAccounts, seedWorkspaces } from './fixtures.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const FAR_PAST: Timestamp = '2000-01-01T00:00:00.000Z';
const FAR_FUTURE: Timestamp = '2100-01-01T00:00:00.000Z';

/** `ts` moved by `ms` milliseconds (an ISO UTC timestamp, as the ports use). */
function shift(ts: Timestamp, ms: number): Timestamp {
  return new Date(Date.parse(ts) + ms).toISOString();
}

/** The instant `ms` milliseconds into day `day` after 2026-01-01 (UTC). */
function dayAt(f: Fixtures, day: number, ms = 0): Timestamp {
  return shift(f.at(day * 24 * 60), ms);
}

/** How many of `ends` lie strictly before `cutoff`: what countEndedBefore must return. */
function endedBefore(ends: readonly Timestamp[], cutoff: Timestamp): number {
  const c = Date.parse(cutoff);
  return ends.filter((e) => Date.parse(e) < c).length;
}

/** The end times of the runs among `resources` that have ended. */
function endsOf(resources: readonly TrackedResource[]): Timestamp[] {
  return resources.flatMap((r) => (r.endedAt === null ? [] : [r.endedAt]));
}

/**
 * Cutoffs worth probing for runs ending at `ends`: each end, 1 ms before and after it, every
 * midnight and noon from the day before the first end to the day after the last, and two
 * instants far away.
 */
function probesFor(ends: readonly Timestamp[]): Timestamp[] {
  const out = new Set<Timestamp>([FAR_PAST, FAR_FUTURE]);
  const ms = ends.map((e) => Date.parse(e));
  for (const e of ends) for (const d of [-1, 0, 1]) out.add(shift(e, d));
  if (ms.length > 0) {
    const first = Math.floor(Math.min(...ms) / DAY_MS) - 1;
    const last = Math.floor(Math.max(...ms) / DAY_MS) + 1;
    for (let day = first; day <= last; day += 1) {
      out.add(new Date(day * DAY_MS).toISOString());
      out.add(new Date(day * DAY_MS + 12 * HOUR_MS).toISOString());
    }
  }
  return [...out].sort();
}

/**
 * Expects countEndedBefore of `workspaceId` to equal, at every cutoff of `probes`, the number
 * of `ends` strictly before it; reports every cutoff where it does not.
 */
async function expectEndedCounts(tx: UnitOfWork, workspaceId: WorkspaceId, ends: readonly Timestamp[], probes: readonly Timestamp[], what: string): Promise<void> {
  const wrong: { cutoff: Timestamp; expected: number; got: number }[] = [];
  for (const cutoff of probes) {
    const got = await tx.resources.countEndedBefore(workspaceId, cutoff);
    const expected = endedBefore(ends, cutoff);
    if (got !== expected) wrong.push({ cutoff, expected, got });
  }
  expectDeepEqual(
    wrong,
    [],
    `${what}: resources.countEndedBefore must count the runs that ended strictly before the cutoff (${probes.length} cutoffs probed; the ones listed are wrong)`,
  );
}

/** Runs `deleteEndedBefore` with `limit` in its own unit of work until it returns 0; returns what each call returned. */
async function pruneAll(store: Store, workspaceId: WorkspaceId, cutoff: Timestamp, limit: number): Promise<number[]> {
  const returned: number[] = [];
  for (let i = 0; ; i += 1) {
    const n = await inTx(store, (tx) => tx.resources.deleteEndedBefore(workspaceId, cutoff, limit));
    returned.push(n);
    if (n === 0) return returned;
    if (i > 10_000) expectTrue(false, `resources.deleteEndedBefore still returned ${n} after ${i} calls`);
  }
}

/** The batches a correct adapter returns when pruning `eligible` runs `limit` at a time, then 0. */
function batches(eligible: number, limit: number): number[] {
  const out: number[] = [];
  for (let left = eligible; left > 0; left -= Math.min(limit, left)) out.push(Math.min(limit, left));
  return [...out, 0];
}

async function expectCounts(store: Store, workspaceId: WorkspaceId, expected: ResourceCounts, what: string): Promise<void> {
  await inTx(store, async (tx) => {
    expectDeepEqual(await tx.resources.countByWorkspace(workspaceId), expected, `${what}: resources.countByWorkspace (kinds with none omitted)`);
  });
}

/** Two fresh workspaces in one fresh organization. */
async function twoWorkspaces(store: Store, f: Fixtures) {
  const org = f.organization();
  await seedAccounts(store, [org]);
  const [a, b] = [f.workspace(org.id), f.workspace(org.id)];
  await seedWorkspaces(store, [a, b]);
  return [a, b] as const;
}

/** A small seeded pseudo-random generator (mulberry32): checks stay reproducible. */
function random(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** The `resources` suite: the resource inventory (WS-2, WS-4) and its retention queries (RET-1, RET-2, XFER-4). */
export function resourcesChecks(): ConformanceCheck[] {
  return [
    defineCheck('resources', 'count-by-kind', ['WS-2'], 'countByWorkspace counts inserted resources by kind and omits kinds with none', async (store) => {
      const f = new Fixtures();
      const [ws] = await twoWorkspaces(store, f);
      await expectCounts(store, ws.id, {}, 'a workspace without resources');
      const parent = f.resource(ws.id, 'flow-run');
      await inTx(store, async (tx) => {
        await tx.resources.insertMany([
          f.resource(ws.id, 'flow'),
          f.resource(ws.id, 'deployment'),
          f.resource(ws.id, 'deployment'),
          parent,
          f.resource(ws.id, 'task-run', { parentRunId: parent.id }),
          f.resource(ws.id, 'flow-run', { state: 'running', endedAt: null }),
          f.resource(ws.id, 'secret-block'),
        ]);
      });
      await expectCounts(store, ws.id, { flow: 1, deployment: 2, 'flow-run': 2, 'task-run': 1, 'secret-block': 1 }, 'after insertMany');
      await inTx(store, async (tx) => {
        await tx.resources.insertMany([f.resource(ws.id, 'flow'), f.resource(ws.id, 'variable')]);
        await tx.resources.insertMany([]);
      });
      await expectCounts(store, ws.id, { flow: 2, deployment: 2, 'flow-run': 2, 'task-run': 1, 'secret-block': 1, variable: 1 }, 'after a second insertMany and an empty one');
    }),

    defineCheck('resources', 'workspaces-isolated', ['WS-2'], 'one insertMany may span workspaces; each workspace counts only its own resources', async (store) => {
      const f = new Fixtures();
      const [a, b] = await twoWorkspaces(store, f);
      await inTx(store, async (tx) => {
        await tx.resources.insertMany([f.resource(a.id, 'flow'), f.resource(b.id, 'flow'), f.resource(b.id, 'block'), f.resource(a.id, 'log')]);
      });
      await expectCounts(store, a.id, { flow: 1, log: 1 }, 'workspace a');
      await expectCounts(store, b.id, { flow: 1, block: 1 }, 'workspace b');
    }),

    defineCheck('resources', 'delete-by-workspace', ['WS-4'], 'deleteByWorkspace removes every resource of the workspace, returns how many, and leaves others untouched', async (store) => {
      const f = new Fixtures();
      const [a, b] = await twoWorkspaces(store, f);
      await inTx(store, async (tx) => {
        await tx.resources.insertMany([
          ...Array.from({ length: 5 }, () => f.resource(a.id, 'flow-run')),
          f.resource(a.id, 'work-pool'),
          f.resource(a.id, 'automation'),
          f.resource(b.id, 'work-pool'),
        ]);
      });
      await inTx(store, async (tx) => {
        expectEqual(await tx.resources.deleteByWorkspace(a.id), 7, 'resources.deleteByWorkspace returns the number deleted');
      });
      await expectCounts(store, a.id, {}, 'the emptied workspace');
      await expectCounts(store, b.id, { 'work-pool': 1 }, 'the other workspace');
      await inTx(store, async (tx) => {
        expectEqual(await tx.resources.deleteByWorkspace(a.id), 0, 'resources.deleteByWorkspace of an emptied workspace');
        await tx.resources.insertMany([f.resource(a.id, 'artifact')]);
      });
      await expectCounts(store, a.id, { artifact: 1 }, 'after tracking again');
    }),

    defineCheck('resources', 'delete-empty-workspace', ['WS-4'], 'deleteByWorkspace of a workspace without resources returns 0', async (store) => {
      const f = new Fixtures();
      const [a, b] = await twoWorkspaces(store, f);
      await inTx(store, (tx) => tx.resources.insertMany([f.resource(b.id, 'flow')]));
      await inTx(store, async (tx) => {
        expectEqual(await tx.resources.deleteByWorkspace(a.id), 0, 'resources.deleteByWorkspace of a workspace without resources');
        expectDeepEqual(await tx.resources.countByWorkspace(a.id), {}, 'resources.countByWorkspace of a workspace without resources');
      });
      await expectCounts(store, b.id, { flow: 1 }, 'the other workspace');
    }),

    defineCheck('resources', 'large-batch', ['WS-2', 'RET-2'], 'insertMany takes 1000 resources in one call (the largest batch the kit sends)', async (store) => {
      const f = new Fixtures();
      const [a] = await twoWorkspaces(store, f);
      const batch = Array.from({ length: 1000 }, (_, i) =>
        f.resource(a.id, i % 4 === 0 ? 'task-run' : 'flow-run', { id: f.id<ResourceId>('res', `big${String(i).padStart(4, '0')}`) }),
      );
      await inTx(store, (tx) => tx.resources.insertMany(batch));
      await expectCounts(store, a.id, { 'flow-run': 750, 'task-run': 250 }, 'after a batch of 1000');
      await inTx(store, async (tx) => {
        expectEqual(await tx.resources.deleteByWorkspace(a.id), 1000, 'resources.deleteByWorkspace of 1000 resources');
      });
    }),

    defineCheck('resources', 'count-ended-before', ['RET-1', 'XFER-4'], 'countEndedBefore counts exactly the runs of the workspace that ended strictly before the cutoff, probed at every end, 1 ms around it, and every midnight and noon of 40 days', async (store) => {
      const f = new Fixtures();
      const [a, b] = await twoWorkspaces(store, f);
      // Ends at midnight, 1 ms after it, twice at one instant, around noon and at the last ms of the day.
      const times = [0, 1, 6 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS + 345, DAY_MS - 1];
      const perDay = [0, 1, 2, 3, 6];
      const runsA: TrackedResource[] = [];
      const runsB: TrackedResource[] = [];
      for (let day = 0; day < 40; day += 1) {
        const n = perDay[(day * 7) % perDay.length]!;
        for (let i = 0; i < n; i += 1) {
          const endedAt = dayAt(f, day, times[i]);
          const parent = runsA[runsA.length - 1];
          if (i % 3 === 1 && parent) runsA.push(f.run(a.id, endedAt, { kind: 'task-run', parentRunId: parent.id }));
          else runsA.push(f.run(a.id, endedAt, { state: (['completed', 'failed', 'crashed', 'cancelled'] as const)[(day + i) % 4]! }));
        }
        if (day % 4 === 0) runsB.push(f.run(b.id, dayAt(f, day, 12 * HOUR_MS)));
      }
      const noise = [
        f.resource(a.id, 'flow-run', { state: 'running', endedAt: null }),
        f.resource(a.id, 'flow-run', { state: 'scheduled', endedAt: null }),
        f.resource(a.id, 'task-run', { state: 'pending', endedAt: null }),
        ...(['flow', 'deployment', 'artifact', 'log', 'block'] as const).map((kind) => f.resource(a.id, kind)),
      ];
      // Inserted out of end order, in several units of work.
      const all = [...runsA, ...runsB, ...noise];
      const shuffled = all.map((r, i) => ({ r, k: (i * 7919) % all.length })).sort((x, y) => x.k - y.k).map((x) => x.r);
      for (let i = 0; i < shuffled.length; i += 25) await inTx(store, (tx) => tx.resources.insertMany(shuffled.slice(i, i + 25)));
      const [endsA, endsB] = [endsOf(runsA), endsOf(runsB)];
      await store.transaction(async (tx) => {
        await expectEndedCounts(tx, a.id, endsA, probesFor(endsA), 'the workspace with runs over 40 days');
        await expectEndedCounts(tx, b.id, endsB, probesFor(endsA), 'the other workspace');
        expectEqual(await tx.resources.countEndedBefore(f.id<WorkspaceId>('ws'), FAR_FUTURE), 0, 'resources.countEndedBefore of an unknown workspace');
      }, { readOnly: true });
      await expectCounts(store, a.id, { 'flow-run': runsA.filter((r) => r.kind === 'flow-run').length + 2, 'task-run': runsA.filter((r) => r.kind === 'task-run').length + 1, flow: 1, deployment: 1, artifact: 1, log: 1, block: 1 }, 'countByWorkspace next to countEndedBefore');
    }),

    defineCheck('resources', 'count-ended-before-same-day', ['RET-1', 'RET-2'], "on the cutoff's own day countEndedBefore counts only the runs that ended before the cutoff's instant: 600 runs in one day, ties at the cutoff excluded, the days around it whole", async (store) => {
      const f = new Fixtures();
      const [a] = await twoWorkspaces(store, f);
      const day = 10;
      const runs = Array.from({ length: 600 }, (_, i) => f.run(a.id, dayAt(f, day, i * 144_000 + ((i * 37) % 1000))));
      const noon = dayAt(f, day, 12 * HOUR_MS);
      const ties = Array.from({ length: 5 }, (_, i) => f.run(a.id, noon, i % 2 === 0 ? {} : { kind: 'task-run' }));
      const around = [dayAt(f, day - 1), dayAt(f, day, -1), dayAt(f, day + 1), dayAt(f, day + 1, -1), dayAt(f, day + 1, 1)].map((t) => f.run(a.id, t));
      const all = [...runs, ...ties, ...around].reverse();
      for (let i = 0; i < all.length; i += 200) await inTx(store, (tx) => tx.resources.insertMany(all.slice(i, i + 200)));
      const ends = endsOf(all);
      const sampled = endsOf(runs.filter((_, i) => i % 7 === 0 || i % 100 === 99));
      await inTx(store, (tx) => expectEndedCounts(tx, a.id, ends, probesFor([...sampled, noon, ...endsOf(around)]), 'a day with 600 runs'));
      await inTx(store, async (tx) => {
        const beforeNoon = endedBefore(ends, noon);
        expectEqual(await tx.resources.countEndedBefore(a.id, noon), beforeNoon, 'resources.countEndedBefore at the instant 5 runs ended (they are not before it)');
        expectEqual(await tx.resources.countEndedBefore(a.id, shift(noon, 1)), beforeNoon + 5, 'resources.countEndedBefore 1 ms after 5 runs ended');
      });
    }),

    defineCheck('resources', 'unended-runs-kept', ['RET-1'], 'runs that have not ended and resources that are not runs are never counted or deleted by retention; a subflow is pruned independently of its parent', async (store) => {
      const f = new Fixtures();
      const [a, b] = await twoWorkspaces(store, f);
      const cutoff = dayAt(f, 10);
      const parentLate = f.run(a.id, dayAt(f, 20));
      const childEarly = f.run(a.id, dayAt(f, 1), { kind: 'task-run', parentRunId: parentLate.id });
      const parentEarly = f.run(a.id, dayAt(f, 2), { state: 'crashed' });
      const unended = [
        f.resource(a.id, 'flow-run', { state: 'running', endedAt: null, parentRunId: parentEarly.id }),
        f.resource(a.id, 'flow-run', { state: 'scheduled', endedAt: null }),
        f.resource(a.id, 'flow-run', { state: 'paused', endedAt: null }),
        f.resource(a.id, 'task-run', { state: 'pending', endedAt: null }),
      ];
      const others = (['flow', 'deployment', 'work-pool', 'block', 'secret-block', 'artifact', 'log', 'variable'] as const).map((kind) => f.resource(a.id, kind));
      await inTx(store, (tx) => tx.resources.insertMany([...unended, ...others, parentLate, childEarly, parentEarly, f.run(b.id, dayAt(f, 1))]));
      const rest = { flow: 1, deployment: 1, 'work-pool': 1, block: 1, 'secret-block': 1, artifact: 1, log: 1, variable: 1 };
      await inTx(store, async (tx) => {
        expectEqual(await tx.resources.countEndedBefore(a.id, FAR_FUTURE), 3, 'resources.countEndedBefore counts only the 3 runs that ended');
        expectEqual(await tx.resources.countEndedBefore(a.id, cutoff), 2, 'resources.countEndedBefore of a subflow that ended before its parent');
        expectEqual(await tx.resources.deleteEndedBefore(a.id, cutoff, 100), 2, 'resources.deleteEndedBefore deletes the early subflow and the early parent, whatever their relatives');
      });
      await expectCounts(store, a.id, { ...rest, 'flow-run': 4, 'task-run': 1 }, 'after pruning the early runs (the late parent and the unended runs stay)');
      await inTx(store, async (tx) => {
        expectEqual(await tx.resources.countEndedBefore(a.id, FAR_FUTURE), 1, 'resources.countEndedBefore after pruning');
        expectEqual(await tx.resources.deleteEndedBefore(a.id, FAR_FUTURE, 100), 1, 'resources.deleteEndedBefore of every run that ended');
        expectEqual(await tx.resources.deleteEndedBefore(a.id, FAR_FUTURE, 100), 0, 'resources.deleteEndedBefore when only unended runs remain');
        expectEqual(await tx.resources.countEndedBefore(a.id, FAR_FUTURE), 0, 'resources.countEndedBefore when only unended runs remain');
      });
      await expectCounts(store, a.id, { ...rest, 'flow-run': 3, 'task-run': 1 }, 'unended runs and other resources after pruning everything that ended');
      await expectCounts(store, b.id, { 'flow-run': 1 }, 'the other workspace');
    }),

    defineCheck('resources', 'delete-ended-before', ['RET-2'], 'deleteEndedBefore deletes up to limit runs that ended strictly before the cutoff and returns how many; repeated calls reach 0 and leave exactly the other runs, in this workspace and others', async (store) => {
      const f = new Fixtures();
      const [a, b] = await twoWorkspaces(store, f);
      const cutoff = dayAt(f, 12, 6 * HOUR_MS);
      const runsA: TrackedResource[] = [];
      for (let day = 0; day < 20; day += 1) {
        for (let i = 0; i < 3; i += 1) runsA.push(f.run(a.id, dayAt(f, day, i * 8 * HOUR_MS + day * 1000), i === 1 ? { kind: 'task-run' } : {}));
      }
      runsA.push(f.run(a.id, cutoff), f.run(a.id, cutoff, { kind: 'task-run' }), f.run(a.id, shift(cutoff, -1)), f.run(a.id, shift(cutoff, 1)));
      const runsB = Array.from({ length: 20 }, (_, day) => f.run(b.id, dayAt(f, day, 8 * HOUR_MS)));
      const kept = [f.resource(a.id, 'flow-run', { state: 'running', endedAt: null }), f.resource(a.id, 'deployment')];
      await inTx(store, (tx) => tx.resources.insertMany([...runsA.slice(30), ...runsB, ...kept, ...runsA.slice(0, 30)]));
      const [endsA, endsB] = [endsOf(runsA), endsOf(runsB)];
      const eligible = endedBefore(endsA, cutoff);
      const probes = probesFor(endsA);
      const c = Date.parse(cutoff);
      const later = runsA.filter((r) => Date.parse(r.endedAt!) >= c);

      // A pruner: one batch per unit of work; the count before the cutoff follows every batch.
      const limit = 7;
      let left = eligible;
      for (let call = 1; left > 0 || call === 1; call += 1) {
        expectTrue(call <= eligible + 1, `resources.deleteEndedBefore: ${left} runs before the cutoff are left after ${call - 1} calls with limit ${limit}`);
        const n = await inTx(store, (tx) => tx.resources.deleteEndedBefore(a.id, cutoff, limit));
        expectEqual(n, Math.min(limit, left), `resources.deleteEndedBefore call ${call} (limit ${limit}, ${left} of ${eligible} runs before the cutoff left)`);
        left -= n;
        const remaining = await inTx(store, (tx) => tx.resources.countEndedBefore(a.id, cutoff));
        expectEqual(remaining, left, `resources.countEndedBefore after deleteEndedBefore call ${call}`);
      }
      await inTx(store, async (tx) => {
        expectEqual(await tx.resources.deleteEndedBefore(a.id, cutoff, limit), 0, 'resources.deleteEndedBefore once nothing is left before the cutoff');
        expectEqual(await tx.resources.deleteEndedBefore(a.id, FAR_PAST, limit), 0, 'resources.deleteEndedBefore with an earlier cutoff');
        await expectEndedCounts(tx, a.id, endsOf(later), probes, 'the workspace after pruning (exactly the runs at or after the cutoff remain)');
        await expectEndedCounts(tx, b.id, endsB, probesFor(endsB), 'the other workspace after pruning');
      });
      await expectCounts(store, a.id, { 'flow-run': later.filter((r) => r.kind === 'flow-run').length + 1, 'task-run': later.filter((r) => r.kind === 'task-run').length, deployment: 1 }, 'after pruning');
      await inTx(store, async (tx) => {
        // Two runs ended exactly at the cutoff; one ended 1 ms after it.
        expectEqual(await tx.resources.deleteEndedBefore(a.id, shift(cutoff, 1), 1), 1, 'resources.deleteEndedBefore with limit 1');
        expectEqual(await tx.resources.deleteEndedBefore(a.id, shift(cutoff, 1), 1), 1, 'resources.deleteEndedBefore with limit 1, again');
        expectEqual(await tx.resources.deleteEndedBefore(a.id, shift(cutoff, 1), 1), 0, 'resources.deleteEndedBefore of a run that ended at the cutoff');
        expectEqual(await tx.resources.deleteEndedBefore(a.id, FAR_FUTURE, 1000), later.length - 2, 'resources.deleteEndedBefore with a limit above the number of runs');
        expectEqual(await tx.resources.deleteEndedBefore(f.id<WorkspaceId>('ws'), FAR_FUTURE, 10), 0, 'resources.deleteEndedBefore of an unknown workspace');
      });
      await expectCounts(store, a.id, { 'flow-run': 1, deployment: 1 }, 'after pruning every run that ended');
      await expectCounts(store, b.id, { 'flow-run': 20 }, 'the other workspace');
    }),

    defineCheck('resources', 'count-ended-before-follows-writes', ['RET-2', 'WS-4'], 'countEndedBefore follows insertMany, deleteEndedBefore and deleteByWorkspace, within a unit of work and after it commits', async (store) => {
      const f = new Fixtures();
      const [a, b] = await twoWorkspaces(store, f);
      const cutoff = dayAt(f, 5, 12 * HOUR_MS);
      const first = Array.from({ length: 20 }, (_, i) => f.run(a.id, dayAt(f, i >> 1, (i % 2 === 0 ? 3 : 15) * HOUR_MS)));
      const second = [f.run(a.id, dayAt(f, 1, 3 * HOUR_MS)), f.run(a.id, shift(cutoff, -1)), f.run(a.id, cutoff), f.run(a.id, shift(cutoff, 1)), f.run(a.id, dayAt(f, 30))];
      const third = [f.run(a.id, dayAt(f, 2)), f.run(a.id, dayAt(f, 7), { kind: 'task-run' })];
      const other = [f.run(b.id, dayAt(f, 1)), f.run(b.id, cutoff), f.run(b.id, dayAt(f, 9))];
      const probes = probesFor(endsOf([...first, ...second, ...third, ...other]));
      let ends: Timestamp[] = [];
      await inTx(store, async (tx) => {
        await tx.resources.insertMany([...first, ...other]);
        ends = endsOf(first);
        await expectEndedCounts(tx, a.id, ends, probes, 'after insertMany, in the same unit of work');
      });
      await inTx(store, (tx) => expectEndedCounts(tx, a.id, ends, probes, 'after insertMany committed'));
      await inTx(store, async (tx) => {
        expectEqual(await tx.resources.deleteEndedBefore(a.id, cutoff, 1000), endedBefore(ends, cutoff), 'resources.deleteEndedBefore returns how many runs it deleted');
        ends = ends.filter((e) => Date.parse(e) >= Date.parse(cutoff));
        await expectEndedCounts(tx, a.id, ends, probes, 'after deleteEndedBefore, in the same unit of work');
        await tx.resources.insertMany(second);
        ends = [...ends, ...endsOf(second)];
        await expectEndedCounts(tx, a.id, ends, probes, 'after runs were tracked again on pruned days and around the cutoff, in the same unit of work');
      });
      await inTx(store, (tx) => expectEndedCounts(tx, a.id, ends, probes, 'after pruning and tracking again, committed'));
      await inTx(store, async (tx) => {
        expectEqual(await tx.resources.deleteByWorkspace(a.id), ends.length, 'resources.deleteByWorkspace');
        await expectEndedCounts(tx, a.id, [], probes, 'after deleteByWorkspace, in the same unit of work');
        expectEqual(await tx.resources.deleteEndedBefore(a.id, FAR_FUTURE, 10), 0, 'resources.deleteEndedBefore after deleteByWorkspace');
      });
      await inTx(store, (tx) => expectEndedCounts(tx, a.id, [], probes, 'after deleteByWorkspace committed'));
      await inTx(store, (tx) => tx.resources.insertMany(third));
      await inTx(store, async (tx) => {
        await expectEndedCounts(tx, a.id, endsOf(third), probes, 'runs tracked after deleteByWorkspace');
        await expectEndedCounts(tx, b.id, endsOf(other), probes, 'the other workspace');
      });
    }),

    defineCheck('resources', 'retention-random-workload', ['RET-1', 'RET-2'], 'over a seeded random mix of inserts, prunes in batches, deleteByWorkspace and rolled-back units of work, countEndedBefore matches a model at every step', async (store) => {
      const f = new Fixtures();
      const [a, b] = await twoWorkspaces(store, f);
      const rnd = random(20_260_101);
      // End instants on 12 days: often midnight, the last ms of a day or a shared instant, so ties and day edges are common.
      const instant = (): Timestamp => {
        const day = rnd(12);
        const ms = [0, DAY_MS - 1, 9 * HOUR_MS, rnd(DAY_MS)][rnd(4)]!;
        return dayAt(f, day, ms);
      };
      const model = new Map<WorkspaceId, Timestamp[]>([[a.id, []], [b.id, []]]);
      /** Resources of each workspace, runs that have not ended included. */
      const tracked = new Map<WorkspaceId, number>([[a.id, 0], [b.id, 0]]);
      const boom = new Error('conformance: roll back a random step');
      const probe = async (step: string): Promise<void> => {
        const cutoffs = [...Array.from({ length: 12 }, instant), ...Array.from({ length: 4 }, () => shift(instant(), rnd(3) - 1))];
        await inTx(store, async (tx) => {
          for (const [id, ends] of model) await expectEndedCounts(tx, id, ends, cutoffs, `after step ${step} (workspace ${id === a.id ? 'a' : 'b'})`);
        });
      };
      for (let step = 1; step <= 30; step += 1) {
        const ws = rnd(3) === 0 ? b.id : a.id;
        const kind = rnd(10);
        if (kind < 4) {
          const runs = Array.from({ length: 1 + rnd(30) }, () => f.run(ws, instant(), rnd(3) === 0 ? { kind: 'task-run' } : {}));
          await inTx(store, (tx) => tx.resources.insertMany([...runs, f.resource(ws, 'flow-run', { state: 'running', endedAt: null })]));
          model.get(ws)!.push(...endsOf(runs));
          tracked.set(ws, tracked.get(ws)! + runs.length + 1);
        } else if (kind < 7) {
          const cutoff = instant();
          const limit = 1 + rnd(10);
          const ends = model.get(ws)!;
          const eligible = endedBefore(ends, cutoff);
          expectDeepEqual(await pruneAll(store, ws, cutoff, limit), batches(eligible, limit), `step ${step}: what deleteEndedBefore (limit ${limit}) returns call after call`);
          tracked.set(ws, tracked.get(ws)! - eligible);
          model.set(ws, ends.filter((e) => Date.parse(e) >= Date.parse(cutoff)));
        } else if (kind < 9) {
          await expectRejectsWith(
            store.transaction(async (tx) => {
              await tx.resources.insertMany(Array.from({ length: 1 + rnd(5) }, () => f.run(ws, instant())));
              await tx.resources.deleteEndedBefore(ws, instant(), 1 + rnd(20));
              if (rnd(2) === 0) await tx.resources.deleteByWorkspace(ws);
              throw boom;
            }),
            boom,
            `step ${step}: a unit of work that writes runs and throws`,
          );
        } else {
          expectEqual(await inTx(store, (tx) => tx.resources.deleteByWorkspace(ws)), tracked.get(ws)!, `step ${step}: resources.deleteByWorkspace`);
          model.set(ws, []);
          tracked.set(ws, 0);
        }
        await probe(String(step));
      }
    }),

    defineCheck('resources', 'delete-ended-before-rollback', ['RET-2', 'STORE-2'], 'a unit of work that rejects after deleteEndedBefore leaves every count as it was, and pruning later deletes the same runs', async (store) => {
      const f = new Fixtures();
      const [a, b] = await twoWorkspaces(store, f);
      const cutoff = dayAt(f, 8);
      const runsA = Array.from({ length: 45 }, (_, i) => f.run(a.id, dayAt(f, Math.floor(i / 3), (i % 3) * 7 * HOUR_MS), i % 3 === 2 ? { kind: 'task-run' } : {}));
      const runsB = Array.from({ length: 5 }, (_, i) => f.run(b.id, dayAt(f, i * 2)));
      await inTx(store, (tx) => tx.resources.insertMany([...runsA, ...runsB, f.resource(a.id, 'flow')]));
      const [endsA, endsB] = [endsOf(runsA), endsOf(runsB)];
      const eligible = endedBefore(endsA, cutoff);
      const probes = probesFor(endsA);
      const countsA = await inTx(store, (tx) => tx.resources.countByWorkspace(a.id));
      const boom = new Error('conformance: roll back the pruning');
      await expectRejectsWith(
        store.transaction(async (tx) => {
          expectEqual(await tx.resources.deleteEndedBefore(a.id, cutoff, 10), 10, 'resources.deleteEndedBefore (limit 10) inside the unit of work that rolls back');
          await tx.resources.insertMany([f.run(a.id, dayAt(f, 1, 1)), f.run(a.id, cutoff)]);
          expectEqual(await tx.resources.deleteEndedBefore(a.id, cutoff, 1000), eligible - 10 + 1, 'resources.deleteEndedBefore of the rest inside the unit of work that rolls back');
          expectEqual(await tx.resources.countEndedBefore(a.id, cutoff), 0, 'resources.countEndedBefore inside the unit of work that rolls back');
          expectEqual(await tx.resources.deleteByWorkspace(b.id), runsB.length, 'resources.deleteByWorkspace inside the unit of work that rolls back');
          throw boom;
        }),
        boom,
        'a unit of work that prunes and throws',
      );
      await inTx(store, async (tx) => {
        await expectEndedCounts(tx, a.id, endsA, probes, 'after the rolled-back pruning');
        await expectEndedCounts(tx, b.id, endsB, probes, 'the other workspace after the rolled-back deleteByWorkspace');
        expectDeepEqual(await tx.resources.countByWorkspace(a.id), countsA, 'resources.countByWorkspace after the rolled-back pruning');
      });
      // The indexes survived the rollback intact: pruning for real deletes exactly the same runs.
      expectDeepEqual(await pruneAll(store, a.id, cutoff, 4), batches(eligible, 4), 'what deleteEndedBefore (limit 4) returns call after call, after the rollback');
      await inTx(store, (tx) => expectEndedCounts(tx, a.id, endsA.filter((e) => Date.parse(e) >= Date.parse(cutoff)), probes, 'after pruning for real'));
    }),
  ];
}
