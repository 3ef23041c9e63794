/**
 * XFER-5: executing a plan re-plans at its `plannedAt` and refuses with PLAN_STALE — changing
 * nothing — when anything the plan was made on moved; changes the plan does not depend on leave
 * it executable, and what it then does is still exactly the plan.
 */
import { describe, expect, it } from 'vitest';
import { asUser, system } from '../../src/core/principal.js';
import type { KitResult } from '../../src/kit/workspace-kit.js';
import { DAY, HOUR, carrying, expectRefused, newKit, planAs, valueOf, type Kit } from './support.js';

const SEED = system('seed');
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Organization `src` (pro) → organization `acme` (team: no RBAC, 14-day retention), both owned
 * by ada. bob (runner) is not in acme and loses access; cy (viewer) is in acme and is remapped
 * to Developer; three runs ended 30 days ago are pruned; bob has an API key.
 */
async function orgWorld() {
  const tk = newKit();
  const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
  const src = await tk.seed.organization({ handle: 'src', planId: 'pro', owner: ada, members: ['member', 'member'] });
  const bob = src.members[0]!.user;
  const cy = src.members[1]!.user;
  const acme = await tk.seed.organization({ handle: 'acme', planId: 'team', owner: ada, members: [{ user: cy, role: 'member' }] });
  const beta = await tk.seed.organization({ handle: 'beta', planId: 'pro' });
  const eve = await tk.seed.user({ handle: 'eve' });
  const ws = await tk.seed.workspace(src.account.id, { handle: 'etl' });
  const side = await tk.seed.workspace(src.account.id, { handle: 'side' });
  valueOf(await tk.kit.shareWorkspace(SEED, { workspaceId: ws.id, grantee: asUser(bob.user.id), role: 'runner' }));
  valueOf(await tk.kit.shareWorkspace(SEED, { workspaceId: ws.id, grantee: asUser(cy.user.id), role: 'viewer' }));
  const now = tk.clock.now().getTime();
  await tk.seed.runs(ws.id, { count: 3, endedAt: iso(now - 30 * DAY) });
  await tk.seed.runs(ws.id, { count: 2, endedAt: iso(now - DAY) });
  await tk.seed.runs(ws.id, { count: 1, state: 'running' });
  valueOf(await tk.kit.createApiKey(SEED, { name: 'bob-laptop', userId: bob.user.id }));
  const actor = asUser(ada.user.id);
  const input = { workspaceId: ws.id, targetAccountId: acme.account.id };
  const plan = await planAs(tk, actor, input);
  expect(plan.blockers).toEqual([]);
  expect(plan.impacts.accessLost.users).toEqual([bob.user.id]);
  expect(plan.impacts.grantsRemapped).toHaveLength(1);
  expect(plan.impacts.runsPruned.count).toBe(3);
  tk.clock.advance({ minutes: 1 });
  return { tk, ada, bob, cy, eve, src, acme, beta, ws, side, actor, input, plan, plannedMs: now };
}
type OrgWorld = Awaited<ReturnType<typeof orgWorld>>;

/** ada's personal workspace (pro) with a collaborator and a pending invitation → `acme` (team). */
async function personalWorld() {
  const tk = newKit();
  const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
  const bob = await tk.seed.user({ handle: 'bob' });
  const acme = await tk.seed.organization({ handle: 'acme', planId: 'team', owner: ada });
  const ws = await tk.seed.workspace(ada.account.id, { handle: 'etl' });
  const token = valueOf(await tk.kit.inviteCollaborator(asUser(ada.user.id), { workspaceId: ws.id, email: bob.user.email })).token.reveal();
  valueOf(await tk.kit.acceptInvitation(asUser(bob.user.id), { token }));
  const pending = valueOf(await tk.kit.inviteCollaborator(asUser(ada.user.id), { workspaceId: ws.id, email: 'dan@example.test' })).invitation;
  const actor = asUser(ada.user.id);
  const input = { workspaceId: ws.id, targetAccountId: acme.account.id };
  const plan = await planAs(tk, actor, input);
  expect(plan.impacts.invitationsCancelled.map((i) => i.id)).toEqual([pending.id]);
  tk.clock.advance({ minutes: 1 });
  return { tk, ada, bob, acme, ws, pending, actor, input, plan };
}

async function expectStale(tk: Kit, execute: () => KitResult<unknown>): Promise<void> {
  await expectRefused(tk, 'PLAN_STALE', execute);
}

