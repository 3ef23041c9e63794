import { describe, expect, it } from 'vitest';
import { asUser, createWorkspaceKit, DEFAULT_PLANS, planViolations, system, type Plan, type PlanCatalog } from '../../src/index.js';
import { createMemoryStore } from '../../src/memory.js';
import { createTestKit } from '../../src/testing.js';

// The PLAN table of the specification, row by row.
const SPEC_TABLE = [
  // plan, workspaces, seats, retention, service accounts, workspace RBAC, custom roles, audit log
  ['hobby', 1, 2, 7, false, false, false, false],
  ['starter', 3, 3, 7, false, false, false, false],
  ['team', 5, 8, 14, true, false, false, false],
  ['pro', 20, 25, 30, true, true, false, true],
  ['enterprise', null, null, 365, true, true, true, true],
] as const;

describe('DEFAULT_PLANS (PLAN table)', () => {
  it('PLAN the catalog holds exactly the five plans of the table', () => {
    expect(Object.keys(DEFAULT_PLANS).sort()).toEqual(['enterprise', 'hobby', 'pro', 'starter', 'team']);
  });

  it.each(SPEC_TABLE)(
    'PLAN %s: %s workspaces, %s seats, %s days, features match the table',
    (id, workspaces, seats, retentionDays, serviceAccounts, workspaceRbac, customRoles, auditLog) => {
      const plan = DEFAULT_PLANS[id];
      expect(plan).toBeDefined();
      expect(plan!.id).toBe(id);
      expect(plan!.name.toLowerCase()).toBe(id);
      expect(plan!.limits).toEqual({ workspaces, seats, retentionDays });
      expect(plan!.features).toEqual({ serviceAccounts, workspaceRbac, customRoles, auditLog });
    },
  );

  it('PLAN the default catalog is frozen', () => {
    expect(Object.isFrozen(DEFAULT_PLANS)).toBe(true);
  });
});

describe('planViolations (PLAN-4)', () => {
  const hobby = DEFAULT_PLANS['hobby']!;
  const enterprise = DEFAULT_PLANS['enterprise']!;

  it('PLAN-4 is empty when usage fits, including exactly at the limit', () => {
    expect(planViolations(hobby, { workspaces: 0, seats: 0 })).toEqual([]);
    expect(planViolations(hobby, { workspaces: 1, seats: 2 })).toEqual([]);
  });

  it('PLAN-4 lists each exceeded limit with max and current, workspaces before seats', () => {
    expect(planViolations(hobby, { workspaces: 2, seats: 2 })).toEqual([{ limit: 'workspaces', max: 1, current: 2 }]);
    expect(planViolations(hobby, { workspaces: 1, seats: 3 })).toEqual([{ limit: 'seats', max: 2, current: 3 }]);
    expect(planViolations(hobby, { workspaces: 3, seats: 9 })).toEqual([
      { limit: 'workspaces', max: 1, current: 3 },
      { limit: 'seats', max: 2, current: 9 },
    ]);
  });

  it('PLAN-4 an unlimited (null) limit is never exceeded', () => {
    expect(planViolations(enterprise, { workspaces: 1_000_000, seats: 1_000_000 })).toEqual([]);
  });
});

const tiny: Plan = {
  id: 'tiny',
  name: 'Tiny',
  limits: { workspaces: 2, seats: 1, retentionDays: 3 },
  features: { serviceAccounts: false, workspaceRbac: false, customRoles: false, auditLog: true },
};
const roomy: Plan = {
  id: 'roomy',
  name: 'Roomy',
  limits: { workspaces: null, seats: 10, retentionDays: 90 },
  features: { serviceAccounts: true, workspaceRbac: true, customRoles: true, auditLog: true },
};
const CUSTOM: PlanCatalog = { tiny, roomy };

