import { afterAll } from 'vitest';
import type { Store } from '../../../src/ports/store.js';
import { SHORT_RUN_COVERAGE, describeAccessModel } from '../../properties/access-model.js';
import { dumpTables, postgresTestDatabase, type TestStore } from './stores.js';

// The access model on the Kysely adapter over PostgreSQL. Runs are sequential, so one schema,
// emptied between runs, serves them all. A refused command must leave every row of every table
// as it was, read with plain SQL past the adapter.
const pg = postgresTestDatabase();
afterAll(() => pg.close());
const made = new Map<Store, TestStore>();

describeAccessModel(
  'kysely postgres',
  async () => {
    made.clear();
    const entry = await pg.recycledStore();
    made.set(entry.store, entry);
    return entry.store;
  },
  { numRuns: 25, maxCommands: 30, principalsPerStep: 1, coverage: SHORT_RUN_COVERAGE, dump: (store) => dumpTables(made.get(store)!) },
);
