import type { z } from 'zod';

/** One problem found in a command's input. `path` locates it (`['input', 'handle']`). */
export interface ValidationIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** The HDL-2 rule broken, when the issue is about a handle. */
  readonly rule?: string;
}

/** The kinds of entity a `NOT_FOUND` or `CONFLICT` can be about. */
export type EntityKind =
  | 'user'
  | 'account'
  | 'membership'
  | 'workspace'
  | 'plan'
  | 'role'
  | 'grant'
  | 'invitation'
  | 'service-account'
  | 'api-key'
  | 'transfer-request';

/** Input was malformed; nothing was changed. */
export interface ValidationError {
  readonly code: 'VALIDATION';
  readonly message: string;
  readonly issues: readonly ValidationIssue[];
}
/** The actor lacks a scope; `missingScope` names it (ROLE-6). */
export interface ForbiddenError {
  readonly code: 'FORBIDDEN';
  readonly message: string;
  readonly missingScope: string;
}
/** The entity does not exist, or the actor may not know it exists. */
export interface NotFoundError {
  readonly code: 'NOT_FOUND';
  readonly message: string;
  readonly entity: EntityKind;
  readonly key: string;
}
/** A handle is already in use in its uniqueness scope (HDL-1, HDL-4). */
export interface HandleTakenError {
  readonly code: 'HANDLE_TAKEN';
  readonly message: string;
  readonly handle: string;
  /** `account` for account handles (global), `workspace` for handles within `accountId`. */
  readonly scope: 'account' | 'workspace';
  readonly accountId?: string;
}
/** The email already belongs to a user (ACC-1). */
export interface EmailTakenError {
  readonly code: 'EMAIL_TAKEN';
  readonly message: string;
  readonly email: string;
}
/** The entity already exists (e.g. the user is already a member). */
export interface AlreadyExistsError {
  readonly code: 'ALREADY_EXISTS';
  readonly message: string;
  readonly entity: EntityKind;
  readonly key: string;
}
/** The entity changed since the version the caller read (WS-5). */
export interface ConflictError {
  readonly code: 'CONFLICT';
  readonly message: string;
  readonly entity: EntityKind;
  readonly id: string;
  readonly expectedVersion: number;
  readonly actualVersion: number | null;
}
/** A plan limit would be exceeded (PLAN-1, PLAN-2). */
export interface PlanLimitReachedError {
  readonly code: 'PLAN_LIMIT_REACHED';
  readonly message: string;
  readonly limit: PlanLimitName;
  readonly max: number;
  readonly current: number;
  readonly planId: string;
}
/** One limit a plan change would break (PLAN-4). */
export interface PlanViolation {
  readonly limit: PlanLimitName;
  readonly max: number;
  readonly current: number;
}
/** A plan downgrade would break limits; `violations` lists each (PLAN-4). */
export interface PlanDowngradeBlockedError {
  readonly code: 'PLAN_DOWNGRADE_BLOCKED';
  readonly message: string;
  readonly planId: string;
  readonly violations: readonly PlanViolation[];
}
/** The account's plan lacks a feature (PLAN-3). */
export interface PlanFeatureUnavailableError {
  readonly code: 'PLAN_FEATURE_UNAVAILABLE';
  readonly message: string;
  readonly feature: string;
  readonly planId: string;
}
/** The command would leave an organization without an Owner (ACC-4). */
export interface LastOwnerError {
  readonly code: 'LAST_OWNER';
  readonly message: string;
  readonly accountId: string;
}
/**
 * Why an invitation token was refused (INV-2, INV-3). A token that does not match any
 * invitation is `invalid-token` whatever the reason, so nothing is revealed to a guesser.
 */
