/**
 * The CEL environment of admission policies, on `@marcbachmann/cel-js`: the
 * variables upstream declares (`object`, `oldObject`, `request`, `params`,
 * `namespaceObject`, `authorizer`, `variables`), upstream's `authorizer`
 * library, compile errors in upstream's shape and a **runtime cost limit**.
 *
 * cel-js has parse-time limits only (AST nodes, depth), so the cost of an
 * evaluation is metered here: every AST node the evaluator visits costs 1
 * (upstream charges roughly per node too, plus per element of string and
 * list operations). One expression may spend {@linkcode PER_CALL_LIMIT}
 * (upstream's `PerCallLimit`), one policy evaluation (a policy, a binding,
 * a param) {@linkcode RUNTIME_BUDGET} (upstream's `RuntimeCELCostBudget`).
 * The meter hooks the environment's own evaluator instance (reached once
 * through a private macro), so the CRD rules' environment is untouched.
 *
 * Expressions that call the `authorizer` are asynchronous (the server's
 * authorizer is); they are run one at a time per environment so that the
 * meter stays with the evaluation it charges.
 *
 * @module
 */

import type { Environment } from "@marcbachmann/cel-js";
import { cel } from "../../../internal/lazy_npm.ts";
import type { UserInfo } from "../../request_context.ts";
import type { Authorizer } from "../../authz/authorizer.ts";
import { registerKubernetesLibrary } from "./cel_library.ts";

/** Upstream's per-expression cost limit. */
export const PER_CALL_LIMIT = 1_000_000;
/** Upstream's cost budget of one policy evaluation. */
export const RUNTIME_BUDGET = 10_000_000;

/** Result types of validations and match conditions. */
export const BOOL: readonly string[] = ["bool"];
/** Result type of a messageExpression. */
export const STRING: readonly string[] = ["string"];
/** Result types of an audit annotation's valueExpression. */
export const STRING_OR_NULL: readonly string[] = ["string", "null_type"];

/** The message of an expression stopped by {@linkcode PER_CALL_LIMIT}. */
export const CALL_LIMIT_MESSAGE =
  "operation cancelled: actual cost limit exceeded";
/** The message of an evaluation stopped by {@linkcode RUNTIME_BUDGET}. */
export const BUDGET_MESSAGE =
  "validation failed due to running out of cost budget, no further validation rules will be run";

/** Thrown when an evaluation runs out of cost. */
export class CostLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CostLimitError";
  }
}

/** The cost spent by one policy evaluation (shared by its expressions). */
export class CostMeter {
  used = 0;
  /** `used` at which the running expression is stopped. */
  callLimit = PER_CALL_LIMIT;
  constructor(readonly budget = RUNTIME_BUDGET) {}
}

// --- the authorizer library (k8s.io/apiserver/pkg/cel/library/authz.go) ---

/** `authorizer`: checks for the request's user in the request's cluster. */
export class AuthorizerValue {
  constructor(
    readonly authorizer: Authorizer,
    readonly user: UserInfo,
    readonly cluster: string,
    /** `authorizer.requestResource`. */
    readonly requestResource: ResourceCheck,
  ) {}
}
/** `authorizer.path(p)`. */
export class PathCheck {
  constructor(readonly authz: AuthorizerValue, readonly path: string) {}
}
/** `authorizer.group(g)`. */
export class GroupCheck {
  constructor(readonly authz: AuthorizerValue, readonly group: string) {}
}
/** `authorizer.group(g).resource(r)` and its refinements. */
export class ResourceCheck {
  constructor(
    readonly authz: AuthorizerValue | undefined,
    readonly group: string,
    readonly resource: string,
    readonly subresource = "",
    readonly namespace = "",
    readonly name = "",
  ) {}
  with(
    part: "subresource" | "namespace" | "name",
    v: string,
  ): ResourceCheck {
    const n = { ...this, [part]: v };
    return new ResourceCheck(
      this.authz,
      n.group,
      n.resource,
      n.subresource,
      n.namespace,
      n.name,
    );
  }
}
/** The outcome of `check(verb)`. */
export class DecisionValue {
  constructor(
    readonly allowed: boolean,
    readonly reason: string,
    readonly error = "",
  ) {}
}

async function decide(
  authz: AuthorizerValue | undefined,
  attrs: Record<string, unknown>,
): Promise<DecisionValue> {
  if (!authz) return new DecisionValue(false, "", "no authorizer");
  try {
    const d = await authz.authorizer.authorize(
      {
        user: authz.user,
        cluster: authz.cluster,
        ...attrs,
      } as Parameters<Authorizer["authorize"]>[0],
    );
    return new DecisionValue(d.allowed, d.reason ?? "");
  } catch (e) {
    return new DecisionValue(false, "", String(e));
  }
}

