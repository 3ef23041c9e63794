/**
 * A reference model of accounts, plans and workspaces: plain maps, written from the
 * specification (HDL-1..4, PLAN-1, PLAN-4, WS-1, WS-3..5, ACC-3, ROLE-4) and NOT from src/.
 * It predicts the outcome of each command — ok, or the exact error code and the data that
 * comes with it — and applies successful commands to itself. The model-based property test
 * compares every real outcome with the prediction.
 */
import type { AccountRole } from '../../src/account/account.js';
import type { ErrorCode } from '../../src/core/errors.js';

/** The plan table of the specification (PLAN): workspace and seat limits, `null` = unlimited. */
export const SPEC_PLANS: Readonly<Record<string, { readonly workspaces: number | null; readonly seats: number | null }>> =
  Object.freeze({
    hobby: { workspaces: 1, seats: 2 },
    starter: { workspaces: 3, seats: 3 },
    team: { workspaces: 5, seats: 8 },
    pro: { workspaces: 20, seats: 25 },
    enterprise: { workspaces: null, seats: null },
  });

/** The longest description (WS-1). */
export const SPEC_DESCRIPTION_MAX = 500;

/** HDL-2, from the spec: trim, lower-case, then 1–40 of a-z, 0-9 and single inner hyphens. */
export function specHandle(raw: string): string | null {
  const h = raw.trim().toLowerCase();
  return h.length >= 1 && h.length <= 40 && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(h) ? h : null;
}

/** The principals the model knows. `eve` belongs to no account of the model; `system` is trusted. */
export type ActorName = 'alice' | 'bob' | 'carol' | 'dave' | 'eve' | 'system';
export const ACTOR_NAMES: readonly ActorName[] = ['alice', 'bob', 'carol', 'dave', 'eve', 'system'];

/** A predicted outcome: ok, or an error code with fields the error value must carry. */
export type Expected =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: ErrorCode; readonly fields?: Readonly<Record<string, unknown>> };

const OK: Expected = { ok: true };
const fail = (code: ErrorCode, fields?: Readonly<Record<string, unknown>>): Expected =>
  fields === undefined ? { ok: false, code } : { ok: false, code, fields };

export interface ModelWorkspace {
  readonly id: string;
  handle: string;
  description: string;
  version: number;
}

export interface ModelAccount {
  /** A stable name for messages (`alice`, `acme`, `beta`). */
  readonly name: string;
  readonly id: string;
  readonly handle: string;
  readonly kind: 'personal' | 'organization';
  plan: string;
  version: number;
  /** Seats in use (PLAN-2): members of an organization, 0 for a personal account. */
  readonly seats: number;
  /** Account role of each actor (the personal owner holds Owner). */
  readonly roles: ReadonlyMap<ActorName, AccountRole>;
  /** Live workspaces by normalized handle. */
  readonly workspaces: Map<string, ModelWorkspace>;
}

/** Counters showing the interesting paths were really taken (guards against a vacuous test). */
export interface ModelStats {
  createdWithFreeHandle: number;
  /** A create or rename took a handle that an earlier delete or rename had freed (HDL-3). */
  reusedFreedHandle: number;
  handleTaken: number;
  planLimitReached: number;
  downgradeBlocked: number;
  conflicts: number;
  renames: number;
  deletes: number;
  refusedForRole: number;
}

export function emptyStats(): ModelStats {
  return {
    createdWithFreeHandle: 0,
    reusedFreedHandle: 0,
    handleTaken: 0,
    planLimitReached: 0,
    downgradeBlocked: 0,
    conflicts: 0,
    renames: 0,
    deletes: 0,
    refusedForRole: 0,
  };
}

/** What an update or delete addresses: a live workspace, a deleted one, or an unknown id. */
export interface ResolvedTarget {
  readonly id: string;
  readonly account: ModelAccount | null;
  readonly workspace: ModelWorkspace | null;
}

/** Raw input of an update, as the caller sends it. */
export interface UpdateRequest {
  readonly handle: string | undefined;
  readonly description: string | undefined;
  readonly expectedVersion: number | undefined;
}

export class ReferenceModel {
  /** Audit events that must exist: the seed's, plus one per successful command (AUD-1). */
  events: number;
  readonly deletedIds: string[] = [];
  /** Handles freed per account (by delete or rename) and not taken since. */
  private readonly freed = new Map<string, Set<string>>();
  readonly stats: ModelStats = emptyStats();

