import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  asServiceAccount,
  asUser,
  MAX_ROTATION_OVERLAP_HOURS,
  Secret,
  system,
} from '../../src/index.js';
import { createTestKit } from '../../src/testing.js';
import { errorOf, valueOf } from '../support/harness.js';
import { fails, succeeds } from '../support/kit-outcomes.js';

const HOUR = 3_600_000;

const plusHours = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * HOUR).toISOString();

/** A team organization with an Owner, an Admin, a Member, a service account and a workspace shared with it. */
async function world() {
  const t = createTestKit();
  const seeded = await t.seed.organization({ handle: 'acme', planId: 'team', members: ['admin', 'member'] });
  const owner = asUser(seeded.owner.user.id);
  const sa = valueOf(await t.kit.createServiceAccount(owner, { accountId: seeded.account.id, name: 'ci-bot' }));
  const ws = await t.seed.workspace(seeded.account.id, { handle: 'prod' });
  valueOf(await t.kit.shareWorkspace(owner, { workspaceId: ws.id, grantee: asServiceAccount(sa.id), role: 'developer' }));
  return {
    t,
    ...t,
    account: seeded.account,
    owner,
    ownerUser: seeded.owner,
    admin: asUser(seeded.members[0]!.user.user.id),
    member: asUser(seeded.members[1]!.user.user.id),
    sa,
    bot: asServiceAccount(sa.id),
    ws,
  };
}

