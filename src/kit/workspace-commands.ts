import { err, ok } from 'neverthrow';
import { z } from 'zod';
import { TimestampSchema } from '../core/clock.js';
import { errors } from '../core/errors.js';
import { FullHandleSchema, HandleSchema, fullHandle, type FullHandle } from '../core/handle.js';
import { AccountIdSchema, WorkspaceIdSchema, type ResourceId, type WorkspaceId } from '../core/ids.js';
import { PageRequestSchema, type Page } from '../core/paging.js';
import { hasAccountWideAccess } from '../role/access.js';
import type { WorkspaceScope } from '../role/scopes.js';
import {
  RESOURCE_KINDS,
  RUN_STATES,
  isTerminal,
  type ResourceCounts,
  type ResourceKind,
  type TrackedResource,
} from '../workspace/resource.js';
import { DESCRIPTION_MAX_LENGTH, type Workspace } from '../workspace/workspace.js';
import { loadAccount, loadWorkspace, requireScope, workspaceAccess } from './access-loader.js';
import { findPlan, runCommand, runQuery, type KitContext } from './command.js';

const DescriptionSchema = z.string().trim().max(DESCRIPTION_MAX_LENGTH);
const VersionSchema = z.number().int().min(1);

/** Input of `createWorkspace` (WS-1). */
export const CreateWorkspaceInput = z
  .object({ accountId: AccountIdSchema, handle: HandleSchema, description: DescriptionSchema.optional() })
  .strict();
/** Input of queries and commands about one workspace. */
export const WorkspaceRefInput = z.object({ workspaceId: WorkspaceIdSchema }).strict();
/** Input of `getWorkspaceByHandle`: the full handle `account/workspace`. */
export const WorkspaceByHandleInput = z.object({ fullHandle: FullHandleSchema }).strict();
/** Input of `listWorkspaces` (WS-1). */
export const ListWorkspacesInput = z.object({ accountId: AccountIdSchema }).extend(PageRequestSchema.shape).strict();
/** Input of `updateWorkspace` (WS-3, WS-5): at least one of `handle` and `description`. */
export const UpdateWorkspaceInput = z
  .object({
    workspaceId: WorkspaceIdSchema,
    handle: HandleSchema.optional(),
    description: DescriptionSchema.optional(),
    expectedVersion: VersionSchema.optional(),
  })
  .strict()
  .refine((v) => v.handle !== undefined || v.description !== undefined, {
    message: 'give a handle or a description to change',
  });
/** Input of `deleteWorkspace` (WS-4, WS-5). */
export const DeleteWorkspaceInput = z
  .object({ workspaceId: WorkspaceIdSchema, expectedVersion: VersionSchema.optional() })
  .strict();
/** One resource to add to a workspace's inventory. */
export const NewResourceSchema = z
  .object({
    kind: z.enum(RESOURCE_KINDS),
    name: z.string().min(1).max(200),
    state: z.enum(RUN_STATES).optional(),
    endedAt: TimestampSchema.optional(),
    parentRunId: z.string().min(1).max(128).optional(),
  })
  .strict()
  .superRefine((r, issue) => {
    const isRun = r.kind === 'flow-run' || r.kind === 'task-run';
    if (!isRun && (r.state !== undefined || r.endedAt !== undefined || r.parentRunId !== undefined)) {
      issue.addIssue({ code: 'custom', message: 'only flow and task runs have a state, an end or a parent' });
    } else if (r.endedAt !== undefined && !isTerminal(r.state ?? 'scheduled')) {
      issue.addIssue({ code: 'custom', path: ['endedAt'], message: 'only a run in a terminal state has ended' });
    }
  });
/** Input of `trackResources` (WS-2): 1–1000 resources. */
export const TrackResourcesInput = z
  .object({ workspaceId: WorkspaceIdSchema, resources: z.array(NewResourceSchema).min(1).max(1000) })
  .strict();

/** A workspace with its full handle `account/workspace` (HDL-1). */
export interface WorkspaceView extends Workspace {
  readonly fullHandle: FullHandle;
}

