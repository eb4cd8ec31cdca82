/**
 * The webhook configuration types as stored (admissionregistration.k8s.io/v1,
 * defaulted by `resources/_webhooks.ts`), read by the plugin.
 *
 * @module
 */

import type { StructuredLabelSelector } from "../../authz/rbac/mod.ts";

/** `RuleWithOperations`. */
export interface WebhookRule {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  /** `*` (default), `Cluster` or `Namespaced`. */
  scope?: string;
}

/** `WebhookClientConfig`. */
export interface ClientConfig {
  url?: string;
  service?: { name: string; namespace: string; path?: string; port?: number };
  /** Base64 of a PEM CA bundle. */
  caBundle?: string;
}

/** `MatchCondition`. */
export interface MatchCondition {
  name: string;
  expression: string;
}

/** A `ValidatingWebhook` or `MutatingWebhook`. */
export interface Webhook {
  name: string;
  clientConfig: ClientConfig;
  rules?: WebhookRule[];
  failurePolicy?: "Fail" | "Ignore";
  matchPolicy?: "Exact" | "Equivalent";
  namespaceSelector?: StructuredLabelSelector;
  objectSelector?: StructuredLabelSelector;
  sideEffects?: string;
  timeoutSeconds?: number;
  admissionReviewVersions?: string[];
  matchConditions?: MatchCondition[];
  /** Mutating only: `Never` (default) or `IfNeeded`. */
  reinvocationPolicy?: string;
}

/** One webhook of one configuration. */
export interface WebhookAccessor {
  /** `<configuration>/<webhook>/<index>`, as upstream. */
  uid: string;
  configurationName: string;
  webhook: Webhook;
}

/** Group, version and kind/resource of a request or a rule match. */
export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/** Group, version and plural resource. */
export interface Gvr {
  group: string;
  version: string;
  resource: string;
}
