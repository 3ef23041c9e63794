import { z } from 'zod';
import { UserIdSchema, type UserId } from './ids.js';

/** A signed-in user acting for itself. */
export interface UserPrincipal {
  readonly type: 'user';
  readonly userId: UserId;
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
export type Principal = UserPrincipal | SystemPrincipal;

/** Schema of a {@link Principal}. */
export const PrincipalSchema: z.ZodType<Principal> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user'), userId: UserIdSchema }).strict(),
  z.object({ type: z.literal('system'), name: z.string().min(1).max(100) }).strict(),
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
