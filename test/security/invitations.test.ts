/**
 * Security of invitation tokens (INV-1, INV-2, INV-3, ACC-6, COL-1).
 *
 * - Expired, revoked, rejected, accepted and resent-old tokens are refused with the right
 *   reason; every refusal changes nothing and publishes nothing.
 * - A tampered or unknown token is always `invalid-token` — whatever the state of the
 *   invitation it points at — so a guesser learns nothing about any invitation's status.
 * - Only the user whose normalized email matches may accept or reject.
 * - The token is random (192 bits), shown once, and never stored or recorded: neither it nor its
 *   random part appears in the store or in any audit event; only its SHA-256 is stored.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { MemoryStore } from '../../src/adapters/memory/memory-store.js';
import { hashSecret } from '../../src/core/secret.js';
import { asServiceAccount, asUser, system, type Principal } from '../../src/core/principal.js';
import type { RegisteredUser } from '../../src/kit/account-commands.js';
import type { KitResult } from '../../src/kit/workspace-kit.js';
import { createTestKit, type TestKit } from '../../src/testing/test-kit.js';
import { codeOf, errorOf, valueOf } from '../support/harness.js';

const TOKEN = /^wki\.([^.]+)\.([0-9A-Za-z_-]{32})$/;

/** The id and random parts of a token. */
function partsOf(token: string): { id: string; random: string } {
  const m = TOKEN.exec(token);
  if (!m) throw new Error(`not an invitation token: ${token}`);
  return { id: m[1]!, random: m[2]! };
}

/** A random-part character other than `c`. */
const otherChar = (c: string): string => (c === 'a' ? 'b' : 'a');

interface World {
  readonly t: TestKit<MemoryStore>;
  readonly owner: RegisteredUser;
  readonly accountId: string;
  /** The invitee: registered as zed@example.com. */
  readonly zed: RegisteredUser;
  /** Another registered user. */
  readonly eve: RegisteredUser;
  /** Every token issued in the test, for the leak checks. */
  readonly issued: string[];
  invite(email?: string, options?: { expiresInDays?: number }): Promise<{ id: string; token: string }>;
}

async function world(): Promise<World> {
  const t = createTestKit();
  const zed = await t.seed.user({ email: 'zed@example.com', handle: 'zed' });
  const eve = await t.seed.user({ email: 'eve@example.com', handle: 'eve' });
  const { account, owner } = await t.seed.organization({ planId: 'enterprise', handle: 'acme' });
  const issued: string[] = [];
  return {
    t,
    owner,
    accountId: account.id,
    zed,
    eve,
    issued,
    async invite(email = 'zed@example.com', options = {}) {
      const r = valueOf(await t.kit.inviteMember(asUser(owner.user.id), { accountId: account.id, email, role: 'member', ...options }));
      const token = r.token.reveal();
      issued.push(token);
      return { id: r.invitation.id, token };
    },
  };
}

/** Runs a refused call and checks that it changed nothing and published nothing. */
async function refused(t: TestKit<MemoryStore>, call: () => KitResult<unknown>) {
  const before = t.store.snapshot();
  const published = t.events.length;
  const error = errorOf(await call());
  expect(t.store.snapshot()).toEqual(before);
  expect(t.events.length).toBe(published);
  return error;
}

/** Every (actor, command) pair that presents a token. */
function presenters(w: World): readonly { label: string; present: (token: string) => KitResult<unknown> }[] {
  const zed = asUser(w.zed.user.id);
  return [
    { label: 'accept by the invitee', present: (token) => w.t.kit.acceptInvitation(zed, { token }) },
    { label: 'accept by the system', present: (token) => w.t.kit.acceptInvitation(system('invite-link'), { token }) },
    { label: 'reject by the invitee', present: (token) => w.t.kit.rejectInvitation(zed, { token }) },
  ];
}

let w: World;
beforeEach(async () => {
  w = await world();
});

