/**
 * Retention properties (RET-1, RET-2, AUD-1), parameterized by a store factory so every storage
 * adapter runs them (`retention.memory.test.ts`, `retention.sqlite.test.ts`,
 * `retention.postgres.test.ts`).
 *
 * fast-check builds random worlds: personal accounts and organizations on random plans with
 * random retention days; workspaces with flow and task runs in every state, terminal runs
 * ending around their account's cutoff (exactly at it, a millisecond either side, days away)
 * or left to end "now", subflow and task runs whose parent ends on the other side of the
 * cutoff, and non-run resources. The oracle is the spec itself: a run is due when it is a flow
 * or task run whose end lies strictly before `now − retention days` of its account's plan.
 *
 * Every row is read straight from the storage (the memory snapshot, or SQL on the tables), never
 * through the kit, and compared before and after each call.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PLANS, type PlanCatalog } from '../../src/account/plans.js';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import type { AccountId, UserId, WorkspaceId } from '../../src/core/ids.js';
import { asUser, system, type Principal } from '../../src/core/principal.js';
import type { PruneReport } from '../../src/kit/transfer-commands.js';
import type { Store } from '../../src/ports/store.js';
import { createTestKit, type TestKit } from '../../src/testing/test-kit.js';
import type { ResourceKind, RunState } from '../../src/workspace/resource.js';
import { errorOf, valueOf } from '../support/harness.js';

/** One resource row as the storage holds it. */
export interface StoredResource {
  readonly id: string;
  readonly workspaceId: string;
  readonly kind: string;
  readonly name: string;
  readonly state: string | null;
  readonly endedAt: string | null;
  readonly parentRunId: string | null;
}

/** A store made for one world, with direct readers of its rows. */
export interface RetentionStore {
  readonly store: Store;
  /** Every tracked resource, read from the storage itself, ordered by id. */
  resources(): Promise<StoredResource[]>;
  /** Everything else the store holds but resources, run-day counts and the audit log. */
  others(): Promise<unknown>;
  /** The number of audit events the storage holds. */
  auditCount(): Promise<number>;
  release(): Promise<void>;
}

/** Makes a fresh, empty store for one world. */
export type RetentionStoreFactory = () => Promise<RetentionStore>;

/** Options of {@link describeRetention}. */
export interface RetentionOptions {
  /** fast-check runs per property (default 60). */
  readonly numRuns?: number;
}

const DAY = 86_400_000;
const START = Date.parse('2026-03-01T00:00:00.000Z');
const PLAN_IDS = ['hobby', 'starter', 'team', 'pro', 'enterprise'] as const;
type PlanId = (typeof PLAN_IDS)[number];
const RUN_KINDS = ['flow-run', 'task-run'] as const;
const TERMINAL: readonly RunState[] = ['completed', 'failed', 'crashed', 'cancelled'];
const LIVE: readonly RunState[] = ['scheduled', 'pending', 'running', 'paused'];
/** The non-run resources a world tracks: retention never touches them. */
type OtherKind = Extract<ResourceKind, 'flow' | 'deployment' | 'artifact' | 'log' | 'variable'>;

// ---------------------------------------------------------------------------------------------
// Worlds
// ---------------------------------------------------------------------------------------------

/**
 * When a terminal run ended: `null` leaves it to the kit (it ends "now", at tracking); else
 * `prune now − anchor days + deltaMs`, the anchor being the account plan's retention in the
 * short or the long catalog (so runs cluster around both cutoffs) or any number of days.
 */
type EndSpec = { readonly anchor: 'short' | 'long' | number; readonly deltaMs: number } | null;

interface RunSpec {
  readonly kind: (typeof RUN_KINDS)[number];
  readonly state: RunState;
  readonly end: EndSpec;
}

interface WorkspaceSpec {
  readonly roots: readonly RunSpec[];
  /** Subflow and task runs: each names a root run of the same workspace as its parent. */
  readonly children: readonly (RunSpec & { readonly parent: number })[];
  readonly others: Partial<Record<OtherKind, number>>;
}

interface AccountSpec {
  readonly kind: 'personal' | 'organization';
  readonly planId: PlanId;
  readonly workspaces: readonly WorkspaceSpec[];
}

