/**
 * Encoded watch lines shared across watchers. The watch cache hands the same
 * frozen {@linkcode WatchEvent} to every watcher of a resource, so the JSON
 * line of a plain (non-Table, single-cluster) watch is the same bytes for all
 * of them: it is rendered and encoded once per event and kind instead of once
 * per watcher.
 *
 * @module
 */

import type { WatchEvent } from "../../storage/mod.ts";
import type { ResourceDefinition } from "../resources/types.ts";

interface SharedLine {
  def: ResourceDefinition;
  bytes: Uint8Array;
}

/** Per-event cache of encoded lines; entries go with their events. */
export class SharedLines {
  #lines = new WeakMap<WatchEvent, SharedLine>();

  /**
   * The encoded line of `ev` as served for `def`: `encode()` runs for the
   * first watcher, later watchers of the same event and kind get its bytes.
   * The bytes must not be modified by the caller.
   */
  get(
    ev: WatchEvent,
    def: ResourceDefinition,
    encode: () => Uint8Array | undefined,
  ): Uint8Array | undefined {
    const hit = this.#lines.get(ev);
    if (hit && hit.def === def) return hit.bytes;
    const bytes = encode();
    if (bytes) this.#lines.set(ev, { def, bytes });
    return bytes;
  }
}

/** The process-wide shared-line cache used by the watch handler. */
export const sharedLines: SharedLines = new SharedLines();