describe('INV-1 INV-3 expired, revoked, answered and resent invitations are refused', () => {
  it('INV-1 an invitation expires exactly at its expiry (default 7 days): refused as expired after, accepted before', async () => {
    const early = await w.invite();
    const late = await w.invite('late@example.com');
    const lateUser = await w.t.seed.user({ email: 'late@example.com' });
    w.t.clock.advance({ days: 7, ms: -1 });
    // One millisecond before the expiry: still valid.
    expect(codeOf(await w.t.kit.acceptInvitation(asUser(w.zed.user.id), { token: early.token }))).toBe('ok');
    w.t.clock.advance({ ms: 1 });
    for (const p of presenters(w)) {
      expect(await refused(w.t, () => p.present(late.token)), p.label).toMatchObject({ code: 'INVITATION_INVALID' });
    }
    const error = await refused(w.t, () => w.t.kit.acceptInvitation(asUser(lateUser.user.id), { token: late.token }));
    expect(error).toMatchObject({ code: 'INVITATION_INVALID', reason: 'expired' });
    const listed = valueOf(await w.t.kit.listInvitations(system(), { accountId: w.accountId })).items;
    expect(listed.map((i) => [i.id, i.status])).toEqual([
      [early.id, 'accepted'],
      [late.id, 'expired'],
    ]);
  });

  it('INV-1 a custom expiry (1 day): refused as expired once the manual clock passes it, by accept and by reject', async () => {
    const { token } = await w.invite('zed@example.com', { expiresInDays: 1 });
    w.t.clock.advance({ days: 1, seconds: 1 });
    for (const p of presenters(w)) {
      expect(await refused(w.t, () => p.present(token)), p.label).toMatchObject({ code: 'INVITATION_INVALID', reason: 'expired' });
    }
    w.t.clock.advance({ days: 365 });
    expect(await refused(w.t, () => w.t.kit.acceptInvitation(asUser(w.zed.user.id), { token }))).toMatchObject({ reason: 'expired' });
  });

  it('INV-1 a revoked invitation is refused as not-pending', async () => {
    const { id, token } = await w.invite();
    valueOf(await w.t.kit.revokeInvitation(asUser(w.owner.user.id), { invitationId: id }));
    for (const p of presenters(w)) {
      expect(await refused(w.t, () => p.present(token)), p.label).toMatchObject({ code: 'INVITATION_INVALID', reason: 'not-pending' });
    }
    expect(await refused(w.t, () => w.t.kit.revokeInvitation(asUser(w.owner.user.id), { invitationId: id }))).toMatchObject({
      reason: 'not-pending',
    });
  });

  it('INV-3 rejected then accepted: not-pending, and no membership', async () => {
    const { token } = await w.invite();
    valueOf(await w.t.kit.rejectInvitation(asUser(w.zed.user.id), { token }));
    for (const p of presenters(w)) {
      expect(await refused(w.t, () => p.present(token)), p.label).toMatchObject({ code: 'INVITATION_INVALID', reason: 'not-pending' });
    }
    expect(codeOf(await w.t.kit.getAccount(asUser(w.zed.user.id), { accountId: w.accountId }))).toBe('NOT_FOUND');
  });

  it('INV-3 accepted then presented again (accept or reject): not-pending', async () => {
    const { token } = await w.invite();
    valueOf(await w.t.kit.acceptInvitation(asUser(w.zed.user.id), { token }));
    for (const p of presenters(w)) {
      expect(await refused(w.t, () => p.present(token)), p.label).toMatchObject({ code: 'INVITATION_INVALID', reason: 'not-pending' });
    }
  });

  it('INV-2 resent: the old token is invalid-token (as if it never existed), the new one works', async () => {
    const { id, token: old } = await w.invite();
    const resent = valueOf(await w.t.kit.resendInvitation(asUser(w.owner.user.id), { invitationId: id }));
    const fresh = resent.token.reveal();
    w.issued.push(fresh);
    expect(partsOf(fresh).id).toBe(id);
    expect(partsOf(fresh).random).not.toBe(partsOf(old).random);
    for (const p of presenters(w)) {
      expect(await refused(w.t, () => p.present(old)), p.label).toMatchObject({ code: 'INVITATION_INVALID', reason: 'invalid-token' });
    }
    expect(codeOf(await w.t.kit.acceptInvitation(asUser(w.zed.user.id), { token: fresh }))).toBe('ok');
    // After the accept the old token still says nothing about the status.
    expect(await refused(w.t, () => w.t.kit.acceptInvitation(asUser(w.zed.user.id), { token: old }))).toMatchObject({
      reason: 'invalid-token',
    });
  });

  it('INV-2 resending an expired invitation gives a new expiry; the old token stays refused', async () => {
    const { id, token: old } = await w.invite('zed@example.com', { expiresInDays: 1 });
    w.t.clock.advance({ days: 2 });
    const resent = valueOf(await w.t.kit.resendInvitation(asUser(w.owner.user.id), { invitationId: id, expiresInDays: 3 }));
    expect(resent.invitation.status).toBe('pending');
    expect(resent.invitation.expiresAt).toBe('2026-01-06T00:00:00.000Z');
    expect(await refused(w.t, () => w.t.kit.acceptInvitation(asUser(w.zed.user.id), { token: old }))).toMatchObject({
      reason: 'invalid-token',
    });
    expect(codeOf(await w.t.kit.acceptInvitation(asUser(w.zed.user.id), { token: resent.token.reveal() }))).toBe('ok');
  });
});

