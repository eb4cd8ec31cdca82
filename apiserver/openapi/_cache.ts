/**
 * Generated documents, cached by kind set: serialized once, hashed once.
 * Equal kind sets (every cluster serving only the built-ins) share one
 * entry, so many virtual clusters cost one copy of the documents.
 *
 * @module
 */

import { definitionOf } from "../schema/mod.ts";
import type { ServedKind } from "./types.ts";
import { digestHex } from "../../internal/hex.ts";

/** One serialized document and its hash. */
export interface Serialized {
  bytes: Uint8Array<ArrayBuffer>;
  /** SHA-512 of the bytes, upper-case hex (upstream's ETag and `?hash=`). */
  hash: string;
}

/** The documents of one kind set; the v2 ones are built on first request. */
export interface DocumentSet {
  v2(): Promise<Serialized>;
  /** The v2 document as gnostic `openapi_v2.Document` protobuf. */
  v2Protobuf(): Promise<Serialized>;
  /** v3 documents by group-version path (`api/v1`). */
  v3: Map<string, Serialized>;
}

/** Serializes a document to JSON and hashes it. */
export function serialize(doc: unknown): Promise<Serialized> {
  return hashed(new TextEncoder().encode(JSON.stringify(doc)));
}

/** Bytes with their SHA-512 (upper-case hex). */
export async function hashed(
  bytes: Uint8Array<ArrayBuffer>,
): Promise<Serialized> {
  const hash = (await digestHex("SHA-512", bytes)).toUpperCase();
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

// The generators (and the gnostic protobuf definitions) are loaded on the
// first OpenAPI request, not at server start.
async function build(kinds: readonly ServedKind[]): Promise<DocumentSet> {
  const { openApiV3 } = await import("./v3.ts");
  const v3 = new Map<string, Serialized>();
  for (const [path, doc] of openApiV3(kinds)) {
    v3.set(path, await serialize(doc));
  }
  // The JSON object is rebuilt for each form rather than kept: only the
  // encoded bytes stay in memory.
  const v2Doc = async () => (await import("./v2.ts")).openApiV2(kinds);
  let v2: Promise<Serialized> | undefined;
  let v2Protobuf: Promise<Serialized> | undefined;
  return {
    v2: () => (v2 ??= v2Doc().then(serialize)),
    v2Protobuf: () =>
      v2Protobuf ??= (async () => {
        const { encodeOpenApiV2Protobuf } = await import("./v2_protobuf.ts");
        return hashed(encodeOpenApiV2Protobuf(await v2Doc()));
      })(),
    v3,
  };
}
