/**
 * One evaluation of a compiled policy (for one binding and one param), as
 * upstream's `validating.validator`: match conditions first (any `false`
 * skips the policy), then every validation, then the audit annotations.
 * Variables are lazy (`variables.x` is computed on first use, once); errors
 * — compile errors kept from compilation, runtime errors, cost limits — are
 * decisions of their own that the failure policy turns into a denial
 * (`Fail`) or ignores (`Ignore`).
 *
 * @module
 */

import {
  BUDGET_MESSAGE,
  celMessage,
  CostLimitError,
  CostMeter,
  fromCel,
  type PolicyCel,
} from "./cel.ts";
import type { Compiled, CompiledPolicy } from "./compile.ts";

/** What one validation (or the policy set-up) decided. */
export interface PolicyDecision {
  action: "admit" | "deny";
  /** The decision comes from an error (compile, runtime, cost). */
  error?: boolean;
  message: string;
  /** `Invalid` (default), `Forbidden`, `Unauthorized`, `RequestEntityTooLarge`. */
  reason?: string;
}

/** The outcome of one evaluation. */
export interface EvaluationResult {
  decisions: PolicyDecision[];
  /** Audit annotations (`<policy>/<key>` → value). */
  audit: Record<string, string>;
}

/** The CEL variables of one evaluation (already in CEL form). */
export type Activation = Record<string, unknown>;

const MAX_MESSAGE_BYTES = 5 * 1024;

/** The value of `c`, or a promise of it when the expression is async. */
function run(
  cel: PolicyCel,
  p: CompiledPolicy,
  c: Compiled,
  vars: Activation,
  meter: CostMeter,
): unknown {
  if ("error" in c) throw new CompileError(c.error);
  return cel.run(c, p.scope, vars, meter);
}

class CompileError extends Error {}

function errorMessage(expression: string, e: unknown): string {
  if (e instanceof CompileError) return `compilation error: ${e.message}`;
  return `expression '${expression}' resulted in error: ${celMessage(e)}`;
}

function failed(p: CompiledPolicy, message: string): PolicyDecision {
  return {
    action: p.failurePolicy === "Fail" ? "deny" : "admit",
    error: true,
    message,
  };
}

/** Defines `variables.<name>` as lazy getters, in order. */
async function variablesOf(
  cel: PolicyCel,
  p: CompiledPolicy,
  vars: Activation,
  meter: CostMeter,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const v of p.variables) {
    const c = v.expression;
    if (!("error" in c) && c.async) {
      // An authorizer call cannot be lazy in a synchronous getter.
      let value: unknown;
      let err: unknown;
      try {
        value = await run(cel, p, c, vars, meter);
      } catch (e) {
        err = e;
      }
      Object.defineProperty(out, v.name, {
        enumerable: true,
        get() {
          if (err !== undefined) throw err;
          return value;
        },
      });
      continue;
    }
    let state: { value?: unknown; err?: unknown } | undefined;
    Object.defineProperty(out, v.name, {
      enumerable: true,
      get() {
        if (!state) {
          if ("error" in c) state = { err: new CompileError(c.error) };
          else {
            try {
              state = { value: cel.run(c, p.scope, vars, meter) };
            } catch (e) {
              state = { err: e };
            }
          }
        }
        if (state.err !== undefined) throw state.err;
        return state.value;
      },
    });
  }
  return out;
}

/** Evaluates `p` with `base` (object, oldObject, request, params, …). */
export async function evaluatePolicy(
  cel: PolicyCel,
  p: CompiledPolicy,
  base: Activation,
): Promise<EvaluationResult> {
  const meter = new CostMeter();
  const vars: Activation = { ...base };
  const audit: Record<string, string> = {};
  const decisions: PolicyDecision[] = [];
  // Match conditions see no variables (upstream evaluates them first).
  let matchError: string | undefined;
  for (const mc of p.matchConditions) {
    let r: unknown;
    try {
      r = run(cel, p, mc.expression, vars, meter);
      if (r instanceof Promise) r = await r;
    } catch (e) {
      matchError ??= `matchCondition '${mc.name}': ${
        errorMessage(
          "error" in mc.expression ? "" : mc.expression.expression,
          e,
        )
      }`;
      continue;
    }
    if (r !== true) return { decisions, audit };
  }
  if (matchError !== undefined) {
    return { decisions: [failed(p, matchError)], audit };
  }
  if (p.variables.length > 0) {
    vars.variables = await variablesOf(cel, p, vars, meter);
  }
  for (const v of p.validations) {
    const expr = v.validation.expression;
    let r: unknown;
    try {
      r = run(cel, p, v.expression, vars, meter);
      if (r instanceof Promise) r = await r;
    } catch (e) {
      if (e instanceof CostLimitError && e.message === BUDGET_MESSAGE) {
        decisions.push(failed(p, BUDGET_MESSAGE));
        return { decisions, audit };
      }
      decisions.push(failed(p, errorMessage(expr, e)));
      continue;
    }
    if (r === true) {
      decisions.push({ action: "admit", message: "" });
      continue;
    }
    let message = "";
    if (v.message) {
      try {
        let m = run(cel, p, v.message, vars, meter);
        if (m instanceof Promise) m = await m;
        if (typeof m === "string") {
          message = m.trim();
          if (message.length > MAX_MESSAGE_BYTES || message.includes("\n")) {
            message = "";
          }
        }
      } catch {
        // Falls back to the static message, as upstream.
      }
    }
    if (message === "" && v.validation.message) {
      message = v.validation.message.trim();
    }
    if (message === "") message = `failed expression: ${expr.trim()}`;
    decisions.push({
      action: "deny",
      message,
      reason: v.validation.reason || "Invalid",
    });
  }
  for (const a of p.auditAnnotations) {
    try {
      let r = run(cel, p, a.expression, vars, meter);
      if (r instanceof Promise) r = await r;
      if (typeof r === "string" && r !== "") audit[`${p.name}/${a.key}`] = r;
      else if (r !== null && r !== undefined && typeof r !== "string") {
        audit[`${p.name}/${a.key}`] = JSON.stringify(fromCel(r));
      }
    } catch (e) {
      decisions.push(
        failed(
          p,
          errorMessage(
            "error" in a.expression ? "" : a.expression.expression,
            e,
          ),
        ),
      );
    }
  }
  return { decisions, audit };
}
