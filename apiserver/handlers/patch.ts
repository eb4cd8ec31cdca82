/**
 * PATCH of an object or subresource: JSON patch, merge patch, strategic
 * merge patch (built-in kinds only, as upstream) and server-side apply
 * (`application/apply-patch+yaml`, which also creates a missing object).
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { readBodyText } from "../http/body.ts";
import { checkJsonLimits } from "../http/decode_limits.ts";
import { parseMediaType } from "../http/media_type.ts";
import {
  applyJsonPatch,
  applyMergePatch,
  applyPatchDuplicates,
  applyStrategicPatch,
  parseApplyPatch,
  parseJsonPatch,
  parseStrategicPatch,
} from "../patch/mod.ts";
import { apiVersionOf } from "../resources/types.ts";
import { ApiError, badRequestError, invalidError } from "../status/mod.ts";
import {
  goDecodeError,
  goFormatValue,
  goFromUnstructuredError,
} from "../schema/mod.ts";
import { invalid } from "../validation/field_error.ts";
import { isObject } from "../../internal/json.ts";
import { type ResourceContext, withTypeMeta } from "./context.ts";
import {
  applyConfig,
  isCustomResource,
  parseForce,
  requestManager,
  schemaOf,
} from "./field_manager.ts";
import {
  checkNameMatchesUrl,
  checkPatchedFields,
  duplicateFieldsOf,
  fieldValidationOf,
  normalizeIncoming,
  parseDryRun,
} from "./incoming.ts";
import { checkSubresourceVerb, runUpdate } from "./update_flow.ts";
import { writeConversion } from "./respond.ts";
import { checkApplyBody } from "../validation/typed_patch.ts";

const JSON_PATCH = "application/json-patch+json";
const MERGE_PATCH = "application/merge-patch+json";
const STRATEGIC_PATCH = "application/strategic-merge-patch+json";
const APPLY_PATCH = "application/apply-patch+yaml";

/** Patch media types served for built-in kinds. */
export const SERVED_PATCH_TYPES = [
  JSON_PATCH,
  MERGE_PATCH,
  STRATEGIC_PATCH,
  APPLY_PATCH,
];

/** Patch media types served for custom resources (no strategic merge). */
export const CUSTOM_RESOURCE_PATCH_TYPES = [
  JSON_PATCH,
  MERGE_PATCH,
  APPLY_PATCH,
];

/** The patch types a kind accepts. */
export function patchTypesFor(ctx: ResourceContext): string[] {
  return isCustomResource(ctx.def)
    ? CUSTOM_RESOURCE_PATCH_TYPES
    : SERVED_PATCH_TYPES;
}

