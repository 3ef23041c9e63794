import type { Account, AccountRole } from '../account/account.js';
import type { PlanCatalog } from '../account/plans.js';
import { createMemoryStore, type MemoryStore } from '../adapters/memory/memory-store.js';
import type { AuditEvent } from '../audit/audit-event.js';
import { manualClock, type ManualClock } from '../core/clock.js';
import { sequentialIds, type AccountId, type WorkspaceId } from '../core/ids.js';
import { system } from '../core/principal.js';
import type { Store } from '../ports/store.js';
import type { RegisteredUser } from '../kit/account-commands.js';
import type { WorkspaceView } from '../kit/workspace-commands.js';
import { createWorkspaceKit, type KitResult, type WorkspaceKit } from '../kit/workspace-kit.js';
import type { ResourceKind, RunState } from '../workspace/resource.js';

/** Options of {@link createTestKit}. */
export interface TestKitOptions<S extends Store> {
  /** The store (default a fresh in-memory store). */
  readonly store?: S;
  readonly plans?: PlanCatalog;
  readonly defaultPlanId?: string;
  /** Where the controllable clock starts (default 2026-01-01T00:00:00.000Z). */
  readonly start?: string;
}

/** Options of {@link Seeder.runs}. */
export interface SeedRunsOptions {
  readonly count: number;
  /** Default `'completed'`. */
  readonly state?: RunState;
  /** When terminal runs ended; default the clock's now. A function gets the run's index. */
  readonly endedAt?: string | ((index: number) => string);
  readonly kind?: Extract<ResourceKind, 'flow-run' | 'task-run'>;
}

/** An organization seeded with its owner and members. */
export interface SeededOrganization {
  readonly account: Account;
  readonly owner: RegisteredUser;
  readonly members: readonly { readonly user: RegisteredUser; readonly role: AccountRole }[];
}

/**
 * Builders that seed state in one call each, acting as the system principal. They throw on
 * failure (a broken fixture is a bug in the test, not a result to handle).
 */
export interface Seeder {
  /** A user with its personal account; email and handle default to fresh ones. */
  user(options?: { email?: string; handle?: string; displayName?: string; planId?: string }): Promise<RegisteredUser>;
  /** An organization with a fresh owner (or the given one) and optional members. */
  organization(options?: {
    handle?: string;
    planId?: string;
    owner?: RegisteredUser;
    members?: readonly (AccountRole | { user?: RegisteredUser; role: AccountRole })[];
  }): Promise<SeededOrganization>;
  /** A workspace in an account; the handle defaults to a fresh one. */
  workspace(accountId: AccountId, options?: { handle?: string; description?: string }): Promise<WorkspaceView>;
  /** Tracks `count` runs in a workspace, in batches; returns how many were tracked. */
  runs(workspaceId: WorkspaceId, options: SeedRunsOptions): Promise<number>;
  /** Tracks one resource of each given kind (default every non-run kind) in a workspace. */
  resources(workspaceId: WorkspaceId, counts: Partial<Record<ResourceKind, number>>): Promise<number>;
}

/** A kit wired for tests: deterministic ids, a controllable clock, seed builders, an event log. */
export interface TestKit<S extends Store> {
  readonly kit: WorkspaceKit;
  readonly store: S;
  readonly clock: ManualClock;
  readonly seed: Seeder;
  /** Every event published to subscribers since creation, in order. */
  readonly events: readonly AuditEvent[];
}

