import type { ApiKey } from '../../account/api-key.js';
import type { ApiKeyId, UserId } from '../../core/ids.js';
import { asServiceAccount, asUser } from '../../core/principal.js';
import type { Store } from '../../ports/store.js';
import { expectDeepEqual, expectEqual } from './assertions.js';
import { defineCheck, type ConformanceCheck } from './check.js';
import { inTx, insertApiKey, insertPersonal, seedAccessWorld, type AccessWorld, type PersonalRecords } from './fixtures.js';
import { expectOnlyPage, expectPages, pageSizesFor } from './paging.js';

async function seedKeys(store: Store, keys: readonly ApiKey[]): Promise<void> {
  await inTx(store, async (tx) => {
    for (const k of keys) await insertApiKey(tx, k);
  });
}

/** The key after a guarded update: `changes` applied, version + 1. */
function next(key: ApiKey, changes: Partial<ApiKey>): ApiKey {
  return { ...key, ...changes, version: key.version + 1 };
}

/** A user whose id is the id of the world's first service account: owners differ by type too. */
async function namesake(store: Store, w: AccessWorld): Promise<PersonalRecords> {
  const person = w.f.personal({ userId: w.bots[0]!.id as string as UserId });
  await inTx(store, (tx) => insertPersonal(tx, person));
  return person;
}

