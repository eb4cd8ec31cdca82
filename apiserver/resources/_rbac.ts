/**
 * Validation shared by the RBAC kinds: policy rules, roleRef and subjects.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import {
  type FieldError,
  invalid,
  notSupported,
  required,
  typeInvalid,
} from "../validation/field_error.ts";
import { isPathSegmentName } from "../validation/names.ts";
import { fields } from "./_columns.ts";

/** The RBAC API group. */
export const RBAC_GROUP = "rbac.authorization.k8s.io";

function strings(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    return undefined;
  }
  return v as string[];
}

/** Checks `rules`; `namespaced` forbids nonResourceURLs (Role). */
export function validateRules(
  obj: KubeObject,
  namespaced: boolean,
): FieldError[] {
  const rules = fields(obj).rules;
  if (rules === undefined || rules === null) return [];
  if (!Array.isArray(rules)) {
    return [typeInvalid("rules", rules, "must be a list")];
  }
  const errs: FieldError[] = [];
  rules.forEach((rule: unknown, i: number) => {
    const p = `rules[${i}]`;
    if (typeof rule !== "object" || rule === null || Array.isArray(rule)) {
      errs.push(typeInvalid(p, rule, "must be an object"));
      return;
    }
    const r = rule as Record<string, unknown>;
    const lists: Record<string, string[]> = {};
    for (
      const f of [
        "verbs",
        "apiGroups",
        "resources",
        "resourceNames",
        "nonResourceURLs",
      ]
    ) {
      const l = strings(r[f]);
      if (!l) {
        errs.push(typeInvalid(`${p}.${f}`, r[f], "must be a list of strings"));
      }
      lists[f] = l ?? [];
    }
    if (lists.verbs.length === 0) {
      errs.push(
        required(`${p}.verbs`, "verbs must contain at least one value"),
      );
    }
    if (lists.nonResourceURLs.length > 0) {
      if (namespaced) {
        errs.push(
          invalid(
            `${p}.nonResourceURLs`,
            lists.nonResourceURLs,
            "namespaced rules cannot apply to non-resource URLs",
          ),
        );
      } else if (lists.resources.length > 0 || lists.apiGroups.length > 0) {
        errs.push(
          invalid(
            `${p}.nonResourceURLs`,
            lists.nonResourceURLs,
            "rules cannot apply to both regular resources and non-resource URLs",
          ),
        );
      }
      return;
    }
    if (lists.apiGroups.length === 0) {
      errs.push(
        required(
          `${p}.apiGroups`,
          "resource rules must supply at least one api group",
        ),
      );
    }
    if (lists.resources.length === 0) {
      errs.push(
        required(
          `${p}.resources`,
          "resource rules must supply at least one resource",
        ),
      );
    }
  });
  return errs;
}

/** Checks `roleRef` (required) and `subjects` of a binding. */
export function validateBinding(
  obj: KubeObject,
  allowedRoleKinds: string[],
  clusterScoped: boolean,
): FieldError[] {
  const f = fields(obj);
  const errs: FieldError[] = [];
  const ref = f.roleRef;
  if (typeof ref !== "object" || ref === null || Array.isArray(ref)) {
    errs.push(required("roleRef"));
  } else {
    const r = ref as Record<string, unknown>;
    if (r.apiGroup !== RBAC_GROUP) {
      errs.push(
        notSupported("roleRef.apiGroup", r.apiGroup ?? "", [RBAC_GROUP]),
      );
    }
    if (typeof r.kind !== "string" || !allowedRoleKinds.includes(r.kind)) {
      errs.push(notSupported("roleRef.kind", r.kind ?? "", allowedRoleKinds));
    }
    if (typeof r.name !== "string" || r.name === "") {
      errs.push(required("roleRef.name"));
    } else {
      for (const m of isPathSegmentName(r.name)) {
        errs.push(invalid("roleRef.name", r.name, m));
      }
    }
  }
  const subjects = f.subjects;
  if (subjects !== undefined && subjects !== null) {
    if (!Array.isArray(subjects)) {
      errs.push(typeInvalid("subjects", subjects, "must be a list"));
      return errs;
    }
    subjects.forEach((s: unknown, i: number) => {
      const p = `subjects[${i}]`;
      if (typeof s !== "object" || s === null) {
        errs.push(typeInvalid(p, s, "must be an object"));
        return;
      }
      const sub = s as Record<string, unknown>;
      if (typeof sub.name !== "string" || sub.name === "") {
        errs.push(required(`${p}.name`));
      }
      switch (sub.kind) {
        case "ServiceAccount":
          if (sub.apiGroup !== undefined && sub.apiGroup !== "") {
            errs.push(notSupported(`${p}.apiGroup`, sub.apiGroup, [""]));
          }
          if (clusterScoped && !sub.namespace) {
            errs.push(required(`${p}.namespace`));
          }
          break;
        case "User":
        case "Group":
          if (sub.apiGroup !== RBAC_GROUP) {
            errs.push(
              notSupported(`${p}.apiGroup`, sub.apiGroup ?? "", [RBAC_GROUP]),
            );
          }
          break;
        default:
          errs.push(
            notSupported(`${p}.kind`, sub.kind ?? "", [
              "ServiceAccount",
              "User",
              "Group",
            ]),
          );
      }
    });
  }
  return errs;
}

/** `roleRef` cannot change after create. */
export function validateRoleRefUpdate(
  next: KubeObject,
  old: KubeObject,
): FieldError[] {
  const a = JSON.stringify(fields(next).roleRef ?? null);
  const b = JSON.stringify(fields(old).roleRef ?? null);
  return a === b
    ? []
    : [invalid("roleRef", fields(next).roleRef, "cannot change roleRef")];
}

/**
 * Upstream's subject defaulting (`SetDefaults_Subject`): a User or Group
 * subject without an apiGroup gets `rbac.authorization.k8s.io`, a
 * ServiceAccount keeps `""`.
 */
export function defaultSubjects(obj: KubeObject): void {
  const subjects = (obj as Record<string, unknown>).subjects;
  if (!Array.isArray(subjects)) return;
  for (const sub of subjects) {
    if (!sub || typeof sub !== "object") continue;
    const s = sub as Record<string, unknown>;
    if (s.apiGroup !== undefined && s.apiGroup !== "") continue;
    if (s.kind === "User" || s.kind === "Group") s.apiGroup = RBAC_GROUP;
  }
}

/** `Role/name` for the binding table. */
export function roleRefCell(obj: KubeObject): string {
  const r = fields(obj).roleRef as Record<string, unknown> | undefined;
  return r ? `${String(r.kind ?? "")}/${String(r.name ?? "")}` : "";
}

/** Comma-joined subject names of one kind, for the wide table. */
export function subjectsCell(obj: KubeObject, kind: string): string {
  const s = fields(obj).subjects;
  if (!Array.isArray(s)) return "";
  return s.filter((x) => x?.kind === kind).map((x) =>
    kind === "ServiceAccount"
      ? `${x.namespace ?? ""}/${x.name}`
      : String(x.name)
  ).join(", ");
}
