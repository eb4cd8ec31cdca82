/**
 * core/v1 Secret: base64 `data`, write-only `stringData` merged into `data`,
 * `type` with its required keys, and `immutable`.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import {
  type FieldError,
  forbidden,
  invalid,
  required,
  tooLong,
  typeInvalid,
} from "../validation/field_error.ts";
import { ageColumn, countKeys, fields, nameColumn, str } from "./_columns.ts";
import {
  isConfigKey,
  validateDataMap,
  validateImmutableFlag,
  validateImmutableUpdate,
} from "./_data_keys.ts";
import type { ResourceDefinition } from "./types.ts";
import { SECRET, SECRET_LIST } from "../schema/core_v1.ts";

/** Largest total size of a secret's data. */
export const MAX_SECRET_BYTES = 1024 * 1024;

/** Keys a secret of each type must carry in `data`. */
const REQUIRED_KEYS: Record<string, string[]> = {
  "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
  "kubernetes.io/dockercfg": [".dockercfg"],
  "kubernetes.io/tls": ["tls.crt", "tls.key"],
  "kubernetes.io/basic-auth": [],
  "kubernetes.io/ssh-auth": ["ssh-privatekey"],
};

function toBase64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function decodeBase64(s: string): string | undefined {
  try {
    const bin = atob(s);
    return new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(bin, (c) => c.charCodeAt(0)),
    );
  } catch {
    return undefined;
  }
}

/** Merges write-only `stringData` into `data` (base64) and drops it. */
function mergeStringData(obj: KubeObject): void {
  const f = fields(obj);
  const sd = f.stringData;
  if (sd === undefined || sd === null) {
    delete f.stringData;
    return;
  }
  if (typeof sd !== "object" || Array.isArray(sd)) return; // validate reports it
  const entries = Object.entries(sd as Record<string, unknown>);
  // A value that is not a string stays for validation to refuse (upstream
  // cannot even decode it); merging the rest would drop it silently.
  if (entries.some(([, v]) => typeof v !== "string")) return;
  const data = f.data && typeof f.data === "object"
    ? { ...(f.data as Record<string, unknown>) }
    : {};
  for (const [k, v] of entries) data[k] = toBase64(v as string);
  f.data = data;
  delete f.stringData;
}

function defaultType(obj: KubeObject): void {
  const f = fields(obj);
  if (f.type === undefined || f.type === "") f.type = "Opaque";
}

function validateType(obj: KubeObject): FieldError[] {
  const f = fields(obj);
  const type = f.type;
  if (typeof type !== "string") {
    return [typeInvalid("type", type, "must be a string")];
  }
  const data = (f.data ?? {}) as Record<string, unknown>;
  const errs: FieldError[] = [];
  for (const k of REQUIRED_KEYS[type] ?? []) {
    if (!Object.hasOwn(data, k)) errs.push(required(`data[${k}]`));
  }
  if (type === "kubernetes.io/service-account-token") {
    const ann = obj.metadata.annotations ?? {};
    if (!ann["kubernetes.io/service-account.name"]) {
      errs.push(
        required("metadata.annotations[kubernetes.io/service-account.name]"),
      );
    }
  }
  if (
    type === "kubernetes.io/dockerconfigjson" &&
    typeof data[".dockerconfigjson"] === "string"
  ) {
    const text = decodeBase64(data[".dockerconfigjson"] as string);
    let ok = false;
    try {
      ok = text !== undefined && typeof JSON.parse(text) === "object";
    } catch {
      ok = false;
    }
    if (!ok) {
      errs.push(
        invalid(
          "data[.dockerconfigjson]",
          "<secret contents redacted>",
          "invalid JSON",
        ),
      );
    }
  }
  if (type === "kubernetes.io/basic-auth") {
    if (!Object.hasOwn(data, "username") && !Object.hasOwn(data, "password")) {
      errs.push(required("data[username]"));
    }
  }
  if (type !== "Opaque" && !type.includes("/") && !isTypeName(type)) {
    errs.push(invalid("type", type, "must be a valid secret type"));
  }
  return errs;
}

function isTypeName(t: string): boolean {
  return /^[A-Za-z0-9][-A-Za-z0-9_.]*$/.test(t) && t.length <= 253;
}

/** The `secrets` resource. */
export const secrets: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Secret",
  schema: SECRET,
  listSchema: SECRET_LIST,
  plural: "secrets",
  singular: "secret",
  namespaced: true,
  default(obj) {
    mergeStringData(obj);
    defaultType(obj);
  },
  prepareForCreate(obj) {
    mergeStringData(obj);
    defaultType(obj);
  },
  prepareForUpdate(next) {
    mergeStringData(next);
    defaultType(next);
  },
  validate(obj) {
    const f = fields(obj);
    const errs: FieldError[] = [];
    if (f.stringData !== undefined) {
      const sd = f.stringData;
      if (typeof sd !== "object" || sd === null || Array.isArray(sd)) {
        errs.push(typeInvalid("stringData", sd, "must be a map of strings"));
      } else {
        for (const [k, v] of Object.entries(sd)) {
          for (const m of isConfigKey(k)) {
            errs.push(invalid("stringData", k, m));
          }
          if (typeof v !== "string") {
            errs.push(typeInvalid(`stringData[${k}]`, v, "must be a string"));
          }
        }
      }
    }
    const data = validateDataMap(obj, "data", true);
    errs.push(...data.errs, ...validateImmutableFlag(obj));
    if (data.size > MAX_SECRET_BYTES) {
      errs.push(tooLong("data", `must have at most ${MAX_SECRET_BYTES} bytes`));
    }
    if (errs.length === 0) errs.push(...validateType(obj));
    return errs;
  },
  validateUpdate(next, old) {
    const errs = validateImmutableUpdate(next, old, ["data"]);
    if (str(fields(next).type) !== str(fields(old).type)) {
      errs.push(forbidden("type", "field is immutable"));
    }
    return errs;
  },
  selectableFields: (obj) => ({ type: str(fields(obj).type) }),
  columns: [
    nameColumn,
    {
      name: "Type",
      type: "string",
      description: "Used to facilitate programmatic handling of secret data.",
      cell: (obj) => str(fields(obj).type),
    },
    {
      name: "Data",
      type: "string",
      description: "Contains the secret data.",
      cell: (obj) => countKeys(fields(obj).data),
    },
    ageColumn,
  ],
};
