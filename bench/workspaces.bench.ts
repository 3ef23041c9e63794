// Workspaces at scale: create and look up workspaces in ONE account holding N of them (the hard
// case for per-account indexes), at each size, and compare the per-operation cost across sizes.
// The in-memory store promises that every port method is a hash lookup or an ordered-index
// seek, so no cost should grow with N; a scan would show a ratio near the size ratio (×100
// between 1k and 100k).
//
// Two access patterns, because on real hardware they answer different questions:
// - hot:  keys drawn from a fixed working set of 100 workspaces at every size. The cache holds
//         the same amount of data at every size, so the ratio isolates the algorithm.
// - cold: keys drawn uniformly from all N. Closer to a server with many tenants, but at 100k the
//         working set no longer fits in cache and every lookup pays cache and TLB misses; the
//         `ctrl` row (two plain Map hops, no library code) shows how much of the ratio that is.
//
// Every operation is measured at all sizes back to back in one tinybench run, with every
// fixture alive, in alternating rounds that each start on a collected heap (measure.ts), so JIT
// state and heap are the same for all sizes: they differ only by how much the indexes hold.
import type { Fn, FnOptions, FnReturnedObject } from 'tinybench';
import type {
  AccountAccessSnapshot,
  AccountId,
  Handle,
  Principal,
  UserId,
  Workspace,
  WorkspaceId,
  WorkspaceKit,
} from '../src/index.js';
import type { MemoryStore } from '../src/memory.js';
import { fullGc, gcAvailable } from './gc.js';
import { measureAcrossSizes, type SizedTask } from './measure.js';
import type { Library } from './library.js';
import { sizeLabel, type ScalingRow, type SetupTiming, type SuiteResult } from './report.js';
import { random, sample, unwrap } from './fixtures-util.js';

/** Options of {@link workspacesBench}. */
export interface WorkspacesBenchOptions {
  /** The library under test (see library.ts: built like the package, by default). */
  readonly lib: Library;
  /** Workspaces pre-populated in the one account, smallest first (default 1 000 and 100 000). */
  readonly sizes: readonly number[];
  /** tinybench time budget per operation and size, ms, over all rounds. */
  readonly timeMs: number;
  /** tinybench warmup budget per task, ms (first round only). */
  readonly warmupMs: number;
  /** Rounds the time budget is split into, sizes alternating (see measure.ts). */
  readonly rounds: number;
  /** Progress lines go here (default `console.log`). */
  readonly log?: (line: string) => void;
}

const PAGE = 50;
/** Workspaces in the hot working set, at every size: small enough to stay in cache. */
const HOT = 100;
/** Distinct list cursors in the hot set: HOT_CURSORS pages of PAGE touch HOT workspaces. */
const HOT_CURSORS = HOT / PAGE;
/** Inner calls per sample for operations too short to time one by one. */
const STORE_BATCH = 100;
const PURE_BATCH = 1000;

type Access = 'hot' | 'cold';

/** The keys an access pattern draws from. */
interface KeySet {
  readonly handles: readonly string[];
  /** `ids[i]` is the workspace of `handles[i]`. */
  readonly ids: readonly WorkspaceId[];
  /** Handles after which a full page follows. */
  readonly cursors: readonly string[];
}

/** Everything one size needs: a kit over a fresh store, and the account with N workspaces. */
interface Fixture {
  readonly lib: Library;
  readonly n: number;
  readonly label: string;
  readonly store: MemoryStore;
  readonly kit: WorkspaceKit;
  /** The organization's Owner, a user: the realistic path loads its membership. */
  readonly actor: Principal;
  readonly ownerUserId: UserId;
  readonly accountId: AccountId;
  readonly accountHandle: string;
  readonly keys: Readonly<Record<Access, KeySet>>;
  /** When the 25th-last pre-populated workspace was created: a "recent" audit filter. */
  readonly recentFrom: string;
  readonly populateMs: number;
}


/** Removes a workspace through the store port, outside any timing, so N stays constant. */
async function removeWorkspace(store: MemoryStore, id: WorkspaceId): Promise<void> {
  const outcome = await store.transaction((tx) => tx.workspaces.delete(id, 1));
  if (outcome !== 'ok') throw new Error(`bench cleanup: could not delete ${id} (${outcome})`);
}

