import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import type { Timestamp } from '../../src/core/clock.js';
import type { AccountId } from '../../src/core/ids.js';
import type { Page, PageRequest } from '../../src/core/paging.js';
import { granteeId, type Grantee } from '../../src/core/principal.js';
import { REPOSITORY_NAMES, type Store, type UnitOfWork } from '../../src/ports/store.js';
import type { WorkspaceGrant } from '../../src/workspace/grant.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { createMemoryStore } from '../../src/memory.js';
import {
  describeStoreConformance,
  storeConformanceChecks,
  type ConformanceCheck,
  type ConformanceIt,
} from '../../src/testing.js';

// STORE-3: the conformance suite is only worth something if it fails for broken adapters.
// Each variant below wraps the in-memory store with one realistic bug and names the checks
// that must catch it (and, where it matters, checks that must still pass).

const checks = new Map(storeConformanceChecks().map((c) => [c.id, c]));

function check(id: string): ConformanceCheck {
  const c = checks.get(id);
  if (!c) throw new Error(`no conformance check ${id}`);
  return c;
}

type RepoPatches = { [K in keyof UnitOfWork]?: Partial<UnitOfWork[K]> };

/** Builds a unit of work with `repo(name)` for every repository. */
function unitOfWorkOf(repo: (name: keyof UnitOfWork) => object): UnitOfWork {
  return Object.fromEntries(REPOSITORY_NAMES.map((name) => [name, repo(name)])) as unknown as UnitOfWork;
}

/** A store whose units of work have some repository methods replaced. */
function patched(inner: Store, patch: (tx: UnitOfWork) => RepoPatches): Store {
  return {
    transaction: (work, options) =>
      inner.transaction((tx) => {
        const p = patch(tx);
        return work(unitOfWorkOf((name) => ({ ...tx[name], ...p[name] })));
      }, options),
  };
}

/** Every item of a paged listing. */
async function all<T>(list: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const p = await list(cursor === undefined ? { limit: 500 } : { limit: 500, cursor });
    out.push(...p.items);
    cursor = p.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}

/** Pages `sorted` after `cursor` by `keyOf`, as an adapter sorting in memory would. */
function pageFrom<T>(sorted: readonly T[], page: PageRequest, keyOf: (t: T) => string): Page<T> {
  const start = page.cursor === undefined ? 0 : sorted.findIndex((t) => keyOf(t) === page.cursor) + 1;
  const rest = sorted.slice(start);
  const items = rest.slice(0, page.limit);
  return { items, nextCursor: rest.length > page.limit ? keyOf(items[items.length - 1]!) : null };
}

/** Seats as the sum of members, user grants and pending invitations: emails are not de-duplicated. */
async function naiveSeats(tx: UnitOfWork, accountId: AccountId, now: Timestamp, candidate?: string): Promise<number> {
  const members = await all((page) => tx.memberships.listByAccount(accountId, page));
  const workspaces = await all((page) => tx.workspaces.listByAccount(accountId, page));
  const grantees = new Set<string>();
  for (const w of workspaces) {
    for (const g of await all((page) => tx.grants.listByWorkspace(w.id, page))) if (g.grantee.type === 'user') grantees.add(g.grantee.userId);
  }
  const pending = await all((page) => tx.invitations.listByAccount(accountId, { status: 'pending' }, page));
  return members.length + grantees.size + pending.filter((i) => i.expiresAt > now).length + (candidate === undefined ? 0 : 1);
}

const grantKey = (g: WorkspaceGrant): string => `${g.grantee.type}:${granteeId(g.grantee)}`;

/** The grantee of the other type with the same id. */
const sameIdOtherType = (g: Grantee): Grantee =>
  g.type === 'user' ? { type: 'service-account', serviceAccountId: g.userId as string as never } : { type: 'user', userId: g.serviceAccountId as string as never };

/**
 * A store without transactions: every repository call commits on its own, so units of work
 * interleave and a rejection undoes nothing (an adapter that ignores the transaction handle).
 */
