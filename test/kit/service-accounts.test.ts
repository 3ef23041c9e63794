import { describe, expect, it } from 'vitest';
import { asServiceAccount, asUser } from '../../src/index.js';
import { createTestKit } from '../../src/testing.js';
import { errorOf, valueOf } from '../support/harness.js';
import { fails, succeeds } from '../support/kit-outcomes.js';


async function org(planId = 'team') {
  const t = createTestKit();
  const seeded = await t.seed.organization({ handle: 'acme', planId, members: ['admin', 'member'] });
  return {
    t,
    ...t,
    account: seeded.account,
    owner: asUser(seeded.owner.user.id),
    admin: asUser(seeded.members[0]!.user.user.id),
    member: asUser(seeded.members[1]!.user.user.id),
  };
}

describe('createServiceAccount (SA-1)', () => {
  it('SA-1 an Owner creates a service account in its organization: stored, one event, listed to members', async () => {
    const o = await org();
    o.clock.advance({ minutes: 1 });
    const { value: sa, event } = await succeeds(o.t, () => o.kit.createServiceAccount(o.owner, { accountId: o.account.id, name: '  ci-bot ' }));
    expect(sa).toEqual({
      id: expect.stringMatching(/^sa_/) as string,
      accountId: o.account.id,
      name: 'ci-bot',
      createdAt: o.clock.now().toISOString(),
    });
    expect(o.store.snapshot().serviceAccounts).toEqual([sa]);
    expect(event).toMatchObject({
      accountId: o.account.id,
      workspaceId: null,
      actor: o.owner,
      action: 'service-account.created',
      subject: { type: 'service-account', id: sa.id },
      details: { name: 'ci-bot' },
    });
    expect(valueOf(await o.kit.listServiceAccounts(o.member, { accountId: o.account.id })).items).toEqual([sa]);
  });

  it('SA-1 an Admin creates one too; a Member is FORBIDDEN manage_service_accounts; an outsider NOT_FOUND', async () => {
    const o = await org();
    await succeeds(o.t, () => o.kit.createServiceAccount(o.admin, { accountId: o.account.id, name: 'by-admin' }));
    expect(await fails(o.t, () => o.kit.createServiceAccount(o.member, { accountId: o.account.id, name: 'by-member' }))).toEqual({
      code: 'FORBIDDEN',
      message: 'missing scope manage_service_accounts',
      missingScope: 'manage_service_accounts',
    });
    const stranger = asUser((await o.seed.user()).user.id);
    expect(await fails(o.t, () => o.kit.createServiceAccount(stranger, { accountId: o.account.id, name: 'x' }))).toMatchObject({
      code: 'NOT_FOUND',
      entity: 'account',
    });
  });

  it.each(['hobby', 'starter'])('PLAN-3 SA-1 service accounts on %s are PLAN_FEATURE_UNAVAILABLE', async (planId) => {
    const t = createTestKit();
    const { account, owner } = await t.seed.organization({ planId });
    expect(await fails(t, () => t.kit.createServiceAccount(asUser(owner.user.id), { accountId: account.id, name: 'bot' }))).toEqual({
      code: 'PLAN_FEATURE_UNAVAILABLE',
      message: `plan ${planId} does not include serviceAccounts`,
      feature: 'serviceAccounts',
      planId,
    });
  });

  it('SA-1 service accounts belong to organizations: a personal account (even on pro) is VALIDATION', async () => {
    const t = createTestKit();
    const ada = await t.seed.user({ planId: 'pro' });
    expect((await fails(t, () => t.kit.createServiceAccount(asUser(ada.user.id), { accountId: ada.account.id, name: 'bot' }))).code).toBe(
      'VALIDATION',
    );
  });

  it('SA-1 the name is unique in the organization: ALREADY_EXISTS; another organization may reuse it', async () => {
    const o = await org();
    await succeeds(o.t, () => o.kit.createServiceAccount(o.owner, { accountId: o.account.id, name: 'ci-bot' }));
    expect(await fails(o.t, () => o.kit.createServiceAccount(o.admin, { accountId: o.account.id, name: ' ci-bot ' }))).toMatchObject({
      code: 'ALREADY_EXISTS',
      entity: 'service-account',
      key: 'ci-bot',
    });
    const other = await o.seed.organization({ planId: 'team' });
    await succeeds(o.t, () => o.kit.createServiceAccount(asUser(other.owner.user.id), { accountId: other.account.id, name: 'ci-bot' }));
  });

  it('SA-1 a blank or overlong name is VALIDATION', async () => {
    const o = await org();
    for (const name of ['', '   ', 'x'.repeat(1000)]) {
      expect((await fails(o.t, () => o.kit.createServiceAccount(o.owner, { accountId: o.account.id, name }))).code, name).toBe('VALIDATION');
    }
  });
});

