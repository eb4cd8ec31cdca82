/**
 * apiregistration.k8s.io/v1 APIService: which server answers one
 * group/version of a virtual cluster. `spec.service` empty means this
 * server (the local APIServices written for every built-in and CRD
 * group/version); set, the group/version is delegated to an extension API
 * server (`apiserver/aggregator/`). Validation carries upstream's
 * (kube-aggregator's) messages.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import {
  type FieldError,
  forbidden,
  invalid,
  required,
  typeInvalid,
} from "../validation/field_error.ts";
import {
  isDns1123Label,
  isDns1123Subdomain,
  pathSegmentName,
} from "../validation/names.ts";
import { ageColumn, nameColumn } from "./_columns.ts";
import { statusSubresource } from "./_subresources.ts";
import type { ResourceDefinition } from "./types.ts";
import { API_SERVICE, API_SERVICE_LIST } from "../schema/apiregistration_v1.ts";

/** `spec.service` of an APIService. */
export interface ServiceReference {
  /** Namespace of the Service. */
  namespace: string;
  /** Name of the Service. */
  name: string;
  /** Default 443. */
  port: number;
}

/** The fields of an APIService the server acts on. */
export interface ApiServiceSpec {
  group: string;
  version: string;
  /** Absent: served locally. */
  service?: ServiceReference;
  /** PEM (decoded from the base64 of the JSON form), or `""`. */
  caBundle: string;
  insecureSkipTLSVerify: boolean;
  groupPriorityMinimum: number;
  versionPriority: number;
}

/** One `status.conditions` entry. */
export interface ApiServiceCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

function record(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v)
    ? v as Record<string, unknown>
    : {};
}

function decodeBase64(b64: string): string {
  try {
    const bin = atob(b64);
    return new TextDecoder().decode(
      Uint8Array.from(bin, (c) => c.charCodeAt(0)),
    );
  } catch {
    return "";
  }
}

/** The typed spec of a stored (valid) APIService. */
export function apiServiceSpec(obj: KubeObject): ApiServiceSpec {
  const s = record(obj.spec);
  const svc = s.service ? record(s.service) : undefined;
  return {
    group: typeof s.group === "string" ? s.group : "",
    version: typeof s.version === "string" ? s.version : "",
    service: svc
      ? {
        namespace: String(svc.namespace ?? ""),
        name: String(svc.name ?? ""),
        port: typeof svc.port === "number" ? svc.port : 443,
      }
      : undefined,
    caBundle: typeof s.caBundle === "string" ? decodeBase64(s.caBundle) : "",
    insecureSkipTLSVerify: s.insecureSkipTLSVerify === true,
    groupPriorityMinimum: Number(s.groupPriorityMinimum ?? 0),
    versionPriority: Number(s.versionPriority ?? 0),
  };
}

/** The `Available` condition of an APIService, if it has one. */
export function availableCondition(
  obj: KubeObject,
): ApiServiceCondition | undefined {
  const conds = record(obj.status).conditions;
  if (!Array.isArray(conds)) return undefined;
  return conds.find((c) => record(c).type === "Available") as
    | ApiServiceCondition
    | undefined;
}