function autocommit(inner: Store): Store {
  const auto = {} as Record<string, Record<string, unknown>>;
  for (const repo of REPOSITORY_NAMES) {
    auto[repo] = new Proxy(
      {},
      {
        get: (_, method: string) =>
          (...args: unknown[]) =>
            inner.transaction((tx) => (tx[repo] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args)),
      },
    );
  }
  return { transaction: (work) => work(auto as unknown as UnitOfWork) };
}

/** Commits whatever the work wrote even when it rejects, then rejects. */
function noRollback(inner: Store): Store {
  return {
    async transaction<T>(work: (tx: UnitOfWork) => Promise<T>, options?: { readOnly?: boolean }): Promise<T> {
      let failure: { error: unknown } | null = null;
      const result = await inner.transaction(async (tx) => {
        try {
          return await work(tx);
        } catch (error) {
          failure = { error };
          return undefined;
        }
      }, options);
      if (failure !== null) throw (failure as { error: unknown }).error;
      return result as T;
    },
  };
}

/** PostgreSQL without ON CONFLICT or savepoints: after a refused write, every later call fails. */
function poisonedAfterRefusal(inner: Store): Store {
  return {
    transaction: (work, options) =>
      inner.transaction((tx) => {
        let aborted = false;
        const wrap = <R extends object>(repo: R): R =>
          new Proxy(repo, {
            get: (target, prop, receiver) => {
              const value: unknown = Reflect.get(target, prop, receiver);
              if (typeof value !== 'function') return value;
              return async (...args: unknown[]) => {
                if (aborted) throw new Error('current transaction is aborted, commands ignored until end of transaction block');
                const out: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
                if (typeof out === 'string' && out !== 'ok') aborted = true;
                return out;
              };
            },
          });
        return work(unitOfWorkOf((name) => wrap(tx[name])));
      }, options),
  };
}

/** Orders handles like glibc's en_US collation: hyphens ignored first, then code units. */
function enUsCollation(inner: Store): Store {
  const key = (h: string) => h.replace(/-/g, '');
  const compare = (a: string, b: string) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a < b ? -1 : a > b ? 1 : 0);
  return patched(inner, (tx) => ({
    workspaces: {
      listByAccount: async (accountId, page: PageRequest): Promise<Page<Workspace>> => {
        const all: Workspace[] = [];
        let cursor: string | undefined;
        do {
          const p = await tx.workspaces.listByAccount(accountId, cursor === undefined ? { limit: 500 } : { limit: 500, cursor });
          all.push(...p.items);
          cursor = p.nextCursor ?? undefined;
        } while (cursor !== undefined);
        all.sort((a, b) => compare(a.handle, b.handle));
        const after = page.cursor === undefined ? all : all.filter((w) => compare(w.handle, page.cursor!) > 0);
        const items = after.slice(0, page.limit);
        return { items, nextCursor: after.length > page.limit ? items[items.length - 1]!.handle : null };
      },
    },
  }));
}

/** `ts` moved by `ms` milliseconds. */
const shifted = (ts: Timestamp, ms: number): Timestamp => new Date(Date.parse(ts) + ms).toISOString();

const DAY_MS = 86_400_000;

/**
 * grants.moveWorkspace that moves the grants but leaves their role counts with the old account
 * (a SQL adapter keeping a counts table and forgetting to move its rows).
 */
function staleRoleCounts(inner: Store): Store {
  const moved: { from: AccountId; to: AccountId; role: string }[] = [];
  const shift = (accountId: AccountId, role: string) =>
    moved.filter((m) => m.from === accountId && m.role === role).length - moved.filter((m) => m.to === accountId && m.role === role).length;
  return patched(inner, (tx) => ({
    grants: {
      moveWorkspace: async (workspaceId, accountId) => {
        for (const g of await all((page) => tx.grants.listByWorkspace(workspaceId, page))) {
          if (g.accountId !== accountId) moved.push({ from: g.accountId, to: accountId, role: g.role });
        }
        return tx.grants.moveWorkspace(workspaceId, accountId);
      },
      countByRole: async (accountId, role) => (await tx.grants.countByRole(accountId, role)) + shift(accountId, role),
    },
  }));
}

