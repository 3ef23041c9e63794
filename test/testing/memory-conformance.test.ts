import { describe, it } from 'vitest';
import { createMemoryStore } from '../../src/memory.js';
import { describeStoreConformance, faultyStore } from '../../src/testing.js';

// STORE-2, STORE-3: the in-memory adapter passes the whole adapter conformance suite.
describeStoreConformance({ describe, it }, { name: 'memory', createStore: () => createMemoryStore() });

// A disarmed fault-injecting wrapper must be transparent: it conforms too.
describeStoreConformance({ describe, it }, { name: 'memory behind a disarmed faultyStore', createStore: () => faultyStore(createMemoryStore()) });
