/**
 * The `ValidatingAdmissionPolicy` admission plugin: for every write, the
 * bindings of the request's cluster whose policy and `matchResources`
 * select it are evaluated (per param), and their decisions applied by the
 * binding's `validationActions` — `Deny` refuses with upstream's message
 * and status reason/code, `Warn` adds a `Warning` header, `Audit` logs.
 *
 * Policies and bindings are read through their stores (the watch cache) by
 * one watch each across clusters, indexed per cluster; a policy is compiled
 * once per generation, and its `status` (`observedGeneration`,
 * `typeChecking`) written back by this plugin, as upstream's type-checking
 * controller does.
 *
 * @module
 */

import {
  clusterFromKey,
  isStorageError,
  type KubeObject,
  nameFromKey,
  notFound,
  resourcePrefix,
} from "../../../storage/mod.ts";
import type { Logger } from "../../../log/mod.ts";
import { builtinSchema } from "../../resources/kind_tables.ts";
import { ApiError } from "../../status/mod.ts";
import { ClusterIndex } from "../../watch_index/mod.ts";
import type { ResourceDefinition } from "../../resources/types.ts";
import type { AdmissionAttributes, ValidatingAdmission } from "../admission.ts";
import type { AdmissionContext, AdmissionPlugins } from "../builtin.ts";
import { PolicyCel, toCel } from "./cel.ts";
import {
  type CheckedKind,
  type CompiledPolicy,
  compilePolicy,
  typeCheckWarnings,
} from "./compile.ts";
import { evaluatePolicy, type PolicyDecision } from "./evaluate.ts";
import {
  type Equivalent,
  type MatchContext,
  matches,
  type MatchRequest,
  type RequestResource,
} from "./matching.ts";
import {
  ADMISSION_GROUP,
  type BindingObject,
  BINDINGS,
  POLICIES,
  type PolicyObject,
} from "./types.ts";
import {
  activationOf,
  equivalentsOf,
  namespaceObject,
  paramsOf,
} from "./_request.ts";

/** The plugin's name. */
export const PLUGIN_NAME = "ValidatingAdmissionPolicy";

interface Bound {
  binding: BindingObject;
  policy: CompiledPolicy;
}

interface ClusterPolicies {
  bound: Bound[];
  needsNamespace: boolean;
}

const REASON_CODES: Record<string, number> = {
  Forbidden: 403,
  Unauthorized: 401,
  RequestEntityTooLarge: 413,
  Invalid: 422,
};

/** The plugin and the background work (index, status writer) behind it. */
export class PolicyPlugin implements ValidatingAdmission {
  readonly name = PLUGIN_NAME;
  readonly #ctx: AdmissionContext;
  readonly #log: Logger;
  readonly #cel = new PolicyCel();
  readonly #policies: ClusterIndex;
  readonly #bindings: ClusterIndex;
  readonly #policyDef: ResourceDefinition;
  readonly #compiled = new Map<string, CompiledPolicy>();
  readonly #snapshots = new Map<string, ClusterPolicies>();
  readonly #statusQueue = new Set<string>();
  #statusRunning: Promise<void> | undefined;
  #synced = false;
  #ready: Promise<void>;

