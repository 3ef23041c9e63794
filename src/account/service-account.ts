import type { Timestamp } from '../core/clock.js';
import type { AccountId, ServiceAccountId } from '../core/ids.js';

/** The longest service account or API key name. */
export const CREDENTIAL_NAME_MAX_LENGTH = 100;

/**
 * A service account of an organization (SA-1): a non-human principal with the account role
 * Member, a name unique in the organization, and workspace access given like a user's (SHR-1).
 */
export interface ServiceAccount {
  readonly id: ServiceAccountId;
  readonly accountId: AccountId;
  readonly name: string;
  readonly createdAt: Timestamp;
}
