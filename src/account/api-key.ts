import type { Timestamp } from '../core/clock.js';
import type { AccountId, ApiKeyId } from '../core/ids.js';
import type { Grantee } from '../core/principal.js';

/** The longest overlap a rotated key may keep working (SA-3). */
export const MAX_ROTATION_OVERLAP_HOURS = 48;

/**
 * An API key (SA-2) of a user or a service account. It acts with its owner's access, so it loses
 * access exactly when the owner does. The secret is never stored: only `secretHash`.
 */
export interface ApiKey {
  readonly id: ApiKeyId;
  readonly owner: Grantee;
  /** The account the key is recorded in: a user's personal account, a service account's organization. */
  readonly accountId: AccountId;
  readonly name: string;
  readonly secretHash: string;
  readonly createdAt: Timestamp;
  /** From this instant on the key no longer authenticates; `null` = never expires. */
  readonly expiresAt: Timestamp | null;
  readonly revokedAt: Timestamp | null;
  /** The key that replaced this one by rotation (SA-3). */
  readonly rotatedTo: ApiKeyId | null;
  /** Increases on every change; updates are guarded by it. */
  readonly version: number;
}

/** An API key as the kit returns it: everything but the secret's hash. */
export type ApiKeyView = Omit<ApiKey, 'secretHash'>;

/** The caller's view of a key. */
export function apiKeyView(key: ApiKey): ApiKeyView {
  const { secretHash: _hash, ...rest } = key;
  return rest;
}

/** Why a key does not authenticate at `now`, or `null` when it does. */
export function apiKeyRefusal(key: Pick<ApiKey, 'expiresAt' | 'revokedAt'>, now: Timestamp): 'expired' | 'revoked' | null {
  if (key.revokedAt !== null && key.revokedAt <= now) return 'revoked';
  if (key.expiresAt !== null && key.expiresAt <= now) return 'expired';
  return null;
}