// --- the environment ---

type Program = ReturnType<Environment["parse"]>;
// deno-lint-ignore no-explicit-any
type Evaluator = { run(ast: any, ctx: any): unknown };

/** Which variables an expression may use. */
export interface CelScope {
  /** `params` is declared (the policy has a `paramKind`). */
  params: boolean;
}

/** A compiled expression. */
export interface CompiledExpression {
  expression: string;
  program: Program;
  /** Calls the authorizer, so its result is a promise. */
  async: boolean;
}

/** The line/column prefix upstream's CEL errors carry. */
function position(expr: string, at: number | undefined): string {
  if (at === undefined) return "";
  const before = expr.slice(0, at).split("\n");
  return `<input>:${before.length}:${before[before.length - 1].length + 1}: `;
}

/** The first line of a cel-js error, as upstream shows CEL errors. */
export function celMessage(e: unknown): string {
  if (e instanceof CostLimitError) return e.message;
  const err = e as { summary?: string; message?: string };
  return String(err?.summary ?? err?.message ?? e).split("\n")[0];
}

const VARIABLE_REF = /\bvariables\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * One CEL environment (with or without `params`), its evaluator metered.
 */
class MeteredEnvironment {
  readonly env: Environment;
  #meter: CostMeter | undefined;
  #asyncTail: Promise<unknown> = Promise.resolve();

  constructor(scope: CelScope) {
    let evaluator: Evaluator | undefined;
    const { Environment } = cel();
    const env = new Environment({
      homogeneousAggregateLiterals: false,
      enableOptionalTypes: true,
    })
      .registerType(
        "Authorizer",
        {
          ctor: AuthorizerValue,
          fields: { requestResource: "ResourceCheck" },
        } as never,
      )
      .registerType("PathCheck", PathCheck)
      .registerType("GroupCheck", GroupCheck)
      .registerType("ResourceCheck", ResourceCheck)
      .registerType("Decision", DecisionValue)
      .registerFunction(
        "Authorizer.path(string): PathCheck",
        (a: AuthorizerValue, p: string) => new PathCheck(a, p),
      )
      .registerFunction(
        "Authorizer.group(string): GroupCheck",
        (a: AuthorizerValue, g: string) => new GroupCheck(a, g),
      )
      .registerFunction(
        "GroupCheck.resource(string): ResourceCheck",
        (g: GroupCheck, r: string) => new ResourceCheck(g.authz, g.group, r),
      )
      .registerFunction(
        "ResourceCheck.subresource(string): ResourceCheck",
        (r: ResourceCheck, s: string) => r.with("subresource", s),
      )
      .registerFunction(
        "ResourceCheck.namespace(string): ResourceCheck",
        (r: ResourceCheck, s: string) => r.with("namespace", s),
      )
      .registerFunction(
        "ResourceCheck.name(string): ResourceCheck",
        (r: ResourceCheck, s: string) => r.with("name", s),
      )
      .registerFunction(
        "ResourceCheck.check(string): Decision",
        (r: ResourceCheck, verb: string) =>
          decide(r.authz, {
            verb,
            isResourceRequest: true,
            apiGroup: r.group,
            resource: r.resource,
            subresource: r.subresource,
            namespace: r.namespace,
            name: r.name,
          }),
      )
      .registerFunction(
        "PathCheck.check(string): Decision",
        (p: PathCheck, verb: string) =>
          decide(p.authz, { verb, isResourceRequest: false, path: p.path }),
      )
      .registerFunction(
        "Decision.allowed(): bool",
        (d: DecisionValue) => d.allowed,
      )
      .registerFunction(
        "Decision.reason(): string",
        (d: DecisionValue) => d.reason,
      )
      .registerFunction(
        "Decision.errored(): bool",
        (d: DecisionValue) => d.error !== "",
      )
      .registerFunction(
        "Decision.error(): string",
        (d: DecisionValue) => d.error,
      )
      // Reaches the environment's evaluator once, to meter it.
      .registerFunction("__hyperplaneEvaluator(ast): dyn", () => ({
        typeCheck: (c: { getType(t: string): unknown }) => c.getType("dyn"),
        evaluate: (ev: Evaluator) => {
          evaluator = ev;
          return null;
        },
      }))
      .registerVariable("object", "dyn")
      .registerVariable("oldObject", "dyn")
      .registerVariable("request", "dyn")
      .registerVariable("namespaceObject", "dyn")
      .registerVariable("variables", "dyn")
      .registerVariable("authorizer", "Authorizer");
    if (scope.params) env.registerVariable("params", "dyn");
    registerKubernetesLibrary(env);
    env.evaluate("__hyperplaneEvaluator(0)", {});
    if (!evaluator) throw new Error("cel-js: evaluator not reachable");
    const meterOf = () => this.#meter;
    const ev = evaluator;
    ev.run = function (ast, ctx) {
      const m = meterOf();
      if (m !== undefined) {
        m.used++;
        if (m.used > m.callLimit) throw new CostLimitError(CALL_LIMIT_MESSAGE);
        if (m.used > m.budget) throw new CostLimitError(BUDGET_MESSAGE);
      }
      return ast.evaluate(this, ast, ctx);
    };
    this.env = env;
  }