describe('XFER-5 PLAN_STALE when what the plan was made on moves', () => {
  const orgChanges: readonly [string, (w: OrgWorld) => KitResult<unknown>][] = [
    ['a member added to the target (its seats)', (w) => w.tk.kit.addMember(SEED, { accountId: w.acme.account.id, userId: w.eve.user.id, role: 'member' })],
    ['a user who was to lose access joins the target', (w) => w.tk.kit.addMember(SEED, { accountId: w.acme.account.id, userId: w.bob.user.id, role: 'member' })],
    ['a member of the target removed (its kept grant would go)', (w) => w.tk.kit.removeMember(SEED, { accountId: w.acme.account.id, userId: w.cy.user.id })],
    [
      'a new grant the transfer would remove',
      (w) =>
        w.tk.kit.addMember(SEED, { accountId: w.src.account.id, userId: w.eve.user.id, role: 'member' }).andThen(() =>
          w.tk.kit.shareWorkspace(SEED, { workspaceId: w.ws.id, grantee: asUser(w.eve.user.id), role: 'viewer' }),
        ),
    ],
    ['a grant removed', (w) => w.tk.kit.unshareWorkspace(SEED, { workspaceId: w.ws.id, grantee: asUser(w.bob.user.id) })],
    ['a grant changed to another role', (w) => w.tk.kit.changeWorkspaceRole(SEED, { workspaceId: w.ws.id, grantee: asUser(w.cy.user.id), role: 'developer' })],
    ['the default role set', (w) => w.tk.kit.setDefaultWorkspaceRole(SEED, { workspaceId: w.ws.id, role: 'viewer' })],
    [
      'a run that ended before the cutoff tracked',
      (w) => w.tk.kit.trackResources(SEED, { workspaceId: w.ws.id, resources: [{ kind: 'flow-run', name: 'late-report', state: 'failed', endedAt: iso(w.plannedMs - 20 * DAY) }] }),
    ],
    [
      'a run that ended exactly 1 ms before the cutoff tracked',
      (w) =>
        w.tk.kit.trackResources(SEED, {
          workspaceId: w.ws.id,
          resources: [{ kind: 'task-run', name: 'edge', state: 'completed', endedAt: iso(w.plannedMs - 14 * DAY - 1) }],
        }),
    ],
    ['the handle taken in the target', (w) => w.tk.kit.createWorkspace(SEED, { accountId: w.acme.account.id, handle: 'etl' })],
    ['another workspace created in the target', (w) => w.tk.kit.createWorkspace(SEED, { accountId: w.acme.account.id, handle: 'ml' })],
    ['the workspace renamed', (w) => w.tk.kit.updateWorkspace(SEED, { workspaceId: w.ws.id, handle: 'etl-v2' })],
    ['the workspace description edited (WS-5: its version moved)', (w) => w.tk.kit.updateWorkspace(SEED, { workspaceId: w.ws.id, description: 'nightly' })],
    ['an API key created for a user who loses access', (w) => w.tk.kit.createApiKey(SEED, { name: 'bob-ci', userId: w.bob.user.id })],
    ["the target's plan changed", (w) => w.tk.kit.changePlan(SEED, { accountId: w.acme.account.id, planId: 'pro' })],
    [
      'another transfer request opened',
      (w) =>
        w.tk.kit
          .planTransfer(w.actor, { workspaceId: w.ws.id, targetAccountId: w.beta.account.id })
          .andThen((p) => w.tk.kit.requestTransfer(w.actor, carrying({ workspaceId: w.ws.id, targetAccountId: w.beta.account.id }, p))),
    ],
  ];

  for (const [what, change] of orgChanges) {
    it(`XFER-5: ${what}`, async () => {
      const w = await orgWorld();
      valueOf(await change(w));
      await expectStale(w.tk, () => w.tk.kit.executeTransfer(w.actor, carrying(w.input, w.plan)));
    });
  }

  it('XFER-5: an API key revoked for a user who loses access', async () => {
    const w = await orgWorld();
    const key = valueOf(await w.tk.kit.listApiKeys(asUser(w.bob.user.id), {})).items[0]!;
    valueOf(await w.tk.kit.revokeApiKey(SEED, { keyId: key.id }));
    await expectStale(w.tk, () => w.tk.kit.executeTransfer(w.actor, carrying(w.input, w.plan)));
  });

  it('XFER-5: a new pending invitation to the workspace', async () => {
    const w = await personalWorld();
    valueOf(await w.tk.kit.inviteCollaborator(w.actor, { workspaceId: w.ws.id, email: 'erin@example.test' }));
    await expectStale(w.tk, () => w.tk.kit.executeTransfer(w.actor, carrying(w.input, w.plan)));
  });

  it('XFER-5: a pending invitation revoked', async () => {
    const w = await personalWorld();
    valueOf(await w.tk.kit.revokeInvitation(w.actor, { invitationId: w.pending.id }));
    await expectStale(w.tk, () => w.tk.kit.executeTransfer(w.actor, carrying(w.input, w.plan)));
  });

  it('XFER-5 ROLE-2: a custom role of the same name created in the target (the grant would map to it instead)', async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
    const src = await tk.seed.organization({ handle: 'src', planId: 'enterprise', owner: ada, members: ['member'] });
    const bob = src.members[0]!.user;
    const acme = await tk.seed.organization({ handle: 'acme', planId: 'enterprise', owner: ada, members: [{ user: bob, role: 'member' }] });
    const ws = await tk.seed.workspace(src.account.id, { handle: 'etl' });
    const deployer = valueOf(await tk.kit.createCustomRole(SEED, { accountId: src.account.id, name: 'deployer', scopes: ['manage_deployments'], inherits: 'runner' }));
    valueOf(await tk.kit.shareWorkspace(SEED, { workspaceId: ws.id, grantee: asUser(bob.user.id), role: deployer.id }));
    const actor = asUser(ada.user.id);
    const input = { workspaceId: ws.id, targetAccountId: acme.account.id };
    const plan = await planAs(tk, actor, input);
    expect(plan.impacts.grantsRemapped).toEqual([expect.objectContaining({ from: { role: deployer.id, name: 'deployer' }, to: { role: 'runner', name: 'runner' } })]);
    const same = valueOf(await tk.kit.createCustomRole(SEED, { accountId: acme.account.id, name: 'deployer', scopes: ['manage_deployments'], inherits: 'runner' }));
    const fresh = await planAs(tk, actor, input);
    expect(fresh.impacts.grantsRemapped).toEqual([expect.objectContaining({ to: { role: same.id, name: 'deployer' } })]);
    await expectStale(tk, () => tk.kit.executeTransfer(actor, carrying(input, plan)));
    const moved = valueOf(await tk.kit.executeTransfer(actor, carrying(input, fresh)));
    expect(valueOf(await tk.kit.listWorkspaceAccess(SEED, { workspaceId: moved.workspace.id })).items).toEqual([
      expect.objectContaining({ grantee: asUser(bob.user.id), role: same.id, accountId: acme.account.id }),
    ]);
  });
});

