import type { AccountRole } from '../account/account.js';
import type { Timestamp } from '../core/clock.js';
import type { AccountId, InvitationId, UserId, WorkspaceId } from '../core/ids.js';
import type { Principal } from '../core/principal.js';
import type { WorkspaceRoleRef } from '../role/custom-role.js';

/** How long an invitation stays acceptable unless the inviter says otherwise (INV-1). */
export const INVITATION_DEFAULT_DAYS = 7;

/** What an invitation offers: membership of an organization, or collaboration on a workspace. */
export type InvitationTarget =
  | { readonly type: 'account'; readonly role: AccountRole }
  | { readonly type: 'workspace'; readonly workspaceId: WorkspaceId; readonly role: WorkspaceRoleRef };

/**
 * The status stored with an invitation. A pending invitation past its expiry reads `expired`
 * (derived from the time); it is stored `expired` once retired, when the same email is invited
 * to the same target again (INV-1).
 */
export type StoredInvitationStatus = 'pending' | 'accepted' | 'rejected' | 'revoked' | 'expired';

/** An invitation's status as callers see it (INV-1). */
export type InvitationStatus = StoredInvitationStatus;

/**
 * An invitation as stored (INV-1, INV-2). The token itself is never stored: only `tokenHash`,
 * the SHA-256 of its random part.
 */
export interface Invitation {
  readonly id: InvitationId;
  readonly accountId: AccountId;
  /** Normalized: trimmed and lower-cased. */
  readonly email: string;
  readonly target: InvitationTarget;
  readonly invitedBy: Principal;
  readonly status: StoredInvitationStatus;
  readonly tokenHash: string;
  readonly createdAt: Timestamp;
  readonly expiresAt: Timestamp;
  /** When it was accepted, rejected or revoked. */
  readonly respondedAt: Timestamp | null;
  /** The user who accepted it. */
  readonly acceptedBy: UserId | null;
  /** Increases on every change; transitions are guarded by it (INV-3). */
  readonly version: number;
}

/** An invitation as the kit returns it: no token hash, the status with expiry applied. */
export type InvitationView = Omit<Invitation, 'tokenHash' | 'status'> & { readonly status: InvitationStatus };

/** The status at `now`: a pending invitation past its expiry is `expired` (INV-1). */
export function invitationStatus(invitation: Pick<Invitation, 'status' | 'expiresAt'>, now: Timestamp): InvitationStatus {
  return invitation.status === 'pending' && invitation.expiresAt <= now ? 'expired' : invitation.status;
}

/** The caller's view of an invitation at `now`. */
export function invitationView(invitation: Invitation, now: Timestamp): InvitationView {
  const { tokenHash: _hash, status: _status, ...rest } = invitation;
  return { ...rest, status: invitationStatus(invitation, now) };
}
