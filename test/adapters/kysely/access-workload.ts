/**
 * A workload that calls every method of the access ports (roles, grants, invitations, service
 * accounts, API keys, seats, and the workspace queries of 0002) and every method of 0003
 * (transfer requests, run retention, `accounts.list`, `grants.moveWorkspace`) at least once,
 * with cursors, filters and both grantee kinds, checking the answers as it goes. The query-plan tests run it
 * next to the conformance suite so that every statement the adapter can issue is explained,
 * whatever the suite happens to exercise.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Account, User } from '../../../src/account/account.js';
import type { ApiKey } from '../../../src/account/api-key.js';
import type { Handle } from '../../../src/core/handle.js';
import type {
  AccountId,
  ApiKeyId,
  InvitationId,
  ResourceId,
  RoleId,
  ServiceAccountId,
  TransferRequestId,
  UserId,
  WorkspaceId,
} from '../../../src/core/ids.js';
import type { Grantee } from '../../../src/core/principal.js';
import type { Store } from '../../../src/ports/store.js';
import type { CustomRole } from '../../../src/role/custom-role.js';
import type { TransferRequest } from '../../../src/transfer-planner/transfer-request.js';
import type { WorkspaceGrant } from '../../../src/workspace/grant.js';
import type { Invitation } from '../../../src/workspace/invitation.js';
import type { Workspace } from '../../../src/workspace/workspace.js';

const AT = '2026-01-01T00:00:00.000Z';
const LATER = '2026-01-08T00:00:00.000Z';

/** The methods of the access ports, as `repository.method`: what {@link accessWorkload} covers. */
export const ACCESS_METHODS = [
  'roles.getById',
  'roles.listByAccount',
  'roles.insert',
  'roles.delete',
  'grants.get',
  'grants.listByWorkspace',
  'grants.listByGrantee',
  'grants.insert',
  'grants.updateRole',
  'grants.delete',
  'grants.deleteByWorkspace',
  'grants.deleteByGrantee',
  'grants.countByRole',
  'invitations.getById',
  'invitations.listByAccount',
  'invitations.getPendingFor',
  'invitations.insert',
  'invitations.update',
  'invitations.deleteByWorkspace',
  'invitations.countPendingByRole',
  'serviceAccounts.getById',
  'serviceAccounts.listByAccount',
  'serviceAccounts.insert',
  'serviceAccounts.delete',
  'apiKeys.getById',
  'apiKeys.listByOwner',
  'apiKeys.insert',
  'apiKeys.update',
  'apiKeys.deleteByOwner',
  'seats.count',
  'workspaces.listAccessible',
  'workspaces.countByDefaultRole',
  'accounts.list',
  'grants.moveWorkspace',
  'transferRequests.getById',
  'transferRequests.getPendingByWorkspace',
  'transferRequests.insert',
  'transferRequests.update',
  'transferRequests.deleteByWorkspace',
  'resources.insertMany',
  'resources.countEndedBefore',
  'resources.deleteEndedBefore',
  'resources.deleteByWorkspace',
] as const;

