import type { ResultAsync } from 'neverthrow';
import type { z } from 'zod';
import type { Account, AccountRole, Membership } from '../account/account.js';
import { DEFAULT_PLANS, type PlanCatalog } from '../account/plans.js';
import type { AuditEvent } from '../audit/audit-event.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { WorkspaceKitError } from '../core/errors.js';
import { randomIds, type IdGenerator } from '../core/ids.js';
import type { Page } from '../core/paging.js';
import type { Principal } from '../core/principal.js';
import type { Store } from '../ports/store.js';
import type { TrackedResource } from '../workspace/resource.js';
import {
  accountCommands,
  type AccountRefInput,
  type AddMemberInput,
  type ChangeMemberRoleInput,
  type ChangePlanInput,
  type CreateOrganizationInput,
  type ListMembersInput,
  type RegisteredUser,
  type RegisterUserInput,
  type RemoveMemberInput,
} from './account-commands.js';
import type { ApiKeyView } from '../account/api-key.js';
import type { ServiceAccount } from '../account/service-account.js';
import type { CustomRole } from '../role/custom-role.js';
import type { WorkspaceGrant } from '../workspace/grant.js';
import type { InvitationView } from '../workspace/invitation.js';
import type { Workspace } from '../workspace/workspace.js';
import { auditQueries, type ListAuditEventsInput } from './audit-queries.js';
import {
  credentialCommands,
  type ApiKeyRefInput,
  type CreateApiKeyInput,
  type CreateServiceAccountInput,
  type IssuedApiKey,
  type ListApiKeysInput,
  type ListServiceAccountsInput,
  type ResolveApiKeyInput,
  type ResolvedApiKey,
  type RotateApiKeyInput,
  type RotatedApiKey,
  type ServiceAccountRefInput,
} from './credential-commands.js';
import {
  invitationCommands,
  type AcceptInvitationInput,
  type AcceptedInvitation,
  type InvitationRefInput,
  type InviteCollaboratorInput,
  type InviteMemberInput,
  type IssuedInvitation,
  type ListInvitationsInput,
  type RejectInvitationInput,
  type ResendInvitationInput,
} from './invitation-commands.js';
import {
  pruneAllAccountsCommand,
  transferCommands,
  type ApproveTransferInput,
  type ExecuteTransferInput,
  type PlanTransferInput,
  type PruneAllAccountsInput,
  type PruneAllReport,
  type PruneReport,
  type PruneRunsInput,
  type TransferRequestRefInput,
  type TransferRequestView,
  type TransferResult,
} from './transfer-commands.js';
import type { TransferPlan } from '../transfer-planner/plan.js';
import type { TransferRequest } from '../transfer-planner/transfer-request.js';
import { roleCommands, type CreateCustomRoleInput, type CustomRoleRefInput, type ListCustomRolesInput } from './role-commands.js';
import {
  sharingCommands,
  type ChangeWorkspaceRoleInput,
  type ExplainAccessInput,
  type ListWorkspaceAccessInput,
  type SetDefaultWorkspaceRoleInput,
  type ShareWorkspaceInput,
  type UnshareWorkspaceInput,
  type WorkspaceAccessExplanation,
} from './sharing-commands.js';
import type { KitContext } from './command.js';
import { EventBus, type EventListener, type ListenerErrorHandler } from './events.js';
import {
  workspaceCommands,
  type CreateWorkspaceInput,
  type DeleteWorkspaceInput,
  type DeletionPreview,
  type DeletionReport,
  type ListWorkspacesInput,
  type TrackResourcesInput,
  type UpdateWorkspaceInput,
  type WorkspaceByHandleInput,
  type WorkspaceRefInput,
  type WorkspaceView,
} from './workspace-commands.js';

/** The result of every kit method: a `ResultAsync` that never rejects. */
export type KitResult<T> = ResultAsync<T, WorkspaceKitError>;

