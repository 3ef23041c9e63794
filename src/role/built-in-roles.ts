import type { AccountRole } from '../account/account.js';
import type { AccountScope, WorkspaceScope } from './scopes.js';

/** The built-in workspace roles (ROLE-1). */
export type BuiltInRole = 'owner' | 'developer' | 'runner' | 'viewer' | 'worker';

const VIEWER: readonly WorkspaceScope[] = [
  'see_workspace',
  'see_flows',
  'see_flow_runs',
  'see_deployments',
  'see_work_pools',
  'see_blocks',
  'see_automations',
  'see_notifications',
  'see_variables',
  'see_artifacts',
  'see_logs',
  'see_concurrency_limits',
  'see_saved_searches',
];
const RUNNER: readonly WorkspaceScope[] = [...VIEWER, 'run_deployments'];
const DEVELOPER: readonly WorkspaceScope[] = [
  ...RUNNER,
  'run_flows',
  'delete_flow_runs',
  'manage_flows',
  'manage_deployments',
  'manage_work_pools',
  'manage_blocks',
  'see_secret_blocks',
  'manage_secret_blocks',
  'manage_automations',
  'manage_notifications',
  'manage_variables',
  'manage_artifacts',
  'manage_concurrency_limits',
  'manage_saved_searches',
  'see_workspace_settings',
];
const OWNER: readonly WorkspaceScope[] = [
  ...DEVELOPER,
  'manage_workspace_users',
  'manage_workspace_service_accounts',
  'set_default_workspace_role',
  'write_workspace_settings',
  'delete_workspace',
  'transfer_workspace',
  'poll_work_queues',
  'write_worker_heartbeats',
  'write_flow_run_states',
];
const WORKER: readonly WorkspaceScope[] = [
  'see_workspace',
  'see_work_pools',
  'see_deployments',
  'see_flow_runs',
  'see_blocks',
  'see_concurrency_limits',
  'poll_work_queues',
  'write_worker_heartbeats',
  'write_flow_run_states',
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
