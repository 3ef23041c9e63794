/**
 * Fault injection (STORE-2, AUD-1, WS-4): every state-changing command is all-or-nothing.
 *
 * For each scenario we first run the command once on a fresh, identical state to count the
 * writes it makes. Then, for EVERY k from 1 to that count, we rebuild the state, arm the
 * faulty store to fail the k-th write, run the command and expect: a `STORAGE` error value
 * (never a throw), the memory store's snapshot deep-equal to the one taken before, and no
 * event published. Finally the same command, disarmed, succeeds on that same state — the
 * failure left nothing behind (no half-reserved handle, no orphan membership).
 */
import { describe, expect, it } from 'vitest';
import { asServiceAccount, asUser, system } from '../../src/core/principal.js';
import type { KitResult } from '../../src/kit/workspace-kit.js';
import type { FaultyStore } from '../../src/testing/faulty-store.js';
import type { TestKit } from '../../src/testing/test-kit.js';
import { errorOf, valueOf } from '../support/harness.js';
import { build, expectAtomicAtEveryWrite } from './every-write.js';

interface Scenario {
  /** Test title: the spec ids and the command. */
  readonly title: string;
  /** The fewest writes the command must make (its changes plus the audit event). */
  readonly minWrites: number;
  /** Seeds the state (with the store disarmed) and returns the command to run. */
  prepare(t: TestKit<FaultyStore>): Promise<() => KitResult<unknown>>;
}