/** Options of {@link createWorkspaceKit}. */
export interface WorkspaceKitOptions {
  /** Where state lives: `createMemoryStore()` from `workspace-kit/memory`, or your adapter. */
  readonly store: Store;
  /** The plan catalog (default {@link DEFAULT_PLANS}). */
  readonly plans?: PlanCatalog;
  /** The plan of new accounts when a command names none (default `'hobby'`). */
  readonly defaultPlanId?: string;
  /** The source of time (default the wall clock). */
  readonly clock?: Clock;
  /** The source of ids (default random nanoids with kind prefixes). */
  readonly ids?: IdGenerator;
  /** Called when an event listener throws; default: `console.error`. */
  readonly onListenerError?: ListenerErrorHandler;
}

/**
 * The workspace-kit facade: one method per command, each taking the acting principal first
 * and returning a {@link KitResult}. Inputs are validated at run time (`VALIDATION` with
 * issues), so they may come straight from a request body.
 *
 * Every state-changing method runs in one unit of work and records exactly one audit event on
 * success and none on failure (AUD-1). Queries (`get*`, `list*`, `preview*`) record nothing.
 */
export interface WorkspaceKit {
  /**
   * Registers a user with its personal account (ACC-1). Only the system principal may.
   * Errors: `VALIDATION`, `FORBIDDEN` (`register_users`), `EMAIL_TAKEN`, `HANDLE_TAKEN`, `NOT_FOUND` (plan).
   * @example `await kit.registerUser(system('signup'), { email: 'ada@example.com', displayName: 'Ada', handle: 'ada' })`
   */
  registerUser(actor: Principal, input: z.input<typeof RegisterUserInput>): KitResult<RegisteredUser>;
  /**
   * Creates an organization with the actor as its first Owner (ACC-2).
   * Errors: `VALIDATION`, `FORBIDDEN`, `HANDLE_TAKEN`, `NOT_FOUND` (user or plan).
   * @example `await kit.createOrganization(asUser(ada.id), { handle: 'acme', displayName: 'Acme', planId: 'pro' })`
   */
  createOrganization(actor: Principal, input: z.input<typeof CreateOrganizationInput>): KitResult<Account>;
  /**
   * Adds an existing user to an organization with an account role (ACC-3). Adding an Owner
   * needs `manage_owners` (ACC-5); seats are counted (PLAN-2).
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN` (`manage_members`/`manage_owners`), `ALREADY_EXISTS`, `PLAN_LIMIT_REACHED`.
   * @example `await kit.addMember(asUser(ada.id), { accountId: acme.id, userId: bob.id, role: 'admin' })`
   */
  addMember(actor: Principal, input: z.input<typeof AddMemberInput>): KitResult<Membership>;
  /**
   * Changes a member's account role. Touching the Owner role needs `manage_owners` (ACC-5); the
   * last Owner cannot be demoted (ACC-4), also under concurrent requests.
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`, `LAST_OWNER`.
   * @example `await kit.changeMemberRole(asUser(ada.id), { accountId, userId: bob.id, role: 'member' })`
   */
  changeMemberRole(actor: Principal, input: z.input<typeof ChangeMemberRoleInput>): KitResult<Membership>;
  /**
   * Removes a member, or lets a member leave (the actor removing itself). The last Owner can
   * neither be removed nor leave (ACC-4).
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`, `LAST_OWNER`.
   * @example `await kit.removeMember(asUser(ada.id), { accountId, userId: bob.id })`
   */
  removeMember(actor: Principal, input: z.input<typeof RemoveMemberInput>): KitResult<Membership>;
  /**
   * Changes an account's plan (PLAN-4). A downgrade the account does not fit is refused with
   * every exceeded limit listed.
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN` (`manage_account_settings`), `PLAN_DOWNGRADE_BLOCKED`.
   * @example `await kit.changePlan(asUser(ada.id), { accountId, planId: 'pro' })`
   */
  changePlan(actor: Principal, input: z.input<typeof ChangePlanInput>): KitResult<Account>;
  /**
   * Reads an account the actor belongs to. Errors: `VALIDATION`, `NOT_FOUND`.
   * @example `await kit.getAccount(asUser(ada.id), { accountId })`
   */
  getAccount(actor: Principal, input: z.input<typeof AccountRefInput>): KitResult<Account>;
  /**
   * The actor's account role in an account (`owner` for a personal account's owner).
   * Errors: `VALIDATION`, `NOT_FOUND`.
   * @example `await kit.getAccountRole(asUser(bob.id), { accountId })`
   */
  getAccountRole(actor: Principal, input: z.input<typeof AccountRefInput>): KitResult<AccountRole | null>;
  /**
   * The accounts a user belongs to: its personal account first, then its organizations.
   * Errors: `VALIDATION`, `NOT_FOUND` (user).
   * @example `await kit.listAccounts(asUser(ada.id))`
   */
  listAccounts(actor: Principal): KitResult<readonly Account[]>;
  /**
   * Members of an organization, paged by user id. Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`.
   * @example `await kit.listMembers(asUser(ada.id), { accountId, limit: 20 })`
   */
  listMembers(actor: Principal, input: z.input<typeof ListMembersInput>): KitResult<Page<Membership>>;
  /**
   * Creates a workspace (WS-1) within the plan's workspace limit (PLAN-1); the handle must be
   * free in the account (HDL-1), also under concurrent creates (HDL-4).
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN` (`create_workspaces`), `PLAN_LIMIT_REACHED`, `HANDLE_TAKEN`.
   * @example `await kit.createWorkspace(asUser(ada.id), { accountId, handle: 'prod', description: 'Production' })`
   */
  createWorkspace(actor: Principal, input: z.input<typeof CreateWorkspaceInput>): KitResult<WorkspaceView>;
  /**
   * Reads a workspace by id. One the actor cannot see is `NOT_FOUND`. Errors: `VALIDATION`, `NOT_FOUND`.
   * @example `await kit.getWorkspace(asUser(ada.id), { workspaceId })`
   */
  getWorkspace(actor: Principal, input: z.input<typeof WorkspaceRefInput>): KitResult<WorkspaceView>;
  /**
   * Reads a workspace by its full handle `account/workspace` (HDL-1), normalized first.
   * Errors: `VALIDATION`, `NOT_FOUND`.
   * @example `await kit.getWorkspaceByHandle(asUser(ada.id), { fullHandle: 'acme/prod' })`
   */
  getWorkspaceByHandle(actor: Principal, input: z.input<typeof WorkspaceByHandleInput>): KitResult<WorkspaceView>;
  /**
   * Lists the workspaces of an account the actor can access, in handle order, paged.
   * Errors: `VALIDATION`, `NOT_FOUND`.
   * @example `await kit.listWorkspaces(asUser(ada.id), { accountId, limit: 50 })`
   */
  listWorkspaces(actor: Principal, input: z.input<typeof ListWorkspacesInput>): KitResult<Page<WorkspaceView>>;
  /**
   * Edits a workspace's handle and/or description (WS-3), optionally guarded by the version the
   * caller read (WS-5). Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN` (`write_workspace_settings`),
   * `HANDLE_TAKEN`, `CONFLICT`.
   * @example `await kit.updateWorkspace(asUser(ada.id), { workspaceId, handle: 'production', expectedVersion: 1 })`
   */
  updateWorkspace(actor: Principal, input: z.input<typeof UpdateWorkspaceInput>): KitResult<WorkspaceView>;
  /**
   * What deleting a workspace would remove: tracked resources counted by kind (WS-4).
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN` (`delete_workspace`).
   * @example `await kit.previewWorkspaceDeletion(asUser(ada.id), { workspaceId })`
   */
  previewWorkspaceDeletion(actor: Principal, input: z.input<typeof WorkspaceRefInput>): KitResult<DeletionPreview>;
  /**
   * Deletes a workspace and every tracked resource atomically (WS-4); its handle is free at
   * once (HDL-3). Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN` (`delete_workspace`), `CONFLICT`.
   * @example `await kit.deleteWorkspace(asUser(ada.id), { workspaceId, expectedVersion: 2 })`
   */
  deleteWorkspace(actor: Principal, input: z.input<typeof DeleteWorkspaceInput>): KitResult<DeletionReport>;
  /**
   * Adds resources to a workspace's inventory (WS-2): 1–1000 per call, each kind needing its
   * scope (`run_flows` for runs, `manage_deployments` for deployments, …).
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`.
   * @example `await kit.trackResources(asUser(ada.id), { workspaceId, resources: [{ kind: 'deployment', name: 'etl' }] })`
   */
  trackResources(actor: Principal, input: z.input<typeof TrackResourcesInput>): KitResult<readonly TrackedResource[]>;
  /**
   * Reads an account's audit log (AUD-2): a plan feature, for Owners and Admins; filters by
   * workspace, actor, action and time; paged by sequence, oldest first unless `order: 'desc'`.
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN` (`read_audit_log`), `PLAN_FEATURE_UNAVAILABLE`.
   * @example `await kit.listAuditEvents(asUser(ada.id), { accountId, action: 'workspace.deleted' })`
   */
  listAuditEvents(actor: Principal, input: z.input<typeof ListAuditEventsInput>): KitResult<Page<AuditEvent>>;
  /**
   * Shares an organization's workspace with a member or one of its service accounts, with a
   * workspace role (SHR-1). Needs `manage_workspace_users` (users) or
   * `manage_workspace_service_accounts`; the role's scopes must be the actor's own (ROLE-5);
   * roles other than Developer need the workspace-RBAC plan feature.
   * Errors: `VALIDATION`, `NOT_FOUND` (workspace, member, service account, role), `FORBIDDEN`,
   * `PLAN_FEATURE_UNAVAILABLE`, `ALREADY_EXISTS`.
   * @example `await kit.shareWorkspace(asUser(ada.id), { workspaceId, grantee: asUser(bob.id), role: 'runner' })`
   */
  shareWorkspace(actor: Principal, input: z.input<typeof ShareWorkspaceInput>): KitResult<WorkspaceGrant>;
  /**
   * Changes the role of an existing grant (SHR-1). ROLE-5 applies to the old and the new role.
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`, `PLAN_FEATURE_UNAVAILABLE`.
   * @example `await kit.changeWorkspaceRole(asUser(ada.id), { workspaceId, grantee: asUser(bob.id), role: 'developer' })`
   */
  changeWorkspaceRole(actor: Principal, input: z.input<typeof ChangeWorkspaceRoleInput>): KitResult<WorkspaceGrant>;
  /**
   * Removes a grant: access ends at once, through API keys too (SHR-1, COL-2). A grantee may
   * remove its own grant (leave).
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`.
   * @example `await kit.unshareWorkspace(asUser(ada.id), { workspaceId, grantee: asUser(bob.id) })`
   */
  unshareWorkspace(actor: Principal, input: z.input<typeof UnshareWorkspaceInput>): KitResult<WorkspaceGrant>;
  /**
   * The grants of a workspace, users first then service accounts, paged. Needs `see_workspace_settings`.
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`.
   * @example `await kit.listWorkspaceAccess(asUser(ada.id), { workspaceId })`
   */
  listWorkspaceAccess(actor: Principal, input: z.input<typeof ListWorkspaceAccessInput>): KitResult<Page<WorkspaceGrant>>;
  /**
   * Sets (or clears with `null`) an organization workspace's default role, held by every user
   * member on top of its grant (ROLE-3). Needs `set_default_workspace_role`; ROLE-5 applies.
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`, `PLAN_FEATURE_UNAVAILABLE`, `CONFLICT`.
   * @example `await kit.setDefaultWorkspaceRole(asUser(ada.id), { workspaceId, role: 'viewer' })`
   */
  setDefaultWorkspaceRole(actor: Principal, input: z.input<typeof SetDefaultWorkspaceRoleInput>): KitResult<Workspace>;
  /**
   * Explains a principal's effective scopes in a workspace: each scope with where it came from
   * (account role, explicit grant, default role). The actor's own access by default; another
   * principal's needs `manage_workspace_users`.
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`.
   * @example `(await kit.explainAccess(asUser(bob.id), { workspaceId }))._unsafeUnwrap().sources.run_deployments`
   */
  explainAccess(actor: Principal, input: z.input<typeof ExplainAccessInput>): KitResult<WorkspaceAccessExplanation>;
  /**
   * Creates a custom workspace role of an account (ROLE-2): scopes (`see_workspace` is always
   * added: a grant shows its workspace), optionally inheriting a
   * built-in role. A plan feature; needs `manage_custom_roles`; no scope beyond the actor's (ROLE-5).
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`, `PLAN_FEATURE_UNAVAILABLE`, `ALREADY_EXISTS` (name).
   * @example `await kit.createCustomRole(asUser(ada.id), { accountId, name: 'Deployer', scopes: ['manage_deployments'], inherits: 'runner' })`
   */
  createCustomRole(actor: Principal, input: z.input<typeof CreateCustomRoleInput>): KitResult<CustomRole>;
  /**
   * Deletes a custom role no grant, default role or pending invitation uses (ROLE-2).
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`, `ROLE_IN_USE`.
   * @example `await kit.deleteCustomRole(asUser(ada.id), { roleId })`
   */
  deleteCustomRole(actor: Principal, input: z.input<typeof CustomRoleRefInput>): KitResult<CustomRole>;
  /**
   * The custom roles of an account, by name, paged. Errors: `VALIDATION`, `NOT_FOUND`.
   * @example `await kit.listCustomRoles(asUser(ada.id), { accountId })`
   */
  listCustomRoles(actor: Principal, input: z.input<typeof ListCustomRolesInput>): KitResult<Page<CustomRole>>;
  /**
   * Invites an email to an organization with an account role (ACC-6, INV-1). The token is in
   * the result once (redacted in JSON; `token.reveal()`), stored only hashed. The invitation
   * holds a seat while pending (PLAN-2).
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN` (`manage_members`/`manage_owners`),
   * `ALREADY_EXISTS`, `PLAN_LIMIT_REACHED`.
   * @example `const { token } = (await kit.inviteMember(asUser(ada.id), { accountId, email: 'bob@example.com', role: 'member' }))._unsafeUnwrap()`
   */
  inviteMember(actor: Principal, input: z.input<typeof InviteMemberInput>): KitResult<IssuedInvitation>;
  /**
   * Invites an email to collaborate on a personal account's workspace (COL-1), Developer by
   * default. Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN` (`manage_workspace_users`),
   * `PLAN_FEATURE_UNAVAILABLE`, `ALREADY_EXISTS`, `PLAN_LIMIT_REACHED`.
   * @example `await kit.inviteCollaborator(asUser(ada.id), { workspaceId, email: 'bob@example.com' })`
   */
  inviteCollaborator(actor: Principal, input: z.input<typeof InviteCollaboratorInput>): KitResult<IssuedInvitation>;
  /**
   * Issues a new token and expiry for a pending (or expired) invitation; the old token stops
   * working (INV-2). Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`, `INVITATION_INVALID`,
   * `PLAN_LIMIT_REACHED`, `CONFLICT`.
   * @example `await kit.resendInvitation(asUser(ada.id), { invitationId })`
   */
  resendInvitation(actor: Principal, input: z.input<typeof ResendInvitationInput>): KitResult<IssuedInvitation>;
  /**
   * Revokes a pending invitation. Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`, `INVITATION_INVALID`, `CONFLICT`.
   * @example `await kit.revokeInvitation(asUser(ada.id), { invitationId })`
   */
  revokeInvitation(actor: Principal, input: z.input<typeof InvitationRefInput>): KitResult<InvitationView>;
  /**
   * Accepts an invitation by its token (INV-3): the acting user's email must match; the system
   * principal may accept for the invitee and, with `newUser`, create its user and personal
   * account in the same unit of work. Of concurrent accepts exactly one succeeds.
   * Errors: `VALIDATION`, `INVITATION_INVALID` (`invalid-token`, `expired`, `not-pending`,
   * `email-mismatch`), `ALREADY_EXISTS`, `EMAIL_TAKEN`, `HANDLE_TAKEN`, `NOT_FOUND`.
   * @example `await kit.acceptInvitation(asUser(bob.id), { token })`
   */
  acceptInvitation(actor: Principal, input: z.input<typeof AcceptInvitationInput>): KitResult<AcceptedInvitation>;
  /**
   * Rejects an invitation by its token (the invitee or the system).
   * Errors: `VALIDATION`, `INVITATION_INVALID`.
   * @example `await kit.rejectInvitation(asUser(bob.id), { token })`
   */
  rejectInvitation(actor: Principal, input: z.input<typeof RejectInvitationInput>): KitResult<InvitationView>;
  /**
   * Invitations of an account (needs `manage_members`) or of one of its workspaces (needs
   * `manage_workspace_users`), by id, paged; statuses shown with expiry applied.
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`.
   * @example `await kit.listInvitations(asUser(ada.id), { accountId, status: 'pending' })`
   */
  listInvitations(actor: Principal, input: z.input<typeof ListInvitationsInput>): KitResult<Page<InvitationView>>;
  /**
   * Creates a service account in an organization (SA-1): a plan feature; needs `manage_service_accounts`.
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`, `PLAN_FEATURE_UNAVAILABLE`, `ALREADY_EXISTS` (name).
   * @example `await kit.createServiceAccount(asUser(ada.id), { accountId, name: 'ci-bot' })`
   */
  createServiceAccount(actor: Principal, input: z.input<typeof CreateServiceAccountInput>): KitResult<ServiceAccount>;
  /**
   * Deletes a service account with its grants and API keys.
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`.
   * @example `await kit.deleteServiceAccount(asUser(ada.id), { serviceAccountId })`
   */
  deleteServiceAccount(actor: Principal, input: z.input<typeof ServiceAccountRefInput>): KitResult<ServiceAccount>;
  /**
   * The service accounts of an organization, by name, paged. Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`.
   * @example `await kit.listServiceAccounts(asUser(ada.id), { accountId })`
   */
  listServiceAccounts(actor: Principal, input: z.input<typeof ListServiceAccountsInput>): KitResult<Page<ServiceAccount>>;
  /**
   * Creates an API key (SA-2) for the acting user, or for a service account (needs
   * `manage_service_accounts`). The secret is in the result once (redacted in JSON;
   * `secret.reveal()`), stored only hashed.
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`.
   * @example `const { secret } = (await kit.createApiKey(asUser(ada.id), { name: 'laptop' }))._unsafeUnwrap()`
   */
  createApiKey(actor: Principal, input: z.input<typeof CreateApiKeyInput>): KitResult<IssuedApiKey>;
  /**
   * The acting user's API keys, or a service account's, by id, paged (never the secrets).
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`.
   * @example `await kit.listApiKeys(asUser(ada.id), {})`
   */
  listApiKeys(actor: Principal, input: z.input<typeof ListApiKeysInput>): KitResult<Page<ApiKeyView>>;
  /**
   * Revokes an API key at once (SA-2). Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`, `CONFLICT`.
   * @example `await kit.revokeApiKey(asUser(ada.id), { keyId })`
   */
  revokeApiKey(actor: Principal, input: z.input<typeof ApiKeyRefInput>): KitResult<ApiKeyView>;
  /**
   * Rotates an API key (SA-3): a new key with a new secret; the old one keeps working for
   * `overlapHours` (0–48, default 0 = revoked now).
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`, `CONFLICT`.
   * @example `await kit.rotateApiKey(asUser(ada.id), { keyId, overlapHours: 24 })`
   */
  rotateApiKey(actor: Principal, input: z.input<typeof RotateApiKeyInput>): KitResult<RotatedApiKey>;
  /**
   * Resolves a presented API key to the principal it acts as (SA-2): one indexed read and a
   * constant-time comparison of the secret's hash. Use the principal for the request's commands.
   * Errors: `VALIDATION`, `UNAUTHENTICATED` (`invalid-key`, `expired`, `revoked`); the key is never echoed.
   * @example `const { principal } = (await kit.resolveApiKey({ key: bearerToken }))._unsafeUnwrap()`
   */
  resolveApiKey(input: z.input<typeof ResolveApiKeyInput>): KitResult<ResolvedApiKey>;
  /**
   * Plans moving a workspace to another account (XFER-4): blockers, every impact (who and which
   * keys lose access, grants removed or remapped, invitations cancelled, runs the target's
   * retention removes with the cutoff, the new full handle, the target's usage) and a
   * fingerprint. Needs `transfer_workspace` in the workspace (or the system principal).
   * Render it with `renderTransferPlan`. Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`.
   * @example `const plan = (await kit.planTransfer(asUser(ada.id), { workspaceId, targetAccountId: acme.id }))._unsafeUnwrap()`
   */
  planTransfer(actor: Principal, input: z.input<typeof PlanTransferInput>): KitResult<TransferPlan>;
  /**
   * Executes a plan in one step when the actor holds both sides' rights (XFER-2, XFER-5):
   * re-plans at `plannedAt`, refuses with `PLAN_STALE` if the fingerprint moved, else applies
   * all of it atomically and records `workspace.transferred-out` in the source's log and
   * `workspace.transferred-in` in the target's (XFER-6) — the one command with two events.
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`, `PLAN_STALE`, `TRANSFER_BLOCKED`,
   * `TRANSFER_REQUIRES_SUPPORT`, `CONFLICT`.
   * @example `await kit.executeTransfer(asUser(ada.id), { workspaceId, targetAccountId, fingerprint: plan.fingerprint, plannedAt: plan.plannedAt })`
   */
  executeTransfer(actor: Principal, input: z.input<typeof ExecuteTransferInput>): KitResult<TransferResult>;
  /**
   * Asks the other side to approve a planned transfer (XFER-2): a request open for 24 hours,
   * one per workspace (a second is `TRANSFER_BLOCKED`, naming the open one; `ALREADY_EXISTS`
   * only if two requests race); between personal accounts it awaits support (XFER-3).
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`, `PLAN_STALE`, `TRANSFER_BLOCKED`, `ALREADY_EXISTS`.
   * @example `await kit.requestTransfer(asUser(ada.id), { workspaceId, targetAccountId, fingerprint, plannedAt })`
   */
  requestTransfer(actor: Principal, input: z.input<typeof ExecuteTransferInput>): KitResult<TransferRequest>;
  /**
   * Approves a transfer request as the awaited side and executes its plan (XFER-2, XFER-5).
   * The requester must still hold `transfer_workspace` (else `TRANSFER_BLOCKED`, `NOT_AUTHORIZED`).
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`, `TRANSFER_REQUEST_CLOSED`, `PLAN_STALE`, `TRANSFER_BLOCKED`, `CONFLICT`.
   * @example `await kit.approveTransferRequest(asUser(bob.id), { requestId, fingerprint })`
   */
  approveTransferRequest(actor: Principal, input: z.input<typeof ApproveTransferInput>): KitResult<TransferResult>;
  /**
   * Rejects a transfer request (the awaited side). Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`, `TRANSFER_REQUEST_CLOSED`, `CONFLICT`.
   * @example `await kit.rejectTransferRequest(asUser(bob.id), { requestId })`
   */
  rejectTransferRequest(actor: Principal, input: z.input<typeof TransferRequestRefInput>): KitResult<TransferRequest>;
  /**
   * Cancels a transfer request (the requesting side). Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`, `TRANSFER_REQUEST_CLOSED`, `CONFLICT`.
   * @example `await kit.cancelTransferRequest(asUser(ada.id), { requestId })`
   */
  cancelTransferRequest(actor: Principal, input: z.input<typeof TransferRequestRefInput>): KitResult<TransferRequest>;
  /**
   * A transfer request with its plan as it stands now, and whether it went stale.
   * Errors: `VALIDATION`, `NOT_FOUND`.
   * @example `await kit.getTransferRequest(asUser(bob.id), { requestId })`
   */
  getTransferRequest(actor: Principal, input: z.input<typeof TransferRequestRefInput>): KitResult<TransferRequestView>;
  /**
   * Prunes an account's runs past its plan's retention (RET-1, RET-2): runs whose end lies
   * before now − retention days, in batches, never a run that has not ended; idempotent.
   * Needs `manage_account_settings` (a scheduler acts as the system principal).
   * Errors: `VALIDATION`, `NOT_FOUND`, `FORBIDDEN`.
   * @example `await kit.pruneRuns(system('retention'), { accountId })`
   */
  pruneRuns(actor: Principal, input: z.input<typeof PruneRunsInput>): KitResult<PruneReport>;
  /**
   * Prunes every account with runs due, one page of accounts per call (system principal only);
   * each pruned account records its own `runs.pruned` event.
   * Errors: `VALIDATION`, `FORBIDDEN`, and those of `pruneRuns`.
   * @example `let cursor; do { const r = (await kit.pruneAllAccounts(system('retention'), { cursor }))._unsafeUnwrap(); cursor = r.nextCursor ?? undefined; } while (cursor);`
   */
  pruneAllAccounts(actor: Principal, input?: z.input<typeof PruneAllAccountsInput>): KitResult<PruneAllReport>;
  /**
   * Subscribes to committed audit events (to send an email, sync a search index). Listeners run
   * after commit; one that throws neither rolls back the command nor loses its event.
   * Returns the function that unsubscribes.
   * @example `const stop = kit.subscribe((e) => console.log(e.action));`
   */
  subscribe(listener: EventListener): () => void;
  /** The plan catalog in use. */
  readonly plans: PlanCatalog;
}

