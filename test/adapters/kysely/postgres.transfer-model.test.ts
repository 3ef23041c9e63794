import { sql } from 'kysely';
import { afterAll } from 'vitest';
import type { Store } from '../../../src/ports/store.js';
import { describeTransferModel } from '../../properties/transfer-model.js';
import { dumpTables, postgresTestDatabase, type TestStore } from './stores.js';

// "The plan is the truth" on the Kysely adapter over PostgreSQL. Worlds are built one after the
// other, so one schema, emptied between worlds, serves them all. Resource ids are read with
// plain SQL past the adapter, and a refused transfer must leave every row of every table as it was.
const pg = postgresTestDatabase();
afterAll(() => pg.close());
const made = new Map<Store, TestStore>();
const entryOf = (store: Store): TestStore => made.get(store)!;

describeTransferModel(
  'kysely postgres',
  async () => {
    made.clear();
    const entry = await pg.recycledStore();
    made.set(entry.store, entry);
    return entry.store;
  },
  {
    numRuns: 15,
    resourceIds: async (store, workspaceId) => {
      const entry = entryOf(store);
      const { rows } = await sql<{ id: string }>`select id from ${entry.table('resources')} where workspace_id = ${workspaceId}`.execute(entry.db);
      return rows.map((r) => r.id);
    },
    dump: (store) => dumpTables(entryOf(store)),
  },
);
