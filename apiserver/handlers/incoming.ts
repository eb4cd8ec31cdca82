/**
 * Checks on what a write request sends before any strategy runs: decoding
 * with `fieldValidation` (unknown and duplicate fields), type meta, metadata
 * shape, name/namespace against the URL, `dryRun`, and namespace existence.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { isStorageError } from "../../storage/mod.ts";
import { objectKey } from "../../storage/mod.ts";
import {
  ApiError,
  badRequestError,
  invalidError,
  notFoundError,
} from "../status/mod.ts";
import { notSupported } from "../validation/field_error.ts";
import { apiVersionOf } from "../resources/types.ts";
import { readDecodedBody } from "../http/body.ts";
import { checkDecodedKind, checkDecodedTypes } from "./decoded_kind.ts";
import {
  dropUnknownFields,
  duplicateFields,
  duplicateFieldsYaml,
  type FieldValidation,
  InvalidFieldValidationError,
  parseFieldValidation,
  strictDecodingStatus,
  unknownFields,
} from "../schema/mod.ts";
import { isCustomResource, schemaOf } from "../openapi/served_kinds.ts";
import type { ResourceContext } from "./context.ts";
import { nextTurn } from "../../internal/turns.ts";
import { isObject } from "../../internal/json.ts";

/**
 * The request's `fieldValidation` directive (absent means `Warn`); any other
 * value is 400 BadRequest, as upstream.
 */
export function fieldValidationOf(ctx: ResourceContext): FieldValidation {
  try {
    return parseFieldValidation(ctx.query.get("fieldValidation"));
  } catch (e) {
    if (e instanceof InvalidFieldValidationError) {
      throw badRequestError(e.message);
    }
    throw e;
  }
}

/**
 * The repeated keys of a JSON or YAML body text, as field paths (`data`,
 * `metadata.labels.a`). Empty for other media types or when `directive` is
 * `Ignore`.
 */
export function duplicateFieldsOf(
  directive: FieldValidation,
  text: string | undefined,
  mediaType: string,
): string[] {
  if (directive === "Ignore" || text === undefined) return [];
  if (mediaType.endsWith("yaml")) {
    return duplicateFieldsYaml(text).map((d) => d.path);
  }
  try {
    return duplicateFields(text);
  } catch {
    return [];
  }
}

/** Where a field validation problem was found (it words the failure). */
export type FieldCheckSource = "body" | "patch";

/**
 * Applies `fieldValidation` to a decoded object of the request's kind:
 * under `Strict` any duplicate (`duplicates`, from the body text) or unknown
 * field fails with upstream's 400 BadRequest `strict decoding error`; under
 * `Warn` each becomes a warning on `ctx` (once, even when a retried patch
 * checks again); under `Ignore` nothing is said. Unknown fields of built-in
 * kinds are then dropped (as decoding into upstream's Go types does); kinds
 * with their own schema (CRDs) prune in their strategy.
 *
 * `source` `"body"` (create/update) words a Strict failure as upstream's
 * decoder (`ConfigMap in version "v1" cannot be handled as a ConfigMap:
 * strict decoding error: …`); `"patch"` as its patch handler (`strict
 * decoding error: …`; pass the patched object and the patch body's
 * duplicates).
 */
export function checkFields(
  ctx: ResourceContext,
  directive: FieldValidation,
  obj: Record<string, unknown>,
  duplicates: readonly string[] = [],
  source: FieldCheckSource = "body",
): void {
  const schema = schemaOf(ctx.def);
  if (!schema) return;
  if (ctx.subresource && ctx.def.subresources?.[ctx.subresource]?.view) return;
  if (directive !== "Ignore") {
    const problems = [
      ...duplicates.map((p) => `duplicate field "${p}"`),
      ...unknownFields(obj, schema).map((p) => `unknown field "${p}"`),
    ];
    if (problems.length && directive === "Strict") {
      if (source === "patch") {
        throw badRequestError(
          `strict decoding error: ${problems.join(", ")}`,
        );
      }
      const status = strictDecodingStatus(
        ctx.def.kind,
        apiVersionOf(ctx.def),
        problems,
      );
      throw badRequestError(status.message);
    }
    const warnings = ctx.warnings ??= [];
    for (const p of problems) if (!warnings.includes(p)) warnings.push(p);
  }
  // Built-in typed kinds (those with their upstream list schema) and native
  // kinds drop unknown fields here; custom resources prune them when
  // decoded (their `decode`).
  if (ctx.def.listSchema || ctx.def.customResource === false) {
    dropUnknownFields(obj, schema);
  }
}

/**
 * `fieldValidation` for a JSON, merge or strategic merge patch (not apply):
 * the patch body's duplicate fields (`duplicates`) and the patched object's
 * unknown fields, worded as upstream's patch handler (see
 * {@linkcode checkFields}). Subresources that speak their own kind (a
 * `view`, e.g. `/scale`) are not checked against the main kind's schema.
 */
