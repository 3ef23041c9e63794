import { sqliteMemoryStore } from '../adapters/kysely/stores.js';
import { describeRetention } from './retention.js';
import { sqlRetentionStore } from './sql-store.js';

// RET-1 RET-2 on the Kysely adapter over SQLite in memory: a fresh, migrated database per world.
describeRetention('kysely sqlite', async () => sqlRetentionStore(await sqliteMemoryStore()), { numRuns: 50 });
