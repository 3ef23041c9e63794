import type { Timestamp } from '../core/clock.js';
import type { AccountId, WorkspaceId } from '../core/ids.js';
import type { Grantee } from '../core/principal.js';
import type { WorkspaceRoleRef } from '../role/custom-role.js';

/**
 * Workspace access given to a user or a service account (SHR-1, COL-1): a role in one
 * workspace. A user's effective scopes are the union of its grant, the workspace default role
 * (organization members only) and its account role's implicit access (ROLE-3, ROLE-4).
 */
export interface WorkspaceGrant {
  readonly workspaceId: WorkspaceId;
  /** The account owning the workspace (kept for per-account queries). */
  readonly accountId: AccountId;
  readonly grantee: Grantee;
  readonly role: WorkspaceRoleRef;
  readonly createdAt: Timestamp;
  readonly updatedAt: Timestamp;
}
