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
import { auditQueries, type ListAuditEventsInput } from './audit-queries.js';
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
  return {
    ...accountCommands(ctx),
    ...workspaceCommands(ctx),
    ...auditQueries(ctx),
    subscribe: (listener) => events.subscribe(listener),
    plans,
  };
}
