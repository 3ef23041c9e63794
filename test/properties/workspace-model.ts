/**
 * The model-based property test of the foundation, parameterized by a store factory so every
 * storage adapter runs it (`workspace-model.memory.test.ts` runs it on the in-memory store).
 *
 * fast-check generates random sequences of createWorkspace / updateWorkspace (rename, edit
 * description, right or stale expectedVersion) / deleteWorkspace / changePlan over three
 * accounts (a personal account and two organizations), acting as owners, an admin, a member,
 * an outsider or the system principal, with handles drawn from a small pool (plus normalizing
 * variants and invalid ones) so collisions and reuse happen often. The reference model of
 * `test/support/reference-model.ts` predicts every outcome; after EVERY step we check:
 *
 * - the outcome is exactly the predicted one (ok, or the error code and its data) — which
 *   includes "a free valid handle is always accepted under the plan limit" and "a freed
 *   handle is reusable at once" (HDL-3), since the model predicts ok for both;
 * - HDL-1: no two live workspaces of one account share a handle, via `listWorkspaces` paged
 *   through every page and via the store snapshot when the adapter has one;
 * - PLAN-1 / PLAN-4: no account holds more workspaces than its current plan allows;
 * - WS-5: versions are exactly the model's (start at 1, +1 per real change);
 * - AUD-1: the audit log grew by exactly one event per successful command (with the right
 *   action, account, workspace and actor) and by none per failed one, counted both in the
 *   events published to subscribers and in the snapshot's audit log.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MemoryStoreSnapshot } from '../../src/adapters/memory/memory-store.js';
import type { AuditAction, AuditEvent } from '../../src/audit/audit-event.js';
import type { WorkspaceKitError } from '../../src/core/errors.js';
import { asUser, system, type Principal } from '../../src/core/principal.js';
import type { WorkspaceKit } from '../../src/kit/workspace-kit.js';
import type { Store } from '../../src/ports/store.js';
import { createTestKit } from '../../src/testing/test-kit.js';
import type { Result } from 'neverthrow';
import { codeOf, listAllWorkspaces, snapshotter, valueOf, type StoreFactory, type StoreRelease } from '../support/harness.js';
import {
  ReferenceModel,
  SPEC_PLANS,
  emptyStats,
  type ActorName,
  type Expected,
  type ModelAccount,
  type ModelStats,
  type UpdateRequest,
} from '../support/reference-model.js';

/** The system under test, as the commands see it. */
interface Real {
  readonly kit: WorkspaceKit;
  readonly events: readonly AuditEvent[];
  readonly snapshot: (() => MemoryStoreSnapshot) | null;
  readonly principals: Readonly<Record<ActorName, Principal>>;
}

type Cmd = fc.AsyncCommand<ReferenceModel, Real>;

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const PLAN_IDS = ['hobby', 'starter', 'team', 'pro', 'enterprise'] as const;
/** A small pool of valid handles, so collisions and reuse are frequent. */
const VALID_HANDLES = ['prod', 'dev', 'staging', 'qa', 'ml-1', 'x'] as const;
/** Inputs that normalize to a pooled handle (HDL-2: trimmed and lower-cased). */
const VARIANT_HANDLES = [' Prod ', 'DEV', 'Staging\t', '\u00a0QA', 'ML-1'] as const;
/** Inputs refused by HDL-2. */
const INVALID_HANDLES = ['a--b', '-x', 'x-', 'ÄB', '', '   ', 'has space', 'under_score', 'a'.repeat(41)] as const;

const handleArb = fc.oneof(
  { arbitrary: fc.constantFrom(...VALID_HANDLES), weight: 8 },
  { arbitrary: fc.constantFrom(...VARIANT_HANDLES), weight: 2 },
  { arbitrary: fc.constantFrom(...INVALID_HANDLES), weight: 1 },
);
const descriptionArb = fc.option(
  fc.constantFrom('', 'nightly', '  padded  ', 'x'.repeat(500), ` ${'y'.repeat(500)} `, 'z'.repeat(501)),
  { nil: undefined, freq: 2 },
);