  constructor(
    readonly accounts: readonly ModelAccount[],
    seedEvents: number,
  ) {
    this.events = seedEvents;
  }

  roleOf(account: ModelAccount, actor: ActorName): AccountRole | null {
    if (actor === 'system') return 'owner';
    return account.roles.get(actor) ?? null;
  }

  /** ROLE-4: account Owners and Admins hold Owner scopes in every workspace; others see none. */
  private seesWorkspaces(account: ModelAccount, actor: ActorName): boolean {
    const role = this.roleOf(account, actor);
    return role === 'owner' || role === 'admin';
  }

  private freedSet(account: ModelAccount): Set<string> {
    let s = this.freed.get(account.id);
    if (!s) {
      s = new Set();
      this.freed.set(account.id, s);
    }
    return s;
  }

  /**
   * What an update or delete addresses: with `live`, the `pick`-th live workspace of the
   * account in handle order (if it has any); otherwise, or with `deleted`, a workspace deleted
   * earlier (if any); else an id that never existed.
   */
  resolve(account: ModelAccount | null, mode: 'live' | 'deleted' | 'unknown', pick: number): ResolvedTarget {
    if (mode === 'live' && account && account.workspaces.size > 0) {
      const live = [...account.workspaces.values()].sort((a, b) => (a.handle < b.handle ? -1 : 1));
      return { id: live[pick % live.length]!.id, account, workspace: live[pick % live.length]! };
    }
    if (mode !== 'unknown' && this.deletedIds.length > 0) {
      return { id: this.deletedIds[pick % this.deletedIds.length]!, account: null, workspace: null };
    }
    return { id: 'ws_never_existed', account: null, workspace: null };
  }

  // --- createWorkspace (WS-1, HDL-1, HDL-2, HDL-4, PLAN-1) ---

  predictCreate(account: ModelAccount | null, actor: ActorName, rawHandle: string, rawDescription: string | undefined): Expected {
    const handle = specHandle(rawHandle);
    if (handle === null) return fail('VALIDATION');
    if (rawDescription !== undefined && rawDescription.trim().length > SPEC_DESCRIPTION_MAX) return fail('VALIDATION');
    if (!account) return fail('NOT_FOUND', { entity: 'account' });
    const role = this.roleOf(account, actor);
    if (role === null) return fail('NOT_FOUND', { entity: 'account' });
    if (role === 'member') return fail('FORBIDDEN', { missingScope: 'create_workspaces' });
    const max = SPEC_PLANS[account.plan]!.workspaces;
    if (max !== null && account.workspaces.size >= max) {
      return fail('PLAN_LIMIT_REACHED', { limit: 'workspaces', max, current: account.workspaces.size, planId: account.plan });
    }
    if (account.workspaces.has(handle)) return fail('HANDLE_TAKEN', { handle, scope: 'workspace', accountId: account.id });
    return OK;
  }

  applyCreate(account: ModelAccount, id: string, rawHandle: string, rawDescription: string | undefined): ModelWorkspace {
    const handle = specHandle(rawHandle)!;
    const ws: ModelWorkspace = { id, handle, description: rawDescription?.trim() ?? '', version: 1 };
    account.workspaces.set(handle, ws);
    this.takeHandle(account, handle);
    this.stats.createdWithFreeHandle += 1;
    this.events += 1;
    return ws;
  }

  // --- updateWorkspace (WS-3, WS-5, HDL-1, HDL-3) ---

  predictUpdate(target: ResolvedTarget, actor: ActorName, req: UpdateRequest): Expected {
    const handle = req.handle === undefined ? undefined : specHandle(req.handle);
    if (handle === null) return fail('VALIDATION');
    if (req.description !== undefined && req.description.trim().length > SPEC_DESCRIPTION_MAX) return fail('VALIDATION');
    if (req.handle === undefined && req.description === undefined) return fail('VALIDATION');
    if (req.expectedVersion !== undefined && (!Number.isInteger(req.expectedVersion) || req.expectedVersion < 1)) {
      return fail('VALIDATION');
    }
    const { account, workspace } = target;
    if (!account || !workspace) return fail('NOT_FOUND', { entity: 'workspace' });
    if (!this.seesWorkspaces(account, actor)) return fail('NOT_FOUND', { entity: 'workspace' });
    if (req.expectedVersion !== undefined && req.expectedVersion !== workspace.version) {
      return fail('CONFLICT', { entity: 'workspace', expectedVersion: req.expectedVersion, actualVersion: workspace.version });
    }
    const nextHandle = handle ?? workspace.handle;
    if (nextHandle !== workspace.handle && account.workspaces.has(nextHandle)) {
      return fail('HANDLE_TAKEN', { handle: nextHandle, scope: 'workspace', accountId: account.id });
    }
    return OK;
  }