describe('XFER-5 plannedAt', () => {
  it('XFER-5: a plannedAt in the future is PLAN_STALE', async () => {
    const w = await orgWorld();
    const future = iso(w.tk.clock.now().getTime() + 1);
    await expectStale(w.tk, () => w.tk.kit.executeTransfer(w.actor, { ...w.input, fingerprint: w.plan.fingerprint, plannedAt: future }));
  });

  it('XFER-5: a plan older than 24 hours is PLAN_STALE; one just younger still executes', async () => {
    const w = await orgWorld();
    w.tk.clock.set(iso(w.plannedMs + 24 * HOUR + 1));
    await expectStale(w.tk, () => w.tk.kit.executeTransfer(w.actor, carrying(w.input, w.plan)));
    const v = await orgWorld();
    v.tk.clock.set(iso(v.plannedMs + 24 * HOUR - 1));
    const moved = valueOf(await v.tk.kit.executeTransfer(v.actor, carrying(v.input, v.plan)));
    expect(moved.plan.fingerprint).toBe(v.plan.fingerprint);
  });

  it('XFER-5: another plannedAt than the plan’s (the cutoff moves with it), a forged fingerprint, or another handle is PLAN_STALE', async () => {
    const w = await orgWorld();
    await expectStale(w.tk, () => w.tk.kit.executeTransfer(w.actor, { ...w.input, fingerprint: w.plan.fingerprint, plannedAt: iso(w.plannedMs - 1) }));
    await expectStale(w.tk, () => w.tk.kit.executeTransfer(w.actor, { ...w.input, fingerprint: 'f'.repeat(64), plannedAt: w.plan.plannedAt }));
    await expectStale(w.tk, () => w.tk.kit.executeTransfer(w.actor, { ...carrying(w.input, w.plan), handle: 'etl-v2' }));
  });
});

