/**
 * The aggregation layer of one server: it keeps every virtual cluster's
 * APIServices in memory (a watch of the `apiservices` storage prefix,
 * its initial events first), decides which group/versions of a cluster are delegated, checks
 * the availability of each remote APIService on a timer (and at once when
 * one changes) and writes its `Available` condition, and bootstraps each
 * cluster with its local APIServices and the
 * `extension-apiserver-authentication` ConfigMap (the writes are
 * `cluster_objects.ts`). What a request then does
 * with a delegation is `proxy.ts`; what discovery lists is
 * `discovery_merge.ts`.
 *
 * Conflicts as upstream: a name is one group/version, so a remote
 * APIService for a served group/version is an update of its local one; a
 * group built into this server is never delegated (its remote APIServices
 * stay `Available=False`, reason `BuiltInGroup`), a CRD group may be.
 *
 * @module
 */

import {
  clusterFromKey,
  type EventText,
  INITIAL_EVENTS_END_ANNOTATION,
  isStorageError,
  type KubeObject,
  nameFromKey,
  resourcePrefix,
  type Store,
} from "../../storage/mod.ts";
import type { Logger } from "../../log/mod.ts";
import { sleep } from "../../internal/sleep.ts";
import {
  type ApiServiceSpec,
  apiServiceSpec,
  availableCondition,
} from "../resources/apiservices.ts";
import type { ResourceDefinition } from "../resources/types.ts";
import { checkApiService, type CheckResult } from "./availability.ts";
import type { ResourceList } from "./availability.ts";
import { type ProxyClientCertificate, ProxyClients } from "./clients.ts";
import {
  mergeAggregated,
  mergeGroupList,
  remoteApiGroup,
  type RemoteGroupVersion,
} from "./discovery_merge.ts";
import type { DiscoveryMerge } from "../discovery/serve.ts";
import type { LocalGroupVersion } from "./local_apiservices.ts";
import {
  hasAuthenticationConfigMap,
  syncLocalApiServices,
  writeAuthenticationConfigMap,
  writeAvailableCondition,
} from "./cluster_objects.ts";
import {
  authenticationConfigMapData,
  type AuthenticationSources,
} from "./authentication_configmap.ts";
import type { ServiceResolver } from "./resolver.ts";
import type { ProxyTarget } from "./proxy.ts";
import {
  fetchOpenApiV3,
  type OpenApiDocument,
  openApiPath,
} from "./openapi_merge.ts";

/** Options for {@linkcode Aggregator}. */
export interface AggregatorOptions {
  /** The `apiservices` kind and its store. */
  apiServices: { def: ResourceDefinition; store: Store };
  /** The `configmaps` kind and its store. */
  configMaps: { def: ResourceDefinition; store: Store };
  resolver: ServiceResolver;
  /** The front proxy's client certificate. */
  proxyClient: ProxyClientCertificate;
  /** What `extension-apiserver-authentication` publishes. */
  authentication: AuthenticationSources;
  /** The group/versions served here in `cluster`. */
  localGroupVersions(cluster: string): LocalGroupVersion[];
  logger: Logger;
  now: () => Date;
  /** Between availability checks (default 10 000 ms). */
  checkIntervalMs?: number;
  /** One check's limit (default 5 000 ms). */
  checkTimeoutMs?: number;
  /**
   * Subscribes to changes of a cluster's served kinds (CRDs); returns the
   * unsubscribe function.
   */
  subscribe?: (listener: (cluster: string) => void) => () => void;
}

interface Entry {
  name: string;
  spec: ApiServiceSpec;
  specJson: string;
  /** Delegated and last checked available. */
  available: boolean;
  reason?: string;
  resources?: ResourceList;
  /** The extension's OpenAPI v3 document of the group/version, cached. */
  openapi?: OpenApiDocument;
  builtinConflict: boolean;
}

/** The APIServices of every cluster and what follows from them. */
export class Aggregator {
  readonly #opts: AggregatorOptions;
  readonly #clients: ProxyClients;
  readonly #clusters = new Map<string, Map<string, Entry>>();
  readonly #stopping = new AbortController();
  readonly #bootstrapped = new Set<string>();
  readonly #syncs = new Map<string, Promise<void>>();
  #started = false;
  #loops: Promise<void>[] = [];
  #wake = Promise.withResolvers<void>();
  #log: Logger;

