/**
 * PATCH of an object or subresource: JSON patch and merge patch. Strategic
 * merge patch and server-side apply are not served yet (415).
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { readBodyText } from "../http/body.ts";
import { parseMediaType } from "../http/media_type.ts";
import { applyJsonPatch, parseJsonPatch } from "../patch/json_patch.ts";
import { applyMergePatch } from "../patch/merge_patch.ts";
import { badRequestError, unsupportedMediaTypeError } from "../status/mod.ts";
import { type ResourceContext, withTypeMeta } from "./context.ts";
import {
  checkNameMatchesUrl,
  normalizeIncoming,
  parseDryRun,
} from "./incoming.ts";
import { checkSubresourceVerb, runUpdate } from "./update_flow.ts";

/** Patch media types served. */
export const SERVED_PATCH_TYPES = [
  "application/json-patch+json",
  "application/merge-patch+json",
];

/** Handles `patch`. */
export async function handlePatch(ctx: ResourceContext): Promise<Response> {
  checkSubresourceVerb(ctx, "patch");
  const type = parseMediaType(ctx.req.headers.get("content-type") ?? "").type;
  if (!SERVED_PATCH_TYPES.includes(type)) {
    await ctx.req.body?.cancel();
    throw unsupportedMediaTypeError(type, SERVED_PATCH_TYPES);
  }
  const text = await readBodyText(ctx.req);
  const dryRun = parseDryRun(ctx, "PatchOptions");
  let apply: (doc: unknown) => unknown;
  if (type === "application/json-patch+json") {
    const ops = parseJsonPatch(text);
    apply = (doc) => applyJsonPatch(doc, ops);
  } else {
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
    apply = (doc) => applyMergePatch(doc, patch);
  }
  return await runUpdate(
    ctx,
    (current: KubeObject | null) => {
      const base = current ? withTypeMeta(ctx.def, current) : {};
      const patched = apply(base);
      if (
        typeof patched !== "object" || patched === null ||
        Array.isArray(patched)
      ) {
        throw badRequestError("the patched object must be a JSON object");
      }
      const obj = normalizeIncoming(ctx, patched as Record<string, unknown>);
      checkNameMatchesUrl(ctx, obj);
      return obj;
    },
    dryRun,
    false,
  );
}
