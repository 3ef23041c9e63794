/**
 * "The plan is the truth" (XFER-4, XFER-5, XFER-6, RET-1): a property test of the
 * TransferPlanner, parameterized by a store factory so every storage adapter runs it
 * (`transfer-model.memory.test.ts` on the in-memory store, the Kysely runners on SQLite and
 * PostgreSQL).
 *
 * fast-check builds a random world: a source (personal or organization) and a target
 * (organization, personal, or the source itself), each on a random plan (accounts are built on
 * `enterprise` and then changed to their plan, so custom-role grants and non-Developer grants
 * also exist under plans without custom roles or workspace RBAC); custom roles in both with
 * names that sometimes coincide (`deployer`, `auditor`, `ops`), inheriting a built-in role or
 * not, their scopes sometimes a superset of a built-in role; random members of both sides with
 * random account roles; grants (built-in and custom roles) to users and service accounts; a
 * default role; API keys (live, expired, revoked, rotated with an overlap, expiring later);
 * pending workspace invitations (some past their expiry) and an account invitation; runs that
 * ended far before, just before, exactly at, just after and after the target's retention
 * cutoff, runs that have not ended, subflows whose parent is pruned and not; other resources;
 * other workspaces in the target (sometimes holding the handle) and in the source; sometimes
 * another open transfer request; and an actor holding both sides, only the source, or the
 * system principal (support).
 *
 * The actor plans; the clock moves (up to 23 h); then the plan is carried out as the kit
 * allows: executed in one step, or requested and approved by the target's owner, or, between
 * two personal accounts, refused with TRANSFER_REQUIRES_SUPPORT, requested, and approved by
 * support. Everything is observed before and after through the kit as the system principal
 * (explainAccess per principal, listWorkspaceAccess, listInvitations, listApiKeys,
 * listWorkspaces, getWorkspace) plus the ids of the workspace's tracked resources (the runner
 * reads those past the kit). Then:
 *
 * - blockers are exactly the ones the observed world has (same account, handle taken, limit,
 *   open request, personal → personal without support) and `approvalNeeded` matches the
 *   actor's rights; with blockers, executing (and requesting) is refused with the right code
 *   and changes nothing (observations, the runner's dump of every row, no audit event);
 * - otherwise what changed is exactly what the plan lists, nothing more, nothing less: users,
 *   service accounts and API keys that lost access (had ≥ 1 scope before, none after; a
 *   listed key still resolves to its principal, which sees nothing); grants removed and grants
 *   remapped (exact roles), no grant added; the default role; invitations cancelled (status
 *   `revoked`), no other invitation touched; runs removed — exactly those that ended strictly
 *   before the cutoff (plannedAt − the target's retention days), running runs, later runs and
 *   other resources kept, parents and subflows independently; the source's other workspace
 *   untouched; workspace counts source −1, target +1 as the plan says; the full handle is
 *   `plan.impacts.handle.to`, resolvable, and unique in the target;
 * - RET-2 afterwards: a new plan counts exactly the runs left that ended before its cutoff
 *   (the adapters' per-day run counts followed the deletions; some worlds hold 999–2001 runs
 *   due, across the pruning batch of 1000), and `pruneRuns` on the target removes exactly the
 *   runs left that are due by then; the kept grants are recorded in the target;
 * - XFER-6: the transfer recorded exactly two events, `workspace.transferred-out` in the
 *   source and `workspace.transferred-in` in the target; the source's log has nothing about
 *   the workspace after it; a later command about the workspace lands in the target's log;
 * - on the in-memory store, the deep snapshot proves nothing else moved (users, accounts,
 *   memberships, roles, service accounts, API keys, other workspaces, their grants and
 *   invitations, every kept resource byte for byte), and the stored audit log equals the
 *   published one.
 */
import fc from 'fast-check';
import type { Result } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import type { AccountRole } from '../../src/account/account.js';
import { DEFAULT_PLANS, type PlanCatalog } from '../../src/account/plans.js';
import type { MemoryStoreSnapshot } from '../../src/adapters/memory/memory-store.js';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import type { ManualClock } from '../../src/core/clock.js';
import type { ErrorCode, WorkspaceKitError } from '../../src/core/errors.js';
import { asServiceAccount, asUser, system, type Grantee, type Principal } from '../../src/core/principal.js';
import type { KitResult, WorkspaceKit } from '../../src/kit/workspace-kit.js';
import type { Store } from '../../src/ports/store.js';
import { BUILT_IN_ROLE_SCOPES, type BuiltInRole } from '../../src/role/built-in-roles.js';
import type { WorkspaceScope } from '../../src/role/scopes.js';
import { createTestKit } from '../../src/testing/test-kit.js';
import type { TransferPlan } from '../../src/transfer-planner/plan.js';
import type { ResourceKind, RunState } from '../../src/workspace/resource.js';
import { codeOf, listAllWorkspaces, snapshotter, valueOf, type StoreFactory, type StoreRelease } from '../support/harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = '2026-03-01T00:00:00.000Z';
const CHECKER = system('transfer-check');
const SUPPORT = system('support');
const SEED = system('transfer-seed');

/** The default catalog with more seats, so seeding random members rarely hits a seat limit. */
const TEST_PLANS: PlanCatalog = Object.freeze(
  Object.fromEntries(
    Object.entries(DEFAULT_PLANS).map(([id, p]) => [id, { ...p, limits: { ...p.limits, seats: p.limits.seats === null ? null : 40 } }]),
  ),
);

// ---------------------------------------------------------------------------------------------
// The world, as generated
// ---------------------------------------------------------------------------------------------

const PLAN_IDS = ['hobby', 'starter', 'team', 'pro', 'enterprise'] as const;
type PlanId = (typeof PLAN_IDS)[number];
const BUILT_INS = ['owner', 'developer', 'runner', 'viewer', 'worker'] as const satisfies readonly BuiltInRole[];
const ROLE_NAMES = ['deployer', 'auditor', 'ops'] as const;
/** Scopes a custom role may add on top of what it inherits or copies. */
const EXTRA_SCOPES = [
  'see_workspace',
  'see_flows',
  'see_flow_runs',
  'run_deployments',
  'manage_deployments',
  'see_secret_blocks',
  'write_worker_heartbeats',
  'manage_workspace_users',
  'transfer_workspace',
] as const satisfies readonly WorkspaceScope[];

