/**
 * One shared, frozen copy of each distinct JSON value that many holders
 * keep: every virtual cluster stores its own copy of the bootstrap policy
 * (10,000 clusters, 10,000 `view` roles), but whoever only reads their
 * content — the RBAC index, the controllers' caches — can share one decoded
 * value for identical content (the same JSON text). Values nobody holds any
 * more are forgotten (weak references), so tenants' own objects do not
 * pile up.
 *
 * @module
 */

import { deepFreeze } from "./json.ts";

/** Interns JSON values by their text; see the module doc. */
export class JsonInterner {
  readonly #values = new Map<string, WeakRef<object>>();
  readonly #gone = new FinalizationRegistry<string>((text) => {
    if (!this.#values.get(text)?.deref()) this.#values.delete(text);
  });

  /**
   * The shared frozen copy of `value` (a plain JSON array or object; never
   * `value` itself, which the caller may still change).
   *
   * @example
   * ```ts
   * import { JsonInterner } from "./json_interner.ts";
   *
   * const values = new JsonInterner();
   * const a = values.intern([{ verbs: ["get"] }]);
   * const b = values.intern([{ verbs: ["get"] }]);
   * // a === b, and Object.isFrozen(a)
   * ```
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
