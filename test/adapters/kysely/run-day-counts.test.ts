/**
 * RET-1, RET-2, XFER-4 on the Kysely adapter: the run day counts (`run_day_counts`) that
 * `countEndedBefore` sums stay equal to the runs in `resources`, grouped by workspace and UTC
 * end day, through every write that touches runs: `insertMany`, `deleteEndedBefore` in
 * batches, `deleteByWorkspace`, units of work rolled back, and (PostgreSQL) concurrent writers.
 * The tables are read with plain SQL, not through the adapter.
 */
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { Handle } from '../../../src/core/handle.js';
import type { AccountId, ResourceId, UserId, WorkspaceId } from '../../../src/core/ids.js';
import type { TrackedResource } from '../../../src/workspace/resource.js';
import { postgresTestDatabase, sqliteMemoryStore, type TestStore } from './stores.js';

const AT = '2026-01-01T00:00:00.000Z';
const DAY_MS = 86_400_000;
const START = Date.parse(AT);

/** A deterministic pseudo-random sequence in [0, 1). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** An account with `count` workspaces, written through the store. */
async function seedWorkspaces(entry: TestStore, count: number): Promise<WorkspaceId[]> {
  const ids = Array.from({ length: count }, (_, i) => `ws_${i}` as WorkspaceId);
  await entry.store.transaction(async (tx) => {
    expect(await tx.users.insert({ id: 'usr_1' as UserId, email: 'runs@example.test', displayName: 'r', personalAccountId: 'acc_1' as AccountId, createdAt: AT })).toBe('ok');
    expect(
      await tx.accounts.insert({
        id: 'acc_1' as AccountId,
        kind: 'personal',
        handle: 'runs' as Handle,
        displayName: 'r',
        planId: 'hobby',
        ownerUserId: 'usr_1' as UserId,
        version: 1,
        createdAt: AT,
        updatedAt: AT,
      }),
    ).toBe('ok');
    for (const [i, id] of ids.entries()) {
      expect(await tx.workspaces.insert({ id, accountId: 'acc_1' as AccountId, handle: `w${i}` as Handle, description: '', defaultRole: null, version: 1, createdAt: AT, updatedAt: AT })).toBe(
        'ok',
      );
    }
  });
  return ids;
}

/** Random resources of a workspace: mostly runs ending over 12 days, some running, some no runs. */
function randomResources(random: () => number, workspaceId: WorkspaceId, count: number, prefix: string): TrackedResource[] {
  return Array.from({ length: count }, (_, i) => {
    const roll = random();
    const day = Math.floor(random() * 12);
    const edge = random();
    const offset = edge < 0.15 ? 0 : edge < 0.3 ? DAY_MS - 1 : Math.floor(random() * DAY_MS);
    const endedAt = roll < 0.8 ? new Date(START + day * DAY_MS + offset).toISOString() : null;
    const kind = roll < 0.9 ? (random() < 0.5 ? 'flow-run' : 'task-run') : 'variable';
    return {
      id: `res_${prefix}_${i}` as ResourceId,
      workspaceId,
      kind,
      name: 'r',
      createdAt: AT,
      state: kind === 'variable' ? null : endedAt === null ? 'running' : 'completed',
      endedAt: kind === 'variable' ? null : endedAt,
      parentRunId: null,
    };
  });
}

/** run_day_counts as stored, and as the resources imply it. */
async function dayCounts(entry: TestStore) {
  const norm = (rows: { workspace_id: string; end_day: string; n: unknown }[]) => rows.map((r) => ({ ...r, n: Number(r.n) }));
  const stored = await sql<{ workspace_id: string; end_day: string; n: unknown }>`
    select workspace_id, end_day, n from ${entry.table('runDayCounts')} order by workspace_id, end_day`.execute(entry.db);
  const implied = await sql<{ workspace_id: string; end_day: string; n: unknown }>`
    select workspace_id, substr(ended_at, 1, 10) as end_day, count(*) as n from ${entry.table('resources')}
     where ended_at is not null group by workspace_id, substr(ended_at, 1, 10) order by workspace_id, end_day`.execute(entry.db);
  return { stored: norm(stored.rows), implied: norm(implied.rows) };
}

/** The plain count countEndedBefore must equal. */
async function naiveCount(entry: TestStore, workspaceId: WorkspaceId, cutoff: string): Promise<number> {
  const { rows } = await sql<{ n: unknown }>`
    select count(*) as n from ${entry.table('resources')} where workspace_id = ${workspaceId} and ended_at < ${cutoff}`.execute(entry.db);
  return Number(rows[0]!.n);
}

/** A random cutoff: a midnight, a millisecond around one, or anywhere in the 14 days. */
function randomCutoff(random: () => number): string {
  const day = Math.floor(random() * 14);
  const roll = random();
  const offset = roll < 0.25 ? 0 : roll < 0.4 ? -1 : roll < 0.55 ? 1 : Math.floor(random() * DAY_MS);
  return new Date(START + day * DAY_MS + offset).toISOString();
}