/** Runs the workload on `store`; returns the methods it called. */
export async function accessWorkload(store: Store): Promise<ReadonlySet<string>> {
  const tag = randomBytes(4).toString('hex');
  const id = <T extends string>(prefix: string, n: number | string): T => `${prefix}_${tag}_${n}` as T;
  const called = new Set<string>();

  const person = (n: number): User => ({
    id: id<UserId>('usr', n),
    email: `p${n}-${tag}@example.test`,
    displayName: `p${n}`,
    personalAccountId: id<AccountId>('accp', n),
    createdAt: AT,
  });
  const personalAccount = (u: User): Account => ({
    id: u.personalAccountId,
    kind: 'personal',
    handle: `u-${u.id.replaceAll('_', '-')}` as Handle,
    displayName: u.displayName,
    planId: 'hobby',
    ownerUserId: u.id,
    version: 1,
    createdAt: AT,
    updatedAt: AT,
  });
  const [u1, u2, u3] = [person(1), person(2), person(3)];
  const org: Account = {
    id: id<AccountId>('acc', 'org'),
    kind: 'organization',
    handle: `org-${tag}` as Handle,
    displayName: 'Org',
    planId: 'enterprise',
    ownerUserId: null,
    version: 1,
    createdAt: AT,
    updatedAt: AT,
  };
  const workspace = (handle: string, defaultRole: Workspace['defaultRole']): Workspace => ({
    id: id<WorkspaceId>('ws', handle),
    accountId: org.id,
    handle: handle as Handle,
    description: '',
    defaultRole,
    version: 1,
    createdAt: AT,
    updatedAt: AT,
  });
  const [wa, wb, wc] = [workspace('a', null), workspace('b', 'viewer'), workspace('c', null)];
  const bot: Grantee = { type: 'service-account', serviceAccountId: id<ServiceAccountId>('sa', 'bot') };
  const alice: Grantee = { type: 'user', userId: u1.id };
  const bob: Grantee = { type: 'user', userId: u2.id };
  const grant = (w: Workspace, grantee: Grantee, role: WorkspaceGrant['role']): WorkspaceGrant => ({
    workspaceId: w.id,
    accountId: org.id,
    grantee,
    role,
    createdAt: AT,
    updatedAt: AT,
  });
  const roleId = id<RoleId>('role', 'ops');

  await store.transaction(async (tx) => {
    for (const u of [u1, u2, u3]) {
      expect(await tx.users.insert(u)).toBe('ok');
      expect(await tx.accounts.insert(personalAccount(u))).toBe('ok');
    }
    expect(await tx.accounts.insert(org)).toBe('ok');
    expect(await tx.memberships.insert({ accountId: org.id, userId: u1.id, role: 'owner', createdAt: AT })).toBe('ok');
    for (const w of [wa, wb, wc]) expect(await tx.workspaces.insert(w)).toBe('ok');
  });

  // Custom roles and service accounts: unique names, name-ordered pages.
  await store.transaction(async (tx) => {
    const role: CustomRole = { id: roleId, accountId: org.id, name: 'ops', scopes: ['run_deployments', 'see_flows'], inherits: 'viewer', createdAt: AT };
    expect(await tx.roles.insert(role)).toBe('ok');
    expect(await tx.roles.insert({ ...role, id: id<RoleId>('role', 'dup') })).toBe('name-taken');
    expect(await tx.roles.insert({ ...role, id: id<RoleId>('role', 'audit'), name: 'audit', inherits: null })).toBe('ok');
    expect(await tx.roles.getById(roleId)).toEqual(role);
    const first = await tx.roles.listByAccount(org.id, { limit: 1 });
    expect(first.items.map((r) => r.name)).toEqual(['audit']);
    const second = await tx.roles.listByAccount(org.id, { limit: 1, cursor: first.nextCursor! });
    expect([second.items.map((r) => r.name), second.nextCursor]).toEqual([['ops'], null]);
    expect(await tx.roles.delete(id<RoleId>('role', 'audit'))).toBe('ok');
    expect(await tx.roles.delete(id<RoleId>('role', 'audit'))).toBe('missing');

    const sa = { id: bot.serviceAccountId, accountId: org.id, name: 'bot', createdAt: AT };
    expect(await tx.serviceAccounts.insert(sa)).toBe('ok');
    expect(await tx.serviceAccounts.insert({ ...sa, id: id<ServiceAccountId>('sa', 'dup') })).toBe('name-taken');
    expect(await tx.serviceAccounts.insert({ ...sa, id: id<ServiceAccountId>('sa', 'ci'), name: 'ci' })).toBe('ok');
    expect(await tx.serviceAccounts.getById(bot.serviceAccountId)).toEqual(sa);
    const sas = await tx.serviceAccounts.listByAccount(org.id, { limit: 1, cursor: 'bot' });
    expect([sas.items.map((s) => s.name), sas.nextCursor]).toEqual([['ci'], null]);
    expect(await tx.serviceAccounts.delete(id<ServiceAccountId>('sa', 'ci'))).toBe('ok');
    expect(await tx.serviceAccounts.delete(id<ServiceAccountId>('sa', 'ci'))).toBe('missing');
  });
  for (const m of ['getById', 'listByAccount', 'insert', 'delete']) called.add(`roles.${m}`).add(`serviceAccounts.${m}`);

  // Grants: users before service accounts, keyed by (workspace, grantee).
  await store.transaction(async (tx) => {
    expect(await tx.grants.insert(grant(wa, bot, 'runner'))).toBe('ok');
    expect(await tx.grants.insert(grant(wa, bob, roleId))).toBe('ok');
    expect(await tx.grants.insert(grant(wa, alice, 'developer'))).toBe('ok');
    expect(await tx.grants.insert(grant(wa, alice, 'viewer'))).toBe('exists');
    expect(await tx.grants.insert(grant(wc, alice, roleId))).toBe('ok');
    expect(await tx.grants.get(wa.id, alice)).toEqual(grant(wa, alice, 'developer'));
    expect(await tx.grants.get(wb.id, alice)).toBeNull();

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await tx.grants.listByWorkspace(wa.id, { limit: 1, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...page.items.map((g) => (g.grantee.type === 'user' ? g.grantee.userId : g.grantee.serviceAccountId)));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toEqual([u1.id, u2.id, bot.serviceAccountId]);
    const all = await tx.grants.listByWorkspace(wa.id, { limit: 10 });
    expect([all.items.length, all.nextCursor]).toEqual([3, null]);

    expect((await tx.grants.listByGrantee(org.id, alice)).map((g) => g.workspaceId)).toEqual([wa.id, wc.id]);
    expect(await tx.grants.countByRole(org.id, roleId)).toBe(2);
    expect(await tx.grants.updateRole(wa.id, bob, 'viewer', LATER)).toBe('ok');
    expect(await tx.grants.updateRole(wb.id, bob, 'viewer', LATER)).toBe('missing');
    expect(await tx.grants.get(wa.id, bob)).toMatchObject({ role: 'viewer', updatedAt: LATER });
    expect(await tx.grants.countByRole(org.id, roleId)).toBe(1);
  });

  // Accessible workspaces: grants of the grantee, plus default roles when asked.
  await store.transaction(
    async (tx) => {
      const handles = async (grantee: Grantee, withDefaultRole: boolean, limit = 10, cursor?: string) => {
        const page = await tx.workspaces.listAccessible(org.id, grantee, { withDefaultRole }, { limit, ...(cursor === undefined ? {} : { cursor }) });
        return [page.items.map((w) => w.handle), page.nextCursor];
      };
      expect(await handles(alice, false)).toEqual([['a', 'c'], null]);
      expect(await handles(alice, true)).toEqual([['a', 'b', 'c'], null]);
      expect(await handles(alice, true, 2)).toEqual([['a', 'b'], 'b']);
      expect(await handles(alice, true, 2, 'b')).toEqual([['c'], null]);
      expect(await handles(bot, false)).toEqual([['a'], null]);
      expect(await handles({ type: 'user', userId: u3.id }, true)).toEqual([['b'], null]);
      expect(await tx.workspaces.countByDefaultRole(org.id, 'viewer')).toBe(1);
      expect(await tx.workspaces.countByDefaultRole(org.id, roleId)).toBe(0);
    },
    { readOnly: true },
  );
  called.add('workspaces.listAccessible').add('workspaces.countByDefaultRole');

  // Invitations: one pending per (account, target, email), guarded updates.
  const invitation = (n: number, email: string, target: Invitation['target']): Invitation => ({
    id: id<InvitationId>('inv', n),
    accountId: org.id,
    email,
    target,
    invitedBy: { type: 'user', userId: u1.id },
    status: 'pending',
    tokenHash: `hash-${n}`,
    createdAt: AT,
    expiresAt: LATER,
    respondedAt: null,
    acceptedBy: null,
    version: 1,
  });
  const toOrg = invitation(1, u3.email, { type: 'account', role: 'owner' });
  const toWa = invitation(2, u3.email, { type: 'workspace', workspaceId: wa.id, role: roleId });
  const toWb = invitation(3, `new-${tag}@example.test`, { type: 'workspace', workspaceId: wb.id, role: 'owner' });
  await store.transaction(async (tx) => {
    for (const i of [toOrg, toWa, toWb]) expect(await tx.invitations.insert(i)).toBe('ok');
    expect(await tx.invitations.insert({ ...toWa, id: id<InvitationId>('inv', 9) })).toBe('exists');
    expect(await tx.invitations.getById(toWa.id)).toEqual(toWa);
    expect(await tx.invitations.getById(id<InvitationId>('inv', 'none'))).toBeNull();
    // The pending slot of (account, target, email): both target kinds, and the slots left free.
    expect(await tx.invitations.getPendingFor(org.id, null, u3.email)).toEqual(toOrg);
    expect(await tx.invitations.getPendingFor(org.id, wa.id, u3.email)).toEqual(toWa);
    expect(await tx.invitations.getPendingFor(org.id, wb.id, u3.email)).toBeNull();
    expect(await tx.invitations.getPendingFor(org.id, null, toWb.email)).toBeNull();
    const page1 = await tx.invitations.listByAccount(org.id, {}, { limit: 2 });
    expect([page1.items.map((i) => i.id), page1.nextCursor]).toEqual([[toOrg.id, toWa.id], toWa.id]);
    const page2 = await tx.invitations.listByAccount(org.id, {}, { limit: 2, cursor: page1.nextCursor! });
    expect([page2.items.map((i) => i.id), page2.nextCursor]).toEqual([[toWb.id], null]);
    expect((await tx.invitations.listByAccount(org.id, { workspaceId: wa.id }, { limit: 10 })).items).toEqual([toWa]);
    expect(await tx.invitations.countPendingByRole(org.id, roleId)).toBe(1);
    // 'owner' as an account role does not count as the built-in workspace role.
    expect(await tx.invitations.countPendingByRole(org.id, 'owner')).toBe(1);

    // Seats: u1 (member), u2 (grant), u3's pending invitations (one email), the new email.
    expect(await tx.seats.count(org.id, AT)).toBe(4);
    expect(await tx.seats.count(org.id, AT, ` P2-${tag}@Example.test `)).toBe(4);
    expect(await tx.seats.count(org.id, AT, `other-${tag}@example.test`)).toBe(5);
    expect(await tx.seats.count(org.id, LATER)).toBe(2);

    const accepted: Invitation = { ...toWa, status: 'accepted', respondedAt: LATER, acceptedBy: u3.id, version: 2 };
    expect(await tx.invitations.update(accepted, 1)).toBe('ok');
    expect(await tx.invitations.update({ ...accepted, version: 3 }, 1)).toBe('conflict');
    expect(await tx.invitations.getById(toWa.id)).toEqual(accepted);
    expect(await tx.invitations.getPendingFor(org.id, wa.id, u3.email)).toBeNull();
    expect((await tx.invitations.listByAccount(org.id, { status: 'pending' }, { limit: 10 })).items.map((i) => i.id)).toEqual([toOrg.id, toWb.id]);
    expect(await tx.invitations.countPendingByRole(org.id, roleId)).toBe(0);
    // No pending invitation to wa for that email any more: a new one is accepted.
    expect(await tx.invitations.insert({ ...toWa, id: id<InvitationId>('inv', 4) })).toBe('ok');
    expect(await tx.invitations.deleteByWorkspace(wa.id)).toBe(2);
  });
  // Outside a read-write unit of work: the same seek without a row lock.
  await store.transaction(async (tx) => expect(await tx.invitations.getPendingFor(org.id, wb.id, toWb.email)).toEqual(toWb), { readOnly: true });
  for (const m of ['getById', 'listByAccount', 'getPendingFor', 'insert', 'update', 'deleteByWorkspace', 'countPendingByRole']) called.add(`invitations.${m}`);
  called.add('seats.count');

  // API keys of both owner kinds.
  const key = (n: number, owner: Grantee, accountId: AccountId): ApiKey => ({
    id: id<ApiKeyId>('key', n),
    owner,
    accountId,
    name: `key ${n}`,
    secretHash: `secret-${n}`,
    createdAt: AT,
    expiresAt: n % 2 === 0 ? LATER : null,
    revokedAt: null,
    rotatedTo: null,
    version: 1,
  });
  await store.transaction(async (tx) => {
    const keys = [key(1, bot, org.id), key(2, bot, org.id), key(3, alice, u1.personalAccountId)];
    for (const k of keys) expect(await tx.apiKeys.insert(k)).toBe('ok');
    expect(await tx.apiKeys.getById(keys[1]!.id)).toEqual(keys[1]);
    const first = await tx.apiKeys.listByOwner(bot, { limit: 1 });
    expect([first.items, first.nextCursor]).toEqual([[keys[0]], keys[0]!.id]);
    const second = await tx.apiKeys.listByOwner(bot, { limit: 1, cursor: first.nextCursor! });
    expect([second.items, second.nextCursor]).toEqual([[keys[1]], null]);
    const rotated: ApiKey = { ...keys[0]!, revokedAt: LATER, rotatedTo: keys[1]!.id, version: 2 };
    expect(await tx.apiKeys.update(rotated, 1)).toBe('ok');
    expect(await tx.apiKeys.update(rotated, 1)).toBe('conflict');
    expect(await tx.apiKeys.getById(rotated.id)).toEqual(rotated);
    expect(await tx.apiKeys.deleteByOwner(bot)).toBe(2);
    expect((await tx.apiKeys.listByOwner(alice, { limit: 10 })).items).toEqual([keys[2]]);
  });
  for (const m of ['getById', 'listByOwner', 'insert', 'update', 'deleteByOwner']) called.add(`apiKeys.${m}`);

  // Removing access: by grantee, by workspace.
  await store.transaction(async (tx) => {
    expect(await tx.grants.delete(wa.id, bob)).toBe('ok');
    expect(await tx.grants.delete(wa.id, bob)).toBe('missing');
    expect(await tx.grants.deleteByGrantee(org.id, alice)).toBe(2);
    expect(await tx.grants.deleteByWorkspace(wa.id)).toBe(1);
    expect(await tx.grants.listByWorkspace(wa.id, { limit: 10 })).toEqual({ items: [], nextCursor: null });
    expect(await tx.seats.count(org.id, LATER)).toBe(1);
  });
  for (const m of ['get', 'listByWorkspace', 'listByGrantee', 'insert', 'updateRole', 'delete', 'deleteByWorkspace', 'deleteByGrantee', 'countByRole']) {
    called.add(`grants.${m}`);
  }

  // Every account in id order (other accounts may exist: the store is shared), keyset pages.
  await store.transaction(
    async (tx) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await tx.accounts.list({ limit: 50, ...(cursor === undefined ? {} : { cursor }) });
        ids.push(...page.items.map((a) => a.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      expect(ids).toEqual([...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      for (const a of [org, ...[u1, u2, u3].map(personalAccount)]) expect(ids).toContain(a.id);
      const after = await tx.accounts.list({ limit: 1, cursor: org.id });
      expect(after.items.every((a) => a.id > org.id)).toBe(true);
      const first = await tx.accounts.list({ limit: 1 });
      expect(first.items).toHaveLength(1);
    },
    { readOnly: true },
  );
  called.add('accounts.list');

  // Moving a workspace's grants to another account (a transfer), and back.
  const personal = u1.personalAccountId;
  await store.transaction(async (tx) => {
    expect(await tx.grants.insert(grant(wc, bob, 'runner'))).toBe('ok');
    expect(await tx.grants.insert(grant(wc, bot, 'viewer'))).toBe('ok');
    expect(await tx.grants.moveWorkspace(wc.id, personal)).toBe(2);
    expect(await tx.grants.listByGrantee(personal, bob)).toEqual([{ ...grant(wc, bob, 'runner'), accountId: personal }]);
    expect(await tx.grants.listByGrantee(org.id, bob)).toEqual([]);
    expect(await tx.grants.countByRole(personal, 'viewer')).toBe(1);
    expect(await tx.grants.moveWorkspace(wb.id, personal)).toBe(0);
    expect(await tx.grants.moveWorkspace(wc.id, org.id)).toBe(2);
    expect(await tx.grants.deleteByWorkspace(wc.id)).toBe(2);
  });
  called.add('grants.moveWorkspace');

  // Transfer requests: one pending per workspace, guarded updates, deleted with the workspace.
  const request = (n: number): TransferRequest => ({
    id: id<TransferRequestId>('xfer', n),
    workspaceId: wa.id,
    sourceAccountId: org.id,
    targetAccountId: personal,
    newHandle: 'moved' as Handle,
    requestedBy: { type: 'user', userId: u1.id },
    awaiting: 'target',
    status: 'pending',
    fingerprint: `fp-${n}`,
    plannedAt: AT,
    createdAt: AT,
    expiresAt: LATER,
    respondedAt: null,
    respondedBy: null,
    version: 1,
  });
  await store.transaction(async (tx) => {
    const r1 = request(1);
    expect(await tx.transferRequests.insert(r1)).toBe('ok');
    expect(await tx.transferRequests.insert(request(2))).toBe('exists');
    expect(await tx.transferRequests.insert({ ...request(3), workspaceId: wb.id })).toBe('ok');
    expect(await tx.transferRequests.getById(r1.id)).toEqual(r1);
    expect(await tx.transferRequests.getById(id<TransferRequestId>('xfer', 'none'))).toBeNull();
    expect(await tx.transferRequests.getPendingByWorkspace(wa.id)).toEqual(r1);
    expect(await tx.transferRequests.getPendingByWorkspace(wc.id)).toBeNull();
    const approved: TransferRequest = { ...r1, status: 'approved', respondedAt: LATER, respondedBy: { type: 'system', name: 'support' }, version: 2 };
    expect(await tx.transferRequests.update(approved, 1)).toBe('ok');
    expect(await tx.transferRequests.update({ ...approved, version: 3 }, 1)).toBe('conflict');
    expect(await tx.transferRequests.getById(r1.id)).toEqual(approved);
    expect(await tx.transferRequests.getPendingByWorkspace(wa.id)).toBeNull();
    expect(await tx.transferRequests.insert(request(4))).toBe('ok');
    expect(await tx.transferRequests.deleteByWorkspace(wa.id)).toBe(2);
    expect(await tx.transferRequests.getById(r1.id)).toBeNull();
    expect(await tx.transferRequests.deleteByWorkspace(wb.id)).toBe(1);
  });
  for (const m of ['getById', 'getPendingByWorkspace', 'insert', 'update', 'deleteByWorkspace']) called.add(`transferRequests.${m}`);

  // Run retention: day counts plus the cutoff's own day, pruning in batches.
  const run = (n: number, w: Workspace, endedAt: string | null) => ({
    id: id<ResourceId>('res', n),
    workspaceId: w.id,
    kind: 'flow-run' as const,
    name: `run ${n}`,
    createdAt: AT,
    state: endedAt === null ? ('running' as const) : ('completed' as const),
    endedAt,
    parentRunId: null,
  });
  await store.transaction(async (tx) => {
    const ends = ['2026-01-01T05:00:00.000Z', '2026-01-01T23:59:59.999Z', '2026-01-02T00:00:00.000Z', '2026-01-02T08:00:00.000Z', '2026-01-03T00:00:00.000Z', null];
    await tx.resources.insertMany([...ends.map((e, n) => run(n, wa, e)), run(10, wb, '2026-01-01T00:00:00.000Z')]);
    expect(await tx.resources.countEndedBefore(wa.id, '2026-01-01T00:00:00.000Z')).toBe(0);
    expect(await tx.resources.countEndedBefore(wa.id, '2026-01-02T00:00:00.000Z')).toBe(2);
    expect(await tx.resources.countEndedBefore(wa.id, '2026-01-02T08:00:00.000Z')).toBe(3);
    expect(await tx.resources.countEndedBefore(wa.id, '2099-01-01T00:00:00.000Z')).toBe(5);
    expect(await tx.resources.deleteEndedBefore(wa.id, '2026-01-02T08:00:00.001Z', 3)).toBe(3);
    expect(await tx.resources.deleteEndedBefore(wa.id, '2026-01-02T08:00:00.001Z', 3)).toBe(1);
    expect(await tx.resources.deleteEndedBefore(wa.id, '2026-01-02T08:00:00.001Z', 3)).toBe(0);
    expect(await tx.resources.countEndedBefore(wa.id, '2099-01-01T00:00:00.000Z')).toBe(1);
    expect(await tx.resources.countEndedBefore(wb.id, '2099-01-01T00:00:00.000Z')).toBe(1);
    expect(await tx.resources.deleteByWorkspace(wa.id)).toBe(2);
    expect(await tx.resources.countEndedBefore(wa.id, '2099-01-01T00:00:00.000Z')).toBe(0);
    expect(await tx.resources.deleteByWorkspace(wb.id)).toBe(1);
  });
  for (const m of ['insertMany', 'countEndedBefore', 'deleteEndedBefore', 'deleteByWorkspace']) called.add(`resources.${m}`);
  return called;
}
