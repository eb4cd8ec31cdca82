/**
 * `matchConditions`: CEL expressions (with `@marcbachmann/cel-js`, as CRD
 * validation rules) over `object`, `oldObject` and `request` (the
 * AdmissionRequest the webhook would receive). As upstream's matcher: any
 * condition that is `false` skips the webhook; errors without a `false`
 * fall to the failure policy (Fail: the write is refused, Ignore: the
 * webhook is skipped). The `authorizer` variable is declared so
 * expressions using it compile, but it is not bound: using it is an
 * evaluation error (then the failure policy decides).
 *
 * @module
 */

import { Environment } from "@marcbachmann/cel-js";
import type { MatchCondition } from "./types.ts";

type Program = ReturnType<Environment["parse"]>;

/** The outcome of a webhook's match conditions. */
export type MatchConditionResult =
  | { matches: true }
  | { matches: false; failedCondition?: string }
  | { error: string };

/** JSON as CEL sees it: integral numbers are CEL `int` (BigInt). */
function toCel(v: unknown): unknown {
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCel);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toCel(x);
    return out;
  }
  return v;
}

/** Compiles and evaluates match conditions; owns a program cache. */
export class MatchConditionEvaluator {
  #env = new Environment({ homogeneousAggregateLiterals: false })
    .registerVariable("object", "dyn")
    .registerVariable("oldObject", "dyn")
    .registerVariable("request", "dyn")
    .registerVariable("authorizer", "dyn");
  #programs = new Map<string, Program>();

  #program(expr: string): Program {
    let p = this.#programs.get(expr);
    if (!p) {
      p = this.#env.parse(expr);
      const checked = p.check();
      if (!checked.valid) throw checked.error ?? new Error("invalid");
      if (this.#programs.size < 4096) this.#programs.set(expr, p);
    }
    return p;
  }

  /**
   * Evaluates `conditions` against the request (`request.object` and
   * `request.oldObject` become `object` and `oldObject`).
   */
  evaluate(
    conditions: readonly MatchCondition[],
    request: Record<string, unknown>,
  ): MatchConditionResult {
    if (conditions.length === 0) return { matches: true };
    const vars = {
      object: toCel(request.object ?? null),
      oldObject: toCel(request.oldObject ?? null),
      request: toCel(request),
    };
    const errors: string[] = [];
    for (const c of conditions) {
      let result: unknown;
      try {
        result = this.#program(c.expression)(vars);
      } catch (e) {
        errors.push(
          `expression '${c.expression}' resulted in error: ${
            e instanceof Error ? e.message : String(e)
          }`,
        );
        continue;
      }
      if (result === false) return { matches: false, failedCondition: c.name };
      if (result !== true) {
        errors.push(
          `expression '${c.expression}' resulted in error: no such overload: expected a bool`,
        );
      }
    }
    if (errors.length === 1) return { error: errors[0] };
    if (errors.length > 1) return { error: `[${errors.join(", ")}]` };
    return { matches: true };
  }
}
