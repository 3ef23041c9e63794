import { accountsChecks } from './accounts-checks.js';
import { apiKeysChecks } from './api-keys-checks.js';
import { auditChecks } from './audit-checks.js';
import type { ConformanceCheck } from './check.js';
import { concurrencyChecks } from './concurrency-checks.js';
import { grantsChecks } from './grants-checks.js';
import { invitationsChecks } from './invitations-checks.js';
import { membershipsChecks } from './memberships-checks.js';
import { resourcesChecks } from './resources-checks.js';
import { rolesChecks } from './roles-checks.js';
import { seatsChecks } from './seats-checks.js';
import { serviceAccountsChecks } from './service-accounts-checks.js';
import { transactionsChecks } from './transactions-checks.js';
import { transferRequestsChecks } from './transfer-requests-checks.js';
import { usersChecks } from './users-checks.js';
import { workspaceAccessChecks } from './workspace-access-checks.js';
import { workspacesChecks } from './workspaces-checks.js';

/**
 * Every check of the adapter conformance suite (STORE-3), suite by suite in the order of
 * `STORE_CONFORMANCE_SUITES`. Each check needs a fresh, empty store. Use
 * {@link describeStoreConformance} to register them with a test runner, or run them yourself.
 *
 * @example
 * ```ts
 * for (const check of storeConformanceChecks()) {
 *   await check.run(await createMyStore()); // throws an AssertionError naming the broken contract
 * }
 * ```
 */
export function storeConformanceChecks(): readonly ConformanceCheck[] {
  return Object.freeze([
    ...usersChecks(),
    ...accountsChecks(),
    ...membershipsChecks(),
    ...workspacesChecks(),
    ...workspaceAccessChecks(),
    ...resourcesChecks(),
    ...auditChecks(),
    ...rolesChecks(),
    ...grantsChecks(),
    ...invitationsChecks(),
    ...serviceAccountsChecks(),
    ...apiKeysChecks(),
    ...seatsChecks(),
    ...transferRequestsChecks(),
    ...transactionsChecks(),
    ...concurrencyChecks(),
  ]);
}