async function buildFixture(lib: Library, n: number, log: (line: string) => void): Promise<Fixture> {
  const { asUser, createWorkspaceKit, system } = lib.kit;
  const label = sizeLabel(n);
  const store = lib.memory.createMemoryStore();
  const kit = createWorkspaceKit({ store });
  const owner = await unwrap(
    kit.registerUser(system('bench'), { email: `owner-${n}@bench.test`, displayName: 'Bench owner', handle: `owner-${n}` }),
    'registerUser',
  );
  const actor = asUser(owner.user.id);
  const account = await unwrap(
    kit.createOrganization(actor, { handle: `big-${n}`, displayName: `Big ${label}`, planId: 'enterprise' }),
    'createOrganization',
  );
  const handles: string[] = [];
  const ids: WorkspaceId[] = [];
  let recentFrom = '';
  const started = performance.now();
  for (let i = 0; i < n; i += 1) {
    const ws = await unwrap(kit.createWorkspace(actor, { accountId: account.id, handle: `ws-${i}` }), 'createWorkspace');
    handles.push(ws.handle);
    ids.push(ws.id);
    if (i === n - 25) recentFrom = ws.createdAt;
  }
  const populateMs = performance.now() - started;
  log(`  populated ${label}: ${n} workspaces in ${(populateMs / 1000).toFixed(2)} s`);

  const sorted = [...handles].sort();
  const hot = sample(n, Math.min(HOT, n), 0x401);
  const hotCursors = sample(n - PAGE, HOT_CURSORS, 0x402).map((i) => sorted[i]!);
  return {
    lib,
    n,
    label,
    store,
    kit,
    actor,
    ownerUserId: owner.user.id,
    accountId: account.id,
    accountHandle: account.handle,
    keys: {
      hot: { handles: hot.map((i) => handles[i]!), ids: hot.map((i) => ids[i]!), cursors: hotCursors },
      cold: { handles, ids, cursors: sorted.slice(0, n - PAGE) },
    },
    recentFrom,
    populateMs,
  };
}

/** One measured task at one size: the function, and its hooks if any. */
interface TaskSpec {
  readonly fn: Fn;
  readonly options: FnOptions;
}

/** What a task is built from: the fixture, its keys for the access pattern, a seeded index draw. */
interface TaskContext {
  readonly f: Fixture;
  readonly keys: KeySet;
  /** A seeded index in `[0, k)`; the same sequence at every size. */
  readonly pick: (k: number) => number;
}

/** An operation to measure at every size, under one or both access patterns. */
interface Operation {
  readonly layer: 'kit' | 'store' | 'pure' | 'ctrl';
  readonly operation: string;
  /** Access patterns to measure; none for operations that touch no workspace. */
  readonly access: readonly Access[];
  /** The row group when `access` is empty (default `hot`). */
  readonly group?: string;
  readonly task: (c: TaskContext) => TaskSpec | Promise<TaskSpec>;
}

/** A sample that stands for `count` calls: their mean, and the whole batch as the budget cost. */
function batch(startedAt: number, count: number): FnReturnedObject {
  const elapsed = performance.now() - startedAt;
  return { overriddenDuration: elapsed / count, overriddenIterationCost: elapsed };
}

/** Guards against measuring a failing path: a lookup that misses is a broken bench. */
function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`bench: ${what} returned nothing`);
  return value;
}

/** Values folded from results so the engine cannot drop the measured work. */
let sink = 0;

const BOTH: readonly Access[] = ['hot', 'cold'];

