/**
 * XFER-2: when the actor holds only the source side, a transfer request waits for the target's
 * approval — open for 24 hours, at most one per workspace — and is approved (executing exactly
 * the requested plan), rejected, cancelled, or expires.
 */
import { describe, expect, it } from 'vitest';
import { asUser, system } from '../../src/core/principal.js';
import { DAY, HOUR, carrying, expectRefused, newKit, planAs, valueOf } from './support.js';

const SEED = system('seed');

/**
 * ada administers organization `src` (pro) and its workspace `etl`; `acme` (pro) is owned by
 * tom, of which ada is a plain member: ada requests, tom approves.
 */
async function requestWorld() {
  const tk = newKit();
  const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
  const tom = await tk.seed.user({ handle: 'tom', planId: 'pro' });
  const src = await tk.seed.organization({ handle: 'src', planId: 'pro', owner: ada, members: ['member'] });
  const bob = src.members[0]!.user;
  const acme = await tk.seed.organization({ handle: 'acme', planId: 'pro', owner: tom, members: [{ user: ada, role: 'member' }, 'member'] });
  const carl = acme.members[1]!.user;
  const ws = await tk.seed.workspace(src.account.id, { handle: 'etl' });
  valueOf(await tk.kit.shareWorkspace(SEED, { workspaceId: ws.id, grantee: asUser(bob.user.id), role: 'developer' }));
  await tk.seed.runs(ws.id, { count: 4, endedAt: new Date(tk.clock.now().getTime() - 40 * DAY).toISOString() });
  const requester = asUser(ada.user.id);
  const approver = asUser(tom.user.id);
  const input = { workspaceId: ws.id, targetAccountId: acme.account.id, handle: 'etl-from-src' };
  const plan = await planAs(tk, requester, input);
  expect(plan.blockers).toEqual([]);
  expect(plan.approvalNeeded).toBe('target');
  return { tk, ada, tom, bob, carl, src, acme, ws, requester, approver, input, plan };
}
type RequestWorld = Awaited<ReturnType<typeof requestWorld>>;

async function open(w: RequestWorld) {
  return valueOf(await w.tk.kit.requestTransfer(w.requester, carrying(w.input, w.plan)));
}

