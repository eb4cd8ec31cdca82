/**
 * The one registration point of built-in admission plugins: each entry
 * builds its plugins from the server's {@linkcode AdmissionContext} when the
 * server starts. Order is upstream's: within each phase, plugins run in the
 * order listed (policies before webhooks, quota last).
 *
 * @module
 */

import type { Store } from "../../storage/mod.ts";
import type { Logger } from "../../log/mod.ts";
import type { Authorizer } from "../authz/authorizer.ts";
import type { ResourceDefinition } from "../resources/types.ts";
import type { MutatingAdmission, ValidatingAdmission } from "./admission.ts";
import { certificateAdmission } from "../certificates/admission.ts";
import { validatingAdmissionPolicy } from "./policy/mod.ts";
import { resourceQuotaPlugins } from "./quota/mod.ts";
import { webhookAdmission } from "./webhook/mod.ts";

/** What an admission plugin may use of the server. */
export interface AdmissionContext {
  logger: Logger;
  now(): Date;
  /** The server's authorizer (RBAC), for `authorizer` checks in policies. */
  authorizer: Authorizer;
  /** The store of a served kind (the watch cache). */
  storeFor(def: ResourceDefinition): Store;
  /** A built-in kind's definition (`"", "v1", "configmaps"`), if served. */
  builtin(
    group: string,
    version: string,
    plural: string,
  ): ResourceDefinition | undefined;
  /** The kind `cluster` serves at group/version/plural (custom kinds too). */
  lookup(
    cluster: string,
    group: string,
    version: string,
    plural: string,
  ): ResourceDefinition | undefined;
  /** Every kind `cluster` serves. */
  served(cluster: string): ResourceDefinition[];
  /** Aborted when the server closes: stops the plugins' background work. */
  signal: AbortSignal;
}

/** What one registration contributes. */
export interface AdmissionPlugins {
  mutating?: MutatingAdmission[];
  validating?: ValidatingAdmission[];
  /** Waits for background work to end (after `signal` aborted). */
  close?(): Promise<void>;
}

/** Builds plugins when the server starts. */
export type AdmissionPluginFactory = (
  ctx: AdmissionContext,
) => AdmissionPlugins | Promise<AdmissionPlugins>;

/** The built-in admission plugins, in upstream's order. */
export const BUILTIN_ADMISSION: readonly AdmissionPluginFactory[] = [
  certificateAdmission, // CSR requester, approval, signing, subject restriction
  validatingAdmissionPolicy, // policies before webhooks, as upstream
  webhookAdmission,
  resourceQuotaPlugins, // quota last, as upstream
];
