/**
 * XFER-4: a plan is shown as the "review impacts" page: the text names every listed impact and
 * every blocker; the JSON form is the plan itself and round-trips.
 */
import { describe, expect, it } from 'vitest';
import { asServiceAccount, asUser, system } from '../../src/core/principal.js';
import { renderTransferPlan, type PlanLabels } from '../../src/transfer-planner/render.js';
import type { TransferPlan } from '../../src/transfer-planner/plan.js';
import { DAY, newKit, planAs, valueOf } from './support.js';

const SEED = system('seed');

/** An enterprise organization → a team organization, with something in every impact list. */
async function richPlan() {
  const tk = newKit();
  const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
  const src = await tk.seed.organization({ handle: 'src', planId: 'enterprise', owner: ada, members: ['member', 'member'] });
  const bob = src.members[0]!.user;
  const cy = src.members[1]!.user;
  const acme = await tk.seed.organization({ handle: 'acme', planId: 'team', owner: ada, members: [{ user: cy, role: 'member' }] });
  const ws = await tk.seed.workspace(src.account.id, { handle: 'etl' });
  const deployer = valueOf(await tk.kit.createCustomRole(SEED, { accountId: src.account.id, name: 'deployer', scopes: ['manage_deployments'], inherits: 'runner' }));
  valueOf(await tk.kit.shareWorkspace(SEED, { workspaceId: ws.id, grantee: asUser(bob.user.id), role: 'runner' }));
  valueOf(await tk.kit.shareWorkspace(SEED, { workspaceId: ws.id, grantee: asUser(cy.user.id), role: deployer.id }));
  valueOf(await tk.kit.setDefaultWorkspaceRole(SEED, { workspaceId: ws.id, role: 'viewer' }));
  const bot = valueOf(await tk.kit.createServiceAccount(SEED, { accountId: src.account.id, name: 'ci-bot' }));
  valueOf(await tk.kit.shareWorkspace(SEED, { workspaceId: ws.id, grantee: asServiceAccount(bot.id), role: 'developer' }));
  valueOf(await tk.kit.createApiKey(SEED, { name: 'bob-laptop', userId: bob.user.id }));
  valueOf(await tk.kit.createApiKey(SEED, { name: 'deploy-key', serviceAccountId: bot.id }));
  await tk.seed.runs(ws.id, { count: 7, endedAt: new Date(tk.clock.now().getTime() - 20 * DAY).toISOString() });
  const plan = await planAs(tk, asUser(ada.user.id), { workspaceId: ws.id, targetAccountId: acme.account.id, handle: 'etl-prod' });
  const labels: PlanLabels = {
    users: { [ada.user.id]: 'ada@example.test', [bob.user.id]: 'bob@example.test', [cy.user.id]: 'cy@example.test' },
    serviceAccounts: { [bot.id]: 'ci-bot' },
  };
  return { tk, plan, labels, bob, cy, bot, deployer };
}

function expectEveryImpactIn(text: string, plan: TransferPlan, labels: PlanLabels): void {
  const i = plan.impacts;
  const user = (id: string) => labels.users?.[id] ?? id;
  expect(text).toContain(`${i.handle.from} → ${i.handle.to}`);
  expect(text).toContain(`replace ${i.handle.from} with ${i.handle.to}`);
  for (const u of i.accessLost.users) expect(text).toContain(user(u));
  for (const s of i.accessLost.serviceAccounts) expect(text).toContain(`${s.name} (${s.id})`);
  for (const k of i.accessLost.apiKeys) expect(text).toContain(`${k.name} (${k.id})`);
  for (const g of i.grantsRemoved) {
    const who = g.grantee.type === 'user' ? user(g.grantee.userId) : `service account ${labels.serviceAccounts?.[g.grantee.serviceAccountId] ?? g.grantee.serviceAccountId}`;
    expect(text).toContain(`${who} (${g.role}): ${g.reason}`);
  }
  for (const g of i.grantsRemapped) {
    const who = g.grantee.type === 'user' ? user(g.grantee.userId) : g.grantee.serviceAccountId;
    expect(text).toContain(`${who}: ${g.from.name} → ${g.to.name} (${g.reason})`);
  }
  if (i.defaultRole.from !== i.defaultRole.to) expect(text).toContain(`Default role: ${i.defaultRole.from ?? 'none'} → ${i.defaultRole.to ?? 'none'}`);
  for (const v of i.invitationsCancelled) expect(text).toContain(`${v.email} (${v.role})`);
  expect(text).toContain(i.runsPruned.cutoff);
  expect(text).toContain(`${i.runsPruned.retentionDays}-day retention`);
  if (i.runsPruned.count > 0) expect(text).toContain(`${i.runsPruned.count} runs`);
  expect(text).toContain(`Target workspaces: ${i.target.workspaces.current} → ${i.target.workspaces.after} of ${i.target.workspaces.max ?? 'unlimited'}`);
  expect(text).toContain(`seats: ${i.target.seats.after} of ${i.target.seats.max ?? 'unlimited'}`);
  expect(text).toContain('Audit log');
  expect(text).toContain(plan.fingerprint.slice(0, 16));
  for (const b of plan.blockers) expect(text).toContain(`${b.code}: ${b.message}`);
}

