/**
 * The two webhook admission plugins, as upstream's dispatchers:
 *
 * - **mutating** calls the matching webhooks of the write's cluster one
 *   after another (configurations sorted by name, webhooks in order), each
 *   on the previous one's output, and applies each `JSONPatch`; webhooks
 *   with `reinvocationPolicy: IfNeeded` are called once more when a later
 *   webhook changed the object; on a delete (webhooks whose rules name
 *   `DELETE`) they may refuse, and a patch is a 500 (nothing to patch);
 * - **validating** calls the matching webhooks in parallel; the first
 *   refusal (in configuration order) wins.
 *
 * A refusal (`allowed: false`) is the webhook's `status` with upstream's
 * message (`admission webhook "x" denied the request: …`, at least 400). A
 * failed call (no answer, timeout, garbage, protocol errors) follows the
 * failure policy: `Fail` → 500 `Internal error occurred: failed calling
 * webhook "x": …`, `Ignore` → logged and skipped. A dry run never reaches a
 * webhook whose `sideEffects` is not `None`/`NoneOnDryRun` (400 `admission
 * webhook "x" does not support dry run`). Warnings go to the response's
 * `Warning` headers; audit annotations are ignored.
 *
 * @module
 */

import { isDeepStrictEqual } from "node:util";
import type { KubeObject } from "../../../storage/mod.ts";
import type { Logger } from "../../../log/mod.ts";
import type { Authorizer } from "../../authz/authorizer.ts";
import type {
  AdmissionAttributes,
  MutatingAdmission,
  ValidatingAdmission,
} from "../admission.ts";
import {
  ApiError,
  badRequestError,
  forbiddenError,
  internalError,
} from "../../status/mod.ts";
import { CallingWebhookError, type WebhookClients } from "./client.ts";
import { MatchConditionEvaluator } from "./match_conditions.ts";
import {
  applyAnswer,
  checkDeleteAnswer,
  dropUndeclared,
  keepIdentity,
} from "./mutation.ts";
import {
  type EquivalentResource,
  type Invocation,
  matchRules,
  namespaceSelectorMatches,
  objectSelectorMatches,
} from "./matching.ts";
import {
  admissionRequest,
  type AdmissionResult,
  admissionReview,
  InvalidResponseError,
  reviewVersionFor,
  verifyAdmissionResponse,
} from "./review.ts";
import type { Webhook, WebhookAccessor } from "./types.ts";

/** Where the plugins find configurations and what they may read. */
export interface WebhookDispatchOptions {
  /** The configurations of a cluster, sorted by name. */
  configurations(cluster: string): readonly KubeObject[];
  /** Resolves once the configurations are loaded. */
  ready(): Promise<void>;
  /** Labels of a namespace; throws the 404 `ApiError` of a missing one. */
  namespaceLabels(
    cluster: string,
    name: string,
  ): Promise<Record<string, string>>;
  /** Other served versions of `group`/`resource` in `cluster` (Equivalent). */
  equivalents(
    cluster: string,
    group: string,
    resource: string,
  ): readonly EquivalentResource[];
  clients: WebhookClients;
  /** Backs `authorizer` in match conditions. */
  authorizer?: Authorizer;
  logger?: Logger;
}

const accessorCache = new WeakMap<KubeObject, WebhookAccessor[]>();

/** The webhooks of configurations, in order, with upstream's uids. */
export function accessorsOf(
  configs: readonly KubeObject[],
): WebhookAccessor[] {
  const out: WebhookAccessor[] = [];
  for (const c of configs) {
    let list = accessorCache.get(c);
    if (!list) {
      const name = c.metadata.name ?? "";
      const hooks = Array.isArray(c.webhooks) ? c.webhooks as Webhook[] : [];
      list = hooks.map((webhook, i) => ({
        uid: `${name}/${webhook.name}/${i}`,
        configurationName: name,
        webhook,
      }));
      accessorCache.set(c, list);
    }
    out.push(...list);
  }
  return out;
}

