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
import { WeakInterner } from "./weak_interner.ts";

/** Interns JSON values by their text; see the module doc. */
export class JsonInterner {
  readonly #values = new WeakInterner<object>();

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
    return this.#values.get(text, () => deepFreeze(JSON.parse(text))) as T;
  }

  /** How many distinct values are held (tests). */
  get size(): number {
    return this.#values.size;
  }
}