/** Handles `patch`. */
export async function handlePatch(ctx: ResourceContext): Promise<Response> {
  checkSubresourceVerb(ctx, "patch");
  const type = parseMediaType(ctx.req.headers.get("content-type") ?? "").type;
  const accepted = patchTypesFor(ctx);
  if (!accepted.includes(type)) {
    await ctx.req.body?.cancel();
    throw new ApiError(
      415,
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: ${
        accepted.join(", ")
      }`,
    );
  }
  // After the patch type (415 first) and before the body, as upstream.
  const conversion = await writeConversion(ctx);
  const isApply = type === APPLY_PATCH;
  const text = await readBodyText(ctx.req);
  const dryRun = parseDryRun(ctx, "PatchOptions");
  const manager = requestManager(ctx, "PatchOptions", isApply);
  if (isApply) {
    const config = parseApplyPatch(text, {
      apiVersion: apiVersionOf(ctx.def),
      kind: ctx.def.kind,
    });
    const directive = fieldValidationOf(ctx);
    checkApplyBody({
      config,
      duplicates: directive === "Ignore" ? [] : applyPatchDuplicates(text),
      schema: ctx.def.subresources?.[ctx.subresource]?.view
        ? undefined
        : schemaOf(ctx.def),
      subject: ctx.def,
      directive,
      warnings: ctx.warnings ??= [],
    });
    const force = parseForce(ctx);
    return await runUpdate(
      ctx,
      (current: KubeObject | null) => {
        const live = current ? withTypeMeta(ctx.def, current) : null;
        const merged = applyConfig(ctx, manager, force, live, config);
        checkPatchedTypes(ctx, merged, undefined);
        return checked(ctx, merged);
      },
      dryRun,
      false,
      { manager, applied: true, conversion },
    );
  }
  const { apply, strategic } = patchFunction(ctx, type, text);
  const directive = fieldValidationOf(ctx);
  const duplicates = type === JSON_PATCH
    ? []
    : duplicateFieldsOf(directive, text, "application/json");
  return await runUpdate(
    ctx,
    (current: KubeObject | null) => {
      const view = ctx.def.subresources?.[ctx.subresource]?.view;
      const base = current
        ? (view ? view(current) : withTypeMeta(ctx.def, current))
        : {};
      const patched = apply(base);
      // As upstream's decode of the patched object: a wrong type or a bad
      // timestamp trumps strict field validation.
      checkPatchedTypes(ctx, patched, strategic);
      checkPatchedFields(ctx, directive, patched, duplicates);
      return checked(ctx, patched);
    },
    dryRun,
    false,
    { manager, conversion },
  );
}

/** A decoded patch body: `apply` patches each attempt's object. */
interface DecodedPatch {
  apply: (doc: unknown) => unknown;
  /** The body of a strategic merge patch (shown when its result is refused). */
  strategic?: Record<string, unknown>;
}

/** Decodes the patch body once. */
function patchFunction(
  ctx: ResourceContext,
  type: string,
  text: string,
): DecodedPatch {
  if (type === JSON_PATCH) {
    const ops = parseJsonPatch(text);
    return { apply: (doc) => applyJsonPatch(doc, ops) };
  }
  if (type === STRATEGIC_PATCH) {
    const patch = parseStrategicPatch(text);
    const schema = schemaOf(ctx.def);
    return {
      apply: (doc) => applyStrategicPatch(doc, patch, schema),
      strategic: patch,
    };
  }
  checkJsonLimits(text);
  let patch: unknown;
  try {
    patch = JSON.parse(text);
  } catch (e) {
    throw badRequestError(
      `error decoding patch: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
    throw badRequestError("a merge patch must be a JSON object");
  }
  return { apply: (doc) => applyMergePatch(doc, patch) };
}

/**
 * Upstream decodes a patched built-in object into its Go type; a value Go
 * refuses (wrong JSON type, unparseable timestamp) fails the patch with 422
 * on the field `patch`. A JSON or merge patch result is JSON-decoded
 * (`patch: Invalid value: "{…patched object…}": json: cannot unmarshal …`);
 * a strategic merge patch result is converted from a map, which names the
 * patch itself and the converter's error (`patch: Invalid value:
 * "map[data:map[a:true]]": unrecognized type: string`). Custom resources
 * and subresource views (a Scale) are not decoded into a kind's Go type.
 */
function checkPatchedTypes(
  ctx: ResourceContext,
  patched: unknown,
  strategic: Record<string, unknown> | undefined,
): void {
  if (isCustomResource(ctx.def)) return;
  if (ctx.def.subresources?.[ctx.subresource]?.view) return;
  if (!isObject(patched)) return; // refused by `checked`
  const schema = schemaOf(ctx.def);
  if (!schema) return;
  if (strategic) {
    const err = goFromUnstructuredError(patched, schema);
    if (!err) return;
    throw invalidError("", "", "", [
      invalid("patch", goFormatValue(strategic), err),
    ]);
  }
  const err = goDecodeError(patched, schema);
  if (!err) return;
  throw invalidError("", "", "", [
    invalid("patch", JSON.stringify(patched), err),
  ]);
}

/** The patched document as an object of the request's kind and name. */
function checked(ctx: ResourceContext, patched: unknown): KubeObject {
  if (
    typeof patched !== "object" || patched === null || Array.isArray(patched)
  ) {
    throw badRequestError("the patched object must be a JSON object");
  }
  const obj = normalizeIncoming(ctx, patched as Record<string, unknown>);
  checkNameMatchesUrl(ctx, obj);
  return obj;
}
