import { describe, expect, it } from 'vitest';
import { asUser, system, type Membership } from '../../src/index.js';
import { createTestKit } from '../../src/testing.js';

describe('registerUser (ACC-1)', () => {
  it('ACC-1 creates a user and its personal account in one step', async () => {
    const { kit, store } = createTestKit();
    const r = await kit.registerUser(system('signup'), {
      email: '  Ada@Example.COM ',
      displayName: ' Ada Lovelace ',
      handle: ' Ada ',
    });
    const { user, account } = r._unsafeUnwrap();
    expect(user).toMatchObject({ email: 'ada@example.com', displayName: 'Ada Lovelace', personalAccountId: account.id });
    expect(account).toMatchObject({
      kind: 'personal',
      handle: 'ada',
      displayName: 'Ada Lovelace',
      planId: 'hobby',
      ownerUserId: user.id,
      version: 1,
    });
    const snap = store.snapshot();
    expect(snap.users).toEqual([user]);
    expect(snap.accounts).toEqual([account]);
    // A personal account has no account members (ACC-2).
    expect(snap.memberships).toEqual([]);
  });

  it('ACC-1 records the creation time from the clock', async () => {
    const { kit, clock } = createTestKit({ start: '2026-03-04T05:06:07.000Z' });
    const { user, account } = (
      await kit.registerUser(system(), { email: 'a@example.com', displayName: 'A', handle: 'a' })
    )._unsafeUnwrap();
    expect(user.createdAt).toBe('2026-03-04T05:06:07.000Z');
    expect(account.createdAt).toBe('2026-03-04T05:06:07.000Z');
    expect(account.updatedAt).toBe('2026-03-04T05:06:07.000Z');
    clock.advance({ hours: 1 });
    const b = (await kit.registerUser(system(), { email: 'b@example.com', displayName: 'B', handle: 'b' }))._unsafeUnwrap();
    expect(b.user.createdAt).toBe('2026-03-04T06:06:07.000Z');
  });

  it('ACC-2 a personal account takes the plan named at registration', async () => {
    const { kit } = createTestKit();
    const r = await kit.registerUser(system(), { email: 'p@example.com', displayName: 'P', handle: 'p', planId: 'pro' });
    expect(r._unsafeUnwrap().account.planId).toBe('pro');
  });

  it('ACC-1 email identity is trimmed and lower-cased: a differently cased email is EMAIL_TAKEN', async () => {
    const { kit, store } = createTestKit();
    await kit.registerUser(system(), { email: 'ada@example.com', displayName: 'Ada', handle: 'ada' });
    const before = store.snapshot();
    const r = await kit.registerUser(system(), { email: ' ADA@example.com', displayName: 'Other', handle: 'other' });
    expect(r.isErr() && r.error.code).toBe('EMAIL_TAKEN');
    expect(r._unsafeUnwrapErr()).toMatchObject({ email: 'ada@example.com' });
    expect(store.snapshot()).toEqual(before);
  });

  it('HDL-1 a taken account handle is HANDLE_TAKEN and the email stays free (atomic)', async () => {
    const { kit, store } = createTestKit();
    await kit.registerUser(system(), { email: 'ada@example.com', displayName: 'Ada', handle: 'ada' });
    const before = store.snapshot();
    const r = await kit.registerUser(system(), { email: 'bob@example.com', displayName: 'Bob', handle: 'ADA' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'HANDLE_TAKEN', handle: 'ada', scope: 'account' });
    expect(store.snapshot()).toEqual(before);
    // The user insert was rolled back: the email can register now.
    const again = await kit.registerUser(system(), { email: 'bob@example.com', displayName: 'Bob', handle: 'bob' });
    expect(again.isOk()).toBe(true);
  });

  it('HDL-1 account handles are unique across personal and organization accounts', async () => {
    const { kit, seed } = createTestKit();
    await seed.organization({ handle: 'acme' });
    const r = await kit.registerUser(system(), { email: 'x@example.com', displayName: 'X', handle: 'acme' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'HANDLE_TAKEN', scope: 'account' });
  });

  it('ROLE-6 only the system principal registers users', async () => {
    const { kit, seed, store } = createTestKit();
    const ada = await seed.user();
    const before = store.snapshot();
    const r = await kit.registerUser(asUser(ada.user.id), { email: 'x@example.com', displayName: 'X', handle: 'x' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'FORBIDDEN', missingScope: 'register_users' });
    expect(store.snapshot()).toEqual(before);
  });

  it('ACC-1 an invalid email or empty display name is VALIDATION', async () => {
    const { kit } = createTestKit();
    const bad = await kit.registerUser(system(), { email: 'nope', displayName: 'N', handle: 'n' });
    expect(bad._unsafeUnwrapErr()).toMatchObject({ code: 'VALIDATION' });
    const blank = await kit.registerUser(system(), { email: 'n@example.com', displayName: '  ', handle: 'n' });
    expect(blank._unsafeUnwrapErr()).toMatchObject({ code: 'VALIDATION' });
    if (blank.isErr() && blank.error.code === 'VALIDATION') expect(blank.error.issues[0]?.path).toEqual(['input', 'displayName']);
  });

  it('PLAN an unknown plan is NOT_FOUND plan and nothing is created', async () => {
    const { kit, store } = createTestKit();
    const r = await kit.registerUser(system(), { email: 'a@example.com', displayName: 'A', handle: 'a', planId: 'platinum' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'NOT_FOUND', entity: 'plan', key: 'platinum' });
    expect(store.snapshot().users).toEqual([]);
  });
});

