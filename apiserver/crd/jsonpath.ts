/**
 * The subset of kubectl's JSONPath (`k8s.io/client-go/util/jsonpath`) that
 * CRD printer columns use: `.spec.replicas`, `.metadata.labels['app']`,
 * `.items[0]`, `.items[*].name`, `.items[1:3]`, `..name` and filters such as
 * `.status.conditions[?(@.type=="Ready")].status`.
 *
 * ```ts
 * const p = parseJsonPath('.status.conditions[?(@.type=="Ready")].status');
 * evalJsonPath(p, obj); // ["True"]
 * ```
 *
 * @module
 */

/** One step of a parsed path. */
export type JsonPathStep =
  | { op: "field"; name: string }
  | { op: "wildcard" }
  | { op: "recursive"; name: string | null }
  | { op: "index"; index: number }
  | { op: "slice"; start?: number; end?: number; step?: number }
  | { op: "filter"; left: JsonPathStep[]; cmp?: string; right?: Literal };

type Literal = { path: JsonPathStep[] } | { value: unknown };

/** A path that failed to parse. */
export class JsonPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonPathError";
  }
}

/** A parsed path, ready to evaluate. */
export interface JsonPath {
  source: string;
  steps: JsonPathStep[];
}

const FIELD_CHAR = /[^.\[\]\s()=!<>,'"@$]/;

class Parser {
  pos = 0;
  constructor(readonly src: string) {}

  fail(msg: string): never {
    throw new JsonPathError(`${msg} at position ${this.pos} in "${this.src}"`);
  }

  peek(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }

  eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.pos += s.length;
    return true;
  }

  skipSpace() {
    while (this.src[this.pos] === " ") this.pos++;
  }

  fieldName(): string {
    const start = this.pos;
    while (
      this.pos < this.src.length && FIELD_CHAR.test(this.src[this.pos])
    ) {
      if (this.src[this.pos] === "\\") this.pos++;
      this.pos++;
    }
    if (this.pos === start) this.fail("expected a field name");
    return this.src.slice(start, this.pos).replace(/\\(.)/g, "$1");
  }

  steps(stopAt: (p: Parser) => boolean): JsonPathStep[] {
    const out: JsonPathStep[] = [];
    while (this.pos < this.src.length && !stopAt(this)) {
      if (this.eat("..")) {
        if (this.eat("*")) out.push({ op: "recursive", name: null });
        else if (this.peek("[")) out.push({ op: "recursive", name: null });
        else out.push({ op: "recursive", name: this.fieldName() });
      } else if (this.eat(".")) {
        if (this.eat("*")) out.push({ op: "wildcard" });
        else if (this.pos >= this.src.length || stopAt(this)) break;
        else out.push({ op: "field", name: this.fieldName() });
      } else if (this.eat("[")) {
        out.push(this.bracket());
      } else {
        this.fail("unexpected character");
      }
    }
    return out;
  }

  bracket(): JsonPathStep {
    this.skipSpace();
    let step: JsonPathStep;
    if (this.eat("?(")) {
      step = this.filter();
    } else if (this.eat("*")) {
      step = { op: "wildcard" };
    } else if (this.peek("'") || this.peek('"')) {
      step = { op: "field", name: this.quoted() };
    } else {
      step = this.indexOrSlice();
    }
    this.skipSpace();
    if (!this.eat("]")) this.fail("expected ]");
    return step;
  }

  quoted(): string {
    const q = this.src[this.pos++];
    let s = "";
    while (this.pos < this.src.length && this.src[this.pos] !== q) {
      if (this.src[this.pos] === "\\") this.pos++;
      s += this.src[this.pos++];
    }
    if (!this.eat(q)) this.fail("unterminated string");
    return s;
  }

  int(): number | undefined {
    const m = /^-?\d+/.exec(this.src.slice(this.pos));
    if (!m) return undefined;
    this.pos += m[0].length;
    return Number(m[0]);
  }

  indexOrSlice(): JsonPathStep {
    const parts: (number | undefined)[] = [this.int()];
    while (this.eat(":")) parts.push(this.int());
    if (parts.length === 1) {
      if (parts[0] === undefined) this.fail("expected an index");
      return { op: "index", index: parts[0] };
    }
    if (parts.length > 3) this.fail("too many slice parts");
    return { op: "slice", start: parts[0], end: parts[1], step: parts[2] };
  }

  filter(): JsonPathStep {
    this.skipSpace();
    const left = this.operand();
    if (!("path" in left)) this.fail("filter must start with @");
    this.skipSpace();
    let step: JsonPathStep = { op: "filter", left: left.path };
    const cmp = /^(==|!=|<=|>=|<|>)/.exec(this.src.slice(this.pos));
    if (cmp) {
      this.pos += cmp[0].length;
      this.skipSpace();
      step = {
        op: "filter",
        left: left.path,
        cmp: cmp[0],
        right: this.operand(),
      };
    }
    this.skipSpace();
    if (!this.eat(")")) this.fail("expected )");
    return step;
  }

  operand(): Literal {
    if (this.eat("@")) {
      return {
        path: this.steps((p) => /[\s)=!<>]/.test(p.src[p.pos])),
      };
    }
    if (this.peek("'") || this.peek('"')) return { value: this.quoted() };
    if (this.eat("true")) return { value: true };
    if (this.eat("false")) return { value: false };
    if (this.eat("nil") || this.eat("null")) return { value: null };
    const m = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(this.src.slice(this.pos));
    if (!m) this.fail("expected a value");
    this.pos += m[0].length;
    return { value: Number(m[0]) };
  }
}

