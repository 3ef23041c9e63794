import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';
import type { Account, AccountRole, Membership, User } from '../account/account.js';
import { planViolations } from '../account/plans.js';
import type { Timestamp } from '../core/clock.js';
import { errors, type WorkspaceKitError } from '../core/errors.js';
import { HandleSchema, type Handle } from '../core/handle.js';
import { AccountIdSchema, UserIdSchema, type AccountId, type UserId } from '../core/ids.js';
import type { Page } from '../core/paging.js';
import { PageRequestSchema } from '../core/paging.js';
import type { UnitOfWork } from '../ports/store.js';
import { accountRoleOf } from '../role/access.js';
import { loadAccount, requireScope } from './access-loader.js';
import { findPlan, runCommand, runQuery, type KitContext } from './command.js';
import { accountUsage, requireSeatFor } from './usage.js';

/** Schema of an email: trimmed and lower-cased for identity (ACC-1). */
export const EmailSchema = z.string().trim().toLowerCase().pipe(z.email().max(254));
const DisplayNameSchema = z.string().trim().min(1).max(100);
const PlanIdSchema = z.string().min(1).max(64);
const AccountRoleSchema = z.enum(['owner', 'admin', 'member']);

/** Input of `registerUser`. */
export const RegisterUserInput = z
  .object({
    email: EmailSchema,
    displayName: DisplayNameSchema,
    /** Handle of the personal account created with the user. */
    handle: HandleSchema,
    planId: PlanIdSchema.optional(),
  })
  .strict();
/** Input of `createOrganization`. `ownerUserId` is required when the actor is the system. */
export const CreateOrganizationInput = z
  .object({
    handle: HandleSchema,
    displayName: DisplayNameSchema,
    planId: PlanIdSchema.optional(),
    ownerUserId: UserIdSchema.optional(),
  })
  .strict();
/** Input of queries about one account. */
export const AccountRefInput = z.object({ accountId: AccountIdSchema }).strict();
/** Input of `listMembers`. */
export const ListMembersInput = z.object({ accountId: AccountIdSchema }).extend(PageRequestSchema.shape).strict();
/** Input of `addMember`. */
export const AddMemberInput = z
  .object({ accountId: AccountIdSchema, userId: UserIdSchema, role: AccountRoleSchema })
  .strict();
/** Input of `changeMemberRole`. */
export const ChangeMemberRoleInput = AddMemberInput;
/** Input of `removeMember`. */
export const RemoveMemberInput = z.object({ accountId: AccountIdSchema, userId: UserIdSchema }).strict();
/** Input of `changePlan`. */
export const ChangePlanInput = z.object({ accountId: AccountIdSchema, planId: PlanIdSchema }).strict();

/** A user and the personal account created with it. */
export interface RegisteredUser {
  readonly user: User;
  readonly account: Account;
}

function accountRecord(
  ctx: KitContext,
  now: string,
  fields: Pick<Account, 'kind' | 'handle' | 'displayName' | 'planId' | 'ownerUserId'>,
): Account {
  return { id: ctx.ids.next('account') as AccountId, version: 1, createdAt: now, updatedAt: now, ...fields };
}

const ownerOnly = (role: AccountRole): boolean => role === 'owner';

/**
 * Inserts a user and its personal account (ACC-1) in the unit of work: `EMAIL_TAKEN` or
 * `HANDLE_TAKEN` when the storage refuses either.
 */
export async function insertPersonalUser(
  ctx: KitContext,
  tx: UnitOfWork,
  now: Timestamp,
  fields: { readonly email: string; readonly displayName: string; readonly handle: Handle; readonly planId: string },
): Promise<Result<RegisteredUser, WorkspaceKitError>> {
  const userId = ctx.ids.next('user') as UserId;
  const account = accountRecord(ctx, now, {
    kind: 'personal',
    handle: fields.handle,
    displayName: fields.displayName,
    planId: fields.planId,
    ownerUserId: userId,
  });
  const user: User = {
    id: userId,
    email: fields.email,
    displayName: fields.displayName,
    personalAccountId: account.id,
    createdAt: now,
  };
  if ((await tx.users.insert(user)) === 'email-taken') return err(errors.emailTaken(fields.email));
  if ((await tx.accounts.insert(account)) === 'handle-taken') return err(errors.accountHandleTaken(fields.handle));
  return ok({ user, account });
}

