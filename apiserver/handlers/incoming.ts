/**
 * Checks on what a write request sends before any strategy runs: type meta,
 * metadata shape, name/namespace against the URL, `dryRun`, and namespace
 * existence.
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
import type { ResourceContext } from "./context.ts";

/**
 * Turns a decoded body into an object of the request's kind: `apiVersion`
 * and `kind` must match when present, `metadata` must be an object, and the
 * namespace is taken from the URL (a different one in the body is 400).
 */
export function normalizeIncoming(
  ctx: ResourceContext,
  body: Record<string, unknown>,
): KubeObject {
  const def = ctx.def;
  const want = apiVersionOf(def);
  if (body.apiVersion !== undefined && body.apiVersion !== want) {
    throw badRequestError(
      `the API version in the data (${
        String(body.apiVersion)
      }) does not match the expected API version (${want})`,
    );
  }
  if (body.kind !== undefined && body.kind !== def.kind) {
    throw badRequestError(
      `the kind in the data (${
        String(body.kind)
      }) does not match the expected kind (${def.kind})`,
    );
  }
  const meta = body.metadata ?? {};
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) {
    throw badRequestError("metadata must be an object");
  }
  const obj = structuredClone({
    ...body,
    apiVersion: want,
    kind: def.kind,
    metadata: meta,
  }) as KubeObject;
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
  return obj;
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
 */
export async function checkNamespaceAdmits(ctx: ResourceContext) {
  if (!ctx.def.namespaced) return;
  const nsDef = ctx.services.namespaces;
  let ns: KubeObject;
  try {
    ns = await ctx.services.storeFor(nsDef).get(objectKey({
      resource: nsDef.plural,
      cluster: ctx.cluster,
      name: ctx.namespace,
    }));
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