/** A random sequence of writes, each checked against the plain tables. */
async function randomWrites(entry: TestStore): Promise<void> {
  const random = lcg(42);
  const workspaces = await seedWorkspaces(entry, 3);
  const pick = () => workspaces[Math.floor(random() * workspaces.length)]!;
  let batch = 0;
  for (let step = 0; step < 60; step += 1) {
    const roll = random();
    const ws = pick();
    if (roll < 0.4) {
      const items = randomResources(random, ws, 1 + Math.floor(random() * 60), `s${(batch += 1)}`);
      await entry.store.transaction((tx) => tx.resources.insertMany(items));
    } else if (roll < 0.75) {
      const cutoff = randomCutoff(random);
      const limit = 1 + Math.floor(random() * 25);
      const due = await naiveCount(entry, ws, cutoff);
      const n = await entry.store.transaction((tx) => tx.resources.deleteEndedBefore(ws, cutoff, limit));
      expect(n).toBe(Math.min(due, limit));
    } else if (roll < 0.85) {
      // Rolled back: neither the runs nor their counts change.
      const before = await dayCounts(entry);
      const items = randomResources(random, ws, 20, `r${(batch += 1)}`);
      const cutoff = randomCutoff(random);
      const failed = entry.store.transaction(async (tx) => {
        await tx.resources.insertMany(items);
        await tx.resources.deleteEndedBefore(ws, cutoff, 10);
        throw new Error('rolled back');
      });
      await expect(failed).rejects.toThrow('rolled back');
      expect(await dayCounts(entry)).toEqual(before);
    } else if (roll < 0.9) {
      await entry.store.transaction((tx) => tx.resources.deleteByWorkspace(ws));
      expect((await dayCounts(entry)).stored.filter((r) => r.workspace_id === ws)).toEqual([]);
    } else {
      // Pruning everything before a cutoff, batch after batch.
      const cutoff = randomCutoff(random);
      for (;;) {
        const n = await entry.store.transaction((tx) => tx.resources.deleteEndedBefore(ws, cutoff, 7));
        if (n < 7) break;
      }
      expect(await naiveCount(entry, ws, cutoff)).toBe(0);
    }
    const { stored, implied } = await dayCounts(entry);
    expect(stored).toEqual(implied);
    expect(stored.every((r) => r.n > 0)).toBe(true);
    for (const w of workspaces) {
      for (let k = 0; k < 3; k += 1) {
        const cutoff = randomCutoff(random);
        expect(await entry.store.transaction((tx) => tx.resources.countEndedBefore(w, cutoff), { readOnly: true })).toBe(await naiveCount(entry, w, cutoff));
      }
    }
  }
}

describe('run day counts on SQLite', () => {
  it('RET-1 RET-2 XFER-4 stay equal to the grouped runs through inserts, pruning batches, workspace deletes and rollbacks', async () => {
    const entry = await sqliteMemoryStore({ tablePrefix: 'wk_' });
    try {
      await randomWrites(entry);
    } finally {
      await entry.release();
    }
  });
});

describe('run day counts on PostgreSQL', () => {
  const pg = postgresTestDatabase();
  afterAll(() => pg.close());

  it('RET-1 RET-2 XFER-4 stay equal to the grouped runs through inserts, pruning batches, workspace deletes and rollbacks', async () => {
    const entry = await pg.makeStore();
    try {
      await randomWrites(entry);
    } finally {
      await entry.release();
    }
  });

  it('RET-1 RET-2 XFER-4 stay equal to the grouped runs under concurrent inserts and pruning of the same days', async () => {
    const entry = await pg.makeStore();
    try {
      const random = lcg(9);
      const [ws] = await seedWorkspaces(entry, 1);
      await entry.store.transaction((tx) => tx.resources.insertMany(randomResources(random, ws!, 400, 'base')));
      const cutoff = new Date(START + 8 * DAY_MS).toISOString();
      const writers = Array.from({ length: 12 }, (_, i) => {
        if (i % 3 === 0) return entry.store.transaction((tx) => tx.resources.deleteEndedBefore(ws!, cutoff, 40));
        const items = randomResources(random, ws!, 80, `c${i}`);
        return entry.store.transaction(async (tx) => {
          await tx.resources.insertMany(items);
          return tx.resources.deleteEndedBefore(ws!, cutoff, 5);
        });
      });
      const settled = await Promise.allSettled(writers);
      expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
      const { stored, implied } = await dayCounts(entry);
      expect(stored).toEqual(implied);
      expect(await entry.store.transaction((tx) => tx.resources.countEndedBefore(ws!, cutoff), { readOnly: true })).toBe(await naiveCount(entry, ws!, cutoff));
    } finally {
      await entry.release();
    }
  });
});
