/**
 * A sorted set of strings for ordered prefix scans: binary search to find a
 * start, then a walk in key order. Inserts and removals shift one array
 * (a memmove), which stays cheap for the tens of thousands of keys an
 * in-memory store holds; no per-call sort.
 *
 * @module
 */

/** A set of strings kept in ascending (UTF-16 code unit) order. */
export class SortedKeys {
  readonly #keys: string[] = [];

  /** How many keys the set holds. */
  get size(): number {
    return this.#keys.length;
  }

  /** The index of the first key `>= key`. */
  lowerBound(key: string): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds `key` if absent. */
  add(key: string): void {
    const i = this.lowerBound(key);
    if (this.#keys[i] !== key) this.#keys.splice(i, 0, key);
  }

  /** Removes `key` if present. */
  delete(key: string): void {
    const i = this.lowerBound(key);
    if (this.#keys[i] === key) this.#keys.splice(i, 1);
  }

  /** Keys starting with `prefix` and `>= start`, in order. */
  *scan(prefix: string, start: string = prefix): Generator<string> {
    const from = start > prefix ? start : prefix;
    for (let i = this.lowerBound(from); i < this.#keys.length; i++) {
      const key = this.#keys[i];
      if (!key.startsWith(prefix)) return;
      yield key;
    }
  }
}
