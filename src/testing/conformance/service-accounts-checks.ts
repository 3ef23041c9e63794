import type { ServiceAccountId } from '../../core/ids.js';
import type { ConformanceCheck } from './check.js';
import { namedRecordChecks } from './named-records-checks.js';

/** The `serviceAccounts` suite: service accounts of organizations, named uniquely per account (SA-1). */
export function serviceAccountsChecks(): ConformanceCheck[] {
  return namedRecordChecks({
    suite: 'serviceAccounts',
    specIds: ['SA-1'],
    label: 'serviceAccounts',
    repo: (tx) => tx.serviceAccounts,
    build: (f, accountId, overrides = {}) => f.serviceAccount(accountId, overrides),
    variants: (f, accountId) => [
      f.serviceAccount(accountId),
      f.serviceAccount(accountId, { name: `Robot “ci” — déploie ✓ ${f.tag}` }),
      f.serviceAccount(accountId, { createdAt: f.at(60 * 24 * 400) }),
    ],
    unknownId: (f) => f.id<ServiceAccountId>('sa'),
  });
}
