import type { AccountId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/paging.js';
import type { UnitOfWork } from '../../ports/store.js';
import { byCodeUnit, expectDeepEqual, expectEqual } from './assertions.js';
import { defineCheck, type ConformanceCheck, type ConformanceSuiteName } from './check.js';
import { Fixtures, inTx, seedAccounts } from './fixtures.js';
import { expectOnlyPage, expectPages, pageSizesFor } from './paging.js';

/** A record named uniquely within its account: a custom role or a service account. */
interface NamedRecord {
  readonly id: string;
  readonly accountId: AccountId;
  readonly name: string;
}

/** The shape shared by the repositories of such records. */
interface NamedRepository<T extends NamedRecord> {
  getById(id: T['id']): Promise<T | null>;
  listByAccount(accountId: AccountId, page: PageRequest): Promise<Page<T>>;
  insert(record: T): Promise<'ok' | 'name-taken'>;
  delete(id: T['id']): Promise<'ok' | 'missing'>;
}

/** How the checks of one such suite build records and reach their repository. */
export interface NamedSuite<T extends NamedRecord> {
  readonly suite: ConformanceSuiteName;
  readonly specIds: readonly string[];
  /** The repository's name in a unit of work, for messages (`'roles'`). */
  readonly label: string;
  readonly repo: (tx: UnitOfWork) => NamedRepository<T>;
  /** A fresh record of `accountId`; records built later sort after earlier ones by name. */
  readonly build: (f: Fixtures, accountId: AccountId, overrides?: { readonly name?: string }) => T;
  /** Records of `accountId` covering every shape a field can take, for round trips. */
  readonly variants: (f: Fixtures, accountId: AccountId) => readonly T[];
  /** An id of the record kind that no record has. */
  readonly unknownId: (f: Fixtures) => T['id'];
}

const byId = <T extends NamedRecord>(a: T, b: T): number => byCodeUnit(a.id, b.id);

/**
 * The checks of a repository of records named uniquely per account (ROLE-2 custom roles, SA-1
 * service accounts): round trips, name uniqueness per account, name-ordered paging and delete.
 */
export function namedRecordChecks<T extends NamedRecord>(s: NamedSuite<T>): ConformanceCheck[] {
  const { label } = s;
  const insert = (tx: UnitOfWork, record: T): Promise<void> =>
    s.repo(tx).insert(record).then((outcome) => expectEqual(outcome, 'ok', `setup: ${label}.insert(${record.id})`));
  const seed = (store: Parameters<ConformanceCheck['run']>[0], records: readonly T[]): Promise<void> =>
    inTx(store, async (tx) => {
      for (const r of records) await insert(tx, r);
    });

  return [
    defineCheck(s.suite, 'insert-and-get', s.specIds, `insert stores records that getById and listByAccount return unchanged`, async (store) => {
      const f = new Fixtures();
      const [org, other] = [f.organization(), f.organization()];
      await seedAccounts(store, [org, other]);
      await inTx(store, async (tx) => {
        expectOnlyPage(await s.repo(tx).listByAccount(org.id, { limit: 10 }), [], `${label}.listByAccount of an account without any`);
      });
      const records = s.variants(f, org.id);
      await seed(store, records);
      await inTx(store, async (tx) => {
        const repo = s.repo(tx);
        for (const r of records) expectDeepEqual(await repo.getById(r.id), r, `${label}.getById(${r.id})`);
        const page = await repo.listByAccount(org.id, { limit: 500 });
        expectEqual(page.nextCursor, null, `${label}.listByAccount nextCursor of a single page`);
        expectDeepEqual([...page.items].sort(byId), [...records].sort(byId), `${label}.listByAccount (compared in id order)`);
        expectOnlyPage(await repo.listByAccount(other.id, { limit: 10 }), [], `${label}.listByAccount of another account`);
        expectEqual(await repo.getById(s.unknownId(f)), null, `${label}.getById of an unknown id`);
      });
    }),

    defineCheck(s.suite, 'name-unique-per-account', s.specIds, "a name is unique within one account ('name-taken') but free in another", async (store) => {
      const f = new Fixtures();
      const [org, other] = [f.organization(), f.organization()];
      await seedAccounts(store, [org, other]);
      const first = s.build(f, org.id);
      await seed(store, [first]);
      const sameInOther = s.build(f, other.id, { name: first.name });
      const clash = s.build(f, org.id, { name: first.name });
      await inTx(store, async (tx) => {
        expectEqual(await s.repo(tx).insert(sameInOther), 'ok', `${label}.insert of a name used in another account`);
        expectEqual(await s.repo(tx).insert(clash), 'name-taken', `${label}.insert of a name taken in the same account`);
      });
      await inTx(store, async (tx) => {
        const repo = s.repo(tx);
        expectEqual(await repo.getById(clash.id), null, `${label}.getById of the refused record`);
        expectDeepEqual(await repo.getById(first.id), first, `${label}.getById of the record holding the name`);
        expectOnlyPage(await repo.listByAccount(org.id, { limit: 10 }), [first], `${label}.listByAccount after the refused insert`);
        expectOnlyPage(await repo.listByAccount(other.id, { limit: 10 }), [sameInOther], `${label}.listByAccount of the other account`);
      });
    }),

    defineCheck(s.suite, 'list-by-account-paging', s.specIds, 'listByAccount pages visit every record of the account exactly once in name order, for several page sizes', async (store) => {
      const f = new Fixtures();
      const [org, other] = [f.organization(), f.organization()];
      await seedAccounts(store, [org, other]);
      const records = Array.from({ length: 7 }, () => s.build(f, org.id));
      const noise = [s.build(f, other.id), s.build(f, other.id)];
      // Inserted out of order: the adapter must sort.
      await seed(store, [records[4]!, noise[0]!, records[1]!, records[6]!, records[0]!, records[3]!, noise[1]!, records[5]!, records[2]!]);
      const expected = records.map((r) => r.name);
      for (const limit of pageSizesFor(records.length)) {
        await expectPages(`${label}.listByAccount`, limit, (page) => inTx(store, (tx) => s.repo(tx).listByAccount(org.id, page)), (r) => r.name, expected);
      }
      const first = await inTx(store, (tx) => s.repo(tx).listByAccount(org.id, { limit: 2 }));
      expectDeepEqual(first.items, records.slice(0, 2), `a record listed by ${label}.listByAccount is the stored record`);
    }),

    defineCheck(s.suite, 'list-order-is-code-unit', s.specIds, 'listByAccount orders names by code unit, as JavaScript compares strings (SQL: COLLATE "C")', async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const suffixes = ['b', 'B', 'a', 'A', '_', '-', '0', '9', 'z', 'Z', 'a-b', 'ab', 'a_b', 'aB', 'a0', 'a b', 'é'];
      const records = suffixes.map((x) => s.build(f, org.id, { name: `${f.tag} ${x}` }));
      await seed(store, records);
      const expected = records.map((r) => r.name).sort(byCodeUnit);
      for (const limit of [2, records.length]) {
        await expectPages(`${label}.listByAccount`, limit, (page) => inTx(store, (tx) => s.repo(tx).listByAccount(org.id, page)), (r) => r.name, expected);
      }
    }),

    defineCheck(s.suite, 'delete', s.specIds, "delete removes the record and frees its name; deleting it again gets 'missing'", async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const records = [s.build(f, org.id), s.build(f, org.id), s.build(f, org.id)];
      await seed(store, records);
      const gone = records[1]!;
      await inTx(store, async (tx) => {
        expectEqual(await s.repo(tx).delete(gone.id), 'ok', `${label}.delete`);
        expectEqual(await s.repo(tx).delete(s.unknownId(f)), 'missing', `${label}.delete of an unknown id`);
      });
      await inTx(store, async (tx) => {
        const repo = s.repo(tx);
        expectEqual(await repo.getById(gone.id), null, `${label}.getById after delete`);
        expectOnlyPage(await repo.listByAccount(org.id, { limit: 10 }), [records[0]!, records[2]!], `${label}.listByAccount after delete`);
        expectEqual(await repo.delete(gone.id), 'missing', `${label}.delete of a deleted record`);
      });
      const reuser = s.build(f, org.id, { name: gone.name });
      await inTx(store, async (tx) => {
        expectEqual(await s.repo(tx).insert(reuser), 'ok', `${label}.insert with the name freed by delete`);
      });
      await inTx(store, async (tx) => {
        expectOnlyPage(await s.repo(tx).listByAccount(org.id, { limit: 10 }), [records[0]!, reuser, records[2]!], `${label}.listByAccount after reusing the name`);
      });
    }),

    defineCheck(s.suite, 'list-cursor-after-delete', s.specIds, 'listByAccount continues after a cursor whose record was deleted meanwhile', async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const records = Array.from({ length: 5 }, () => s.build(f, org.id));
      await seed(store, records);
      const first = await inTx(store, (tx) => s.repo(tx).listByAccount(org.id, { limit: 2 }));
      expectEqual(first.nextCursor, records[1]!.name, 'nextCursor of the first page');
      await inTx(store, async (tx) => {
        expectEqual(await s.repo(tx).delete(records[1]!.id), 'ok', `${label}.delete of the cursor record`);
      });
      const rest = await inTx(store, (tx) => s.repo(tx).listByAccount(org.id, { limit: 10, cursor: first.nextCursor! }));
      expectOnlyPage(rest, records.slice(2), 'the page after the deleted cursor record');
    }),
  ];
}
