/**
 * Field paths as in `sigs.k8s.io/structured-merge-diff/v4/fieldpath`: a
 * path is a list of elements — a field name, the key of an item of a `map`
 * list, the value of an item of a `set` list, or a list index — with the
 * FieldsV1 encoding (`f:`, `k:`, `v:`, `i:`) and the human form used in
 * conflict messages (`.spec.containers[name="a"].image`).
 *
 * @module
 */

/** One step of a field path. */
export type PathElement =
  | { field: string }
  | { key: Array<[string, unknown]> }
  | { value: unknown }
  | { index: number };

/** A path from the object root to a field. */
export type FieldPath = PathElement[];

/** A path element that cannot be decoded. */
export class PathElementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PathElementError";
  }
}

/** Makes a `k:` element; key fields are sorted by name, as upstream. */
export function keyElement(fields: Array<[string, unknown]>): PathElement {
  return {
    key: [...fields].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
  };
}

/** Compact JSON with object keys sorted, as Go's encoder writes decoded values. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${
      Object.keys(o).sort().map((k) =>
        `${JSON.stringify(k)}:${canonicalJson(o[k])}`
      ).join(",")
    }}`;
  }
  return JSON.stringify(v);
}

/** The FieldsV1 key of an element: `f:name`, `k:{"name":"a"}`, `v:"x"`, `i:0`. */
export function encodeElement(pe: PathElement): string {
  if ("field" in pe) return `f:${pe.field}`;
  if ("key" in pe) {
    return `k:{${
      pe.key.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(
        ",",
      )
    }}`;
  }
  if ("value" in pe) return `v:${canonicalJson(pe.value)}`;
  return `i:${pe.index}`;
}

/** Decodes a FieldsV1 key (not `.`); throws {@linkcode PathElementError}. */
export function decodeElement(s: string): PathElement {
  const prefix = s.slice(0, 2);
  const rest = s.slice(2);
  switch (prefix) {
    case "f:":
      return { field: rest };
    case "k:": {
      const parsed = parseJson(s, rest);
      if (
        typeof parsed !== "object" || parsed === null || Array.isArray(parsed)
      ) {
        throw new PathElementError(`expected key value pairs in ${s}`);
      }
      return keyElement(Object.entries(parsed));
    }
    case "v:":
      return { value: parseJson(s, rest) };
    case "i:": {
      if (!/^(0|[1-9][0-9]*)$/.test(rest)) {
        throw new PathElementError(`invalid index in ${s}`);
      }
      return { index: Number(rest) };
    }
    default:
      throw new PathElementError(`unknown path element prefix in ${s}`);
  }
}

function parseJson(s: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new PathElementError(`invalid JSON in path element ${s}`);
  }
}

/** The human form of a path, as in upstream conflict messages. */
export function pathString(path: FieldPath): string {
  return path.map((pe) => {
    if ("field" in pe) return `.${pe.field}`;
    if ("key" in pe) {
      return `[${
        pe.key.map(([k, v]) => `${k}=${canonicalJson(v)}`).join(",")
      }]`;
    }
    if ("value" in pe) return `[=${canonicalJson(pe.value)}]`;
    return `[${pe.index}]`;
  }).join("");
}

/** Builds a path of field names: `fieldPath("metadata", "name")`. */
export function fieldPath(...fields: string[]): FieldPath {
  return fields.map((field) => ({ field }));
}

function rank(pe: PathElement): number {
  if ("field" in pe) return 0;
  if ("key" in pe) return 1;
  if ("value" in pe) return 2;
  return 3;
}

function valueRank(v: unknown): number {
  if (typeof v === "number") return 0;
  if (typeof v === "string") return 1;
  if (typeof v === "boolean") return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null && typeof v === "object") return 4;
  return 5;
}

function cmp<T>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders values as upstream `value.Compare`: numbers, strings, bools, lists, maps, null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  if (ra <= 2) return cmp(a as number | string, b as number | string);
  return cmp(canonicalJson(a), canonicalJson(b));
}

/** Orders elements as upstream `PathElement.Compare` (fields, keys, values, indexes). */
export function compareElements(a: PathElement, b: PathElement): number {
  const r = rank(a) - rank(b);
  if (r !== 0) return r;
  if ("field" in a && "field" in b) return cmp(a.field, b.field);
  if ("key" in a && "key" in b) {
    for (let i = 0; i < Math.max(a.key.length, b.key.length); i++) {
      if (i >= a.key.length) return -1;
      if (i >= b.key.length) return 1;
      const c = cmp(a.key[i][0], b.key[i][0]) ||
        compareValues(a.key[i][1], b.key[i][1]);
      if (c !== 0) return c;
    }
    return 0;
  }
  if ("value" in a && "value" in b) return compareValues(a.value, b.value);
  return (a as { index: number }).index - (b as { index: number }).index;
}
