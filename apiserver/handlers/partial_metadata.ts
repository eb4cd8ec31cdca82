/**
 * `meta.k8s.io` PartialObjectMetadata answers: what client-go's metadata
 * client and informers, controller-runtime's metadata-only watches and the
 * garbage collector ask for with
 * `Accept: application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1`
 * (`as=PartialObjectMetadataList` on lists) — each object as its kind and
 * metadata only. This module negotiates the conversion a handler answers
 * with (Table or PartialObjectMetadata(List), 406 when the `Accept` cannot
 * be met) — reads and, as upstream, writes (`respond.ts` for one object,
 * `list.ts` for lists) — and builds the partial forms.
 *
 * @module
 */

import type { KubeObject, WatchEvent } from "../../storage/mod.ts";
import { memberText } from "../../internal/json_member.ts";
import { isObject } from "../../internal/json.ts";
import {
  type Conversion,
  negotiateOutput,
  OUTPUT_MEDIA_TYPES,
  STREAM_MEDIA_TYPES,
} from "../http/negotiate.ts";
import { listKindOf } from "../resources/types.ts";
import { isCustomResource } from "../openapi/served_kinds.ts";
import { ApiError, notAcceptableError } from "../status/mod.ts";
import type { ResourceContext } from "./context.ts";

/**
 * The shape of an answer: one object (get, create, update, patch, delete),
 * a list (list, deletecollection), or watch events.
 */
export type AnswerShape = "object" | "list" | "watch";

/**
 * The conversion the request's `Accept` asks of an answer of `shape`
 * (`undefined`: the plain answer), negotiated as upstream
 * (`http/negotiate.ts`: JSON, YAML — written by the encoding step —, or
 * protobuf for built-in kinds, answered in JSON). Throws 406 NotAcceptable
 * when no media range can be served (`text/plain`, protobuf only for a
 * custom resource, YAML only for a watch), and, with upstream's message,
 * when the first that
 * can asks for the other form than the endpoint answers with (a
 * PartialObjectMetadataList of one object, a PartialObjectMetadata of a
 * list) — here before anything is read or written; upstream finds it when
 * it converts the answer, after a write is done. A watch's events are
 * objects: `as=PartialObjectMetadataList` there leaves them plain (upstream
 * sends the untransformed object when the conversion fails).
 */
export function readConversion(
  ctx: ResourceContext,
  shape: AnswerShape,
): Conversion | undefined {
  const accept = ctx.req.headers.get("accept");
  return negotiateConversion(accept, shape, {
    kind: ctx.def.kind,
    get listKind() {
      return listKindOf(ctx.def);
    },
    // (whether the kind is custom is only looked up when it can matter)
    protobuf: !accept?.includes("protobuf") || !isCustomResource(ctx.def),
  });
}

/** What an endpoint answers, as {@linkcode negotiateConversion} needs it. */
export interface ConversionEndpoint {
  /** The kind of the object answered (named in a 406). */
  kind: string;
  /** The kind of the list answered (named in a 406; lists only). */
  listKind?: string;
  /** Protobuf may be asked for (built-in kinds; answered in JSON). */
  protobuf: boolean;
  /**
   * `false`: Tables are not served (upstream's storages without a
   * `TableConvertor`: the reviews, TokenRequest), so `as=Table` ranges are
   * passed over. Default: served.
   */
  tables?: boolean;
}

/**
 * {@linkcode readConversion} for any endpoint (the resource handlers, the
 * create-only reviews and TokenRequest): the conversion `accept` asks of
 * an answer of `shape`, or a thrown 406 NotAcceptable.
 */
export function negotiateConversion(
  accept: string | null,
  shape: AnswerShape,
  endpoint: ConversionEndpoint,
): Conversion | undefined {
  const neg = negotiateOutput(accept, {
    protobuf: endpoint.protobuf,
    stream: shape === "watch",
    conversions: true,
    tables: endpoint.tables,
  });
  if (neg === undefined) {
    throw notAcceptableError([
      ...(shape === "watch" ? STREAM_MEDIA_TYPES : OUTPUT_MEDIA_TYPES),
    ]);
  }
  const conv = neg.conversion;
  if (conv?.kind === "PartialObjectMetadata" && shape === "list") {
    throw new ApiError(
      406,
      "NotAcceptable",
      `you requested PartialObjectMetadata, but the requested object is a list (${endpoint.listKind})`,
    );
  }
  if (conv?.kind === "PartialObjectMetadataList") {
    if (shape === "watch") return undefined;
    if (shape === "object") {
      throw new ApiError(
        406,
        "NotAcceptable",
        `you requested PartialObjectMetadataList, but the requested object is not a list (${endpoint.kind})`,
      );
    }
  }
  return conv;
}

/**
 * The object of a watch event as much as a `PartialObjectMetadata` view
 * needs — `{ metadata }`, a fresh object the caller owns — decoded from
 * the event's text when the event carries one and its object is not
 * decoded yet (the watch cache's initial events): the rest of the text is
 * not decoded, nor is the whole object kept for other watchers. A restart
 * with 10,000 virtual clusters decoded ~640,000 whole objects for the
 * garbage collector's metadata informers, most of the garbage of the
 * controllers' first sync. `undefined` when the event has no such text
 * (its object is then read as usual). Decoding for the kind (custom
 * resources' pruning and defaults) leaves the root metadata alone, so
 * none is needed for the view.
 */
export function metadataFromText(ev: WatchEvent): KubeObject | undefined {
  if (ev.type === "ERROR" || ev.type === "BOOKMARK") return undefined;
  const text = ev.text;
  if (!text || text.object) return undefined;
  const member = memberText(text.json, "metadata");
  if (member === undefined) return undefined;
  try {
    const metadata = JSON.parse(member);
    return isObject(metadata)
      ? { metadata: metadata as KubeObject["metadata"] }
      : undefined;
  } catch {
    return undefined;
  }
}

/** `obj` (already decoded for its kind) as a `PartialObjectMetadata`. */
export function partialObjectMetadata(
  obj: KubeObject,
  version: string,
): Record<string, unknown> {
  return {
    kind: "PartialObjectMetadata",
    apiVersion: `meta.k8s.io/${version}`,
    metadata: obj.metadata,
  };
}

/**
 * A `PartialObjectMetadataList` head with list metadata `listMeta`
 * (resourceVersion, continue, remainingItemCount) and no items yet.
 */
export function partialListHead(
  listMeta: Record<string, unknown>,
  version: string,
): Record<string, unknown> {
  return {
    kind: "PartialObjectMetadataList",
    apiVersion: `meta.k8s.io/${version}`,
    metadata: listMeta,
    items: [],
  };
}
