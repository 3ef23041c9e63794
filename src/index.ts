// The public API of workspace-kit. Explicit named exports only.
export { createWorkspaceKit } from './kit/workspace-kit.js';
export type { KitResult, WorkspaceKit, WorkspaceKitOptions } from './kit/workspace-kit.js';
export type { EventListener, ListenerErrorHandler } from './kit/events.js';

export { asServiceAccount, asUser, granteeId, GranteeSchema, principalKey, system, PrincipalSchema } from './core/principal.js';
export type { Grantee, Principal, ServiceAccountPrincipal, SystemPrincipal, UserPrincipal } from './core/principal.js';
export {
  randomIds,
  sequentialIds,
  UserIdSchema,
  AccountIdSchema,
  WorkspaceIdSchema,
  RoleIdSchema,
  ServiceAccountIdSchema,
  ApiKeyIdSchema,
  InvitationIdSchema,
  TransferRequestIdSchema,
} from './core/ids.js';
export type {
  AccountId,
  ApiKeyId,
  AuditEventId,
  Brand,
  IdGenerator,
  IdKind,
  InvitationId,
  ResourceId,
  RoleId,
  ServiceAccountId,
  TransferRequestId,
  UserId,
  WorkspaceId,
} from './core/ids.js';
export { Secret } from './core/secret.js';
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
  ApiKeyRefusal,
  InvitationInvalidError,
  InvitationRefusal,
  LastOwnerError,
  RoleInUseError,
  UnauthenticatedError,
  PlanStaleError,
  TransferBlockedError,
  TransferRequestClosedError,
  TransferRequiresSupportError,
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
export { CREDENTIAL_NAME_MAX_LENGTH } from './account/service-account.js';
export type { ServiceAccount } from './account/service-account.js';
export { MAX_ROTATION_OVERLAP_HOURS, apiKeyRefusal } from './account/api-key.js';
export type { ApiKey, ApiKeyView } from './account/api-key.js';

export { ACCOUNT_SCOPES, SCOPE_TIERS, SYSTEM_SCOPES, WORKSPACE_SCOPES } from './role/scopes.js';
export type { AccountScope, SystemScope, WorkspaceScope } from './role/scopes.js';
export { ACCOUNT_ROLE_SCOPES, BUILT_IN_ROLE_SCOPES } from './role/built-in-roles.js';
export type { BuiltInRole } from './role/built-in-roles.js';
export { accountRoleOf, accountScopesOf, hasAccountWideAccess, workspaceScopesOf } from './role/access.js';
export type { AccountAccessSnapshot } from './role/access.js';
export { BUILT_IN_ROLES, ROLE_NAME_MAX_LENGTH, builtInRole, firstMissingScope, isBuiltInRole, resolveCustomRole, resolveRole } from './role/custom-role.js';
export type { CustomRole, ResolvedRole, WorkspaceRoleRef } from './role/custom-role.js';
export { createAccessSnapshot, effectiveScopes, explainAccess } from './role/authorize.js';
export type { AccessData, AccessExplanation, AccessFacts, AccessSnapshot, AccessSource } from './role/authorize.js';

export { DESCRIPTION_MAX_LENGTH } from './workspace/workspace.js';
export type { Workspace } from './workspace/workspace.js';
export { RESOURCE_KINDS, RUN_STATES, isTerminal } from './workspace/resource.js';
export type { ResourceCounts, ResourceKind, RunState, TrackedResource } from './workspace/resource.js';
export type { WorkspaceGrant } from './workspace/grant.js';
export { INVITATION_DEFAULT_DAYS, invitationStatus } from './workspace/invitation.js';
export type {
  Invitation,
  InvitationStatus,
  InvitationTarget,
  InvitationView,
  StoredInvitationStatus,
} from './workspace/invitation.js';

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
export type {
  ApiKeyRepository,
  CustomRoleRepository,
  GrantRepository,
  InvitationFilter,
  InvitationRepository,
  SeatCounter,
  ServiceAccountRepository,
} from './ports/access-repositories.js';

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
export { AUDIT_ACTIONS, ListAuditEventsInput } from './kit/audit-queries.js';
export {
  ChangeWorkspaceRoleInput,
  ExplainAccessInput,
  ListWorkspaceAccessInput,
  RoleRefSchema,
  SetDefaultWorkspaceRoleInput,
  ShareWorkspaceInput,
  UnshareWorkspaceInput,
} from './kit/sharing-commands.js';
export type { WorkspaceAccessExplanation } from './kit/sharing-commands.js';
export { CreateCustomRoleInput, CustomRoleRefInput, ListCustomRolesInput } from './kit/role-commands.js';
export {
  AcceptInvitationInput,
  InvitationRefInput,
  InviteCollaboratorInput,
  InviteMemberInput,
  ListInvitationsInput,
  RejectInvitationInput,
  ResendInvitationInput,
} from './kit/invitation-commands.js';
export type { AcceptedInvitation, IssuedInvitation } from './kit/invitation-commands.js';
export {
  ApiKeyRefInput,
  CreateApiKeyInput,
  CreateServiceAccountInput,
  ListApiKeysInput,
  ListServiceAccountsInput,
  ResolveApiKeyInput,
  RotateApiKeyInput,
  ServiceAccountRefInput,
} from './kit/credential-commands.js';
export type { IssuedApiKey, ResolvedApiKey, RotatedApiKey } from './kit/credential-commands.js';

export { planTransfer, mapRole, granteeKeyOf } from './transfer-planner/plan.js';
export type {
  GrantRemap,
  KeyRef,
  PlannedRole,
  TransferAccount,
  TransferBlocker,
  TransferImpacts,
  TransferPlan,
  TransferSnapshot,
} from './transfer-planner/plan.js';
export { renderTransferPlan } from './transfer-planner/render.js';
export type { PlanLabels } from './transfer-planner/render.js';
export { TRANSFER_REQUEST_HOURS, transferRequestStatus } from './transfer-planner/transfer-request.js';
export type { TransferRequest, TransferRequestStatus } from './transfer-planner/transfer-request.js';
export { RETAINED_KINDS, retentionCutoff } from './workspace/retention.js';
export {
  ApproveTransferInput,
  ExecuteTransferInput,
  PlanTransferInput,
  PRUNE_BATCH,
  PruneAllAccountsInput,
  PruneRunsInput,
  TransferRequestRefInput,
} from './kit/transfer-commands.js';
export type { PruneAllReport, PruneReport, TransferRequestView, TransferResult } from './kit/transfer-commands.js';
export type { TransferRequestRepository } from './ports/access-repositories.js';