// Read-only operations first; the two that write (and grow the audit log) last.
const OPERATIONS: readonly Operation[] = [
  {
    layer: 'pure',
    operation: `workspaceScopesOf().has('delete_workspace'), ${PURE_BATCH}/sample`,
    access: [],
    task: async ({ f }) => {
      const { asUser, system, workspaceScopesOf } = f.lib.kit;
      // Snapshots as the kit loads them, from this fixture's store: the owner's membership,
      // a plain member (no access), the system principal, and a stranger.
      const { account, membership } = await f.store.transaction(
        async (tx) => ({
          account: must(await tx.accounts.getById(f.accountId), 'accounts.getById'),
          membership: await tx.memberships.get(f.accountId, f.ownerUserId),
        }),
        { readOnly: true },
      );
      const cases: readonly (readonly [Principal, AccountAccessSnapshot])[] = [
        [f.actor, { account, membership }],
        [asUser('usr_member'), { account, membership: { role: 'member' } }],
        [system('bench'), { account, membership: null }],
        [asUser('usr_stranger'), { account, membership: null }],
      ];
      return {
        fn: () => {
          const started = performance.now();
          let allowed = 0;
          for (let i = 0; i < PURE_BATCH; i += 1) {
            const [principal, snapshot] = cases[i & 3]!;
            if (workspaceScopesOf(principal, snapshot).has('delete_workspace')) allowed += 1;
          }
          const result = batch(started, PURE_BATCH);
          sink += allowed;
          return result;
        },
        options: { async: false },
      };
    },
  },
  {
    layer: 'store',
    operation: 'transaction, empty (read-only)',
    access: [],
    task: ({ f }) => ({
      fn: async () => {
        sink += await f.store.transaction(() => Promise.resolve(1), { readOnly: true });
      },
      options: { async: true },
    }),
  },
  {
    layer: 'kit',
    operation: 'getWorkspaceByHandle',
    access: BOTH,
    task: ({ f, keys, pick }) => ({
      fn: async () => {
        const fullHandle = `${f.accountHandle}/${keys.handles[pick(keys.handles.length)]!}`;
        const ws = await unwrap(f.kit.getWorkspaceByHandle(f.actor, { fullHandle }), 'getWorkspaceByHandle');
        sink += ws.version;
      },
      options: { async: true },
    }),
  },
  {
    layer: 'kit',
    operation: 'getWorkspace (by id)',
    access: BOTH,
    task: ({ f, keys, pick }) => ({
      fn: async () => {
        const ws = await unwrap(f.kit.getWorkspace(f.actor, { workspaceId: keys.ids[pick(keys.ids.length)]! }), 'getWorkspace');
        sink += ws.version;
      },
      options: { async: true },
    }),
  },
  {
    layer: 'kit',
    operation: `listWorkspaces, page of ${PAGE} after a cursor`,
    access: BOTH,
    task: ({ f, keys, pick }) => ({
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
    layer: 'store',
    operation: 'workspaces.getByHandle, own transaction',
    access: ['hot'],
    task: ({ f, keys, pick }) => ({
      fn: async () => {
        const handle = keys.handles[pick(keys.handles.length)]!;
        const ws = await f.store.transaction((tx) => tx.workspaces.getByHandle(f.accountId, handle), { readOnly: true });
        sink += must(ws, 'workspaces.getByHandle').version;
      },
      options: { async: true },
    }),
  },
  {
    layer: 'store',
    operation: `workspaces.getByHandle, ${STORE_BATCH}/transaction`,
    access: BOTH,
    task: ({ f, keys, pick }) => ({
      fn: async () => {
        const handles = Array.from({ length: STORE_BATCH }, () => keys.handles[pick(keys.handles.length)]!);
        const started = performance.now();
        const versions = await f.store.transaction(
          async (tx) => {
            let sum = 0;
            for (const h of handles) sum += must(await tx.workspaces.getByHandle(f.accountId, h), 'getByHandle').version;
            return sum;
          },
          { readOnly: true },
        );
        const result = batch(started, STORE_BATCH);
        sink += versions;
        return result;
      },
      options: { async: true },
    }),
  },
  {
    layer: 'store',
    operation: `workspaces.getById, ${STORE_BATCH}/transaction`,
    access: BOTH,
    task: ({ f, keys, pick }) => ({
      fn: async () => {
        const ids = Array.from({ length: STORE_BATCH }, () => keys.ids[pick(keys.ids.length)]!);
        const started = performance.now();
        const versions = await f.store.transaction(
          async (tx) => {
            let sum = 0;
            for (const id of ids) sum += must(await tx.workspaces.getById(id), 'getById').version;
            return sum;
          },
          { readOnly: true },
        );
        const result = batch(started, STORE_BATCH);
        sink += versions;
        return result;
      },
      options: { async: true },
    }),
  },
  {
    // A control with no library code: the same two hash hops as the store's handle index
    // (handle → id → record) over the same keys. Its ratio is the memory hierarchy alone.
    layer: 'ctrl',
    operation: `plain Map: handle → id → record, ${PURE_BATCH}/sample`,
    access: BOTH,
    task: ({ f, keys, pick }) => {
      const all = f.keys.cold;
      const idByHandle = new Map<string, string>();
      const byId = new Map<string, { readonly version: number }>();
      all.handles.forEach((h, i) => {
        idByHandle.set(h, all.ids[i]!);
        byId.set(all.ids[i]!, { version: 1 });
      });
      return {
        fn: () => {
          const drawn = Array.from({ length: PURE_BATCH }, () => keys.handles[pick(keys.handles.length)]!);
          const started = performance.now();
          let versions = 0;
          for (const h of drawn) versions += byId.get(idByHandle.get(h)!)!.version;
          const result = batch(started, PURE_BATCH);
          sink += versions;
          return result;
        },
        options: { async: false },
      };
    },
  },
  {
    layer: 'store',
    operation: `workspaces.listByAccount, page of ${PAGE}`,
    access: BOTH,
    task: ({ f, keys, pick }) => ({
      fn: async () => {
        const cursor = keys.cursors[pick(keys.cursors.length)]!;
        const page = await f.store.transaction((tx) => tx.workspaces.listByAccount(f.accountId, { limit: PAGE, cursor }), {
          readOnly: true,
        });
        if (page.items.length !== PAGE) throw new Error(`listByAccount returned ${page.items.length} items`);
        sink += page.items.length;
      },
      options: { async: true },
    }),
  },
  // The account's audit log holds one `workspace.created` event per workspace: N of them.
  {
    layer: 'kit',
    operation: `listAuditEvents, newest ${PAGE}`,
    access: [],
    group: 'audit',
    task: ({ f }) => ({
      fn: async () => {
        const page = await unwrap(
          f.kit.listAuditEvents(f.actor, { accountId: f.accountId, order: 'desc', limit: PAGE }),
          'listAuditEvents',
        );
        sink += page.items.length;
      },
      options: { async: true },
    }),
  },
  {
    layer: 'kit',
    operation: 'listAuditEvents, one workspace',
    access: [],
    group: 'audit',
    task: ({ f, pick }) => ({
      fn: async () => {
        const workspaceId = f.keys.hot.ids[pick(f.keys.hot.ids.length)]!;
        const page = await unwrap(
          f.kit.listAuditEvents(f.actor, { accountId: f.accountId, workspaceId, limit: PAGE }),
          'listAuditEvents',
        );
        if (page.items.length !== 1) throw new Error(`listAuditEvents by workspace returned ${page.items.length}`);
        sink += page.items.length;
      },
      options: { async: true },
    }),
  },
  {
    layer: 'kit',
    operation: 'listAuditEvents, action matching none',
    access: [],
    group: 'audit',
    task: ({ f }) => ({
      fn: async () => {
        const page = await unwrap(
          f.kit.listAuditEvents(f.actor, { accountId: f.accountId, action: 'workspace.updated', limit: PAGE }),
          'listAuditEvents',
        );
        sink += page.items.length + 1;
      },
      options: { async: true },
    }),
  },
  {
    layer: 'kit',
    operation: 'listAuditEvents, from = recent (oldest first)',
    access: [],
    group: 'audit',
    task: ({ f }) => ({
      fn: async () => {
        const page = await unwrap(
          f.kit.listAuditEvents(f.actor, { accountId: f.accountId, from: f.recentFrom, limit: PAGE }),
          'listAuditEvents',
        );
        if (page.items.length === 0) throw new Error('listAuditEvents from a recent time returned nothing');
        sink += page.items.length;
      },
      options: { async: true },
    }),
  },
  {
    layer: 'store',
    operation: 'workspaces.insert, own transaction',
    access: BOTH,
    task: ({ f, keys, pick }) => {
      let seq = 0;
      let inserted: WorkspaceId | undefined;
      const now = new Date().toISOString();
      return {
        fn: async () => {
          seq += 1;
          const workspace: Workspace = {
            id: `ws_bench_${seq}` as WorkspaceId,
            accountId: f.accountId,
            // Right after an existing handle of the pattern: lands in that part of the index.
            handle: `${keys.handles[pick(keys.handles.length)]!}-s${seq}` as Handle,
            description: '',
            defaultRole: null,
            version: 1,
            createdAt: now,
            updatedAt: now,
          };
          const outcome = await f.store.transaction((tx) => tx.workspaces.insert(workspace));
          if (outcome !== 'ok') throw new Error(`workspaces.insert: ${outcome}`);
          inserted = workspace.id;
        },
        options: {
          async: true,
          afterEach: async () => {
            if (inserted !== undefined) await removeWorkspace(f.store, inserted);
            inserted = undefined;
          },
        },
      };
    },
  },
  {
    layer: 'kit',
    operation: 'createWorkspace, new handle',
    access: BOTH,
    task: ({ f, keys, pick }) => {
      let seq = 0;
      let created: WorkspaceId | undefined;
      return {
        fn: async () => {
          seq += 1;
          const handle = `${keys.handles[pick(keys.handles.length)]!}-n${seq}`;
          const ws = await unwrap(f.kit.createWorkspace(f.actor, { accountId: f.accountId, handle }), 'createWorkspace');
          created = ws.id;
        },
        options: {
          async: true,
          afterEach: async () => {
            if (created !== undefined) await removeWorkspace(f.store, created);
            created = undefined;
          },
        },
      };
    },
  },
];

/**
 * Measures workspace creation and lookups at each size in `options.sizes` and returns one row
 * per operation and access pattern, with its cost at every size.
 */
export async function workspacesBench(options: WorkspacesBenchOptions): Promise<SuiteResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const started = performance.now();
  const sizes = [...options.sizes].sort((a, b) => a - b);
  if (sizes.length < 2) throw new Error('workspaces bench: give at least two sizes to compare');
  if (sizes[0]! < HOT) throw new Error(`workspaces bench: sizes must be at least the hot set, ${HOT}`);

  log('workspaces: populating…');
  const fixtures: Fixture[] = [];
  for (const n of sizes) fixtures.push(await buildFixture(options.lib, n, log));
  fullGc();
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;

  const rows: ScalingRow[] = [];
  let seed = 0x5eed;
  for (const op of OPERATIONS) {
    for (const access of op.access.length === 0 ? [undefined] : op.access) {
      seed += 1;
      const tasks: SizedTask[] = [];
      for (const f of fixtures) {
        const rng = random(seed); // the same draws at every size
        const spec = await op.task({ f, keys: f.keys[access ?? 'hot'], pick: (k) => Math.floor(rng() * k) });
        tasks.push({ label: f.label, fn: spec.fn, options: spec.options });
      }
      const { bySize, ratios } = await measureAcrossSizes(op.operation, tasks, options);
      rows.push({ group: access ?? op.group ?? 'hot', layer: op.layer, operation: op.operation, bySize, ratios });
      log(`  measured ${access ?? '-'} ${op.layer} ${op.operation}`);
    }
  }

  // Every measurement removed what it added: each account still holds exactly N workspaces.
  for (const f of fixtures) {
    const count = await f.store.transaction((tx) => tx.workspaces.countByAccount(f.accountId), { readOnly: true });
    if (count !== f.n) throw new Error(`workspaces bench: account @${f.label} holds ${count} workspaces, expected ${f.n}`);
  }

  const setup: SetupTiming[] = fixtures.map((f) => ({
    step: 'populate via kit.createWorkspace',
    size: f.label,
    totalMs: f.populateMs,
    perItemNs: (f.populateMs * 1e6) / f.n,
  }));
  const order: Record<string, number> = { hot: 0, cold: 1, audit: 2 };
  return {
    name: 'workspaces',
    title: 'workspaces — one enterprise organization holding N workspaces, memory store, actor = its Owner (user)',
    sizes: fixtures.map((f) => ({ label: f.label, n: f.n })),
    rows: rows.sort((a, b) => (order[a.group ?? 'hot'] ?? 0) - (order[b.group ?? 'hot'] ?? 0)),
    groups: {
      hot: `keys from a fixed set of ${HOT} workspaces at every size: the ratio tests the algorithm (a scan: ~×${sizes[sizes.length - 1]! / sizes[0]!})`,
      cold: 'keys uniform over all N: adds the cache/TLB misses of a bigger working set; read each ratio against the ctrl row',
      audit: 'the same account\'s audit log, which holds one workspace.created event per workspace (N events)',
    },
    setup,
    notes: [
      `library: ${options.lib.description}`,
      `heap after populating every size: ${heapMb.toFixed(0)} MB; all fixtures stay alive; sizes alternate over ${options.rounds} rounds${gcAvailable ? ', each started with a full GC' : ' (no GC control available)'}`,
      'createWorkspace / insert: each created workspace is removed through the store after its sample (untimed), so N stays constant; the audit log still grows by one event per create',
      `batched rows (n/sample, n/transaction) report the per-call mean of each batch; the populate time of the first size includes JIT warm-up`,
      `checksum ${sink}`,
    ],
    wallMs: performance.now() - started,
  };
}
