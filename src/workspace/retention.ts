import type { Plan } from '../account/plans.js';
import type { Timestamp } from '../core/clock.js';
import type { ResourceKind } from './resource.js';

const DAY_MS = 86_400_000;

/** The resource kinds retention prunes: flow and task runs (RET-1). */
export const RETAINED_KINDS = ['flow-run', 'task-run'] as const satisfies readonly ResourceKind[];

/**
 * The retention cutoff of a plan at `now` (RET-1, RET-2): runs whose end lies strictly before it
 * are pruned; runs that have not ended never are.
 *
 * @example
 * ```ts
 * retentionCutoff(DEFAULT_PLANS.hobby, '2026-01-08T00:00:00.000Z'); // '2026-01-01T00:00:00.000Z'
 * ```
 */
export function retentionCutoff(plan: Pick<Plan, 'limits'>, now: Timestamp): Timestamp {
  return new Date(Date.parse(now) - plan.limits.retentionDays * DAY_MS).toISOString();
}
