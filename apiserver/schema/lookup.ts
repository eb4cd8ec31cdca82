/**
 * The schemas of every served built-in kind, by group, version and kind.
 *
 * @module
 */

import {
  CLUSTER_ROLE,
  CLUSTER_ROLE_BINDING,
  CLUSTER_ROLE_BINDING_LIST,
  CLUSTER_ROLE_LIST,
  ROLE,
  ROLE_BINDING,
  ROLE_BINDING_LIST,
  ROLE_LIST,
} from "./rbac_v1.ts";
import { LEASE, LEASE_LIST } from "./coordination_v1.ts";
import { API_SERVICE, API_SERVICE_LIST } from "./apiregistration_v1.ts";
import {
  CERTIFICATE_SIGNING_REQUEST,
  CERTIFICATE_SIGNING_REQUEST_LIST,
} from "./certificates_v1.ts";
import {
  VALIDATING_ADMISSION_POLICY,
  VALIDATING_ADMISSION_POLICY_BINDING,
  VALIDATING_ADMISSION_POLICY_BINDING_LIST,
  VALIDATING_ADMISSION_POLICY_LIST,
} from "./admissionregistration_v1_policies.ts";
import {
  MUTATING_WEBHOOK_CONFIGURATION,
  MUTATING_WEBHOOK_CONFIGURATION_LIST,
  VALIDATING_WEBHOOK_CONFIGURATION,
  VALIDATING_WEBHOOK_CONFIGURATION_LIST,
} from "./admissionregistration_v1_webhooks.ts";
import {
  CONFIG_MAP,
  CONFIG_MAP_LIST,
  NAMESPACE,
  NAMESPACE_LIST,
  SECRET,
  SECRET_LIST,
  SERVICE_ACCOUNT,
  SERVICE_ACCOUNT_LIST,
} from "./core_v1.ts";
import {
  RESOURCE_QUOTA,
  RESOURCE_QUOTA_LIST,
} from "./core_v1_resourcequota.ts";
import {
  CORE_EVENT,
  CORE_EVENT_LIST,
  EVENTS_EVENT,
  EVENTS_EVENT_LIST,
} from "./events.ts";
import { DELETE_OPTIONS, STATUS } from "./meta_v1_status.ts";
import type { Schema } from "./types.ts";

/** One built-in kind's schema. */
export interface BuiltinSchema {
  group: string;
  version: string;
  kind: string;
  schema: Schema;
}

function gv(
  group: string,
  version: string,
  kinds: Record<string, Schema>,
): BuiltinSchema[] {
  return Object.entries(kinds).map(([kind, schema]) => ({
    group,
    version,
    kind,
    schema,
  }));
}

/** Every built-in kind (objects and their lists) with its schema. */
export const BUILTIN_SCHEMAS: readonly BuiltinSchema[] = Object.freeze([
  ...gv("", "v1", {
    Namespace: NAMESPACE,
    NamespaceList: NAMESPACE_LIST,
    ConfigMap: CONFIG_MAP,
    ConfigMapList: CONFIG_MAP_LIST,
    Secret: SECRET,
    SecretList: SECRET_LIST,
    ServiceAccount: SERVICE_ACCOUNT,
    ServiceAccountList: SERVICE_ACCOUNT_LIST,
    Event: CORE_EVENT,
    EventList: CORE_EVENT_LIST,
    ResourceQuota: RESOURCE_QUOTA,
    ResourceQuotaList: RESOURCE_QUOTA_LIST,
    Status: STATUS,
    DeleteOptions: DELETE_OPTIONS,
  }),
  ...gv("events.k8s.io", "v1", {
    Event: EVENTS_EVENT,
    EventList: EVENTS_EVENT_LIST,
  }),
  ...gv("coordination.k8s.io", "v1", { Lease: LEASE, LeaseList: LEASE_LIST }),
  ...gv("apiregistration.k8s.io", "v1", {
    APIService: API_SERVICE,
    APIServiceList: API_SERVICE_LIST,
  }),
  ...gv("certificates.k8s.io", "v1", {
    CertificateSigningRequest: CERTIFICATE_SIGNING_REQUEST,
    CertificateSigningRequestList: CERTIFICATE_SIGNING_REQUEST_LIST,
  }),
  ...gv("rbac.authorization.k8s.io", "v1", {
    Role: ROLE,
    RoleList: ROLE_LIST,
    ClusterRole: CLUSTER_ROLE,
    ClusterRoleList: CLUSTER_ROLE_LIST,
    RoleBinding: ROLE_BINDING,
    RoleBindingList: ROLE_BINDING_LIST,
    ClusterRoleBinding: CLUSTER_ROLE_BINDING,
    ClusterRoleBindingList: CLUSTER_ROLE_BINDING_LIST,
  }),
  ...gv("admissionregistration.k8s.io", "v1", {
    ValidatingWebhookConfiguration: VALIDATING_WEBHOOK_CONFIGURATION,
    ValidatingWebhookConfigurationList: VALIDATING_WEBHOOK_CONFIGURATION_LIST,
    MutatingWebhookConfiguration: MUTATING_WEBHOOK_CONFIGURATION,
    MutatingWebhookConfigurationList: MUTATING_WEBHOOK_CONFIGURATION_LIST,
  }),
  ...gv("admissionregistration.k8s.io", "v1", {
    ValidatingAdmissionPolicy: VALIDATING_ADMISSION_POLICY,
    ValidatingAdmissionPolicyList: VALIDATING_ADMISSION_POLICY_LIST,
    ValidatingAdmissionPolicyBinding: VALIDATING_ADMISSION_POLICY_BINDING,
    ValidatingAdmissionPolicyBindingList:
      VALIDATING_ADMISSION_POLICY_BINDING_LIST,
  }),
]);

const INDEX = new Map(
  BUILTIN_SCHEMAS.map((b) => [`${b.group}/${b.version}/${b.kind}`, b.schema]),
);

/**
 * The schema of a built-in kind, or `undefined` when it is not built in
 * (a custom resource).
 *
 * @example
 * ```ts
 * builtinSchema("", "v1", "ConfigMap")?.properties?.data;
 * ```
 */
export function builtinSchema(
  group: string,
  version: string,
  kind: string,
): Schema | undefined {
  return INDEX.get(`${group}/${version}/${kind}`);
}
