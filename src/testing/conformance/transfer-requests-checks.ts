import type { TransferRequestId, WorkspaceId } from '../../core/ids.js';
import { asUser } from '../../core/principal.js';
import type { Store } from '../../ports/store.js';
import type { TransferRequest } from '../../transfer-planner/transfer-request.js';
import { expectDeepEqual, expectEqual } from './assertions.js';
import { defineCheck, type ConformanceCheck } from './check.js';
import { inTx, insertTransferRequest, seedAccessWorld, type AccessWorld } from './fixtures.js';

async function seedRequests(store: Store, requests: readonly TransferRequest[]): Promise<void> {
  await inTx(store, async (tx) => {
    for (const r of requests) await insertTransferRequest(tx, r);
  });
}

/** The request as it is after a guarded update to `changes` (version + 1). */
function next(request: TransferRequest, changes: Partial<TransferRequest>): TransferRequest {
  return { ...request, ...changes, version: request.version + 1 };
}

/** A request of `ws[i]` from `org` to `other`, requested by the first user of the world. */
function requestOf(w: AccessWorld, i: number, overrides: Partial<TransferRequest> = {}): TransferRequest {
  return w.f.transferRequest(w.ws[i]!, w.other.id, asUser(w.people[0]!.user.id), overrides);
}

/** Expects getPendingByWorkspace of each listed workspace. */
async function expectPending(store: Store, expected: readonly (readonly [WorkspaceId, TransferRequest | null])[], what: string): Promise<void> {
  await inTx(store, async (tx) => {
    for (const [workspaceId, request] of expected) {
      expectDeepEqual(await tx.transferRequests.getPendingByWorkspace(workspaceId), request, `${what}: transferRequests.getPendingByWorkspace(${workspaceId})`);
    }
  });
}

