/**
 * Shared rules for kinds that carry key/value `data` (configmaps, secrets):
 * config keys, base64 values, and the `immutable` flag.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import {
  type FieldError,
  forbidden,
  invalid,
  typeInvalid,
} from "../validation/field_error.ts";

const CONFIG_KEY = "[-._a-zA-Z0-9]+";
const configKeyRe = new RegExp(`^${CONFIG_KEY}$`);

/** Problems with a configmap/secret data key (upstream `IsConfigMapKey`). */
export function isConfigKey(k: string): string[] {
  const errs: string[] = [];
  if (k.length > 253) errs.push("must be no more than 253 characters");
  if (!configKeyRe.test(k)) {
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '" +
        CONFIG_KEY + "')",
    );
  }
  if (k === ".") errs.push("must not be '.'");
  if (k === "..") errs.push("must not be '..'");
  else if (k.startsWith("..")) errs.push("must not start with '..'");
  return errs;
}

/** The common case, checked without allocating: a valid key. */
function isPlainConfigKey(k: string): boolean {
  return k.length <= 253 && configKeyRe.test(k) && !k.startsWith("..") &&
    k !== ".";
}

const base64Re =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** True when `s` is standard padded base64. */
export function isBase64(s: string): boolean {
  return base64Re.test(s);
}

/** Decoded byte length of valid base64. */
export function base64Length(s: string): number {
  const pad = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  return (s.length / 4) * 3 - pad;
}

/**
 * Checks a `field` that must be a map of strings with config keys; values
 * must be base64 when `base64` is set. Returns the errors and the total size.
 */
export function validateDataMap(
  obj: KubeObject,
  field: string,
  base64: boolean,
): { errs: FieldError[]; size: number } {
  const m = (obj as Record<string, unknown>)[field];
  const errs: FieldError[] = [];
  let size = 0;
  if (m === undefined || m === null) return { errs, size };
  if (typeof m !== "object" || Array.isArray(m)) {
    return { errs: [typeInvalid(field, m, "must be a map of strings")], size };
  }
  for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
    if (!isPlainConfigKey(k)) {
      for (const msg of isConfigKey(k)) errs.push(invalid(field, k, msg));
    }
    if (typeof v !== "string") {
      errs.push(typeInvalid(`${field}[${k}]`, v, "must be a string"));
      continue;
    }
    if (base64) {
      if (!isBase64(v)) {
        errs.push(
          invalid(
            `${field}[${k}]`,
            "<secret contents redacted>",
            "illegal base64 data",
          ),
        );
      } else size += base64Length(v);
    } else size += utf8Length(v);
  }
  return { errs, size };
}

/** The UTF-8 length of `s`, without encoding it. */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2; // a surrogate pair: 4 bytes for 2 code units
        i++;
      } else n += 2;
    } else n += 2; // 3 bytes (lone surrogates become U+FFFD, also 3)
  }
  return n;
}

/** `immutable` must be a boolean. */
export function validateImmutableFlag(obj: KubeObject): FieldError[] {
  const v = (obj as Record<string, unknown>).immutable;
  if (v === undefined || v === null || typeof v === "boolean") return [];
  return [typeInvalid("immutable", v, "must be a boolean")];
}

/**
 * Once `immutable: true` is stored, the data fields and the flag itself
 * cannot change.
 */
export function validateImmutableUpdate(
  next: KubeObject,
  old: KubeObject,
  dataFields: string[],
): FieldError[] {
  const o = old as Record<string, unknown>;
  const n = next as Record<string, unknown>;
  if (o.immutable !== true) return [];
  const errs: FieldError[] = [];
  const detail = "field is immutable when `immutable` is set";
  if (n.immutable !== true) errs.push(forbidden("immutable", detail));
  for (const f of dataFields) {
    if (JSON.stringify(n[f] ?? {}) !== JSON.stringify(o[f] ?? {})) {
      errs.push(forbidden(f, detail));
    }
  }
  return errs;
}
