/**
 * admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration: the
 * webhooks the validating webhook plugin (`admission/webhook/`) calls for
 * the writes of the configuration's own cluster.
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
  VALIDATING_WEBHOOK_CONFIGURATION,
  VALIDATING_WEBHOOK_CONFIGURATION_LIST,
} from "../schema/admissionregistration_v1_webhooks.ts";

/** The `validatingwebhookconfigurations` resource. */
export const validatingWebhookConfigurations: ResourceDefinition = {
  group: ADMISSION_REGISTRATION_GROUP,
  version: "v1",
  kind: "ValidatingWebhookConfiguration",
  schema: VALIDATING_WEBHOOK_CONFIGURATION,
  listSchema: VALIDATING_WEBHOOK_CONFIGURATION_LIST,
  plural: "validatingwebhookconfigurations",
  singular: "validatingwebhookconfiguration",
  categories: ["api-extensions"],
  namespaced: false,
  hasGeneration: true,
  default: (obj) => defaultWebhooks(obj, false),
  prepareForCreate: (obj) => defaultWebhooks(obj, false),
  prepareForUpdate: (obj) => defaultWebhooks(obj, false),
  validate: (obj) => validateWebhookConfiguration(obj, false),
  columns: [nameColumn, webhooksColumn, ageColumn],
};
