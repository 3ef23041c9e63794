import assert from 'node:assert/strict';

// Assertions of the conformance suite. They throw node's AssertionError (with `actual` and
// `expected` set, so every test runner can show a diff) and a message that says what the port
// contract expected, so an adapter author can act on a failure without reading the check.

const MAX_SHOWN = 600;

/** A compact rendering of a value for failure messages. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    try {
      text = String(value);
    } catch {
      text = '[unprintable value]';
    }
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

/** Fails with `message`. */
export function fail(message: string): never {
  assert.fail(message);
}

/** Asserts `actual === expected` (Object.is). */
export function expectEqual<T>(actual: T, expected: T, what: string): void {
  assert.equal(actual, expected, `${what}: expected ${show(expected)}, got ${show(actual)}`);
}

/** Asserts deep, strict equality (same shape, same values, no extra properties). */
export function expectDeepEqual(actual: unknown, expected: unknown, what: string): void {
  assert.deepEqual(actual, expected, `${what}:\n  expected ${show(expected)}\n  got      ${show(actual)}`);
}

/** Asserts `condition`. */
export function expectTrue(condition: boolean, what: string): void {
  assert.ok(condition, what);
}

/** Asserts that `promise` rejects with exactly `expected` (the same object). */
export async function expectRejectsWith(promise: Promise<unknown>, expected: unknown, what: string): Promise<void> {
  let resolved = false;
  try {
    await promise;
    resolved = true;
  } catch (error) {
    assert.equal(error, expected, `${what}: expected the very rejection of the work, got ${show(describeError(error))}`);
  }
  if (resolved) fail(`${what}: expected the transaction to reject, but it resolved`);
}

function describeError(error: unknown): unknown {
  return error instanceof Error ? `${error.name}: ${error.message}` : error;
}

/** Counts how often each value occurs in `values`. */
export function tally<T extends string>(values: readonly T[]): Partial<Record<T, number>> {
  const out: Partial<Record<T, number>> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/** Code-unit order, as JavaScript compares strings (and `COLLATE "C"` in SQL). */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