/** transferRequests.insert refusing any earlier request of the workspace (a unique index without WHERE status = 'pending'). */
function oneRequestEverPerWorkspace(inner: Store): Store {
  const seen = new Set<string>();
  return patched(inner, (tx) => ({
    transferRequests: {
      insert: async (request) => {
        if (seen.has(request.workspaceId)) return 'exists';
        const out = await tx.transferRequests.insert(request);
        if (out === 'ok') seen.add(request.workspaceId);
        return out;
      },
    },
  }));
}

interface Variant {
  readonly bug: string;
  readonly store: () => Store;
  /** Checks that must reject. */
  readonly caughtBy: readonly string[];
  /** Checks that must still pass (the bug is specific). */
  readonly passes?: readonly string[];
  /** The check fails with the adapter's own error rather than an assertion. */
  readonly failsWithAdapterError?: boolean;
}

const VARIANTS: readonly Variant[] = [
  {
    bug: 'workspaces.insert ignores handle uniqueness',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        workspaces: { insert: async (w) => (await tx.workspaces.insert({ ...w, handle: `${w.handle}-dup` as typeof w.handle }), 'ok') },
      })),
    caughtBy: ['workspaces/handle-unique-per-account', 'workspaces/insert-and-get', 'concurrency/workspace-handle-race'],
    passes: ['users/insert-and-get', 'accounts/handle-unique'],
  },
  {
    bug: 'uniqueness by "look up, then insert" without transactions (the classic race)',
    store: () => {
      const inner = createMemoryStore();
      const auto = autocommit(inner);
      return {
        transaction: (work, options) =>
          auto.transaction(
            (tx) =>
              work({
                ...tx,
                workspaces: new Proxy(tx.workspaces, {
                  get: (target, prop, receiver) => {
                    if (prop !== 'insert') return Reflect.get(target, prop, receiver) as unknown;
                    return async (w: Workspace) => {
                      if (await target.getByHandle(w.accountId, w.handle)) return 'handle-taken';
                      await target.insert(w);
                      return 'ok'; // without a unique index the duplicate would be stored
                    };
                  },
                }),
              }),
            options,
          ),
      };
    },
    caughtBy: ['concurrency/workspace-handle-race'],
    passes: ['workspaces/handle-unique-per-account'],
  },
  {
    bug: 'a unit of work that rejects is committed anyway',
    store: () => noRollback(createMemoryStore()),
    caughtBy: [
      'transactions/rollback-user-insert',
      'transactions/rollback-account-update',
      'transactions/rollback-membership-delete',
      'transactions/rollback-workspace-delete',
      'transactions/rollback-resources-delete-by-workspace',
      'transactions/rollback-audit-append',
      'transactions/rollback-grant-insert',
      'transactions/rollback-grants-delete-by-grantee',
      'transactions/rollback-invitation-update',
      'transactions/rollback-service-account-delete',
      'transactions/rollback-api-keys-delete-by-owner',
      'transactions/rollback-resources-delete-ended-before',
      'transactions/rollback-grants-move-workspace',
      'transactions/rollback-transfer-request-insert',
      'transactions/rollback-transfer-request-update',
      'transactions/rollback-transfer-requests-delete-by-workspace',
      'transactions/rollback-all-writes',
      'resources/delete-ended-before-rollback',
      'transactions/sequence-after-rollback',
      'concurrency/concurrent-rollbacks',
      'concurrency/no-dirty-reads',
    ],
    passes: ['transactions/commit-visible', 'transactions/rejection-propagates'],
  },
  {
    bug: 'no transactions at all: each call commits alone and lock() does nothing',
    store: () => autocommit(createMemoryStore()),
    caughtBy: [
      'concurrency/last-owner-guard',
      'concurrency/workspace-limit-guard',
      'concurrency/lock-serializes-read-modify-write',
      'concurrency/no-dirty-reads',
      'transactions/rollback-workspace-insert',
    ],
    passes: ['concurrency/workspace-handle-race', 'users/email-unique'],
  },
  {
    bug: 'the rejection is wrapped in another error',
    store: () => {
      const inner = createMemoryStore();
      return {
        transaction: (work, options) =>
          inner.transaction(work, options).catch((error: unknown) => {
            throw new Error('transaction failed', { cause: error });
          }),
      };
    },
    caughtBy: ['transactions/rejection-propagates', 'transactions/rollback-workspace-update'],
  },
  {
    bug: 'a refused write aborts the rest of the unit of work (PostgreSQL without ON CONFLICT)',
    store: () => poisonedAfterRefusal(createMemoryStore()),
    caughtBy: ['transactions/usable-after-refused-write', 'transactions/usable-after-refused-access-write'],
    passes: ['concurrency/workspace-handle-race', 'concurrency/grant-insert-race'],
    failsWithAdapterError: true,
  },
  {
    bug: 'workspaces.listByAccount drops the last item',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        workspaces: {
          listByAccount: async (accountId, page) => {
            const p = await tx.workspaces.listByAccount(accountId, page);
            return p.nextCursor === null ? { items: p.items.slice(0, -1), nextCursor: null } : p;
          },
        },
      })),
    caughtBy: ['workspaces/list-by-account-paging', 'workspaces/insert-and-get', 'workspaces/transfer-moves-between-accounts'],
    passes: ['memberships/list-by-account-paging'],
  },
  {
    bug: 'memberships.listByAccount returns a cursor on the last page (a trailing empty page)',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        memberships: {
          listByAccount: async (accountId, page) => {
            const p = await tx.memberships.listByAccount(accountId, page);
            const last = p.items[p.items.length - 1];
            return p.nextCursor === null && last ? { items: p.items, nextCursor: last.userId } : p;
          },
        },
      })),
    caughtBy: ['memberships/list-by-account-paging', 'memberships/list-order-is-code-unit'],
  },
  {
    bug: 'memberships.countByRole omits roles nobody holds',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        memberships: {
          countByRole: async (accountId) =>
            Object.fromEntries(Object.entries(await tx.memberships.countByRole(accountId)).filter(([, n]) => n > 0)) as never,
        },
      })),
    caughtBy: ['memberships/count-by-role'],
  },
  {
    bug: 'resources.countByWorkspace reports every kind, zeros included',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        resources: {
          countByWorkspace: async (id) => ({ flow: 0, ...(await tx.resources.countByWorkspace(id)) }),
        },
      })),
    caughtBy: ['resources/count-by-kind', 'resources/delete-empty-workspace', 'resources/delete-by-workspace'],
  },
  {
    bug: 'resources.countEndedBefore counts runs that ended at the cutoff (<= instead of <)',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        resources: { countEndedBefore: (id, cutoff) => tx.resources.countEndedBefore(id, shifted(cutoff, 1)) },
      })),
    caughtBy: ['resources/count-ended-before', 'resources/count-ended-before-same-day', 'resources/delete-ended-before'],
    passes: ['resources/unended-runs-kept', 'resources/count-by-kind'],
  },
  {
    bug: "resources.countEndedBefore sums whole day buckets through the cutoff's day",
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        resources: {
          countEndedBefore: (id, cutoff) => tx.resources.countEndedBefore(id, new Date((Math.floor(Date.parse(cutoff) / DAY_MS) + 1) * DAY_MS).toISOString()),
        },
      })),
    caughtBy: ['resources/count-ended-before', 'resources/count-ended-before-same-day', 'resources/count-ended-before-follows-writes'],
    passes: ['resources/unended-runs-kept'],
  },
  {
    bug: 'resources.deleteEndedBefore ignores the limit (deletes every run before the cutoff at once)',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        resources: { deleteEndedBefore: (id, cutoff) => tx.resources.deleteEndedBefore(id, cutoff, Number.MAX_SAFE_INTEGER) },
      })),
    caughtBy: ['resources/delete-ended-before', 'resources/delete-ended-before-rollback'],
    passes: ['resources/count-ended-before-follows-writes', 'resources/unended-runs-kept', 'resources/count-ended-before'],
  },
  {
    bug: 'resources.deleteEndedBefore also deletes the runs that ended at the cutoff (<= instead of <)',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        resources: { deleteEndedBefore: (id, cutoff, limit) => tx.resources.deleteEndedBefore(id, shifted(cutoff, 1), limit) },
      })),
    caughtBy: ['resources/delete-ended-before'],
    passes: ['resources/count-ended-before', 'resources/unended-runs-kept'],
  },
  {
    bug: 'accounts.list drops the last item',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        accounts: {
          list: async (page) => {
            const p = await tx.accounts.list(page);
            return p.nextCursor === null ? { items: p.items.slice(0, -1), nextCursor: null } : p;
          },
        },
      })),
    caughtBy: ['accounts/list-paging', 'transactions/read-your-writes'],
    passes: ['accounts/insert-and-get', 'transactions/rollback-account-insert'],
  },
  {
    bug: 'grants.moveWorkspace moves the grants but not their role counts',
    store: () => staleRoleCounts(createMemoryStore()),
    caughtBy: ['grants/move-workspace'],
    passes: ['grants/count-by-role', 'grants/delete-by-workspace', 'grants/update-role'],
  },
  {
    bug: "transferRequests.insert refuses any earlier request of the workspace, answered or not (a unique index without WHERE status = 'pending')",
    store: () => oneRequestEverPerWorkspace(createMemoryStore()),
    caughtBy: ['transferRequests/update-frees-pending-slot', 'transferRequests/one-pending-per-workspace', 'transferRequests/delete-by-workspace'],
    passes: ['concurrency/transfer-request-insert-race', 'transferRequests/update-guarded-by-version'],
  },
  {
    bug: 'transferRequests.update ignores the expected version',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        transferRequests: {
          update: async (request) => {
            const current = await tx.transferRequests.getById(request.id);
            return current ? tx.transferRequests.update(request, current.version) : 'conflict';
          },
        },
      })),
    caughtBy: ['transferRequests/update-guarded-by-version', 'transactions/usable-after-refused-access-write'],
    passes: ['transferRequests/update-frees-pending-slot', 'concurrency/transfer-request-update-race'],
  },
  {
    bug: "audit.list treats 'to' as inclusive",
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        audit: {
          list: (accountId, filter, page) =>
            tx.audit.list(
              accountId,
              filter.to === undefined ? filter : { ...filter, to: new Date(Date.parse(filter.to) + 1).toISOString() },
              page,
            ),
        },
      })),
    caughtBy: ['audit/filter-time-range', 'audit/paging'],
    passes: ['audit/filter-actor', 'audit/list-order'],
  },
  {
    bug: "audit.list ignores order 'desc'",
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        audit: { list: (accountId, filter, page) => tx.audit.list(accountId, filter, { ...page, order: 'asc' }) },
      })),
    caughtBy: ['audit/list-order', 'audit/paging', 'audit/filter-action'],
  },
  {
    bug: 'audit.append returns the sequence as a string (a bigint column read as text)',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        audit: { append: async (e) => ({ ...(await tx.audit.append(e)), sequence: String(Date.now()) as unknown as number }) },
      })),
    caughtBy: ['audit/append-assigns-sequence'],
  },
  {
    bug: 'users.getById returns createdAt as a Date (a timestamptz column read raw)',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        users: {
          getById: async (id) => {
            const u = await tx.users.getById(id);
            return u && ({ ...u, createdAt: new Date(u.createdAt) } as unknown as typeof u);
          },
        },
      })),
    caughtBy: ['users/insert-and-get', 'users/email-unique'],
  },
  {
    bug: 'grants.insert overwrites an existing grant instead of refusing it (an upsert)',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        grants: {
          insert: async (g) => {
            if (!(await tx.grants.get(g.workspaceId, g.grantee))) return tx.grants.insert(g);
            await tx.grants.updateRole(g.workspaceId, g.grantee, g.role, g.updatedAt);
            return 'ok';
          },
        },
      })),
    caughtBy: ['grants/duplicate-exists', 'concurrency/grant-insert-race', 'transactions/usable-after-refused-access-write'],
    passes: ['grants/insert-and-get', 'grants/list-by-workspace-paging', 'seats/distinct-emails'],
  },
  {
    bug: 'grants.listByWorkspace orders by grantee id only, so service accounts (sa_…) come before users',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        grants: {
          listByWorkspace: async (workspaceId, page) => {
            const id = (g: WorkspaceGrant) => granteeId(g.grantee);
            const sorted = (await all((p) => tx.grants.listByWorkspace(workspaceId, p))).sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
            return pageFrom(sorted, page, grantKey);
          },
        },
      })),
    caughtBy: ['grants/list-by-workspace-paging'],
    passes: ['grants/delete-by-grantee', 'grants/insert-and-get'],
  },
  {
    bug: 'grants.deleteByWorkspace reports 0 (the driver\'s affected-row count is ignored)',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        grants: { deleteByWorkspace: async (id) => (await tx.grants.deleteByWorkspace(id), 0) },
      })),
    caughtBy: ['grants/delete-by-workspace', 'transactions/rollback-grants-delete-by-workspace'],
    passes: ['transactions/rollback-all-writes'],
  },
  {
    bug: 'invitations.update ignores the expected version',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        invitations: {
          update: async (invitation) => {
            const current = await tx.invitations.getById(invitation.id);
            return current ? tx.invitations.update(invitation, current.version) : 'conflict';
          },
        },
      })),
    caughtBy: ['invitations/update-guarded-by-version', 'concurrency/invitation-update-race', 'transactions/usable-after-refused-access-write'],
    passes: ['invitations/update-frees-pending-slot', 'concurrency/invitation-accept-race'],
  },
  {
    bug: 'invitations.insert refuses any earlier invitation for the slot, answered or not (a unique index without WHERE status = pending)',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        invitations: {
          insert: async (invitation) => {
            const workspaceId = invitation.target.type === 'workspace' ? invitation.target.workspaceId : undefined;
            const earlier = await all((page) => tx.invitations.listByAccount(invitation.accountId, { workspaceId }, page));
            const clash = earlier.some((i) => i.email === invitation.email && i.target.type === invitation.target.type);
            return clash ? 'exists' : tx.invitations.insert(invitation);
          },
        },
      })),
    caughtBy: ['invitations/one-pending-per-target', 'invitations/update-frees-pending-slot'],
    passes: ['invitations/insert-and-get', 'concurrency/pending-invitation-race'],
  },
  {
    bug: 'invitations.getPendingFor ignores the target (matches account and email alone, as an index without target_key would)',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        invitations: {
          getPendingFor: async (accountId, _workspaceId, email) => {
            const pending = await all((page) => tx.invitations.listByAccount(accountId, { status: 'pending' }, page));
            return pending.find((i) => i.email === email) ?? null;
          },
        },
      })),
    caughtBy: ['invitations/get-pending-for', 'invitations/get-pending-for-rollback'],
    passes: ['invitations/one-pending-per-target', 'invitations/update-frees-pending-slot'],
  },
  {
    bug: "invitations.countPendingByRole also counts account invitations whose account role has the same name ('owner')",
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        invitations: {
          countPendingByRole: async (accountId, role) => {
            const pending = await all((page) => tx.invitations.listByAccount(accountId, { status: 'pending' }, page));
            const sameName = pending.filter((i) => i.target.type === 'account' && i.target.role === role).length;
            return (await tx.invitations.countPendingByRole(accountId, role)) + sameName;
          },
        },
      })),
    caughtBy: ['invitations/count-pending-by-role'],
  },
  {
    bug: 'serviceAccounts.insert ignores name uniqueness',
    store: () => {
      let n = 0;
      return patched(createMemoryStore(), (tx) => ({
        serviceAccounts: { insert: async (sa) => (await tx.serviceAccounts.insert({ ...sa, name: `${sa.name} #${(n += 1)}` }), 'ok') },
      }));
    },
    caughtBy: ['serviceAccounts/name-unique-per-account', 'concurrency/service-account-name-race'],
    passes: ['roles/name-unique-per-account', 'concurrency/role-name-race'],
  },
  {
    bug: 'apiKeys.listByOwner ignores the owner type (matches the id alone)',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        apiKeys: {
          listByOwner: async (owner, page) => {
            const keys = [...(await all((p) => tx.apiKeys.listByOwner(owner, p))), ...(await all((p) => tx.apiKeys.listByOwner(sameIdOtherType(owner), p)))];
            return pageFrom(keys.sort((a, b) => (a.id < b.id ? -1 : 1)), page, (k) => k.id);
          },
        },
      })),
    caughtBy: ['apiKeys/list-by-owner-paging'],
    passes: ['apiKeys/update-guarded-by-version'],
  },
  {
    bug: 'seats.count adds members, user grantees and pending invitations up without de-duplicating emails',
    store: () => patched(createMemoryStore(), (tx) => ({ seats: { count: (accountId, now, candidate) => naiveSeats(tx, accountId, now, candidate) } })),
    caughtBy: ['seats/distinct-emails', 'seats/candidate-email', 'seats/pending-unexpired-invitations-only', 'seats/follows-writes'],
    passes: ['concurrency/seat-limit-guard'],
  },
  {
    bug: 'seats.count counts candidateEmail even when that email already holds a seat',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        seats: { count: async (accountId, now, candidate) => (await tx.seats.count(accountId, now)) + (candidate === undefined ? 0 : 1) },
      })),
    caughtBy: ['seats/candidate-email'],
    passes: ['seats/distinct-emails', 'seats/follows-writes', 'concurrency/seat-limit-guard'],
  },
  {
    bug: 'workspaces.listAccessible ignores withDefaultRole',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        workspaces: { listAccessible: (accountId, grantee, _options, page) => tx.workspaces.listAccessible(accountId, grantee, { withDefaultRole: false }, page) },
      })),
    caughtBy: ['workspaces/list-accessible', 'workspaces/list-accessible-paging'],
    passes: ['workspaces/count-by-default-role', 'transactions/read-your-access-writes'],
  },
  {
    bug: 'workspaces.listAccessible returns a cursor on its last page (filtering after LIMIT instead of before)',
    store: () =>
      patched(createMemoryStore(), (tx) => ({
        workspaces: {
          listAccessible: async (accountId, grantee, options, page) => {
            const p = await tx.workspaces.listAccessible(accountId, grantee, options, page);
            const last = p.items[p.items.length - 1];
            return p.nextCursor === null && last && p.items.length === page.limit ? { items: p.items, nextCursor: last.handle } : p;
          },
        },
      })),
    caughtBy: ['workspaces/list-accessible-paging'],
    passes: ['workspaces/list-accessible'],
  },
  {
    bug: 'handles are ordered like en_US collation instead of by code unit',
    store: () => enUsCollation(createMemoryStore()),
    caughtBy: ['workspaces/list-order-is-code-unit'],
    passes: ['workspaces/list-by-account-paging', 'workspaces/rename-frees-handle'],
  },
];