  /** Applies a successful update; returns whether anything changed (the version moved). */
  applyUpdate(target: ResolvedTarget, req: UpdateRequest): boolean {
    const account = target.account!;
    const ws = target.workspace!;
    const handle = req.handle === undefined ? ws.handle : specHandle(req.handle)!;
    const description = req.description === undefined ? ws.description : req.description.trim();
    this.events += 1;
    if (handle === ws.handle && description === ws.description) return false;
    if (handle !== ws.handle) {
      account.workspaces.delete(ws.handle);
      this.freedSet(account).add(ws.handle);
      this.takeHandle(account, handle);
      account.workspaces.set(handle, ws);
      ws.handle = handle;
      this.stats.renames += 1;
    }
    ws.description = description;
    ws.version += 1;
    return true;
  }

  // --- deleteWorkspace (WS-4, WS-5, HDL-3) ---

  predictDelete(target: ResolvedTarget, actor: ActorName, expectedVersion: number | undefined): Expected {
    if (expectedVersion !== undefined && (!Number.isInteger(expectedVersion) || expectedVersion < 1)) return fail('VALIDATION');
    const { account, workspace } = target;
    if (!account || !workspace) return fail('NOT_FOUND', { entity: 'workspace' });
    if (!this.seesWorkspaces(account, actor)) return fail('NOT_FOUND', { entity: 'workspace' });
    if (expectedVersion !== undefined && expectedVersion !== workspace.version) {
      return fail('CONFLICT', { entity: 'workspace', expectedVersion, actualVersion: workspace.version });
    }
    return OK;
  }

  applyDelete(target: ResolvedTarget): void {
    const account = target.account!;
    const ws = target.workspace!;
    account.workspaces.delete(ws.handle);
    this.freedSet(account).add(ws.handle);
    this.deletedIds.push(ws.id);
    this.stats.deletes += 1;
    this.events += 1;
  }

  // --- changePlan (PLAN-4) ---

  predictChangePlan(account: ModelAccount | null, actor: ActorName, planId: string): Expected {
    if (planId.length < 1 || planId.length > 64) return fail('VALIDATION');
    if (!account) return fail('NOT_FOUND', { entity: 'account' });
    const role = this.roleOf(account, actor);
    if (role === null) return fail('NOT_FOUND', { entity: 'account' });
    if (role === 'member') return fail('FORBIDDEN', { missingScope: 'manage_account_settings' });
    const plan = Object.hasOwn(SPEC_PLANS, planId) ? SPEC_PLANS[planId] : undefined;
    if (!plan) return fail('NOT_FOUND', { entity: 'plan' });
    const violations: { limit: string; max: number; current: number }[] = [];
    if (plan.workspaces !== null && account.workspaces.size > plan.workspaces) {
      violations.push({ limit: 'workspaces', max: plan.workspaces, current: account.workspaces.size });
    }
    if (plan.seats !== null && account.seats > plan.seats) {
      violations.push({ limit: 'seats', max: plan.seats, current: account.seats });
    }
    if (violations.length > 0) return fail('PLAN_DOWNGRADE_BLOCKED', { planId, violations });
    return OK;
  }

  /** A success records an event; the account row (and its version) changes only with the plan. */
  applyChangePlan(account: ModelAccount, planId: string): void {
    if (account.plan !== planId) account.version += 1;
    account.plan = planId;
    this.events += 1;
  }

  /** Records that a refusal happened, for the coverage counters. */
  noteRefusal(expected: Expected): void {
    if (expected.ok) return;
    if (expected.code === 'HANDLE_TAKEN') this.stats.handleTaken += 1;
    if (expected.code === 'PLAN_LIMIT_REACHED') this.stats.planLimitReached += 1;
    if (expected.code === 'PLAN_DOWNGRADE_BLOCKED') this.stats.downgradeBlocked += 1;
    if (expected.code === 'CONFLICT') this.stats.conflicts += 1;
    if (expected.code === 'FORBIDDEN') this.stats.refusedForRole += 1;
  }

  private takeHandle(account: ModelAccount, handle: string): void {
    const freed = this.freedSet(account);
    if (freed.delete(handle)) this.stats.reusedFreedHandle += 1;
  }
}
