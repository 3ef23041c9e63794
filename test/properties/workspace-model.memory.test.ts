import { createMemoryStore } from '../../src/adapters/memory/memory-store.js';
import { describeWorkspaceModel } from './workspace-model.js';

describeWorkspaceModel('memory', () => createMemoryStore(), { numRuns: 300, maxCommands: 60 });
