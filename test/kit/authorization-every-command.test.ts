/**
 * ROLE-6 and AUD-1 for every state-changing command of the kit: a principal with no right to it
 * — an outsider (no role in the account), an organization Member without grants, a Member with
 * only a Viewer grant, a service account without grants and one with only a Viewer grant — is
 * refused (`NOT_FOUND` when it may not even see the target, `FORBIDDEN` naming the missing
 * scope otherwise), and nothing changes: the store is deep-equal before and after and no audit
 * event is recorded or published. Each row is also run once by its rightful actor, so a refusal
 * can only come from authorization, never from a broken input.
 */
import { describe, expect, it } from 'vitest';
import {
  asServiceAccount,
  asUser,
  system,
  type KitResult,
  type Principal,
  type WorkspaceKit,
} from '../../src/index.js';
import type { MemoryStore } from '../../src/memory.js';
import { createTestKit, type TestKit } from '../../src/testing.js';
import { valueOf } from '../support/harness.js';

/** The state every case starts from: an enterprise organization with something of every kind. */
async function world() {
  const t: TestKit<MemoryStore> = createTestKit();
  const { kit, seed } = t;
  const org = await seed.organization({ handle: 'acme', planId: 'enterprise', members: ['admin', 'member', 'member', 'member'] });
  const accountId = org.account.id;
  const owner = asUser(org.owner.user.id);
  const member = asUser(org.members[1]!.user.user.id);
  const viewer = asUser(org.members[2]!.user.user.id);
  const granted = asUser(org.members[3]!.user.user.id);
  const ws = await seed.workspace(accountId, { handle: 'prod' });
  const bot = valueOf(await kit.createServiceAccount(owner, { accountId, name: 'bot' }));
  const viewerBot = valueOf(await kit.createServiceAccount(owner, { accountId, name: 'viewer-bot' }));
  const deployBot = valueOf(await kit.createServiceAccount(owner, { accountId, name: 'deploy-bot' }));
  valueOf(await kit.shareWorkspace(owner, { workspaceId: ws.id, grantee: viewer, role: 'viewer' }));
  valueOf(await kit.shareWorkspace(owner, { workspaceId: ws.id, grantee: asServiceAccount(viewerBot.id), role: 'viewer' }));
  valueOf(await kit.shareWorkspace(owner, { workspaceId: ws.id, grantee: granted, role: 'developer' }));
  const role = valueOf(await kit.createCustomRole(owner, { accountId, name: 'Unused', scopes: ['see_flows'] }));
  const invitee = await seed.user({ email: 'invitee@example.test', handle: 'invitee' });
  const invitation = valueOf(await kit.inviteMember(owner, { accountId, email: 'invitee@example.test', role: 'member' }));
  const saKey = valueOf(await kit.createApiKey(owner, { name: 'deploy', serviceAccountId: deployBot.id }));
  const userKey = valueOf(await kit.createApiKey(owner, { name: 'owner-cli' }));
  const pat = await seed.user({ handle: 'pat' });
  const personalWs = await seed.workspace(pat.account.id, { handle: 'side-project' });
  const outsider = await seed.user({ handle: 'mallory' });
  // Runs past the enterprise retention (365 days before 2026-01-01): pruning has work to do.
  await seed.runs(ws.id, { count: 2, endedAt: '2024-06-01T00:00:00.000Z' });
  // Transfers (XFER): `beta` is the Owner's too (one-step transfer); `gamma` belongs to Tom,
  // who is asked to approve a pending request for a second workspace.
  const beta = await seed.organization({ handle: 'beta', planId: 'enterprise', owner: org.owner });
  const tom = await seed.user({ handle: 'tom' });
  const gamma = await seed.organization({ handle: 'gamma', planId: 'enterprise', owner: tom });
  const staging = await seed.workspace(accountId, { handle: 'staging' });
  const toGamma = valueOf(await kit.planTransfer(owner, { workspaceId: staging.id, targetAccountId: gamma.account.id }));
  const request = valueOf(
    await kit.requestTransfer(owner, {
      workspaceId: staging.id,
      targetAccountId: gamma.account.id,
      fingerprint: toGamma.fingerprint,
      plannedAt: toGamma.plannedAt,
    }),
  );
  const toBeta = valueOf(await kit.planTransfer(owner, { workspaceId: ws.id, targetAccountId: beta.account.id }));
  const prodToGamma = valueOf(await kit.planTransfer(owner, { workspaceId: ws.id, targetAccountId: gamma.account.id }));
  return {
    t,
    kit,
    accountId,
    owner,
    granted,
    ws,
    deployBot,
    role,
    invitee: asUser(invitee.user.id),
    invitation,
    saKey,
    userKey,
    pat: asUser(pat.user.id),
    personalWs,
    beta: beta.account,
    gamma: gamma.account,
    tom: asUser(tom.user.id),
    toBeta,
    prodToGamma,
    request,
    actors: {
      outsider: asUser(outsider.user.id),
      member,
      viewer,
      'service account': asServiceAccount(bot.id),
      'viewer service account': asServiceAccount(viewerBot.id),
    } satisfies Record<string, Principal>,
  };
}
type World = Awaited<ReturnType<typeof world>>;
type ActorName = keyof World['actors'];
const ACTORS: readonly ActorName[] = ['outsider', 'member', 'viewer', 'service account', 'viewer service account'];

