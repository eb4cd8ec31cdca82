/**
 * Validation of `CustomResourceDefinition` objects, after upstream's
 * `ValidateCustomResourceDefinition` / `…Update` / `…StoredVersions`
 * (`k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation`).
 * Every problem is a {@linkcode FieldError} with the upstream path
 * (`spec.versions[0].name`), ready for a 422 with causes.
 *
 * ```ts
 * defaultCrd(crd);
 * const errs = validateCrd(crd); // [] when the CRD may be created
 * ```
 *
 * @module
 */

import {
  type FieldError,
  invalid,
  notSupported,
  required,
} from "../validation/field_error.ts";
import {
  API_APPROVED_ANNOTATION,
  isProtectedGroup,
  requireNames,
  validateGroup,
  validateNames,
} from "./_validate_names.ts";
import { validateConversion, validateVersion } from "./_validate_versions.ts";
import { CelRules } from "./schema/cel.ts";
import { isObject } from "./schema/_path.ts";
import type { CrdSpec, CustomResourceDefinition } from "./types.ts";

export { WEBHOOK_UNSUPPORTED } from "./_validate_versions.ts";

/** Options for {@linkcode validateCrd}. */
export interface ValidateCrdOptions {
  /** Compiles CEL rules; pass a shared one to reuse its program cache. */
  cel?: CelRules;
}

/**
 * Fills in upstream's v1 defaults in place: `singular` (lower-case kind),
 * `listKind` (`<Kind>List`), `conversion.strategy: None`, and on a new
 * object `status.storedVersions` = the storage version.
 */
export function defaultCrd(crd: CustomResourceDefinition): void {
  const spec = crd.spec;
  if (!isObject(spec)) return;
  const names = spec.names;
  if (isObject(names) && typeof names.kind === "string" && names.kind) {
    if (!names.singular) names.singular = names.kind.toLowerCase();
    if (!names.listKind) names.listKind = `${names.kind}List`;
  }
  if (spec.conversion === undefined || spec.conversion === null) {
    spec.conversion = { strategy: "None" };
  }
}

/** The name of the version marked `storage: true`, if exactly one is. */
export function storageVersionOf(
  crd: CustomResourceDefinition,
): string | undefined {
  const vs = Array.isArray(crd.spec?.versions) ? crd.spec.versions : [];
  const storage = vs.filter((v) => isObject(v) && v.storage === true);
  return storage.length === 1 ? storage[0].name : undefined;
}

/** Problems of a CRD on create (after {@linkcode defaultCrd}). */
export function validateCrd(
  crd: CustomResourceDefinition,
  opts: ValidateCrdOptions = {},
): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObject(crd.spec)) return [required("spec")];
  const spec: CrdSpec = crd.spec;
  const names = isObject(spec.names) ? spec.names : undefined;
  if (spec.names !== undefined && names === undefined) {
    errs.push(invalid("spec.names", spec.names, "must be an object"));
  }
  const expected = `${names?.plural ?? ""}.${spec.group ?? ""}`;
  if (crd.metadata?.name !== expected) {
    errs.push(
      invalid(
        "metadata.name",
        crd.metadata?.name ?? "",
        'must be spec.names.plural+"."+spec.group',
      ),
    );
  }
  errs.push(...validateGroup(spec.group, "spec.group"));
  if (
    typeof spec.group === "string" && isProtectedGroup(spec.group) &&
    crd.metadata?.annotations?.[API_APPROVED_ANNOTATION] === undefined
  ) {
    errs.push(
      required(
        `metadata.annotations[${API_APPROVED_ANNOTATION}]`,
        `protected groups must have approval annotation "${API_APPROVED_ANNOTATION}", see https://github.com/kubernetes/enhancements/pull/1111`,
      ),
    );
  }
  if (!spec.scope) errs.push(required("spec.scope"));
  else if (spec.scope !== "Cluster" && spec.scope !== "Namespaced") {
    errs.push(
      notSupported("spec.scope", spec.scope, ["Cluster", "Namespaced"]),
    );
  }
  errs.push(...validateNames(names, "spec.names"));
  errs.push(...requireNames(names, "spec.names"));
  errs.push(...validateVersions(crd, opts.cel ?? new CelRules()));
  errs.push(...validateConversion(spec.conversion, "spec.conversion"));
  if (spec.preserveUnknownFields === true) {
    errs.push(
      invalid(
        "spec.preserveUnknownFields",
        true,
        "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead",
      ),
    );
  }
  return errs;
}

