/**
 * Admission webhooks (`MutatingAdmissionWebhook`, `ValidatingAdmissionWebhook`):
 * the MutatingWebhookConfigurations and ValidatingWebhookConfigurations of
 * the write's own cluster decide which HTTPS endpoints see the write (see
 * `README.md`). {@linkcode webhookAdmission} is the factory the server's
 * built-in admission list registers; the parts are exported for tests and
 * embedders.
 *
 * @example
 * ```ts
 * // apiserver/admission/builtin.ts
 * export const BUILTIN_ADMISSION = [webhookAdmission];
 * ```
 *
 * @module
 */

import { objectKey } from "../../../storage/mod.ts";
import { notFoundError, toApiError } from "../../status/mod.ts";
import type {
  AdmissionContext,
  AdmissionPluginFactory,
  AdmissionPlugins,
} from "../builtin.ts";
import { WebhookClients, type WebhookFetch } from "./client.ts";
import { ConfigurationIndex } from "./configurations.ts";
import {
  mutatingWebhookPlugin,
  validatingWebhookPlugin,
  type WebhookDispatchOptions,
} from "./dispatch.ts";

export { CallingWebhookError, WebhookClients, webhookUrl } from "./client.ts";
export type { WebhookClientsOptions, WebhookFetch } from "./client.ts";
export { ConfigurationIndex } from "./configurations.ts";
export {
  accessorsOf,
  mutatingWebhookPlugin,
  toStatusError,
  validatingWebhookPlugin,
} from "./dispatch.ts";
export type { WebhookDispatchOptions } from "./dispatch.ts";
export {
  matchRules,
  namespaceSelectorMatches,
  objectSelectorMatches,
  ruleMatches,
} from "./matching.ts";
export type { EquivalentResource, Invocation } from "./matching.ts";
export { MatchConditionEvaluator } from "./match_conditions.ts";
export {
  admissionRequest,
  admissionReview,
  verifyAdmissionResponse,
} from "./review.ts";
export type * from "./types.ts";

const GROUP = "admissionregistration.k8s.io";

/** Options for {@linkcode createWebhookAdmission}. */
export interface WebhookAdmissionOptions {
  /** Stands in for `fetch` (tests). */
  fetch?: WebhookFetch;
}

/**
 * Builds both webhook plugins over the server's stores: one watch per
 * configuration kind across all clusters feeds the per-cluster index.
 * Resolves once both indexes are loaded.
 */
export async function createWebhookAdmission(
  ctx: AdmissionContext,
  opts: WebhookAdmissionOptions = {},
): Promise<AdmissionPlugins> {
  const mutatingDef = ctx.builtin(GROUP, "v1", "mutatingwebhookconfigurations");
  const validatingDef = ctx.builtin(
    GROUP,
    "v1",
    "validatingwebhookconfigurations",
  );
  const namespacesDef = ctx.builtin("", "v1", "namespaces");
  if (!mutatingDef || !validatingDef || !namespacesDef) return {};
  const logger = ctx.logger.with({ component: "webhook-admission" });
  const index = (resource: string, def: typeof mutatingDef) =>
    new ConfigurationIndex({
      store: ctx.storeFor(def),
      group: GROUP,
      resource,
      signal: ctx.signal,
      logger,
    });
  const mutating = index("mutatingwebhookconfigurations", mutatingDef);
  const validating = index("validatingwebhookconfigurations", validatingDef);
  const clients = new WebhookClients({ signal: ctx.signal, fetch: opts.fetch });
  const nsStore = ctx.storeFor(namespacesDef);
  const shared: Omit<WebhookDispatchOptions, "configurations" | "ready"> = {
    clients,
    logger,
    authorizer: ctx.authorizer,
    async namespaceLabels(cluster, name) {
      try {
        const ns = await nsStore.get(
          objectKey({ group: "", resource: "namespaces", cluster, name }),
        );
        return ns.metadata.labels ?? {};
      } catch (e) {
        const err = toApiError(e);
        if (err.code === 404) {
          throw notFoundError({ group: "", resource: "namespaces" }, name);
        }
        throw err;
      }
    },
    equivalents(cluster, group, resource) {
      return ctx.served(cluster)
        .filter((d) => d.group === group && d.plural === resource)
        .map((d) => ({ version: d.version, kind: d.kind }));
    },
  };
  await Promise.all([mutating.start(), validating.start()]);
  return {
    mutating: [
      mutatingWebhookPlugin({
        ...shared,
        configurations: (c) => mutating.configurations(c),
        ready: () => mutating.ready(),
      }),
    ],
    validating: [
      validatingWebhookPlugin({
        ...shared,
        configurations: (c) => validating.configurations(c),
        ready: () => validating.ready(),
      }),
    ],
    async close() {
      await Promise.all([mutating.close(), validating.close()]);
      clients.close();
    },
  };
}

/** The factory for `BUILTIN_ADMISSION` (policies before it, quota after). */
export const webhookAdmission: AdmissionPluginFactory = (ctx) =>
  createWebhookAdmission(ctx);
