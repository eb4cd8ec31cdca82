/**
 * `metadata` validation shared by every kind, after upstream's
 * `ValidateObjectMeta` / `ValidateObjectMetaUpdate`.
 *
 * @module
 */

import type { ObjectMeta } from "../../storage/mod.ts";
import {
  type FieldError,
  forbidden,
  invalid,
  required,
  tooLong,
  typeInvalid,
} from "./field_error.ts";
import {
  isDns1123Label,
  isQualifiedName,
  isValidLabelValue,
  type NameValidator,
} from "./names.ts";
import { validateOwnerReferences } from "./owner_references.ts";

/** Total size limit of all annotations (keys + values), in bytes. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** How the kind's names are checked. */
export interface MetaRules {
  namespaced: boolean;
  validateName: NameValidator;
}

function isStringMap(v: unknown): v is Record<string, string> {
  return typeof v === "object" && v !== null && !Array.isArray(v) &&
    Object.values(v).every((x) => typeof x === "string");
}

/** Label keys and values. */
export function validateLabels(
  labels: unknown,
  field: string,
): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (!isStringMap(labels)) {
    return [typeInvalid(field, labels, "must be a map of strings")];
  }
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const m of isQualifiedName(k)) errs.push(invalid(field, k, m));
    for (const m of isValidLabelValue(v)) {
      errs.push(invalid(`${field}[${k}]`, v, m));
    }
  }
  return errs;
}

/** Annotation keys and the total size. */
export function validateAnnotations(
  annotations: unknown,
  field: string,
): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (!isStringMap(annotations)) {
    return [typeInvalid(field, annotations, "must be a map of strings")];
  }
  const errs: FieldError[] = [];
  let size = 0;
  const enc = new TextEncoder();
  for (const [k, v] of Object.entries(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) {
      errs.push(invalid(field, k, m));
    }
    size += enc.encode(k).length + enc.encode(v).length;
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errs.push(
      tooLong(
        field,
        `must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes`,
      ),
    );
  }
  return errs;
}

function validateFinalizers(v: unknown, field: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    return [typeInvalid(field, v, "must be a list of strings")];
  }
  const errs: FieldError[] = [];
  v.forEach((f: string, i: number) => {
    for (const m of isQualifiedName(f)) {
      errs.push(invalid(`${field}[${i}]`, f, m));
    }
  });
  return errs;
}

/** Checks a new object's metadata (after defaulting). */
export function validateObjectMeta(
  meta: ObjectMeta,
  rules: MetaRules,
): FieldError[] {
  const errs: FieldError[] = [];
  const name = meta.name;
  if (typeof meta.generateName === "string" && meta.generateName !== "") {
    for (const m of rules.validateName(meta.generateName, true)) {
      errs.push(invalid("metadata.generateName", meta.generateName, m));
    }
  }
  if (typeof name !== "string" || name === "") {
    errs.push(
      required("metadata.name", "name or generateName is required"),
    );
  } else {
    for (const m of rules.validateName(name, false)) {
      errs.push(invalid("metadata.name", name, m));
    }
  }
  if (rules.namespaced) {
    if (!meta.namespace) {
      errs.push(required("metadata.namespace"));
    } else {
      for (const m of isDns1123Label(meta.namespace)) {
        errs.push(invalid("metadata.namespace", meta.namespace, m));
      }
    }
  } else if (meta.namespace) {
    errs.push(
      forbidden("metadata.namespace", "not allowed on this type"),
    );
  }
  errs.push(...validateLabels(meta.labels, "metadata.labels"));
  errs.push(
    ...validateAnnotations(meta.annotations, "metadata.annotations"),
  );
  errs.push(...validateFinalizers(meta.finalizers, "metadata.finalizers"));
  errs.push(
    ...validateOwnerReferences(
      meta.ownerReferences,
      "metadata.ownerReferences",
    ),
  );
  return errs;
}

/** Immutable metadata fields on update (name, namespace, uid, creationTimestamp). */
export function validateObjectMetaUpdate(
  next: ObjectMeta,
  old: ObjectMeta,
): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ["name", "namespace", "uid", "creationTimestamp"] as const) {
    if ((next[f] ?? "") !== (old[f] ?? "")) {
      errs.push(invalid(`metadata.${f}`, next[f], "field is immutable"));
    }
  }
  return errs;
}