function validateVersions(
  crd: CustomResourceDefinition,
  cel: CelRules,
): FieldError[] {
  const versions = crd.spec.versions;
  if (versions === undefined || versions === null) {
    return [
      required(
        "spec.versions",
        "must have exactly one version marked as storage version",
      ),
    ];
  }
  if (!Array.isArray(versions)) {
    return [invalid("spec.versions", versions, "must be a list")];
  }
  if (versions.length === 0) {
    return [
      invalid(
        "spec.versions",
        versions,
        "must have exactly one version marked as storage version",
      ),
    ];
  }
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let unique = true;
  let storage = 0;
  let served = 0;
  versions.forEach((v, i) => {
    errs.push(...validateVersion(v, `spec.versions[${i}]`, cel));
    if (!isObject(v)) return;
    if (v.storage === true) storage++;
    if (v.served === true) served++;
    if (typeof v.name === "string") {
      if (seen.has(v.name)) unique = false;
      seen.add(v.name);
    }
  });
  if (!unique) {
    errs.push(
      invalid("spec.versions", versions, "must contain unique version names"),
    );
  }
  if (storage !== 1) {
    errs.push(
      invalid(
        "spec.versions",
        versions,
        "must have exactly one version marked as storage version",
      ),
    );
  }
  if (served === 0) {
    errs.push(
      invalid(
        "spec.versions",
        versions,
        "must have at least one version marked as served",
      ),
    );
  }
  return errs;
}

function isEstablished(crd: CustomResourceDefinition): boolean {
  return crd.status?.conditions?.some((c) =>
    c.type === "Established" && c.status === "True"
  ) ?? false;
}

/**
 * Problems of an update: everything {@linkcode validateCrd} checks plus
 * {@linkcode validateCrdUpdateRules}.
 */
export function validateCrdUpdate(
  next: CustomResourceDefinition,
  old: CustomResourceDefinition,
  opts: ValidateCrdOptions = {},
): FieldError[] {
  return [...validateCrd(next, opts), ...validateCrdUpdateRules(next, old)];
}

/**
 * The rules only an update has: `spec.scope` is immutable once
 * established, `spec.group` always, and `status.storedVersions` must hold.
 */
export function validateCrdUpdateRules(
  next: CustomResourceDefinition,
  old: CustomResourceDefinition,
): FieldError[] {
  const errs: FieldError[] = [];
  if (isEstablished(old) && next.spec?.scope !== old.spec?.scope) {
    errs.push(invalid("spec.scope", next.spec?.scope, "field is immutable"));
  }
  if (next.spec?.group !== old.spec?.group) {
    errs.push(invalid("spec.group", next.spec?.group, "field is immutable"));
  }
  errs.push(...validateStoredVersions(next));
  return errs;
}

/**
 * `status.storedVersions`: non-empty, every entry in `spec.versions`, and
 * including the current storage version.
 */
export function validateStoredVersions(
  crd: CustomResourceDefinition,
): FieldError[] {
  const stored = crd.status?.storedVersions;
  const path = "status.storedVersions";
  if (!Array.isArray(stored) || stored.length === 0) {
    return [
      invalid(path, stored ?? [], "must have at least one stored version"),
    ];
  }
  const names = new Set(
    (crd.spec?.versions ?? []).map((v) => v?.name).filter(Boolean),
  );
  const errs: FieldError[] = [];
  stored.forEach((v, i) => {
    if (!names.has(v)) {
      errs.push(invalid(`${path}[${i}]`, v, "must appear in spec.versions"));
    }
  });
  const storage = storageVersionOf(crd);
  if (storage !== undefined && !stored.includes(storage)) {
    errs.push(
      invalid(path, stored, `must have the storage version ${storage}`),
    );
  }
  return errs;
}