describe('API keys of users (SA-2)', () => {
  it('SA-2 a user creates its own key: the secret is shown once as a redacted Secret and stored only hashed; one event', async () => {
    const w = await world();
    const now = w.clock.now().toISOString();
    const { value: issued, event } = await succeeds(w.t, () => w.kit.createApiKey(w.member, { name: ' laptop ' }));
    expect(issued.key).toEqual({
      id: expect.stringMatching(/^key_/) as string,
      owner: w.member,
      accountId: expect.any(String) as string,
      name: 'laptop',
      createdAt: now,
      expiresAt: null,
      revokedAt: null,
      rotatedTo: null,
      version: 1,
    });
    expect('secretHash' in issued.key).toBe(false);
    expect(issued.secret).toBeInstanceOf(Secret);
    const secret = issued.secret.reveal();
    expect(secret).toMatch(new RegExp(`^wkk\\.${issued.key.id}\\.[0-9A-Za-z_-]{32}$`));
    expect(JSON.stringify(issued)).not.toContain(secret);
    const random = secret.split('.').at(-1)!;
    const snap = w.store.snapshot();
    expect(JSON.stringify(snap)).not.toContain(random);
    expect(snap.apiKeys).toEqual([{ ...issued.key, secretHash: createHash('sha256').update(random).digest('hex') }]);
    // Recorded in the user's personal account.
    const member = snap.users.find((u) => u.id === w.member.userId)!;
    expect(issued.key.accountId).toBe(member.personalAccountId);
    expect(event).toMatchObject({
      accountId: member.personalAccountId,
      workspaceId: null,
      actor: w.member,
      action: 'api-key.created',
      subject: { type: 'api-key', id: issued.key.id },
      details: { name: 'laptop', owner: w.member, expiresAt: null },
    });
  });

  it('SA-2 resolveApiKey returns the principal the key acts as, records nothing, and the key acts with its access', async () => {
    const w = await world();
    const { value: issued } = await succeeds(w.t, () => w.kit.createApiKey(w.owner, { name: 'cli' }));
    const before = w.store.snapshot();
    const resolved = valueOf(await w.kit.resolveApiKey({ key: issued.secret.reveal() }));
    expect(resolved).toEqual({ principal: w.owner, key: issued.key });
    expect(w.store.snapshot()).toEqual(before);
    await succeeds(w.t, () => w.kit.updateWorkspace(resolved.principal, { workspaceId: w.ws.id, description: 'via key' }));
  });

  it('SA-2 listApiKeys shows the user its own keys, never a secret or hash', async () => {
    const w = await world();
    const a = valueOf(await w.kit.createApiKey(w.member, { name: 'a' }));
    const b = valueOf(await w.kit.createApiKey(w.member, { name: 'b' }));
    valueOf(await w.kit.createApiKey(w.owner, { name: 'not mine' }));
    const page = valueOf(await w.kit.listApiKeys(w.member, {}));
    expect(page.items).toEqual([a.key, b.key]);
    expect(JSON.stringify(page)).not.toContain('secretHash');
  });

  it('SA-2 revocation is immediate: the key stops resolving (revoked) at once; one event', async () => {
    const w = await world();
    const { value: issued } = await succeeds(w.t, () => w.kit.createApiKey(w.member, { name: 'laptop' }));
    w.clock.advance({ minutes: 1 });
    const { value: revoked, event } = await succeeds(w.t, () => w.kit.revokeApiKey(w.member, { keyId: issued.key.id }));
    expect(revoked).toEqual({ ...issued.key, revokedAt: w.clock.now().toISOString(), version: 2 });
    expect(event).toMatchObject({
      action: 'api-key.revoked',
      subject: { type: 'api-key', id: issued.key.id },
      details: { name: 'laptop', owner: w.member, revokedAt: w.clock.now().toISOString() },
    });
    expect(errorOf(await w.kit.resolveApiKey({ key: issued.secret.reveal() }))).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'the API key was revoked',
      reason: 'revoked',
    });
  });

  it('SA-2 an expiry is honoured: the key works until then, and is expired from then on', async () => {
    const w = await world();
    const expiresAt = plusHours(w.clock.now().toISOString(), 2);
    const { value: issued, event } = await succeeds(w.t, () => w.kit.createApiKey(w.member, { name: 'short', expiresAt }));
    expect(issued.key.expiresAt).toBe(expiresAt);
    expect(event.details).toMatchObject({ expiresAt });
    w.clock.advance({ hours: 1, minutes: 59 });
    expect(valueOf(await w.kit.resolveApiKey({ key: issued.secret.reveal() })).principal).toEqual(w.member);
    w.clock.advance({ minutes: 1 });
    expect(errorOf(await w.kit.resolveApiKey({ key: issued.secret.reveal() }))).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'expired' });
  });

  it('SA-2 an expiry in the past, or malformed, is VALIDATION', async () => {
    const w = await world();
    for (const expiresAt of [w.clock.now().toISOString(), '2025-01-01T00:00:00Z', 'tomorrow']) {
      expect((await fails(w.t, () => w.kit.createApiKey(w.member, { name: 'k', expiresAt }))).code, expiresAt).toBe('VALIDATION');
    }
  });

  it('SA-2 a user cannot manage another user’s keys: NOT_FOUND, nothing changes', async () => {
    const w = await world();
    const { value: ownerKey } = await succeeds(w.t, () => w.kit.createApiKey(w.owner, { name: 'owner-cli' }));
    for (const actor of [w.member, w.admin, w.bot]) {
      expect(await fails(w.t, () => w.kit.revokeApiKey(actor, { keyId: ownerKey.key.id }))).toMatchObject({
        code: 'NOT_FOUND',
        entity: 'api-key',
        key: ownerKey.key.id,
      });
      expect(await fails(w.t, () => w.kit.rotateApiKey(actor, { keyId: ownerKey.key.id }))).toMatchObject({ code: 'NOT_FOUND', entity: 'api-key' });
    }
    expect(await fails(w.t, () => w.kit.createApiKey(w.admin, { name: 'for owner', userId: w.owner.userId }))).toMatchObject({
      code: 'NOT_FOUND',
      entity: 'user',
    });
    expect(valueOf(await w.kit.resolveApiKey({ key: ownerKey.secret.reveal() })).principal).toEqual(w.owner);
  });

  it('SA-2 the system issues a key for a named user; without a name it is VALIDATION', async () => {
    const w = await world();
    const { value } = await succeeds(w.t, () => w.kit.createApiKey(system('provisioner'), { name: 'provisioned', userId: w.member.userId }));
    expect(value.key.owner).toEqual(w.member);
    expect((await fails(w.t, () => w.kit.createApiKey(system(), { name: 'nobody' }))).code).toBe('VALIDATION');
  });

  it('SA-2 malformed, unknown and tampered keys are UNAUTHENTICATED invalid-key and never echoed', async () => {
    const w = await world();
    const { value } = await succeeds(w.t, () => w.kit.createApiKey(w.member, { name: 'k' }));
    const key = value.secret.reveal();
    const last = key.at(-1) === 'a' ? 'b' : 'a';
    for (const bad of ['', 'nope', `${key.slice(0, -1)}${last}`, key.replace(value.key.id, 'key_999'), `wki.${key.slice(4)}`]) {
      const r = await w.kit.resolveApiKey({ key: bad });
      if (bad === '') {
        expect(errorOf(r).code).toBe('VALIDATION');
        continue;
      }
      const error = errorOf(r);
      expect(error, bad).toEqual({ code: 'UNAUTHENTICATED', message: 'the API key is not valid', reason: 'invalid-key' });
      expect(JSON.stringify(error)).not.toContain(bad);
    }
  });

  it('SA-2 a user key loses access exactly when the user does', async () => {
    const w = await world();
    await succeeds(w.t, () => w.kit.shareWorkspace(w.owner, { workspaceId: w.ws.id, grantee: w.member, role: 'developer' }));
    const { value } = await succeeds(w.t, () => w.kit.createApiKey(w.member, { name: 'k' }));
    const viaKey = valueOf(await w.kit.resolveApiKey({ key: value.secret.reveal() })).principal;
    expect(valueOf(await w.kit.getWorkspace(viaKey, { workspaceId: w.ws.id })).id).toBe(w.ws.id);
    await succeeds(w.t, () => w.kit.removeMember(w.owner, { accountId: w.account.id, userId: w.member.userId }));
    const after = valueOf(await w.kit.resolveApiKey({ key: value.secret.reveal() })).principal;
    expect(errorOf(await w.kit.getWorkspace(after, { workspaceId: w.ws.id })).code).toBe('NOT_FOUND');
    expect(errorOf(await w.kit.getAccount(after, { accountId: w.account.id })).code).toBe('NOT_FOUND');
  });
});

