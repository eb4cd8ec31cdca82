/**
 * Label selectors with upstream's full set-based syntax:
 * `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`.
 *
 * @example
 * ```ts
 * const sel = parseLabelSelector("app in (web,api),!canary");
 * sel.matches({ app: "web" }); // true
 * ```
 *
 * @module
 */

import { isQualifiedName, isValidLabelValue } from "../validation/names.ts";

/** A selector operator. */
export type LabelOperator =
  | "="
  | "!="
  | "in"
  | "notin"
  | "exists"
  | "!"
  | "gt"
  | "lt";

/** One requirement of a selector. */
export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

/** A parsed label selector. */
export interface LabelSelector {
  requirements: LabelRequirement[];
  /** True when the selector has no requirements. */
  empty: boolean;
  matches(labels: Record<string, string> | undefined): boolean;
}

/** A syntax or validation error in a selector string. */
export class SelectorParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SelectorParseError";
  }
}

type Tok =
  | { t: "id"; v: string }
  | { t: "op"; v: string }
  | { t: "end"; v: "" };

const SPECIAL = new Set([" ", "\t", "\n", "!", "(", ")", ",", "=", "<", ">"]);

function lex(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === " " || c === "\t" || c === "\n") {
      i++;
    } else if (c === "!" && s[i + 1] === "=") {
      out.push({ t: "op", v: "!=" });
      i += 2;
    } else if (c === "=" && s[i + 1] === "=") {
      out.push({ t: "op", v: "==" });
      i += 2;
    } else if ("!(),=<>".includes(c)) {
      out.push({ t: "op", v: c });
      i++;
    } else {
      let j = i;
      while (j < s.length && !SPECIAL.has(s[j])) j++;
      const word = s.slice(i, j);
      out.push(
        word === "in" || word === "notin"
          ? { t: "op", v: word }
          : { t: "id", v: word },
      );
      i = j;
    }
  }
  out.push({ t: "end", v: "" });
  return out;
}

function requirementProblems(r: LabelRequirement): string | undefined {
  if (r.operator === "in" || r.operator === "notin") {
    if (r.values.length === 0) {
      return "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty";
    }
  }
  if (r.operator === "gt" || r.operator === "lt") {
    if (r.values.length !== 1 || !/^-?[0-9]+$/.test(r.values[0])) {
      return `values[0]: Invalid value: ${
        JSON.stringify(r.values[0] ?? "")
      }: for 'Gt', 'Lt' operators, the value must be an integer`;
    }
    return undefined;
  }
  for (const [i, v] of r.values.entries()) {
    const errs = isValidLabelValue(v);
    if (errs.length) {
      return `values[${i}][${r.key}]: Invalid value: ${JSON.stringify(v)}: ${
        errs.join("; ")
      }`;
    }
  }
  return undefined;
}

function shown(t: Tok): string {
  return t.v;
}

class Parser {
  #toks: Tok[];
  #pos = 0;
  constructor(toks: Tok[]) {
    this.#toks = toks;
  }
  peek(): Tok {
    return this.#toks[this.#pos];
  }
  next(): Tok {
    return this.#toks[this.#pos++];
  }

