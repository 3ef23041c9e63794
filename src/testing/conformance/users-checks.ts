import type { UserId } from '../../core/ids.js';
import { expectDeepEqual, expectEqual } from './assertions.js';
import { defineCheck, type ConformanceCheck } from './check.js';
import { Fixtures, inTx, insertPersonal } from './fixtures.js';

/** The `users` suite: the user repository (ACC-1). */
export function usersChecks(): ConformanceCheck[] {
  return [
    defineCheck('users', 'insert-and-get', ['ACC-1'], 'insert stores users that getById and getByEmail return unchanged', async (store) => {
      const f = new Fixtures();
      const people = [f.personal(), f.personal(), f.personal()];
      await inTx(store, async (tx) => {
        for (const p of people) await insertPersonal(tx, p);
      });
      await inTx(store, async (tx) => {
        for (const { user } of people) {
          expectDeepEqual(await tx.users.getById(user.id), user, `users.getById(${user.id})`);
          expectDeepEqual(await tx.users.getByEmail(user.email), user, `users.getByEmail(${user.email})`);
        }
      });
    }),

    defineCheck('users', 'email-unique', ['ACC-1'], "a second user with a taken email gets 'email-taken' and the first stays unchanged", async (store) => {
      const f = new Fixtures();
      const first = f.personal();
      await inTx(store, (tx) => insertPersonal(tx, first));
      const second = f.personal({ email: first.user.email });
      await inTx(store, async (tx) => {
        expectEqual(await tx.users.insert(second.user), 'email-taken', 'users.insert with a taken email');
      });
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.users.getByEmail(first.user.email), first.user, 'users.getByEmail after the refused insert');
        expectDeepEqual(await tx.users.getById(first.user.id), first.user, 'users.getById of the first user');
        expectEqual(await tx.users.getById(second.user.id), null, 'users.getById of the refused user');
      });
    }),

    defineCheck('users', 'unknown-is-null', ['ACC-1'], 'getById and getByEmail return null for unknown users', async (store) => {
      const f = new Fixtures();
      await inTx(store, async (tx) => {
        expectEqual(await tx.users.getById(f.id<UserId>('usr')), null, 'users.getById on an empty store');
        expectEqual(await tx.users.getByEmail(`nobody-${f.tag}@example.test`), null, 'users.getByEmail on an empty store');
      });
      const p = f.personal();
      await inTx(store, (tx) => insertPersonal(tx, p));
      await inTx(store, async (tx) => {
        expectEqual(await tx.users.getById(f.id<UserId>('usr')), null, 'users.getById of an unknown id');
        expectEqual(await tx.users.getByEmail(`other-${p.user.email}`), null, 'users.getByEmail of an unknown email');
      });
    }),
  ];
}
