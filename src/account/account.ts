import type { Timestamp } from '../core/clock.js';
import type { Handle } from '../core/handle.js';
import type { AccountId, UserId } from '../core/ids.js';

/** A person who signs in (ACC-1). `email` is trimmed and lower-cased, unique across users. */
export interface User {
  readonly id: UserId;
  readonly email: string;
  readonly displayName: string;
  /** The personal account created with the user. */
  readonly personalAccountId: AccountId;
  readonly createdAt: Timestamp;
}

/** `personal`: one owner user; `organization`: members with account roles (ACC-2). */
export type AccountKind = 'personal' | 'organization';

/** An account that owns workspaces (ACC-2). */
export interface Account {
  readonly id: AccountId;
  readonly kind: AccountKind;
  /** Unique across all accounts (HDL-1). */
  readonly handle: Handle;
  readonly displayName: string;
  readonly planId: string;
  /** The owner of a personal account; `null` for organizations. */
  readonly ownerUserId: UserId | null;
  /** Increases on every change of the account row. */
  readonly version: number;
  readonly createdAt: Timestamp;
  readonly updatedAt: Timestamp;
}

/** Account roles of an organization (ACC-3). */
export type AccountRole = 'owner' | 'admin' | 'member';

/** Every account role, most powerful first. */
export const ACCOUNT_ROLES: readonly AccountRole[] = ['owner', 'admin', 'member'];

/** A user's membership of an organization with its account role (ACC-3). */
export interface Membership {
  readonly accountId: AccountId;
  readonly userId: UserId;
  readonly role: AccountRole;
  readonly createdAt: Timestamp;
}
