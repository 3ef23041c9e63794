// The public API of workspace-kit. Explicit named exports only.
export { createWorkspaceKit } from './kit/workspace-kit.js';
export type { KitResult, WorkspaceKit, WorkspaceKitOptions } from './kit/workspace-kit.js';
export type { EventListener, ListenerErrorHandler } from './kit/events.js';

export { asUser, system, PrincipalSchema } from './core/principal.js';
export type { Principal, SystemPrincipal, UserPrincipal } from './core/principal.js';
export { randomIds, sequentialIds, UserIdSchema, AccountIdSchema, WorkspaceIdSchema } from './core/ids.js';
export type { AccountId, AuditEventId, Brand, IdGenerator, IdKind, ResourceId, UserId, WorkspaceId } from './core/ids.js';
export { manualClock, systemClock } from './core/clock.js';
export type { Clock, ManualClock, Timestamp } from './core/clock.js';
export {
  FullHandleSchema,
  HANDLE_MAX_LENGTH,
  HandleSchema,
  fullHandle,
  handleViolation,
  normalizeHandle,
} from './core/handle.js';
export type { FullHandle, Handle, HandleRule } from './core/handle.js';
export { errors, isWorkspaceKitError } from './core/errors.js';
export type {
  AlreadyExistsError,
  ConflictError,
  EmailTakenError,
  EntityKind,
  ErrorCode,
  ForbiddenError,
  HandleTakenError,
  LastOwnerError,
  NotFoundError,
  PlanDowngradeBlockedError,
  PlanFeatureUnavailableError,
  PlanLimitName,
  PlanLimitReachedError,
  PlanViolation,
  StorageError,
  ValidationError,
  ValidationIssue,
  WorkspaceKitError,
} from './core/errors.js';
export { PAGE_DEFAULT, PAGE_MAX, PageRequestSchema } from './core/paging.js';
export type { Page, PageRequest } from './core/paging.js';

export { ACCOUNT_ROLES } from './account/account.js';
export type { Account, AccountKind, AccountRole, Membership, User } from './account/account.js';
export { DEFAULT_PLANS, planViolations } from './account/plans.js';
export type { Plan, PlanCatalog, PlanFeature, PlanUsage } from './account/plans.js';

export { ACCOUNT_SCOPES, SCOPE_TIERS, SYSTEM_SCOPES, WORKSPACE_SCOPES } from './role/scopes.js';
export type { AccountScope, SystemScope, WorkspaceScope } from './role/scopes.js';
export { ACCOUNT_ROLE_SCOPES, BUILT_IN_ROLE_SCOPES } from './role/built-in-roles.js';
export type { BuiltInRole } from './role/built-in-roles.js';
export { accountRoleOf, accountScopesOf, hasAccountWideAccess, workspaceScopesOf } from './role/access.js';
export type { AccountAccessSnapshot } from './role/access.js';

export { DESCRIPTION_MAX_LENGTH } from './workspace/workspace.js';
export type { Workspace } from './workspace/workspace.js';
export { RESOURCE_KINDS, RUN_STATES, isTerminal } from './workspace/resource.js';
export type { ResourceCounts, ResourceKind, RunState, TrackedResource } from './workspace/resource.js';

export type { AuditAction, AuditEvent, AuditSubject, JsonValue, NewAuditEvent } from './audit/audit-event.js';

export { REPOSITORY_NAMES, WRITE_METHODS } from './ports/store.js';
export type { Store, TransactionOptions, UnitOfWork } from './ports/store.js';
export type {
  AccountRepository,
  AuditFilter,
  AuditRepository,
  MembershipRepository,
  RoleCounts,
  UserRepository,
  WorkspaceRepository,
} from './ports/repositories.js';
export type { ResourceInventory } from './ports/resource-inventory.js';

export {
  AccountRefInput,
  AddMemberInput,
  ChangeMemberRoleInput,
  ChangePlanInput,
  CreateOrganizationInput,
  EmailSchema,
  ListMembersInput,
  RegisterUserInput,
  RemoveMemberInput,
} from './kit/account-commands.js';
export type { RegisteredUser } from './kit/account-commands.js';
export {
  CreateWorkspaceInput,
  DeleteWorkspaceInput,
  ListWorkspacesInput,
  NewResourceSchema,
  TrackResourcesInput,
  UpdateWorkspaceInput,
  WorkspaceByHandleInput,
  WorkspaceRefInput,
} from './kit/workspace-commands.js';
export type { DeletionPreview, DeletionReport, WorkspaceView } from './kit/workspace-commands.js';
export { ListAuditEventsInput } from './kit/audit-queries.js';
