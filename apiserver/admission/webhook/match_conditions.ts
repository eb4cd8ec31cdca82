/**
 * `matchConditions`: CEL expressions over `object`, `oldObject`, `request`
 * (the AdmissionRequest the webhook would receive) and `authorizer`
 * (upstream's authorizer library, for the request's user in the request's
 * cluster), evaluated in the admission policies' CEL environment
 * (`../policy/cel.ts`: the same compile errors, authorizer library and
 * runtime cost limit). As upstream's matcher: any condition that is `false`
 * skips the webhook; errors without a `false` fall to the failure policy
 * (Fail: the write is refused, Ignore: the webhook is skipped).
 *
 * @module
 */

import type { Authorizer } from "../../authz/authorizer.ts";
import type { AdmissionAttributes } from "../admission.ts";
import {
  AuthorizerValue,
  celMessage,
  type CompiledExpression,
  CostMeter,
  PolicyCel,
  ResourceCheck,
  toCel,
} from "../policy/cel.ts";
import type { MatchCondition } from "./types.ts";

/** The outcome of a webhook's match conditions. */
export type MatchConditionResult =
  | { matches: true }
  | { matches: false; failedCondition?: string }
  | { error: string };

const SCOPE = { params: false };

/** Compiles (once per expression) and evaluates match conditions. */
export class MatchConditionEvaluator {
  readonly #cel = new PolicyCel();
  readonly #authorizer?: Authorizer;
  readonly #compiled = new Map<
    string,
    CompiledExpression | { error: string }
  >();

  /** `authorizer` backs the `authorizer` variable (absent: using it errs). */
  constructor(authorizer?: Authorizer) {
    this.#authorizer = authorizer;
  }

  #compile(expr: string): CompiledExpression | { error: string } {
    let c = this.#compiled.get(expr);
    if (!c) {
      c = this.#cel.compile(expr, SCOPE);
      if (this.#compiled.size < 4096) this.#compiled.set(expr, c);
    }
    return c;
  }

  #authorizerFor(attrs: AdmissionAttributes): AuthorizerValue | null {
    if (!this.#authorizer) return null;
    const checker = new AuthorizerValue(
      this.#authorizer,
      attrs.user,
      attrs.cluster,
      new ResourceCheck(undefined, "", ""),
    );
    return new AuthorizerValue(
      this.#authorizer,
      attrs.user,
      attrs.cluster,
      new ResourceCheck(
        checker,
        attrs.group,
        attrs.resource,
        attrs.subresource,
        attrs.namespace,
        attrs.name,
      ),
    );
  }

  /**
   * Evaluates `conditions` for the write `attrs`, whose AdmissionRequest is
   * `request` (`request.object`/`oldObject` become `object`/`oldObject`).
   */
  async evaluate(
    conditions: readonly MatchCondition[],
    request: Record<string, unknown>,
    attrs: AdmissionAttributes,
  ): Promise<MatchConditionResult> {
    if (conditions.length === 0) return { matches: true };
    const vars = {
      object: toCel(request.object),
      oldObject: toCel(request.oldObject),
      request: toCel(request),
      namespaceObject: null,
      variables: {},
      authorizer: this.#authorizerFor(attrs),
    };
    const meter = new CostMeter();
    const errors: string[] = [];
    for (const c of conditions) {
      const compiled = this.#compile(c.expression);
      let result: unknown;
      try {
        if ("error" in compiled) throw new Error(compiled.error);
        result = this.#cel.run(compiled, SCOPE, vars, meter);
        if (result instanceof Promise) result = await result;
      } catch (e) {
        errors.push(
          `expression '${c.expression}' resulted in error: ${celMessage(e)}`,
        );
        continue;
      }
      if (result === false) return { matches: false, failedCondition: c.name };
      if (result !== true) {
        errors.push(
          `expression '${c.expression}' resulted in error: no such overload`,
        );
      }
    }
    if (errors.length === 1) return { error: errors[0] };
    if (errors.length > 1) return { error: `[${errors.join(", ")}]` };
    return { matches: true };
  }
}