interface World {
  /** Retention days per plan of the short catalog, and how many days longer the long one keeps runs. */
  readonly short: Readonly<Record<PlanId, number>>;
  readonly extra: Readonly<Record<PlanId, number>>;
  readonly accounts: readonly AccountSpec[];
  /** How far the clock moves between seeding and pruning (under a day: the cutoff is in the past). */
  readonly advanceMs: number;
}

const deltaArb: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.constantFrom(0, -1, 1), weight: 4 },
  { arbitrary: fc.integer({ min: -3 * DAY, max: 3 * DAY }), weight: 3 },
  { arbitrary: fc.integer({ min: -2000, max: 2000 }), weight: 2 },
  { arbitrary: fc.integer({ min: -500 * DAY, max: -DAY }), weight: 1 },
);

const endArb: fc.Arbitrary<EndSpec> = fc.oneof(
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: fc.record({ anchor: fc.constantFrom<'short' | 'long'>('short', 'long'), deltaMs: deltaArb }), weight: 6 },
  { arbitrary: fc.record({ anchor: fc.integer({ min: 0, max: 800 }), deltaMs: deltaArb }), weight: 1 },
);

const runArb: fc.Arbitrary<RunSpec> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constantFrom(...RUN_KINDS), state: fc.constantFrom(...TERMINAL), end: endArb }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constantFrom(...RUN_KINDS), state: fc.constantFrom(...LIVE), end: fc.constant(null) }), weight: 1 },
);

const workspaceArb: fc.Arbitrary<WorkspaceSpec> = fc
  .array(runArb, { maxLength: 10 })
  .chain((roots) =>
    fc.record({
      roots: fc.constant(roots),
      children:
        roots.length === 0
          ? fc.constant([])
          : fc.array(fc.record({ kind: fc.constantFrom(...RUN_KINDS), state: fc.constantFrom(...TERMINAL, ...LIVE), end: endArb, parent: fc.nat({ max: roots.length - 1 }) }), { maxLength: 6 }).map((cs) =>
              cs.map((c) => (LIVE.includes(c.state) ? { ...c, end: null } : c)),
            ),
      others: fc.record({ flow: fc.nat({ max: 2 }), deployment: fc.nat({ max: 1 }), artifact: fc.nat({ max: 2 }), log: fc.nat({ max: 2 }), variable: fc.nat({ max: 1 }) }),
    }),
  );

const accountArb: fc.Arbitrary<AccountSpec> = fc
  .record({ kind: fc.constantFrom<'personal' | 'organization'>('personal', 'organization'), planId: fc.constantFrom(...PLAN_IDS) })
  .chain(({ kind, planId }) =>
    fc.record({
      kind: fc.constant(kind),
      planId: fc.constant(planId),
      workspaces: fc.array(workspaceArb, { maxLength: Math.min(3, DEFAULT_PLANS[planId]!.limits.workspaces ?? 3) }),
    }),
  );

const daysArb = fc.record(Object.fromEntries(PLAN_IDS.map((p) => [p, fc.integer({ min: 1, max: 60 })])) as Record<PlanId, fc.Arbitrary<number>>);
const extraArb = fc.record(Object.fromEntries(PLAN_IDS.map((p) => [p, fc.integer({ min: 0, max: 60 })])) as Record<PlanId, fc.Arbitrary<number>>);

const worldArb = (maxAccounts: number): fc.Arbitrary<World> =>
  fc.record({
    short: daysArb,
    extra: extraArb,
    accounts: fc.array(accountArb, { minLength: 1, maxLength: maxAccounts }),
    advanceMs: fc.integer({ min: 0, max: DAY - 1 }),
  });

function catalogOf(days: Readonly<Record<PlanId, number>>): PlanCatalog {
  return Object.fromEntries(
    PLAN_IDS.map((p) => [p, { ...DEFAULT_PLANS[p]!, limits: { ...DEFAULT_PLANS[p]!.limits, retentionDays: days[p] } }]),
  );
}

const longDays = (w: World): Record<PlanId, number> =>
  Object.fromEntries(PLAN_IDS.map((p) => [p, w.short[p] + w.extra[p]])) as Record<PlanId, number>;

