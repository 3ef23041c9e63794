import { sql, type Kysely, type Selectable } from 'kysely';
import type { Account, AccountKind, AccountRole, Membership, User } from '../../account/account.js';
import type { ApiKey } from '../../account/api-key.js';
import type { ServiceAccount } from '../../account/service-account.js';
import type { AuditAction, AuditEvent, AuditSubject, JsonValue, NewAuditEvent } from '../../audit/audit-event.js';
import type { Handle } from '../../core/handle.js';
import type {
  AccountId,
  ApiKeyId,
  AuditEventId,
  InvitationId,
  RoleId,
  ServiceAccountId,
  TransferRequestId,
  UserId,
  WorkspaceId,
} from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/paging.js';
import { granteeId, principalKey, type Grantee, type Principal } from '../../core/principal.js';
import type {
  ApiKeyRepository,
  CustomRoleRepository,
  GrantRepository,
  InvitationRepository,
  SeatCounter,
  ServiceAccountRepository,
  TransferRequestRepository,
} from '../../ports/access-repositories.js';
import type { ResourceInventory } from '../../ports/resource-inventory.js';
import type {
  AccountRepository,
  AuditRepository,
  MembershipRepository,
  UserRepository,
  WorkspaceRepository,
} from '../../ports/repositories.js';
import type { UnitOfWork } from '../../ports/store.js';
import type { BuiltInRole } from '../../role/built-in-roles.js';
import type { CustomRole, WorkspaceRoleRef } from '../../role/custom-role.js';
import type { WorkspaceScope } from '../../role/scopes.js';
import type { TransferRequest, TransferRequestStatus } from '../../transfer-planner/transfer-request.js';
import type { WorkspaceGrant } from '../../workspace/grant.js';
import type { Invitation, InvitationTarget, StoredInvitationStatus } from '../../workspace/invitation.js';
import type { ResourceCounts, ResourceKind, TrackedResource } from '../../workspace/resource.js';
import type { Workspace } from '../../workspace/workspace.js';
import { isUniqueViolation } from './driver-errors.js';
import type {
  AccountRow,
  ApiKeyRow,
  AuditEventRow,
  CustomRoleRow,
  GrantRow,
  InvitationRow,
  KyselyStoreDialect,
  LogicalTables,
  MembershipRow,
  ServiceAccountRow,
  Tables,
  TransferRequestRow,
  UserRow,
  WorkspaceRow,
} from './tables.js';

/** Rows per multi-row INSERT of resources: 8 columns × 500 = 4000 bind parameters. */
const RESOURCE_CHUNK = 500;

/** Day buckets per statement that upserts or decrements run day counts (≤ 3 parameters each). */
const DAY_CHUNK = 500;

/** Runs one DELETE … RETURNING of deleteEndedBefore removes at most: what it holds in memory. */
const PRUNE_CHUNK = 5000;

/**
 * The UTC day of a run's end, `YYYY-MM-DD`: the first 10 characters of its ISO `ended_at`, as
 * `substr(ended_at, 1, 10)` computes it in SQL (the migration's backfill).
 */
function endDayOf(endedAt: string): string {
  return endedAt.slice(0, 10);
}

/** Counts of runs per (workspace, end day), sorted by key so concurrent writers lock buckets in one order. */
function dayBuckets(runs: Iterable<{ readonly workspaceId: string; readonly endedAt: string }>): { workspaceId: string; endDay: string; n: number }[] {
  const byKey = new Map<string, { workspaceId: string; endDay: string; n: number }>();
  for (const run of runs) {
    const endDay = endDayOf(run.endedAt);
    const key = `${run.workspaceId}\u0000${endDay}`;
    const bucket = byKey.get(key);
    if (bucket) bucket.n += 1;
    else byKey.set(key, { workspaceId: run.workspaceId, endDay, n: 1 });
  }
  return [...byKey.values()].sort((a, b) =>
    a.workspaceId < b.workspaceId ? -1 : a.workspaceId > b.workspaceId ? 1 : a.endDay < b.endDay ? -1 : a.endDay > b.endDay ? 1 : 0,
  );
}

/** What one unit of work knows about itself while it runs. */
export class UnitOfWorkState {
  /** False once the work has settled: the repositories refuse every call. */
  open = true;
  /** The first storage failure a repository call let escape, if any. */
  failure: { readonly error: unknown } | undefined;

  constructor(
    /** Writes are refused (a programmer error). */
    readonly readOnly: boolean,
    /**
     * Workspace, invitation and transfer request reads take a row lock until the end of the
     * unit of work (PostgreSQL, read-write units of work): a read-then-write at the version read
     * waits for, instead of conflicting with, a concurrent writer of the same row.
     */
    readonly lockReads: boolean,
  ) {}

  enter(write: boolean): void {
    if (!this.open) throw new Error('workspace-kit/kysely: a unit of work was used after it ended');
    if (write && this.readOnly) throw new Error('workspace-kit/kysely: write in a read-only unit of work');
  }

  fail(error: unknown): void {
    this.failure ??= { error };
  }
}

