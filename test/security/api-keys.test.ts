/**
 * Security of API keys (SA-2, SA-3, COL-2) and of every secret the kit hands out.
 *
 * - A secret never leaks: not in errors, not in audit events, not in the store (only its
 *   SHA-256 is kept), not in `JSON.stringify` / `String` / `util.inspect` of any value any kit
 *   method returns — checked over a scenario that calls every kit method.
 * - Expired, revoked, rotated-out, tampered and unknown keys are refused; tampered and unknown
 *   keys are always `invalid-key`, whatever the state of the key they point at.
 * - Rotation (SA-3): the old key works until exactly now + overlap and not after; at most 48 h.
 * - A key acts with its principal's access (SA-2, COL-2): when the principal loses access, the
 *   key still resolves but the principal sees nothing; deleting a service account kills its keys.
 */
import { inspect } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MemoryStore } from '../../src/adapters/memory/memory-store.js';
import { asServiceAccount, asUser, system, type Principal } from '../../src/core/principal.js';
import { Secret, hashSecret, secretMatches } from '../../src/core/secret.js';
import type { RegisteredUser } from '../../src/kit/account-commands.js';
import type { KitResult, WorkspaceKit } from '../../src/kit/workspace-kit.js';
import { createTestKit, type TestKit } from '../../src/testing/test-kit.js';
import { codeOf, errorOf, valueOf } from '../support/harness.js';

const KEY = /^wkk\.([^.]+)\.([0-9A-Za-z_-]{32})$/;
const HOUR = 3_600_000;

function partsOf(secret: string): { id: string; random: string } {
  const m = KEY.exec(secret);
  if (!m) throw new Error(`not an API key: ${secret}`);
  return { id: m[1]!, random: m[2]! };
}

const otherChar = (c: string): string => (c === 'a' ? 'b' : 'a');
const at = (t: TestKit<MemoryStore>, ms: number): string => new Date(t.clock.now().getTime() + ms).toISOString();

/** Runs a refused call and checks that it changed nothing and published nothing. */
async function refused(t: TestKit<MemoryStore>, call: () => KitResult<unknown>) {
  const before = t.store.snapshot();
  const published = t.events.length;
  const error = errorOf(await call());
  expect(t.store.snapshot()).toEqual(before);
  expect(t.events.length).toBe(published);
  return error;
}

interface World {
  readonly t: TestKit<MemoryStore>;
  readonly owner: RegisteredUser;
  readonly bob: RegisteredUser;
  readonly accountId: string;
  readonly workspaceId: string;
}

async function world(): Promise<World> {
  const t = createTestKit();
  const { account, owner, members } = await t.seed.organization({ planId: 'pro', handle: 'acme', members: ['member'] });
  const ws = await t.seed.workspace(account.id, { handle: 'prod' });
  return { t, owner, bob: members[0]!.user, accountId: account.id, workspaceId: ws.id };
}

let w: World;
beforeEach(async () => {
  w = await world();
});

