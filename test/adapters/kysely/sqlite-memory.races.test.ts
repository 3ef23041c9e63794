import { describeRaces } from '../../concurrency/races.js';
import { releaseStore, sqliteMemoryStore } from './stores.js';

// The race tests on SQLite: concurrent commands queue behind the store's mutex, one
// BEGIN IMMEDIATE transaction at a time, so every outcome is a serial one.
describeRaces('kysely sqlite', async () => (await sqliteMemoryStore()).store, { release: releaseStore });