function validateSpec(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const raw = obj.spec;
  if (raw === undefined || raw === null) {
    return [required("spec", "")];
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return [typeInvalid("spec", raw, "must be an object")];
  }
  const s = raw as Record<string, unknown>;
  for (const f of ["group", "version", "caBundle"]) {
    if (s[f] !== undefined && s[f] !== null && typeof s[f] !== "string") {
      errs.push(typeInvalid(`spec.${f}`, s[f], "must be a string"));
    }
  }
  for (const f of ["groupPriorityMinimum", "versionPriority"]) {
    const v = s[f];
    if (v !== undefined && v !== null && !Number.isInteger(v)) {
      errs.push(typeInvalid(`spec.${f}`, v, "must be an integer"));
    }
  }
  if (errs.length) return errs;
  const spec = apiServiceSpec(obj);
  const name = obj.metadata.name ?? "";
  const requiredName = `${spec.version}.${spec.group}`;
  if (name !== requiredName) {
    errs.push(
      invalid(
        "metadata.name",
        name,
        `must be \`spec.version+"."+spec.group\`: "${requiredName}"`,
      ),
    );
  }
  if (spec.group === "" && spec.version !== "v1") {
    errs.push(
      invalid(
        "spec.group",
        spec.group,
        "only v1 may have an empty group and it better be legacy kube",
      ),
    );
  }
  if (spec.group) {
    for (const msg of isDns1123Subdomain(spec.group)) {
      errs.push(invalid("spec.group", spec.group, msg));
    }
  }
  if (spec.version === "") errs.push(required("spec.version", ""));
  else {
    for (const msg of isDns1123Label(spec.version)) {
      errs.push(invalid("spec.version", spec.version, msg));
    }
  }
  if (spec.groupPriorityMinimum <= 0 || spec.groupPriorityMinimum > 20000) {
    errs.push(
      invalid(
        "spec.groupPriorityMinimum",
        spec.groupPriorityMinimum,
        "must be positive and less than 20000",
      ),
    );
  }
  if (spec.versionPriority <= 0 || spec.versionPriority > 1000) {
    errs.push(
      invalid(
        "spec.versionPriority",
        spec.versionPriority,
        "must be positive and less than 1000",
      ),
    );
  }
  if (!spec.service) {
    if (s.caBundle) {
      errs.push(
        invalid(
          "spec.caBundle",
          "",
          "local APIServices may not have a caBundle",
        ),
      );
    }
    if (spec.insecureSkipTLSVerify) {
      errs.push(
        invalid(
          "spec.insecureSkipTLSVerify",
          true,
          "local APIServices may not have insecureSkipTLSVerify",
        ),
      );
    }
    return errs;
  }
  if (!spec.service.namespace) {
    errs.push(required("spec.service.namespace", ""));
  }
  if (!spec.service.name) errs.push(required("spec.service.name", ""));
  const port = record(s.service).port;
  if (
    port !== undefined &&
    (!Number.isInteger(port) || (port as number) < 1 ||
      (port as number) > 65535)
  ) {
    errs.push(
      invalid(
        "spec.service.port",
        port,
        "must be between 1 and 65535, inclusive",
      ),
    );
  }
  if (spec.insecureSkipTLSVerify && s.caBundle) {
    errs.push(
      invalid(
        "spec.insecureSkipTLSVerify",
        true,
        "may not be true if caBundle is present",
      ),
    );
  }
  if (s.caBundle && !/-----BEGIN CERTIFICATE-----/.test(spec.caBundle)) {
    errs.push(
      invalid(
        "spec.caBundle",
        "<omitted>",
        "must be base64 of PEM-encoded certificates",
      ),
    );
  }
  return errs;
}

/** The `apiservices` resource. */
export const apiServices: ResourceDefinition = {
  group: "apiregistration.k8s.io",
  version: "v1",
  kind: "APIService",
  schema: API_SERVICE,
  listSchema: API_SERVICE_LIST,
  plural: "apiservices",
  singular: "apiservice",
  namespaced: false,
  categories: ["api-extensions"],
  validateName: pathSegmentName,
  validate: validateSpec,
  validateUpdate(next, old) {
    // The group/version is the name, so it cannot move.
    const a = apiServiceSpec(next);
    const b = apiServiceSpec(old);
    if (a.group !== b.group || a.version !== b.version) {
      return [forbidden("spec", "group and version may not be changed")];
    }
    return [];
  },
  prepareForCreate(obj) {
    delete obj.status;
  },
  subresources: { status: statusSubresource },
  columns: [
    nameColumn,
    {
      name: "Service",
      type: "string",
      description: "The service that serves the group/version, or Local.",
      cell: (obj) => {
        const svc = apiServiceSpec(obj).service;
        return svc ? `${svc.namespace}/${svc.name}` : "Local";
      },
    },
    {
      name: "Available",
      type: "string",
      description: "Whether the group/version is available.",
      cell: (obj) => {
        const c = availableCondition(obj);
        if (!c) return "Unknown";
        return c.status === "True" || !c.reason
          ? c.status
          : `${c.status} (${c.reason})`;
      },
    },
    ageColumn,
  ],
};
