import { createHash, timingSafeEqual } from 'node:crypto';
import { customAlphabet } from 'nanoid';

const REDACTED = '[redacted]';

/**
 * A secret shown once: an invitation token or an API key. It never prints itself —
 * `JSON.stringify`, `String()`, template literals and `console.log` all show `[redacted]` —
 * so a result logged or serialized by accident leaks nothing. Call {@link Secret.reveal} to
 * read it, once, where it is handed to its owner (an email, a response body).
 *
 * @example
 * ```ts
 * const { token } = (await kit.inviteMember(owner, { accountId, email, role: 'member' }))._unsafeUnwrap();
 * JSON.stringify({ token }); // '{"token":"[redacted]"}'
 * sendEmail(email, `https://app.example/invite?token=${token.reveal()}`);
 * ```
 */
export class Secret {
  readonly #value: string;

  /** Wraps a secret value. */
  constructor(value: string) {
    this.#value = value;
    Object.freeze(this);
  }

  /** The secret itself. Hand it to its owner; never log or store it. */
  reveal(): string {
    return this.#value;
  }

  /** `[redacted]`. */
  toString(): string {
    return REDACTED;
  }

  /** `[redacted]`: what `JSON.stringify` writes. */
  toJSON(): string {
    return REDACTED;
  }

  /** `[redacted]`: what `console.log` and `util.inspect` print. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

// 32 characters from a 64-symbol alphabet: 192 bits, above INV-2's 126.
const SECRET_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-';
const randomSecret = customAlphabet(SECRET_ALPHABET, 32);
const SECRET_PATTERN = /^[0-9A-Za-z_-]{32}$/;

/** The prefixes of the two kinds of presented secret. */
export type SecretKind = 'invitation' | 'api-key';
const SECRET_PREFIX: Readonly<Record<SecretKind, string>> = { invitation: 'wki', 'api-key': 'wkk' };

/** A freshly minted secret: what to hand out (once) and what to store. */
export interface MintedSecret {
  /** `<prefix>.<id>.<random>`: the whole presented value. */
  readonly secret: Secret;
  /** SHA-256 of the random part, hex: the only thing stored (INV-2, SA-2). */
  readonly hash: string;
}

/** SHA-256 of a secret's random part, hex. High-entropy secrets need no slow hash. */
export function hashSecret(randomPart: string): string {
  return createHash('sha256').update(randomPart, 'utf8').digest('hex');
}

/**
 * Mints a secret for the record `id`: `wki.<id>.<32 random chars>` for invitations,
 * `wkk.<id>.<…>` for API keys. The id lets the record be found by its key (an index seek);
 * the random part is compared by hash in constant time.
 */
export function mintSecret(kind: SecretKind, id: string): MintedSecret {
  const random = randomSecret();
  return { secret: new Secret(`${SECRET_PREFIX[kind]}.${id}.${random}`), hash: hashSecret(random) };
}

/** A presented secret split into the record id and the random part; `null` if malformed. */
export function parseSecret(kind: SecretKind, presented: string): { readonly id: string; readonly random: string } | null {
  const prefix = `${SECRET_PREFIX[kind]}.`;
  if (presented.length > 300 || !presented.startsWith(prefix)) return null;
  const dot = presented.lastIndexOf('.');
  if (dot <= prefix.length) return null;
  const id = presented.slice(prefix.length, dot);
  const random = presented.slice(dot + 1);
  return SECRET_PATTERN.test(random) ? { id, random } : null;
}

/**
 * True when `random` hashes to `storedHash`, compared in constant time (INV-2): the time taken
 * does not depend on how many leading characters match.
 */
export function secretMatches(random: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(random), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  // Both are SHA-256 digests, so the lengths match unless the stored hash is corrupt.
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