describe('XFER-5 not stale when only unrelated things change', () => {
  /** Executes the old plan after the change: it goes through, and is the plan that was made. */
  async function expectStillExecutes(w: OrgWorld): Promise<void> {
    const moved = valueOf(await w.tk.kit.executeTransfer(w.actor, carrying(w.input, w.plan)));
    expect(moved.plan).toEqual(w.plan);
    expect(moved.workspace.accountId).toBe(w.acme.account.id);
  }

  const unrelated: readonly [string, (w: OrgWorld) => KitResult<unknown>][] = [
    [
      'a run that ended after the cutoff, a run still going and a deployment tracked',
      (w) =>
        w.tk.kit.trackResources(SEED, {
          workspaceId: w.ws.id,
          resources: [
            { kind: 'flow-run', name: 'fresh', state: 'completed', endedAt: iso(w.plannedMs - 14 * DAY) },
            { kind: 'flow-run', name: 'going', state: 'running' },
            { kind: 'deployment', name: 'etl-deployment' },
          ],
        }),
    ],
    ['another account changed', (w) => w.tk.kit.createWorkspace(SEED, { accountId: w.beta.account.id, handle: 'etl' })],
    ['a member added to another organization', (w) => w.tk.kit.addMember(SEED, { accountId: w.beta.account.id, userId: w.eve.user.id, role: 'admin' })],
    ["another workspace of the source shared", (w) => w.tk.kit.shareWorkspace(SEED, { workspaceId: w.side.id, grantee: asUser(w.bob.user.id), role: 'owner' })],
    [
      "another workspace's old runs tracked",
      (w) => w.tk.kit.trackResources(SEED, { workspaceId: w.side.id, resources: [{ kind: 'flow-run', name: 'old', state: 'completed', endedAt: iso(w.plannedMs - 90 * DAY) }] }),
    ],
    ['an API key created for a user who keeps access', (w) => w.tk.kit.createApiKey(SEED, { name: 'ada-laptop', userId: w.ada.user.id })],
    ['a member without access added to the source', (w) => w.tk.kit.addMember(SEED, { accountId: w.src.account.id, userId: w.eve.user.id, role: 'member' })],
  ];

  for (const [what, change] of unrelated) {
    it(`XFER-5: ${what}`, async () => {
      const w = await orgWorld();
      valueOf(await change(w));
      await expectStillExecutes(w);
    });
  }

  it('XFER-5 RET-1: time passing does not move the cutoff: it stays plannedAt − retention', async () => {
    const w = await orgWorld();
    // A run that ends 1 h after the cutoff: 2 h later it would be due, but the plan keeps it.
    valueOf(
      await w.tk.kit.trackResources(SEED, {
        workspaceId: w.ws.id,
        resources: [{ kind: 'flow-run', name: 'border', state: 'completed', endedAt: iso(w.plannedMs - 14 * DAY + HOUR) }],
      }),
    );
    w.tk.clock.advance({ hours: 2 });
    const moved = valueOf(await w.tk.kit.executeTransfer(w.actor, carrying(w.input, w.plan)));
    expect(moved.plan.impacts.runsPruned).toMatchObject({ count: 3, cutoff: iso(w.plannedMs - 14 * DAY) });
    expect(w.tk.store.snapshot().resources.filter((r) => r.workspaceId === w.ws.id).map((r) => r.name)).toContain('border');
  });

  it('XFER-5: a new grant that the transfer keeps as it is changes no impact, so the plan stays true', async () => {
    // The plan lists removed and remapped grants, not kept ones: a grant added for a member of
    // the target with a role the target keeps leaves every impact (and the fingerprint) as it
    // was. Executing moves the grant along, which is what the plan (silently) implies.
    const w = await orgWorld();
    valueOf(await w.tk.kit.addMember(SEED, { accountId: w.src.account.id, userId: w.eve.user.id, role: 'member' }));
    valueOf(await w.tk.kit.addMember(SEED, { accountId: w.acme.account.id, userId: w.eve.user.id, role: 'member' }));
    const replanned = await planAs(w.tk, w.actor, w.input);
    // eve joining the target moved its seats: plan again, then add the kept grant.
    valueOf(await w.tk.kit.shareWorkspace(SEED, { workspaceId: w.ws.id, grantee: asUser(w.eve.user.id), role: 'developer' }));
    const moved = valueOf(await w.tk.kit.executeTransfer(w.actor, carrying(w.input, replanned)));
    expect(moved.plan).toEqual(replanned);
    const grants = valueOf(await w.tk.kit.listWorkspaceAccess(SEED, { workspaceId: w.ws.id })).items;
    expect(grants.map((g) => [g.grantee, g.role])).toContainEqual([asUser(w.eve.user.id), 'developer']);
  });
});