describe('XFER-4 rendering a plan', () => {
  it('XFER-4: the text names every listed impact: users, service accounts and keys losing access, grants removed and remapped, default role, runs, handles, usage', async () => {
    const { plan, labels, bob, bot } = await richPlan();
    const i = plan.impacts;
    // The story has something in every list.
    expect(i.accessLost.users).toContain(bob.user.id);
    expect(i.accessLost.serviceAccounts).toEqual([{ id: bot.id, name: 'ci-bot' }]);
    expect(i.accessLost.apiKeys.map((k) => k.name).sort()).toEqual(['bob-laptop', 'deploy-key']);
    expect(i.grantsRemoved.length).toBeGreaterThanOrEqual(2);
    expect(i.grantsRemapped.length).toBeGreaterThanOrEqual(1);
    expect(i.defaultRole).toEqual({ from: 'viewer', to: 'developer' });
    expect(i.runsPruned.count).toBe(7);
    const text = renderTransferPlan(plan, labels);
    expectEveryImpactIn(text, plan, labels);
    expect(text).toContain('Ready: nothing blocks the transfer.');
    expect(text).toContain('bob@example.test');
    expect(text).toContain('service account ci-bot');
    expect(text).toContain('deployer → developer');
    // Without labels, ids are shown.
    const bare = renderTransferPlan(plan);
    expectEveryImpactIn(bare, plan, {});
    expect(bare).toContain(bob.user.id);
  });

  it('XFER-4: the JSON form is the plan: it round-trips and renders the same', async () => {
    const { plan, labels } = await richPlan();
    const json = JSON.stringify(plan);
    const back = JSON.parse(json) as TransferPlan;
    expect(back).toEqual(plan);
    expect(JSON.stringify(back)).toBe(json);
    expect(renderTransferPlan(back, labels)).toBe(renderTransferPlan(plan, labels));
  });

  it('XFER-4: pending invitations cancelled and an unchanged run history are shown', async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const acme = await tk.seed.organization({ handle: 'acme', planId: 'enterprise', owner: ada });
    const ws = await tk.seed.workspace(ada.account.id, { handle: 'etl' });
    valueOf(await tk.kit.inviteCollaborator(asUser(ada.user.id), { workspaceId: ws.id, email: 'dan@example.test', role: 'viewer' }));
    const plan = await planAs(tk, asUser(ada.user.id), { workspaceId: ws.id, targetAccountId: acme.account.id });
    expect(plan.impacts.invitationsCancelled).toEqual([expect.objectContaining({ email: 'dan@example.test', role: 'viewer' })]);
    const text = renderTransferPlan(plan);
    expectEveryImpactIn(text, plan, {});
    expect(text).toContain('dan@example.test (viewer)');
    expect(text).toContain('Run history: kept');
    expect(text).toContain('Users losing access: none');
    expect(text).toContain('of unlimited');
  });

  it('XFER-4: blockers come first, each with its code and message; the approval still missing is named', async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const bob = await tk.seed.user({ handle: 'bob', planId: 'pro' });
    const tiny = await tk.seed.organization({ handle: 'tiny', planId: 'hobby', owner: ada });
    const beta = await tk.seed.organization({ handle: 'beta', planId: 'pro' });
    const ws = await tk.seed.workspace(ada.account.id, { handle: 'etl' });
    await tk.seed.workspace(tiny.account.id, { handle: 'etl' });
    const blocked = await planAs(tk, asUser(ada.user.id), { workspaceId: ws.id, targetAccountId: tiny.account.id });
    const text = renderTransferPlan(blocked);
    expect(text.split('\n')[1]).toBe('Blocked:');
    expectEveryImpactIn(text, blocked, {});
    expect(text).not.toContain('Ready');
    const toBeta = renderTransferPlan(await planAs(tk, asUser(ada.user.id), { workspaceId: ws.id, targetAccountId: beta.account.id }));
    expect(toBeta).toContain('Ready once approved by the target account.');
    const toBob = await planAs(tk, asUser(ada.user.id), { workspaceId: ws.id, targetAccountId: bob.account.id });
    expect(renderTransferPlan(toBob)).toContain('REQUIRES_SUPPORT');
  });
});