  constructor(
    ctx: AdmissionContext,
    policyDef: ResourceDefinition,
    bindingDef: ResourceDefinition,
  ) {
    this.#ctx = ctx;
    this.#log = ctx.logger.with({ component: "admission-policy" });
    this.#policyDef = policyDef;
    const index = (def: ResourceDefinition, resource: string) => {
      const prefix = resourcePrefix({ group: ADMISSION_GROUP, resource });
      return {
        store: ctx.storeFor(def),
        prefix,
        signal: ctx.signal,
        name: "policy",
        logger: this.#log.with({ prefix }),
      };
    };
    this.#policies = new ClusterIndex({
      ...index(policyDef, POLICIES),
      onChange: (cluster, key) => {
        this.#snapshots.delete(cluster);
        const name = nameFromKey(key);
        if (this.#policies.cluster(cluster)?.has(name)) this.#queueStatus(key);
        else this.#compiled.delete(`${cluster}/${name}`);
      },
    });
    this.#bindings = new ClusterIndex({
      ...index(bindingDef, BINDINGS),
      onChange: (cluster) => this.#snapshots.delete(cluster),
    });
    this.#ready = Promise.all([this.#policies.start(), this.#bindings.start()])
      .then(() => {
        this.#synced = true;
      });
    this.#ready.catch(() => {});
  }

  /** Resolves once both indexes hold their initial state. */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Waits for the watches and the status writer to end (after the signal). */
  async close(): Promise<void> {
    await Promise.allSettled([
      this.#policies.closed(),
      this.#bindings.closed(),
      this.#statusRunning,
    ]);
  }

  // --- the index ---

  /** The policy compiled, once per uid and generation. */
  #compile(cluster: string, policy: PolicyObject): CompiledPolicy {
    const id = `${cluster}/${policy.metadata.name ?? ""}`;
    let c = this.#compiled.get(id);
    if (
      !c || c.uid !== (policy.metadata.uid ?? "") ||
      c.generation !== (policy.metadata.generation ?? 0)
    ) {
      c = compilePolicy(this.#cel, policy);
      this.#compiled.set(id, c);
    }
    return c;
  }

  #snapshot(cluster: string): ClusterPolicies | undefined {
    let s = this.#snapshots.get(cluster);
    if (s) return s;
    const bindings = this.#bindings.cluster(cluster);
    const policies = this.#policies.cluster(cluster);
    const bound: Bound[] = [];
    let needsNamespace = false;
    if (bindings && policies) {
      const names = [...bindings.keys()].sort();
      for (const name of names) {
        const binding = bindings.get(name)!.object as BindingObject;
        const p = policies.get(binding.spec?.policyName ?? "");
        if (!p) continue; // upstream ignores bindings of missing policies
        const policy = this.#compile(cluster, p.object as PolicyObject);
        bound.push({ binding, policy });
        const sels = [
          policy.spec.matchConstraints?.namespaceSelector,
          binding.spec?.matchResources?.namespaceSelector,
        ];
        if (
          policy.usesNamespaceObject ||
          sels.some((s) =>
            s && (Object.keys(s.matchLabels ?? {}).length > 0 ||
              (s.matchExpressions ?? []).length > 0)
          )
        ) needsNamespace = true;
      }
    }
    s = { bound, needsNamespace };
    this.#snapshots.set(cluster, s);
    return s;
  }

  // --- status (upstream's type-checking controller) ---

  #queueStatus(key: string): void {
    this.#statusQueue.add(key);
    if (this.#statusRunning) return;
    this.#statusRunning = (async () => {
      await Promise.resolve();
      while (this.#statusQueue.size > 0 && !this.#ctx.signal.aborted) {
        const [next] = this.#statusQueue;
        this.#statusQueue.delete(next);
        try {
          await this.#writeStatus(next);
        } catch (e) {
          if (!isStorageError(e, "NotFound")) {
            this.#log.warn("policy status update failed", {
              key: next,
              error: String(e),
            });
          }
        }
      }
      this.#statusRunning = undefined;
    })();
  }

  #checkedKinds(cluster: string, policy: CompiledPolicy): CheckedKind[] {
    const out: CheckedKind[] = [];
    for (const r of policy.spec.matchConstraints?.resourceRules ?? []) {
      for (const g of r.apiGroups ?? []) {
        for (const v of r.apiVersions ?? []) {
          for (const res of r.resources ?? []) {
            if ([g, v, res].some((x) => x.includes("*") || x.includes("/"))) {
              continue;
            }
            const def = this.#ctx.lookup(cluster, g, v, res);
            const schema = def &&
              (def.schema ?? builtinSchema(def.group, def.version, def.kind));
            if (!def || !schema) continue;
            out.push({ label: `${g}/${v}, Kind=${def.kind}`, schema });
          }
        }
      }
    }
    return out;
  }

  async #writeStatus(key: string): Promise<void> {
    const store = this.#ctx.storeFor(this.#policyDef);
    await store.guaranteedUpdate(key, {
      tryUpdate: (cur) => {
        if (!cur) throw notFound(key);
        const policy = cur as PolicyObject;
        const gen = policy.metadata.generation ?? 0;
        const status = (policy.status ?? {}) as Record<string, unknown>;
        if (status.observedGeneration === gen && status.typeChecking) {
          return cur;
        }
        const cluster = clusterFromKey(key) ?? "root";
        const compiled = this.#compile(cluster, policy);
        const warnings = typeCheckWarnings(
          compiled,
          this.#checkedKinds(cluster, compiled),
        );
        return {
          ...cur,
          status: {
            ...status,
            observedGeneration: gen,
            typeChecking: warnings.length
              ? { expressionWarnings: warnings }
              : {},
          },
        };
      },
    });
  }

  // --- admission ---

  async validate(attrs: AdmissionAttributes): Promise<void> {
    if (!this.#synced) await this.#ready;
    const snap = this.#snapshot(attrs.cluster);
    if (!snap || snap.bound.length === 0) return;
    // Policies never apply to themselves (upstream: cannot be matched).
    if (
      attrs.group === ADMISSION_GROUP &&
      (attrs.resource === POLICIES || attrs.resource === BINDINGS)
    ) return;
    const def = this.#ctx.lookup(
      attrs.cluster,
      attrs.group,
      attrs.version,
      attrs.resource,
    );
    const req: MatchRequest = {
      group: attrs.group,
      version: attrs.version,
      resource: attrs.resource,
      kind: attrs.kind,
      namespaced: def?.namespaced ?? attrs.namespace !== "",
      operation: attrs.operation,
      subresource: attrs.subresource,
      namespace: attrs.namespace,
      name: attrs.name,
      object: attrs.object,
      oldObject: attrs.oldObject,
    };
    const nsObject = snap.needsNamespace && attrs.namespace !== ""
      ? await namespaceObject(this.#ctx, attrs.cluster, attrs.namespace)
      : undefined;
    let equivalents: Equivalent[] | undefined;
    const mctx: MatchContext = {
      namespaceLabels: () => nsObject?.metadata.labels,
      equivalents: () =>
        equivalents ??= equivalentsOf(this.#ctx, attrs.cluster, def, req),
    };
    const activations = new Map<RequestResource, Record<string, unknown>>();
    const uid = crypto.randomUUID(); // one per request, as upstream's
    const activation = (
      res: RequestResource,
      convert?: (o: KubeObject) => KubeObject,
    ) => {
      let a = activations.get(res);
      if (!a) {
        a = activationOf(
          this.#ctx,
          attrs,
          req,
          res,
          convert,
          nsObject,
          uid,
        );
        activations.set(res, a);
      }
      return a;
    };
    let denied: { bound: Bound; decision: PolicyDecision } | undefined;
    for (const b of snap.bound) {
      const spec = b.policy.spec;
      const pm = matches(spec.matchConstraints, req, mctx, true);
      if (!pm) continue;
      const bm = matches(b.binding.spec?.matchResources, req, mctx, false);
      if (!bm) continue;
      const base = activation(pm.resource, pm.convert);
      let params: unknown[];
      try {
        params = await paramsOf(this.#ctx, spec, b.binding.spec, attrs);
      } catch (e) {
        if (b.policy.failurePolicy === "Ignore") continue;
        denied ??= {
          bound: b,
          decision: {
            action: "deny",
            message: `failed to configure binding: ${(e as Error).message}`,
          },
        };
        continue;
      }
      for (const param of params) {
        const vars = spec.paramKind != null
          ? { ...base, params: param === null ? null : toCel(param) }
          : base;
        const result = await evaluatePolicy(this.#cel, b.policy, vars);
        if (Object.keys(result.audit).length > 0) {
          this.#log.info("admission policy audit annotations", {
            cluster: attrs.cluster,
            policy: b.policy.name,
            binding: b.binding.metadata.name,
            annotations: result.audit,
          });
        }
        for (const d of result.decisions) {
          if (d.action !== "deny") continue;
          this.#apply(b, d, attrs, (x) => denied ??= x);
        }
      }
    }
    if (denied) throw this.#denial(denied.bound, denied.decision, attrs);
  }

  #apply(
    b: Bound,
    d: PolicyDecision,
    attrs: AdmissionAttributes,
    deny: (x: { bound: Bound; decision: PolicyDecision }) => void,
  ): void {
    const binding = b.binding.metadata.name ?? "";
    for (const action of b.binding.spec?.validationActions ?? []) {
      switch (action) {
        case "Deny":
          deny({ bound: b, decision: d });
          break;
        case "Warn":
          attrs.warnings?.push(
            `Validation failed for ValidatingAdmissionPolicy '${b.policy.name}' with binding '${binding}': ${d.message}`,
          );
          break;
        case "Audit":
          this.#log.info("admission policy validation failure", {
            cluster: attrs.cluster,
            "validation.policy.admission.k8s.io/validation_failure": [{
              message: d.message,
              policy: b.policy.name,
              binding,
              expressionIndex: 0,
              validationActions: b.binding.spec?.validationActions,
            }],
          });
          break;
      }
    }
  }

  /** Upstream's denial: `admission.NewForbidden` with the decision's reason. */
  #denial(b: Bound, d: PolicyDecision, attrs: AdmissionAttributes): ApiError {
    const message =
      `ValidatingAdmissionPolicy '${b.policy.name}' with binding '${b.binding.metadata.name}' denied request: ${d.message}`;
    const reason = d.reason || "Invalid";
    const gr = attrs.group
      ? `${attrs.resource}.${attrs.group}`
      : attrs.resource;
    const name = attrs.name || attrs.object?.metadata.generateName ||
      "Unknown";
    const details: Record<string, unknown> = { name };
    if (attrs.group) details.group = attrs.group;
    details.kind = attrs.resource;
    details.causes = [{ message }];
    return new ApiError(
      REASON_CODES[reason] ?? 500,
      reason,
      `${gr} "${name}" is forbidden: ${message}`,
      details,
    );
  }
}

/** The plugin factory for `BUILTIN_ADMISSION`. */
export function validatingAdmissionPolicy(
  ctx: AdmissionContext,
): AdmissionPlugins {
  const policyDef = ctx.builtin(ADMISSION_GROUP, "v1", POLICIES);
  const bindingDef = ctx.builtin(ADMISSION_GROUP, "v1", BINDINGS);
  if (!policyDef || !bindingDef) return {};
  const plugin = new PolicyPlugin(ctx, policyDef, bindingDef);
  return { validating: [plugin], close: () => plugin.close() };
}
