import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { z } from 'zod';
import { TimestampSchema } from '../core/clock.js';
import type { Account, AccountRole } from '../account/account.js';
import type { Timestamp } from '../core/clock.js';
import { errors, type WorkspaceKitError } from '../core/errors.js';
import { HandleSchema, type Handle } from '../core/handle.js';
import { AccountIdSchema, TransferRequestIdSchema, WorkspaceIdSchema, type RoleId, type TransferRequestId, type UserId } from '../core/ids.js';
import type { Page, PageRequest } from '../core/paging.js';
import type { Grantee, Principal } from '../core/principal.js';
import type { UnitOfWork } from '../ports/store.js';
import { accountRoleOf } from '../role/access.js';
import { isBuiltInRole, resolveCustomRole } from '../role/custom-role.js';
import type { WorkspaceScope } from '../role/scopes.js';
import { draftTransferPlan, granteeKeyOf, planTransfer, type KeyRef, type PlannedRole, type TransferPlan, type TransferSnapshot } from '../transfer-planner/plan.js';
import { retentionCutoff } from '../workspace/retention.js';
import { TRANSFER_REQUEST_HOURS, transferRequestStatus, type TransferRequest } from '../transfer-planner/transfer-request.js';
import type { Workspace } from '../workspace/workspace.js';
import { loadAccount, loadWorkspace, requireScope } from './access-loader.js';
import { findPlan, runCommand, runQuery, type AuditDraft, type KitContext } from './command.js';
import { countSeats } from './usage.js';

const FingerprintSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a plan fingerprint is 64 hex characters');
/** How long a plan stays executable after it was made. */
const PLAN_VALID_MS = TRANSFER_REQUEST_HOURS * 3_600_000;
/** Runs removed per statement while pruning: bounded memory and statement size (RET-2). */
export const PRUNE_BATCH = 1000;

/** Input of `planTransfer` (XFER-4). */
export const PlanTransferInput = z
  .object({ workspaceId: WorkspaceIdSchema, targetAccountId: AccountIdSchema, handle: HandleSchema.optional() })
  .strict();
/** Input of `executeTransfer` and `requestTransfer`: the plan's inputs, fingerprint and instant (XFER-5). */
export const ExecuteTransferInput = PlanTransferInput.extend({ fingerprint: FingerprintSchema, plannedAt: TimestampSchema }).strict();
/** Input of commands about one transfer request. */
export const TransferRequestRefInput = z.object({ requestId: TransferRequestIdSchema }).strict();
/** Input of `approveTransferRequest`: the fingerprint of the plan the approver reviewed. */
export const ApproveTransferInput = TransferRequestRefInput.extend({ fingerprint: FingerprintSchema }).strict();
/**
 * Input of `pruneRuns` (RET-1, RET-2): one account; `batchSize` runs per statement (default
 * 1000), `maxRuns` bounds one call's work (default: everything due).
 */
export const PruneRunsInput = z
  .object({
    accountId: AccountIdSchema,
    batchSize: z.number().int().min(1).max(10_000).default(PRUNE_BATCH),
    maxRuns: z.number().int().min(1).optional(),
  })
  .strict();

/** What `pruneRuns` removed (RET-2). */
export interface PruneReport {
  readonly accountId: Account['id'];
  /** Runs that ended strictly before this instant were removed. */
  readonly cutoff: Timestamp;
  readonly retentionDays: number;
  readonly pruned: number;
  /** Runs removed per workspace (workspaces with none omitted). */
  readonly byWorkspace: Readonly<Record<string, number>>;
  /** False when `maxRuns` stopped the call early: run it again to go on. */
  readonly complete: boolean;
}

/** Input of `pruneAllAccounts`: one page of accounts (by id) per call. */
export const PruneAllAccountsInput = z
  .object({
    cursor: z.string().min(1).max(128).optional(),
    limit: z.number().int().min(1).max(500).default(100),
    batchSize: z.number().int().min(1).max(10_000).default(PRUNE_BATCH),
  })
  .strict();

