import type { Account } from '../account/account.js';
import { err, ok, type Result } from 'neverthrow';
import type { Plan, PlanUsage } from '../account/plans.js';
import { errors, type WorkspaceKitError } from '../core/errors.js';
import type { Timestamp } from '../core/clock.js';
import type { UnitOfWork } from '../ports/store.js';

/**
 * Seats an account uses (PLAN-2): distinct users holding a membership, a workspace grant or a
 * pending invitation, counted once per email. A personal account's owner holds none of these in
 * its own account, so it is never counted. Counted in the storage.
 */
export function countSeats(tx: UnitOfWork, account: Account, now: Timestamp, candidateEmail?: string): Promise<number> {
  return candidateEmail === undefined ? tx.seats.count(account.id, now) : tx.seats.count(account.id, now, candidateEmail);
}

/** Everything an account uses that a plan limits (PLAN-1, PLAN-2). */
export async function accountUsage(tx: UnitOfWork, account: Account, now: Timestamp): Promise<PlanUsage> {
  return {
    workspaces: await tx.workspaces.countByAccount(account.id),
    seats: await countSeats(tx, account, now),
  };
}

/**
 * PLAN-2: `PLAN_LIMIT_REACHED` when giving `email` a seat would exceed the plan's seat limit.
 * An email that already holds a seat costs nothing. Lock the account first.
 */
export async function requireSeatFor(
  tx: UnitOfWork,
  plan: Plan,
  account: Account,
  now: Timestamp,
  email: string,
): Promise<Result<void, WorkspaceKitError>> {
  const max = plan.limits.seats;
  if (max === null) return ok(undefined);
  const withCandidate = await countSeats(tx, account, now, email);
  if (withCandidate <= max) return ok(undefined);
  return err(errors.planLimitReached(plan.id, 'seats', max, await countSeats(tx, account, now)));
}
