import type { KitResult } from '../src/index.js';

/** A small seeded PRNG (mulberry32): the same keys on every run and at every size. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `k` distinct indexes of `[0, n)`, drawn with a seeded partial Fisher–Yates shuffle. */
export function sample(n: number, k: number, seed: number): number[] {
  const rng = random(seed);
  const index = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i += 1) {
    const j = i + Math.floor(rng() * (n - i));
    [index[i], index[j]] = [index[j]!, index[i]!];
  }
  return index.slice(0, k);
}

/** The value of a kit result; a failure in a fixture aborts the bench. */
export async function unwrap<T>(result: KitResult<T>, what: string): Promise<T> {
  const r = await result;
  if (r.isErr()) throw new Error(`${what} failed: ${r.error.code}: ${r.error.message}`);
  return r.value;
}