/** A world made real in a store. */
interface Realized {
  readonly t: TestKit<Store>;
  readonly handle: RetentionStore;
  readonly accounts: readonly {
    readonly id: AccountId;
    readonly owner: UserId;
    /** An organization's plain member (no account settings), or `null` for a personal account. */
    readonly member: UserId | null;
    readonly retentionDays: number;
    readonly workspaces: readonly WorkspaceId[];
  }[];
  /** Every account of the store: an organization's owner and member have personal accounts too. */
  readonly totalAccounts: number;
  /** The instant pruning runs at. */
  readonly now: number;
}

/** Builds `world` in a fresh store, the catalog being its short or its long one. */
async function realize(world: World, makeStore: RetentionStoreFactory, catalog: 'short' | 'long'): Promise<Realized> {
  const short = world.short;
  const long = longDays(world);
  const days = catalog === 'short' ? short : long;
  const handle = await makeStore();
  const t = createTestKit({ store: handle.store, plans: catalogOf(days), start: new Date(START).toISOString() });
  const now = START + world.advanceMs;
  const seeder = system('retention-seed');
  const accounts: Realized['accounts'][number][] = [];
  for (const a of world.accounts) {
    let id: AccountId;
    let owner: UserId;
    let member: UserId | null = null;
    if (a.kind === 'personal') {
      const u = await t.seed.user({ planId: a.planId });
      id = u.account.id;
      owner = u.user.id;
    } else {
      const o = await t.seed.organization({ planId: a.planId, members: ['member'] });
      id = o.account.id;
      owner = o.owner.user.id;
      member = o.members[0]!.user.user.id;
    }
    const endOf = (end: EndSpec): string | undefined => {
      if (end === null) return undefined;
      const anchor = end.anchor === 'short' ? short[a.planId] : end.anchor === 'long' ? long[a.planId] : end.anchor;
      return new Date(now - anchor * DAY + end.deltaMs).toISOString();
    };
    const toInput = (r: RunSpec) => {
      const endedAt = endOf(r.end);
      return { kind: r.kind, name: `${r.kind}-${r.state}`, state: r.state, ...(endedAt !== undefined ? { endedAt } : {}) };
    };
    const workspaces: WorkspaceId[] = [];
    for (const w of a.workspaces) {
      const ws = await t.seed.workspace(id);
      workspaces.push(ws.id);
      const counts = Object.fromEntries(Object.entries(w.others).filter(([, n]) => n > 0));
      if (Object.keys(counts).length > 0) await t.seed.resources(ws.id, counts);
      if (w.roots.length === 0) continue;
      const roots = valueOf(await t.kit.trackResources(seeder, { workspaceId: ws.id, resources: w.roots.map(toInput) }));
      if (w.children.length === 0) continue;
      valueOf(
        await t.kit.trackResources(seeder, {
          workspaceId: ws.id,
          resources: w.children.map((c) => ({ ...toInput(c), parentRunId: roots[c.parent]!.id })),
        }),
      );
    }
    accounts.push({ id, owner, member, retentionDays: days[a.planId], workspaces });
  }
  t.clock.set(new Date(now));
  const totalAccounts = world.accounts.reduce((n, a) => n + (a.kind === 'personal' ? 1 : 3), 0);
  return { t, handle, accounts, totalAccounts, now };
}

// ---------------------------------------------------------------------------------------------
// The oracle and the checks
// ---------------------------------------------------------------------------------------------

const isRunKind = (kind: string): boolean => kind === 'flow-run' || kind === 'task-run';

/** The cutoff of an account at `now`: runs that ended strictly before it are due (RET-1). */
const cutoffOf = (now: number, retentionDays: number): string => new Date(now - retentionDays * DAY).toISOString();

/** RET-1: due = a flow or task run whose end lies strictly before the cutoff. */
function isDue(r: StoredResource, cutoff: string): boolean {
  return isRunKind(r.kind) && r.endedAt !== null && r.endedAt < cutoff;
}

function byId(rows: readonly StoredResource[]): Map<string, StoredResource> {
  return new Map(rows.map((r) => [r.id, r]));
}

/** The rows of `before` that are gone from `after`; fails if a row changed or appeared. */
function removedBetween(before: readonly StoredResource[], after: readonly StoredResource[]): StoredResource[] {
  const now = byId(after);
  const then = byId(before);
  for (const r of after) expect(then.get(r.id), `resource ${r.id} appeared or changed`).toEqual(r);
  return before.filter((r) => !now.has(r.id));
}

