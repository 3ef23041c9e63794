import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedKeys } from '../../src/adapters/memory/sorted-keys.js';

/** The reference model: a plain sorted array with the same string order (UTF-16 code units). */
class Model {
  keys: string[] = [];
  private position(key: string): number {
    let i = 0;
    while (i < this.keys.length && this.keys[i]! < key) i += 1;
    return i;
  }
  insert(key: string): boolean {
    const i = this.position(key);
    if (this.keys[i] === key) return false;
    this.keys.splice(i, 0, key);
    return true;
  }
  delete(key: string): boolean {
    const i = this.position(key);
    if (this.keys[i] !== key) return false;
    this.keys.splice(i, 1);
    return true;
  }
  after(cursor: string | undefined, limit: number): string[] {
    return this.keys.filter((k) => cursor === undefined || k > cursor).slice(0, limit);
  }
}

type Op =
  | { readonly type: 'insert'; readonly key: string }
  | { readonly type: 'delete'; readonly key: string }
  | { readonly type: 'bulkInsert'; readonly from: number; readonly count: number }
  | { readonly type: 'bulkDelete'; readonly from: number; readonly count: number; readonly step: number }
  | { readonly type: 'after'; readonly cursor: string | undefined; readonly limit: number };

/** Keys from a dense numeric space (many collisions, lexicographic not numeric order) plus arbitrary strings. */
const dense = (n: number) => `k${n}`;
const keyArb = fc.oneof(
  { weight: 4, arbitrary: fc.nat({ max: 3000 }).map(dense) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 3 }) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: keyArb.map((key) => ({ type: 'insert', key }) as const) },
  { weight: 3, arbitrary: keyArb.map((key) => ({ type: 'delete', key }) as const) },
  {
    weight: 1,
    arbitrary: fc
      .record({ from: fc.nat({ max: 3000 }), count: fc.integer({ min: 1, max: 1500 }) })
      .map((r) => ({ type: 'bulkInsert', ...r }) as const),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ from: fc.nat({ max: 3000 }), count: fc.integer({ min: 1, max: 1500 }), step: fc.integer({ min: 1, max: 3 }) })
      .map((r) => ({ type: 'bulkDelete', ...r }) as const),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({ cursor: fc.option(keyArb, { nil: undefined }), limit: fc.integer({ min: 0, max: 1200 }) })
      .map((r) => ({ type: 'after', ...r }) as const),
  },
);

function apply(sk: SortedKeys, model: Model, op: Op): void {
  switch (op.type) {
    case 'insert':
      expect(sk.insert(op.key)).toBe(model.insert(op.key));
      break;
    case 'delete':
      expect(sk.delete(op.key)).toBe(model.delete(op.key));
      break;
    case 'bulkInsert':
      for (let i = 0; i < op.count; i += 1) {
        const key = dense(op.from + i);
        if (sk.insert(key) !== model.insert(key)) expect.fail(`insert(${key}) disagrees with the model`);
      }
      break;
    case 'bulkDelete':
      for (let i = 0; i < op.count; i += op.step) {
        const key = dense(op.from + i);
        if (sk.delete(key) !== model.delete(key)) expect.fail(`delete(${key}) disagrees with the model`);
      }
      break;
    case 'after':
      expect(sk.after(op.cursor, op.limit)).toEqual(model.after(op.cursor, op.limit));
      break;
  }
  expect(sk.size).toBe(model.keys.length);
}

/** Reads every key by paging with `after`, as the listings do. */
function pageAll(sk: SortedKeys, limit: number): string[] {
  const out: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = sk.after(cursor, limit);
    out.push(...page);
    if (page.length < limit) return out;
    cursor = page[page.length - 1];
  }
}

