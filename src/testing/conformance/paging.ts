import type { Page, PageRequest } from '../../core/paging.js';
import { expectDeepEqual, expectEqual, expectTrue, fail, show } from './assertions.js';

/**
 * Walks every page of a listing, `limit` items at a time, and checks the paging contract:
 * no page holds more than `limit` items; a page with a next cursor is not empty and its cursor
 * is the key of its last item; the cursor is `null` on the page that holds the last item (no
 * trailing empty page); and the pages together hold `expectedKeys`, each exactly once, in order.
 * Each page is fetched by `fetch`, which should open its own transaction, as a client paging
 * through a UI would.
 */
export async function expectPages<T>(
  what: string,
  limit: number,
  fetch: (page: PageRequest) => Promise<Page<T>>,
  keyOf: (item: T) => string,
  expectedKeys: readonly string[],
): Promise<void> {
  const seen: string[] = [];
  let cursor: string | undefined;
  const maxPages = expectedKeys.length + 2;
  for (let pageNo = 1; ; pageNo += 1) {
    if (pageNo > maxPages) fail(`${what} (limit ${limit}): paging did not end after ${maxPages} pages`);
    const at = `${what} (limit ${limit}, page ${pageNo}${cursor === undefined ? '' : `, cursor ${show(cursor)}`})`;
    const page = await fetch(cursor === undefined ? { limit } : { limit, cursor });
    expectTrue(Array.isArray(page.items), `${at}: items must be an array`);
    expectTrue(page.items.length <= limit, `${at}: a page holds at most ${limit} items, got ${page.items.length}`);
    const keys = page.items.map(keyOf);
    seen.push(...keys);
    if (page.nextCursor === null) break;
    expectTrue(keys.length > 0, `${at}: an empty page must have nextCursor null, got ${show(page.nextCursor)}`);
    expectEqual(page.nextCursor, keys[keys.length - 1], `${at}: nextCursor must be the key of the page's last item`);
    if (seen.length >= expectedKeys.length) {
      expectDeepEqual(seen, expectedKeys, `${what} (limit ${limit}): items seen so far`);
      fail(`${at}: the page holding the last item must have nextCursor null, got ${show(page.nextCursor)}`);
    }
    cursor = page.nextCursor;
  }
  expectDeepEqual(seen, expectedKeys, `${what} (limit ${limit}): every item exactly once, in order`);
}

/** Page sizes worth trying for `n` items: 1, 2, 3, a divisor-ish middle, n, n + 1 and 500. */
export function pageSizesFor(n: number): number[] {
  return [...new Set([1, 2, 3, Math.max(1, Math.floor(n / 2)), n, n + 1, 500].filter((l) => l >= 1 && l <= 500))];
}

/**
 * Asserts that `page` is a single, final page holding exactly `items` (deep equal, in order)
 * with `nextCursor` null. Other properties of the page object are ignored.
 */
export function expectOnlyPage<T>(page: Page<T>, items: readonly T[], what: string): void {
  expectDeepEqual({ items: page.items, nextCursor: page.nextCursor }, { items, nextCursor: null }, what);
}