/** What `pruneAllAccounts` did on one page of accounts. */
export interface PruneAllReport {
  /** Accounts looked at on this page. */
  readonly accounts: number;
  /** Runs removed on this page, all accounts together. */
  readonly pruned: number;
  /** One report per account that had runs due (each also recorded its own audit event). */
  readonly reports: readonly PruneReport[];
  /** Pass it back as `cursor` for the next page; `null` after the last account. */
  readonly nextCursor: string | null;
}

/** The result of an executed transfer: the plan it carried out and the workspace as it now is. */
export interface TransferResult {
  readonly plan: TransferPlan;
  readonly workspace: Workspace;
}

/** A transfer request with the plan as it stands now, and whether that plan moved. */
export interface TransferRequestView {
  readonly request: TransferRequest;
  /** The plan re-made now at the request's `plannedAt`; `null` once the request is closed. */
  readonly plan: TransferPlan | null;
  /** True when the state changed since the request: approving it would return `PLAN_STALE`. */
  readonly stale: boolean;
}

async function allPages<T>(load: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await load(cursor === undefined ? { limit: 500 } : { limit: 500, cursor });
    out.push(...page.items);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
}

async function plannedRole(tx: UnitOfWork, ref: string): Promise<PlannedRole> {
  if (isBuiltInRole(ref)) return { ref, name: ref, custom: null };
  const role = await tx.roles.getById(ref as RoleId);
  return role
    ? { ref: role.id, name: role.name, custom: { inherits: role.inherits, scopes: role.scopes } }
    : { ref: ref as RoleId, name: ref, custom: { inherits: null, scopes: [] } };
}

/** Who the actor is on each side of a transfer (XFER-2, XFER-3). */
interface Rights {
  readonly source: boolean;
  readonly target: boolean;
  readonly support: boolean;
}

/** The transfer a command is about, loaded and checked. */
interface TransferContext {
  readonly workspace: Workspace;
  readonly source: Account;
  readonly target: Account;
  readonly newHandle: Handle;
}