describe('a service account holds the account role Member (SA-1)', () => {
  it('SA-1 it reads the account, its members and service accounts, and its role is member', async () => {
    const o = await org('pro');
    const sa = valueOf(await o.kit.createServiceAccount(o.owner, { accountId: o.account.id, name: 'bot' }));
    const bot = asServiceAccount(sa.id);
    const before = o.store.snapshot();
    expect(valueOf(await o.kit.getAccount(bot, { accountId: o.account.id }))).toEqual(o.account);
    expect(valueOf(await o.kit.getAccountRole(bot, { accountId: o.account.id }))).toBe('member');
    expect(valueOf(await o.kit.listMembers(bot, { accountId: o.account.id })).items).toHaveLength(3);
    expect(valueOf(await o.kit.listServiceAccounts(bot, { accountId: o.account.id })).items).toEqual([sa]);
    expect(valueOf(await o.kit.listAccounts(bot)).map((a) => a.id)).toEqual([o.account.id]);
    expect(o.store.snapshot()).toEqual(before);
  });

  it('SA-1 it holds nothing beyond Member: no workspaces, no member management, no audit log', async () => {
    const o = await org('pro');
    const sa = valueOf(await o.kit.createServiceAccount(o.owner, { accountId: o.account.id, name: 'bot' }));
    const bot = asServiceAccount(sa.id);
    const stranger = await o.seed.user();
    expect(await fails(o.t, () => o.kit.createWorkspace(bot, { accountId: o.account.id, handle: 'mine' }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'create_workspaces',
    });
    expect(await fails(o.t, () => o.kit.addMember(bot, { accountId: o.account.id, userId: stranger.user.id, role: 'member' }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'manage_members',
    });
    expect(errorOf(await o.kit.listAuditEvents(bot, { accountId: o.account.id }))).toMatchObject({ code: 'FORBIDDEN', missingScope: 'read_audit_log' });
    // Another organization does not know it.
    const other = await o.seed.organization({ planId: 'team' });
    expect(errorOf(await o.kit.getAccount(bot, { accountId: other.account.id }))).toMatchObject({ code: 'NOT_FOUND', entity: 'account' });
  });

  it('SA-1 it gets workspace access like a user, by a grant', async () => {
    const o = await org('team');
    const sa = valueOf(await o.kit.createServiceAccount(o.owner, { accountId: o.account.id, name: 'bot' }));
    const bot = asServiceAccount(sa.id);
    const ws = await o.seed.workspace(o.account.id, { handle: 'prod' });
    expect(errorOf(await o.kit.getWorkspace(bot, { workspaceId: ws.id })).code).toBe('NOT_FOUND');
    await succeeds(o.t, () => o.kit.shareWorkspace(o.owner, { workspaceId: ws.id, grantee: bot, role: 'developer' }));
    await succeeds(o.t, () => o.kit.trackResources(bot, { workspaceId: ws.id, resources: [{ kind: 'flow-run', name: 'nightly' }] }));
  });
});

describe('deleteServiceAccount (SA-1, SA-2)', () => {
  it('SA-1 deleting a service account removes its grants and API keys; one event counts them', async () => {
    const o = await org('team');
    const sa = valueOf(await o.kit.createServiceAccount(o.owner, { accountId: o.account.id, name: 'bot' }));
    const keep = valueOf(await o.kit.createServiceAccount(o.owner, { accountId: o.account.id, name: 'keep' }));
    const bot = asServiceAccount(sa.id);
    const other = asServiceAccount(keep.id);
    const a = await o.seed.workspace(o.account.id, { handle: 'a' });
    const b = await o.seed.workspace(o.account.id, { handle: 'b' });
    await succeeds(o.t, () => o.kit.shareWorkspace(o.owner, { workspaceId: a.id, grantee: bot, role: 'developer' }));
    await succeeds(o.t, () => o.kit.shareWorkspace(o.owner, { workspaceId: b.id, grantee: bot, role: 'developer' }));
    await succeeds(o.t, () => o.kit.shareWorkspace(o.owner, { workspaceId: a.id, grantee: other, role: 'developer' }));
    const k1 = valueOf(await o.kit.createApiKey(o.owner, { name: 'one', serviceAccountId: sa.id }));
    valueOf(await o.kit.createApiKey(o.admin, { name: 'two', serviceAccountId: sa.id }));
    const kept = valueOf(await o.kit.createApiKey(o.owner, { name: 'kept', serviceAccountId: keep.id }));
    const before = o.store.snapshot();
    const { value, event } = await succeeds(o.t, () => o.kit.deleteServiceAccount(o.admin, { serviceAccountId: sa.id }));
    expect(value).toEqual(sa);
    expect(event).toMatchObject({
      accountId: o.account.id,
      workspaceId: null,
      actor: o.admin,
      action: 'service-account.deleted',
      subject: { type: 'service-account', id: sa.id },
      details: { name: 'bot', grantsRemoved: 2, keysRemoved: 2 },
    });
    const after = o.store.snapshot();
    expect(after.serviceAccounts).toEqual([keep]);
    expect(after.grants).toEqual(before.grants.filter((g) => g.grantee.type !== 'service-account' || g.grantee.serviceAccountId !== sa.id));
    expect(after.grants.map((g) => g.grantee)).toEqual([other]);
    expect(after.apiKeys.map((k) => k.id)).toEqual([kept.key.id]);
    expect(errorOf(await o.kit.resolveApiKey({ key: k1.secret.reveal() }))).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'invalid-key' });
    expect(valueOf(await o.kit.resolveApiKey({ key: kept.secret.reveal() })).principal).toEqual(other);
    expect(errorOf(await o.kit.getAccount(bot, { accountId: o.account.id })).code).toBe('NOT_FOUND');
    // The name is free again.
    await succeeds(o.t, () => o.kit.createServiceAccount(o.owner, { accountId: o.account.id, name: 'bot' }));
  });

  it('SA-1 deleting needs manage_service_accounts; an outsider or a missing one is NOT_FOUND', async () => {
    const o = await org('team');
    const sa = valueOf(await o.kit.createServiceAccount(o.owner, { accountId: o.account.id, name: 'bot' }));
    expect(await fails(o.t, () => o.kit.deleteServiceAccount(o.member, { serviceAccountId: sa.id }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'manage_service_accounts',
    });
    expect(await fails(o.t, () => o.kit.deleteServiceAccount(asServiceAccount(sa.id), { serviceAccountId: sa.id }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'manage_service_accounts',
    });
    const stranger = asUser((await o.seed.user()).user.id);
    expect(await fails(o.t, () => o.kit.deleteServiceAccount(stranger, { serviceAccountId: sa.id }))).toMatchObject({
      code: 'NOT_FOUND',
      entity: 'service-account',
      key: sa.id,
    });
    expect(await fails(o.t, () => o.kit.deleteServiceAccount(o.owner, { serviceAccountId: 'sa_missing' }))).toMatchObject({
      code: 'NOT_FOUND',
      entity: 'service-account',
    });
  });
});

describe('listServiceAccounts (SA-1)', () => {
  it('SA-1 lists by name, paged; an outsider gets NOT_FOUND', async () => {
    const o = await org('team');
    for (const name of ['zeta', 'alpha', 'mid']) await succeeds(o.t, () => o.kit.createServiceAccount(o.owner, { accountId: o.account.id, name }));
    const first = valueOf(await o.kit.listServiceAccounts(o.member, { accountId: o.account.id, limit: 2 }));
    expect(first.items.map((s) => s.name)).toEqual(['alpha', 'mid']);
    expect(first.nextCursor).not.toBeNull();
    const second = valueOf(await o.kit.listServiceAccounts(o.member, { accountId: o.account.id, limit: 2, cursor: first.nextCursor! }));
    expect(second.items.map((s) => s.name)).toEqual(['zeta']);
    expect(second.nextCursor).toBeNull();
    const stranger = asUser((await o.seed.user()).user.id);
    expect(errorOf(await o.kit.listServiceAccounts(stranger, { accountId: o.account.id })).code).toBe('NOT_FOUND');
  });
});
