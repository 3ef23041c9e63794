import { afterAll } from 'vitest';
import { describeWorkspaceModel } from '../../properties/workspace-model.js';
import { postgresTestDatabase } from './stores.js';

// The foundation's model-based property test on the Kysely adapter over PostgreSQL. Runs are
// sequential, so one schema, emptied between runs, serves them all.
const pg = postgresTestDatabase();
afterAll(() => pg.close());

describeWorkspaceModel('kysely postgres', async () => (await pg.recycledStore()).store, { numRuns: 60, maxCommands: 40 });
