import { afterAll } from 'vitest';
import { postgresTestDatabase } from '../adapters/kysely/stores.js';
import { describeRetention } from './retention.js';
import { sqlRetentionStore } from './sql-store.js';

// RET-1 RET-2 on the Kysely adapter over PostgreSQL: one reusable schema, emptied per world.
const pg = postgresTestDatabase();
afterAll(() => pg.close());

describeRetention('kysely postgres', async () => sqlRetentionStore(await pg.recycledStore()), { numRuns: 40 });
