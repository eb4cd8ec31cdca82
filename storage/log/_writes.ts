/**
 * The optimistic-concurrency loops of the log-backed store:
 * `guaranteedUpdate` and `delete`, after `k8s.io/apiserver`'s etcd3 store
 * (`GuaranteedUpdate`, `conditionalDelete`). Each attempt works on one
 * snapshot of the key (its stored JSON and modRevision) and writes
 * conditionally on that modRevision; a lost race re-reads and retries.
 *
 * @module
 */

import {
  conflict,
  invalidObject,
  isStorageError,
  notFound,
} from "../errors.ts";
import {
  encodeObject,
  type KubeObject,
  parseResourceVersion,
} from "../object.ts";
import type { DeleteOptions, GuaranteedUpdateOptions } from "../store.ts";
import type { Log } from "./log.ts";
import { checkObject } from "./_checks.ts";
import { checkPreconditions } from "../preconditions.ts";
import { decodeStored } from "./_decode.ts";
import { corruptPlaceholder } from "./_stored_event.ts";

/**
 * How many conflicting writes one call tolerates before it gives up with a
 * `Conflict` error. Upstream retries forever; a bound keeps a pathological
 * hot key from pinning a request, and each conflict means another writer
 * made progress, so real workloads never get near it.
 */
export const MAX_WRITE_ATTEMPTS = 1000;

/** One snapshot of a key. `obj` is `null` (and `rev` 0) when it is missing. */
interface State {
  obj: KubeObject | null;
  /** The stored JSON, `undefined` when missing. */
  data: string | undefined;
  rev: number;
}

async function readState(
  log: Log,
  key: string,
  ignoreNotFound: boolean,
): Promise<State> {
  const rec = await log.get(key);
  if (!rec) {
    if (ignoreNotFound) return { obj: null, data: undefined, rev: 0 };
    throw notFound(key);
  }
  return {
    obj: decodeStored(rec.value, rec.modRevision, key),
    data: rec.value,
    rev: rec.modRevision,
  };
}

/** A snapshot built from a caller's cached copy, or `undefined` when unusable. */
function cachedState(obj: KubeObject | undefined): State | undefined {
  if (!obj?.metadata) return undefined;
  const rev = parseResourceVersion(obj.metadata.resourceVersion);
  if (!rev) return undefined;
  const copy = structuredClone(obj);
  return { obj: copy, data: encodeObject(copy), rev };
}

/** True for the errors a conditional write raises when it lost a race. */
function lostRace(err: unknown): boolean {
  return isStorageError(err, "Conflict") || isStorageError(err, "KeyExists") ||
    isStorageError(err, "NotFound");
}

/** Implements `Store.guaranteedUpdate` for `key` on `log`. */
export async function guaranteedUpdate(
  log: Log,
  key: string,
  opts: GuaranteedUpdateOptions,
): Promise<KubeObject> {
  const ignoreNotFound = opts.ignoreNotFound === true;
  let state = cachedState(opts.cachedExisting);
  let current = state === undefined;
  if (state === undefined) state = await readState(log, key, ignoreNotFound);
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    // A failure on possibly stale cached data is retried once with fresh
    // data; on fresh data it is the answer.
    const refresh = async () => {
      state = await readState(log, key, ignoreNotFound);
      current = true;
    };
    try {
      checkPreconditions(key, state.obj, opts.preconditions);
    } catch (err) {
      if (current) throw err;
      await refresh();
      continue;
    }
    let next: KubeObject;
    try {
      next = checkObject(
        key,
        await opts.tryUpdate(state.obj ? structuredClone(state.obj) : null),
      );
    } catch (err) {
      if (current) throw err;
      await refresh();
      continue;
    }
    const data = encodeObject(next);
    if (state.data !== undefined && data === state.data) {
      if (!current) {
        // The cached copy may be stale: a no-op against it proves nothing.
        await refresh();
        if (data !== state.data) continue;
      }
      return structuredClone(state.obj!);
    }
    try {
      const rev = state.obj === null
        ? await log.create(key, data)
        : await log.update(key, data, state.rev);
      return decodeStored(data, rev, key);
    } catch (err) {
      if (!lostRace(err)) throw err;
      await refresh();
    }
  }
  throw conflict(
    key,
    `gave up after ${MAX_WRITE_ATTEMPTS} conflicting update attempts`,
  );
}

/** Implements `Store.delete` for `key` on `log`. */
export async function conditionalDelete(
  log: Log,
  key: string,
  opts: DeleteOptions,
): Promise<KubeObject> {
  if (opts.expectCorrupt) return await corruptDelete(log, key);
  let state = cachedState(opts.cachedExisting);
  let current = state === undefined;
  if (state === undefined) state = await readState(log, key, false);
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const refresh = async () => {
      state = await readState(log, key, false);
      current = true;
    };
    try {
      checkPreconditions(key, state.obj, opts.preconditions);
      await opts.validateDeletion?.(structuredClone(state.obj!));
    } catch (err) {
      if (current) throw err;
      await refresh();
      continue;
    }
    try {
      const rev = await log.delete(key, state.rev);
      return decodeStored(state.data!, rev, key);
    } catch (err) {
      if (isStorageError(err, "NotFound")) throw notFound(key);
      if (!isStorageError(err, "Conflict")) throw err;
      await refresh();
    }
  }
  throw conflict(
    key,
    `gave up after ${MAX_WRITE_ATTEMPTS} conflicting delete attempts`,
  );
}

/** How a store reads a stored value and deletes it at a revision. */
export interface CorruptDeleteOps {
  /** The value stored at the key and its revision; `undefined` when absent. */
  read(): Promise<{ value: string; revision: number } | undefined>;
  /**
   * Deletes the key if it is still at `revision`: the delete's revision, or
   * `undefined` when the value changed meanwhile (it is read again). Throws
   * `NotFound` when the key is gone.
   */
  deleteAt(revision: number): Promise<number | undefined>;
}

/**
 * `Store.delete` with `expectCorrupt`, for any store: removes `key` only
 * while its value is corrupt, conditionally on the revision that was found
 * corrupt (a value rewritten meanwhile is read again, and kept when it reads
 * fine). The revision logs and etcd share it.
 */
export async function deleteWhileCorrupt(
  key: string,
  ops: CorruptDeleteOps,
): Promise<KubeObject> {
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const cur = await ops.read();
    if (!cur) throw notFound(key);
    try {
      decodeStored(cur.value, cur.revision, key);
    } catch (err) {
      if (!isStorageError(err, "CorruptObject")) throw err;
      const rev = await ops.deleteAt(cur.revision);
      if (rev === undefined) continue;
      return corruptPlaceholder(key, rev);
    }
    throw invalidObject(
      key,
      "unsafe deletion is not allowed because the object is decodable from storage",
    );
  }
  throw conflict(
    key,
    `gave up after ${MAX_WRITE_ATTEMPTS} conflicting delete attempts`,
  );
}

/** {@linkcode deleteWhileCorrupt} on a revision log. */
function corruptDelete(log: Log, key: string): Promise<KubeObject> {
  return deleteWhileCorrupt(key, {
    async read() {
      const rec = await log.get(key);
      return rec && { value: rec.value, revision: rec.modRevision };
    },
    async deleteAt(revision) {
      try {
        return await log.delete(key, revision);
      } catch (err) {
        if (isStorageError(err, "NotFound")) throw notFound(key);
        if (!isStorageError(err, "Conflict")) throw err;
        return undefined;
      }
    },
  });
}
