/**
 * What every controller is given: the API client, the clusters to act on,
 * shared informers, a logger and its options. A controller runs until the
 * signal it is started with aborts.
 *
 * @module
 */

import type { Logger } from "../log/mod.ts";
import type { KubeObject } from "../storage/mod.ts";
import type { ApiClient } from "./client/mod.ts";
import type { ClusterTracker, InformerFactory } from "./runtime/mod.ts";

/** Shared facilities handed to each controller. */
export interface ControllerContext {
  /** The API, as this controller's user. */
  client: ApiClient;
  /**
   * The clusters the controllers act on (every cluster, or a chosen few),
   * learned from the cross-cluster namespaces informer.
   */
  clusters: ClusterTracker;
  /** Shared informers (one watch per resource for every controller). */
  informers: InformerFactory;
  /** The controller's logger. */
  logger: Logger;
  /** The cluster CA (PEM) published in every namespace. */
  rootCA?: string;
  /** How often discovery is refreshed (GC, namespace deletion). Default 30 000. */
  discoveryIntervalMs?: number;
  /** Worker count per controller (default: per controller). */
  workers?: number;
  /** The client CA (PEM pair) the CSR signer signs with. */
  clientCA?: { certPem: string; keyPem: string };
  /** The clock (tests). */
  now?: () => Date;
  /** How often the CSR cleaner looks (default one hour). */
  csrCleanerIntervalMs?: number;
}

/** A resource a controller reads or writes (`group` is `""` for the core group). */
export interface ControllerResource {
  /** API group; `""` for the core group. */
  group: string;
  /** Plural resource name, e.g. `serviceaccounts`. */
  resource: string;
}

/**
 * A named controller: the shape of the built-in controllers and of the
 * controllers an embedding program writes itself (`custom` of
 * `startControllers`). It acts only through `ctx.client`, shares
 * `ctx.informers`, and returns once `signal` aborts.
 *
 * @example
 * ```ts
 * import type { ControllerDescriptor } from "./context.ts";
 *
 * const logOnly: ControllerDescriptor = {
 *   name: "log-only",
 *   identity: "log-only",
 *   async run(ctx, signal) {
 *     ctx.logger.info("running");
 *     await new Promise((r) => signal.addEventListener("abort", r));
 *   },
 * };
 * ```
 */
export interface ControllerDescriptor {
  /** The upstream name used by `--controllers`. */
  name: string;
  /**
   * Who the controller acts as in-process: user `system:controller:<identity>`
   * (upstream's controller service account name), bound by the bootstrap
   * policy to the ClusterRole of the same name in every cluster.
   */
  identity: string;
  /**
   * Groups of the in-process user besides `system:authenticated`: an
   * embedding program's own controller has no bootstrap role, so it is
   * given a group its RBAC binds (or `system:masters`).
   */
  groups?: readonly string[];
  /**
   * The resources the controller cannot work without: a control plane that
   * serves none of them leaves the controller out. Default: none.
   */
  requires?: readonly ControllerResource[];
  /** Runs the controller until `signal` aborts. */
  run(ctx: ControllerContext, signal: AbortSignal): Promise<void>;
  /**
   * The object this controller keeps in every namespace, for an API server
   * that runs it in-process to write into the namespaces it creates itself
   * (`ApiServer.seedNamespaces`), so a new cluster costs the controller no
   * create. `undefined`: none with these options (no root CA).
   */
  namespaceSeed?(opts: { rootCA?: string }): NamespaceSeed | undefined;
}

/**
 * An object a controller keeps in every namespace, as the controller
 * creates it: its resource, the create body and the field manager its
 * create records (the shape `ApiServer.seedNamespaces` takes).
 */
export interface NamespaceSeed {
  /** The object's resource (`group` is `""` for the core group). */
  resource: { group: string; version: string; resource: string };
  /** The field manager of the controller's writes. */
  manager: string;
  /** The object the controller creates in `namespace` (the same for the same name). */
  desired(namespace: string): KubeObject;
}

/** A work-queue key for a namespace of a cluster. */
export function namespaceKey(cluster: string, namespace: string): string {
  return `${cluster}/${namespace}`;
}

/** Splits a {@linkcode namespaceKey}. */
export function splitNamespaceKey(
  key: string,
): { cluster: string; namespace: string } {
  const i = key.indexOf("/");
  return { cluster: key.slice(0, i), namespace: key.slice(i + 1) };
}
