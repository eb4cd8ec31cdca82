/**
 * `metadata.ownerReferences` validation, after upstream's
 * `ValidateOwnerReferences` (k8s.io/apimachinery/pkg/api/validation): every
 * reference names apiVersion (with a version), kind, name and uid; core/v1
 * Events cannot own objects; at most one reference is the controller.
 *
 * Upstream reports the per-reference errors on `ownerReferences.<field>`
 * without an index, and so do we (clients match those paths). Whether the
 * owner's scope fits the dependent (a namespaced owner of a cluster-scoped
 * object) is not an API error upstream: the garbage collector reports it.
 *
 * @module
 */

import { type FieldError, invalid, typeInvalid } from "./field_error.ts";
import { isObject } from "../../internal/json.ts";

/** Owners upstream bans (`BannedOwners`): `{group}/{version}, Kind={kind}`. */
const BANNED_OWNERS = new Set(["/v1, Kind=Event"]);

/** Group and version of an apiVersion as upstream's `ParseGroupVersion`. */
function parseGroupVersion(
  apiVersion: string,
): { group: string; version: string } {
  if (apiVersion === "" || apiVersion === "/") {
    return { group: "", version: "" };
  }
  const parts = apiVersion.split("/");
  if (parts.length === 1) return { group: "", version: apiVersion };
  if (parts.length === 2) return { group: parts[0], version: parts[1] };
  return { group: "", version: "" };
}

function typeErrors(
  ref: Record<string, unknown>,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ["apiVersion", "kind", "name", "uid"]) {
    const v = ref[f];
    if (v !== undefined && v !== null && typeof v !== "string") {
      errs.push(typeInvalid(`${path}.${f}`, v, "must be a string"));
    }
  }
  for (const f of ["controller", "blockOwnerDeletion"]) {
    const v = ref[f];
    if (v !== undefined && v !== null && typeof v !== "boolean") {
      errs.push(typeInvalid(`${path}.${f}`, v, "must be a boolean"));
    }
  }
  return errs;
}

function text(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function validateOwnerReference(
  ref: Record<string, unknown>,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const apiVersion = text(ref.apiVersion);
  const kind = text(ref.kind);
  const gv = parseGroupVersion(apiVersion);
  if (gv.version === "") {
    errs.push(
      invalid(`${path}.apiVersion`, apiVersion, "version must not be empty"),
    );
  }
  if (kind === "") {
    errs.push(invalid(`${path}.kind`, kind, "kind must not be empty"));
  }
  if (text(ref.name) === "") {
    errs.push(
      invalid(`${path}.name`, text(ref.name), "name must not be empty"),
    );
  }
  if (text(ref.uid) === "") {
    errs.push(invalid(`${path}.uid`, text(ref.uid), "uid must not be empty"));
  }
  const gvk = `${gv.group}/${gv.version}, Kind=${kind}`;
  if (BANNED_OWNERS.has(gvk)) {
    errs.push(invalid(path, ref, `${gvk} is disallowed from being an owner`));
  }
  return errs;
}

/**
 * Checks `metadata.ownerReferences` (`path` is its field path); `undefined`
 * and `null` are valid (no owners).
 *
 * @example
 * ```ts
 * validateOwnerReferences([{ apiVersion: "v1", kind: "ConfigMap" }],
 *   "metadata.ownerReferences");
 * // → name and uid "must not be empty"
 * ```
 */
export function validateOwnerReferences(
  refs: unknown,
  path: string,
): FieldError[] {
  if (refs === undefined || refs === null) return [];
  if (!Array.isArray(refs)) return [typeInvalid(path, refs, "must be a list")];
  const errs: FieldError[] = [];
  let firstController = "";
  refs.forEach((ref, i) => {
    if (!isObject(ref)) {
      errs.push(typeInvalid(`${path}[${i}]`, ref, "must be an object"));
      return;
    }
    const types = typeErrors(ref, `${path}[${i}]`);
    if (types.length > 0) {
      errs.push(...types);
      return;
    }
    errs.push(...validateOwnerReference(ref, path));
    if (ref.controller === true) {
      const current = `${text(ref.kind)}/${text(ref.name)}`;
      if (firstController === "") {
        firstController = current;
      } else {
        errs.push(
          invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      }
    }
  });
  return errs;
}