type RolePick = { readonly builtIn: BuiltInRole } | { readonly custom: number };
interface RoleSpec {
  readonly name: string;
  readonly inherits: BuiltInRole | null;
  /** A built-in role whose scopes the role copies (so the largest built-in within it is known). */
  readonly copies: BuiltInRole | null;
  readonly extra: readonly WorkspaceScope[];
}
type KeyKind = 'live' | 'expired' | 'revoked' | 'rotated' | 'expiring-later';
interface UserSpec {
  readonly sourceRole: AccountRole | null;
  readonly targetRole: AccountRole | null;
  readonly grant: RolePick | null;
  readonly keys: readonly KeyKind[];
}
interface RunSpec {
  readonly kind: 'flow-run' | 'task-run';
  readonly state: RunState;
  /** Terminal runs: where the end lies relative to the target's retention cutoff, in ms. */
  readonly offset: number;
  /** An earlier run of the list that is this run's parent (subflows, task runs). */
  readonly parent: number | null;
}
interface InvitationSpec {
  /** Index of one of the other users, or `null` for an email without a user. */
  readonly invitee: number | null;
  readonly role: RolePick;
  readonly expired: boolean;
}
export interface WorldSpec {
  readonly sourceKind: 'personal' | 'organization';
  readonly sourcePlan: PlanId;
  readonly target: 'organization' | 'personal' | 'same';
  readonly targetPlan: PlanId;
  readonly actor: 'both' | 'source-only' | 'system';
  /** With `both`: whether the source's owner also administers the target, or the reverse. */
  readonly bothVia: 'source-owner' | 'target-owner';
  /** The source owner's role in a target organization when it acts on the source side only. */
  readonly u0TargetRole: 'member' | null;
  readonly u0TargetAdminRole: 'owner' | 'admin';
  /** The target's owner (u1) on the source side. */
  readonly u1: UserSpec;
  readonly u0Keys: readonly KeyKind[];
  readonly others: readonly UserSpec[];
  readonly sourceRoles: readonly RoleSpec[];
  readonly targetRoles: readonly RoleSpec[];
  readonly serviceAccounts: readonly { readonly grant: RolePick | null; readonly keys: readonly KeyKind[] }[];
  readonly defaultRole: RolePick | null;
  readonly invitations: readonly InvitationSpec[];
  readonly accountInvitation: boolean;
  readonly runs: readonly RunSpec[];
  /** Many runs that ended before the cutoff, around the pruning batch size (1000). */
  readonly bulk: number;
  readonly otherResources: readonly ResourceKind[];
  readonly targetWorkspaces: readonly string[];
  readonly sourceOtherWorkspace: boolean;
  readonly newHandle: string | null;
  readonly pendingRequest: boolean;
  readonly delay: number;
  readonly approvalDelay: number;
}

const WORKSPACE_HANDLE = 'etl';
const TARGET_HANDLES = ['etl', 'prod', 'ml', 'dev'] as const;
const NEW_HANDLES = ['prod', 'etl-2', 'ml'] as const;
const TERMINAL: readonly RunState[] = ['completed', 'failed', 'crashed', 'cancelled'];
const NOT_ENDED: readonly RunState[] = ['scheduled', 'pending', 'running', 'paused'];
/** Ends around the cutoff: far before, a day before, 1 ms before, exactly at, 1 ms after, later. */
const OFFSETS = [-400 * DAY, -30 * DAY, -DAY, -1, 0, 0, 1, HOUR, 3 * DAY] as const;

const rolePickArb = (customs: number): fc.Arbitrary<RolePick> =>
  customs === 0
    ? fc.constantFrom(...BUILT_INS).map((builtIn) => ({ builtIn }))
    : fc.oneof(
        { arbitrary: fc.constantFrom(...BUILT_INS).map((builtIn): RolePick => ({ builtIn })), weight: 3 },
        { arbitrary: fc.integer({ min: 0, max: customs - 1 }).map((custom): RolePick => ({ custom })), weight: 2 },
      );
const keyKindsArb = fc.array(fc.constantFrom<KeyKind>('live', 'live', 'expired', 'revoked', 'rotated', 'expiring-later'), { maxLength: 2 });
const accountRoleArb = fc.constantFrom<AccountRole | null>(null, null, 'member', 'member', 'admin', 'owner');
const roleSpecsArb = fc
  .uniqueArray(fc.constantFrom(...ROLE_NAMES), { maxLength: 3 })
  .chain((names) =>
    fc.tuple(
      ...names.map((name) =>
        fc.record({
          name: fc.constant(name),
          inherits: fc.option(fc.constantFrom(...BUILT_INS), { nil: null }),
          copies: fc.option(fc.constantFrom(...BUILT_INS), { nil: null }),
          extra: fc.subarray([...EXTRA_SCOPES], { maxLength: 3 }),
        }),
      ),
    ),
  )
  .map((roles): RoleSpec[] => roles);
const userSpecArb = (customs: number): fc.Arbitrary<UserSpec> =>
  fc.record({
    sourceRole: accountRoleArb,
    targetRole: accountRoleArb,
    grant: fc.option(rolePickArb(customs), { nil: null, freq: 3 }),
    keys: keyKindsArb,
  });
const runArb = (index: number): fc.Arbitrary<RunSpec> =>
  fc.record({
    kind: fc.constantFrom<'flow-run' | 'task-run'>('flow-run', 'flow-run', 'task-run'),
    state: fc.oneof({ arbitrary: fc.constantFrom(...TERMINAL), weight: 4 }, { arbitrary: fc.constantFrom(...NOT_ENDED), weight: 1 }),
    offset: fc.constantFrom(...OFFSETS),
    parent: index === 0 ? fc.constant(null) : fc.option(fc.integer({ min: 0, max: index - 1 }), { nil: null, freq: 2 }),
  });

export const worldArb: fc.Arbitrary<WorldSpec> = fc
  .record({ sourceRoles: roleSpecsArb, targetRoles: roleSpecsArb, runCount: fc.integer({ min: 0, max: 9 }) })
  .chain(({ sourceRoles, targetRoles, runCount }) =>
    fc.record({
      sourceKind: fc.constantFrom<WorldSpec['sourceKind']>('personal', 'organization'),
      sourcePlan: fc.constantFrom(...PLAN_IDS),
      target: fc.oneof(
        { arbitrary: fc.constantFrom<WorldSpec['target']>('organization', 'personal'), weight: 12 },
        { arbitrary: fc.constant<WorldSpec['target']>('same'), weight: 1 },
      ),
      targetPlan: fc.constantFrom<PlanId>(...PLAN_IDS, 'enterprise'),
      actor: fc.oneof(
        { arbitrary: fc.constant<WorldSpec['actor']>('both'), weight: 4 },
        { arbitrary: fc.constant<WorldSpec['actor']>('source-only'), weight: 3 },
        { arbitrary: fc.constant<WorldSpec['actor']>('system'), weight: 1 },
      ),
      bothVia: fc.constantFrom<WorldSpec['bothVia']>('source-owner', 'target-owner'),
      u0TargetRole: fc.constantFrom<'member' | null>('member', null),
      u0TargetAdminRole: fc.constantFrom<'owner' | 'admin'>('owner', 'admin'),
      u1: userSpecArb(sourceRoles.length),
      u0Keys: keyKindsArb,
      others: fc.array(userSpecArb(sourceRoles.length), { minLength: 2, maxLength: 4 }),
      sourceRoles: fc.constant(sourceRoles),
      targetRoles: fc.constant(targetRoles),
      serviceAccounts: fc.array(fc.record({ grant: fc.option(rolePickArb(sourceRoles.length), { nil: null, freq: 4 }), keys: keyKindsArb }), {
        maxLength: 2,
      }),
      defaultRole: fc.option(rolePickArb(sourceRoles.length), { nil: null, freq: 2 }),
      invitations: fc.array(
        fc.record({
          invitee: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
          role: rolePickArb(sourceRoles.length),
          expired: fc.boolean(),
        }),
        { maxLength: 3 },
      ),
      accountInvitation: fc.boolean(),
      runs: fc.tuple(...Array.from({ length: runCount }, (_, i) => runArb(i))).map((runs): RunSpec[] => runs),
      bulk: fc.oneof({ arbitrary: fc.constant(0), weight: 24 }, { arbitrary: fc.constantFrom(999, 1000, 1001, 2001), weight: 1 }),
      otherResources: fc.subarray<ResourceKind>(['deployment', 'block', 'work-pool', 'log', 'artifact'], { maxLength: 3 }),
      targetWorkspaces: fc.uniqueArray(fc.constantFrom(...TARGET_HANDLES), { maxLength: 3 }),
      sourceOtherWorkspace: fc.boolean(),
      newHandle: fc.option(fc.constantFrom(...NEW_HANDLES), { nil: null, freq: 2 }),
      pendingRequest: fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, { arbitrary: fc.constant(true), weight: 1 }),
      delay: fc.constantFrom(0, 1, HOUR, 12 * HOUR),
      approvalDelay: fc.constantFrom(0, HOUR, 11 * HOUR),
    }),
  );