/** Transfer and retention commands (XFER-1…XFER-6, RET-1, RET-2), bound to a kit context. */
export function transferCommands(ctx: KitContext) {
  /** Loads everything the planner reads, in the unit of work (never the run history). */
  async function snapshot(
    tx: UnitOfWork,
    t: TransferContext,
    rights: Rights,
    asOf: Timestamp,
    excludeRequest: TransferRequestId | null,
  ): Promise<Result<TransferSnapshot, WorkspaceKitError>> {
    const sourcePlan = findPlan(ctx, t.source.planId);
    if (sourcePlan.isErr()) return err(sourcePlan.error);
    const targetPlan = findPlan(ctx, t.target.planId);
    if (targetPlan.isErr()) return err(targetPlan.error);
    const grants = await allPages((p) => tx.grants.listByWorkspace(t.workspace.id, p));
    const plannedGrants: { grantee: Grantee; role: PlannedRole }[] = [];
    for (const g of grants) plannedGrants.push({ grantee: g.grantee, role: await plannedRole(tx, g.role) });
    const sourceMembers =
      t.source.kind === 'organization'
        ? (await allPages((p) => tx.memberships.listByAccount(t.source.id, p))).map((m) => ({ userId: m.userId, role: m.role }))
        : [];
    const usersOfInterest = new Set<UserId>(sourceMembers.map((m) => m.userId));
    if (t.source.ownerUserId !== null) usersOfInterest.add(t.source.ownerUserId);
    for (const g of grants) if (g.grantee.type === 'user') usersOfInterest.add(g.grantee.userId);
    const targetRoles: Record<string, AccountRole> = {};
    if (t.target.kind === 'organization') {
      for (const userId of usersOfInterest) {
        const m = await tx.memberships.get(t.target.id, userId);
        if (m) targetRoles[userId] = m.role;
      }
    }
    const targetRolesByName: Record<string, { id: RoleId; scopes: WorkspaceScope[] }> = {};
    for (const r of await allPages((p) => tx.roles.listByAccount(t.target.id, p))) {
      targetRolesByName[r.name] = { id: r.id, scopes: [...resolveCustomRole(r).scopes] };
    }
    const serviceAccountNames: Record<string, string> = {};
    for (const g of grants) {
      if (g.grantee.type === 'service-account') {
        const sa = await tx.serviceAccounts.getById(g.grantee.serviceAccountId);
        serviceAccountNames[g.grantee.serviceAccountId] = sa?.name ?? g.grantee.serviceAccountId;
      }
    }
    const pendingInvitations = (
      await allPages((p) => tx.invitations.listByAccount(t.source.id, { workspaceId: t.workspace.id, status: 'pending' }, p))
    ).map((i) => ({ id: i.id, email: i.email, role: i.target.type === 'workspace' ? i.target.role : ('developer' as const) }));
    const existing = await tx.workspaces.getByHandle(t.target.id, t.newHandle);
    const pending = await tx.transferRequests.getPendingByWorkspace(t.workspace.id);
    const open = pending && transferRequestStatus(pending, asOf) === 'pending' ? pending : null;
    const base: TransferSnapshot = {
      asOf,
      workspace: {
        id: t.workspace.id,
        handle: t.workspace.handle,
        version: t.workspace.version,
        defaultRole: t.workspace.defaultRole === null ? null : await plannedRole(tx, t.workspace.defaultRole),
      },
      source: { id: t.source.id, kind: t.source.kind, handle: t.source.handle, plan: sourcePlan.value, ownerUserId: t.source.ownerUserId },
      target: { id: t.target.id, kind: t.target.kind, handle: t.target.handle, plan: targetPlan.value, ownerUserId: t.target.ownerUserId },
      newHandle: t.newHandle,
      handleTakenInTarget: existing !== null && existing.id !== t.workspace.id,
      targetWorkspaceCount: await tx.workspaces.countByAccount(t.target.id),
      targetSeats: await countSeats(tx, t.target, asOf),
      actor: rights,
      openRequestId: open && open.id !== excludeRequest ? open.id : null,
      sourceMembers,
      targetRoles,
      targetRolesByName,
      grants: plannedGrants,
      serviceAccountNames,
      apiKeys: {},
      pendingInvitations,
      runsEndedBeforeCutoff: 0,
    };
    // Two passes over the pure planner: the first names who loses access, whose keys are then
    // loaded (only theirs); the run count uses the target's cutoff, an index range count.
    const first = draftTransferPlan(base);
    const apiKeys: Record<string, KeyRef[]> = {};
    const owners: Grantee[] = [
      ...first.impacts.accessLost.users.map((userId): Grantee => ({ type: 'user', userId })),
      ...first.impacts.accessLost.serviceAccounts.map((sa): Grantee => ({ type: 'service-account', serviceAccountId: sa.id })),
    ];
    for (const owner of owners) {
      const keys = await allPages((p) => tx.apiKeys.listByOwner(owner, p));
      const live = keys.filter((k) => k.revokedAt === null && (k.expiresAt === null || k.expiresAt > asOf));
      if (live.length > 0) apiKeys[granteeKeyOf(owner)] = live.map((k) => ({ id: k.id, name: k.name }));
    }
    const runs = await tx.resources.countEndedBefore(t.workspace.id, first.impacts.runsPruned.cutoff);
    return ok({ ...base, apiKeys, runsEndedBeforeCutoff: runs });
  }

  /** Loads the workspace (the actor must see it), both accounts, and the actor's rights. */
  async function load(
    tx: UnitOfWork,
    actor: Principal,
    input: { workspaceId: Workspace['id']; targetAccountId: Account['id']; handle?: Handle | undefined },
  ): Promise<Result<{ t: TransferContext; rights: Rights }, WorkspaceKitError>> {
    const access = await loadWorkspace(tx, actor, input.workspaceId);
    if (access.isErr()) return err(access.error);
    const { workspace, account: source, scopes } = access.value;
    const target = await tx.accounts.getById(input.targetAccountId);
    if (!target) return err(errors.notFound('account', input.targetAccountId));
    const targetAccess = await loadAccount(tx, actor, target.id);
    const targetRole = targetAccess.isOk() ? accountRoleOf(actor, targetAccess.value.snapshot) : null;
    const rights: Rights = {
      source: scopes.has('transfer_workspace'),
      target: targetRole === 'owner' || targetRole === 'admin',
      support: actor.type === 'system',
    };
    if (!rights.source && !rights.support) return err(errors.forbidden('transfer_workspace'));
    return ok({ t: { workspace, source, target, newHandle: input.handle ?? workspace.handle }, rights });
  }

  /** Applies a plan (XFER-5): everything it lists, nothing else; `err` rolls it all back. */
  async function apply(tx: UnitOfWork, t: TransferContext, p: TransferPlan, now: Timestamp): Promise<Result<Workspace, WorkspaceKitError>> {
    const i = p.impacts;
    for (const g of i.grantsRemoved) await tx.grants.delete(t.workspace.id, g.grantee);
    for (const g of i.grantsRemapped) await tx.grants.updateRole(t.workspace.id, g.grantee, g.to.role, now);
    await tx.grants.moveWorkspace(t.workspace.id, t.target.id);
    for (const inv of i.invitationsCancelled) {
      const stored = await tx.invitations.getById(inv.id);
      if (!stored || stored.status !== 'pending') return err(errors.planStale(p.fingerprint));
      const revoked = { ...stored, status: 'revoked' as const, respondedAt: now, version: stored.version + 1 };
      if ((await tx.invitations.update(revoked, stored.version)) === 'conflict') return err(errors.planStale(p.fingerprint));
    }
    let pruned = 0;
    for (;;) {
      const n = await tx.resources.deleteEndedBefore(t.workspace.id, i.runsPruned.cutoff, PRUNE_BATCH);
      pruned += n;
      if (n < PRUNE_BATCH) break;
    }
    if (pruned !== i.runsPruned.count) return err(errors.planStale(p.fingerprint));
    const moved: Workspace = {
      ...t.workspace,
      accountId: t.target.id,
      handle: p.newHandle,
      defaultRole: i.defaultRole.to,
      version: t.workspace.version + 1,
      updatedAt: now,
    };
    const outcome = await tx.workspaces.update(moved, t.workspace.version);
    if (outcome === 'handle-taken') return err(errors.planStale(p.fingerprint));
    if (outcome === 'conflict') return err(errors.conflict('workspace', t.workspace.id, t.workspace.version, null));
    return ok(moved);
  }

  function handOff(t: TransferContext, p: TransferPlan, moved: Workspace): readonly [AuditDraft, AuditDraft] {
    const details = {
      from: p.impacts.handle.from,
      to: p.impacts.handle.to,
      sourceAccountId: t.source.id,
      targetAccountId: t.target.id,
      fingerprint: p.fingerprint,
      runsPruned: p.impacts.runsPruned.count,
      grantsRemoved: p.impacts.grantsRemoved.length,
      grantsRemapped: p.impacts.grantsRemapped.length,
      invitationsCancelled: p.impacts.invitationsCancelled.length,
      version: moved.version,
    };
    // XFER-6: the source's log ends with transferred-out; the target's continues from transferred-in.
    return [
      { accountId: t.source.id, workspaceId: t.workspace.id, action: 'workspace.transferred-out', subject: { type: 'workspace', id: t.workspace.id }, details },
      { accountId: t.target.id, workspaceId: t.workspace.id, action: 'workspace.transferred-in', subject: { type: 'workspace', id: t.workspace.id }, details },
    ];
  }

  /** Re-plans at `plannedAt` and checks it is the plan the caller saw (XFER-5). */
  async function replan(
    tx: UnitOfWork,
    t: TransferContext,
    rights: Rights,
    plannedAt: Timestamp,
    fingerprint: string,
    now: Timestamp,
    excludeRequest: TransferRequestId | null,
    validFor: number | null = PLAN_VALID_MS,
  ): Promise<Result<TransferPlan, WorkspaceKitError>> {
    // A plan is executable for 24 hours; one carried by an open request, as long as the request
    // is open (its own 24 hours, checked by the caller).
    const tooOld = validFor !== null && Date.parse(now) - Date.parse(plannedAt) > validFor;
    if (plannedAt > now || tooOld) return err(errors.planStale(fingerprint));
    // Both accounts are locked in id order: concurrent transfers and membership changes wait.
    for (const id of [t.source.id, t.target.id].sort()) await tx.accounts.lock(id);
    const snap = await snapshot(tx, t, rights, plannedAt, excludeRequest);
    if (snap.isErr()) return err(snap.error);
    const p = planTransfer(snap.value);
    if (p.fingerprint !== fingerprint) return err(errors.planStale(fingerprint));
    // What the state blocks comes first; then whether support must approve (XFER-3).
    const stateBlockers = p.blockers.filter((b) => b.code !== 'REQUIRES_SUPPORT');
    if (stateBlockers.length > 0) return err(errors.transferBlocked(stateBlockers));
    if (p.blockers.length > 0) return err(errors.transferRequiresSupport());
    return ok(p);
  }

  /** A request the actor may see: it administers the source workspace or the target account. */
  async function visibleRequest(
    tx: UnitOfWork,
    actor: Principal,
    requestId: TransferRequestId,
  ): Promise<Result<{ request: TransferRequest; t: TransferContext; side: 'source' | 'target' | 'support' }, WorkspaceKitError>> {
    const request = await tx.transferRequests.getById(requestId);
    const missing = () => err(errors.notFound('transfer-request', requestId));
    if (!request) return missing();
    const workspace = await tx.workspaces.getById(request.workspaceId);
    const source = await tx.accounts.getById(request.sourceAccountId);
    const target = await tx.accounts.getById(request.targetAccountId);
    // After an approval the workspace lives in the target: the request stays visible there.
    if (!workspace || !source || !target || (workspace.accountId !== source.id && workspace.accountId !== target.id)) return missing();
    const t: TransferContext = { workspace, source, target, newHandle: request.newHandle };
    if (actor.type === 'system') return ok({ request, t, side: 'support' });
    const targetAccess = await loadAccount(tx, actor, target.id);
    const targetRole = targetAccess.isOk() ? accountRoleOf(actor, targetAccess.value.snapshot) : null;
    if (targetRole === 'owner' || targetRole === 'admin') return ok({ request, t, side: 'target' });
    const sourceAccess = await loadWorkspace(tx, actor, workspace.id);
    if (sourceAccess.isOk() && sourceAccess.value.scopes.has('transfer_workspace')) return ok({ request, t, side: 'source' });
    return missing();
  }

  /** A visible request that is still open at `now`. */
  async function respondable(tx: UnitOfWork, actor: Principal, requestId: TransferRequestId, now: Timestamp) {
    const found = await visibleRequest(tx, actor, requestId);
    if (found.isErr()) return found;
    const status = transferRequestStatus(found.value.request, now);
    if (status !== 'pending') return err(errors.transferRequestClosed(requestId, status));
    return found;
  }

  async function close(
    tx: UnitOfWork,
    request: TransferRequest,
    status: 'rejected' | 'cancelled',
    actor: Principal,
    now: Timestamp,
  ): Promise<Result<{ value: TransferRequest; audit: AuditDraft }, WorkspaceKitError>> {
    const closed: TransferRequest = { ...request, status, respondedAt: now, respondedBy: actor, version: request.version + 1 };
    if ((await tx.transferRequests.update(closed, request.version)) === 'conflict') {
      return err(errors.conflict('transfer-request', request.id, request.version, null));
    }
    return ok({
      value: closed,
      audit: {
        accountId: request.sourceAccountId,
        workspaceId: request.workspaceId,
        action: status === 'rejected' ? 'transfer.rejected' : 'transfer.cancelled',
        subject: { type: 'transfer-request', id: request.id },
        details: { targetAccountId: request.targetAccountId },
      },
    });
  }

  return {
    planTransfer: (actor: unknown, input: z.input<typeof PlanTransferInput>) =>
      runQuery(ctx, PlanTransferInput, actor, input, async ({ tx, actor, input, now }) => {
        const loaded = await load(tx, actor, input);
        if (loaded.isErr()) return err(loaded.error);
        const snap = await snapshot(tx, loaded.value.t, loaded.value.rights, now, null);
        return snap.map(planTransfer);
      }),

    executeTransfer: (actor: unknown, input: z.input<typeof ExecuteTransferInput>) =>
      runCommand(ctx, ExecuteTransferInput, actor, input, async ({ tx, actor, input, now }) => {
        const loaded = await load(tx, actor, input);
        if (loaded.isErr()) return err(loaded.error);
        const { t, rights } = loaded.value;
        const p = await replan(tx, t, rights, input.plannedAt, input.fingerprint, now, null);
        if (p.isErr()) return err(p.error);
        if (p.value.approvalNeeded === 'target') return err(errors.forbidden('create_workspaces'));
        if (p.value.approvalNeeded !== 'none') return err(errors.transferRequiresSupport());
        const moved = await apply(tx, t, p.value, now);
        if (moved.isErr()) return err(moved.error);
        const view: TransferResult = { plan: p.value, workspace: moved.value };
        return ok({ value: view, audit: handOff(t, p.value, moved.value) });
      }),

    requestTransfer: (actor: unknown, input: z.input<typeof ExecuteTransferInput>) =>
      runCommand(ctx, ExecuteTransferInput, actor, input, async ({ tx, actor, input, now }) => {
        const loaded = await load(tx, actor, input);
        if (loaded.isErr()) return err(loaded.error);
        const { t, rights } = loaded.value;
        const p = await replan(tx, t, rights, input.plannedAt, input.fingerprint, now, null);
        if (p.isErr() && p.error.code !== 'TRANSFER_REQUIRES_SUPPORT') return err(p.error);
        const awaiting = t.source.kind === 'personal' && t.target.kind === 'personal' && !rights.support ? 'support' : rights.target ? null : 'target';
        if (awaiting === null) {
          return err(errors.validation([{ path: ['input'], message: 'the actor holds both sides: use executeTransfer' }]));
        }
        const request: TransferRequest = {
          id: ctx.ids.next('transfer-request') as TransferRequestId,
          workspaceId: t.workspace.id,
          sourceAccountId: t.source.id,
          targetAccountId: t.target.id,
          newHandle: t.newHandle,
          requestedBy: actor,
          awaiting,
          status: 'pending',
          fingerprint: input.fingerprint,
          plannedAt: input.plannedAt,
          createdAt: now,
          expiresAt: new Date(Date.parse(now) + TRANSFER_REQUEST_HOURS * 3_600_000).toISOString(),
          respondedAt: null,
          respondedBy: null,
          version: 1,
        };
        // An expired request still stored as pending gives way: it is closed as expired first.
        const stale = await tx.transferRequests.getPendingByWorkspace(t.workspace.id);
        if (stale && transferRequestStatus(stale, now) === 'expired') {
          await tx.transferRequests.update({ ...stale, status: 'expired', version: stale.version + 1 }, stale.version);
        }
        if ((await tx.transferRequests.insert(request)) === 'exists') {
          return err(errors.alreadyExists('transfer-request', t.workspace.id));
        }
        return ok({
          value: request,
          audit: {
            accountId: t.source.id,
            workspaceId: t.workspace.id,
            action: 'transfer.requested',
            subject: { type: 'transfer-request', id: request.id },
            details: { targetAccountId: t.target.id, newHandle: t.newHandle, awaiting, fingerprint: request.fingerprint, expiresAt: request.expiresAt },
          },
        });
      }),

    approveTransferRequest: (actor: unknown, input: z.input<typeof ApproveTransferInput>) =>
      runCommand(ctx, ApproveTransferInput, actor, input, async ({ tx, actor, input, now }) => {
        const found = await respondable(tx, actor, input.requestId, now);
        if (found.isErr()) return err(found.error);
        const { request, t, side } = found.value;
        // The awaited side approves; the system principal (support) may approve any request.
        if (side !== request.awaiting && side !== 'support') {
          return err(errors.forbidden(request.awaiting === 'target' ? 'create_workspaces' : 'transfer_workspace'));
        }
        if (input.fingerprint !== request.fingerprint) return err(errors.planStale(input.fingerprint));
        // XFER-2: the requesting side must still hold its rights when the other side approves.
        if (request.requestedBy.type !== 'system') {
          const still = await loadWorkspace(tx, request.requestedBy, t.workspace.id);
          if (still.isErr() || !still.value.scopes.has('transfer_workspace')) {
            return err(
              errors.transferBlocked([
                { code: 'NOT_AUTHORIZED', message: 'the requester no longer holds transfer_workspace in the workspace' },
              ]),
            );
          }
        }
        // The requester holds the other side; the approver completes the rights.
        const rights: Rights = { source: true, target: true, support: request.awaiting === 'support' };
        const p = await replan(tx, t, rights, request.plannedAt, request.fingerprint, now, request.id, null);
        if (p.isErr()) return err(p.error);
        const moved = await apply(tx, t, p.value, now);
        if (moved.isErr()) return err(moved.error);
        const closed: TransferRequest = { ...request, status: 'approved', respondedAt: now, respondedBy: actor, version: request.version + 1 };
        if ((await tx.transferRequests.update(closed, request.version)) === 'conflict') {
          return err(errors.conflict('transfer-request', request.id, request.version, null));
        }
        return ok({ value: { plan: p.value, workspace: moved.value } satisfies TransferResult, audit: handOff(t, p.value, moved.value) });
      }),

    rejectTransferRequest: (actor: unknown, input: z.input<typeof TransferRequestRefInput>) =>
      runCommand(ctx, TransferRequestRefInput, actor, input, async ({ tx, actor, input, now }) => {
        const found = await respondable(tx, actor, input.requestId, now);
        if (found.isErr()) return err(found.error);
        const { request, side } = found.value;
        if (side !== request.awaiting && side !== 'support') {
          return err(errors.forbidden(request.awaiting === 'target' ? 'create_workspaces' : 'transfer_workspace'));
        }
        return close(tx, request, 'rejected', actor, now);
      }),

    cancelTransferRequest: (actor: unknown, input: z.input<typeof TransferRequestRefInput>) =>
      runCommand(ctx, TransferRequestRefInput, actor, input, async ({ tx, actor, input, now }) => {
        const found = await respondable(tx, actor, input.requestId, now);
        if (found.isErr()) return err(found.error);
        const { request, side } = found.value;
        // The requesting side withdraws its own request.
        if (side === request.awaiting) return err(errors.forbidden('transfer_workspace'));
        return close(tx, request, 'cancelled', actor, now);
      }),

    getTransferRequest: (actor: unknown, input: z.input<typeof TransferRequestRefInput>) =>
      runQuery(ctx, TransferRequestRefInput, actor, input, async ({ tx, actor, input, now }) => {
        const found = await visibleRequest(tx, actor, input.requestId);
        if (found.isErr()) return err(found.error);
        const { request, t } = found.value;
        const status = transferRequestStatus(request, now);
        if (status !== 'pending') {
          const closed: TransferRequestView = { request: { ...request, status }, plan: null, stale: false };
          return ok(closed);
        }
        const rights: Rights = { source: true, target: true, support: request.awaiting === 'support' };
        const snap = await snapshot(tx, t, rights, request.plannedAt, request.id);
        if (snap.isErr()) return err(snap.error);
        const current = planTransfer(snap.value);
        const open: TransferRequestView = { request, plan: current, stale: current.fingerprint !== request.fingerprint };
        return ok(open);
      }),

    pruneRuns: (actor: unknown, input: z.input<typeof PruneRunsInput>) =>
      runCommand(ctx, PruneRunsInput, actor, input, async ({ tx, actor, input, now }) => {
        const access = await loadAccount(tx, actor, input.accountId);
        if (access.isErr()) return err(access.error);
        const { account, scopes } = access.value;
        const allowed = requireScope(scopes, 'manage_account_settings');
        if (allowed.isErr()) return err(allowed.error);
        const accountPlan = findPlan(ctx, account.planId);
        if (accountPlan.isErr()) return err(accountPlan.error);
        const cutoff = retentionCutoff(accountPlan.value, now);
        const byWorkspace: Record<string, number> = {};
        let pruned = 0;
        let budget = input.maxRuns ?? Number.POSITIVE_INFINITY;
        let complete = true;
        const workspaces = await allPages((p) => tx.workspaces.listByAccount(account.id, p));
        for (const [index, ws] of workspaces.entries()) {
          let n = 0;
          while (budget > 0) {
            const batch = Math.min(input.batchSize, budget);
            const removed = await tx.resources.deleteEndedBefore(ws.id, cutoff, batch);
            n += removed;
            budget -= removed;
            if (removed < batch) break;
          }
          if (n > 0) byWorkspace[ws.id] = n;
          pruned += n;
          if (budget <= 0) {
            // The budget ran out: complete only if nothing is due here or further on (the
            // counts are per-day sums, cheap to ask).
            for (const rest of workspaces.slice(index)) {
              if ((await tx.resources.countEndedBefore(rest.id, cutoff)) > 0) {
                complete = false;
                break;
              }
            }
            break;
          }
        }
        const report: PruneReport = { accountId: account.id, cutoff, retentionDays: accountPlan.value.limits.retentionDays, pruned, byWorkspace, complete };
        return ok({
          value: report,
          audit: {
            accountId: account.id,
            workspaceId: null,
            action: 'runs.pruned',
            subject: { type: 'account', id: account.id },
            details: { cutoff, retentionDays: report.retentionDays, pruned, byWorkspace, complete },
          },
        });
      }),
  
  };
}

