/**
 * The transfer and retention commands of the fault tests (XFER-5, RET-2, AUD-1), shared by the
 * memory runner (`transfer-faults.test.ts`) and the SQL runner
 * (`test/adapters/kysely/transfer-faults.test.ts`). Each scenario seeds a state through the kit
 * (the faulty store disarmed) and returns the command to fail at every write k.
 */
import { asServiceAccount, asUser, system } from '../../src/core/principal.js';
import type { KitResult } from '../../src/kit/workspace-kit.js';
import type { Store } from '../../src/ports/store.js';
import type { TestKit } from '../../src/testing/test-kit.js';
import { valueOf } from '../support/harness.js';

export interface TransferFaultScenario {
  /** Test title: the spec ids and the command. */
  readonly title: string;
  /** The fewest writes the command makes on success (its changes plus its audit events). */
  readonly minWrites: number;
  /** The audit events a success records (two for a transfer, XFER-6). */
  readonly events: number;
  /** Seeds the state and returns the command to run. */
  prepare(t: TestKit<Store>): Promise<() => KitResult<unknown>>;
}

const OLD = '2025-06-01T00:00:00.000Z';

export const transferFaultScenarios: readonly TransferFaultScenario[] = [
  {
    title: 'XFER-5 executeTransfer personal → organization with a rename (grants removed and remapped, an invitation cancelled, runs pruned)',
    minWrites: 8,
    events: 2,
    prepare: async ({ kit, seed, clock }) => {
      const ada = await seed.user({ handle: 'ada', planId: 'pro' });
      const bob = await seed.user({ handle: 'bob', email: 'bob@example.test' });
      const cy = await seed.user({ handle: 'cy', email: 'cy@example.test' });
      const me = asUser(ada.user.id);
      const ws = await seed.workspace(ada.account.id, { handle: 'etl' });
      for (const [who, email] of [[bob, 'bob@example.test'], [cy, 'cy@example.test']] as const) {
        const token = valueOf(await kit.inviteCollaborator(me, { workspaceId: ws.id, email, role: 'runner' })).token.reveal();
        valueOf(await kit.acceptInvitation(asUser(who.user.id), { token }));
      }
      valueOf(await kit.inviteCollaborator(me, { workspaceId: ws.id, email: 'dan@example.test' }));
      valueOf(await kit.createApiKey(asUser(bob.user.id), { name: 'bob-laptop' }));
      await seed.runs(ws.id, { count: 30, endedAt: OLD });
      await seed.runs(ws.id, { count: 5, endedAt: '2025-12-30T00:00:00.000Z', kind: 'task-run' });
      await seed.runs(ws.id, { count: 2, state: 'running' });
      await seed.resources(ws.id, { deployment: 1, block: 1, log: 2 });
      const acme = valueOf(await kit.createOrganization(me, { handle: 'acme', displayName: 'Acme', planId: 'team' }));
      valueOf(await kit.addMember(me, { accountId: acme.id, userId: cy.user.id, role: 'member' }));
      const plan = valueOf(await kit.planTransfer(me, { workspaceId: ws.id, targetAccountId: acme.id, handle: 'etl-prod' }));
      clock.advance({ minutes: 5 });
      return () =>
        kit.executeTransfer(me, { workspaceId: ws.id, targetAccountId: acme.id, handle: 'etl-prod', fingerprint: plan.fingerprint, plannedAt: plan.plannedAt });
    },
  },
  {
    title: 'XFER-5 executeTransfer organization → organization (a custom role and the default role remapped, a service account grant removed)',
    minWrites: 6,
    events: 2,
    prepare: async ({ kit, seed }) => {
      const source = await seed.organization({ handle: 'src', planId: 'enterprise', members: ['member', 'member'] });
      const owner = asUser(source.owner.user.id);
      const target = await seed.organization({ handle: 'dst', planId: 'pro', owner: source.owner, members: [{ user: source.members[0]!.user, role: 'member' }] });
      const ws = await seed.workspace(source.account.id, { handle: 'prod' });
      const role = valueOf(await kit.createCustomRole(owner, { accountId: source.account.id, name: 'Deployer', scopes: ['manage_deployments'], inherits: 'runner' }));
      for (const m of source.members) valueOf(await kit.shareWorkspace(owner, { workspaceId: ws.id, grantee: asUser(m.user.user.id), role: role.id }));
      const bot = valueOf(await kit.createServiceAccount(owner, { accountId: source.account.id, name: 'bot' }));
      valueOf(await kit.shareWorkspace(owner, { workspaceId: ws.id, grantee: asServiceAccount(bot.id), role: 'developer' }));
      valueOf(await kit.createApiKey(owner, { name: 'ci', serviceAccountId: bot.id }));
      valueOf(await kit.setDefaultWorkspaceRole(owner, { workspaceId: ws.id, role: role.id }));
      await seed.runs(ws.id, { count: 12, endedAt: OLD });
      const plan = valueOf(await kit.planTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id }));
      return () => kit.executeTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id, fingerprint: plan.fingerprint, plannedAt: plan.plannedAt });
    },
  },
  {
    title: 'XFER-5 RET-1 executeTransfer pruning 1 200 runs (two delete batches) into a shorter retention',
    minWrites: 5,
    events: 2,
    prepare: async ({ kit, seed }) => {
      const source = await seed.organization({ planId: 'enterprise' });
      const target = await seed.organization({ planId: 'team', owner: source.owner });
      const owner = asUser(source.owner.user.id);
      const ws = await seed.workspace(source.account.id);
      await seed.runs(ws.id, { count: 1200, endedAt: (i) => new Date(Date.parse(OLD) + i * 1000).toISOString() });
      await seed.runs(ws.id, { count: 3, state: 'scheduled', kind: 'task-run' });
      const plan = valueOf(await kit.planTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id }));
      return () => kit.executeTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id, fingerprint: plan.fingerprint, plannedAt: plan.plannedAt });
    },
  },
  {
    title: 'XFER-2 XFER-5 approveTransferRequest by the target Owner (request closed, a grant removed, runs pruned)',
    minWrites: 6,
    events: 2,
    prepare: async ({ kit, seed, clock }) => {
      const source = await seed.organization({ handle: 'src', planId: 'pro', members: ['member'] });
      const owner = asUser(source.owner.user.id);
      const tom = await seed.user({ handle: 'tom' });
      const target = await seed.organization({ handle: 'dst', planId: 'starter', owner: tom });
      const ws = await seed.workspace(source.account.id, { handle: 'prod' });
      valueOf(await kit.shareWorkspace(owner, { workspaceId: ws.id, grantee: asUser(source.members[0]!.user.user.id), role: 'viewer' }));
      valueOf(await kit.inviteMember(owner, { accountId: source.account.id, email: 'late@example.test', role: 'member' }));
      await seed.runs(ws.id, { count: 8, endedAt: OLD });
      const plan = valueOf(await kit.planTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id }));
      const request = valueOf(await kit.requestTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id, fingerprint: plan.fingerprint, plannedAt: plan.plannedAt }));
      clock.advance({ hours: 3 });
      return () => kit.approveTransferRequest(asUser(tom.user.id), { requestId: request.id, fingerprint: request.fingerprint });
    },
  },
  {
    title: 'XFER-3 XFER-5 approveTransferRequest by support between two personal accounts',
    minWrites: 5,
    events: 2,
    prepare: async ({ kit, seed }) => {
      const ada = await seed.user({ handle: 'ada', planId: 'starter' });
      const bob = await seed.user({ handle: 'bob', planId: 'starter' });
      const me = asUser(ada.user.id);
      const ws = await seed.workspace(ada.account.id, { handle: 'side' });
      await seed.runs(ws.id, { count: 6, endedAt: OLD });
      await seed.runs(ws.id, { count: 1, state: 'paused' });
      const plan = valueOf(await kit.planTransfer(me, { workspaceId: ws.id, targetAccountId: bob.account.id }));
      const request = valueOf(await kit.requestTransfer(me, { workspaceId: ws.id, targetAccountId: bob.account.id, fingerprint: plan.fingerprint, plannedAt: plan.plannedAt }));
      return () => kit.approveTransferRequest(system('support'), { requestId: request.id, fingerprint: request.fingerprint });
    },
  },
  {
    title: 'XFER-2 requestTransfer closing an expired request first',
    minWrites: 3,
    events: 1,
    prepare: async ({ kit, seed, clock }) => {
      const source = await seed.organization({ planId: 'pro' });
      const owner = asUser(source.owner.user.id);
      const tom = await seed.user();
      const target = await seed.organization({ planId: 'pro', owner: tom });
      const ws = await seed.workspace(source.account.id);
      const first = valueOf(await kit.planTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id }));
      valueOf(await kit.requestTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id, fingerprint: first.fingerprint, plannedAt: first.plannedAt }));
      clock.advance({ hours: 25 });
      const plan = valueOf(await kit.planTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id }));
      return () => kit.requestTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id, fingerprint: plan.fingerprint, plannedAt: plan.plannedAt });
    },
  },
  {
    title: 'XFER-2 rejectTransferRequest by the target Owner',
    minWrites: 2,
    events: 1,
    prepare: async ({ kit, seed }) => {
      const source = await seed.organization({ planId: 'pro' });
      const owner = asUser(source.owner.user.id);
      const tom = await seed.user();
      const target = await seed.organization({ planId: 'pro', owner: tom });
      const ws = await seed.workspace(source.account.id);
      const plan = valueOf(await kit.planTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id }));
      const request = valueOf(await kit.requestTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id, fingerprint: plan.fingerprint, plannedAt: plan.plannedAt }));
      return () => kit.rejectTransferRequest(asUser(tom.user.id), { requestId: request.id });
    },
  },
  {
    title: 'XFER-2 cancelTransferRequest by the requesting side',
    minWrites: 2,
    events: 1,
    prepare: async ({ kit, seed }) => {
      const source = await seed.organization({ planId: 'pro' });
      const owner = asUser(source.owner.user.id);
      const tom = await seed.user();
      const target = await seed.organization({ planId: 'pro', owner: tom });
      const ws = await seed.workspace(source.account.id);
      const plan = valueOf(await kit.planTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id }));
      const request = valueOf(await kit.requestTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id, fingerprint: plan.fingerprint, plannedAt: plan.plannedAt }));
      return () => kit.cancelTransferRequest(owner, { requestId: request.id });
    },
  },
  {
    title: 'RET-2 pruneRuns over three workspaces in batches of 2 (many deletes, one event)',
    minWrites: 8,
    events: 1,
    prepare: async ({ kit, seed }) => {
      const { account, owner } = await seed.organization({ planId: 'pro' });
      for (let i = 0; i < 3; i += 1) {
        const ws = await seed.workspace(account.id);
        await seed.runs(ws.id, { count: 4 + i, endedAt: OLD });
        await seed.runs(ws.id, { count: 2, state: 'running', kind: 'task-run' });
        await seed.runs(ws.id, { count: 2, endedAt: '2025-12-31T00:00:00.000Z' });
        await seed.resources(ws.id, { flow: 1, artifact: 1 });
      }
      return () => kit.pruneRuns(asUser(owner.user.id), { accountId: account.id, batchSize: 2 });
    },
  },
  {
    title: 'RET-2 pruneRuns stopped by maxRuns (the system as the scheduler)',
    minWrites: 3,
    events: 1,
    prepare: async ({ kit, seed }) => {
      const { account } = await seed.organization({ planId: 'team' });
      for (let i = 0; i < 2; i += 1) {
        const ws = await seed.workspace(account.id);
        await seed.runs(ws.id, { count: 5, endedAt: OLD, kind: i === 0 ? 'flow-run' : 'task-run' });
      }
      return () => kit.pruneRuns(system('retention'), { accountId: account.id, batchSize: 3, maxRuns: 7 });
    },
  },
];