// ---------------------------------------------------------------------------------------------
// Building the world through the kit
// ---------------------------------------------------------------------------------------------

interface Person {
  readonly name: string;
  readonly id: string;
  readonly email: string;
  readonly personalAccountId: string;
}

interface KeyInfo {
  readonly owner: Grantee;
  readonly secret: string;
}

interface World {
  readonly kit: WorkspaceKit;
  readonly clock: ManualClock;
  readonly events: readonly AuditEvent[];
  readonly snapshot: (() => MemoryStoreSnapshot) | null;
  readonly sourceId: string;
  readonly targetId: string;
  readonly workspaceId: string;
  readonly otherWorkspaceId: string | null;
  readonly people: readonly Person[];
  readonly serviceAccounts: readonly string[];
  readonly keys: ReadonlyMap<string, KeyInfo>;
  /** The main workspace's runs as tracked: id and end. */
  readonly runs: readonly { readonly id: string; readonly endedAt: string | null; readonly parent: string | null }[];
  readonly actor: Principal;
  /** Who approves a request awaiting the target. */
  readonly approver: Principal;
  readonly pendingRequestId: string | null;
  readonly newHandle: string | undefined;
}

/** Runs a seeding command; a refusal just leaves the world with less in it. */
async function attempt<T>(result: KitResult<T>): Promise<T | null> {
  const r = await result;
  return r.isOk() ? r.value : null;
}

function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