type Expected =
  | { readonly code: 'NOT_FOUND'; readonly entity: string }
  | { readonly code: 'FORBIDDEN'; readonly missingScope: string }
  | { readonly code: 'INVITATION_INVALID'; readonly reason: string };
type Expectations = Readonly<Record<ActorName, Expected>>;

const notFound = (entity: string): Expected => ({ code: 'NOT_FOUND', entity });
const forbidden = (missingScope: string): Expected => ({ code: 'FORBIDDEN', missingScope });
const everyone = (e: Expected): Expectations => ({
  outsider: e,
  member: e,
  viewer: e,
  'service account': e,
  'viewer service account': e,
});
/** An account command: outsiders do not see the account; its members and service accounts lack `scope`. */
const accountScope = (scope: string, hidden = 'account'): Expectations => ({ ...everyone(forbidden(scope)), outsider: notFound(hidden) });
/** A workspace command: only the principals with a Viewer grant see the workspace, and lack `scope`. */
const workspaceScope = (scope: string): Expectations => ({
  ...everyone(notFound('workspace')),
  viewer: forbidden(scope),
  'viewer service account': forbidden(scope),
});

interface Row {
  readonly title: string;
  readonly method: keyof WorkspaceKit;
  readonly run: (w: World, actor: Principal) => KitResult<unknown>;
  /** Who may run it: the control that proves the input is fine. */
  readonly rightful: (w: World) => Principal;
  readonly expected: Expectations;
  /**
   * Audit events the rightful run records: one (AUD-1), except a transfer, which records
   * `workspace.transferred-out` in the source's log and `workspace.transferred-in` in the target's (XFER-6).
   */
  readonly events?: number;
}

