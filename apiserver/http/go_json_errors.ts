/**
 * The words Go's `encoding/json` uses for a body it cannot decode, so that a
 * request body refused here reads as kube-apiserver's refusal of it
 * (`json parse error: invalid character 'a' looking for beginning of value`).
 * JavaScript's `JSON.parse` says the same things differently; these
 * functions run only after it has failed, or on a value it produced.
 *
 * @module
 */

/** What the scanner is inside of, innermost last. */
type Frame = "key" | "value" | "array";

/**
 * Go's `json.Unmarshal` syntax error for `text`, or `undefined` when the text
 * is valid JSON. A port of the `encoding/json` scanner's states: the first
 * offending byte is named as Go quotes it (`'a'`, `'\n'`), with what the
 * scanner was looking for.
 *
 * ```ts
 * goJsonSyntaxError("apiVersion: v1"); // "invalid character 'a' looking for beginning of value"
 * goJsonSyntaxError('{"a":1'); // "unexpected end of JSON input"
 * ```
 */
export function goJsonSyntaxError(text: string): string | undefined {
  const b = new TextEncoder().encode(text);
  const stack: Frame[] = [];
  let i = 0;
  const ws = (c: number) =>
    c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
  const bad = (c: number, context: string) =>
    `invalid character ${quoteChar(c)} ${context}`;
  const EOF = "unexpected end of JSON input";
  const skip = () => {
    while (i < b.length && ws(b[i])) i++;
  };
  const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
  // Scans one value starting at b[i] (no leading space). A scalar is
  // consumed whole; `{`/`[` push a frame. Returns an error or undefined.
  const beginValue = (): string | undefined => {
    if (i >= b.length) return EOF;
    const c = b[i];
    if (c === 0x7b) { // {
      i++;
      skip();
      if (i >= b.length) return EOF;
      if (b[i] === 0x7d) {
        i++;
        return endValue();
      }
      stack.push("key");
      return beginKey();
    }
    if (c === 0x5b) { // [
      i++;
      skip();
      if (i >= b.length) return EOF;
      if (b[i] === 0x5d) {
        i++;
        return endValue();
      }
      stack.push("array");
      return undefined; // the loop scans the first element
    }
    if (c === 0x22) return string() ?? endValue();
    if (c === 0x2d || isDigit(c)) return number() ?? endValue();
    if (c === 0x74) return literal("true") ?? endValue();
    if (c === 0x66) return literal("false") ?? endValue();
    if (c === 0x6e) return literal("null") ?? endValue();
    return bad(c, "looking for beginning of value");
  };
  const beginKey = (): string | undefined => {
    if (i >= b.length) return EOF;
    if (b[i] !== 0x22) {
      return bad(b[i], "looking for beginning of object key string");
    }
    const err = string();
    if (err) return err;
    skip();
    if (i >= b.length) return EOF;
    if (b[i] !== 0x3a) return bad(b[i], "after object key");
    i++;
    stack[stack.length - 1] = "value";
    return undefined; // the loop scans the value
  };
  // After a complete value: what its container expects next.
  const endValue = (): string | undefined => {
    skip();
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (i < b.length) return bad(b[i], "after top-level value");
      return undefined;
    }
    if (i >= b.length) return EOF;
    const c = b[i];
    if (top === "value") {
      if (c === 0x2c) {
        i++;
        skip();
        stack[stack.length - 1] = "key";
        return beginKey();
      }
      if (c === 0x7d) {
        i++;
        stack.pop();
        return endValue();
      }
      return bad(c, "after object key:value pair");
    }
    if (top === "array") {
      if (c === 0x2c) {
        i++;
        return undefined;
      }
      if (c === 0x5d) {
        i++;
        stack.pop();
        return endValue();
      }
      return bad(c, "after array element");
    }
    return bad(c, "after object key");
  };
  const string = (): string | undefined => {
    i++; // opening quote
    for (;;) {
      if (i >= b.length) return EOF;
      const c = b[i];
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c === 0x5c) {
        i++;
        if (i >= b.length) return EOF;
        const e = b[i];
        if (e === 0x75) {
          i++;
          for (let k = 0; k < 4; k++, i++) {
            if (i >= b.length) return EOF;
            if (!isHex(b[i])) {
              return bad(b[i], "in \\u hexadecimal character escape");
            }
          }
          continue;
        }
        if (!ESCAPES.includes(e)) return bad(e, "in string escape code");
        i++;
        continue;
      }
      if (c < 0x20) return bad(c, "in string literal");
      i++;
    }
  };
  // At the end of input a number or literal is ended by a space, as Go's
  // scanner does (so "-" fails on ' ').
  const at = () => i < b.length ? b[i] : 0x20;
  const number = (): string | undefined => {
    if (b[i] === 0x2d) {
      i++;
      if (!isDigit(at())) return bad(at(), "in numeric literal");
    }
    if (b[i] === 0x30) i++;
    else while (i < b.length && isDigit(b[i])) i++;
    if (at() === 0x2e) {
      i++;
      if (!isDigit(at())) {
        return bad(at(), "after decimal point in numeric literal");
      }
      while (i < b.length && isDigit(b[i])) i++;
    }
    if (at() === 0x65 || at() === 0x45) {
      i++;
      if (at() === 0x2b || at() === 0x2d) i++;
      if (!isDigit(at())) return bad(at(), "in exponent of numeric literal");
      while (i < b.length && isDigit(b[i])) i++;
    }
    return undefined;
  };
  const literal = (word: string): string | undefined => {
    i++;
    for (const ch of word.slice(1)) {
      const want = ch.charCodeAt(0);
      if (at() !== want) {
        return bad(at(), `in literal ${word} (expecting '${ch}')`);
      }
      i++;
    }
    return undefined;
  };

  skip();
  let err = beginValue();
  while (err === undefined && stack.length > 0) {
    // Inside a container that wants a value next.
    skip();
    if (i >= b.length) return EOF;
    err = beginValue();
  }
  return err;
}

