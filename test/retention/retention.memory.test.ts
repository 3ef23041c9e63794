import { createMemoryStore } from '../../src/adapters/memory/memory-store.js';
import { describeRetention, type StoredResource } from './retention.js';

const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describeRetention(
  'memory',
  () => {
    const store = createMemoryStore();
    return Promise.resolve({
      store,
      resources: (): Promise<StoredResource[]> =>
        Promise.resolve(
          store
            .snapshot()
            .resources.map((r) => ({ id: r.id, workspaceId: r.workspaceId, kind: r.kind, name: r.name, state: r.state, endedAt: r.endedAt, parentRunId: r.parentRunId }))
            .sort(byId),
        ),
      others: () => {
        const { resources: _r, audit: _a, ...rest } = store.snapshot();
        return Promise.resolve(rest);
      },
      auditCount: () => Promise.resolve(store.snapshot().audit.length),
      release: () => Promise.resolve(),
    });
  },
  { numRuns: 150 },
);
