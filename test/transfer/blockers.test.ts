/**
 * XFER-2, XFER-3, XFER-4: what stops a transfer, one blocker at a time. A plan names each
 * blocker; executing (or requesting) it is refused and changes nothing; once the blocker is
 * gone, a new plan goes through.
 */
import { describe, expect, it } from 'vitest';
import { asUser, system } from '../../src/core/principal.js';
import { blockerCodes, carrying, expectRefused, newKit, planAs, transferNow, valueOf } from './support.js';

describe('XFER-4 blockers', () => {
  it('XFER-4 SAME_ACCOUNT: a workspace does not move to the account that owns it', async () => {
    const tk = newKit();
    const acme = await tk.seed.organization({ handle: 'acme', planId: 'pro' });
    const ws = await tk.seed.workspace(acme.account.id, { handle: 'etl' });
    const owner = asUser(acme.owner.user.id);
    const input = { workspaceId: ws.id, targetAccountId: acme.account.id };
    const plan = await planAs(tk, owner, input);
    expect(plan.blockers).toEqual([expect.objectContaining({ code: 'SAME_ACCOUNT' })]);
    const error = await expectRefused(tk, 'TRANSFER_BLOCKED', () => tk.kit.executeTransfer(owner, carrying(input, plan)));
    expect(error).toMatchObject({ blockers: [expect.objectContaining({ code: 'SAME_ACCOUNT' })] });
    // Not even support moves it.
    const asSupport = await planAs(tk, system('support'), input);
    expect(blockerCodes(asSupport)).toEqual(['SAME_ACCOUNT']);
    await expectRefused(tk, 'TRANSFER_BLOCKED', () => tk.kit.executeTransfer(system('support'), carrying(input, asSupport)));
  });

  it('XFER-4 HDL-1 HANDLE_TAKEN: the handle is held by a live workspace of the target; another handle in the same step goes through', async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const acme = await tk.seed.organization({ handle: 'acme', planId: 'pro', owner: ada });
    const ws = await tk.seed.workspace(ada.account.id, { handle: 'etl' });
    await tk.seed.workspace(acme.account.id, { handle: 'etl' });
    const actor = asUser(ada.user.id);
    const input = { workspaceId: ws.id, targetAccountId: acme.account.id };
    const plan = await planAs(tk, actor, input);
    expect(plan.blockers).toEqual([expect.objectContaining({ code: 'HANDLE_TAKEN', handle: 'etl' })]);
    await expectRefused(tk, 'TRANSFER_BLOCKED', () => tk.kit.executeTransfer(actor, carrying(input, plan)));
    // The handle input is normalized (HDL-2) before it is checked.
    const shouting = await planAs(tk, actor, { ...input, handle: '  ETL ' });
    expect(shouting.blockers).toEqual([expect.objectContaining({ code: 'HANDLE_TAKEN', handle: 'etl' })]);
    // XFER-1: the handle may change in the same step.
    const renamed = await transferNow(tk, actor, { ...input, handle: 'etl-legacy' });
    expect(renamed.workspace).toMatchObject({ accountId: acme.account.id, handle: 'etl-legacy' });
    expect(renamed.plan.impacts.handle).toEqual({ from: 'ada/etl', to: 'acme/etl-legacy' });
  });

  it('XFER-4 HDL-3: a handle freed in the target is free for the transfer at once', async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const acme = await tk.seed.organization({ handle: 'acme', planId: 'pro', owner: ada });
    const ws = await tk.seed.workspace(ada.account.id, { handle: 'etl' });
    const holder = await tk.seed.workspace(acme.account.id, { handle: 'etl' });
    const actor = asUser(ada.user.id);
    const input = { workspaceId: ws.id, targetAccountId: acme.account.id };
    expect(blockerCodes(await planAs(tk, actor, input))).toEqual(['HANDLE_TAKEN']);
    valueOf(await tk.kit.deleteWorkspace(actor, { workspaceId: holder.id }));
    const moved = await transferNow(tk, actor, input);
    expect(moved.plan.blockers).toEqual([]);
    expect(moved.workspace.handle).toBe('etl');
  });

  it("XFER-4 PLAN-1 WORKSPACE_LIMIT: the target's plan has no room for one more workspace", async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const tiny = await tk.seed.organization({ handle: 'tiny', planId: 'hobby', owner: ada });
    const ws = await tk.seed.workspace(ada.account.id, { handle: 'etl' });
    const existing = await tk.seed.workspace(tiny.account.id, { handle: 'prod' });
    const actor = asUser(ada.user.id);
    const input = { workspaceId: ws.id, targetAccountId: tiny.account.id };
    const plan = await planAs(tk, actor, input);
    expect(plan.blockers).toEqual([expect.objectContaining({ code: 'WORKSPACE_LIMIT', max: 1, current: 1 })]);
    expect(plan.impacts.target.workspaces).toEqual({ current: 1, after: 2, max: 1 });
    const error = await expectRefused(tk, 'TRANSFER_BLOCKED', () => tk.kit.executeTransfer(actor, carrying(input, plan)));
    expect(error).toMatchObject({ blockers: [expect.objectContaining({ code: 'WORKSPACE_LIMIT', max: 1, current: 1 })] });
    // Room made: the transfer fills the plan exactly.
    valueOf(await tk.kit.deleteWorkspace(actor, { workspaceId: existing.id }));
    const moved = await transferNow(tk, actor, input);
    expect(moved.plan.impacts.target.workspaces).toEqual({ current: 0, after: 1, max: 1 });
  });

  it('XFER-4 TRANSFER_PENDING: another open transfer request of the workspace blocks; cancelling it unblocks', async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const acme = await tk.seed.organization({ handle: 'acme', planId: 'pro', owner: ada });
    const beta = await tk.seed.organization({ handle: 'beta', planId: 'pro' });
    const ws = await tk.seed.workspace(ada.account.id, { handle: 'etl' });
    const actor = asUser(ada.user.id);
    const toBeta = { workspaceId: ws.id, targetAccountId: beta.account.id };
    const betaPlan = await planAs(tk, actor, toBeta);
    expect(betaPlan.approvalNeeded).toBe('target');
    const request = valueOf(await tk.kit.requestTransfer(actor, carrying(toBeta, betaPlan)));

    const toAcme = { workspaceId: ws.id, targetAccountId: acme.account.id };
    const plan = await planAs(tk, actor, toAcme);
    expect(plan.blockers).toEqual([expect.objectContaining({ code: 'TRANSFER_PENDING', requestId: request.id })]);
    await expectRefused(tk, 'TRANSFER_BLOCKED', () => tk.kit.executeTransfer(actor, carrying(toAcme, plan)));

    valueOf(await tk.kit.cancelTransferRequest(actor, { requestId: request.id }));
    // The old plan was made on a state with an open request: it is stale now.
    await expectRefused(tk, 'PLAN_STALE', () => tk.kit.executeTransfer(actor, carrying(toAcme, plan)));
    const moved = await transferNow(tk, actor, toAcme);
    expect(moved.workspace.accountId).toBe(acme.account.id);
  });

  it('XFER-3 REQUIRES_SUPPORT: between two personal accounts the owner cannot transfer; support can', async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const bob = await tk.seed.user({ handle: 'bob', planId: 'pro' });
    const ws = await tk.seed.workspace(ada.account.id, { handle: 'etl' });
    const actor = asUser(ada.user.id);
    const input = { workspaceId: ws.id, targetAccountId: bob.account.id };
    const plan = await planAs(tk, actor, input);
    expect(blockerCodes(plan)).toEqual(['REQUIRES_SUPPORT']);
    expect(plan.approvalNeeded).toBe('support');
    await expectRefused(tk, 'TRANSFER_REQUIRES_SUPPORT', () => tk.kit.executeTransfer(actor, carrying(input, plan)));
    // Who plans does not change the state: support's plan has the same fingerprint.
    const support = system('support');
    const supportPlan = await planAs(tk, support, input);
    expect(supportPlan.blockers).toEqual([]);
    expect(supportPlan.approvalNeeded).toBe('none');
    expect(supportPlan.fingerprint).toBe(plan.fingerprint);
    const moved = valueOf(await tk.kit.executeTransfer(support, carrying(input, supportPlan)));
    expect(moved.workspace).toMatchObject({ accountId: bob.account.id, handle: 'etl' });
    expect(moved.plan.impacts.accessLost.users).toEqual([ada.user.id]);
  });

  it('XFER-3 REQUIRES_SUPPORT: the owner requests, the target owner cannot approve, support approves', async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const bob = await tk.seed.user({ handle: 'bob', planId: 'pro' });
    const ws = await tk.seed.workspace(ada.account.id, { handle: 'etl' });
    const actor = asUser(ada.user.id);
    const input = { workspaceId: ws.id, targetAccountId: bob.account.id };
    const plan = await planAs(tk, actor, input);
    const request = valueOf(await tk.kit.requestTransfer(actor, carrying(input, plan)));
    expect(request).toMatchObject({ awaiting: 'support', status: 'pending' });
    await expectRefused(tk, 'FORBIDDEN', () => tk.kit.approveTransferRequest(asUser(bob.user.id), { requestId: request.id, fingerprint: request.fingerprint }));
    await expectRefused(tk, 'FORBIDDEN', () => tk.kit.approveTransferRequest(actor, { requestId: request.id, fingerprint: request.fingerprint }));
    const moved = valueOf(await tk.kit.approveTransferRequest(system('support'), { requestId: request.id, fingerprint: request.fingerprint }));
    expect(moved.workspace.accountId).toBe(bob.account.id);
    expect(tk.store.snapshot().transferRequests.find((r) => r.id === request.id)).toMatchObject({ status: 'approved', respondedBy: { type: 'system' } });
  });

  it('XFER-3 XFER-4: between personal accounts a state blocker is reported before the need for support', async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const bob = await tk.seed.user({ handle: 'bob', planId: 'pro' });
    const ws = await tk.seed.workspace(ada.account.id, { handle: 'etl' });
    await tk.seed.workspace(bob.account.id, { handle: 'etl' });
    const actor = asUser(ada.user.id);
    const input = { workspaceId: ws.id, targetAccountId: bob.account.id };
    const plan = await planAs(tk, actor, input);
    expect(blockerCodes(plan).sort()).toEqual(['HANDLE_TAKEN', 'REQUIRES_SUPPORT']);
    const error = await expectRefused(tk, 'TRANSFER_BLOCKED', () => tk.kit.executeTransfer(actor, carrying(input, plan)));
    expect(error).toMatchObject({ blockers: [expect.objectContaining({ code: 'HANDLE_TAKEN' })] });
    // A request support could never approve is not opened.
    await expectRefused(tk, 'TRANSFER_BLOCKED', () => tk.kit.requestTransfer(actor, carrying(input, plan)));
  });

  it('XFER-4: every blocker at once is listed, and the refusal names each of them', async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const tiny = await tk.seed.organization({ handle: 'tiny', planId: 'hobby', owner: ada });
    const beta = await tk.seed.organization({ handle: 'beta', planId: 'pro' });
    const ws = await tk.seed.workspace(ada.account.id, { handle: 'etl' });
    await tk.seed.workspace(tiny.account.id, { handle: 'etl' });
    const actor = asUser(ada.user.id);
    const toBeta = { workspaceId: ws.id, targetAccountId: beta.account.id };
    valueOf(await tk.kit.requestTransfer(actor, carrying(toBeta, await planAs(tk, actor, toBeta))));
    const input = { workspaceId: ws.id, targetAccountId: tiny.account.id };
    const plan = await planAs(tk, actor, input);
    expect(blockerCodes(plan).sort()).toEqual(['HANDLE_TAKEN', 'TRANSFER_PENDING', 'WORKSPACE_LIMIT']);
    const error = await expectRefused(tk, 'TRANSFER_BLOCKED', () => tk.kit.executeTransfer(actor, carrying(input, plan)));
    if (error.code !== 'TRANSFER_BLOCKED') throw new Error('unreachable');
    expect(error.blockers.map((b) => b.code).sort()).toEqual(['HANDLE_TAKEN', 'TRANSFER_PENDING', 'WORKSPACE_LIMIT']);
    for (const b of plan.blockers) expect(error.message).toContain(b.message);
  });
});

