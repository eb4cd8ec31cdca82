/**
 * Per-version CRD rules, after upstream's
 * `ValidateCustomResourceDefinitionVersion`: schema, subresources (status,
 * scale paths), printer columns and selectable fields; plus
 * `spec.conversion`.
 *
 * @module
 */

import {
  type FieldError,
  forbidden,
  invalid,
  notSupported,
  required,
  tooMany,
} from "../validation/field_error.ts";
import { JsonPathError, parseJsonPath } from "./jsonpath.ts";
import { validateStructuralSchema } from "./_validate_structural.ts";
import type { CelRules } from "./schema/cel.ts";
import { isObject } from "./schema/_path.ts";
import type { CrdConversion, CrdVersion, PrinterColumn } from "./types.ts";
import { isDns1035Label } from "./_validate_names.ts";

/** Column types a printer column may declare. */
export const PRINTER_COLUMN_TYPES = [
  "boolean",
  "date",
  "integer",
  "number",
  "string",
];
/** Formats a printer column may declare. */
export const PRINTER_COLUMN_FORMATS = [
  "byte",
  "date",
  "date-time",
  "double",
  "float",
  "int32",
  "int64",
  "password",
];

/** Upstream's `validateSimpleJSONPath`. */
export function validateSimpleJsonPath(
  s: unknown,
  path: string,
): FieldError[] {
  if (typeof s !== "string" || s === "") {
    return [invalid(path, s ?? "", "must not be empty")];
  }
  if (s[0] !== ".") {
    return [invalid(path, s, "must be a simple json path starting with .")];
  }
  return [];
}

function underPath(
  v: unknown,
  path: string,
  prefixes: string[],
  what: string,
): FieldError[] {
  if (v === undefined || v === "") return [required(path)];
  const errs = validateSimpleJsonPath(v, path);
  if (errs.length) return errs;
  const s = v as string;
  if (!prefixes.some((p) => s.startsWith(p))) {
    return [invalid(path, s, `should be a json path under ${what}`)];
  }
  try {
    parseJsonPath(s);
  } catch (e) {
    return [invalid(path, s, (e as Error).message)];
  }
  return [];
}

function validateSubresources(v: CrdVersion, path: string): FieldError[] {
  const sub = v.subresources;
  if (sub === undefined || sub === null) return [];
  if (!isObject(sub)) return [invalid(path, sub, "must be an object")];
  const errs: FieldError[] = [];
  if (
    sub.status !== undefined && sub.status !== null && !isObject(sub.status)
  ) {
    errs.push(invalid(`${path}.status`, sub.status, "must be an object"));
  }
  const scale = sub.scale;
  if (scale === undefined || scale === null) return errs;
  if (!isObject(scale)) {
    return [...errs, invalid(`${path}.scale`, scale, "must be an object")];
  }
  errs.push(
    ...underPath(
      scale.specReplicasPath,
      `${path}.scale.specReplicasPath`,
      [".spec."],
      ".spec",
    ),
    ...underPath(
      scale.statusReplicasPath,
      `${path}.scale.statusReplicasPath`,
      [".status."],
      ".status",
    ),
  );
  if (scale.labelSelectorPath !== undefined && scale.labelSelectorPath !== "") {
    errs.push(
      ...underPath(
        scale.labelSelectorPath,
        `${path}.scale.labelSelectorPath`,
        [".spec.", ".status."],
        "either .spec or .status",
      ),
    );
  }
  return errs;
}