/** Account and membership commands (ACC, PLAN-4), bound to a kit context. */
export function accountCommands(ctx: KitContext) {
  return {
    registerUser: (actor: unknown, input: z.input<typeof RegisterUserInput>) =>
      runCommand(ctx, RegisterUserInput, actor, input, async ({ tx, actor, input, now }) => {
        if (actor.type !== 'system') return err(errors.forbidden('register_users'));
        const plan = findPlan(ctx, input.planId ?? ctx.defaultPlanId);
        if (plan.isErr()) return err(plan.error);
        const created = await insertPersonalUser(ctx, tx, now, { ...input, planId: plan.value.id });
        if (created.isErr()) return err(created.error);
        const { user, account } = created.value;
        return ok({
          value: { user, account } satisfies RegisteredUser,
          audit: {
            accountId: account.id,
            workspaceId: null,
            action: 'user.registered',
            subject: { type: 'user', id: user.id },
            details: { email: user.email, handle: account.handle, planId: account.planId },
          },
        });
      }),

    createOrganization: (actor: unknown, input: z.input<typeof CreateOrganizationInput>) =>
      runCommand(ctx, CreateOrganizationInput, actor, input, async ({ tx, actor, input, now }) => {
        let ownerId: UserId;
        if (actor.type === 'system') {
          if (input.ownerUserId === undefined) {
            return err(errors.validation([{ path: ['input', 'ownerUserId'], message: 'required when the system acts' }]));
          }
          ownerId = input.ownerUserId;
        } else if (actor.type === 'service-account') {
          return err(errors.forbidden('register_users'));
        } else {
          if (input.ownerUserId !== undefined && input.ownerUserId !== actor.userId) {
            return err(errors.forbidden('register_users'));
          }
          ownerId = actor.userId;
        }
        if (!(await tx.users.getById(ownerId))) return err(errors.notFound('user', ownerId));
        const plan = findPlan(ctx, input.planId ?? ctx.defaultPlanId);
        if (plan.isErr()) return err(plan.error);
        const account = accountRecord(ctx, now, {
          kind: 'organization',
          handle: input.handle,
          displayName: input.displayName,
          planId: plan.value.id,
          ownerUserId: null,
        });
        if ((await tx.accounts.insert(account)) === 'handle-taken') return err(errors.accountHandleTaken(input.handle));
        await tx.memberships.insert({ accountId: account.id, userId: ownerId, role: 'owner', createdAt: now });
        return ok({
          value: account,
          audit: {
            accountId: account.id,
            workspaceId: null,
            action: 'account.created',
            subject: { type: 'account', id: account.id },
            details: { handle: account.handle, planId: account.planId, owner: ownerId },
          },
        });
      }),

    addMember: (actor: unknown, input: z.input<typeof AddMemberInput>) =>
      runCommand(ctx, AddMemberInput, actor, input, async ({ tx, actor, input, now }) => {
        await tx.accounts.lock(input.accountId);
        const access = await loadAccount(tx, actor, input.accountId);
        if (access.isErr()) return err(access.error);
        const { account, scopes } = access.value;
        const allowed = requireScope(scopes, ownerOnly(input.role) ? 'manage_owners' : 'manage_members');
        if (allowed.isErr()) return err(allowed.error);
        if (account.kind === 'personal') {
          return err(errors.validation([{ path: ['input', 'accountId'], message: 'a personal account has no members' }]));
        }
        const user = await tx.users.getById(input.userId);
        if (!user) return err(errors.notFound('user', input.userId));
        if (await tx.memberships.get(account.id, input.userId)) {
          return err(errors.alreadyExists('membership', `${account.id}/${input.userId}`));
        }
        const plan = findPlan(ctx, account.planId);
        if (plan.isErr()) return err(plan.error);
        const seat = await requireSeatFor(tx, plan.value, account, now, user.email);
        if (seat.isErr()) return err(seat.error);
        const membership: Membership = { accountId: account.id, userId: input.userId, role: input.role, createdAt: now };
        if ((await tx.memberships.insert(membership)) === 'exists') {
          return err(errors.alreadyExists('membership', `${account.id}/${input.userId}`));
        }
        return ok({
          value: membership,
          audit: {
            accountId: account.id,
            workspaceId: null,
            action: 'member.added',
            subject: { type: 'membership', id: `${account.id}/${input.userId}` },
            details: { userId: input.userId, role: input.role },
          },
        });
      }),

    changeMemberRole: (actor: unknown, input: z.input<typeof ChangeMemberRoleInput>) =>
      runCommand(ctx, ChangeMemberRoleInput, actor, input, async ({ tx, actor, input }) => {
        await tx.accounts.lock(input.accountId);
        const access = await loadAccount(tx, actor, input.accountId);
        if (access.isErr()) return err(access.error);
        const { account, scopes } = access.value;
        const mayManage = requireScope(scopes, 'manage_members');
        if (mayManage.isErr()) return err(mayManage.error);
        const current = await tx.memberships.get(account.id, input.userId);
        if (!current) return err(errors.notFound('membership', `${account.id}/${input.userId}`));
        // ACC-5: only an Owner grants, revokes or changes the Owner role.
        const touchesOwner = ownerOnly(current.role) || ownerOnly(input.role);
        const allowed = requireScope(scopes, touchesOwner ? 'manage_owners' : 'manage_members');
        if (allowed.isErr()) return err(allowed.error);
        if (current.role === 'owner' && input.role !== 'owner') {
          const counts = await tx.memberships.countByRole(account.id);
          if (counts.owner <= 1) return err(errors.lastOwner(account.id));
        }
        if (current.role !== input.role) await tx.memberships.updateRole(account.id, input.userId, input.role);
        return ok({
          value: { ...current, role: input.role } satisfies Membership,
          audit: {
            accountId: account.id,
            workspaceId: null,
            action: 'member.role-changed',
            subject: { type: 'membership', id: `${account.id}/${input.userId}` },
            details: { userId: input.userId, role: { from: current.role, to: input.role } },
          },
        });
      }),

    removeMember: (actor: unknown, input: z.input<typeof RemoveMemberInput>) =>
      runCommand(ctx, RemoveMemberInput, actor, input, async ({ tx, actor, input }) => {
        await tx.accounts.lock(input.accountId);
        const access = await loadAccount(tx, actor, input.accountId);
        if (access.isErr()) return err(access.error);
        const { account, scopes } = access.value;
        const leaving = actor.type === 'user' && actor.userId === input.userId;
        if (!leaving) {
          const mayManage = requireScope(scopes, 'manage_members');
          if (mayManage.isErr()) return err(mayManage.error);
        }
        const current = await tx.memberships.get(account.id, input.userId);
        if (!current) return err(errors.notFound('membership', `${account.id}/${input.userId}`));
        if (!leaving) {
          const allowed = requireScope(scopes, ownerOnly(current.role) ? 'manage_owners' : 'manage_members');
          if (allowed.isErr()) return err(allowed.error);
        }
        if (current.role === 'owner') {
          const counts = await tx.memberships.countByRole(account.id);
          if (counts.owner <= 1) return err(errors.lastOwner(account.id));
        }
        await tx.memberships.delete(account.id, input.userId);
        // SHR-1: workspace access in an organization is for its members; leaving ends it at once.
        const grantsRemoved = await tx.grants.deleteByGrantee(account.id, { type: 'user', userId: input.userId });
        return ok({
          value: current,
          audit: {
            accountId: account.id,
            workspaceId: null,
            action: 'member.removed',
            subject: { type: 'membership', id: `${account.id}/${input.userId}` },
            details: { userId: input.userId, role: current.role, left: leaving, grantsRemoved },
          },
        });
      }),

    changePlan: (actor: unknown, input: z.input<typeof ChangePlanInput>) =>
      runCommand(ctx, ChangePlanInput, actor, input, async ({ tx, actor, input, now }) => {
        await tx.accounts.lock(input.accountId);
        const access = await loadAccount(tx, actor, input.accountId);
        if (access.isErr()) return err(access.error);
        const { account, scopes } = access.value;
        const allowed = requireScope(scopes, 'manage_account_settings');
        if (allowed.isErr()) return err(allowed.error);
        const plan = findPlan(ctx, input.planId);
        if (plan.isErr()) return err(plan.error);
        const violations = planViolations(plan.value, await accountUsage(tx, account, now));
        if (violations.length > 0) return err(errors.planDowngradeBlocked(plan.value.id, violations));
        const unchanged = plan.value.id === account.planId;
        const updated: Account = unchanged
          ? account
          : { ...account, planId: plan.value.id, version: account.version + 1, updatedAt: now };
        if (!unchanged && (await tx.accounts.update(updated, account.version)) !== 'ok') {
          return err(errors.conflict('account', account.id, account.version, null));
        }
        return ok({
          value: updated,
          audit: {
            accountId: account.id,
            workspaceId: null,
            action: 'account.plan-changed',
            subject: { type: 'account', id: account.id },
            details: { planId: { from: account.planId, to: updated.planId } },
          },
        });
      }),

    getAccount: (actor: unknown, input: z.input<typeof AccountRefInput>) =>
      runQuery(ctx, AccountRefInput, actor, input, async ({ tx, actor, input }) => {
        const access = await loadAccount(tx, actor, input.accountId);
        return access.map((a) => a.account);
      }),

    listAccounts: (actor: unknown) =>
      runQuery(ctx, z.undefined(), actor, undefined, async ({ tx, actor }) => {
        if (actor.type === 'service-account') {
          const sa = await tx.serviceAccounts.getById(actor.serviceAccountId);
          const account = sa && (await tx.accounts.getById(sa.accountId));
          return ok(account ? [account] : []);
        }
        if (actor.type !== 'user') return ok([] as Account[]);
        const user = await tx.users.getById(actor.userId);
        if (!user) return err(errors.notFound('user', actor.userId));
        const ids = [user.personalAccountId, ...(await tx.memberships.listByUser(user.id)).map((m) => m.accountId)];
        const accounts: Account[] = [];
        for (const id of ids) {
          const account = await tx.accounts.getById(id);
          if (account) accounts.push(account);
        }
        return ok(accounts);
      }),

    listMembers: (actor: unknown, input: z.input<typeof ListMembersInput>) =>
      runQuery(ctx, ListMembersInput, actor, input, async ({ tx, actor, input }) => {
        const access = await loadAccount(tx, actor, input.accountId);
        if (access.isErr()) return err(access.error);
        const allowed = requireScope(access.value.scopes, 'see_members');
        if (allowed.isErr()) return err(allowed.error);
        const page: Page<Membership> = await tx.memberships.listByAccount(input.accountId, input);
        return ok(page);
      }),

    getAccountRole: (actor: unknown, input: z.input<typeof AccountRefInput>) =>
      runQuery(ctx, AccountRefInput, actor, input, async ({ tx, actor, input }) => {
        const access = await loadAccount(tx, actor, input.accountId);
        return access.map((a) => accountRoleOf(actor, a.snapshot));
      }),
  };
}
