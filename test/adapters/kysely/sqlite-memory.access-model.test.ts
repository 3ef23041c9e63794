import type { Store } from '../../../src/ports/store.js';
import { SHORT_RUN_COVERAGE, describeAccessModel } from '../../properties/access-model.js';
import { dumpTables, releaseStore, sqliteMemoryStore, type TestStore } from './stores.js';

// The access model on the Kysely adapter over SQLite in memory: a fresh database per run,
// closed when the run ends. A refused command must leave every row of every table as it was,
// read with plain SQL past the adapter.
const made = new Map<Store, TestStore>();

describeAccessModel(
  'kysely sqlite',
  async () => {
    const entry = await sqliteMemoryStore();
    made.set(entry.store, entry);
    return entry.store;
  },
  {
    numRuns: 40,
    maxCommands: 30,
    principalsPerStep: 1,
    coverage: SHORT_RUN_COVERAGE,
    dump: (store) => dumpTables(made.get(store)!),
    release: async (store) => {
      made.delete(store);
      await releaseStore(store);
    },
  },
);