const scenarios: readonly Scenario[] = [
  {
    title: 'WS-4 deleteWorkspace of a workspace tracking resources of every kind',
    minWrites: 3,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'pro', members: ['admin'] });
      const ws = await seed.workspace(account.id, { handle: 'prod' });
      const other = await seed.workspace(account.id, { handle: 'other' });
      await seed.resources(ws.id, {
        flow: 2,
        deployment: 2,
        'work-pool': 1,
        'work-queue': 2,
        worker: 1,
        block: 2,
        'secret-block': 1,
        automation: 1,
        notification: 1,
        variable: 3,
        artifact: 1,
        'concurrency-limit': 1,
        log: 4,
        'saved-search': 1,
      });
      await seed.runs(ws.id, { count: 5 });
      await seed.runs(ws.id, { count: 2, state: 'running', kind: 'task-run' });
      await seed.resources(other.id, { flow: 1, variable: 1 });
      return () => kit.deleteWorkspace(asUser(owner.user.id), { workspaceId: ws.id, expectedVersion: 1 });
    },
  },
  {
    title: 'WS-4 deleteWorkspace of an empty workspace',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const ada = await seed.user({ planId: 'starter' });
      const ws = await seed.workspace(ada.account.id, { handle: 'prod' });
      return () => kit.deleteWorkspace(asUser(ada.user.id), { workspaceId: ws.id });
    },
  },
  {
    title: 'PLAN-4 changePlan upgrading an organization',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'starter', members: ['member'] });
      await seed.workspace(account.id);
      return () => kit.changePlan(asUser(owner.user.id), { accountId: account.id, planId: 'enterprise' });
    },
  },
  {
    title: 'PLAN-4 changePlan downgrading an account that fits the smaller plan',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const ada = await seed.user({ planId: 'pro' });
      await seed.workspace(ada.account.id);
      await seed.workspace(ada.account.id);
      return () => kit.changePlan(asUser(ada.user.id), { accountId: ada.account.id, planId: 'starter' });
    },
  },
  {
    title: 'WS-1 HDL-1 createWorkspace (the handle is not left reserved by a failed create)',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, members } = await seed.organization({ planId: 'team', members: ['admin'] });
      await seed.workspace(account.id, { handle: 'dev' });
      return () =>
        kit.createWorkspace(asUser(members[0]!.user.user.id), { accountId: account.id, handle: ' Prod ', description: 'Production' });
    },
  },
  {
    title: 'ACC-1 registerUser (user, personal account and event together or not at all)',
    minWrites: 3,
    prepare: async ({ kit, seed }) => {
      await seed.user({ handle: 'someone-else' });
      return () => kit.registerUser(system('signup'), { email: ' Ada@Example.com ', displayName: 'Ada', handle: 'ada', planId: 'team' });
    },
  },
  {
    title: 'ACC-2 createOrganization by a user (account and first Owner membership together)',
    minWrites: 3,
    prepare: async ({ kit, seed }) => {
      const ada = await seed.user();
      return () => kit.createOrganization(asUser(ada.user.id), { handle: 'acme', displayName: 'Acme', planId: 'pro' });
    },
  },
  {
    title: 'ACC-2 createOrganization by the system for a named owner',
    minWrites: 3,
    prepare: async ({ kit, seed }) => {
      const ada = await seed.user();
      return () => kit.createOrganization(system('admin'), { handle: 'acme', displayName: 'Acme', ownerUserId: ada.user.id });
    },
  },
  {
    title: 'WS-3 WS-5 updateWorkspace renaming and editing with expectedVersion',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'pro' });
      const ws = await seed.workspace(account.id, { handle: 'prod', description: 'before' });
      await seed.workspace(account.id, { handle: 'dev' });
      return () =>
        kit.updateWorkspace(asUser(owner.user.id), {
          workspaceId: ws.id,
          handle: 'production',
          description: 'after',
          expectedVersion: 1,
        });
    },
  },
  {
    title: 'ACC-3 PLAN-2 addMember',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'starter', members: ['member'] });
      const bob = await seed.user();
      return () => kit.addMember(asUser(owner.user.id), { accountId: account.id, userId: bob.user.id, role: 'admin' });
    },
  },
  {
    title: 'ACC-4 removeMember removing one of two Owners',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner, members } = await seed.organization({ planId: 'pro', members: ['owner', 'member'] });
      return () => kit.removeMember(asUser(owner.user.id), { accountId: account.id, userId: members[0]!.user.user.id });
    },
  },
  {
    title: 'ACC-3 removeMember letting a member leave',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, members } = await seed.organization({ planId: 'pro', members: ['member'] });
      const me = members[0]!.user.user.id;
      return () => kit.removeMember(asUser(me), { accountId: account.id, userId: me });
    },
  },
  {
    title: 'ACC-4 ACC-5 changeMemberRole demoting one of two Owners',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner, members } = await seed.organization({ planId: 'pro', members: ['owner'] });
      return () =>
        kit.changeMemberRole(asUser(owner.user.id), { accountId: account.id, userId: members[0]!.user.user.id, role: 'admin' });
    },
  },
  {
    title: 'ACC-5 changeMemberRole promoting a member to Owner',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner, members } = await seed.organization({ planId: 'pro', members: ['member'] });
      return () =>
        kit.changeMemberRole(asUser(owner.user.id), { accountId: account.id, userId: members[0]!.user.user.id, role: 'owner' });
    },
  },
  {
    title: 'WS-2 trackResources of several kinds, runs included',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const ada = await seed.user({ planId: 'pro' });
      const ws = await seed.workspace(ada.account.id);
      await seed.resources(ws.id, { flow: 1 });
      return () =>
        kit.trackResources(asUser(ada.user.id), {
          workspaceId: ws.id,
          resources: [
            { kind: 'flow', name: 'etl' },
            { kind: 'deployment', name: 'etl-nightly' },
            { kind: 'flow-run', name: 'run-1', state: 'completed', endedAt: '2025-12-31T00:00:00Z' },
            { kind: 'task-run', name: 'task-1', state: 'running' },
            { kind: 'secret-block', name: 'token' },
            { kind: 'variable', name: 'region' },
          ],
        });
    },
  },

  // --- Roles, sharing, invitations, service accounts and API keys -----------------------------
  {
    title: 'SHR-1 shareWorkspace with a custom role',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner, members } = await seed.organization({ planId: 'enterprise', members: ['member'] });
      const ws = await seed.workspace(account.id);
      const actor = asUser(owner.user.id);
      const role = valueOf(await kit.createCustomRole(actor, { accountId: account.id, name: 'Deployer', scopes: ['manage_deployments'], inherits: 'runner' }));
      return () => kit.shareWorkspace(actor, { workspaceId: ws.id, grantee: asUser(members[0]!.user.user.id), role: role.id });
    },
  },
  {
    title: 'SHR-1 SA-1 shareWorkspace with a service account',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'team' });
      const ws = await seed.workspace(account.id);
      const actor = asUser(owner.user.id);
      const bot = valueOf(await kit.createServiceAccount(actor, { accountId: account.id, name: 'bot' }));
      return () => kit.shareWorkspace(actor, { workspaceId: ws.id, grantee: asServiceAccount(bot.id), role: 'developer' });
    },
  },
  {
    title: 'SHR-1 changeWorkspaceRole',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner, members } = await seed.organization({ planId: 'pro', members: ['member'] });
      const ws = await seed.workspace(account.id);
      const actor = asUser(owner.user.id);
      const grantee = asUser(members[0]!.user.user.id);
      valueOf(await kit.shareWorkspace(actor, { workspaceId: ws.id, grantee, role: 'viewer' }));
      return () => kit.changeWorkspaceRole(actor, { workspaceId: ws.id, grantee, role: 'developer' });
    },
  },
  {
    title: 'SHR-1 COL-2 unshareWorkspace',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner, members } = await seed.organization({ planId: 'pro', members: ['member'] });
      const ws = await seed.workspace(account.id);
      const actor = asUser(owner.user.id);
      const grantee = asUser(members[0]!.user.user.id);
      valueOf(await kit.shareWorkspace(actor, { workspaceId: ws.id, grantee, role: 'runner' }));
      return () => kit.unshareWorkspace(actor, { workspaceId: ws.id, grantee });
    },
  },
  {
    title: 'ROLE-3 setDefaultWorkspaceRole',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'pro', members: ['member'] });
      const ws = await seed.workspace(account.id);
      return () => kit.setDefaultWorkspaceRole(asUser(owner.user.id), { workspaceId: ws.id, role: 'viewer', expectedVersion: 1 });
    },
  },
  {
    title: 'ROLE-2 createCustomRole',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'enterprise' });
      return () => kit.createCustomRole(asUser(owner.user.id), { accountId: account.id, name: 'Deployer', scopes: ['manage_deployments'], inherits: 'runner' });
    },
  },
  {
    title: 'ROLE-2 deleteCustomRole (the name is free afterwards only if it committed)',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'enterprise' });
      const actor = asUser(owner.user.id);
      const role = valueOf(await kit.createCustomRole(actor, { accountId: account.id, name: 'Deployer', scopes: ['see_flows'] }));
      return () => kit.deleteCustomRole(actor, { roleId: role.id });
    },
  },
  {
    title: 'ACC-6 INV-1 inviteMember',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'team', members: ['member'] });
      return () => kit.inviteMember(asUser(owner.user.id), { accountId: account.id, email: ' Zed@Example.com', role: 'admin' });
    },
  },
  {
    title: 'COL-1 INV-1 inviteCollaborator',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const ada = await seed.user({ planId: 'starter' });
      const ws = await seed.workspace(ada.account.id);
      return () => kit.inviteCollaborator(asUser(ada.user.id), { workspaceId: ws.id, email: 'bob@example.com' });
    },
  },
  {
    title: 'INV-2 resendInvitation (the old token keeps working if the resend failed)',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'pro' });
      const actor = asUser(owner.user.id);
      const issued = valueOf(await kit.inviteMember(actor, { accountId: account.id, email: 'zed@example.com', role: 'member' }));
      return () => kit.resendInvitation(actor, { invitationId: issued.invitation.id, expiresInDays: 3 });
    },
  },
  {
    title: 'INV-1 revokeInvitation',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'pro' });
      const actor = asUser(owner.user.id);
      const issued = valueOf(await kit.inviteMember(actor, { accountId: account.id, email: 'zed@example.com', role: 'member' }));
      return () => kit.revokeInvitation(actor, { invitationId: issued.invitation.id });
    },
  },
  {
    title: 'INV-3 ACC-6 acceptInvitation by the invitee (membership and status together)',
    minWrites: 3,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'pro' });
      const zed = await seed.user({ email: 'zed@example.com' });
      const issued = valueOf(await kit.inviteMember(asUser(owner.user.id), { accountId: account.id, email: 'zed@example.com', role: 'member' }));
      const token = issued.token.reveal();
      return () => kit.acceptInvitation(asUser(zed.user.id), { token });
    },
  },
  {
    title: 'INV-3 ACC-1 acceptInvitation by the system with newUser (user, personal account, membership, status together)',
    minWrites: 5,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'pro' });
      const issued = valueOf(await kit.inviteMember(asUser(owner.user.id), { accountId: account.id, email: 'new@example.com', role: 'admin' }));
      const token = issued.token.reveal();
      return () => kit.acceptInvitation(system('signup'), { token, newUser: { displayName: 'New', handle: 'newbie', planId: 'starter' } });
    },
  },
  {
    title: 'INV-3 COL-1 acceptInvitation of a collaboration invitation (grant and status together)',
    minWrites: 3,
    prepare: async ({ kit, seed }) => {
      const ada = await seed.user({ planId: 'starter' });
      const ws = await seed.workspace(ada.account.id);
      const bob = await seed.user({ email: 'bob@example.com' });
      const issued = valueOf(await kit.inviteCollaborator(asUser(ada.user.id), { workspaceId: ws.id, email: 'bob@example.com' }));
      const token = issued.token.reveal();
      return () => kit.acceptInvitation(asUser(bob.user.id), { token });
    },
  },
  {
    title: 'INV-3 rejectInvitation',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'pro' });
      const zed = await seed.user({ email: 'zed@example.com' });
      const issued = valueOf(await kit.inviteMember(asUser(owner.user.id), { accountId: account.id, email: 'zed@example.com', role: 'member' }));
      const token = issued.token.reveal();
      return () => kit.rejectInvitation(asUser(zed.user.id), { token });
    },
  },
  {
    title: 'SA-1 createServiceAccount',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'team' });
      return () => kit.createServiceAccount(asUser(owner.user.id), { accountId: account.id, name: 'bot' });
    },
  },
  {
    title: 'SA-1 SA-2 deleteServiceAccount with grants and API keys',
    minWrites: 4,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'team' });
      const actor = asUser(owner.user.id);
      const ws = await seed.workspace(account.id);
      const other = await seed.workspace(account.id);
      const bot = valueOf(await kit.createServiceAccount(actor, { accountId: account.id, name: 'bot' }));
      const keep = valueOf(await kit.createServiceAccount(actor, { accountId: account.id, name: 'keep' }));
      for (const sa of [bot, keep]) {
        for (const w of [ws, other]) valueOf(await kit.shareWorkspace(actor, { workspaceId: w.id, grantee: asServiceAccount(sa.id), role: 'developer' }));
        valueOf(await kit.createApiKey(actor, { name: 'a', serviceAccountId: sa.id }));
        valueOf(await kit.createApiKey(actor, { name: 'b', serviceAccountId: sa.id }));
      }
      return () => kit.deleteServiceAccount(actor, { serviceAccountId: bot.id });
    },
  },
  {
    title: 'SA-2 createApiKey for the acting user',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const ada = await seed.user();
      valueOf(await kit.createApiKey(asUser(ada.user.id), { name: 'old' }));
      return () => kit.createApiKey(asUser(ada.user.id), { name: 'laptop', expiresAt: '2026-06-01T00:00:00Z' });
    },
  },
  {
    title: 'SA-2 createApiKey for a service account',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'team' });
      const bot = valueOf(await kit.createServiceAccount(asUser(owner.user.id), { accountId: account.id, name: 'bot' }));
      return () => kit.createApiKey(asUser(owner.user.id), { name: 'ci', serviceAccountId: bot.id });
    },
  },
  {
    title: 'SA-2 revokeApiKey',
    minWrites: 2,
    prepare: async ({ kit, seed }) => {
      const ada = await seed.user();
      const key = valueOf(await kit.createApiKey(asUser(ada.user.id), { name: 'laptop' }));
      return () => kit.revokeApiKey(asUser(ada.user.id), { keyId: key.key.id });
    },
  },
  {
    title: 'SA-3 rotateApiKey with overlap 0 (old revoked and new key together)',
    minWrites: 3,
    prepare: async ({ kit, seed }) => {
      const ada = await seed.user();
      const key = valueOf(await kit.createApiKey(asUser(ada.user.id), { name: 'laptop' }));
      return () => kit.rotateApiKey(asUser(ada.user.id), { keyId: key.key.id });
    },
  },
  {
    title: 'SA-3 rotateApiKey of a service-account key with a 24 h overlap',
    minWrites: 3,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'team' });
      const actor = asUser(owner.user.id);
      const bot = valueOf(await kit.createServiceAccount(actor, { accountId: account.id, name: 'bot' }));
      const key = valueOf(await kit.createApiKey(actor, { name: 'ci', serviceAccountId: bot.id, expiresAt: '2026-03-01T00:00:00Z' }));
      return () => kit.rotateApiKey(actor, { keyId: key.key.id, overlapHours: 24 });
    },
  },
  {
    title: 'ACC-3 SHR-1 removeMember of a member holding grants in several workspaces',
    minWrites: 3,
    prepare: async ({ kit, seed }) => {
      const { account, owner, members } = await seed.organization({ planId: 'pro', members: ['member', 'member'] });
      const actor = asUser(owner.user.id);
      for (let i = 0; i < 3; i += 1) {
        const ws = await seed.workspace(account.id);
        for (const m of members) valueOf(await kit.shareWorkspace(actor, { workspaceId: ws.id, grantee: asUser(m.user.user.id), role: 'runner' }));
      }
      valueOf(await kit.createApiKey(asUser(members[0]!.user.user.id), { name: 'laptop' }));
      return () => kit.removeMember(actor, { accountId: account.id, userId: members[0]!.user.user.id });
    },
  },
];