/** Upstream's `webhookerrors.ToStatusErr`. */
export function toStatusError(
  webhookName: string,
  status: Record<string, unknown> | undefined,
): ApiError {
  const deniedBy = `admission webhook ${
    JSON.stringify(webhookName)
  } denied the request`;
  const s = status ?? {};
  let code = typeof s.code === "number" ? s.code : 0;
  if (code < 400) code = 400;
  const reason = typeof s.reason === "string" ? s.reason : "";
  const msg = typeof s.message === "string" ? s.message : "";
  const message = msg
    ? `${deniedBy}: ${msg}`
    : reason
    ? `${deniedBy}: ${reason}`
    : `${deniedBy} without explanation`;
  const details = s.details && typeof s.details === "object"
    ? s.details as ApiError["details"]
    : undefined;
  return new ApiError(code, reason, message, details);
}

/**
 * Upstream's `IsExemptAdmissionConfigurationResource`: webhooks never see
 * writes of the admission configuration kinds, so a broken webhook cannot
 * lock its own configuration.
 */
const EXEMPT = new Set([
  "validatingwebhookconfigurations",
  "mutatingwebhookconfigurations",
  "validatingadmissionpolicies",
  "validatingadmissionpolicybindings",
  "mutatingadmissionpolicies",
  "mutatingadmissionpolicybindings",
]);

function isExemptConfiguration(attrs: AdmissionAttributes): boolean {
  return attrs.group === "admissionregistration.k8s.io" &&
    EXEMPT.has(attrs.resource);
}

type NamespaceLabels = (name: string) => Promise<Record<string, string>>;

interface Matched {
  acc: WebhookAccessor;
  inv: Invocation;
  request: Record<string, unknown>;
}

/** The matching, calling and failure handling both plugins share. */
class Dispatcher {
  readonly #opts: WebhookDispatchOptions;
  readonly #cel: MatchConditionEvaluator;
  readonly #mutating: boolean;

  constructor(opts: WebhookDispatchOptions, mutating: boolean) {
    this.#opts = opts;
    this.#mutating = mutating;
    this.#cel = new MatchConditionEvaluator(opts.authorizer);
  }

  async hooks(attrs: AdmissionAttributes): Promise<WebhookAccessor[]> {
    if (isExemptConfiguration(attrs)) return [];
    await this.#opts.ready();
    return accessorsOf(this.#opts.configurations(attrs.cluster));
  }

  /** The namespace labels of one admission, read at most once. */
  namespaceLabels(attrs: AdmissionAttributes): NamespaceLabels {
    const read = new Map<string, Promise<Record<string, string>>>();
    return (name) => {
      let p = read.get(name);
      if (!p) {
        p = this.#opts.namespaceLabels(attrs.cluster, name);
        read.set(name, p);
      }
      return p;
    };
  }

  /** Upstream's `ShouldCallHook`: the request to send, or `undefined`. */
  async match(
    acc: WebhookAccessor,
    attrs: AdmissionAttributes,
    labels: NamespaceLabels,
  ): Promise<Matched | undefined> {
    const hook = acc.webhook;
    const inv = matchRules(
      hook,
      attrs,
      () => this.#opts.equivalents(attrs.cluster, attrs.group, attrs.resource),
    );
    if (!inv) return undefined;
    if (!objectSelectorMatches(hook, attrs)) return undefined;
    const nsMatch = await namespaceSelectorMatches(hook, attrs, labels);
    if (!nsMatch) return undefined;
    const request = admissionRequest(crypto.randomUUID(), attrs, inv);
    const conditions = hook.matchConditions ?? [];
    if (conditions.length) {
      const r = await this.#cel.evaluate(conditions, request, attrs);
      if ("error" in r) {
        if (hook.failurePolicy === "Ignore") return undefined;
        throw forbiddenError(
          { group: attrs.group, resource: attrs.resource },
          attrs.name,
          r.error,
        );
      }
      if (!r.matches) return undefined;
    }
    return { acc, inv, request };
  }

  /**
   * Calls the webhook; returns its verified answer. Throws the refusal's
   * `ApiError`, or {@linkcode CallingWebhookError} for the failure policy.
   */
  async call(m: Matched, attrs: AdmissionAttributes): Promise<AdmissionResult> {
    const hook = m.acc.webhook;
    if (attrs.dryRun) {
      if (hook.sideEffects === undefined) {
        throw new CallingWebhookError(hook.name, "Webhook SideEffects is nil");
      }
      if (!["None", "NoneOnDryRun"].includes(hook.sideEffects)) {
        throw badRequestError(
          `admission webhook ${
            JSON.stringify(hook.name)
          } does not support dry run`,
        );
      }
    }
    const version = reviewVersionFor(hook.admissionReviewVersions);
    if (!version) {
      throw new CallingWebhookError(
        hook.name,
        "webhook does not accept known AdmissionReview versions",
      );
    }
    const answer = await this.#opts.clients.post(
      hook,
      JSON.stringify(admissionReview(version, m.request)),
    );
    let result: AdmissionResult;
    try {
      result = verifyAdmissionResponse(
        version,
        m.request.uid as string,
        this.#mutating,
        answer,
      );
    } catch (e) {
      if (!(e instanceof InvalidResponseError)) throw e;
      throw new CallingWebhookError(
        hook.name,
        `received invalid webhook response: ${e.message}`,
      );
    }
    if (attrs.warnings) {
      for (const w of result.warnings) {
        const line = w.replace(/[\r\n]+/g, " ");
        if (line && !attrs.warnings.includes(line)) attrs.warnings.push(line);
      }
    }
    if (!result.allowed) throw toStatusError(hook.name, result.status);
    return result;
  }

