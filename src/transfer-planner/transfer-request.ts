import type { Timestamp } from '../core/clock.js';
import type { Handle } from '../core/handle.js';
import type { AccountId, TransferRequestId, WorkspaceId } from '../core/ids.js';
import type { Principal } from '../core/principal.js';

/** How long a transfer request waits for the other side's approval (XFER-2). */
export const TRANSFER_REQUEST_HOURS = 24;

/** The status stored with a transfer request; `expired` is also derived from the time. */
export type TransferRequestStatus = 'pending' | 'approved' | 'rejected' | 'cancelled' | 'expired';

/**
 * A transfer waiting for the other side (XFER-2, XFER-3): at most one open per workspace. It
 * keeps the fingerprint and instant of the plan the requester saw, so the approver executes
 * exactly that plan or gets `PLAN_STALE`.
 */
export interface TransferRequest {
  readonly id: TransferRequestId;
  readonly workspaceId: WorkspaceId;
  readonly sourceAccountId: AccountId;
  readonly targetAccountId: AccountId;
  readonly newHandle: Handle;
  readonly requestedBy: Principal;
  /** Whose approval is missing. */
  readonly awaiting: 'source' | 'target' | 'support';
  readonly status: TransferRequestStatus;
  readonly fingerprint: string;
  readonly plannedAt: Timestamp;
  readonly createdAt: Timestamp;
  readonly expiresAt: Timestamp;
  readonly respondedAt: Timestamp | null;
  readonly respondedBy: Principal | null;
  readonly version: number;
}

/** The status at `now`: a pending request past its expiry is `expired`. */
export function transferRequestStatus(request: Pick<TransferRequest, 'status' | 'expiresAt'>, now: Timestamp): TransferRequestStatus {
  return request.status === 'pending' && request.expiresAt <= now ? 'expired' : request.status;
}