describe('INV-2 tampered and unknown tokens are always invalid-token and reveal no status', () => {
  /** Tampered variants of a token, labelled. */
  function tamperings(token: string, otherIds: readonly string[]): [string, string][] {
    const { id, random } = partsOf(token);
    const out: [string, string][] = [];
    for (let i = 0; i < random.length; i += 1) {
      out.push([`random char ${i} changed`, `wki.${id}.${random.slice(0, i)}${otherChar(random[i]!)}${random.slice(i + 1)}`]);
    }
    for (const other of otherIds) out.push([`id changed to ${other}`, `wki.${other}.${random}`]);
    out.push(
      ['unknown id', `wki.inv_999.${random}`],
      ['id removed', `wki..${random}`],
      ['prefix wkk', `wkk.${id}.${random}`],
      ['prefix upper-case', `WKI.${id}.${random}`],
      ['prefix missing', `${id}.${random}`],
      ['prefix without dot', `wki${id}.${random}`],
      ['truncated by one', token.slice(0, -1)],
      ['truncated to half', token.slice(0, Math.floor(token.length / 2))],
      ['random part missing', `wki.${id}.`],
      ['only the prefix', 'wki.'],
      ['one extra char', `${token}x`],
      ['leading space', ` ${token}`],
      ['trailing newline', `${token}\n`],
      ['random part upper-cased', `wki.${id}.${random.toUpperCase()}`],
      ['random part reversed', `wki.${id}.${[...random].reverse().join('')}`],
      ['random part all zeros', `wki.${id}.${'0'.repeat(32)}`],
      ['the hash instead of the random part', `wki.${id}.${hashSecret(random).slice(0, 32)}`],
      ['url-encoded', encodeURIComponent(token).replace(/\./g, '%2E')],
      ['300 chars', `wki.${id}.${'a'.repeat(300 - 5 - id.length)}`],
    );
    return out;
  }

  it('INV-2 every tampering of a pending invitation token (each random char, other ids, prefix, truncation) is invalid-token', async () => {
    const target = await w.invite();
    const other = await w.invite('other@example.com');
    const cases = tamperings(target.token, [other.id]);
    expect(cases.length).toBeGreaterThan(50);
    for (const [label, tampered] of cases) {
      expect(tampered, label).not.toBe(target.token);
      for (const p of presenters(w)) {
        expect(await refused(w.t, () => p.present(tampered)), `${label}, ${p.label}`).toMatchObject({
          code: 'INVITATION_INVALID',
          reason: 'invalid-token',
        });
      }
    }
    // The genuine token still works after all that.
    expect(codeOf(await w.t.kit.acceptInvitation(asUser(w.zed.user.id), { token: target.token }))).toBe('ok');
  });

  it('INV-2 a tampered token pointing at an expired, revoked, rejected or accepted invitation is invalid-token, never its status', async () => {
    const expired = await w.invite('expired@example.com', { expiresInDays: 1 });
    const revoked = await w.invite('revoked@example.com');
    const rejected = await w.invite('rejected@example.com');
    const accepted = await w.invite('zed@example.com');
    const pending = await w.invite('pending@example.com');
    const rejecter = await w.t.seed.user({ email: 'rejected@example.com' });
    valueOf(await w.t.kit.revokeInvitation(asUser(w.owner.user.id), { invitationId: revoked.id }));
    valueOf(await w.t.kit.rejectInvitation(asUser(rejecter.user.id), { token: rejected.token }));
    valueOf(await w.t.kit.acceptInvitation(asUser(w.zed.user.id), { token: accepted.token }));
    w.t.clock.advance({ days: 2 });
    const { random: foreign } = partsOf(pending.token);
    for (const [status, inv] of [
      ['expired', expired],
      ['revoked', revoked],
      ['rejected', rejected],
      ['accepted', accepted],
    ] as const) {
      // Another invitation's random part, and a one-character change of its own.
      const own = partsOf(inv.token).random;
      const variants = [`wki.${inv.id}.${foreign}`, `wki.${inv.id}.${otherChar(own[0]!)}${own.slice(1)}`, `wki.${inv.id}.${own.slice(0, 31)}${otherChar(own[31]!)}`];
      for (const tampered of variants) {
        for (const p of presenters(w)) {
          expect(await refused(w.t, () => p.present(tampered)), `${status}: ${p.label}`).toMatchObject({
            code: 'INVITATION_INVALID',
            reason: 'invalid-token',
          });
        }
      }
      // The genuine token does tell the status: this is what the tampered ones must not leak.
      const genuine = await refused(w.t, () => w.t.kit.acceptInvitation(system('invite-link'), { token: inv.token }));
      expect(genuine).toMatchObject({ reason: status === 'expired' ? 'expired' : 'not-pending' });
    }
  });

  it('INV-2 an API key, an unrelated string or a token of another kit are invalid-token; an empty token is VALIDATION', async () => {
    const key = valueOf(await w.t.kit.createApiKey(asUser(w.zed.user.id), { name: 'k' })).secret.reveal();
    const elsewhere = createTestKit();
    const { account, owner } = await elsewhere.seed.organization({ planId: 'enterprise' });
    const foreign = valueOf(
      await elsewhere.kit.inviteMember(asUser(owner.user.id), { accountId: account.id, email: 'zed@example.com', role: 'member' }),
    ).token.reveal();
    await w.invite(); // inv_1 exists here too, with another random part
    for (const token of [key, foreign, 'hello', 'wki', '.', '..', 'wki.inv_1', 'null', '{}']) {
      for (const p of presenters(w)) {
        expect(await refused(w.t, () => p.present(token)), `${token}: ${p.label}`).toMatchObject({ reason: 'invalid-token' });
      }
    }
    for (const p of presenters(w)) {
      expect((await refused(w.t, () => p.present(''))).code, p.label).toBe('VALIDATION');
      expect((await refused(w.t, () => p.present('x'.repeat(301)))).code, p.label).toBe('VALIDATION');
    }
  });

  it('INV-2 an error never echoes the presented token', async () => {
    const { token } = await w.invite();
    const { id, random } = partsOf(token);
    const tampered = `wki.${id}.${otherChar(random[0]!)}${random.slice(1)}`;
    for (const p of presenters(w)) {
      for (const presented of [tampered, `${token}x`]) {
        const text = JSON.stringify(errorOf(await p.present(presented)));
        expect(text).not.toContain(random);
        expect(text).not.toContain(random.slice(1));
      }
    }
  });
});