/**
 * Creates the workspace-kit facade over a store.
 *
 * @example
 * ```ts
 * import { asUser, createWorkspaceKit, system } from 'workspace-kit';
 * import { createMemoryStore } from 'workspace-kit/memory';
 *
 * const kit = createWorkspaceKit({ store: createMemoryStore() });
 * const ada = (await kit.registerUser(system(), { email: 'ada@example.com', displayName: 'Ada', handle: 'ada' }))._unsafeUnwrap();
 * const ws = await kit.createWorkspace(asUser(ada.user.id), { accountId: ada.account.id, handle: 'prod' });
 * ```
 */
export function createWorkspaceKit(options: WorkspaceKitOptions): WorkspaceKit {
  const plans = options.plans ?? DEFAULT_PLANS;
  const defaultPlanId = options.defaultPlanId ?? 'hobby';
  if (!Object.hasOwn(plans, defaultPlanId)) {
    throw new Error(`workspace-kit: default plan "${defaultPlanId}" is not in the plan catalog`);
  }
  const events = new EventBus(
    options.onListenerError ??
      ((error, event) => console.error(`workspace-kit: listener failed on ${event.action} ${event.id}`, error)),
  );
  const ctx: KitContext = {
    store: options.store,
    plans,
    defaultPlanId,
    clock: options.clock ?? systemClock,
    ids: options.ids ?? randomIds,
    events,
  };
  const transfers = transferCommands(ctx);
  return {
    ...accountCommands(ctx),
    ...workspaceCommands(ctx),
    ...auditQueries(ctx),
    ...sharingCommands(ctx),
    ...roleCommands(ctx),
    ...invitationCommands(ctx),
    ...credentialCommands(ctx),
    ...transfers,
    pruneAllAccounts: pruneAllAccountsCommand(ctx, transfers.pruneRuns),
    subscribe: (listener) => events.subscribe(listener),
    plans,
  };
}
