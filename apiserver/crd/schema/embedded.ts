/**
 * Checks of `x-kubernetes-embedded-resource` objects, after upstream's
 * `objectmeta.Validate`: `apiVersion` and `kind` are required, `apiVersion`
 * is a group/version, and `metadata` holds valid names, labels and
 * annotations.
 *
 * @module
 */

import {
  type FieldError,
  invalid,
  required,
  typeInvalid,
} from "../../validation/field_error.ts";
import { subdomainName } from "../../validation/names.ts";
import {
  validateAnnotations,
  validateLabels,
} from "../../validation/object_meta.ts";
import { childPath, isObject } from "./_path.ts";

function validGroupVersion(v: string): boolean {
  const parts = v.split("/");
  if (parts.length === 1) return parts[0] !== "";
  return parts.length === 2 && parts[0] !== "" && parts[1] !== "";
}

/** Problems of the embedded object `v` at `path`. */
export function validateEmbeddedResource(
  v: Record<string, unknown>,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const kind = v.kind;
  const apiVersion = v.apiVersion;
  if (typeof kind !== "string" || kind === "") {
    errs.push(required(childPath(path, "kind"), "must not be empty"));
  }
  if (typeof apiVersion !== "string" || apiVersion === "") {
    errs.push(required(childPath(path, "apiVersion"), "must not be empty"));
  } else if (!validGroupVersion(apiVersion)) {
    errs.push(
      invalid(
        childPath(path, "apiVersion"),
        apiVersion,
        "must be a valid version",
      ),
    );
  }
  const meta = v.metadata;
  if (meta === undefined || meta === null) return errs;
  const mp = childPath(path, "metadata");
  if (!isObject(meta)) {
    errs.push(typeInvalid(mp, meta, "must be an object"));
    return errs;
  }
  for (const key of ["name", "generateName"]) {
    const n = meta[key];
    if (n === undefined || n === "") continue;
    if (typeof n !== "string") {
      errs.push(typeInvalid(childPath(mp, key), n, "must be a string"));
      continue;
    }
    for (const m of subdomainName(n, key === "generateName")) {
      errs.push(invalid(childPath(mp, key), n, m));
    }
  }
  errs.push(...validateLabels(meta.labels, childPath(mp, "labels")));
  errs.push(
    ...validateAnnotations(meta.annotations, childPath(mp, "annotations")),
  );
  return errs;
}