describe('INV-3 only the invitee whose normalized email matches can answer', () => {
  const spellings: readonly [invited: string, registered: string][] = [
    [' Zed@Example.COM ', 'zed@example.com'],
    ['zed@example.com', '  ZED@EXAMPLE.COM'],
    ['\tzEd@exAmple.com\n', 'Zed@Example.Com '],
  ];
  for (const [invited, registered] of spellings) {
    it(`INV-1 INV-3 invited as ${JSON.stringify(invited)}, registered as ${JSON.stringify(registered)}: the invitee accepts`, async () => {
      const t = createTestKit();
      const { account, owner } = await t.seed.organization({ planId: 'enterprise' });
      const zed = valueOf(await t.kit.registerUser(system(), { email: registered, displayName: 'Zed', handle: 'zed' }));
      const issued = valueOf(await t.kit.inviteMember(asUser(owner.user.id), { accountId: account.id, email: invited, role: 'member' }));
      expect(issued.invitation.email).toBe('zed@example.com');
      const accepted = valueOf(await t.kit.acceptInvitation(asUser(zed.user.id), { token: issued.token.reveal() }));
      expect(accepted.user.id).toBe(zed.user.id);
      expect(accepted.membership).toMatchObject({ accountId: account.id, userId: zed.user.id, role: 'member' });
    });
  }

  it('INV-3 another user (or a service account) gets email-mismatch, for accept and reject, and nothing changes', async () => {
    const { token } = await w.invite();
    const bot = valueOf(
      await w.t.kit.createServiceAccount(asUser(w.owner.user.id), { accountId: w.accountId, name: 'bot' }),
    );
    const strangers: Principal[] = [asUser(w.eve.user.id), asUser(w.owner.user.id), asServiceAccount(bot.id)];
    for (const actor of strangers) {
      for (const call of [() => w.t.kit.acceptInvitation(actor, { token }), () => w.t.kit.rejectInvitation(actor, { token })]) {
        expect(await refused(w.t, call), JSON.stringify(actor)).toMatchObject({ code: 'INVITATION_INVALID', reason: 'email-mismatch' });
      }
    }
    // The invitation is still pending and the invitee can still accept it.
    expect(codeOf(await w.t.kit.acceptInvitation(asUser(w.zed.user.id), { token }))).toBe('ok');
  });

  it('INV-3 a user who does not exist is NOT_FOUND; a user only created as newUser by the system', async () => {
    const { token } = await w.invite('new@example.com');
    expect((await refused(w.t, () => w.t.kit.acceptInvitation(asUser('usr_999'), { token }))).code).toBe('NOT_FOUND');
    // A user cannot create an account while accepting; the system without newUser cannot either.
    expect((await refused(w.t, () => w.t.kit.acceptInvitation(asUser(w.eve.user.id), { token, newUser: { displayName: 'N', handle: 'n' } }))).code).toBe(
      'VALIDATION',
    );
    expect((await refused(w.t, () => w.t.kit.acceptInvitation(system(), { token }))).code).toBe('VALIDATION');
    // newUser for an email that already has a user is EMAIL_TAKEN.
    const taken = await w.invite('eve@example.com');
    expect(
      await refused(w.t, () => w.t.kit.acceptInvitation(system(), { token: taken.token, newUser: { displayName: 'E', handle: 'eve-2' } })),
    ).toMatchObject({ code: 'EMAIL_TAKEN' });
    const created = valueOf(await w.t.kit.acceptInvitation(system('signup'), { token, newUser: { displayName: 'New', handle: 'newbie' } }));
    expect(created.user.email).toBe('new@example.com');
    expect(created.createdAccount?.handle).toBe('newbie');
  });

  it('COL-1 INV-3 a collaboration invitation: only the invitee accepts; a grant results', async () => {
    const ada = await w.t.seed.user({ planId: 'starter' });
    const ws = await w.t.seed.workspace(ada.account.id);
    const issued = valueOf(await w.t.kit.inviteCollaborator(asUser(ada.user.id), { workspaceId: ws.id, email: ' ZED@example.com' }));
    const token = issued.token.reveal();
    w.issued.push(token);
    expect(await refused(w.t, () => w.t.kit.acceptInvitation(asUser(w.eve.user.id), { token }))).toMatchObject({ reason: 'email-mismatch' });
    expect(codeOf(await w.t.kit.getWorkspace(asUser(w.zed.user.id), { workspaceId: ws.id }))).toBe('NOT_FOUND');
    const accepted = valueOf(await w.t.kit.acceptInvitation(asUser(w.zed.user.id), { token }));
    expect(accepted.grant).toMatchObject({ workspaceId: ws.id, grantee: asUser(w.zed.user.id), role: 'developer' });
    expect(codeOf(await w.t.kit.getWorkspace(asUser(w.zed.user.id), { workspaceId: ws.id }))).toBe('ok');
  });
});

