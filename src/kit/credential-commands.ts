import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';
import { TimestampSchema } from '../core/clock.js';
import { MAX_ROTATION_OVERLAP_HOURS, apiKeyRefusal, apiKeyView, type ApiKey, type ApiKeyView } from '../account/api-key.js';
import { CREDENTIAL_NAME_MAX_LENGTH, type ServiceAccount } from '../account/service-account.js';
import type { Timestamp } from '../core/clock.js';
import { errors, type WorkspaceKitError } from '../core/errors.js';
import {
  AccountIdSchema,
  ApiKeyIdSchema,
  ServiceAccountIdSchema,
  UserIdSchema,
  type AccountId,
  type ApiKeyId,
  type ServiceAccountId,
} from '../core/ids.js';
import { PageRequestSchema, type Page } from '../core/paging.js';
import { mintSecret, parseSecret, secretMatches, type Secret } from '../core/secret.js';
import { system, type Grantee, type Principal } from '../core/principal.js';
import type { UnitOfWork } from '../ports/store.js';
import { loadAccount, requireFeature, requireScope } from './access-loader.js';
import { findPlan, runCommand, runQuery, type KitContext } from './command.js';

const NameSchema = z.string().trim().min(1).max(CREDENTIAL_NAME_MAX_LENGTH);

/** Input of `createServiceAccount` (SA-1). */
export const CreateServiceAccountInput = z.object({ accountId: AccountIdSchema, name: NameSchema }).strict();
/** Input of `deleteServiceAccount`. */
export const ServiceAccountRefInput = z.object({ serviceAccountId: ServiceAccountIdSchema }).strict();
/** Input of `listServiceAccounts`. */
export const ListServiceAccountsInput = z
  .object({ accountId: AccountIdSchema })
  .extend(PageRequestSchema.shape)
  .extend({ cursor: z.string().min(1).max(CREDENTIAL_NAME_MAX_LENGTH).optional() })
  .strict();
/**
 * Input of `createApiKey` (SA-2): a key for a service account (`serviceAccountId`), for the
 * acting user (neither id), or — system principal only — for the user `userId`.
 */
export const CreateApiKeyInput = z
  .object({
    name: NameSchema,
    expiresAt: TimestampSchema.optional(),
    serviceAccountId: ServiceAccountIdSchema.optional(),
    userId: UserIdSchema.optional(),
  })
  .strict()
  .refine((v) => v.serviceAccountId === undefined || v.userId === undefined, { message: 'give serviceAccountId or userId, not both' });
/** Input of `listApiKeys`: the acting user's keys, or a service account's. */
export const ListApiKeysInput = z
  .object({ serviceAccountId: ServiceAccountIdSchema.optional() })
  .extend(PageRequestSchema.shape)
  .strict();
/** Input of `revokeApiKey`. */
export const ApiKeyRefInput = z.object({ keyId: ApiKeyIdSchema }).strict();
/** Input of `rotateApiKey` (SA-3): how long the old key keeps working, at most 48 hours. */
export const RotateApiKeyInput = z
  .object({
    keyId: ApiKeyIdSchema,
    overlapHours: z.number().min(0).max(MAX_ROTATION_OVERLAP_HOURS).default(0),
    expiresAt: TimestampSchema.nullable().optional(),
  })
  .strict();
/** Input of `resolveApiKey`: the key as presented (e.g. a bearer token). */
export const ResolveApiKeyInput = z.object({ key: z.string().min(1).max(300) }).strict();

/** A new API key and its secret, shown here once (SA-2). */
export interface IssuedApiKey {
  readonly key: ApiKeyView;
  /** Redacted in JSON and logs; `secret.reveal()` gives the value to hand to the owner. */
  readonly secret: Secret;
}

/** The result of a rotation (SA-3): the new key with its secret, and the old key as it now is. */
export interface RotatedApiKey extends IssuedApiKey {
  readonly previous: ApiKeyView;
}

/** Who a presented API key acts as (SA-2). */
export interface ResolvedApiKey {
  readonly principal: Grantee;
  readonly key: ApiKeyView;
}