/** Who acts, by the role it holds in the addressed account (resolved per account at run time). */
type Who = 'owner' | 'admin' | 'member' | 'outsider' | 'system';
const whoArb: fc.Arbitrary<Who> = fc.oneof(
  { arbitrary: fc.constant<Who>('owner'), weight: 8 },
  { arbitrary: fc.constant<Who>('admin'), weight: 2 },
  { arbitrary: fc.constant<Who>('system'), weight: 1 },
  { arbitrary: fc.constant<Who>('member'), weight: 1 },
  { arbitrary: fc.constant<Who>('outsider'), weight: 1 },
);
/** 0: alice's personal account, 1: organization acme, 2: organization beta, 3: an unknown id. */
const accountArb = fc.oneof({ arbitrary: fc.constantFrom(0, 1, 2), weight: 12 }, { arbitrary: fc.constant(3), weight: 1 });

type VersionMode = 'none' | 'current' | 'stale' | 'ahead' | 'zero';
const versionModeArb: fc.Arbitrary<VersionMode> = fc.oneof(
  { arbitrary: fc.constant<VersionMode>('none'), weight: 3 },
  { arbitrary: fc.constant<VersionMode>('current'), weight: 4 },
  { arbitrary: fc.constantFrom<VersionMode>('stale', 'ahead'), weight: 2 },
  { arbitrary: fc.constant<VersionMode>('zero'), weight: 1 },
);

function versionFor(mode: VersionMode, current: number | undefined): number | undefined {
  const v = current ?? 1;
  switch (mode) {
    case 'none':
      return undefined;
    case 'current':
      return v;
    case 'stale':
      return v > 1 ? v - 1 : v + 1;
    case 'ahead':
      return v + 1;
    case 'zero':
      return 0;
  }
}

function actorFor(who: Who, account: ModelAccount | null): ActorName {
  switch (who) {
    case 'owner':
      return account?.name === 'beta' ? 'bob' : 'alice';
    case 'admin':
      return 'carol';
    case 'member':
      return 'dave';
    case 'outsider':
      return 'eve';
    case 'system':
      return 'system';
  }
}

const GHOST_ACCOUNT_ID = 'acc_ghost';
const accountAt = (m: ReferenceModel, index: number): ModelAccount | null => m.accounts[index] ?? null;

// ---------------------------------------------------------------------------------------------
// Checks shared by every command
// ---------------------------------------------------------------------------------------------

/** The outcome equals the model's prediction: ok, or the exact code and the predicted fields. */
function expectPredicted(result: Result<unknown, WorkspaceKitError>, expected: Expected, command: string): void {
  const actual = codeOf(result);
  const detail = result.isErr() ? ` (${result.error.message})` : '';
  expect(actual, `${command}: got ${actual}${detail}`).toBe(expected.ok ? 'ok' : expected.code);
  if (!expected.ok && expected.fields && result.isErr()) {
    expect(result.error, command).toMatchObject(expected.fields);
  }
}

interface AuditMark {
  readonly published: number;
  readonly stored: number | null;
}

function markAudit(r: Real): AuditMark {
  return { published: r.events.length, stored: r.snapshot ? r.snapshot().audit.length : null };
}

/**
 * AUD-1: exactly one new event after a success (with the expected content), none after a
 * failure, both in what subscribers received and in the stored log.
 */
function expectAudit(
  r: Real,
  before: AuditMark,
  command: string,
  event: { action: AuditAction; accountId: string; workspaceId: string | null; actor: Principal } | null,
): void {
  const grew = event === null ? 0 : 1;
  expect(r.events.length - before.published, `${command}: published events`).toBe(grew);
  if (r.snapshot && before.stored !== null) {
    expect(r.snapshot().audit.length - before.stored, `${command}: stored audit events`).toBe(grew);
  }
  if (event !== null) {
    const last = r.events[r.events.length - 1]!;
    expect(last, command).toMatchObject({
      action: event.action,
      accountId: event.accountId,
      workspaceId: event.workspaceId,
      actor: event.actor,
    });
  }
}

