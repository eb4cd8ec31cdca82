/**
 * core/v1 ConfigMap: `data`, `binaryData` (base64) and `immutable`.
 *
 * @module
 */

import { invalid, tooLong } from "../validation/field_error.ts";
import { ageColumn, countKeys, nameColumn } from "./_columns.ts";
import {
  validateDataMap,
  validateImmutableFlag,
  validateImmutableUpdate,
} from "./_data_keys.ts";
import type { ResourceDefinition } from "./types.ts";
import { CONFIG_MAP, CONFIG_MAP_LIST } from "../schema/core_v1.ts";

/** Largest total size of a configmap's data. */
export const MAX_CONFIGMAP_BYTES = 1024 * 1024;

/** The `configmaps` resource. */
export const configMaps: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  schema: CONFIG_MAP,
  listSchema: CONFIG_MAP_LIST,
  plural: "configmaps",
  singular: "configmap",
  shortNames: ["cm"],
  namespaced: true,
  validate(obj) {
    const data = validateDataMap(obj, "data", false);
    const bin = validateDataMap(obj, "binaryData", true);
    const errs = [...data.errs, ...bin.errs, ...validateImmutableFlag(obj)];
    const d = (obj.data ?? {}) as Record<string, unknown>;
    for (const k of Object.keys((obj.binaryData ?? {}) as object)) {
      if (Object.hasOwn(d, k)) {
        errs.push(invalid("data", k, "duplicate of key present in binaryData"));
      }
    }
    if (data.size + bin.size > MAX_CONFIGMAP_BYTES) {
      errs.push(tooLong("", `must have at most ${MAX_CONFIGMAP_BYTES} bytes`));
    }
    return errs;
  },
  validateUpdate: (next, old) =>
    validateImmutableUpdate(next, old, ["data", "binaryData"]),
  columns: [
    nameColumn,
    {
      name: "Data",
      type: "integer",
      description:
        "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'.",
      cell: (obj) => countKeys(obj.data, obj.binaryData),
    },
    ageColumn,
  ],
};
