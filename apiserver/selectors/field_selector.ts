/**
 * Field selectors: `a=b`, `a==b`, `a!=b` terms joined by `,`, with `\`
 * escapes, matched against the fields a kind makes selectable.
 *
 * @module
 */

import { SelectorParseError } from "./label_selector.ts";

/** One field requirement. */
export interface FieldRequirement {
  field: string;
  operator: "=" | "!=";
  value: string;
}

/** A parsed field selector. */
export interface FieldSelector {
  requirements: FieldRequirement[];
  empty: boolean;
  /** Matches the selectable fields of one object. */
  matches(fields: Record<string, string>): boolean;
}

function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\" && i + 1 < s.length) {
      cur += s[i] + s[i + 1];
      i++;
    } else if (s[i] === sep) {
      out.push(cur);
      cur = "";
    } else {
      cur += s[i];
    }
  }
  out.push(cur);
  return out;
}

function unescape(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\") {
      const n = s[i + 1];
      if (n === "\\" || n === "," || n === "=") {
        out += n;
        i++;
        continue;
      }
      throw new SelectorParseError(
        `invalid field selector: invalid escape sequence: \\${n ?? ""}`,
      );
    }
    out += s[i];
  }
  return out;
}

/** Parses a field selector; throws {@linkcode SelectorParseError}. */
export function parseFieldSelector(s: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  if (s.trim() !== "") {
    for (const term of splitUnescaped(s, ",")) {
      let parsed: FieldRequirement | undefined;
      for (const op of ["!=", "==", "="] as const) {
        const idx = findUnescaped(term, op);
        if (idx >= 0) {
          parsed = {
            field: unescape(term.slice(0, idx)).trim(),
            operator: op === "!=" ? "!=" : "=",
            value: unescape(term.slice(idx + op.length)),
          };
          break;
        }
      }
      if (!parsed || parsed.field === "") {
        throw new SelectorParseError(
          `invalid selector: '${s}'; can't understand '${term}'`,
        );
      }
      requirements.push(parsed);
    }
  }
  return {
    requirements,
    empty: requirements.length === 0,
    matches: (fields) =>
      requirements.every((r) => {
        const v = fields[r.field] ?? "";
        return r.operator === "=" ? v === r.value : v !== r.value;
      }),
  };
}

function findUnescaped(s: string, needle: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\") {
      i++;
      continue;
    }
    if (s.startsWith(needle, i)) return i;
  }
  return -1;
}