describe('custom plan catalogs (PLAN)', () => {
  it('PLAN a host passes its own catalog and default plan to createWorkspaceKit', async () => {
    const kit = createWorkspaceKit({ store: createMemoryStore(), plans: CUSTOM, defaultPlanId: 'tiny' });
    expect(kit.plans).toBe(CUSTOM);
    const ada = (await kit.registerUser(system(), { email: 'ada@example.com', displayName: 'Ada', handle: 'ada' }))._unsafeUnwrap();
    expect(ada.account.planId).toBe('tiny');
    const org = (await kit.createOrganization(asUser(ada.user.id), { handle: 'acme', displayName: 'Acme', planId: 'roomy' }))._unsafeUnwrap();
    expect(org.planId).toBe('roomy');
  });

  it('PLAN-1 the custom workspace limit is enforced', async () => {
    const kit = createWorkspaceKit({ store: createMemoryStore(), plans: CUSTOM, defaultPlanId: 'tiny' });
    const ada = (await kit.registerUser(system(), { email: 'ada@example.com', displayName: 'Ada', handle: 'ada' }))._unsafeUnwrap();
    const as = asUser(ada.user.id);
    expect((await kit.createWorkspace(as, { accountId: ada.account.id, handle: 'one' })).isOk()).toBe(true);
    expect((await kit.createWorkspace(as, { accountId: ada.account.id, handle: 'two' })).isOk()).toBe(true);
    const third = await kit.createWorkspace(as, { accountId: ada.account.id, handle: 'three' });
    expect(third._unsafeUnwrapErr()).toMatchObject({ code: 'PLAN_LIMIT_REACHED', limit: 'workspaces', max: 2, current: 2, planId: 'tiny' });
  });

  it('PLAN-2 the custom seat limit is enforced', async () => {
    const { kit, seed } = createTestKit({ plans: CUSTOM, defaultPlanId: 'tiny' });
    const { account, owner } = await seed.organization();
    const bob = await seed.user();
    const r = await kit.addMember(asUser(owner.user.id), { accountId: account.id, userId: bob.user.id, role: 'member' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'PLAN_LIMIT_REACHED', limit: 'seats', max: 1, current: 1, planId: 'tiny' });
  });

  it('PLAN-3 a custom plan feature flag switches the audit log on', async () => {
    const { kit, seed } = createTestKit({ plans: CUSTOM, defaultPlanId: 'tiny' });
    const ada = await seed.user();
    const r = await kit.listAuditEvents(asUser(ada.user.id), { accountId: ada.account.id });
    expect(r.isOk()).toBe(true);
  });

  it('PLAN the default plans are unknown to a custom catalog', async () => {
    const kit = createWorkspaceKit({ store: createMemoryStore(), plans: CUSTOM, defaultPlanId: 'tiny' });
    const r = await kit.registerUser(system(), { email: 'a@example.com', displayName: 'A', handle: 'a', planId: 'pro' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'NOT_FOUND', entity: 'plan', key: 'pro' });
  });

  it('PLAN an unknown default plan throws at construction', () => {
    expect(() => createWorkspaceKit({ store: createMemoryStore(), defaultPlanId: 'platinum' })).toThrow(/platinum/);
    // The built-in default 'hobby' is not in a custom catalog without it.
    expect(() => createWorkspaceKit({ store: createMemoryStore(), plans: CUSTOM })).toThrow(/hobby/);
    // Inherited object properties are not plans.
    expect(() => createWorkspaceKit({ store: createMemoryStore(), defaultPlanId: 'toString' })).toThrow(/toString/);
  });

  it('PLAN the default catalog and default plan are DEFAULT_PLANS and hobby', async () => {
    const kit = createWorkspaceKit({ store: createMemoryStore() });
    expect(kit.plans).toBe(DEFAULT_PLANS);
    const r = await kit.registerUser(system(), { email: 'a@example.com', displayName: 'A', handle: 'a' });
    expect(r._unsafeUnwrap().account.planId).toBe('hobby');
  });
});

describe('plan limits with the default catalog (PLAN-1, PLAN-3)', () => {
  it.each([
    ['hobby', 1],
    ['starter', 3],
    ['team', 5],
  ] as const)('PLAN-1 %s allows %i workspaces and refuses one more naming the limit', async (planId, max) => {
    const { kit, seed, store } = createTestKit();
    const { account, owner } = await seed.organization({ planId });
    for (let i = 0; i < max; i += 1) await seed.workspace(account.id, { handle: `ws-${i}` });
    const before = store.snapshot();
    const r = await kit.createWorkspace(asUser(owner.user.id), { accountId: account.id, handle: 'one-more' });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'PLAN_LIMIT_REACHED', limit: 'workspaces', max, current: max, planId });
    expect(store.snapshot()).toEqual(before);
  });

  it('PLAN-1 enterprise has no workspace limit', async () => {
    const { kit, seed } = createTestKit();
    const { account, owner } = await seed.organization({ planId: 'enterprise' });
    for (let i = 0; i < 25; i += 1) await seed.workspace(account.id, { handle: `ws-${i}` });
    expect((await kit.createWorkspace(asUser(owner.user.id), { accountId: account.id, handle: 'more' })).isOk()).toBe(true);
  });

  it('PLAN-3 the audit log is refused with PLAN_FEATURE_UNAVAILABLE on plans without it', async () => {
    const { kit, seed } = createTestKit();
    for (const planId of ['hobby', 'starter', 'team']) {
      const { account, owner } = await seed.organization({ planId });
      const r = await kit.listAuditEvents(asUser(owner.user.id), { accountId: account.id });
      expect(r._unsafeUnwrapErr(), planId).toEqual({
        code: 'PLAN_FEATURE_UNAVAILABLE',
        message: `plan ${planId} does not include auditLog`,
        feature: 'auditLog',
        planId,
      });
    }
  });
});