/** A number from an integer column (`pg` returns `bigint` columns and counts as strings). */
function num(value: number | string | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

function toUser(row: Selectable<UserRow>): User {
  return {
    id: row.id as UserId,
    email: row.email,
    displayName: row.display_name,
    personalAccountId: row.personal_account_id as AccountId,
    createdAt: row.created_at,
  };
}

function toAccount(row: Selectable<AccountRow>): Account {
  return {
    id: row.id as AccountId,
    kind: row.kind as AccountKind,
    handle: row.handle as Handle,
    displayName: row.display_name,
    planId: row.plan_id,
    ownerUserId: row.owner_user_id as UserId | null,
    version: num(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toMembership(row: Selectable<MembershipRow>): Membership {
  return {
    accountId: row.account_id as AccountId,
    userId: row.user_id as UserId,
    role: row.role as AccountRole,
    createdAt: row.created_at,
  };
}

function toWorkspace(row: Selectable<WorkspaceRow>): Workspace {
  return {
    id: row.id as WorkspaceId,
    accountId: row.account_id as AccountId,
    handle: row.handle as Handle,
    description: row.description,
    defaultRole: row.default_role as WorkspaceRoleRef | null,
    version: num(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toAuditEvent(row: Selectable<AuditEventRow>): AuditEvent {
  return {
    id: row.id as AuditEventId,
    sequence: num(row.sequence),
    accountId: row.account_id as AccountId,
    workspaceId: row.workspace_id as WorkspaceId | null,
    actor: JSON.parse(row.actor) as Principal,
    action: row.action as AuditAction,
    subject: JSON.parse(row.subject) as AuditSubject,
    at: row.at,
    details: JSON.parse(row.details) as { readonly [k: string]: JsonValue },
  };
}

/** A grantee (or API key owner) from its stored type and id. */
function toGrantee(type: string, id: string): Grantee {
  return type === 'service-account'
    ? { type: 'service-account', serviceAccountId: id as ServiceAccountId }
    : { type: 'user', userId: id as UserId };
}

function toCustomRole(row: Selectable<CustomRoleRow>): CustomRole {
  return {
    id: row.id as RoleId,
    accountId: row.account_id as AccountId,
    name: row.name,
    scopes: JSON.parse(row.scopes) as WorkspaceScope[],
    inherits: row.inherits as BuiltInRole | null,
    createdAt: row.created_at,
  };
}

function toGrant(row: Selectable<GrantRow>): WorkspaceGrant {
  return {
    workspaceId: row.workspace_id as WorkspaceId,
    accountId: row.account_id as AccountId,
    grantee: toGrantee(row.grantee_type, row.grantee_id),
    role: row.role as WorkspaceRoleRef,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toInvitation(row: Selectable<InvitationRow>): Invitation {
  const target: InvitationTarget =
    row.target_type === 'workspace'
      ? { type: 'workspace', workspaceId: row.workspace_id as WorkspaceId, role: row.role as WorkspaceRoleRef }
      : { type: 'account', role: row.role as AccountRole };
  return {
    id: row.id as InvitationId,
    accountId: row.account_id as AccountId,
    email: row.email,
    target,
    invitedBy: JSON.parse(row.invited_by) as Principal,
    status: row.status as StoredInvitationStatus,
    tokenHash: row.token_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    respondedAt: row.responded_at,
    acceptedBy: row.accepted_by as UserId | null,
    version: num(row.version),
  };
}

function toTransferRequest(row: Selectable<TransferRequestRow>): TransferRequest {
  return {
    id: row.id as TransferRequestId,
    workspaceId: row.workspace_id as WorkspaceId,
    sourceAccountId: row.source_account_id as AccountId,
    targetAccountId: row.target_account_id as AccountId,
    newHandle: row.new_handle as Handle,
    requestedBy: JSON.parse(row.requested_by) as Principal,
    awaiting: row.awaiting as TransferRequest['awaiting'],
    status: row.status as TransferRequestStatus,
    fingerprint: row.fingerprint,
    plannedAt: row.planned_at,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    respondedAt: row.responded_at,
    respondedBy: row.responded_by === null ? null : (JSON.parse(row.responded_by) as Principal),
    version: num(row.version),
  };
}

function toServiceAccount(row: Selectable<ServiceAccountRow>): ServiceAccount {
  return {
    id: row.id as ServiceAccountId,
    accountId: row.account_id as AccountId,
    name: row.name,
    createdAt: row.created_at,
  };
}

function toApiKey(row: Selectable<ApiKeyRow>): ApiKey {
  return {
    id: row.id as ApiKeyId,
    owner: toGrantee(row.owner_type, row.owner_id),
    accountId: row.account_id as AccountId,
    name: row.name,
    secretHash: row.secret_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    rotatedTo: row.rotated_to as ApiKeyId | null,
    version: num(row.version),
  };
}

/** Grantee kinds in the order grants of a workspace are listed: users first. */
const GRANTEE_ORDER = ['user', 'service-account'] as const;

/** The cursor of a grant in {@link GrantRepository.listByWorkspace}: `'<type>:<id>'`. */
function grantCursor(grant: WorkspaceGrant): string {
  return `${grant.grantee.type}:${granteeId(grant.grantee)}`;
}

/** The grantee kind and id a grant cursor points after; null when the cursor is not one. */
function parseGrantCursor(cursor: string): { readonly rank: number; readonly id: string } | null {
  const colon = cursor.indexOf(':');
  const rank = GRANTEE_ORDER.indexOf(cursor.slice(0, colon) as (typeof GRANTEE_ORDER)[number]);
  return colon < 0 || rank < 0 ? null : { rank, id: cursor.slice(colon + 1) };
}

/** A table reference with an alias, typed for the query builder (`'grants as g'`). */
function aliased<T extends keyof Tables, A extends string>(table: T, alias: A): `${T} as ${A}` {
  return `${table} as ${alias}`;
}

/** The literal `'pending'`, inlined so the planner can use the partial index on pending invitations. */
const PENDING = sql.lit('pending');

/** A page from `limit + 1` rows: the extra row only tells that more follow. */
function pageOf<T>(rows: readonly T[], limit: number, keyOf: (item: T) => string): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items, nextCursor: more && last !== undefined ? keyOf(last) : null };
}

/** The repositories of one unit of work, every query run on `db` (a transaction or a connection). */
export function kyselyUnitOfWork(
  db: Kysely<Tables>,
  t: LogicalTables,
  dialect: KyselyStoreDialect,
  state: UnitOfWorkState,
): UnitOfWork {
  /** Wraps a port method: refuses calls after the end or writes when read-only; records failures. */
  function op<A extends unknown[], R>(write: boolean, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args: A): Promise<R> => {
      state.enter(write);
      try {
        return await fn(...args);
      } catch (error) {
        state.fail(error);
        throw error;
      }
    };
  }

  /**
   * Runs a write that may break a unique constraint and returns `taken` instead of throwing.
   * PostgreSQL aborts the whole transaction on a failed statement, so there the write runs in a
   * savepoint that is rolled back on the violation; SQLite undoes only the failed statement.
   */
  async function unlessTaken<R>(run: () => Promise<R>, taken: R): Promise<R> {
    if (dialect === 'sqlite') {
      try {
        return await run();
      } catch (error) {
        if (isUniqueViolation(dialect, error)) return taken;
        throw error;
      }
    }
    await sql`savepoint workspace_kit_write`.execute(db);
    let result: R;
    try {
      result = await run();
    } catch (error) {
      if (!isUniqueViolation(dialect, error)) throw error;
      await sql`rollback to savepoint workspace_kit_write`.execute(db);
      await sql`release savepoint workspace_kit_write`.execute(db);
      return taken;
    }
    await sql`release savepoint workspace_kit_write`.execute(db);
    return result;
  }

  const users: UserRepository = {
    getById: op(false, async (id) => {
      const row = await db.selectFrom(t.users).selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toUser(row) : null;
    }),
    getByEmail: op(false, async (email) => {
      const row = await db.selectFrom(t.users).selectAll().where('email', '=', email).executeTakeFirst();
      return row ? toUser(row) : null;
    }),
    insert: op(true, async (user) => {
      const result = await db
        .insertInto(t.users)
        .values({
          id: user.id,
          email: user.email,
          display_name: user.displayName,
          personal_account_id: user.personalAccountId,
          created_at: user.createdAt,
        })
        // Only the email conflict is a refusal; a clashing id is a host bug and must raise.
        .onConflict((oc) => oc.columns(['email']).doNothing())
        .executeTakeFirst();
      return result.numInsertedOrUpdatedRows === 1n ? 'ok' : 'email-taken';
    }),
  };

  const accountValues = (a: Account) => ({
    kind: a.kind,
    handle: a.handle,
    display_name: a.displayName,
    plan_id: a.planId,
    owner_user_id: a.ownerUserId,
    version: a.version,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  });

  const accounts: AccountRepository = {
    getById: op(false, async (id) => {
      const row = await db.selectFrom(t.accounts).selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toAccount(row) : null;
    }),
    getByHandle: op(false, async (handle) => {
      const row = await db.selectFrom(t.accounts).selectAll().where('handle', '=', handle).executeTakeFirst();
      return row ? toAccount(row) : null;
    }),
    list: op(false, async (page: PageRequest) => {
      // A range of the primary key in id order, also for the first page (every id sorts after
      // ''): the walk stops after limit + 1 rows, however many accounts there are.
      const rows = await db
        .selectFrom(t.accounts)
        .selectAll()
        .where('id', '>', page.cursor ?? '')
        .orderBy('id')
        .limit(page.limit + 1)
        .execute();
      return pageOf(rows.map(toAccount), page.limit, (a) => a.id);
    }),
    insert: op(true, async (account) => {
      const result = await db
        .insertInto(t.accounts)
        .values({ id: account.id, ...accountValues(account) })
        .onConflict((oc) => oc.columns(['handle']).doNothing())
        .executeTakeFirst();
      return result.numInsertedOrUpdatedRows === 1n ? 'ok' : 'handle-taken';
    }),
    update: op(true, (account, expectedVersion) =>
      unlessTaken(async () => {
        const result = await db
          .updateTable(t.accounts)
          .set(accountValues(account))
          .where('id', '=', account.id)
          .where('version', '=', expectedVersion)
          .executeTakeFirst();
        return result.numUpdatedRows > 0n ? ('ok' as const) : ('conflict' as const);
      }, 'handle-taken' as const),
    ),
    lock: op(false, async (id) => {
      // SQLite: units of work already run one at a time (BEGIN IMMEDIATE behind a mutex).
      // Read-only units of work write nothing, so they have nothing to serialize.
      if (dialect === 'sqlite' || state.readOnly) return;
      // NO KEY UPDATE: excludes other lockers and writers of the account row, yet lets
      // concurrent inserts of rows that reference the account (their foreign-key checks take
      // KEY SHARE) proceed.
      await db.selectFrom(t.accounts).select('id').where('id', '=', id).forNoKeyUpdate().execute();
    }),
  };

  const memberships: MembershipRepository = {
    get: op(false, async (accountId, userId) => {
      const row = await db
        .selectFrom(t.memberships)
        .selectAll()
        .where('account_id', '=', accountId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row ? toMembership(row) : null;
    }),
    listByAccount: op(false, async (accountId, page: PageRequest) => {
      let query = db.selectFrom(t.memberships).selectAll().where('account_id', '=', accountId);
      if (page.cursor !== undefined) query = query.where('user_id', '>', page.cursor);
      const rows = await query.orderBy('user_id').limit(page.limit + 1).execute();
      return pageOf(rows.map(toMembership), page.limit, (m) => m.userId);
    }),
    listByUser: op(false, async (userId) => {
      const rows = await db.selectFrom(t.memberships).selectAll().where('user_id', '=', userId).execute();
      return rows.map(toMembership);
    }),
    countByRole: op(false, async (accountId) => {
      const rows = await db
        .selectFrom(t.memberships)
        .select((eb) => ['role', eb.fn.countAll<number | string | bigint>().as('n')])
        .where('account_id', '=', accountId)
        .groupBy('role')
        .execute();
      const counts: Record<AccountRole, number> = { owner: 0, admin: 0, member: 0 };
      for (const row of rows) {
        if (Object.hasOwn(counts, row.role)) counts[row.role as AccountRole] = num(row.n);
      }
      return counts;
    }),
    insert: op(true, async (m) => {
      const result = await db
        .insertInto(t.memberships)
        .values({ account_id: m.accountId, user_id: m.userId, role: m.role, created_at: m.createdAt })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return result.numInsertedOrUpdatedRows === 1n ? 'ok' : 'exists';
    }),
    updateRole: op(true, async (accountId, userId, role) => {
      const result = await db
        .updateTable(t.memberships)
        .set({ role })
        .where('account_id', '=', accountId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n ? 'ok' : 'missing';
    }),
    delete: op(true, async (accountId, userId) => {
      const result = await db
        .deleteFrom(t.memberships)
        .where('account_id', '=', accountId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n ? 'ok' : 'missing';
    }),
  };

  const workspaceValues = (w: Workspace) => ({
    account_id: w.accountId,
    handle: w.handle,
    description: w.description,
    default_role: w.defaultRole,
    version: w.version,
    created_at: w.createdAt,
    updated_at: w.updatedAt,
  });

  const workspaces: WorkspaceRepository = {
    getById: op(false, async (id) => {
      const query = db.selectFrom(t.workspaces).selectAll().where('id', '=', id);
      const row = await (state.lockReads ? query.forNoKeyUpdate() : query).executeTakeFirst();
      return row ? toWorkspace(row) : null;
    }),
    getByHandle: op(false, async (accountId, handle) => {
      const query = db.selectFrom(t.workspaces).selectAll().where('account_id', '=', accountId).where('handle', '=', handle);
      const row = await (state.lockReads ? query.forNoKeyUpdate() : query).executeTakeFirst();
      return row ? toWorkspace(row) : null;
    }),
    listByAccount: op(false, async (accountId, page: PageRequest) => {
      let query = db.selectFrom(t.workspaces).selectAll().where('account_id', '=', accountId);
      if (page.cursor !== undefined) query = query.where('handle', '>', page.cursor);
      const rows = await query.orderBy('handle').limit(page.limit + 1).execute();
      return pageOf(rows.map(toWorkspace), page.limit, (w) => w.handle);
    }),
    countByAccount: op(false, async (accountId) => {
      const row = await db
        .selectFrom(t.workspaces)
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('account_id', '=', accountId)
        .executeTakeFirstOrThrow();
      return num(row.n);
    }),
    listAccessible: op(false, async (accountId, grantee, options, page: PageRequest) => {
      // One walk of the account's workspaces in handle order (workspaces_account_handle_key),
      // each tested against the grantee's grant (grants primary key, or the account + grantee
      // index when the planner hashes the subquery).
      let query = db
        .selectFrom(aliased(t.workspaces, 'w'))
        .selectAll('w')
        .where('w.account_id', '=', accountId)
        .where((eb) => {
          const granted = eb.exists(
            eb
              .selectFrom(aliased(t.grants, 'g'))
              .select(sql.lit(1).as('one'))
              .whereRef('g.workspace_id', '=', 'w.id')
              .where('g.account_id', '=', accountId)
              .where('g.grantee_type', '=', grantee.type)
              .where('g.grantee_id', '=', granteeId(grantee)),
          );
          return options.withDefaultRole ? eb.or([granted, eb('w.default_role', 'is not', null)]) : granted;
        });
      if (page.cursor !== undefined) query = query.where('w.handle', '>', page.cursor);
      const rows = await query.orderBy('w.handle').limit(page.limit + 1).execute();
      return pageOf(rows.map(toWorkspace), page.limit, (w) => w.handle);
    }),
    countByDefaultRole: op(false, async (accountId, role) => {
      const row = await db
        .selectFrom(t.workspaces)
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('account_id', '=', accountId)
        .where('default_role', '=', role)
        .executeTakeFirstOrThrow();
      return num(row.n);
    }),
    insert: op(true, async (workspace) => {
      const result = await db
        .insertInto(t.workspaces)
        .values({ id: workspace.id, ...workspaceValues(workspace) })
        .onConflict((oc) => oc.columns(['account_id', 'handle']).doNothing())
        .executeTakeFirst();
      return result.numInsertedOrUpdatedRows === 1n ? 'ok' : 'handle-taken';
    }),
    update: op(true, (workspace, expectedVersion) =>
      unlessTaken(async () => {
        const result = await db
          .updateTable(t.workspaces)
          .set(workspaceValues(workspace))
          .where('id', '=', workspace.id)
          .where('version', '=', expectedVersion)
          .executeTakeFirst();
        return result.numUpdatedRows > 0n ? ('ok' as const) : ('conflict' as const);
      }, 'handle-taken' as const),
    ),
    delete: op(true, async (id, expectedVersion) => {
      const result = await db
        .deleteFrom(t.workspaces)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return result.numDeletedRows > 0n ? 'ok' : 'conflict';
    }),
  };

  /**
   * Adds each bucket's runs to its (workspace, end day) count, creating the missing ones: an
   * increment in the database, so concurrent writers of one day add up.
   */
  async function addToDayCounts(buckets: readonly { workspaceId: string; endDay: string; n: number }[]): Promise<void> {
    for (let i = 0; i < buckets.length; i += DAY_CHUNK) {
      const chunk = buckets.slice(i, i + DAY_CHUNK).map((b) => ({ workspace_id: b.workspaceId, end_day: b.endDay, n: b.n }));
      await db
        .insertInto(t.run_day_counts)
        .values(chunk)
        .onConflict((oc) =>
          oc.columns(['workspace_id', 'end_day']).doUpdateSet((eb) => ({ n: eb(eb.ref(`${t.run_day_counts}.n`), '+', eb.ref('excluded.n')) })),
        )
        .execute();
    }
  }

  /** Takes runs deleted by end day off their buckets; buckets reaching 0 go. */
  async function subtractFromDayCounts(workspaceId: WorkspaceId, endedAts: readonly string[]): Promise<void> {
    const buckets = dayBuckets(endedAts.map((endedAt) => ({ workspaceId, endedAt })));
    for (let i = 0; i < buckets.length; i += DAY_CHUNK) {
      const chunk = buckets.slice(i, i + DAY_CHUNK);
      const days = chunk.map((b) => b.endDay);
      // One statement per chunk of days: n - CASE end_day WHEN day THEN k … END.
      const minus = sql<number>`case ${sql.ref('end_day')} ${sql.join(
        chunk.map((b) => sql`when ${b.endDay} then cast(${b.n} as integer)`),
        sql` `,
      )} end`;
      await db
        .updateTable(t.run_day_counts)
        .set({ n: sql<number>`${sql.ref('n')} - ${minus}` })
        .where('workspace_id', '=', workspaceId)
        .where('end_day', 'in', days)
        .execute();
      await db.deleteFrom(t.run_day_counts).where('workspace_id', '=', workspaceId).where('end_day', 'in', days).where('n', '<=', 0).execute();
    }
  }

  const resources: ResourceInventory = {
    insertMany: op(true, async (items: readonly TrackedResource[]) => {
      for (let i = 0; i < items.length; i += RESOURCE_CHUNK) {
        const chunk = items.slice(i, i + RESOURCE_CHUNK).map((r) => ({
          id: r.id,
          workspace_id: r.workspaceId,
          kind: r.kind,
          name: r.name,
          created_at: r.createdAt,
          state: r.state,
          ended_at: r.endedAt,
          parent_run_id: r.parentRunId,
        }));
        await db.insertInto(t.resources).values(chunk).execute();
      }
      // The runs that have ended, counted per workspace and end day (one grouped upsert).
      const ended: { workspaceId: string; endedAt: string }[] = [];
      for (const r of items) if (r.endedAt !== null) ended.push({ workspaceId: r.workspaceId, endedAt: r.endedAt });
      await addToDayCounts(dayBuckets(ended));
    }),
    countByWorkspace: op(false, async (workspaceId) => {
      const rows = await db
        .selectFrom(t.resources)
        .select((eb) => ['kind', eb.fn.countAll<number | string | bigint>().as('n')])
        .where('workspace_id', '=', workspaceId)
        .groupBy('kind')
        .execute();
      const counts: Partial<Record<ResourceKind, number>> = {};
      for (const row of rows) counts[row.kind as ResourceKind] = num(row.n);
      return counts satisfies ResourceCounts;
    }),
    deleteByWorkspace: op(true, async (workspaceId) => {
      const result = await db.deleteFrom(t.resources).where('workspace_id', '=', workspaceId).executeTakeFirst();
      await db.deleteFrom(t.run_day_counts).where('workspace_id', '=', workspaceId).execute();
      return num(result.numDeletedRows);
    }),
    countEndedBefore: op(false, async (workspaceId, cutoff) => {
      // One statement, so both parts read one snapshot: the day counts before the cutoff's
      // day (a primary-key range), plus the runs of the cutoff's own day that ended before it
      // (a range of resources_workspace_ended_at_idx). Every run whose ended_at sorts below
      // the cutoff is in exactly one part: its first 10 characters sort below the cutoff's,
      // or equal them.
      const day = endDayOf(cutoff);
      const before = db
        .selectFrom(t.run_day_counts)
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string | bigint>('n'), sql.lit(0)).as('n'))
        .where('workspace_id', '=', workspaceId)
        .where('end_day', '<', day);
      const sameDay = db
        .selectFrom(t.resources)
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('workspace_id', '=', workspaceId)
        .where('ended_at', '>=', day)
        .where('ended_at', '<', cutoff);
      const row = await db
        .selectNoFrom((eb) => eb(before, '+', sameDay).as('n'))
        .executeTakeFirstOrThrow();
      return num(row.n as number | string | bigint);
    }),
    deleteEndedBefore: op(true, async (workspaceId, cutoff, limit) => {
      // At most PRUNE_CHUNK runs per statement, the oldest first, through
      // resources_workspace_ended_at_idx; only their ended_at comes back, to decrement the
      // day counts.
      let deleted = 0;
      const wanted = Math.floor(limit);
      while (deleted < wanted) {
        const batch = Math.min(wanted - deleted, PRUNE_CHUNK);
        const rows = await db
          .deleteFrom(t.resources)
          .where('id', 'in', (eb) =>
            eb
              .selectFrom(t.resources)
              .select('id')
              .where('workspace_id', '=', workspaceId)
              .where('ended_at', '<', cutoff)
              .orderBy('ended_at')
              .limit(batch),
          )
          .returning('ended_at')
          .execute();
        const endedAts: string[] = [];
        for (const r of rows) if (r.ended_at !== null) endedAts.push(r.ended_at);
        await subtractFromDayCounts(workspaceId, endedAts);
        deleted += rows.length;
        if (rows.length < batch) break;
      }
      return deleted;
    }),
  };

  const audit: AuditRepository = {
    append: op(true, async (event: NewAuditEvent) => {
      const row = {
        id: event.id,
        account_id: event.accountId,
        workspace_id: event.workspaceId,
        actor: JSON.stringify(event.actor),
        actor_key: principalKey(event.actor),
        action: event.action,
        subject: JSON.stringify(event.subject),
        at: event.at,
        details: JSON.stringify(event.details),
      };
      const { sequence } = await db.insertInto(t.audit_events).values(row).returning('sequence').executeTakeFirstOrThrow();
      // Returned as `list` will read it back: JSON round-tripped, so both are deep-equal.
      return toAuditEvent({ ...row, sequence });
    }),
    list: op(false, async (accountId, filter, page) => {
      let query = db.selectFrom(t.audit_events).selectAll().where('account_id', '=', accountId);
      if (filter.workspaceId !== undefined) query = query.where('workspace_id', '=', filter.workspaceId);
      if (filter.actor !== undefined) query = query.where('actor_key', '=', filter.actor);
      if (filter.action !== undefined) query = query.where('action', '=', filter.action);
      if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('at', '<', filter.to);
      const desc = page.order === 'desc';
      const cursor = page.cursor === undefined ? Number.NaN : Number(page.cursor);
      if (Number.isFinite(cursor)) query = query.where('sequence', desc ? '<' : '>', cursor);
      const rows = await query
        .orderBy('sequence', desc ? 'desc' : 'asc')
        .limit(page.limit + 1)
        .execute();
      return pageOf(rows.map(toAuditEvent), page.limit, (e) => String(e.sequence));
    }),
  };

  const roles: CustomRoleRepository = {
    getById: op(false, async (id) => {
      const row = await db.selectFrom(t.custom_roles).selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toCustomRole(row) : null;
    }),
    listByAccount: op(false, async (accountId, page: PageRequest) => {
      let query = db.selectFrom(t.custom_roles).selectAll().where('account_id', '=', accountId);
      if (page.cursor !== undefined) query = query.where('name', '>', page.cursor);
      const rows = await query.orderBy('name').limit(page.limit + 1).execute();
      return pageOf(rows.map(toCustomRole), page.limit, (r) => r.name);
    }),
    insert: op(true, async (role) => {
      const result = await db
        .insertInto(t.custom_roles)
        .values({
          id: role.id,
          account_id: role.accountId,
          name: role.name,
          scopes: JSON.stringify(role.scopes),
          inherits: role.inherits,
          created_at: role.createdAt,
        })
        .onConflict((oc) => oc.columns(['account_id', 'name']).doNothing())
        .executeTakeFirst();
      return result.numInsertedOrUpdatedRows === 1n ? 'ok' : 'name-taken';
    }),
    delete: op(true, async (id) => {
      const result = await db.deleteFrom(t.custom_roles).where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n ? 'ok' : 'missing';
    }),
  };

  /** Narrows a grants query to one (workspace, grantee) key. */
  const grantKey = (workspaceId: WorkspaceId, grantee: Grantee) =>
    ({ workspace_id: workspaceId, grantee_type: grantee.type, grantee_id: granteeId(grantee) }) as const;

  const grants: GrantRepository = {
    get: op(false, async (workspaceId, grantee) => {
      const key = grantKey(workspaceId, grantee);
      const row = await db
        .selectFrom(t.grants)
        .selectAll()
        .where('workspace_id', '=', key.workspace_id)
        .where('grantee_type', '=', key.grantee_type)
        .where('grantee_id', '=', key.grantee_id)
        .executeTakeFirst();
      return row ? toGrant(row) : null;
    }),
    listByWorkspace: op(false, async (workspaceId, page: PageRequest) => {
      // Users, then service accounts, each a keyset range of the primary key: at most two
      // indexed statements per page, and no sort.
      const after = page.cursor === undefined ? { rank: 0, id: undefined } : parseGrantCursor(page.cursor);
      if (after === null) return { items: [], nextCursor: null };
      const want = page.limit + 1;
      const rows: Selectable<GrantRow>[] = [];
      for (let rank = after.rank; rank < GRANTEE_ORDER.length && rows.length < want; rank += 1) {
        let query = db
          .selectFrom(t.grants)
          .selectAll()
          .where('workspace_id', '=', workspaceId)
          .where('grantee_type', '=', GRANTEE_ORDER[rank]!);
        if (rank === after.rank && after.id !== undefined) query = query.where('grantee_id', '>', after.id);
        rows.push(...(await query.orderBy('grantee_id').limit(want - rows.length).execute()));
      }
      return pageOf(rows.map(toGrant), page.limit, grantCursor);
    }),
    listByGrantee: op(false, async (accountId, grantee) => {
      const rows = await db
        .selectFrom(t.grants)
        .selectAll()
        .where('account_id', '=', accountId)
        .where('grantee_type', '=', grantee.type)
        .where('grantee_id', '=', granteeId(grantee))
        .orderBy('workspace_id')
        .execute();
      return rows.map(toGrant);
    }),
    insert: op(true, async (grant) => {
      const result = await db
        .insertInto(t.grants)
        .values({
          ...grantKey(grant.workspaceId, grant.grantee),
          account_id: grant.accountId,
          role: grant.role,
          created_at: grant.createdAt,
          updated_at: grant.updatedAt,
        })
        .onConflict((oc) => oc.columns(['workspace_id', 'grantee_type', 'grantee_id']).doNothing())
        .executeTakeFirst();
      return result.numInsertedOrUpdatedRows === 1n ? 'ok' : 'exists';
    }),
    updateRole: op(true, async (workspaceId, grantee, role, updatedAt) => {
      const key = grantKey(workspaceId, grantee);
      const result = await db
        .updateTable(t.grants)
        .set({ role, updated_at: updatedAt })
        .where('workspace_id', '=', key.workspace_id)
        .where('grantee_type', '=', key.grantee_type)
        .where('grantee_id', '=', key.grantee_id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n ? 'ok' : 'missing';
    }),
    delete: op(true, async (workspaceId, grantee) => {
      const key = grantKey(workspaceId, grantee);
      const result = await db
        .deleteFrom(t.grants)
        .where('workspace_id', '=', key.workspace_id)
        .where('grantee_type', '=', key.grantee_type)
        .where('grantee_id', '=', key.grantee_id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n ? 'ok' : 'missing';
    }),
    deleteByWorkspace: op(true, async (workspaceId) => {
      const result = await db.deleteFrom(t.grants).where('workspace_id', '=', workspaceId).executeTakeFirst();
      return num(result.numDeletedRows);
    }),
    deleteByGrantee: op(true, async (accountId, grantee) => {
      const result = await db
        .deleteFrom(t.grants)
        .where('account_id', '=', accountId)
        .where('grantee_type', '=', grantee.type)
        .where('grantee_id', '=', granteeId(grantee))
        .executeTakeFirst();
      return num(result.numDeletedRows);
    }),
    moveWorkspace: op(true, async (workspaceId, accountId) => {
      const result = await db.updateTable(t.grants).set({ account_id: accountId }).where('workspace_id', '=', workspaceId).executeTakeFirst();
      return num(result.numUpdatedRows);
    }),
    countByRole: op(false, async (accountId, role) => {
      const row = await db
        .selectFrom(t.grants)
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('account_id', '=', accountId)
        .where('role', '=', role)
        .executeTakeFirstOrThrow();
      return num(row.n);
    }),
  };

  const invitationValues = (i: Invitation) => ({
    account_id: i.accountId,
    email: i.email,
    target_type: i.target.type,
    workspace_id: i.target.type === 'workspace' ? i.target.workspaceId : null,
    target_key: i.target.type === 'workspace' ? i.target.workspaceId : '',
    role: i.target.role,
    invited_by: JSON.stringify(i.invitedBy),
    status: i.status,
    token_hash: i.tokenHash,
    created_at: i.createdAt,
    expires_at: i.expiresAt,
    responded_at: i.respondedAt,
    accepted_by: i.acceptedBy,
    version: i.version,
  });

  const invitations: InvitationRepository = {
    getById: op(false, async (id) => {
      const query = db.selectFrom(t.invitations).selectAll().where('id', '=', id);
      // PostgreSQL read-write units of work: a second accept of the invitation waits here for
      // the first to end, then reads its outcome (INV-3).
      const row = await (state.lockReads ? query.forUpdate() : query).executeTakeFirst();
      return row ? toInvitation(row) : null;
    }),
    listByAccount: op(false, async (accountId, filter, page: PageRequest) => {
      let query = db.selectFrom(t.invitations).selectAll().where('account_id', '=', accountId);
      if (filter.workspaceId !== undefined) query = query.where('workspace_id', '=', filter.workspaceId);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (page.cursor !== undefined) query = query.where('id', '>', page.cursor);
      const rows = await query.orderBy('id').limit(page.limit + 1).execute();
      return pageOf(rows.map(toInvitation), page.limit, (i) => i.id);
    }),
    getPendingFor: op(false, async (accountId, workspaceId, email) => {
      // One seek of the partial unique index invitations_pending_key: its key columns by
      // equality and its predicate as a literal, which both planners need to match it.
      const query = db
        .selectFrom(t.invitations)
        .selectAll()
        .where('account_id', '=', accountId)
        .where('target_key', '=', workspaceId ?? '')
        .where('email', '=', email)
        .where('status', '=', PENDING);
      // As getById: in PostgreSQL read-write units of work the slot's holder stays locked.
      const row = await (state.lockReads ? query.forUpdate() : query).executeTakeFirst();
      return row ? toInvitation(row) : null;
    }),
    insert: op(true, async (invitation) => {
      const result = await db
        .insertInto(t.invitations)
        .values({ id: invitation.id, ...invitationValues(invitation) })
        // The conflict target names the partial unique index: its predicate must be spelled out
        // (and inlined) for PostgreSQL and SQLite to infer it. A clashing id still raises.
        .onConflict((oc) => oc.columns(['account_id', 'target_key', 'email']).where('status', '=', PENDING).doNothing())
        .executeTakeFirst();
      return result.numInsertedOrUpdatedRows === 1n ? 'ok' : 'exists';
    }),
    update: op(true, async (invitation, expectedVersion) => {
      const result = await db
        .updateTable(t.invitations)
        .set(invitationValues(invitation))
        .where('id', '=', invitation.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n ? 'ok' : 'conflict';
    }),
    deleteByWorkspace: op(true, async (workspaceId) => {
      const result = await db.deleteFrom(t.invitations).where('workspace_id', '=', workspaceId).executeTakeFirst();
      return num(result.numDeletedRows);
    }),
    countPendingByRole: op(false, async (accountId, role) => {
      // Workspace invitations only: an account invitation's role is an account role, whose
      // names ('owner') may coincide with a built-in workspace role's.
      const row = await db
        .selectFrom(t.invitations)
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('account_id', '=', accountId)
        .where('role', '=', role)
        .where('status', '=', PENDING)
        .where('target_type', '=', 'workspace')
        .executeTakeFirstOrThrow();
      return num(row.n);
    }),
  };

  const serviceAccounts: ServiceAccountRepository = {
    getById: op(false, async (id) => {
      const row = await db.selectFrom(t.service_accounts).selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toServiceAccount(row) : null;
    }),
    listByAccount: op(false, async (accountId, page: PageRequest) => {
      let query = db.selectFrom(t.service_accounts).selectAll().where('account_id', '=', accountId);
      if (page.cursor !== undefined) query = query.where('name', '>', page.cursor);
      const rows = await query.orderBy('name').limit(page.limit + 1).execute();
      return pageOf(rows.map(toServiceAccount), page.limit, (a) => a.name);
    }),
    insert: op(true, async (sa) => {
      const result = await db
        .insertInto(t.service_accounts)
        .values({ id: sa.id, account_id: sa.accountId, name: sa.name, created_at: sa.createdAt })
        .onConflict((oc) => oc.columns(['account_id', 'name']).doNothing())
        .executeTakeFirst();
      return result.numInsertedOrUpdatedRows === 1n ? 'ok' : 'name-taken';
    }),
    delete: op(true, async (id) => {
      const result = await db.deleteFrom(t.service_accounts).where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n ? 'ok' : 'missing';
    }),
  };

  const apiKeyValues = (k: ApiKey) => ({
    owner_type: k.owner.type,
    owner_id: granteeId(k.owner),
    account_id: k.accountId,
    name: k.name,
    secret_hash: k.secretHash,
    created_at: k.createdAt,
    expires_at: k.expiresAt,
    revoked_at: k.revokedAt,
    rotated_to: k.rotatedTo,
    version: k.version,
  });

  const apiKeys: ApiKeyRepository = {
    getById: op(false, async (id) => {
      const row = await db.selectFrom(t.api_keys).selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toApiKey(row) : null;
    }),
    listByOwner: op(false, async (owner, page: PageRequest) => {
      let query = db
        .selectFrom(t.api_keys)
        .selectAll()
        .where('owner_type', '=', owner.type)
        .where('owner_id', '=', granteeId(owner));
      if (page.cursor !== undefined) query = query.where('id', '>', page.cursor);
      const rows = await query.orderBy('id').limit(page.limit + 1).execute();
      return pageOf(rows.map(toApiKey), page.limit, (k) => k.id);
    }),
    insert: op(true, async (key) => {
      // No refusal exists: a clashing id is a host bug and raises.
      await db
        .insertInto(t.api_keys)
        .values({ id: key.id, ...apiKeyValues(key) })
        .execute();
      return 'ok' as const;
    }),
    update: op(true, async (key, expectedVersion) => {
      const result = await db
        .updateTable(t.api_keys)
        .set(apiKeyValues(key))
        .where('id', '=', key.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n ? 'ok' : 'conflict';
    }),
    deleteByOwner: op(true, async (owner) => {
      const result = await db
        .deleteFrom(t.api_keys)
        .where('owner_type', '=', owner.type)
        .where('owner_id', '=', granteeId(owner))
        .executeTakeFirst();
      return num(result.numDeletedRows);
    }),
  };

  const seats: SeatCounter = {
    count: op(false, async (accountId, now, candidateEmail) => {
      // One statement (PLAN-2): the emails of members, of users holding a grant in the
      // account's workspaces and of pending, unexpired invitations, counted once each. Each
      // branch is an index range: the memberships primary key, grants_account_grantee_idx and
      // the partial invitations_pending_key, joined to users by primary key.
      const members = db
        .selectFrom(aliased(t.memberships, 'm'))
        .innerJoin(aliased(t.users, 'u'), 'u.id', 'm.user_id')
        .select('u.email')
        .where('m.account_id', '=', accountId);
      const grantees = db
        .selectFrom(aliased(t.grants, 'g'))
        .innerJoin(aliased(t.users, 'u'), 'u.id', 'g.grantee_id')
        .select('u.email')
        .where('g.account_id', '=', accountId)
        .where('g.grantee_type', '=', 'user');
      const invited = db
        .selectFrom(aliased(t.invitations, 'i'))
        .select('i.email')
        .where('i.account_id', '=', accountId)
        .where('i.status', '=', PENDING)
        .where('i.expires_at', '>', now);
      let holders = members.unionAll(grantees).unionAll(invited);
      if (candidateEmail !== undefined) {
        const email = candidateEmail.trim().toLowerCase();
        holders = holders.unionAll(db.selectNoFrom(sql<string>`cast(${email} as text)`.as('email')));
      }
      const row = await db
        .selectFrom(holders.as('s'))
        .select((eb) => eb.fn.count<number | string | bigint>('s.email').distinct().as('n'))
        .executeTakeFirstOrThrow();
      return num(row.n);
    }),
  };

  const transferRequestValues = (r: TransferRequest) => ({
    workspace_id: r.workspaceId,
    source_account_id: r.sourceAccountId,
    target_account_id: r.targetAccountId,
    new_handle: r.newHandle,
    requested_by: JSON.stringify(r.requestedBy),
    awaiting: r.awaiting,
    status: r.status,
    fingerprint: r.fingerprint,
    planned_at: r.plannedAt,
    created_at: r.createdAt,
    expires_at: r.expiresAt,
    responded_at: r.respondedAt,
    responded_by: r.respondedBy === null ? null : JSON.stringify(r.respondedBy),
    version: r.version,
  });

  const transferRequests: TransferRequestRepository = {
    getById: op(false, async (id) => {
      const query = db.selectFrom(t.transfer_requests).selectAll().where('id', '=', id);
      // PostgreSQL read-write units of work: a second approval (or a rejection) of the request
      // waits here for the first to end, then reads its outcome (XFER-2).
      const row = await (state.lockReads ? query.forUpdate() : query).executeTakeFirst();
      return row ? toTransferRequest(row) : null;
    }),
    getPendingByWorkspace: op(false, async (workspaceId) => {
      const row = await db
        .selectFrom(t.transfer_requests)
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('status', '=', PENDING)
        .executeTakeFirst();
      return row ? toTransferRequest(row) : null;
    }),
    insert: op(true, async (request) => {
      const result = await db
        .insertInto(t.transfer_requests)
        .values({ id: request.id, ...transferRequestValues(request) })
        // The partial unique index, its predicate spelled out as for invitations; a clashing id raises.
        .onConflict((oc) => oc.column('workspace_id').where('status', '=', PENDING).doNothing())
        .executeTakeFirst();
      return result.numInsertedOrUpdatedRows === 1n ? 'ok' : 'exists';
    }),
    update: op(true, async (request, expectedVersion) => {
      const result = await db
        .updateTable(t.transfer_requests)
        .set(transferRequestValues(request))
        .where('id', '=', request.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n ? 'ok' : 'conflict';
    }),
    deleteByWorkspace: op(true, async (workspaceId) => {
      const result = await db.deleteFrom(t.transfer_requests).where('workspace_id', '=', workspaceId).executeTakeFirst();
      return num(result.numDeletedRows);
    }),
  };

  return {
    users,
    accounts,
    memberships,
    workspaces,
    resources,
    audit,
    roles,
    grants,
    invitations,
    serviceAccounts,
    apiKeys,
    seats,
    transferRequests,
  };
}