export function checkPatchedFields(
  ctx: ResourceContext,
  directive: FieldValidation,
  patched: unknown,
  duplicates: readonly string[],
): void {
  if (ctx.subresource && ctx.def.subresources?.[ctx.subresource]?.view) return;
  if (
    typeof patched !== "object" || patched === null || Array.isArray(patched)
  ) {
    return;
  }
  checkFields(
    ctx,
    directive,
    patched as Record<string, unknown>,
    duplicates,
    "patch",
  );
}

/**
 * Reads a create/update body (JSON, YAML or protobuf) and applies
 * `fieldValidation` to it (see {@linkcode checkFields}).
 */
export async function readIncomingBody(
  ctx: ResourceContext,
): Promise<Record<string, unknown>> {
  const directive = fieldValidationOf(ctx);
  const { object, text, mediaType } = await readDecodedBody(
    ctx.req,
    expectedType(ctx),
  );
  FRESH_BODIES.add(object);
  // A subresource of another kind (a custom resource's Scale) is not
  // checked against the object's schema.
  if (ctx.def.subresources?.[ctx.subresource]?.view) return object;
  // Built-in kinds decode into upstream's typed scheme (custom resources,
  // which carry their own schema, do not).
  if (!isCustomResource(ctx.def)) {
    const expected = expectedType(ctx);
    checkDecodedKind(object, expected);
    const schema = schemaOf(ctx.def);
    if (schema) checkDecodedTypes(object, expected, schema);
  }
  // Each step over a big body takes tens of milliseconds: other requests
  // get a turn in between.
  const big = (text?.length ?? 0) > YIELD_AFTER_BYTES;
  if (big) await nextTurn();
  const duplicates = duplicateFieldsOf(directive, text, mediaType);
  if (big) await nextTurn();
  checkFields(ctx, directive, object, duplicates);
  if (big) await nextTurn();
  return object;
}

/** Bodies of this size or less are checked in one go. */
const YIELD_AFTER_BYTES = 64 * 1024;

/**
 * Objects {@linkcode readIncomingBody} decoded: each is its request's own,
 * so {@linkcode normalizeIncoming} takes their fields instead of copying
 * them deeply (a deep copy of 100,000 keys takes a tenth of a second).
 */
const FRESH_BODIES = new WeakSet<object>();

/**
 * The type a write request sends: the kind's, or the subresource's own
 * kind when it has one (`autoscaling/v1` `Scale` for a custom resource).
 */
export function expectedType(
  ctx: ResourceContext,
): { apiVersion: string; kind: string } {
  const rk = ctx.subresource
    ? ctx.def.subresources?.[ctx.subresource]?.responseKind
    : undefined;
  if (rk) {
    return {
      apiVersion: rk.group ? `${rk.group}/${rk.version}` : rk.version,
      kind: rk.kind,
    };
  }
  return { apiVersion: apiVersionOf(ctx.def), kind: ctx.def.kind };
}

/**
 * Turns a decoded body into an object of the request's kind: `apiVersion`
 * and `kind` must match when present, `metadata` must be an object, and the
 * namespace is taken from the URL (a different one in the body is 400);
 * then the kind's decode-time defaults are applied (`default`).
 *
 * The result is a copy: deep for any body, except that one read by
 * {@linkcode readIncomingBody} (nobody else holds its fields) shares all
 * but its top level and `metadata` with the result.
 */
