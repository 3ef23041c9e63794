/**
 * Fault tests of the transfer and retention commands on the Kysely adapter (XFER-5, RET-2,
 * AUD-1, STORE-2), checked by reading every table directly with plain SQL: a transfer or a
 * prune failing at any of its writes leaves every row of every table — run-day counts included —
 * exactly as it was, and publishes nothing.
 *
 * - a write failed by `faultyStore`, for every k, on SQLite (memory and WAL file) and PostgreSQL;
 * - PostgreSQL: the command's connection killed by the server before write k of executeTransfer.
 */
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { faultyStore } from '../../../src/testing/faulty-store.js';
import { createTestKit } from '../../../src/testing/test-kit.js';
import { transferFaultScenarios } from '../../faults/transfer-scenarios.js';
import { valueOf } from '../../support/harness.js';
import { beforeWrite, expectEveryFailureChangesNothing } from './fault-tools.js';
import { dumpTables, postgresTestDatabase, sqliteFileDirectory, sqliteFileStore, sqliteMemoryStore, type TestStore } from './stores.js';

// The pool first: without a server it throws here, before a temporary directory exists.
const pg = postgresTestDatabase();
const files = sqliteFileDirectory();
afterAll(async () => {
  await pg.close();
  files.remove();
});

interface Engine {
  readonly name: string;
  make(): Promise<TestStore>;
}

const engines: readonly Engine[] = [
  { name: 'sqlite :memory:', make: () => sqliteMemoryStore() },
  { name: 'sqlite file (WAL)', make: () => sqliteFileStore(files.dir) },
  { name: 'postgres', make: () => pg.makeStore() },
];

for (const engine of engines) {
  describe(`faults of the transfer and retention commands on the kysely ${engine.name} store`, () => {
    for (const scenario of transferFaultScenarios) {
      it(`STORE-2 AUD-1 ${scenario.title}: failing at every write k (faultyStore) leaves every table unchanged`, async () => {
        // Count the writes of the command on a throwaway twin of the state.
        const twin = await engine.make();
        let writes: number;
        try {
          const store = faultyStore(twin.store);
          const run = await scenario.prepare(createTestKit({ store }));
          store.arm(null);
          valueOf(await run());
          writes = store.writes;
        } finally {
          await twin.release();
        }
        expect(writes).toBeGreaterThanOrEqual(scenario.minWrites);
        const entry = await engine.make();
        try {
          const store = faultyStore(entry.store);
          const t = createTestKit({ store });
          const run = await scenario.prepare(t);
          const published = t.events.length;
          await expectEveryFailureChangesNothing(store, writes, run, () => dumpTables(entry));
          expect(t.events.length, 'no event published by a failed command').toBe(published);
          // Disarmed, the very same command succeeds on the very same state.
          const before = await dumpTables(entry);
          valueOf(await run());
          const after = await dumpTables(entry);
          expect(after['auditEvents']).toHaveLength(before['auditEvents']!.length + scenario.events);
          expect(t.events.length).toBe(published + scenario.events);
        } finally {
          await entry.release();
        }
      });
    }
  });
}

describe('faults of executeTransfer on the kysely postgres store: connections killed', () => {
  it('XFER-5 STORE-2 the server terminating the connection before write k of executeTransfer (every k) leaves every table unchanged', async () => {
    const scenario = transferFaultScenarios[0]!;
    const twin = await pg.makeStore();
    let writes: number;
    try {
      const counter = faultyStore(twin.store);
      const run = await scenario.prepare(createTestKit({ store: counter }));
      counter.arm(null);
      valueOf(await run());
      writes = counter.writes;
    } finally {
      await twin.release();
    }
    const entry = await pg.makeStore();
    // The killer and the reader use their own pool: this file's pool loses connections.
    const admin = postgresTestDatabase();
    const killed: boolean[] = [];
    try {
      const killer = beforeWrite(entry.store, async () => {
        const { rows } = await sql<{ killed: boolean }>`
          select pg_terminate_backend(pid) as killed from pg_stat_activity
           where application_name = ${pg.applicationName} and state = 'idle in transaction'`.execute(admin.db);
        killed.push(...rows.map((r) => r.killed));
      });
      const t = createTestKit({ store: killer });
      const run = await scenario.prepare(t);
      const published = t.events.length;
      await expectEveryFailureChangesNothing(killer, writes, run, () => dumpTables(entry, admin.db));
      expect(killed, 'one backend killed per armed write').toEqual(Array.from({ length: writes }, () => true));
      expect(t.events.length).toBe(published);
      const before = await dumpTables(entry, admin.db);
      valueOf(await run());
      expect((await dumpTables(entry, admin.db))['auditEvents']).toHaveLength(before['auditEvents']!.length + 2);
    } finally {
      await admin.close();
      await entry.release();
    }
  });
});
