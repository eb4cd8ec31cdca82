/**
 * Pretty JSON as kube-apiserver writes it (Go's `json.MarshalIndent(obj,
 * "", "  ")`): the compact text re-indented token by token, so key order,
 * numbers and string escapes stay exactly as the compact answer has them
 * (no parse, no re-serialisation).
 *
 * @module
 */

const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * `text` (one JSON value) indented by two spaces per level, `": "` after
 * keys, empty objects and arrays kept as `{}`/`[]`, no trailing newline —
 * Go's `json.Indent` of a compact encoding.
 *
 * @example
 * ```ts
 * indentJson('{"a":[1,{}]}\n'); // '{\n  "a": [\n    1,\n    {}\n  ]\n}'
 * ```
 */
export function indentJson(text: string): string {
  const out: string[] = [];
  let depth = 0;
  let i = 0;
  const n = text.length;
  const newline = () => "\n" + "  ".repeat(depth);
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === BACKSLASH) j += 2;
        else if (d === QUOTE) break;
        else j++;
      }
      out.push(text.slice(i, j + 1));
      i = j + 1;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const k = skipSpace(text, i + 1);
      const next = text.charCodeAt(k);
      if (next === CLOSE_OBJECT || next === CLOSE_ARRAY) {
        out.push(text[i] + text[k]);
        i = k + 1;
      } else {
        depth++;
        out.push(text[i] + newline());
        i++;
      }
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      out.push(newline() + text[i]);
      i++;
    } else if (c === COMMA) {
      out.push("," + newline());
      i++;
    } else if (c === COLON) {
      out.push(": ");
      i++;
    } else if (isSpace(c)) {
      i++;
    } else {
      let j = i + 1;
      while (j < n && !isDelimiter(text.charCodeAt(j))) j++;
      out.push(text.slice(i, j));
      i = j;
    }
  }
  return out.join("");
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isDelimiter(c: number): boolean {
  return isSpace(c) || c === COMMA || c === COLON || c === CLOSE_OBJECT ||
    c === CLOSE_ARRAY;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}
