/**
 * Turning committed log changes into watch events for one watcher, with the
 * predicate transitions of the etcd3 watcher (`watcher.go` `transform`).
 *
 * @module
 */

import type { KubeObject } from "../object.ts";
import { decodeStored } from "./_decode.ts";
import { INITIAL_EVENTS_END_ANNOTATION, type WatchEvent } from "../store.ts";
import type { HubEvent } from "./_watch_hub.ts";
import { storedEvent } from "./_stored_event.ts";
import { isStorageError } from "../errors.ts";

/**
 * The watch event for `ev` as seen through `matches`, or `undefined` when the
 * watcher must not see it:
 * - create: ADDED when the new object matches;
 * - delete: DELETED (last state, at the delete's revision) when the last
 *   state matched;
 * - update: MODIFIED when both match, ADDED when only the new one does,
 *   DELETED when only the old one does. As upstream, that DELETED carries
 *   the old object at the update's revision.
 *
 * A create whose writer handed its object over (`HubEvent.created`,
 * deep-frozen, shared) carries that object instead of a decode.
 */
export function toWatchEvent(
  ev: HubEvent,
  matches: (obj: KubeObject) => boolean,
  everything: boolean,
): WatchEvent | undefined {
  switch (ev.type) {
    case "create": {
      const created = ev.created;
      if (everything) {
        return storedEvent("ADDED", ev.key, ev.value, ev.revision, created);
      }
      const obj = created ?? decodeStored(ev.value, ev.revision, ev.key);
      return matches(obj)
        ? storedEvent("ADDED", ev.key, ev.value, ev.revision, obj)
        : undefined;
    }
    case "delete": {
      const last = ev.prevValue ?? ev.value;
      if (everything) {
        return storedEvent("DELETED", ev.key, last, ev.revision);
      }
      // A corrupt object's removal reaches every watcher: no predicate can
      // tell it does not match, and a watcher that knew it must drop it.
      const obj = decodeOrPlaceholder(last, ev.revision, ev.key);
      return obj === undefined || matches(obj)
        ? storedEvent("DELETED", ev.key, last, ev.revision, obj)
        : undefined;
    }
    case "update": {
      if (everything) {
        return storedEvent("MODIFIED", ev.key, ev.value, ev.revision);
      }
      const cur = decodeStored(ev.value, ev.revision, ev.key);
      const curMatches = matches(cur);
      const old = ev.prevValue === undefined
        ? undefined
        : decodeStored(ev.prevValue, ev.revision, ev.key);
      const oldMatches = old !== undefined && matches(old);
      if (curMatches && oldMatches) {
        return storedEvent("MODIFIED", ev.key, ev.value, ev.revision, cur);
      }
      if (curMatches) {
        return storedEvent("ADDED", ev.key, ev.value, ev.revision, cur);
      }
      if (oldMatches) {
        return storedEvent("DELETED", ev.key, ev.prevValue!, ev.revision, old);
      }
      return undefined;
    }
  }
}

/**
 * The last state of a deleted object, or `undefined` when it is corrupt
 * (the event then carries `corruptPlaceholder`, `_stored_event.ts`).
 */
function decodeOrPlaceholder(
  value: string,
  revision: number,
  key: string,
): KubeObject | undefined {
  try {
    return decodeStored(value, revision, key);
  } catch (err) {
    if (isStorageError(err, "CorruptObject")) return undefined;
    throw err;
  }
}

/** A BOOKMARK at `revision`, optionally marking the end of initial events. */
export function bookmarkEvent(
  revision: number,
  initialEventsEnd = false,
): WatchEvent {
  const metadata: KubeObject["metadata"] = {
    resourceVersion: String(revision),
  };
  if (initialEventsEnd) {
    metadata.annotations = { [INITIAL_EVENTS_END_ANNOTATION]: "true" };
  }
  return { type: "BOOKMARK", object: { metadata } };
}
