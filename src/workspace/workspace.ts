import type { Timestamp } from '../core/clock.js';
import type { Handle } from '../core/handle.js';
import type { AccountId, WorkspaceId } from '../core/ids.js';

/** The longest workspace description (WS-1). */
export const DESCRIPTION_MAX_LENGTH = 500;

/** A workspace owned by an account (WS-1). */
export interface Workspace {
  readonly id: WorkspaceId;
  readonly accountId: AccountId;
  /** Unique among the live workspaces of the account (HDL-1). */
  readonly handle: Handle;
  readonly description: string;
  /** Starts at 1 and increases on every change (WS-5). */
  readonly version: number;
  readonly createdAt: Timestamp;
  readonly updatedAt: Timestamp;
}