/**
 * `pruneAllAccounts` (RET-2): for one page of accounts, prunes every account that has runs past
 * its plan's retention — each account in its own unit of work with its own `runs.pruned`
 * event; accounts with nothing due are only counted (no event). System principal only.
 */
export function pruneAllAccountsCommand(
  ctx: KitContext,
  pruneRuns: (actor: Principal, input: z.input<typeof PruneRunsInput>) => ResultAsync<PruneReport, WorkspaceKitError>,
) {
  const listDue = (actor: unknown, input: z.input<typeof PruneAllAccountsInput>) =>
    runQuery(ctx, PruneAllAccountsInput, actor, input, async ({ tx, actor, input, now }) => {
      if (actor.type !== 'system') return err(errors.forbidden('prune_all_accounts'));
      const page = await tx.accounts.list(input.cursor === undefined ? { limit: input.limit } : { limit: input.limit, cursor: input.cursor });
      const due: Account['id'][] = [];
      for (const account of page.items) {
        const accountPlan = findPlan(ctx, account.planId);
        if (accountPlan.isErr()) continue;
        const cutoff = retentionCutoff(accountPlan.value, now);
        for (const ws of await allPages((p) => tx.workspaces.listByAccount(account.id, p))) {
          if ((await tx.resources.countEndedBefore(ws.id, cutoff)) > 0) {
            due.push(account.id);
            break;
          }
        }
      }
      return ok({ due, accounts: page.items.length, nextCursor: page.nextCursor, actor, batchSize: input.batchSize });
    });

  return (actor: unknown, input: z.input<typeof PruneAllAccountsInput> = {}): ResultAsync<PruneAllReport, WorkspaceKitError> => {
    const listed = listDue(actor, input);
    // One account after another: each is its own unit of work, and a database is not flooded.
    return new ResultAsync(
      (async (): Promise<Result<PruneAllReport, WorkspaceKitError>> => {
        const found = await listed;
        if (found.isErr()) return err(found.error);
        const { due, accounts, nextCursor, actor: principal, batchSize } = found.value;
        const reports: PruneReport[] = [];
        for (const accountId of due) {
          const report = await pruneRuns(principal, { accountId, batchSize });
          if (report.isErr()) return err(report.error);
          reports.push(report.value);
        }
        return ok({ accounts, pruned: reports.reduce((n, r) => n + r.pruned, 0), reports, nextCursor });
      })(),
    );
  };
}
