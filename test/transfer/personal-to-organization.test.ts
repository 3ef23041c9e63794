/**
 * The seed's story (XFER-1…XFER-6, RET-1, COL-2, SA-2): Ada moves her personal workspace `etl`
 * into her new organization `acme` (Team plan, 14-day retention), renaming it `etl-prod`.
 * bob, a collaborator who is not in acme, loses access with his API key; cy, in acme, keeps it
 * (as Developer: Team has no workspace RBAC); the pending invitation to dan is cancelled; runs
 * that ended before the cutoff are removed, the others, the running one and the deployment are
 * kept; the CLI profile changes from ada/etl to acme/etl-prod.
 */
import { describe, expect, it } from 'vitest';
import { asUser, system } from '../../src/core/principal.js';
import { renderTransferPlan } from '../../src/transfer-planner/render.js';
import { DAY, carrying, newKit, outcome, planAs, valueOf } from './support.js';

const CHECK = system('check');

describe('XFER-1 a personal workspace moves to an organization', () => {
  it('XFER-1 XFER-4 XFER-5 XFER-6 RET-1 COL-2 SA-2: the plan lists the story, and executing it does exactly that', async () => {
    const tk = newKit();
    const ada = await tk.seed.user({ handle: 'ada', email: 'ada@x.io', planId: 'pro' });
    const bob = await tk.seed.user({ handle: 'bob', email: 'bob@x.io' });
    const cy = await tk.seed.user({ handle: 'cy', email: 'cy@x.io' });
    const me = asUser(ada.user.id);
    const ws = valueOf(await tk.kit.createWorkspace(me, { accountId: ada.account.id, handle: 'etl' }));
    for (const who of [bob, cy]) {
      const token = valueOf(await tk.kit.inviteCollaborator(me, { workspaceId: ws.id, email: who.user.email, role: 'runner' })).token.reveal();
      valueOf(await tk.kit.acceptInvitation(asUser(who.user.id), { token }));
    }
    const dan = valueOf(await tk.kit.inviteCollaborator(me, { workspaceId: ws.id, email: 'dan@x.io' }));
    const bobKey = valueOf(await tk.kit.createApiKey(asUser(bob.user.id), { name: 'bob-laptop' }));
    const cyKey = valueOf(await tk.kit.createApiKey(asUser(cy.user.id), { name: 'cy-ci' }));

    // Run history: November (long gone under Team's 14 days), one exactly at the cutoff, recent ones, one running.
    const now = Date.parse('2026-01-01T00:00:00.000Z');
    const cutoff = new Date(now - 14 * DAY).toISOString();
    const at = (ms: number) => new Date(ms).toISOString();
    const old = Array.from({ length: 50 }, (_, i) => ({ kind: 'flow-run' as const, name: `nightly-${i}`, state: 'completed' as const, endedAt: at(Date.UTC(2025, 10, 1 + (i % 25))) }));
    const tracked = valueOf(
      await tk.kit.trackResources(me, {
        workspaceId: ws.id,
        resources: [
          ...old,
          { kind: 'flow-run', name: 'just-before', state: 'failed', endedAt: at(Date.parse(cutoff) - 1) },
          { kind: 'flow-run', name: 'at-cutoff', state: 'crashed', endedAt: cutoff },
          { kind: 'flow-run', name: 'recent', state: 'completed', endedAt: at(now - DAY) },
          { kind: 'flow-run', name: 'live', state: 'running' },
          { kind: 'deployment', name: 'etl-deployment' },
          { kind: 'block', name: 'warehouse' },
        ],
      }),
    );
    const parent = tracked.find((r) => r.name === 'nightly-0')!;
    valueOf(await tk.kit.trackResources(me, { workspaceId: ws.id, resources: [{ kind: 'flow-run', name: 'subflow', state: 'completed', endedAt: at(now - DAY), parentRunId: parent.id }] }));

    const acme = valueOf(await tk.kit.createOrganization(me, { handle: 'acme', displayName: 'Acme', planId: 'team' }));
    valueOf(await tk.kit.addMember(me, { accountId: acme.id, userId: cy.user.id, role: 'member' }));

    const input = { workspaceId: ws.id, targetAccountId: acme.id, handle: 'etl-prod' };
    const plan = await planAs(tk, me, input);
    expect(plan.blockers).toEqual([]);
    expect(plan.approvalNeeded).toBe('none');
    const i = plan.impacts;
    expect(i.handle).toEqual({ from: 'ada/etl', to: 'acme/etl-prod' });
    expect(i.accessLost).toEqual({
      users: [bob.user.id],
      serviceAccounts: [],
      apiKeys: [{ id: bobKey.key.id, name: 'bob-laptop', owner: asUser(bob.user.id) }],
    });
    expect(i.grantsRemoved).toEqual([{ grantee: asUser(bob.user.id), role: 'runner', reason: 'not a member of the target organization' }]);
    expect(i.grantsRemapped).toEqual([
      expect.objectContaining({ grantee: asUser(cy.user.id), from: { role: 'runner', name: 'runner' }, to: { role: 'developer', name: 'developer' } }),
    ]);
    expect(i.invitationsCancelled).toEqual([{ id: dan.invitation.id, email: 'dan@x.io', role: 'developer' }]);
    expect(i.runsPruned).toEqual({ count: 51, cutoff, retentionDays: 14 });
    expect(i.auditHandOff).toEqual({ from: ada.account.id, to: acme.id });
    expect(i.target.workspaces).toEqual({ current: 0, after: 1, max: 5 });
    expect(i.target.seats).toEqual({ current: 2, after: 2, max: 8 });
    const text = renderTransferPlan(plan, { users: { [bob.user.id]: 'bob@x.io', [cy.user.id]: 'cy@x.io' } });
    expect(text).toContain('CLI profiles: replace ada/etl with acme/etl-prod');
    expect(text).toContain('bob-laptop');
    expect(text).toContain('dan@x.io (developer)');
    expect(text).toContain(`51 runs that ended before ${cutoff}`);

    tk.clock.advance({ minutes: 5 });
    const done = valueOf(await tk.kit.executeTransfer(me, carrying(input, plan)));
    expect(done.workspace).toMatchObject({ id: ws.id, accountId: acme.id, handle: 'etl-prod', version: ws.version + 1 });

    // Access: bob is out (his key still authenticates, but as someone who sees nothing); cy is in.
    expect(outcome(await tk.kit.getWorkspace(asUser(bob.user.id), { workspaceId: ws.id }))).toBe('NOT_FOUND');
    const bobVia = valueOf(await tk.kit.resolveApiKey({ key: bobKey.secret.reveal() }));
    expect(outcome(await tk.kit.getWorkspace(bobVia.principal, { workspaceId: ws.id }))).toBe('NOT_FOUND');
    const cyVia = valueOf(await tk.kit.resolveApiKey({ key: cyKey.secret.reveal() }));
    expect(valueOf(await tk.kit.getWorkspace(cyVia.principal, { workspaceId: ws.id })).fullHandle).toBe('acme/etl-prod');
    expect(valueOf(await tk.kit.explainAccess(CHECK, { workspaceId: ws.id, principal: asUser(cy.user.id) })).sources.manage_deployments).toEqual([
      { kind: 'grant', role: 'developer', roleName: 'developer' },
    ]);
    expect(valueOf(await tk.kit.listWorkspaceAccess(CHECK, { workspaceId: ws.id })).items.map((g) => [g.grantee, g.role, g.accountId])).toEqual([
      [asUser(cy.user.id), 'developer', acme.id],
    ]);
    // ada administers acme, so she keeps Owner through her account role (ROLE-4).
    expect(valueOf(await tk.kit.explainAccess(me, { workspaceId: ws.id })).accountRole).toBe('owner');

    // dan's invitation is revoked: its token no longer works.
    expect(valueOf(await tk.kit.listInvitations(CHECK, { accountId: ada.account.id })).items.find((v) => v.id === dan.invitation.id)?.status).toBe('revoked');
    const late = await tk.kit.acceptInvitation(CHECK, { token: dan.token.reveal(), newUser: { displayName: 'Dan', handle: 'dan' } });
    expect(outcome(late)).toBe('INVITATION_INVALID');

    // Runs: the 50 November runs and the one 1 ms before the cutoff are gone; the rest stays.
    const left = tk.store.snapshot().resources.filter((r) => r.workspaceId === ws.id).map((r) => r.name).sort();
    expect(left).toEqual(['at-cutoff', 'etl-deployment', 'live', 'recent', 'subflow', 'warehouse']);
    expect(valueOf(await tk.kit.previewWorkspaceDeletion(me, { workspaceId: ws.id })).resources).toEqual({ 'flow-run': 4, deployment: 1, block: 1 });

    // The new full handle resolves; the old one does not; handles are unique in acme.
    expect(valueOf(await tk.kit.getWorkspaceByHandle(me, { fullHandle: 'acme/etl-prod' })).id).toBe(ws.id);
    expect(outcome(await tk.kit.getWorkspaceByHandle(me, { fullHandle: 'ada/etl' }))).toBe('NOT_FOUND');
    expect(valueOf(await tk.kit.listWorkspaces(me, { accountId: ada.account.id })).items).toEqual([]);
    expect(valueOf(await tk.kit.listWorkspaces(me, { accountId: acme.id })).items.map((w) => w.fullHandle)).toEqual(['acme/etl-prod']);

    // XFER-6: ada's personal log ends with the hand-off; acme's begins with it.
    const personal = valueOf(await tk.kit.listAuditEvents(me, { accountId: ada.account.id, workspaceId: ws.id, limit: 100 })).items;
    expect(personal.at(-1)?.action).toBe('workspace.transferred-out');
    // (Team has no audit log feature: acme's side is read from the stored log.)
    expect(tk.store.snapshot().audit.filter((e) => e.accountId === acme.id && e.workspaceId === ws.id).map((e) => e.action)).toEqual([
      'workspace.transferred-in',
    ]);
    expect(tk.events.filter((e) => e.workspaceId === ws.id).slice(-2).map((e) => [e.action, e.accountId])).toEqual([
      ['workspace.transferred-out', ada.account.id],
      ['workspace.transferred-in', acme.id],
    ]);
  });
});