describe('createOrganization (ACC-2)', () => {
  it('ACC-2 a user creates an organization and becomes its first Owner', async () => {
    const { kit, seed, store } = createTestKit();
    const ada = await seed.user();
    const org = (
      await kit.createOrganization(asUser(ada.user.id), { handle: 'Acme', displayName: 'Acme Inc', planId: 'pro' })
    )._unsafeUnwrap();
    expect(org).toMatchObject({ kind: 'organization', handle: 'acme', displayName: 'Acme Inc', planId: 'pro', ownerUserId: null, version: 1 });
    expect(store.snapshot().memberships).toEqual([
      { accountId: org.id, userId: ada.user.id, role: 'owner', createdAt: org.createdAt },
    ]);
    expect((await kit.getAccountRole(asUser(ada.user.id), { accountId: org.id }))._unsafeUnwrap()).toBe('owner');
  });

  it('ACC-2 an organization takes the default plan when none is named', async () => {
    const { kit, seed } = createTestKit();
    const ada = await seed.user();
    const org = (await kit.createOrganization(asUser(ada.user.id), { handle: 'acme', displayName: 'Acme' }))._unsafeUnwrap();
    expect(org.planId).toBe('hobby');
  });

  it('ACC-2 the system creates an organization for a named owner', async () => {
    const { kit, seed } = createTestKit();
    const ada = await seed.user();
    const org = (
      await kit.createOrganization(system(), { handle: 'acme', displayName: 'Acme', ownerUserId: ada.user.id })
    )._unsafeUnwrap();
    expect((await kit.getAccountRole(asUser(ada.user.id), { accountId: org.id }))._unsafeUnwrap()).toBe('owner');
  });

  it('ACC-2 the system must name the owner (VALIDATION on ownerUserId)', async () => {
    const { kit, store } = createTestKit();
    const r = await kit.createOrganization(system(), { handle: 'acme', displayName: 'Acme' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'VALIDATION' });
    if (r.isErr() && r.error.code === 'VALIDATION') expect(r.error.issues[0]?.path).toEqual(['input', 'ownerUserId']);
    expect(store.snapshot().accounts).toEqual([]);
  });

  it('ACC-2 an unknown owner is NOT_FOUND user and nothing is created', async () => {
    const { kit, store } = createTestKit();
    const r = await kit.createOrganization(system(), { handle: 'acme', displayName: 'Acme', ownerUserId: 'usr_404' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'NOT_FOUND', entity: 'user', key: 'usr_404' });
    expect(store.snapshot().accounts).toEqual([]);
  });

  it('ROLE-6 a user cannot create an organization owned by someone else', async () => {
    const { kit, seed, store } = createTestKit();
    const ada = await seed.user();
    const bob = await seed.user();
    const before = store.snapshot();
    const r = await kit.createOrganization(asUser(ada.user.id), { handle: 'acme', displayName: 'Acme', ownerUserId: bob.user.id });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'FORBIDDEN', missingScope: 'register_users' });
    expect(store.snapshot()).toEqual(before);
  });

  it('HDL-1 an organization handle taken by a personal account is HANDLE_TAKEN, nothing created', async () => {
    const { kit, seed, store } = createTestKit();
    const ada = await seed.user({ handle: 'ada' });
    const before = store.snapshot();
    const r = await kit.createOrganization(asUser(ada.user.id), { handle: 'ADA', displayName: 'Ada Org' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'HANDLE_TAKEN', handle: 'ada', scope: 'account' });
    expect(store.snapshot()).toEqual(before);
  });
});

