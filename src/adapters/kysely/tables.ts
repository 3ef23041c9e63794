import type { ColumnType, Generated } from 'kysely';

/** The SQL engines the Kysely adapter supports. */
export type KyselyStoreDialect = 'postgres' | 'sqlite';

/** Where the adapter's tables live: the engine, an optional table-name prefix and schema. */
export interface TableLocation {
  /** The engine behind the `Kysely` instance. */
  readonly dialect: KyselyStoreDialect;
  /**
   * Prepended to every table and index name the adapter creates and queries (default `''`),
   * e.g. `'wk_'` gives `wk_users`, `wk_workspaces`, …. Letters, digits and `_`, at most 20
   * characters, not starting with a digit.
   */
  readonly tablePrefix?: string | undefined;
  /**
   * PostgreSQL only: the schema that holds the tables (created by the migrations if missing).
   * By default the first schema of the connection's `search_path`. On SQLite use a separate
   * database file or `tablePrefix` instead.
   */
  readonly schema?: string | undefined;
}

/** The names of the adapter's tables, with the prefix applied. */
export interface WorkspaceKitTableNames {
  readonly users: string;
  readonly accounts: string;
  readonly memberships: string;
  readonly workspaces: string;
  readonly resources: string;
  readonly auditEvents: string;
  readonly customRoles: string;
  readonly grants: string;
  readonly invitations: string;
  readonly serviceAccounts: string;
  readonly apiKeys: string;
  /** Counts of ended runs per workspace and UTC end day (RET-1, XFER-4), kept by the resource writes. */
  readonly runDayCounts: string;
  readonly transferRequests: string;
  /** Kysely's migration bookkeeping for this adapter's migrations. */
  readonly migrations: string;
  /** Kysely's migration lock row for this adapter's migrations. */
  readonly migrationLock: string;
}

const PREFIX_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,19}$/;

/**
 * The prefix of `location`, validated with the rest of it: an invalid prefix, or a schema on
 * SQLite, is a programmer error and throws.
 */
export function tablePrefixOf(location: TableLocation): string {
  if (location.schema !== undefined && location.dialect !== 'postgres') {
    throw new TypeError("workspace-kit/kysely: the schema option is for PostgreSQL only; on SQLite use tablePrefix or another database file");
  }
  const prefix = location.tablePrefix ?? '';
  if (prefix !== '' && !PREFIX_PATTERN.test(prefix)) {
    throw new TypeError(
      `workspace-kit/kysely: tablePrefix ${JSON.stringify(prefix)} must be 1-20 letters, digits or underscores, not starting with a digit`,
    );
  }
  return prefix;
}

/** Checks the dialect option (a programmer error throws). */
export function checkDialect(dialect: unknown): KyselyStoreDialect {
  if (dialect !== 'postgres' && dialect !== 'sqlite') {
    throw new TypeError(`workspace-kit/kysely: dialect must be 'postgres' or 'sqlite', got ${JSON.stringify(dialect)}`);
  }
  return dialect;
}

/** The table names for a prefix. */
export function tableNamesFor(prefix: string): WorkspaceKitTableNames {
  return {
    users: `${prefix}users`,
    accounts: `${prefix}accounts`,
    memberships: `${prefix}memberships`,
    workspaces: `${prefix}workspaces`,
    resources: `${prefix}resources`,
    auditEvents: `${prefix}audit_events`,
    customRoles: `${prefix}custom_roles`,
    grants: `${prefix}grants`,
    invitations: `${prefix}invitations`,
    serviceAccounts: `${prefix}service_accounts`,
    apiKeys: `${prefix}api_keys`,
    runDayCounts: `${prefix}run_day_counts`,
    transferRequests: `${prefix}transfer_requests`,
    migrations: `${prefix}workspace_kit_migration`,
    migrationLock: `${prefix}workspace_kit_migration_lock`,
  };
}

/** A text column: ISO timestamps, ids, handles and JSON are all kept as text. */
type Text = string;

/** An integer that PostgreSQL's `pg` returns as a string when it is a `bigint`. */
type DbInteger = ColumnType<number | string | bigint, number, number>;

export interface UserRow {
  id: Text;
  email: Text;
  display_name: Text;
  personal_account_id: Text;
  created_at: Text;
}

export interface AccountRow {
  id: Text;
  kind: Text;
  handle: Text;
  display_name: Text;
  plan_id: Text;
  owner_user_id: Text | null;
  version: DbInteger;
  created_at: Text;
  updated_at: Text;
}

export interface MembershipRow {
  account_id: Text;
  user_id: Text;
  role: Text;
  created_at: Text;
}

export interface WorkspaceRow {
  id: Text;
  account_id: Text;
  handle: Text;
  description: Text;
  /** The default role (ROLE-3): a built-in role name or a custom role id; null = none. */
  default_role: Text | null;
  version: DbInteger;
  created_at: Text;
  updated_at: Text;
}

export interface ResourceRow {
  id: Text;
  workspace_id: Text;
  kind: Text;
  name: Text;
  created_at: Text;
  state: Text | null;
  ended_at: Text | null;
  parent_run_id: Text | null;
}

