/**
 * admissionregistration.k8s.io/v1 MutatingWebhookConfiguration: the
 * webhooks the mutating webhook plugin (`admission/webhook/`) calls for the
 * writes of the configuration's own cluster.
 *
 * @module
 */

import { ageColumn, nameColumn } from "./_columns.ts";
import {
  ADMISSION_REGISTRATION_GROUP,
  defaultWebhooks,
  validateWebhookConfiguration,
  webhooksColumn,
} from "./_webhooks.ts";
import type { ResourceDefinition } from "./types.ts";
import {
  MUTATING_WEBHOOK_CONFIGURATION,
  MUTATING_WEBHOOK_CONFIGURATION_LIST,
} from "../schema/admissionregistration_v1_webhooks.ts";

/** The `mutatingwebhookconfigurations` resource. */
export const mutatingWebhookConfigurations: ResourceDefinition = {
  group: ADMISSION_REGISTRATION_GROUP,
  version: "v1",
  kind: "MutatingWebhookConfiguration",
  schema: MUTATING_WEBHOOK_CONFIGURATION,
  listSchema: MUTATING_WEBHOOK_CONFIGURATION_LIST,
  plural: "mutatingwebhookconfigurations",
  singular: "mutatingwebhookconfiguration",
  categories: ["api-extensions"],
  namespaced: false,
  hasGeneration: true,
  default: (obj) => defaultWebhooks(obj, true),
  prepareForCreate: (obj) => defaultWebhooks(obj, true),
  prepareForUpdate: (obj) => defaultWebhooks(obj, true),
  validate: (obj) => validateWebhookConfiguration(obj, true),
  columns: [nameColumn, webhooksColumn, ageColumn],
};