describe('STORE-3 the conformance suite catches broken adapters', () => {
  for (const v of VARIANTS) {
    describe(v.bug, () => {
      for (const id of v.caughtBy) {
        it(`${id} fails`, async () => {
          await expect(check(id).run(v.store())).rejects.toBeInstanceOf(v.failsWithAdapterError ? Error : AssertionError);
        });
      }
      for (const id of v.passes ?? []) {
        it(`${id} still passes`, async () => {
          await expect(check(id).run(v.store())).resolves.toBeUndefined();
        });
      }
    });
  }
});

/** Registers the suite with a recording test API, so a test can run the registered bodies. */
function record(options: Omit<Parameters<typeof describeStoreConformance>[1], 'name'>) {
  const tests: { title: string; fn: () => Promise<void>; skipped: boolean }[] = [];
  const it = Object.assign((title: string, fn: () => Promise<void>) => void tests.push({ title, fn, skipped: false }), {
    skip: (title: string, fn: () => Promise<void>) => void tests.push({ title, fn, skipped: true }),
  }) satisfies ConformanceIt;
  describeStoreConformance({ describe: (_name, fn) => fn(), it }, { name: 'recorded', ...options });
  return tests;
}

describe('STORE-3 skip declares a capability gap', () => {
  it('an adapter with a declared gap passes every other check, and fails the gap when it is not declared', async () => {
    const gap = 'workspaces/list-order-is-code-unit';
    const tests = record({ createStore: () => enUsCollation(createMemoryStore()), skip: [gap] });
    expect(tests).toHaveLength(storeConformanceChecks().length);
    for (const t of tests) await t.fn();
    expect(tests.filter((t) => t.skipped).map((t) => t.title)).toEqual([expect.stringContaining(`[${gap}]`)]);

    const undeclared = record({ createStore: () => enUsCollation(createMemoryStore()) });
    const failing = undeclared.find((t) => t.title.includes(`[${gap}]`))!;
    expect(failing.skipped).toBe(false);
    await expect(failing.fn()).rejects.toBeInstanceOf(AssertionError);
  });
});
