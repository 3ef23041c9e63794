import { z } from 'zod';
import { ServiceAccountIdSchema, UserIdSchema, type ServiceAccountId, type UserId } from './ids.js';

/** A signed-in user acting for itself (or through one of its API keys). */
export interface UserPrincipal {
  readonly type: 'user';
  readonly userId: UserId;
}

/**
 * A service account of an organization (SA-1), usually acting through an API key resolved with
 * `kit.resolveApiKey`. It holds the account role Member and the workspace access it was given.
 */
export interface ServiceAccountPrincipal {
  readonly type: 'service-account';
  readonly serviceAccountId: ServiceAccountId;
}

/**
 * The host application itself (sign-up flows, scheduled jobs, migrations). It is trusted: it
 * passes every authorization check. `name` appears in audit events.
 */
export interface SystemPrincipal {
  readonly type: 'system';
  readonly name: string;
}

/** Who performs a command. Every command takes it first. */
export type Principal = UserPrincipal | ServiceAccountPrincipal | SystemPrincipal;

/** A principal that can hold workspace access: a user or a service account (SHR-1). */
export type Grantee = UserPrincipal | ServiceAccountPrincipal;

const UserPrincipalSchema = z.object({ type: z.literal('user'), userId: UserIdSchema }).strict();
const ServiceAccountPrincipalSchema = z
  .object({ type: z.literal('service-account'), serviceAccountId: ServiceAccountIdSchema })
  .strict();

/** Schema of a {@link Principal}. */
export const PrincipalSchema: z.ZodType<Principal> = z.discriminatedUnion('type', [
  UserPrincipalSchema,
  ServiceAccountPrincipalSchema,
  z.object({ type: z.literal('system'), name: z.string().min(1).max(100) }).strict(),
]);

/** Schema of a {@link Grantee}: a user or a service account. */
export const GranteeSchema: z.ZodType<Grantee> = z.discriminatedUnion('type', [
  UserPrincipalSchema,
  ServiceAccountPrincipalSchema,
]);

/**
 * The principal of a user.
 *
 * @example
 * ```ts
 * await kit.createWorkspace(asUser(alice.id), { accountId, handle: 'prod' });
 * ```
 */
export function asUser(userId: UserId | string): UserPrincipal {
  return { type: 'user', userId: userId as UserId };
}

/**
 * The principal of a service account.
 *
 * @example
 * ```ts
 * await kit.shareWorkspace(owner, { workspaceId, grantee: asServiceAccount(bot.id), role: 'runner' });
 * ```
 */
export function asServiceAccount(serviceAccountId: ServiceAccountId | string): ServiceAccountPrincipal {
  return { type: 'service-account', serviceAccountId: serviceAccountId as ServiceAccountId };
}

/**
 * The host's own principal, trusted by every check. Use it for sign-up and scheduled jobs.
 *
 * @example
 * ```ts
 * await kit.registerUser(system('signup'), { email, displayName, handle });
 * ```
 */
export function system(name = 'system'): SystemPrincipal {
  return { type: 'system', name };
}

/**
 * A stable string key of a principal: the user id, the service account id, or `system:<name>`.
 * It is what the audit log's `actor` filter matches.
 *
 * @example
 * ```ts
 * principalKey(asUser('usr_1')); // 'usr_1'
 * ```
 */
export function principalKey(principal: Principal): string {
  switch (principal.type) {
    case 'user':
      return principal.userId;
    case 'service-account':
      return principal.serviceAccountId;
    case 'system':
      return principal.name;
  }
}

/** The id of a grantee: its user id or service account id. */
export function granteeId(grantee: Grantee): string {
  return grantee.type === 'user' ? grantee.userId : grantee.serviceAccountId;
}
