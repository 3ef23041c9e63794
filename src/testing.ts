// workspace-kit/testing: helpers for hosts' test suites and the adapter conformance suite.
export { createTestKit } from './testing/test-kit.js';
export type { SeedRunsOptions, SeededOrganization, Seeder, TestKit, TestKitOptions } from './testing/test-kit.js';
export { faultyStore, InjectedFault } from './testing/faulty-store.js';
export type { FaultyStore } from './testing/faulty-store.js';
export { STORE_CONFORMANCE_SUITES } from './testing/conformance/check.js';
export type { ConformanceCheck, ConformanceSuiteName } from './testing/conformance/check.js';
export { storeConformanceChecks } from './testing/conformance/store-conformance-checks.js';
export { describeStoreConformance, SKIPPED_TITLE_PREFIX } from './testing/conformance/describe-store-conformance.js';
export type {
  ConformanceIt,
  ConformanceTestApi,
  ConformanceTestFn,
  StoreConformanceOptions,
} from './testing/conformance/describe-store-conformance.js';