describe('SA-2 expired, revoked and tampered keys are refused', () => {
  it('SA-2 a key with an expiry works until just before it and is expired from the expiry on', async () => {
    const me = asUser(w.bob.user.id);
    const issued = valueOf(await w.t.kit.createApiKey(me, { name: 'ci', expiresAt: at(w.t, HOUR) }));
    const key = issued.secret.reveal();
    expect(valueOf(await w.t.kit.resolveApiKey({ key })).principal).toEqual(me);
    w.t.clock.advance({ hours: 1, ms: -1 });
    expect(codeOf(await w.t.kit.resolveApiKey({ key }))).toBe('ok');
    w.t.clock.advance({ ms: 1 });
    expect(errorOf(await w.t.kit.resolveApiKey({ key }))).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'expired' });
    w.t.clock.advance({ days: 400 });
    expect(errorOf(await w.t.kit.resolveApiKey({ key }))).toMatchObject({ reason: 'expired' });
    // An expired key cannot be rotated back to life.
    expect((await refused(w.t, () => w.t.kit.rotateApiKey(me, { keyId: issued.key.id, overlapHours: 1 }))).code).toBe('VALIDATION');
  });

  it('SA-2 an expiry in the past or now is VALIDATION', async () => {
    const me = asUser(w.bob.user.id);
    for (const expiresAt of [at(w.t, 0), at(w.t, -1), '2000-01-01T00:00:00Z']) {
      expect((await refused(w.t, () => w.t.kit.createApiKey(me, { name: 'x', expiresAt }))).code, expiresAt).toBe('VALIDATION');
    }
  });

  it('SA-2 revocation is immediate; a revoked key is refused as revoked and cannot be rotated', async () => {
    const me = asUser(w.bob.user.id);
    const issued = valueOf(await w.t.kit.createApiKey(me, { name: 'laptop', expiresAt: at(w.t, 2 * HOUR) }));
    const key = issued.secret.reveal();
    expect(codeOf(await w.t.kit.resolveApiKey({ key }))).toBe('ok');
    const revoked = valueOf(await w.t.kit.revokeApiKey(me, { keyId: issued.key.id }));
    expect(revoked.revokedAt).toBe(w.t.clock.now().toISOString());
    // Same instant, no clock move: already refused.
    expect(errorOf(await w.t.kit.resolveApiKey({ key }))).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'revoked' });
    w.t.clock.advance({ hours: 3 });
    // Revoked wins over expired.
    expect(errorOf(await w.t.kit.resolveApiKey({ key }))).toMatchObject({ reason: 'revoked' });
    w.t.clock.advance({ hours: -3 });
    expect((await refused(w.t, () => w.t.kit.rotateApiKey(me, { keyId: issued.key.id }))).code).toBe('VALIDATION');
  });

  it('SA-2 another user can neither revoke, rotate nor list a key: NOT_FOUND, nothing changes', async () => {
    const issued = valueOf(await w.t.kit.createApiKey(asUser(w.bob.user.id), { name: 'laptop' }));
    const stranger = asUser(w.owner.user.id);
    expect((await refused(w.t, () => w.t.kit.revokeApiKey(stranger, { keyId: issued.key.id }))).code).toBe('NOT_FOUND');
    expect((await refused(w.t, () => w.t.kit.rotateApiKey(stranger, { keyId: issued.key.id }))).code).toBe('NOT_FOUND');
    expect(valueOf(await w.t.kit.listApiKeys(stranger, {})).items).toEqual([]);
    expect(codeOf(await w.t.kit.resolveApiKey({ key: issued.secret.reveal() }))).toBe('ok');
  });

  it('SA-2 every tampering of a key is invalid-key, even when it points at a revoked or expired key', async () => {
    const me = asUser(w.bob.user.id);
    const live = valueOf(await w.t.kit.createApiKey(me, { name: 'live' }));
    const revoked = valueOf(await w.t.kit.createApiKey(me, { name: 'revoked' }));
    const expiring = valueOf(await w.t.kit.createApiKey(me, { name: 'expiring', expiresAt: at(w.t, HOUR) }));
    valueOf(await w.t.kit.revokeApiKey(me, { keyId: revoked.key.id }));
    w.t.clock.advance({ hours: 2 });
    const key = live.secret.reveal();
    const { id, random } = partsOf(key);
    const tampered: string[] = [];
    for (let i = 0; i < random.length; i += 1) tampered.push(`wkk.${id}.${random.slice(0, i)}${otherChar(random[i]!)}${random.slice(i + 1)}`);
    tampered.push(
      `wkk.${revoked.key.id}.${random}`,
      `wkk.${expiring.key.id}.${random}`,
      `wkk.key_999.${random}`,
      `wki.${id}.${random}`,
      `WKK.${id}.${random}`,
      `${id}.${random}`,
      key.slice(0, -1),
      `${key}x`,
      ` ${key}`,
      `Bearer ${key}`,
      `wkk.${id}.`,
      `wkk..${random}`,
      `wkk.${id}.${random.toUpperCase()}`,
      `wkk.${id}.${hashSecret(random).slice(0, 32)}`,
    );
    for (const [status, k] of [
      ['revoked', revoked],
      ['expired', expiring],
    ] as const) {
      const own = partsOf(k.secret.reveal()).random;
      tampered.push(`wkk.${k.key.id}.${otherChar(own[0]!)}${own.slice(1)}`);
      // The genuine secret tells its status: the tampered one must not.
      expect(errorOf(await w.t.kit.resolveApiKey({ key: k.secret.reveal() }))).toMatchObject({ reason: status });
    }
    for (const presented of tampered) {
      const error = errorOf(await w.t.kit.resolveApiKey({ key: presented }));
      expect(error, presented).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'invalid-key' });
    }
    for (const presented of ['', 'x'.repeat(301)]) expect(errorOf(await w.t.kit.resolveApiKey({ key: presented })).code).toBe('VALIDATION');
    expect(valueOf(await w.t.kit.resolveApiKey({ key })).principal).toEqual(me);
  });

  it('SA-2 an error never contains the presented secret or its random part', async () => {
    const me = asUser(w.bob.user.id);
    const live = valueOf(await w.t.kit.createApiKey(me, { name: 'live' }));
    const dead = valueOf(await w.t.kit.createApiKey(me, { name: 'dead' }));
    valueOf(await w.t.kit.revokeApiKey(me, { keyId: dead.key.id }));
    const key = live.secret.reveal();
    const { id, random } = partsOf(key);
    const presented = [
      `wkk.${id}.${otherChar(random[0]!)}${random.slice(1)}`,
      `wkk.${id}.${random.slice(0, 31)}${otherChar(random[31]!)}`,
      `${key}x`,
      `wkk.key_999.${random}`,
      dead.secret.reveal(),
      'x'.repeat(301),
    ];
    for (const p of presented) {
      const error = errorOf(await w.t.kit.resolveApiKey({ key: p }));
      const texts = [JSON.stringify(error), String(error.message), inspect(error, { depth: Infinity })];
      for (const text of texts) {
        expect(text).not.toContain(random);
        expect(text).not.toContain(random.slice(1));
        expect(text).not.toContain(random.slice(0, 31));
        expect(text).not.toContain(partsOf(dead.secret.reveal()).random);
      }
    }
  });
});

