/**
 * A JSON syntax check that builds nothing: `JSON.parse` as a validity test
 * allocates the whole value and leaves it to the garbage collector, which
 * at a restart's watch-cache fill (every stored object's text, checked
 * before it is served as it is) cost more than the fill itself. This scanner
 * walks the text once, keeping only a stack of open containers.
 *
 * @module
 */

/** What the scanner expects next. */
const VALUE = 0; // a value (after `[`, `,` in an array, `:`, or at the start)
const VALUE_OR_CLOSE = 1; // just after `[`
const KEY_OR_CLOSE = 2; // just after `{`
const KEY = 3; // after `,` in an object
const COLON = 4;
const COMMA_OR_CLOSE = 5; // after a value inside a container
const END = 6; // after the top-level value

let stack = new Uint8Array(64);

/** True when `text` is one JSON value (RFC 8259), white space around it allowed. */
export function isValidJson(text: string): boolean {
  const n = text.length;
  let depth = 0;
  let state = VALUE;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
      continue;
    }
    switch (state) {
      case KEY_OR_CLOSE:
      case KEY:
        if (c === 0x7d && state === KEY_OR_CLOSE) { // {}
          depth--;
          i++;
          state = depth === 0 ? END : COMMA_OR_CLOSE;
          continue;
        }
        if (c !== 0x22) return false;
        i = scanString(text, i);
        if (i < 0) return false;
        state = COLON;
        continue;
      case COLON:
        if (c !== 0x3a) return false;
        i++;
        state = VALUE;
        continue;
      case COMMA_OR_CLOSE: {
        const inObject = stack[depth - 1] === 0x7b;
        if (c === 0x2c) {
          i++;
          state = inObject ? KEY : VALUE;
          continue;
        }
        if (c !== (inObject ? 0x7d : 0x5d)) return false;
        depth--;
        i++;
        state = depth === 0 ? END : COMMA_OR_CLOSE;
        continue;
      }
      case END:
        return false;
    }
    // VALUE or VALUE_OR_CLOSE
    if (c === 0x5d && state === VALUE_OR_CLOSE) { // []
      depth--;
      i++;
      state = depth === 0 ? END : COMMA_OR_CLOSE;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      if (depth === stack.length) {
        const grown = new Uint8Array(stack.length * 2);
        grown.set(stack);
        stack = grown;
      }
      stack[depth++] = c;
      i++;
      state = c === 0x7b ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
      continue;
    }
    if (c === 0x22) {
      i = scanString(text, i);
      if (i < 0) return false;
    } else if (c === 0x74) {
      if (!text.startsWith("true", i)) return false;
      i += 4;
    } else if (c === 0x66) {
      if (!text.startsWith("false", i)) return false;
      i += 5;
    } else if (c === 0x6e) {
      if (!text.startsWith("null", i)) return false;
      i += 4;
    } else {
      // A number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
      if (c === 0x2d) c = text.charCodeAt(++i);
      if (c === 0x30) c = text.charCodeAt(++i);
      else if (c >= 0x31 && c <= 0x39) {
        do c = text.charCodeAt(++i); while (c >= 0x30 && c <= 0x39);
      } else return false;
      if (c === 0x2e) {
        c = text.charCodeAt(++i);
        if (!(c >= 0x30 && c <= 0x39)) return false;
        do c = text.charCodeAt(++i); while (c >= 0x30 && c <= 0x39);
      }
      if (c === 0x65 || c === 0x45) {
        c = text.charCodeAt(++i);
        if (c === 0x2b || c === 0x2d) c = text.charCodeAt(++i);
        if (!(c >= 0x30 && c <= 0x39)) return false;
        do c = text.charCodeAt(++i); while (c >= 0x30 && c <= 0x39);
      }
    }
    state = depth === 0 ? END : COMMA_OR_CLOSE;
  }
  return state === END;
}

/** The index after the string opening at `text[start]`, or -1. */
function scanString(text: string, start: number): number {
  const n = text.length;
  for (let i = start + 1; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -1;
    if (c !== 0x5c) continue;
    const e = text.charCodeAt(++i);
    if (e === 0x75) { // \uXXXX
      for (let k = 1; k <= 4; k++) {
        const h = text.charCodeAt(i + k);
        const l = h | 0x20; // lower-cases A-F
        if (!((h >= 0x30 && h <= 0x39) || (l >= 0x61 && l <= 0x66))) {
          return -1;
        }
      }
      i += 4;
    } else if (
      e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 &&
      e !== 0x6e && e !== 0x72 && e !== 0x74
    ) return -1;
  }
  return -1;
}
