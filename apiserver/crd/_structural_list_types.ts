/**
 * `x-kubernetes-list-type` / `x-kubernetes-list-map-keys` rules of a schema
 * node, after upstream's `ValidateCustomResourceDefinitionOpenAPISchema`.
 *
 * @module
 */

import {
  type FieldError,
  invalid,
  notSupported,
  required,
} from "../validation/field_error.ts";
import { isObject } from "./schema/_path.ts";

/** Problems of the list-type extensions of node `s` at `path`. */
export function listTypes(
  s: Record<string, unknown>,
  path: string,
  errs: FieldError[],
): void {
  const at = (k: string) => `${path}.${k}`;
  const lt = s["x-kubernetes-list-type"];
  const keys = s["x-kubernetes-list-map-keys"];
  const items = isObject(s.items) ? s.items : undefined;
  if (lt !== undefined && lt !== "atomic" && lt !== "set" && lt !== "map") {
    errs.push(
      notSupported(at("x-kubernetes-list-type"), lt, ["atomic", "set", "map"]),
    );
    return;
  }
  if (lt !== undefined && s.type !== "array") {
    errs.push(
      invalid(
        at("x-kubernetes-list-type"),
        lt,
        "must only be used on type=array",
      ),
    );
    return;
  }
  if (Array.isArray(keys) && keys.length > 0 && lt !== "map") {
    if (lt === undefined) {
      errs.push(
        required(
          at("x-kubernetes-list-type"),
          "must be map if x-kubernetes-list-map-keys is non-empty",
        ),
      );
    } else {
      errs.push(
        invalid(
          at("x-kubernetes-list-type"),
          lt,
          "must be map if x-kubernetes-list-map-keys is non-empty",
        ),
      );
    }
  }
  if (
    lt === "set" && items && (items.type === "object" || items.type === "array")
  ) {
    if (
      items["x-kubernetes-map-type"] !== "atomic" &&
      items["x-kubernetes-list-type"] !== "atomic"
    ) {
      errs.push(
        invalid(
          at("items.type"),
          items.type,
          "must be a scalar type if parent array's x-kubernetes-list-type is set",
        ),
      );
    }
  }
  if (lt !== "map") return;
  if (!Array.isArray(keys) || keys.length === 0) {
    errs.push(
      required(
        at("x-kubernetes-list-map-keys"),
        "must not be empty if x-kubernetes-list-type is map",
      ),
    );
    return;
  }
  if (!items) {
    errs.push(
      required(
        at("items"),
        "must have a schema if x-kubernetes-list-type is map",
      ),
    );
    return;
  }
  if (items.type !== "object") {
    errs.push(
      invalid(
        at("items.type"),
        items.type,
        "must be object if parent array's x-kubernetes-list-type is map",
      ),
    );
    return;
  }
  const itemProps = isObject(items.properties) ? items.properties : {};
  const req = Array.isArray(items.required) ? items.required : [];
  const seen = new Set<string>();
  for (const k of keys) {
    const p = itemProps[k];
    if (!isObject(p)) {
      errs.push(
        invalid(
          at("x-kubernetes-list-map-keys"),
          keys,
          "entries must all be names of item properties",
        ),
      );
      break;
    }
    if (p.type === "array" || p.type === "object") {
      errs.push(
        invalid(
          `${path}.items.properties[${k}].type`,
          p.type,
          "must be a scalar type if parent array's x-kubernetes-list-type is map",
        ),
      );
    }
    if (!req.includes(k) && p.default === undefined) {
      errs.push(
        required(
          `${path}.items.properties[${k}].default`,
          "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property",
        ),
      );
    }
    if (seen.has(k)) {
      errs.push(
        invalid(
          at("x-kubernetes-list-map-keys"),
          keys,
          "must not contain duplicate entries",
        ),
      );
      break;
    }
    seen.add(k);
  }
}
