import { err, ok } from 'neverthrow';
import { z } from 'zod';
import { errors } from '../core/errors.js';
import { AccountIdSchema, RoleIdSchema, type RoleId } from '../core/ids.js';
import { PageRequestSchema, type Page } from '../core/paging.js';
import { workspaceScopesOf } from '../role/access.js';
import { BUILT_IN_ROLES, ROLE_NAME_MAX_LENGTH, isBuiltInRole, resolveCustomRole, type CustomRole } from '../role/custom-role.js';
import { WORKSPACE_SCOPES, type WorkspaceScope } from '../role/scopes.js';
import { loadAccount, requireFeature, requireNoEscalation, requireScope } from './access-loader.js';
import { findPlan, runCommand, runQuery, type KitContext } from './command.js';

/** Input of `createCustomRole` (ROLE-2). */
export const CreateCustomRoleInput = z
  .object({
    accountId: AccountIdSchema,
    name: z.string().trim().min(1).max(ROLE_NAME_MAX_LENGTH),
    scopes: z.array(z.enum(WORKSPACE_SCOPES)).max(WORKSPACE_SCOPES.length * 2),
    inherits: z.enum(BUILT_IN_ROLES).nullable().optional(),
  })
  .strict()
  .refine((r) => r.scopes.length > 0 || (r.inherits ?? null) !== null, {
    message: 'a role needs at least one scope or an inherited role',
  });
/** Input of `deleteCustomRole` (ROLE-2). */
export const CustomRoleRefInput = z.object({ roleId: RoleIdSchema }).strict();
/** Input of `listCustomRoles`. */
export const ListCustomRolesInput = z
  .object({ accountId: AccountIdSchema })
  .extend(PageRequestSchema.shape)
  .extend({ cursor: z.string().min(1).max(ROLE_NAME_MAX_LENGTH).optional() })
  .strict();

/** Custom role commands (ROLE-2, ROLE-5), bound to a kit context. */
export function roleCommands(ctx: KitContext) {
  return {
    createCustomRole: (actor: unknown, input: z.input<typeof CreateCustomRoleInput>) =>
      runCommand(ctx, CreateCustomRoleInput, actor, input, async ({ tx, actor, input, now }) => {
        const access = await loadAccount(tx, actor, input.accountId);
        if (access.isErr()) return err(access.error);
        const { account, snapshot, scopes } = access.value;
        const allowed = requireScope(scopes, 'manage_custom_roles');
        if (allowed.isErr()) return err(allowed.error);
        const plan = findPlan(ctx, account.planId);
        if (plan.isErr()) return err(plan.error);
        const feature = requireFeature(plan.value, 'customRoles');
        if (feature.isErr()) return err(feature.error);
        const inherits = input.inherits ?? null;
        // A grant always lets its holder see the workspace it is granted in: a role without
        // see_workspace would give scopes no command could ever be reached with.
        const ownScopes = [...new Set<WorkspaceScope>([...input.scopes, 'see_workspace'])].sort();
        const role: CustomRole = {
          id: ctx.ids.next('role') as RoleId,
          accountId: account.id,
          name: input.name,
          scopes: ownScopes,
          inherits,
          createdAt: now,
        };
        if (isBuiltInRole(role.id)) throw new Error(`workspace-kit: the id generator returned a built-in role name (${role.id})`);
        // ROLE-5: a role may hold only scopes its creator holds in every workspace of the account.
        const noEscalation = requireNoEscalation(workspaceScopesOf(actor, snapshot), resolveCustomRole(role));
        if (noEscalation.isErr()) return err(noEscalation.error);
        if ((await tx.roles.insert(role)) === 'name-taken') return err(errors.alreadyExists('role', input.name));
        return ok({
          value: role,
          audit: {
            accountId: account.id,
            workspaceId: null,
            action: 'role.created',
            subject: { type: 'role', id: role.id },
            details: { name: role.name, scopes: [...role.scopes], inherits: role.inherits },
          },
        });
      }),

    deleteCustomRole: (actor: unknown, input: z.input<typeof CustomRoleRefInput>) =>
      runCommand(ctx, CustomRoleRefInput, actor, input, async ({ tx, actor, input }) => {
        const role = await tx.roles.getById(input.roleId);
        if (!role) return err(errors.notFound('role', input.roleId));
        const access = await loadAccount(tx, actor, role.accountId);
        if (access.isErr()) return err(errors.notFound('role', input.roleId));
        const allowed = requireScope(access.value.scopes, 'manage_custom_roles');
        if (allowed.isErr()) return err(allowed.error);
        // Grants and default roles of this role are made under the same lock.
        await tx.accounts.lock(role.accountId);
        const grants = await tx.grants.countByRole(role.accountId, role.id);
        const defaultRoles = await tx.workspaces.countByDefaultRole(role.accountId, role.id);
        const invitations = await tx.invitations.countPendingByRole(role.accountId, role.id);
        if (grants + defaultRoles + invitations > 0) return err(errors.roleInUse(role.id, grants, defaultRoles, invitations));
        if ((await tx.roles.delete(role.id)) === 'missing') return err(errors.notFound('role', role.id));
        return ok({
          value: role,
          audit: {
            accountId: role.accountId,
            workspaceId: null,
            action: 'role.deleted',
            subject: { type: 'role', id: role.id },
            details: { name: role.name },
          },
        });
      }),

    listCustomRoles: (actor: unknown, input: z.input<typeof ListCustomRolesInput>) =>
      runQuery(ctx, ListCustomRolesInput, actor, input, async ({ tx, actor, input }) => {
        const access = await loadAccount(tx, actor, input.accountId);
        if (access.isErr()) return err(access.error);
        const allowed = requireScope(access.value.scopes, 'see_account');
        if (allowed.isErr()) return err(allowed.error);
        const { accountId, ...page } = input;
        const roles: Page<CustomRole> = await tx.roles.listByAccount(accountId, page);
        return ok(roles);
      }),
  };
}
