/**
 * Turns etcd watch events into storage watch events, applying a predicate
 * the way `k8s.io/apiserver`'s etcd3 watcher does: an object that stops
 * matching arrives as DELETED, one that starts matching as ADDED.
 *
 * @module
 */

import type { IEvent } from "etcd3";
import type { KubeObject, Predicate, WatchEvent } from "../../storage/mod.ts";
import { type KeyMapper, toKeyValue } from "./_client.ts";
import { decodeKv } from "./_read.ts";

/** The revision of an etcd event (the put's or the delete's revision). */
export function eventRevision(ev: IEvent): number {
  return Number(ev.kv?.mod_revision ?? 0);
}

function matches(pred: Predicate | undefined, obj: KubeObject): boolean {
  return !pred || pred.matches(obj);
}

/**
 * The storage event for one etcd event, or `undefined` when the predicate
 * filters it out. Throws a `StorageError` for undecodable data.
 */
export function convertEvent(
  keys: KeyMapper,
  ev: IEvent,
  pred: Predicate | undefined,
): WatchEvent | undefined {
  const revision = eventRevision(ev);
  const key = keys.fromEtcd(ev.kv.key);
  const isDelete = String(ev.type) === "Delete" || String(ev.type) === "1";
  const prev = ev.prev_kv?.key
    ? decodeKv(toKeyValue(keys, ev.prev_kv), revision)
    : undefined;
  if (isDelete) {
    if (!prev) {
      // etcd lost the previous value (compacted): report what we know.
      return {
        type: "DELETED",
        object: {
          metadata: {
            name: key.slice(key.lastIndexOf("/") + 1),
            resourceVersion: String(revision),
          },
        },
        key,
      };
    }
    return matches(pred, prev)
      ? { type: "DELETED", object: prev, key }
      : undefined;
  }
  const cur = decodeKv(toKeyValue(keys, ev.kv));
  const created = Number(ev.kv.version ?? 0) === 1 || !prev;
  const curMatches = matches(pred, cur);
  if (created) {
    return curMatches ? { type: "ADDED", object: cur, key } : undefined;
  }
  const prevMatches = matches(pred, prev!);
  if (curMatches && prevMatches) return { type: "MODIFIED", object: cur, key };
  if (curMatches) return { type: "ADDED", object: cur, key };
  if (prevMatches) return { type: "DELETED", object: prev!, key };
  return undefined;
}
