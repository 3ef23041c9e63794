import { describe, it } from 'vitest';
import { describeStoreConformance } from '../../../src/testing.js';
import { releaseStore, sqliteMemoryStore } from './stores.js';

// STORE-3: the Kysely adapter on SQLite (better-sqlite3, in memory) passes the whole suite,
// a fresh database per check.
describeStoreConformance(
  { describe, it },
  { name: 'kysely sqlite :memory:', createStore: async () => (await sqliteMemoryStore()).store, destroyStore: releaseStore },
);

// The same with every table behind a prefix (`wk_users`, …): names are never hard-coded.
describeStoreConformance(
  { describe, it },
  {
    name: 'kysely sqlite :memory: with tablePrefix wk_',
    createStore: async () => (await sqliteMemoryStore({ tablePrefix: 'wk_' })).store,
    destroyStore: releaseStore,
  },
);
