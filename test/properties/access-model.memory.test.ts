import { createMemoryStore } from '../../src/adapters/memory/memory-store.js';
import { describeAccessModel } from './access-model.js';

// The access model on the in-memory store: each refused command is checked against a deep
// snapshot of the whole store. Every principal × workspace is checked after every step through
// the pure authorizer over the stored data; the kit's per-principal queries run for the actor
// and three more principals in rotation.
describeAccessModel('memory', () => createMemoryStore(), { numRuns: 150, maxCommands: 50, principalsPerStep: 3 });
