import type { Handle } from '../../core/handle.js';
import type { AccountId, WorkspaceId } from '../../core/ids.js';
import type { Store } from '../../ports/store.js';
import type { Workspace } from '../../workspace/workspace.js';
import { byCodeUnit, expectDeepEqual, expectEqual } from './assertions.js';
import { defineCheck, type ConformanceCheck } from './check.js';
import { Fixtures, inTx, seedAccounts, seedWorkspaces } from './fixtures.js';
import { expectOnlyPage, expectPages, pageSizesFor } from './paging.js';

/** The workspace as it is after an update to `changes` (version + 1). */
function edited(workspace: Workspace, changes: Partial<Workspace>): Workspace {
  return { ...workspace, ...changes, version: workspace.version + 1, updatedAt: '2026-02-01T00:00:00.000Z' };
}

/** Checks every index of one account: count, listing (in handle order) and handle lookups. */
async function expectAccountHolds(store: Store, accountId: AccountId, expected: readonly Workspace[], what: string): Promise<void> {
  const sorted = [...expected].sort((a, b) => byCodeUnit(a.handle, b.handle));
  await inTx(store, async (tx) => {
    expectEqual(await tx.workspaces.countByAccount(accountId), expected.length, `${what}: workspaces.countByAccount`);
    const page = await tx.workspaces.listByAccount(accountId, { limit: 500 });
    expectOnlyPage(page, sorted, `${what}: workspaces.listByAccount`);
    for (const w of expected) {
      expectDeepEqual(await tx.workspaces.getByHandle(accountId, w.handle), w, `${what}: workspaces.getByHandle(${w.handle})`);
      expectDeepEqual(await tx.workspaces.getById(w.id), w, `${what}: workspaces.getById(${w.id})`);
    }
  });
}

