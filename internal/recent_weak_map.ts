/**
 * A `WeakMap` for memos whose hits come soon after the entry was made (an
 * event's encoded line, asked for by each watcher during one fan-out; a
 * frozen value seen again by the next informer): it forgets everything
 * after `limit` entries were made since it last did. Why: V8 never shrinks
 * a `WeakMap`'s table when the collector drops dead entries, so one burst —
 * a restart's first sync, ~640,000 events with 10,000 virtual clusters —
 * left each such memo a table sized for the burst, ~1–2 MB per 1,000
 * clusters, for good.
 *
 * @module
 */

/** A weak memo that starts over every `limit` entries; see the module doc. */
export class RecentWeakMap<K extends WeakKey, V> {
  readonly #limit: number;
  #map = new WeakMap<K, V>();
  #made = 0;

  /** A memo that starts over after `limit` entries made. */
  constructor(limit = 4096) {
    this.#limit = limit;
  }

  /** The value remembered for `key`, if any. */
  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  /**
   * Remembers `value` for `key` (in a new table when `limit` entries were
   * made since the last start).
   *
   * @example
   * ```ts
   * import { RecentWeakMap } from "./recent_weak_map.ts";
   *
   * const lines = new RecentWeakMap<object, string>(2);
   * const a = {}, b = {}, c = {};
   * lines.set(a, "a");
   * lines.set(b, "b");
   * lines.set(c, "c"); // the third entry starts over
   * // lines.get(a) === undefined, lines.get(c) === "c"
   * ```
   */
  set(key: K, value: V): void {
    if (++this.#made > this.#limit) {
      this.#map = new WeakMap();
      this.#made = 1;
    }
    this.#map.set(key, value);
  }
}
