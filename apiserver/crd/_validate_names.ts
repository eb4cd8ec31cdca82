/**
 * CRD name rules, after upstream's `ValidateCustomResourceDefinitionNames`
 * and the group/name checks of `ValidateCustomResourceDefinitionSpec`.
 *
 * @module
 */

import {
  type FieldError,
  invalid,
  required,
} from "../validation/field_error.ts";
import { isDns1123Subdomain } from "../validation/names.ts";
import type { CrdNames } from "./types.ts";

const DNS1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?";
const dns1035Re = new RegExp(`^${DNS1035_LABEL}$`);

/** A DNS-1035 label (`v1`, `crontab`): problems in upstream's wording. */
export function isDns1035Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push("must be no more than 63 characters");
  if (!dns1035Re.test(v)) {
    errs.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '" +
        DNS1035_LABEL + "')",
    );
  }
  return errs;
}

/** Groups that need the `api-approved.kubernetes.io` annotation. */
export function isProtectedGroup(group: string): boolean {
  return group === "k8s.io" || group.endsWith(".k8s.io") ||
    group === "kubernetes.io" || group.endsWith(".kubernetes.io");
}

/** The annotation a protected group must carry. */
export const API_APPROVED_ANNOTATION = "api-approved.kubernetes.io";

/** `spec.group`: required, a DNS subdomain with at least one dot. */
export function validateGroup(group: unknown, path: string): FieldError[] {
  if (typeof group !== "string" || group === "") return [required(path)];
  const errs = isDns1123Subdomain(group).map((m) => invalid(path, group, m));
  if (group.split(".").length < 2) {
    errs.push(invalid(path, group, "should be a domain with at least one dot"));
  }
  return errs;
}

function label(
  v: unknown,
  path: string,
  prefix = "",
  lower = false,
): FieldError[] {
  if (v === undefined || v === "") return [];
  if (typeof v !== "string") return [invalid(path, v, "must be a string")];
  const errs = isDns1035Label(lower ? v.toLowerCase() : v);
  return errs.length ? [invalid(path, v, prefix + errs.join(","))] : [];
}

function stringList(
  v: unknown,
  path: string,
): { items: string[]; errs: FieldError[] } {
  if (v === undefined || v === null) return { items: [], errs: [] };
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    return { items: [], errs: [invalid(path, v, "must be a list of strings")] };
  }
  return { items: v as string[], errs: [] };
}

const MIXED = "may have mixed case, but should otherwise match: ";

/** `spec.names` (or `status.acceptedNames`) field by field. */
export function validateNames(
  names: CrdNames | undefined,
  path: string,
): FieldError[] {
  const n = names ?? {};
  const errs: FieldError[] = [
    ...label(n.plural, `${path}.plural`),
    ...label(n.singular, `${path}.singular`),
    ...label(n.kind, `${path}.kind`, MIXED, true),
    ...label(n.listKind, `${path}.listKind`, MIXED, true),
  ];
  const shortNames = stringList(n.shortNames, `${path}.shortNames`);
  errs.push(...shortNames.errs);
  shortNames.items.forEach((s, i) => {
    errs.push(...label(s, `${path}.shortNames[${i}]`));
  });
  if (n.kind && n.kind === n.listKind) {
    errs.push(
      invalid(
        `${path}.listKind`,
        n.listKind,
        "kind and listKind may not be the same",
      ),
    );
  }
  const categories = stringList(n.categories, `${path}.categories`);
  errs.push(...categories.errs);
  categories.items.forEach((c, i) => {
    errs.push(...label(c, `${path}.categories[${i}]`));
  });
  return errs;
}

/** The four names `spec.names` must carry (after defaulting). */
export function requireNames(
  names: CrdNames | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ["plural", "singular", "kind", "listKind"] as const) {
    if (!names?.[k]) errs.push(required(`${path}.${k}`));
  }
  return errs;
}
