import { isDeepStrictEqual } from 'node:util';
import type { Account, Membership } from '../../account/account.js';
import type { ApiKey } from '../../account/api-key.js';
import type { ServiceAccount } from '../../account/service-account.js';
import type { AuditEvent, NewAuditEvent } from '../../audit/audit-event.js';
import { asServiceAccount, asUser, type ServiceAccountPrincipal, type UserPrincipal } from '../../core/principal.js';
import type { Store, UnitOfWork } from '../../ports/store.js';
import type { CustomRole } from '../../role/custom-role.js';
import type { TransferRequest } from '../../transfer-planner/transfer-request.js';
import type { WorkspaceGrant } from '../../workspace/grant.js';
import type { Invitation } from '../../workspace/invitation.js';
import type { TrackedResource } from '../../workspace/resource.js';
import type { Workspace } from '../../workspace/workspace.js';
import { byCodeUnit, expectDeepEqual, expectEqual, expectRejectsWith, expectTrue } from './assertions.js';
import { defineCheck, type ConformanceCheck } from './check.js';
import { expectOnlyPage } from './paging.js';
import {
  Fixtures,
  inTx,
  insertAccount,
  insertApiKey,
  insertGrant,
  insertInvitation,
  insertMembership,
  insertPersonal,
  insertRole,
  insertServiceAccount,
  insertTransferRequest,
  insertWorkspace,
  type PersonalRecords,
} from './fixtures.js';

/** Committed state every transaction check starts from, and records its writes will use. */
interface World {
  readonly f: Fixtures;
  readonly alice: PersonalRecords;
  readonly bob: PersonalRecords;
  readonly carol: PersonalRecords;
  /** alice is an owner, bob a member; carol is not a member. */
  readonly org: Account;
  /** Has resources, grants (bob: developer, bot: role) and a pending invitation. */
  readonly w1: Workspace;
  /** Has no resources, grants or invitations; its default role is viewer. */
  readonly w2: Workspace;
  readonly event: AuditEvent;
  /** A custom role of org, used by bot's grant. */
  readonly role: CustomRole;
  /** A custom role of org nothing uses. */
  readonly spareRole: CustomRole;
  /** A service account of org with a grant on w1 and an API key. */
  readonly bot: ServiceAccount;
  /** A service account of org without grants or keys. */
  readonly spareBot: ServiceAccount;
  readonly botPrincipal: ServiceAccountPrincipal;
  readonly bobPrincipal: UserPrincipal;
  readonly bobGrant: WorkspaceGrant;
  readonly botGrant: WorkspaceGrant;
  /** Pending, to collaborate on w1 as viewer. */
  readonly invitation: Invitation;
  /** Pending, to join org. */
  readonly accountInvitation: Invitation;
  readonly aliceKey: ApiKey;
  readonly botKey: ApiKey;
  /** Pending: w1 to alice's personal account, requested by alice. */
  readonly transferRequest: TransferRequest;
  // Records the checks write:
  readonly newPerson: PersonalRecords;
  readonly newOrg: Account;
  readonly renamedOrg: Account;
  readonly newWorkspace: Workspace;
  readonly editedW1: Workspace;
  readonly carolMembership: Membership;
  readonly newResources: readonly TrackedResource[];
  readonly newEvent: NewAuditEvent;
  readonly newRole: CustomRole;
  readonly newServiceAccount: ServiceAccount;
  /** carol on w1 as runner. */
  readonly newGrant: WorkspaceGrant;
  /** Pending, to collaborate on w1. */
  readonly newInvitation: Invitation;
  /** `invitation`, revoked. */
  readonly revokedInvitation: Invitation;
  /** A key of bob. */
  readonly newApiKey: ApiKey;
  /** `botKey`, revoked. */
  readonly revokedKey: ApiKey;
  /** Pending: w2 to alice's personal account. */
  readonly newTransferRequest: TransferRequest;
  /** `transferRequest`, cancelled. */
  readonly cancelledTransferRequest: TransferRequest;
}

/** The cutoffs the world's run (ended at minute 5) is counted before: it ended before the second only. */
const RUN_CUTOFFS = ['2026-01-01T00:05:00.000Z', '2026-01-01T00:06:00.000Z'] as const;

/** The instant seat counts are observed at: after creation, before any invitation expires. */
const SEATS_AT_MINUTES = 60;

