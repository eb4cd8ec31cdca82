/**
 * One member of a JSON object read from its text without decoding the
 * rest: a watch of `PartialObjectMetadata` (the garbage collector's
 * informers watch every resource so) needs each object's `metadata` only,
 * and decoding whole objects for it was most of the garbage a restart with
 * 10,000 virtual clusters made while the controllers synced (metadata is
 * ~40% of a bootstrap object's text).
 *
 * The scan skips the other members' values (strings and nesting; its
 * {@linkcode stringEnd} and {@linkcode valueEnd} serve the API's stored
 * texts too), it does not check them: a text that is not valid JSON may
 * give a slice that is not either, which the caller's `JSON.parse` then
 * refuses. Of duplicate keys the first is taken (`JSON.parse` takes the
 * last; `JSON.stringify` writes none).
 *
 * @module
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(text: string, i: number): number {
  while (isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** The index after the string that opens at `i` (a quote), or -1. */
export function stringEnd(text: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q < 0) return -1;
    let slashes = 0;
    while (text.charCodeAt(q - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return q + 1;
    from = q + 1;
  }
}

function hasBackslash(text: string, from: number, to: number): boolean {
  for (let j = from; j < to; j++) {
    if (text.charCodeAt(j) === BACKSLASH) return true;
  }
  return false;
}

/**
 * The index after the value that starts at `i` (a string, object or
 * array is scanned to its end, past nested strings; a number, `true`,
 * `false` or `null` up to the next delimiter), or -1 when it does not end.
 */
export function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return stringEnd(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    for (let j = i; j < text.length;) {
      const d = text.charCodeAt(j);
      if (d === QUOTE) {
        j = stringEnd(text, j);
        if (j < 0) return -1;
        continue;
      }
      if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        if (--depth === 0) return j + 1;
      }
      j++;
    }
    return -1;
  }
  // A number, true, false or null: up to the next delimiter.
  let j = i;
  for (; j < text.length; j++) {
    const d = text.charCodeAt(j);
    if (
      d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isSpace(d)
    ) break;
  }
  return j > i ? j : -1;
}

/**
 * The text of member `name` of the JSON object `text` (its value as
 * written), or `undefined` when `text` is no object or has no such member.
 *
 * @example
 * ```ts
 * import { memberText } from "./json_member.ts";
 *
 * const text = '{"kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"v"}}';
 * const metadata = JSON.parse(memberText(text, "metadata")!);
 * // metadata is { name: "a" }; `data` was not decoded
 * ```
 */
export function memberText(text: string, name: string): string | undefined {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  i = skipSpace(text, i + 1);
  while (text.charCodeAt(i) === QUOTE) {
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return undefined;
    const escaped = hasBackslash(text, i + 1, keyEnd - 1);
    const named = escaped
      ? JSON.parse(text.slice(i, keyEnd)) === name
      : keyEnd - i - 2 === name.length && text.startsWith(name, i + 1);
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return undefined;
    const start = skipSpace(text, i + 1);
    const end = valueEnd(text, start);
    if (end < 0) return undefined;
    if (named) return text.slice(start, end);
    i = skipSpace(text, end);
    if (text.charCodeAt(i) !== COMMA) return undefined;
    i = skipSpace(text, i + 1);
  }
  return undefined;
}
