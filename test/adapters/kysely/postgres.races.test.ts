import { afterAll } from 'vitest';
import { describeRaces } from '../../concurrency/races.js';
import { postgresTestDatabase } from './stores.js';

// The race tests on PostgreSQL: every command of a race runs in its own transaction on its own
// pooled connection (pool of 10), and the database settles the races.
const pg = postgresTestDatabase();
afterAll(() => pg.close());

describeRaces('kysely postgres', async () => (await pg.recycledStore()).store);
