/**
 * A bounded ring of recent items ordered by revision: the watch cache's
 * history for resuming watches from a resourceVersion.
 *
 * @module
 */

/**
 * A fixed-capacity FIFO of items with non-decreasing `revision`. When full, the
 * oldest item is dropped and the ring's {@linkcode EventRing.floor} rises to
 * its revision: the ring then holds every item with a revision above the
 * floor, so a watch from revision N can be served iff `N >= floor`.
 *
 * @example
 * ```ts
 * const ring = new EventRing<{ revision: number }>(2, 10);
 * ring.push({ revision: 11 }); ring.push({ revision: 12 }); ring.push({ revision: 13 });
 * ring.floor; // 11
 * ring.since(11).map((e) => e.revision); // [12, 13]
 * ```
 */
export class EventRing<T extends { revision: number }> {
  #items: (T | undefined)[] = [];
  #start = 0;
  #length = 0;
  #capacity: number;
  #floor: number;

  /** A ring keeping at most `capacity` items, complete above revision `floor`. */
  constructor(capacity: number, floor: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`ring capacity must be a positive integer`);
    }
    this.#capacity = capacity;
    this.#floor = floor;
  }

  /** Every item with a revision above this one is in the ring. */
  get floor(): number {
    return this.#floor;
  }

  /** Number of items held. */
  get length(): number {
    return this.#length;
  }

  /**
   * Appends `item` (its revision may not be below any held item's; several
   * items may share one), dropping the oldest when full.
   */
  push(item: T): void {
    if (this.#length === this.#capacity) {
      const oldest = this.#items[this.#start]!;
      this.#items[this.#start] = undefined;
      this.#start = (this.#start + 1) % this.#capacity;
      this.#length--;
      this.#floor = oldest.revision;
    }
    const at = (this.#start + this.#length) % this.#capacity;
    // The backing array grows lazily, so an idle cache stays small.
    if (at === this.#items.length) this.#items.push(item);
    else this.#items[at] = item;
    this.#length++;
  }

  /** Drops items at or below `revision` and raises the floor to it (compaction). */
  dropThrough(revision: number): void {
    while (this.#length > 0) {
      const oldest = this.#items[this.#start]!;
      if (oldest.revision > revision) break;
      this.#items[this.#start] = undefined;
      this.#start = (this.#start + 1) % this.#capacity;
      this.#length--;
    }
    if (revision > this.#floor) this.#floor = revision;
  }

  /**
   * Drops items from the oldest while `old(item)` holds, raising the floor
   * to the last dropped item's revision (history that aged out).
   */
  dropWhile(old: (item: T) => boolean): void {
    while (this.#length > 0) {
      const oldest = this.#items[this.#start]!;
      if (!old(oldest)) break;
      this.#items[this.#start] = undefined;
      this.#start = (this.#start + 1) % this.#capacity;
      this.#length--;
      if (oldest.revision > this.#floor) this.#floor = oldest.revision;
    }
    if (this.#length === 0) this.#items = []; // give the backing array back
  }

  /** Empties the ring; it is complete above `floor` from now on. */
  reset(floor: number): void {
    this.#items = [];
    this.#start = 0;
    this.#length = 0;
    this.#floor = floor;
  }

  /** The held items with a revision above `revision`, oldest first. */
  since(revision: number): T[] {
    // Binary search over the logical positions for the first item > revision.
    let lo = 0;
    let hi = this.#length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const item = this.#items[(this.#start + mid) % this.#capacity]!;
      if (item.revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    const out: T[] = new Array(this.#length - lo);
    for (let i = lo; i < this.#length; i++) {
      out[i - lo] = this.#items[(this.#start + i) % this.#capacity]!;
    }
    return out;
  }
}
