const VIEWER_TIER = [
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
] as const;
const RUNNER_TIER = ['run_deployments'] as const;
const DEVELOPER_TIER = [
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
] as const;
const OWNER_TIER = [
  'manage_workspace_users',
  'manage_workspace_service_accounts',
  'set_default_workspace_role',
  'write_workspace_settings',
  'delete_workspace',
  'transfer_workspace',
] as const;
const WORKER_TIER = ['poll_work_queues', 'write_worker_heartbeats', 'write_flow_run_states'] as const;

/**
 * The scopes each built-in role adds to the one below it (ROLE-1): Viewer, then Runner,
 * Developer and Owner; `worker` lists the scopes only a worker needs (Owner holds them too).
 */
export const SCOPE_TIERS = {
  viewer: VIEWER_TIER,
  runner: RUNNER_TIER,
  developer: DEVELOPER_TIER,
  owner: OWNER_TIER,
  worker: WORKER_TIER,
} as const;

/**
 * Workspace scopes (ROLE-1), named after Prefect's `see_*`, `run_*`, `write_*`, `manage_*`
 * pattern. Roles are sets of these.
 */
export const WORKSPACE_SCOPES = [...VIEWER_TIER, ...RUNNER_TIER, ...DEVELOPER_TIER, ...OWNER_TIER, ...WORKER_TIER] as const;

/** A workspace scope (ROLE-1). */
export type WorkspaceScope = (typeof WORKSPACE_SCOPES)[number];

/**
 * Account scopes, derived from the account role (ACC-3): what a principal may do to the
 * account itself rather than to one workspace.
 */
export const ACCOUNT_SCOPES = [
  'see_account',
  'see_members',
  'manage_account_settings',
  'manage_members',
  'manage_owners',
  'create_workspaces',
  'read_audit_log',
  'manage_service_accounts',
  'manage_custom_roles',
] as const;

/** An account scope (ACC-3). */
export type AccountScope = (typeof ACCOUNT_SCOPES)[number];

/**
 * Scopes only the system principal holds: registering users, and creating an organization on
 * behalf of another user.
 */
export const SYSTEM_SCOPES = ['register_users'] as const;

/** A scope only the system principal holds. */
export type SystemScope = (typeof SYSTEM_SCOPES)[number];