describe('SortedKeys (STORE-2 ordered index of the memory adapter)', () => {
  it('STORE-2 starts empty', () => {
    const sk = new SortedKeys();
    expect(sk.size).toBe(0);
    expect(sk.after(undefined, 10)).toEqual([]);
    expect(sk.after('x', 10)).toEqual([]);
    expect(sk.delete('x')).toBe(false);
  });

  it('STORE-2 keeps keys in string order and refuses duplicates', () => {
    const sk = new SortedKeys();
    for (const k of ['b', 'a', 'c', 'a', 'ab', '', 'B']) sk.insert(k);
    expect(sk.after(undefined, 100)).toEqual(['', 'B', 'a', 'ab', 'b', 'c']);
    expect(sk.size).toBe(6);
    expect(sk.insert('ab')).toBe(false);
    expect(sk.size).toBe(6);
  });

  it('STORE-2 after returns keys strictly greater than the cursor, present or not', () => {
    const sk = new SortedKeys();
    for (const k of ['a', 'c', 'e', 'g']) sk.insert(k);
    expect(sk.after('c', 10)).toEqual(['e', 'g']);
    expect(sk.after('d', 10)).toEqual(['e', 'g']);
    expect(sk.after('', 2)).toEqual(['a', 'c']);
    expect(sk.after('g', 10)).toEqual([]);
    expect(sk.after('z', 10)).toEqual([]);
    expect(sk.after(undefined, 0)).toEqual([]);
  });

  it('STORE-2 stays ordered across chunk splits with 5000 keys inserted in scrambled order', () => {
    const sk = new SortedKeys();
    const model = new Model();
    const n = 5000;
    for (let i = 0; i < n; i += 1) {
      const key = `key-${((i * 7919) % n).toString().padStart(5, '0')}`;
      expect(sk.insert(key)).toBe(true);
      model.keys.push(key);
    }
    model.keys.sort();
    expect(sk.size).toBe(n);
    expect(sk.after(undefined, n + 1)).toEqual(model.keys);
    for (const limit of [1, 7, 256, 511, 512, 513, 1024]) expect(pageAll(sk, limit)).toEqual(model.keys);
    // Cursors at every position, including chunk boundaries, resume exactly after the cursor.
    for (let i = 0; i < n; i += 1) {
      expect(sk.after(model.keys[i], 3)).toEqual(model.keys.slice(i + 1, i + 4));
    }
  });

  it('STORE-2 ascending and descending bulk inserts then deleting everything empties it', () => {
    for (const order of ['asc', 'desc'] as const) {
      const sk = new SortedKeys();
      const keys = Array.from({ length: 3000 }, (_, i) => `k${String(i).padStart(4, '0')}`);
      const seq = order === 'asc' ? keys : [...keys].reverse();
      for (const k of seq) sk.insert(k);
      expect(pageAll(sk, 500)).toEqual(keys);
      for (const k of keys.filter((_, i) => i % 2 === 0)) expect(sk.delete(k)).toBe(true);
      expect(sk.after(undefined, 5000)).toEqual(keys.filter((_, i) => i % 2 === 1));
      for (const k of keys) sk.delete(k);
      expect(sk.size).toBe(0);
      expect(sk.after(undefined, 10)).toEqual([]);
      // Reusable after being emptied.
      expect(sk.insert('again')).toBe(true);
      expect(sk.after(undefined, 10)).toEqual(['again']);
    }
  });

  it('STORE-2 matches a sorted-array model under random insert/delete/after sequences', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => {
        const sk = new SortedKeys();
        const model = new Model();
        for (const op of ops) apply(sk, model, op);
        expect(sk.after(undefined, model.keys.length + 1)).toEqual(model.keys);
        expect(pageAll(sk, 97)).toEqual(model.keys);
      }),
      { numRuns: 150 },
    );
  });

  it('STORE-2 matches the model when more than 1024 keys force chunk splits before random operations', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1025, max: 4000 }),
        fc.array(opArb, { minLength: 1, maxLength: 40 }),
        (initial, ops) => {
          const sk = new SortedKeys();
          const model = new Model();
          apply(sk, model, { type: 'bulkInsert', from: 0, count: initial });
          expect(sk.size).toBeGreaterThan(1024);
          for (const op of ops) apply(sk, model, op);
          expect(pageAll(sk, 500)).toEqual(model.keys);
        },
      ),
      { numRuns: 40 },
    );
  });
});
