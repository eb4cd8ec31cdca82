/**
 * Turns etcd watch events into storage watch events, applying a predicate
 * the way `k8s.io/apiserver`'s etcd3 watcher does: an object that stops
 * matching arrives as DELETED, one that starts matching as ADDED. Events
 * carry the stored text (`WatchEvent.text`) and decode lazily. As in the
 * revision logs (`storage/log/_watch_events.ts`), a corrupt value a
 * predicate must read is a `CorruptObject` error, but the DELETED event of a
 * corrupt value (its unsafe delete) reaches every watcher, carrying the name
 * and namespace from the key.
 *
 * @module
 */

import type { IEvent } from "etcd3";
import {
  isStorageError,
  type KubeObject,
  nameFromKey,
  type Predicate,
  type WatchEvent,
} from "../../storage/mod.ts";
import { storedEvent } from "../../storage/log/mod.ts";
import { type KeyMapper, type KeyValue, toKeyValue } from "./_client.ts";
import { decodeKv } from "./_read.ts";

/** The revision of an etcd event (the put's or the delete's revision). */
export function eventRevision(ev: IEvent): number {
  return Number(ev.kv?.mod_revision ?? 0);
}

/**
 * The storage event for one etcd event, or `undefined` when the predicate
 * filters it out. The event is built from the stored text (`storedEvent`):
 * its `object` is decoded on first read and its `text` is that value with
 * the resourceVersion spliced in; only a predicate decodes here. Throws a
 * `StorageError` for undecodable data the predicate needs.
 */
export function convertEvent(
  keys: KeyMapper,
  ev: IEvent,
  pred: Predicate | undefined,
): WatchEvent | undefined {
  const revision = eventRevision(ev);
  const key = keys.fromEtcd(ev.kv.key);
  const isDelete = String(ev.type) === "Delete" || String(ev.type) === "1";
  const prevKv = ev.prev_kv?.key ? toKeyValue(keys, ev.prev_kv) : undefined;
  if (isDelete) {
    if (!prevKv) {
      // etcd lost the previous value (compacted): report what we know.
      return {
        type: "DELETED",
        object: {
          metadata: {
            name: nameFromKey(key),
            resourceVersion: String(revision),
          },
        },
        key,
      };
    }
    // A corrupt object's removal reaches every watcher: no predicate can
    // tell it does not match, and a watcher that knew it must drop it (the
    // event carries `corruptPlaceholder`, from `storedEvent`).
    const last = pred ? decodeOrUndefined(prevKv, revision) : undefined;
    return !pred || last === undefined || pred.matches(last)
      ? storedEvent("DELETED", key, prevKv.value, revision, last)
      : undefined;
  }
  // An object leaving the filter is DELETED with its last state at the
  // event's revision.
  const prev = prevKv && pred ? decodeKv(prevKv, revision) : undefined;
  const deleted = () =>
    storedEvent("DELETED", key, prevKv!.value, revision, prev);
  const curKv = toKeyValue(keys, ev.kv);
  const value = curKv.value;
  const created = Number(ev.kv.version ?? 0) === 1 || !prevKv;
  if (!pred) {
    return storedEvent(created ? "ADDED" : "MODIFIED", key, value, revision);
  }
  const cur = decodeKv(curKv);
  const curMatches = pred.matches(cur);
  if (created) {
    return curMatches
      ? storedEvent("ADDED", key, value, revision, cur)
      : undefined;
  }
  const prevMatches = pred.matches(prev!);
  if (curMatches) {
    return storedEvent(
      prevMatches ? "MODIFIED" : "ADDED",
      key,
      value,
      revision,
      cur,
    );
  }
  return prevMatches ? deleted() : undefined;
}

/**
 * The last state of a deleted object at `revision`, or `undefined` when its
 * value is corrupt; any other failure is thrown.
 */
function decodeOrUndefined(
  kv: KeyValue,
  revision: number,
): KubeObject | undefined {
  try {
    return decodeKv(kv, revision);
  } catch (err) {
    if (isStorageError(err, "CorruptObject")) return undefined;
    throw err;
  }
}
