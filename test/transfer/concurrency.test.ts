/**
 * XFER-5 under concurrent calls: each transfer re-plans in its own unit of work, so of two
 * transfers that fit the target only one at a time, exactly one goes through and the other is
 * PLAN_STALE — the target's limit (PLAN-1) and handle uniqueness (HDL-1) hold, and a plan is
 * executed at most once.
 */
import { describe, expect, it } from 'vitest';
import { asUser } from '../../src/core/principal.js';
import { carrying, newKit, outcome, planAs, valueOf } from './support.js';

describe('XFER-5 concurrent transfers', () => {
  it('XFER-5 PLAN-1: two workspaces into a target with room for one: exactly one moves', async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const tiny = await tk.seed.organization({ handle: 'tiny', planId: 'hobby', owner: ada });
    const etl = await tk.seed.workspace(ada.account.id, { handle: 'etl' });
    const ml = await tk.seed.workspace(ada.account.id, { handle: 'ml' });
    const actor = asUser(ada.user.id);
    const inputs = [etl, ml].map((ws) => ({ workspaceId: ws.id, targetAccountId: tiny.account.id }));
    const plans = await Promise.all(inputs.map((input) => planAs(tk, actor, input)));
    for (const p of plans) expect(p.blockers).toEqual([]);
    const events = tk.events.length;
    const results = await Promise.all(inputs.map((input, i) => tk.kit.executeTransfer(actor, carrying(input, plans[i]!))));
    expect(results.map(outcome).sort()).toEqual(['PLAN_STALE', 'ok']);
    expect(valueOf(await tk.kit.listWorkspaces(actor, { accountId: tiny.account.id })).items).toHaveLength(1);
    expect(tk.events.length - events).toBe(2);
  });

  it('XFER-5 HDL-1: two workspaces with one handle into the same account: exactly one takes it', async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const src = await tk.seed.organization({ handle: 'src', planId: 'pro', owner: ada });
    const acme = await tk.seed.organization({ handle: 'acme', planId: 'pro', owner: ada });
    const a = await tk.seed.workspace(ada.account.id, { handle: 'etl' });
    const b = await tk.seed.workspace(src.account.id, { handle: 'etl' });
    const actor = asUser(ada.user.id);
    const inputs = [a, b].map((ws) => ({ workspaceId: ws.id, targetAccountId: acme.account.id }));
    const plans = await Promise.all(inputs.map((input) => planAs(tk, actor, input)));
    const results = await Promise.all(inputs.map((input, i) => tk.kit.executeTransfer(actor, carrying(input, plans[i]!))));
    expect(results.map(outcome).sort()).toEqual(['PLAN_STALE', 'ok']);
    expect(valueOf(await tk.kit.listWorkspaces(actor, { accountId: acme.account.id })).items.map((w) => w.handle)).toEqual(['etl']);
  });

  it('XFER-5: one plan executed twice at once moves the workspace once', async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const acme = await tk.seed.organization({ handle: 'acme', planId: 'pro', owner: ada });
    const ws = await tk.seed.workspace(ada.account.id, { handle: 'etl' });
    const actor = asUser(ada.user.id);
    const input = { workspaceId: ws.id, targetAccountId: acme.account.id };
    const plan = await planAs(tk, actor, input);
    const events = tk.events.length;
    const results = await Promise.all([1, 2].map(() => tk.kit.executeTransfer(actor, carrying(input, plan))));
    expect(results.filter((r) => r.isOk())).toHaveLength(1);
    expect(results.map(outcome)).toContain('PLAN_STALE');
    expect(tk.events.slice(events).map((e) => e.action)).toEqual(['workspace.transferred-out', 'workspace.transferred-in']);
  });
});
