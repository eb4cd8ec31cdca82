/**
 * Encoded watch lines (or, for in-process watchers that take events as
 * objects, the frozen event objects) shared across watchers. The watch cache hands the same
 * frozen {@linkcode WatchEvent} to every watcher of a resource, so the JSON
 * line of a watch that renders an event from the event alone (no Table: a
 * Table's headers depend on the watcher) is the same bytes for all watchers
 * of one view: it is rendered and encoded once per event and view instead of
 * once per watcher. A view is the served definition plus what else shapes
 * the line — a cross-cluster watch (cluster annotation) is another view than
 * a watch of one cluster, whose watchers can get the very same event.
 *
 * @module
 */

import type { WatchEvent } from "../../storage/mod.ts";
import type { ResourceDefinition } from "../resources/types.ts";
import type { WatchObjectEvent } from "../request_context.ts";
import { RecentWeakMap } from "../../internal/recent_weak_map.ts";

interface SharedLine<T> {
  def: ResourceDefinition | undefined;
  view: string;
  bytes: T;
  /** The event's line in another view (few: plain, across clusters, …). */
  next: SharedLine<T> | undefined;
}

/**
 * Per-event cache of encoded lines (`T`: their bytes, or an event object
 * of a view of its own); entries go with their events.
 */
export class SharedLines<T = Uint8Array> {
  /**
   * Lines of the last 65,536 events (a few seconds of the busiest
   * creation burst measured, ~18,000 events/s): every watcher asks during
   * one fan-out. A plain `WeakMap`'s table kept a restart's size for good:
   * its initial events are each watch's own (`recent_weak_map.ts`).
   */
  #lines = new RecentWeakMap<WatchEvent, SharedLine<T>>(1 << 16);

  /**
   * The encoded line of `ev` as served for `def` in `view` (`""`: a plain
   * watch of one cluster): `encode()` runs for the first watcher, later
   * watchers of the same event, definition and view get its bytes. `def`
   * may be `undefined` when `view` names everything the line depends on.
   * What it answers must not be modified by the caller.
   */
  get(
    ev: WatchEvent,
    def: ResourceDefinition | undefined,
    view: string,
    encode: () => T | undefined,
  ): T | undefined {
    const head = this.#lines.get(ev);
    for (let hit = head; hit; hit = hit.next) {
      if (hit.def === def && hit.view === view) return hit.bytes;
    }
    const bytes = encode();
    if (bytes) this.#lines.set(ev, { def, view, bytes, next: head });
    return bytes;
  }
}

/** The process-wide shared-line cache used by the watch handler. */
export const sharedLines: SharedLines<Uint8Array | WatchObjectEvent> =
  new SharedLines();
