import type { ResourceId, WorkspaceId } from '../../core/ids.js';
import type { Store } from '../../ports/store.js';
import type { ResourceCounts } from '../../workspace/resource.js';
import { expectDeepEqual, expectEqual } from './assertions.js';
import { defineCheck, type ConformanceCheck } from './check.js';
import { Fixtures, inTx, seedAccounts, seedWorkspaces } from './fixtures.js';

async function expectCounts(store: Store, workspaceId: WorkspaceId, expected: ResourceCounts, what: string): Promise<void> {
  await inTx(store, async (tx) => {
    expectDeepEqual(await tx.resources.countByWorkspace(workspaceId), expected, `${what}: resources.countByWorkspace (kinds with none omitted)`);
  });
}

/** Two fresh workspaces in one fresh organization. */
async function twoWorkspaces(store: Store, f: Fixtures) {
  const org = f.organization();
  await seedAccounts(store, [org]);
  const [a, b] = [f.workspace(org.id), f.workspace(org.id)];
  await seedWorkspaces(store, [a, b]);
  return [a, b] as const;
}

/** The `resources` suite: the resource inventory (WS-2, WS-4). */
export function resourcesChecks(): ConformanceCheck[] {
  return [
    defineCheck('resources', 'count-by-kind', ['WS-2'], 'countByWorkspace counts inserted resources by kind and omits kinds with none', async (store) => {
      const f = new Fixtures();
      const [ws] = await twoWorkspaces(store, f);
      await expectCounts(store, ws.id, {}, 'a workspace without resources');
      const parent = f.resource(ws.id, 'flow-run');
      await inTx(store, async (tx) => {
        await tx.resources.insertMany([
          f.resource(ws.id, 'flow'),
          f.resource(ws.id, 'deployment'),
          f.resource(ws.id, 'deployment'),
          parent,
          f.resource(ws.id, 'task-run', { parentRunId: parent.id }),
          f.resource(ws.id, 'flow-run', { state: 'running', endedAt: null }),
          f.resource(ws.id, 'secret-block'),
        ]);
      });
      await expectCounts(store, ws.id, { flow: 1, deployment: 2, 'flow-run': 2, 'task-run': 1, 'secret-block': 1 }, 'after insertMany');
      await inTx(store, async (tx) => {
        await tx.resources.insertMany([f.resource(ws.id, 'flow'), f.resource(ws.id, 'variable')]);
        await tx.resources.insertMany([]);
      });
      await expectCounts(store, ws.id, { flow: 2, deployment: 2, 'flow-run': 2, 'task-run': 1, 'secret-block': 1, variable: 1 }, 'after a second insertMany and an empty one');
    }),

    defineCheck('resources', 'workspaces-isolated', ['WS-2'], 'one insertMany may span workspaces; each workspace counts only its own resources', async (store) => {
      const f = new Fixtures();
      const [a, b] = await twoWorkspaces(store, f);
      await inTx(store, async (tx) => {
        await tx.resources.insertMany([f.resource(a.id, 'flow'), f.resource(b.id, 'flow'), f.resource(b.id, 'block'), f.resource(a.id, 'log')]);
      });
      await expectCounts(store, a.id, { flow: 1, log: 1 }, 'workspace a');
      await expectCounts(store, b.id, { flow: 1, block: 1 }, 'workspace b');
    }),

    defineCheck('resources', 'delete-by-workspace', ['WS-4'], 'deleteByWorkspace removes every resource of the workspace, returns how many, and leaves others untouched', async (store) => {
      const f = new Fixtures();
      const [a, b] = await twoWorkspaces(store, f);
      await inTx(store, async (tx) => {
        await tx.resources.insertMany([
          ...Array.from({ length: 5 }, () => f.resource(a.id, 'flow-run')),
          f.resource(a.id, 'work-pool'),
          f.resource(a.id, 'automation'),
          f.resource(b.id, 'work-pool'),
        ]);
      });
      await inTx(store, async (tx) => {
        expectEqual(await tx.resources.deleteByWorkspace(a.id), 7, 'resources.deleteByWorkspace returns the number deleted');
      });
      await expectCounts(store, a.id, {}, 'the emptied workspace');
      await expectCounts(store, b.id, { 'work-pool': 1 }, 'the other workspace');
      await inTx(store, async (tx) => {
        expectEqual(await tx.resources.deleteByWorkspace(a.id), 0, 'resources.deleteByWorkspace of an emptied workspace');
        await tx.resources.insertMany([f.resource(a.id, 'artifact')]);
      });
      await expectCounts(store, a.id, { artifact: 1 }, 'after tracking again');
    }),

    defineCheck('resources', 'delete-empty-workspace', ['WS-4'], 'deleteByWorkspace of a workspace without resources returns 0', async (store) => {
      const f = new Fixtures();
      const [a, b] = await twoWorkspaces(store, f);
      await inTx(store, (tx) => tx.resources.insertMany([f.resource(b.id, 'flow')]));
      await inTx(store, async (tx) => {
        expectEqual(await tx.resources.deleteByWorkspace(a.id), 0, 'resources.deleteByWorkspace of a workspace without resources');
        expectDeepEqual(await tx.resources.countByWorkspace(a.id), {}, 'resources.countByWorkspace of a workspace without resources');
      });
      await expectCounts(store, b.id, { flow: 1 }, 'the other workspace');
    }),

    defineCheck('resources', 'large-batch', ['WS-2', 'RET-2'], 'insertMany takes 1000 resources in one call (the largest batch the kit sends)', async (store) => {
      const f = new Fixtures();
      const [a] = await twoWorkspaces(store, f);
      const batch = Array.from({ length: 1000 }, (_, i) =>
        f.resource(a.id, i % 4 === 0 ? 'task-run' : 'flow-run', { id: f.id<ResourceId>('res', `big${String(i).padStart(4, '0')}`) }),
      );
      await inTx(store, (tx) => tx.resources.insertMany(batch));
      await expectCounts(store, a.id, { 'flow-run': 750, 'task-run': 250 }, 'after a batch of 1000');
      await inTx(store, async (tx) => {
        expectEqual(await tx.resources.deleteByWorkspace(a.id), 1000, 'resources.deleteByWorkspace of 1000 resources');
      });
    }),
  ];
}
