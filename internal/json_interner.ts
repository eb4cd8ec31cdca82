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

import { deepFreeze, isDeepFrozen } from "./json.ts";
import { WeakInterner } from "./weak_interner.ts";
import { RecentWeakMap } from "./recent_weak_map.ts";

/** Interns JSON values by their text; see the module doc. */
export class JsonInterner {
  readonly #values = new WeakInterner<object>();
  /**
   * The shared copy of each deep-frozen value interned recently, by
   * identity: its text cannot change, so it is not serialised again (the
   * bootstrap roles' rules, which every cluster's copy shares, reach the
   * controllers and the RBAC index as one frozen value). Recently: after a
   * restart every informer sees values of its own, never again, and a
   * plain `WeakMap`'s table kept the burst's size (`recent_weak_map.ts`).
   */
  readonly #byFrozen = new RecentWeakMap<object, object>();

  /**
   * The shared frozen copy of `value` (a plain JSON array or object; never
   * `value` itself, which the caller may still change). A deep-frozen
   * `value` is remembered by identity unless `remember` is false: for a
   * value made afresh for each call (remembering it costs more than its
   * text).
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
  intern<T extends object>(value: T, remember = true): T {
    const known = this.#byFrozen.get(value);
    if (known !== undefined) return known as T;
    const text = JSON.stringify(value);
    const shared = this.#values.get(text, () => deepFreeze(JSON.parse(text)));
    if (remember && isDeepFrozen(value)) this.#byFrozen.set(value, shared);
    return shared as T;
  }

  /** How many distinct values are held (tests). */
  get size(): number {
    return this.#values.size;
  }
}
