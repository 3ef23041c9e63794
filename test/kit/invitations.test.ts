import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  asUser,
  BUILT_IN_ROLE_SCOPES,
  INVITATION_DEFAULT_DAYS,
  Secret,
  system,
  WORKSPACE_SCOPES,
} from '../../src/index.js';
import { createTestKit } from '../../src/testing.js';
import { errorOf, valueOf } from '../support/harness.js';
import { fails, succeeds } from '../support/kit-outcomes.js';

const DAY = 86_400_000;

const plusDays = (iso: string, days: number) => new Date(Date.parse(iso) + days * DAY).toISOString();

/** An organization on `planId` with an Owner, an Admin and a Member. */
async function org(planId = 'pro') {
  const t = createTestKit();
  const seeded = await t.seed.organization({ handle: 'acme', planId, members: ['admin', 'member'] });
  return {
    t,
    ...t,
    account: seeded.account,
    owner: asUser(seeded.owner.user.id),
    admin: asUser(seeded.members[0]!.user.user.id),
    member: asUser(seeded.members[1]!.user.user.id),
    memberEmail: seeded.members[1]!.user.user.email,
  };
}

/** A personal account on `planId` with one workspace. */
async function personal(planId = 'hobby') {
  const t = createTestKit();
  const ada = await t.seed.user({ handle: 'ada', planId });
  const ws = await t.seed.workspace(ada.account.id, { handle: 'prod' });
  return { t, ...t, ada, as: asUser(ada.user.id), accountId: ada.account.id, ws };
}

