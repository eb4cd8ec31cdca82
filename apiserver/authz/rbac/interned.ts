/**
 * The RBAC index's one shared, frozen copy of each distinct JSON value it
 * keeps per object (a role's rules, a binding's subjects and role
 * reference): identical content (same JSON text) means identical decisions,
 * so every cluster's copy of the bootstrap policy shares one decoded value
 * (`internal/json_interner.ts`) — and one index entry per distinct binding
 * ({@linkcode WeakInterner}).
 *
 * @module
 */

import { JsonInterner } from "../../../internal/json_interner.ts";
import type { BindingEntry } from "./policy_index.ts";

export { JsonInterner };

/** The interner every RBAC index of the process shares. */
export const rbacValues: JsonInterner = new JsonInterner();

/**
 * One shared object per key, made on first use and forgotten once nobody
 * holds it (weak references): for values that are not plain JSON (an
 * index entry the authorizer writes its caches on), keyed by the caller.
 */
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
   * import { WeakInterner } from "./interned.ts";
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

/** The binding entries every RBAC index of the process shares. */
export const bindingEntries: WeakInterner<BindingEntry> = new WeakInterner();
