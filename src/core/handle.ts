import { z } from 'zod';

/** A normalized handle: 1–40 characters of `a-z`, `0-9` and single hyphens (HDL-2). */
export type Handle = string & { readonly __brand: 'Handle' };

/** The longest handle allowed (HDL-2). */
export const HANDLE_MAX_LENGTH = 40;

/** A rule of handle syntax (HDL-2); every refusal names exactly one. */
export type HandleRule = 'empty' | 'too-long' | 'invalid-character' | 'edge-hyphen' | 'double-hyphen';

const MESSAGES: Readonly<Record<HandleRule, string>> = {
  empty: 'a handle must not be empty',
  'too-long': `a handle must be at most ${HANDLE_MAX_LENGTH} characters`,
  'invalid-character': 'a handle may contain only lowercase letters a-z, digits 0-9 and hyphens',
  'edge-hyphen': 'a handle must not start or end with a hyphen',
  'double-hyphen': 'a handle must not contain two hyphens in a row',
};

/** Trims and lower-cases raw handle input, the normalization of HDL-2. */
export function normalizeHandle(raw: string): string {
  return raw.trim().toLowerCase();
}

/**
 * Checks an already normalized handle and returns the first HDL-2 rule it breaks, or `null`.
 *
 * @example
 * ```ts
 * handleViolation('data-team'); // null
 * handleViolation('data--team'); // 'double-hyphen'
 * ```
 */
export function handleViolation(normalized: string): HandleRule | null {
  if (normalized.length === 0) return 'empty';
  if (normalized.length > HANDLE_MAX_LENGTH) return 'too-long';
  if (!/^[a-z0-9-]+$/.test(normalized)) return 'invalid-character';
  if (normalized.startsWith('-') || normalized.endsWith('-')) return 'edge-hyphen';
  if (normalized.includes('--')) return 'double-hyphen';
  return null;
}

/**
 * Schema of a handle: trims and lower-cases the input, then enforces HDL-2. A refusal carries
 * `params.rule` with the {@link HandleRule} broken.
 *
 * @example
 * ```ts
 * HandleSchema.parse('  Data-Team '); // 'data-team'
 * ```
 */
export const HandleSchema = z
  .string()
  .transform(normalizeHandle)
  .superRefine((value, ctx) => {
    const rule = handleViolation(value);
    if (rule !== null) ctx.addIssue({ code: 'custom', message: MESSAGES[rule], params: { rule } });
  })
  .transform((value) => value as Handle);

/** A full workspace handle, `account/workspace` (HDL-1). */
export type FullHandle = `${string}/${string}`;

/** Joins an account handle and a workspace handle into the full handle `account/workspace`. */
export function fullHandle(accountHandle: string, workspaceHandle: string): FullHandle {
  return `${accountHandle}/${workspaceHandle}`;
}

/**
 * Schema of a full handle `account/workspace`; each half is normalized and checked by HDL-2.
 *
 * @example
 * ```ts
 * FullHandleSchema.parse('Acme/Prod'); // { account: 'acme', workspace: 'prod' }
 * ```
 */
export const FullHandleSchema = z
  .string()
  .transform((raw, ctx) => {
    const parts = raw.split('/');
    if (parts.length !== 2) {
      ctx.addIssue({ code: 'custom', message: 'a full handle has the form account/workspace' });
      return z.NEVER;
    }
    return { account: parts[0] ?? '', workspace: parts[1] ?? '' };
  })
  .pipe(z.object({ account: HandleSchema, workspace: HandleSchema }));