function countByWorkspace(rows: readonly StoredResource[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.workspaceId] = (out[r.workspaceId] ?? 0) + 1;
  return out;
}

/** AUD-1: the one event of a successful pruneRuns, matching its report. */
function expectPruneEvent(event: AuditEvent | undefined, report: PruneReport, actor: Principal): void {
  expect(event, 'a runs.pruned event').toBeDefined();
  expect(event).toMatchObject({
    accountId: report.accountId,
    workspaceId: null,
    action: 'runs.pruned',
    subject: { type: 'account', id: report.accountId },
    actor,
  });
  expect(event!.details).toEqual({
    cutoff: report.cutoff,
    retentionDays: report.retentionDays,
    pruned: report.pruned,
    byWorkspace: report.byWorkspace,
    complete: report.complete,
  });
}

interface PruneCall {
  readonly batchSize?: number;
  readonly maxRuns?: number;
}

/**
 * One pruneRuns call, checked against the rows before and after: it removed only due runs of
 * the account, as many as it reports, per workspace as reported; `complete` is false only
 * when the budget ran out, and true only when nothing due is left; one matching event.
 */
async function pruneChecked(
  r: Realized,
  account: Realized['accounts'][number],
  actor: Principal,
  call: PruneCall,
): Promise<{ report: PruneReport; removed: StoredResource[] }> {
  const before = await r.handle.resources();
  const published = r.t.events.length;
  const stored = await r.handle.auditCount();
  const report = valueOf(await r.t.kit.pruneRuns(actor, { accountId: account.id, ...call }));
  const after = await r.handle.resources();
  const removed = removedBetween(before, after);
  const cutoff = cutoffOf(r.now, account.retentionDays);
  const mine = new Set<string>(account.workspaces);

  expect(report.accountId).toBe(account.id);
  expect(report.cutoff, 'the cutoff is now − retention days').toBe(cutoff);
  expect(report.retentionDays).toBe(account.retentionDays);
  for (const x of removed) {
    expect(mine.has(x.workspaceId), `run ${x.id} of another account removed`).toBe(true);
    expect(isDue(x, cutoff), `${x.kind} ${x.id} (${x.state}, ended ${x.endedAt}) removed with cutoff ${cutoff}`).toBe(true);
  }
  expect(report.pruned, 'the count returned equals the runs removed').toBe(removed.length);
  expect(report.byWorkspace).toEqual(countByWorkspace(removed));
  if (call.maxRuns !== undefined) expect(report.pruned).toBeLessThanOrEqual(call.maxRuns);
  const leftDue = after.filter((x) => mine.has(x.workspaceId) && isDue(x, cutoff));
  if (report.complete) {
    expect(leftDue.map((x) => x.id), 'complete, yet due runs remain').toEqual([]);
  } else {
    expect(call.maxRuns, 'incomplete without a maxRuns').toBeDefined();
    expect(report.pruned, 'incomplete before the budget ran out').toBe(call.maxRuns);
  }
  // Without a budget nothing due may remain.
  if (call.maxRuns === undefined) expect(leftDue).toEqual([]);

  const events = r.t.events.slice(published);
  expect(events.map((e) => e.action), 'exactly one event per pruneRuns').toEqual(['runs.pruned']);
  expectPruneEvent(events[0], report, actor);
  expect(await r.handle.auditCount(), 'exactly one event stored').toBe(stored + 1);
  return { report, removed };
}

/** Prunes an account until `complete`, checking every call; returns everything removed. */
async function pruneFully(r: Realized, account: Realized['accounts'][number], actor: Principal, call: PruneCall): Promise<StoredResource[]> {
  const removed: StoredResource[] = [];
  for (let guard = 0; guard < 1000; guard += 1) {
    const step = await pruneChecked(r, account, actor, call);
    removed.push(...step.removed);
    if (step.report.complete) return removed;
  }
  throw new Error('pruneRuns never completed');
}