describe('API keys of service accounts (SA-2)', () => {
  it('SA-2 an Owner or Admin creates a service account key: recorded in the organization; it resolves to the service account', async () => {
    const w = await world();
    const { value: issued, event } = await succeeds(w.t, () => w.kit.createApiKey(w.admin, { name: 'deploy', serviceAccountId: w.sa.id }));
    expect(issued.key).toMatchObject({ owner: w.bot, accountId: w.account.id, name: 'deploy' });
    expect(event).toMatchObject({ accountId: w.account.id, action: 'api-key.created', details: { owner: w.bot } });
    const { principal } = valueOf(await w.kit.resolveApiKey({ key: issued.secret.reveal() }));
    expect(principal).toEqual(w.bot);
    await succeeds(w.t, () => w.kit.trackResources(principal, { workspaceId: w.ws.id, resources: [{ kind: 'deployment', name: 'etl' }] }));
    expect(valueOf(await w.kit.listApiKeys(w.owner, { serviceAccountId: w.sa.id })).items).toEqual([issued.key]);
  });

  it('SA-2 service account keys need manage_service_accounts: a Member and the service account itself are FORBIDDEN', async () => {
    const w = await world();
    const { value: issued } = await succeeds(w.t, () => w.kit.createApiKey(w.owner, { name: 'deploy', serviceAccountId: w.sa.id }));
    for (const actor of [w.member, w.bot]) {
      for (const call of [
        () => w.kit.createApiKey(actor, { name: 'x', serviceAccountId: w.sa.id }),
        () => w.kit.revokeApiKey(actor, { keyId: issued.key.id }),
        () => w.kit.rotateApiKey(actor, { keyId: issued.key.id }),
      ]) {
        expect(await fails(w.t, call)).toMatchObject({ code: 'FORBIDDEN', missingScope: 'manage_service_accounts' });
      }
      expect(errorOf(await w.kit.listApiKeys(actor, { serviceAccountId: w.sa.id }))).toMatchObject({
        code: 'FORBIDDEN',
        missingScope: 'manage_service_accounts',
      });
    }
    const stranger = asUser((await w.seed.user()).user.id);
    expect(await fails(w.t, () => w.kit.createApiKey(stranger, { name: 'x', serviceAccountId: w.sa.id }))).toMatchObject({
      code: 'NOT_FOUND',
      entity: 'service-account',
    });
    expect(await fails(w.t, () => w.kit.revokeApiKey(stranger, { keyId: issued.key.id }))).toMatchObject({ code: 'NOT_FOUND', entity: 'api-key' });
  });

  it('SA-2 a service account key loses access exactly when the service account does', async () => {
    const w = await world();
    const { value } = await succeeds(w.t, () => w.kit.createApiKey(w.owner, { name: 'deploy', serviceAccountId: w.sa.id }));
    await succeeds(w.t, () => w.kit.unshareWorkspace(w.owner, { workspaceId: w.ws.id, grantee: w.bot }));
    const { principal } = valueOf(await w.kit.resolveApiKey({ key: value.secret.reveal() }));
    expect(errorOf(await w.kit.getWorkspace(principal, { workspaceId: w.ws.id })).code).toBe('NOT_FOUND');
  });
});