const ROWS: readonly Row[] = [
  {
    title: 'registerUser',
    method: 'registerUser',
    run: (w, a) => w.kit.registerUser(a, { email: 'new@example.test', displayName: 'New', handle: 'newbie' }),
    rightful: () => system(),
    expected: everyone(forbidden('register_users')),
  },
  {
    title: 'createOrganization owned by someone else',
    method: 'createOrganization',
    run: (w, a) => w.kit.createOrganization(a, { handle: 'evil', displayName: 'Evil', ownerUserId: w.owner.userId }),
    rightful: (w) => w.owner,
    expected: everyone(forbidden('register_users')),
  },
  {
    title: 'addMember (the outsider as member)',
    method: 'addMember',
    run: (w, a) => w.kit.addMember(a, { accountId: w.accountId, userId: w.actors.outsider.userId, role: 'member' }),
    rightful: (w) => w.owner,
    expected: accountScope('manage_members'),
  },
  {
    title: 'addMember (the outsider as owner)',
    method: 'addMember',
    run: (w, a) => w.kit.addMember(a, { accountId: w.accountId, userId: w.actors.outsider.userId, role: 'owner' }),
    rightful: (w) => w.owner,
    expected: accountScope('manage_owners'),
  },
  {
    title: 'changeMemberRole (the viewer to admin)',
    method: 'changeMemberRole',
    run: (w, a) => w.kit.changeMemberRole(a, { accountId: w.accountId, userId: w.actors.viewer.userId, role: 'admin' }),
    rightful: (w) => w.owner,
    expected: accountScope('manage_members'),
  },
  {
    title: 'removeMember (another member)',
    method: 'removeMember',
    run: (w, a) => w.kit.removeMember(a, { accountId: w.accountId, userId: w.granted.userId }),
    rightful: (w) => w.owner,
    expected: accountScope('manage_members'),
  },
  {
    title: 'changePlan',
    method: 'changePlan',
    run: (w, a) => w.kit.changePlan(a, { accountId: w.accountId, planId: 'pro' }),
    rightful: (w) => w.owner,
    expected: accountScope('manage_account_settings'),
  },
  {
    title: 'createWorkspace',
    method: 'createWorkspace',
    run: (w, a) => w.kit.createWorkspace(a, { accountId: w.accountId, handle: 'new-ws' }),
    rightful: (w) => w.owner,
    expected: accountScope('create_workspaces'),
  },
  {
    title: 'updateWorkspace',
    method: 'updateWorkspace',
    run: (w, a) => w.kit.updateWorkspace(a, { workspaceId: w.ws.id, handle: 'renamed', description: 'mine now' }),
    rightful: (w) => w.owner,
    expected: workspaceScope('write_workspace_settings'),
  },
  {
    title: 'deleteWorkspace',
    method: 'deleteWorkspace',
    run: (w, a) => w.kit.deleteWorkspace(a, { workspaceId: w.ws.id }),
    rightful: (w) => w.owner,
    expected: workspaceScope('delete_workspace'),
  },
  {
    title: 'trackResources (a deployment)',
    method: 'trackResources',
    run: (w, a) => w.kit.trackResources(a, { workspaceId: w.ws.id, resources: [{ kind: 'deployment', name: 'etl' }] }),
    rightful: (w) => w.owner,
    expected: workspaceScope('manage_deployments'),
  },
  {
    title: 'shareWorkspace (with a member)',
    method: 'shareWorkspace',
    run: (w, a) => w.kit.shareWorkspace(a, { workspaceId: w.ws.id, grantee: w.actors.member, role: 'owner' }),
    rightful: (w) => w.owner,
    expected: workspaceScope('manage_workspace_users'),
  },
  {
    title: 'shareWorkspace (with a service account)',
    method: 'shareWorkspace',
    run: (w, a) => w.kit.shareWorkspace(a, { workspaceId: w.ws.id, grantee: w.actors['service account'], role: 'owner' }),
    rightful: (w) => w.owner,
    expected: workspaceScope('manage_workspace_service_accounts'),
  },
  {
    title: 'changeWorkspaceRole (another grant)',
    method: 'changeWorkspaceRole',
    run: (w, a) => w.kit.changeWorkspaceRole(a, { workspaceId: w.ws.id, grantee: w.granted, role: 'viewer' }),
    rightful: (w) => w.owner,
    expected: workspaceScope('manage_workspace_users'),
  },
  {
    title: 'changeWorkspaceRole (the viewer’s grant to owner)',
    method: 'changeWorkspaceRole',
    run: (w, a) => w.kit.changeWorkspaceRole(a, { workspaceId: w.ws.id, grantee: w.actors.viewer, role: 'owner' }),
    rightful: (w) => w.owner,
    expected: workspaceScope('manage_workspace_users'),
  },
  {
    title: 'changeWorkspaceRole (the viewer service account’s grant to owner)',
    method: 'changeWorkspaceRole',
    run: (w, a) => w.kit.changeWorkspaceRole(a, { workspaceId: w.ws.id, grantee: w.actors['viewer service account'], role: 'owner' }),
    rightful: (w) => w.owner,
    expected: workspaceScope('manage_workspace_service_accounts'),
  },
  {
    title: 'unshareWorkspace (another grant)',
    method: 'unshareWorkspace',
    run: (w, a) => w.kit.unshareWorkspace(a, { workspaceId: w.ws.id, grantee: w.granted }),
    rightful: (w) => w.owner,
    expected: workspaceScope('manage_workspace_users'),
  },
  {
    title: 'setDefaultWorkspaceRole',
    method: 'setDefaultWorkspaceRole',
    run: (w, a) => w.kit.setDefaultWorkspaceRole(a, { workspaceId: w.ws.id, role: 'owner' }),
    rightful: (w) => w.owner,
    expected: workspaceScope('set_default_workspace_role'),
  },
  {
    title: 'createCustomRole',
    method: 'createCustomRole',
    run: (w, a) => w.kit.createCustomRole(a, { accountId: w.accountId, name: 'Mine', scopes: ['manage_workspace_users'], inherits: 'owner' }),
    rightful: (w) => w.owner,
    expected: accountScope('manage_custom_roles'),
  },
  {
    title: 'deleteCustomRole',
    method: 'deleteCustomRole',
    run: (w, a) => w.kit.deleteCustomRole(a, { roleId: w.role.id }),
    rightful: (w) => w.owner,
    expected: accountScope('manage_custom_roles', 'role'),
  },
  {
    title: 'inviteMember',
    method: 'inviteMember',
    run: (w, a) => w.kit.inviteMember(a, { accountId: w.accountId, email: 'friend@example.test', role: 'admin' }),
    rightful: (w) => w.owner,
    expected: accountScope('manage_members'),
  },
  {
    title: 'inviteCollaborator (to someone’s personal workspace)',
    method: 'inviteCollaborator',
    run: (w, a) => w.kit.inviteCollaborator(a, { workspaceId: w.personalWs.id, email: 'friend@example.test' }),
    rightful: (w) => w.pat,
    expected: everyone(notFound('workspace')),
  },
  {
    title: 'resendInvitation',
    method: 'resendInvitation',
    run: (w, a) => w.kit.resendInvitation(a, { invitationId: w.invitation.invitation.id }),
    rightful: (w) => w.owner,
    expected: accountScope('manage_members', 'invitation'),
  },
  {
    title: 'revokeInvitation',
    method: 'revokeInvitation',
    run: (w, a) => w.kit.revokeInvitation(a, { invitationId: w.invitation.invitation.id }),
    rightful: (w) => w.owner,
    expected: accountScope('manage_members', 'invitation'),
  },
  {
    title: 'acceptInvitation (someone else’s)',
    method: 'acceptInvitation',
    run: (w, a) => w.kit.acceptInvitation(a, { token: w.invitation.token.reveal() }),
    rightful: (w) => w.invitee,
    expected: everyone({ code: 'INVITATION_INVALID', reason: 'email-mismatch' }),
  },
  {
    title: 'rejectInvitation (someone else’s)',
    method: 'rejectInvitation',
    run: (w, a) => w.kit.rejectInvitation(a, { token: w.invitation.token.reveal() }),
    rightful: (w) => w.invitee,
    expected: everyone({ code: 'INVITATION_INVALID', reason: 'email-mismatch' }),
  },
  {
    title: 'createServiceAccount',
    method: 'createServiceAccount',
    run: (w, a) => w.kit.createServiceAccount(a, { accountId: w.accountId, name: 'my-bot' }),
    rightful: (w) => w.owner,
    expected: accountScope('manage_service_accounts'),
  },
  {
    title: 'deleteServiceAccount',
    method: 'deleteServiceAccount',
    run: (w, a) => w.kit.deleteServiceAccount(a, { serviceAccountId: w.deployBot.id }),
    rightful: (w) => w.owner,
    expected: accountScope('manage_service_accounts', 'service-account'),
  },
  {
    title: 'createApiKey (for a service account)',
    method: 'createApiKey',
    run: (w, a) => w.kit.createApiKey(a, { name: 'stolen', serviceAccountId: w.deployBot.id }),
    rightful: (w) => w.owner,
    expected: accountScope('manage_service_accounts', 'service-account'),
  },
  {
    title: 'createApiKey (for another user)',
    method: 'createApiKey',
    run: (w, a) => w.kit.createApiKey(a, { name: 'stolen', userId: w.owner.userId }),
    rightful: (w) => w.owner,
    expected: everyone(notFound('user')),
  },
  {
    title: 'revokeApiKey (a service account’s key)',
    method: 'revokeApiKey',
    run: (w, a) => w.kit.revokeApiKey(a, { keyId: w.saKey.key.id }),
    rightful: (w) => w.owner,
    expected: accountScope('manage_service_accounts', 'api-key'),
  },
  {
    title: 'revokeApiKey (another user’s key)',
    method: 'revokeApiKey',
    run: (w, a) => w.kit.revokeApiKey(a, { keyId: w.userKey.key.id }),
    rightful: (w) => w.owner,
    expected: everyone(notFound('api-key')),
  },
  {
    title: 'rotateApiKey (a service account’s key)',
    method: 'rotateApiKey',
    run: (w, a) => w.kit.rotateApiKey(a, { keyId: w.saKey.key.id, overlapHours: 48 }),
    rightful: (w) => w.owner,
    expected: accountScope('manage_service_accounts', 'api-key'),
  },
  {
    title: 'rotateApiKey (another user’s key)',
    method: 'rotateApiKey',
    run: (w, a) => w.kit.rotateApiKey(a, { keyId: w.userKey.key.id, overlapHours: 48 }),
    rightful: (w) => w.owner,
    expected: everyone(notFound('api-key')),
  },
  {
    title: 'executeTransfer (to an account the Owner also owns)',
    method: 'executeTransfer',
    run: (w, a) =>
      w.kit.executeTransfer(a, {
        workspaceId: w.ws.id,
        targetAccountId: w.beta.id,
        fingerprint: w.toBeta.fingerprint,
        plannedAt: w.toBeta.plannedAt,
      }),
    rightful: (w) => w.owner,
    expected: workspaceScope('transfer_workspace'),
    events: 2,
  },
  {
    title: 'requestTransfer',
    method: 'requestTransfer',
    run: (w, a) =>
      w.kit.requestTransfer(a, {
        workspaceId: w.ws.id,
        targetAccountId: w.gamma.id,
        fingerprint: w.prodToGamma.fingerprint,
        plannedAt: w.prodToGamma.plannedAt,
      }),
    rightful: (w) => w.owner,
    expected: workspaceScope('transfer_workspace'),
  },
  {
    title: 'approveTransferRequest',
    method: 'approveTransferRequest',
    run: (w, a) => w.kit.approveTransferRequest(a, { requestId: w.request.id, fingerprint: w.request.fingerprint }),
    rightful: (w) => w.tom,
    expected: everyone(notFound('transfer-request')),
    events: 2,
  },
  {
    title: 'rejectTransferRequest',
    method: 'rejectTransferRequest',
    run: (w, a) => w.kit.rejectTransferRequest(a, { requestId: w.request.id }),
    rightful: (w) => w.tom,
    expected: everyone(notFound('transfer-request')),
  },
  {
    title: 'cancelTransferRequest',
    method: 'cancelTransferRequest',
    run: (w, a) => w.kit.cancelTransferRequest(a, { requestId: w.request.id }),
    rightful: (w) => w.owner,
    expected: everyone(notFound('transfer-request')),
  },
  {
    title: 'pruneRuns',
    method: 'pruneRuns',
    run: (w, a) => w.kit.pruneRuns(a, { accountId: w.accountId }),
    rightful: (w) => w.owner,
    expected: accountScope('manage_account_settings'),
  },
  {
    title: 'pruneAllAccounts',
    method: 'pruneAllAccounts',
    run: (w, a) => w.kit.pruneAllAccounts(a, {}),
    rightful: () => system('retention'),
    expected: everyone(forbidden('prune_all_accounts')),
  },
];

