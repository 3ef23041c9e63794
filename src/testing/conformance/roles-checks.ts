import type { RoleId } from '../../core/ids.js';
import type { ConformanceCheck } from './check.js';
import { namedRecordChecks } from './named-records-checks.js';

/** The `roles` suite: custom workspace roles, named uniquely per account (ROLE-2). */
export function rolesChecks(): ConformanceCheck[] {
  return namedRecordChecks({
    suite: 'roles',
    specIds: ['ROLE-2'],
    label: 'roles',
    repo: (tx) => tx.roles,
    build: (f, accountId, overrides = {}) => f.role(accountId, overrides),
    variants: (f, accountId) => [
      f.role(accountId),
      f.role(accountId, { scopes: [], inherits: 'developer', name: `Déploiement “prod” ✓ ${f.tag}` }),
      f.role(accountId, {
        scopes: ['manage_blocks', 'manage_deployments', 'run_deployments', 'see_flows', 'see_secret_blocks'],
        inherits: 'viewer',
      }),
      f.role(accountId, { scopes: ['see_flows'], inherits: 'worker' }),
    ],
    unknownId: (f) => f.id<RoleId>('role'),
  });
}
