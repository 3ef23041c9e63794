import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';
import type { Account, Membership, User } from '../account/account.js';
import type { Timestamp } from '../core/clock.js';
import { errors, type WorkspaceKitError } from '../core/errors.js';
import { HandleSchema } from '../core/handle.js';
import { AccountIdSchema, InvitationIdSchema, WorkspaceIdSchema, type InvitationId } from '../core/ids.js';
import { PageRequestSchema, type Page } from '../core/paging.js';
import { mintSecret, parseSecret, secretMatches, type Secret } from '../core/secret.js';
import type { UnitOfWork } from '../ports/store.js';
import type { WorkspaceGrant } from '../workspace/grant.js';
import {
  INVITATION_DEFAULT_DAYS,
  invitationStatus,
  invitationView,
  type Invitation,
  type InvitationView,
} from '../workspace/invitation.js';
import { EmailSchema, insertPersonalUser } from './account-commands.js';
import { loadAccount, loadWorkspace, requireGrantableRole, requireScope } from './access-loader.js';
import { findPlan, runCommand, runQuery, type CommandScope, type KitContext } from './command.js';
import { RoleRefSchema } from './sharing-commands.js';
import { requireSeatFor } from './usage.js';

const DAY_MS = 86_400_000;
const ExpiresInDaysSchema = z.number().int().min(1).max(90);
const TokenSchema = z.string().min(1).max(300);

/** Input of `inviteMember` (ACC-6): an email invited to an organization with an account role. */
export const InviteMemberInput = z
  .object({
    accountId: AccountIdSchema,
    email: EmailSchema,
    role: z.enum(['owner', 'admin', 'member']),
    expiresInDays: ExpiresInDaysSchema.optional(),
  })
  .strict();
/** Input of `inviteCollaborator` (COL-1): an email invited to a personal account's workspace. */
export const InviteCollaboratorInput = z
  .object({
    workspaceId: WorkspaceIdSchema,
    email: EmailSchema,
    role: RoleRefSchema.default('developer'),
    expiresInDays: ExpiresInDaysSchema.optional(),
  })
  .strict();
/** Input of `resendInvitation` (INV-2): a new token and expiry; the old token stops working. */
export const ResendInvitationInput = z
  .object({ invitationId: InvitationIdSchema, expiresInDays: ExpiresInDaysSchema.optional() })
  .strict();
/** Input of `revokeInvitation`. */
export const InvitationRefInput = z.object({ invitationId: InvitationIdSchema }).strict();
/**
 * Input of `acceptInvitation` (INV-3). `newUser` is for the system principal accepting for an
 * invitee without a user: the user and its personal account are created in the same unit of work.
 */
export const AcceptInvitationInput = z
  .object({
    token: TokenSchema,
    newUser: z
      .object({ displayName: z.string().trim().min(1).max(100), handle: HandleSchema, planId: z.string().min(1).max(64).optional() })
      .strict()
      .optional(),
  })
  .strict();
/** Input of `rejectInvitation`. */
export const RejectInvitationInput = z.object({ token: TokenSchema }).strict();
/** Input of `listInvitations`: an account's invitations, or one workspace's. */
export const ListInvitationsInput = z
  .object({
    accountId: AccountIdSchema,
    workspaceId: WorkspaceIdSchema.optional(),
    /** `pending` lists only unexpired pending invitations; `expired` the pending ones past their expiry. */
    status: z.enum(['pending', 'expired', 'accepted', 'rejected', 'revoked']).optional(),
  })
  .extend(PageRequestSchema.shape)
  .strict();

/** A new (or resent) invitation and its token. The token is shown here once and never stored. */
export interface IssuedInvitation {
  readonly invitation: InvitationView;
  /** Redacted in JSON and logs; `token.reveal()` gives the value to send to the invitee. */
  readonly token: Secret;
}

/** What accepting an invitation did (INV-3). */
export interface AcceptedInvitation {
  readonly invitation: InvitationView;
  readonly user: User;
  /** The personal account created with the user, when accepting created one. */
  readonly createdAccount: Account | null;
  /** The membership (organization invitations) or the grant (workspace invitations). */
  readonly membership: Membership | null;
  readonly grant: WorkspaceGrant | null;
}

function expiry(now: Timestamp, days: number | undefined): Timestamp {
  return new Date(Date.parse(now) + (days ?? INVITATION_DEFAULT_DAYS) * DAY_MS).toISOString();
}