describe('SA-3 rotation keeps the old key alive for exactly the overlap, at most 48 hours', () => {
  for (const hours of [0.5, 1, 24, 48]) {
    it(`SA-3 overlap ${hours} h: the old key works until exactly now + ${hours} h and not after; the new one throughout`, async () => {
      const { t, owner, accountId } = w;
      const actor = asUser(owner.user.id);
      const bot = valueOf(await t.kit.createServiceAccount(actor, { accountId, name: 'bot' }));
      const old = valueOf(await t.kit.createApiKey(actor, { name: 'ci', serviceAccountId: bot.id }));
      t.clock.advance({ hours: 5 });
      const rotatedAt = t.clock.now().getTime();
      const rotated = valueOf(await t.kit.rotateApiKey(actor, { keyId: old.key.id, overlapHours: hours }));
      const end = new Date(rotatedAt + hours * HOUR).toISOString();
      expect(rotated.previous).toMatchObject({ id: old.key.id, expiresAt: end, revokedAt: null, rotatedTo: rotated.key.id });
      expect(rotated.key).toMatchObject({ owner: asServiceAccount(bot.id), name: 'ci', expiresAt: null, revokedAt: null });
      const oldKey = old.secret.reveal();
      const newKey = rotated.secret.reveal();
      expect(partsOf(newKey).id).toBe(rotated.key.id);
      t.clock.set(new Date(rotatedAt + hours * HOUR - 1));
      expect(valueOf(await t.kit.resolveApiKey({ key: oldKey })).principal).toEqual(asServiceAccount(bot.id));
      t.clock.set(end);
      expect(errorOf(await t.kit.resolveApiKey({ key: oldKey }))).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'expired' });
      t.clock.advance({ ms: 1 });
      expect(errorOf(await t.kit.resolveApiKey({ key: oldKey }))).toMatchObject({ reason: 'expired' });
      t.clock.advance({ days: 30 });
      expect(valueOf(await t.kit.resolveApiKey({ key: newKey })).principal).toEqual(asServiceAccount(bot.id));
      const event = t.events.find((e) => e.action === 'api-key.rotated')!;
      expect(event.details).toMatchObject({ newKeyId: rotated.key.id, previousValidUntil: end });
    });
  }

  it('SA-3 overlap 0 (and the default) revokes the old key at once', async () => {
    const me = asUser(w.bob.user.id);
    for (const input of [{ overlapHours: 0 }, {}]) {
      const old = valueOf(await w.t.kit.createApiKey(me, { name: 'k' }));
      const rotated = valueOf(await w.t.kit.rotateApiKey(me, { keyId: old.key.id, ...input }));
      expect(rotated.previous).toMatchObject({ revokedAt: w.t.clock.now().toISOString(), rotatedTo: rotated.key.id });
      expect(errorOf(await w.t.kit.resolveApiKey({ key: old.secret.reveal() }))).toMatchObject({ reason: 'revoked' });
      expect(codeOf(await w.t.kit.resolveApiKey({ key: rotated.secret.reveal() }))).toBe('ok');
    }
  });

  it('SA-3 an overlap above 48 h (49, 48.001) or negative is VALIDATION and changes nothing; the old key keeps working', async () => {
    const me = asUser(w.bob.user.id);
    const old = valueOf(await w.t.kit.createApiKey(me, { name: 'k' }));
    for (const overlapHours of [49, 48.001, 1000, -1, Number.POSITIVE_INFINITY]) {
      const error = await refused(w.t, () => w.t.kit.rotateApiKey(me, { keyId: old.key.id, overlapHours }));
      expect(error.code, String(overlapHours)).toBe('VALIDATION');
    }
    w.t.clock.advance({ days: 100 });
    expect(codeOf(await w.t.kit.resolveApiKey({ key: old.secret.reveal() }))).toBe('ok');
  });

  it('SA-3 the overlap never extends a key that would have expired sooner', async () => {
    const me = asUser(w.bob.user.id);
    const expiresAt = at(w.t, 2 * HOUR);
    const old = valueOf(await w.t.kit.createApiKey(me, { name: 'k', expiresAt }));
    const rotated = valueOf(await w.t.kit.rotateApiKey(me, { keyId: old.key.id, overlapHours: 24 }));
    expect(rotated.previous.expiresAt).toBe(expiresAt);
    w.t.clock.advance({ hours: 2 });
    expect(errorOf(await w.t.kit.resolveApiKey({ key: old.secret.reveal() }))).toMatchObject({ reason: 'expired' });
  });
});