describe('XFER-2 transfer requests', () => {
  it('XFER-2: a source admin requests, the target owner approves: the requested plan is executed', async () => {
    const w = await requestWorld();
    const request = await open(w);
    expect(request).toMatchObject({
      status: 'pending',
      awaiting: 'target',
      requestedBy: w.requester,
      fingerprint: w.plan.fingerprint,
      plannedAt: w.plan.plannedAt,
      newHandle: 'etl-from-src',
      expiresAt: new Date(Date.parse(w.plan.plannedAt) + DAY).toISOString(),
    });
    expect(w.tk.events.at(-1)).toMatchObject({ action: 'transfer.requested', accountId: w.src.account.id, workspaceId: w.ws.id, actor: w.requester });
    // Nothing moved yet.
    expect(valueOf(await w.tk.kit.getWorkspace(SEED, { workspaceId: w.ws.id })).accountId).toBe(w.src.account.id);

    w.tk.clock.advance({ hours: 5 });
    const view = valueOf(await w.tk.kit.getTransferRequest(w.approver, { requestId: request.id }));
    expect(view).toMatchObject({ stale: false, request: { status: 'pending' } });
    expect(view.plan!.fingerprint).toBe(w.plan.fingerprint);
    expect(view.plan!.impacts).toEqual(w.plan.impacts);

    const events = w.tk.events.length;
    const done = valueOf(await w.tk.kit.approveTransferRequest(w.approver, { requestId: request.id, fingerprint: request.fingerprint }));
    expect(done.plan.fingerprint).toBe(w.plan.fingerprint);
    expect(done.plan.impacts).toEqual(w.plan.impacts);
    expect(done.workspace).toMatchObject({ accountId: w.acme.account.id, handle: 'etl-from-src' });
    expect(w.tk.events.slice(events).map((e) => [e.action, e.accountId, e.actor])).toEqual([
      ['workspace.transferred-out', w.src.account.id, w.approver],
      ['workspace.transferred-in', w.acme.account.id, w.approver],
    ]);
    expect(w.tk.store.snapshot().transferRequests).toEqual([
      expect.objectContaining({ id: request.id, status: 'approved', respondedBy: w.approver, respondedAt: w.tk.clock.now().toISOString() }),
    ]);
    // bob (not in acme) and ada (a plain member of acme) lost access; the 4 old runs are gone
    // (pro keeps 30 days).
    expect(done.plan.impacts.accessLost.users).toEqual([w.ada.user.id, w.bob.user.id].sort());
    expect(valueOf(await w.tk.kit.explainAccess(SEED, { workspaceId: w.ws.id, principal: w.requester })).scopes).toEqual([]);
    expect(valueOf(await w.tk.kit.explainAccess(SEED, { workspaceId: w.ws.id, principal: asUser(w.bob.user.id) })).scopes).toEqual([]);
    expect(w.tk.store.snapshot().resources.filter((r) => r.workspaceId === w.ws.id)).toEqual([]);
  });

  it('XFER-2: an approved request is closed: approving it again (a retry) is TRANSFER_REQUEST_CLOSED, not NOT_FOUND', async () => {
    const w = await requestWorld();
    const request = await open(w);
    valueOf(await w.tk.kit.approveTransferRequest(w.approver, { requestId: request.id, fingerprint: request.fingerprint }));
    for (const who of [w.approver, SEED]) {
      const closed = await expectRefused(w.tk, 'TRANSFER_REQUEST_CLOSED', () =>
        w.tk.kit.approveTransferRequest(who, { requestId: request.id, fingerprint: request.fingerprint }),
      );
      expect(closed).toMatchObject({ requestId: request.id, status: 'approved' });
    }
    await expectRefused(w.tk, 'TRANSFER_REQUEST_CLOSED', () => w.tk.kit.cancelTransferRequest(SEED, { requestId: request.id }));
    // It stays readable for the side that approved it and for support, closed, with no plan.
    for (const who of [w.approver, SEED]) {
      const view = valueOf(await w.tk.kit.getTransferRequest(who, { requestId: request.id }));
      expect(view).toMatchObject({ request: { id: request.id, status: 'approved', respondedBy: w.approver }, plan: null, stale: false });
    }
  });

  it('XFER-2: only the awaited side approves; a target member does not even see the request', async () => {
    const w = await requestWorld();
    const request = await open(w);
    const approve = { requestId: request.id, fingerprint: request.fingerprint };
    await expectRefused(w.tk, 'FORBIDDEN', () => w.tk.kit.approveTransferRequest(w.requester, approve));
    await expectRefused(w.tk, 'NOT_FOUND', () => w.tk.kit.approveTransferRequest(asUser(w.carl.user.id), approve));
    await expectRefused(w.tk, 'NOT_FOUND', () => w.tk.kit.getTransferRequest(asUser(w.carl.user.id), { requestId: request.id }));
    await expectRefused(w.tk, 'NOT_FOUND', () => w.tk.kit.approveTransferRequest(asUser(w.bob.user.id), approve));
    // The approver must approve the plan that was requested.
    await expectRefused(w.tk, 'PLAN_STALE', () => w.tk.kit.approveTransferRequest(w.approver, { ...approve, fingerprint: '0'.repeat(64) }));
  });

  it('XFER-2: the target owner rejects; the request is closed and nothing moves', async () => {
    const w = await requestWorld();
    const request = await open(w);
    const rejected = valueOf(await w.tk.kit.rejectTransferRequest(w.approver, { requestId: request.id }));
    expect(rejected).toMatchObject({ status: 'rejected', respondedBy: w.approver });
    expect(w.tk.events.at(-1)).toMatchObject({ action: 'transfer.rejected', accountId: w.src.account.id, workspaceId: w.ws.id });
    await expectRefused(w.tk, 'TRANSFER_REQUEST_CLOSED', () =>
      w.tk.kit.approveTransferRequest(w.approver, { requestId: request.id, fingerprint: request.fingerprint }),
    );
    await expectRefused(w.tk, 'TRANSFER_REQUEST_CLOSED', () => w.tk.kit.cancelTransferRequest(w.requester, { requestId: request.id }));
    expect(valueOf(await w.tk.kit.getTransferRequest(w.requester, { requestId: request.id })).request.status).toBe('rejected');
    expect(valueOf(await w.tk.kit.getWorkspace(SEED, { workspaceId: w.ws.id })).accountId).toBe(w.src.account.id);
  });

  it('XFER-2: a requester who lost its rights before the approval: TRANSFER_BLOCKED (NOT_AUTHORIZED), nothing moves', async () => {
    const w = await requestWorld();
    const request = await open(w);
    valueOf(await w.tk.kit.changeMemberRole(SEED, { accountId: w.src.account.id, userId: w.bob.user.id, role: 'owner' }));
    valueOf(await w.tk.kit.changeMemberRole(SEED, { accountId: w.src.account.id, userId: w.ada.user.id, role: 'member' }));
    const error = await expectRefused(w.tk, 'TRANSFER_BLOCKED', () =>
      w.tk.kit.approveTransferRequest(w.approver, { requestId: request.id, fingerprint: request.fingerprint }),
    );
    expect(error).toMatchObject({ blockers: [{ code: 'NOT_AUTHORIZED' }] });
    expect(valueOf(await w.tk.kit.getWorkspace(SEED, { workspaceId: w.ws.id })).accountId).toBe(w.src.account.id);
    expect(valueOf(await w.tk.kit.getTransferRequest(w.approver, { requestId: request.id })).request.status).toBe('pending');
  });

  it('XFER-2: the requester rejecting its own request is FORBIDDEN; it cancels it instead', async () => {
    const w = await requestWorld();
    const request = await open(w);
    await expectRefused(w.tk, 'FORBIDDEN', () => w.tk.kit.rejectTransferRequest(w.requester, { requestId: request.id }));
    await expectRefused(w.tk, 'FORBIDDEN', () => w.tk.kit.cancelTransferRequest(w.approver, { requestId: request.id }));
    const cancelled = valueOf(await w.tk.kit.cancelTransferRequest(w.requester, { requestId: request.id }));
    expect(cancelled).toMatchObject({ status: 'cancelled', respondedBy: w.requester });
    expect(w.tk.events.at(-1)).toMatchObject({ action: 'transfer.cancelled', accountId: w.src.account.id });
    await expectRefused(w.tk, 'TRANSFER_REQUEST_CLOSED', () =>
      w.tk.kit.approveTransferRequest(w.approver, { requestId: request.id, fingerprint: request.fingerprint }),
    );
  });

  it('XFER-2: a request expires after 24 hours: TRANSFER_REQUEST_CLOSED, and a new request is then allowed', async () => {
    const w = await requestWorld();
    const request = await open(w);
    w.tk.clock.advance({ ms: DAY - 1 });
    expect(valueOf(await w.tk.kit.getTransferRequest(w.approver, { requestId: request.id })).request.status).toBe('pending');
    w.tk.clock.advance({ ms: 1 });
    expect(valueOf(await w.tk.kit.getTransferRequest(w.approver, { requestId: request.id })).request.status).toBe('expired');
    const closed = await expectRefused(w.tk, 'TRANSFER_REQUEST_CLOSED', () =>
      w.tk.kit.approveTransferRequest(w.approver, { requestId: request.id, fingerprint: request.fingerprint }),
    );
    expect(closed).toMatchObject({ requestId: request.id, status: 'expired' });
    await expectRefused(w.tk, 'TRANSFER_REQUEST_CLOSED', () => w.tk.kit.rejectTransferRequest(w.approver, { requestId: request.id }));
    await expectRefused(w.tk, 'TRANSFER_REQUEST_CLOSED', () => w.tk.kit.cancelTransferRequest(w.requester, { requestId: request.id }));

    // The expired request no longer blocks: plan again, request again, approve.
    const plan = await planAs(w.tk, w.requester, w.input);
    expect(plan.blockers).toEqual([]);
    const again = valueOf(await w.tk.kit.requestTransfer(w.requester, carrying(w.input, plan)));
    expect(again.id).not.toBe(request.id);
    expect(w.tk.store.snapshot().transferRequests.map((r) => [r.id, r.status])).toEqual([
      [request.id, 'expired'],
      [again.id, 'pending'],
    ]);
    const done = valueOf(await w.tk.kit.approveTransferRequest(w.approver, { requestId: again.id, fingerprint: again.fingerprint }));
    expect(done.workspace.accountId).toBe(w.acme.account.id);
  });

  it('XFER-2: approving just before the expiry still executes', async () => {
    const w = await requestWorld();
    const request = await open(w);
    w.tk.clock.advance({ ms: 24 * HOUR - 1 });
    const done = valueOf(await w.tk.kit.approveTransferRequest(w.approver, { requestId: request.id, fingerprint: request.fingerprint }));
    expect(done.workspace.accountId).toBe(w.acme.account.id);
  });

  it('XFER-2 XFER-4: at most one open request per workspace: a second one is refused while the first is open', async () => {
    const w = await requestWorld();
    const first = await open(w);
    // The same plan again: the state moved (an open request is a blocker now).
    await expectRefused(w.tk, 'PLAN_STALE', () => w.tk.kit.requestTransfer(w.requester, carrying(w.input, w.plan)));
    // A fresh plan names the open request as a blocker; requesting it is refused.
    const fresh = await planAs(w.tk, w.requester, w.input);
    expect(fresh.blockers).toEqual([expect.objectContaining({ code: 'TRANSFER_PENDING', requestId: first.id })]);
    const refused = await expectRefused(w.tk, 'TRANSFER_BLOCKED', () => w.tk.kit.requestTransfer(w.requester, carrying(w.input, fresh)));
    expect(refused).toMatchObject({ blockers: [expect.objectContaining({ code: 'TRANSFER_PENDING', requestId: first.id })] });
    // Two requests racing with one plan: exactly one opens.
    const v = await requestWorld();
    const raced = await Promise.all([1, 2].map(() => v.tk.kit.requestTransfer(v.requester, carrying(v.input, v.plan))));
    expect(raced.filter((r) => r.isOk())).toHaveLength(1);
    expect(v.tk.store.snapshot().transferRequests.filter((r) => r.status === 'pending')).toHaveLength(1);
    for (const r of raced) if (r.isErr()) expect(['PLAN_STALE', 'ALREADY_EXISTS', 'TRANSFER_BLOCKED']).toContain(r.error.code);
  });

  it('XFER-2 XFER-5: getTransferRequest shows stale: true after a change, and approving is then PLAN_STALE', async () => {
    const w = await requestWorld();
    const request = await open(w);
    const eve = await w.tk.seed.user({ handle: 'eve' });
    valueOf(await w.tk.kit.addMember(SEED, { accountId: w.acme.account.id, userId: eve.user.id, role: 'member' }));
    const view = valueOf(await w.tk.kit.getTransferRequest(w.approver, { requestId: request.id }));
    expect(view.stale).toBe(true);
    expect(view.plan!.fingerprint).not.toBe(request.fingerprint);
    expect(view.plan!.impacts.target.seats.current).toBe(w.plan.impacts.target.seats.current + 1);
    expect(valueOf(await w.tk.kit.getTransferRequest(w.requester, { requestId: request.id })).stale).toBe(true);
    await expectRefused(w.tk, 'PLAN_STALE', () => w.tk.kit.approveTransferRequest(w.approver, { requestId: request.id, fingerprint: request.fingerprint }));
    // The request stays open (the requester may cancel it and plan again).
    expect(valueOf(await w.tk.kit.getTransferRequest(w.requester, { requestId: request.id })).request.status).toBe('pending');
  });

  it('XFER-2: a request whose plan has become blocked is not approved: PLAN_STALE, the fresh plan names the blocker, nothing moves', async () => {
    const w = await requestWorld();
    const request = await open(w);
    valueOf(await w.tk.kit.createWorkspace(SEED, { accountId: w.acme.account.id, handle: 'etl-from-src' }));
    const view = valueOf(await w.tk.kit.getTransferRequest(w.approver, { requestId: request.id }));
    expect(view.stale).toBe(true);
    expect(view.plan!.blockers).toEqual([expect.objectContaining({ code: 'HANDLE_TAKEN', handle: 'etl-from-src' })]);
    await expectRefused(w.tk, 'PLAN_STALE', () => w.tk.kit.approveTransferRequest(w.approver, { requestId: request.id, fingerprint: request.fingerprint }));
  });
});
