/**
 * Race tests, parameterized by a store factory so every storage adapter runs them
 * (`races.memory.test.ts` runs them on the in-memory store). Each fires many commands at once
 * with `Promise.all` and checks that the outcome is one a serial execution could produce:
 * HDL-4 (one handle, one winner), PLAN-1/PLAN-2 (limits hold, invitations included), ACC-4 (an
 * Owner always remains, also when the last two act on each other), WS-5 (one winner per
 * version), INV-2/INV-3 (one accept per invitation; a resent token's predecessor never works),
 * SHR-1/ROLE-2 (one grant per grantee, one role per name, never a grant of a deleted role),
 * SA-3 (one rotation per key), and AUD-1 (one audit event per success, none per failure).
 */
import fc from 'fast-check';
import type { Result } from 'neverthrow';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountRole, Membership } from '../../src/account/account.js';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import type { AccountId } from '../../src/core/ids.js';
import { asServiceAccount, asUser, system, type Principal } from '../../src/core/principal.js';
import type { WorkspaceKitError } from '../../src/core/errors.js';
import type { RegisteredUser } from '../../src/kit/account-commands.js';
import type { KitResult, WorkspaceKit } from '../../src/kit/workspace-kit.js';
import { createTestKit } from '../../src/testing/test-kit.js';
import {
  codeOf,
  errorOf,
  listAllWorkspaces,
  snapshotter,
  tally,
  valueOf,
  type StoreFactory,
  type StoreRelease,
} from '../support/harness.js';
import type { Store } from '../../src/ports/store.js';
import { SPEC_PLANS } from '../support/reference-model.js';

const checker = system('race-check');