describe('SA-2 COL-2 a key acts with its principal access, and loses it when the principal does', () => {
  async function reachable(principal: Principal, workspaceId: string): Promise<string> {
    return codeOf(await w.t.kit.getWorkspace(principal, { workspaceId }));
  }

  it('SHR-1 SA-2 unshare: the member key still resolves, its principal gets NOT_FOUND on the workspace; re-sharing restores it', async () => {
    const owner = asUser(w.owner.user.id);
    const bob = asUser(w.bob.user.id);
    valueOf(await w.t.kit.shareWorkspace(owner, { workspaceId: w.workspaceId, grantee: bob, role: 'developer' }));
    const key = valueOf(await w.t.kit.createApiKey(bob, { name: 'laptop' })).secret.reveal();
    const principal = valueOf(await w.t.kit.resolveApiKey({ key })).principal;
    expect(await reachable(principal, w.workspaceId)).toBe('ok');
    valueOf(await w.t.kit.unshareWorkspace(owner, { workspaceId: w.workspaceId, grantee: bob }));
    const after = valueOf(await w.t.kit.resolveApiKey({ key })).principal;
    expect(after).toEqual(bob);
    expect(await reachable(after, w.workspaceId)).toBe('NOT_FOUND');
    expect(codeOf(await w.t.kit.trackResources(after, { workspaceId: w.workspaceId, resources: [{ kind: 'flow', name: 'x' }] }))).toBe(
      'NOT_FOUND',
    );
    valueOf(await w.t.kit.shareWorkspace(owner, { workspaceId: w.workspaceId, grantee: bob, role: 'viewer' }));
    expect(await reachable(valueOf(await w.t.kit.resolveApiKey({ key })).principal, w.workspaceId)).toBe('ok');
  });

  it('ACC-3 SA-2 removeMember: the removed member key resolves, but its principal sees neither the workspace nor the account', async () => {
    const owner = asUser(w.owner.user.id);
    const bob = asUser(w.bob.user.id);
    valueOf(await w.t.kit.shareWorkspace(owner, { workspaceId: w.workspaceId, grantee: bob, role: 'developer' }));
    const key = valueOf(await w.t.kit.createApiKey(bob, { name: 'laptop' })).secret.reveal();
    expect(await reachable(bob, w.workspaceId)).toBe('ok');
    valueOf(await w.t.kit.removeMember(owner, { accountId: w.accountId, userId: w.bob.user.id }));
    const principal = valueOf(await w.t.kit.resolveApiKey({ key })).principal;
    expect(principal).toEqual(bob);
    expect(await reachable(principal, w.workspaceId)).toBe('NOT_FOUND');
    expect(codeOf(await w.t.kit.getAccount(principal, { accountId: w.accountId }))).toBe('NOT_FOUND');
    expect(valueOf(await w.t.kit.listWorkspaceAccess(system(), { workspaceId: w.workspaceId })).items).toEqual([]);
  });

  it('COL-2 SA-2 a collaborator removed from a personal workspace: its key resolves, the workspace is NOT_FOUND', async () => {
    const ada = await w.t.seed.user({ planId: 'starter' });
    const ws = await w.t.seed.workspace(ada.account.id);
    const carl = await w.t.seed.user({ email: 'carl@example.com' });
    const token = valueOf(await w.t.kit.inviteCollaborator(asUser(ada.user.id), { workspaceId: ws.id, email: 'carl@example.com' })).token;
    valueOf(await w.t.kit.acceptInvitation(asUser(carl.user.id), { token: token.reveal() }));
    const key = valueOf(await w.t.kit.createApiKey(asUser(carl.user.id), { name: 'k' })).secret.reveal();
    expect(await reachable(valueOf(await w.t.kit.resolveApiKey({ key })).principal, ws.id)).toBe('ok');
    valueOf(await w.t.kit.unshareWorkspace(asUser(ada.user.id), { workspaceId: ws.id, grantee: asUser(carl.user.id) }));
    expect(await reachable(valueOf(await w.t.kit.resolveApiKey({ key })).principal, ws.id)).toBe('NOT_FOUND');
  });

  it('SA-1 SA-2 a service account key: unshared → NOT_FOUND; service account deleted → the key is invalid-key', async () => {
    const owner = asUser(w.owner.user.id);
    const bot = valueOf(await w.t.kit.createServiceAccount(owner, { accountId: w.accountId, name: 'bot' }));
    const sa = asServiceAccount(bot.id);
    valueOf(await w.t.kit.shareWorkspace(owner, { workspaceId: w.workspaceId, grantee: sa, role: 'runner' }));
    const keys = [
      valueOf(await w.t.kit.createApiKey(owner, { name: 'a', serviceAccountId: bot.id })).secret.reveal(),
      valueOf(await w.t.kit.createApiKey(owner, { name: 'b', serviceAccountId: bot.id, expiresAt: at(w.t, HOUR) })).secret.reveal(),
    ];
    for (const key of keys) expect(await reachable(valueOf(await w.t.kit.resolveApiKey({ key })).principal, w.workspaceId)).toBe('ok');
    valueOf(await w.t.kit.unshareWorkspace(owner, { workspaceId: w.workspaceId, grantee: sa }));
    for (const key of keys) {
      const principal = valueOf(await w.t.kit.resolveApiKey({ key })).principal;
      expect(principal).toEqual(sa);
      expect(await reachable(principal, w.workspaceId)).toBe('NOT_FOUND');
    }
    valueOf(await w.t.kit.shareWorkspace(owner, { workspaceId: w.workspaceId, grantee: sa, role: 'runner' }));
    valueOf(await w.t.kit.deleteServiceAccount(owner, { serviceAccountId: bot.id }));
    for (const key of keys) expect(errorOf(await w.t.kit.resolveApiKey({ key }))).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'invalid-key' });
    expect(codeOf(await w.t.kit.listApiKeys(owner, { serviceAccountId: bot.id }))).toBe('NOT_FOUND');
    expect(w.t.store.snapshot().apiKeys.filter((k) => k.owner.type === 'service-account')).toEqual([]);
    expect(await reachable(sa, w.workspaceId)).toBe('NOT_FOUND');
  });
});

