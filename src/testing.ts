// workspace-kit/testing: helpers for hosts' test suites and the adapter conformance suite.
export { createTestKit } from './testing/test-kit.js';
export type { SeedRunsOptions, SeededOrganization, Seeder, TestKit, TestKitOptions } from './testing/test-kit.js';
export { faultyStore, InjectedFault } from './testing/faulty-store.js';
export type { FaultyStore } from './testing/faulty-store.js';
