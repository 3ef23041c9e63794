/**
 * Fault injection on the transfer and retention commands (XFER-5, RET-2, AUD-1, STORE-2): a
 * transfer is all of it or nothing, and so is one account's prune.
 *
 * As in `atomicity.test.ts`: the command is first run once on a fresh state to count its writes;
 * then for EVERY k from 1 to that count the state is rebuilt, the faulty store fails the k-th
 * write, and the command must resolve to `STORAGE` with the memory store's snapshot deep-equal
 * to the one before and no event published; disarmed, the same command then succeeds on that
 * same state with its events (two for a transfer, XFER-6).
 *
 * `pruneAllAccounts` is one unit of work per account: a fault in one account's prune leaves that
 * account exactly as it was, keeps the accounts pruned before it, and the next pass finishes.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/adapters/memory/memory-store.js';
import { system } from '../../src/core/principal.js';
import { faultyStore, type FaultyStore } from '../../src/testing/faulty-store.js';
import { createTestKit, type TestKit } from '../../src/testing/test-kit.js';
import { errorOf, valueOf } from '../support/harness.js';
import { expectAtomicAtEveryWrite } from './every-write.js';
import { transferFaultScenarios } from './transfer-scenarios.js';

describe('XFER-5 RET-2 AUD-1 transfers and prunes are atomic under an injected storage fault at each of their writes', () => {
  for (const scenario of transferFaultScenarios) {
    it(`${scenario.title}: a failure at any write k changes nothing and publishes nothing`, async () => {
      await expectAtomicAtEveryWrite((t) => scenario.prepare(t), { minWrites: scenario.minWrites, events: scenario.events });
    });
  }
});

describe('RET-2 pruneAllAccounts: one unit of work per account', () => {
  it('RET-2 AUD-1 a fault at any write k leaves the failing account unchanged, keeps the accounts pruned before it, and the next pass finishes', async () => {
    const OLD = '2025-06-01T00:00:00.000Z';
    const seedWorld = async (t: TestKit<FaultyStore>) => {
      const accounts = [];
      for (let i = 0; i < 3; i += 1) {
        const { account } = await t.seed.organization({ planId: 'pro' });
        const ws = await t.seed.workspace(account.id);
        await t.seed.runs(ws.id, { count: 3 + i, endedAt: OLD });
        await t.seed.runs(ws.id, { count: 1, state: 'running' });
        accounts.push({ account, ws });
      }
      return accounts;
    };
    const make = async () => {
      const inner = createMemoryStore();
      const store = faultyStore(inner);
      const t = createTestKit({ store });
      const accounts = await seedWorld(t);
      return { inner, store, t, accounts };
    };
    const retention = system('retention');

    const probe = await make();
    probe.store.arm(null);
    const full = valueOf(await probe.t.kit.pruneAllAccounts(retention, { batchSize: 2 }));
    expect(full.reports).toHaveLength(3);
    const writes = probe.store.writes;
    const finalRuns = probe.inner.snapshot().resources;

    for (let k = 1; k <= writes; k += 1) {
      const b = await make();
      const before = b.inner.snapshot();
      const published = b.t.events.length;
      b.store.arm(k);
      expect(errorOf(await b.t.kit.pruneAllAccounts(retention, { batchSize: 2 })).code, `write #${k}`).toBe('STORAGE');
      b.store.arm(null);
      const after = b.inner.snapshot();
      const events = b.t.events.slice(published);
      // Each account is either fully pruned (its event published) or untouched: never half.
      const pruned = new Set(events.map((e) => e.accountId));
      for (const { account, ws } of b.accounts) {
        const runs = (s: typeof before) => s.resources.filter((r) => r.workspaceId === ws.id);
        const expected = pruned.has(account.id) ? finalRuns.filter((r) => r.workspaceId === ws.id) : runs(before);
        expect(runs(after), `account ${account.id} after a fault at write #${k}`).toEqual(expected);
      }
      expect(events.every((e) => e.action === 'runs.pruned')).toBe(true);
      expect(after.audit.length).toBe(before.audit.length + events.length);
      expect({ ...after, resources: [], audit: [] }).toEqual({ ...before, resources: [], audit: [] });

      // The next pass prunes what is left, and only that.
      const next = valueOf(await b.t.kit.pruneAllAccounts(retention, { batchSize: 2 }));
      expect(next.reports.map((r) => r.accountId).sort()).toEqual(b.accounts.map((a) => a.account.id).filter((id) => !pruned.has(id)).sort());
      expect(b.inner.snapshot().resources).toEqual(finalRuns);
    }
  });
});
