/**
 * A {@link RetentionStore} over one of the Kysely adapter's test stores: its rows read with
 * plain SQL on the tables, bypassing the adapter.
 */
import { sql } from 'kysely';
import { dumpTables, type TestStore } from '../adapters/kysely/stores.js';
import type { RetentionStore, StoredResource } from './retention.js';

interface ResourceRow {
  id: string;
  workspace_id: string;
  kind: string;
  name: string;
  state: string | null;
  ended_at: string | null;
  parent_run_id: string | null;
}

const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function sqlRetentionStore(entry: TestStore): RetentionStore {
  return {
    store: entry.store,
    async resources(): Promise<StoredResource[]> {
      const { rows } = await sql<ResourceRow>`
        select id, workspace_id, kind, name, state, ended_at, parent_run_id from ${entry.table('resources')}`.execute(entry.db);
      return rows
        .map((r) => ({
          id: r.id,
          workspaceId: r.workspace_id,
          kind: r.kind,
          name: r.name,
          state: r.state,
          endedAt: r.ended_at,
          parentRunId: r.parent_run_id,
        }))
        .sort(byId);
    },
    async others() {
      const { resources: _r, runDayCounts: _d, auditEvents: _a, ...rest } = await dumpTables(entry);
      return rest;
    },
    async auditCount() {
      const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${entry.table('auditEvents')}`.execute(entry.db);
      return Number(rows[0]!.n);
    },
    release: () => entry.release(),
  };
}