export type InvitationRefusal = 'invalid-token' | 'expired' | 'not-pending' | 'email-mismatch';
/** An invitation token was refused; `reason` says why (INV-2, INV-3). */
export interface InvitationInvalidError {
  readonly code: 'INVITATION_INVALID';
  readonly message: string;
  readonly reason: InvitationRefusal;
}
/** Why a presented API key was refused (SA-2). Unknown and tampered keys are `invalid-key`. */
export type ApiKeyRefusal = 'invalid-key' | 'expired' | 'revoked';
/** A presented API key does not authenticate anyone (SA-2). The key itself is never echoed. */
export interface UnauthenticatedError {
  readonly code: 'UNAUTHENTICATED';
  readonly message: string;
  readonly reason: ApiKeyRefusal;
}
/** A custom role is still used and cannot be deleted (ROLE-2); the counts say where. */
export interface RoleInUseError {
  readonly code: 'ROLE_IN_USE';
  readonly message: string;
  readonly roleId: string;
  /** Workspace grants using the role. */
  readonly grants: number;
  /** Workspaces whose default role it is. */
  readonly defaultRoles: number;
  /** Pending invitations offering it. */
  readonly invitations: number;
}
/** The state a transfer plan was made on has changed; nothing was done (XFER-5). Re-plan. */
export interface PlanStaleError {
  readonly code: 'PLAN_STALE';
  readonly message: string;
  readonly fingerprint: string;
}
/** Something blocks the transfer (XFER-4); `blockers` lists each, as in the plan. */
export interface TransferBlockedError {
  readonly code: 'TRANSFER_BLOCKED';
  readonly message: string;
  readonly blockers: readonly { readonly code: string; readonly message: string }[];
}
/** A transfer between two personal accounts needs a support principal (XFER-3). */
export interface TransferRequiresSupportError {
  readonly code: 'TRANSFER_REQUIRES_SUPPORT';
  readonly message: string;
}
/** The transfer request is no longer open (approved, rejected, cancelled or expired). */
export interface TransferRequestClosedError {
  readonly code: 'TRANSFER_REQUEST_CLOSED';
  readonly message: string;
  readonly requestId: string;
  readonly status: string;
}
/** The storage adapter failed; nothing was changed. Usually worth retrying. */
export interface StorageError {
  readonly code: 'STORAGE';
  readonly message: string;
}

/** The names of countable plan limits. */
export type PlanLimitName = 'workspaces' | 'seats';

/**
 * Every error a workspace-kit command can return: a discriminated union on a stable `code`.
 * All members are plain JSON-serializable objects.
 */
export type WorkspaceKitError =
  | ValidationError
  | ForbiddenError
  | NotFoundError
  | HandleTakenError
  | EmailTakenError
  | AlreadyExistsError
  | ConflictError
  | PlanLimitReachedError
  | PlanDowngradeBlockedError
  | PlanFeatureUnavailableError
  | LastOwnerError
  | InvitationInvalidError
  | UnauthenticatedError
  | RoleInUseError
  | PlanStaleError
  | TransferBlockedError
  | TransferRequiresSupportError
  | TransferRequestClosedError
  | StorageError;

/** Every stable error code. */
export type ErrorCode = WorkspaceKitError['code'];