// ---------------------------------------------------------------------------------------------
// No secret leaks anywhere, over a scenario that calls every kit method
// ---------------------------------------------------------------------------------------------

/** Wraps a kit so that every value and error any of its methods returns is kept. */
function recording(kit: WorkspaceKit): { kit: WorkspaceKit; returned: unknown[]; called: Set<string> } {
  const returned: unknown[] = [];
  const called = new Set<string>();
  const proxy = new Proxy(kit, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string' || prop === 'subscribe') return value;
      return (...args: unknown[]) => {
        called.add(prop);
        const result = (value as (...a: unknown[]) => KitResult<unknown>).apply(target, args);
        return result
          .map((v) => {
            returned.push(v);
            return v;
          })
          .mapErr((e) => {
            returned.push(e);
            return e;
          });
      };
    },
  });
  return { kit: proxy, returned, called };
}

/** Every way a returned value might be printed or serialized by a careless host. */
function renderings(value: unknown): string[] {
  return [
    JSON.stringify(value) ?? '',
    String(value),
    inspect(value, { depth: Infinity }),
    inspect(value, { depth: Infinity, showHidden: true }),
    inspect(value, { depth: Infinity, getters: true }),
  ];
}

/** The kit methods the leak scenario below calls. */
const SCENARIO_METHODS: readonly (keyof WorkspaceKit)[] = [
  'registerUser',
  'createOrganization',
  'addMember',
  'changeMemberRole',
  'removeMember',
  'changePlan',
  'getAccount',
  'getAccountRole',
  'listAccounts',
  'listMembers',
  'createWorkspace',
  'getWorkspace',
  'getWorkspaceByHandle',
  'listWorkspaces',
  'updateWorkspace',
  'previewWorkspaceDeletion',
  'deleteWorkspace',
  'trackResources',
  'listAuditEvents',
  'shareWorkspace',
  'changeWorkspaceRole',
  'unshareWorkspace',
  'listWorkspaceAccess',
  'setDefaultWorkspaceRole',
  'explainAccess',
  'createCustomRole',
  'deleteCustomRole',
  'listCustomRoles',
  'inviteMember',
  'inviteCollaborator',
  'resendInvitation',
  'revokeInvitation',
  'acceptInvitation',
  'rejectInvitation',
  'listInvitations',
  'createServiceAccount',
  'deleteServiceAccount',
  'listServiceAccounts',
  'createApiKey',
  'listApiKeys',
  'revokeApiKey',
  'rotateApiKey',
  'resolveApiKey',
];

