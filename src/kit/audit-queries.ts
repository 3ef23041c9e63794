import { err, ok } from 'neverthrow';
import { z } from 'zod';
import { TimestampSchema } from '../core/clock.js';
import type { AuditAction } from '../audit/audit-event.js';
import { errors } from '../core/errors.js';
import { AccountIdSchema, WorkspaceIdSchema } from '../core/ids.js';
import { PageRequestSchema } from '../core/paging.js';
import { loadAccount, requireScope } from './access-loader.js';
import { findPlan, runQuery, type KitContext } from './command.js';

/** Every audit action the library records (AUD-1). */
export const AUDIT_ACTIONS = [
  'user.registered',
  'account.created',
  'account.plan-changed',
  'member.added',
  'member.role-changed',
  'member.removed',
  'workspace.created',
  'workspace.updated',
  'workspace.deleted',
  'resources.tracked',
  'workspace.shared',
  'workspace.share-changed',
  'workspace.unshared',
  'workspace.default-role-changed',
  'role.created',
  'role.deleted',
  'invitation.created',
  'invitation.resent',
  'invitation.revoked',
  'invitation.accepted',
  'invitation.rejected',
  'service-account.created',
  'service-account.deleted',
  'api-key.created',
  'api-key.revoked',
  'api-key.rotated',
  'transfer.requested',
  'transfer.rejected',
  'transfer.cancelled',
  'workspace.transferred-out',
  'workspace.transferred-in',
  'runs.pruned',
] as const satisfies readonly AuditAction[];


/** Input of `listAuditEvents` (AUD-2): filters by workspace, actor, action and time, paged. */
export const ListAuditEventsInput = z
  .object({
    accountId: AccountIdSchema,
    workspaceId: WorkspaceIdSchema.optional(),
    actor: z.string().min(1).max(128).optional(),
    action: z.enum(AUDIT_ACTIONS).optional(),
    from: TimestampSchema.optional(),
    to: TimestampSchema.optional(),
    order: z.enum(['asc', 'desc']).default('asc'),
  })
  .extend(PageRequestSchema.shape)
  .extend({ cursor: z.string().regex(/^\d{1,15}$/, 'an audit cursor is a sequence number').optional() })
  .strict();

/** Audit log queries (AUD-2), bound to a kit context. */
export function auditQueries(ctx: KitContext) {
  return {
    listAuditEvents: (actor: unknown, input: z.input<typeof ListAuditEventsInput>) =>
      runQuery(ctx, ListAuditEventsInput, actor, input, async ({ tx, actor, input }) => {
        const access = await loadAccount(tx, actor, input.accountId);
        if (access.isErr()) return err(access.error);
        const { account, scopes } = access.value;
        const allowed = requireScope(scopes, 'read_audit_log');
        if (allowed.isErr()) return err(allowed.error);
        const plan = findPlan(ctx, account.planId);
        if (plan.isErr()) return err(plan.error);
        if (!plan.value.features.auditLog) return err(errors.planFeatureUnavailable(plan.value.id, 'auditLog'));
        const { accountId, limit, cursor, order, ...filter } = input;
        return ok(await tx.audit.list(accountId, filter, { limit, cursor, order }));
      }),
  };
}
