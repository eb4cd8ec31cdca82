/**
 * One shared object per key, made on first use and forgotten once nobody
 * holds it (weak references): what many holders keep identical copies of
 * — every virtual cluster's copy of the bootstrap policy — is kept once
 * while anyone uses it, and tenants' own values do not pile up.
 * `JsonInterner` keys decoded JSON values by their text; the RBAC index
 * keys its binding entries by their content.
 *
 * @module
 */

/** Shared objects by key, held weakly; see the module doc. */
export class WeakInterner<T extends object> {
  readonly #values = new Map<string, WeakRef<T>>();
  readonly #gone = new FinalizationRegistry<string>((key) => {
    if (!this.#values.get(key)?.deref()) this.#values.delete(key);
  });

  /**
   * The object held for `key`, else `make()`'s, kept for `key` from now.
   *
   * @example
   * ```ts
   * import { WeakInterner } from "./weak_interner.ts";
   *
   * const entries = new WeakInterner<{ n: number }>();
   * const a = entries.get("k", () => ({ n: 1 }));
   * const b = entries.get("k", () => ({ n: 2 }));
   * // a === b, a.n === 1
   * ```
   */
  get(key: string, make: () => T): T {
    const hit = this.#values.get(key)?.deref();
    if (hit) return hit;
    const value = make();
    this.#values.set(key, new WeakRef(value));
    this.#gone.register(value, key);
    return value;
  }

  /** How many distinct values are held (tests). */
  get size(): number {
    let n = 0;
    for (const ref of this.#values.values()) if (ref.deref()) n++;
    return n;
  }
}