/** Every account's page of pruneAllAccounts, as the system, until the last page. */
async function pruneAllPages(r: Realized, limit: number, batchSize: number | undefined) {
  const pages = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 1000; guard += 1) {
    const page = valueOf(
      await r.t.kit.pruneAllAccounts(system('retention'), {
        limit,
        ...(cursor !== undefined ? { cursor } : {}),
        ...(batchSize !== undefined ? { batchSize } : {}),
      }),
    );
    pages.push(page);
    expect(page.accounts).toBeLessThanOrEqual(limit);
    if (page.nextCursor === null) return pages;
    expect(page.accounts, 'a page before the last one is full').toBe(limit);
    cursor = page.nextCursor;
  }
  throw new Error('pruneAllAccounts never reached the last page');
}

// ---------------------------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------------------------

export function describeRetention(name: string, makeStore: RetentionStoreFactory, options: RetentionOptions = {}): void {
  const numRuns = options.numRuns ?? 60;

  describe(`retention on the ${name} store`, () => {
    const made: RetentionStore[] = [];
    const track: RetentionStoreFactory = async () => {
      const s = await makeStore();
      made.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of made.splice(0)) await s.release();
    });

    const callArb = fc.record(
      {
        batchSize: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 10_000 })),
        maxRuns: fc.integer({ min: 1, max: 6 }),
      },
      { requiredKeys: [] },
    );

    it('RET-1 RET-2 AUD-1 pruneRuns removes exactly the runs that ended strictly before now − retention (any batch size, any maxRuns), reports and audits each call, and pruning again removes nothing', async () => {
      await fc.assert(
        fc.asyncProperty(worldArb(3), fc.array(callArb, { minLength: 3, maxLength: 3 }), fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), async (world, calls, asOwner) => {
          const r = await realize(world, track, 'short');
          const initial = await r.handle.resources();
          const others = await r.handle.others();
          // The whole world's due runs, each against its own account's cutoff.
          const accountOf = new Map<string, Realized['accounts'][number]>();
          for (const a of r.accounts) for (const w of a.workspaces) accountOf.set(w, a);
          const dueIds = new Set(
            initial.filter((x) => {
              const a = accountOf.get(x.workspaceId)!;
              return isDue(x, cutoffOf(r.now, a.retentionDays));
            }).map((x) => x.id),
          );

          for (const [i, a] of r.accounts.entries()) {
            const actor = asOwner[i] ? asUser(a.owner) : system('retention');
            await pruneFully(r, a, actor, calls[i]!);
            // RET-2 idempotent: once more removes nothing, still one event.
            const again = await pruneChecked(r, a, actor, { ...(calls[i]!.batchSize !== undefined ? { batchSize: calls[i]!.batchSize } : {}) });
            expect(again.report).toMatchObject({ pruned: 0, byWorkspace: {}, complete: true });
          }

          // Exactly the due runs are gone: running and scheduled runs stay, a subflow's fate is its
          // own (never its parent's), other resources and every other table are untouched.
          const after = await r.handle.resources();
          expect(after).toEqual(initial.filter((x) => !dueIds.has(x.id)));
          const ids = new Set(after.map((x) => x.id));
          for (const x of initial) {
            if (!isRunKind(x.kind) || x.endedAt === null) expect(ids.has(x.id), `${x.kind} ${x.id} (${x.state}) removed`).toBe(true);
          }
          expect(await r.handle.others()).toEqual(others);
          // The storage's own "runs due" count agrees: the next pass over every account finds none.
          const pages = await pruneAllPages(r, 100, undefined);
          expect(pages.flatMap((p) => p.reports)).toEqual([]);
        }),
        { numRuns },
      );
    });

    it('RET-1 a subflow and its parent are pruned independently: each by its own end', async () => {
      await fc.assert(
        fc.asyncProperty(worldArb(2), async (world) => {
          const r = await realize(world, track, 'short');
          const initial = await r.handle.resources();
          for (const a of r.accounts) await pruneFully(r, a, system('retention'), {});
          const kept = byId(await r.handle.resources());
          const all = byId(initial);
          for (const child of initial.filter((x) => x.parentRunId !== null)) {
            const parent = all.get(child.parentRunId!)!;
            const a = r.accounts.find((acc) => acc.workspaces.includes(child.workspaceId as WorkspaceId))!;
            const cutoff = cutoffOf(r.now, a.retentionDays);
            expect(kept.has(child.id), `child ${child.id} ended ${child.endedAt}`).toBe(!isDue(child, cutoff));
            expect(kept.has(parent.id), `parent ${parent.id} ended ${parent.endedAt}`).toBe(!isDue(parent, cutoff));
          }
        }),
        { numRuns: Math.max(10, Math.floor(numRuns / 2)) },
      );
    });

    it('RET-1 RET-2 a longer retention never removes more than a shorter one (one world, two catalogs)', async () => {
      await fc.assert(
        fc.asyncProperty(worldArb(3), fc.integer({ min: 1, max: 5 }), async (world, batchSize) => {
          const removedWith = async (catalog: 'short' | 'long') => {
            const r = await realize(world, track, catalog);
            const initial = await r.handle.resources();
            const removed: string[] = [];
            for (const a of r.accounts) removed.push(...(await pruneFully(r, a, system('retention'), { batchSize })).map((x) => x.id));
            return { initial, removed: new Set(removed) };
          };
          const shorter = await removedWith('short');
          const longer = await removedWith('long');
          // The same world: the same rows, the same ids.
          expect(longer.initial).toEqual(shorter.initial);
          for (const id of longer.removed) expect(shorter.removed.has(id), `${id} removed by the longer retention only`).toBe(true);
          expect(longer.removed.size).toBeLessThanOrEqual(shorter.removed.size);
        }),
        { numRuns: Math.max(10, Math.floor(numRuns / 2)) },
      );
    });

    it('RET-2 AUD-1 pruneAllAccounts pages through every account, prunes each with runs due (one event each), skips the rest (no event)', async () => {
      await fc.assert(
        fc.asyncProperty(worldArb(5), fc.integer({ min: 1, max: 4 }), fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }), async (world, limit, batchSize) => {
          const r = await realize(world, track, 'short');
          const initial = await r.handle.resources();
          const others = await r.handle.others();
          const dueOf = new Map<string, StoredResource[]>();
          for (const a of r.accounts) {
            const cutoff = cutoffOf(r.now, a.retentionDays);
            const due = initial.filter((x) => a.workspaces.includes(x.workspaceId as WorkspaceId) && isDue(x, cutoff));
            if (due.length > 0) dueOf.set(a.id, due);
          }
          const published = r.t.events.length;
          const stored = await r.handle.auditCount();

          const pages = await pruneAllPages(r, limit, batchSize);
          // Every account looked at exactly once: organizations and personal accounts alike.
          expect(pages.reduce((n, p) => n + p.accounts, 0)).toBe(r.totalAccounts);
          const reports = pages.flatMap((p) => p.reports);
          expect(reports.map((x) => x.accountId).sort()).toEqual([...dueOf.keys()].sort());
          for (const page of pages) expect(page.pruned).toBe(page.reports.reduce((n, x) => n + x.pruned, 0));
          for (const report of reports) {
            const a = r.accounts.find((x) => x.id === report.accountId)!;
            expect(report).toMatchObject({ pruned: dueOf.get(a.id)!.length, complete: true, cutoff: cutoffOf(r.now, a.retentionDays) });
            expect(report.byWorkspace).toEqual(countByWorkspace(dueOf.get(a.id)!));
          }
          // One event per pruned account, in the order of the reports, each its own account's.
          const events = r.t.events.slice(published);
          expect(events.length).toBe(reports.length);
          reports.forEach((report, i) => expectPruneEvent(events[i], report, system('retention')));
          expect(await r.handle.auditCount()).toBe(stored + reports.length);

          const dueIds = new Set([...dueOf.values()].flat().map((x) => x.id));
          expect(await r.handle.resources()).toEqual(initial.filter((x) => !dueIds.has(x.id)));
          expect(await r.handle.others()).toEqual(others);

          // A second pass looks at every account again and prunes none.
          const second = await pruneAllPages(r, limit, batchSize);
          expect(second.reduce((n, p) => n + p.accounts, 0)).toBe(r.totalAccounts);
          expect(second.flatMap((p) => p.reports)).toEqual([]);
          expect(r.t.events.length).toBe(published + reports.length);
        }),
        { numRuns: Math.max(10, Math.floor(numRuns / 2)) },
      );
    });

    it('ROLE-6 AUD-1 pruneAllAccounts refuses every non-system actor with FORBIDDEN and changes nothing; pruneRuns refuses plain members and outsiders', async () => {
      await fc.assert(
        fc.asyncProperty(worldArb(3), fc.nat(), async (world, pick) => {
          const r = await realize(world, track, 'short');
          const before = await r.handle.resources();
          const published = r.t.events.length;
          const stored = await r.handle.auditCount();
          const users = r.accounts.flatMap((a) => [a.owner, ...(a.member !== null ? [a.member] : [])]);
          const user = users[pick % users.length]!;
          expect(errorOf(await r.t.kit.pruneAllAccounts(asUser(user), {}))).toMatchObject({ code: 'FORBIDDEN' });
          expect(errorOf(await r.t.kit.pruneAllAccounts(asUser(user)))).toMatchObject({ code: 'FORBIDDEN' });
          // A plain member of an organization, and the owner of another account.
          for (const [i, a] of r.accounts.entries()) {
            if (a.member !== null) {
              expect(errorOf(await r.t.kit.pruneRuns(asUser(a.member), { accountId: a.id })).code).toBe('FORBIDDEN');
            }
            const stranger = r.accounts[(i + 1) % r.accounts.length]!;
            if (stranger.id !== a.id) {
              expect(['FORBIDDEN', 'NOT_FOUND']).toContain(errorOf(await r.t.kit.pruneRuns(asUser(stranger.owner), { accountId: a.id })).code);
            }
          }
          expect(await r.handle.resources()).toEqual(before);
          expect(r.t.events.length).toBe(published);
          expect(await r.handle.auditCount()).toBe(stored);
        }),
        { numRuns: Math.max(5, Math.floor(numRuns / 4)) },
      );
    });

    // -------------------------------------------------------------------------------------
    // Examples at the edges
    // -------------------------------------------------------------------------------------

    async function oneAccount(planId: PlanId, days: number) {
      const handle = await track();
      const plans = catalogOf({ hobby: 7, starter: 7, team: 14, pro: 30, enterprise: 365, [planId]: days });
      const t = createTestKit({ store: handle.store, plans, start: '2026-03-01T00:00:00.000Z' });
      const { account, owner, members } = await t.seed.organization({ planId, members: ['admin'] });
      return { t, handle, account, owner: asUser(owner.user.id), admin: asUser(members[0]!.user.user.id) };
    }

    it('RET-1 a run that ended exactly at the cutoff is kept; one that ended a millisecond before is pruned', async () => {
      const { t, handle, account, owner } = await oneAccount('pro', 30);
      const ws = await t.seed.workspace(account.id);
      // now = 2026-03-31T12:00:00.000Z, cutoff = 2026-03-01T12:00:00.000Z.
      t.clock.set('2026-03-31T12:00:00.000Z');
      await t.seed.runs(ws.id, { count: 2, endedAt: '2026-03-01T12:00:00.000Z' });
      await t.seed.runs(ws.id, { count: 3, endedAt: '2026-03-01T11:59:59.999Z', kind: 'task-run' });
      await t.seed.runs(ws.id, { count: 1, endedAt: '2026-03-01T12:00:00.001Z', state: 'failed' });
      await t.seed.runs(ws.id, { count: 2, state: 'running' });
      const report = valueOf(await t.kit.pruneRuns(owner, { accountId: account.id }));
      expect(report).toEqual({ accountId: account.id, cutoff: '2026-03-01T12:00:00.000Z', retentionDays: 30, pruned: 3, byWorkspace: { [ws.id]: 3 }, complete: true });
      const left = await handle.resources();
      expect(left.filter((x) => x.kind === 'task-run')).toEqual([]);
      expect(left.filter((x) => x.endedAt === '2026-03-01T12:00:00.000Z')).toHaveLength(2);
      expect(left.filter((x) => x.state === 'running')).toHaveLength(2);
    });

    it('RET-1 a run whose end, in UTC, lies past the year 9999 never ended before the cutoff: it is refused at tracking or kept by pruning', async () => {
      const { t, handle, account, owner } = await oneAccount('pro', 30);
      const ws = await t.seed.workspace(account.id);
      // One millisecond before 10000-01-01T01:00Z, written with a negative offset: a valid
      // ISO-8601 input whose UTC instant has a five-digit year ('+010000-…' in toISOString).
      const tracked = await t.kit.trackResources(owner, {
        workspaceId: ws.id,
        resources: [{ kind: 'flow-run', name: 'far-future', state: 'completed', endedAt: '9999-12-31T23:59:59.999-01:00' }],
      });
      if (tracked.isErr()) {
        expect(tracked.error.code).toBe('VALIDATION');
        return;
      }
      const report = valueOf(await t.kit.pruneRuns(owner, { accountId: account.id }));
      expect(report.pruned, `a run that ended at ${tracked.value[0]!.endedAt} pruned with cutoff ${report.cutoff}`).toBe(0);
      expect((await handle.resources()).map((x) => x.name)).toEqual(['far-future']);
    });

    it('RET-2 an organization Admin and the system may prune; the report of an account without runs is empty but audited', async () => {
      const { t, account, admin } = await oneAccount('team', 14);
      await t.seed.workspace(account.id);
      for (const actor of [admin, system('cron')]) {
        const published = t.events.length;
        const report = valueOf(await t.kit.pruneRuns(actor, { accountId: account.id }));
        expect(report).toMatchObject({ pruned: 0, byWorkspace: {}, complete: true, retentionDays: 14 });
        expect(t.events.slice(published).map((e) => e.action)).toEqual(['runs.pruned']);
      }
    });

    it('RET-2 maxRuns equal to the runs due: all removed in one call, and the report says complete', async () => {
      const { t, handle, account, owner } = await oneAccount('pro', 30);
      const ws = await t.seed.workspace(account.id);
      await t.seed.runs(ws.id, { count: 4, endedAt: '2025-01-01T00:00:00.000Z' });
      const report = valueOf(await t.kit.pruneRuns(owner, { accountId: account.id, maxRuns: 4, batchSize: 3 }));
      expect(report.pruned).toBe(4);
      expect((await handle.resources()).filter((x) => isRunKind(x.kind))).toEqual([]);
      // Nothing is left to prune: "run it again to go on" would find nothing.
      expect(report.complete, 'complete is false although maxRuns did not stop anything').toBe(true);
    });

    it('RET-2 maxRuns stops the call early across workspaces; the next calls go on where it stopped', async () => {
      const { t, handle, account, owner } = await oneAccount('pro', 30);
      const a = await t.seed.workspace(account.id, { handle: 'a' });
      const b = await t.seed.workspace(account.id, { handle: 'b' });
      await t.seed.runs(a.id, { count: 5, endedAt: '2025-01-01T00:00:00.000Z' });
      await t.seed.runs(b.id, { count: 5, endedAt: '2025-01-01T00:00:00.000Z' });
      const first = valueOf(await t.kit.pruneRuns(owner, { accountId: account.id, maxRuns: 7, batchSize: 2 }));
      expect(first).toMatchObject({ pruned: 7, complete: false });
      expect(Object.values(first.byWorkspace).reduce((n, x) => n + x, 0)).toBe(7);
      const second = valueOf(await t.kit.pruneRuns(owner, { accountId: account.id, maxRuns: 7, batchSize: 2 }));
      expect(second).toMatchObject({ pruned: 3, complete: true });
      expect((await handle.resources()).filter((x) => isRunKind(x.kind))).toEqual([]);
    });

    it('RET-2 thousands of runs: default batches (1000) and one batch above the SQL chunk (batchSize 10000)', async () => {
      const { t, handle, account, owner } = await oneAccount('pro', 30);
      const ws = await t.seed.workspace(account.id);
      const old = (i: number) => new Date(Date.parse('2025-06-01T00:00:00.000Z') + i * 60_000).toISOString();
      await t.seed.runs(ws.id, { count: 2500, endedAt: old });
      await t.seed.runs(ws.id, { count: 10, endedAt: '2026-02-28T00:00:00.000Z' });
      const report = valueOf(await t.kit.pruneRuns(owner, { accountId: account.id }));
      expect(report).toMatchObject({ pruned: 2500, complete: true });
      await t.seed.runs(ws.id, { count: 6000, endedAt: old });
      const big = valueOf(await t.kit.pruneRuns(owner, { accountId: account.id, batchSize: 10_000 }));
      expect(big).toMatchObject({ pruned: 6000, complete: true });
      expect((await handle.resources()).filter((x) => isRunKind(x.kind))).toHaveLength(10);
    });
  });
}
