/**
 * One copy of each string that many kept objects repeat, in bounded
 * memory. `JSON.parse` gives every value a string of its own: after a
 * restart with 10,000 virtual clusters the controllers' metadata views held
 * ~67 copies of a creation time per cluster and ~9 of `kube-system` (the
 * views made from the objects a cluster's creation wrote shared the
 * writer's strings instead), ~4.5 KB per cluster.
 *
 * Strings cannot be held weakly, so the interner keeps two generations of
 * at most `limit` strings each: a string seen again moves to the current
 * one, and when that is full the older is dropped. Strings in use all the
 * time (a cluster's bootstrap names) stay; one-off strings (a tenant's
 * object names) pass through without piling up.
 *
 * @module
 */

/** Interns strings in two bounded generations; see the module doc. */
export class StringInterner {
  readonly #limit: number;
  #current = new Map<string, string>();
  #previous = new Map<string, string>();

  /** An interner keeping at most `2 × limit` strings. */
  constructor(limit = 4096) {
    this.#limit = limit;
  }

  /**
   * The copy of `s` this interner keeps (`s` itself when it keeps none
   * yet: from now on it does).
   *
   * @example
   * ```ts
   * import { StringInterner } from "./string_interner.ts";
   *
   * const strings = new StringInterner();
   * const a = strings.intern(JSON.parse('"kube-system"'));
   * const b = strings.intern(JSON.parse('"kube-system"'));
   * // a === b: one string kept for both
   * ```
   */
  intern(s: string): string {
    const hit = this.#current.get(s);
    if (hit !== undefined) return hit;
    const kept = this.#previous.get(s) ?? s;
    if (this.#current.size >= this.#limit) {
      this.#previous = this.#current;
      this.#current = new Map();
    }
    this.#current.set(kept, kept);
    return kept;
  }

  /** How many strings are kept (tests). */
  get size(): number {
    let n = this.#current.size;
    for (const s of this.#previous.keys()) if (!this.#current.has(s)) n++;
    return n;
  }
}