async function unwrap<T>(result: KitResult<T>, what: string): Promise<T> {
  const r = await result;
  if (r.isErr()) throw new Error(`seed ${what} failed: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

/**
 * Creates a kit for tests over an in-memory store (or the store given), with sequential ids
 * (`usr_1`, `acc_2`, …), a manual clock and seed builders.
 *
 * @example
 * ```ts
 * const { kit, seed, clock } = createTestKit();
 * const { account, owner } = await seed.organization({ planId: 'pro', members: ['admin', 'member'] });
 * const ws = await seed.workspace(account.id, { handle: 'prod' });
 * await seed.runs(ws.id, { count: 100, endedAt: '2025-12-01T00:00:00.000Z' });
 * ```
 */
export function createTestKit(): TestKit<MemoryStore>;
export function createTestKit<S extends Store>(options: TestKitOptions<S> & { store: S }): TestKit<S>;
export function createTestKit(options: Omit<TestKitOptions<MemoryStore>, 'store'>): TestKit<MemoryStore>;
export function createTestKit(options: TestKitOptions<Store> = {}): TestKit<Store> {
  const store = options.store ?? createMemoryStore();
  const clock = manualClock(options.start);
  const kit = createWorkspaceKit({
    store,
    clock,
    ids: sequentialIds(),
    ...(options.plans ? { plans: options.plans } : {}),
    ...(options.defaultPlanId ? { defaultPlanId: options.defaultPlanId } : {}),
  });
  const events: AuditEvent[] = [];
  kit.subscribe((e) => {
    events.push(e);
  });
  const actor = system('test-seed');
  let n = 0;
  const fresh = (prefix: string): string => `${prefix}-${++n}`;

  const seed: Seeder = {
    user: (o = {}) => {
      const handle = o.handle ?? fresh('user');
      return unwrap(
        kit.registerUser(actor, {
          email: o.email ?? `${handle}@example.test`,
          displayName: o.displayName ?? handle,
          handle,
          ...(o.planId ? { planId: o.planId } : {}),
        }),
        'user',
      );
    },
    organization: async (o = {}) => {
      const owner = o.owner ?? (await seed.user());
      const account = await unwrap(
        kit.createOrganization(actor, {
          handle: o.handle ?? fresh('org'),
          displayName: o.handle ?? 'Organization',
          ownerUserId: owner.user.id,
          ...(o.planId ? { planId: o.planId } : {}),
        }),
        'organization',
      );
      const members: { user: RegisteredUser; role: AccountRole }[] = [];
      for (const m of o.members ?? []) {
        const spec = typeof m === 'string' ? { role: m } : m;
        const user = spec.user ?? (await seed.user());
        await unwrap(kit.addMember(actor, { accountId: account.id, userId: user.user.id, role: spec.role }), 'member');
        members.push({ user, role: spec.role });
      }
      return { account, owner, members };
    },
    workspace: (accountId, o = {}) =>
      unwrap(
        kit.createWorkspace(actor, {
          accountId,
          handle: o.handle ?? fresh('ws'),
          ...(o.description !== undefined ? { description: o.description } : {}),
        }),
        'workspace',
      ),
    runs: async (workspaceId, o) => {
      const state = o.state ?? 'completed';
      const terminal = state === 'completed' || state === 'failed' || state === 'crashed' || state === 'cancelled';
      for (let start = 0; start < o.count; start += 1000) {
        const size = Math.min(1000, o.count - start);
        const resources = Array.from({ length: size }, (_, j) => {
          const i = start + j;
          const endedAt = typeof o.endedAt === 'function' ? o.endedAt(i) : o.endedAt;
          return {
            kind: o.kind ?? ('flow-run' as const),
            name: `run-${i}`,
            state,
            ...(terminal && endedAt !== undefined ? { endedAt } : {}),
          };
        });
        await unwrap(kit.trackResources(actor, { workspaceId, resources }), 'runs');
      }
      return o.count;
    },
    resources: async (workspaceId, counts) => {
      const resources = Object.entries(counts).flatMap(([kind, count]) =>
        Array.from({ length: count }, (_, i) => ({ kind: kind as ResourceKind, name: `${kind}-${i}` })),
      );
      let done = 0;
      for (let start = 0; start < resources.length; start += 1000) {
        const batch = resources.slice(start, start + 1000);
        await unwrap(kit.trackResources(actor, { workspaceId, resources: batch }), 'resources');
        done += batch.length;
      }
      return done;
    },
  };

  return { kit, store, clock, seed, events };
}

