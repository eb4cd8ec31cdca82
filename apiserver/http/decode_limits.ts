/**
 * Limits on the shape of a request body, checked before it is decoded (JSON)
 * or right after (YAML, protobuf), so that no later step — parsing, deep
 * copies, validation, merges, managed fields — meets a body it cannot
 * handle in bounded time and stack:
 *
 * - **nesting depth** ≤ {@linkcode MAX_NESTING_DEPTH} (1,000). Upstream's
 *   JSON decoder (Go's `encoding/json` scanner) allows 10,000 and fails
 *   past it with `invalid character '[' exceeded max depth`; the same words
 *   are used here, at a lower depth because this process cannot carry
 *   10,000 levels: `structuredClone` (V8's serializer) overflows the stack
 *   at ~2,700 levels and the write path's recursive steps (copies,
 *   validation, merges, managed fields) at 2,000–2,500. 1,000 keeps a 2×
 *   margin; real objects nest a few dozen levels;
 * - **fields** (object members) ≤ {@linkcode MAX_FIELDS} in the whole body.
 *   kube-apiserver has no such count, but its 3 MiB body limit bounds it
 *   (and a ConfigMap's data is at most 1 MiB): the cap only stops bodies
 *   that are nothing but tiny keys, well past anything a real object holds.
 *
 * Both are counted by one iterative pass over the text (no recursion: a
 * deep body must not overflow the stack of the check meant to refuse it).
 *
 * @module
 */

import { ApiError, badRequestError } from "../status/mod.ts";

/**
 * The deepest nesting of objects and arrays accepted (upstream: 10,000; see
 * the module doc for why it is lower here).
 */
export const MAX_NESTING_DEPTH = 1_000;

/**
 * The most object members accepted in one body. 100,000 is far above what
 * real objects carry (a 1 MiB ConfigMap of 10-byte entries has ~50,000
 * keys; kubectl, helm and controllers send hundreds) and keeps the
 * per-field work of one write (decode, validation, managed fields,
 * storage, response) within a few hundred milliseconds on these machines.
 */
export const MAX_FIELDS = 100_000;

/**
 * The deepest flow nesting (`[[…]]`, `{{…}}`) accepted in a YAML body. The
 * `yaml` package composes documents recursively and runs out of stack at
 * about 800 levels anyway (a 400 with its own message), but only after
 * work that grows faster than the depth (1.6 s for 100,000 levels); this
 * cheaper scan refuses such bodies first. Block nesting needs indentation,
 * so 3 MiB cannot nest it deeper than ~2,500 levels.
 */
export const MAX_YAML_FLOW_DEPTH = 1_000;

/** Limits for {@linkcode checkJsonLimits} and {@linkcode checkValueLimits}. */
export interface DecodeLimits {
  maxDepth: number;
  maxFields: number;
}

/** The limits every request body is held to. */
export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxDepth: MAX_NESTING_DEPTH,
  maxFields: MAX_FIELDS,
};

/** 400, worded as upstream's decoder (`… exceeded max depth`). */
export function tooDeepError(format: string, opener: string): ApiError {
  return badRequestError(
    `the body of the request could not be decoded as ${format}: invalid character '${opener}' exceeded max depth`,
  );
}

/** 413: a body of more fields than {@linkcode MAX_FIELDS}. */
export function tooManyFieldsError(limit: number): ApiError {
  return new ApiError(
    413,
    "RequestEntityTooLarge",
    `Request entity too large: the body has more than ${limit} fields`,
  );
}

/**
 * Throws the 400/413 error of the first limit the JSON text breaks. Only
 * brackets, colons and string boundaries are looked at; malformed text is
 * left to `JSON.parse` to report.
 */