async function buildWorld(store: Store): Promise<World> {
  const f = new Fixtures();
  const [alice, bob, carol, newPerson] = [f.personal(), f.personal(), f.personal(), f.personal()];
  const org = f.organization();
  const [w1, w2] = [f.workspace(org.id), f.workspace(org.id, { defaultRole: 'viewer' })];
  const [role, spareRole] = [f.role(org.id), f.role(org.id)];
  const [bot, spareBot] = [f.serviceAccount(org.id), f.serviceAccount(org.id)];
  const [bobPrincipal, botPrincipal] = [asUser(bob.user.id), asServiceAccount(bot.id)];
  const bobGrant = f.grant(w1, bobPrincipal, 'developer');
  const botGrant = f.grant(w1, botPrincipal, role.id);
  const invitation = f.workspaceInvitation(w1, 'viewer', { email: carol.user.email, invitedBy: asUser(alice.user.id) });
  const accountInvitation = f.invitation(org.id);
  const aliceKey = f.apiKey(asUser(alice.user.id), alice.account.id);
  const botKey = f.apiKey(botPrincipal, org.id);
  const transferRequest = f.transferRequest(w1, alice.account.id, asUser(alice.user.id));
  const event = await inTx(store, async (tx) => {
    for (const p of [alice, bob, carol]) await insertPersonal(tx, p);
    await insertAccount(tx, org);
    await insertMembership(tx, f.membership(org.id, alice.user.id, 'owner'));
    await insertMembership(tx, f.membership(org.id, bob.user.id, 'member'));
    await insertWorkspace(tx, w1);
    await insertWorkspace(tx, w2);
    await tx.resources.insertMany([f.resource(w1.id, 'flow'), f.resource(w1.id, 'flow'), f.resource(w1.id, 'flow-run')]);
    await insertRole(tx, role);
    await insertRole(tx, spareRole);
    await insertServiceAccount(tx, bot);
    await insertServiceAccount(tx, spareBot);
    await insertGrant(tx, bobGrant);
    await insertGrant(tx, botGrant);
    await insertInvitation(tx, invitation);
    await insertInvitation(tx, accountInvitation);
    await insertApiKey(tx, aliceKey);
    await insertApiKey(tx, botKey);
    await insertTransferRequest(tx, transferRequest);
    return tx.audit.append(f.event(org.id, { workspaceId: w1.id, subject: { type: 'workspace', id: w1.id } }));
  });
  return {
    f,
    alice,
    bob,
    carol,
    org,
    w1,
    w2,
    event,
    role,
    spareRole,
    bot,
    spareBot,
    botPrincipal,
    bobPrincipal,
    bobGrant,
    botGrant,
    invitation,
    accountInvitation,
    aliceKey,
    botKey,
    transferRequest,
    newPerson,
    newOrg: f.organization(),
    renamedOrg: { ...org, handle: f.handle('renamed'), displayName: 'Renamed', version: org.version + 1 },
    newWorkspace: f.workspace(org.id),
    editedW1: { ...w1, handle: f.handle('edited'), description: 'edited', version: w1.version + 1 },
    carolMembership: f.membership(org.id, carol.user.id, 'admin'),
    newResources: [f.resource(w1.id, 'deployment'), f.resource(w2.id, 'block'), f.resource(w1.id, 'flow')],
    newEvent: f.event(org.id, { action: 'member.added', at: f.at(20) }),
    newRole: f.role(org.id, { inherits: 'runner' }),
    newServiceAccount: f.serviceAccount(org.id),
    newGrant: f.grant(w1, asUser(carol.user.id), 'runner'),
    newInvitation: f.workspaceInvitation(w1, role.id),
    revokedInvitation: { ...invitation, status: 'revoked', respondedAt: f.at(21), version: invitation.version + 1 },
    newApiKey: f.apiKey(bobPrincipal, bob.account.id, { expiresAt: f.at(60 * 24 * 30) }),
    revokedKey: { ...botKey, revokedAt: f.at(22), version: botKey.version + 1 },
    newTransferRequest: f.transferRequest(w2, alice.account.id, asUser(alice.user.id), { awaiting: 'source' }),
    cancelledTransferRequest: { ...transferRequest, status: 'cancelled', respondedAt: f.at(23), respondedBy: asUser(alice.user.id), version: transferRequest.version + 1 },
  };
}

/** Everything the world's records can be observed through, read with `tx`. */
async function observe(tx: UnitOfWork, w: World): Promise<unknown> {
  const people = [w.alice, w.bob, w.carol, w.newPerson];
  const accounts = [...people.map((p) => p.account), w.org, w.newOrg];
  const orgs = [w.org, w.newOrg];
  const workspaces = [w.w1, w.w2, w.newWorkspace, w.editedW1];
  const sortMemberships = (ms: readonly Membership[]) =>
    [...ms].sort((a, b) => byCodeUnit(a.accountId, b.accountId) || byCodeUnit(a.userId, b.userId));
  const out: Record<string, unknown> = {};
  for (const p of people) {
    out[`users.getById(${p.user.id})`] = await tx.users.getById(p.user.id);
    out[`users.getByEmail(${p.user.email})`] = await tx.users.getByEmail(p.user.email);
    out[`memberships.listByUser(${p.user.id})`] = sortMemberships(await tx.memberships.listByUser(p.user.id));
  }
  for (const a of accounts) out[`accounts.getById(${a.id})`] = await tx.accounts.getById(a.id);
  out['accounts.list'] = await tx.accounts.list({ limit: 500 });
  for (const handle of [...accounts.map((a) => a.handle), w.renamedOrg.handle]) {
    out[`accounts.getByHandle(${handle})`] = await tx.accounts.getByHandle(handle);
  }
  for (const o of orgs) {
    out[`memberships.countByRole(${o.id})`] = await tx.memberships.countByRole(o.id);
    out[`memberships.listByAccount(${o.id})`] = await tx.memberships.listByAccount(o.id, { limit: 500 });
    out[`workspaces.countByAccount(${o.id})`] = await tx.workspaces.countByAccount(o.id);
    out[`workspaces.listByAccount(${o.id})`] = await tx.workspaces.listByAccount(o.id, { limit: 500 });
    out[`audit.list(${o.id})`] = await tx.audit.list(o.id, {}, { limit: 500 });
    for (const ws of workspaces) {
      out[`workspaces.getByHandle(${o.id}, ${ws.handle})`] = await tx.workspaces.getByHandle(o.id, ws.handle);
    }
  }
  for (const ws of workspaces) {
    out[`workspaces.getById(${ws.id})`] = await tx.workspaces.getById(ws.id);
    out[`resources.countByWorkspace(${ws.id})`] = await tx.resources.countByWorkspace(ws.id);
    for (const cutoff of RUN_CUTOFFS) out[`resources.countEndedBefore(${ws.id}, ${cutoff})`] = await tx.resources.countEndedBefore(ws.id, cutoff);
    out[`transferRequests.getPendingByWorkspace(${ws.id})`] = await tx.transferRequests.getPendingByWorkspace(ws.id);
  }
  for (const r of [w.transferRequest, w.newTransferRequest]) out[`transferRequests.getById(${r.id})`] = await tx.transferRequests.getById(r.id);
  Object.assign(out, await observeAccess(tx, w));
  return out;
}