/**
 * Parses a printer-column path. Accepts the bare form (`.spec.x`), the `$`
 * form (`$.spec.x`) and one pair of template braces (`{.spec.x}`).
 */
export function parseJsonPath(source: string): JsonPath {
  let s = source.trim();
  if (s.startsWith("{") && s.endsWith("}")) s = s.slice(1, -1).trim();
  if (s.startsWith("$")) s = s.slice(1);
  if (s === "") throw new JsonPathError(`empty path "${source}"`);
  const p = new Parser(s);
  if (!p.peek(".") && !p.peek("[")) {
    p.fail("a path must start with . or [");
  }
  const steps = p.steps(() => false);
  return { source, steps };
}

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v !== null && typeof v === "object") return Object.values(v);
  return [];
}

function applyStep(step: JsonPathStep, values: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    switch (step.op) {
      case "field":
        if (v !== null && typeof v === "object" && !Array.isArray(v)) {
          const rec = v as Record<string, unknown>;
          if (Object.hasOwn(rec, step.name)) out.push(rec[step.name]);
        }
        break;
      case "wildcard":
        out.push(...children(v));
        break;
      case "recursive":
        collect(v, step.name, out);
        break;
      case "index":
        if (Array.isArray(v)) {
          const i = step.index < 0 ? v.length + step.index : step.index;
          if (i >= 0 && i < v.length) out.push(v[i]);
        }
        break;
      case "slice":
        if (Array.isArray(v)) out.push(...sliceOf(v, step));
        break;
      case "filter":
        for (const item of children(v)) {
          if (matches(step, item)) out.push(item);
        }
        break;
    }
  }
  return out;
}

function sliceOf(
  v: unknown[],
  s: { start?: number; end?: number; step?: number },
): unknown[] {
  const norm = (n: number) => n < 0 ? Math.max(0, v.length + n) : n;
  const start = norm(s.start ?? 0);
  const end = Math.min(v.length, norm(s.end ?? v.length));
  const step = s.step && s.step > 0 ? s.step : 1;
  const out: unknown[] = [];
  for (let i = start; i < end; i += step) out.push(v[i]);
  return out;
}

function collect(v: unknown, name: string | null, out: unknown[]) {
  if (v === null || typeof v !== "object") return;
  if (name === null) {
    out.push(v);
  } else if (!Array.isArray(v) && Object.hasOwn(v, name)) {
    out.push((v as Record<string, unknown>)[name]);
  }
  for (const c of children(v)) collect(c, name, out);
}

function matches(
  f: Extract<JsonPathStep, { op: "filter" }>,
  item: unknown,
): boolean {
  const left = run(f.left, item);
  if (!f.cmp || f.right === undefined) return left.length > 0;
  if (left.length === 0) return false;
  const right = "path" in f.right ? run(f.right.path, item) : [f.right.value];
  if (right.length === 0) return false;
  return compare(left[0], f.cmp, right[0]);
}

function compare(a: unknown, cmp: string, b: unknown): boolean {
  switch (cmp) {
    case "==":
      return a === b;
    case "!=":
      return a !== b;
  }
  if (typeof a !== "number" || typeof b !== "number") {
    if (typeof a !== "string" || typeof b !== "string") return false;
  }
  const x = a as number | string;
  const y = b as number | string;
  switch (cmp) {
    case "<":
      return x < y;
    case ">":
      return x > y;
    case "<=":
      return x <= y;
    default:
      return x >= y;
  }
}

function run(steps: JsonPathStep[], root: unknown): unknown[] {
  let values = [root];
  for (const s of steps) values = applyStep(s, values);
  return values;
}

/** Every value `path` selects in `obj`, in document order. */
export function evalJsonPath(path: JsonPath, obj: unknown): unknown[] {
  return run(path.steps, obj);
}

/** A value as client-go's JSONPath prints it (Go's `fmt.Sprint` forms). */
export function printJsonValue(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "<nil>";
  if (Array.isArray(v)) return `[${v.map(printJsonValue).join(" ")}]`;
  if (typeof v === "object") {
    const keys = Object.keys(v).sort();
    const rec = v as Record<string, unknown>;
    return `map[${
      keys.map((k) => `${k}:${printJsonValue(rec[k])}`).join(" ")
    }]`;
  }
  return String(v);
}
