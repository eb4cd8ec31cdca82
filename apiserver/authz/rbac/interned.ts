/**
 * One shared, frozen copy of each distinct JSON value the RBAC index keeps
 * per object (a role's rules, a binding's subjects and role reference).
 * Every virtual cluster holds its own copy of the bootstrap policy — 10,000
 * clusters, 10,000 stored `view` roles — but the index needs their content
 * only, and identical content (same JSON text) means identical decisions, so
 * all of them share one decoded value. Values no index holds any more are
 * forgotten (weak references), so tenants' own roles do not pile up.
 *
 * @module
 */

import { deepFreeze } from "../../../internal/json.ts";

/** Interns JSON values by their text; see the module doc. */
export class JsonInterner {
  readonly #values = new Map<string, WeakRef<object>>();
  readonly #gone = new FinalizationRegistry<string>((text) => {
    if (!this.#values.get(text)?.deref()) this.#values.delete(text);
  });

  /**
   * The shared frozen copy of `value` (a plain JSON array or object; never
   * `value` itself, which the caller may still change).
   */
  intern<T extends object>(value: T): T {
    const text = JSON.stringify(value);
    const hit = this.#values.get(text)?.deref();
    if (hit) return hit as T;
    const copy = deepFreeze(JSON.parse(text)) as T;
    this.#values.set(text, new WeakRef(copy));
    this.#gone.register(copy, text);
    return copy;
  }

  /** How many distinct values are held (tests). */
  get size(): number {
    let n = 0;
    for (const ref of this.#values.values()) if (ref.deref()) n++;
    return n;
  }
}

/** The interner every RBAC index of the process shares. */
export const rbacValues: JsonInterner = new JsonInterner();