describe('XFER-2 who may plan and execute', () => {
  it('XFER-2 ROLE-6: a workspace Developer cannot plan a transfer (FORBIDDEN transfer_workspace); an outsider does not see the workspace', async () => {
    const tk = newKit();
    const acme = await tk.seed.organization({ handle: 'acme', planId: 'pro', members: ['member'] });
    const beta = await tk.seed.organization({ handle: 'beta', planId: 'pro' });
    const ws = await tk.seed.workspace(acme.account.id, { handle: 'etl' });
    const dev = acme.members[0]!.user;
    valueOf(await tk.kit.shareWorkspace(asUser(acme.owner.user.id), { workspaceId: ws.id, grantee: asUser(dev.user.id), role: 'developer' }));
    const input = { workspaceId: ws.id, targetAccountId: beta.account.id };
    const denied = await expectRefused(tk, 'FORBIDDEN', () => tk.kit.planTransfer(asUser(dev.user.id), input));
    expect(denied).toMatchObject({ missingScope: 'transfer_workspace' });
    // Beta's owner administers the target only: the source workspace is invisible to it.
    await expectRefused(tk, 'NOT_FOUND', () => tk.kit.planTransfer(asUser(beta.owner.user.id), input));
    // A forged execution by someone without the source's rights is refused too.
    const plan = await planAs(tk, asUser(acme.owner.user.id), input);
    await expectRefused(tk, 'FORBIDDEN', () => tk.kit.executeTransfer(asUser(dev.user.id), carrying(input, plan)));
    await expectRefused(tk, 'NOT_FOUND', () => tk.kit.executeTransfer(asUser(beta.owner.user.id), carrying(input, plan)));
  });

  it('XFER-2 ROLE-4: an org Admin transfers in one step to an organization it also administers', async () => {
    const tk = newKit();
    const acme = await tk.seed.organization({ handle: 'acme', planId: 'pro', members: ['admin'] });
    const admin = acme.members[0]!.user;
    const beta = await tk.seed.organization({ handle: 'beta', planId: 'pro', members: [{ user: admin, role: 'admin' }] });
    const ws = await tk.seed.workspace(acme.account.id, { handle: 'etl' });
    const input = { workspaceId: ws.id, targetAccountId: beta.account.id };
    const plan = await planAs(tk, asUser(admin.user.id), input);
    expect(plan.approvalNeeded).toBe('none');
    expect(plan.blockers).toEqual([]);
    const moved = valueOf(await tk.kit.executeTransfer(asUser(admin.user.id), carrying(input, plan)));
    expect(moved.workspace.accountId).toBe(beta.account.id);
  });

  it("XFER-2 ROLE-1: a collaborator holding a personal workspace's Owner role administers it: it may move it to its own organization, and the plan says the owner loses access", async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const bob = await tk.seed.user({ handle: 'bob' });
    const bobsOrg = await tk.seed.organization({ handle: 'bobs', planId: 'pro', owner: bob });
    const ws = await tk.seed.workspace(ada.account.id, { handle: 'etl' });
    const token = valueOf(await tk.kit.inviteCollaborator(asUser(ada.user.id), { workspaceId: ws.id, email: bob.user.email, role: 'owner' })).token.reveal();
    valueOf(await tk.kit.acceptInvitation(asUser(bob.user.id), { token }));
    const input = { workspaceId: ws.id, targetAccountId: bobsOrg.account.id };
    const plan = await planAs(tk, asUser(bob.user.id), input);
    expect(plan.approvalNeeded).toBe('none');
    expect(plan.impacts.accessLost.users).toEqual([ada.user.id]);
    const moved = valueOf(await tk.kit.executeTransfer(asUser(bob.user.id), carrying(input, plan)));
    expect(moved.workspace.accountId).toBe(bobsOrg.account.id);
    expect(valueOf(await tk.kit.explainAccess(system('check'), { workspaceId: ws.id, principal: asUser(ada.user.id) })).scopes).toEqual([]);
  });

  it('XFER-2: holding only the source side, executing is FORBIDDEN and changes nothing; the plan says the target must approve', async () => {
    const tk = newKit();
    const acme = await tk.seed.organization({ handle: 'acme', planId: 'pro' });
    const beta = await tk.seed.organization({ handle: 'beta', planId: 'pro', members: [{ user: acme.owner, role: 'member' }] });
    const ws = await tk.seed.workspace(acme.account.id, { handle: 'etl' });
    const actor = asUser(acme.owner.user.id);
    const input = { workspaceId: ws.id, targetAccountId: beta.account.id };
    const plan = await planAs(tk, actor, input);
    expect(plan.blockers).toEqual([]);
    expect(plan.approvalNeeded).toBe('target');
    await expectRefused(tk, 'FORBIDDEN', () => tk.kit.executeTransfer(actor, carrying(input, plan)));
  });

  it('XFER-2: a user holding both sides is told to execute rather than request (VALIDATION)', async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const acme = await tk.seed.organization({ handle: 'acme', planId: 'pro', owner: ada });
    const ws = await tk.seed.workspace(ada.account.id, { handle: 'etl' });
    const input = { workspaceId: ws.id, targetAccountId: acme.account.id };
    const plan = await planAs(tk, asUser(ada.user.id), input);
    await expectRefused(tk, 'VALIDATION', () => tk.kit.requestTransfer(asUser(ada.user.id), carrying(input, plan)));
  });
});