export interface AuditEventRow {
  sequence: Generated<number | string | bigint>;
  id: Text;
  account_id: Text;
  workspace_id: Text | null;
  /** The principal as JSON. */
  actor: Text;
  /** The principal's user id or system name: what the `actor` filter matches. */
  actor_key: Text;
  action: Text;
  /** The subject as JSON. */
  subject: Text;
  at: Text;
  /** The details as JSON. */
  details: Text;
}

export interface CustomRoleRow {
  id: Text;
  account_id: Text;
  name: Text;
  /** The sorted scope names as a JSON array. */
  scopes: Text;
  inherits: Text | null;
  created_at: Text;
}

export interface GrantRow {
  workspace_id: Text;
  account_id: Text;
  /** `'user'` or `'service-account'`. */
  grantee_type: Text;
  /** The user id or service account id. */
  grantee_id: Text;
  role: Text;
  created_at: Text;
  updated_at: Text;
}

export interface InvitationRow {
  id: Text;
  account_id: Text;
  email: Text;
  /** `'account'` or `'workspace'`. */
  target_type: Text;
  /** The target workspace; null for an account invitation. */
  workspace_id: Text | null;
  /** The workspace id, or `''` for an account invitation: the non-null key of the pending-uniqueness index. */
  target_key: Text;
  /** The account role (account target) or the workspace role reference (workspace target). */
  role: Text;
  /** The inviting principal as JSON. */
  invited_by: Text;
  status: Text;
  token_hash: Text;
  created_at: Text;
  expires_at: Text;
  responded_at: Text | null;
  accepted_by: Text | null;
  version: DbInteger;
}

export interface ServiceAccountRow {
  id: Text;
  account_id: Text;
  name: Text;
  created_at: Text;
}

export interface ApiKeyRow {
  id: Text;
  /** `'user'` or `'service-account'`. */
  owner_type: Text;
  owner_id: Text;
  account_id: Text;
  name: Text;
  secret_hash: Text;
  created_at: Text;
  expires_at: Text | null;
  revoked_at: Text | null;
  rotated_to: Text | null;
  version: DbInteger;
}

/**
 * How many runs of a workspace ended on one UTC day: what `countEndedBefore` sums instead of
 * counting the history. Buckets reaching 0 are deleted.
 */
export interface RunDayCountRow {
  workspace_id: Text;
  /** `YYYY-MM-DD`: the first 10 characters of the runs' `ended_at`. */
  end_day: Text;
  n: DbInteger;
}

export interface TransferRequestRow {
  id: Text;
  workspace_id: Text;
  source_account_id: Text;
  target_account_id: Text;
  new_handle: Text;
  /** The requesting principal as JSON. */
  requested_by: Text;
  /** `'source'`, `'target'` or `'support'`. */
  awaiting: Text;
  status: Text;
  fingerprint: Text;
  planned_at: Text;
  created_at: Text;
  expires_at: Text;
  responded_at: Text | null;
  /** The responding principal as JSON, or null. */
  responded_by: Text | null;
  version: DbInteger;
}

/**
 * The tables as the queries see them. The adapter builds its queries against these logical
 * names; at run time the names carry the configured prefix (see {@link logicalTables}).
 */
export interface Tables {
  users: UserRow;
  accounts: AccountRow;
  memberships: MembershipRow;
  workspaces: WorkspaceRow;
  resources: ResourceRow;
  audit_events: AuditEventRow;
  custom_roles: CustomRoleRow;
  grants: GrantRow;
  invitations: InvitationRow;
  service_accounts: ServiceAccountRow;
  api_keys: ApiKeyRow;
  run_day_counts: RunDayCountRow;
  transfer_requests: TransferRequestRow;
}

/** The physical table names, typed as the logical names the query builder knows. */
export interface LogicalTables {
  readonly users: 'users';
  readonly accounts: 'accounts';
  readonly memberships: 'memberships';
  readonly workspaces: 'workspaces';
  readonly resources: 'resources';
  readonly audit_events: 'audit_events';
  readonly custom_roles: 'custom_roles';
  readonly grants: 'grants';
  readonly invitations: 'invitations';
  readonly service_accounts: 'service_accounts';
  readonly api_keys: 'api_keys';
  readonly run_day_counts: 'run_day_counts';
  readonly transfer_requests: 'transfer_requests';
}

/**
 * The prefixed table names typed as their logical names, so typed queries run against
 * prefixed tables. Queries qualify columns only with aliases (`grants as g`), never with a
 * table name, so the renaming is safe.
 */
export function logicalTables(names: WorkspaceKitTableNames): LogicalTables {
  return {
    users: names.users as 'users',
    accounts: names.accounts as 'accounts',
    memberships: names.memberships as 'memberships',
    workspaces: names.workspaces as 'workspaces',
    resources: names.resources as 'resources',
    audit_events: names.auditEvents as 'audit_events',
    custom_roles: names.customRoles as 'custom_roles',
    grants: names.grants as 'grants',
    invitations: names.invitations as 'invitations',
    service_accounts: names.serviceAccounts as 'service_accounts',
    api_keys: names.apiKeys as 'api_keys',
    run_day_counts: names.runDayCounts as 'run_day_counts',
    transfer_requests: names.transferRequests as 'transfer_requests',
  };
}
