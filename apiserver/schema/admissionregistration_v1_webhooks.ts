/**
 * admissionregistration.k8s.io/v1 (`io.k8s.api.admissionregistration.v1.*`):
 * the webhook configurations — ValidatingWebhookConfiguration and
 * MutatingWebhookConfiguration — and the parts they share (rules, client
 * config; match conditions and rule lists are shared with the policies in
 * `_admissionregistration_v1.ts`). List and map semantics are upstream's, so
 * strategic merge patch and server-side apply merge `webhooks` by name.
 *
 * @module
 */

import { int32, listOf, object, str, strList } from "./_builders.ts";
import { named, ref } from "./_named.ts";
import {
  AR,
  ATOMIC,
  BY_NAME,
  MATCH_CONDITION,
  ruleLists,
} from "./_admissionregistration_v1.ts";
import { kindSchema, LABEL_SELECTOR, listSchema } from "./meta_v1.ts";
import type { Schema } from "./types.ts";

/** `RuleWithOperations`. */
export const RULE_WITH_OPERATIONS: Schema = named(
  `${AR}.RuleWithOperations`,
  object(
    "RuleWithOperations is a tuple of Operations and Resources. It is recommended to make sure that all the tuple expansions are valid.",
    {
      ...ruleLists(),
      resources: strList(
        "Resources is a list of resources this rule applies to. For example: 'pods' means pods. 'pods/log' means the log subresource of pods. '*' means all resources, but not subresources. 'pods/*' means all subresources of pods. '*/scale' means all scale subresources. '*/*' means all resources and their subresources.",
        ATOMIC,
      ),
      scope: str(
        'scope specifies the scope of this rule. Valid values are "Cluster", "Namespaced", and "*". Default is "*".',
      ),
    },
  ),
);

/** `ServiceReference` (of a webhook client config). */
export const SERVICE_REFERENCE: Schema = named(
  `${AR}.ServiceReference`,
  object(
    "ServiceReference holds a reference to Service.legacy.k8s.io",
    {
      name: str("`name` is the name of the service. Required", {
        default: "",
      }),
      namespace: str("`namespace` is the namespace of the service. Required", {
        default: "",
      }),
      path: str(
        "`path` is an optional URL path which will be sent in any request to this service.",
      ),
      port: int32(
        "If specified, the port on the service that hosting webhook. Default to 443 for backward compatibility. `port` should be a valid port number (1-65535, inclusive).",
      ),
    },
    { required: ["namespace", "name"] },
  ),
);

/** `WebhookClientConfig`. */
export const WEBHOOK_CLIENT_CONFIG: Schema = named(
  `${AR}.WebhookClientConfig`,
  object(
    "WebhookClientConfig contains the information to make a TLS connection with the webhook",
    {
      caBundle: str(
        "`caBundle` is a PEM encoded CA bundle which will be used to validate the webhook's server certificate. If unspecified, system trust roots on the apiserver are used.",
        { format: "byte" },
      ),
      service: ref(
        SERVICE_REFERENCE,
        "`service` is a reference to the service for this webhook. Either `service` or `url` must be specified.",
      ),
      url: str(
        '`url` gives the location of the webhook, in standard URL form (`scheme://host:port/path`). Exactly one of `url` or `service` must be specified. The scheme must be "https"; the URL must begin with "https://". Attempting to use a user or basic auth e.g. "user:password@" is not allowed. Fragments ("#...") and query parameters ("?...") are not allowed, either.',
      ),
    },
  ),
);