/** Constructors for {@link WorkspaceKitError} values with consistent messages. */
export const errors = {
  validation(issues: readonly ValidationIssue[]): ValidationError {
    const first = issues[0];
    const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
    return {
      code: 'VALIDATION',
      message: first ? `invalid input: ${where}${first.message}` : 'invalid input',
      issues,
    };
  },
  forbidden(missingScope: string): ForbiddenError {
    return { code: 'FORBIDDEN', message: `missing scope ${missingScope}`, missingScope };
  },
  notFound(entity: EntityKind, key: string): NotFoundError {
    return { code: 'NOT_FOUND', message: `${entity} ${key} not found`, entity, key };
  },
  accountHandleTaken(handle: string): HandleTakenError {
    return { code: 'HANDLE_TAKEN', message: `account handle "${handle}" is taken`, handle, scope: 'account' };
  },
  workspaceHandleTaken(accountId: string, handle: string): HandleTakenError {
    return {
      code: 'HANDLE_TAKEN',
      message: `workspace handle "${handle}" is taken in this account`,
      handle,
      scope: 'workspace',
      accountId,
    };
  },
  emailTaken(email: string): EmailTakenError {
    return { code: 'EMAIL_TAKEN', message: `a user with email ${email} exists`, email };
  },
  alreadyExists(entity: EntityKind, key: string): AlreadyExistsError {
    return { code: 'ALREADY_EXISTS', message: `${entity} ${key} already exists`, entity, key };
  },
  conflict(entity: EntityKind, id: string, expectedVersion: number, actualVersion: number | null): ConflictError {
    return {
      code: 'CONFLICT',
      message: `${entity} ${id} is at version ${actualVersion ?? 'none'}, not ${expectedVersion}`,
      entity,
      id,
      expectedVersion,
      actualVersion,
    };
  },
  planLimitReached(planId: string, limit: PlanLimitName, max: number, current: number): PlanLimitReachedError {
    return {
      code: 'PLAN_LIMIT_REACHED',
      message: `plan ${planId} allows ${max} ${limit}; the account has ${current}`,
      limit,
      max,
      current,
      planId,
    };
  },
  planDowngradeBlocked(planId: string, violations: readonly PlanViolation[]): PlanDowngradeBlockedError {
    const list = violations.map((v) => `${v.current} ${v.limit} (max ${v.max})`).join(', ');
    return {
      code: 'PLAN_DOWNGRADE_BLOCKED',
      message: `cannot change to plan ${planId}: the account has ${list}`,
      planId,
      violations,
    };
  },
  planFeatureUnavailable(planId: string, feature: string): PlanFeatureUnavailableError {
    return {
      code: 'PLAN_FEATURE_UNAVAILABLE',
      message: `plan ${planId} does not include ${feature}`,
      feature,
      planId,
    };
  },
  lastOwner(accountId: string): LastOwnerError {
    return {
      code: 'LAST_OWNER',
      message: `account ${accountId} must keep at least one Owner`,
      accountId,
    };
  },
  invitationInvalid(reason: InvitationRefusal): InvitationInvalidError {
    const why: Record<InvitationRefusal, string> = {
      'invalid-token': 'the invitation token is not valid',
      expired: 'the invitation has expired',
      'not-pending': 'the invitation is no longer pending',
      'email-mismatch': 'the invitation was sent to another email address',
    };
    return { code: 'INVITATION_INVALID', message: why[reason], reason };
  },
  unauthenticated(reason: ApiKeyRefusal): UnauthenticatedError {
    const why: Record<ApiKeyRefusal, string> = {
      'invalid-key': 'the API key is not valid',
      expired: 'the API key has expired',
      revoked: 'the API key was revoked',
    };
    return { code: 'UNAUTHENTICATED', message: why[reason], reason };
  },
  roleInUse(roleId: string, grants: number, defaultRoles: number, invitations: number): RoleInUseError {
    return {
      code: 'ROLE_IN_USE',
      message: `role ${roleId} is used by ${grants} grants, ${defaultRoles} default roles and ${invitations} pending invitations`,
      roleId,
      grants,
      defaultRoles,
      invitations,
    };
  },
  planStale(fingerprint: string): PlanStaleError {
    return { code: 'PLAN_STALE', message: 'the state changed since the transfer was planned: plan it again', fingerprint };
  },
  transferBlocked(blockers: readonly { readonly code: string; readonly message: string }[]): TransferBlockedError {
    return {
      code: 'TRANSFER_BLOCKED',
      message: `the transfer is blocked: ${blockers.map((b) => b.message).join('; ')}`,
      blockers: blockers.map((b) => ({ ...b })),
    };
  },
  transferRequiresSupport(): TransferRequiresSupportError {
    return { code: 'TRANSFER_REQUIRES_SUPPORT', message: 'a transfer between two personal accounts needs support to approve it' };
  },
  transferRequestClosed(requestId: string, status: string): TransferRequestClosedError {
    return { code: 'TRANSFER_REQUEST_CLOSED', message: `transfer request ${requestId} is ${status}`, requestId, status };
  },
  storage(message: string): StorageError {
    return { code: 'STORAGE', message: `storage failure: ${message}` };
  },
} as const;

/** Converts zod issues into {@link ValidationIssue}s, prefixing each path with `root`. */
export function fromZodIssues(root: string, issues: readonly z.core.$ZodIssue[]): ValidationIssue[] {
  return issues.map((issue) => {
    const params = (issue as { params?: { rule?: unknown } }).params;
    const base = { path: [root, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: issue.message };
    return typeof params?.rule === 'string' ? { ...base, rule: params.rule } : base;
  });
}

/** True when `value` is a {@link WorkspaceKitError} (has a known string `code`). */
export function isWorkspaceKitError(value: unknown): value is WorkspaceKitError {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'string' && 'message' in value;
}