/** Everything the world's access records can be observed through, read with `tx`. */
async function observeAccess(tx: UnitOfWork, w: World): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const grantees = [w.bobPrincipal, w.botPrincipal, asUser(w.carol.user.id), asUser(w.alice.user.id)];
  const byGrant = (gs: readonly WorkspaceGrant[]) => [...gs].sort((a, b) => byCodeUnit(a.workspaceId, b.workspaceId));
  for (const r of [w.role, w.spareRole, w.newRole]) out[`roles.getById(${r.id})`] = await tx.roles.getById(r.id);
  out['roles.listByAccount'] = await tx.roles.listByAccount(w.org.id, { limit: 500 });
  for (const b of [w.bot, w.spareBot, w.newServiceAccount]) out[`serviceAccounts.getById(${b.id})`] = await tx.serviceAccounts.getById(b.id);
  out['serviceAccounts.listByAccount'] = await tx.serviceAccounts.listByAccount(w.org.id, { limit: 500 });
  for (const ws of [w.w1, w.w2]) {
    out[`grants.listByWorkspace(${ws.id})`] = await tx.grants.listByWorkspace(ws.id, { limit: 500 });
    for (const g of grantees) out[`grants.get(${ws.id}, ${JSON.stringify(g)})`] = await tx.grants.get(ws.id, g);
  }
  for (const g of grantees) {
    out[`grants.listByGrantee(${JSON.stringify(g)})`] = byGrant(await tx.grants.listByGrantee(w.org.id, g));
    out[`grants.listByGrantee(alice's account, ${JSON.stringify(g)})`] = byGrant(await tx.grants.listByGrantee(w.alice.account.id, g));
    out[`workspaces.listAccessible(${JSON.stringify(g)})`] = await tx.workspaces.listAccessible(w.org.id, g, { withDefaultRole: true }, { limit: 500 });
    out[`apiKeys.listByOwner(${JSON.stringify(g)})`] = await tx.apiKeys.listByOwner(g, { limit: 500 });
  }
  for (const role of ['developer', 'runner', 'viewer', w.role.id, w.spareRole.id] as const) {
    out[`grants.countByRole(${role})`] = await tx.grants.countByRole(w.org.id, role);
    out[`grants.countByRole(alice's account, ${role})`] = await tx.grants.countByRole(w.alice.account.id, role);
    out[`invitations.countPendingByRole(${role})`] = await tx.invitations.countPendingByRole(w.org.id, role);
    out[`workspaces.countByDefaultRole(${role})`] = await tx.workspaces.countByDefaultRole(w.org.id, role);
  }
  for (const i of [w.invitation, w.accountInvitation, w.newInvitation]) out[`invitations.getById(${i.id})`] = await tx.invitations.getById(i.id);
  out['invitations.listByAccount'] = await tx.invitations.listByAccount(w.org.id, {}, { limit: 500 });
  out['invitations.listByAccount(pending)'] = await tx.invitations.listByAccount(w.org.id, { status: 'pending' }, { limit: 500 });
  for (const k of [w.aliceKey, w.botKey, w.newApiKey]) out[`apiKeys.getById(${k.id})`] = await tx.apiKeys.getById(k.id);
  out['seats.count'] = await tx.seats.count(w.org.id, w.f.at(SEATS_AT_MINUTES));
  out["seats.count(alice's account)"] = await tx.seats.count(w.alice.account.id, w.f.at(SEATS_AT_MINUTES));
  return out;
}

/** One kind of write, as a rollback check exercises it. */
interface WriteCase {
  readonly slug: string;
  readonly what: string;
  readonly write: (tx: UnitOfWork, w: World) => Promise<void>;
}

const ok = (result: string, what: string): void => expectEqual(result, 'ok', what);