describe('inviteMember (ACC-6, INV-1, INV-2)', () => {
  it('INV-1 an Owner invites an email with an account role: pending, normalized email, inviter, 7-day expiry, one event', async () => {
    const o = await org();
    const now = o.clock.now().toISOString();
    const { value: issued, event } = await succeeds(o.t, () =>
      o.kit.inviteMember(o.owner, { accountId: o.account.id, email: '  Bob@Example.COM ', role: 'admin' }),
    );
    expect(issued.invitation).toEqual({
      id: expect.stringMatching(/^inv_/) as string,
      accountId: o.account.id,
      email: 'bob@example.com',
      target: { type: 'account', role: 'admin' },
      invitedBy: o.owner,
      status: 'pending',
      createdAt: now,
      expiresAt: plusDays(now, INVITATION_DEFAULT_DAYS),
      respondedAt: null,
      acceptedBy: null,
      version: 1,
    });
    expect(INVITATION_DEFAULT_DAYS).toBe(7);
    expect(event).toMatchObject({
      accountId: o.account.id,
      workspaceId: null,
      actor: o.owner,
      action: 'invitation.created',
      subject: { type: 'invitation', id: issued.invitation.id },
      details: { email: 'bob@example.com', target: { type: 'account', role: 'admin' }, expiresAt: plusDays(now, 7) },
    });
    const stored = o.store.snapshot().invitations;
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ ...issued.invitation, status: 'pending' });
  });

  it('INV-2 the token is returned once as a redacted Secret, ≥126 random bits, stored only as a hash', async () => {
    const o = await org();
    const { value: issued } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member' }));
    const { value: other } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'carol@example.com', role: 'member' }));
    expect(issued.token).toBeInstanceOf(Secret);
    expect(JSON.stringify(issued)).not.toContain(issued.token.reveal());
    expect(String(issued.token)).toBe('[redacted]');
    const token = issued.token.reveal();
    // 32 symbols from a 64-symbol alphabet: 192 bits.
    expect(token).toMatch(new RegExp(`^wki\\.${issued.invitation.id}\\.[0-9A-Za-z_-]{32}$`));
    expect(token).not.toBe(other.token.reveal());
    const random = token.split('.').at(-1)!;
    const snap = o.store.snapshot();
    expect(JSON.stringify(snap)).not.toContain(random);
    expect(snap.invitations[0]!.tokenHash).toBe(createHash('sha256').update(random).digest('hex'));
    // The event does not carry the token either.
    expect(JSON.stringify(snap.audit)).not.toContain(random);
  });

  it('INV-1 expiresInDays sets a custom expiry within 1..90 days', async () => {
    const o = await org();
    const now = o.clock.now().toISOString();
    const { value } = await succeeds(o.t, () =>
      o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member', expiresInDays: 30 }),
    );
    expect(value.invitation.expiresAt).toBe(plusDays(now, 30));
    for (const expiresInDays of [0, 91, 1.5, -1]) {
      expect(
        (await fails(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'x@example.com', role: 'member', expiresInDays }))).code,
        String(expiresInDays),
      ).toBe('VALIDATION');
    }
  });

  it('ACC-6 an Admin invites members and admins; an Owner invitation needs manage_owners (FORBIDDEN for Admins)', async () => {
    const o = await org();
    await succeeds(o.t, () => o.kit.inviteMember(o.admin, { accountId: o.account.id, email: 'm@example.com', role: 'member' }));
    await succeeds(o.t, () => o.kit.inviteMember(o.admin, { accountId: o.account.id, email: 'a@example.com', role: 'admin' }));
    expect(await fails(o.t, () => o.kit.inviteMember(o.admin, { accountId: o.account.id, email: 'o@example.com', role: 'owner' }))).toEqual({
      code: 'FORBIDDEN',
      message: 'missing scope manage_owners',
      missingScope: 'manage_owners',
    });
    await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'o@example.com', role: 'owner' }));
  });

  it('ACC-6 a Member cannot invite: FORBIDDEN manage_members; an outsider gets NOT_FOUND account', async () => {
    const o = await org();
    expect(await fails(o.t, () => o.kit.inviteMember(o.member, { accountId: o.account.id, email: 'x@example.com', role: 'member' }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'manage_members',
    });
    const stranger = asUser((await o.seed.user()).user.id);
    expect(await fails(o.t, () => o.kit.inviteMember(stranger, { accountId: o.account.id, email: 'x@example.com', role: 'member' }))).toMatchObject({
      code: 'NOT_FOUND',
      entity: 'account',
    });
  });

  it('ACC-6 inviting an existing member (any case of the email) is ALREADY_EXISTS membership', async () => {
    const o = await org();
    expect(
      await fails(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: o.memberEmail.toUpperCase(), role: 'admin' })),
    ).toMatchObject({ code: 'ALREADY_EXISTS', entity: 'membership', key: `${o.account.id}/${o.member.userId}` });
  });

  it('INV-1 a second pending invitation for the same email is ALREADY_EXISTS; after revoking, a new one is fine', async () => {
    const o = await org();
    const { value } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member' }));
    expect(
      await fails(o.t, () => o.kit.inviteMember(o.admin, { accountId: o.account.id, email: 'BOB@example.com', role: 'admin' })),
    ).toMatchObject({ code: 'ALREADY_EXISTS', entity: 'invitation' });
    await succeeds(o.t, () => o.kit.revokeInvitation(o.owner, { invitationId: value.invitation.id }));
    await succeeds(o.t, () => o.kit.inviteMember(o.admin, { accountId: o.account.id, email: 'bob@example.com', role: 'admin' }));
  });

  it('INV-1 inviting again after the invitation expired retires the old one (stored expired) and issues a new one', async () => {
    const o = await org();
    const first = (await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member', expiresInDays: 1 }))).value;
    o.clock.advance({ days: 1 });
    const { value: second, event } = await succeeds(o.t, () =>
      o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'Bob@Example.com', role: 'admin' }),
    );
    expect(event.details).toMatchObject({ replaces: first.invitation.id });
    expect(o.store.snapshot().invitations.map((i) => [i.id, i.status])).toEqual([
      [first.invitation.id, 'expired'],
      [second.invitation.id, 'pending'],
    ]);
    expect(await fails(o.t, () => o.kit.acceptInvitation(system(), { token: first.token.reveal(), newUser: { displayName: 'Bob', handle: 'bob' } }))).toMatchObject({
      code: 'INVITATION_INVALID',
      reason: 'expired',
    });
    expect(await fails(o.t, () => o.kit.resendInvitation(o.owner, { invitationId: first.invitation.id }))).toMatchObject({ reason: 'not-pending' });
    const accepted = (await succeeds(o.t, () => o.kit.acceptInvitation(system(), { token: second.token.reveal(), newUser: { displayName: 'Bob', handle: 'bob' } }))).value;
    expect(accepted.membership).toMatchObject({ role: 'admin' });
  });

  it('ACC-6 a personal account has no members: VALIDATION', async () => {
    const p = await personal();
    expect((await fails(p.t, () => p.kit.inviteMember(p.as, { accountId: p.accountId, email: 'x@example.com', role: 'member' }))).code).toBe(
      'VALIDATION',
    );
  });

  it('PLAN-2 a pending invitation holds a seat: past the limit inviting is PLAN_LIMIT_REACHED; an expired one frees it', async () => {
    const t = createTestKit();
    const { account, owner } = await t.seed.organization({ planId: 'hobby' }); // 2 seats, the Owner holds one
    const as = asUser(owner.user.id);
    await succeeds(t, () => t.kit.inviteMember(as, { accountId: account.id, email: 'bob@example.com', role: 'member', expiresInDays: 1 }));
    expect(await fails(t, () => t.kit.inviteMember(as, { accountId: account.id, email: 'carol@example.com', role: 'member' }))).toEqual({
      code: 'PLAN_LIMIT_REACHED',
      message: 'plan hobby allows 2 seats; the account has 2',
      limit: 'seats',
      max: 2,
      current: 2,
      planId: 'hobby',
    });
    t.clock.advance({ days: 1 });
    await succeeds(t, () => t.kit.inviteMember(as, { accountId: account.id, email: 'carol@example.com', role: 'member' }));
  });
});

