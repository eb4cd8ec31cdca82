/**
 * The writes the garbage collector makes through the API: delete a
 * dependent, strip owner references, remove a finalizer, and report a
 * warning event. Read-modify-write operations retry on conflict.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import {
  type ApiClient,
  type ApiResource,
  CORE,
  isConflict,
  isNotFound,
  type Target,
} from "../client/mod.ts";
import { rfc3339 } from "../../internal/time.ts";

/** Re-reads and rewrites `target` until `change` returns `undefined` or the write lands. */
export async function readModifyWrite(
  client: ApiClient,
  target: Target,
  uid: string,
  change: (obj: KubeObject) => KubeObject | undefined,
): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    let obj: KubeObject;
    try {
      obj = await client.get(target);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (obj.metadata.uid !== uid) return;
    const next = change(structuredClone(obj));
    if (!next) return;
    try {
      await client.update(target, next);
      return;
    } catch (e) {
      if (isNotFound(e)) return;
      if (!isConflict(e)) throw e;
    }
  }
  throw new Error(`too many conflicts updating ${target.name}`);
}

/** Removes the owner references with `uids` from the object. */
export function removeOwnerReferences(
  client: ApiClient,
  target: Target,
  uid: string,
  uids: ReadonlySet<string>,
): Promise<void> {
  return readModifyWrite(client, target, uid, (obj) => {
    const refs = obj.metadata.ownerReferences ?? [];
    const kept = refs.filter((r) => !uids.has(String(r.uid)));
    if (kept.length === refs.length) return undefined;
    if (kept.length) obj.metadata.ownerReferences = kept;
    else delete obj.metadata.ownerReferences;
    return obj;
  });
}

/** Sets `blockOwnerDeletion: false` on the references to `uids`. */
export function unblockOwnerReferences(
  client: ApiClient,
  target: Target,
  uid: string,
  uids: ReadonlySet<string>,
): Promise<void> {
  return readModifyWrite(client, target, uid, (obj) => {
    let changed = false;
    for (const r of obj.metadata.ownerReferences ?? []) {
      if (uids.has(String(r.uid)) && r.blockOwnerDeletion) {
        r.blockOwnerDeletion = false;
        changed = true;
      }
    }
    return changed ? obj : undefined;
  });
}

/** Removes `finalizer` from the object. */
export function removeFinalizer(
  client: ApiClient,
  target: Target,
  uid: string,
  finalizer: string,
): Promise<void> {
  return readModifyWrite(client, target, uid, (obj) => {
    const f = obj.metadata.finalizers ?? [];
    if (!f.includes(finalizer)) return undefined;
    obj.metadata.finalizers = f.filter((x) => x !== finalizer);
    return obj;
  });
}

/** The target of an object of `resource`. */
export function objectTarget(
  cluster: string,
  resource: ApiResource,
  namespace: string,
  name: string,
): Target {
  return {
    cluster,
    resource,
    namespace: resource.namespaced ? namespace : undefined,
    name,
  };
}

/** Records a warning event about `obj` (best effort). */
export async function warningEvent(
  client: ApiClient,
  cluster: string,
  obj: KubeObject,
  reason: string,
  message: string,
): Promise<void> {
  const namespace = obj.metadata.namespace || "default";
  const now = rfc3339(new Date());
  await client.create({ cluster, resource: CORE.events, namespace }, {
    apiVersion: "v1",
    kind: "Event",
    // Named as upstream's event recorder does: <object>.<unix nanos, hex>.
    metadata: {
      name: `${obj.metadata.name}.${
        (BigInt(Date.now()) * 1_000_000n).toString(16)
      }`,
      namespace,
    },
    involvedObject: {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
    },
    reason,
    message,
    type: "Warning",
    source: { component: "garbage-collector-controller" },
    reportingComponent: "garbage-collector-controller",
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  });
}
