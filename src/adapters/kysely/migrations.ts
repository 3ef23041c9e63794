import { Migrator, sql, type Kysely, type Migration, type MigrationProvider, type MigrationResult } from 'kysely';
import {
  checkDialect,
  logicalTables,
  tableNamesFor,
  tablePrefixOf,
  type KyselyStoreDialect,
  type TableLocation,
  type Tables,
} from './tables.js';

/** Options of the migration functions: where the tables go (the same options as the store). */
export type WorkspaceKitMigrationOptions = TableLocation;

/** The text type of key and timestamp columns: byte (code-unit) order on both engines. */
function textType(dialect: KyselyStoreDialect) {
  // PostgreSQL's default collation (e.g. en_US.UTF-8) does not compare like JavaScript's `<`;
  // "C" does, for every id, handle, email and ISO timestamp. SQLite's BINARY default already does.
  return dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
}

/** The schema, v1: every table, constraint and index the adapter's queries need. */
function initialSchema(location: TableLocation): Migration {
  const dialect = checkDialect(location.dialect);
  const p = tablePrefixOf(location);
  const t = tableNamesFor(p);
  const text = textType(dialect);
  const on = (db: Kysely<unknown>): Kysely<unknown> => (location.schema === undefined ? db : db.withSchema(location.schema));

  return {
    async up(root: Kysely<unknown>): Promise<void> {
      const db = on(root);

      await db.schema
        .createTable(t.users)
        .addColumn('id', text, (c) => c.notNull().primaryKey())
        .addColumn('email', text, (c) => c.notNull())
        .addColumn('display_name', text, (c) => c.notNull())
        // No foreign key: the user and its personal account reference each other, and the
        // kit inserts the user first (accounts.owner_user_id carries the other direction).
        .addColumn('personal_account_id', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addUniqueConstraint(`${p}users_email_key`, ['email'])
        .execute();

      await db.schema
        .createTable(t.accounts)
        .addColumn('id', text, (c) => c.notNull().primaryKey())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('handle', text, (c) => c.notNull())
        .addColumn('display_name', text, (c) => c.notNull())
        .addColumn('plan_id', text, (c) => c.notNull())
        .addColumn('owner_user_id', text)
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .addUniqueConstraint(`${p}accounts_handle_key`, ['handle'])
        .addForeignKeyConstraint(`${p}accounts_owner_user_id_fkey`, ['owner_user_id'], t.users, ['id'])
        .execute();

      await db.schema
        .createTable(t.memberships)
        .addColumn('account_id', text, (c) => c.notNull())
        .addColumn('user_id', text, (c) => c.notNull())
        .addColumn('role', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        // The primary key serves get, listByAccount (keyset on user_id) and countByRole.
        .addPrimaryKeyConstraint(`${p}memberships_pkey`, ['account_id', 'user_id'])
        .addForeignKeyConstraint(`${p}memberships_account_id_fkey`, ['account_id'], t.accounts, ['id'])
        .addForeignKeyConstraint(`${p}memberships_user_id_fkey`, ['user_id'], t.users, ['id'])
        .execute();
      await db.schema.createIndex(`${p}memberships_user_id_idx`).on(t.memberships).columns(['user_id']).execute();

      await db.schema
        .createTable(t.workspaces)
        .addColumn('id', text, (c) => c.notNull().primaryKey())
        .addColumn('account_id', text, (c) => c.notNull())
        .addColumn('handle', text, (c) => c.notNull())
        .addColumn('description', text, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        // HDL-1 in the database: serves getByHandle, listByAccount (keyset on handle) and countByAccount.
        .addUniqueConstraint(`${p}workspaces_account_handle_key`, ['account_id', 'handle'])
        .addForeignKeyConstraint(`${p}workspaces_account_id_fkey`, ['account_id'], t.accounts, ['id'])
        .execute();

      await db.schema
        .createTable(t.resources)
        .addColumn('id', text, (c) => c.notNull().primaryKey())
        .addColumn('workspace_id', text, (c) => c.notNull())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('state', text)
        .addColumn('ended_at', text)
        .addColumn('parent_run_id', text)
        // No ON DELETE CASCADE: deleting a workspace deletes its resources explicitly, in one
        // statement the adapter counts (WS-4), so nothing disappears behind the port's back.
        .addForeignKeyConstraint(`${p}resources_workspace_id_fkey`, ['workspace_id'], t.workspaces, ['id'])
        .execute();
      // countByWorkspace (GROUP BY kind, index-only) and deleteByWorkspace.
      await db.schema.createIndex(`${p}resources_workspace_kind_idx`).on(t.resources).columns(['workspace_id', 'kind']).execute();
      // Retention (RET-1, RET-2): the runs of a workspace that ended before a cutoff.
      await db.schema.createIndex(`${p}resources_workspace_ended_at_idx`).on(t.resources).columns(['workspace_id', 'ended_at']).execute();

      let audit = db.schema.createTable(t.auditEvents);
      audit =
        dialect === 'postgres'
          ? audit.addColumn('sequence', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
          : // AUTOINCREMENT: a sequence is never reused, not even after the newest event is gone.
            audit.addColumn('sequence', 'integer', (c) => c.primaryKey().autoIncrement());
      await audit
        .addColumn('id', text, (c) => c.notNull())
        .addColumn('account_id', text, (c) => c.notNull())
        // No foreign keys: the log outlives deleted and transferred workspaces (XFER-6).
        .addColumn('workspace_id', text)
        .addColumn('actor', text, (c) => c.notNull())
        .addColumn('actor_key', text, (c) => c.notNull())
        .addColumn('action', text, (c) => c.notNull())
        .addColumn('subject', text, (c) => c.notNull())
        .addColumn('at', text, (c) => c.notNull())
        .addColumn('details', text, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex(`${p}audit_events_account_sequence_idx`)
        .on(t.auditEvents)
        .columns(['account_id', 'sequence'])
        .execute();
      await db.schema
        .createIndex(`${p}audit_events_account_workspace_sequence_idx`)
        .on(t.auditEvents)
        .columns(['account_id', 'workspace_id', 'sequence'])
        .execute();
    },

    async down(root: Kysely<unknown>): Promise<void> {
      const db = on(root);
      for (const table of [t.auditEvents, t.resources, t.workspaces, t.memberships, t.accounts, t.users]) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}

/**
 * The schema, v2: workspace default roles (ROLE-3), custom roles (ROLE-2), workspace grants
 * (SHR-1, COL-1), invitations (INV), service accounts (SA-1) and API keys (SA-2). Foreign keys
 * as in v1, never cascading: the kit deletes dependent rows explicitly.
 */
function accessSchema(location: TableLocation): Migration {
  const dialect = checkDialect(location.dialect);
  const p = tablePrefixOf(location);
  const t = tableNamesFor(p);
  const text = textType(dialect);
  const on = (db: Kysely<unknown>): Kysely<unknown> => (location.schema === undefined ? db : db.withSchema(location.schema));

  return {
    async up(root: Kysely<unknown>): Promise<void> {
      const db = on(root);

      // Existing workspaces get no default role (null: no access without a grant).
      await db.schema.alterTable(t.workspaces).addColumn('default_role', text).execute();
      // countByDefaultRole (ROLE-2: a role in use cannot be deleted).
      await db.schema
        .createIndex(`${p}workspaces_account_default_role_idx`)
        .on(t.workspaces)
        .columns(['account_id', 'default_role'])
        .execute();

      await db.schema
        .createTable(t.customRoles)
        .addColumn('id', text, (c) => c.notNull().primaryKey())
        .addColumn('account_id', text, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        // The sorted scope names, as a JSON array.
        .addColumn('scopes', text, (c) => c.notNull())
        .addColumn('inherits', text)
        .addColumn('created_at', text, (c) => c.notNull())
        // ROLE-2 in the database; serves listByAccount (keyset on name).
        .addUniqueConstraint(`${p}custom_roles_account_name_key`, ['account_id', 'name'])
        .addForeignKeyConstraint(`${p}custom_roles_account_id_fkey`, ['account_id'], t.accounts, ['id'])
        .execute();

      await db.schema
        .createTable(t.serviceAccounts)
        .addColumn('id', text, (c) => c.notNull().primaryKey())
        .addColumn('account_id', text, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        // SA-1 in the database; serves listByAccount (keyset on name).
        .addUniqueConstraint(`${p}service_accounts_account_name_key`, ['account_id', 'name'])
        .addForeignKeyConstraint(`${p}service_accounts_account_id_fkey`, ['account_id'], t.accounts, ['id'])
        .execute();

      await db.schema
        .createTable(t.grants)
        .addColumn('workspace_id', text, (c) => c.notNull())
        .addColumn('account_id', text, (c) => c.notNull())
        // 'user' or 'service-account'; the id is a user's or a service account's (no foreign key:
        // it points at one of two tables).
        .addColumn('grantee_type', text, (c) => c.notNull())
        .addColumn('grantee_id', text, (c) => c.notNull())
        .addColumn('role', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        // One grant per (workspace, grantee); serves get, listByWorkspace and deleteByWorkspace.
        .addPrimaryKeyConstraint(`${p}grants_pkey`, ['workspace_id', 'grantee_type', 'grantee_id'])
        .addForeignKeyConstraint(`${p}grants_workspace_id_fkey`, ['workspace_id'], t.workspaces, ['id'])
        .addForeignKeyConstraint(`${p}grants_account_id_fkey`, ['account_id'], t.accounts, ['id'])
        .execute();
      // listByGrantee (in workspace order), deleteByGrantee, listAccessible, seat counting.
      await db.schema
        .createIndex(`${p}grants_account_grantee_idx`)
        .on(t.grants)
        .columns(['account_id', 'grantee_type', 'grantee_id', 'workspace_id'])
        .execute();
      // countByRole (ROLE-2).
      await db.schema.createIndex(`${p}grants_account_role_idx`).on(t.grants).columns(['account_id', 'role']).execute();

      await db.schema
        .createTable(t.invitations)
        .addColumn('id', text, (c) => c.notNull().primaryKey())
        .addColumn('account_id', text, (c) => c.notNull())
        .addColumn('email', text, (c) => c.notNull())
        // 'account' or 'workspace'.
        .addColumn('target_type', text, (c) => c.notNull())
        .addColumn('workspace_id', text)
        // The workspace id, or '' for an account invitation: a non-null key for the index below.
        .addColumn('target_key', text, (c) => c.notNull())
        .addColumn('role', text, (c) => c.notNull())
        .addColumn('invited_by', text, (c) => c.notNull())
        .addColumn('status', text, (c) => c.notNull())
        .addColumn('token_hash', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('expires_at', text, (c) => c.notNull())
        .addColumn('responded_at', text)
        // A record of who accepted, like invited_by (JSON): no foreign key.
        .addColumn('accepted_by', text)
        .addColumn('version', 'integer', (c) => c.notNull())
        .addForeignKeyConstraint(`${p}invitations_account_id_fkey`, ['account_id'], t.accounts, ['id'])
        .addForeignKeyConstraint(`${p}invitations_workspace_id_fkey`, ['workspace_id'], t.workspaces, ['id'])
        .execute();
      // INV-1 in the database: at most one pending invitation per (account, target, email).
      // Also serves the seat count (the pending invitations of an account).
      await db.schema
        .createIndex(`${p}invitations_pending_key`)
        .on(t.invitations)
        .unique()
        .columns(['account_id', 'target_key', 'email'])
        .where(sql.ref('status'), '=', 'pending')
        .execute();
      // listByAccount (keyset on id).
      await db.schema.createIndex(`${p}invitations_account_id_idx`).on(t.invitations).columns(['account_id', 'id']).execute();
      // listByAccount filtered by workspace, deleteByWorkspace.
      await db.schema.createIndex(`${p}invitations_workspace_id_idx`).on(t.invitations).columns(['workspace_id', 'id']).execute();
      // countPendingByRole (ROLE-2): the pending invitations of an account by role.
      await db.schema
        .createIndex(`${p}invitations_account_role_idx`)
        .on(t.invitations)
        .columns(['account_id', 'role'])
        .where(sql.ref('status'), '=', 'pending')
        .execute();

      await db.schema
        .createTable(t.apiKeys)
        .addColumn('id', text, (c) => c.notNull().primaryKey())
        // 'user' or 'service-account'; no foreign key, as for grantees.
        .addColumn('owner_type', text, (c) => c.notNull())
        .addColumn('owner_id', text, (c) => c.notNull())
        .addColumn('account_id', text, (c) => c.notNull())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('secret_hash', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('expires_at', text)
        .addColumn('revoked_at', text)
        .addColumn('rotated_to', text)
        .addColumn('version', 'integer', (c) => c.notNull())
        .addForeignKeyConstraint(`${p}api_keys_account_id_fkey`, ['account_id'], t.accounts, ['id'])
        .execute();
      // listByOwner (keyset on id), deleteByOwner.
      await db.schema.createIndex(`${p}api_keys_owner_idx`).on(t.apiKeys).columns(['owner_type', 'owner_id', 'id']).execute();
    },

    async down(root: Kysely<unknown>): Promise<void> {
      const db = on(root);
      for (const table of [t.apiKeys, t.invitations, t.grants, t.serviceAccounts, t.customRoles]) {
        await db.schema.dropTable(table).execute();
      }
      // SQLite refuses to drop an indexed column: the index goes first.
      await db.schema.dropIndex(`${p}workspaces_account_default_role_idx`).execute();
      await db.schema.alterTable(t.workspaces).dropColumn('default_role').execute();
    },
  };
}

/**
 * The schema, v3: counts of ended runs per workspace and UTC end day, so that counting the runs
 * a retention cutoff removes (RET-1, XFER-4) does not grow with the history, backfilled from
 * the existing runs; and transfer requests (XFER-2).
 */
function retentionAndTransfersSchema(location: TableLocation): Migration {
  const dialect = checkDialect(location.dialect);
  const p = tablePrefixOf(location);
  const t = tableNamesFor(p);
  const lt = logicalTables(t);
  const text = textType(dialect);
  const on = (db: Kysely<unknown>): Kysely<unknown> => (location.schema === undefined ? db : db.withSchema(location.schema));

  return {
    async up(root: Kysely<unknown>): Promise<void> {
      const db = on(root);

      let counts = db.schema
        .createTable(t.runDayCounts)
        .addColumn('workspace_id', text, (c) => c.notNull())
        // 'YYYY-MM-DD': the first 10 characters of the runs' ended_at (an ISO UTC timestamp).
        .addColumn('end_day', text, (c) => c.notNull())
        .addColumn('n', 'integer', (c) => c.notNull())
        // Serves countEndedBefore (a range of days), the upserts of insertMany, the decrements of
        // deleteEndedBefore and deleteByWorkspace.
        .addPrimaryKeyConstraint(`${p}run_day_counts_pkey`, ['workspace_id', 'end_day'])
        .addForeignKeyConstraint(`${p}run_day_counts_workspace_id_fkey`, ['workspace_id'], t.workspaces, ['id']);
      // SQLite: the primary key is the table (no rowid, no second copy of the key).
      if (dialect === 'sqlite') counts = counts.modifyEnd(sql`without rowid`);
      await counts.execute();
      // Backfill: one grouped pass over the runs that have ended.
      const q = db as unknown as Kysely<Tables>;
      const endDay = sql<string>`substr(${sql.ref('ended_at')}, 1, 10)`;
      await q
        .insertInto(lt.run_day_counts)
        .columns(['workspace_id', 'end_day', 'n'])
        .expression(
          q
            .selectFrom(lt.resources)
            .select((eb) => ['workspace_id', endDay.as('end_day'), eb.fn.countAll<number>().as('n')])
            .where('ended_at', 'is not', null)
            .groupBy(['workspace_id', endDay]),
        )
        .execute();

      await db.schema
        .createTable(t.transferRequests)
        .addColumn('id', text, (c) => c.notNull().primaryKey())
        .addColumn('workspace_id', text, (c) => c.notNull())
        .addColumn('source_account_id', text, (c) => c.notNull())
        .addColumn('target_account_id', text, (c) => c.notNull())
        .addColumn('new_handle', text, (c) => c.notNull())
        // Principals as JSON, like invited_by: no foreign keys.
        .addColumn('requested_by', text, (c) => c.notNull())
        // 'source', 'target' or 'support'.
        .addColumn('awaiting', text, (c) => c.notNull())
        .addColumn('status', text, (c) => c.notNull())
        .addColumn('fingerprint', text, (c) => c.notNull())
        .addColumn('planned_at', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('expires_at', text, (c) => c.notNull())
        .addColumn('responded_at', text)
        .addColumn('responded_by', text)
        .addColumn('version', 'integer', (c) => c.notNull())
        .addForeignKeyConstraint(`${p}transfer_requests_workspace_id_fkey`, ['workspace_id'], t.workspaces, ['id'])
        .addForeignKeyConstraint(`${p}transfer_requests_source_account_id_fkey`, ['source_account_id'], t.accounts, ['id'])
        .addForeignKeyConstraint(`${p}transfer_requests_target_account_id_fkey`, ['target_account_id'], t.accounts, ['id'])
        .execute();
      // XFER-2 in the database: at most one pending request per workspace; serves
      // getPendingByWorkspace and the ON CONFLICT of insert.
      await db.schema
        .createIndex(`${p}transfer_requests_pending_key`)
        .on(t.transferRequests)
        .unique()
        .columns(['workspace_id'])
        .where(sql.ref('status'), '=', 'pending')
        .execute();
      // deleteByWorkspace (every request of the workspace, whatever its status).
      await db.schema
        .createIndex(`${p}transfer_requests_workspace_id_idx`)
        .on(t.transferRequests)
        .columns(['workspace_id', 'id'])
        .execute();
    },

    async down(root: Kysely<unknown>): Promise<void> {
      const db = on(root);
      for (const table of [t.transferRequests, t.runDayCounts]) await db.schema.dropTable(table).execute();
    },
  };
}

/**
 * The adapter's schema migrations, by name (Kysely runs them in name order). They are built in
 * code for one engine and table location, so no file is read at run time. Use them with your
 * own `Migrator` (keep {@link createWorkspaceKitMigrator}'s table names), or let
 * {@link migrateToLatest} run them.
 *
 * - `0001_initial_schema`: users (unique email), accounts (unique handle), memberships
 *   (primary key account + user, index by user), workspaces (unique account + handle),
 *   resources (indexes by workspace + kind and workspace + end time), audit_events (an
 *   identity / autoincrement sequence, indexes by account + sequence and account + workspace
 *   + sequence). Text keys compare in code-unit order (`COLLATE "C"` on PostgreSQL).
 * - `0002_access`: `workspaces.default_role` (null for existing workspaces; index by account +
 *   default role), custom_roles and service_accounts (unique account + name), grants (primary
 *   key workspace + grantee type + grantee id; indexes by account + grantee and account +
 *   role), invitations (a partial unique index: one pending invitation per account + target +
 *   email; indexes by account + id, workspace + id, and pending ones by account + role), api_keys (index
 *   by owner type + owner id + id).
 * - `0003_retention_and_transfers`: run_day_counts (primary key workspace + end day, the UTC
 *   date `YYYY-MM-DD` of `ended_at`; `WITHOUT ROWID` on SQLite), backfilled from the runs that
 *   have ended, so counting the runs before a retention cutoff reads day counts plus one day of
 *   runs; transfer_requests (a partial unique index: one pending request per workspace; index
 *   by workspace + id).
 *
 * @throws TypeError if the dialect or the table prefix is invalid, or for a `schema` on SQLite.
 *
 * @example
 * ```ts
 * const migrations = workspaceKitMigrations({ dialect: 'postgres' });
 * Object.keys(migrations); // ['0001_initial_schema', '0002_access', '0003_retention_and_transfers']
 * ```
 */
export function workspaceKitMigrations(options: WorkspaceKitMigrationOptions): Record<string, Migration> {
  return {
    '0001_initial_schema': initialSchema(options),
    '0002_access': accessSchema(options),
    '0003_retention_and_transfers': retentionAndTransfersSchema(options),
  };
}

/**
 * A Kysely `MigrationProvider` serving {@link workspaceKitMigrations} from memory.
 *
 * @example
 * ```ts
 * const migrator = new Migrator({ db, provider: workspaceKitMigrationProvider({ dialect: 'sqlite' }), migrationTableName: 'workspace_kit_migration', migrationLockTableName: 'workspace_kit_migration_lock' });
 * ```
 */
export function workspaceKitMigrationProvider(options: WorkspaceKitMigrationOptions): MigrationProvider {
  const migrations = workspaceKitMigrations(options);
  return { getMigrations: () => Promise.resolve(migrations) };
}

/** The schema the connection resolves unqualified names in (PostgreSQL), or undefined. */
async function currentSchema(db: Kysely<unknown>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

/**
 * A Kysely `Migrator` for the adapter's migrations, with its own bookkeeping tables
 * (`<prefix>workspace_kit_migration` and `…_lock`, in the tables' schema) so it never mixes with
 * the host's own Kysely migrations. Use it for `migrateTo` / `migrateDown`; for the usual case
 * call {@link migrateToLatest}.
 *
 * @example
 * ```ts
 * const migrator = await createWorkspaceKitMigrator(db, { dialect: 'postgres' });
 * console.log(await migrator.getMigrations());
 * ```
 */
export async function createWorkspaceKitMigrator<DB>(database: Kysely<DB>, options: WorkspaceKitMigrationOptions): Promise<Migrator> {
  const db = database as unknown as Kysely<unknown>;
  const dialect = checkDialect(options.dialect);
  const names = tableNamesFor(tablePrefixOf(options));
  // Kysely looks for its bookkeeping table by name in every schema unless told which one;
  // name the schema so two schemas of one database never see each other's migrations.
  const schema = options.schema ?? (dialect === 'postgres' ? await currentSchema(db) : undefined);
  return new Migrator({
    db,
    provider: workspaceKitMigrationProvider(options),
    migrationTableName: names.migrations,
    migrationLockTableName: names.migrationLock,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
}

/**
 * Brings the adapter's tables to the latest schema version: runs every migration of
 * {@link workspaceKitMigrations} not yet applied, in one transaction on PostgreSQL, under
 * Kysely's migration lock. Idempotent: when the schema is current it changes nothing and
 * returns `[]`. On PostgreSQL with `schema` set, the schema is created if missing.
 *
 * @returns the migrations it ran, with their status.
 * @throws TypeError for invalid options (see {@link workspaceKitMigrations}); the migration's
 *   own error if one fails (nothing of it is kept on PostgreSQL).
 *
 * @example
 * ```ts
 * import { migrateToLatest } from 'workspace-kit/kysely';
 *
 * await migrateToLatest(db, { dialect: 'sqlite' }); // [{ migrationName: '0001_initial_schema', … }, …, { migrationName: '0003_retention_and_transfers', … }]
 * await migrateToLatest(db, { dialect: 'sqlite' }); // [] — already current
 * ```
 */
export async function migrateToLatest<DB>(db: Kysely<DB>, options: WorkspaceKitMigrationOptions): Promise<readonly MigrationResult[]> {
  const migrator = await createWorkspaceKitMigrator(db, options);
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    if (error instanceof Error) throw error;
    throw new Error('workspace-kit/kysely: a migration failed', { cause: error });
  }
  return results ?? [];
}
