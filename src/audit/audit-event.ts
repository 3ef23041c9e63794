import type { Timestamp } from '../core/clock.js';
import type { AccountId, AuditEventId, WorkspaceId } from '../core/ids.js';
import type { Principal } from '../core/principal.js';

/** A JSON value, as kept in an audit event's details. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [k: string]: JsonValue };

/** What an audit event is about. */
export interface AuditSubject {
  readonly type:
    | 'user'
    | 'account'
    | 'membership'
    | 'workspace'
    | 'resource'
    | 'role'
    | 'grant'
    | 'invitation'
    | 'service-account'
    | 'api-key'
    | 'transfer-request';
  readonly id: string;
}

/** The actions the library records (AUD-1). */
export type AuditAction =
  | 'user.registered'
  | 'account.created'
  | 'account.plan-changed'
  | 'member.added'
  | 'member.role-changed'
  | 'member.removed'
  | 'workspace.created'
  | 'workspace.updated'
  | 'workspace.deleted'
  | 'resources.tracked'
  | 'workspace.shared'
  | 'workspace.share-changed'
  | 'workspace.unshared'
  | 'workspace.default-role-changed'
  | 'role.created'
  | 'role.deleted'
  | 'invitation.created'
  | 'invitation.resent'
  | 'invitation.revoked'
  | 'invitation.accepted'
  | 'invitation.rejected'
  | 'service-account.created'
  | 'service-account.deleted'
  | 'api-key.created'
  | 'api-key.revoked'
  | 'api-key.rotated'
  | 'transfer.requested'
  | 'transfer.rejected'
  | 'transfer.cancelled'
  | 'workspace.transferred-out'
  | 'workspace.transferred-in'
  | 'runs.pruned';

/**
 * One audit event (AUD-1): who did what to which subject, when, and what changed. Recorded in
 * the account that owns the subject, in the same unit of work as the change.
 */
export interface AuditEvent {
  readonly id: AuditEventId;
  /** Monotonic position within the store: orders events recorded at the same instant. */
  readonly sequence: number;
  readonly accountId: AccountId;
  readonly workspaceId: WorkspaceId | null;
  readonly actor: Principal;
  readonly action: AuditAction;
  readonly subject: AuditSubject;
  readonly at: Timestamp;
  /** What changed: for edits `{ field: { from, to } }`, for creations the created values. */
  readonly details: { readonly [k: string]: JsonValue };
}

/** An audit event before the store assigns its `sequence`. */
export type NewAuditEvent = Omit<AuditEvent, 'sequence'>;
