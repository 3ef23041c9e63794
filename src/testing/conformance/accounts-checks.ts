import type { Account } from '../../account/account.js';
import type { AccountId } from '../../core/ids.js';
import { byCodeUnit, expectDeepEqual, expectEqual } from './assertions.js';
import { defineCheck, type ConformanceCheck } from './check.js';
import { Fixtures, inTx, insertAccount, insertPersonal, seedAccounts } from './fixtures.js';
import { expectOnlyPage, expectPages, pageSizesFor } from './paging.js';

/** The account as it is after an update to `changes` (version + 1). */
function edited(account: Account, changes: Partial<Account>): Account {
  return { ...account, ...changes, version: account.version + 1, updatedAt: '2026-02-01T00:00:00.000Z' };
}

/** The `accounts` suite: the account repository (ACC-2, HDL-1, HDL-3). */
export function accountsChecks(): ConformanceCheck[] {
  return [
    defineCheck('accounts', 'insert-and-get', ['ACC-2'], 'insert stores personal and organization accounts that getById and getByHandle return unchanged', async (store) => {
      const f = new Fixtures();
      const person = f.personal();
      const org = f.organization();
      await inTx(store, async (tx) => {
        await insertPersonal(tx, person);
        await insertAccount(tx, org);
      });
      await inTx(store, async (tx) => {
        for (const a of [person.account, org]) {
          expectDeepEqual(await tx.accounts.getById(a.id), a, `accounts.getById(${a.id})`);
          expectDeepEqual(await tx.accounts.getByHandle(a.handle), a, `accounts.getByHandle(${a.handle})`);
        }
        expectEqual(await tx.accounts.getById(f.id<AccountId>('acc')), null, 'accounts.getById of an unknown id');
        expectEqual(await tx.accounts.getByHandle(f.handle('none')), null, 'accounts.getByHandle of an unknown handle');
      });
    }),

    defineCheck('accounts', 'handle-unique', ['HDL-1'], "an account with a taken handle gets 'handle-taken' and the first stays unchanged", async (store) => {
      const f = new Fixtures();
      const person = f.personal();
      await inTx(store, (tx) => insertPersonal(tx, person));
      const org = f.organization({ handle: person.account.handle });
      await inTx(store, async (tx) => {
        expectEqual(await tx.accounts.insert(org), 'handle-taken', 'accounts.insert with a handle taken by another account');
      });
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.accounts.getByHandle(person.account.handle), person.account, 'accounts.getByHandle after the refused insert');
        expectEqual(await tx.accounts.getById(org.id), null, 'accounts.getById of the refused account');
      });
    }),

    defineCheck('accounts', 'update-guarded-by-version', ['ACC-2'], "update applies only at the expected version: stale or unknown gets 'conflict', the right version 'ok'", async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const next = edited(org, { displayName: 'Renamed', planId: 'enterprise' });
      await inTx(store, async (tx) => {
        expectEqual(await tx.accounts.update(next, org.version + 1), 'conflict', 'accounts.update with a version ahead of the stored one');
        expectEqual(await tx.accounts.update(next, org.version - 1), 'conflict', 'accounts.update with a stale version');
        const ghost = f.organization();
        expectEqual(await tx.accounts.update(edited(ghost, {}), ghost.version), 'conflict', 'accounts.update of an unknown account');
        expectEqual(await tx.accounts.getById(ghost.id), null, 'accounts.update of an unknown account must not create it');
      });
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.accounts.getById(org.id), org, 'the account after refused updates');
        expectEqual(await tx.accounts.update(next, org.version), 'ok', 'accounts.update at the stored version');
      });
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.accounts.getById(org.id), next, 'accounts.getById after the update');
        expectDeepEqual(await tx.accounts.getByHandle(org.handle), next, 'accounts.getByHandle after the update');
        const again = edited(next, { displayName: 'Again' });
        expectEqual(await tx.accounts.update(again, org.version), 'conflict', 'accounts.update with the version read before the last update');
      });
    }),

    defineCheck('accounts', 'rename-frees-handle', ['HDL-3'], 'an update that renames the account frees the old handle and indexes the new one', async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const renamed = edited(org, { handle: f.handle('renamed') });
      await inTx(store, async (tx) => {
        expectEqual(await tx.accounts.update(renamed, org.version), 'ok', 'accounts.update with a new handle');
      });
      await inTx(store, async (tx) => {
        expectEqual(await tx.accounts.getByHandle(org.handle), null, 'accounts.getByHandle of the old handle');
        expectDeepEqual(await tx.accounts.getByHandle(renamed.handle), renamed, 'accounts.getByHandle of the new handle');
      });
      const reuser = f.organization({ handle: org.handle });
      await inTx(store, async (tx) => {
        expectEqual(await tx.accounts.insert(reuser), 'ok', 'accounts.insert with the freed handle (HDL-3)');
      });
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.accounts.getByHandle(org.handle), reuser, 'accounts.getByHandle of the reused handle');
        expectDeepEqual(await tx.accounts.getById(org.id), renamed, 'the renamed account');
      });
    }),

    defineCheck('accounts', 'update-to-taken-handle', ['HDL-1'], "an update to another account's handle gets 'handle-taken' and changes nothing", async (store) => {
      const f = new Fixtures();
      const a = f.organization();
      const b = f.organization();
      await seedAccounts(store, [a, b]);
      await inTx(store, async (tx) => {
        expectEqual(await tx.accounts.update(edited(b, { handle: a.handle }), b.version), 'handle-taken', "accounts.update to another account's handle");
      });
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.accounts.getByHandle(a.handle), a, 'the holder of the handle');
        expectDeepEqual(await tx.accounts.getById(b.id), b, 'the account whose update was refused');
        expectDeepEqual(await tx.accounts.getByHandle(b.handle), b, 'accounts.getByHandle of the refused account');
        // Keeping its own handle is not a clash.
        const same = edited(b, { displayName: 'Same handle' });
        expectEqual(await tx.accounts.update(same, b.version), 'ok', 'accounts.update that keeps its own handle');
      });
    }),

    defineCheck('accounts', 'list-paging', ['ACC-2', 'RET-2'], 'list pages visit every account, personal and organization, exactly once in id order, for several page sizes, and follow updates', async (store) => {
      const f = new Fixtures();
      await inTx(store, async (tx) => {
        expectOnlyPage(await tx.accounts.list({ limit: 10 }), [], 'accounts.list of a store without accounts');
      });
      const people = Array.from({ length: 4 }, () => f.personal());
      const orgs = Array.from({ length: 5 }, () => f.organization());
      // Inserted out of id order: the adapter must sort.
      await inTx(store, async (tx) => {
        for (const o of [orgs[3]!, orgs[0]!, orgs[4]!]) await insertAccount(tx, o);
        for (const p of [people[2]!, people[0]!, people[3]!, people[1]!]) await insertPersonal(tx, p);
        for (const o of [orgs[2]!, orgs[1]!]) await insertAccount(tx, o);
      });
      const renamed = edited(orgs[1]!, { handle: f.handle('renamed'), planId: 'enterprise' });
      await inTx(store, async (tx) => {
        expectEqual(await tx.accounts.update(renamed, orgs[1]!.version), 'ok', 'accounts.update');
      });
      const expected = [...people.map((p) => p.account), ...orgs.filter((o) => o !== orgs[1]), renamed].sort((a, b) => byCodeUnit(a.id, b.id));
      for (const limit of pageSizesFor(expected.length)) {
        await expectPages('accounts.list', limit, (page) => inTx(store, (tx) => tx.accounts.list(page)), (a) => a.id, expected.map((a) => a.id));
      }
      await inTx(store, async (tx) => {
        expectOnlyPage(await tx.accounts.list({ limit: 500 }), expected, 'accounts listed by accounts.list are the stored records, updates included');
        const last = expected[expected.length - 1]!;
        expectOnlyPage(await tx.accounts.list({ limit: 10, cursor: last.id }), [], 'accounts.list after the last id');
      });
    }),

    defineCheck('accounts', 'lock', ['ACC-4'], 'lock resolves inside a unit of work and is released when it commits or rolls back', async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const next = edited(org, { displayName: 'Locked and edited' });
      await inTx(store, async (tx) => {
        await tx.accounts.lock(org.id);
        expectEqual(await tx.accounts.update(next, org.version), 'ok', 'accounts.update after lock');
      });
      const boom = new Error('conformance: roll back after lock');
      await inTx(store, async (tx) => {
        await tx.accounts.lock(org.id);
        throw boom;
      }).catch((error: unknown) => {
        if (error !== boom) throw error;
      });
      // Both earlier units of work ended, so locking again must not wait for them.
      await inTx(store, async (tx) => {
        await tx.accounts.lock(org.id);
        await tx.accounts.lock(org.id);
        expectDeepEqual(await tx.accounts.getById(org.id), next, 'the account read after lock');
      });
    }),
  ];
}