export function normalizeIncoming(
  ctx: ResourceContext,
  body: Record<string, unknown>,
): KubeObject {
  const def = ctx.def;
  const { apiVersion: want, kind } = expectedType(ctx);
  if (body.apiVersion !== undefined && body.apiVersion !== want) {
    throw badRequestError(
      `the API version in the data (${
        String(body.apiVersion)
      }) does not match the expected API version (${want})`,
    );
  }
  if (body.kind !== undefined && body.kind !== kind) {
    throw badRequestError(
      `the kind in the data (${
        String(body.kind)
      }) does not match the expected kind (${kind})`,
    );
  }
  const meta = body.metadata ?? {};
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) {
    throw badRequestError("metadata must be an object");
  }
  const obj =
    (FRESH_BODIES.has(body)
      ? { ...body, apiVersion: want, kind, metadata: structuredClone(meta) }
      : structuredClone({
        ...body,
        apiVersion: want,
        kind,
        metadata: meta,
      })) as KubeObject;
  dropEmptyMetadata(obj.metadata as Record<string, unknown>);
  if (def.namespaced) {
    const ns = obj.metadata.namespace;
    if (ns !== undefined && ns !== "" && ns !== ctx.namespace) {
      throw badRequestError(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    obj.metadata.namespace = ctx.namespace;
  } else {
    delete obj.metadata.namespace;
  }
  // Decode-time defaulting, as upstream's decoder: only the kind's own
  // type (a subresource's view, e.g. a Scale, is another kind).
  if (kind === def.kind) def.default?.(obj);
  return obj;
}

/** ObjectMeta fields and the value Go's `omitempty` leaves them out for. */
const OMIT_WHEN: Record<string, (v: unknown) => boolean> = {
  name: (v) => v === "",
  generateName: (v) => v === "",
  namespace: (v) => v === "",
  selfLink: (v) => v === "",
  uid: (v) => v === "",
  resourceVersion: (v) => v === "",
  generation: (v) => v === 0,
  labels: (v) => isObject(v) && Object.keys(v).length === 0,
  annotations: (v) => isObject(v) && Object.keys(v).length === 0,
  ownerReferences: (v) => Array.isArray(v) && v.length === 0,
  finalizers: (v) => Array.isArray(v) && v.length === 0,
  managedFields: (v) => Array.isArray(v) && v.length === 0,
};

/**
 * Drops what decoding into Go's `metav1.ObjectMeta` (every field
 * `omitempty`) and encoding it again leaves out: `null`s, empty strings, a
 * zero generation, empty maps and lists. Upstream does this for every kind
 * (custom resources' metadata is coerced through the same type), so
 * `labels: {}` is never stored and never owned by a field manager, and
 * `managedFields: []` reads as absent (upstream: it does not reset them).
 */
function dropEmptyMetadata(meta: Record<string, unknown>): void {
  for (const key of Object.keys(meta)) {
    const v = meta[key];
    if (v === null || OMIT_WHEN[key]?.(v)) delete meta[key];
  }
}

/** For PUT/patch: the body's name must be the URL's name. */
export function checkNameMatchesUrl(ctx: ResourceContext, obj: KubeObject) {
  const n = obj.metadata.name;
  if (n !== undefined && n !== "" && n !== ctx.name) {
    throw badRequestError(
      `the name of the object (${n}) does not match the name on the URL (${ctx.name})`,
    );
  }
  obj.metadata.name = ctx.name;
}

/**
 * `dryRun` from the query: absent → false; `All` → true; anything else is
 * 422 as upstream's options validation.
 */
export function parseDryRun(
  ctx: ResourceContext,
  optionsKind: string,
): boolean {
  const values = ctx.query.getAll("dryRun");
  return checkDryRunValues(values, optionsKind);
}

/** Validates `dryRun` values (query or DeleteOptions body). */
export function checkDryRunValues(
  values: string[],
  optionsKind: string,
): boolean {
  if (values.length === 0) return false;
  for (const v of values) {
    if (v !== "All") {
      throw invalidError("meta.k8s.io", optionsKind, "", [
        notSupported("dryRun", values, ["All"]),
      ]);
    }
  }
  return true;
}

/**
 * For namespaced creates: the namespace must exist (404 `namespaces "x" not
 * found`) and must not be terminating (403, as the NamespaceLifecycle
 * admission plugin).
 *
 * As upstream's plugin reads its informer, the namespace is read from the
 * watch cache (`resourceVersion: "0"`); a miss is confirmed with a consistent
 * read, so a namespace created just before is never refused, and so is a
 * namespace this server was recently asked to delete (see
 * {@linkcode NamespaceLifecycle}), so a create right after the delete is
 * refused.
 */
export async function checkNamespaceAdmits(ctx: ResourceContext) {
  if (!ctx.def.namespaced) return;
  const nsDef = ctx.services.namespaces;
  const store = ctx.services.storeFor(nsDef);
  const key = objectKey({
    resource: nsDef.plural,
    cluster: ctx.cluster,
    name: ctx.namespace,
  });
  const live = ctx.services.namespaceLifecycle.needsLiveLookup(
    ctx.cluster,
    ctx.namespace,
  );
  let ns: KubeObject;
  try {
    ns = live ? await store.get(key) : await store.get(key, {
      resourceVersion: "0",
    }).catch((e) => {
      if (isStorageError(e, "NotFound")) return store.get(key);
      throw e;
    });
  } catch (e) {
    if (isStorageError(e, "NotFound")) {
      throw notFoundError({ group: "", resource: "namespaces" }, ctx.namespace);
    }
    throw e;
  }
  if (ns.metadata.deletionTimestamp) {
    throw new ApiError(
      403,
      "Forbidden",
      `${ctx.def.plural}${ctx.def.group ? "." + ctx.def.group : ""} "${
        ctx.name || "(generated)"
      }" is forbidden: unable to create new content in namespace ${ctx.namespace} because it is being terminated`,
      {
        name: ctx.name || undefined,
        group: ctx.def.group || undefined,
        kind: ctx.def.plural,
        causes: [{
          reason: "NamespaceTerminating",
          message: `namespace ${ctx.namespace} is being terminated`,
          field: "metadata.namespace",
        }],
      },
    );
  }
}
