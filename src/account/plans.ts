import type { PlanLimitName, PlanViolation } from '../core/errors.js';

/** Features a plan may or may not include (PLAN-3). */
export type PlanFeature = 'serviceAccounts' | 'workspaceRbac' | 'customRoles' | 'auditLog';

/**
 * A plan: its limits (`null` = unlimited) and features. The catalog is data the host passes in.
 */
export interface Plan {
  readonly id: string;
  readonly name: string;
  readonly limits: {
    readonly workspaces: number | null;
    readonly seats: number | null;
    /** Days run metadata is kept after a run ends (RET-1). */
    readonly retentionDays: number;
  };
  readonly features: Readonly<Record<PlanFeature, boolean>>;
}

/** A plan catalog, keyed by plan id. */
export type PlanCatalog = Readonly<Record<string, Plan>>;

function plan(
  id: string,
  name: string,
  workspaces: number | null,
  seats: number | null,
  retentionDays: number,
  features: readonly PlanFeature[],
): Plan {
  return {
    id,
    name,
    limits: { workspaces, seats, retentionDays },
    features: {
      serviceAccounts: features.includes('serviceAccounts'),
      workspaceRbac: features.includes('workspaceRbac'),
      customRoles: features.includes('customRoles'),
      auditLog: features.includes('auditLog'),
    },
  };
}

/**
 * The default plan catalog of the specification (PLAN table): hobby, starter, team, pro and
 * enterprise. Pass your own to `createWorkspaceKit({ plans })` to change any number.
 */
export const DEFAULT_PLANS: PlanCatalog = Object.freeze({
  hobby: plan('hobby', 'Hobby', 1, 2, 7, []),
  starter: plan('starter', 'Starter', 3, 3, 7, []),
  team: plan('team', 'Team', 5, 8, 14, ['serviceAccounts']),
  pro: plan('pro', 'Pro', 20, 25, 30, ['serviceAccounts', 'workspaceRbac', 'auditLog']),
  enterprise: plan('enterprise', 'Enterprise', null, null, 365, [
    'serviceAccounts',
    'workspaceRbac',
    'customRoles',
    'auditLog',
  ]),
});

/** Current usage of an account, compared against a plan's limits. */
export type PlanUsage = Readonly<Record<PlanLimitName, number>>;

/**
 * Lists every limit of `target` that `usage` exceeds (PLAN-4). Empty when the plan fits.
 *
 * @example
 * ```ts
 * planViolations(DEFAULT_PLANS.hobby, { workspaces: 3, seats: 1 });
 * // [{ limit: 'workspaces', max: 1, current: 3 }]
 * ```
 */
export function planViolations(target: Plan, usage: PlanUsage): PlanViolation[] {
  const out: PlanViolation[] = [];
  for (const limit of ['workspaces', 'seats'] as const) {
    const max = target.limits[limit];
    if (max !== null && usage[limit] > max) out.push({ limit, max, current: usage[limit] });
  }
  return out;
}