/** The `workspaces` suite: the workspace repository (WS-1, WS-3, WS-4, WS-5, HDL-1, HDL-3). */
export function workspacesChecks(): ConformanceCheck[] {
  return [
    defineCheck('workspaces', 'insert-and-get', ['WS-1'], 'insert stores a workspace that getById, getByHandle, countByAccount and listByAccount return', async (store) => {
      const f = new Fixtures();
      const [org, other] = [f.organization(), f.organization()];
      await seedAccounts(store, [org, other]);
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.countByAccount(org.id), 0, 'workspaces.countByAccount of an account without workspaces');
        expectOnlyPage(await tx.workspaces.listByAccount(org.id, { limit: 10 }), [], 'workspaces.listByAccount of an account without workspaces');
      });
      const ws = [f.workspace(org.id), f.workspace(org.id, { description: '' })];
      await seedWorkspaces(store, ws);
      await expectAccountHolds(store, org.id, ws, 'after insert');
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.getByHandle(other.id, ws[0]!.handle), null, 'workspaces.getByHandle in another account');
        expectEqual(await tx.workspaces.getById(f.id<WorkspaceId>('ws')), null, 'workspaces.getById of an unknown id');
        expectEqual(await tx.workspaces.countByAccount(other.id), 0, 'workspaces.countByAccount of another account');
      });
    }),

    defineCheck('workspaces', 'handle-unique-per-account', ['HDL-1'], "a handle is unique within one account ('handle-taken') but free in another", async (store) => {
      const f = new Fixtures();
      const [a, b] = [f.organization(), f.organization()];
      await seedAccounts(store, [a, b]);
      const first = f.workspace(a.id, { handle: 'prod' as Handle });
      await seedWorkspaces(store, [first]);
      const sameInOther = f.workspace(b.id, { handle: first.handle });
      const clash = f.workspace(a.id, { handle: first.handle, description: 'the clash' });
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.insert(sameInOther), 'ok', 'workspaces.insert of a handle used in another account');
        expectEqual(await tx.workspaces.insert(clash), 'handle-taken', 'workspaces.insert of a handle taken in the same account');
      });
      await expectAccountHolds(store, a.id, [first], 'the account with the clash');
      await expectAccountHolds(store, b.id, [sameInOther], 'the other account');
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.getById(clash.id), null, 'workspaces.getById of the refused workspace');
      });
    }),

    defineCheck('workspaces', 'list-by-account-paging', ['WS-1'], 'listByAccount pages visit every workspace of the account exactly once in handle order, for several page sizes', async (store) => {
      const f = new Fixtures();
      const [org, other] = [f.organization(), f.organization()];
      await seedAccounts(store, [org, other]);
      const ws = Array.from({ length: 8 }, () => f.workspace(org.id));
      const shuffled = [ws[5]!, ws[2]!, ws[7]!, ws[0]!, ws[3]!, ws[6]!, ws[1]!, ws[4]!];
      await seedWorkspaces(store, [...shuffled, f.workspace(other.id), f.workspace(other.id)]);
      const expected = ws.map((w) => w.handle);
      for (const limit of pageSizesFor(ws.length)) {
        await expectPages(
          'workspaces.listByAccount',
          limit,
          (page) => inTx(store, (tx) => tx.workspaces.listByAccount(org.id, page)),
          (w) => w.handle,
          expected,
        );
      }
      const firstPage = await inTx(store, (tx) => tx.workspaces.listByAccount(org.id, { limit: 2 }));
      expectDeepEqual(firstPage.items, [ws[0], ws[1]], 'a listed workspace is the stored record');
    }),

    defineCheck('workspaces', 'list-order-is-code-unit', ['WS-1'], 'listByAccount orders handles by code unit, as JavaScript compares strings (SQL: COLLATE "C")', async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const handles = ['b', 'a-b', 'ab', 'a', 'a0', 'a-1', '0a', '9', 'a1b', 'a-0', 'z-z', 'zz'];
      const ws = handles.map((h) => f.workspace(org.id, { handle: h as Handle }));
      await seedWorkspaces(store, ws);
      const expected = [...handles].sort(byCodeUnit);
      for (const limit of [2, handles.length]) {
        await expectPages(
          'workspaces.listByAccount',
          limit,
          (page) => inTx(store, (tx) => tx.workspaces.listByAccount(org.id, page)),
          (w) => w.handle,
          expected,
        );
      }
    }),

    defineCheck('workspaces', 'update-guarded-by-version', ['WS-5'], "update applies only at the expected version: stale or unknown gets 'conflict', the right version 'ok'", async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const w = f.workspace(org.id);
      await seedWorkspaces(store, [w]);
      const next = edited(w, { description: 'edited' });
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.update(next, w.version + 1), 'conflict', 'workspaces.update with a version ahead of the stored one');
        expectEqual(await tx.workspaces.update(next, w.version - 1), 'conflict', 'workspaces.update with a stale version');
        const ghost = f.workspace(org.id);
        expectEqual(await tx.workspaces.update(edited(ghost, {}), ghost.version), 'conflict', 'workspaces.update of an unknown workspace');
        expectEqual(await tx.workspaces.getById(ghost.id), null, 'workspaces.update of an unknown workspace must not create it');
      });
      await expectAccountHolds(store, org.id, [w], 'after refused updates');
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.update(next, w.version), 'ok', 'workspaces.update at the stored version');
      });
      await expectAccountHolds(store, org.id, [next], 'after the update');
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.update(edited(next, { description: 'again' }), w.version), 'conflict', 'workspaces.update with the version read before the last update');
      });
    }),

    defineCheck('workspaces', 'rename-frees-handle', ['WS-3', 'HDL-3'], 'an update that renames the workspace frees the old handle and indexes the new one', async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const [w, neighbour] = [f.workspace(org.id, { handle: 'mmm' as Handle }), f.workspace(org.id, { handle: 'nnn' as Handle })];
      await seedWorkspaces(store, [w, neighbour]);
      const renamed = edited(w, { handle: 'zzz' as Handle });
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.update(renamed, w.version), 'ok', 'workspaces.update with a new handle');
      });
      await expectAccountHolds(store, org.id, [renamed, neighbour], 'after the rename');
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.getByHandle(org.id, w.handle), null, 'workspaces.getByHandle of the old handle');
      });
      const reuser = f.workspace(org.id, { handle: w.handle });
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.insert(reuser), 'ok', 'workspaces.insert with the freed handle (HDL-3)');
      });
      await expectAccountHolds(store, org.id, [renamed, neighbour, reuser], 'after reusing the old handle');
    }),

    defineCheck('workspaces', 'update-to-taken-handle', ['HDL-1'], "an update to a handle taken in the account gets 'handle-taken' and changes nothing", async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const [a, b] = [f.workspace(org.id), f.workspace(org.id)];
      await seedWorkspaces(store, [a, b]);
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.update(edited(b, { handle: a.handle }), b.version), 'handle-taken', 'workspaces.update to a taken handle');
      });
      await expectAccountHolds(store, org.id, [a, b], 'after the refused update');
      const same = edited(b, { description: 'keeps its handle' });
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.update(same, b.version), 'ok', 'workspaces.update that keeps its own handle');
      });
      await expectAccountHolds(store, org.id, [a, same], 'after an update that keeps the handle');
    }),

    defineCheck('workspaces', 'transfer-moves-between-accounts', ['XFER-1', 'HDL-3'], 'an update that changes accountId moves the workspace between the accounts\' listings, counts and handle lookups', async (store) => {
      const f = new Fixtures();
      const [source, target] = [f.organization(), f.organization()];
      await seedAccounts(store, [source, target]);
      const [moving, staying, resident] = [f.workspace(source.id), f.workspace(source.id), f.workspace(target.id)];
      await seedWorkspaces(store, [moving, staying, resident]);
      const moved = edited(moving, { accountId: target.id });
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.update(moved, moving.version), 'ok', 'workspaces.update that changes accountId');
      });
      await expectAccountHolds(store, source.id, [staying], 'the source account after the transfer');
      await expectAccountHolds(store, target.id, [resident, moved], 'the target account after the transfer');
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.getByHandle(source.id, moving.handle), null, 'workspaces.getByHandle in the source account');
      });
      // The handle is free again in the source (HDL-3); a transfer with a rename works too.
      const reuser = f.workspace(source.id, { handle: moving.handle });
      const back = edited(moved, { accountId: source.id, handle: f.handle('back') });
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.insert(reuser), 'ok', 'workspaces.insert of the handle freed by the transfer');
        expectEqual(await tx.workspaces.update(back, moved.version), 'ok', 'workspaces.update that changes accountId and handle');
      });
      await expectAccountHolds(store, source.id, [staying, reuser, back], 'the source account after the transfer back');
      await expectAccountHolds(store, target.id, [resident], 'the target account after the transfer back');
    }),

    defineCheck('workspaces', 'transfer-to-taken-handle', ['XFER-4', 'HDL-1'], "an update that moves a workspace to an account where its handle is taken gets 'handle-taken' and moves nothing", async (store) => {
      const f = new Fixtures();
      const [source, target] = [f.organization(), f.organization()];
      await seedAccounts(store, [source, target]);
      const moving = f.workspace(source.id);
      const holder = f.workspace(target.id, { handle: moving.handle });
      await seedWorkspaces(store, [moving, holder]);
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.update(edited(moving, { accountId: target.id }), moving.version), 'handle-taken', 'workspaces.update into an account where the handle is taken');
      });
      await expectAccountHolds(store, source.id, [moving], 'the source account');
      await expectAccountHolds(store, target.id, [holder], 'the target account');
    }),

    defineCheck('workspaces', 'delete-guarded-by-version', ['WS-4', 'WS-5', 'HDL-3'], "delete applies only at the expected version ('conflict' otherwise) and frees the handle", async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const [w, keep] = [f.workspace(org.id), f.workspace(org.id)];
      await seedWorkspaces(store, [w, keep]);
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.delete(w.id, w.version + 1), 'conflict', 'workspaces.delete with a version ahead of the stored one');
        expectEqual(await tx.workspaces.delete(w.id, w.version - 1), 'conflict', 'workspaces.delete with a stale version');
        expectEqual(await tx.workspaces.delete(f.id<WorkspaceId>('ws'), 1), 'conflict', 'workspaces.delete of an unknown workspace');
      });
      await expectAccountHolds(store, org.id, [w, keep], 'after refused deletes');
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.delete(w.id, w.version), 'ok', 'workspaces.delete at the stored version');
      });
      await expectAccountHolds(store, org.id, [keep], 'after the delete');
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.getById(w.id), null, 'workspaces.getById after delete');
        expectEqual(await tx.workspaces.getByHandle(org.id, w.handle), null, 'workspaces.getByHandle after delete');
        expectEqual(await tx.workspaces.delete(w.id, w.version), 'conflict', 'workspaces.delete of a deleted workspace');
      });
      const reuser = f.workspace(org.id, { handle: w.handle });
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.insert(reuser), 'ok', 'workspaces.insert with the handle freed by delete (HDL-3)');
      });
      await expectAccountHolds(store, org.id, [keep, reuser], 'after reusing the handle');
    }),
  ];
}
