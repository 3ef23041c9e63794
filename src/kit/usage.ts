import type { Account } from '../account/account.js';
import type { PlanUsage } from '../account/plans.js';
import type { UnitOfWork } from '../ports/store.js';

/**
 * Seats an account uses (PLAN-2): distinct users holding a membership, not counting a personal
 * account's own owner. Counted in the storage, never by loading members.
 */
export async function countSeats(tx: UnitOfWork, account: Account): Promise<number> {
  if (account.kind === 'personal') return 0;
  const counts = await tx.memberships.countByRole(account.id);
  return counts.owner + counts.admin + counts.member;
}

/** Everything an account uses that a plan limits (PLAN-1, PLAN-2). */
export async function accountUsage(tx: UnitOfWork, account: Account): Promise<PlanUsage> {
  return {
    workspaces: await tx.workspaces.countByAccount(account.id),
    seats: await countSeats(tx, account),
  };
}