async function build(spec: WorldSpec, store: Store): Promise<World> {
  const tk = createTestKit({ store, plans: TEST_PLANS, start: START });
  const { kit, clock } = tk;
  const register = async (name: string): Promise<Person> => {
    const r = valueOf(await kit.registerUser(SEED, { email: `${name}@example.test`, displayName: name, handle: name, planId: 'enterprise' }));
    return { name, id: r.user.id, email: r.user.email, personalAccountId: r.account.id };
  };
  const people: Person[] = [];
  for (const name of ['u0', 'u1', ...spec.others.map((_, i) => `u${i + 2}`)]) people.push(await register(name));
  const u0 = people[0]!;
  const u1 = people[1]!;
  const others = people.slice(2);

  const createOrg = async (handle: string, owner: Person) =>
    valueOf(await kit.createOrganization(SEED, { handle, displayName: handle, ownerUserId: owner.id, planId: 'enterprise' })).id;
  const sourceId = spec.sourceKind === 'personal' ? u0.personalAccountId : await createOrg('src', u0);
  const targetId =
    spec.target === 'same' ? sourceId : spec.target === 'personal' ? u1.personalAccountId : await createOrg('dst', u1);
  const sourceIsOrg = spec.sourceKind === 'organization';
  const targetIsOrg = spec.target === 'organization';

  // Who acts: decides a few memberships.
  let actor: Principal;
  let u1SourceRole = spec.u1.sourceRole;
  let u0TargetRole: AccountRole | null = spec.u0TargetRole;
  if (spec.actor === 'system') {
    actor = SUPPORT;
  } else if (spec.actor === 'source-only' || spec.target === 'same') {
    actor = asUser(u0.id);
  } else if ((spec.bothVia === 'source-owner' || !sourceIsOrg) && targetIsOrg) {
    actor = asUser(u0.id);
    u0TargetRole = spec.u0TargetAdminRole;
  } else if (sourceIsOrg) {
    actor = asUser(u1.id);
    u1SourceRole = 'admin';
  } else {
    actor = asUser(u0.id); // personal → personal: the owner asks; support must approve
  }
  if (sourceIsOrg) {
    if (u1SourceRole !== null && spec.target !== 'same') await attempt(kit.addMember(SEED, { accountId: sourceId, userId: u1.id, role: u1SourceRole }));
    for (const [i, o] of spec.others.entries()) {
      if (o.sourceRole !== null) await attempt(kit.addMember(SEED, { accountId: sourceId, userId: others[i]!.id, role: o.sourceRole }));
    }
  }
  if (targetIsOrg) {
    if (u0TargetRole !== null) await attempt(kit.addMember(SEED, { accountId: targetId, userId: u0.id, role: u0TargetRole }));
    for (const [i, o] of spec.others.entries()) {
      if (o.targetRole !== null) await attempt(kit.addMember(SEED, { accountId: targetId, userId: others[i]!.id, role: o.targetRole }));
    }
  }

  // Custom roles (built on enterprise; the plans change afterwards).
  const roleSpecScopes = (r: RoleSpec): WorkspaceScope[] => {
    const scopes = new Set<WorkspaceScope>(r.extra);
    if (r.copies !== null) for (const s of BUILT_IN_ROLE_SCOPES[r.copies]) scopes.add(s);
    if (scopes.size === 0 && r.inherits === null) scopes.add('see_flows');
    return [...scopes];
  };
  const sourceRoleIds: (string | null)[] = [];
  for (const r of spec.sourceRoles) {
    const made = await attempt(kit.createCustomRole(SEED, { accountId: sourceId, name: r.name, scopes: roleSpecScopes(r), inherits: r.inherits }));
    sourceRoleIds.push(made?.id ?? null);
  }
  if (spec.target !== 'same') {
    for (const r of spec.targetRoles) {
      await attempt(kit.createCustomRole(SEED, { accountId: targetId, name: r.name, scopes: roleSpecScopes(r), inherits: r.inherits }));
    }
  }
  const refOf = (pick: RolePick): string => ('builtIn' in pick ? pick.builtIn : (sourceRoleIds[pick.custom] ?? 'developer'));

  const workspaceId = valueOf(await kit.createWorkspace(SEED, { accountId: sourceId, handle: WORKSPACE_HANDLE })).id;

  // Grants: shared in an organization, collaborations accepted in a personal account.
  const grantTo = async (person: Person, pick: RolePick) => {
    if (sourceIsOrg) {
      await attempt(kit.shareWorkspace(SEED, { workspaceId, grantee: asUser(person.id), role: refOf(pick) }));
      return;
    }
    const issued = await attempt(kit.inviteCollaborator(SEED, { workspaceId, email: person.email, role: refOf(pick) }));
    if (issued) await attempt(kit.acceptInvitation(SEED, { token: issued.token.reveal() }));
  };
  if (spec.u1.grant !== null && spec.target !== 'same') await grantTo(u1, spec.u1.grant);
  for (const [i, o] of spec.others.entries()) if (o.grant !== null) await grantTo(others[i]!, o.grant);
  if (sourceIsOrg && spec.defaultRole !== null) {
    await attempt(kit.setDefaultWorkspaceRole(SEED, { workspaceId, role: refOf(spec.defaultRole) }));
  }
  const serviceAccounts: string[] = [];
  const saKeys: [string, readonly KeyKind[]][] = [];
  if (sourceIsOrg) {
    for (const [i, sa] of spec.serviceAccounts.entries()) {
      const made = await attempt(kit.createServiceAccount(SEED, { accountId: sourceId, name: `bot-${i}` }));
      if (!made) continue;
      serviceAccounts.push(made.id);
      saKeys.push([made.id, sa.keys]);
      if (sa.grant !== null) await attempt(kit.shareWorkspace(SEED, { workspaceId, grantee: asServiceAccount(made.id), role: refOf(sa.grant) }));
    }
  }

  // Pending invitations to the workspace (personal accounts invite collaborators), an account invitation.
  if (!sourceIsOrg) {
    for (const [k, inv] of spec.invitations.entries()) {
      const email = inv.invitee === null ? `guest-${k}@example.test` : (others[inv.invitee]?.email ?? `guest-${k}@example.test`);
      await attempt(kit.inviteCollaborator(SEED, { workspaceId, email, role: refOf(inv.role), expiresInDays: inv.expired ? 1 : 7 }));
    }
  } else if (spec.accountInvitation) {
    await attempt(kit.inviteMember(SEED, { accountId: sourceId, email: 'recruit@example.test', role: 'member' }));
  }

  // API keys.
  const keys = new Map<string, KeyInfo>();
  const makeKeys = async (owner: Grantee, kinds: readonly KeyKind[]) => {
    for (const [j, kind] of kinds.entries()) {
      const now = clock.now().getTime();
      const expiresAt = kind === 'expired' ? toIso(now + HOUR) : kind === 'expiring-later' ? toIso(now + 30 * DAY) : undefined;
      const who = owner.type === 'user' ? { userId: owner.userId } : { serviceAccountId: owner.serviceAccountId };
      const issued = await attempt(kit.createApiKey(SEED, { name: `key-${j}`, ...who, ...(expiresAt === undefined ? {} : { expiresAt }) }));
      if (!issued) continue;
      keys.set(issued.key.id, { owner, secret: issued.secret.reveal() });
      if (kind === 'revoked') await attempt(kit.revokeApiKey(SEED, { keyId: issued.key.id }));
      if (kind === 'rotated') {
        const rotated = await attempt(kit.rotateApiKey(SEED, { keyId: issued.key.id, overlapHours: 48 }));
        if (rotated) keys.set(rotated.key.id, { owner, secret: rotated.secret.reveal() });
      }
    }
  };
  await makeKeys(asUser(u0.id), spec.u0Keys);
  await makeKeys(asUser(u1.id), spec.u1.keys);
  for (const [i, o] of spec.others.entries()) await makeKeys(asUser(others[i]!.id), o.keys);
  for (const [id, kinds] of saKeys) await makeKeys(asServiceAccount(id), kinds);

  // The plans of the story.
  if (spec.sourcePlan !== 'enterprise') await attempt(kit.changePlan(SEED, { accountId: sourceId, planId: spec.sourcePlan }));
  if (spec.target !== 'same' && spec.targetPlan !== 'enterprise') {
    await attempt(kit.changePlan(SEED, { accountId: targetId, planId: spec.targetPlan }));
  }

  // Other workspaces: in the target (up to its limit; some hold the handle), one in the source.
  if (spec.target !== 'same') {
    for (const handle of spec.targetWorkspaces) await attempt(kit.createWorkspace(SEED, { accountId: targetId, handle }));
  }
  let otherWorkspaceId: string | null = null;
  if (spec.sourceOtherWorkspace) {
    const side = await attempt(kit.createWorkspace(SEED, { accountId: sourceId, handle: 'side' }));
    if (side) {
      otherWorkspaceId = side.id;
      await attempt(
        kit.trackResources(SEED, {
          workspaceId: side.id,
          resources: [
            { kind: 'flow-run', name: 'ancient', state: 'completed', endedAt: toIso(Date.parse(START) - 800 * DAY) },
            { kind: 'deployment', name: 'side-deployment' },
          ],
        }),
      );
    }
  }

  // Time passes: short invitations and keys expire; rotated keys are still in their overlap.
  clock.advance({ hours: 25 });

  // Runs around the target's retention cutoff at the time of planning (now).
  const targetPlanId = valueOf(await kit.getAccount(CHECKER, { accountId: targetId })).planId;
  const retentionDays = TEST_PLANS[targetPlanId]!.limits.retentionDays;
  const cutoff = clock.now().getTime() - retentionDays * DAY;
  const runs: { id: string; endedAt: string | null; parent: string | null }[] = [];
  for (const [i, run] of spec.runs.entries()) {
    const parent = run.parent === null ? null : (runs[run.parent]?.id ?? null);
    const endedAt = TERMINAL.includes(run.state) ? toIso(cutoff + run.offset) : null;
    const tracked = valueOf(
      await kit.trackResources(SEED, {
        workspaceId,
        resources: [
          {
            kind: run.kind,
            name: `run-${i}`,
            state: run.state,
            ...(endedAt === null ? {} : { endedAt }),
            ...(parent === null ? {} : { parentRunId: parent }),
          },
        ],
      }),
    );
    runs.push({ id: tracked[0]!.id, endedAt, parent });
  }
  for (let done = 0; done < spec.bulk; done += 1000) {
    const size = Math.min(1000, spec.bulk - done);
    const endedAt = toIso(cutoff - DAY - done);
    const batch = valueOf(
      await kit.trackResources(SEED, {
        workspaceId,
        resources: Array.from({ length: size }, (_, j) => ({ kind: 'task-run' as const, name: `bulk-${done + j}`, state: 'completed' as const, endedAt })),
      }),
    );
    for (const r of batch) runs.push({ id: r.id, endedAt, parent: null });
  }
  if (spec.otherResources.length > 0) {
    valueOf(await kit.trackResources(SEED, { workspaceId, resources: spec.otherResources.map((kind, i) => ({ kind, name: `${kind}-${i}` })) }));
  }

  // Another open transfer request of the workspace, to an organization the source owner does not administer.
  let pendingRequestId: string | null = null;
  if (spec.pendingRequest) {
    const stranger = await register('u9');
    people.push(stranger);
    const otherOrg = await createOrg('other', stranger);
    const asked = await kit.planTransfer(asUser(u0.id), { workspaceId, targetAccountId: otherOrg });
    if (asked.isOk() && asked.value.blockers.length === 0 && asked.value.approvalNeeded === 'target') {
      const request = await attempt(
        kit.requestTransfer(asUser(u0.id), { workspaceId, targetAccountId: otherOrg, fingerprint: asked.value.fingerprint, plannedAt: asked.value.plannedAt }),
      );
      pendingRequestId = request?.id ?? null;
    }
  }

  return {
    kit,
    clock,
    events: tk.events,
    snapshot: snapshotter(store),
    sourceId,
    targetId,
    workspaceId,
    otherWorkspaceId,
    people,
    serviceAccounts,
    keys,
    runs,
    actor,
    approver: spec.sourceKind === 'personal' && spec.target === 'personal' ? SUPPORT : asUser(u1.id),
    pendingRequestId,
    newHandle: spec.newHandle ?? undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Observing the world through the kit
// ---------------------------------------------------------------------------------------------

interface Observed {
  readonly workspace: { accountId: string; handle: string; fullHandle: string; defaultRole: string | null };
  /** Principal key → its effective scopes in the workspace. */
  readonly scopes: Readonly<Record<string, readonly string[]>>;
  /** Grantee key → role. */
  readonly grants: Readonly<Record<string, string>>;
  /** The accounts the workspace's grants are recorded in. */
  readonly grantAccounts: readonly string[];
  /** Invitation id → status (expiry applied). */
  readonly invitations: Readonly<Record<string, string>>;
  readonly keys: Readonly<Record<string, { owner: string; revokedAt: string | null; expiresAt: string | null }>>;
  /** Account id → workspace ids, through listWorkspaces. */
  readonly workspaces: Readonly<Record<string, readonly string[]>>;
  readonly targetHandles: readonly string[];
  readonly resources: readonly string[];
  readonly otherResources: readonly string[];
  readonly planIds: { source: string; target: string };
}

/** Reads the ids of a workspace's tracked resources past the kit (no kit query lists them). */
export type ResourceIdReader = (store: Store, workspaceId: string) => Promise<readonly string[]>;

function principalKeyOf(p: Grantee): string {
  return p.type === 'user' ? `user:${p.userId}` : `service-account:${p.serviceAccountId}`;
}

async function drain<T>(load: (cursor: string | undefined) => Promise<{ readonly items: readonly T[]; readonly nextCursor: string | null }>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 1000; guard += 1) {
    const page = await load(cursor);
    out.push(...page.items);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
  throw new Error('paging did not end');
}

function principalsOf(w: World): Grantee[] {
  return [
    ...w.people.map((p): Grantee => asUser(p.id)),
    ...w.serviceAccounts.map((id): Grantee => asServiceAccount(id)),
  ];
}

async function observe(w: World, store: Store, readIds: ResourceIdReader): Promise<Observed> {
  const { kit } = w;
  const ws = valueOf(await kit.getWorkspace(CHECKER, { workspaceId: w.workspaceId }));
  const scopes: Record<string, readonly string[]> = {};
  for (const p of principalsOf(w)) {
    scopes[principalKeyOf(p)] = valueOf(await kit.explainAccess(CHECKER, { workspaceId: w.workspaceId, principal: p })).scopes;
  }
  const grants: Record<string, string> = {};
  const listed = await drain(async (cursor) =>
    valueOf(await kit.listWorkspaceAccess(CHECKER, { workspaceId: w.workspaceId, limit: 50, ...(cursor === undefined ? {} : { cursor }) })),
  );
  for (const g of listed) grants[principalKeyOf(g.grantee)] = g.role;
  const grantAccounts = sorted(new Set(listed.map((g) => g.accountId)));
  const invitations: Record<string, string> = {};
  const invs = await drain(async (cursor) =>
    valueOf(await kit.listInvitations(CHECKER, { accountId: w.sourceId, limit: 50, ...(cursor === undefined ? {} : { cursor }) })),
  );
  for (const inv of invs) invitations[inv.id] = inv.status;
  const keys: Record<string, { owner: string; revokedAt: string | null; expiresAt: string | null }> = {};
  for (const p of principalsOf(w)) {
    const own = await drain(async (cursor) =>
      valueOf(
        await (p.type === 'user'
          ? kit.listApiKeys(p, { limit: 50, ...(cursor === undefined ? {} : { cursor }) })
          : kit.listApiKeys(CHECKER, { serviceAccountId: p.serviceAccountId, limit: 50, ...(cursor === undefined ? {} : { cursor }) })),
      ),
    );
    for (const k of own) keys[k.id] = { owner: principalKeyOf(k.owner), revokedAt: k.revokedAt, expiresAt: k.expiresAt };
  }
  const workspaces: Record<string, readonly string[]> = {};
  let targetHandles: string[] = [];
  for (const accountId of new Set([w.sourceId, w.targetId])) {
    const all = await listAllWorkspaces(kit, CHECKER, accountId, 3);
    workspaces[accountId] = all.map((x) => x.id).sort();
    if (accountId === w.targetId) targetHandles = all.filter((x) => x.id !== w.workspaceId).map((x) => x.handle);
  }
  const planOf = async (accountId: string) => valueOf(await kit.getAccount(CHECKER, { accountId })).planId;
  return {
    workspace: { accountId: ws.accountId, handle: ws.handle, fullHandle: ws.fullHandle, defaultRole: ws.defaultRole },
    scopes,
    grants,
    grantAccounts,
    invitations,
    keys,
    workspaces,
    targetHandles,
    resources: [...(await readIds(store, w.workspaceId))].sort(),
    otherResources: w.otherWorkspaceId === null ? [] : [...(await readIds(store, w.otherWorkspaceId))].sort(),
    planIds: { source: await planOf(w.sourceId), target: await planOf(w.targetId) },
  };
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

const sorted = <T>(xs: Iterable<T>): T[] => [...xs].sort();
const hasAccess = (o: Observed, key: string): boolean => (o.scopes[key]?.length ?? 0) > 0;

/** Coverage counters, summed over the runs and printed. */
export interface TransferStats {
  worlds: number;
  executed: number;
  viaRequest: number;
  viaSupport: number;
  blocked: Record<string, number>;
  usersLost: number;
  serviceAccountsLost: number;
  keysLost: number;
  grantsRemoved: number;
  grantsRemapped: number;
  customToCustom: number;
  defaultRoleChanged: number;
  invitationsCancelled: number;
  runsPruned: number;
  runsKeptAtCutoff: number;
  subflowsKeptParentPruned: number;
  handleChanged: number;
  bulkWorlds: number;
}

export function emptyStats(): TransferStats {
  return {
    worlds: 0,
    executed: 0,
    viaRequest: 0,
    viaSupport: 0,
    blocked: {},
    usersLost: 0,
    serviceAccountsLost: 0,
    keysLost: 0,
    grantsRemoved: 0,
    grantsRemapped: 0,
    customToCustom: 0,
    defaultRoleChanged: 0,
    invitationsCancelled: 0,
    runsPruned: 0,
    runsKeptAtCutoff: 0,
    subflowsKeptParentPruned: 0,
    handleChanged: 0,
    bulkWorlds: 0,
  };
}

interface Rights {
  readonly source: boolean;
  readonly target: boolean;
  readonly support: boolean;
}

async function rightsOf(w: World): Promise<Rights> {
  if (w.actor.type === 'system') return { source: true, target: true, support: true };
  const own = await w.kit.explainAccess(w.actor, { workspaceId: w.workspaceId });
  const role = await w.kit.getAccountRole(w.actor, { accountId: w.targetId });
  return {
    source: own.isOk() && own.value.scopes.includes('transfer_workspace'),
    target: role.isOk() && (role.value === 'owner' || role.value === 'admin'),
    support: false,
  };
}

/** The plan's blockers and approval are what the observed world implies (XFER-2, XFER-3, XFER-4). */
function expectPlanMatchesWorld(w: World, plan: TransferPlan, before: Observed, rights: Rights, plannedAt: number, label: string): void {
  const sourcePersonal = w.people.some((p) => p.personalAccountId === w.sourceId);
  const targetPersonal = w.people.some((p) => p.personalAccountId === w.targetId);
  const newHandle = w.newHandle ?? WORKSPACE_HANDLE;
  const targetPlan = TEST_PLANS[before.planIds.target]!;
  const targetCount = before.workspaces[w.targetId]!.length;
  const expected: string[] = [];
  if (w.sourceId === w.targetId) expected.push('SAME_ACCOUNT');
  if (sourcePersonal && targetPersonal && !rights.support) expected.push('REQUIRES_SUPPORT');
  if (before.targetHandles.includes(newHandle)) expected.push('HANDLE_TAKEN');
  const max = targetPlan.limits.workspaces;
  if (w.sourceId !== w.targetId && max !== null && targetCount + 1 > max) expected.push('WORKSPACE_LIMIT');
  if (w.pendingRequestId !== null) expected.push('TRANSFER_PENDING');
  expect(sorted(plan.blockers.map((b) => b.code)), `${label}: blockers`).toEqual(sorted(expected));
  const approval =
    sourcePersonal && targetPersonal
      ? rights.support
        ? 'none'
        : 'support'
      : rights.support || (rights.source && rights.target)
        ? 'none'
        : rights.source
          ? 'target'
          : 'source';
  expect(plan.approvalNeeded, `${label}: approvalNeeded`).toBe(approval);
  expect(plan.plannedAt).toBe(toIso(plannedAt));
  expect(plan.workspaceId).toBe(w.workspaceId);
  expect(plan.sourceAccountId).toBe(w.sourceId);
  expect(plan.targetAccountId).toBe(w.targetId);
  expect(plan.newHandle).toBe(newHandle);
  const i = plan.impacts;
  expect(i.handle.from, `${label}: handle.from`).toBe(before.workspace.fullHandle);
  expect(i.runsPruned.retentionDays).toBe(targetPlan.limits.retentionDays);
  expect(i.runsPruned.cutoff, `${label}: cutoff`).toBe(toIso(plannedAt - targetPlan.limits.retentionDays * DAY));
  const due = w.runs.filter((r) => r.endedAt !== null && r.endedAt < i.runsPruned.cutoff);
  expect(i.runsPruned.count, `${label}: runs ended before the cutoff`).toBe(due.length);
  expect(i.target.workspaces).toEqual({ current: targetCount, after: targetCount + 1, max });
  expect(i.target.seats.max).toBe(targetPlan.limits.seats);
  expect(i.auditHandOff).toEqual({ from: w.sourceId, to: w.targetId });
  expect(i.defaultRole.from, `${label}: default role before`).toBe(before.workspace.defaultRole);
  // The plan's own consistency: listed users sorted and unique, keys belong to listed principals.
  expect(i.accessLost.users).toEqual(sorted(new Set(i.accessLost.users)));
  const lostKeys = new Set([...i.accessLost.users.map((u) => `user:${u}`), ...i.accessLost.serviceAccounts.map((s) => `service-account:${s.id}`)]);
  for (const k of i.accessLost.apiKeys) expect(lostKeys.has(principalKeyOf(k.owner)), `${label}: key ${k.id} of a listed principal`).toBe(true);
}

/** Nothing changed: observations, every stored row (when the runner can dump them), no event. */
async function expectUnchanged(
  w: World,
  store: Store,
  readIds: ResourceIdReader,
  before: Observed,
  dumpBefore: unknown,
  eventsBefore: number,
  dump: ((store: Store) => Promise<unknown>) | undefined,
  label: string,
): Promise<void> {
  expect(w.events.length, `${label}: no audit event`).toBe(eventsBefore);
  expect(await observe(w, store, readIds), `${label}: observed state`).toEqual(before);
  if (dump) expect(await dump(store), `${label}: every stored row`).toEqual(dumpBefore);
}

function expectCode(result: Result<unknown, WorkspaceKitError>, code: ErrorCode | 'ok', label: string): void {
  const detail = result.isErr() ? ` (${result.error.message})` : '';
  expect(codeOf(result), `${label}${detail}`).toBe(code);
}

/** What actually changed equals what the plan listed (XFER-4, XFER-5, RET-1). */
async function expectPlanCarriedOut(w: World, plan: TransferPlan, before: Observed, after: Observed, stats: TransferStats, label: string): Promise<void> {
  const i = plan.impacts;
  // Users, service accounts and API keys that lost access.
  const lostUsers = w.people.filter((p) => hasAccess(before, `user:${p.id}`) && !hasAccess(after, `user:${p.id}`)).map((p) => p.id);
  expect(sorted(i.accessLost.users), `${label}: users that lost access`).toEqual(sorted(lostUsers));
  const lostSas = w.serviceAccounts.filter((id) => hasAccess(before, `service-account:${id}`) && !hasAccess(after, `service-account:${id}`));
  expect(sorted(i.accessLost.serviceAccounts.map((s) => s.id)), `${label}: service accounts that lost access`).toEqual(sorted(lostSas));
  for (const s of i.accessLost.serviceAccounts) expect(s.name).toMatch(/^bot-\d$/);
  const lostPrincipals = new Set([...lostUsers.map((u) => `user:${u}`), ...lostSas.map((s) => `service-account:${s}`)]);
  const liveAt = plan.plannedAt;
  const lostKeys = Object.entries(before.keys)
    .filter(([, k]) => lostPrincipals.has(k.owner) && k.revokedAt === null && (k.expiresAt === null || k.expiresAt > liveAt))
    .map(([id]) => id);
  expect(sorted(i.accessLost.apiKeys.map((k) => k.id)), `${label}: API keys that lost access`).toEqual(sorted(lostKeys));
  for (const k of i.accessLost.apiKeys) {
    expect(principalKeyOf(k.owner)).toBe(before.keys[k.id]!.owner);
    // SA-2: the key still authenticates as its principal, which now sees nothing.
    const info = w.keys.get(k.id)!;
    const resolved = await w.kit.resolveApiKey({ key: info.secret });
    if (resolved.isOk()) {
      expect(principalKeyOf(resolved.value.principal)).toBe(principalKeyOf(info.owner));
      expectCode(await w.kit.getWorkspace(resolved.value.principal, { workspaceId: w.workspaceId }), 'NOT_FOUND', `${label}: key ${k.id} after`);
    }
  }
  expect(after.keys, `${label}: API keys themselves untouched`).toEqual(before.keys);
  // Everyone else keeps access exactly as before or gains none it lacked: no-one else lost it.
  for (const p of principalsOf(w)) {
    const key = principalKeyOf(p);
    if (!lostPrincipals.has(key) && hasAccess(before, key)) expect(hasAccess(after, key), `${label}: ${key} keeps access`).toBe(true);
  }

  // Grants removed, remapped, none added.
  const removed = Object.keys(before.grants).filter((k) => !(k in after.grants));
  expect(sorted(i.grantsRemoved.map((g) => principalKeyOf(g.grantee))), `${label}: grants removed`).toEqual(sorted(removed));
  for (const g of i.grantsRemoved) expect(g.role, `${label}: removed grant's role`).toBe(before.grants[principalKeyOf(g.grantee)]);
  expect(Object.keys(after.grants).filter((k) => !(k in before.grants)), `${label}: no grant added`).toEqual([]);
  const remapped = Object.keys(after.grants)
    .filter((k) => before.grants[k] !== after.grants[k])
    .map((k) => ({ grantee: k, from: before.grants[k], to: after.grants[k] }));
  expect(
    sorted(i.grantsRemapped.map((g) => JSON.stringify({ grantee: principalKeyOf(g.grantee), from: g.from.role, to: g.to.role }))),
    `${label}: grants remapped`,
  ).toEqual(sorted(remapped.map((r) => JSON.stringify(r))));
  expect(after.workspace.defaultRole, `${label}: default role after`).toBe(i.defaultRole.to);
  expect(after.grantAccounts, `${label}: kept grants recorded in the target`).toEqual(Object.keys(after.grants).length === 0 ? [] : [w.targetId]);

  // Invitations: exactly the listed ones revoked, nothing else touched.
  const changed = Object.keys(before.invitations).filter((id) => before.invitations[id] !== after.invitations[id]);
  expect(sorted(i.invitationsCancelled.map((v) => v.id)), `${label}: invitations cancelled`).toEqual(sorted(changed));
  for (const id of changed) {
    expect(['pending', 'expired']).toContain(before.invitations[id]);
    expect(after.invitations[id], `${label}: invitation ${id}`).toBe('revoked');
  }
  expect(sorted(Object.keys(after.invitations))).toEqual(sorted(Object.keys(before.invitations)));

  // Runs: exactly those that ended strictly before the cutoff; everything else kept (RET-1).
  const cutoff = i.runsPruned.cutoff;
  const due = new Set(w.runs.filter((r) => r.endedAt !== null && r.endedAt < cutoff).map((r) => r.id));
  const gone = before.resources.filter((id) => !after.resources.includes(id));
  expect(sorted(gone), `${label}: runs removed`).toEqual(sorted(due));
  expect(after.resources.filter((id) => !before.resources.includes(id)), `${label}: nothing tracked`).toEqual([]);
  expect(i.runsPruned.count).toBe(due.size);
  expect(after.otherResources, `${label}: the source's other workspace`).toEqual(before.otherResources);

  // Workspaces: counts, handle, uniqueness in the target.
  expect(after.workspace.accountId).toBe(w.targetId);
  expect(after.workspace.fullHandle, `${label}: full handle`).toBe(i.handle.to);
  expect(after.workspace.handle).toBe(plan.newHandle);
  const byHandle = valueOf(await w.kit.getWorkspaceByHandle(CHECKER, { fullHandle: i.handle.to }));
  expect(byHandle.id).toBe(w.workspaceId);
  expect(after.workspaces[w.sourceId]).toEqual(before.workspaces[w.sourceId]!.filter((id) => id !== w.workspaceId));
  expect(after.workspaces[w.targetId]).toEqual(sorted([...before.workspaces[w.targetId]!, w.workspaceId]));
  expect(after.workspaces[w.targetId]!.length).toBe(i.target.workspaces.after);
  expect(new Set(after.targetHandles).size, `${label}: handles unique in the target`).toBe(after.targetHandles.length);
  expect(after.targetHandles.includes(plan.newHandle), `${label}: no other target workspace holds the handle`).toBe(false);

  stats.usersLost += lostUsers.length;
  stats.serviceAccountsLost += lostSas.length;
  stats.keysLost += lostKeys.length;
  stats.grantsRemoved += removed.length;
  stats.grantsRemapped += remapped.length;
  stats.customToCustom += i.grantsRemapped.filter((g) => g.reason.includes('same name')).length;
  if (i.defaultRole.from !== i.defaultRole.to) stats.defaultRoleChanged += 1;
  stats.invitationsCancelled += changed.length;
  stats.runsPruned += due.size;
  stats.runsKeptAtCutoff += w.runs.filter((r) => r.endedAt === cutoff).length;
  stats.subflowsKeptParentPruned += w.runs.filter((r) => r.parent !== null && due.has(r.parent) && !due.has(r.id)).length;
  if (i.handle.from.split('/')[1] !== i.handle.to.split('/')[1]) stats.handleChanged += 1;
  if (due.size >= 999) stats.bulkWorlds += 1;
}

/** XFER-6 and AUD-1 around a transfer: two events; the source's log ends, the target's goes on. */
async function expectAuditHandOff(w: World, plan: TransferPlan, eventsBefore: number, actor: Principal, label: string): Promise<void> {
  const fresh = w.events.slice(eventsBefore);
  expect(
    fresh.map((e) => ({ action: e.action, accountId: e.accountId, workspaceId: e.workspaceId })),
    `${label}: the transfer's events`,
  ).toEqual([
    { action: 'workspace.transferred-out', accountId: w.sourceId, workspaceId: w.workspaceId },
    { action: 'workspace.transferred-in', accountId: w.targetId, workspaceId: w.workspaceId },
  ]);
  for (const e of fresh) {
    expect(e.actor).toEqual(actor);
    expect(e.subject).toEqual({ type: 'workspace', id: w.workspaceId });
    expect(e.details).toMatchObject({ from: plan.impacts.handle.from, to: plan.impacts.handle.to, fingerprint: plan.fingerprint, runsPruned: plan.impacts.runsPruned.count });
  }
  // A later command about the workspace lands in the target's log only.
  valueOf(await w.kit.trackResources(CHECKER, { workspaceId: w.workspaceId, resources: [{ kind: 'variable', name: 'after-transfer' }] }));
  const about = (e: AuditEvent) => e.workspaceId === w.workspaceId || (e.subject.type === 'workspace' && e.subject.id === w.workspaceId);
  const sourceLog = w.events.filter((e) => e.accountId === w.sourceId && about(e));
  expect(sourceLog.at(-1)?.action, `${label}: the source's last event about the workspace`).toBe('workspace.transferred-out');
  const targetLog = w.events.filter((e) => e.accountId === w.targetId && about(e));
  expect(targetLog[0]?.action, `${label}: the target's first event about the workspace`).toBe('workspace.transferred-in');
  expect(targetLog.at(-1)?.action).toBe('resources.tracked');
  const out = w.events.findIndex((e) => e.action === 'workspace.transferred-out' && e.workspaceId === w.workspaceId);
  for (const e of w.events.slice(out + 1).filter(about)) expect(e.accountId, `${label}: ${e.action} after the hand-off`).toBe(w.targetId);
  if (w.snapshot) expect(w.snapshot().audit, `${label}: stored audit log`).toEqual(w.events);
}

/** On the memory store: nothing outside the plan moved, compared on the deep snapshots. */
function expectNothingElseMoved(w: World, plan: TransferPlan, before: MemoryStoreSnapshot, after: MemoryStoreSnapshot, label: string): void {
  for (const table of ['users', 'accounts', 'memberships', 'roles', 'serviceAccounts', 'apiKeys'] as const) {
    expect(after[table], `${label}: ${table}`).toEqual(before[table]);
  }
  const ws = (s: MemoryStoreSnapshot) => s.workspaces.filter((x) => x.id !== w.workspaceId);
  expect(ws(after), `${label}: other workspaces`).toEqual(ws(before));
  const movedBefore = before.workspaces.find((x) => x.id === w.workspaceId)!;
  const movedAfter = after.workspaces.find((x) => x.id === w.workspaceId)!;
  expect(movedAfter).toEqual({
    ...movedBefore,
    accountId: w.targetId,
    handle: plan.newHandle,
    defaultRole: plan.impacts.defaultRole.to,
    version: movedBefore.version + 1,
    updatedAt: movedAfter.updatedAt,
  });
  const otherGrants = (s: MemoryStoreSnapshot) => s.grants.filter((g) => g.workspaceId !== w.workspaceId);
  expect(otherGrants(after), `${label}: other workspaces' grants`).toEqual(otherGrants(before));
  for (const g of after.grants.filter((x) => x.workspaceId === w.workspaceId)) expect(g.accountId, `${label}: a kept grant's account`).toBe(w.targetId);
  const cancelled = new Set(plan.impacts.invitationsCancelled.map((v) => v.id));
  const untouched = (s: MemoryStoreSnapshot) => s.invitations.filter((v) => !cancelled.has(v.id));
  expect(untouched(after), `${label}: other invitations`).toEqual(untouched(before));
  const kept = new Set(after.resources.map((r) => r.id));
  expect(after.resources, `${label}: kept resources unchanged`).toEqual(before.resources.filter((r) => kept.has(r.id)));
}

// ---------------------------------------------------------------------------------------------
// One world
// ---------------------------------------------------------------------------------------------

export interface TransferModelOptions {
  readonly numRuns: number;
  /** Reads a workspace's resource ids past the kit (memory: the snapshot; SQL: a select). */
  readonly resourceIds: ResourceIdReader;
  /** Every stored row read past the adapter: a refused command must leave all of them as they were. */
  readonly dump?: (store: Store) => Promise<unknown>;
  readonly release?: StoreRelease;
  /** Check that the runs covered each outcome and impact at least once (large run counts). */
  readonly requireCoverage?: boolean;
  readonly seed?: number;
}

async function runWorld(spec: WorldSpec, store: Store, options: TransferModelOptions, stats: TransferStats): Promise<void> {
  const w = await build(spec, store);
  const { kit, clock } = w;
  const readIds = options.resourceIds;
  const label = `${spec.sourceKind}(${spec.sourcePlan}) → ${spec.target}(${spec.targetPlan}) by ${spec.actor}`;
  stats.worlds += 1;

  const rights = await rightsOf(w);
  const before = await observe(w, store, readIds);
  const plannedAt = clock.now().getTime();
  const input = { workspaceId: w.workspaceId, targetAccountId: w.targetId, ...(w.newHandle === undefined ? {} : { handle: w.newHandle }) };
  const plan = valueOf(await kit.planTransfer(w.actor, input));
  expectPlanMatchesWorld(w, plan, before, rights, plannedAt, label);
  // A plan is plain data: its JSON form round-trips.
  expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);

  clock.advance({ ms: spec.delay });
  const planned = { ...input, fingerprint: plan.fingerprint, plannedAt: plan.plannedAt };
  const dumpBefore = options.dump ? await options.dump(store) : undefined;
  const stateBlockers = plan.blockers.filter((b) => b.code !== 'REQUIRES_SUPPORT');

  if (stateBlockers.length > 0) {
    const eventsBefore = w.events.length;
    const executed = await kit.executeTransfer(w.actor, planned);
    expectCode(executed, 'TRANSFER_BLOCKED', `${label}: execute with blockers`);
    if (executed.isErr() && executed.error.code === 'TRANSFER_BLOCKED') {
      expect(sorted(executed.error.blockers.map((b) => b.code))).toEqual(sorted(stateBlockers.map((b) => b.code)));
    }
    if (plan.approvalNeeded !== 'none') {
      expectCode(await kit.requestTransfer(w.actor, planned), 'TRANSFER_BLOCKED', `${label}: request with blockers`);
    }
    await expectUnchanged(w, store, readIds, before, dumpBefore, eventsBefore, options.dump, `${label}: blocked`);
    for (const b of stateBlockers) stats.blocked[b.code] = (stats.blocked[b.code] ?? 0) + 1;
    return;
  }

  let result: TransferPlan;
  let eventsBefore: number;
  let snapBefore: MemoryStoreSnapshot | null = null;
  let transferActor: Principal;
  if (plan.approvalNeeded === 'none') {
    eventsBefore = w.events.length;
    snapBefore = w.snapshot?.() ?? null;
    const executed = valueOf(await kit.executeTransfer(w.actor, planned));
    result = executed.plan;
    expect(executed.workspace.accountId).toBe(w.targetId);
    transferActor = w.actor;
    stats.executed += 1;
  } else {
    // The actor holds one side: executing is refused and changes nothing; a request waits.
    const eventsAtRefusal = w.events.length;
    const refused = await kit.executeTransfer(w.actor, planned);
    expectCode(refused, plan.approvalNeeded === 'support' ? 'TRANSFER_REQUIRES_SUPPORT' : 'FORBIDDEN', `${label}: execute without the other side`);
    await expectUnchanged(w, store, readIds, before, dumpBefore, eventsAtRefusal, options.dump, `${label}: refused execute`);
    const request = valueOf(await kit.requestTransfer(w.actor, planned));
    expect(request).toMatchObject({ status: 'pending', awaiting: plan.approvalNeeded, fingerprint: plan.fingerprint, plannedAt: plan.plannedAt });
    expect(w.events.at(-1)).toMatchObject({ action: 'transfer.requested', accountId: w.sourceId, workspaceId: w.workspaceId });
    clock.advance({ ms: spec.approvalDelay });
    const view = valueOf(await kit.getTransferRequest(w.approver, { requestId: request.id }));
    expect(view.stale, `${label}: request not stale`).toBe(false);
    expect(view.plan!.fingerprint).toBe(plan.fingerprint);
    expect(view.request.status).toBe('pending');
    eventsBefore = w.events.length;
    snapBefore = w.snapshot?.() ?? null;
    const approved = valueOf(await kit.approveTransferRequest(w.approver, { requestId: request.id, fingerprint: request.fingerprint }));
    result = approved.plan;
    transferActor = w.approver;
    if (plan.approvalNeeded === 'support') stats.viaSupport += 1;
    else stats.viaRequest += 1;
  }
  expect(result.fingerprint, `${label}: the executed plan is the planned one`).toBe(plan.fingerprint);
  expect(result.impacts).toEqual(plan.impacts);

  const after = await observe(w, store, readIds);
  await expectPlanCarriedOut(w, plan, before, after, stats, label);
  if (w.snapshot && snapBefore) expectNothingElseMoved(w, plan, snapBefore, w.snapshot(), label);
  await expectAuditHandOff(w, plan, eventsBefore, transferActor, label);

  // RET-2 after the transfer: the run counts a plan reads and pruning agree with what is left.
  const left = w.runs.filter((r) => after.resources.includes(r.id));
  const back = valueOf(await kit.planTransfer(CHECKER, { workspaceId: w.workspaceId, targetAccountId: w.sourceId }));
  const dueBack = left.filter((r) => r.endedAt !== null && r.endedAt < back.impacts.runsPruned.cutoff);
  expect(back.impacts.runsPruned.count, `${label}: runs counted after the transfer`).toBe(dueBack.length);
  const report = valueOf(await kit.pruneRuns(CHECKER, { accountId: w.targetId }));
  const dueNow = new Set(left.filter((r) => r.endedAt !== null && r.endedAt < report.cutoff).map((r) => r.id));
  expect(report.byWorkspace[w.workspaceId] ?? 0, `${label}: pruned after the transfer`).toBe(dueNow.size);
  const pruned = await readIds(store, w.workspaceId);
  expect(sorted(pruned.filter((id) => after.resources.includes(id))), `${label}: resources after pruning`).toEqual(
    after.resources.filter((id) => !dueNow.has(id)),
  );

  // The same plan again: refused, nothing changes.
  const eventsAgain = w.events.length;
  const again = await kit.executeTransfer(w.actor, planned);
  expect(again.isErr(), `${label}: executing a plan twice`).toBe(true);
  expect(w.events.length).toBe(eventsAgain);
}

// ---------------------------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------------------------

export async function transferModelProperty(makeStore: StoreFactory, options: TransferModelOptions): Promise<TransferStats> {
  const stats = emptyStats();
  await fc.assert(
    fc.asyncProperty(worldArb, async (spec) => {
      const store = await makeStore();
      try {
        await runWorld(spec, store, options, stats);
      } finally {
        await options.release?.(store);
      }
    }),
    { numRuns: options.numRuns, ...(options.seed === undefined ? {} : { seed: options.seed }) },
  );
  return stats;
}

export function describeTransferModel(adapter: string, makeStore: StoreFactory, options: TransferModelOptions): void {
  describe(`the transfer plan is the truth (${adapter})`, () => {
    it(`XFER-4 XFER-5 XFER-6 RET-1: what a transfer changes is exactly what its plan lists, over ${options.numRuns} random worlds`, async () => {
      const started = Date.now();
      const stats = await transferModelProperty(makeStore, options);
      console.info(`transfer model (${adapter}): ${options.numRuns} worlds in ${Date.now() - started} ms`, JSON.stringify(stats));
      expect(stats.worlds).toBeGreaterThanOrEqual(options.numRuns);
      if (options.requireCoverage) {
        expect(stats.executed, 'one-step transfers').toBeGreaterThan(0);
        expect(stats.viaRequest, 'request + approval').toBeGreaterThan(0);
        expect(stats.viaSupport, 'support approvals').toBeGreaterThan(0);
        expect(Object.keys(stats.blocked).length, 'kinds of blockers').toBeGreaterThan(1);
        expect(stats.usersLost, 'users losing access').toBeGreaterThan(0);
        expect(stats.keysLost, 'API keys losing access').toBeGreaterThan(0);
        expect(stats.grantsRemoved, 'grants removed').toBeGreaterThan(0);
        expect(stats.grantsRemapped, 'grants remapped').toBeGreaterThan(0);
        expect(stats.invitationsCancelled, 'invitations cancelled').toBeGreaterThan(0);
        expect(stats.runsPruned, 'runs pruned').toBeGreaterThan(0);
        expect(stats.runsKeptAtCutoff, 'runs ending exactly at the cutoff').toBeGreaterThan(0);
      }
    });
  });
}
