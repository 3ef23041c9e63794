import type { Timestamp } from '../core/clock.js';
import type { AccountId, RoleId } from '../core/ids.js';
import { BUILT_IN_ROLE_SCOPES, type BuiltInRole } from './built-in-roles.js';
import type { WorkspaceScope } from './scopes.js';

/** The built-in workspace roles, most powerful first (ROLE-1). */
export const BUILT_IN_ROLES = ['owner', 'developer', 'runner', 'viewer', 'worker'] as const satisfies readonly BuiltInRole[];

/** The longest custom role name. */
export const ROLE_NAME_MAX_LENGTH = 64;

/**
 * A custom workspace role of an account (ROLE-2): a name unique in the account, its own scopes,
 * and optionally a built-in role it inherits. The inherited role's scopes are not copied: they
 * are looked up when the role is used, so scopes a later version adds to the built-in role are
 * picked up automatically, and none of them can be removed.
 */
export interface CustomRole {
  readonly id: RoleId;
  readonly accountId: AccountId;
  readonly name: string;
  /** The role's own scopes, sorted, without duplicates. */
  readonly scopes: readonly WorkspaceScope[];
  readonly inherits: BuiltInRole | null;
  readonly createdAt: Timestamp;
}

/**
 * The role a grant, a default role or an invitation refers to: a built-in role by name
 * (`'developer'`) or a custom role by id (`'role_…'`).
 */
export type WorkspaceRoleRef = BuiltInRole | RoleId;

/** True for the name of a built-in role. */
export function isBuiltInRole(ref: string): ref is BuiltInRole {
  return Object.hasOwn(BUILT_IN_ROLE_SCOPES, ref);
}

/**
 * A role resolved to its scopes: what authorization evaluates. `name` is the built-in role's
 * name or the custom role's display name.
 */
export interface ResolvedRole {
  readonly ref: WorkspaceRoleRef;
  readonly name: string;
  readonly scopes: ReadonlySet<WorkspaceScope>;
}

const BUILT_IN_RESOLVED: Readonly<Record<BuiltInRole, ResolvedRole>> = Object.freeze({
  owner: { ref: 'owner', name: 'owner', scopes: BUILT_IN_ROLE_SCOPES.owner },
  developer: { ref: 'developer', name: 'developer', scopes: BUILT_IN_ROLE_SCOPES.developer },
  runner: { ref: 'runner', name: 'runner', scopes: BUILT_IN_ROLE_SCOPES.runner },
  viewer: { ref: 'viewer', name: 'viewer', scopes: BUILT_IN_ROLE_SCOPES.viewer },
  worker: { ref: 'worker', name: 'worker', scopes: BUILT_IN_ROLE_SCOPES.worker },
});

/** The resolved form of a built-in role. */
export function builtInRole(role: BuiltInRole): ResolvedRole {
  return BUILT_IN_RESOLVED[role];
}

/** The scopes a custom role grants: its own plus, at this moment, those of the role it inherits. */
export function resolveCustomRole(role: CustomRole): ResolvedRole {
  const scopes = new Set<WorkspaceScope>(role.scopes);
  if (role.inherits !== null) for (const s of BUILT_IN_ROLE_SCOPES[role.inherits]) scopes.add(s);
  return { ref: role.id, name: role.name, scopes };
}

/**
 * Resolves a role reference; a custom role is looked up with `customRole` and must belong to
 * `accountId`. `null` when it does not exist there (a grant of a missing role grants nothing).
 */
export function resolveRole(
  ref: string,
  accountId: AccountId,
  customRole: (id: RoleId) => CustomRole | null | undefined,
): ResolvedRole | null {
  if (isBuiltInRole(ref)) return BUILT_IN_RESOLVED[ref];
  const role = customRole(ref as RoleId);
  return role && role.accountId === accountId ? resolveCustomRole(role) : null;
}

/** True when every scope of `inner` is in `outer`; else the first missing scope. */
export function firstMissingScope(
  inner: Iterable<WorkspaceScope>,
  outer: ReadonlySet<WorkspaceScope>,
): WorkspaceScope | null {
  for (const s of inner) if (!outer.has(s)) return s;
  return null;
}