describe('SA-2 INV-2 no secret ever leaks', () => {
  it('Secret prints [redacted] in every way and exposes no own property', () => {
    const s = new Secret('wkk.key_1.abcdefghijklmnopqrstuvwxyz012345');
    // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- a careless host interpolating a secret is the point
    for (const text of [...renderings(s), `${s}`, JSON.stringify({ s }), inspect({ nested: [s] })]) {
      expect(text).not.toContain('abcdefghijklmnopqrstuvwxyz012345');
    }
    expect(JSON.stringify(s)).toBe('"[redacted]"');
    expect(Object.keys(s)).toEqual([]);
    expect(Object.getOwnPropertyNames(s)).toEqual([]);
    expect(structuredClone({ s }).s).toEqual({});
    expect(s.reveal()).toBe('wkk.key_1.abcdefghijklmnopqrstuvwxyz012345');
  });

  it('SA-2 INV-2 AUD-1 over every kit method: no returned value, error, audit event or stored record holds a secret or its random part', async () => {
    const t = createTestKit();
    const { kit, returned, called } = recording(t.kit);
    const secrets: string[] = [];
    const keep = (s: Secret): string => {
      secrets.push(s.reveal());
      return s.reveal();
    };
    const sys = system('leak-check');

    // Users, an organization, workspaces.
    const ada = valueOf(await kit.registerUser(sys, { email: 'ada@example.com', displayName: 'Ada', handle: 'ada', planId: 'pro' }));
    const bob = valueOf(await kit.registerUser(sys, { email: 'bob@example.com', displayName: 'Bob', handle: 'bob', planId: 'pro' }));
    const carl = valueOf(await kit.registerUser(sys, { email: 'carl@example.com', displayName: 'Carl', handle: 'carl', planId: 'pro' }));
    const A = asUser(ada.user.id);
    const B = asUser(bob.user.id);
    const acme = valueOf(await kit.createOrganization(A, { handle: 'acme', displayName: 'Acme', planId: 'pro' }));
    valueOf(await kit.changePlan(A, { accountId: acme.id, planId: 'enterprise' }));
    valueOf(await kit.addMember(A, { accountId: acme.id, userId: carl.user.id, role: 'member' }));
    valueOf(await kit.changeMemberRole(A, { accountId: acme.id, userId: carl.user.id, role: 'admin' }));
    const ws = valueOf(await kit.createWorkspace(A, { accountId: acme.id, handle: 'prod' }));
    const tmp = valueOf(await kit.createWorkspace(A, { accountId: acme.id, handle: 'tmp' }));
    valueOf(await kit.updateWorkspace(A, { workspaceId: ws.id, description: 'production' }));
    valueOf(await kit.trackResources(A, { workspaceId: ws.id, resources: [{ kind: 'flow', name: 'etl' }] }));
    valueOf(await kit.previewWorkspaceDeletion(A, { workspaceId: tmp.id }));
    valueOf(await kit.deleteWorkspace(A, { workspaceId: tmp.id }));

    // Invitations: member and collaborator; resend, reject, revoke, accept (with newUser too).
    const invBob = valueOf(await kit.inviteMember(A, { accountId: acme.id, email: 'bob@example.com', role: 'member' }));
    keep(invBob.token);
    const resent = valueOf(await kit.resendInvitation(A, { invitationId: invBob.invitation.id }));
    const bobToken = keep(resent.token);
    errorOf(await kit.acceptInvitation(B, { token: invBob.token.reveal() }));
    valueOf(await kit.acceptInvitation(B, { token: bobToken }));
    const invDan = valueOf(await kit.inviteMember(A, { accountId: acme.id, email: 'dan@example.com', role: 'member' }));
    valueOf(await kit.acceptInvitation(sys, { token: keep(invDan.token), newUser: { displayName: 'Dan', handle: 'dan' } }));
    const invEve = valueOf(await kit.inviteMember(A, { accountId: acme.id, email: 'eve@example.com', role: 'member' }));
    valueOf(await kit.rejectInvitation(sys, { token: keep(invEve.token) }));
    const invFay = valueOf(await kit.inviteMember(A, { accountId: acme.id, email: 'fay@example.com', role: 'admin' }));
    keep(invFay.token);
    valueOf(await kit.revokeInvitation(A, { invitationId: invFay.invitation.id }));
    const personalWs = valueOf(await kit.createWorkspace(B, { accountId: bob.account.id, handle: 'mine' }));
    const invCarl = valueOf(await kit.inviteCollaborator(B, { workspaceId: personalWs.id, email: 'carl@example.com' }));
    valueOf(await kit.acceptInvitation(asUser(carl.user.id), { token: keep(invCarl.token) }));
    valueOf(await kit.listInvitations(A, { accountId: acme.id }));

    // Roles and sharing.
    const role = valueOf(await kit.createCustomRole(A, { accountId: acme.id, name: 'Deployer', scopes: ['manage_deployments'], inherits: 'runner' }));
    const spare = valueOf(await kit.createCustomRole(A, { accountId: acme.id, name: 'Spare', scopes: ['see_flows'] }));
    valueOf(await kit.listCustomRoles(A, { accountId: acme.id }));
    valueOf(await kit.deleteCustomRole(A, { roleId: spare.id }));
    valueOf(await kit.shareWorkspace(A, { workspaceId: ws.id, grantee: B, role: 'runner' }));
    valueOf(await kit.changeWorkspaceRole(A, { workspaceId: ws.id, grantee: B, role: role.id }));
    valueOf(await kit.setDefaultWorkspaceRole(A, { workspaceId: ws.id, role: 'viewer' }));
    valueOf(await kit.explainAccess(A, { workspaceId: ws.id, principal: B }));
    valueOf(await kit.listWorkspaceAccess(A, { workspaceId: ws.id }));

    // Service accounts and keys: create, list, rotate (both ways), revoke, resolve, delete.
    const bot = valueOf(await kit.createServiceAccount(A, { accountId: acme.id, name: 'bot' }));
    valueOf(await kit.listServiceAccounts(A, { accountId: acme.id }));
    valueOf(await kit.shareWorkspace(A, { workspaceId: ws.id, grantee: asServiceAccount(bot.id), role: 'developer' }));
    const botKey = valueOf(await kit.createApiKey(A, { name: 'ci', serviceAccountId: bot.id }));
    keep(botKey.secret);
    const rotated = valueOf(await kit.rotateApiKey(A, { keyId: botKey.key.id, overlapHours: 12 }));
    const botSecret = keep(rotated.secret);
    const resolved = valueOf(await kit.resolveApiKey({ key: botSecret }));
    valueOf(await kit.getWorkspace(resolved.principal, { workspaceId: ws.id }));
    valueOf(await kit.listAccounts(resolved.principal));
    valueOf(await kit.listApiKeys(A, { serviceAccountId: bot.id }));
    const bobKey = valueOf(await kit.createApiKey(B, { name: 'laptop', expiresAt: new Date(Date.parse(ws.createdAt) + 86_400_000).toISOString() }));
    keep(bobKey.secret);
    const bobRotated = valueOf(await kit.rotateApiKey(B, { keyId: bobKey.key.id }));
    keep(bobRotated.secret);
    const sysKey = valueOf(await kit.createApiKey(sys, { name: 'ops', userId: carl.user.id }));
    keep(sysKey.secret);
    valueOf(await kit.revokeApiKey(asUser(carl.user.id), { keyId: sysKey.key.id }));
    valueOf(await kit.listApiKeys(B, {}));
    // Refusals of every kind of presented secret, each carrying a secret's pieces.
    for (const s of [...secrets]) {
      const random = s.slice(-32);
      const tampered = `${s.slice(0, -32)}${otherChar(random[0]!)}${random.slice(1)}`;
      errorOf(await kit.resolveApiKey({ key: tampered }));
      errorOf(await kit.resolveApiKey({ key: `${s}x` }));
      errorOf(await kit.acceptInvitation(B, { token: tampered }));
      errorOf(await kit.rejectInvitation(B, { token: `${s}x` }));
    }
    errorOf(await kit.rotateApiKey(B, { keyId: bobKey.key.id, overlapHours: 49 }));
    valueOf(await kit.deleteServiceAccount(A, { serviceAccountId: bot.id }));
    errorOf(await kit.resolveApiKey({ key: botSecret }));
    valueOf(await kit.unshareWorkspace(A, { workspaceId: ws.id, grantee: B }));
    valueOf(await kit.removeMember(A, { accountId: acme.id, userId: bob.user.id }));

    // Queries of everything else.
    valueOf(await kit.getAccount(A, { accountId: acme.id }));
    valueOf(await kit.getAccountRole(A, { accountId: acme.id }));
    valueOf(await kit.listMembers(A, { accountId: acme.id }));
    valueOf(await kit.getWorkspaceByHandle(A, { fullHandle: 'acme/prod' }));
    valueOf(await kit.listWorkspaces(A, { accountId: acme.id }));
    const auditAcme = valueOf(await kit.listAuditEvents(A, { accountId: acme.id, limit: 500 }));
    const auditSys: unknown[] = [];
    for (const accountId of [acme.id, ada.account.id, bob.account.id, carl.account.id]) {
      auditSys.push(valueOf(await kit.listAuditEvents(sys, { accountId, limit: 500 })));
    }

    // Every kit method of accounts, workspaces, roles, sharing, invitations and credentials was
    // called at least once (transfers and retention hand out no secret).
    expect([...called].sort()).toEqual([...SCENARIO_METHODS].sort());
    expect(auditAcme.items.length).toBeGreaterThan(30);

    const randoms = secrets.map((s) => s.slice(-32));
    expect(secrets.length).toBe(11);
    expect(new Set(randoms).size).toBe(secrets.length);
    const needles = [...secrets, ...randoms];
    const haystacks: [string, string][] = [];
    for (const [i, value] of returned.entries()) for (const text of renderings(value)) haystacks.push([`returned #${i}`, text]);
    for (const text of renderings(t.events)) haystacks.push(['published events', text]);
    for (const text of renderings(auditSys)) haystacks.push(['audit log', text]);
    const snapshot = t.store.snapshot();
    haystacks.push(['store', JSON.stringify(snapshot)], ['store (inspect)', inspect(snapshot, { depth: Infinity })]);
    const leaks: string[] = [];
    for (const [where, text] of haystacks) {
      for (const needle of needles) if (text.includes(needle)) leaks.push(`${where} contains ${needle}`);
    }
    expect(leaks).toEqual([]);

    // What is stored is the SHA-256 of the random part, nothing more. The bot's keys went with
    // the bot; Bob's two (rotated) keys and Carl's revoked key remain.
    let checked = 0;
    for (const s of secrets.filter((x) => x.startsWith('wkk.'))) {
      const { id, random } = partsOf(s);
      const record = snapshot.apiKeys.find((k) => k.id === id);
      if (record) {
        checked += 1;
        expect(record.secretHash).toBe(hashSecret(random));
        expect(Object.keys(record).sort()).toEqual(
          ['accountId', 'createdAt', 'expiresAt', 'id', 'name', 'owner', 'revokedAt', 'rotatedTo', 'secretHash', 'version'].sort(),
        );
      }
    }
    expect(snapshot.apiKeys).toHaveLength(3);
    expect(checked).toBe(3);
  });
});