export function checkJsonLimits(
  text: string,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): void {
  const n = text.length;
  let depth = 0;
  let fields = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) { // "
      i = closingQuote(text, i);
      if (i < 0) return;
    } else if (c === 0x7b || c === 0x5b) { // { [
      if (++depth > limits.maxDepth) {
        throw tooDeepError("JSON", c === 0x7b ? "{" : "[");
      }
    } else if (c === 0x7d || c === 0x5d) { // } ]
      depth--;
    } else if (c === 0x3a) { // : (one per object member)
      if (++fields > limits.maxFields) {
        throw tooManyFieldsError(limits.maxFields);
      }
    }
  }
}

/** The index of the quote closing the string that opens at `start`, or -1. */
function closingQuote(text: string, start: number): number {
  let i = start;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i < 0) return -1;
    let slashes = 0;
    for (let j = i - 1; text.charCodeAt(j) === 0x5c; j--) slashes++;
    if (slashes % 2 === 0) return i;
  }
}

/**
 * Throws 400 when the flow collections of a YAML text nest deeper than
 * `maxDepth` (see {@linkcode MAX_YAML_FLOW_DEPTH}). A bracket or quote
 * counts only where a value can start (after `:`, `-`, `,`, `?`, `[`, `{`
 * or at the start of a line), so `a: b[c` and `don't` are plain text;
 * quoted scalars and comments are skipped.
 */
export function checkYamlFlowDepth(
  text: string,
  maxDepth = MAX_YAML_FLOW_DEPTH,
): void {
  const n = text.length;
  let depth = 0;
  let valueStart = true; // at a line start or after an indicator
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09) continue;
    if (c === 0x0a || c === 0x0d) {
      valueStart = true;
      continue;
    }
    if (c === 0x23) { // # starts a comment after a space or line start
      const prev = i === 0 ? 0x0a : text.charCodeAt(i - 1);
      if (prev === 0x20 || prev === 0x09 || prev === 0x0a || prev === 0x0d) {
        const eol = text.indexOf("\n", i);
        i = eol < 0 ? n : eol - 1;
        continue;
      }
    }
    if (valueStart && (c === 0x22 || c === 0x27)) { // " or '
      i = yamlQuoteEnd(text, i, c);
      if (i < 0) return;
      valueStart = false;
      continue;
    }
    if (c === 0x5b || c === 0x7b) { // [ {
      if (valueStart && ++depth > maxDepth) {
        throw badRequestError(
          `the body of the request could not be decoded as YAML: exceeded max depth of ${maxDepth}`,
        );
      }
      continue; // still at a value start
    }
    if (c === 0x5d || c === 0x7d) { // ] }
      if (depth > 0) depth--;
      valueStart = false;
      continue;
    }
    valueStart = c === 0x3a || c === 0x2d || c === 0x2c || c === 0x3f;
  }
}

/** The index of the quote ending a YAML quoted scalar, or -1. */
function yamlQuoteEnd(text: string, start: number, quote: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote === 0x22 && c === 0x5c) i++; // "\"" escapes
    else if (c === quote) {
      // '' inside a single-quoted scalar is an escaped quote
      if (quote === 0x27 && text.charCodeAt(i + 1) === 0x27) i++;
      else return i;
    }
  }
  return -1;
}

/**
 * The same limits on an already decoded value (YAML and protobuf bodies),
 * walked with an explicit stack. `format` words the depth error.
 */
export function checkValueLimits(
  value: unknown,
  format: string,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): void {
  if (typeof value !== "object" || value === null) return;
  const stack: [object, number][] = [[value, 1]];
  let fields = 0;
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth > limits.maxDepth) {
      throw tooDeepError(format, Array.isArray(v) ? "[" : "{");
    }
    const children: unknown[] = Array.isArray(v) ? v : Object.values(v);
    if (!Array.isArray(v)) {
      fields += children.length;
      if (fields > limits.maxFields) {
        throw tooManyFieldsError(limits.maxFields);
      }
    }
    for (const c of children) {
      if (typeof c === "object" && c !== null) stack.push([c, depth + 1]);
    }
  }
}
