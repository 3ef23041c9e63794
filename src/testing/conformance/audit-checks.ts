import type { Account } from '../../account/account.js';
import type { AuditEvent, NewAuditEvent } from '../../audit/audit-event.js';
import type { UserId, WorkspaceId } from '../../core/ids.js';
import { principalKey } from '../../core/principal.js';
import type { AuditFilter } from '../../ports/repositories.js';
import type { Store } from '../../ports/store.js';
import type { Workspace } from '../../workspace/workspace.js';
import { expectDeepEqual, expectEqual, expectTrue, show } from './assertions.js';
import { defineCheck, type ConformanceCheck } from './check.js';
import { Fixtures, inTx, seedAccounts, seedWorkspaces } from './fixtures.js';
import { expectOnlyPage, expectPages, pageSizesFor } from './paging.js';

/** An audit log with events of every shape, appended in two accounts. */
interface SeededLog {
  readonly f: Fixtures;
  readonly account: Account;
  readonly other: Account;
  readonly w1: Workspace;
  readonly w2: Workspace;
  readonly u1: UserId;
  readonly u2: UserId;
  /** The events of `account`, as `append` returned them, in append order. */
  readonly events: readonly AuditEvent[];
  /** The events of `other`. */
  readonly otherEvents: readonly AuditEvent[];
}

/** The filter semantics of the port (AUD-2): `from` inclusive, `to` exclusive, actor by id or name. */
function matches(e: AuditEvent, filter: AuditFilter): boolean {
  if (filter.workspaceId !== undefined && e.workspaceId !== filter.workspaceId) return false;
  if (filter.action !== undefined && e.action !== filter.action) return false;
  if (filter.from !== undefined && e.at < filter.from) return false;
  if (filter.to !== undefined && e.at >= filter.to) return false;
  if (filter.actor !== undefined && principalKey(e.actor) !== filter.actor) return false;
  return true;
}

async function seedLog(store: Store): Promise<SeededLog> {
  const f = new Fixtures();
  const [account, other] = [f.organization(), f.organization()];
  await seedAccounts(store, [account, other]);
  const [w1, w2] = [f.workspace(account.id), f.workspace(account.id)];
  const wOther = f.workspace(other.id);
  await seedWorkspaces(store, [w1, w2, wOther]);
  const [u1, u2] = [f.id<UserId>('usr'), f.id<UserId>('usr')];
  const user = (userId: UserId) => ({ type: 'user' as const, userId });
  const sys = (name: string) => ({ type: 'system' as const, name });
  const onWs = (w: Workspace) => ({ workspaceId: w.id, subject: { type: 'workspace' as const, id: w.id } });
  // `at` is deliberately not in append order: listings are ordered by sequence, not by time.
  const planned: NewAuditEvent[] = [
    f.event(account.id, { ...onWs(w1), actor: user(u1), action: 'workspace.created', at: f.at(10) }),
    f.event(account.id, { actor: sys('signup'), action: 'account.created', at: f.at(5) }),
    f.event(account.id, { ...onWs(w2), actor: user(u2), action: 'workspace.created', at: f.at(20) }),
    f.event(account.id, { ...onWs(w1), actor: user(u1), action: 'workspace.updated', at: f.at(30) }),
    f.event(account.id, { ...onWs(w1), actor: sys('retention'), action: 'resources.tracked', at: f.at(30) }),
    f.event(account.id, { ...onWs(w2), actor: user(u1), action: 'workspace.updated', at: f.at(40), details: {} }),
    f.event(account.id, { actor: user(u2), action: 'member.added', subject: { type: 'membership', id: `${account.id}/${u2}` }, at: f.at(50) }),
    f.event(account.id, { ...onWs(w1), actor: user(u2), action: 'workspace.deleted', at: f.at(60) }),
  ];
  const otherPlanned = [
    f.event(other.id, { ...onWs(wOther), actor: user(u1), action: 'workspace.created', at: f.at(25) }),
    f.event(other.id, { actor: sys('signup'), action: 'account.created', at: f.at(35) }),
  ];
  const events: AuditEvent[] = [];
  const otherEvents: AuditEvent[] = [];
  // Interleave the accounts and spread the appends over several transactions.
  for (let i = 0; i < planned.length; i += 3) {
    await inTx(store, async (tx) => {
      for (const e of planned.slice(i, i + 3)) events.push(await tx.audit.append(e));
      const o = otherPlanned[i / 3];
      if (o) otherEvents.push(await tx.audit.append(o));
    });
  }
  return { f, account, other, w1, w2, u1, u2, events, otherEvents };
}

