/**
 * Builds the {@linkcode Aggregator} of an API server from the server's own
 * pieces (its kinds per cluster, the review resources, its stores), so the
 * server assembles aggregation with one call.
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import type { Store } from "../../storage/mod.ts";
import type { ClusterRegistries } from "../resources/registry.ts";
import type { ResourceDefinition } from "../resources/types.ts";
import type { StaticResource } from "../discovery/static_resources.ts";
import { Aggregator } from "./aggregator.ts";
import type { AuthenticationSources } from "./authentication_configmap.ts";
import type { ProxyClientCertificate } from "./clients.ts";
import type { LocalGroupVersion } from "./local_apiservices.ts";
import type { ServiceResolver } from "./resolver.ts";

/** How a server aggregates (what `cli/` builds from the flags). */
export interface AggregationOptions {
  /** Finds the URL of an APIService's `spec.service`. */
  resolver: ServiceResolver;
  /** The front proxy's client certificate. */
  proxyClient: ProxyClientCertificate;
  /** What `extension-apiserver-authentication` publishes. */
  authentication: AuthenticationSources;
  /** Between availability checks (default 10 000 ms). */
  checkIntervalMs?: number;
}

/** What the server hands over. */
export interface AggregationDeps {
  registries: ClusterRegistries;
  /** Resources served beside the registry's kinds (the reviews). */
  statics: readonly StaticResource[];
  storeFor(def: ResourceDefinition): Store;
  logger: Logger;
  now: () => Date;
}

/** The aggregator of a server; `undefined` when the kinds it needs are not served. */
export function setupAggregation(
  opts: AggregationOptions,
  deps: AggregationDeps,
): Aggregator | undefined {
  const { registries } = deps;
  const apiServices = registries.builtins.lookup(
    "apiregistration.k8s.io",
    "v1",
    "apiservices",
  );
  const configMaps = registries.builtins.lookup("", "v1", "configmaps");
  if (!apiServices || !configMaps) return undefined;
  const staticGvs: LocalGroupVersion[] = [];
  for (const s of deps.statics) {
    if (
      !staticGvs.some((g) => g.group === s.group && g.version === s.version)
    ) {
      staticGvs.push({ group: s.group, version: s.version, builtin: true });
    }
  }
  return new Aggregator({
    ...opts,
    apiServices: { def: apiServices, store: deps.storeFor(apiServices) },
    configMaps: { def: configMaps, store: deps.storeFor(configMaps) },
    localGroupVersions: (cluster) => [
      ...registries.forCluster(cluster).groupVersions().map((gv) => ({
        group: gv.group,
        version: gv.version,
        builtin: registries.builtins.hasGroupVersion(gv.group, gv.version),
      })),
      ...staticGvs.filter((s) =>
        !registries.builtins.hasGroupVersion(s.group, s.version)
      ),
    ],
    subscribe: (listener) => registries.subscribe(listener),
    logger: deps.logger,
    now: deps.now,
  });
}
