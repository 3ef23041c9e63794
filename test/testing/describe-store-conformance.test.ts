import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/index.js';
import { createMemoryStore } from '../../src/memory.js';
import {
  STORE_CONFORMANCE_SUITES,
  SKIPPED_TITLE_PREFIX,
  describeStoreConformance,
  storeConformanceChecks,
  type ConformanceIt,
  type ConformanceTestApi,
  type StoreConformanceOptions,
} from '../../src/testing.js';

interface Registered {
  readonly path: readonly string[];
  readonly title: string;
  readonly fn: () => Promise<void>;
  readonly args: number;
  readonly timeout: number | undefined;
  readonly via: 'it' | 'it.skip';
}

/** A test API that records what describeStoreConformance registers. */
function recorder(withSkip: boolean): { api: ConformanceTestApi; tests: Registered[]; describes: string[][] } {
  const tests: Registered[] = [];
  const describes: string[][] = [];
  const stack: string[] = [];
  const reg =
    (via: Registered['via']) =>
    (...args: [string, () => Promise<void>, number?]): void => {
      tests.push({ path: [...stack], title: args[0], fn: args[1], args: args.length, timeout: args[2], via });
    };
  const it: ConformanceIt = withSkip ? Object.assign(reg('it'), { skip: reg('it.skip') }) : reg('it');
  const api: ConformanceTestApi = {
    describe: (name, fn) => {
      stack.push(name);
      describes.push([...stack]);
      fn();
      stack.pop();
    },
    it,
  };
  return { api, tests, describes };
}

const options = (over: Partial<StoreConformanceOptions> = {}): StoreConformanceOptions => ({
  name: 'memory',
  createStore: () => createMemoryStore(),
  ...over,
});

describe('STORE-3 storeConformanceChecks', () => {
  it('has unique `${suite}/${slug}` ids, checks in every suite, and titles naming STORE-3 and the spec ids', () => {
    const all = storeConformanceChecks();
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    for (const c of all) {
      expect(c.id.startsWith(`${c.suite}/`)).toBe(true);
      expect(c.id).toMatch(/^[a-z][a-zA-Z]*\/[a-z0-9-]+$/);
      expect(c.title.startsWith('STORE-3 ')).toBe(true);
      for (const spec of c.specIds) expect(c.title).toContain(spec);
      expect(c.title).toContain(`[${c.id}]`);
    }
    for (const suite of STORE_CONFORMANCE_SUITES) expect(all.some((c) => c.suite === suite)).toBe(true);
    // In suite order.
    const order = all.map((c) => STORE_CONFORMANCE_SUITES.indexOf(c.suite));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});

describe('STORE-3 describeStoreConformance', () => {
  it('registers one describe per suite and one test per check, in suite order', () => {
    const { api, tests, describes } = recorder(true);
    describeStoreConformance(api, options());
    expect(describes).toEqual([
      ['STORE-3 store conformance: memory'],
      ...STORE_CONFORMANCE_SUITES.map((s) => ['STORE-3 store conformance: memory', s]),
    ]);
    expect(tests.map((t) => t.title)).toEqual(storeConformanceChecks().map((c) => c.title));
    for (const t of tests) {
      expect(t.via).toBe('it');
      expect(t.title).toContain('STORE-3');
      expect(t.path[1]).toBe(t.title.match(/\[([a-zA-Z]+)\//)![1]);
    }
  });

  it('passes timeoutMs as the third argument, and no third argument without it', () => {
    const without = recorder(false);
    describeStoreConformance(without.api, options());
    expect(without.tests.every((t) => t.args === 2)).toBe(true);
    const withTimeout = recorder(false);
    describeStoreConformance(withTimeout.api, options({ timeoutMs: 12_345 }));
    expect(withTimeout.tests.every((t) => t.args === 3 && t.timeout === 12_345)).toBe(true);
  });

  it('runs each check against a fresh store and destroys it afterwards, also when the check fails', async () => {
    const created: Store[] = [];
    const destroyed: Store[] = [];
    const { api, tests } = recorder(false);
    describeStoreConformance(api, options({
      createStore: () => {
        const store = createMemoryStore();
        created.push(store);
        return store;
      },
      destroyStore: (store) => {
        destroyed.push(store);
      },
    }));
    await tests.find((t) => t.title.includes('[users/insert-and-get]'))!.fn();
    expect(created).toHaveLength(1);
    expect(destroyed).toEqual(created);

    // A store whose transactions always fail: the check rejects and the store is still destroyed.
    const broken = recorder(false);
    const failing: Store = { transaction: () => Promise.reject(new Error('database is down')) };
    const gone: Store[] = [];
    describeStoreConformance(broken.api, options({ createStore: () => Promise.resolve(failing), destroyStore: (s) => void gone.push(s) }));
    await expect(broken.tests[0]!.fn()).rejects.toThrow('database is down');
    expect(gone).toEqual([failing]);
  });

  it('skip takes suite names and check ids; skipped checks stay visible through it.skip, and never create a store', async () => {
    let stores = 0;
    const { api, tests } = recorder(true);
    describeStoreConformance(api, options({
      createStore: () => {
        stores += 1;
        return createMemoryStore();
      },
      skip: ['concurrency', 'audit/paging'],
    }));
    expect(tests).toHaveLength(storeConformanceChecks().length);
    const skipped = tests.filter((t) => t.via === 'it.skip');
    const expected = storeConformanceChecks().filter((c) => c.suite === 'concurrency' || c.id === 'audit/paging');
    expect(skipped.map((t) => t.title)).toEqual(expected.map((c) => `${SKIPPED_TITLE_PREFIX} ${c.title}`));
    for (const t of skipped) await t.fn();
    expect(stores).toBe(0);
  });

  it('without it.skip, skipped checks are registered with it as no-ops titled [skipped: declared gap]', async () => {
    let stores = 0;
    const { api, tests } = recorder(false);
    describeStoreConformance(api, options({
      createStore: () => {
        stores += 1;
        return createMemoryStore();
      },
      skip: ['users'],
    }));
    const skipped = tests.filter((t) => t.title.startsWith('[skipped: declared gap] '));
    expect(skipped.map((t) => t.title)).toEqual(
      storeConformanceChecks()
        .filter((c) => c.suite === 'users')
        .map((c) => `[skipped: declared gap] ${c.title}`),
    );
    expect(skipped.every((t) => t.via === 'it')).toBe(true);
    for (const t of skipped) await t.fn();
    expect(stores).toBe(0);
  });

  it('refuses skip entries that name neither a suite nor a check', () => {
    const { api } = recorder(true);
    expect(() => describeStoreConformance(api, options({ skip: ['workspace', 'users/nope'] }))).toThrow(
      /unknown skip entries "workspace", "users\/nope"/,
    );
  });
});
