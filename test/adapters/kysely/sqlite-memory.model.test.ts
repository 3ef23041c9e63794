import { describeWorkspaceModel } from '../../properties/workspace-model.js';
import { releaseStore, sqliteMemoryStore } from './stores.js';

// The foundation's model-based property test on the Kysely adapter over SQLite in memory: a
// fresh database per run, closed when the run ends.
describeWorkspaceModel('kysely sqlite', async () => (await sqliteMemoryStore()).store, {
  numRuns: 60,
  maxCommands: 40,
  release: releaseStore,
});