  /** The failure policy for `e`: returns when the failure is ignored. */
  failed(hook: Webhook, e: unknown): void {
    if (!(e instanceof CallingWebhookError)) throw e;
    if (hook.failurePolicy === "Ignore") {
      this.#opts.logger?.warn("failed calling webhook, failing open", {
        webhook: hook.name,
        error: e.message,
      });
      return;
    }
    this.#opts.logger?.warn("failed calling webhook, failing closed", {
      webhook: hook.name,
      error: e.message,
    });
    throw internalError(e.message);
  }
}

/** The mutating webhook plugin (`MutatingAdmissionWebhook`). */
export function mutatingWebhookPlugin(
  opts: WebhookDispatchOptions,
): MutatingAdmission {
  const d = new Dispatcher(opts, true);
  return {
    name: "MutatingAdmissionWebhook",
    async admit(attrs) {
      const hooks = await d.hooks(attrs);
      if (hooks.length === 0) return attrs.object;
      let object = attrs.object;
      const labels = d.namespaceLabels(attrs);
      /** IfNeeded webhooks called so far, and those to call again. */
      const invokedIfNeeded = new Set<string>();
      const reinvoke = new Set<string>();
      const round = async (only?: Set<string>) => {
        for (const acc of hooks) {
          if (only && !only.has(acc.uid)) continue;
          const current = { ...attrs, object };
          const m = await d.match(acc, current, labels);
          if (!m) continue;
          let next = object;
          try {
            next = applyAnswer(acc.webhook, await d.call(m, current), object);
          } catch (e) {
            d.failed(acc.webhook, e);
          }
          if (next !== object) {
            keepIdentity(next, attrs);
            dropUndeclared(next, attrs);
          }
          if (!only && !isDeepStrictEqual(next, object)) {
            for (const uid of invokedIfNeeded) reinvoke.add(uid);
          }
          object = next;
          if (!only && acc.webhook.reinvocationPolicy === "IfNeeded") {
            invokedIfNeeded.add(acc.uid);
          }
        }
      };
      await round();
      if (reinvoke.size) await round(reinvoke);
      return object;
    },
    async admitDelete(attrs) {
      const hooks = await d.hooks(attrs);
      if (hooks.length === 0) return;
      const labels = d.namespaceLabels(attrs);
      for (const acc of hooks) {
        const m = await d.match(acc, attrs, labels);
        if (!m) continue;
        try {
          checkDeleteAnswer(acc.webhook, await d.call(m, attrs));
        } catch (e) {
          d.failed(acc.webhook, e);
        }
      }
    },
  };
}

/** The validating webhook plugin (`ValidatingAdmissionWebhook`). */
export function validatingWebhookPlugin(
  opts: WebhookDispatchOptions,
): ValidatingAdmission {
  const d = new Dispatcher(opts, false);
  return {
    name: "ValidatingAdmissionWebhook",
    async validate(attrs) {
      const hooks = await d.hooks(attrs);
      if (hooks.length === 0) return;
      const labels = d.namespaceLabels(attrs);
      const matched = await Promise.all(
        hooks.map((acc) => d.match(acc, attrs, labels)),
      );
      const outcomes = await Promise.allSettled(
        matched.map(async (m) => {
          if (!m) return;
          try {
            await d.call(m, attrs);
          } catch (e) {
            d.failed(m.acc.webhook, e);
          }
        }),
      );
      for (const o of outcomes) if (o.status === "rejected") throw o.reason;
    },
  };
}
