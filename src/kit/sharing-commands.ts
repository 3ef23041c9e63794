import { err, ok } from 'neverthrow';
import { z } from 'zod';
import type { Timestamp } from '../core/clock.js';
import { errors } from '../core/errors.js';
import { WorkspaceIdSchema } from '../core/ids.js';
import { PageRequestSchema, type Page } from '../core/paging.js';
import { GranteeSchema, PrincipalSchema, granteeId, type Grantee, type Principal } from '../core/principal.js';
import type { UnitOfWork } from '../ports/store.js';
import { explainAccess, type AccessExplanation } from '../role/authorize.js';
import type { WorkspaceRoleRef } from '../role/custom-role.js';
import type { WorkspaceGrant } from '../workspace/grant.js';
import type { Workspace } from '../workspace/workspace.js';
import {
  accessFactsOf,
  loadWorkspace,
  manageScopeFor,
  requireGrantableRole,
  requireNoEscalation,
  requireRole,
  requireScope,
} from './access-loader.js';
import { runCommand, runQuery, type KitContext } from './command.js';

/** Schema of a role reference: a built-in role name or a custom role id (ROLE-1, ROLE-2). */
export const RoleRefSchema = z
  .string()
  .min(1)
  .max(128)
  .transform((s) => s as WorkspaceRoleRef);
const VersionSchema = z.number().int().min(1);

/** Input of `shareWorkspace` (SHR-1). */
export const ShareWorkspaceInput = z
  .object({ workspaceId: WorkspaceIdSchema, grantee: GranteeSchema, role: RoleRefSchema })
  .strict();
/** Input of `changeWorkspaceRole` (SHR-1). */
export const ChangeWorkspaceRoleInput = ShareWorkspaceInput;
/** Input of `unshareWorkspace` (SHR-1, COL-2). */
export const UnshareWorkspaceInput = z.object({ workspaceId: WorkspaceIdSchema, grantee: GranteeSchema }).strict();
/** Input of `listWorkspaceAccess`. */
export const ListWorkspaceAccessInput = z
  .object({ workspaceId: WorkspaceIdSchema })
  .extend(PageRequestSchema.shape)
  .extend({ cursor: z.string().min(1).max(300).optional() })
  .strict();
/** Input of `setDefaultWorkspaceRole` (ROLE-3): a role, or `null` for no access without a grant. */
export const SetDefaultWorkspaceRoleInput = z
  .object({ workspaceId: WorkspaceIdSchema, role: RoleRefSchema.nullable(), expectedVersion: VersionSchema.optional() })
  .strict();
/** Input of `explainAccess`: whose access (default the actor's own) in which workspace. */
export const ExplainAccessInput = z.object({ workspaceId: WorkspaceIdSchema, principal: PrincipalSchema.optional() }).strict();

/** A principal's access to a workspace, explained scope by scope (ROLE-3, ROLE-4). */
export interface WorkspaceAccessExplanation extends AccessExplanation {
  readonly workspaceId: Workspace['id'];
  readonly principal: Principal;
}

function grantKey(grantee: Grantee): string {
  return `${grantee.type}:${granteeId(grantee)}`;
}

/** Checks that a grantee belongs to the organization owning the workspace (SHR-1). */
async function requireGranteeOf(tx: UnitOfWork, accountId: Workspace['accountId'], grantee: Grantee) {
  if (grantee.type === 'user') {
    const member = await tx.memberships.get(accountId, grantee.userId);
    return member ? ok(undefined) : err(errors.notFound('membership', `${accountId}/${grantee.userId}`));
  }
  const sa = await tx.serviceAccounts.getById(grantee.serviceAccountId);
  return sa?.accountId === accountId ? ok(undefined) : err(errors.notFound('service-account', grantee.serviceAccountId));
}

function grantRecord(workspace: Workspace, grantee: Grantee, role: WorkspaceRoleRef, now: Timestamp): WorkspaceGrant {
  return { workspaceId: workspace.id, accountId: workspace.accountId, grantee, role, createdAt: now, updatedAt: now };
}

