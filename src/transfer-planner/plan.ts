import { createHash } from 'node:crypto';
import type { AccountKind, AccountRole } from '../account/account.js';
import type { Plan } from '../account/plans.js';
import type { Timestamp } from '../core/clock.js';
import { fullHandle, type FullHandle, type Handle } from '../core/handle.js';
import type { AccountId, ApiKeyId, InvitationId, RoleId, ServiceAccountId, UserId, WorkspaceId } from '../core/ids.js';
import type { Grantee } from '../core/principal.js';
import { BUILT_IN_ROLE_SCOPES, type BuiltInRole } from '../role/built-in-roles.js';
import { isBuiltInRole, type WorkspaceRoleRef } from '../role/custom-role.js';
import type { WorkspaceScope } from '../role/scopes.js';
import { retentionCutoff } from '../workspace/retention.js';

/** One side of a transfer as the planner sees it. */
export interface TransferAccount {
  readonly id: AccountId;
  readonly kind: AccountKind;
  readonly handle: Handle;
  readonly plan: Plan;
  /** The owner of a personal account; `null` for organizations. */
  readonly ownerUserId: UserId | null;
}

/** A role as a grant or default role refers to it, with what the planner needs to map it. */
export interface PlannedRole {
  readonly ref: WorkspaceRoleRef;
  readonly name: string;
  /** For a custom role: the built-in role it inherits and its own scopes. */
  readonly custom: { readonly inherits: BuiltInRole | null; readonly scopes: readonly WorkspaceScope[] } | null;
}

/** A principal with its API keys, as listed in impacts. */
export interface KeyRef {
  readonly id: ApiKeyId;
  readonly name: string;
}

/**
 * Everything {@link planTransfer} reads: a snapshot of the workspace, both accounts, the
 * grants, members, keys, invitations and run counts involved, loaded in one unit of work.
 * Everything in it is bounded by accounts' sizes, never by run history: runs arrive counted.
 */
export interface TransferSnapshot {
  /** The instant the plan is made for: the retention cutoff is computed from it. */
  readonly asOf: Timestamp;
  readonly workspace: {
    readonly id: WorkspaceId;
    readonly handle: Handle;
    readonly version: number;
    readonly defaultRole: PlannedRole | null;
  };
  readonly source: TransferAccount;
  readonly target: TransferAccount;
  /** The workspace's handle in the target (the same one unless renamed in the same step). */
  readonly newHandle: Handle;
  /** A live workspace of the target already holds `newHandle`. */
  readonly handleTakenInTarget: boolean;
  readonly targetWorkspaceCount: number;
  readonly targetSeats: number;
  /** Who acts: whether it holds the workspace's Owner rights, the target's, and whether it is support. */
  readonly actor: { readonly source: boolean; readonly target: boolean; readonly support: boolean };
  /** An open transfer request of the workspace other than the one being executed. */
  readonly openRequestId: string | null;
  /** Organization source: its members and their account roles (users with access before). */
  readonly sourceMembers: readonly { readonly userId: UserId; readonly role: AccountRole }[];
  /** Target organization: the account roles of the users this plan is about (absent = not a member). */
  readonly targetRoles: Readonly<Record<string, AccountRole>>;
  /**
   * Target custom roles by name (ROLE-2), for mapping custom-role grants: each role's id and
   * the scopes it grants (its own and those of the role it inherits).
   */
  readonly targetRolesByName: Readonly<Record<string, { readonly id: RoleId; readonly scopes: readonly WorkspaceScope[] }>>;
  readonly grants: readonly { readonly grantee: Grantee; readonly role: PlannedRole }[];
  readonly serviceAccountNames: Readonly<Record<string, string>>;
  /** API keys of the principals involved, by grantee key (`user:<id>` / `service-account:<id>`). */
  readonly apiKeys: Readonly<Record<string, readonly KeyRef[]>>;
  readonly pendingInvitations: readonly { readonly id: InvitationId; readonly email: string; readonly role: WorkspaceRoleRef }[];
  /** Runs of the workspace that ended before the target's retention cutoff at `asOf`. */
  readonly runsEndedBeforeCutoff: number;
}

/** What stops a transfer (XFER-4). */
export type TransferBlocker =
  | { readonly code: 'SAME_ACCOUNT'; readonly message: string }
  | { readonly code: 'HANDLE_TAKEN'; readonly message: string; readonly handle: Handle }
  | { readonly code: 'WORKSPACE_LIMIT'; readonly message: string; readonly max: number; readonly current: number }
  | { readonly code: 'TRANSFER_PENDING'; readonly message: string; readonly requestId: string }
  | { readonly code: 'REQUIRES_SUPPORT'; readonly message: string }
  | { readonly code: 'NOT_AUTHORIZED'; readonly message: string; readonly side: 'source' | 'target' };