  /**
   * Upstream's `Parser.parse`: errors inside one requirement read
   * `unable to parse requirement: …`, errors between requirements do not.
   */
  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    const first = this.peek();
    if (first.t === "end") return reqs;
    if (!startsRequirement(first)) {
      throw new SelectorParseError(
        `found '${shown(first)}', expected: !, identifier, or 'end of string'`,
      );
    }
    for (;;) {
      try {
        reqs.push(this.requirement());
      } catch (e) {
        if (!(e instanceof SelectorParseError)) throw e;
        throw new SelectorParseError(
          `unable to parse requirement: ${e.message}`,
        );
      }
      const t = this.next();
      if (t.t === "end") return reqs;
      if (!(t.t === "op" && t.v === ",")) {
        throw new SelectorParseError(
          `found '${shown(t)}', expected: ',' or 'end of string'`,
        );
      }
      const after = this.peek();
      if (!startsRequirement(after)) {
        throw new SelectorParseError(
          `found '${shown(after)}', expected: identifier after ','`,
        );
      }
    }
  }

  requirement(): LabelRequirement {
    let t = this.next();
    let negated = false;
    if (t.t === "op" && t.v === "!") {
      negated = true;
      t = this.next();
    }
    if (t.t !== "id") {
      throw new SelectorParseError(
        `found '${shown(t)}', expected: identifier`,
      );
    }
    const key = t.v;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length) {
      // Upstream validates the key with a nil field path.
      throw new SelectorParseError(
        `<nil>: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join("; ")}`,
      );
    }
    const after = this.peek();
    const atBoundary = after.t === "end" ||
      (after.t === "op" && after.v === ",");
    let req: LabelRequirement;
    if (negated || atBoundary) {
      // `!a=b`: the requirement ends at `a`; parse() rejects the `=`.
      req = { key, operator: negated ? "!" : "exists", values: [] };
    } else {
      const op = this.next();
      switch (op.t === "op" ? op.v : "") {
        case "=":
        case "==":
          req = { key, operator: "=", values: [this.exactValue()] };
          break;
        case "!=":
          req = { key, operator: "!=", values: [this.exactValue()] };
          break;
        case ">":
          req = { key, operator: "gt", values: [this.exactValue()] };
          break;
        case "<":
          req = { key, operator: "lt", values: [this.exactValue()] };
          break;
        case "in":
        case "notin":
          req = {
            key,
            operator: op.v as "in" | "notin",
            values: this.valueSet(),
          };
          break;
        default:
          throw new SelectorParseError(
            `found '${shown(op)}', expected: in, notin, =, ==, !=, gt, lt`,
          );
      }
    }
    const problem = requirementProblems(req);
    if (problem) throw new SelectorParseError(problem);
    return req;
  }

  exactValue(): string {
    const t = this.peek();
    if (t.t === "end" || (t.t === "op" && t.v === ",")) return "";
    this.next();
    if (t.t !== "id") {
      throw new SelectorParseError(
        `found '${shown(t)}', expected: identifier`,
      );
    }
    return t.v;
  }

  /** Upstream's `parseValues`: `()` is the set holding the empty value. */
  valueSet(): string[] {
    const open = this.next();
    if (!(open.t === "op" && open.v === "(")) {
      throw new SelectorParseError(`found '${shown(open)}' expected: '('`);
    }
    const first = this.peek();
    if (first.t === "op" && first.v === ")") {
      this.next();
      return [""];
    }
    if (!(first.t === "id" || (first.t === "op" && first.v === ","))) {
      throw new SelectorParseError(
        `found '${shown(first)}', expected: ',', ')' or identifier`,
      );
    }
    const values = new Set<string>();
    for (;;) {
      const t = this.next();
      if (t.t === "id") {
        values.add(t.v);
        const sep = this.peek();
        if (sep.t === "op" && sep.v === ",") continue;
        if (sep.t === "op" && sep.v === ")") break;
        throw new SelectorParseError(
          `found '${shown(sep)}', expected: ',' or ')'`,
        );
      } else if (t.t === "op" && t.v === ",") {
        if (values.size === 0) values.add(""); // `(,`
        const sep = this.peek();
        if (sep.t === "op" && sep.v === ")") {
          values.add(""); // `,)`
          break;
        }
        if (sep.t === "op" && sep.v === ",") values.add(""); // `,,`
      } else {
        throw new SelectorParseError(
          `found '${shown(t)}', expected: ',', or identifier`,
        );
      }
    }
    this.next(); // the `)` seen above
    return [...values].sort();
  }
}

/** Whether `t` can start a requirement (a key or `!`). */
function startsRequirement(t: Tok): boolean {
  return t.t === "id" || (t.t === "op" && t.v === "!");
}

function matchOne(
  r: LabelRequirement,
  labels: Record<string, string>,
): boolean {
  const has = Object.hasOwn(labels, r.key);
  const v = labels[r.key];
  switch (r.operator) {
    case "exists":
      return has;
    case "!":
      return !has;
    case "=":
      return has && v === r.values[0];
    case "!=":
      return !has || v !== r.values[0];
    case "in":
      return has && r.values.includes(v);
    case "notin":
      return !has || !r.values.includes(v);
    case "gt":
    case "lt": {
      if (!has || !/^-?[0-9]+$/.test(v)) return false;
      const a = Number(v);
      const b = Number(r.values[0]);
      return r.operator === "gt" ? a > b : a < b;
    }
  }
}

/** Parses a selector string; throws {@linkcode SelectorParseError}. */
export function parseLabelSelector(s: string): LabelSelector {
  const requirements = new Parser(lex(s)).parse();
  return {
    requirements,
    empty: requirements.length === 0,
    matches: (labels) => requirements.every((r) => matchOne(r, labels ?? {})),
  };
}