describe('listInvitations (INV-1)', () => {
  it('INV-1 statuses are listed with expiry applied: pending, accepted, rejected, revoked and the derived expired', async () => {
    const o = await org();
    const bob = await o.seed.user({ email: 'bob@example.com' });
    const carol = await o.seed.user({ email: 'carol@example.com' });
    const invite = async (email: string, expiresInDays?: number) =>
      valueOf(
        await o.kit.inviteMember(o.owner, { accountId: o.account.id, email, role: 'member', ...(expiresInDays ? { expiresInDays } : {}) }),
      );
    const a = await invite('bob@example.com');
    const b = await invite('carol@example.com');
    const c = await invite('dave@example.com');
    const d = await invite('erin@example.com', 1);
    const e = await invite('frank@example.com', 30);
    await succeeds(o.t, () => o.kit.acceptInvitation(asUser(bob.user.id), { token: a.token.reveal() }));
    await succeeds(o.t, () => o.kit.rejectInvitation(asUser(carol.user.id), { token: b.token.reveal() }));
    await succeeds(o.t, () => o.kit.revokeInvitation(o.admin, { invitationId: c.invitation.id }));
    o.clock.advance({ days: 2 });
    const before = o.store.snapshot();
    const all = valueOf(await o.kit.listInvitations(o.owner, { accountId: o.account.id }));
    expect(all.items.map((i) => [i.email, i.status])).toEqual([
      ['bob@example.com', 'accepted'],
      ['carol@example.com', 'rejected'],
      ['dave@example.com', 'revoked'],
      ['erin@example.com', 'expired'],
      ['frank@example.com', 'pending'],
    ]);
    expect(all.items.every((i) => !('tokenHash' in i))).toBe(true);
    expect(all.items.map((i) => i.id)).toEqual([a, b, c, d, e].map((x) => x.invitation.id));
    const accepted = valueOf(await o.kit.listInvitations(o.admin, { accountId: o.account.id, status: 'accepted' }));
    expect(accepted.items.map((i) => i.email)).toEqual(['bob@example.com']);
    expect(accepted.items[0]).toMatchObject({ acceptedBy: bob.user.id, respondedAt: '2026-01-01T00:00:00.000Z' });
    expect(valueOf(await o.kit.listInvitations(o.owner, { accountId: o.account.id, status: 'revoked' })).items.map((i) => i.email)).toEqual([
      'dave@example.com',
    ]);
    // A query: nothing recorded.
    expect(o.store.snapshot()).toEqual(before);
  });

  it('INV-1 filtering by status pending lists only invitations that are still pending, not expired ones', async () => {
    const o = await org();
    await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'erin@example.com', role: 'member', expiresInDays: 1 }));
    await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'frank@example.com', role: 'member', expiresInDays: 30 }));
    o.clock.advance({ days: 2 });
    const pending = valueOf(await o.kit.listInvitations(o.owner, { accountId: o.account.id, status: 'pending' }));
    expect(pending.items.map((i) => [i.email, i.status])).toEqual([['frank@example.com', 'pending']]);
  });

  it('INV-1 listing an account’s invitations needs manage_members; a workspace’s needs manage_workspace_users', async () => {
    const o = await org();
    expect(errorOf(await o.kit.listInvitations(o.member, { accountId: o.account.id }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'manage_members',
    });
    const p = await personal('pro');
    const { value } = await succeeds(p.t, () => p.kit.inviteCollaborator(p.as, { workspaceId: p.ws.id, email: 'bob@example.com', role: 'viewer' }));
    expect(valueOf(await p.kit.listInvitations(p.as, { accountId: p.accountId, workspaceId: p.ws.id })).items.map((i) => i.id)).toEqual([
      value.invitation.id,
    ]);
    // The workspace must belong to the account named.
    const other = await p.seed.user({ planId: 'pro' });
    const otherWs = await p.seed.workspace(other.account.id);
    expect(errorOf(await p.kit.listInvitations(p.as, { accountId: p.accountId, workspaceId: otherWs.id }))).toMatchObject({
      code: 'NOT_FOUND',
      entity: 'workspace',
    });
  });
});