const WRITES: readonly WriteCase[] = [
  { slug: 'user-insert', what: 'users.insert', write: async (tx, w) => ok(await tx.users.insert(w.newPerson.user), 'users.insert') },
  { slug: 'account-insert', what: 'accounts.insert', write: async (tx, w) => ok(await tx.accounts.insert(w.newOrg), 'accounts.insert') },
  {
    slug: 'account-update',
    what: 'accounts.update (with a new handle)',
    write: async (tx, w) => ok(await tx.accounts.update(w.renamedOrg, w.org.version), 'accounts.update'),
  },
  { slug: 'membership-insert', what: 'memberships.insert', write: async (tx, w) => ok(await tx.memberships.insert(w.carolMembership), 'memberships.insert') },
  {
    slug: 'membership-update-role',
    what: 'memberships.updateRole',
    write: async (tx, w) => ok(await tx.memberships.updateRole(w.org.id, w.bob.user.id, 'owner'), 'memberships.updateRole'),
  },
  {
    slug: 'membership-delete',
    what: 'memberships.delete',
    write: async (tx, w) => ok(await tx.memberships.delete(w.org.id, w.bob.user.id), 'memberships.delete'),
  },
  { slug: 'workspace-insert', what: 'workspaces.insert', write: async (tx, w) => ok(await tx.workspaces.insert(w.newWorkspace), 'workspaces.insert') },
  {
    slug: 'workspace-update',
    what: 'workspaces.update (with a new handle)',
    write: async (tx, w) => ok(await tx.workspaces.update(w.editedW1, w.w1.version), 'workspaces.update'),
  },
  { slug: 'workspace-delete', what: 'workspaces.delete', write: async (tx, w) => ok(await tx.workspaces.delete(w.w2.id, w.w2.version), 'workspaces.delete') },
  { slug: 'resources-insert-many', what: 'resources.insertMany', write: (tx, w) => tx.resources.insertMany(w.newResources) },
  {
    slug: 'resources-delete-by-workspace',
    what: 'resources.deleteByWorkspace',
    write: async (tx, w) => expectEqual(await tx.resources.deleteByWorkspace(w.w1.id), 3, 'resources.deleteByWorkspace'),
  },
  {
    slug: 'resources-delete-ended-before',
    what: 'resources.deleteEndedBefore',
    write: async (tx, w) => expectEqual(await tx.resources.deleteEndedBefore(w.w1.id, RUN_CUTOFFS[1], 10), 1, 'resources.deleteEndedBefore'),
  },
  { slug: 'audit-append', what: 'audit.append', write: async (tx, w) => void (await tx.audit.append(w.newEvent)) },
  { slug: 'role-insert', what: 'roles.insert', write: async (tx, w) => ok(await tx.roles.insert(w.newRole), 'roles.insert') },
  { slug: 'role-delete', what: 'roles.delete', write: async (tx, w) => ok(await tx.roles.delete(w.spareRole.id), 'roles.delete') },
  { slug: 'grant-insert', what: 'grants.insert', write: async (tx, w) => ok(await tx.grants.insert(w.newGrant), 'grants.insert') },
  {
    slug: 'grant-update-role',
    what: 'grants.updateRole',
    write: async (tx, w) => ok(await tx.grants.updateRole(w.w1.id, w.bobPrincipal, w.role.id, w.f.at(30)), 'grants.updateRole'),
  },
  { slug: 'grant-delete', what: 'grants.delete', write: async (tx, w) => ok(await tx.grants.delete(w.w1.id, w.botPrincipal), 'grants.delete') },
  {
    slug: 'grants-delete-by-workspace',
    what: 'grants.deleteByWorkspace',
    write: async (tx, w) => expectEqual(await tx.grants.deleteByWorkspace(w.w1.id), 2, 'grants.deleteByWorkspace'),
  },
  {
    slug: 'grants-delete-by-grantee',
    what: 'grants.deleteByGrantee',
    write: async (tx, w) => expectEqual(await tx.grants.deleteByGrantee(w.org.id, w.bobPrincipal), 1, 'grants.deleteByGrantee'),
  },
  {
    slug: 'grants-move-workspace',
    what: 'grants.moveWorkspace',
    write: async (tx, w) => expectEqual(await tx.grants.moveWorkspace(w.w1.id, w.alice.account.id), 2, 'grants.moveWorkspace'),
  },
  { slug: 'invitation-insert', what: 'invitations.insert', write: async (tx, w) => ok(await tx.invitations.insert(w.newInvitation), 'invitations.insert') },
  {
    slug: 'invitation-update',
    what: 'invitations.update',
    write: async (tx, w) => ok(await tx.invitations.update(w.revokedInvitation, w.invitation.version), 'invitations.update'),
  },
  {
    slug: 'invitations-delete-by-workspace',
    what: 'invitations.deleteByWorkspace',
    write: async (tx, w) => expectEqual(await tx.invitations.deleteByWorkspace(w.w1.id), 1, 'invitations.deleteByWorkspace'),
  },
  {
    slug: 'service-account-insert',
    what: 'serviceAccounts.insert',
    write: async (tx, w) => ok(await tx.serviceAccounts.insert(w.newServiceAccount), 'serviceAccounts.insert'),
  },
  {
    slug: 'service-account-delete',
    what: 'serviceAccounts.delete',
    write: async (tx, w) => ok(await tx.serviceAccounts.delete(w.spareBot.id), 'serviceAccounts.delete'),
  },
  { slug: 'api-key-insert', what: 'apiKeys.insert', write: async (tx, w) => ok(await tx.apiKeys.insert(w.newApiKey), 'apiKeys.insert') },
  { slug: 'api-key-update', what: 'apiKeys.update', write: async (tx, w) => ok(await tx.apiKeys.update(w.revokedKey, w.botKey.version), 'apiKeys.update') },
  {
    slug: 'api-keys-delete-by-owner',
    what: 'apiKeys.deleteByOwner',
    write: async (tx, w) => expectEqual(await tx.apiKeys.deleteByOwner(w.botPrincipal), 1, 'apiKeys.deleteByOwner'),
  },
  {
    slug: 'transfer-request-insert',
    what: 'transferRequests.insert',
    write: async (tx, w) => ok(await tx.transferRequests.insert(w.newTransferRequest), 'transferRequests.insert'),
  },
  {
    slug: 'transfer-request-update',
    what: 'transferRequests.update',
    write: async (tx, w) => ok(await tx.transferRequests.update(w.cancelledTransferRequest, w.transferRequest.version), 'transferRequests.update'),
  },
  {
    slug: 'transfer-requests-delete-by-workspace',
    what: 'transferRequests.deleteByWorkspace',
    write: async (tx, w) => expectEqual(await tx.transferRequests.deleteByWorkspace(w.w1.id), 1, 'transferRequests.deleteByWorkspace'),
  },
];