function webhookFields(mutating: boolean): Record<string, Schema> {
  const fields: Record<string, Schema> = {
    admissionReviewVersions: strList(
      "AdmissionReviewVersions is an ordered list of preferred `AdmissionReview` versions the Webhook expects. API server will try to use first version in the list which it supports. If none of the versions specified in this list supported by API server, validation will fail for this object.",
      ATOMIC,
    ),
    clientConfig: ref(
      WEBHOOK_CLIENT_CONFIG,
      "ClientConfig defines how to communicate with the hook. Required",
    ),
    failurePolicy: str(
      "FailurePolicy defines how unrecognized errors from the admission endpoint are handled - allowed values are Ignore or Fail. Defaults to Fail.",
    ),
    matchConditions: listOf(
      "MatchConditions is a list of conditions that must be met for a request to be sent to this webhook. An empty list of matchConditions matches all requests. There are a maximum of 64 match conditions allowed.",
      ref(MATCH_CONDITION),
      BY_NAME,
    ),
    matchPolicy: str(
      'matchPolicy defines how the "rules" list is used to match incoming requests. Allowed values are "Exact" or "Equivalent". Defaults to "Equivalent"',
    ),
    name: str(
      'The name of the admission webhook. Name should be fully qualified, e.g., imagepolicy.kubernetes.io, where "imagepolicy" is the name of the webhook, and kubernetes.io is the name of the organization. Required.',
      { default: "" },
    ),
    namespaceSelector: ref(
      LABEL_SELECTOR,
      "NamespaceSelector decides whether to run the webhook on an object based on whether the namespace for that object matches the selector. If the object itself is a namespace, the matching is performed on object.metadata.labels. Default to the empty LabelSelector, which matches everything.",
    ),
    objectSelector: ref(
      LABEL_SELECTOR,
      "ObjectSelector decides whether to run the webhook based on if the object has matching labels. objectSelector is evaluated against both the oldObject and newObject that would be sent to the webhook, and is considered to match if either object matches the selector. Default to the empty LabelSelector, which matches everything.",
    ),
    rules: listOf(
      "Rules describes what operations on what resources/subresources the webhook cares about. The webhook cares about an operation if it matches _any_ Rule.",
      ref(RULE_WITH_OPERATIONS),
      ATOMIC,
    ),
    sideEffects: str(
      "SideEffects states whether this webhook has side effects. Acceptable values are: None, NoneOnDryRun. Requests with the dryRun attribute will be auto-rejected if they match a webhook with sideEffects == Unknown or Some.",
    ),
    timeoutSeconds: int32(
      "TimeoutSeconds specifies the timeout for this webhook. After the timeout passes, the webhook call will be ignored or the API call will fail based on the failure policy. The timeout value must be between 1 and 30 seconds. Default to 10 seconds.",
    ),
  };
  if (mutating) {
    fields.reinvocationPolicy = str(
      'reinvocationPolicy indicates whether this webhook should be called multiple times as part of a single admission evaluation. Allowed values are "Never" and "IfNeeded". Defaults to "Never".',
    );
  }
  return fields;
}

const REQUIRED = [
  "name",
  "clientConfig",
  "sideEffects",
  "admissionReviewVersions",
];

/** `ValidatingWebhook`. */
export const VALIDATING_WEBHOOK: Schema = named(
  `${AR}.ValidatingWebhook`,
  object(
    "ValidatingWebhook describes an admission webhook and the resources and operations it applies to.",
    webhookFields(false),
    { required: REQUIRED },
  ),
);

/** `MutatingWebhook`. */
export const MUTATING_WEBHOOK: Schema = named(
  `${AR}.MutatingWebhook`,
  object(
    "MutatingWebhook describes an admission webhook and the resources and operations it applies to.",
    webhookFields(true),
    { required: REQUIRED },
  ),
);

/** admissionregistration.k8s.io/v1 `ValidatingWebhookConfiguration`. */
export const VALIDATING_WEBHOOK_CONFIGURATION: Schema = kindSchema(
  `${AR}.ValidatingWebhookConfiguration`,
  "ValidatingWebhookConfiguration describes the configuration of and admission webhook that accept or reject and object without changing it.",
  {
    webhooks: listOf(
      "Webhooks is a list of webhooks and the affected resources and operations.",
      ref(VALIDATING_WEBHOOK),
      BY_NAME,
    ),
  },
);

/** admissionregistration.k8s.io/v1 `ValidatingWebhookConfigurationList`. */
export const VALIDATING_WEBHOOK_CONFIGURATION_LIST: Schema = listSchema(
  `${AR}.ValidatingWebhookConfigurationList`,
  VALIDATING_WEBHOOK_CONFIGURATION,
  "List of ValidatingWebhookConfiguration.",
);

/** admissionregistration.k8s.io/v1 `MutatingWebhookConfiguration`. */
export const MUTATING_WEBHOOK_CONFIGURATION: Schema = kindSchema(
  `${AR}.MutatingWebhookConfiguration`,
  "MutatingWebhookConfiguration describes the configuration of and admission webhook that accept or reject and may change the object.",
  {
    webhooks: listOf(
      "Webhooks is a list of webhooks and the affected resources and operations.",
      ref(MUTATING_WEBHOOK),
      BY_NAME,
    ),
  },
);

/** admissionregistration.k8s.io/v1 `MutatingWebhookConfigurationList`. */
export const MUTATING_WEBHOOK_CONFIGURATION_LIST: Schema = listSchema(
  `${AR}.MutatingWebhookConfigurationList`,
  MUTATING_WEBHOOK_CONFIGURATION,
  "List of MutatingWebhookConfiguration.",
);