describe('addMember (ACC-3, PLAN-2)', () => {
  it('ACC-3 an Owner adds a user with an account role', async () => {
    const { kit, seed, clock } = createTestKit();
    const { account, owner } = await seed.organization({ planId: 'pro' });
    const bob = await seed.user();
    clock.advance({ minutes: 5 });
    const m = (
      await kit.addMember(asUser(owner.user.id), { accountId: account.id, userId: bob.user.id, role: 'admin' })
    )._unsafeUnwrap();
    expect(m).toEqual({ accountId: account.id, userId: bob.user.id, role: 'admin', createdAt: clock.now().toISOString() });
    expect((await kit.getAccountRole(asUser(bob.user.id), { accountId: account.id }))._unsafeUnwrap()).toBe('admin');
  });

  it('ACC-3 an Admin adds Admins and Members', async () => {
    const { kit, seed } = createTestKit();
    const { account, members } = await seed.organization({ planId: 'pro', members: ['admin'] });
    const admin = members[0]!.user;
    const [c, d] = [await seed.user(), await seed.user()];
    expect((await kit.addMember(asUser(admin.user.id), { accountId: account.id, userId: c.user.id, role: 'member' })).isOk()).toBe(true);
    expect((await kit.addMember(asUser(admin.user.id), { accountId: account.id, userId: d.user.id, role: 'admin' })).isOk()).toBe(true);
  });

  it('ACC-3 adding an existing member is ALREADY_EXISTS and keeps the role', async () => {
    const { kit, seed, store } = createTestKit();
    const { account, owner, members } = await seed.organization({ planId: 'pro', members: ['member'] });
    const bob = members[0]!.user;
    const before = store.snapshot();
    const r = await kit.addMember(asUser(owner.user.id), { accountId: account.id, userId: bob.user.id, role: 'admin' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'ALREADY_EXISTS', entity: 'membership', key: `${account.id}/${bob.user.id}` });
    expect(store.snapshot()).toEqual(before);
  });

  it('ACC-3 adding an unknown user is NOT_FOUND user', async () => {
    const { kit, seed } = createTestKit();
    const { account, owner } = await seed.organization({ planId: 'pro' });
    const r = await kit.addMember(asUser(owner.user.id), { accountId: account.id, userId: 'usr_nobody', role: 'member' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'NOT_FOUND', entity: 'user', key: 'usr_nobody' });
  });

  it('ACC-2 a personal account has no members (VALIDATION)', async () => {
    const { kit, seed, store } = createTestKit();
    const ada = await seed.user();
    const bob = await seed.user();
    const before = store.snapshot();
    const r = await kit.addMember(asUser(ada.user.id), { accountId: ada.account.id, userId: bob.user.id, role: 'member' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'VALIDATION' });
    expect(store.snapshot()).toEqual(before);
  });

  it('PLAN-2 adding past the seat limit is PLAN_LIMIT_REACHED naming seats', async () => {
    const { kit, seed, store } = createTestKit();
    // hobby: 2 seats; the Owner holds one.
    const { account, owner } = await seed.organization({ planId: 'hobby', members: ['member'] });
    const carol = await seed.user();
    const before = store.snapshot();
    const r = await kit.addMember(asUser(owner.user.id), { accountId: account.id, userId: carol.user.id, role: 'member' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'PLAN_LIMIT_REACHED', limit: 'seats', max: 2, current: 2, planId: 'hobby' });
    expect(store.snapshot()).toEqual(before);
  });

  it('PLAN-2 a seat freed by removal can be reused', async () => {
    const { kit, seed } = createTestKit();
    const { account, owner, members } = await seed.organization({ planId: 'hobby', members: ['member'] });
    const carol = await seed.user();
    await kit.removeMember(asUser(owner.user.id), { accountId: account.id, userId: members[0]!.user.user.id });
    const r = await kit.addMember(asUser(owner.user.id), { accountId: account.id, userId: carol.user.id, role: 'member' });
    expect(r.isOk()).toBe(true);
  });

  it('ACC-3 an invalid role is VALIDATION', async () => {
    const { kit, seed } = createTestKit();
    const { account, owner } = await seed.organization({ planId: 'pro' });
    const bob = await seed.user();
    const input = { accountId: account.id, userId: bob.user.id, role: 'superuser' } as unknown as {
      accountId: string;
      userId: string;
      role: 'member';
    };
    expect((await kit.addMember(asUser(owner.user.id), input))._unsafeUnwrapErr().code).toBe('VALIDATION');
  });
});

