import { sql, type Kysely, type Selectable } from 'kysely';
import type { Account, AccountKind, AccountRole, Membership, User } from '../../account/account.js';
import type { AuditAction, AuditEvent, AuditSubject, JsonValue, NewAuditEvent } from '../../audit/audit-event.js';
import type { Handle } from '../../core/handle.js';
import type { AccountId, AuditEventId, UserId, WorkspaceId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/paging.js';
import type { Principal } from '../../core/principal.js';
import type { ResourceInventory } from '../../ports/resource-inventory.js';
import type {
  AccountRepository,
  AuditRepository,
  MembershipRepository,
  UserRepository,
  WorkspaceRepository,
} from '../../ports/repositories.js';
import type { UnitOfWork } from '../../ports/store.js';
import type { ResourceCounts, ResourceKind, TrackedResource } from '../../workspace/resource.js';
import type { Workspace } from '../../workspace/workspace.js';
import { isUniqueViolation } from './driver-errors.js';
import type {
  AccountRow,
  AuditEventRow,
  KyselyStoreDialect,
  LogicalTables,
  MembershipRow,
  Tables,
  UserRow,
  WorkspaceRow,
} from './tables.js';

/** Rows per multi-row INSERT of resources: 8 columns × 500 = 4000 bind parameters. */
const RESOURCE_CHUNK = 500;

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
     * Workspace reads take a row lock until the end of the unit of work (PostgreSQL, read-write
     * units of work): a read-then-write at the version read waits for, instead of conflicting
     * with, a concurrent writer of the same workspace.
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
      return num(result.numDeletedRows);
    }),
  };

  const audit: AuditRepository = {
    append: op(true, async (event: NewAuditEvent) => {
      const row = {
        id: event.id,
        account_id: event.accountId,
        workspace_id: event.workspaceId,
        actor: JSON.stringify(event.actor),
        actor_key: event.actor.type === 'user' ? event.actor.userId : event.actor.name,
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

  return { users, accounts, memberships, workspaces, resources, audit };
}