const ESCAPES = [0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74];

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) ||
    (c >= 0x41 && c <= 0x46);
}

/** Go's `quoteChar`: a byte as a quoted rune, escapes as `strconv.Quote`. */
function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const named: Record<number, string> = {
    0x07: "\\a",
    0x08: "\\b",
    0x0c: "\\f",
    0x0a: "\\n",
    0x0d: "\\r",
    0x09: "\\t",
    0x0b: "\\v",
    0x5c: "\\\\",
  };
  if (named[c]) return `'${named[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, "0")}'`;
  // A byte ≥ 0x80 is read as the rune of the same number (Latin-1).
  if ((c >= 0x80 && c <= 0xa0) || c === 0xad) {
    return `'\\u${c.toString(16).padStart(4, "0")}'`;
  }
  return `'${String.fromCharCode(c)}'`;
}

/** Go's name of a JSON value's type in `json: cannot unmarshal <type> …`. */
export function goJsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (v === null) return "null";
  if (typeof v === "object") return "object";
  if (typeof v === "boolean") return "bool";
  return typeof v; // string, number
}

/** The Go type upstream reads `apiVersion` and `kind` into first. */
export const TYPE_META_PROBE =
  'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

/**
 * Upstream's `summarizeData(body, 30)`: the body's start as text when it
 * looks like JSON, otherwise as hex; `<empty>` when there is none.
 */
export function summarizeData(data: Uint8Array, maxLength = 30): string {
  if (data.length === 0) return "<empty>";
  const cut = data.length > maxLength;
  const head = data.subarray(0, maxLength);
  const shown = data[0] === 0x7b
    ? new TextDecoder().decode(head)
    : Array.from(head, (x) => x.toString(16).padStart(2, "0")).join("");
  return cut ? `${shown} ...` : shown;
}