describe('changeMemberRole (ACC-3, ACC-5)', () => {
  it('ACC-3 an Owner promotes a Member to Admin and back', async () => {
    const { kit, seed, store } = createTestKit();
    const { account, owner, members } = await seed.organization({ planId: 'pro', members: ['member'] });
    const bob = members[0]!.user;
    const up = await kit.changeMemberRole(asUser(owner.user.id), { accountId: account.id, userId: bob.user.id, role: 'admin' });
    expect(up._unsafeUnwrap()).toMatchObject({ userId: bob.user.id, role: 'admin' });
    expect(store.snapshot().memberships.find((m) => m.userId === bob.user.id)?.role).toBe('admin');
    const down = await kit.changeMemberRole(asUser(owner.user.id), { accountId: account.id, userId: bob.user.id, role: 'member' });
    expect(down._unsafeUnwrap().role).toBe('member');
    expect((await kit.getAccountRole(asUser(bob.user.id), { accountId: account.id }))._unsafeUnwrap()).toBe('member');
  });

  it('ACC-5 an Owner promotes a Member to Owner and the new Owner can demote the old one', async () => {
    const { kit, seed } = createTestKit();
    const { account, owner, members } = await seed.organization({ planId: 'pro', members: ['member'] });
    const bob = members[0]!.user;
    await kit.changeMemberRole(asUser(owner.user.id), { accountId: account.id, userId: bob.user.id, role: 'owner' });
    const r = await kit.changeMemberRole(asUser(bob.user.id), { accountId: account.id, userId: owner.user.id, role: 'admin' });
    expect(r._unsafeUnwrap().role).toBe('admin');
  });

  it('ACC-3 changing the role of a non-member is NOT_FOUND membership', async () => {
    const { kit, seed } = createTestKit();
    const { account, owner } = await seed.organization({ planId: 'pro' });
    const stranger = await seed.user();
    const r = await kit.changeMemberRole(asUser(owner.user.id), { accountId: account.id, userId: stranger.user.id, role: 'admin' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'NOT_FOUND', entity: 'membership' });
  });
});

describe('removeMember (ACC-3, ACC-4)', () => {
  it('ACC-3 an Owner removes a Member, who loses access to the account at once', async () => {
    const { kit, seed, store } = createTestKit();
    const { account, owner, members } = await seed.organization({ planId: 'pro', members: ['member'] });
    const bob = members[0]!.user;
    const r = await kit.removeMember(asUser(owner.user.id), { accountId: account.id, userId: bob.user.id });
    expect(r._unsafeUnwrap()).toMatchObject({ accountId: account.id, userId: bob.user.id, role: 'member' });
    expect(store.snapshot().memberships.map((m) => m.userId)).toEqual([owner.user.id]);
    expect((await kit.getAccount(asUser(bob.user.id), { accountId: account.id }))._unsafeUnwrapErr().code).toBe('NOT_FOUND');
  });

  it('ACC-3 a Member leaves on its own without manage_members and the event says it left', async () => {
    const { kit, seed, events } = createTestKit();
    const { account, members } = await seed.organization({ planId: 'pro', members: ['member'] });
    const bob = members[0]!.user;
    const r = await kit.removeMember(asUser(bob.user.id), { accountId: account.id, userId: bob.user.id });
    expect(r.isOk()).toBe(true);
    expect(events.at(-1)).toMatchObject({ action: 'member.removed', details: { userId: bob.user.id, role: 'member', left: true } });
    const accounts = (await kit.listAccounts(asUser(bob.user.id)))._unsafeUnwrap();
    expect(accounts.map((a) => a.id)).toEqual([bob.account.id]);
  });

  it('ACC-3 an Admin leaves on its own', async () => {
    const { kit, seed } = createTestKit();
    const { account, members } = await seed.organization({ planId: 'pro', members: ['admin'] });
    const r = await kit.removeMember(asUser(members[0]!.user.user.id), { accountId: account.id, userId: members[0]!.user.user.id });
    expect(r.isOk()).toBe(true);
  });

  it('ACC-4 one of two Owners may leave', async () => {
    const { kit, seed } = createTestKit();
    const { account, owner, members } = await seed.organization({ planId: 'pro', members: ['owner'] });
    const r = await kit.removeMember(asUser(owner.user.id), { accountId: account.id, userId: owner.user.id });
    expect(r.isOk()).toBe(true);
    expect((await kit.getAccountRole(asUser(members[0]!.user.user.id), { accountId: account.id }))._unsafeUnwrap()).toBe('owner');
  });

  it('ACC-3 removing a non-member is NOT_FOUND membership', async () => {
    const { kit, seed } = createTestKit();
    const { account, owner } = await seed.organization({ planId: 'pro' });
    const stranger = await seed.user();
    const r = await kit.removeMember(asUser(owner.user.id), { accountId: account.id, userId: stranger.user.id });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'NOT_FOUND', entity: 'membership', key: `${account.id}/${stranger.user.id}` });
  });
});

