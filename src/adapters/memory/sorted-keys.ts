const CHUNK_MAX = 512;

/**
 * A sorted set of strings kept in bounded chunks, so inserting and deleting cost
 * O(log n + chunk) instead of shifting one large array, and reading a page after a cursor
 * costs O(log n + page). Used for the ordered per-account listings of the in-memory adapter.
 */
export class SortedKeys {
  private chunks: string[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Index of the first chunk whose last key is >= key (or chunks.length). */
  private chunkFor(key: string): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid]!;
      if (chunk[chunk.length - 1]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds `key`; returns false if it was present. */
  insert(key: string): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.count = 1;
      return true;
    }
    let c = this.chunkFor(key);
    if (c === this.chunks.length) c -= 1;
    const chunk = this.chunks[c]!;
    const i = lowerBound(chunk, key);
    if (chunk[i] === key) return false;
    chunk.splice(i, 0, key);
    this.count += 1;
    if (chunk.length > CHUNK_MAX) this.chunks.splice(c + 1, 0, chunk.splice(CHUNK_MAX >>> 1));
    return true;
  }

  /** Removes `key`; returns false if it was absent. */
  delete(key: string): boolean {
    const c = this.chunkFor(key);
    const chunk = this.chunks[c];
    if (!chunk) return false;
    const i = lowerBound(chunk, key);
    if (chunk[i] !== key) return false;
    chunk.splice(i, 1);
    this.count -= 1;
    if (chunk.length === 0) this.chunks.splice(c, 1);
    return true;
  }

  /**
   * How many keys are strictly less than `key`: O(chunks + log chunk), so it reads chunk
   * lengths, never the keys of whole chunks.
   */
  rank(key: string): number {
    const c = this.chunkFor(key);
    let n = 0;
    for (let i = 0; i < c; i += 1) n += this.chunks[i]!.length;
    const chunk = this.chunks[c];
    return chunk ? n + lowerBound(chunk, key) : n;
  }

  /** Up to `limit` keys strictly greater than `cursor` (from the start without one), in order. */
  after(cursor: string | undefined, limit: number): string[] {
    const out: string[] = [];
    let c = cursor === undefined ? 0 : this.chunkFor(cursor);
    let i = cursor === undefined ? 0 : upperBound(this.chunks[c] ?? [], cursor);
    while (c < this.chunks.length && out.length < limit) {
      const chunk = this.chunks[c]!;
      while (i < chunk.length && out.length < limit) out.push(chunk[i++]!);
      c += 1;
      i = 0;
    }
    return out;
  }
}

function lowerBound(a: readonly string[], key: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(a: readonly string[], key: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