describe('resendInvitation (INV-2)', () => {
  it('INV-2 resending issues a new token and expiry; the old token stops working; one event', async () => {
    const o = await org();
    const { value: first } = await succeeds(o.t, () =>
      o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member' }),
    );
    o.clock.advance({ days: 3 });
    const now = o.clock.now().toISOString();
    const { value: resent, event } = await succeeds(o.t, () =>
      o.kit.resendInvitation(o.admin, { invitationId: first.invitation.id, expiresInDays: 10 }),
    );
    expect(resent.invitation).toEqual({ ...first.invitation, expiresAt: plusDays(now, 10), version: 2 });
    expect(resent.token.reveal()).not.toBe(first.token.reveal());
    expect(resent.token.reveal().startsWith(`wki.${first.invitation.id}.`)).toBe(true);
    expect(event).toMatchObject({
      action: 'invitation.resent',
      actor: o.admin,
      subject: { type: 'invitation', id: first.invitation.id },
      details: { email: 'bob@example.com', expiresAt: { from: first.invitation.expiresAt, to: plusDays(now, 10) } },
    });
    const bob = await o.seed.user({ email: 'bob@example.com' });
    expect(await fails(o.t, () => o.kit.acceptInvitation(asUser(bob.user.id), { token: first.token.reveal() }))).toMatchObject({
      code: 'INVITATION_INVALID',
      reason: 'invalid-token',
    });
    await succeeds(o.t, () => o.kit.acceptInvitation(asUser(bob.user.id), { token: resent.token.reveal() }));
  });

  it('INV-2 resending without expiresInDays sets the default 7 days from now', async () => {
    const o = await org();
    const { value } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member', expiresInDays: 1 }));
    o.clock.advance({ hours: 12 });
    const { value: resent } = await succeeds(o.t, () => o.kit.resendInvitation(o.owner, { invitationId: value.invitation.id }));
    expect(resent.invitation.expiresAt).toBe(plusDays(o.clock.now().toISOString(), 7));
  });

  it('INV-2 an expired invitation can be resent when a seat is free, and not while the seat is taken', async () => {
    const t = createTestKit();
    const { account, owner } = await t.seed.organization({ planId: 'hobby' }); // 2 seats
    const as = asUser(owner.user.id);
    const { value: bob } = await succeeds(t, () =>
      t.kit.inviteMember(as, { accountId: account.id, email: 'bob@example.com', role: 'member', expiresInDays: 1 }),
    );
    t.clock.advance({ days: 2 });
    expect(valueOf(await t.kit.listInvitations(as, { accountId: account.id })).items.map((i) => i.status)).toEqual(['expired']);
    const { value: carol } = await succeeds(t, () => t.kit.inviteMember(as, { accountId: account.id, email: 'carol@example.com', role: 'member' }));
    expect(await fails(t, () => t.kit.resendInvitation(as, { invitationId: bob.invitation.id }))).toMatchObject({
      code: 'PLAN_LIMIT_REACHED',
      limit: 'seats',
      max: 2,
    });
    await succeeds(t, () => t.kit.revokeInvitation(as, { invitationId: carol.invitation.id }));
    const { value: resent } = await succeeds(t, () => t.kit.resendInvitation(as, { invitationId: bob.invitation.id }));
    expect(resent.invitation.status).toBe('pending');
    const user = await t.seed.user({ email: 'bob@example.com' });
    await succeeds(t, () => t.kit.acceptInvitation(asUser(user.user.id), { token: resent.token.reveal() }));
  });

  it('INV-2 an accepted, rejected or revoked invitation cannot be resent: INVITATION_INVALID not-pending', async () => {
    const o = await org();
    const { value } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member' }));
    await succeeds(o.t, () => o.kit.revokeInvitation(o.owner, { invitationId: value.invitation.id }));
    expect(await fails(o.t, () => o.kit.resendInvitation(o.owner, { invitationId: value.invitation.id }))).toMatchObject({
      code: 'INVITATION_INVALID',
      reason: 'not-pending',
    });
  });

  it('INV-2 resending needs the invitation’s management scope; an unknown one is NOT_FOUND', async () => {
    const o = await org();
    const { value } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'owner' }));
    expect(await fails(o.t, () => o.kit.resendInvitation(o.admin, { invitationId: value.invitation.id }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'manage_owners',
    });
    expect(await fails(o.t, () => o.kit.resendInvitation(o.member, { invitationId: value.invitation.id }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'manage_owners',
    });
    expect(await fails(o.t, () => o.kit.resendInvitation(o.owner, { invitationId: 'inv_missing' }))).toMatchObject({
      code: 'NOT_FOUND',
      entity: 'invitation',
    });
  });
});

describe('revokeInvitation and rejectInvitation (INV-1)', () => {
  it('INV-1 revoking sets status revoked and respondedAt; the token stops working; revoking again is INVITATION_INVALID', async () => {
    const o = await org();
    const { value } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member' }));
    o.clock.advance({ hours: 1 });
    const { value: revoked, event } = await succeeds(o.t, () => o.kit.revokeInvitation(o.admin, { invitationId: value.invitation.id }));
    expect(revoked).toEqual({ ...value.invitation, status: 'revoked', respondedAt: o.clock.now().toISOString(), version: 2 });
    expect(event).toMatchObject({
      action: 'invitation.revoked',
      subject: { type: 'invitation', id: value.invitation.id },
      details: { email: 'bob@example.com', target: { type: 'account', role: 'member' } },
    });
    const bob = await o.seed.user({ email: 'bob@example.com' });
    expect(await fails(o.t, () => o.kit.acceptInvitation(asUser(bob.user.id), { token: value.token.reveal() }))).toMatchObject({
      code: 'INVITATION_INVALID',
      reason: 'not-pending',
    });
    expect(await fails(o.t, () => o.kit.revokeInvitation(o.admin, { invitationId: value.invitation.id }))).toMatchObject({
      code: 'INVITATION_INVALID',
      reason: 'not-pending',
    });
  });

  it('INV-1 the invitee rejects by token: status rejected, no membership; the token is then spent', async () => {
    const o = await org();
    const bob = await o.seed.user({ email: 'bob@example.com' });
    const { value } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member' }));
    const { value: rejected, event } = await succeeds(o.t, () => o.kit.rejectInvitation(asUser(bob.user.id), { token: value.token.reveal() }));
    expect(rejected).toMatchObject({ status: 'rejected', respondedAt: o.clock.now().toISOString(), acceptedBy: null, version: 2 });
    expect(event).toMatchObject({ action: 'invitation.rejected', actor: asUser(bob.user.id) });
    expect(o.store.snapshot().memberships.some((m) => m.userId === bob.user.id)).toBe(false);
    expect(await fails(o.t, () => o.kit.acceptInvitation(asUser(bob.user.id), { token: value.token.reveal() }))).toMatchObject({
      code: 'INVITATION_INVALID',
      reason: 'not-pending',
    });
  });

  it('INV-1 someone else cannot reject it (email-mismatch); the system can', async () => {
    const o = await org();
    const { value } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member' }));
    expect(await fails(o.t, () => o.kit.rejectInvitation(o.owner, { token: value.token.reveal() }))).toMatchObject({
      code: 'INVITATION_INVALID',
      reason: 'email-mismatch',
    });
    await succeeds(o.t, () => o.kit.rejectInvitation(system('mailer'), { token: value.token.reveal() }));
  });
});