  constructor(opts: AggregatorOptions) {
    this.#opts = opts;
    this.#clients = new ProxyClients(opts.proxyClient);
    this.#log = opts.logger.with({ component: "aggregator" });
  }

  /** The clients reaching extension servers (shared with the proxy). */
  get clients(): ProxyClients {
    return this.#clients;
  }

  /** The resolver of `spec.service`. */
  get resolver(): ServiceResolver {
    return this.#opts.resolver;
  }

  /** Starts watching and checking; resolves once the first listing is in. */
  async start(): Promise<void> {
    const unsubscribe = this.#opts.subscribe?.((c) =>
      this.servedKindsChanged(c)
    );
    if (unsubscribe) {
      this.#stopping.signal.addEventListener("abort", unsubscribe, {
        once: true,
      });
    }
    const listed = Promise.withResolvers<void>();
    this.#loops.push(this.#watchLoop(listed));
    this.#loops.push(this.#checkLoop());
    await listed.promise;
    // Kinds registered before the subscription (CRDs served at start), and
    // the stale automanaged APIServices of the clusters bootstrapped before.
    this.#started = true;
    for (const c of this.#bootstrapped) this.servedKindsChanged(c);
  }

  /** Stops the loops and closes the clients. */
  async close(): Promise<void> {
    this.#stopping.abort();
    this.#wake.resolve();
    await Promise.allSettled(this.#loops);
    await Promise.allSettled(this.#syncs.values());
    this.#clients.close();
  }

  /**
   * The APIService `group/version` of `cluster` is delegated to, or
   * `undefined` when this server serves it (or nobody does).
   */
  delegation(
    cluster: string,
    group: string,
    version: string,
  ): ProxyTarget | undefined {
    const e = this.#clusters.get(cluster)?.get(`${version}.${group}`);
    if (!e?.spec.service || e.builtinConflict) return undefined;
    return {
      name: e.name,
      spec: e.spec,
      available: e.available,
      reason: e.reason,
    };
  }

  /** The delegated group/versions of `cluster`, for discovery. */
  remoteGroupVersions(cluster: string): RemoteGroupVersion[] {
    const out: RemoteGroupVersion[] = [];
    for (const e of this.#clusters.get(cluster)?.values() ?? []) {
      if (!e.spec.service || e.builtinConflict) continue;
      out.push({
        group: e.spec.group,
        version: e.spec.version,
        groupPriorityMinimum: e.spec.groupPriorityMinimum,
        versionPriority: e.spec.versionPriority,
        available: e.available,
        resources: e.resources,
      });
    }
    return out;
  }

  /**
   * The OpenAPI v3 index entries of `cluster`'s delegated group/versions
   * (`apis/<g>/<v>` → hash), for those whose extension publishes one.
   */
  openApiIndex(cluster: string): ReadonlyMap<string, string> | undefined {
    let out: Map<string, string> | undefined;
    for (const e of this.#clusters.get(cluster)?.values() ?? []) {
      if (!e.spec.service || e.builtinConflict || !e.openapi) continue;
      out ??= new Map();
      out.set(openApiPath(e.spec.group, e.spec.version), e.openapi.hash);
    }
    return out;
  }

  /** The cached OpenAPI v3 document of a delegated group/version. */
  openApiDocument(
    cluster: string,
    group: string,
    version: string,
  ): OpenApiDocument | undefined {
    const e = this.#clusters.get(cluster)?.get(`${version}.${group}`);
    if (!e?.spec.service || e.builtinConflict) return undefined;
    return e.openapi;
  }

  /** What discovery of `cluster` merges in (`undefined`: nothing delegated). */
  discoveryMerge(cluster: string): DiscoveryMerge | undefined {
    const remote = this.remoteGroupVersions(cluster);
    if (remote.length === 0) return undefined;
    return {
      groupList: (doc) => mergeGroupList(doc, remote),
      aggregated: (doc) => mergeAggregated(doc, remote),
      group: (name, own) =>
        remote.some((r) => r.group === name)
          ? remoteApiGroup(name, remote, own)
          : undefined,
    };
  }

  /**
   * Writes what `cluster` starts with: the authentication ConfigMap in
   * `kube-system` and its local APIServices. Later changes of the served
   * kinds go through {@linkcode Aggregator.servedKindsChanged}. Before
   * {@linkcode Aggregator.start} only missing APIServices are created: the
   * server's start registers kinds after its root cluster's bootstrap (CRDs,
   * virtual clusters), and deleting theirs there re-created them, with new
   * uids and two writes each, on every restart; `start()` prunes.
   */
  async bootstrap(cluster: string): Promise<void> {
    await writeAuthenticationConfigMap(
      this.#opts.configMaps,
      cluster,
      authenticationConfigMapData(this.#opts.authentication),
      this.#opts.now(),
    );
    await this.#syncLocal(cluster, this.#started);
    this.#bootstrapped.add(cluster);
  }

  /** Re-syncs the local APIServices of a bootstrapped `cluster`. */
  servedKindsChanged(cluster: string): void {
    if (!this.#bootstrapped.has(cluster) || this.#stopping.signal.aborted) {
      return;
    }
    const prev = this.#syncs.get(cluster) ?? Promise.resolve();
    const next = prev.then(async () => {
      // A deleted cluster (its data removed) has no ConfigMap any more:
      // nothing is written into it.
      if (await hasAuthenticationConfigMap(this.#opts.configMaps, cluster)) {
        await this.#syncLocal(cluster);
      } else this.#bootstrapped.delete(cluster);
    }).catch((err) =>
      this.#log.warn("syncing local APIServices failed", { cluster, err })
    );
    this.#syncs.set(cluster, next);
    next.finally(() => {
      if (this.#syncs.get(cluster) === next) this.#syncs.delete(cluster);
    });
  }

  #syncLocal(cluster: string, prune = true): Promise<void> {
    return syncLocalApiServices(
      this.#opts.apiServices,
      cluster,
      this.#opts.localGroupVersions(cluster),
      this.#opts.now(),
      prune,
    );
  }

  #isBuiltinGroup(cluster: string, group: string): boolean {
    return this.#opts.localGroupVersions(cluster).some((gv) =>
      gv.builtin && gv.group === group
    );
  }

  /**
   * Records `obj`; returns its entry when its spec is new or changed (it
   * needs a check). `before`: the cluster's entries before a relist.
   */
  #apply(
    cluster: string,
    obj: KubeObject,
    before?: Map<string, Entry>,
  ): Entry | undefined {
    const name = obj.metadata.name ?? "";
    const spec = apiServiceSpec(obj);
    // Only delegated APIServices are read here (every lookup skips the
    // rest): a cluster's ten local ones are not kept (10,000 clusters
    // held 100,000 entries nobody read).
    if (!spec.service) {
      this.#remove(cluster, name);
      return undefined;
    }
    let entries = this.#clusters.get(cluster);
    if (!entries) {
      entries = new Map();
      this.#clusters.set(cluster, entries);
    }
    const specJson = JSON.stringify(spec);
    const old = entries.get(name) ?? before?.get(name);
    const cond = availableCondition(obj);
    const entry: Entry = {
      name,
      spec,
      specJson,
      // A new remote APIService is unavailable until its first check.
      available: old?.specJson === specJson
        ? old.available
        : cond?.status === "True" && cond.reason !== "Local",
      reason: old?.specJson === specJson ? old.reason : cond?.message,
      resources: old?.specJson === specJson ? old.resources : undefined,
      openapi: old?.specJson === specJson ? old.openapi : undefined,
      builtinConflict: spec.service !== undefined &&
        this.#isBuiltinGroup(cluster, spec.group),
    };
    entries.set(name, entry);
    return old?.specJson === specJson ? undefined : entry;
  }

  #remove(cluster: string, name: string): void {
    const entries = this.#clusters.get(cluster);
    entries?.delete(name);
    if (entries?.size === 0) this.#clusters.delete(cluster);
  }

  async #watchLoop(listed: PromiseWithResolvers<void>): Promise<void> {
    const { def, store } = this.#opts.apiServices;
    const prefix = resourcePrefix({ group: def.group, resource: def.plural });
    const signal = this.#stopping.signal;
    let first = true;
    while (!signal.aborted) {
      try {
        // The initial events carry their keys (and so their clusters),
        // which a list does not; the bookmark ends them.
        const w = await store.watch(prefix, {
          recursive: true,
          resourceVersion: "",
          sendInitialEvents: true,
          allowBookmarks: true,
          signal,
        });
        let initial: Map<string, Map<string, Entry>> | undefined = new Map();
        const saved = new Map(this.#clusters);
        for await (const ev of w) {
          if (ev.type === "ERROR") break;
          if (ev.type === "BOOKMARK") {
            const end = ev.object.metadata.annotations?.[
              INITIAL_EVENTS_END_ANNOTATION
            ] === "true";
            if (initial && end) {
              for (const c of [...this.#clusters.keys()]) {
                if (!initial.has(c)) this.#clusters.delete(c);
              }
              initial = undefined;
              if (first) listed.resolve();
              first = false;
              this.#wake.resolve();
            }
            continue;
          }
          const cluster = ev.key ? clusterFromKey(ev.key) : undefined;
          if (!cluster) continue;
          if (initial && !initial.has(cluster)) {
            // A relist: start the cluster afresh, keeping check results.
            initial.set(cluster, new Map());
            this.#clusters.delete(cluster);
          }
          if (ev.type !== "DELETED" && notDelegated(ev.text)) {
            // What `#apply` does with it, without decoding it (a restart
            // with 10,000 clusters has 100,000 local APIServices).
            this.#remove(cluster, nameFromKey(ev.key!));
          } else if (ev.type === "DELETED") {
            this.#remove(cluster, ev.object.metadata.name ?? "");
          } else if (
            this.#apply(cluster, ev.object, saved.get(cluster))?.spec.service
          ) {
            this.#wake.resolve();
          }
        }
      } catch (err) {
        if (signal.aborted) break;
        if (first) {
          listed.reject(err);
          return;
        }
        this.#log.warn("apiservice watch failed; retrying", { err });
      }
      await sleep(1000, signal).catch(() => {});
    }
    if (first) listed.resolve();
  }

  async #checkLoop(): Promise<void> {
    const signal = this.#stopping.signal;
    const interval = this.#opts.checkIntervalMs ?? 10_000;
    while (!signal.aborted) {
      // A wake-up during the checks (an APIService changed) runs the loop
      // again at once instead of being lost.
      const wake = this.#wake = Promise.withResolvers<void>();
      const checks: Promise<void>[] = [];
      for (const [cluster, entries] of this.#clusters) {
        for (const e of entries.values()) {
          if (!e.spec.service) continue;
          checks.push(this.#checkOne(cluster, e));
        }
      }
      await Promise.allSettled(checks);
      const timer = setTimeout(() => wake.resolve(), interval);
      await wake.promise;
      clearTimeout(timer);
    }
  }

  async #checkOne(cluster: string, e: Entry): Promise<void> {
    const result: CheckResult = e.builtinConflict
      ? {
        condition: {
          type: "Available",
          status: "False",
          reason: "BuiltInGroup",
          message:
            `the group ${e.spec.group} is built into this server; an extension server cannot take it over`,
        },
      }
      : await checkApiService(e.spec, {
        resolver: this.#opts.resolver,
        clients: this.#clients,
        timeoutMs: this.#opts.checkTimeoutMs,
        signal: this.#stopping.signal,
      });
    if (this.#stopping.signal.aborted) return;
    const current = this.#clusters.get(cluster)?.get(e.name);
    if (current !== e && current?.specJson !== e.specJson) return;
    const live = current ?? e;
    const wasAvailable = live.available;
    live.available = result.condition.status === "True" && !e.builtinConflict;
    live.reason = result.condition.message;
    if (result.resources) {
      live.resources = result.resources;
      live.openapi = await fetchOpenApiV3(e.spec, {
        resolver: this.#opts.resolver,
        clients: this.#clients,
        timeoutMs: this.#opts.checkTimeoutMs,
        signal: this.#stopping.signal,
      }, live.openapi);
    }
    if (wasAvailable !== live.available) {
      this.#log.info("apiservice availability changed", {
        cluster,
        apiservice: e.name,
        available: live.available,
        reason: result.condition.reason,
      });
    }
    await writeAvailableCondition(
      this.#opts.apiServices,
      cluster,
      e.name,
      result.condition,
      this.#opts.now(),
    ).catch((err) => {
      if (!isStorageError(err, "NotFound")) {
        this.#log.warn("writing apiservice status failed", {
          cluster,
          apiservice: e.name,
          err,
        });
      }
    });
  }
}

/**
 * True when an APIService's text (`WatchEvent.text`, where the store offers
 * it) names no `service` anywhere, so its spec has none: a local one.
 */
function notDelegated(text: EventText | undefined): boolean {
  return text !== undefined && !text.json.includes('"service"');
}
