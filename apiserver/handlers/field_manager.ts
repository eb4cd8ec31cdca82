/**
 * The field manager of one write request: who the manager is (`fieldManager`
 * or the user agent), which schema and reset fields apply, and the
 * `managedFields` bookkeeping of create/update/patch and server-side apply,
 * with apply errors turned into `Status` errors.
 *
 * @module
 */

import { queryBool } from "../http/query_bool.ts";
import type { KubeObject } from "../../storage/mod.ts";
import {
  ApplyConflictError,
  applyWithLastApplied,
  type FieldManagerOptions,
  fieldManagerProblem,
  type FieldPath,
  isApplyError,
  managerName,
  updateManagedFields,
} from "../apply/mod.ts";
import { apiVersionOf } from "../resources/types.ts";
import type { ResourceDefinition } from "../resources/types.ts";
import { ApiError, invalidError } from "../status/mod.ts";
import {
  type FieldError,
  forbidden,
  invalid,
  required,
  tooLong,
} from "../validation/field_error.ts";
import type { ResourceContext } from "./context.ts";

type Obj = Record<string, unknown>;

import { isCustomResource, schemaOf } from "../openapi/served_kinds.ts";

export { isCustomResource, schemaOf };

/**
 * Upstream's reset fields: the main resource of a kind with a status
 * subresource never changes `status`; `/status` changes nothing but
 * `status` (every other top-level field of `objs` is reset).
 */
export function resetFieldsFor(
  def: ResourceDefinition,
  subresource: string,
  ...objs: Array<Obj | null | undefined>
): FieldPath[] {
  if (!subresource) {
    return def.subresources?.status ? [[{ field: "status" }]] : [];
  }
  const keep = subresource === "status" ? "status" : "spec";
  const top = new Set<string>(["metadata"]);
  for (const o of objs) for (const k of Object.keys(o ?? {})) top.add(k);
  top.delete(keep);
  return [...top].sort().map((field) => [{ field }]);
}

/** Options kinds of the request, for `PatchOptions.meta.k8s.io` errors. */
export type OptionsKind = "CreateOptions" | "UpdateOptions" | "PatchOptions";

/**
 * Validates `fieldManager` and `force` of a request (422 on the options
 * kind, as upstream) and returns the manager name to record.
 */
export function requestManager(
  ctx: ResourceContext,
  optionsKind: OptionsKind,
  isApply = false,
): string {
  const sent = ctx.query.get("fieldManager") ?? "";
  const errs: FieldError[] = [];
  if (optionsKind === "PatchOptions" && !isApply && ctx.query.has("force")) {
    errs.push(forbidden("force", "may not be specified for non-apply patch"));
  }
  const problem = fieldManagerProblem(sent, isApply);
  if (problem?.startsWith("is required")) {
    errs.push(required("fieldManager", problem));
  } else if (problem?.startsWith("must have at most")) {
    errs.push(tooLong("fieldManager", problem));
  } else if (problem) errs.push(invalid("fieldManager", sent, problem));
  if (errs.length > 0) {
    throw invalidError("meta.k8s.io", optionsKind, "", errs);
  }
  return managerName(sent, ctx.req.headers.get("user-agent"));
}

/** `force` of an apply request (upstream's parameter codec, see `queryBool`). */
export function parseForce(ctx: ResourceContext): boolean {
  return queryBool(ctx.query, "force") ?? false;
}

function commonOptions(
  ctx: ResourceContext,
  ...objs: Array<Obj | null | undefined>
): FieldManagerOptions {
  return {
    schema: schemaOf(ctx.def),
    apiVersion: apiVersionOf(ctx.def),
    now: ctx.services.now(),
    subresource: ctx.subresource || undefined,
    resetFields: resetFieldsFor(ctx.def, ctx.subresource, ...objs),
  };
}

/**
 * Records a non-apply write by `manager` in `next.metadata.managedFields`
 * (`old` is `null` on create). Never fails for object content.
 */
export function trackUpdate(
  ctx: ResourceContext,
  manager: string,
  old: KubeObject | null,
  next: KubeObject,
): KubeObject {
  const { object } = updateManagedFields(
    old as Obj | null,
    next as unknown as Obj,
    { ...commonOptions(ctx, old as Obj | null, next as Obj), manager },
  );
  return object as unknown as KubeObject;
}

/**
 * Server-side apply of `config` onto `live` (`null`: create), with
 * upstream's last-applied-configuration upgrade for the `kubectl` manager.
 * Conflicts are 409 with one `FieldManagerConflict` cause per field; a
 * malformed configuration is 400/422.
 */
export function applyConfig(
  ctx: ResourceContext,
  manager: string,
  force: boolean,
  live: KubeObject | null,
  config: Obj,
): KubeObject {
  try {
    const { object } = applyWithLastApplied(live as Obj | null, config, {
      ...commonOptions(ctx, live as Obj | null, config),
      manager,
      force,
    });
    return object as unknown as KubeObject;
  } catch (e) {
    throw applyErrorToApi(e);
  }
}

/** Maps apply errors to `ApiError`s; anything else passes through. */
export function applyErrorToApi(e: unknown): unknown {
  if (e instanceof ApplyConflictError) {
    return new ApiError(409, "Conflict", e.message, { causes: e.causes });
  }
  if (isApplyError(e)) return new ApiError(e.code, e.reason, e.message);
  return e;
}

/** Copies the managedFields of `from` onto `to` (after a strategy rebuilt `to`). */
export function keepManagedFields(to: KubeObject, from: KubeObject): void {
  const mf = from.metadata?.managedFields;
  delete to.metadata.managedFields;
  if (mf === undefined) return;
  // re-inserted last; a copy only when it comes from another object
  to.metadata.managedFields = to === from ? mf : structuredClone(mf);
}