function targetDetails(invitation: Invitation) {
  return invitation.target.type === 'account'
    ? { type: 'account', role: invitation.target.role }
    : { type: 'workspace', workspaceId: invitation.target.workspaceId, role: invitation.target.role };
}

/**
 * Authorizes managing an existing invitation: account invitations need `manage_members`
 * (`manage_owners` for an Owner invitation); workspace invitations `manage_workspace_users`.
 * An invitation the actor may not see is `NOT_FOUND`.
 */
async function authorizeManage(
  { tx, actor }: Pick<CommandScope<unknown>, 'tx' | 'actor'>,
  invitation: Invitation,
): Promise<Result<Account, WorkspaceKitError>> {
  if (invitation.target.type === 'account') {
    const access = await loadAccount(tx, actor, invitation.accountId);
    if (access.isErr()) return err(errors.notFound('invitation', invitation.id));
    const allowed = requireScope(access.value.scopes, invitation.target.role === 'owner' ? 'manage_owners' : 'manage_members');
    return allowed.map(() => access.value.account);
  }
  const access = await loadWorkspace(tx, actor, invitation.target.workspaceId);
  if (access.isErr()) return err(errors.notFound('invitation', invitation.id));
  return requireScope(access.value.scopes, 'manage_workspace_users').map(() => access.value.account);
}

/**
 * Finds the invitation a presented token names and checks the token (INV-2): unknown ids and
 * wrong secrets are both `invalid-token`, compared in constant time. Then the status.
 */
async function invitationByToken(tx: UnitOfWork, token: string, now: Timestamp): Promise<Result<Invitation, WorkspaceKitError>> {
  const parsed = parseSecret('invitation', token);
  if (!parsed) return err(errors.invitationInvalid('invalid-token'));
  const invitation = await tx.invitations.getById(parsed.id as InvitationId);
  if (!invitation || !secretMatches(parsed.random, invitation.tokenHash)) return err(errors.invitationInvalid('invalid-token'));
  const status = invitationStatus(invitation, now);
  if (status === 'expired') return err(errors.invitationInvalid('expired'));
  if (status !== 'pending') return err(errors.invitationInvalid('not-pending'));
  return ok(invitation);
}