describe('downgrades count every seat (PLAN-2, PLAN-4)', () => {
  it('PLAN-4 PLAN-2 seats held by pending invitations block a downgrade; the refusal lists them and changes nothing', async () => {
    const { kit, seed, store, events } = createTestKit();
    const { account, owner } = await seed.organization({ planId: 'pro', members: ['member'] });
    const as = asUser(owner.user.id);
    (await kit.inviteMember(as, { accountId: account.id, email: 'carol@example.com', role: 'member' }))._unsafeUnwrap();
    const dave = (await kit.inviteMember(as, { accountId: account.id, email: 'dave@example.com', role: 'admin' }))._unsafeUnwrap();
    const before = store.snapshot();
    const published = events.length;
    const r = await kit.changePlan(as, { accountId: account.id, planId: 'starter' }); // 3 seats
    expect(r._unsafeUnwrapErr()).toEqual({
      code: 'PLAN_DOWNGRADE_BLOCKED',
      message: 'cannot change to plan starter: the account has 4 seats (max 3)',
      planId: 'starter',
      violations: [{ limit: 'seats', max: 3, current: 4 }],
    });
    expect(store.snapshot()).toEqual(before);
    expect(events).toHaveLength(published);
    (await kit.revokeInvitation(as, { invitationId: dave.invitation.id }))._unsafeUnwrap();
    expect((await kit.changePlan(as, { accountId: account.id, planId: 'starter' }))._unsafeUnwrap().planId).toBe('starter');
  });

  it('PLAN-4 PLAN-2 expired invitations hold no seat and do not block a downgrade', async () => {
    const { kit, seed, clock } = createTestKit();
    const { account, owner } = await seed.organization({ planId: 'pro', members: ['member'] });
    const as = asUser(owner.user.id);
    (await kit.inviteMember(as, { accountId: account.id, email: 'carol@example.com', role: 'member', expiresInDays: 2 }))._unsafeUnwrap();
    expect((await kit.changePlan(as, { accountId: account.id, planId: 'hobby' }))._unsafeUnwrapErr()).toMatchObject({
      code: 'PLAN_DOWNGRADE_BLOCKED',
      violations: [{ limit: 'seats', max: 2, current: 3 }],
    });
    clock.advance({ days: 2 });
    expect((await kit.changePlan(as, { accountId: account.id, planId: 'hobby' }))._unsafeUnwrap().planId).toBe('hobby');
  });

  it('PLAN-4 PLAN-2 a personal account’s collaborators, accepted or pending, count against a downgrade; its owner does not', async () => {
    const { kit, seed } = createTestKit();
    const ada = await seed.user({ handle: 'ada', planId: 'pro' });
    const as = asUser(ada.user.id);
    const ws = await seed.workspace(ada.account.id, { handle: 'prod' });
    for (const handle of ['bob', 'carol']) {
      const user = await seed.user({ handle, email: `${handle}@example.com` });
      const issued = (await kit.inviteCollaborator(as, { workspaceId: ws.id, email: `${handle}@example.com` }))._unsafeUnwrap();
      (await kit.acceptInvitation(asUser(user.user.id), { token: issued.token.reveal() }))._unsafeUnwrap();
    }
    const dave = (await kit.inviteCollaborator(as, { workspaceId: ws.id, email: 'dave@example.com' }))._unsafeUnwrap();
    expect((await kit.changePlan(as, { accountId: ada.account.id, planId: 'hobby' }))._unsafeUnwrapErr()).toMatchObject({
      code: 'PLAN_DOWNGRADE_BLOCKED',
      violations: [{ limit: 'seats', max: 2, current: 3 }],
    });
    (await kit.revokeInvitation(as, { invitationId: dave.invitation.id }))._unsafeUnwrap();
    // Two collaborators fill exactly the two seats of hobby: the owner holds none.
    expect((await kit.changePlan(as, { accountId: ada.account.id, planId: 'hobby' }))._unsafeUnwrap().planId).toBe('hobby');
  });
});
