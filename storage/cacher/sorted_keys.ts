/**
 * An ordered set of strings for prefix scans: a list of sorted chunks (a
 * flat B+tree of height two). Insert and delete cost O(log n + chunk size);
 * a scan starts with two binary searches and then walks the chunks in order,
 * so listing one prefix never sorts the whole set.
 *
 * @module
 */

const MAX_CHUNK = 512;

/** Binary search: index of the first element of `arr` that is `>= key`. */
function lowerBound(arr: readonly string[], key: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A sorted set of keys (JavaScript string order, i.e. UTF-16 code units, the
 * same order `prefixEnd` in `storage/keys.ts` assumes).
 *
 * @example
 * ```ts
 * const keys = new SortedKeys();
 * keys.insert("/a/2"); keys.insert("/a/1"); keys.insert("/b/1");
 * [...keys.scan("/a/", "/a0")]; // ["/a/1", "/a/2"]
 * ```
 */
export class SortedKeys {
  #chunks: string[][] = [];
  #size = 0;

  /** How many keys the set holds. */
  get size(): number {
    return this.#size;
  }

  /** Index of the chunk that holds (or would hold) `key`. */
  #chunkFor(key: string): number {
    const chunks = this.#chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    // The last chunk whose first key is <= key (or 0).
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (chunks[mid][0] <= key) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Adds `key`; returns false when it was already present. */
  insert(key: string): boolean {
    if (this.#chunks.length === 0) {
      this.#chunks.push([key]);
      this.#size = 1;
      return true;
    }
    const ci = this.#chunkFor(key);
    const chunk = this.#chunks[ci];
    const i = lowerBound(chunk, key);
    if (chunk[i] === key) return false;
    chunk.splice(i, 0, key);
    this.#size++;
    if (chunk.length > MAX_CHUNK) {
      const tail = chunk.splice(chunk.length >>> 1);
      this.#chunks.splice(ci + 1, 0, tail);
    }
    return true;
  }

  /** Removes `key`; returns false when it was not present. */
  delete(key: string): boolean {
    if (this.#chunks.length === 0) return false;
    const ci = this.#chunkFor(key);
    const chunk = this.#chunks[ci];
    const i = lowerBound(chunk, key);
    if (chunk[i] !== key) return false;
    chunk.splice(i, 1);
    this.#size--;
    if (chunk.length === 0) this.#chunks.splice(ci, 1);
    return true;
  }

  /** True when `key` is in the set. */
  has(key: string): boolean {
    if (this.#chunks.length === 0) return false;
    const chunk = this.#chunks[this.#chunkFor(key)];
    return chunk[lowerBound(chunk, key)] === key;
  }

  /** Removes every key. */
  clear(): void {
    this.#chunks = [];
    this.#size = 0;
  }

  /** Number of keys `k` with `start <= k < end` (`end` `""` = no upper bound). */
  countRange(start: string, end: string): number {
    return this.#rank(end === "" ? undefined : end) - this.#rank(start);
  }

  /** Number of keys `< key` (all keys when `key` is undefined). */
  #rank(key: string | undefined): number {
    if (key === undefined) return this.#size;
    if (this.#chunks.length === 0) return 0;
    const ci = this.#chunkFor(key);
    let n = 0;
    for (let c = 0; c < ci; c++) n += this.#chunks[c].length;
    return n + lowerBound(this.#chunks[ci], key);
  }

  /**
   * The keys `k` with `start <= k < end` in order (`end` `""` = no upper
   * bound). Do not modify the set while iterating.
   */
  *scan(start: string, end: string): IterableIterator<string> {
    const chunks = this.#chunks;
    if (chunks.length === 0) return;
    let ci = this.#chunkFor(start);
    let i = lowerBound(chunks[ci], start);
    for (; ci < chunks.length; ci++, i = 0) {
      const chunk = chunks[ci];
      for (; i < chunk.length; i++) {
        const k = chunk[i];
        if (end !== "" && k >= end) return;
        yield k;
      }
    }
  }
}