/** Invitation commands (INV-1…INV-3, ACC-6, COL-1), bound to a kit context. */
export function invitationCommands(ctx: KitContext) {
  async function issue(
    tx: UnitOfWork,
    fields: Omit<Invitation, 'id' | 'status' | 'tokenHash' | 'respondedAt' | 'acceptedBy' | 'version'>,
  ): Promise<Result<{ invitation: Invitation; token: Secret; replaces: InvitationId | null }, WorkspaceKitError>> {
    // One pending invitation per (account, target, email): an expired one is retired (stored
    // `expired`) and replaced; a live one is ALREADY_EXISTS (resend it instead).
    const workspaceId = fields.target.type === 'workspace' ? fields.target.workspaceId : null;
    const holder = await tx.invitations.getPendingFor(fields.accountId, workspaceId, fields.email);
    let replaces: InvitationId | null = null;
    if (holder) {
      if (invitationStatus(holder, fields.createdAt) !== 'expired') {
        return err(errors.alreadyExists('invitation', `${fields.email} (a pending invitation exists: resend it)`));
      }
      const retired: Invitation = { ...holder, status: 'expired', version: holder.version + 1 };
      if ((await tx.invitations.update(retired, holder.version)) === 'conflict') {
        return err(errors.conflict('invitation', holder.id, holder.version, null));
      }
      replaces = holder.id;
    }
    const id = ctx.ids.next('invitation') as InvitationId;
    const { secret, hash } = mintSecret('invitation', id);
    const invitation: Invitation = { ...fields, id, status: 'pending', tokenHash: hash, respondedAt: null, acceptedBy: null, version: 1 };
    if ((await tx.invitations.insert(invitation)) === 'exists') {
      return err(errors.alreadyExists('invitation', `${fields.email} (a pending invitation exists: resend it)`));
    }
    return ok({ invitation, token: secret, replaces });
  }

  return {
    inviteMember: (actor: unknown, input: z.input<typeof InviteMemberInput>) =>
      runCommand(ctx, InviteMemberInput, actor, input, async ({ tx, actor, input, now }) => {
        await tx.accounts.lock(input.accountId);
        const access = await loadAccount(tx, actor, input.accountId);
        if (access.isErr()) return err(access.error);
        const { account, scopes } = access.value;
        const allowed = requireScope(scopes, input.role === 'owner' ? 'manage_owners' : 'manage_members');
        if (allowed.isErr()) return err(allowed.error);
        if (account.kind === 'personal') {
          return err(errors.validation([{ path: ['input', 'accountId'], message: 'a personal account has no members: invite collaborators to a workspace' }]));
        }
        const existing = await tx.users.getByEmail(input.email);
        if (existing && (await tx.memberships.get(account.id, existing.id))) {
          return err(errors.alreadyExists('membership', `${account.id}/${existing.id}`));
        }
        const plan = findPlan(ctx, account.planId);
        if (plan.isErr()) return err(plan.error);
        const seat = await requireSeatFor(tx, plan.value, account, now, input.email);
        if (seat.isErr()) return err(seat.error);
        const issued = await issue(tx, {
          accountId: account.id,
          email: input.email,
          target: { type: 'account', role: input.role },
          invitedBy: actor,
          createdAt: now,
          expiresAt: expiry(now, input.expiresInDays),
        });
        if (issued.isErr()) return err(issued.error);
        const { invitation, token, replaces } = issued.value;
        return ok({
          value: { invitation: invitationView(invitation, now), token } satisfies IssuedInvitation,
          audit: {
            accountId: account.id,
            workspaceId: null,
            action: 'invitation.created',
            subject: { type: 'invitation', id: invitation.id },
            details: { email: invitation.email, target: targetDetails(invitation), expiresAt: invitation.expiresAt, replaces },
          },
        });
      }),

    inviteCollaborator: (actor: unknown, input: z.input<typeof InviteCollaboratorInput>) =>
      runCommand(ctx, InviteCollaboratorInput, actor, input, async ({ tx, actor, input, now }) => {
        const access = await loadWorkspace(tx, actor, input.workspaceId);
        if (access.isErr()) return err(access.error);
        const { workspace, account, scopes } = access.value;
        const allowed = requireScope(scopes, 'manage_workspace_users');
        if (allowed.isErr()) return err(allowed.error);
        if (account.kind !== 'personal') {
          return err(errors.validation([{ path: ['input', 'workspaceId'], message: 'an organization invites members (inviteMember) and shares workspaces with them' }]));
        }
        await tx.accounts.lock(account.id);
        const grantable = await requireGrantableRole(ctx, tx, account, input.role, scopes);
        if (grantable.isErr()) return err(grantable.error);
        const { role, plan } = grantable.value;
        const existing = await tx.users.getByEmail(input.email);
        if (existing && existing.id === account.ownerUserId) {
          return err(errors.validation([{ path: ['input', 'email'], message: 'the account owner already owns the workspace' }]));
        }
        if (existing && (await tx.grants.get(workspace.id, { type: 'user', userId: existing.id }))) {
          return err(errors.alreadyExists('grant', `${workspace.id}/user:${existing.id}`));
        }
        const seat = await requireSeatFor(tx, plan, account, now, input.email);
        if (seat.isErr()) return err(seat.error);
        const issued = await issue(tx, {
          accountId: account.id,
          email: input.email,
          target: { type: 'workspace', workspaceId: workspace.id, role: role.ref },
          invitedBy: actor,
          createdAt: now,
          expiresAt: expiry(now, input.expiresInDays),
        });
        if (issued.isErr()) return err(issued.error);
        const { invitation, token, replaces } = issued.value;
        return ok({
          value: { invitation: invitationView(invitation, now), token } satisfies IssuedInvitation,
          audit: {
            accountId: account.id,
            workspaceId: workspace.id,
            action: 'invitation.created',
            subject: { type: 'invitation', id: invitation.id },
            details: { email: invitation.email, target: targetDetails(invitation), expiresAt: invitation.expiresAt, replaces },
          },
        });
      }),

    resendInvitation: (actor: unknown, input: z.input<typeof ResendInvitationInput>) =>
      runCommand(ctx, ResendInvitationInput, actor, input, async ({ tx, actor, input, now }) => {
        const invitation = await tx.invitations.getById(input.invitationId);
        if (!invitation) return err(errors.notFound('invitation', input.invitationId));
        const authorized = await authorizeManage({ tx, actor }, invitation);
        if (authorized.isErr()) return err(authorized.error);
        const account = authorized.value;
        if (invitation.status !== 'pending') return err(errors.invitationInvalid('not-pending'));
        await tx.accounts.lock(account.id);
        // An expired invitation held no seat; resending makes it hold one again (PLAN-2).
        if (invitationStatus(invitation, now) === 'expired') {
          const plan = findPlan(ctx, account.planId);
          if (plan.isErr()) return err(plan.error);
          const seat = await requireSeatFor(tx, plan.value, account, now, invitation.email);
          if (seat.isErr()) return err(seat.error);
        }
        const { secret, hash } = mintSecret('invitation', invitation.id);
        const updated: Invitation = {
          ...invitation,
          tokenHash: hash,
          expiresAt: expiry(now, input.expiresInDays),
          version: invitation.version + 1,
        };
        if ((await tx.invitations.update(updated, invitation.version)) === 'conflict') {
          return err(errors.conflict('invitation', invitation.id, invitation.version, null));
        }
        return ok({
          value: { invitation: invitationView(updated, now), token: secret } satisfies IssuedInvitation,
          audit: {
            accountId: invitation.accountId,
            workspaceId: invitation.target.type === 'workspace' ? invitation.target.workspaceId : null,
            action: 'invitation.resent',
            subject: { type: 'invitation', id: invitation.id },
            details: { email: invitation.email, expiresAt: { from: invitation.expiresAt, to: updated.expiresAt } },
          },
        });
      }),

    revokeInvitation: (actor: unknown, input: z.input<typeof InvitationRefInput>) =>
      runCommand(ctx, InvitationRefInput, actor, input, async ({ tx, actor, input, now }) => {
        const invitation = await tx.invitations.getById(input.invitationId);
        if (!invitation) return err(errors.notFound('invitation', input.invitationId));
        const authorized = await authorizeManage({ tx, actor }, invitation);
        if (authorized.isErr()) return err(authorized.error);
        if (invitation.status !== 'pending') return err(errors.invitationInvalid('not-pending'));
        const updated: Invitation = { ...invitation, status: 'revoked', respondedAt: now, version: invitation.version + 1 };
        if ((await tx.invitations.update(updated, invitation.version)) === 'conflict') {
          return err(errors.conflict('invitation', invitation.id, invitation.version, null));
        }
        return ok({
          value: invitationView(updated, now),
          audit: {
            accountId: invitation.accountId,
            workspaceId: invitation.target.type === 'workspace' ? invitation.target.workspaceId : null,
            action: 'invitation.revoked',
            subject: { type: 'invitation', id: invitation.id },
            details: { email: invitation.email, target: targetDetails(invitation) },
          },
        });
      }),

    acceptInvitation: (actor: unknown, input: z.input<typeof AcceptInvitationInput>) =>
      runCommand(ctx, AcceptInvitationInput, actor, input, async ({ tx, actor, input, now }) => {
        const found = await invitationByToken(tx, input.token, now);
        if (found.isErr()) return err(found.error);
        const invitation = found.value;
        // INV-3: the invitee is the user whose normalized email matches.
        let user: User | null;
        let createdAccount: Account | null = null;
        if (actor.type === 'user') {
          if (input.newUser !== undefined) {
            return err(errors.validation([{ path: ['input', 'newUser'], message: 'only the system principal creates a user while accepting' }]));
          }
          user = await tx.users.getById(actor.userId);
          if (!user) return err(errors.notFound('user', actor.userId));
          if (user.email !== invitation.email) return err(errors.invitationInvalid('email-mismatch'));
        } else if (actor.type === 'system') {
          user = await tx.users.getByEmail(invitation.email);
          if (user && input.newUser !== undefined) return err(errors.emailTaken(invitation.email));
          if (!user) {
            if (input.newUser === undefined) {
              return err(errors.validation([{ path: ['input', 'newUser'], message: 'no user has this email: give newUser to create one' }]));
            }
            const plan = findPlan(ctx, input.newUser.planId ?? ctx.defaultPlanId);
            if (plan.isErr()) return err(plan.error);
            const created = await insertPersonalUser(ctx, tx, now, {
              email: invitation.email,
              displayName: input.newUser.displayName,
              handle: input.newUser.handle,
              planId: plan.value.id,
            });
            if (created.isErr()) return err(created.error);
            user = created.value.user;
            createdAccount = created.value.account;
          }
        } else {
          return err(errors.invitationInvalid('email-mismatch'));
        }
        let membership: Membership | null = null;
        let grant: WorkspaceGrant | null = null;
        const target = invitation.target;
        if (target.type === 'account') {
          membership = { accountId: invitation.accountId, userId: user.id, role: target.role, createdAt: now };
          if ((await tx.memberships.insert(membership)) === 'exists') {
            return err(errors.alreadyExists('membership', `${invitation.accountId}/${user.id}`));
          }
        } else {
          grant = {
            workspaceId: target.workspaceId,
            accountId: invitation.accountId,
            grantee: { type: 'user', userId: user.id },
            role: target.role,
            createdAt: now,
            updatedAt: now,
          };
          if ((await tx.grants.insert(grant)) === 'exists') {
            return err(errors.alreadyExists('grant', `${target.workspaceId}/user:${user.id}`));
          }
        }
        const updated: Invitation = {
          ...invitation,
          status: 'accepted',
          respondedAt: now,
          acceptedBy: user.id,
          version: invitation.version + 1,
        };
        // INV-3: of concurrent accepts exactly one passes this guard.
        if ((await tx.invitations.update(updated, invitation.version)) === 'conflict') {
          return err(errors.invitationInvalid('not-pending'));
        }
        const value: AcceptedInvitation = { invitation: invitationView(updated, now), user, createdAccount, membership, grant };
        return ok({
          value,
          audit: {
            accountId: invitation.accountId,
            workspaceId: target.type === 'workspace' ? target.workspaceId : null,
            action: 'invitation.accepted',
            subject: { type: 'invitation', id: invitation.id },
            details: { email: invitation.email, userId: user.id, userCreated: createdAccount !== null, target: targetDetails(invitation) },
          },
        });
      }),

    rejectInvitation: (actor: unknown, input: z.input<typeof RejectInvitationInput>) =>
      runCommand(ctx, RejectInvitationInput, actor, input, async ({ tx, actor, input, now }) => {
        const found = await invitationByToken(tx, input.token, now);
        if (found.isErr()) return err(found.error);
        const invitation = found.value;
        if (actor.type === 'user') {
          const user = await tx.users.getById(actor.userId);
          if (!user || user.email !== invitation.email) return err(errors.invitationInvalid('email-mismatch'));
        } else if (actor.type !== 'system') {
          return err(errors.invitationInvalid('email-mismatch'));
        }
        const updated: Invitation = { ...invitation, status: 'rejected', respondedAt: now, version: invitation.version + 1 };
        if ((await tx.invitations.update(updated, invitation.version)) === 'conflict') {
          return err(errors.invitationInvalid('not-pending'));
        }
        return ok({
          value: invitationView(updated, now),
          audit: {
            accountId: invitation.accountId,
            workspaceId: invitation.target.type === 'workspace' ? invitation.target.workspaceId : null,
            action: 'invitation.rejected',
            subject: { type: 'invitation', id: invitation.id },
            details: { email: invitation.email, target: targetDetails(invitation) },
          },
        });
      }),

    listInvitations: (actor: unknown, input: z.input<typeof ListInvitationsInput>) =>
      runQuery(ctx, ListInvitationsInput, actor, input, async ({ tx, actor, input, now }) => {
        if (input.workspaceId === undefined) {
          const access = await loadAccount(tx, actor, input.accountId);
          if (access.isErr()) return err(access.error);
          const allowed = requireScope(access.value.scopes, 'manage_members');
          if (allowed.isErr()) return err(allowed.error);
        } else {
          const access = await loadWorkspace(tx, actor, input.workspaceId);
          if (access.isErr() || access.value.account.id !== input.accountId) {
            return err(errors.notFound('workspace', input.workspaceId));
          }
          const allowed = requireScope(access.value.scopes, 'manage_workspace_users');
          if (allowed.isErr()) return err(allowed.error);
        }
        const { accountId, workspaceId, status, ...page } = input;
        // Expiry is derived from the time: `pending` reads the stored pending invitations and
        // `expired` every one, keeping those whose derived status matches, so such a page may
        // hold fewer than `limit` items while `nextCursor` still moves on.
        const stored = status === 'expired' ? undefined : status;
        const found = await tx.invitations.listByAccount(accountId, { workspaceId, status: stored }, page);
        const items = found.items.map((i) => invitationView(i, now)).filter((v) => status === undefined || v.status === status);
        const views: Page<InvitationView> = { items, nextCursor: found.nextCursor };
        return ok(views);
      }),
  };
}
