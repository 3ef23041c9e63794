import { afterAll, describe, it } from 'vitest';
import { describeStoreConformance } from '../../../src/testing.js';
import { releaseStore, sqliteFileDirectory, sqliteFileStore } from './stores.js';

// STORE-3: the Kysely adapter on a SQLite file in WAL mode passes the whole suite; each check
// gets its own file in a temporary directory, deleted afterwards.
const files = sqliteFileDirectory();
afterAll(() => files.remove());

describeStoreConformance(
  { describe, it },
  { name: 'kysely sqlite file (WAL)', createStore: async () => (await sqliteFileStore(files.dir)).store, destroyStore: releaseStore },
);