/** Every write of {@link WRITES} plus a few more, in one unit of work, in an order foreign keys allow. */
async function writeEverything(tx: UnitOfWork, w: World): Promise<void> {
  await insertPersonal(tx, w.newPerson);
  await insertAccount(tx, w.newOrg);
  await insertMembership(tx, w.f.membership(w.newOrg.id, w.newPerson.user.id, 'owner'));
  ok(await tx.accounts.update(w.renamedOrg, w.org.version), 'accounts.update');
  await insertMembership(tx, w.carolMembership);
  ok(await tx.memberships.updateRole(w.org.id, w.bob.user.id, 'admin'), 'memberships.updateRole');
  ok(await tx.memberships.delete(w.org.id, w.alice.user.id), 'memberships.delete');
  await insertWorkspace(tx, w.newWorkspace);
  ok(await tx.workspaces.update(w.editedW1, w.w1.version), 'workspaces.update');
  await tx.resources.insertMany(w.newResources);
  expectEqual(await tx.resources.deleteEndedBefore(w.w1.id, RUN_CUTOFFS[1], 10), 1, 'resources.deleteEndedBefore');
  await writeAccess(tx, w);
  ok(await tx.transferRequests.update(w.cancelledTransferRequest, w.transferRequest.version), 'transferRequests.update');
  await insertTransferRequest(tx, w.newTransferRequest);
  expectEqual(await tx.resources.deleteByWorkspace(w.w2.id), 1, 'resources.deleteByWorkspace');
  expectEqual(await tx.grants.deleteByWorkspace(w.w2.id), 0, 'grants.deleteByWorkspace');
  expectEqual(await tx.invitations.deleteByWorkspace(w.w2.id), 0, 'invitations.deleteByWorkspace');
  expectEqual(await tx.transferRequests.deleteByWorkspace(w.w2.id), 1, 'transferRequests.deleteByWorkspace');
  ok(await tx.workspaces.delete(w.w2.id, w.w2.version), 'workspaces.delete');
  await tx.audit.append(w.newEvent);
  await tx.audit.append(w.f.event(w.newOrg.id));
}

/** Every access write of {@link WRITES}, in an order foreign keys allow. */
async function writeAccess(tx: UnitOfWork, w: World): Promise<void> {
  await insertRole(tx, w.newRole);
  ok(await tx.roles.delete(w.spareRole.id), 'roles.delete');
  await insertServiceAccount(tx, w.newServiceAccount);
  ok(await tx.serviceAccounts.delete(w.spareBot.id), 'serviceAccounts.delete');
  await insertGrant(tx, w.newGrant);
  ok(await tx.grants.updateRole(w.w1.id, w.bobPrincipal, w.newRole.id, w.f.at(30)), 'grants.updateRole');
  await insertGrant(tx, w.f.grant(w.w1, asServiceAccount(w.newServiceAccount.id), 'worker'));
  expectEqual(await tx.grants.deleteByGrantee(w.org.id, w.botPrincipal), 1, 'grants.deleteByGrantee');
  ok(await tx.grants.delete(w.w1.id, asUser(w.carol.user.id)), 'grants.delete');
  await insertInvitation(tx, w.newInvitation);
  ok(await tx.invitations.update(w.revokedInvitation, w.invitation.version), 'invitations.update');
  await insertApiKey(tx, w.newApiKey);
  ok(await tx.apiKeys.update(w.revokedKey, w.botKey.version), 'apiKeys.update');
  expectEqual(await tx.apiKeys.deleteByOwner(w.botPrincipal), 1, 'apiKeys.deleteByOwner');
}

class ConformanceRollback extends Error {
  readonly detail = { reason: 'conformance check rolls this unit of work back' };
  constructor() {
    super('conformance: roll back');
    this.name = 'ConformanceRollback';
  }
}

/** Writes with `write`, checks the write is visible inside, rejects, and checks nothing stuck. */
async function expectRolledBack(store: Store, what: string, write: (tx: UnitOfWork, w: World) => Promise<void>): Promise<void> {
  const w = await buildWorld(store);
  const before = await inTx(store, (tx) => observe(tx, w));
  const boom = new ConformanceRollback();
  await expectRejectsWith(
    store.transaction(async (tx) => {
      await write(tx, w);
      const inside = await observe(tx, w);
      expectTrue(!isDeepStrictEqual(inside, before), `${what}: the write must be visible inside its own unit of work`);
      throw boom;
    }),
    boom,
    `${what}: a unit of work that throws`,
  );
  const after = await inTx(store, (tx) => observe(tx, w));
  expectDeepEqual(after, before, `${what}: state after the rolled-back unit of work must equal state before it`);
}