/** A key's owner must be managed by the actor: itself, the system, or an SA manager. */
async function authorizeKeyOwner(
  tx: UnitOfWork,
  actor: Principal,
  owner: Grantee,
  notFound: () => WorkspaceKitError,
): Promise<Result<AccountId, WorkspaceKitError>> {
  if (owner.type === 'user') {
    if (actor.type !== 'system' && !(actor.type === 'user' && actor.userId === owner.userId)) return err(notFound());
    const user = await tx.users.getById(owner.userId);
    return user ? ok(user.personalAccountId) : err(errors.notFound('user', owner.userId));
  }
  const sa = await tx.serviceAccounts.getById(owner.serviceAccountId);
  if (!sa) return err(notFound());
  const access = await loadAccount(tx, actor, sa.accountId);
  if (access.isErr()) return err(notFound());
  return requireScope(access.value.scopes, 'manage_service_accounts').map(() => sa.accountId);
}

function addHours(now: Timestamp, hours: number): Timestamp {
  return new Date(Date.parse(now) + hours * 3_600_000).toISOString();
}

/** Service account and API key commands (SA-1…SA-3), bound to a kit context. */
export function credentialCommands(ctx: KitContext) {
  function newKey(owner: Grantee, accountId: AccountId, name: string, now: Timestamp, expiresAt: Timestamp | null) {
    const id = ctx.ids.next('api-key') as ApiKeyId;
    const { secret, hash } = mintSecret('api-key', id);
    const key: ApiKey = { id, owner, accountId, name, secretHash: hash, createdAt: now, expiresAt, revokedAt: null, rotatedTo: null, version: 1 };
    return { key, secret };
  }
  const ownerDetails = (owner: Grantee) => ({ ...owner });

  return {
    createServiceAccount: (actor: unknown, input: z.input<typeof CreateServiceAccountInput>) =>
      runCommand(ctx, CreateServiceAccountInput, actor, input, async ({ tx, actor, input, now }) => {
        const access = await loadAccount(tx, actor, input.accountId);
        if (access.isErr()) return err(access.error);
        const { account, scopes } = access.value;
        const allowed = requireScope(scopes, 'manage_service_accounts');
        if (allowed.isErr()) return err(allowed.error);
        if (account.kind !== 'organization') {
          return err(errors.validation([{ path: ['input', 'accountId'], message: 'service accounts belong to organizations' }]));
        }
        const plan = findPlan(ctx, account.planId);
        if (plan.isErr()) return err(plan.error);
        const feature = requireFeature(plan.value, 'serviceAccounts');
        if (feature.isErr()) return err(feature.error);
        const sa: ServiceAccount = { id: ctx.ids.next('service-account') as ServiceAccountId, accountId: account.id, name: input.name, createdAt: now };
        if ((await tx.serviceAccounts.insert(sa)) === 'name-taken') return err(errors.alreadyExists('service-account', input.name));
        return ok({
          value: sa,
          audit: {
            accountId: account.id,
            workspaceId: null,
            action: 'service-account.created',
            subject: { type: 'service-account', id: sa.id },
            details: { name: sa.name },
          },
        });
      }),

    deleteServiceAccount: (actor: unknown, input: z.input<typeof ServiceAccountRefInput>) =>
      runCommand(ctx, ServiceAccountRefInput, actor, input, async ({ tx, actor, input }) => {
        const sa = await tx.serviceAccounts.getById(input.serviceAccountId);
        if (!sa) return err(errors.notFound('service-account', input.serviceAccountId));
        const access = await loadAccount(tx, actor, sa.accountId);
        if (access.isErr()) return err(errors.notFound('service-account', input.serviceAccountId));
        const allowed = requireScope(access.value.scopes, 'manage_service_accounts');
        if (allowed.isErr()) return err(allowed.error);
        const owner: Grantee = { type: 'service-account', serviceAccountId: sa.id };
        const grantsRemoved = await tx.grants.deleteByGrantee(sa.accountId, owner);
        const keysRemoved = await tx.apiKeys.deleteByOwner(owner);
        if ((await tx.serviceAccounts.delete(sa.id)) === 'missing') return err(errors.notFound('service-account', sa.id));
        return ok({
          value: sa,
          audit: {
            accountId: sa.accountId,
            workspaceId: null,
            action: 'service-account.deleted',
            subject: { type: 'service-account', id: sa.id },
            details: { name: sa.name, grantsRemoved, keysRemoved },
          },
        });
      }),

    listServiceAccounts: (actor: unknown, input: z.input<typeof ListServiceAccountsInput>) =>
      runQuery(ctx, ListServiceAccountsInput, actor, input, async ({ tx, actor, input }) => {
        const access = await loadAccount(tx, actor, input.accountId);
        if (access.isErr()) return err(access.error);
        const allowed = requireScope(access.value.scopes, 'see_members');
        if (allowed.isErr()) return err(allowed.error);
        const { accountId, ...page } = input;
        const found: Page<ServiceAccount> = await tx.serviceAccounts.listByAccount(accountId, page);
        return ok(found);
      }),

    createApiKey: (actor: unknown, input: z.input<typeof CreateApiKeyInput>) =>
      runCommand(ctx, CreateApiKeyInput, actor, input, async ({ tx, actor, input, now }) => {
        let owner: Grantee;
        if (input.serviceAccountId !== undefined) owner = { type: 'service-account', serviceAccountId: input.serviceAccountId };
        else if (input.userId !== undefined) owner = { type: 'user', userId: input.userId };
        else if (actor.type === 'user') owner = actor;
        else if (actor.type === 'service-account') return err(errors.forbidden('manage_service_accounts'));
        else return err(errors.validation([{ path: ['input', 'userId'], message: 'the system principal names the key owner' }]));
        const notFound = (): WorkspaceKitError =>
          owner.type === 'user' ? errors.notFound('user', owner.userId) : errors.notFound('service-account', owner.serviceAccountId);
        const accountId = await authorizeKeyOwner(tx, actor, owner, notFound);
        if (accountId.isErr()) return err(accountId.error);
        if (input.expiresAt !== undefined && input.expiresAt <= now) {
          return err(errors.validation([{ path: ['input', 'expiresAt'], message: 'must be in the future' }]));
        }
        const { key, secret } = newKey(owner, accountId.value, input.name, now, input.expiresAt ?? null);
        await tx.apiKeys.insert(key);
        return ok({
          value: { key: apiKeyView(key), secret } satisfies IssuedApiKey,
          audit: {
            accountId: key.accountId,
            workspaceId: null,
            action: 'api-key.created',
            subject: { type: 'api-key', id: key.id },
            details: { name: key.name, owner: ownerDetails(owner), expiresAt: key.expiresAt },
          },
        });
      }),

    listApiKeys: (actor: unknown, input: z.input<typeof ListApiKeysInput>) =>
      runQuery(ctx, ListApiKeysInput, actor, input, async ({ tx, actor, input }) => {
        let owner: Grantee;
        if (input.serviceAccountId !== undefined) owner = { type: 'service-account', serviceAccountId: input.serviceAccountId };
        else if (actor.type === 'user') owner = actor;
        else return err(errors.validation([{ path: ['input', 'serviceAccountId'], message: 'name the service account' }]));
        const sid = input.serviceAccountId;
        const authorized = await authorizeKeyOwner(tx, actor, owner, () =>
          sid === undefined ? errors.notFound('user', '') : errors.notFound('service-account', sid),
        );
        if (authorized.isErr()) return err(authorized.error);
        const { serviceAccountId: _, ...page } = input;
        const found = await tx.apiKeys.listByOwner(owner, page);
        const views: Page<ApiKeyView> = { items: found.items.map(apiKeyView), nextCursor: found.nextCursor };
        return ok(views);
      }),

    revokeApiKey: (actor: unknown, input: z.input<typeof ApiKeyRefInput>) =>
      runCommand(ctx, ApiKeyRefInput, actor, input, async ({ tx, actor, input, now }) => {
        const key = await tx.apiKeys.getById(input.keyId);
        const notFound = () => errors.notFound('api-key', input.keyId);
        if (!key) return err(notFound());
        const authorized = await authorizeKeyOwner(tx, actor, key.owner, notFound);
        if (authorized.isErr()) return err(authorized.error);
        const updated: ApiKey = key.revokedAt !== null ? key : { ...key, revokedAt: now, version: key.version + 1 };
        if (updated !== key && (await tx.apiKeys.update(updated, key.version)) === 'conflict') {
          return err(errors.conflict('api-key', key.id, key.version, null));
        }
        return ok({
          value: apiKeyView(updated),
          audit: {
            accountId: key.accountId,
            workspaceId: null,
            action: 'api-key.revoked',
            subject: { type: 'api-key', id: key.id },
            details: { name: key.name, owner: ownerDetails(key.owner), revokedAt: updated.revokedAt },
          },
        });
      }),

    rotateApiKey: (actor: unknown, input: z.input<typeof RotateApiKeyInput>) =>
      runCommand(ctx, RotateApiKeyInput, actor, input, async ({ tx, actor, input, now }) => {
        const old = await tx.apiKeys.getById(input.keyId);
        const notFound = () => errors.notFound('api-key', input.keyId);
        if (!old) return err(notFound());
        const authorized = await authorizeKeyOwner(tx, actor, old.owner, notFound);
        if (authorized.isErr()) return err(authorized.error);
        // SA-3: a key is rotated once; of concurrent rotations exactly one wins.
        if (old.rotatedTo !== null) return err(errors.conflict('api-key', old.id, old.version, null));
        if (apiKeyRefusal(old, now) !== null) {
          return err(errors.validation([{ path: ['input', 'keyId'], message: 'a revoked or expired key cannot be rotated' }]));
        }
        const expiresAt = input.expiresAt === undefined ? old.expiresAt : input.expiresAt;
        if (expiresAt !== null && expiresAt <= now) {
          return err(errors.validation([{ path: ['input', 'expiresAt'], message: 'must be in the future' }]));
        }
        const { key, secret } = newKey(old.owner, old.accountId, old.name, now, expiresAt);
        // SA-3: the old key keeps working for at most the overlap (≤ 48 hours), never longer
        // than it would have anyway.
        const overlapEnd = addHours(now, input.overlapHours);
        const previous: ApiKey =
          input.overlapHours === 0
            ? { ...old, revokedAt: now, rotatedTo: key.id, version: old.version + 1 }
            : {
                ...old,
                expiresAt: old.expiresAt !== null && old.expiresAt < overlapEnd ? old.expiresAt : overlapEnd,
                rotatedTo: key.id,
                version: old.version + 1,
              };
        if ((await tx.apiKeys.update(previous, old.version)) === 'conflict') {
          return err(errors.conflict('api-key', old.id, old.version, null));
        }
        await tx.apiKeys.insert(key);
        return ok({
          value: { key: apiKeyView(key), secret, previous: apiKeyView(previous) } satisfies RotatedApiKey,
          audit: {
            accountId: old.accountId,
            workspaceId: null,
            action: 'api-key.rotated',
            subject: { type: 'api-key', id: old.id },
            details: {
              name: old.name,
              owner: ownerDetails(old.owner),
              newKeyId: key.id,
              previousValidUntil: previous.revokedAt ?? previous.expiresAt,
            },
          },
        });
      }),

    resolveApiKey: (input: z.input<typeof ResolveApiKeyInput>) =>
      runQuery(ctx, ResolveApiKeyInput, system('api-key'), input, async ({ tx, input, now }) => {
        const parsed = parseSecret('api-key', input.key);
        if (!parsed) return err(errors.unauthenticated('invalid-key'));
        const key = await tx.apiKeys.getById(parsed.id as ApiKeyId);
        // Unknown id and wrong secret look the same; the secret is compared in constant time.
        if (!key || !secretMatches(parsed.random, key.secretHash)) return err(errors.unauthenticated('invalid-key'));
        const refusal = apiKeyRefusal(key, now);
        if (refusal !== null) return err(errors.unauthenticated(refusal));
        const ownerExists =
          key.owner.type === 'user'
            ? (await tx.users.getById(key.owner.userId)) !== null
            : (await tx.serviceAccounts.getById(key.owner.serviceAccountId)) !== null;
        if (!ownerExists) return err(errors.unauthenticated('invalid-key'));
        const resolved: ResolvedApiKey = { principal: key.owner, key: apiKeyView(key) };
        return ok(resolved);
      }),
  };
}