/** The `transferRequests` suite: transfer requests awaiting the other side (XFER-2, XFER-3). */
export function transferRequestsChecks(): ConformanceCheck[] {
  return [
    defineCheck('transferRequests', 'insert-and-get', ['XFER-2', 'XFER-3'], 'insert stores pending and answered requests that getById returns unchanged, principals and nulls included; getPendingByWorkspace returns the pending one', async (store) => {
      const w = await seedAccessWorld(store);
      const { f, people, ws } = w;
      const pending = requestOf(w, 0, { newHandle: f.handle('moved') });
      const support = requestOf(w, 1, { awaiting: 'support', requestedBy: { type: 'system', name: 'conformance “support” ✓' } });
      const answered = requestOf(w, 0, {
        status: 'approved',
        awaiting: 'source',
        requestedBy: { type: 'service-account', serviceAccountId: w.bots[0]!.id },
        respondedAt: f.at(30),
        respondedBy: asUser(people[1]!.user.id),
        version: 3,
      });
      await seedRequests(store, [pending, support, answered]);
      await inTx(store, async (tx) => {
        for (const r of [pending, support, answered]) expectDeepEqual(await tx.transferRequests.getById(r.id), r, `transferRequests.getById(${r.id})`);
        expectEqual(await tx.transferRequests.getById(f.id<TransferRequestId>('xfer')), null, 'transferRequests.getById of an unknown id');
      });
      await expectPending(store, [[ws[0]!.id, pending], [ws[1]!.id, support], [ws[2]!.id, null], [w.otherWs[0]!.id, null], [f.id<WorkspaceId>('ws'), null]], 'after inserts');
    }),

    defineCheck('transferRequests', 'one-pending-per-workspace', ['XFER-2', 'XFER-4'], "a second pending request for one workspace gets 'exists', whatever its target or expiry, and the first stays unchanged; answered requests neither block nor are blocked", async (store) => {
      const w = await seedAccessWorld(store);
      const { f, org, ws } = w;
      const first = requestOf(w, 0);
      await seedRequests(store, [first]);
      const second = requestOf(w, 0, { targetAccountId: w.people[1]!.account.id, expiresAt: f.at(99_999) });
      const cancelled = requestOf(w, 0, { status: 'cancelled', respondedAt: f.at(20), respondedBy: asUser(w.people[0]!.user.id) });
      const elsewhere = requestOf(w, 1);
      await inTx(store, async (tx) => {
        expectEqual(await tx.transferRequests.insert(second), 'exists', 'transferRequests.insert of a second pending request for the workspace');
        expectEqual(await tx.transferRequests.insert(cancelled), 'ok', 'transferRequests.insert of an answered request while one is pending');
        expectEqual(await tx.transferRequests.insert(elsewhere), 'ok', 'transferRequests.insert of a pending request for another workspace');
        expectDeepEqual(await tx.transferRequests.getPendingByWorkspace(ws[0]!.id), first, 'transferRequests.getPendingByWorkspace in the same unit of work');
      });
      await inTx(store, async (tx) => {
        expectEqual(await tx.transferRequests.getById(second.id), null, 'transferRequests.getById of the refused request');
        expectDeepEqual(await tx.transferRequests.getById(cancelled.id), cancelled, 'the answered request');
        // The workspace's account is the source; a request back from the target is one more for the same workspace.
        expectEqual(await tx.transferRequests.insert(requestOf(w, 0, { sourceAccountId: w.other.id, targetAccountId: org.id })), 'exists', 'transferRequests.insert of a pending request in the opposite direction');
      });
      await expectPending(store, [[ws[0]!.id, first], [ws[1]!.id, elsewhere], [ws[2]!.id, null]], 'after the refused insert');
    }),

    defineCheck('transferRequests', 'update-guarded-by-version', ['XFER-2', 'XFER-5'], "update applies only at the expected version: stale, ahead or unknown gets 'conflict', the right version 'ok'; a request out of pending is no longer the workspace's pending one", async (store) => {
      const w = await seedAccessWorld(store);
      const { f, people, ws } = w;
      const request = requestOf(w, 0);
      await seedRequests(store, [request]);
      const approved = next(request, { status: 'approved', respondedAt: f.at(40), respondedBy: asUser(people[2]!.user.id) });
      await inTx(store, async (tx) => {
        expectEqual(await tx.transferRequests.update(approved, request.version + 1), 'conflict', 'transferRequests.update with a version ahead of the stored one');
        expectEqual(await tx.transferRequests.update(approved, request.version - 1), 'conflict', 'transferRequests.update with a stale version');
        const ghost = requestOf(w, 1);
        expectEqual(await tx.transferRequests.update(next(ghost, { status: 'cancelled' }), ghost.version), 'conflict', 'transferRequests.update of an unknown request');
        expectEqual(await tx.transferRequests.getById(ghost.id), null, 'transferRequests.update of an unknown request must not create it');
      });
      await expectPending(store, [[ws[0]!.id, request]], 'after refused updates');
      await inTx(store, async (tx) => {
        expectEqual(await tx.transferRequests.update(approved, request.version), 'ok', 'transferRequests.update at the stored version');
        expectDeepEqual(await tx.transferRequests.getById(request.id), approved, 'transferRequests.getById in the same unit of work');
      });
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.transferRequests.getById(request.id), approved, 'transferRequests.getById after the update');
        expectEqual(await tx.transferRequests.update(next(request, { status: 'rejected' }), request.version), 'conflict', 'transferRequests.update with the version read before the last update');
      });
      await expectPending(store, [[ws[0]!.id, null]], 'after the request was approved');
      // A pending request may be updated and stay pending (e.g. a new expiry).
      const other = requestOf(w, 1);
      await seedRequests(store, [other]);
      const extended = next(other, { expiresAt: f.at(9_999) });
      await inTx(store, async (tx) => {
        expectEqual(await tx.transferRequests.update(extended, other.version), 'ok', 'transferRequests.update of a pending request that stays pending');
      });
      await expectPending(store, [[ws[1]!.id, extended]], 'after an update that stays pending');
    }),

    defineCheck('transferRequests', 'update-frees-pending-slot', ['XFER-2'], 'an update out of pending (expired, cancelled, rejected) frees the workspace for a new pending request', async (store) => {
      const w = await seedAccessWorld(store);
      const { f, people, ws } = w;
      const first = requestOf(w, 0);
      await seedRequests(store, [first]);
      const expired = next(first, { status: 'expired' });
      const second = requestOf(w, 0, { targetAccountId: people[1]!.account.id });
      await inTx(store, async (tx) => {
        expectEqual(await tx.transferRequests.update(expired, first.version), 'ok', 'transferRequests.update to expired');
        expectEqual(await tx.transferRequests.insert(second), 'ok', 'transferRequests.insert of a pending request after the previous one expired');
      });
      await expectPending(store, [[ws[0]!.id, second]], 'after the first request expired');
      const rejected = next(second, { status: 'rejected', respondedAt: f.at(50), respondedBy: asUser(people[2]!.user.id) });
      const third = requestOf(w, 0);
      await inTx(store, async (tx) => {
        expectEqual(await tx.transferRequests.update(rejected, second.version), 'ok', 'transferRequests.update to rejected');
        expectEqual(await tx.transferRequests.insert(third), 'ok', 'transferRequests.insert after the previous one was rejected');
        // An answered request can still be updated while another one is pending for its workspace.
        expectEqual(await tx.transferRequests.update(next(expired, { respondedAt: f.at(51) }), expired.version), 'ok', 'transferRequests.update of an expired request while another is pending');
      });
      await expectPending(store, [[ws[0]!.id, third]], 'after the second request was rejected');
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.transferRequests.getById(second.id), rejected, 'the rejected request');
        expectDeepEqual(await tx.transferRequests.getById(first.id), next(expired, { respondedAt: f.at(51) }), 'the expired request');
      });
    }),

    defineCheck('transferRequests', 'delete-by-workspace', ['WS-4'], 'deleteByWorkspace removes every request of the workspace, pending or answered, returns how many, frees the workspace and leaves other workspaces alone', async (store) => {
      const w = await seedAccessWorld(store);
      const { f, ws } = w;
      const doomed = [requestOf(w, 0, { status: 'cancelled', respondedAt: f.at(20) }), requestOf(w, 0, { status: 'expired' }), requestOf(w, 0)];
      const kept = [requestOf(w, 1), requestOf(w, 1, { status: 'approved', respondedAt: f.at(21) })];
      await seedRequests(store, [...doomed, ...kept]);
      await inTx(store, async (tx) => {
        expectEqual(await tx.transferRequests.deleteByWorkspace(ws[0]!.id), 3, 'transferRequests.deleteByWorkspace returns how many requests it deleted');
        expectEqual(await tx.transferRequests.getPendingByWorkspace(ws[0]!.id), null, 'transferRequests.getPendingByWorkspace in the same unit of work');
      });
      await inTx(store, async (tx) => {
        for (const r of doomed) expectEqual(await tx.transferRequests.getById(r.id), null, `transferRequests.getById(${r.id}) after deleteByWorkspace`);
        for (const r of kept) expectDeepEqual(await tx.transferRequests.getById(r.id), r, `transferRequests.getById(${r.id}) of another workspace`);
        expectEqual(await tx.transferRequests.deleteByWorkspace(ws[0]!.id), 0, 'transferRequests.deleteByWorkspace of a workspace without requests');
        expectEqual(await tx.transferRequests.deleteByWorkspace(ws[2]!.id), 0, 'transferRequests.deleteByWorkspace of a workspace that never had requests');
      });
      await expectPending(store, [[ws[0]!.id, null], [ws[1]!.id, kept[0]!]], 'after deleteByWorkspace');
      const again = requestOf(w, 0);
      await seedRequests(store, [again]);
      await expectPending(store, [[ws[0]!.id, again]], 'a request inserted after deleteByWorkspace');
    }),
  ];
}