/** The `transactions` suite: units of work are atomic, read their own writes, and commit (STORE-1, STORE-2). */
export function transactionsChecks(): ConformanceCheck[] {
  return [
    ...WRITES.map((c) =>
      defineCheck('transactions', `rollback-${c.slug}`, ['STORE-2'], `a unit of work that rejects rolls back ${c.what}`, (store) =>
        expectRolledBack(store, c.what, c.write),
      ),
    ),

    defineCheck('transactions', 'rollback-all-writes', ['STORE-2', 'WS-4', 'XFER-5'], 'a unit of work that rejects after writes of every kind rolls all of them back', (store) =>
      expectRolledBack(store, 'every kind of write', writeEverything),
    ),

    defineCheck('transactions', 'rejection-propagates', ['STORE-1'], 'the rejection of the work propagates unchanged, Error or not', async (store) => {
      const w = await buildWorld(store);
      const boom = new ConformanceRollback();
      await expectRejectsWith(
        store.transaction(async (tx) => {
          await tx.audit.append(w.newEvent);
          await tx.workspaces.getById(w.w1.id);
          throw boom;
        }),
        boom,
        'a unit of work that throws an Error',
      );
      const notAnError = { code: 'NOT_AN_ERROR', detail: [1, 2, 3] };
      await expectRejectsWith(
        store.transaction(async (tx) => {
          await tx.users.insert(w.newPerson.user);
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- hosts may reject with any value; it must arrive unchanged
          throw notAnError;
        }),
        notAnError,
        'a unit of work that throws a plain object',
      );
      await expectRejectsWith(
        store.transaction(() => Promise.reject(boom)),
        boom,
        'a unit of work that returns a rejected promise',
      );
    }),

    defineCheck('transactions', 'read-your-writes', ['STORE-2'], 'writes are visible to later reads of the same unit of work, through every index', async (store) => {
      const w = await buildWorld(store);
      await inTx(store, async (tx) => {
        await writeEverything(tx, w);
        expectDeepEqual(await tx.users.getByEmail(w.newPerson.user.email), w.newPerson.user, 'users.getByEmail of a user inserted earlier');
        expectDeepEqual(await tx.accounts.getByHandle(w.newOrg.handle), w.newOrg, 'accounts.getByHandle of an account inserted earlier');
        expectDeepEqual(await tx.accounts.getByHandle(w.renamedOrg.handle), w.renamedOrg, 'accounts.getByHandle of an account renamed earlier');
        expectEqual(await tx.accounts.getByHandle(w.org.handle), null, 'accounts.getByHandle of the handle freed earlier');
        expectDeepEqual(await tx.memberships.countByRole(w.org.id), { owner: 0, admin: 2, member: 0 }, 'memberships.countByRole after earlier membership writes');
        expectDeepEqual(
          (await tx.memberships.listByAccount(w.org.id, { limit: 500 })).items,
          [w.carolMembership, { ...w.f.membership(w.org.id, w.bob.user.id, 'admin') }].sort((a, b) => byCodeUnit(a.userId, b.userId)),
          'memberships.listByAccount after earlier membership writes',
        );
        expectDeepEqual(await tx.memberships.listByUser(w.newPerson.user.id), [w.f.membership(w.newOrg.id, w.newPerson.user.id, 'owner')], 'memberships.listByUser of a membership inserted earlier');
        expectEqual(await tx.workspaces.countByAccount(w.org.id), 2, 'workspaces.countByAccount after earlier workspace writes');
        expectDeepEqual(
          (await tx.workspaces.listByAccount(w.org.id, { limit: 500 })).items,
          [w.editedW1, w.newWorkspace].sort((a, b) => byCodeUnit(a.handle, b.handle)),
          'workspaces.listByAccount after earlier workspace writes',
        );
        expectEqual(await tx.workspaces.getByHandle(w.org.id, w.w1.handle), null, 'workspaces.getByHandle of the handle freed earlier');
        expectEqual(await tx.workspaces.getById(w.w2.id), null, 'workspaces.getById of a workspace deleted earlier');
        expectDeepEqual(await tx.resources.countByWorkspace(w.w1.id), { flow: 3, deployment: 1 }, 'resources.countByWorkspace after insertMany and deleteEndedBefore');
        expectEqual(await tx.resources.countEndedBefore(w.w1.id, RUN_CUTOFFS[1]), 0, 'resources.countEndedBefore after deleteEndedBefore');
        expectDeepEqual(await tx.transferRequests.getById(w.transferRequest.id), w.cancelledTransferRequest, 'transferRequests.getById of a request updated earlier');
        expectEqual(await tx.transferRequests.getPendingByWorkspace(w.w1.id), null, 'transferRequests.getPendingByWorkspace of a workspace whose request was cancelled earlier');
        expectEqual(await tx.transferRequests.getById(w.newTransferRequest.id), null, 'transferRequests.getById of a request deleted by workspace earlier');
        expectOnlyPage(
          await tx.accounts.list({ limit: 500 }),
          [w.alice.account, w.bob.account, w.carol.account, w.newPerson.account, w.renamedOrg, w.newOrg].sort((a, b) => byCodeUnit(a.id, b.id)),
          'accounts.list after earlier account writes',
        );
        const log = (await tx.audit.list(w.org.id, {}, { limit: 500 })).items;
        expectDeepEqual(log.map((e) => e.id), [w.event.id, w.newEvent.id], 'audit.list after an earlier append');
      });
    }),

    defineCheck('transactions', 'read-your-access-writes', ['STORE-2', 'SHR-1', 'INV-3'], 'writes of roles, grants, invitations, service accounts and API keys are visible to later reads of the same unit of work, through every index', async (store) => {
      const w = await buildWorld(store);
      await inTx(store, async (tx) => {
        await writeAccess(tx, w);
        const bobGrant = { ...w.bobGrant, role: w.newRole.id, updatedAt: w.f.at(30) };
        const newBotGrant = w.f.grant(w.w1, asServiceAccount(w.newServiceAccount.id), 'worker');
        expectDeepEqual(await tx.roles.getById(w.newRole.id), w.newRole, 'roles.getById of a role inserted earlier');
        expectEqual(await tx.roles.getById(w.spareRole.id), null, 'roles.getById of a role deleted earlier');
        expectOnlyPage(await tx.roles.listByAccount(w.org.id, { limit: 500 }), [w.role, w.newRole], 'roles.listByAccount after earlier role writes');
        expectOnlyPage(await tx.serviceAccounts.listByAccount(w.org.id, { limit: 500 }), [w.bot, w.newServiceAccount], 'serviceAccounts.listByAccount after earlier writes');
        expectEqual(await tx.serviceAccounts.getById(w.spareBot.id), null, 'serviceAccounts.getById of a service account deleted earlier');
        expectOnlyPage(await tx.grants.listByWorkspace(w.w1.id, { limit: 500 }), [bobGrant, newBotGrant], 'grants.listByWorkspace after earlier grant writes');
        expectDeepEqual(await tx.grants.listByGrantee(w.org.id, w.botPrincipal), [], 'grants.listByGrantee of a grantee whose grants were deleted earlier');
        expectEqual(await tx.grants.countByRole(w.org.id, w.newRole.id), 1, 'grants.countByRole of the role set earlier');
        expectEqual(await tx.grants.countByRole(w.org.id, w.role.id), 0, 'grants.countByRole of a role whose grants were deleted earlier');
        expectEqual(await tx.grants.countByRole(w.org.id, 'developer'), 0, 'grants.countByRole of the role replaced earlier');
        expectOnlyPage(
          await tx.workspaces.listAccessible(w.org.id, asUser(w.carol.user.id), { withDefaultRole: false }, { limit: 500 }),
          [],
          'workspaces.listAccessible of a user whose grant was deleted earlier',
        );
        expectDeepEqual(await tx.invitations.getById(w.invitation.id), w.revokedInvitation, 'invitations.getById of an invitation updated earlier');
        expectOnlyPage(
          await tx.invitations.listByAccount(w.org.id, { status: 'pending' }, { limit: 500 }),
          [w.accountInvitation, w.newInvitation],
          'invitations.listByAccount of pending invitations after earlier writes',
        );
        expectOnlyPage(await tx.invitations.listByAccount(w.org.id, { status: 'revoked' }, { limit: 500 }), [w.revokedInvitation], 'invitations.listByAccount of revoked invitations after earlier writes');
        expectEqual(await tx.invitations.countPendingByRole(w.org.id, 'viewer'), 0, 'invitations.countPendingByRole of the role of an invitation revoked earlier');
        expectEqual(await tx.invitations.countPendingByRole(w.org.id, w.role.id), 1, 'invitations.countPendingByRole of the role of an invitation inserted earlier');
        expectEqual(await tx.apiKeys.getById(w.botKey.id), null, 'apiKeys.getById of a key deleted earlier');
        expectOnlyPage(await tx.apiKeys.listByOwner(w.bobPrincipal, { limit: 500 }), [w.newApiKey], 'apiKeys.listByOwner of a key inserted earlier');
        // alice and bob (members), the account invitation and the new invitation; carol's grant was deleted and her invitation revoked.
        expectEqual(await tx.seats.count(w.org.id, w.f.at(SEATS_AT_MINUTES)), 4, 'seats.count after earlier writes');
        expectEqual(await tx.seats.count(w.org.id, w.f.at(SEATS_AT_MINUTES), w.carol.user.email), 5, 'seats.count with a candidate after earlier writes');
      });
    }),

    defineCheck('transactions', 'commit-visible', ['STORE-2'], 'a unit of work that resolves commits all its writes for later units of work, and resolves to the value of the work', async (store) => {
      const w = await buildWorld(store);
      const value = { answer: 42 };
      const { inside, result } = await inTx(store, async (tx) => {
        await writeEverything(tx, w);
        return { inside: await observe(tx, w), result: value };
      });
      expectEqual(result, value, 'store.transaction resolves to what the work resolved to');
      const after = await inTx(store, (tx) => observe(tx, w));
      expectDeepEqual(after, inside, 'state seen by a later unit of work must equal state at the end of the committed one');
    }),

    defineCheck('transactions', 'usable-after-refused-write', ['STORE-2', 'HDL-4'], "a unit of work goes on after a write was refused ('handle-taken', 'email-taken', 'exists', 'conflict', 'missing') and commits what it wrote", async (store) => {
      // PostgreSQL aborts a transaction on a unique violation unless the adapter uses
      // ON CONFLICT or a savepoint; a refused write must leave the unit of work usable.
      const w = await buildWorld(store);
      await inTx(store, async (tx) => {
        expectEqual(await tx.users.insert({ ...w.newPerson.user, email: w.alice.user.email }), 'email-taken', 'users.insert with a taken email');
        expectEqual(await tx.accounts.insert({ ...w.newOrg, handle: w.org.handle }), 'handle-taken', 'accounts.insert with a taken handle');
        expectEqual(await tx.memberships.insert(w.f.membership(w.org.id, w.alice.user.id)), 'exists', 'memberships.insert of an existing membership');
        expectEqual(await tx.memberships.updateRole(w.org.id, w.carol.user.id, 'admin'), 'missing', 'memberships.updateRole of a non-member');
        expectEqual(await tx.workspaces.insert({ ...w.newWorkspace, handle: w.w1.handle }), 'handle-taken', 'workspaces.insert with a taken handle');
        expectEqual(await tx.workspaces.update({ ...w.editedW1, handle: w.w2.handle }, w.w1.version), 'handle-taken', 'workspaces.update to a taken handle');
        expectEqual(await tx.workspaces.update(w.editedW1, w.w1.version + 5), 'conflict', 'workspaces.update with a stale version');
        expectEqual(await tx.accounts.update(w.renamedOrg, w.org.version + 5), 'conflict', 'accounts.update with a stale version');
        await insertWorkspace(tx, w.newWorkspace);
        await insertPersonal(tx, w.newPerson);
      });
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.workspaces.getById(w.newWorkspace.id), w.newWorkspace, 'a workspace inserted after refused writes');
        expectDeepEqual(await tx.users.getById(w.newPerson.user.id), w.newPerson.user, 'a user inserted after refused writes');
        expectDeepEqual(await tx.workspaces.getById(w.w1.id), w.w1, 'the workspace whose update was refused');
        expectDeepEqual(await tx.accounts.getById(w.org.id), w.org, 'the account whose update was refused');
      });
    }),

    defineCheck('transactions', 'usable-after-refused-access-write', ['STORE-2', 'ROLE-2', 'SHR-1', 'INV-1', 'SA-1'], "a unit of work goes on after an access write was refused ('name-taken', 'exists', 'conflict', 'missing') and commits what it wrote", async (store) => {
      // Refusals a SQL adapter typically detects through a unique index (see usable-after-refused-write).
      const w = await buildWorld(store);
      await inTx(store, async (tx) => {
        expectEqual(await tx.roles.insert({ ...w.newRole, name: w.role.name }), 'name-taken', 'roles.insert with a taken name');
        expectEqual(await tx.serviceAccounts.insert({ ...w.newServiceAccount, name: w.bot.name }), 'name-taken', 'serviceAccounts.insert with a taken name');
        expectEqual(await tx.grants.insert({ ...w.bobGrant, role: 'viewer' }), 'exists', 'grants.insert of an existing grant');
        expectEqual(await tx.invitations.insert({ ...w.newInvitation, email: w.invitation.email, target: w.invitation.target }), 'exists', 'invitations.insert of a second pending invitation');
        expectEqual(await tx.invitations.update(w.revokedInvitation, w.invitation.version + 5), 'conflict', 'invitations.update with a stale version');
        expectEqual(await tx.apiKeys.update(w.revokedKey, w.botKey.version + 5), 'conflict', 'apiKeys.update with a stale version');
        expectEqual(await tx.transferRequests.insert({ ...w.newTransferRequest, workspaceId: w.w1.id }), 'exists', 'transferRequests.insert of a second pending request for a workspace');
        expectEqual(await tx.transferRequests.update(w.cancelledTransferRequest, w.transferRequest.version + 5), 'conflict', 'transferRequests.update with a stale version');
        expectEqual(await tx.grants.updateRole(w.w2.id, w.bobPrincipal, 'viewer', w.f.at(30)), 'missing', 'grants.updateRole of a missing grant');
        expectEqual(await tx.grants.delete(w.w2.id, w.bobPrincipal), 'missing', 'grants.delete of a missing grant');
        expectEqual(await tx.roles.delete(w.newRole.id), 'missing', 'roles.delete of a missing role');
        expectEqual(await tx.serviceAccounts.delete(w.newServiceAccount.id), 'missing', 'serviceAccounts.delete of a missing service account');
        await insertRole(tx, w.newRole);
        await insertServiceAccount(tx, w.newServiceAccount);
        await insertGrant(tx, w.newGrant);
        await insertInvitation(tx, w.newInvitation);
        await insertApiKey(tx, w.newApiKey);
        await insertTransferRequest(tx, w.newTransferRequest);
      });
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.roles.getById(w.newRole.id), w.newRole, 'a role inserted after refused writes');
        expectDeepEqual(await tx.transferRequests.getById(w.newTransferRequest.id), w.newTransferRequest, 'a transfer request inserted after refused writes');
        expectDeepEqual(await tx.transferRequests.getById(w.transferRequest.id), w.transferRequest, 'the transfer request whose update was refused');
        expectDeepEqual(await tx.serviceAccounts.getById(w.newServiceAccount.id), w.newServiceAccount, 'a service account inserted after refused writes');
        expectDeepEqual(await tx.grants.get(w.w1.id, w.newGrant.grantee), w.newGrant, 'a grant inserted after refused writes');
        expectDeepEqual(await tx.invitations.getById(w.newInvitation.id), w.newInvitation, 'an invitation inserted after refused writes');
        expectDeepEqual(await tx.apiKeys.getById(w.newApiKey.id), w.newApiKey, 'an API key inserted after refused writes');
        expectDeepEqual(await tx.grants.get(w.w1.id, w.bobPrincipal), w.bobGrant, 'the grant whose duplicate was refused');
        expectDeepEqual(await tx.invitations.getById(w.invitation.id), w.invitation, 'the invitation whose update was refused');
        expectDeepEqual(await tx.apiKeys.getById(w.botKey.id), w.botKey, 'the key whose update was refused');
      });
    }),

    defineCheck('transactions', 'sequence-after-rollback', ['AUD-1'], 'audit sequences of committed events keep increasing across a rolled-back append', async (store) => {
      const w = await buildWorld(store);
      const boom = new ConformanceRollback();
      await expectRejectsWith(
        store.transaction(async (tx) => {
          await tx.audit.append(w.newEvent);
          throw boom;
        }),
        boom,
        'a unit of work that appends and throws',
      );
      const later = await inTx(store, (tx) => tx.audit.append(w.f.event(w.org.id, { action: 'workspace.updated' })));
      expectTrue(later.sequence > w.event.sequence, `a sequence after a rollback (${later.sequence}) must exceed the last committed one (${w.event.sequence})`);
      const log = await inTx(store, (tx) => tx.audit.list(w.org.id, {}, { limit: 500 }));
      expectOnlyPage(log, [w.event, later], 'audit.list after a rolled-back append');
    }),

    defineCheck('transactions', 'read-only', ['STORE-1'], 'a read-only unit of work runs every read and resolves to the value of the work', async (store) => {
      const w = await buildWorld(store);
      const expected = await inTx(store, (tx) => observe(tx, w));
      const seen = await store.transaction((tx) => observe(tx, w), { readOnly: true });
      expectDeepEqual(seen, expected, 'reads in a read-only unit of work');
      const readOnlyFalse = await store.transaction((tx) => observe(tx, w), { readOnly: false });
      expectDeepEqual(readOnlyFalse, expected, 'reads in a unit of work with readOnly: false');
      const value = { answer: 42 };
      expectEqual(await store.transaction(() => Promise.resolve(value), { readOnly: true }), value, 'the value a read-only unit of work resolves to');
    }),
  ];
}