describe('STORE-2 AUD-1 every command is atomic under an injected storage fault at each of its writes', () => {
  for (const scenario of scenarios) {
    it(`${scenario.title}: a failure at any write k changes nothing and publishes nothing`, async () => {
      await expectAtomicAtEveryWrite((t) => scenario.prepare(t), { minWrites: scenario.minWrites, events: 1 });
    });
  }

  it('WS-4 a delete that failed at any write still previews and deletes every resource afterwards', async () => {
    const scenario = scenarios[0]!;
    const probe = await build((t) => scenario.prepare(t));
    const total = probe.inner.snapshot().resources.length;
    for (let k = 1; k <= 3; k += 1) {
      const b = await build((t) => scenario.prepare(t));
      const ws = b.inner.snapshot().workspaces.find((w) => w.handle === 'prod')!;
      const expectedCount = b.inner.snapshot().resources.filter((r) => r.workspaceId === ws.id).length;
      b.store.arm(k);
      expect(errorOf(await b.run()).code).toBe('STORAGE');
      const preview = valueOf(await b.t.kit.previewWorkspaceDeletion(system(), { workspaceId: ws.id }));
      expect(preview.totalResources).toBe(expectedCount);
      b.store.arm(null);
      const report = valueOf(await b.run()) as { totalResources: number };
      expect(report.totalResources).toBe(expectedCount);
      expect(b.inner.snapshot().resources).toHaveLength(total - expectedCount);
    }
  });
});