/** What deleting a workspace would remove (WS-4). */
export interface DeletionPreview {
  readonly workspace: WorkspaceView;
  /** Tracked resources by kind. */
  readonly resources: ResourceCounts;
  readonly totalResources: number;
}

/** The result of a deletion: the workspace as it was, and what was removed with it. */
export interface DeletionReport extends DeletionPreview {
  /** Access grants removed with the workspace (WS-4). */
  readonly grantsRemoved: number;
  /** Invitations to the workspace removed with it (WS-4). */
  readonly invitationsRemoved: number;
  readonly deletedAt: string;
}

/** The scope needed to record a resource of each kind. */
const TRACK_SCOPE: Readonly<Record<ResourceKind, WorkspaceScope>> = {
  flow: 'manage_flows',
  'flow-run': 'run_flows',
  'task-run': 'run_flows',
  deployment: 'manage_deployments',
  'work-pool': 'manage_work_pools',
  'work-queue': 'manage_work_pools',
  worker: 'write_worker_heartbeats',
  block: 'manage_blocks',
  'secret-block': 'manage_secret_blocks',
  automation: 'manage_automations',
  notification: 'manage_notifications',
  variable: 'manage_variables',
  artifact: 'manage_artifacts',
  'concurrency-limit': 'manage_concurrency_limits',
  log: 'run_flows',
  'saved-search': 'manage_saved_searches',
};

function view(workspace: Workspace, accountHandle: string): WorkspaceView {
  return { ...workspace, fullHandle: fullHandle(accountHandle, workspace.handle) };
}

function total(counts: ResourceCounts): number {
  let n = 0;
  for (const v of Object.values(counts)) n += v;
  return n;
}

