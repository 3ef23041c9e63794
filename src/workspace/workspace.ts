import type { Timestamp } from '../core/clock.js';
import type { Handle } from '../core/handle.js';
import type { AccountId, WorkspaceId } from '../core/ids.js';
import type { WorkspaceRoleRef } from '../role/custom-role.js';

/** The longest workspace description (WS-1). */
export const DESCRIPTION_MAX_LENGTH = 500;

/** A workspace owned by an account (WS-1). */
export interface Workspace {
  readonly id: WorkspaceId;
  readonly accountId: AccountId;
  /** Unique among the live workspaces of the account (HDL-1). */
  readonly handle: Handle;
  readonly description: string;
  /**
   * The role every user member of the owning organization holds in the workspace, on top of
   * its own grant (ROLE-3); `null` = no access without a grant. Not applied to service
   * accounts, nor in personal accounts (which have no members).
   */
  readonly defaultRole: WorkspaceRoleRef | null;
  /** Starts at 1 and increases on every change (WS-5). */
  readonly version: number;
  readonly createdAt: Timestamp;
  readonly updatedAt: Timestamp;
}