/** Every membership of an organization, read as the system principal. */
async function membersOf(kit: WorkspaceKit, accountId: AccountId): Promise<Membership[]> {
  const out: Membership[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = valueOf(await kit.listMembers(checker, { accountId, limit: 500, ...(cursor ? { cursor } : {}) }));
    out.push(...page.items);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
}

const ownersOf = async (kit: WorkspaceKit, accountId: AccountId): Promise<Membership[]> =>
  (await membersOf(kit, accountId)).filter((m) => m.role === 'owner');

/** AUD-1 under concurrency: the new events are exactly one per success. */
function expectOneEventPerSuccess(events: readonly AuditEvent[], before: number, successes: number): void {
  expect(events.length - before).toBe(successes);
}

/** Options of {@link describeRaces}. */
export interface RaceOptions {
  /** Called after each test with every store the test made. */
  readonly release?: StoreRelease;
}

export function describeRaces(adapter: string, makeStore: StoreFactory, options: RaceOptions = {}): void {
  describe(`races on the ${adapter} store`, () => {
    const made: Store[] = [];
    const freshKit = async (factory: StoreFactory) => {
      const store = await factory();
      made.push(store);
      return { ...createTestKit({ store }), snapshot: snapshotter(store) };
    };
    afterEach(async () => {
      for (const store of made.splice(0)) await options.release?.(store);
    });

    // -------------------------------------------------------------------------------------
    describe('HDL-4 handle uniqueness under concurrency', () => {
      const variants: readonly [string, readonly string[]][] = [
        ['one spelling', ['prod']],
        ['spellings that normalize equal', ['Prod', ' prod ', 'PROD', 'prod', '\tpRoD\u00a0']],
      ];
      for (const [label, spellings] of variants) {
        it(`HDL-4 HDL-2 100 concurrent creates with one handle (${label}): exactly one ok, 99 HANDLE_TAKEN`, async () => {
          const t = await freshKit(makeStore);
          const { account, owner, members } = await t.seed.organization({ planId: 'enterprise', members: ['admin'] });
          const actors: Principal[] = [asUser(owner.user.id), asUser(members[0]!.user.user.id), system('race')];
          const before = t.events.length;
          const results = await Promise.all(
            Array.from({ length: 100 }, (_, i) =>
              t.kit.createWorkspace(actors[i % actors.length]!, {
                accountId: account.id,
                handle: spellings[i % spellings.length]!,
                description: `attempt ${i}`,
              }),
            ),
          );
          expect(tally(results)).toEqual({ ok: 1, HANDLE_TAKEN: 99 });
          for (const r of results) {
            if (r.isErr()) expect(r.error).toMatchObject({ handle: 'prod', scope: 'workspace', accountId: account.id });
          }
          const winner = valueOf(results.find((r) => r.isOk())!);
          const listed = await listAllWorkspaces(t.kit, checker, account.id);
          expect(listed.map((w) => [w.id, w.handle, w.description])).toEqual([[winner.id, 'prod', winner.description]]);
          const created = t.events.slice(before);
          expect(created.map((e) => e.action)).toEqual(['workspace.created']);
          expect(created[0]!.workspaceId).toBe(winner.id);
          if (t.snapshot) expect(t.snapshot().workspaces.filter((w) => w.accountId === account.id)).toHaveLength(1);
        });
      }

      it('HDL-4 100 concurrent creates with one handle in a personal account: exactly one ok', async () => {
        const t = await freshKit(makeStore);
        const ada = await t.seed.user({ planId: 'enterprise' });
        const results = await Promise.all(
          Array.from({ length: 100 }, () => t.kit.createWorkspace(asUser(ada.user.id), { accountId: ada.account.id, handle: 'prod' })),
        );
        expect(tally(results)).toEqual({ ok: 1, HANDLE_TAKEN: 99 });
        expect((await listAllWorkspaces(t.kit, checker, ada.account.id)).map((w) => w.handle)).toEqual(['prod']);
      });

      it('HDL-1 one handle created concurrently in 10 different accounts: every create succeeds', async () => {
        const t = await freshKit(makeStore);
        const accounts: RegisteredUser[] = [];
        for (let i = 0; i < 10; i += 1) accounts.push(await t.seed.user({ planId: 'starter' }));
        const results = await Promise.all(
          accounts.flatMap((a) =>
            Array.from({ length: 5 }, () => t.kit.createWorkspace(asUser(a.user.id), { accountId: a.account.id, handle: 'prod' })),
          ),
        );
        expect(tally(results)).toEqual({ ok: 10, HANDLE_TAKEN: 40 });
        for (const a of accounts) {
          expect((await listAllWorkspaces(t.kit, checker, a.account.id)).map((w) => w.handle)).toEqual(['prod']);
        }
      });

      it('HDL-4 20 workspaces renamed concurrently to one handle: exactly one ok, 19 HANDLE_TAKEN', async () => {
        const t = await freshKit(makeStore);
        const { account, owner } = await t.seed.organization({ planId: 'enterprise' });
        const spaces = [];
        for (let i = 0; i < 20; i += 1) spaces.push(await t.seed.workspace(account.id, { handle: `ws-${i}` }));
        const before = t.events.length;
        const results = await Promise.all(
          spaces.map((w, i) =>
            t.kit.updateWorkspace(asUser(owner.user.id), { workspaceId: w.id, handle: i % 2 ? 'Shared' : ' shared', expectedVersion: 1 }),
          ),
        );
        expect(tally(results)).toEqual({ ok: 1, HANDLE_TAKEN: 19 });
        const listed = await listAllWorkspaces(t.kit, checker, account.id);
        expect(listed).toHaveLength(20);
        expect(listed.filter((w) => w.handle === 'shared')).toHaveLength(1);
        expectOneEventPerSuccess(t.events, before, 1);
      });

      it('HDL-4 concurrent creates and renames racing for one handle: exactly one wins', async () => {
        const t = await freshKit(makeStore);
        const { account, owner } = await t.seed.organization({ planId: 'enterprise' });
        const spaces = [];
        for (let i = 0; i < 10; i += 1) spaces.push(await t.seed.workspace(account.id, { handle: `ws-${i}` }));
        const actor = asUser(owner.user.id);
        const before = t.events.length;
        const results = await Promise.all([
          ...spaces.map((w) => t.kit.updateWorkspace(actor, { workspaceId: w.id, handle: 'prod' })),
          ...spaces.map(() => t.kit.createWorkspace(actor, { accountId: account.id, handle: 'PROD' })),
        ]);
        expect(tally(results)).toEqual({ ok: 1, HANDLE_TAKEN: 19 });
        const listed = await listAllWorkspaces(t.kit, checker, account.id);
        expect(listed.filter((w) => w.handle === 'prod')).toHaveLength(1);
        expect(listed).toHaveLength(10 + results.slice(10).filter((r) => r.isOk()).length);
        expectOneEventPerSuccess(t.events, before, 1);
      });

      it('HDL-3 HDL-4 a delete and creates of its handle racing: never two live workspaces with the handle', async () => {
        const t = await freshKit(makeStore);
        const { account, owner } = await t.seed.organization({ planId: 'enterprise' });
        const victim = await t.seed.workspace(account.id, { handle: 'prod' });
        const actor = asUser(owner.user.id);
        const creates = Array.from({ length: 10 }, () => t.kit.createWorkspace(actor, { accountId: account.id, handle: 'prod' }));
        const [deletion, ...created] = await Promise.all([t.kit.deleteWorkspace(actor, { workspaceId: victim.id }), ...creates]);
        expect(codeOf(deletion)).toBe('ok');
        const wins = created.filter((r) => r.isOk()).length;
        expect(wins).toBeLessThanOrEqual(1);
        for (const r of created) if (r.isErr()) expect(r.error.code).toBe('HANDLE_TAKEN');
        const listed = await listAllWorkspaces(t.kit, checker, account.id);
        expect(listed.map((w) => w.handle)).toEqual(wins === 1 ? ['prod'] : []);
        if (wins === 0) {
          // HDL-3: the handle is free once the delete committed.
          expect(codeOf(await t.kit.createWorkspace(actor, { accountId: account.id, handle: 'prod' }))).toBe('ok');
        }
      });
    });

    // -------------------------------------------------------------------------------------
    describe('HDL-1 ACC-1 account handles and emails under concurrency', () => {
      it('HDL-4 HDL-1 50 concurrent registerUser and createOrganization with one account handle: exactly one ok, no orphan user', async () => {
        const t = await freshKit(makeStore);
        const founders: RegisteredUser[] = [];
        for (let i = 0; i < 5; i += 1) founders.push(await t.seed.user());
        const results = await Promise.all([
          ...Array.from({ length: 45 }, (_, i) =>
            t.kit.registerUser(system('signup'), { email: `u${i}@example.com`, displayName: `U${i}`, handle: i % 2 ? 'Acme' : 'acme ' }),
          ),
          ...founders.map((f) => t.kit.createOrganization(asUser(f.user.id), { handle: 'ACME', displayName: 'Acme' })),
        ]);
        expect(tally(results)).toEqual({ ok: 1, HANDLE_TAKEN: 49 });
        for (const r of results) if (r.isErr()) expect(r.error).toMatchObject({ handle: 'acme', scope: 'account' });
        // A refused sign-up left no user behind: its email registers fine with another handle.
        const losers = results.map((r, i) => ({ r, i })).filter(({ r, i }) => r.isErr() && i < 45);
        for (const { i } of losers.slice(0, 3)) {
          expect(
            codeOf(await t.kit.registerUser(system('signup'), { email: `u${i}@example.com`, displayName: 'again', handle: `again-${i}` })),
          ).toBe('ok');
        }
        if (t.snapshot) expect(t.snapshot().accounts.filter((a) => a.handle === 'acme')).toHaveLength(1);
      });

      it('ACC-1 50 concurrent registerUser with one email (spellings that normalize equal): exactly one ok, 49 EMAIL_TAKEN', async () => {
        const t = await freshKit(makeStore);
        const spellings = ['ada@example.com', 'ADA@example.com', ' Ada@Example.COM ', 'ada@EXAMPLE.com'];
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            t.kit.registerUser(system('signup'), { email: spellings[i % spellings.length]!, displayName: 'Ada', handle: `ada-${i}` }),
          ),
        );
        expect(tally(results)).toEqual({ ok: 1, EMAIL_TAKEN: 49 });
        // The 49 refused handles were not left reserved.
        const loser = results.findIndex((r) => r.isErr());
        expect(codeOf(await t.kit.registerUser(system('signup'), { email: 'bob@example.com', displayName: 'Bob', handle: `ada-${loser}` }))).toBe(
          'ok',
        );
        if (t.snapshot) expect(t.snapshot().users.filter((u) => u.email === 'ada@example.com')).toHaveLength(1);
      });
    });

    // -------------------------------------------------------------------------------------
    describe('PLAN-1 workspace limits under concurrency', () => {
      const cases: readonly [plan: string, existing: number][] = [
        ['hobby', 0],
        ['starter', 0],
        ['starter', 2],
        ['team', 1],
      ];
      for (const [plan, existing] of cases) {
        const max = SPEC_PLANS[plan]!.workspaces!;
        it(`PLAN-1 20 concurrent creates with distinct handles on ${plan} (limit ${max}, ${existing} existing): exactly ${max - existing} succeed`, async () => {
          const t = await freshKit(makeStore);
          const { account, owner } = await t.seed.organization({ planId: plan });
          for (let i = 0; i < existing; i += 1) await t.seed.workspace(account.id, { handle: `old-${i}` });
          const before = t.events.length;
          const results = await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              t.kit.createWorkspace(asUser(owner.user.id), { accountId: account.id, handle: `new-${i}` }),
            ),
          );
          expect(tally(results)).toEqual({ ok: max - existing, PLAN_LIMIT_REACHED: 20 - (max - existing) });
          for (const r of results) {
            if (r.isErr()) expect(r.error).toMatchObject({ limit: 'workspaces', max, current: max, planId: plan });
          }
          expect(await listAllWorkspaces(t.kit, checker, account.id)).toHaveLength(max);
          expectOneEventPerSuccess(t.events, before, max - existing);
        });
      }

      it('PLAN-1 PLAN-4 a downgrade racing with creates never leaves the account above its final plan', async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom('starter', 'team', 'pro'),
            fc.constantFrom('hobby', 'starter', 'team'),
            fc.integer({ min: 0, max: 3 }),
            fc.integer({ min: 1, max: 8 }),
            fc.nat({ max: 8 }),
            async (from, to, existing, creates, position) => {
              const t = await freshKit(makeStore);
              const { account, owner } = await t.seed.organization({ planId: from });
              for (let i = 0; i < existing; i += 1) await t.seed.workspace(account.id, { handle: `old-${i}` });
              const actor = asUser(owner.user.id);
              const calls: (() => KitResult<unknown>)[] = Array.from({ length: creates }, (_, i) => () =>
                t.kit.createWorkspace(actor, { accountId: account.id, handle: `new-${i}` }),
              );
              const at = Math.min(position, calls.length);
              calls.splice(at, 0, () => t.kit.changePlan(actor, { accountId: account.id, planId: to }));
              const before = t.events.length;
              const results = await Promise.all(calls.map((c) => c()));
              const createResults = results.filter((_, i) => i !== at);
              for (const r of results) {
                expect(['ok', 'PLAN_LIMIT_REACHED', 'PLAN_DOWNGRADE_BLOCKED']).toContain(codeOf(r));
              }
              const final = valueOf(await t.kit.getAccount(checker, { accountId: account.id }));
              const count = (await listAllWorkspaces(t.kit, checker, account.id)).length;
              const limit = SPEC_PLANS[final.planId]!.workspaces;
              if (limit !== null) expect(count).toBeLessThanOrEqual(limit);
              expect(count).toBe(existing + createResults.filter((r) => r.isOk()).length);
              expectOneEventPerSuccess(t.events, before, results.filter((r) => r.isOk()).length);
            },
          ),
          { numRuns: 100 },
        );
      });

      it('PLAN-2 10 concurrent addMember on a hobby organization (2 seats, owner holds one): exactly one ok', async () => {
        const t = await freshKit(makeStore);
        const { account, owner } = await t.seed.organization({ planId: 'hobby' });
        const users: RegisteredUser[] = [];
        for (let i = 0; i < 10; i += 1) users.push(await t.seed.user());
        const results = await Promise.all(
          users.map((u) => t.kit.addMember(asUser(owner.user.id), { accountId: account.id, userId: u.user.id, role: 'member' })),
        );
        expect(tally(results)).toEqual({ ok: 1, PLAN_LIMIT_REACHED: 9 });
        expect(await membersOf(t.kit, account.id)).toHaveLength(2);
      });

      it('ACC-3 one user added 10 times concurrently: exactly one membership, 9 ALREADY_EXISTS', async () => {
        const t = await freshKit(makeStore);
        const { account, owner } = await t.seed.organization({ planId: 'enterprise' });
        const bob = await t.seed.user();
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            t.kit.addMember(asUser(owner.user.id), { accountId: account.id, userId: bob.user.id, role: i % 2 ? 'admin' : 'member' }),
          ),
        );
        expect(tally(results)).toEqual({ ok: 1, ALREADY_EXISTS: 9 });
        expect((await membersOf(t.kit, account.id)).filter((m) => m.userId === bob.user.id)).toHaveLength(1);
      });
    });

    // -------------------------------------------------------------------------------------
    describe('ACC-4 an organization always keeps an Owner under concurrency', () => {
      async function orgWithOwners(n: number) {
        const t = await freshKit(makeStore);
        const first = await t.seed.user();
        const { account } = await t.seed.organization({
          planId: 'enterprise',
          owner: first,
          members: Array.from({ length: n - 1 }, () => 'owner' as const),
        });
        const owners = (await ownersOf(t.kit, account.id)).map((m) => m.userId);
        expect(owners).toHaveLength(n);
        return { t, account, owners };
      }

      for (const n of [2, 3, 5]) {
        it(`ACC-4 ${n} owners demote themselves concurrently: exactly ${n - 1} ok, one LAST_OWNER, one Owner left`, async () => {
          const { t, account, owners } = await orgWithOwners(n);
          const before = t.events.length;
          const results = await Promise.all(
            owners.map((id, i) =>
              t.kit.changeMemberRole(asUser(id), { accountId: account.id, userId: id, role: i % 2 ? 'admin' : 'member' }),
            ),
          );
          expect(tally(results)).toEqual({ ok: n - 1, LAST_OWNER: 1 });
          expect(await ownersOf(t.kit, account.id)).toHaveLength(1);
          expectOneEventPerSuccess(t.events, before, n - 1);
        });

        it(`ACC-4 ${n} owners leave concurrently: exactly ${n - 1} ok, one LAST_OWNER, one Owner left`, async () => {
          const { t, account, owners } = await orgWithOwners(n);
          const results = await Promise.all(owners.map((id) => t.kit.removeMember(asUser(id), { accountId: account.id, userId: id })));
          expect(tally(results)).toEqual({ ok: n - 1, LAST_OWNER: 1 });
          const left = await ownersOf(t.kit, account.id);
          expect(left).toHaveLength(1);
          expect(await membersOf(t.kit, account.id)).toHaveLength(1);
        });

        it(`ACC-4 the system demotes and removes all ${n} owners concurrently: exactly ${n - 1} ok, one LAST_OWNER`, async () => {
          const { t, account, owners } = await orgWithOwners(n);
          const results = await Promise.all(
            owners.map((id, i) =>
              i % 2
                ? t.kit.removeMember(system('race'), { accountId: account.id, userId: id })
                : t.kit.changeMemberRole(system('race'), { accountId: account.id, userId: id, role: 'member' }),
            ),
          );
          expect(tally(results)).toEqual({ ok: n - 1, LAST_OWNER: 1 });
          expect(await ownersOf(t.kit, account.id)).toHaveLength(1);
        });
      }

      it('ACC-4 owners concurrently demoting and removing each other (random): at least one Owner remains', async () => {
        type Op = { readonly actor: number; readonly target: number; readonly kind: 'demote' | 'remove'; readonly role: AccountRole };
        const opArb = (n: number): fc.Arbitrary<Op> =>
          fc.record({
            actor: fc.nat({ max: n - 1 }),
            target: fc.nat({ max: n - 1 }),
            kind: fc.constantFrom<'demote' | 'remove'>('demote', 'remove'),
            role: fc.constantFrom<AccountRole>('admin', 'member'),
          });
        const scenario = fc
          .constantFrom(2, 3, 5)
          .chain((n) => fc.tuple(fc.constant(n), fc.array(opArb(n), { minLength: 1, maxLength: 2 * n })));
        await fc.assert(
          fc.asyncProperty(scenario, async ([n, ops]) => {
            const { t, account, owners } = await orgWithOwners(n);
            const before = t.events.length;
            const results = await Promise.all(
              ops.map((op) => {
                const actor = asUser(owners[op.actor]!);
                const userId = owners[op.target]!;
                return op.kind === 'demote'
                  ? t.kit.changeMemberRole(actor, { accountId: account.id, userId, role: op.role })
                  : t.kit.removeMember(actor, { accountId: account.id, userId });
              }),
            );
            for (const r of results) expect(['ok', 'LAST_OWNER', 'FORBIDDEN', 'NOT_FOUND']).toContain(codeOf(r));
            const left = await ownersOf(t.kit, account.id);
            expect(left.length).toBeGreaterThanOrEqual(1);
            // Every Owner that disappeared did so through exactly one successful, audited command.
            const newEvents = t.events.slice(before);
            const ownerLosses = newEvents.filter(
              (e) =>
                (e.action === 'member.removed' && e.details['role'] === 'owner') ||
                (e.action === 'member.role-changed' && (e.details['role'] as { from?: unknown } | undefined)?.from === 'owner'),
            );
            expect(ownerLosses).toHaveLength(n - left.length);
            expect(newEvents).toHaveLength(results.filter((r) => r.isOk()).length);
            // When every op targets a distinct owner and acts on itself, exactly n-1 succeed.
            const selfDistinct =
              ops.length === n && ops.every((op) => op.actor === op.target) && new Set(ops.map((op) => op.target)).size === n;
            if (selfDistinct) expect(tally(results)).toEqual({ ok: n - 1, LAST_OWNER: 1 });
          }),
          { numRuns: 150 },
        );
      });
    });

    // -------------------------------------------------------------------------------------
    describe('WS-5 optimistic concurrency', () => {
      async function orgWithWorkspace() {
        const t = await freshKit(makeStore);
        const { account, owner, members } = await t.seed.organization({ planId: 'enterprise', members: ['admin'] });
        const ws = await t.seed.workspace(account.id, { handle: 'prod', description: 'start' });
        return { t, account, ws, actors: [asUser(owner.user.id), asUser(members[0]!.user.user.id)] };
      }

      it('WS-5 20 concurrent updates with the same expectedVersion: exactly one ok, 19 CONFLICT', async () => {
        const { t, ws, actors } = await orgWithWorkspace();
        const before = t.events.length;
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            t.kit.updateWorkspace(actors[i % 2]!, { workspaceId: ws.id, description: `edit ${i}`, expectedVersion: ws.version }),
          ),
        );
        expect(tally(results)).toEqual({ ok: 1, CONFLICT: 19 });
        for (const r of results) if (r.isErr()) expect(r.error).toMatchObject({ entity: 'workspace', id: ws.id, expectedVersion: 1 });
        const winner = valueOf(results.find((r) => r.isOk())!);
        const now = valueOf(await t.kit.getWorkspace(checker, { workspaceId: ws.id }));
        expect(now).toMatchObject({ version: 2, description: winner.description });
        expectOneEventPerSuccess(t.events, before, 1);
      });

      it('WS-5 HDL-3 20 concurrent renames with the same expectedVersion: one ok, the old handle is free', async () => {
        const { t, account, ws, actors } = await orgWithWorkspace();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            t.kit.updateWorkspace(actors[0]!, { workspaceId: ws.id, handle: `prod-${i}`, expectedVersion: 1 }),
          ),
        );
        expect(tally(results)).toEqual({ ok: 1, CONFLICT: 19 });
        const winner = valueOf(results.find((r) => r.isOk())!);
        expect((await listAllWorkspaces(t.kit, checker, account.id)).map((w) => w.handle)).toEqual([winner.handle]);
        expect(codeOf(await t.kit.createWorkspace(actors[0]!, { accountId: account.id, handle: 'prod' }))).toBe('ok');
      });

      it('WS-5 20 concurrent unguarded edits: all ok, no lost update, the version moved by exactly 20', async () => {
        const { t, ws, actors } = await orgWithWorkspace();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => t.kit.updateWorkspace(actors[i % 2]!, { workspaceId: ws.id, description: `edit ${i}` })),
        );
        expect(tally(results)).toEqual({ ok: 20 });
        const versions = results.map((r) => valueOf(r).version).sort((a, b) => a - b);
        expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
        expect(valueOf(await t.kit.getWorkspace(checker, { workspaceId: ws.id })).version).toBe(21);
      });

      it('WS-4 WS-5 20 concurrent deletes with the same expectedVersion: exactly one ok', async () => {
        const { t, account, ws, actors } = await orgWithWorkspace();
        await t.seed.resources(ws.id, { flow: 2, deployment: 1 });
        const before = t.events.length;
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => t.kit.deleteWorkspace(actors[i % 2]!, { workspaceId: ws.id, expectedVersion: 1 })),
        );
        const counts = tally(results);
        expect(counts['ok']).toBe(1);
        for (const r of results) expect(['ok', 'CONFLICT', 'NOT_FOUND']).toContain(codeOf(r));
        expect(valueOf(results.find((r) => r.isOk())!).totalResources).toBe(3);
        expect(await listAllWorkspaces(t.kit, checker, account.id)).toEqual([]);
        expectOneEventPerSuccess(t.events, before, 1);
        if (t.snapshot) expect(t.snapshot().resources.filter((r) => r.workspaceId === ws.id)).toEqual([]);
      });

      for (const guarded of [true, false]) {
        for (const deleteFirst of [true, false]) {
          it(`WS-4 WS-5 HDL-3 concurrent delete and rename of one workspace (${guarded ? 'both guarded' : 'unguarded'}, delete issued ${deleteFirst ? 'first' : 'second'}): consistent end state`, async () => {
            const { t, account, ws, actors } = await orgWithWorkspace();
            await t.seed.resources(ws.id, { variable: 2 });
            const version = guarded ? { expectedVersion: 1 } : {};
            const del = () => t.kit.deleteWorkspace(actors[0]!, { workspaceId: ws.id, ...version });
            const ren = () => t.kit.updateWorkspace(actors[1]!, { workspaceId: ws.id, handle: 'renamed', ...version });
            const before = t.events.length;
            const [d, r] = deleteFirst
              ? await Promise.all([del(), ren()])
              : await Promise.all([ren(), del()]).then(([a, b]) => [b, a] as const);
            expectOneEventPerSuccess(t.events, before, [d, r].filter((x) => x.isOk()).length);
            const listed = await listAllWorkspaces(t.kit, checker, account.id);
            const stillThere = await t.kit.getWorkspace(checker, { workspaceId: ws.id });
            if (d.isOk()) {
              // Deleted: nothing left, every tracked resource gone, both handles free.
              expect(listed).toEqual([]);
              expect(codeOf(stillThere)).toBe('NOT_FOUND');
              if (r.isErr()) expect(['NOT_FOUND', 'CONFLICT']).toContain(r.error.code);
              if (guarded) expect(codeOf(r)).not.toBe('ok');
              if (t.snapshot) expect(t.snapshot().resources.filter((x) => x.workspaceId === ws.id)).toEqual([]);
              for (const handle of ['prod', 'renamed']) {
                expect(codeOf(await t.kit.createWorkspace(actors[0]!, { accountId: account.id, handle }))).toBe('ok');
              }
            } else {
              // Not deleted: only possible when the rename won a guarded race.
              expect(guarded).toBe(true);
              expect(errorOf(d).code).toBe('CONFLICT');
              expect(valueOf(r)).toMatchObject({ handle: 'renamed', version: 2 });
              expect(listed.map((w) => [w.id, w.handle, w.version])).toEqual([[ws.id, 'renamed', 2]]);
              const preview = valueOf(await t.kit.previewWorkspaceDeletion(checker, { workspaceId: ws.id }));
              expect(preview.totalResources).toBe(2);
              expect(codeOf(await t.kit.createWorkspace(actors[0]!, { accountId: account.id, handle: 'prod' }))).toBe('ok');
            }
          });
        }
      }

      it('WS-5 HDL-1 renames of two workspaces swapping handles concurrently: never a duplicate', async () => {
        const t = await freshKit(makeStore);
        const { account, owner } = await t.seed.organization({ planId: 'enterprise' });
        const a = await t.seed.workspace(account.id, { handle: 'a' });
        const b = await t.seed.workspace(account.id, { handle: 'b' });
        const actor = asUser(owner.user.id);
        const results = await Promise.all([
          t.kit.updateWorkspace(actor, { workspaceId: a.id, handle: 'b' }),
          t.kit.updateWorkspace(actor, { workspaceId: b.id, handle: 'a' }),
        ]);
        expect(tally(results)).toEqual({ HANDLE_TAKEN: 2 });
        expect((await listAllWorkspaces(t.kit, checker, account.id)).map((w) => w.id)).toEqual([a.id, b.id]);
      });
    });

    // -------------------------------------------------------------------------------------
    describe('INV-3 concurrent accepts of one invitation', () => {
      /** An enterprise organization, an invitee user and one pending membership invitation for it. */
      async function orgInvitation(options: { registerInvitee: boolean }) {
        const t = await freshKit(makeStore);
        const { account, owner } = await t.seed.organization({ planId: 'enterprise' });
        const invitee = options.registerInvitee ? await t.seed.user({ email: 'zed@example.com' }) : null;
        const issued = valueOf(
          await t.kit.inviteMember(asUser(owner.user.id), { accountId: account.id, email: ' Zed@Example.com ', role: 'admin' }),
        );
        return { t, account, owner, invitee, invitation: issued.invitation, token: issued.token.reveal() };
      }

      /** The losers of an accept race: all INVITATION_INVALID, `not-pending`. */
      function expectLosersNotPending(results: readonly Result<unknown, WorkspaceKitError>[]): void {
        for (const r of results) {
          if (r.isErr()) expect(r.error).toMatchObject({ code: 'INVITATION_INVALID', reason: 'not-pending' });
        }
      }

      it('INV-3 20 concurrent accepts by the invitee: exactly one ok, 19 INVITATION_INVALID, one membership, one event', async () => {
        const { t, account, invitee, invitation, token } = await orgInvitation({ registerInvitee: true });
        const before = t.events.length;
        const results = await Promise.all(
          Array.from({ length: 20 }, () => t.kit.acceptInvitation(asUser(invitee!.user.id), { token })),
        );
        expect(tally(results)).toEqual({ ok: 1, INVITATION_INVALID: 19 });
        expectLosersNotPending(results);
        const winner = valueOf(results.find((r) => r.isOk())!);
        expect(winner.membership).toMatchObject({ accountId: account.id, userId: invitee!.user.id, role: 'admin' });
        expect((await membersOf(t.kit, account.id)).filter((m) => m.userId === invitee!.user.id)).toEqual([
          expect.objectContaining({ role: 'admin' }),
        ]);
        expect(t.events.slice(before).map((e) => [e.action, e.subject.id])).toEqual([['invitation.accepted', invitation.id]]);
        const listed = valueOf(await t.kit.listInvitations(checker, { accountId: account.id, limit: 500 }));
        expect(listed.items.map((i) => [i.id, i.status, i.acceptedBy])).toEqual([[invitation.id, 'accepted', invitee!.user.id]]);
      });

      it('INV-3 20 concurrent accepts by the invitee and by the system for it: exactly one ok, one membership', async () => {
        const { t, account, invitee, token } = await orgInvitation({ registerInvitee: true });
        const before = t.events.length;
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            t.kit.acceptInvitation(i % 2 ? system('invite-link') : asUser(invitee!.user.id), { token }),
          ),
        );
        expect(tally(results)).toEqual({ ok: 1, INVITATION_INVALID: 19 });
        expectLosersNotPending(results);
        expect((await membersOf(t.kit, account.id)).filter((m) => m.userId === invitee!.user.id)).toHaveLength(1);
        expect(t.events.slice(before).map((e) => e.action)).toEqual(['invitation.accepted']);
      });

      it('INV-3 ACC-1 20 concurrent accepts by the system with newUser: exactly one ok, one user, no orphan user or handle', async () => {
        const { t, account, invitation, token } = await orgInvitation({ registerInvitee: false });
        const before = t.events.length;
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            t.kit.acceptInvitation(system('signup'), { token, newUser: { displayName: `Zed ${i}`, handle: `zed-${i}` } }),
          ),
        );
        expect(tally(results)).toEqual({ ok: 1, INVITATION_INVALID: 19 });
        expectLosersNotPending(results);
        const winnerIndex = results.findIndex((r) => r.isOk());
        const winner = valueOf(results[winnerIndex]!);
        expect(winner.user.email).toBe('zed@example.com');
        expect(winner.createdAccount?.handle).toBe(`zed-${winnerIndex}`);
        const members = await membersOf(t.kit, account.id);
        expect(members.filter((m) => m.userId === winner.user.id)).toHaveLength(1);
        expect(t.events.slice(before).map((e) => [e.action, e.subject.id])).toEqual([['invitation.accepted', invitation.id]]);
        // One user holds the email; the 19 refused handles were not left reserved.
        expect(
          codeOf(await t.kit.registerUser(system('signup'), { email: 'ZED@example.com', displayName: 'Zed', handle: 'zed-again' })),
        ).toBe('EMAIL_TAKEN');
        const loser = results.findIndex((r) => r.isErr());
        expect(
          codeOf(await t.kit.registerUser(system('signup'), { email: 'other@example.com', displayName: 'O', handle: `zed-${loser}` })),
        ).toBe('ok');
        if (t.snapshot) {
          const snap = t.snapshot();
          expect(snap.users.filter((u) => u.email === 'zed@example.com')).toHaveLength(1);
          expect(snap.accounts.filter((a) => a.handle.startsWith('zed-'))).toHaveLength(2);
        }
      });

      it('INV-3 COL-1 20 concurrent accepts of a collaboration invitation: exactly one ok, one grant', async () => {
        const t = await freshKit(makeStore);
        const ada = await t.seed.user({ planId: 'starter' });
        const ws = await t.seed.workspace(ada.account.id);
        const bob = await t.seed.user({ email: 'bob@example.com' });
        const issued = valueOf(await t.kit.inviteCollaborator(asUser(ada.user.id), { workspaceId: ws.id, email: 'BOB@example.com' }));
        const token = issued.token.reveal();
        const before = t.events.length;
        const results = await Promise.all(Array.from({ length: 20 }, () => t.kit.acceptInvitation(asUser(bob.user.id), { token })));
        expect(tally(results)).toEqual({ ok: 1, INVITATION_INVALID: 19 });
        expectLosersNotPending(results);
        const grants = valueOf(await t.kit.listWorkspaceAccess(checker, { workspaceId: ws.id, limit: 500 })).items;
        expect(grants.map((g) => [g.grantee, g.role])).toEqual([[asUser(bob.user.id), 'developer']]);
        expect(t.events.slice(before).map((e) => e.action)).toEqual(['invitation.accepted']);
      });

      it('INV-3 10 accepts, 5 rejects and 5 revokes of one invitation concurrently: exactly one ok in all', async () => {
        const { t, account, owner, invitee, invitation, token } = await orgInvitation({ registerInvitee: true });
        const before = t.events.length;
        const me = asUser(invitee!.user.id);
        const results: Result<unknown, WorkspaceKitError>[] = await Promise.all(
          Array.from({ length: 20 }, (_, i): KitResult<unknown> => {
            if (i % 4 === 1) return t.kit.rejectInvitation(me, { token });
            if (i % 4 === 3) return t.kit.revokeInvitation(asUser(owner.user.id), { invitationId: invitation.id });
            return t.kit.acceptInvitation(me, { token });
          }),
        );
        expect(results.filter((r) => r.isOk())).toHaveLength(1);
        for (const r of results) if (r.isErr()) expect(['INVITATION_INVALID', 'CONFLICT']).toContain(r.error.code);
        const winner = results.findIndex((r) => r.isOk());
        const status = { 1: 'rejected', 3: 'revoked' }[winner % 4] ?? 'accepted';
        const listed = valueOf(await t.kit.listInvitations(checker, { accountId: account.id, limit: 500 })).items;
        expect(listed.map((i) => i.status)).toEqual([status]);
        const isMember = (await membersOf(t.kit, account.id)).some((m) => m.userId === invitee!.user.id);
        expect(isMember).toBe(status === 'accepted');
        expectOneEventPerSuccess(t.events, before, 1);
      });
    });

    // -------------------------------------------------------------------------------------
    describe('INV-2 resending racing accepting', () => {
      it('INV-2 INV-3 10 invitations each resent and accepted with the old token at once: one wins per pair, the old token never works after a resend', async () => {
        const t = await freshKit(makeStore);
        const { account, owner } = await t.seed.organization({ planId: 'enterprise' });
        const invitees: RegisteredUser[] = [];
        const issued: { id: string; token: string }[] = [];
        for (let i = 0; i < 10; i += 1) {
          const u = await t.seed.user({ email: `guest-${i}@example.com` });
          invitees.push(u);
          const inv = valueOf(
            await t.kit.inviteMember(asUser(owner.user.id), { accountId: account.id, email: u.user.email, role: 'member' }),
          );
          issued.push({ id: inv.invitation.id, token: inv.token.reveal() });
        }
        const before = t.events.length;
        const pairs = await Promise.all(
          issued.map(async ({ id, token }, i) => {
            const accept = () => t.kit.acceptInvitation(asUser(invitees[i]!.user.id), { token });
            const resend = () => t.kit.resendInvitation(asUser(owner.user.id), { invitationId: id });
            // Alternate which of the two is issued first.
            if (i % 2) {
              const [r, a] = await Promise.all([resend(), accept()]);
              return { a, r };
            }
            const [a, r] = await Promise.all([accept(), resend()]);
            return { a, r };
          }),
        );
        const members = new Set((await membersOf(t.kit, account.id)).map((m) => m.userId));
        let successes = 0;
        for (const [i, { a, r }] of pairs.entries()) {
          expect([a, r].filter((x) => x.isOk()), `pair ${i}`).toHaveLength(1);
          successes += 1;
          const me = asUser(invitees[i]!.user.id);
          if (a.isOk()) {
            // The accept came first: the resend finds the invitation no longer pending.
            expect(errorOf(r)).toMatchObject({ code: 'INVITATION_INVALID', reason: 'not-pending' });
            expect(members.has(invitees[i]!.user.id)).toBe(true);
          } else {
            // The resend came first: the old token is refused as if it never existed.
            expect(errorOf(a)).toMatchObject({ code: 'INVITATION_INVALID', reason: 'invalid-token' });
            expect(members.has(invitees[i]!.user.id)).toBe(false);
            expect(errorOf(await t.kit.acceptInvitation(me, { token: issued[i]!.token }))).toMatchObject({ reason: 'invalid-token' });
            const fresh = valueOf(r).token.reveal();
            expect(fresh).not.toBe(issued[i]!.token);
            expect(codeOf(await t.kit.acceptInvitation(me, { token: fresh }))).toBe('ok');
            successes += 1;
          }
        }
        expectOneEventPerSuccess(t.events, before, successes);
        expect(await membersOf(t.kit, account.id)).toHaveLength(11);
      });

      it('INV-2 5 concurrent resends of one invitation: only the token of the last committed resend works', async () => {
        const t = await freshKit(makeStore);
        const { account, owner, members } = await t.seed.organization({ planId: 'enterprise', members: ['admin'] });
        const zed = await t.seed.user({ email: 'zed@example.com' });
        const first = valueOf(await t.kit.inviteMember(asUser(owner.user.id), { accountId: account.id, email: 'zed@example.com', role: 'member' }));
        const actors = [asUser(owner.user.id), asUser(members[0]!.user.user.id)];
        const results = await Promise.all(
          Array.from({ length: 5 }, (_, i) => t.kit.resendInvitation(actors[i % 2]!, { invitationId: first.invitation.id })),
        );
        for (const r of results) expect(['ok', 'CONFLICT']).toContain(codeOf(r));
        const oks = results.filter((r) => r.isOk()).map((r) => valueOf(r));
        expect(oks.length).toBeGreaterThanOrEqual(1);
        const versions = oks.map((o) => o.invitation.version);
        expect(new Set(versions).size).toBe(versions.length);
        const latest = oks.reduce((a, b) => (b.invitation.version > a.invitation.version ? b : a));
        const me = asUser(zed.user.id);
        for (const stale of [first, ...oks.filter((o) => o !== latest)]) {
          expect(errorOf(await t.kit.acceptInvitation(me, { token: stale.token.reveal() }))).toMatchObject({
            code: 'INVITATION_INVALID',
            reason: 'invalid-token',
          });
        }
        expect(codeOf(await t.kit.acceptInvitation(me, { token: latest.token.reveal() }))).toBe('ok');
      });
    });

    // -------------------------------------------------------------------------------------
    describe('PLAN-2 ACC-6 seats under concurrent invitations', () => {
      /** Seats as PLAN-2 counts them in an organization: members plus pending invitations. */
      async function seatsOf(kit: WorkspaceKit, accountId: AccountId): Promise<number> {
        const pending = valueOf(await kit.listInvitations(checker, { accountId, status: 'pending', limit: 500 })).items;
        return (await membersOf(kit, accountId)).length + pending.length;
      }

      it('PLAN-2 10 concurrent inviteMember of distinct emails on a team organization (8 seats, 6 used): exactly 2 ok', async () => {
        const t = await freshKit(makeStore);
        const { account, owner, members } = await t.seed.organization({ planId: 'team', members: ['admin', 'member', 'member', 'member', 'member'] });
        expect(await seatsOf(t.kit, account.id)).toBe(6);
        const actors = [asUser(owner.user.id), asUser(members[0]!.user.user.id)];
        const before = t.events.length;
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            t.kit.inviteMember(actors[i % 2]!, { accountId: account.id, email: `new-${i}@example.com`, role: 'member' }),
          ),
        );
        expect(tally(results)).toEqual({ ok: 2, PLAN_LIMIT_REACHED: 8 });
        for (const r of results) {
          if (r.isErr()) expect(r.error).toMatchObject({ limit: 'seats', max: 8, current: 8, planId: 'team' });
        }
        expect(await seatsOf(t.kit, account.id)).toBe(8);
        expectOneEventPerSuccess(t.events, before, 2);
      });

      it('PLAN-2 5 inviteMember and 5 addMember racing on a team organization with 2 seats left: exactly 2 ok', async () => {
        const t = await freshKit(makeStore);
        const { account, owner } = await t.seed.organization({ planId: 'team', members: ['member', 'member', 'member', 'member', 'member'] });
        const users: RegisteredUser[] = [];
        for (let i = 0; i < 5; i += 1) users.push(await t.seed.user());
        const actor = asUser(owner.user.id);
        const results = await Promise.all([
          ...users.map((u) => t.kit.addMember(actor, { accountId: account.id, userId: u.user.id, role: 'member' })),
          ...Array.from({ length: 5 }, (_, i) => t.kit.inviteMember(actor, { accountId: account.id, email: `new-${i}@example.com`, role: 'member' })),
        ]);
        expect(tally(results)).toEqual({ ok: 2, PLAN_LIMIT_REACHED: 8 });
        expect(await seatsOf(t.kit, account.id)).toBe(8);
      });

      it('PLAN-2 COL-1 10 concurrent inviteCollaborator on a hobby personal account (2 seats, the owner holds none): exactly 2 ok', async () => {
        const t = await freshKit(makeStore);
        const ada = await t.seed.user({ planId: 'hobby' });
        const ws = await t.seed.workspace(ada.account.id);
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => t.kit.inviteCollaborator(asUser(ada.user.id), { workspaceId: ws.id, email: `c-${i}@example.com` })),
        );
        expect(tally(results)).toEqual({ ok: 2, PLAN_LIMIT_REACHED: 8 });
        const pending = valueOf(await t.kit.listInvitations(checker, { accountId: ada.account.id, status: 'pending', limit: 500 })).items;
        expect(pending).toHaveLength(2);
      });

      it('ACC-6 INV-1 one email invited 10 times concurrently (spellings that normalize equal): exactly one ok, 9 ALREADY_EXISTS', async () => {
        const t = await freshKit(makeStore);
        const { account, owner } = await t.seed.organization({ planId: 'enterprise' });
        const spellings = ['zed@example.com', ' ZED@example.com', 'Zed@Example.Com '];
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            t.kit.inviteMember(asUser(owner.user.id), { accountId: account.id, email: spellings[i % 3]!, role: 'member' }),
          ),
        );
        expect(tally(results)).toEqual({ ok: 1, ALREADY_EXISTS: 9 });
        const pending = valueOf(await t.kit.listInvitations(checker, { accountId: account.id, status: 'pending', limit: 500 })).items;
        expect(pending.map((i) => i.email)).toEqual(['zed@example.com']);
      });
    });

    // -------------------------------------------------------------------------------------
    describe('ACC-4 the last two Owners acting on each other concurrently', () => {
      type OwnerOp = { readonly actor: 0 | 1; readonly kind: 'remove' | 'demote'; readonly target: 0 | 1 };
      const label = (op: OwnerOp) => `${'AB'[op.actor]} ${op.kind}s ${op.actor === op.target ? 'itself' : 'ABx'[op.target]}`;
      const opsOf = (actor: 0 | 1): OwnerOp[] =>
        (['remove', 'demote'] as const).flatMap((kind) => ([0, 1] as const).map((target) => ({ actor, kind, target })));

      async function twoOwners() {
        const t = await freshKit(makeStore);
        const { account, owner, members } = await t.seed.organization({ planId: 'enterprise', members: ['owner', 'member'] });
        const owners = [owner.user.id, members[0]!.user.user.id] as const;
        return { t, account, owners };
      }

      function run(t: { kit: WorkspaceKit }, accountId: AccountId, owners: readonly string[], op: OwnerOp, i: number) {
        const actor = asUser(owners[op.actor]!);
        const userId = owners[op.target]!;
        return op.kind === 'remove'
          ? t.kit.removeMember(actor, { accountId, userId })
          : t.kit.changeMemberRole(actor, { accountId, userId, role: i % 2 ? 'admin' : 'member' });
      }

      it('ACC-4 the last two Owners remove each other concurrently (either order, 10 times): exactly one ok, the remover stays Owner', async () => {
        for (let round = 0; round < 10; round += 1) {
          const { t, account, owners } = await twoOwners();
          const aRemovesB = () => t.kit.removeMember(asUser(owners[0]), { accountId: account.id, userId: owners[1] });
          const bRemovesA = () => t.kit.removeMember(asUser(owners[1]), { accountId: account.id, userId: owners[0] });
          const [ab, ba] =
            round % 2 ? await Promise.all([aRemovesB(), bRemovesA()]) : await Promise.all([bRemovesA(), aRemovesB()]).then(([x, y]) => [y, x] as const);
          expect([ab, ba].filter((r) => r.isOk()), `round ${round}`).toHaveLength(1);
          for (const r of [ab, ba]) if (r.isErr()) expect(['NOT_FOUND', 'LAST_OWNER', 'FORBIDDEN']).toContain(r.error.code);
          const left = await ownersOf(t.kit, account.id);
          expect(left.map((m) => m.userId)).toEqual([ab.isOk() ? owners[0] : owners[1]]);
        }
      });

      for (const opA of opsOf(0)) {
        for (const opB of opsOf(1)) {
          it(`ACC-4 ACC-5 concurrently: ${label(opA)} and ${label(opB)} → at least one Owner remains`, async () => {
            for (const flipped of [false, true]) {
              const { t, account, owners } = await twoOwners();
              const before = t.events.length;
              const ops = flipped ? [opB, opA] : [opA, opB];
              const results = await Promise.all(ops.map((op, i) => run(t, account.id, owners, op, i)));
              for (const r of results) expect(['ok', 'LAST_OWNER', 'FORBIDDEN', 'NOT_FOUND']).toContain(codeOf(r));
              expect(results.some((r) => r.isOk())).toBe(true);
              const left = await ownersOf(t.kit, account.id);
              expect(left.length).toBeGreaterThanOrEqual(1);
              const newEvents = t.events.slice(before);
              expect(newEvents).toHaveLength(results.filter((r) => r.isOk()).length);
              const ownerLosses = newEvents.filter(
                (e) =>
                  (e.action === 'member.removed' && e.details['role'] === 'owner') ||
                  (e.action === 'member.role-changed' && (e.details['role'] as { from?: unknown } | undefined)?.from === 'owner'),
              );
              expect(ownerLosses).toHaveLength(2 - left.length);
            }
          });
        }
      }

      it('ACC-4 20 mixed removes and demotions between the last two Owners at once: one Owner remains', async () => {
        for (let round = 0; round < 5; round += 1) {
          const { t, account, owners } = await twoOwners();
          const all = [...opsOf(0), ...opsOf(1)];
          const results = await Promise.all(
            Array.from({ length: 20 }, (_, i) => run(t, account.id, owners, all[(i * 3 + round) % all.length]!, i)),
          );
          for (const r of results) expect(['ok', 'LAST_OWNER', 'FORBIDDEN', 'NOT_FOUND']).toContain(codeOf(r));
          expect(await ownersOf(t.kit, account.id)).toHaveLength(1);
        }
      });
    });

    // -------------------------------------------------------------------------------------
    describe('SHR-1 ROLE-2 grants and custom roles under concurrency', () => {
      it('SHR-1 20 concurrent shareWorkspace of one member: exactly one ok, 19 ALREADY_EXISTS, one grant', async () => {
        const t = await freshKit(makeStore);
        const { account, owner, members } = await t.seed.organization({ planId: 'pro', members: ['admin', 'member'] });
        const ws = await t.seed.workspace(account.id);
        const bob = members[1]!.user.user.id;
        const actors = [asUser(owner.user.id), asUser(members[0]!.user.user.id)];
        const roles = ['viewer', 'runner', 'developer'] as const;
        const before = t.events.length;
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            t.kit.shareWorkspace(actors[i % 2]!, { workspaceId: ws.id, grantee: asUser(bob), role: roles[i % 3]! }),
          ),
        );
        expect(tally(results)).toEqual({ ok: 1, ALREADY_EXISTS: 19 });
        const winner = valueOf(results.find((r) => r.isOk())!);
        const grants = valueOf(await t.kit.listWorkspaceAccess(checker, { workspaceId: ws.id, limit: 500 })).items;
        expect(grants.map((g) => [g.grantee, g.role])).toEqual([[asUser(bob), winner.role]]);
        expect(t.events.slice(before).map((e) => e.action)).toEqual(['workspace.shared']);
      });

      it('SHR-1 SA-1 20 concurrent shareWorkspace of one service account: exactly one ok', async () => {
        const t = await freshKit(makeStore);
        const { account, owner } = await t.seed.organization({ planId: 'team' });
        const ws = await t.seed.workspace(account.id);
        const bot = valueOf(await t.kit.createServiceAccount(asUser(owner.user.id), { accountId: account.id, name: 'bot' }));
        const results = await Promise.all(
          Array.from({ length: 20 }, () =>
            t.kit.shareWorkspace(asUser(owner.user.id), { workspaceId: ws.id, grantee: asServiceAccount(bot.id), role: 'developer' }),
          ),
        );
        expect(tally(results)).toEqual({ ok: 1, ALREADY_EXISTS: 19 });
        expect(valueOf(await t.kit.listWorkspaceAccess(checker, { workspaceId: ws.id })).items).toHaveLength(1);
      });

      it('ROLE-2 20 concurrent createCustomRole with one name (spellings that trim equal): exactly one ok, 19 ALREADY_EXISTS', async () => {
        const t = await freshKit(makeStore);
        const { account, owner, members } = await t.seed.organization({ planId: 'enterprise', members: ['admin'] });
        const actors = [asUser(owner.user.id), asUser(members[0]!.user.user.id)];
        const names = ['Deployer', ' Deployer', 'Deployer '];
        const before = t.events.length;
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            t.kit.createCustomRole(actors[i % 2]!, { accountId: account.id, name: names[i % 3]!, scopes: ['manage_deployments'], inherits: 'runner' }),
          ),
        );
        expect(tally(results)).toEqual({ ok: 1, ALREADY_EXISTS: 19 });
        const roles = valueOf(await t.kit.listCustomRoles(checker, { accountId: account.id })).items;
        expect(roles.map((r) => r.name)).toEqual(['Deployer']);
        expectOneEventPerSuccess(t.events, before, 1);
      });

      for (const position of ['first', 'middle', 'last'] as const) {
        it(`ROLE-2 deleteCustomRole (issued ${position}) racing shares, a role change and a default role using it: never a grant of a deleted role`, async () => {
          const t = await freshKit(makeStore);
          const { account, owner, members } = await t.seed.organization({
            planId: 'enterprise',
            members: ['member', 'member', 'member', 'member', 'member'],
          });
          const actor = asUser(owner.user.id);
          const ws = await t.seed.workspace(account.id);
          const role = valueOf(await t.kit.createCustomRole(actor, { accountId: account.id, name: 'Deployer', scopes: ['manage_deployments'], inherits: 'viewer' }));
          const changed = members[4]!.user.user.id;
          valueOf(await t.kit.shareWorkspace(actor, { workspaceId: ws.id, grantee: asUser(changed), role: 'developer' }));
          const users = members.slice(0, 4).map((m) => m.user.user.id);
          const before = t.events.length;
          const uses: (() => KitResult<unknown>)[] = [
            ...users.map((u) => () => t.kit.shareWorkspace(actor, { workspaceId: ws.id, grantee: asUser(u), role: role.id })),
            () => t.kit.changeWorkspaceRole(actor, { workspaceId: ws.id, grantee: asUser(changed), role: role.id }),
            () => t.kit.setDefaultWorkspaceRole(actor, { workspaceId: ws.id, role: role.id }),
          ];
          const del = () => t.kit.deleteCustomRole(actor, { roleId: role.id });
          const at = position === 'first' ? 0 : position === 'middle' ? 3 : uses.length;
          const calls = [...uses.slice(0, at), del, ...uses.slice(at)];
          const all: Result<unknown, WorkspaceKitError>[] = await Promise.all(calls.map((c) => c()));
          const deletion = all[at]!;
          const others = all.filter((_, i) => i !== at);
          const grants = valueOf(await t.kit.listWorkspaceAccess(checker, { workspaceId: ws.id, limit: 500 })).items;
          const workspace = valueOf(await t.kit.getWorkspace(checker, { workspaceId: ws.id }));
          const roles = valueOf(await t.kit.listCustomRoles(checker, { accountId: account.id })).items;
          if (deletion.isOk()) {
            // Deleted before any use committed: every use was refused, nothing refers to the role.
            for (const r of others) expect(errorOf(r)).toMatchObject({ code: 'NOT_FOUND', entity: 'role' });
            expect(roles).toEqual([]);
            expect(grants.filter((g) => g.role === role.id)).toEqual([]);
            expect(grants.map((g) => [g.grantee, g.role])).toEqual([[asUser(changed), 'developer']]);
            expect(workspace.defaultRole).toBeNull();
            expectOneEventPerSuccess(t.events, before, 1);
          } else {
            // A use committed first: the role is in use, stays, and every use succeeded.
            expect(errorOf(deletion)).toMatchObject({ code: 'ROLE_IN_USE', roleId: role.id });
            for (const r of others) expect(codeOf(r)).toBe('ok');
            expect(roles.map((r) => r.id)).toEqual([role.id]);
            expect(grants.filter((g) => g.role === role.id)).toHaveLength(5);
            expect(workspace.defaultRole).toBe(role.id);
            expectOneEventPerSuccess(t.events, before, uses.length);
          }
          // The invariant itself: every role a grant or the default role refers to exists.
          const live = new Set<string>([...roles.map((r) => r.id), 'owner', 'developer', 'runner', 'viewer', 'worker']);
          for (const g of grants) expect(live.has(g.role)).toBe(true);
          if (workspace.defaultRole !== null) expect(live.has(workspace.defaultRole)).toBe(true);
        });
      }
    });

    // -------------------------------------------------------------------------------------
    describe('SA-3 concurrent rotations of one key', () => {
      it('SA-3 20 concurrent rotateApiKey of one user key (overlap 0): exactly one ok, the old key revoked, one successor', async () => {
        const t = await freshKit(makeStore);
        const ada = await t.seed.user();
        const me = asUser(ada.user.id);
        const issued = valueOf(await t.kit.createApiKey(me, { name: 'laptop' }));
        const before = t.events.length;
        const results = await Promise.all(Array.from({ length: 20 }, () => t.kit.rotateApiKey(me, { keyId: issued.key.id })));
        expect(results.filter((r) => r.isOk())).toHaveLength(1);
        for (const r of results) if (r.isErr()) expect(['VALIDATION', 'CONFLICT']).toContain(r.error.code);
        const winner = valueOf(results.find((r) => r.isOk())!);
        const keys = valueOf(await t.kit.listApiKeys(me, { limit: 500 })).items;
        expect(keys.map((k) => k.id).sort()).toEqual([issued.key.id, winner.key.id].sort());
        expect(errorOf(await t.kit.resolveApiKey({ key: issued.secret.reveal() }))).toMatchObject({ reason: 'revoked' });
        expect(valueOf(await t.kit.resolveApiKey({ key: winner.secret.reveal() })).principal).toEqual(me);
        expect(t.events.slice(before).map((e) => e.action)).toEqual(['api-key.rotated']);
      });

      it('SA-3 20 concurrent rotateApiKey of one service-account key with a 24 h overlap: exactly one ok, one successor', async () => {
        const t = await freshKit(makeStore);
        const { account, owner } = await t.seed.organization({ planId: 'team' });
        const actor = asUser(owner.user.id);
        const bot = valueOf(await t.kit.createServiceAccount(actor, { accountId: account.id, name: 'bot' }));
        const issued = valueOf(await t.kit.createApiKey(actor, { name: 'ci', serviceAccountId: bot.id }));
        const before = t.events.length;
        const results = await Promise.all(
          Array.from({ length: 20 }, () => t.kit.rotateApiKey(actor, { keyId: issued.key.id, overlapHours: 24 })),
        );
        expect(tally(results)['ok']).toBe(1);
        for (const r of results) if (r.isErr()) expect(['VALIDATION', 'CONFLICT']).toContain(r.error.code);
        const keys = valueOf(await t.kit.listApiKeys(actor, { serviceAccountId: bot.id, limit: 500 })).items;
        expect(keys).toHaveLength(2);
        expectOneEventPerSuccess(t.events, before, 1);
      });
    });

    // -------------------------------------------------------------------------------------
    // Transfers (XFER-2, XFER-5, PLAN-1) and retention (RET-1, RET-2) under concurrency
    // -------------------------------------------------------------------------------------
    describe('XFER-5 RET-2 transfers and prunes under concurrency', () => {
      const OLD = '2025-06-01T00:00:00.000Z';
      const RECENT = '2025-12-28T00:00:00.000Z';
      type RaceKit = Awaited<ReturnType<typeof freshKit>>;

      /** Tracked resources of a workspace by kind, counted in the storage (WS-2). */
      const countsOf = async (t: RaceKit, workspaceId: string) =>
        valueOf(await t.kit.previewWorkspaceDeletion(checker, { workspaceId })).resources;

      /**
       * A workspace of an enterprise organization to move into a team organization (14 days of
       * retention) of the same Owner: 20 flow runs ended long ago and 4 task runs ended recently
       * (past the target's retention and kept), 2 running flow runs, a deployment; a member
       * whose grant the target does not keep.
       */
      async function movable(t: RaceKit) {
        const source = await t.seed.organization({ planId: 'enterprise', members: ['member'] });
        const owner = asUser(source.owner.user.id);
        const target = await t.seed.organization({ planId: 'team', owner: source.owner });
        const ws = await t.seed.workspace(source.account.id, { handle: 'etl' });
        valueOf(await t.kit.shareWorkspace(owner, { workspaceId: ws.id, grantee: asUser(source.members[0]!.user.user.id), role: 'runner' }));
        await t.seed.runs(ws.id, { count: 20, endedAt: OLD });
        await t.seed.runs(ws.id, { count: 4, endedAt: RECENT, kind: 'task-run' });
        await t.seed.runs(ws.id, { count: 2, state: 'running' });
        await t.seed.resources(ws.id, { deployment: 1 });
        const plan = valueOf(await t.kit.planTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id }));
        expect(plan).toMatchObject({ blockers: [], approvalNeeded: 'none', impacts: { runsPruned: { count: 20 } } });
        const execute = () =>
          t.kit.executeTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id, fingerprint: plan.fingerprint, plannedAt: plan.plannedAt });
        return { source, target, owner, ws, plan, execute };
      }

      for (const n of [2, 10]) {
        it(`XFER-5 XFER-6 ${n} concurrent executions of one plan: exactly one ok, the others PLAN_STALE or CONFLICT; moved once, pruned once, two events`, async () => {
          const t = await freshKit(makeStore);
          const m = await movable(t);
          const before = t.events.length;
          const results = await Promise.all(Array.from({ length: n }, () => m.execute()));
          expect(results.filter((r) => r.isOk())).toHaveLength(1);
          for (const r of results) if (r.isErr()) expect(['PLAN_STALE', 'CONFLICT']).toContain(r.error.code);
          const moved = valueOf(await t.kit.getWorkspace(checker, { workspaceId: m.ws.id }));
          expect(moved).toMatchObject({ accountId: m.target.account.id, handle: 'etl', version: m.ws.version + 1 });
          expect(await countsOf(t, m.ws.id)).toEqual({ 'flow-run': 2, 'task-run': 4, deployment: 1 });
          const events = t.events.slice(before);
          expect(events.map((e) => [e.action, e.accountId])).toEqual([
            ['workspace.transferred-out', m.source.account.id],
            ['workspace.transferred-in', m.target.account.id],
          ]);
          expect(events[0]!.details).toMatchObject({ runsPruned: 20, fingerprint: m.plan.fingerprint });
          if (t.snapshot) {
            const s = t.snapshot();
            expect(s.workspaces.filter((w) => w.id === m.ws.id)).toHaveLength(1);
            expect(s.grants.filter((g) => g.workspaceId === m.ws.id)).toEqual([]);
          }
        });
      }

      for (const loser of ['cancel', 'reject'] as const) {
        it(`XFER-2 approve racing ${loser} of one transfer request (either issued first, 6 rounds): exactly one ok each time, and the state follows the winner`, async () => {
          const t = await freshKit(makeStore);
          for (let round = 0; round < 6; round += 1) {
            const source = await t.seed.organization({ planId: 'pro' });
            const owner = asUser(source.owner.user.id);
            const tom = await t.seed.user();
            const target = await t.seed.organization({ planId: 'pro', owner: tom });
            const ws = await t.seed.workspace(source.account.id);
            await t.seed.runs(ws.id, { count: 3, endedAt: OLD });
            const plan = valueOf(await t.kit.planTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id }));
            const request = valueOf(
              await t.kit.requestTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id, fingerprint: plan.fingerprint, plannedAt: plan.plannedAt }),
            );
            const approve = () => t.kit.approveTransferRequest(asUser(tom.user.id), { requestId: request.id, fingerprint: request.fingerprint });
            const close = () =>
              loser === 'cancel' ? t.kit.cancelTransferRequest(owner, { requestId: request.id }) : t.kit.rejectTransferRequest(asUser(tom.user.id), { requestId: request.id });
            const before = t.events.length;
            let a: Awaited<ReturnType<typeof approve>>;
            let c: Awaited<ReturnType<typeof close>>;
            if (round % 2 === 0) [a, c] = await Promise.all([approve(), close()]);
            else [c, a] = await Promise.all([close(), approve()]);
            const outcomes = [codeOf(a), codeOf(c)];
            expect(outcomes.filter((o) => o === 'ok'), `round ${round}: ${outcomes.join(', ')}`).toHaveLength(1);
            for (const o of outcomes) if (o !== 'ok') expect(['TRANSFER_REQUEST_CLOSED', 'CONFLICT', 'NOT_FOUND', 'PLAN_STALE']).toContain(o);
            const now = valueOf(await t.kit.getWorkspace(checker, { workspaceId: ws.id }));
            const actions = t.events.slice(before).map((e) => e.action);
            if (a.isOk()) {
              expect(now.accountId).toBe(target.account.id);
              expect(actions).toEqual(['workspace.transferred-out', 'workspace.transferred-in']);
              expect(await countsOf(t, ws.id)).toEqual({});
            } else {
              expect(now.accountId).toBe(source.account.id);
              expect(actions).toEqual([loser === 'cancel' ? 'transfer.cancelled' : 'transfer.rejected']);
              expect(await countsOf(t, ws.id)).toEqual({ 'flow-run': 3 });
              expect(valueOf(await t.kit.getTransferRequest(owner, { requestId: request.id })).request.status).toBe(loser === 'cancel' ? 'cancelled' : 'rejected');
            }
          }
        });
      }

      for (const [racers, existing] of [
        [2, 2],
        [6, 2],
      ] as const) {
        it(`PLAN-1 XFER-5 ${racers} workspaces of ${racers} accounts transferred at once into a starter target (3 workspaces) holding ${existing}: exactly one ok, never over the limit`, async () => {
          const t = await freshKit(makeStore);
          const tom = await t.seed.user();
          const target = await t.seed.organization({ planId: 'starter', owner: tom });
          for (let i = 0; i < existing; i += 1) await t.seed.workspace(target.account.id);
          const moves = [];
          for (let i = 0; i < racers; i += 1) {
            // The target's Owner owns every source too: each transfer is one step.
            const source = await t.seed.organization({ planId: 'pro', owner: tom });
            const ws = await t.seed.workspace(source.account.id, { handle: `moving-${i}` });
            const plan = valueOf(await t.kit.planTransfer(asUser(tom.user.id), { workspaceId: ws.id, targetAccountId: target.account.id }));
            expect(plan.blockers).toEqual([]);
            moves.push({ source, ws, plan });
          }
          const before = t.events.length;
          const results = await Promise.all(
            moves.map((m) =>
              t.kit.executeTransfer(asUser(tom.user.id), { workspaceId: m.ws.id, targetAccountId: target.account.id, fingerprint: m.plan.fingerprint, plannedAt: m.plan.plannedAt }),
            ),
          );
          expect(results.filter((r) => r.isOk())).toHaveLength(3 - existing);
          for (const r of results) if (r.isErr()) expect(['PLAN_STALE', 'TRANSFER_BLOCKED', 'CONFLICT']).toContain(r.error.code);
          expect(await listAllWorkspaces(t.kit, checker, target.account.id)).toHaveLength(3);
          expect(t.events.length - before).toBe(2 * (3 - existing));
          for (const [i, m] of moves.entries()) {
            const where = valueOf(await t.kit.getWorkspace(checker, { workspaceId: m.ws.id })).accountId;
            expect(where).toBe(results[i]!.isOk() ? target.account.id : m.source.account.id);
          }
        });
      }

      /** An organization with three workspaces of due runs (old flow runs), kept runs and running runs. */
      async function prunable(t: RaceKit, planId: 'pro' | 'team') {
        const org = await t.seed.organization({ planId, members: ['admin'] });
        const spaces = [];
        for (let i = 0; i < 3; i += 1) {
          const ws = await t.seed.workspace(org.account.id);
          await t.seed.runs(ws.id, { count: 15 + 5 * i, endedAt: (k) => new Date(Date.parse(OLD) + k * 3_600_000).toISOString() });
          await t.seed.runs(ws.id, { count: 3, endedAt: RECENT, kind: 'task-run' });
          await t.seed.runs(ws.id, { count: 2, state: 'running', kind: 'task-run' });
          spaces.push({ ws, due: 15 + 5 * i });
        }
        return { org, spaces, due: spaces.reduce((n, s) => n + s.due, 0) };
      }

      it('RET-2 AUD-1 10 concurrent pruneRuns of one account (small batches, mixed actors): the removed total equals the runs due, never a run twice, never a running run', async () => {
        const t = await freshKit(makeStore);
        const p = await prunable(t, 'pro');
        const before = t.events.length;
        const actors: Principal[] = [system('cron-a'), asUser(p.org.owner.user.id), asUser(p.org.members[0]!.user.user.id), system('cron-b')];
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => t.kit.pruneRuns(actors[i % actors.length]!, { accountId: p.org.account.id, batchSize: 2 + (i % 4) })),
        );
        const reports = results.map((r) => valueOf(r));
        expect(reports.reduce((n, r) => n + r.pruned, 0), 'the runs removed, all calls together').toBe(p.due);
        for (const s of p.spaces) {
          expect(reports.reduce((n, r) => n + (r.byWorkspace[s.ws.id] ?? 0), 0)).toBe(s.due);
          expect(await countsOf(t, s.ws.id)).toEqual({ 'task-run': 5 });
        }
        for (const r of reports) expect(r.complete).toBe(true);
        const events = t.events.slice(before);
        expect(events).toHaveLength(10);
        for (const e of events) expect(e.action).toBe('runs.pruned');
        expect(events.map((e) => e.details['pruned'] as number).sort()).toEqual(reports.map((r) => r.pruned).sort());
        // Nothing is left due: a further prune and a pass over all accounts find nothing.
        expect(valueOf(await t.kit.pruneRuns(checker, { accountId: p.org.account.id }))).toMatchObject({ pruned: 0, complete: true });
        let cursor: string | undefined;
        do {
          const page = valueOf(await t.kit.pruneAllAccounts(checker, cursor === undefined ? {} : { cursor }));
          expect(page.reports).toEqual([]);
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        if (t.snapshot) expect(t.snapshot().resources.filter((r) => r.state === 'running')).toHaveLength(6);
      });

      it('RET-2 5 pruneRuns with maxRuns and 3 pruneAllAccounts at once: never more removed than due, and a last pass completes it exactly', async () => {
        const t = await freshKit(makeStore);
        const p = await prunable(t, 'team');
        const other = await prunable(t, 'pro');
        const [prunes, sweeps] = await Promise.all([
          Promise.all(Array.from({ length: 5 }, (_, i) => t.kit.pruneRuns(system('cron'), { accountId: p.org.account.id, batchSize: 3, maxRuns: 4 + i }))),
          Promise.all(Array.from({ length: 3 }, () => t.kit.pruneAllAccounts(system('sweeper'), { batchSize: 4 }))),
        ]);
        const removed = [...prunes.map((r) => valueOf(r).pruned), ...sweeps.map((r) => valueOf(r).pruned)].reduce((n, x) => n + x, 0);
        expect(removed).toBeLessThanOrEqual(p.due + other.due);
        const last = valueOf(await t.kit.pruneRuns(checker, { accountId: p.org.account.id }));
        const lastOther = valueOf(await t.kit.pruneRuns(checker, { accountId: other.org.account.id }));
        expect(removed + last.pruned + lastOther.pruned).toBe(p.due + other.due);
        for (const s of [...p.spaces, ...other.spaces]) expect(await countsOf(t, s.ws.id)).toEqual({ 'task-run': 5 });
      });

      it('RET-2 WS-2 5 pruneRuns racing 5 trackResources of old and new runs into the same workspaces: the storage\'s count of runs due stays exact', async () => {
        const t = await freshKit(makeStore);
        const p = await prunable(t, 'pro');
        const tracker = system('tracker');
        const track = (i: number) =>
          t.kit.trackResources(tracker, {
            workspaceId: p.spaces[i % 3]!.ws.id,
            resources: [
              ...Array.from({ length: 4 }, (_, k) => ({ kind: 'flow-run' as const, name: `late-${i}-${k}`, state: 'failed' as const, endedAt: OLD })),
              { kind: 'task-run' as const, name: `fresh-${i}`, state: 'completed' as const, endedAt: RECENT },
            ],
          });
        const prune = (i: number) => t.kit.pruneRuns(system('cron'), { accountId: p.org.account.id, batchSize: 2 + i });
        const [prunes, tracks] = await Promise.all([
          Promise.all(Array.from({ length: 5 }, (_, i) => prune(i))),
          Promise.all(Array.from({ length: 5 }, (_, i) => track(i))),
        ]);
        for (const r of tracks) valueOf(r);
        const removed = prunes.reduce((n, r) => n + valueOf(r).pruned, 0);
        // Whatever was tracked after the prunes is still there, and counted exactly: the plan of
        // a transfer (an index count) and a last prune (the deletes) agree on it.
        const target = await t.seed.organization({ planId: 'pro', owner: p.org.owner });
        let planned = 0;
        for (const s of p.spaces) {
          const plan = valueOf(await t.kit.planTransfer(checker, { workspaceId: s.ws.id, targetAccountId: target.account.id }));
          planned += plan.impacts.runsPruned.count;
        }
        const last = valueOf(await t.kit.pruneRuns(checker, { accountId: p.org.account.id }));
        expect(last.pruned).toBe(planned);
        expect(removed + last.pruned).toBe(p.due + 5 * 4);
        for (const [i, s] of p.spaces.entries()) {
          const fresh = [0, 1, 2, 3, 4].filter((k) => k % 3 === i).length;
          expect(await countsOf(t, s.ws.id)).toEqual({ 'task-run': 5 + fresh });
        }
        for (const s of p.spaces) {
          const plan = valueOf(await t.kit.planTransfer(checker, { workspaceId: s.ws.id, targetAccountId: target.account.id }));
          expect(plan.impacts.runsPruned.count).toBe(0);
        }
      });

      it('XFER-5 RET-2 executeTransfer racing pruneRuns of the source (either first, 6 rounds): the transfer carries out its plan exactly or is PLAN_STALE', async () => {
        const t = await freshKit(makeStore);
        for (let round = 0; round < 6; round += 1) {
          // The source keeps 30 days (pro): its prune removes the 20 old runs the plan counted.
          const source = await t.seed.organization({ planId: 'pro' });
          const owner = asUser(source.owner.user.id);
          const target = await t.seed.organization({ planId: 'team', owner: source.owner });
          const ws = await t.seed.workspace(source.account.id);
          await t.seed.runs(ws.id, { count: 20, endedAt: OLD });
          await t.seed.runs(ws.id, { count: 4, endedAt: '2025-12-10T00:00:00.000Z', kind: 'task-run' });
          await t.seed.runs(ws.id, { count: 1, state: 'running' });
          const plan = valueOf(await t.kit.planTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id }));
          expect(plan.impacts.runsPruned.count).toBe(24);
          const execute = () => t.kit.executeTransfer(owner, { workspaceId: ws.id, targetAccountId: target.account.id, fingerprint: plan.fingerprint, plannedAt: plan.plannedAt });
          const prune = () => t.kit.pruneRuns(system('cron'), { accountId: source.account.id, batchSize: 3 });
          let x: Awaited<ReturnType<typeof execute>>;
          let p: Awaited<ReturnType<typeof prune>>;
          if (round % 2 === 0) [x, p] = await Promise.all([execute(), prune()]);
          else [p, x] = await Promise.all([prune(), execute()]);
          const report = valueOf(p);
          const where = valueOf(await t.kit.getWorkspace(checker, { workspaceId: ws.id })).accountId;
          if (x.isOk()) {
            // The transfer committed first: the prune no longer sees the workspace in the source.
            expect(report.pruned).toBe(0);
            expect(where).toBe(target.account.id);
          } else {
            expect(errorOf(x).code).toBe('PLAN_STALE');
            expect(report.pruned).toBe(20);
            expect(where).toBe(source.account.id);
          }
          expect(await countsOf(t, ws.id)).toEqual(x.isOk() ? { 'flow-run': 1 } : { 'flow-run': 1, 'task-run': 4 });
        }
      });
    });
  });
}