describe('INV-2 the token is random, shown once and never stored or recorded', () => {
  it('INV-2 tokens are wki.<id>.<32 chars of a 64-symbol alphabet> (192 bits) and all distinct', async () => {
    const randoms = new Set<string>();
    for (let i = 0; i < 100; i += 1) {
      const { id, token } = await w.invite(`guest-${i}@example.com`);
      const parts = partsOf(token);
      expect(parts.id).toBe(id);
      randoms.add(parts.random);
    }
    expect(randoms.size).toBe(100);
    // 100 × 32 characters: each of the 64 symbols shows up (a crude check that the alphabet is used).
    expect(new Set([...randoms].join('')).size).toBe(64);
  });

  it('INV-2 the result prints the token redacted; only reveal() gives it', async () => {
    const r = valueOf(await w.t.kit.inviteMember(asUser(w.owner.user.id), { accountId: w.accountId, email: 'zed@example.com', role: 'member' }));
    const { random } = partsOf(r.token.reveal());
    expect(JSON.stringify(r)).toContain('"token":"[redacted]"');
    expect(JSON.stringify(r)).not.toContain(random);
    expect(String(r.token)).toBe('[redacted]');
    // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- a careless host interpolating a token is the point
    expect(`${r.token}`).toBe('[redacted]');
  });

  it('INV-2 neither a token nor its random part appears in the store or any audit event; only its SHA-256 is stored', async () => {
    // A life of invitations: created, resent, accepted, rejected, revoked, collaboration.
    const a = await w.invite();
    const b = await w.invite('eve@example.com');
    const c = await w.invite('carl@example.com');
    const d = await w.invite('dan@example.com');
    const resent = valueOf(await w.t.kit.resendInvitation(asUser(w.owner.user.id), { invitationId: d.id })).token.reveal();
    w.issued.push(resent);
    valueOf(await w.t.kit.acceptInvitation(asUser(w.zed.user.id), { token: a.token }));
    valueOf(await w.t.kit.rejectInvitation(asUser(w.eve.user.id), { token: b.token }));
    valueOf(await w.t.kit.revokeInvitation(asUser(w.owner.user.id), { invitationId: c.id }));
    valueOf(await w.t.kit.acceptInvitation(system(), { token: resent, newUser: { displayName: 'Dan', handle: 'dan' } }));
    const ada = await w.t.seed.user({ planId: 'starter' });
    const ws = await w.t.seed.workspace(ada.account.id);
    const collab = valueOf(await w.t.kit.inviteCollaborator(asUser(ada.user.id), { workspaceId: ws.id, email: 'zed@example.com' }));
    w.issued.push(collab.token.reveal());

    const snapshot = w.t.store.snapshot();
    const stored = JSON.stringify(snapshot);
    const listed = [
      ...valueOf(await w.t.kit.listAuditEvents(system(), { accountId: w.accountId, limit: 500 })).items,
      ...w.t.events,
    ];
    const recorded = JSON.stringify([snapshot.audit, listed]);
    expect(w.issued).toHaveLength(6);
    for (const token of w.issued) {
      const { id, random } = partsOf(token);
      expect(stored).not.toContain(random);
      expect(recorded).not.toContain(random);
      expect(stored).not.toContain(token);
      const invitation = snapshot.invitations.find((i) => i.id === id)!;
      // The stored hash is the SHA-256 of the random part, not the random part itself.
      if (token === d.token) expect(invitation.tokenHash).not.toBe(hashSecret(random));
      else expect(invitation.tokenHash).toBe(hashSecret(random));
      expect(invitation.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    }
    // Invitation views never carry the hash either.
    const views = valueOf(await w.t.kit.listInvitations(system(), { accountId: w.accountId, limit: 500 })).items;
    expect(views).toHaveLength(4);
    for (const v of views) expect(v).not.toHaveProperty('tokenHash');
    expect(JSON.stringify(listed)).not.toContain('tokenHash');
  });
});