describe('changePlan (PLAN-4)', () => {
  it('PLAN-4 an Owner upgrades the plan; the account version increases', async () => {
    const { kit, seed, clock } = createTestKit();
    const { account, owner } = await seed.organization({ planId: 'hobby' });
    clock.advance({ days: 1 });
    const updated = (await kit.changePlan(asUser(owner.user.id), { accountId: account.id, planId: 'pro' }))._unsafeUnwrap();
    expect(updated).toMatchObject({ id: account.id, planId: 'pro', version: account.version + 1, updatedAt: clock.now().toISOString() });
    expect(updated.createdAt).toBe(account.createdAt);
    expect((await kit.getAccount(asUser(owner.user.id), { accountId: account.id }))._unsafeUnwrap()).toEqual(updated);
  });

  it('PLAN-4 an Admin may change the plan', async () => {
    const { kit, seed } = createTestKit();
    const { account, members } = await seed.organization({ planId: 'team', members: ['admin'] });
    const r = await kit.changePlan(asUser(members[0]!.user.user.id), { accountId: account.id, planId: 'pro' });
    expect(r._unsafeUnwrap().planId).toBe('pro');
  });

  it('PLAN-4 the owner of a personal account changes its plan', async () => {
    const { kit, seed } = createTestKit();
    const ada = await seed.user();
    const r = await kit.changePlan(asUser(ada.user.id), { accountId: ada.account.id, planId: 'starter' });
    expect(r._unsafeUnwrap().planId).toBe('starter');
  });

  it('PLAN-4 a downgrade that breaks limits is refused with every violation listed', async () => {
    const { kit, seed, store } = createTestKit();
    const { account, owner } = await seed.organization({ planId: 'pro', members: ['member', 'member'] });
    for (const handle of ['a', 'b', 'c']) await seed.workspace(account.id, { handle });
    const before = store.snapshot();
    const r = await kit.changePlan(asUser(owner.user.id), { accountId: account.id, planId: 'hobby' });
    expect(r._unsafeUnwrapErr()).toEqual({
      code: 'PLAN_DOWNGRADE_BLOCKED',
      message: 'cannot change to plan hobby: the account has 3 workspaces (max 1), 3 seats (max 2)',
      planId: 'hobby',
      violations: [
        { limit: 'workspaces', max: 1, current: 3 },
        { limit: 'seats', max: 2, current: 3 },
      ],
    });
    expect(store.snapshot()).toEqual(before);
  });

  it('PLAN-4 a downgrade that fits is allowed', async () => {
    const { kit, seed } = createTestKit();
    const { account, owner } = await seed.organization({ planId: 'pro', members: ['member'] });
    await seed.workspace(account.id);
    const r = await kit.changePlan(asUser(owner.user.id), { accountId: account.id, planId: 'hobby' });
    expect(r._unsafeUnwrap().planId).toBe('hobby');
  });

  it('PLAN-4 a plan missing from the catalog is NOT_FOUND plan', async () => {
    const { kit, seed } = createTestKit();
    const { account, owner } = await seed.organization();
    for (const planId of ['platinum', 'toString', '__proto__']) {
      const r = await kit.changePlan(asUser(owner.user.id), { accountId: account.id, planId });
      expect(r._unsafeUnwrapErr(), planId).toMatchObject({ code: 'NOT_FOUND', entity: 'plan', key: planId });
    }
  });
});