/** Everything else the kit exposes: read-only queries, the subscription and the catalog. */
const NOT_COMMANDS = [
  'getAccount',
  'getAccountRole',
  'listAccounts',
  'listMembers',
  'getWorkspace',
  'getWorkspaceByHandle',
  'listWorkspaces',
  'previewWorkspaceDeletion',
  'listAuditEvents',
  'listWorkspaceAccess',
  'explainAccess',
  'listCustomRoles',
  'listInvitations',
  'listServiceAccounts',
  'listApiKeys',
  'resolveApiKey',
  'planTransfer',
  'getTransferRequest',
  'subscribe',
  'plans',
] as const;

describe('the table covers the kit (ROLE-6, AUD-1)', () => {
  it('ROLE-6 AUD-1 every kit method is either a refused command of the table or a listed query', async () => {
    const { kit } = await world();
    const commands = new Set(ROWS.map((r) => r.method));
    const queries = new Set<string>(NOT_COMMANDS);
    expect([...commands].filter((m) => queries.has(m))).toEqual([]);
    expect([...new Set([...commands, ...queries])].sort()).toEqual(Object.keys(kit).sort());
  });

  it('ROLE-6 AUD-1 the listed queries record nothing, whoever calls them', async () => {
    const w = await world();
    const before = w.t.store.snapshot();
    const published = w.t.events.length;
    for (const actor of [w.owner, ...Object.values(w.actors)]) {
      await w.kit.getAccount(actor, { accountId: w.accountId });
      await w.kit.getAccountRole(actor, { accountId: w.accountId });
      await w.kit.listAccounts(actor);
      await w.kit.listMembers(actor, { accountId: w.accountId });
      await w.kit.getWorkspace(actor, { workspaceId: w.ws.id });
      await w.kit.getWorkspaceByHandle(actor, { fullHandle: 'acme/prod' });
      await w.kit.listWorkspaces(actor, { accountId: w.accountId });
      await w.kit.previewWorkspaceDeletion(actor, { workspaceId: w.ws.id });
      await w.kit.listAuditEvents(actor, { accountId: w.accountId });
      await w.kit.listWorkspaceAccess(actor, { workspaceId: w.ws.id });
      await w.kit.explainAccess(actor, { workspaceId: w.ws.id, principal: w.granted });
      await w.kit.listCustomRoles(actor, { accountId: w.accountId });
      await w.kit.listInvitations(actor, { accountId: w.accountId });
      await w.kit.listServiceAccounts(actor, { accountId: w.accountId });
      await w.kit.listApiKeys(actor, { serviceAccountId: w.deployBot.id });
      await w.kit.resolveApiKey({ key: w.saKey.secret.reveal() });
      await w.kit.planTransfer(actor, { workspaceId: w.ws.id, targetAccountId: w.beta.id });
      await w.kit.getTransferRequest(actor, { requestId: w.request.id });
    }
    expect(w.t.store.snapshot()).toEqual(before);
    expect(w.t.events).toHaveLength(published);
  });
});

