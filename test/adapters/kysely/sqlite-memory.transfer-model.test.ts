import { sql } from 'kysely';
import type { Store } from '../../../src/ports/store.js';
import { describeTransferModel } from '../../properties/transfer-model.js';
import { dumpTables, releaseStore, sqliteMemoryStore, type TestStore } from './stores.js';

// "The plan is the truth" on the Kysely adapter over SQLite in memory: a fresh database per
// world, closed when the world ends. Resource ids are read with plain SQL past the adapter, and
// a refused transfer must leave every row of every table as it was.
const made = new Map<Store, TestStore>();
const entryOf = (store: Store): TestStore => made.get(store)!;

describeTransferModel(
  'kysely sqlite',
  async () => {
    const entry = await sqliteMemoryStore();
    made.set(entry.store, entry);
    return entry.store;
  },
  {
    numRuns: 25,
    resourceIds: async (store, workspaceId) => {
      const entry = entryOf(store);
      const { rows } = await sql<{ id: string }>`select id from ${entry.table('resources')} where workspace_id = ${workspaceId}`.execute(entry.db);
      return rows.map((r) => r.id);
    },
    dump: (store) => dumpTables(entryOf(store)),
    release: async (store) => {
      made.delete(store);
      await releaseStore(store);
    },
  },
);