  /** Runs `p` charging `meter`; a promise for asynchronous expressions. */
  run(
    p: CompiledExpression,
    vars: Record<string, unknown>,
    meter: CostMeter,
  ): unknown {
    if (p.async) {
      const run = this.#asyncTail.then(() => this.#runAsync(p, vars, meter));
      this.#asyncTail = run.catch(() => {});
      return run;
    }
    const prev = this.#meter;
    const prevLimit = meter.callLimit;
    if (prev !== meter) meter.callLimit = meter.used + PER_CALL_LIMIT;
    this.#meter = meter;
    try {
      return p.program(vars);
    } finally {
      this.#meter = prev;
      meter.callLimit = prevLimit;
    }
  }

  async #runAsync(
    p: CompiledExpression,
    vars: Record<string, unknown>,
    meter: CostMeter,
  ): Promise<unknown> {
    meter.callLimit = meter.used + PER_CALL_LIMIT;
    this.#meter = meter;
    try {
      return await p.program(vars);
    } finally {
      this.#meter = undefined;
    }
  }
}

/**
 * Compiles and runs policy expressions; one per plugin instance. Its two
 * environments are built by the first expression that needs one: building
 * them (the Kubernetes library, the authorizer types) costs milliseconds, and
 * the server creates several `PolicyCel`s at start that may never see an
 * expression (issue 21: start to `/readyz`).
 */
export class PolicyCel {
  #withParams?: MeteredEnvironment;
  #withoutParams?: MeteredEnvironment;

  #envFor(scope: CelScope): MeteredEnvironment {
    return scope.params
      ? this.#withParams ??= new MeteredEnvironment({ params: true })
      : this.#withoutParams ??= new MeteredEnvironment({ params: false });
  }

  /**
   * Compiles `expression`; `variables` are the names declared before it
   * (a reference to another is a compile error, as upstream), `returns` the
   * result types it may have (upstream's names: `bool`, `string`,
   * `null_type`). Returns the program or upstream's error
   * (`compilation failed: ERROR: <input>:l:c: …`, `must evaluate to bool`).
   * A `dyn` result is accepted (cel-js types `variables.x` as `dyn` where
   * upstream knows the variable's type).
   */
  compile(
    expression: string,
    scope: CelScope,
    variables?: readonly string[],
    returns?: readonly string[],
  ): CompiledExpression | { error: string } {
    const env = this.#envFor(scope).env;
    let program: Program;
    let type: string | undefined;
    try {
      program = env.parse(expression);
      const checked = program.check();
      if (!checked.valid) throw checked.error ?? new Error("invalid");
      type = checked.type === "null" ? "null_type" : checked.type;
    } catch (e) {
      const at = (e as { range?: { start: number } }).range?.start;
      return {
        error: `compilation failed: ERROR: ${position(expression, at)}${
          celMessage(e)
        }`,
      };
    }
    if (variables) {
      for (const m of expression.matchAll(VARIABLE_REF)) {
        if (!variables.includes(m[1])) {
          return {
            error: `compilation failed: ERROR: ${
              position(expression, m.index)
            }undefined field '${m[1]}'`,
          };
        }
      }
    }
    if (
      returns && type !== undefined && type !== "dyn" && !returns.includes(type)
    ) {
      return {
        error: returns.length === 1
          ? `must evaluate to ${returns[0]}`
          : `must evaluate to one of [${returns.join(" ")}]`,
      };
    }
    return {
      expression,
      program,
      async: /\bauthorizer\b/.test(expression),
    };
  }

  /** Evaluates `p` in `scope` charging `meter` (a promise when async). */
  run(
    p: CompiledExpression,
    scope: CelScope,
    vars: Record<string, unknown>,
    meter: CostMeter,
  ): unknown {
    return this.#envFor(scope).run(p, vars, meter);
  }
}

/** A JSON value as CEL sees it: integral numbers are `int`. */
export function toCel(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCel);
  if (typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      out[k] = toCel(x);
    }
    return out;
  }
  return v;
}

/** A CEL result as JSON (for audit annotation values, messages). */
export function fromCel(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(fromCel);
  if (v && typeof v === "object" && v.constructor === Object) {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map((
        [k, x],
      ) => [k, fromCel(x)]),
    );
  }
  return v;
}