/** A grant kept with another role in the target (XFER-4). */
export interface GrantRemap {
  readonly grantee: Grantee;
  readonly from: { readonly role: WorkspaceRoleRef; readonly name: string };
  readonly to: { readonly role: WorkspaceRoleRef; readonly name: string };
  readonly reason: string;
}

/** What a transfer will do, every list concrete (XFER-4). */
export interface TransferImpacts {
  /** The CLI profile change: old and new full handle. */
  readonly handle: { readonly from: FullHandle; readonly to: FullHandle };
  readonly accessLost: {
    readonly users: readonly UserId[];
    readonly serviceAccounts: readonly { readonly id: ServiceAccountId; readonly name: string }[];
    readonly apiKeys: readonly (KeyRef & { readonly owner: Grantee })[];
  };
  /** Grants of principals outside the target, removed. */
  readonly grantsRemoved: readonly { readonly grantee: Grantee; readonly role: WorkspaceRoleRef; readonly reason: string }[];
  /** Grants kept with another role (custom roles absent from the target, plan without RBAC). */
  readonly grantsRemapped: readonly GrantRemap[];
  /** The default role before and after. */
  readonly defaultRole: { readonly from: WorkspaceRoleRef | null; readonly to: WorkspaceRoleRef | null };
  readonly invitationsCancelled: TransferSnapshot['pendingInvitations'];
  /** Runs removed by the target's retention (RET-1): count and cutoff. */
  readonly runsPruned: { readonly count: number; readonly cutoff: Timestamp; readonly retentionDays: number };
  /** XFER-6: where the workspace's audit trail continues. */
  readonly auditHandOff: { readonly from: AccountId; readonly to: AccountId };
  /** The target against its plan. */
  readonly target: {
    readonly workspaces: { readonly current: number; readonly after: number; readonly max: number | null };
    readonly seats: { readonly current: number; readonly after: number; readonly max: number | null };
  };
}

/** A transfer plan: blockers, impacts, who must still approve, and the fingerprint of its inputs. */
export interface TransferPlan {
  readonly workspaceId: WorkspaceId;
  readonly sourceAccountId: AccountId;
  readonly targetAccountId: AccountId;
  readonly newHandle: Handle;
  readonly plannedAt: Timestamp;
  readonly blockers: readonly TransferBlocker[];
  readonly impacts: TransferImpacts;
  /** `none`: the actor may execute now; otherwise the side whose approval is missing (XFER-2). */
  readonly approvalNeeded: 'none' | 'source' | 'target' | 'support';
  /** SHA-256 over the plan's inputs and results: execution refuses with PLAN_STALE if it moved (XFER-5). */
  readonly fingerprint: string;
}

const BUILT_IN_BY_POWER: readonly BuiltInRole[] = ['owner', 'developer', 'runner', 'viewer', 'worker'];

/** `user:<id>` or `service-account:<id>`: how a snapshot keys a grantee's API keys. */
export function granteeKeyOf(grantee: Grantee): string {
  return grantee.type === 'user' ? `user:${grantee.userId}` : `service-account:${grantee.serviceAccountId}`;
}

/** The most powerful built-in role whose scopes all lie within `scopes` (no escalation), if any. */
function largestBuiltInWithin(scopes: ReadonlySet<WorkspaceScope>): BuiltInRole | null {
  for (const role of BUILT_IN_BY_POWER) {
    let inside = true;
    for (const s of BUILT_IN_ROLE_SCOPES[role]) {
      if (!scopes.has(s)) {
        inside = false;
        break;
      }
    }
    if (inside) return role;
  }
  return null;
}

/**
 * Where a role lands in the target (XFER-4): built-in roles stay (Developer without the
 * workspace-RBAC feature); a custom role maps to the target's custom role of the same name if
 * that one grants no scope the source role lacks, else falls back to the built-in role it
 * inherits, else to the most powerful built-in role within its scopes; `null` when nothing
 * fits (the grant is removed).
 */
