/**
 * Stored objects' JSON texts as the API serves them, without decoding
 * them: a list item is the object without its top-level `apiVersion` and
 * `kind` (as upstream's typed lists), a GET answer is the object with
 * them. The store's texts come from `JSON.stringify` (no whitespace, no
 * duplicate keys), so one pass over the top level finds both members; the
 * result is byte for byte what encoding the decoded object would give.
 *
 * @module
 */

import {
  stringEnd as jsonStringEnd,
  valueEnd as jsonValueEnd,
} from "../../internal/json_member.ts";

const QUOTE = 0x22;
const OPEN_BRACE = 0x7b;
const COMMA = 0x2c;

/** The index just past the string literal that opens at `i`. */
function stringEnd(s: string, i: number): number {
  const end = jsonStringEnd(s, i);
  if (end < 0) throw new SyntaxError("unterminated string in stored JSON");
  return end;
}

/** The index just past the JSON value that starts at `i`. */
function valueEnd(s: string, i: number): number {
  const end = jsonValueEnd(s, i);
  if (end < 0) throw new SyntaxError("unterminated value in stored JSON");
  return end;
}

/** One top-level member: where it starts and ends, and its value's text. */
interface Member {
  start: number;
  end: number;
  value: string;
}

/** The top-level `apiVersion` and `kind` members of the object text `s`. */
function typeMembers(s: string): { apiVersion?: Member; kind?: Member } {
  const found: { apiVersion?: Member; kind?: Member } = {};
  if (s.charCodeAt(0) !== OPEN_BRACE) {
    throw new SyntaxError("stored JSON is not an object");
  }
  let i = 1;
  while (i < s.length && s.charCodeAt(i) === QUOTE) {
    const start = i;
    const keyEnd = stringEnd(s, i);
    const key = s.slice(i + 1, keyEnd - 1);
    const valueStart = keyEnd + 1; // past the colon
    const end = valueEnd(s, valueStart);
    if (key === "apiVersion" || key === "kind") {
      found[key] = { start, end, value: s.slice(valueStart, end) };
      if (found.apiVersion && found.kind) break;
    }
    if (s.charCodeAt(end) !== COMMA) break;
    i = end + 1;
  }
  return found;
}

/**
 * The object text `json` without its top-level `apiVersion` and `kind`
 * members: the encoding of a list item.
 *
 * @example
 * ```ts
 * withoutTypeMeta('{"apiVersion":"v1","kind":"ConfigMap","data":{}}'); // '{"data":{}}'
 * ```
 */
export function withoutTypeMeta(json: string): string {
  const tail = storedTypeMetaTail(json);
  if (tail > 0) return json.slice(0, tail) + "}";
  const { apiVersion, kind } = typeMembers(json);
  const cuts = [apiVersion, kind].filter((m): m is Member => m !== undefined)
    .sort((a, b) => a.start - b.start);
  if (cuts.length === 0) return json;
  let out = "";
  let from = 0;
  for (const m of cuts) {
    out += json.slice(from, m.start);
    // Drop the member and the comma after it; for the last member, the
    // comma before it.
    from = json.charCodeAt(m.end) === COMMA ? m.end + 1 : m.end;
    if (from === m.end && out.endsWith(",")) out = out.slice(0, -1);
  }
  return out + json.slice(from);
}

/** The type meta as the store writes it: last, plain strings, then the end. */
const STORED_TAIL = /,"apiVersion":"[^"\\]*","kind":"[^"\\]*"\}$/y;

/**
 * Where the top-level `,"apiVersion":"…","kind":"…"}` that a stored object
 * ends with begins (the store adds the type meta last), or -1: then the
 * members are found by a scan. No quote of that tail can be inside a
 * string (it follows a comma, a colon or a character that is not a
 * backslash), and it ends at the object's last `}`, so both members are
 * the object's own — a list item is the text up to there, closed: one
 * search from the end instead of a scan of the whole text per item.
 */
function storedTypeMetaTail(json: string): number {
  if (json.charCodeAt(0) !== OPEN_BRACE) return -1;
  const at = json.lastIndexOf(',"apiVersion":"');
  if (at <= 0) return -1;
  STORED_TAIL.lastIndex = at;
  return STORED_TAIL.test(json) ? at : -1;
}

/** `"apiVersion":…,"kind":…}` per type meta, as a stored text ends with it. */
const typeMetaSuffixes = new Map<string, string>();

function typeMetaSuffix(apiVersion: string, kind: string): string {
  const key = `${apiVersion}\0${kind}`;
  let suffix = typeMetaSuffixes.get(key);
  if (suffix === undefined) {
    suffix = `"apiVersion":${JSON.stringify(apiVersion)},"kind":${
      JSON.stringify(kind)
    }}`;
    if (typeMetaSuffixes.size < 4096) typeMetaSuffixes.set(key, suffix);
  }
  return suffix;
}

/**
 * True when the object text `json` carries exactly this `apiVersion` and
 * `kind` at its top level: then it is already the encoding of the object
 * as served (a GET answer) and can be written as it is.
 *
 * Stored objects end with `,"apiVersion":…,"kind":…}` (the store adds the
 * type meta last), which is checked first without a scan: every quote of
 * that suffix follows a character that is not a backslash, so each is a
 * string delimiter, and counted back from the final `}` they make the two
 * members of the top-level object (~1.7 µs of a GET's CPU before).
 */
export function hasTypeMeta(
  json: string,
  apiVersion: string,
  kind: string,
): boolean {
  const suffix = typeMetaSuffix(apiVersion, kind);
  if (json.endsWith(suffix) && !suffix.includes("\\")) {
    const before = json.charCodeAt(json.length - suffix.length - 1);
    if (before === COMMA || before === OPEN_BRACE) return true;
  }
  const found = typeMembers(json);
  return found.apiVersion?.value === JSON.stringify(apiVersion) &&
    found.kind?.value === JSON.stringify(kind);
}
