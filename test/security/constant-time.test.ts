/**
 * INV-2 / SA-2: presented secrets are compared in constant time. A timing measurement would be
 * flaky, so this checks the mechanism instead: every comparison of a presented invitation token
 * or API key goes through `crypto.timingSafeEqual` over two fixed-length (32-byte SHA-256)
 * digests, whose running time does not depend on where the inputs differ — and a plain `===`
 * never decides. `node:crypto` is wrapped (not replaced) so the real function does the work.
 */
import type * as NodeCrypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const spy = vi.hoisted(() => ({ calls: [] as [number, number][] }));

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof NodeCrypto>();
  const timingSafeEqual = (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView): boolean => {
    spy.calls.push([a.byteLength, b.byteLength]);
    return real.timingSafeEqual(a, b);
  };
  return { ...real, default: { ...real, timingSafeEqual }, timingSafeEqual };
});

const { asUser } = await import('../../src/core/principal.js');
const { hashSecret, secretMatches } = await import('../../src/core/secret.js');
const { createTestKit } = await import('../../src/testing/test-kit.js');
const { errorOf, valueOf } = await import('../support/harness.js');

const otherChar = (c: string): string => (c === 'a' ? 'b' : 'a');

beforeEach(() => {
  spy.calls.length = 0;
});

describe('INV-2 SA-2 secretMatches compares fixed-length digests with crypto.timingSafeEqual', () => {
  it('INV-2 secretMatches: right, first-char-wrong and last-char-wrong secrets each make one 32-byte timingSafeEqual comparison', () => {
    const random = 'abcdefghijklmnopqrstuvwxyz012345';
    const stored = hashSecret(random);
    const wrongFirst = `${otherChar(random[0]!)}${random.slice(1)}`;
    const wrongLast = `${random.slice(0, 31)}${otherChar(random[31]!)}`;
    expect([secretMatches(random, stored), secretMatches(wrongFirst, stored), secretMatches(wrongLast, stored)]).toEqual([
      true,
      false,
      false,
    ]);
    expect(spy.calls).toEqual([
      [32, 32],
      [32, 32],
      [32, 32],
    ]);
    // Presented secrets of any length hash to 32 bytes: the comparison length never varies.
    spy.calls.length = 0;
    for (const presented of ['', 'a', 'x'.repeat(300)]) expect(secretMatches(presented, stored)).toBe(false);
    expect(spy.calls).toEqual([
      [32, 32],
      [32, 32],
      [32, 32],
    ]);
  });

  it('SA-2 INV-2 resolving a key and accepting an invitation compare through timingSafeEqual, right or wrong', async () => {
    const t = createTestKit();
    const { account, owner } = await t.seed.organization({ planId: 'enterprise' });
    const zed = await t.seed.user({ email: 'zed@example.com' });
    const key = valueOf(await t.kit.createApiKey(asUser(owner.user.id), { name: 'k' })).secret.reveal();
    const token = valueOf(
      await t.kit.inviteMember(asUser(owner.user.id), { accountId: account.id, email: 'zed@example.com', role: 'member' }),
    ).token.reveal();
    const flipFirst = (s: string) => `${s.slice(0, -32)}${otherChar(s.at(-32)!)}${s.slice(-31)}`;
    const flipLast = (s: string) => `${s.slice(0, -1)}${otherChar(s.at(-1)!)}`;

    spy.calls.length = 0;
    for (const presented of [flipFirst(key), flipLast(key)]) {
      expect(errorOf(await t.kit.resolveApiKey({ key: presented }))).toMatchObject({ reason: 'invalid-key' });
    }
    valueOf(await t.kit.resolveApiKey({ key }));
    for (const presented of [flipFirst(token), flipLast(token)]) {
      expect(errorOf(await t.kit.acceptInvitation(asUser(zed.user.id), { token: presented }))).toMatchObject({ reason: 'invalid-token' });
    }
    valueOf(await t.kit.acceptInvitation(asUser(zed.user.id), { token }));
    expect(spy.calls).toEqual(Array.from({ length: 6 }, () => [32, 32]));
  });
});