describe('rotateApiKey (SA-3)', () => {
  it('SA-3 rotation with no overlap issues a new key and revokes the old one at once; one event', async () => {
    const w = await world();
    const { value: old } = await succeeds(w.t, () => w.kit.createApiKey(w.owner, { name: 'deploy', serviceAccountId: w.sa.id }));
    w.clock.advance({ days: 1 });
    const now = w.clock.now().toISOString();
    const { value: rotated, event } = await succeeds(w.t, () => w.kit.rotateApiKey(w.admin, { keyId: old.key.id }));
    expect(rotated.key).toMatchObject({ owner: w.bot, accountId: w.account.id, name: 'deploy', createdAt: now, expiresAt: null, revokedAt: null, version: 1 });
    expect(rotated.key.id).not.toBe(old.key.id);
    expect(rotated.previous).toEqual({ ...old.key, revokedAt: now, rotatedTo: rotated.key.id, version: 2 });
    expect(event).toMatchObject({
      action: 'api-key.rotated',
      subject: { type: 'api-key', id: old.key.id },
      details: { name: 'deploy', owner: w.bot, newKeyId: rotated.key.id, previousValidUntil: now },
    });
    expect(errorOf(await w.kit.resolveApiKey({ key: old.secret.reveal() }))).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'revoked' });
    expect(valueOf(await w.kit.resolveApiKey({ key: rotated.secret.reveal() })).principal).toEqual(w.bot);
    expect(w.store.snapshot().apiKeys.map((k) => k.id)).toEqual([old.key.id, rotated.key.id]);
  });

  it('SA-3 with an overlap the old key keeps working for exactly that long, then expires', async () => {
    const w = await world();
    const { value: old } = await succeeds(w.t, () => w.kit.createApiKey(w.owner, { name: 'deploy', serviceAccountId: w.sa.id }));
    const now = w.clock.now().toISOString();
    const { value: rotated, event } = await succeeds(w.t, () => w.kit.rotateApiKey(w.owner, { keyId: old.key.id, overlapHours: 24 }));
    expect(rotated.previous).toMatchObject({ expiresAt: plusHours(now, 24), revokedAt: null, rotatedTo: rotated.key.id });
    expect(event.details).toMatchObject({ previousValidUntil: plusHours(now, 24) });
    w.clock.advance({ hours: 23, minutes: 59 });
    expect(valueOf(await w.kit.resolveApiKey({ key: old.secret.reveal() })).principal).toEqual(w.bot);
    w.clock.advance({ minutes: 1 });
    expect(errorOf(await w.kit.resolveApiKey({ key: old.secret.reveal() }))).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'expired' });
    expect(valueOf(await w.kit.resolveApiKey({ key: rotated.secret.reveal() })).principal).toEqual(w.bot);
  });

  it('SA-3 the overlap is at most 48 hours: 48 is accepted, more is VALIDATION', async () => {
    const w = await world();
    expect(MAX_ROTATION_OVERLAP_HOURS).toBe(48);
    const { value: old } = await succeeds(w.t, () => w.kit.createApiKey(w.owner, { name: 'deploy', serviceAccountId: w.sa.id }));
    for (const overlapHours of [48.5, 49, 1000, -1]) {
      expect((await fails(w.t, () => w.kit.rotateApiKey(w.owner, { keyId: old.key.id, overlapHours }))).code, String(overlapHours)).toBe('VALIDATION');
    }
    const now = w.clock.now().toISOString();
    const { value } = await succeeds(w.t, () => w.kit.rotateApiKey(w.owner, { keyId: old.key.id, overlapHours: 48 }));
    expect(value.previous.expiresAt).toBe(plusHours(now, 48));
  });

  it('SA-3 the overlap never extends the old key beyond its own expiry; the new key keeps it unless told otherwise', async () => {
    const w = await world();
    const expiresAt = plusHours(w.clock.now().toISOString(), 10);
    const { value: old } = await succeeds(w.t, () => w.kit.createApiKey(w.member, { name: 'k', expiresAt }));
    const { value } = await succeeds(w.t, () => w.kit.rotateApiKey(w.member, { keyId: old.key.id, overlapHours: 48 }));
    expect(value.previous.expiresAt).toBe(expiresAt);
    expect(value.key.expiresAt).toBe(expiresAt);
    const { value: again } = await succeeds(w.t, () => w.kit.rotateApiKey(w.member, { keyId: value.key.id, expiresAt: null }));
    expect(again.key.expiresAt).toBeNull();
  });

  it('SA-3 a revoked or expired key cannot be rotated: VALIDATION', async () => {
    const w = await world();
    const { value: a } = await succeeds(w.t, () => w.kit.createApiKey(w.member, { name: 'a' }));
    await succeeds(w.t, () => w.kit.revokeApiKey(w.member, { keyId: a.key.id }));
    expect((await fails(w.t, () => w.kit.rotateApiKey(w.member, { keyId: a.key.id }))).code).toBe('VALIDATION');
    const { value: b } = await succeeds(w.t, () => w.kit.createApiKey(w.member, { name: 'b', expiresAt: plusHours(w.clock.now().toISOString(), 1) }));
    w.clock.advance({ hours: 2 });
    expect((await fails(w.t, () => w.kit.rotateApiKey(w.member, { keyId: b.key.id }))).code).toBe('VALIDATION');
  });

  it('SA-3 a user rotates its own key', async () => {
    const w = await world();
    const { value: old } = await succeeds(w.t, () => w.kit.createApiKey(w.member, { name: 'laptop' }));
    const { value } = await succeeds(w.t, () => w.kit.rotateApiKey(w.member, { keyId: old.key.id }));
    expect(value.key.owner).toEqual(w.member);
    expect(valueOf(await w.kit.resolveApiKey({ key: value.secret.reveal() })).principal).toEqual(w.member);
  });
});