/** Invariants checked after every step, against the model and the storage. */
async function expectInvariants(m: ReferenceModel, r: Real, command: string): Promise<void> {
  const checker = system('model-check');
  let modelTotal = 0;
  for (const account of m.accounts) {
    const expected = [...account.workspaces.values()]
      .sort((a, b) => (a.handle < b.handle ? -1 : 1))
      .map((w) => ({
        id: w.id,
        accountId: account.id,
        handle: w.handle,
        description: w.description,
        version: w.version,
        fullHandle: `${account.handle}/${w.handle}`,
      }));
    modelTotal += expected.length;
    // HDL-1 through the public API: paged listing, strictly ascending (so unique) handles.
    const listed = await listAllWorkspaces(r.kit, checker, account.id, 2);
    expect(
      listed.map((w) => ({
        id: w.id,
        accountId: w.accountId,
        handle: w.handle,
        description: w.description,
        version: w.version,
        fullHandle: w.fullHandle,
      })),
      `${command}: workspaces of ${account.name}`,
    ).toEqual(expected);
    // PLAN-1 (and PLAN-4: a downgrade never leaves the account above its limit).
    const max = SPEC_PLANS[account.plan]!.workspaces;
    if (max !== null) expect(listed.length, `${command}: PLAN-1 in ${account.name}`).toBeLessThanOrEqual(max);
    const stored = valueOf(await r.kit.getAccount(checker, { accountId: account.id }));
    expect({ planId: stored.planId, version: stored.version }, `${command}: account ${account.name}`).toEqual({
      planId: account.plan,
      version: account.version,
    });
  }
  if (r.snapshot) {
    const snap = r.snapshot();
    expect(snap.workspaces.length, `${command}: live workspaces in storage`).toBe(modelTotal);
    for (const account of m.accounts) {
      const mine = snap.workspaces.filter((w) => w.accountId === account.id);
      const handles = mine.map((w) => w.handle);
      expect(new Set(handles).size, `${command}: HDL-1 in the snapshot of ${account.name}: ${handles.join(',')}`).toBe(
        handles.length,
      );
      const planId = snap.accounts.find((a) => a.id === account.id)!.planId;
      const max = SPEC_PLANS[planId]!.workspaces;
      if (max !== null) expect(mine.length).toBeLessThanOrEqual(max);
    }
    expect(snap.audit.length, `${command}: AUD-1 stored events`).toBe(m.events);
  }
  expect(r.events.length, `${command}: AUD-1 published events`).toBe(m.events);
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

class CreateWorkspace implements Cmd {
  constructor(
    readonly who: Who,
    readonly accountIndex: number,
    readonly handle: string,
    readonly description: string | undefined,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: ReferenceModel, r: Real): Promise<void> {
    const account = accountAt(m, this.accountIndex);
    const actor = actorFor(this.who, account);
    const expected = m.predictCreate(account, actor, this.handle, this.description);
    const before = markAudit(r);
    const result = await r.kit.createWorkspace(r.principals[actor], {
      accountId: account?.id ?? GHOST_ACCOUNT_ID,
      handle: this.handle,
      ...(this.description !== undefined ? { description: this.description } : {}),
    });
    expectPredicted(result, expected, this.toString());
    m.noteRefusal(expected);
    if (result.isOk() && account) {
      const ws = m.applyCreate(account, result.value.id, this.handle, this.description);
      expect(result.value).toMatchObject({
        accountId: account.id,
        handle: ws.handle,
        description: ws.description,
        version: 1,
        fullHandle: `${account.handle}/${ws.handle}`,
      });
      expect(m.deletedIds).not.toContain(result.value.id);
      expectAudit(r, before, this.toString(), {
        action: 'workspace.created',
        accountId: account.id,
        workspaceId: ws.id,
        actor: r.principals[actor],
      });
    } else {
      expectAudit(r, before, this.toString(), null);
    }
    await expectInvariants(m, r, this.toString());
  }
  toString(): string {
    return `create(${this.who}@${this.accountIndex}, ${JSON.stringify(this.handle)}, ${JSON.stringify(this.description)})`;
  }
}

/** Addresses a workspace: mostly a live one of the account, sometimes a deleted or unknown id. */
interface TargetSpec {
  readonly accountIndex: number;
  readonly mode: 'live' | 'deleted' | 'unknown';
  readonly pick: number;
}

const targetArb: fc.Arbitrary<TargetSpec> = fc.record({
  accountIndex: fc.constantFrom(0, 1, 2),
  mode: fc.oneof(
    { arbitrary: fc.constant<'live'>('live'), weight: 8 },
    { arbitrary: fc.constantFrom<'deleted' | 'unknown'>('deleted', 'unknown'), weight: 1 },
  ),
  pick: fc.nat({ max: 7 }),
});

const describeTarget = (t: TargetSpec): string => `${t.mode}#${t.pick}`;

class UpdateWorkspace implements Cmd {
  constructor(
    readonly who: Who,
    readonly target: TargetSpec,
    readonly handle: string | undefined,
    readonly description: string | undefined,
    readonly versionMode: VersionMode,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: ReferenceModel, r: Real): Promise<void> {
    const account = accountAt(m, this.target.accountIndex);
    const target = m.resolve(account, this.target.mode, this.target.pick);
    const actor = actorFor(this.who, account);
    const req: UpdateRequest = {
      handle: this.handle,
      description: this.description,
      expectedVersion: versionFor(this.versionMode, target.workspace?.version),
    };
    const expected = m.predictUpdate(target, actor, req);
    const before = markAudit(r);
    const result = await r.kit.updateWorkspace(r.principals[actor], {
      workspaceId: target.id,
      ...(req.handle !== undefined ? { handle: req.handle } : {}),
      ...(req.description !== undefined ? { description: req.description } : {}),
      ...(req.expectedVersion !== undefined ? { expectedVersion: req.expectedVersion } : {}),
    });
    expectPredicted(result, expected, this.toString());
    m.noteRefusal(expected);
    if (result.isOk()) {
      m.applyUpdate(target, req);
      const ws = target.workspace!;
      expect(result.value).toMatchObject({ id: ws.id, handle: ws.handle, description: ws.description, version: ws.version });
      expectAudit(r, before, this.toString(), {
        action: 'workspace.updated',
        accountId: target.account!.id,
        workspaceId: ws.id,
        actor: r.principals[actor],
      });
    } else {
      expectAudit(r, before, this.toString(), null);
    }
    await expectInvariants(m, r, this.toString());
  }
  toString(): string {
    const t = this.target;
    return `update(${this.who}@${t.accountIndex}, ${describeTarget(t)}, handle=${JSON.stringify(this.handle)}, description=${JSON.stringify(this.description)}, version=${this.versionMode})`;
  }
}

class DeleteWorkspace implements Cmd {
  constructor(
    readonly who: Who,
    readonly target: TargetSpec,
    readonly versionMode: VersionMode,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: ReferenceModel, r: Real): Promise<void> {
    const account = accountAt(m, this.target.accountIndex);
    const target = m.resolve(account, this.target.mode, this.target.pick);
    const actor = actorFor(this.who, account);
    const expectedVersion = versionFor(this.versionMode, target.workspace?.version);
    const expected = m.predictDelete(target, actor, expectedVersion);
    const before = markAudit(r);
    const result = await r.kit.deleteWorkspace(r.principals[actor], {
      workspaceId: target.id,
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    });
    expectPredicted(result, expected, this.toString());
    m.noteRefusal(expected);
    if (result.isOk()) {
      const ws = target.workspace!;
      expect(result.value.workspace).toMatchObject({ id: ws.id, handle: ws.handle, version: ws.version });
      expect(result.value.totalResources).toBe(0);
      m.applyDelete(target);
      expectAudit(r, before, this.toString(), {
        action: 'workspace.deleted',
        accountId: target.account!.id,
        workspaceId: ws.id,
        actor: r.principals[actor],
      });
      // The deleted workspace is gone for everyone, even the system principal.
      expect(codeOf(await r.kit.getWorkspace(system(), { workspaceId: ws.id }))).toBe('NOT_FOUND');
    } else {
      expectAudit(r, before, this.toString(), null);
    }
    await expectInvariants(m, r, this.toString());
  }
  toString(): string {
    const t = this.target;
    return `delete(${this.who}@${t.accountIndex}, ${describeTarget(t)}, version=${this.versionMode})`;
  }
}

class ChangePlan implements Cmd {
  constructor(
    readonly who: Who,
    readonly accountIndex: number,
    readonly planId: string,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: ReferenceModel, r: Real): Promise<void> {
    const account = accountAt(m, this.accountIndex);
    const actor = actorFor(this.who, account);
    const expected = m.predictChangePlan(account, actor, this.planId);
    const before = markAudit(r);
    const result = await r.kit.changePlan(r.principals[actor], { accountId: account?.id ?? GHOST_ACCOUNT_ID, planId: this.planId });
    expectPredicted(result, expected, this.toString());
    m.noteRefusal(expected);
    if (result.isOk() && account) {
      m.applyChangePlan(account, this.planId);
      expect(result.value).toMatchObject({ id: account.id, planId: account.plan, version: account.version });
      expectAudit(r, before, this.toString(), {
        action: 'account.plan-changed',
        accountId: account.id,
        workspaceId: null,
        actor: r.principals[actor],
      });
    } else {
      expectAudit(r, before, this.toString(), null);
    }
    await expectInvariants(m, r, this.toString());
  }
  toString(): string {
    return `changePlan(${this.who}@${this.accountIndex}, ${JSON.stringify(this.planId)})`;
  }
}

const commandArbs: fc.Arbitrary<Cmd>[] = [
  fc
    .tuple(whoArb, accountArb, handleArb, descriptionArb)
    .map(([who, account, handle, description]) => new CreateWorkspace(who, account, handle, description)),
  fc
    .tuple(whoArb, accountArb, handleArb, descriptionArb)
    .map(([who, account, handle, description]) => new CreateWorkspace(who, account, handle, description)),
  fc
    .tuple(
      whoArb,
      targetArb,
      fc.option(handleArb, { nil: undefined }),
      fc.option(fc.constantFrom('', 'renamed', ' edited ', 'z'.repeat(501)), { nil: undefined }),
      versionModeArb,
    )
    .map(([who, target, handle, description, mode]) => new UpdateWorkspace(who, target, handle, description, mode)),
  fc
    .tuple(whoArb, targetArb, fc.option(handleArb, { nil: undefined, freq: 5 }), fc.constant(undefined), versionModeArb)
    .map(([who, target, handle, description, mode]) => new UpdateWorkspace(who, target, handle, description, mode)),
  fc.tuple(whoArb, targetArb, versionModeArb).map(([who, target, mode]) => new DeleteWorkspace(who, target, mode)),
  fc
    .tuple(
      whoArb,
      accountArb,
      fc.oneof(
        { arbitrary: fc.constantFrom(...PLAN_IDS), weight: 8 },
        { arbitrary: fc.constantFrom('platinum', 'toString', '__proto__', '', 'p'.repeat(65)), weight: 1 },
      ),
    )
    .map(([who, account, planId]) => new ChangePlan(who, account, planId)),
];

// ---------------------------------------------------------------------------------------------
// Setup and the property
// ---------------------------------------------------------------------------------------------

interface InitialPlans {
  readonly alice: string;
  readonly acme: string;
  readonly beta: string;
}

/** acme has 3 seats (hobby allows 2), beta 2: every plan fits beta, all but hobby fit acme. */
const initialPlansArb: fc.Arbitrary<InitialPlans> = fc.record({
  alice: fc.constantFrom(...PLAN_IDS),
  acme: fc.constantFrom('starter', 'team', 'pro', 'enterprise'),
  beta: fc.constantFrom(...PLAN_IDS),
});

async function setup(store: Store, plans: InitialPlans): Promise<{ model: ReferenceModel; real: Real }> {
  const { kit, seed, events } = createTestKit({ store });
  const alice = await seed.user({ handle: 'alice', planId: plans.alice });
  const bob = await seed.user({ handle: 'bob' });
  const carol = await seed.user({ handle: 'carol' });
  const dave = await seed.user({ handle: 'dave' });
  const eve = await seed.user({ handle: 'eve' });
  const acme = await seed.organization({
    handle: 'acme',
    planId: plans.acme,
    owner: alice,
    members: [
      { user: carol, role: 'admin' },
      { user: dave, role: 'member' },
    ],
  });
  const beta = await seed.organization({ handle: 'beta', planId: plans.beta, owner: bob, members: [{ user: dave, role: 'member' }] });
  const accounts: ModelAccount[] = [
    {
      name: 'alice',
      id: alice.account.id,
      handle: 'alice',
      kind: 'personal',
      plan: plans.alice,
      version: alice.account.version,
      seats: 0,
      roles: new Map([['alice', 'owner']]),
      workspaces: new Map(),
    },
    {
      name: 'acme',
      id: acme.account.id,
      handle: 'acme',
      kind: 'organization',
      plan: plans.acme,
      version: acme.account.version,
      seats: 3,
      roles: new Map([
        ['alice', 'owner'],
        ['carol', 'admin'],
        ['dave', 'member'],
      ]),
      workspaces: new Map(),
    },
    {
      name: 'beta',
      id: beta.account.id,
      handle: 'beta',
      kind: 'organization',
      plan: plans.beta,
      version: beta.account.version,
      seats: 2,
      roles: new Map([
        ['bob', 'owner'],
        ['dave', 'member'],
      ]),
      workspaces: new Map(),
    },
  ];
  const real: Real = {
    kit,
    events,
    snapshot: snapshotter(store),
    principals: {
      alice: asUser(alice.user.id),
      bob: asUser(bob.user.id),
      carol: asUser(carol.user.id),
      dave: asUser(dave.user.id),
      eve: asUser(eve.user.id),
      system: system('model-run'),
    },
  };
  return { model: new ReferenceModel(accounts, events.length), real };
}

/** Options of {@link workspaceModelProperty}. */
export interface WorkspaceModelOptions {
  readonly numRuns?: number;
  readonly maxCommands?: number;
  readonly seed?: number;
  /** Called with each store once its run is over. */
  readonly release?: StoreRelease;
}

function addStats(into: ModelStats, from: ModelStats): void {
  for (const key of Object.keys(into) as (keyof ModelStats)[]) into[key] += from[key];
}

/**
 * Runs the model-based property against stores made by `makeStore` (a fresh store per run).
 * Returns how often each interesting path was taken, summed over all runs.
 */
export async function workspaceModelProperty(makeStore: StoreFactory, options: WorkspaceModelOptions = {}): Promise<ModelStats> {
  const totals = emptyStats();
  await fc.assert(
    fc.asyncProperty(
      initialPlansArb,
      fc.commands(commandArbs, { maxCommands: options.maxCommands ?? 40, size: 'max' }),
      async (plans, cmds) => {
        let model: ReferenceModel | undefined;
        let store: Store | undefined;
        try {
          await fc.asyncModelRun(async () => {
            store = await makeStore();
            const s = await setup(store, plans);
            model = s.model;
            return s;
          }, cmds);
          if (model) addStats(totals, model.stats);
        } finally {
          if (store && options.release) await options.release(store);
        }
      },
    ),
    { numRuns: options.numRuns ?? 150, ...(options.seed !== undefined ? { seed: options.seed } : {}) },
  );
  return totals;
}

/**
 * Registers the model-based test for one adapter. Also asserts that the random runs did hit
 * handle reuse, collisions, plan limits, blocked downgrades and version conflicts, so the
 * property cannot pass vacuously.
 */
export function describeWorkspaceModel(adapter: string, makeStore: StoreFactory, options: WorkspaceModelOptions = {}): void {
  describe(`workspace model on the ${adapter} store`, () => {
    it('HDL-1 HDL-3 PLAN-1 PLAN-4 WS-5 AUD-1 random command sequences match the reference model after every step', async () => {
      const stats = await workspaceModelProperty(makeStore, options);
      expect(stats.createdWithFreeHandle).toBeGreaterThan(0);
      expect(stats.reusedFreedHandle, 'HDL-3 reuse was exercised').toBeGreaterThan(0);
      expect(stats.handleTaken, 'HDL-1 collisions were exercised').toBeGreaterThan(0);
      expect(stats.planLimitReached, 'PLAN-1 limits were exercised').toBeGreaterThan(0);
      expect(stats.downgradeBlocked, 'PLAN-4 blocked downgrades were exercised').toBeGreaterThan(0);
      expect(stats.conflicts, 'WS-5 conflicts were exercised').toBeGreaterThan(0);
      expect(stats.renames).toBeGreaterThan(0);
      expect(stats.deletes).toBeGreaterThan(0);
      expect(stats.refusedForRole).toBeGreaterThan(0);
    });
  });
}