export function mapRole(role: PlannedRole, target: TransferAccount, targetRolesByName: TransferSnapshot['targetRolesByName']):
  | { readonly role: WorkspaceRoleRef; readonly name: string; readonly reason: string | null }
  | null {
  const rbac = target.plan.features.workspaceRbac;
  const toBuiltIn = (b: BuiltInRole, reason: string | null) =>
    rbac || b === 'developer'
      ? { role: b, name: b, reason }
      : { role: 'developer' as const, name: 'developer', reason: 'the target plan has no workspace RBAC: every grant is Developer' };
  if (role.custom === null) {
    return isBuiltInRole(role.ref) ? toBuiltIn(role.ref, null) : null;
  }
  const sourceScopes = new Set<WorkspaceScope>(role.custom.scopes);
  if (role.custom.inherits !== null) for (const scope of BUILT_IN_ROLE_SCOPES[role.custom.inherits]) sourceScopes.add(scope);
  const same = Object.hasOwn(targetRolesByName, role.name) ? targetRolesByName[role.name] : undefined;
  // ROLE-5 across the move: a same-named role of the target is used only if it grants nothing
  // the source role did not.
  const sameFits = same !== undefined && same.scopes.every((scope) => sourceScopes.has(scope));
  if (same !== undefined && sameFits && target.plan.features.customRoles && rbac) {
    return { role: same.id, name: role.name, reason: `the target's custom role of the same name` };
  }
  const why =
    same !== undefined && !sameFits
      ? `the target's custom role ${role.name} grants more than the source's`
      : `custom role ${role.name} does not exist in the target`;
  if (role.custom.inherits !== null) return toBuiltIn(role.custom.inherits, `${why}: its inherited role`);
  const within = largestBuiltInWithin(sourceScopes);
  return within === null ? null : toBuiltIn(within, `${why}: the largest built-in role within its scopes`);
}

function sortedUnique<T extends string>(items: Iterable<T>): T[] {
  return [...new Set(items)].sort();
}

/** A canonical JSON (sorted keys) for fingerprinting. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Plans a transfer (XFER-4): a pure function of a {@link TransferSnapshot}. It lists blockers,
 * every impact concretely, who must still approve, and a fingerprint of all of it. Executing
 * re-plans from a fresh snapshot taken at the same `asOf` and refuses if the fingerprint moved.
 *
 * @example
 * ```ts
 * const plan = planTransfer(snapshot);
 * if (plan.blockers.length === 0 && plan.approvalNeeded === 'none') await kit.executeTransfer(actor, { …, fingerprint: plan.fingerprint });
 * ```
 */
export function planTransfer(s: TransferSnapshot): TransferPlan {
  const body = draftTransferPlan(s);
  // Only the state is fingerprinted, not who looks at it: the approver of a request re-plans
  // the requester's plan and must get the same fingerprint.
  const stateBlockers = body.blockers.filter((b) => b.code !== 'NOT_AUTHORIZED' && b.code !== 'REQUIRES_SUPPORT');
  const fingerprint = createHash('sha256')
    .update(
      canonical({
        ...body,
        approvalNeeded: undefined,
        blockers: stateBlockers,
        workspaceVersion: s.workspace.version,
        sourcePlan: s.source.plan.id,
        targetPlan: s.target.plan.id,
      }),
    )
    .digest('hex');
  return { ...body, fingerprint };
}

/**
 * {@link planTransfer} without the fingerprint (internal): what the kit's snapshot loader uses
 * for its first pass, which only needs to know who loses access and the cutoff.
 */
