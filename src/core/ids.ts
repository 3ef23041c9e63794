import { customAlphabet } from 'nanoid';
import { z } from 'zod';

/** A string id that cannot be confused with another kind of id at compile time. */
export type Brand<T, B extends string> = T & { readonly __brand: B };

/** Id of a {@link User}. */
export type UserId = Brand<string, 'UserId'>;
/** Id of an {@link Account} (personal or organization). */
export type AccountId = Brand<string, 'AccountId'>;
/** Id of a {@link Workspace}. */
export type WorkspaceId = Brand<string, 'WorkspaceId'>;
/** Id of a tracked resource (flow, flow run, block, …) in a workspace inventory. */
export type ResourceId = Brand<string, 'ResourceId'>;
/** Id of an {@link AuditEvent}. */
export type AuditEventId = Brand<string, 'AuditEventId'>;
/** Id of a custom workspace role (ROLE-2). */
export type RoleId = Brand<string, 'RoleId'>;
/** Id of a service account (SA-1). */
export type ServiceAccountId = Brand<string, 'ServiceAccountId'>;
/** Id of an API key (SA-2); the public part of a presented key. */
export type ApiKeyId = Brand<string, 'ApiKeyId'>;
/** Id of an invitation (INV-1); the public part of an invitation token. */
export type InvitationId = Brand<string, 'InvitationId'>;

/** Id of a transfer request (XFER-2). */
export type TransferRequestId = Brand<string, 'TransferRequestId'>;

/** The kinds of id the library mints; each gets its own readable prefix. */
export type IdKind =
  | 'user'
  | 'account'
  | 'workspace'
  | 'resource'
  | 'audit'
  | 'role'
  | 'service-account'
  | 'api-key'
  | 'invitation'
  | 'transfer-request';

/**
 * Source of new ids. Injected so tests and hosts can make ids deterministic.
 *
 * @example
 * ```ts
 * let n = 0;
 * const ids: IdGenerator = { next: (kind) => `${kind}-${++n}` };
 * ```
 */
export interface IdGenerator {
  /** Returns a fresh id, never returned before by this generator, for an entity of `kind`. */
  next(kind: IdKind): string;
}

const PREFIX: Readonly<Record<IdKind, string>> = {
  user: 'usr',
  account: 'acc',
  workspace: 'ws',
  resource: 'res',
  audit: 'evt',
  role: 'role',
  'service-account': 'sa',
  'api-key': 'key',
  invitation: 'inv',
  'transfer-request': 'xfer',
};

// 21 characters from a 62-symbol alphabet: about 125 bits, URL-safe and copy-paste friendly.
const randomPart = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', 21);

/**
 * The default id generator: a kind prefix and a random nanoid, e.g. `ws_3fK9…`.
 *
 * @example
 * ```ts
 * randomIds.next('workspace'); // 'ws_V1StGXR8Z5jdHi6BmyTq2'
 * ```
 */
export const randomIds: IdGenerator = {
  next: (kind) => `${PREFIX[kind]}_${randomPart()}`,
};

/**
 * An id generator producing `usr_1`, `usr_2`, `acc_1`, … — one counter per kind, in order:
 * deterministic, readable ids for tests and demos.
 *
 * @example
 * ```ts
 * const ids = sequentialIds();
 * ids.next('user'); // 'usr_1'
 * ids.next('account'); // 'acc_1'
 * ```
 */
export function sequentialIds(): IdGenerator {
  const counters = new Map<IdKind, number>();
  return {
    next: (kind) => {
      const n = (counters.get(kind) ?? 0) + 1;
      counters.set(kind, n);
      return `${PREFIX[kind]}_${n}`;
    },
  };
}

const idString = z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters');

/** Schema of a {@link UserId}. */
export const UserIdSchema = idString.transform((s) => s as UserId);
/** Schema of an {@link AccountId}. */
export const AccountIdSchema = idString.transform((s) => s as AccountId);
/** Schema of a {@link WorkspaceId}. */
export const WorkspaceIdSchema = idString.transform((s) => s as WorkspaceId);
/** Schema of a {@link RoleId}. */
export const RoleIdSchema = idString.transform((s) => s as RoleId);
/** Schema of a {@link ServiceAccountId}. */
export const ServiceAccountIdSchema = idString.transform((s) => s as ServiceAccountId);
/** Schema of an {@link ApiKeyId}. */
export const ApiKeyIdSchema = idString.transform((s) => s as ApiKeyId);
/** Schema of an {@link InvitationId}. */
export const InvitationIdSchema = idString.transform((s) => s as InvitationId);
/** Schema of a {@link TransferRequestId}. */
export const TransferRequestIdSchema = idString.transform((s) => s as TransferRequestId);
