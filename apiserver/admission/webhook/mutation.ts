/**
 * What a mutating webhook's answer does to the object, as upstream's
 * mutating dispatcher: the base64 JSON Patch (`patchType: JSONPatch`) is
 * applied with `fast-json-patch` (an undecodable patch or another patch
 * type is a failed call, a failing operation a 500); the object keeps the
 * request's `apiVersion`/`kind`, may not move to another namespace or be
 * renamed on update (upstream's 400s), and loses the fields a built-in kind
 * does not declare (as upstream's typed decoding).
 *
 * @module
 */

import { applyPatch, type Operation } from "fast-json-patch/index.mjs";
import type { KubeObject } from "../../../storage/mod.ts";
import type { AdmissionAttributes } from "../admission.ts";
import { badRequestError, internalError } from "../../status/mod.ts";
import { dropUnknownFields } from "../../schema/mod.ts";
import { builtinSchema } from "../../resources/kind_tables.ts";
import { CallingWebhookError } from "./client.ts";
import type { AdmissionResult } from "./review.ts";
import type { Webhook } from "./types.ts";

function decodePatch(name: string, patch: string): Operation[] {
  try {
    const bytes = Uint8Array.from(atob(patch), (c) => c.charCodeAt(0));
    const ops = JSON.parse(new TextDecoder().decode(bytes));
    if (!Array.isArray(ops)) {
      throw new Error(
        "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
      );
    }
    return ops;
  } catch (e) {
    throw new CallingWebhookError(
      name,
      `received undecodable patch in webhook response: ${
        e instanceof Error ? e.message : e
      }`,
    );
  }
}

/**
 * A mutating webhook's answer to a delete, which has no object to patch: a
 * non-empty patch is upstream's 500 (`admission webhook "x" attempted to
 * modify the object, which is not supported for this operation`), whatever
 * the failure policy; an undecodable one is a failed call.
 */
export function checkDeleteAnswer(
  hook: Webhook,
  result: AdmissionResult,
): void {
  if (!result.patch) return;
  if (decodePatch(hook.name, result.patch).length === 0) return;
  throw internalError(
    `admission webhook ${
      JSON.stringify(hook.name)
    } attempted to modify the object, which is not supported for this operation`,
  );
}

/** Applies a mutating webhook's answer to `object`; returns the result. */
export function applyAnswer(
  hook: Webhook,
  result: AdmissionResult,
  object: KubeObject,
): KubeObject {
  if (!result.patch) return object;
  const ops = decodePatch(hook.name, result.patch);
  if (ops.length === 0) return object;
  if (result.patchType !== "JSONPatch") {
    throw new CallingWebhookError(
      hook.name,
      `unsupported patch type ${JSON.stringify(result.patchType)}`,
    );
  }
  let patched: unknown;
  try {
    patched = applyPatch(structuredClone(object), ops, true, true, true)
      .newDocument;
  } catch (e) {
    throw internalError(
      (e instanceof Error ? e.message : String(e)).split("\n")[0],
    );
  }
  if (
    !patched || typeof patched !== "object" || Array.isArray(patched) ||
    typeof (patched as KubeObject).metadata !== "object" ||
    (patched as KubeObject).metadata === null
  ) {
    throw internalError(
      `admission webhook ${
        JSON.stringify(hook.name)
      } returned a patch that does not leave an object`,
    );
  }
  // The object goes on in the request's own version.
  return {
    ...(patched as KubeObject),
    apiVersion: object.apiVersion,
    kind: object.kind,
  };
}

/**
 * A patch may not move the object: another namespace is upstream's 400 from
 * `EnsureObjectNamespaceMatchesRequestNamespace` (a removed one is put
 * back), another name on update its 400 from the update handler.
 */
export function keepIdentity(
  obj: KubeObject,
  attrs: AdmissionAttributes,
): void {
  const ns = obj.metadata.namespace;
  if (attrs.namespace) {
    if (ns === undefined || ns === "") obj.metadata.namespace = attrs.namespace;
    else if (ns !== attrs.namespace) {
      throw badRequestError(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
  }
  const old = attrs.oldObject?.metadata.name;
  if (attrs.operation === "UPDATE" && old && obj.metadata.name !== old) {
    throw badRequestError(
      `the name of the object (${obj.metadata.name}) does not match the name on the URL (${old})`,
    );
  }
}

/**
 * Fields a built-in kind does not declare are lost, as upstream's decoding
 * of the patched object into its Go type loses them (custom resources are
 * pruned by their own create/update hooks, which run after admission).
 */
export function dropUndeclared(
  obj: KubeObject,
  attrs: AdmissionAttributes,
): void {
  const schema = builtinSchema(attrs.group, attrs.version, attrs.kind);
  if (schema) dropUnknownFields(obj, schema);
}