describe('acceptInvitation (INV-3)', () => {
  it('INV-3 the user whose email matches accepts: membership with the invited role, invitation accepted, one event', async () => {
    const o = await org();
    const bob = await o.seed.user({ email: 'bob@example.com' });
    const { value } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'BOB@example.com', role: 'admin' }));
    o.clock.advance({ hours: 2 });
    const now = o.clock.now().toISOString();
    const { value: accepted, event } = await succeeds(o.t, () => o.kit.acceptInvitation(asUser(bob.user.id), { token: value.token.reveal() }));
    expect(accepted).toEqual({
      invitation: { ...value.invitation, status: 'accepted', respondedAt: now, acceptedBy: bob.user.id, version: 2 },
      user: bob.user,
      createdAccount: null,
      membership: { accountId: o.account.id, userId: bob.user.id, role: 'admin', createdAt: now },
      grant: null,
    });
    expect(o.store.snapshot().memberships).toContainEqual(accepted.membership);
    expect(event).toMatchObject({
      accountId: o.account.id,
      workspaceId: null,
      actor: asUser(bob.user.id),
      action: 'invitation.accepted',
      subject: { type: 'invitation', id: value.invitation.id },
      details: { email: 'bob@example.com', userId: bob.user.id, userCreated: false, target: { type: 'account', role: 'admin' } },
    });
    expect(valueOf(await o.kit.getAccountRole(asUser(bob.user.id), { accountId: o.account.id }))).toBe('admin');
    // Spent.
    expect(await fails(o.t, () => o.kit.acceptInvitation(asUser(bob.user.id), { token: value.token.reveal() }))).toMatchObject({
      code: 'INVITATION_INVALID',
      reason: 'not-pending',
    });
  });

  it('INV-3 another user cannot accept it: INVITATION_INVALID email-mismatch, nothing changes', async () => {
    const o = await org();
    const { value } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member' }));
    const eve = await o.seed.user({ email: 'eve@example.com' });
    expect(await fails(o.t, () => o.kit.acceptInvitation(asUser(eve.user.id), { token: value.token.reveal() }))).toEqual({
      code: 'INVITATION_INVALID',
      message: 'the invitation was sent to another email address',
      reason: 'email-mismatch',
    });
  });

  it('INV-3 an expired invitation cannot be accepted: INVITATION_INVALID expired', async () => {
    const o = await org();
    const bob = await o.seed.user({ email: 'bob@example.com' });
    const { value } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member' }));
    o.clock.advance({ days: 7 });
    expect(await fails(o.t, () => o.kit.acceptInvitation(asUser(bob.user.id), { token: value.token.reveal() }))).toMatchObject({
      code: 'INVITATION_INVALID',
      reason: 'expired',
    });
  });

  it('INV-2 a malformed, unknown or tampered token is INVITATION_INVALID invalid-token', async () => {
    const o = await org();
    const bob = await o.seed.user({ email: 'bob@example.com' });
    const { value } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member' }));
    const token = value.token.reveal();
    const last = token.at(-1) === 'a' ? 'b' : 'a';
    for (const bad of ['nope', `${token.slice(0, -1)}${last}`, token.replace(value.invitation.id, 'inv_999'), `wkk.${token.slice(4)}`]) {
      expect(await fails(o.t, () => o.kit.acceptInvitation(asUser(bob.user.id), { token: bad })), bad).toMatchObject({
        code: 'INVITATION_INVALID',
        reason: 'invalid-token',
      });
    }
  });

  it('INV-3 the system accepts with newUser: user and personal account created with the membership in one unit of work, one event', async () => {
    const o = await org();
    const { value } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member' }));
    const before = o.store.snapshot();
    const { value: accepted, event } = await succeeds(o.t, () =>
      o.kit.acceptInvitation(system('signup'), { token: value.token.reveal(), newUser: { displayName: 'Bob', handle: 'Bob' } }),
    );
    expect(accepted.user).toMatchObject({ email: 'bob@example.com', displayName: 'Bob', personalAccountId: accepted.createdAccount!.id });
    expect(accepted.createdAccount).toMatchObject({ kind: 'personal', handle: 'bob', ownerUserId: accepted.user.id, planId: 'hobby' });
    expect(accepted.membership).toMatchObject({ accountId: o.account.id, userId: accepted.user.id, role: 'member' });
    const after = o.store.snapshot();
    expect(after.users).toEqual([...before.users, accepted.user]);
    expect(after.accounts).toContainEqual(accepted.createdAccount);
    expect(after.accounts).toHaveLength(before.accounts.length + 1);
    expect(after.memberships).toContainEqual(accepted.membership);
    expect(event).toMatchObject({ action: 'invitation.accepted', actor: system('signup'), details: { userId: accepted.user.id, userCreated: true } });
    expect(valueOf(await o.kit.getAccountRole(asUser(accepted.user.id), { accountId: o.account.id }))).toBe('member');
  });

  it('INV-3 if creating the user fails (handle taken) nothing is created: HANDLE_TAKEN, no user, no membership, still pending', async () => {
    const o = await org();
    await o.seed.user({ handle: 'bob' });
    const { value } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member' }));
    expect(
      await fails(o.t, () => o.kit.acceptInvitation(system(), { token: value.token.reveal(), newUser: { displayName: 'Bob', handle: 'bob' } })),
    ).toMatchObject({ code: 'HANDLE_TAKEN', handle: 'bob', scope: 'account' });
    const snap = o.store.snapshot();
    expect(snap.users.some((u) => u.email === 'bob@example.com')).toBe(false);
    expect(snap.invitations.find((i) => i.id === value.invitation.id)?.status).toBe('pending');
    // The invitation still works with a free handle.
    await succeeds(o.t, () => o.kit.acceptInvitation(system(), { token: value.token.reveal(), newUser: { displayName: 'Bob', handle: 'bob-2' } }));
  });

  it('INV-3 newUser when a user with the email already exists is EMAIL_TAKEN', async () => {
    const o = await org();
    await o.seed.user({ email: 'bob@example.com' });
    const { value } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member' }));
    expect(
      await fails(o.t, () => o.kit.acceptInvitation(system(), { token: value.token.reveal(), newUser: { displayName: 'Bob', handle: 'bobby' } })),
    ).toMatchObject({ code: 'EMAIL_TAKEN', email: 'bob@example.com' });
    // Without newUser the system accepts for the existing user.
    const { value: accepted } = await succeeds(o.t, () => o.kit.acceptInvitation(system(), { token: value.token.reveal() }));
    expect(accepted.createdAccount).toBeNull();
  });

  it('INV-3 the system without newUser for an unknown email, and a user giving newUser, are VALIDATION', async () => {
    const o = await org();
    const bob = await o.seed.user({ email: 'bob@example.com' });
    const { value: forCarol } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'carol@example.com', role: 'member' }));
    const { value: forBob } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member' }));
    const noUser = await fails(o.t, () => o.kit.acceptInvitation(system(), { token: forCarol.token.reveal() }));
    expect(noUser.code === 'VALIDATION' && noUser.issues[0]?.path).toEqual(['input', 'newUser']);
    const userNewUser = await fails(o.t, () =>
      o.kit.acceptInvitation(asUser(bob.user.id), { token: forBob.token.reveal(), newUser: { displayName: 'B', handle: 'bee' } }),
    );
    expect(userNewUser.code).toBe('VALIDATION');
  });

  it('INV-3 accepting when already a member is ALREADY_EXISTS and leaves the invitation pending', async () => {
    const o = await org();
    const bob = await o.seed.user({ email: 'bob@example.com' });
    const { value } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member' }));
    await succeeds(o.t, () => o.kit.addMember(o.owner, { accountId: o.account.id, userId: bob.user.id, role: 'admin' }));
    expect(await fails(o.t, () => o.kit.acceptInvitation(asUser(bob.user.id), { token: value.token.reveal() }))).toMatchObject({
      code: 'ALREADY_EXISTS',
      entity: 'membership',
    });
  });

  it('INV-3 of concurrent accepts of one invitation exactly one succeeds, with one event', async () => {
    const o = await org();
    const bob = await o.seed.user({ email: 'bob@example.com' });
    const { value } = await succeeds(o.t, () => o.kit.inviteMember(o.owner, { accountId: o.account.id, email: 'bob@example.com', role: 'member' }));
    const before = o.store.snapshot().audit.length;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        i % 2 === 0 ? o.kit.acceptInvitation(asUser(bob.user.id), { token: value.token.reveal() }) : o.kit.acceptInvitation(system(), { token: value.token.reveal() }),
      ),
    );
    expect(results.filter((r) => r.isOk())).toHaveLength(1);
    expect(results.filter((r) => r.isErr()).every((r) => r.isErr() && r.error.code === 'INVITATION_INVALID')).toBe(true);
    expect(o.store.snapshot().audit.slice(before).map((e) => e.action)).toEqual(['invitation.accepted']);
    expect(o.store.snapshot().memberships.filter((m) => m.userId === bob.user.id)).toHaveLength(1);
  });
});