describe('INV-2 SA-2 secrets are compared in constant time', () => {
  // The constant-time property comes from `crypto.timingSafeEqual` over two fixed-length
  // (32-byte SHA-256) digests in `secretMatches` (src/core/secret.ts): the comparison time does
  // not depend on where the presented secret first differs. A timing measurement would be
  // flaky, so we check behaviour here and that `timingSafeEqual` does the comparison in
  // test/security/constant-time.test.ts.
  it('INV-2 SA-2 equal-length wrong secrets differing in the first or the last character are both refused', async () => {
    const me = asUser(w.bob.user.id);
    const key = valueOf(await w.t.kit.createApiKey(me, { name: 'k' })).secret.reveal();
    const { id, random } = partsOf(key);
    const first = `wkk.${id}.${otherChar(random[0]!)}${random.slice(1)}`;
    const last = `wkk.${id}.${random.slice(0, 31)}${otherChar(random[31]!)}`;
    expect(first).toHaveLength(key.length);
    expect(last).toHaveLength(key.length);
    for (const presented of [first, last]) {
      expect(errorOf(await w.t.kit.resolveApiKey({ key: presented }))).toMatchObject({ reason: 'invalid-key' });
    }
    expect(secretMatches(random, hashSecret(random))).toBe(true);
    expect(secretMatches(first.slice(-32), hashSecret(random))).toBe(false);
    expect(secretMatches(last.slice(-32), hashSecret(random))).toBe(false);
    // A corrupt stored hash (wrong length) is a mismatch, never a throw.
    expect(secretMatches(random, hashSecret(random).slice(0, 10))).toBe(false);
    expect(secretMatches(random, '')).toBe(false);
  });
});
