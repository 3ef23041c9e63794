import type { AccountRole, Membership } from '../../account/account.js';
import type { UserId } from '../../core/ids.js';
import type { Store } from '../../ports/store.js';
import { byCodeUnit, expectDeepEqual, expectEqual } from './assertions.js';
import { defineCheck, type ConformanceCheck } from './check.js';
import { Fixtures, inTx, insertMembership, insertPersonal, seedAccounts, seedOrganization, seedPeople } from './fixtures.js';
import { expectOnlyPage, expectPages, pageSizesFor } from './paging.js';

const counts = (owner: number, admin: number, member: number): Record<AccountRole, number> => ({ owner, admin, member });

const byAccountThenUser = (a: Membership, b: Membership): number =>
  byCodeUnit(a.accountId, b.accountId) || byCodeUnit(a.userId, b.userId);

/** Inserts members with the given user ids (each with a personal account) into a new org. */
async function orgWithUserIds(store: Store, f: Fixtures, userIds: readonly UserId[]) {
  const org = f.organization();
  const people = userIds.map((userId) => f.personal({ userId }));
  await seedAccounts(store, [org]);
  await inTx(store, async (tx) => {
    for (const p of people) {
      await insertPersonal(tx, p);
      await insertMembership(tx, f.membership(org.id, p.user.id));
    }
  });
  return org;
}

