/**
 * Generated documents, cached by kind set: serialized once, hashed once.
 * Equal kind sets (every cluster serving only the built-ins) share one
 * entry, so many virtual clusters cost one copy of the documents.
 *
 * @module
 */

import { definitionOf } from "../schema/mod.ts";
import type { ServedKind } from "./types.ts";
import { openApiV2 } from "./v2.ts";
import { openApiV3 } from "./v3.ts";

/** One serialized document and its hash. */
export interface Serialized {
  bytes: Uint8Array<ArrayBuffer>;
  /** SHA-512 of the bytes, upper-case hex (upstream's ETag and `?hash=`). */
  hash: string;
}

/** The documents of one kind set; the v2 one is built on first request. */
export interface DocumentSet {
  v2(): Promise<Serialized>;
  /** v3 documents by group-version path (`api/v1`). */
  v3: Map<string, Serialized>;
}

/** Serializes a document to JSON and hashes it. */
export async function serialize(doc: unknown): Promise<Serialized> {
  const bytes = new TextEncoder().encode(JSON.stringify(doc));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-512", bytes));
  const hash = Array.from(digest, (b) => b.toString(16).padStart(2, "0"))
    .join("").toUpperCase();
  return { bytes, hash };
}

/** A key equal for equal kind sets (built-in schemas by name, CRDs by content). */
export function kindSetKey(kinds: readonly ServedKind[]): string {
  return JSON.stringify(
    kinds.map((k) => [
      k.group,
      k.version,
      k.kind,
      k.plural,
      k.namespaced,
      k.verbs,
      definitionOf(k.schema)?.name ?? k.schema,
    ]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  );
}

/** A bounded cache of document sets (least recently used goes first). */
export class DocumentCache {
  readonly #max: number;
  readonly #byArray = new WeakMap<
    readonly ServedKind[],
    Promise<DocumentSet>
  >();
  readonly #byKey = new Map<string, Promise<DocumentSet>>();

  constructor(max = 64) {
    this.#max = max;
  }

  /** The documents of `kinds`, generated on first use. */
  get(kinds: readonly ServedKind[]): Promise<DocumentSet> {
    const hit = this.#byArray.get(kinds);
    if (hit) return hit;
    const key = kindSetKey(kinds);
    let entry = this.#byKey.get(key);
    if (entry) {
      this.#byKey.delete(key); // re-insert: most recently used last
    } else {
      entry = build(kinds);
      entry.catch(() => this.#byKey.delete(key));
    }
    this.#byKey.set(key, entry);
    while (this.#byKey.size > this.#max) {
      this.#byKey.delete(this.#byKey.keys().next().value!);
    }
    this.#byArray.set(kinds, entry);
    return entry;
  }
}

async function build(kinds: readonly ServedKind[]): Promise<DocumentSet> {
  const v3 = new Map<string, Serialized>();
  for (const [path, doc] of openApiV3(kinds)) {
    v3.set(path, await serialize(doc));
  }
  let v2: Promise<Serialized> | undefined;
  return { v2: () => (v2 ??= serialize(openApiV2(kinds))), v3 };
}
