import { createMemoryStore } from '../../src/adapters/memory/memory-store.js';
import { describeRaces } from './races.js';

describeRaces('memory', () => createMemoryStore());