/** Workspace commands and queries (WS, HDL, PLAN-1), bound to a kit context. */
export function workspaceCommands(ctx: KitContext) {
  return {
    createWorkspace: (actor: unknown, input: z.input<typeof CreateWorkspaceInput>) =>
      runCommand(ctx, CreateWorkspaceInput, actor, input, async ({ tx, actor, input, now }) => {
        await tx.accounts.lock(input.accountId);
        const access = await loadAccount(tx, actor, input.accountId);
        if (access.isErr()) return err(access.error);
        const { account, scopes } = access.value;
        const allowed = requireScope(scopes, 'create_workspaces');
        if (allowed.isErr()) return err(allowed.error);
        const plan = findPlan(ctx, account.planId);
        if (plan.isErr()) return err(plan.error);
        const max = plan.value.limits.workspaces;
        if (max !== null) {
          const count = await tx.workspaces.countByAccount(account.id);
          if (count >= max) return err(errors.planLimitReached(plan.value.id, 'workspaces', max, count));
        }
        const workspace: Workspace = {
          id: ctx.ids.next('workspace') as WorkspaceId,
          accountId: account.id,
          handle: input.handle,
          description: input.description ?? '',
          defaultRole: null,
          version: 1,
          createdAt: now,
          updatedAt: now,
        };
        if ((await tx.workspaces.insert(workspace)) === 'handle-taken') {
          return err(errors.workspaceHandleTaken(account.id, input.handle));
        }
        return ok({
          value: view(workspace, account.handle),
          audit: {
            accountId: account.id,
            workspaceId: workspace.id,
            action: 'workspace.created',
            subject: { type: 'workspace', id: workspace.id },
            details: { handle: workspace.handle, description: workspace.description },
          },
        });
      }),

    getWorkspace: (actor: unknown, input: z.input<typeof WorkspaceRefInput>) =>
      runQuery(ctx, WorkspaceRefInput, actor, input, async ({ tx, actor, input }) => {
        const access = await loadWorkspace(tx, actor, input.workspaceId);
        return access.map((a) => view(a.workspace, a.account.handle));
      }),

    getWorkspaceByHandle: (actor: unknown, input: z.input<typeof WorkspaceByHandleInput>) =>
      runQuery(ctx, WorkspaceByHandleInput, actor, input, async ({ tx, actor, input }) => {
        const key = fullHandle(input.fullHandle.account, input.fullHandle.workspace);
        const account = await tx.accounts.getByHandle(input.fullHandle.account);
        const workspace = account && (await tx.workspaces.getByHandle(account.id, input.fullHandle.workspace));
        if (!workspace) return err(errors.notFound('workspace', key));
        const access = await workspaceAccess(tx, actor, workspace);
        if (access.isErr()) return err(errors.notFound('workspace', key));
        return ok(view(workspace, access.value.account.handle));
      }),

    listWorkspaces: (actor: unknown, input: z.input<typeof ListWorkspacesInput>) =>
      runQuery(ctx, ListWorkspacesInput, actor, input, async ({ tx, actor, input }) => {
        const { accountId: _, ...page } = input;
        const access = await loadAccount(tx, actor, input.accountId);
        if (access.isErr()) {
          // A collaborator holds no role in a personal account, yet sees the workspaces shared
          // with it; an account where the actor sees nothing stays NOT_FOUND.
          if (actor.type === 'system' || access.error.code !== 'NOT_FOUND') return err(access.error);
          const account = await tx.accounts.getById(input.accountId);
          if (!account) return err(access.error);
          const found = await tx.workspaces.listAccessible(account.id, actor, { withDefaultRole: false }, page);
          if (found.items.length === 0 && input.cursor === undefined) return err(access.error);
          return ok({ items: found.items.map((w) => view(w, account.handle)), nextCursor: found.nextCursor });
        }
        const { account, snapshot } = access.value;
        // Account Owners and Admins see every workspace (ROLE-4); other members and service
        // accounts see those they were granted, and user members also those with a default
        // role (ROLE-3).
        let found: Page<Workspace>;
        if (hasAccountWideAccess(actor, snapshot)) {
          found = await tx.workspaces.listByAccount(account.id, page);
        } else if (actor.type === 'user' || actor.type === 'service-account') {
          const withDefaultRole = actor.type === 'user' && account.kind === 'organization';
          found = await tx.workspaces.listAccessible(account.id, actor, { withDefaultRole }, page);
        } else {
          found = { items: [], nextCursor: null };
        }
        return ok({ items: found.items.map((w) => view(w, account.handle)), nextCursor: found.nextCursor });
      }),

    updateWorkspace: (actor: unknown, input: z.input<typeof UpdateWorkspaceInput>) =>
      runCommand(ctx, UpdateWorkspaceInput, actor, input, async ({ tx, actor, input, now }) => {
        const access = await loadWorkspace(tx, actor, input.workspaceId);
        if (access.isErr()) return err(access.error);
        const { workspace, account, scopes } = access.value;
        const allowed = requireScope(scopes, 'write_workspace_settings');
        if (allowed.isErr()) return err(allowed.error);
        if (input.expectedVersion !== undefined && input.expectedVersion !== workspace.version) {
          return err(errors.conflict('workspace', workspace.id, input.expectedVersion, workspace.version));
        }
        const handle = input.handle ?? workspace.handle;
        const description = input.description ?? workspace.description;
        const changes: Record<string, { from: string; to: string }> = {};
        if (handle !== workspace.handle) changes['handle'] = { from: workspace.handle, to: handle };
        if (description !== workspace.description) changes['description'] = { from: workspace.description, to: description };
        let updated = workspace;
        if (Object.keys(changes).length > 0) {
          updated = { ...workspace, handle, description, version: workspace.version + 1, updatedAt: now };
          const outcome = await tx.workspaces.update(updated, workspace.version);
          if (outcome === 'handle-taken') return err(errors.workspaceHandleTaken(account.id, handle));
          if (outcome === 'conflict') {
            return err(errors.conflict('workspace', workspace.id, workspace.version, null));
          }
        }
        return ok({
          value: view(updated, account.handle),
          audit: {
            accountId: account.id,
            workspaceId: workspace.id,
            action: 'workspace.updated',
            subject: { type: 'workspace', id: workspace.id },
            details: { changes, version: updated.version },
          },
        });
      }),

    previewWorkspaceDeletion: (actor: unknown, input: z.input<typeof WorkspaceRefInput>) =>
      runQuery(ctx, WorkspaceRefInput, actor, input, async ({ tx, actor, input }) => {
        const access = await loadWorkspace(tx, actor, input.workspaceId);
        if (access.isErr()) return err(access.error);
        const { workspace, account, scopes } = access.value;
        const allowed = requireScope(scopes, 'delete_workspace');
        if (allowed.isErr()) return err(allowed.error);
        const resources = await tx.resources.countByWorkspace(workspace.id);
        return ok({
          workspace: view(workspace, account.handle),
          resources,
          totalResources: total(resources),
        } satisfies DeletionPreview);
      }),

    deleteWorkspace: (actor: unknown, input: z.input<typeof DeleteWorkspaceInput>) =>
      runCommand(ctx, DeleteWorkspaceInput, actor, input, async ({ tx, actor, input, now }) => {
        const access = await loadWorkspace(tx, actor, input.workspaceId);
        if (access.isErr()) return err(access.error);
        const { workspace, account, scopes } = access.value;
        const allowed = requireScope(scopes, 'delete_workspace');
        if (allowed.isErr()) return err(allowed.error);
        const expected = input.expectedVersion ?? workspace.version;
        if (expected !== workspace.version) {
          return err(errors.conflict('workspace', workspace.id, expected, workspace.version));
        }
        const resources = await tx.resources.countByWorkspace(workspace.id);
        await tx.resources.deleteByWorkspace(workspace.id);
        // WS-4: its access grants and invitations go with it.
        const grantsRemoved = await tx.grants.deleteByWorkspace(workspace.id);
        const invitationsRemoved = await tx.invitations.deleteByWorkspace(workspace.id);
        await tx.transferRequests.deleteByWorkspace(workspace.id);
        if ((await tx.workspaces.delete(workspace.id, expected)) === 'conflict') {
          return err(errors.conflict('workspace', workspace.id, expected, null));
        }
        const report: DeletionReport = {
          workspace: view(workspace, account.handle),
          resources,
          totalResources: total(resources),
          grantsRemoved,
          invitationsRemoved,
          deletedAt: now,
        };
        return ok({
          value: report,
          audit: {
            accountId: account.id,
            workspaceId: workspace.id,
            action: 'workspace.deleted',
            subject: { type: 'workspace', id: workspace.id },
            details: { handle: workspace.handle, resources, totalResources: report.totalResources, grantsRemoved, invitationsRemoved },
          },
        });
      }),

    trackResources: (actor: unknown, input: z.input<typeof TrackResourcesInput>) =>
      runCommand(ctx, TrackResourcesInput, actor, input, async ({ tx, actor, input, now }) => {
        const access = await loadWorkspace(tx, actor, input.workspaceId);
        if (access.isErr()) return err(access.error);
        const { workspace, account, scopes } = access.value;
        const counts: Partial<Record<ResourceKind, number>> = {};
        for (const r of input.resources) {
          const allowed = requireScope(scopes, TRACK_SCOPE[r.kind]);
          if (allowed.isErr()) return err(allowed.error);
          counts[r.kind] = (counts[r.kind] ?? 0) + 1;
        }
        const resources: TrackedResource[] = input.resources.map((r) => {
          const isRun = r.kind === 'flow-run' || r.kind === 'task-run';
          return {
            id: ctx.ids.next('resource') as ResourceId,
            workspaceId: workspace.id,
            kind: r.kind,
            name: r.name,
            createdAt: now,
            state: isRun ? (r.state ?? 'scheduled') : null,
            endedAt: isRun && isTerminal(r.state ?? 'scheduled') ? (r.endedAt ?? now) : null,
            parentRunId: (r.parentRunId ?? null) as ResourceId | null,
          };
        });
        await tx.resources.insertMany(resources);
        return ok({
          value: resources,
          audit: {
            accountId: account.id,
            workspaceId: workspace.id,
            action: 'resources.tracked',
            subject: { type: 'workspace', id: workspace.id },
            details: { counts },
          },
        });
      }),
  };
}
