import { afterAll, describe, it } from 'vitest';
import { describeStoreConformance } from '../../../src/testing.js';
import { postgresTestDatabase, releaseStore } from './stores.js';

// STORE-3: the Kysely adapter on a real PostgreSQL server passes the whole suite, each check
// in a fresh schema. Without WORKSPACE_KIT_TEST_PG_URL this file fails; it never skips.
const pg = postgresTestDatabase();
afterAll(() => pg.close());

describeStoreConformance(
  { describe, it },
  { name: 'kysely postgres', createStore: async () => (await pg.makeStore()).store, destroyStore: releaseStore },
);