function validateColumn(raw: PrinterColumn, path: string): FieldError[] {
  if (!isObject(raw)) return [invalid(path, raw, "must be an object")];
  const c = raw as PrinterColumn;
  const errs: FieldError[] = [];
  if (!c.name) errs.push(required(`${path}.name`));
  if (!c.type) {
    errs.push(
      required(
        `${path}.type`,
        `must be one of ${PRINTER_COLUMN_TYPES.join(",")}`,
      ),
    );
  } else if (!PRINTER_COLUMN_TYPES.includes(c.type)) {
    errs.push(notSupported(`${path}.type`, c.type, PRINTER_COLUMN_TYPES));
  }
  if (c.format && !PRINTER_COLUMN_FORMATS.includes(c.format)) {
    errs.push(notSupported(`${path}.format`, c.format, PRINTER_COLUMN_FORMATS));
  }
  if (
    c.priority !== undefined &&
    (typeof c.priority !== "number" || !Number.isInteger(c.priority) ||
      c.priority < 0)
  ) {
    errs.push(invalid(`${path}.priority`, c.priority, "must be >= 0"));
  }
  if (!c.jsonPath) {
    errs.push(required(`${path}.jsonPath`));
  } else {
    const jp = validateSimpleJsonPath(c.jsonPath, `${path}.jsonPath`);
    errs.push(...jp);
    if (jp.length === 0) {
      try {
        parseJsonPath(c.jsonPath);
      } catch (e) {
        if (!(e instanceof JsonPathError)) throw e;
        errs.push(invalid(`${path}.jsonPath`, c.jsonPath, e.message));
      }
    }
  }
  return errs;
}

function list<T>(v: unknown, path: string, errs: FieldError[]): T[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    errs.push(invalid(path, v, "must be a list"));
    return [];
  }
  return v as T[];
}

/** Problems of `spec.versions[i]` at `path`. */
export function validateVersion(
  v: CrdVersion,
  path: string,
  cel: CelRules,
): FieldError[] {
  if (!isObject(v)) return [invalid(path, v, "must be an object")];
  const errs: FieldError[] = [];
  if (typeof v.name !== "string" || v.name === "") {
    errs.push(required(`${path}.name`));
  } else {
    const m = isDns1035Label(v.name);
    if (m.length) errs.push(invalid(`${path}.name`, v.name, m.join(",")));
  }
  for (const k of ["served", "storage"] as const) {
    if (typeof v[k] !== "boolean") {
      errs.push(required(`${path}.${k}`, "must be true or false"));
    }
  }
  const schemaPath = `${path}.schema.openAPIV3Schema`;
  const raw = isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
  if (raw === undefined || raw === null) {
    errs.push(required(schemaPath, "schemas are required"));
  } else {
    errs.push(...validateStructuralSchema(raw, schemaPath, cel));
  }
  errs.push(...validateSubresources(v, `${path}.subresources`));
  const colPath = `${path}.additionalPrinterColumns`;
  list<PrinterColumn>(v.additionalPrinterColumns, colPath, errs).forEach(
    (c, i) => errs.push(...validateColumn(c, `${colPath}[${i}]`)),
  );
  const selPath = `${path}.selectableFields`;
  const sel = list<{ jsonPath?: string }>(v.selectableFields, selPath, errs);
  if (sel.length > 8) {
    errs.push(tooMany(selPath, sel.length, 8));
  }
  const seenSel = new Set<string>();
  sel.forEach((f, i) => {
    const p = `${selPath}[${i}].jsonPath`;
    const jp = f?.jsonPath;
    if (!jp) return errs.push(required(p));
    errs.push(...validateSimpleJsonPath(jp, p));
    if (seenSel.has(jp)) {
      errs.push({ type: "FieldValueDuplicate", field: p, value: jp });
    }
    seenSel.add(jp);
  });
  return errs;
}

/** The message rejecting webhook conversion until hyperplane supports it. */
export const WEBHOOK_UNSUPPORTED =
  "webhook conversion is not supported by hyperplane";

/** Problems of `spec.conversion` at `path`. */
export function validateConversion(
  c: CrdConversion | undefined,
  path: string,
): FieldError[] {
  if (c === undefined || c === null) return [];
  if (!isObject(c)) return [invalid(path, c, "must be an object")];
  const strategy = c.strategy;
  if (strategy === undefined || strategy === "") {
    return [required(`${path}.strategy`)];
  }
  if (strategy !== "None" && strategy !== "Webhook") {
    return [notSupported(`${path}.strategy`, strategy, ["None", "Webhook"])];
  }
  if (strategy === "None") {
    return c.webhook !== undefined && c.webhook !== null
      ? [
        forbidden(
          `${path}.webhook`,
          "should not be set when strategy is not set to Webhook",
        ),
      ]
      : [];
  }
  return [invalid(`${path}.strategy`, strategy, WEBHOOK_UNSUPPORTED)];
}