/** The `apiKeys` suite: API keys of users and service accounts (SA-2, SA-3). */
export function apiKeysChecks(): ConformanceCheck[] {
  return [
    defineCheck('apiKeys', 'insert-and-get', ['SA-2'], 'insert stores keys of users and service accounts that getById returns unchanged', async (store) => {
      const { f, org, people, bots } = await seedAccessWorld(store);
      const alice = people[0]!;
      const keys = [
        f.apiKey(asUser(alice.user.id), alice.account.id),
        f.apiKey(asServiceAccount(bots[0]!.id), org.id, { name: 'déploiement “ci” ✓', expiresAt: f.at(60 * 24 * 90) }),
        f.apiKey(asServiceAccount(bots[0]!.id), org.id, { revokedAt: f.at(30), version: 2 }),
      ];
      const rotated = f.apiKey(asServiceAccount(bots[1]!.id), org.id, { rotatedTo: keys[1]!.id, expiresAt: f.at(60 * 48), version: 2 });
      await seedKeys(store, [...keys, rotated]);
      await inTx(store, async (tx) => {
        for (const k of [...keys, rotated]) expectDeepEqual(await tx.apiKeys.getById(k.id), k, `apiKeys.getById(${k.id})`);
        expectEqual(await tx.apiKeys.getById(f.id<ApiKeyId>('key')), null, 'apiKeys.getById of an unknown id');
      });
    }),

    defineCheck('apiKeys', 'list-by-owner-paging', ['SA-2'], "listByOwner pages visit every key of the owner exactly once in id order, for several page sizes, and never another owner's", async (store) => {
      const w = await seedAccessWorld(store);
      const { f, org, people, bots } = w;
      const bot = asServiceAccount(bots[0]!.id);
      const twin = await namesake(store, w);
      const keys = Array.from({ length: 6 }, () => f.apiKey(bot, org.id));
      const noise = [
        f.apiKey(asServiceAccount(bots[1]!.id), org.id),
        f.apiKey(asUser(people[0]!.user.id), people[0]!.account.id),
        f.apiKey(asUser(twin.user.id), twin.account.id),
      ];
      // Inserted out of order: the adapter must sort.
      await seedKeys(store, [keys[3]!, noise[0]!, keys[0]!, keys[5]!, noise[2]!, keys[1]!, keys[4]!, noise[1]!, keys[2]!]);
      const expected = keys.map((k) => k.id);
      for (const limit of pageSizesFor(keys.length)) {
        await expectPages('apiKeys.listByOwner', limit, (page) => inTx(store, (tx) => tx.apiKeys.listByOwner(bot, page)), (k) => k.id, expected);
      }
      await inTx(store, async (tx) => {
        expectDeepEqual((await tx.apiKeys.listByOwner(bot, { limit: 2 })).items, keys.slice(0, 2), 'keys listed by apiKeys.listByOwner are the stored records');
        expectOnlyPage(await tx.apiKeys.listByOwner(asUser(twin.user.id), { limit: 10 }), [noise[2]!], "apiKeys.listByOwner of a user with a service account's id");
        expectOnlyPage(await tx.apiKeys.listByOwner(asUser(people[1]!.user.id), { limit: 10 }), [], 'apiKeys.listByOwner of a user without keys');
      });
    }),

    defineCheck('apiKeys', 'update-guarded-by-version', ['SA-2', 'SA-3'], "update applies only at the expected version: stale, ahead or unknown gets 'conflict', the right version 'ok'", async (store) => {
      const { f, org, bots } = await seedAccessWorld(store);
      const bot = asServiceAccount(bots[0]!.id);
      const [key, successor] = [f.apiKey(bot, org.id), f.apiKey(bot, org.id)];
      await seedKeys(store, [key, successor]);
      // A rotation keeping the old key alive for 48 hours (SA-3), then a revocation.
      const rotated = next(key, { rotatedTo: successor.id, expiresAt: f.at(60 * 48) });
      const revoked = next(rotated, { revokedAt: f.at(60) });
      await inTx(store, async (tx) => {
        expectEqual(await tx.apiKeys.update(rotated, key.version + 1), 'conflict', 'apiKeys.update with a version ahead of the stored one');
        expectEqual(await tx.apiKeys.update(rotated, key.version - 1), 'conflict', 'apiKeys.update with a stale version');
        const ghost = f.apiKey(bot, org.id);
        expectEqual(await tx.apiKeys.update(next(ghost, {}), ghost.version), 'conflict', 'apiKeys.update of an unknown key');
        expectEqual(await tx.apiKeys.getById(ghost.id), null, 'apiKeys.update of an unknown key must not create it');
        expectDeepEqual(await tx.apiKeys.getById(key.id), key, 'the key after refused updates');
      });
      await inTx(store, async (tx) => {
        expectEqual(await tx.apiKeys.update(rotated, key.version), 'ok', 'apiKeys.update at the stored version');
      });
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.apiKeys.getById(key.id), rotated, 'the key after the update');
        expectEqual(await tx.apiKeys.update(revoked, key.version), 'conflict', 'apiKeys.update with the version read before the last update');
        expectEqual(await tx.apiKeys.update(revoked, rotated.version), 'ok', 'apiKeys.update at the new version');
      });
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.apiKeys.getById(key.id), revoked, 'the key after the second update');
        expectOnlyPage(await tx.apiKeys.listByOwner(bot, { limit: 10 }), [revoked, successor], 'apiKeys.listByOwner after updates');
      });
    }),

    defineCheck('apiKeys', 'delete-by-owner', ['SA-2', 'COL-2'], 'deleteByOwner removes every key of the owner, returns how many, and leaves other owners alone', async (store) => {
      const w = await seedAccessWorld(store);
      const { f, org, people, bots } = w;
      const [bot, bot2] = [asServiceAccount(bots[0]!.id), asServiceAccount(bots[1]!.id)];
      const twin = await namesake(store, w);
      const doomed = [f.apiKey(bot, org.id), f.apiKey(bot, org.id), f.apiKey(bot, org.id, { revokedAt: f.at(20), version: 2 })];
      const kept = [f.apiKey(bot2, org.id), f.apiKey(asUser(twin.user.id), twin.account.id), f.apiKey(asUser(people[0]!.user.id), people[0]!.account.id)];
      await seedKeys(store, [...doomed, ...kept]);
      await inTx(store, async (tx) => {
        expectEqual(await tx.apiKeys.deleteByOwner(bot), 3, 'apiKeys.deleteByOwner returns how many keys it deleted');
      });
      await inTx(store, async (tx) => {
        for (const k of doomed) expectEqual(await tx.apiKeys.getById(k.id), null, `apiKeys.getById(${k.id}) after deleteByOwner`);
        for (const k of kept) expectDeepEqual(await tx.apiKeys.getById(k.id), k, `apiKeys.getById(${k.id}) of another owner`);
        expectOnlyPage(await tx.apiKeys.listByOwner(bot, { limit: 10 }), [], 'apiKeys.listByOwner after deleteByOwner');
        expectOnlyPage(await tx.apiKeys.listByOwner(asUser(twin.user.id), { limit: 10 }), [kept[1]!], "apiKeys.listByOwner of a user with the service account's id");
        expectEqual(await tx.apiKeys.deleteByOwner(bot), 0, 'apiKeys.deleteByOwner of an owner without keys');
        expectEqual(await tx.apiKeys.deleteByOwner(asUser(people[1]!.user.id)), 0, 'apiKeys.deleteByOwner of a user without keys');
      });
    }),
  ];
}