export function draftTransferPlan(s: TransferSnapshot): Omit<TransferPlan, 'fingerprint'> {
  const { source, target } = s;
  const blockers: TransferBlocker[] = [];
  if (source.id === target.id) blockers.push({ code: 'SAME_ACCOUNT', message: 'the workspace already belongs to this account' });
  const personalToPersonal = source.kind === 'personal' && target.kind === 'personal';
  if (personalToPersonal && !s.actor.support) {
    blockers.push({ code: 'REQUIRES_SUPPORT', message: 'a transfer between two personal accounts needs support (XFER-3)' });
  }
  if (!s.actor.source && !s.actor.target && !s.actor.support) {
    blockers.push({ code: 'NOT_AUTHORIZED', message: 'the actor administers neither side', side: 'source' });
  }
  if (s.handleTakenInTarget) {
    blockers.push({ code: 'HANDLE_TAKEN', message: `${target.handle}/${s.newHandle} is taken`, handle: s.newHandle });
  }
  const maxWorkspaces = target.plan.limits.workspaces;
  if (source.id !== target.id && maxWorkspaces !== null && s.targetWorkspaceCount + 1 > maxWorkspaces) {
    blockers.push({
      code: 'WORKSPACE_LIMIT',
      message: `plan ${target.plan.id} allows ${maxWorkspaces} workspaces; the target has ${s.targetWorkspaceCount}`,
      max: maxWorkspaces,
      current: s.targetWorkspaceCount,
    });
  }
  if (s.openRequestId !== null) {
    blockers.push({ code: 'TRANSFER_PENDING', message: `transfer request ${s.openRequestId} is open`, requestId: s.openRequestId });
  }

  // Who reaches the workspace before: implicit Owners, members through the default role, grantees.
  const before = new Set<UserId>();
  if (source.kind === 'personal' && source.ownerUserId !== null) before.add(source.ownerUserId);
  const sourceMember = new Set<string>();
  for (const m of s.sourceMembers) {
    sourceMember.add(m.userId);
    if (m.role !== 'member' || s.workspace.defaultRole !== null) before.add(m.userId);
  }
  const grantCounts = (g: Grantee) => source.kind === 'personal' || g.type === 'service-account' || sourceMember.has(g.userId);
  for (const g of s.grants) if (g.grantee.type === 'user' && grantCounts(g.grantee)) before.add(g.grantee.userId);

  // Grants: kept for target members (mapped), removed for everyone else.
  const grantsRemoved: { grantee: Grantee; role: WorkspaceRoleRef; reason: string }[] = [];
  const grantsRemapped: GrantRemap[] = [];
  const after = new Set<UserId>();
  if (target.kind === 'personal' && target.ownerUserId !== null) after.add(target.ownerUserId);
  for (const [userId, role] of Object.entries(s.targetRoles)) if (role === 'owner' || role === 'admin') after.add(userId as UserId);
  const isTargetMember = (g: Grantee) => target.kind === 'organization' && g.type === 'user' && Object.hasOwn(s.targetRoles, g.userId);
  const lostServiceAccounts: { id: ServiceAccountId; name: string }[] = [];
  for (const g of s.grants) {
    if (!isTargetMember(g.grantee)) {
      const reason =
        g.grantee.type === 'service-account'
          ? 'service accounts belong to the source organization'
          : target.kind === 'personal'
            ? 'a personal account has no members'
            : 'not a member of the target organization';
      grantsRemoved.push({ grantee: g.grantee, role: g.role.ref, reason });
      if (g.grantee.type === 'service-account' && grantCounts(g.grantee)) {
        const id = g.grantee.serviceAccountId;
        lostServiceAccounts.push({ id, name: s.serviceAccountNames[id] ?? id });
      }
      continue;
    }
    const mapped = mapRole(g.role, target, s.targetRolesByName);
    if (mapped === null) {
      grantsRemoved.push({ grantee: g.grantee, role: g.role.ref, reason: `custom role ${g.role.name} has no counterpart in the target` });
      continue;
    }
    if (g.grantee.type === 'user') after.add(g.grantee.userId);
    if (mapped.role !== g.role.ref) {
      grantsRemapped.push({
        grantee: g.grantee,
        from: { role: g.role.ref, name: g.role.name },
        to: { role: mapped.role, name: mapped.name },
        reason: mapped.reason ?? 'mapped',
      });
    }
  }
  const defaultTo =
    target.kind === 'personal' || s.workspace.defaultRole === null ? null : (mapRole(s.workspace.defaultRole, target, s.targetRolesByName)?.role ?? null);
  if (defaultTo !== null) for (const userId of Object.keys(s.targetRoles)) after.add(userId as UserId);

  const lostUsers = sortedUnique([...before].filter((u) => !after.has(u)));
  const apiKeys: (KeyRef & { owner: Grantee })[] = [];
  for (const userId of lostUsers) {
    for (const k of s.apiKeys[`user:${userId}`] ?? []) apiKeys.push({ ...k, owner: { type: 'user', userId } });
  }
  for (const sa of lostServiceAccounts) {
    for (const k of s.apiKeys[`service-account:${sa.id}`] ?? []) apiKeys.push({ ...k, owner: { type: 'service-account', serviceAccountId: sa.id } });
  }
  const cutoff = retentionCutoff(target.plan, s.asOf);
  const impacts: TransferImpacts = {
    handle: { from: fullHandle(source.handle, s.workspace.handle), to: fullHandle(target.handle, s.newHandle) },
    accessLost: { users: lostUsers, serviceAccounts: lostServiceAccounts, apiKeys },
    grantsRemoved,
    grantsRemapped,
    defaultRole: { from: s.workspace.defaultRole?.ref ?? null, to: defaultTo },
    invitationsCancelled: s.pendingInvitations,
    runsPruned: { count: s.runsEndedBeforeCutoff, cutoff, retentionDays: target.plan.limits.retentionDays },
    auditHandOff: { from: source.id, to: target.id },
    target: {
      workspaces: { current: s.targetWorkspaceCount, after: s.targetWorkspaceCount + 1, max: maxWorkspaces },
      // Kept grantees are target members already and invitations are cancelled: no new seats.
      seats: { current: s.targetSeats, after: s.targetSeats, max: target.plan.limits.seats },
    },
  };
  const approvalNeeded: TransferPlan['approvalNeeded'] = personalToPersonal
    ? s.actor.support
      ? 'none'
      : 'support'
    : s.actor.support || (s.actor.source && s.actor.target)
      ? 'none'
      : s.actor.source
        ? 'target'
        : 'source';
  return {
    workspaceId: s.workspace.id,
    sourceAccountId: source.id,
    targetAccountId: target.id,
    newHandle: s.newHandle,
    plannedAt: s.asOf,
    blockers,
    impacts,
    approvalNeeded,
  };
}
