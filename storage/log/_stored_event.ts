/**
 * Watch events of the log-backed store built from the stored text: the
 * object is decoded on first use, and the event carries its text form
 * (`WatchEvent.text`), so a consumer that keeps text — the watch cache,
 * whose fill after a restart reads every object — takes the stored text
 * with the resourceVersion spliced in, instead of parsing every value and
 * serialising it again.
 *
 * @module
 */

import type { EventText, WatchEvent } from "../store.ts";
import type { KubeObject } from "../object.ts";
import { isStorageError } from "../errors.ts";
import { decodeStored } from "./_decode.ts";
import { isValidJson } from "../../internal/json_valid.ts";

const METADATA = '"metadata":{';

/**
 * `value` (stored JSON, written without a resourceVersion) with
 * `"resourceVersion":"<revision>"` as the first field of its top-level
 * metadata, or `undefined` when that cannot be done safely on the text: the
 * top-level fields before `metadata` must be plain strings (the type meta),
 * and the text must not name a resourceVersion anywhere (a stored one would
 * be duplicated; one nested elsewhere is left to the decoder).
 */
export function withResourceVersion(
  value: string,
  revision: number,
): string | undefined {
  if (value.charCodeAt(0) !== 123 /* { */) return undefined;
  if (value.includes('"resourceVersion"')) return undefined;
  let i = 1;
  for (;;) {
    if (value.startsWith(METADATA, i)) {
      const at = i + METADATA.length;
      const sep = value.charCodeAt(at) === 125 /* } */ ? "" : ",";
      // One flat string (join copies): a concatenation would keep a rope
      // of slices, and with it the whole stored text, alive in the cache.
      return [
        value.slice(0, at),
        `"resourceVersion":"${revision}"${sep}`,
        value.slice(at),
      ].join("");
    }
    // Skip one `"key":"string",` field; anything else ends the attempt.
    const keyEnd = stringEnd(value, i);
    if (keyEnd < 0 || value.charCodeAt(keyEnd) !== 58 /* : */) return undefined;
    const valueEnd = stringEnd(value, keyEnd + 1);
    if (valueEnd < 0 || value.charCodeAt(valueEnd) !== 44 /* , */) {
      return undefined;
    }
    i = valueEnd + 1;
  }
}

/**
 * The index just past the JSON string starting at `start` (which must be
 * `"`), or -1 when there is none.
 */
function stringEnd(text: string, start: number): number {
  if (text.charCodeAt(start) !== 34 /* " */) return -1;
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 34) return i + 1;
  }
  return -1;
}

/**
 * An ADDED, MODIFIED or DELETED event for `value` stored at `key`, at
 * `revision` (the object's resourceVersion). `object` is decoded on first
 * read (once); `text` is the stored text with the resourceVersion spliced
 * in (checked to be JSON: a consumer keeps it as it is), or, where that is
 * not possible, the decoded object serialised. Both are getters of the
 * class, so `{ ...ev, object }` (a wrapper swapping the object) carries
 * neither over. An `object` decoded already (for a predicate, or a
 * writer's, handed over and frozen: then `text.object` too) may be passed
 * in.
 *
 * A corrupt value (not a JSON object) makes both getters of an ADDED or
 * MODIFIED event throw a `CorruptObject` storage error naming the key. A
 * DELETED event of a corrupt value (the unsafe delete of a corrupt object)
 * carries {@linkcode corruptPlaceholder} instead, so watchers and the
 * watch cache still drop the key.
 *
 * For any backend that stores objects as JSON without their
 * resourceVersion (the revision logs, etcd).
 *
 * @example
 * ```ts
 * const ev = storedEvent("ADDED", "/registry/configmaps/clusters/root/default/a", '{"metadata":{"name":"a"}}', 7);
 * // ev.text: {json: '{"metadata":{"resourceVersion":"7","name":"a"}}', revision: 7}
 * ```
 */
export function storedEvent(
  type: "ADDED" | "MODIFIED" | "DELETED",
  key: string,
  value: string,
  revision: number,
  decoded?: KubeObject,
): WatchEvent {
  return new StoredEvent(type, key, value, revision, decoded);
}

class StoredEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED";
  readonly key: string;
  readonly #value: string;
  readonly #revision: number;
  #object: KubeObject | undefined;
  #text: EventText | undefined;

  constructor(
    type: "ADDED" | "MODIFIED" | "DELETED",
    key: string,
    value: string,
    revision: number,
    decoded: KubeObject | undefined,
  ) {
    this.type = type;
    this.key = key;
    this.#value = value;
    this.#revision = revision;
    this.#object = decoded;
  }

  get object(): KubeObject {
    return this.#object ??= this.#decode();
  }

  #decode(): KubeObject {
    try {
      return decodeStored(this.#value, this.#revision, this.key);
    } catch (err) {
      if (this.type !== "DELETED" || !isStorageError(err, "CorruptObject")) {
        throw err;
      }
      return corruptPlaceholder(this.key, this.#revision);
    }
  }

  get text(): EventText {
    if (this.#text !== undefined) return this.#text;
    let json = withResourceVersion(this.#value, this.#revision);
    if (
      json !== undefined && this.#object === undefined && !isValidJson(json)
    ) {
      // The splice does not read the whole text: a damaged value (cut
      // short, say) would reach the cache as it is. The check allocates
      // nothing (a JSON.parse per object was a third of a restart's fill).
      json = undefined; // the decoder names the key (or stands in for it)
    }
    const text = {
      json: json ?? JSON.stringify(this.object),
      revision: this.#revision,
    };
    // Frozen, the decoded object is a writer's handed-over one (a decode
    // for a predicate is not frozen): shareable with the text.
    return this.#text = this.#object !== undefined &&
        Object.isFrozen(this.#object)
      ? { ...text, object: this.#object }
      : text;
  }
}

/**
 * What a DELETED event carries for a value that could not be decoded: the
 * name and namespace the key names, at the delete's `revision` (upstream's
 * watch also tells of the removal of a corrupt object, so informers and
 * the watch cache forget it).
 */
export function corruptPlaceholder(key: string, revision: number): KubeObject {
  const rest = /\/clusters\/[^/]+\/(.+)$/.exec(key)?.[1] ?? "";
  const parts = rest.split("/");
  const metadata: KubeObject["metadata"] = {
    name: parts[parts.length - 1] ?? "",
  };
  if (parts.length === 2) metadata.namespace = parts[0];
  metadata.resourceVersion = String(revision);
  return { metadata };
}