type Order = 'asc' | 'desc';

/** Lists with `filter` in one page and compares with the reference semantics, both orders. */
async function expectFiltered(store: Store, log: SeededLog, filter: AuditFilter, what: string): Promise<void> {
  const asc = log.events.filter((e) => matches(e, filter));
  await inTx(store, async (tx) => {
    for (const order of ['asc', 'desc'] as const) {
      const page = await tx.audit.list(log.account.id, filter, { limit: 500, order });
      const expected = order === 'asc' ? asc : [...asc].reverse();
      expectDeepEqual(
        page.items.map((e) => e.sequence),
        expected.map((e) => e.sequence),
        `audit.list ${what} ${show(filter)} order ${order}: sequences`,
      );
      expectOnlyPage(page, expected, `audit.list ${what} ${show(filter)} order ${order}`);
    }
  });
}

/** The `audit` suite: the append-only audit log (AUD-1, AUD-2). */
export function auditChecks(): ConformanceCheck[] {
  return [
    defineCheck('audit', 'append-assigns-sequence', ['AUD-1'], 'append returns the event with a sequence greater than every earlier one', async (store) => {
      const f = new Fixtures();
      const [a, b] = [f.organization(), f.organization()];
      await seedAccounts(store, [a, b]);
      const appended: AuditEvent[] = [];
      const append = async (event: NewAuditEvent): Promise<void> => {
        const stored = await inTx(store, (tx) => tx.audit.append(event));
        expectEqual(typeof stored.sequence, 'number', 'the type of an assigned sequence');
        expectTrue(Number.isFinite(stored.sequence), `an assigned sequence is a finite number, got ${show(stored.sequence)}`);
        expectDeepEqual(stored, { ...event, sequence: stored.sequence }, 'audit.append returns the event it was given plus its sequence');
        appended.push(stored);
      };
      await append(f.event(a.id));
      await append(f.event(b.id));
      await append(f.event(a.id, { at: f.at(0) }));
      await inTx(store, async (tx) => {
        for (const account of [a, b, a]) appended.push(await tx.audit.append(f.event(account.id)));
      });
      for (let i = 1; i < appended.length; i += 1) {
        expectTrue(
          appended[i]!.sequence > appended[i - 1]!.sequence,
          `sequences must increase with every append: #${i} got ${appended[i]!.sequence} after ${appended[i - 1]!.sequence}`,
        );
      }
    }),

    defineCheck('audit', 'list-round-trip', ['AUD-1', 'AUD-2'], "list returns an account's events exactly as append returned them, and only that account's", async (store) => {
      const log = await seedLog(store);
      const empty = log.f.organization();
      await seedAccounts(store, [empty]);
      await inTx(store, async (tx) => {
        expectOnlyPage(await tx.audit.list(log.account.id, {}, { limit: 500 }), log.events, 'audit.list of the account');
        expectOnlyPage(await tx.audit.list(log.other.id, {}, { limit: 500 }), log.otherEvents, 'audit.list of the other account');
        expectOnlyPage(await tx.audit.list(empty.id, {}, { limit: 500 }), [], 'audit.list of an account without events');
      });
    }),

    defineCheck('audit', 'list-order', ['AUD-2'], "list orders by sequence, not time: 'asc' (the default) oldest first, 'desc' newest first", async (store) => {
      const log = await seedLog(store);
      const asc = log.events.map((e) => e.sequence);
      await inTx(store, async (tx) => {
        const seqs = async (order: Order | undefined, explicit: boolean) =>
          (await tx.audit.list(log.account.id, {}, explicit ? { limit: 500, order } : { limit: 500 })).items.map((e) => e.sequence);
        expectDeepEqual(await seqs(undefined, false), asc, 'audit.list without order');
        expectDeepEqual(await seqs(undefined, true), asc, 'audit.list with order: undefined');
        expectDeepEqual(await seqs('asc', true), asc, "audit.list with order 'asc'");
        expectDeepEqual(await seqs('desc', true), [...asc].reverse(), "audit.list with order 'desc'");
      });
    }),

    defineCheck('audit', 'filter-workspace', ['AUD-2'], 'list filters by workspace', async (store) => {
      const log = await seedLog(store);
      await expectFiltered(store, log, { workspaceId: log.w1.id }, 'by workspace');
      await expectFiltered(store, log, { workspaceId: log.w2.id }, 'by workspace');
      await expectFiltered(store, log, { workspaceId: log.f.id<WorkspaceId>('ws') }, 'by an unknown workspace');
    }),

    defineCheck('audit', 'filter-actor', ['AUD-2'], "list filters by actor: a user's id or a system principal's name", async (store) => {
      const log = await seedLog(store);
      for (const actor of [log.u1, log.u2, 'signup', 'retention', `nobody-${log.f.tag}`]) {
        await expectFiltered(store, log, { actor }, 'by actor');
      }
    }),

    defineCheck('audit', 'filter-action', ['AUD-2'], 'list filters by action', async (store) => {
      const log = await seedLog(store);
      for (const action of ['workspace.updated', 'member.added', 'account.created', 'user.registered'] as const) {
        await expectFiltered(store, log, { action }, 'by action');
      }
    }),

    defineCheck('audit', 'filter-time-range', ['AUD-2'], 'list filters by time: from inclusive, to exclusive', async (store) => {
      const log = await seedLog(store);
      const { f } = log;
      await expectFiltered(store, log, { from: f.at(30) }, 'from (inclusive)');
      await expectFiltered(store, log, { to: f.at(30) }, 'to (exclusive)');
      await expectFiltered(store, log, { from: f.at(20), to: f.at(50) }, 'from and to');
      await expectFiltered(store, log, { from: f.at(30), to: f.at(30) }, 'an empty range');
      await expectFiltered(store, log, { from: f.at(1000) }, 'a range after every event');
      const expectCount = async (filter: AuditFilter, n: number, what: string) => {
        const page = await inTx(store, (tx) => tx.audit.list(log.account.id, filter, { limit: 500 }));
        expectEqual(page.items.length, n, `audit.list ${what} ${show(filter)}: number of events`);
      };
      await expectCount({ from: f.at(30) }, 5, 'from (inclusive)');
      await expectCount({ to: f.at(30) }, 3, 'to (exclusive)');
    }),

    defineCheck('audit', 'filter-combined', ['AUD-2'], 'list combines filters, and filter fields set to undefined filter nothing', async (store) => {
      const log = await seedLog(store);
      const { f } = log;
      await expectFiltered(store, log, { workspaceId: log.w1.id, actor: log.u1, action: 'workspace.updated' }, 'combined');
      await expectFiltered(store, log, { workspaceId: log.w1.id, from: f.at(30) }, 'combined');
      await expectFiltered(store, log, { actor: log.u1, to: f.at(40) }, 'combined');
      await expectFiltered(store, log, { workspaceId: log.w2.id, action: 'member.added' }, 'combined (no match)');
      const undefinedFilter: AuditFilter = { workspaceId: undefined, actor: undefined, action: undefined, from: undefined, to: undefined };
      const page = await inTx(store, (tx) => tx.audit.list(log.account.id, undefinedFilter, { limit: 500, cursor: undefined, order: undefined }));
      expectOnlyPage(page, log.events, 'audit.list with every filter field undefined');
    }),

    defineCheck('audit', 'paging', ['AUD-2'], 'list pages, in both orders and with filters, visit every matching event exactly once', async (store) => {
      const log = await seedLog(store);
      const filters: AuditFilter[] = [{}, { workspaceId: log.w1.id }, { actor: log.u1 }, { from: log.f.at(20), to: log.f.at(60) }];
      for (const filter of filters) {
        const asc = log.events.filter((e) => matches(e, filter)).map((e) => String(e.sequence));
        for (const order of ['asc', 'desc'] as const) {
          for (const limit of pageSizesFor(asc.length)) {
            await expectPages(
              `audit.list ${show(filter)} order ${order}`,
              limit,
              (page) => inTx(store, (tx) => tx.audit.list(log.account.id, filter, { ...page, order })),
              (e) => String(e.sequence),
              order === 'asc' ? asc : [...asc].reverse(),
            );
          }
        }
      }
    }),
  ];
}
