/**
 * XFER-6 and AUD-1 around a transfer: exactly two events, one per account; the source's log
 * ends with `workspace.transferred-out` and records nothing later about the workspace; the
 * target's starts with `workspace.transferred-in` and records everything after. A refused
 * transfer records nothing.
 */
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import { asUser, system } from '../../src/core/principal.js';
import type { WorkspaceKit } from '../../src/kit/workspace-kit.js';
import { carrying, expectRefused, newKit, planAs, valueOf } from './support.js';

async function auditLog(kit: WorkspaceKit, accountId: string, workspaceId: string): Promise<AuditEvent[]> {
  return [...valueOf(await kit.listAuditEvents(system('auditor'), { accountId, workspaceId, limit: 500 })).items];
}

describe('XFER-6 the audit log hand-off', () => {
  it('XFER-6 AUD-1: a transfer records exactly two events, transferred-out in the source and transferred-in in the target', async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const src = await tk.seed.organization({ handle: 'src', planId: 'pro', owner: ada });
    const acme = await tk.seed.organization({ handle: 'acme', planId: 'enterprise', owner: ada });
    const ws = await tk.seed.workspace(src.account.id, { handle: 'etl' });
    await tk.seed.runs(ws.id, { count: 2, endedAt: '2025-11-01T00:00:00.000Z' });
    const actor = asUser(ada.user.id);
    const input = { workspaceId: ws.id, targetAccountId: acme.account.id, handle: 'etl-moved' };
    const plan = await planAs(tk, actor, input);
    tk.clock.advance({ minutes: 3 });
    const published = tk.events.length;
    const stored = tk.store.snapshot().audit.length;
    const done = valueOf(await tk.kit.executeTransfer(actor, carrying(input, plan)));

    const fresh = tk.events.slice(published);
    expect(tk.store.snapshot().audit.slice(stored)).toEqual(fresh);
    expect(fresh).toHaveLength(2);
    const details = {
      from: 'src/etl',
      to: 'acme/etl-moved',
      sourceAccountId: src.account.id,
      targetAccountId: acme.account.id,
      fingerprint: plan.fingerprint,
      runsPruned: 0,
      version: done.workspace.version,
    };
    expect(fresh[0]).toMatchObject({
      accountId: src.account.id,
      workspaceId: ws.id,
      action: 'workspace.transferred-out',
      actor,
      subject: { type: 'workspace', id: ws.id },
      details,
      at: tk.clock.now().toISOString(),
    });
    expect(fresh[1]).toMatchObject({
      accountId: acme.account.id,
      workspaceId: ws.id,
      action: 'workspace.transferred-in',
      actor,
      subject: { type: 'workspace', id: ws.id },
      details,
    });
  });

  it('XFER-6 AUD-2: afterwards the source log ends with transferred-out; the target log starts with transferred-in and goes on', async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const src = await tk.seed.organization({ handle: 'src', planId: 'pro', owner: ada, members: ['member'] });
    const bob = src.members[0]!.user;
    const acme = await tk.seed.organization({ handle: 'acme', planId: 'pro', owner: ada, members: [{ user: bob, role: 'member' }] });
    const ws = await tk.seed.workspace(src.account.id, { handle: 'etl' });
    const actor = asUser(ada.user.id);
    valueOf(await tk.kit.shareWorkspace(actor, { workspaceId: ws.id, grantee: asUser(bob.user.id), role: 'runner' }));
    valueOf(await tk.kit.updateWorkspace(actor, { workspaceId: ws.id, description: 'before the move' }));
    const input = { workspaceId: ws.id, targetAccountId: acme.account.id };
    valueOf(await tk.kit.executeTransfer(actor, carrying(input, await planAs(tk, actor, input))));
    // Life goes on in the target.
    valueOf(await tk.kit.updateWorkspace(actor, { workspaceId: ws.id, description: 'after the move' }));
    valueOf(await tk.kit.changeWorkspaceRole(actor, { workspaceId: ws.id, grantee: asUser(bob.user.id), role: 'developer' }));
    valueOf(await tk.kit.trackResources(asUser(bob.user.id), { workspaceId: ws.id, resources: [{ kind: 'flow-run', name: 'r', state: 'running' }] }));

    const sourceLog = await auditLog(tk.kit, src.account.id, ws.id);
    expect(sourceLog.map((e) => e.action)).toEqual(['workspace.created', 'workspace.shared', 'workspace.updated', 'workspace.transferred-out']);
    const targetLog = await auditLog(tk.kit, acme.account.id, ws.id);
    expect(targetLog.map((e) => e.action)).toEqual([
      'workspace.transferred-in',
      'workspace.updated',
      'workspace.share-changed',
      'resources.tracked',
    ]);
    // Across the whole stored log: nothing about the workspace in the source after the hand-off.
    const all = tk.store.snapshot().audit;
    const out = all.findIndex((e) => e.action === 'workspace.transferred-out');
    expect(all.slice(out + 1).filter((e) => e.workspaceId === ws.id && e.accountId !== acme.account.id)).toEqual([]);
  });

  it('XFER-6 AUD-1: a refused transfer records nothing in either log', async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const acme = await tk.seed.organization({ handle: 'acme', planId: 'pro', owner: ada });
    const ws = await tk.seed.workspace(ada.account.id, { handle: 'etl' });
    await tk.seed.workspace(acme.account.id, { handle: 'etl' });
    const actor = asUser(ada.user.id);
    const input = { workspaceId: ws.id, targetAccountId: acme.account.id };
    const plan = await planAs(tk, actor, input);
    await expectRefused(tk, 'TRANSFER_BLOCKED', () => tk.kit.executeTransfer(actor, carrying(input, plan)));
    await expectRefused(tk, 'PLAN_STALE', () => tk.kit.executeTransfer(actor, { ...carrying(input, plan), handle: 'etl-2' }));
    expect((await auditLog(tk.kit, acme.account.id, ws.id)).map((e) => e.action)).toEqual([]);
    expect((await auditLog(tk.kit, ada.account.id, ws.id)).map((e) => e.action)).toEqual(['workspace.created']);
  });
});