describe('every command is authorized (ROLE-6, AUD-1)', () => {
  it.each(ROWS.map((row) => [row.title, row] as const))('ROLE-6 AUD-1 %s succeeds for its rightful actor with exactly one audit event', async (_title, row) => {
    const w = await world();
    const before = w.t.store.snapshot().audit.length;
    const published = w.t.events.length;
    const result = await row.run(w, row.rightful(w));
    valueOf(result);
    const added = w.t.store.snapshot().audit.slice(before);
    expect(added).toHaveLength(row.events ?? 1);
    expect(w.t.events.slice(published)).toEqual(added);
  });

  const cases = ROWS.flatMap((row) => ACTORS.map((actor) => [row.title, actor, row] as const));
  it.each(cases)('ROLE-6 AUD-1 %s is refused to the %s and changes nothing', async (_title, actorName, row) => {
    const w = await world();
    const before = w.t.store.snapshot();
    const published = w.t.events.length;
    const result = await row.run(w, w.actors[actorName]);
    expect(result.isErr(), 'the command must be refused').toBe(true);
    const error = result._unsafeUnwrapErr();
    const expected = row.expected[actorName];
    expect(error).toMatchObject(expected);
    if (error.code === 'FORBIDDEN') expect(error.message).toBe(`missing scope ${error.missingScope}`);
    expect(w.t.store.snapshot()).toEqual(before);
    expect(w.t.events).toHaveLength(published);
  });
});