/** The `memberships` suite: organization memberships (ACC-3, ACC-4). */
export function membershipsChecks(): ConformanceCheck[] {
  return [
    defineCheck('memberships', 'insert-and-get', ['ACC-3'], 'insert stores a membership that get and listByUser return unchanged', async (store) => {
      const f = new Fixtures();
      const { account, members } = await seedOrganization(store, f, ['admin']);
      const other = f.organization();
      await seedAccounts(store, [other]);
      const { person, membership } = members[0]!;
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.memberships.get(account.id, person.user.id), membership, 'memberships.get');
        expectDeepEqual(await tx.memberships.listByUser(person.user.id), [membership], 'memberships.listByUser');
        expectEqual(await tx.memberships.get(other.id, person.user.id), null, 'memberships.get in an account the user is not a member of');
        expectEqual(await tx.memberships.get(account.id, f.id<UserId>('usr')), null, 'memberships.get of an unknown user');
      });
    }),

    defineCheck('memberships', 'duplicate-exists', ['ACC-3', 'INV-3'], "a second membership of one user in one account gets 'exists' and the first stays unchanged", async (store) => {
      const f = new Fixtures();
      const { account, members } = await seedOrganization(store, f, ['member']);
      const { person, membership } = members[0]!;
      await inTx(store, async (tx) => {
        const again = { ...membership, role: 'owner' as const, createdAt: f.at(99) };
        expectEqual(await tx.memberships.insert(again), 'exists', 'memberships.insert of an existing (account, user)');
      });
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.memberships.get(account.id, person.user.id), membership, 'the membership after the refused insert');
        expectDeepEqual(await tx.memberships.countByRole(account.id), counts(0, 0, 1), 'memberships.countByRole after the refused insert');
      });
    }),

    defineCheck('memberships', 'count-by-role', ['ACC-4', 'PLAN-2'], 'countByRole counts the members of one account by role, with zeros for roles nobody holds', async (store) => {
      const f = new Fixtures();
      const other = f.organization();
      await seedAccounts(store, [other]);
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.memberships.countByRole(other.id), counts(0, 0, 0), 'memberships.countByRole of an account without members');
      });
      const { account } = await seedOrganization(store, f, ['owner', 'member', 'admin', 'owner', 'member', 'member']);
      const [lone] = await seedPeople(store, f, 1);
      await inTx(store, (tx) => insertMembership(tx, f.membership(other.id, lone!.user.id, 'admin')));
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.memberships.countByRole(account.id), counts(2, 1, 3), 'memberships.countByRole');
        expectDeepEqual(await tx.memberships.countByRole(other.id), counts(0, 1, 0), 'memberships.countByRole of another account');
      });
    }),

    defineCheck('memberships', 'update-role', ['ACC-3', 'ACC-5'], "updateRole changes the role and moves the counts; an unknown membership gets 'missing'", async (store) => {
      const f = new Fixtures();
      const { account, members } = await seedOrganization(store, f, ['owner', 'owner', 'member']);
      const target = members[1]!.membership;
      await inTx(store, async (tx) => {
        expectEqual(await tx.memberships.updateRole(account.id, target.userId, 'admin'), 'ok', 'memberships.updateRole');
        const ghost = f.id<UserId>('usr');
        expectEqual(await tx.memberships.updateRole(account.id, ghost, 'admin'), 'missing', 'memberships.updateRole of a non-member');
        expectEqual(await tx.memberships.get(account.id, ghost), null, 'memberships.updateRole of a non-member must not create it');
      });
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.memberships.get(account.id, target.userId), { ...target, role: 'admin' }, 'the membership after updateRole');
        expectDeepEqual(await tx.memberships.countByRole(account.id), counts(1, 1, 1), 'memberships.countByRole after updateRole');
        expectEqual(await tx.memberships.updateRole(account.id, target.userId, 'admin'), 'ok', 'memberships.updateRole to the role it has');
        expectDeepEqual(await tx.memberships.countByRole(account.id), counts(1, 1, 1), 'memberships.countByRole after a same-role updateRole');
      });
    }),

    defineCheck('memberships', 'delete', ['ACC-3'], "delete removes the membership everywhere; deleting it again gets 'missing'", async (store) => {
      const f = new Fixtures();
      const { account, members } = await seedOrganization(store, f, ['owner', 'member', 'member']);
      const gone = members[1]!.membership;
      await inTx(store, async (tx) => {
        expectEqual(await tx.memberships.delete(account.id, gone.userId), 'ok', 'memberships.delete');
      });
      await inTx(store, async (tx) => {
        expectEqual(await tx.memberships.get(account.id, gone.userId), null, 'memberships.get after delete');
        expectDeepEqual(await tx.memberships.listByUser(gone.userId), [], 'memberships.listByUser after delete');
        expectDeepEqual(await tx.memberships.countByRole(account.id), counts(1, 0, 1), 'memberships.countByRole after delete');
        const page = await tx.memberships.listByAccount(account.id, { limit: 10 });
        expectDeepEqual(
          page.items.map((m) => m.userId),
          [members[0]!.membership.userId, members[2]!.membership.userId],
          'memberships.listByAccount after delete',
        );
        expectEqual(await tx.memberships.delete(account.id, gone.userId), 'missing', 'memberships.delete of a deleted membership');
      });
      // A removed member can be added again.
      await inTx(store, async (tx) => {
        expectEqual(await tx.memberships.insert({ ...gone, role: 'admin' }), 'ok', 'memberships.insert after delete');
      });
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.memberships.countByRole(account.id), counts(1, 1, 1), 'memberships.countByRole after re-adding');
      });
    }),

    defineCheck('memberships', 'list-by-user', ['ACC-3'], "listByUser returns every membership of the user across accounts, and only the user's", async (store) => {
      const f = new Fixtures();
      const [alice, bob] = await seedPeople(store, f, 2);
      const orgs = [f.organization(), f.organization(), f.organization()];
      await seedAccounts(store, orgs);
      const roles: AccountRole[] = ['owner', 'admin', 'member'];
      const aliceMemberships = orgs.map((o, i) => f.membership(o.id, alice!.user.id, roles[i]));
      const bobMembership = f.membership(orgs[1]!.id, bob!.user.id, 'member');
      await inTx(store, async (tx) => {
        for (const m of [...aliceMemberships, bobMembership]) await insertMembership(tx, m);
      });
      await inTx(store, async (tx) => {
        const list = [...(await tx.memberships.listByUser(alice!.user.id))].sort(byAccountThenUser);
        expectDeepEqual(list, [...aliceMemberships].sort(byAccountThenUser), 'memberships.listByUser (any order)');
        expectDeepEqual(await tx.memberships.listByUser(bob!.user.id), [bobMembership], 'memberships.listByUser of another user');
        expectDeepEqual(await tx.memberships.listByUser(f.id<UserId>('usr')), [], 'memberships.listByUser of an unknown user');
      });
    }),

    defineCheck('memberships', 'list-by-account-paging', ['ACC-3'], 'listByAccount pages visit every member exactly once in user id order, for several page sizes', async (store) => {
      const f = new Fixtures();
      const ids = Array.from({ length: 7 }, () => f.id<UserId>('usr'));
      // Inserted out of order: the adapter must sort.
      const insertion = [ids[3]!, ids[0]!, ids[6]!, ids[1]!, ids[5]!, ids[2]!, ids[4]!];
      const org = await orgWithUserIds(store, f, insertion);
      const noiseIds = [f.id<UserId>('usr'), f.id<UserId>('usr')];
      const noise = await orgWithUserIds(store, f, noiseIds);
      const empty = f.organization();
      await seedAccounts(store, [empty]);
      for (const limit of pageSizesFor(ids.length)) {
        await expectPages(
          'memberships.listByAccount',
          limit,
          (page) => inTx(store, (tx) => tx.memberships.listByAccount(org.id, page)),
          (m) => m.userId,
          ids,
        );
      }
      await expectPages(
        'memberships.listByAccount of another account',
        1,
        (page) => inTx(store, (tx) => tx.memberships.listByAccount(noise.id, page)),
        (m) => m.userId,
        noiseIds,
      );
      await inTx(store, async (tx) => {
        expectOnlyPage(await tx.memberships.listByAccount(empty.id, { limit: 10 }), [], 'memberships.listByAccount of an account without members');
        const first = await tx.memberships.listByAccount(org.id, { limit: 3 });
        expectDeepEqual(first.items[0], f.membership(org.id, ids[0]!), 'a listed membership is the stored record');
      });
    }),

    defineCheck('memberships', 'list-cursor-after-delete', ['ACC-3'], 'listByAccount continues after a cursor whose member was deleted meanwhile', async (store) => {
      const f = new Fixtures();
      const ids = Array.from({ length: 5 }, () => f.id<UserId>('usr'));
      const org = await orgWithUserIds(store, f, ids);
      const first = await inTx(store, (tx) => tx.memberships.listByAccount(org.id, { limit: 2 }));
      expectEqual(first.nextCursor, ids[1]!, 'nextCursor of the first page');
      await inTx(store, async (tx) => {
        expectEqual(await tx.memberships.delete(org.id, ids[1]!), 'ok', 'memberships.delete of the cursor member');
      });
      const rest = await inTx(store, (tx) => tx.memberships.listByAccount(org.id, { limit: 10, cursor: first.nextCursor! }));
      expectDeepEqual(rest.items.map((m) => m.userId), ids.slice(2), 'the page after the deleted cursor member');
      expectEqual(rest.nextCursor, null, 'nextCursor of the last page');
    }),

    defineCheck('memberships', 'list-order-is-code-unit', ['ACC-3'], 'listByAccount orders user ids by code unit, as JavaScript compares strings (SQL: COLLATE "C")', async (store) => {
      const f = new Fixtures();
      const suffixes = ['b', 'B', 'a', 'A', '_', '-', '0', '9', 'z', 'Z', 'a-b', 'ab', 'a_b', 'aB', 'a0'];
      const ids = suffixes.map((s) => f.id<UserId>('usr', s));
      const org = await orgWithUserIds(store, f, ids);
      const expected = [...ids].sort(byCodeUnit);
      for (const limit of [2, ids.length]) {
        await expectPages(
          'memberships.listByAccount',
          limit,
          (page) => inTx(store, (tx) => tx.memberships.listByAccount(org.id, page)),
          (m) => m.userId,
          expected,
        );
      }
    }),
  ];
}