/** Workspace sharing and access commands (SHR-1, COL-2, ROLE-3…ROLE-6), bound to a kit context. */
export function sharingCommands(ctx: KitContext) {
  return {
    shareWorkspace: (actor: unknown, input: z.input<typeof ShareWorkspaceInput>) =>
      runCommand(ctx, ShareWorkspaceInput, actor, input, async ({ tx, actor, input, now }) => {
        const access = await loadWorkspace(tx, actor, input.workspaceId);
        if (access.isErr()) return err(access.error);
        const { workspace, account, scopes } = access.value;
        const allowed = requireScope(scopes, manageScopeFor(input.grantee));
        if (allowed.isErr()) return err(allowed.error);
        if (account.kind === 'personal') {
          return err(errors.validation([{ path: ['input', 'grantee'], message: 'a personal workspace is shared by inviting collaborators by email (inviteCollaborator)' }]));
        }
        // Serializes with deleteCustomRole: a role cannot disappear while it is being granted.
        await tx.accounts.lock(account.id);
        const grantable = await requireGrantableRole(ctx, tx, account, input.role, scopes);
        if (grantable.isErr()) return err(grantable.error);
        const { role } = grantable.value;
        const member = await requireGranteeOf(tx, account.id, input.grantee);
        if (member.isErr()) return err(member.error);
        const grant = grantRecord(workspace, input.grantee, role.ref, now);
        if ((await tx.grants.insert(grant)) === 'exists') {
          return err(errors.alreadyExists('grant', `${workspace.id}/${grantKey(input.grantee)}`));
        }
        return ok({
          value: grant,
          audit: {
            accountId: account.id,
            workspaceId: workspace.id,
            action: 'workspace.shared',
            subject: { type: 'grant', id: `${workspace.id}/${grantKey(input.grantee)}` },
            details: { grantee: { ...input.grantee }, role: grant.role },
          },
        });
      }),

    changeWorkspaceRole: (actor: unknown, input: z.input<typeof ChangeWorkspaceRoleInput>) =>
      runCommand(ctx, ChangeWorkspaceRoleInput, actor, input, async ({ tx, actor, input, now }) => {
        const access = await loadWorkspace(tx, actor, input.workspaceId);
        if (access.isErr()) return err(access.error);
        const { workspace, account, scopes } = access.value;
        const allowed = requireScope(scopes, manageScopeFor(input.grantee));
        if (allowed.isErr()) return err(allowed.error);
        await tx.accounts.lock(account.id);
        const current = await tx.grants.get(workspace.id, input.grantee);
        if (!current) return err(errors.notFound('grant', `${workspace.id}/${grantKey(input.grantee)}`));
        const grantable = await requireGrantableRole(ctx, tx, account, input.role, scopes);
        if (grantable.isErr()) return err(grantable.error);
        const { role } = grantable.value;
        // ROLE-5 both ways: nobody changes the access of a holder of scopes it does not hold.
        const old = await requireRole(tx, current.role, account.id);
        if (old.isOk()) {
          const notAbove = requireNoEscalation(scopes, old.value);
          if (notAbove.isErr()) return err(notAbove.error);
        }
        const updated: WorkspaceGrant = { ...current, role: role.ref, updatedAt: now };
        if (current.role !== updated.role) await tx.grants.updateRole(workspace.id, input.grantee, updated.role, now);
        return ok({
          value: current.role === updated.role ? current : updated,
          audit: {
            accountId: account.id,
            workspaceId: workspace.id,
            action: 'workspace.share-changed',
            subject: { type: 'grant', id: `${workspace.id}/${grantKey(input.grantee)}` },
            details: { grantee: { ...input.grantee }, role: { from: current.role, to: updated.role } },
          },
        });
      }),

    unshareWorkspace: (actor: unknown, input: z.input<typeof UnshareWorkspaceInput>) =>
      runCommand(ctx, UnshareWorkspaceInput, actor, input, async ({ tx, actor, input }) => {
        const access = await loadWorkspace(tx, actor, input.workspaceId);
        if (access.isErr()) return err(access.error);
        const { workspace, account, scopes } = access.value;
        const leaving =
          (actor.type === 'user' && input.grantee.type === 'user' && actor.userId === input.grantee.userId) ||
          (actor.type === 'service-account' &&
            input.grantee.type === 'service-account' &&
            actor.serviceAccountId === input.grantee.serviceAccountId);
        if (!leaving) {
          const allowed = requireScope(scopes, manageScopeFor(input.grantee));
          if (allowed.isErr()) return err(allowed.error);
        }
        const current = await tx.grants.get(workspace.id, input.grantee);
        if (!current) return err(errors.notFound('grant', `${workspace.id}/${grantKey(input.grantee)}`));
        if (!leaving) {
          const old = await requireRole(tx, current.role, account.id);
          if (old.isOk()) {
            const notAbove = requireNoEscalation(scopes, old.value);
            if (notAbove.isErr()) return err(notAbove.error);
          }
        }
        await tx.grants.delete(workspace.id, input.grantee);
        return ok({
          value: current,
          audit: {
            accountId: account.id,
            workspaceId: workspace.id,
            action: 'workspace.unshared',
            subject: { type: 'grant', id: `${workspace.id}/${grantKey(input.grantee)}` },
            details: { grantee: { ...input.grantee }, role: current.role, left: leaving },
          },
        });
      }),

    listWorkspaceAccess: (actor: unknown, input: z.input<typeof ListWorkspaceAccessInput>) =>
      runQuery(ctx, ListWorkspaceAccessInput, actor, input, async ({ tx, actor, input }) => {
        const access = await loadWorkspace(tx, actor, input.workspaceId);
        if (access.isErr()) return err(access.error);
        const allowed = requireScope(access.value.scopes, 'see_workspace_settings');
        if (allowed.isErr()) return err(allowed.error);
        const { workspaceId, ...page } = input;
        const grants: Page<WorkspaceGrant> = await tx.grants.listByWorkspace(workspaceId, page);
        return ok(grants);
      }),

    setDefaultWorkspaceRole: (actor: unknown, input: z.input<typeof SetDefaultWorkspaceRoleInput>) =>
      runCommand(ctx, SetDefaultWorkspaceRoleInput, actor, input, async ({ tx, actor, input, now }) => {
        const access = await loadWorkspace(tx, actor, input.workspaceId);
        if (access.isErr()) return err(access.error);
        const { workspace, account, scopes } = access.value;
        const allowed = requireScope(scopes, 'set_default_workspace_role');
        if (allowed.isErr()) return err(allowed.error);
        if (account.kind === 'personal') {
          return err(errors.validation([{ path: ['input', 'workspaceId'], message: 'a personal account has no members for a default role to apply to' }]));
        }
        if (input.expectedVersion !== undefined && input.expectedVersion !== workspace.version) {
          return err(errors.conflict('workspace', workspace.id, input.expectedVersion, workspace.version));
        }
        await tx.accounts.lock(account.id);
        let ref: WorkspaceRoleRef | null = null;
        if (input.role !== null) {
          const grantable = await requireGrantableRole(ctx, tx, account, input.role, scopes);
          if (grantable.isErr()) return err(grantable.error);
          const { role } = grantable.value;
          ref = role.ref;
        }
        let updated = workspace;
        if (ref !== workspace.defaultRole) {
          updated = { ...workspace, defaultRole: ref, version: workspace.version + 1, updatedAt: now };
          const outcome = await tx.workspaces.update(updated, workspace.version);
          if (outcome !== 'ok') return err(errors.conflict('workspace', workspace.id, workspace.version, null));
        }
        return ok({
          value: updated,
          audit: {
            accountId: account.id,
            workspaceId: workspace.id,
            action: 'workspace.default-role-changed',
            subject: { type: 'workspace', id: workspace.id },
            details: { defaultRole: { from: workspace.defaultRole, to: ref }, version: updated.version },
          },
        });
      }),

    explainAccess: (actor: unknown, input: z.input<typeof ExplainAccessInput>) =>
      runQuery(ctx, ExplainAccessInput, actor, input, async ({ tx, actor, input }) => {
        const access = await loadWorkspace(tx, actor, input.workspaceId);
        if (access.isErr()) return err(access.error);
        const { workspace, account, scopes } = access.value;
        const subject = input.principal ?? actor;
        const self = JSON.stringify(subject) === JSON.stringify(actor);
        if (!self) {
          const allowed = requireScope(scopes, 'manage_workspace_users');
          if (allowed.isErr()) return err(allowed.error);
        }
        const facts = await accessFactsOf(tx, subject, account, workspace);
        const explanation: WorkspaceAccessExplanation = {
          workspaceId: workspace.id,
          principal: subject,
          ...explainAccess(subject, facts),
        };
        return ok(explanation);
      }),
  };
}