describe('collaborators on personal workspaces (COL-1, COL-2)', () => {
  it('COL-1 the owner invites a collaborator by email: Developer by default, targeting the workspace, one event', async () => {
    const p = await personal();
    const { value, event } = await succeeds(p.t, () => p.kit.inviteCollaborator(p.as, { workspaceId: p.ws.id, email: ' Bob@Example.com ' }));
    expect(value.invitation).toMatchObject({
      accountId: p.accountId,
      email: 'bob@example.com',
      target: { type: 'workspace', workspaceId: p.ws.id, role: 'developer' },
      invitedBy: p.as,
      status: 'pending',
    });
    expect(event).toMatchObject({
      accountId: p.accountId,
      workspaceId: p.ws.id,
      action: 'invitation.created',
      details: { email: 'bob@example.com', target: { type: 'workspace', workspaceId: p.ws.id, role: 'developer' } },
    });
  });

  it('COL-1 roles other than Developer need workspace RBAC: PLAN_FEATURE_UNAVAILABLE on hobby, fine on pro', async () => {
    const p = await personal('hobby');
    expect(await fails(p.t, () => p.kit.inviteCollaborator(p.as, { workspaceId: p.ws.id, email: 'bob@example.com', role: 'viewer' }))).toMatchObject({
      code: 'PLAN_FEATURE_UNAVAILABLE',
      feature: 'workspaceRbac',
      planId: 'hobby',
    });
    const pro = await personal('pro');
    const { value } = await succeeds(pro.t, () => pro.kit.inviteCollaborator(pro.as, { workspaceId: pro.ws.id, email: 'bob@example.com', role: 'viewer' }));
    expect(value.invitation.target).toEqual({ type: 'workspace', workspaceId: pro.ws.id, role: 'viewer' });
  });

  it('COL-1 inviting the owner itself is VALIDATION; an organization workspace is VALIDATION pointing to inviteMember', async () => {
    const p = await personal();
    expect((await fails(p.t, () => p.kit.inviteCollaborator(p.as, { workspaceId: p.ws.id, email: p.ada.user.email }))).code).toBe('VALIDATION');
    const o = await org();
    const ws = await o.seed.workspace(o.account.id);
    const error = await fails(o.t, () => o.kit.inviteCollaborator(o.owner, { workspaceId: ws.id, email: 'bob@example.com' }));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/inviteMember/);
  });

  it('COL-1 accepting grants access to that workspace: Developer scopes, a grant, and the invitation accepted', async () => {
    const p = await personal();
    const bob = await p.seed.user({ email: 'bob@example.com' });
    const B = asUser(bob.user.id);
    const { value } = await succeeds(p.t, () => p.kit.inviteCollaborator(p.as, { workspaceId: p.ws.id, email: 'bob@example.com' }));
    expect(errorOf(await p.kit.getWorkspace(B, { workspaceId: p.ws.id })).code).toBe('NOT_FOUND');
    const { value: accepted, event } = await succeeds(p.t, () => p.kit.acceptInvitation(B, { token: value.token.reveal() }));
    expect(accepted.grant).toEqual({
      workspaceId: p.ws.id,
      accountId: p.accountId,
      grantee: B,
      role: 'developer',
      createdAt: p.clock.now().toISOString(),
      updatedAt: p.clock.now().toISOString(),
    });
    expect(accepted.membership).toBeNull();
    expect(p.store.snapshot().grants).toEqual([accepted.grant]);
    expect(event).toMatchObject({ action: 'invitation.accepted', workspaceId: p.ws.id });
    expect(valueOf(await p.kit.getWorkspaceByHandle(B, { fullHandle: 'ada/prod' })).id).toBe(p.ws.id);
    const scopes = valueOf(await p.kit.explainAccess(B, { workspaceId: p.ws.id })).scopes;
    expect(scopes).toEqual(WORKSPACE_SCOPES.filter((s) => BUILT_IN_ROLE_SCOPES.developer.has(s)));
    // View and run flows.
    await succeeds(p.t, () => p.kit.trackResources(B, { workspaceId: p.ws.id, resources: [{ kind: 'flow-run', name: 'r' }] }));
    // But not the owner's account settings.
    expect(errorOf(await p.kit.changePlan(B, { accountId: p.accountId, planId: 'pro' })).code).toBe('NOT_FOUND');
  });

  it('COL-1 a collaborator finds the shared workspace through listWorkspaces of the owner’s account', async () => {
    const p = await personal();
    const bob = await p.seed.user({ email: 'bob@example.com' });
    const { value } = await succeeds(p.t, () => p.kit.inviteCollaborator(p.as, { workspaceId: p.ws.id, email: 'bob@example.com' }));
    await succeeds(p.t, () => p.kit.acceptInvitation(asUser(bob.user.id), { token: value.token.reveal() }));
    const page = valueOf(await p.kit.listWorkspaces(asUser(bob.user.id), { accountId: p.accountId }));
    expect(page.items.map((w) => w.id)).toEqual([p.ws.id]);
  });

  it('COL-1 inviting an existing collaborator again is ALREADY_EXISTS grant', async () => {
    const p = await personal();
    const bob = await p.seed.user({ email: 'bob@example.com' });
    const { value } = await succeeds(p.t, () => p.kit.inviteCollaborator(p.as, { workspaceId: p.ws.id, email: 'bob@example.com' }));
    await succeeds(p.t, () => p.kit.acceptInvitation(asUser(bob.user.id), { token: value.token.reveal() }));
    expect(await fails(p.t, () => p.kit.inviteCollaborator(p.as, { workspaceId: p.ws.id, email: 'BOB@example.com' }))).toMatchObject({
      code: 'ALREADY_EXISTS',
      entity: 'grant',
    });
  });

  it('COL-2 removing a collaborator ends its access at once, through its API keys too', async () => {
    const p = await personal();
    const bob = await p.seed.user({ email: 'bob@example.com' });
    const B = asUser(bob.user.id);
    const { value } = await succeeds(p.t, () => p.kit.inviteCollaborator(p.as, { workspaceId: p.ws.id, email: 'bob@example.com' }));
    await succeeds(p.t, () => p.kit.acceptInvitation(B, { token: value.token.reveal() }));
    const { value: key } = await succeeds(p.t, () => p.kit.createApiKey(B, { name: 'laptop' }));
    const viaKey = valueOf(await p.kit.resolveApiKey({ key: key.secret.reveal() })).principal;
    expect(viaKey).toEqual(B);
    expect(valueOf(await p.kit.getWorkspace(viaKey, { workspaceId: p.ws.id })).id).toBe(p.ws.id);
    const { event } = await succeeds(p.t, () => p.kit.unshareWorkspace(p.as, { workspaceId: p.ws.id, grantee: B }));
    expect(event).toMatchObject({ action: 'workspace.unshared', details: { grantee: B, role: 'developer', left: false } });
    expect(p.store.snapshot().grants).toEqual([]);
    const again = valueOf(await p.kit.resolveApiKey({ key: key.secret.reveal() })).principal;
    expect(errorOf(await p.kit.getWorkspace(again, { workspaceId: p.ws.id })).code).toBe('NOT_FOUND');
    expect(
      errorOf(await p.kit.trackResources(again, { workspaceId: p.ws.id, resources: [{ kind: 'flow-run', name: 'r' }] })).code,
    ).toBe('NOT_FOUND');
  });

  it('COL-2 a collaborator may leave on its own', async () => {
    const p = await personal();
    const bob = await p.seed.user({ email: 'bob@example.com' });
    const B = asUser(bob.user.id);
    const { value } = await succeeds(p.t, () => p.kit.inviteCollaborator(p.as, { workspaceId: p.ws.id, email: 'bob@example.com' }));
    await succeeds(p.t, () => p.kit.acceptInvitation(B, { token: value.token.reveal() }));
    const { event } = await succeeds(p.t, () => p.kit.unshareWorkspace(B, { workspaceId: p.ws.id, grantee: B }));
    expect(event.details).toMatchObject({ left: true });
    expect(errorOf(await p.kit.getWorkspace(B, { workspaceId: p.ws.id })).code).toBe('NOT_FOUND');
  });

  it('COL-1 a collaborator invitation is revoked by the owner; a collaborator cannot invite others (FORBIDDEN manage_workspace_users)', async () => {
    const p = await personal();
    const bob = await p.seed.user({ email: 'bob@example.com' });
    const B = asUser(bob.user.id);
    const { value } = await succeeds(p.t, () => p.kit.inviteCollaborator(p.as, { workspaceId: p.ws.id, email: 'bob@example.com' }));
    await succeeds(p.t, () => p.kit.acceptInvitation(B, { token: value.token.reveal() }));
    expect(await fails(p.t, () => p.kit.inviteCollaborator(B, { workspaceId: p.ws.id, email: 'carol@example.com' }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'manage_workspace_users',
    });
    const { value: forCarol } = await succeeds(p.t, () => p.kit.inviteCollaborator(p.as, { workspaceId: p.ws.id, email: 'carol@example.com' }));
    expect(await fails(p.t, () => p.kit.revokeInvitation(B, { invitationId: forCarol.invitation.id }))).toMatchObject({
      code: 'FORBIDDEN',
      missingScope: 'manage_workspace_users',
    });
    const { value: revoked } = await succeeds(p.t, () => p.kit.revokeInvitation(p.as, { invitationId: forCarol.invitation.id }));
    expect(revoked.status).toBe('revoked');
  });

  it('PLAN-2 collaborators hold seats of the personal account: past the limit inviting is PLAN_LIMIT_REACHED', async () => {
    const p = await personal('hobby'); // 2 seats, the owner holds none
    await succeeds(p.t, () => p.kit.inviteCollaborator(p.as, { workspaceId: p.ws.id, email: 'bob@example.com' }));
    await succeeds(p.t, () => p.kit.inviteCollaborator(p.as, { workspaceId: p.ws.id, email: 'carol@example.com' }));
    expect(await fails(p.t, () => p.kit.inviteCollaborator(p.as, { workspaceId: p.ws.id, email: 'dave@example.com' }))).toMatchObject({
      code: 'PLAN_LIMIT_REACHED',
      limit: 'seats',
      max: 2,
      current: 2,
    });
  });
});