describe('account queries', () => {
  it('ACC-3 getAccount returns the account to a member and to the personal owner', async () => {
    const { kit, seed } = createTestKit();
    const { account, members } = await seed.organization({ planId: 'pro', members: ['member'] });
    expect((await kit.getAccount(asUser(members[0]!.user.user.id), { accountId: account.id }))._unsafeUnwrap()).toEqual(account);
    const ada = await seed.user();
    expect((await kit.getAccount(asUser(ada.user.id), { accountId: ada.account.id }))._unsafeUnwrap()).toEqual(ada.account);
  });

  it('ACC-3 getAccount of an account the actor does not belong to is NOT_FOUND, like a missing one', async () => {
    const { kit, seed } = createTestKit();
    const { account } = await seed.organization();
    const ada = await seed.user();
    const hidden = (await kit.getAccount(asUser(ada.user.id), { accountId: account.id }))._unsafeUnwrapErr();
    const missing = (await kit.getAccount(asUser(ada.user.id), { accountId: 'acc_missing' }))._unsafeUnwrapErr();
    expect(hidden).toMatchObject({ code: 'NOT_FOUND', entity: 'account', key: account.id });
    expect(missing).toMatchObject({ code: 'NOT_FOUND', entity: 'account', key: 'acc_missing' });
  });

  it('ACC-3 getAccountRole reports each role, owner for the personal owner and the system', async () => {
    const { kit, seed } = createTestKit();
    const { account, owner, members } = await seed.organization({ planId: 'pro', members: ['admin', 'member'] });
    const role = async (userId: string) => (await kit.getAccountRole(asUser(userId), { accountId: account.id }))._unsafeUnwrap();
    expect(await role(owner.user.id)).toBe('owner');
    expect(await role(members[0]!.user.user.id)).toBe('admin');
    expect(await role(members[1]!.user.user.id)).toBe('member');
    expect((await kit.getAccountRole(asUser(owner.user.id), { accountId: owner.account.id }))._unsafeUnwrap()).toBe('owner');
    expect((await kit.getAccountRole(system(), { accountId: account.id }))._unsafeUnwrap()).toBe('owner');
    const stranger = await seed.user();
    expect((await kit.getAccountRole(asUser(stranger.user.id), { accountId: account.id }))._unsafeUnwrapErr().code).toBe('NOT_FOUND');
  });

  it('ACC-2 listAccounts lists the personal account first, then the organizations', async () => {
    const { kit, seed } = createTestKit();
    const ada = await seed.user();
    const one = await seed.organization({ owner: ada });
    const other = await seed.organization({ members: [{ user: ada, role: 'member' }] });
    await seed.organization(); // not Ada's
    const accounts = (await kit.listAccounts(asUser(ada.user.id)))._unsafeUnwrap();
    expect(accounts.map((a) => a.id)).toEqual([ada.account.id, one.account.id, other.account.id]);
  });

  it('ACC-1 listAccounts of an unknown user is NOT_FOUND user; the system belongs to none', async () => {
    const { kit } = createTestKit();
    expect((await kit.listAccounts(asUser('usr_ghost')))._unsafeUnwrapErr()).toMatchObject({ code: 'NOT_FOUND', entity: 'user' });
    expect((await kit.listAccounts(system()))._unsafeUnwrap()).toEqual([]);
  });

  it('ACC-3 listMembers pages by user id with a cursor until the end', async () => {
    const { kit, seed } = createTestKit();
    const { account, owner } = await seed.organization({
      planId: 'pro',
      members: ['admin', 'member', 'member', 'member', 'admin', 'member'],
    });
    const all: Membership[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const page = (
        await kit.listMembers(asUser(owner.user.id), { accountId: account.id, limit: 3, ...(cursor ? { cursor } : {}) })
      )._unsafeUnwrap();
      pages += 1;
      expect(page.items.length).toBeLessThanOrEqual(3);
      all.push(...page.items);
      if (page.nextCursor === null) break;
      expect(page.nextCursor).toBe(page.items.at(-1)?.userId);
      cursor = page.nextCursor;
    }
    expect(pages).toBe(3);
    expect(all).toHaveLength(7);
    const ids = all.map((m) => m.userId);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(7);
  });

  it('ACC-3 listMembers returns everyone in one page when the limit allows and the last page has no cursor', async () => {
    const { kit, seed } = createTestKit();
    const { account, members } = await seed.organization({ planId: 'pro', members: ['member', 'member'] });
    const page = (await kit.listMembers(asUser(members[0]!.user.user.id), { accountId: account.id }))._unsafeUnwrap();
    expect(page.items).toHaveLength(3);
    expect(page.nextCursor).toBeNull();
    const exact = (await kit.listMembers(asUser(members[0]!.user.user.id), { accountId: account.id, limit: 3 }))._unsafeUnwrap();
    expect(exact.nextCursor).toBeNull();
  });

  it('ACC-3 listMembers refuses a limit outside 1..500', async () => {
    const { kit, seed } = createTestKit();
    const { account, owner } = await seed.organization();
    for (const limit of [0, 501, 1.5]) {
      expect((await kit.listMembers(asUser(owner.user.id), { accountId: account.id, limit }))._unsafeUnwrapErr().code).toBe('VALIDATION');
    }
  });

  it('ACC-2 listMembers of a personal account is empty', async () => {
    const { kit, seed } = createTestKit();
    const ada = await seed.user();
    expect((await kit.listMembers(asUser(ada.user.id), { accountId: ada.account.id }))._unsafeUnwrap()).toEqual({ items: [], nextCursor: null });
  });

  it('queries record no audit event', async () => {
    const { kit, seed, store } = createTestKit();
    const { account, owner } = await seed.organization({ planId: 'pro', members: ['member'] });
    const before = store.snapshot();
    await kit.getAccount(asUser(owner.user.id), { accountId: account.id });
    await kit.getAccountRole(asUser(owner.user.id), { accountId: account.id });
    await kit.listAccounts(asUser(owner.user.id));
    await kit.listMembers(asUser(owner.user.id), { accountId: account.id });
    expect(store.snapshot()).toEqual(before);
  });
});

