/**
 * XFER-4 ROLE-5: where a kept grant's custom role lands in the target. A same-named role of the
 * target is used only if it grants nothing the source role did not; otherwise the grant falls
 * back to a built-in role, and the plan says why.
 */
import { describe, expect, it } from 'vitest';
import { asUser, system } from '../../src/core/principal.js';
import { carrying, newKit, planAs, valueOf } from './support.js';

const SEED = system('seed');

async function world(targetScopes: Parameters<ReturnType<typeof newKit>['kit']['createCustomRole']>[1]['scopes']) {
  const tk = newKit();
  const ada = await tk.seed.user({ handle: 'ada', planId: 'pro' });
  const src = await tk.seed.organization({ handle: 'src', planId: 'enterprise', owner: ada, members: ['member'] });
  const bob = src.members[0]!.user;
  const acme = await tk.seed.organization({ handle: 'acme', planId: 'enterprise', owner: ada, members: [{ user: bob, role: 'member' }] });
  const ws = await tk.seed.workspace(src.account.id, { handle: 'etl' });
  const deployer = valueOf(await tk.kit.createCustomRole(SEED, { accountId: src.account.id, name: 'deployer', scopes: ['manage_deployments'], inherits: 'runner' }));
  const same = valueOf(await tk.kit.createCustomRole(SEED, { accountId: acme.account.id, name: 'deployer', scopes: targetScopes, inherits: 'runner' }));
  valueOf(await tk.kit.shareWorkspace(SEED, { workspaceId: ws.id, grantee: asUser(bob.user.id), role: deployer.id }));
  const actor = asUser(ada.user.id);
  const input = { workspaceId: ws.id, targetAccountId: acme.account.id };
  return { tk, bob, ws, deployer, same, actor, input };
}

describe('XFER-4 ROLE-5 mapping custom roles into the target', () => {
  it('XFER-4: a same-named target role granting no more than the source role is used', async () => {
    const w = await world(['manage_deployments']);
    const plan = await planAs(w.tk, w.actor, w.input);
    expect(plan.impacts.grantsRemapped).toEqual([
      expect.objectContaining({ to: { role: w.same.id, name: 'deployer' }, reason: "the target's custom role of the same name" }),
    ]);
  });

  it('ROLE-5 XFER-4: a same-named target role that grants more is not used: the grant falls back to the inherited role', async () => {
    const w = await world(['manage_deployments', 'manage_blocks', 'see_secret_blocks']);
    const plan = await planAs(w.tk, w.actor, w.input);
    expect(plan.impacts.grantsRemapped).toEqual([
      expect.objectContaining({
        from: { role: w.deployer.id, name: 'deployer' },
        to: { role: 'runner', name: 'runner' },
        reason: "the target's custom role deployer grants more than the source's: its inherited role",
      }),
    ]);
    const moved = valueOf(await w.tk.kit.executeTransfer(w.actor, carrying(w.input, plan)));
    expect(valueOf(await w.tk.kit.listWorkspaceAccess(SEED, { workspaceId: moved.workspace.id })).items).toEqual([
      expect.objectContaining({ grantee: asUser(w.bob.user.id), role: 'runner' }),
    ]);
    const scopes = valueOf(await w.tk.kit.explainAccess(asUser(w.bob.user.id), { workspaceId: w.ws.id })).scopes;
    expect(scopes).not.toContain('manage_blocks');
  });
});
