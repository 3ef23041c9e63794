import { createMemoryStore, type MemoryStore } from '../../src/adapters/memory/memory-store.js';
import type { Store } from '../../src/ports/store.js';
import { describeTransferModel } from './transfer-model.js';

// "The plan is the truth" on the in-memory store: resource ids and the whole stored state come
// from the store's deep snapshot, so a refused transfer is checked against every record.
const snapshotOf = (store: Store) => (store as MemoryStore).snapshot();

describeTransferModel('memory', () => createMemoryStore(), {
  numRuns: 100,
  resourceIds: (store, workspaceId) =>
    Promise.resolve(
      snapshotOf(store)
        .resources.filter((r) => r.workspaceId === workspaceId)
        .map((r) => r.id),
    ),
  dump: (store) => Promise.resolve(snapshotOf(store)),
  requireCoverage: true,
});
