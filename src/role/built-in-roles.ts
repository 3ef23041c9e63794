import type { AccountRole } from '../account/account.js';
import { SCOPE_TIERS, type AccountScope, type WorkspaceScope } from './scopes.js';

/** The built-in workspace roles (ROLE-1). */
export type BuiltInRole = 'owner' | 'developer' | 'runner' | 'viewer' | 'worker';

const VIEWER: readonly WorkspaceScope[] = SCOPE_TIERS.viewer;
const RUNNER: readonly WorkspaceScope[] = [...VIEWER, ...SCOPE_TIERS.runner];
const DEVELOPER: readonly WorkspaceScope[] = [...RUNNER, ...SCOPE_TIERS.developer];
const OWNER: readonly WorkspaceScope[] = [...DEVELOPER, ...SCOPE_TIERS.owner, ...SCOPE_TIERS.worker];
const WORKER: readonly WorkspaceScope[] = [
  'see_workspace',
  'see_work_pools',
  'see_deployments',
  'see_flow_runs',
  'see_blocks',
  'see_concurrency_limits',
  ...SCOPE_TIERS.worker,
];

/**
 * Scopes of each built-in role. Owner ⊃ Developer ⊃ Runner ⊃ Viewer; Worker holds only what a
 * worker needs to poll for and submit work (ROLE-1).
 */
export const BUILT_IN_ROLE_SCOPES: Readonly<Record<BuiltInRole, ReadonlySet<WorkspaceScope>>> = Object.freeze({
  owner: new Set(OWNER),
  developer: new Set(DEVELOPER),
  runner: new Set(RUNNER),
  viewer: new Set(VIEWER),
  worker: new Set(WORKER),
});

/** Account scopes held by each account role (ACC-3). */
export const ACCOUNT_ROLE_SCOPES: Readonly<Record<AccountRole, ReadonlySet<AccountScope>>> = Object.freeze({
  owner: new Set<AccountScope>([
    'see_account',
    'see_members',
    'manage_account_settings',
    'manage_members',
    'manage_owners',
    'create_workspaces',
    'read_audit_log',
    'manage_service_accounts',
    'manage_custom_roles',
  ]),
  admin: new Set<AccountScope>([
    'see_account',
    'see_members',
    'manage_account_settings',
    'manage_members',
    'create_workspaces',
    'read_audit_log',
    'manage_service_accounts',
    'manage_custom_roles',
  ]),
  member: new Set<AccountScope>(['see_account', 'see_members']),
});