describe('seats: members, grants and pending invitations (PLAN-2)', () => {
  /** A hobby organization (2 seats): its Owner holds one. */
  async function hobbyOrg() {
    const t = createTestKit();
    const { account, owner } = await t.seed.organization({ planId: 'hobby' });
    const bob = await t.seed.user({ email: 'bob@example.com' });
    return { ...t, account, as: asUser(owner.user.id), bob };
  }

  it('PLAN-2 a pending invitation holds a seat: adding a member past it is PLAN_LIMIT_REACHED and changes nothing', async () => {
    const { kit, store, events, account, as, bob } = await hobbyOrg();
    (await kit.inviteMember(as, { accountId: account.id, email: 'carol@example.com', role: 'member' }))._unsafeUnwrap();
    const before = store.snapshot();
    const published = events.length;
    const r = await kit.addMember(as, { accountId: account.id, userId: bob.user.id, role: 'member' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'PLAN_LIMIT_REACHED', limit: 'seats', max: 2, current: 2, planId: 'hobby' });
    expect(store.snapshot()).toEqual(before);
    expect(events).toHaveLength(published);
  });

  it('PLAN-2 seats count once per email: adding the user a pending invitation was sent to costs no extra seat', async () => {
    const { kit, seed, store, account, as, bob } = await hobbyOrg();
    (await kit.inviteMember(as, { accountId: account.id, email: 'BOB@example.com', role: 'member' }))._unsafeUnwrap();
    const before = store.snapshot().audit.length;
    expect((await kit.addMember(as, { accountId: account.id, userId: bob.user.id, role: 'admin' }))._unsafeUnwrap().role).toBe('admin');
    expect(store.snapshot().audit.slice(before).map((e) => e.action)).toEqual(['member.added']);
    // Now full: two distinct users.
    const carol = await seed.user({ email: 'carol@example.com' });
    expect((await kit.addMember(as, { accountId: account.id, userId: carol.user.id, role: 'member' }))._unsafeUnwrapErr()).toMatchObject({
      code: 'PLAN_LIMIT_REACHED',
      current: 2,
    });
  });

  it('PLAN-2 expired, revoked and rejected invitations hold no seat', async () => {
    const { kit, seed, clock, account, as, bob } = await hobbyOrg();
    const expiring = (await kit.inviteMember(as, { accountId: account.id, email: 'x@example.com', role: 'member', expiresInDays: 1 }))._unsafeUnwrap();
    expect(expiring.invitation.status).toBe('pending');
    clock.advance({ days: 1 });
    const revoked = (await kit.inviteMember(as, { accountId: account.id, email: 'y@example.com', role: 'member' }))._unsafeUnwrap();
    (await kit.revokeInvitation(as, { invitationId: revoked.invitation.id }))._unsafeUnwrap();
    const rejected = (await kit.inviteMember(as, { accountId: account.id, email: 'z@example.com', role: 'member' }))._unsafeUnwrap();
    (await kit.rejectInvitation(system(), { token: rejected.token.reveal() }))._unsafeUnwrap();
    expect((await kit.addMember(as, { accountId: account.id, userId: bob.user.id, role: 'member' })).isOk()).toBe(true);
    const carol = await seed.user();
    expect((await kit.addMember(as, { accountId: account.id, userId: carol.user.id, role: 'member' }))._unsafeUnwrapErr()).toMatchObject({
      code: 'PLAN_LIMIT_REACHED',
      current: 2,
    });
  });

  it('PLAN-2 sharing a workspace with a member takes no extra seat', async () => {
    const { kit, seed } = createTestKit();
    const { account, owner, members } = await seed.organization({ planId: 'hobby', members: ['member'] }); // full: 2 of 2
    const ws = await seed.workspace(account.id);
    const r = await kit.shareWorkspace(asUser(owner.user.id), { workspaceId: ws.id, grantee: asUser(members[0]!.user.user.id), role: 'developer' });
    expect(r.isOk()).toBe(true);
  });

  it('PLAN-2 a personal account’s collaborators hold seats, each email once, the owner none', async () => {
    const { kit, seed, store } = createTestKit();
    const ada = await seed.user({ handle: 'ada', planId: 'starter' }); // 3 seats
    const as = asUser(ada.user.id);
    const one = await seed.workspace(ada.account.id, { handle: 'one' });
    const two = await seed.workspace(ada.account.id, { handle: 'two' });
    const bob = await seed.user({ email: 'bob@example.com' });
    const toBob = (await kit.inviteCollaborator(as, { workspaceId: one.id, email: 'bob@example.com' }))._unsafeUnwrap();
    (await kit.acceptInvitation(asUser(bob.user.id), { token: toBob.token.reveal() }))._unsafeUnwrap();
    (await kit.inviteCollaborator(as, { workspaceId: one.id, email: 'carol@example.com' }))._unsafeUnwrap();
    (await kit.inviteCollaborator(as, { workspaceId: one.id, email: 'dave@example.com' }))._unsafeUnwrap();
    // At the limit (bob by grant, carol and dave pending): bob already holds a seat, so inviting him again is free.
    (await kit.inviteCollaborator(as, { workspaceId: two.id, email: 'Bob@Example.com' }))._unsafeUnwrap();
    (await kit.inviteCollaborator(as, { workspaceId: two.id, email: 'carol@example.com' }))._unsafeUnwrap();
    const before = store.snapshot();
    const r = await kit.inviteCollaborator(as, { workspaceId: two.id, email: 'eve@example.com' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'PLAN_LIMIT_REACHED', limit: 'seats', max: 3, current: 3, planId: 'starter' });
    expect(store.snapshot()).toEqual(before);
    // Removing bob everywhere frees his seat.
    (await kit.unshareWorkspace(as, { workspaceId: one.id, grantee: asUser(bob.user.id) }))._unsafeUnwrap();
    const bobPending = store.snapshot().invitations.find((i) => i.email === 'bob@example.com' && i.status === 'pending')!;
    expect((await kit.inviteCollaborator(as, { workspaceId: two.id, email: 'eve@example.com' }))._unsafeUnwrapErr().code).toBe('PLAN_LIMIT_REACHED');
    (await kit.revokeInvitation(as, { invitationId: bobPending.id }))._unsafeUnwrap();
    expect((await kit.inviteCollaborator(as, { workspaceId: two.id, email: 'eve@example.com' })).isOk()).toBe(true);
  });
});

