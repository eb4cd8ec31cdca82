/**
 * The `garbagecollector` controller, after upstream's
 * `pkg/controller/garbagecollector`: a graph builder fed by informers over
 * every listable, watchable, deletable resource found by discovery (built-ins
 * and custom resources, refreshed periodically), and two queues:
 *
 * - attemptToDelete: a dependent whose owners are all gone (absent, or with
 *   another uid) is deleted; references to absent owners are stripped when a
 *   live owner remains; an owner under foreground deletion waits until no
 *   `blockOwnerDeletion` dependent is left, then loses its
 *   `foregroundDeletion` finalizer.
 * - attemptToOrphan: an owner with the `orphan` finalizer has its reference
 *   removed from every dependent, then loses the finalizer.
 *
 * A cluster-scoped dependent of a namespaced owner is refused with an
 * `OwnerRefInvalidNamespace` warning event and left alone, as upstream.
 *
 * Clusters come and go with the `ClusterTracker`: a new cluster is
 * discovered and its custom resources watched; a cluster gone (deleted) is
 * forgotten — its kind mapper, its share of the custom resource informers
 * (an informer no other cluster needs is stopped) and any rediscovery due —
 * and no longer discovered. Its graph nodes go with the DELETED events of
 * its objects (a custom resource's, when its informer stops counting the
 * cluster).
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import type { Logger } from "../../log/mod.ts";
import {
  ALL_CLUSTERS,
  type ApiResource,
  clusterOf,
  discoverResources,
  isApiCode,
  isNotFound,
  KindMapper,
} from "../client/mod.ts";
import type { ControllerContext, ControllerDescriptor } from "../context.ts";
import {
  type InformerSpec,
  onCrdChanges,
  runWorkers,
  sleep,
  WorkQueue,
} from "../runtime/mod.ts";
import {
  FOREGROUND_FINALIZER,
  type GraphChanges,
  type GraphNode,
  nodeKey,
  ORPHAN_FINALIZER,
  OwnershipGraph,
} from "./graph.ts";
import {
  objectTarget,
  removeFinalizer,
  removeOwnerReferences,
  unblockOwnerReferences,
  warningEvent,
} from "./_operations.ts";

/** Resources the collector never watches (upstream's ignored resources). */
const IGNORED = new Set(["/events", "events.k8s.io/events"]);
const ABSENT_CACHE_LIMIT = 100_000;

function resourceId(r: Pick<ApiResource, "group" | "version" | "resource">) {
  return `${r.group}/${r.version}/${r.resource}`;
}

/** True when the collector watches `r`. */
export function isCollectable(r: ApiResource): boolean {
  return ["list", "watch", "delete"].every((v) => r.verbs.includes(v)) &&
    !IGNORED.has(`${r.group}/${r.resource}`);
}

type OwnerState = "solid" | "dangling" | "waiting";

class InvalidOwnerNamespace extends Error {}

/** See the module doc. */
export class GarbageCollector {
  readonly graph = new OwnershipGraph();
  readonly deleteQueue = new WorkQueue();
  readonly orphanQueue = new WorkQueue();
  #ctx: ControllerContext;
  #log: Logger;
  #mappers = new Map<string, KindMapper>();
  /** Per cluster: the watched resources (`group/resource`) and informers. */
  #watched = new Map<string, Map<string, InformerSpec>>();
  /**
   * Cross-cluster informers, by `group/version/resource`; `clusters` lists
   * the clusters whose objects count (custom resources: where discovery
   * found that version), `undefined` for built-ins (every cluster).
   */
  #shared = new Map<string, { spec: InformerSpec; clusters?: Set<string> }>();
  /** `group/version/resource` of the built-ins (watched for every cluster). */
  #wildcard = new Set<string>();
  /** Clusters with a rediscovery running, and whether another is due. */
  #resyncing = new Map<string, boolean>();
  /** Discoveries of newly seen clusters, awaited on stop. */
  #pending = new Set<Promise<void>>();
  #absent = new Set<string>();

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#log = ctx.logger;
  }

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const stop = () => {
      this.deleteQueue.shutDown();
      this.orphanQueue.shutDown();
    };
    signal.addEventListener("abort", stop, { once: true });
    try {
      // Workers start once every cluster's informers have synced, so that
      // no dependent is judged before its owner could be observed.
      await this.#retry(signal, "*", () => this.#syncWildcard());
      await this.#ctx.clusters.waitForSync(signal);
      // Clusters that disappear are forgotten (from now on: a discovery
      // under way for one of them then ends without effect).
      this.#ctx.clusters.onClusterGone((c) => this.#forgetCluster(c));
      await Promise.all(
        this.#ctx.clusters.clusters.map((c) =>
          this.#retry(signal, c, () => this.syncResources(c))
        ),
      );
      // Clusters that appear later are discovered as they come.
      this.#ctx.clusters.onCluster((c) => {
        if (this.#mappers.has(c) || signal.aborted) return;
        this.#resyncSoon(signal, c);
      });
      // New custom resource kinds are watched as soon as they are served.
      onCrdChanges(this.#ctx.informers, (c) => {
        if (this.#ctx.clusters.accepts(c) && this.#mappers.has(c)) {
          this.#resyncSoon(signal, c);
        }
      });
      await this.#waitForSync(signal);
      if (signal.aborted) return;
      this.#log.info("graph synced", { nodes: this.graph.size });
      const workers = this.#ctx.workers ?? 20;
      await Promise.all([
        this.#discoveryLoop(signal),
        runWorkers(
          this.deleteQueue,
          workers,
          (k) => this.attemptToDelete(k),
          (item, error) =>
            this.#log.debug("attemptToDelete failed", { item, error }),
        ),
        runWorkers(
          this.orphanQueue,
          Math.max(1, Math.ceil(workers / 4)),
          (k) => this.attemptToOrphan(k),
          (item, error) =>
            this.#log.warn("attemptToOrphan failed", { item, error }),
        ),
      ]);
    } finally {
      signal.removeEventListener("abort", stop);
      await Promise.allSettled([...this.#pending]);
    }
  }

  async #retry(
    signal: AbortSignal,
    cluster: string,
    f: () => Promise<void>,
  ): Promise<void> {
    while (!signal.aborted && this.#wanted(cluster)) {
      try {
        return await f();
      } catch (e) {
        this.#log.warn("discovery failed", { cluster, error: e });
        await sleep(1_000, signal);
      }
    }
  }

  /** True while `cluster` (or `*`, every cluster) is to be discovered. */
  #wanted(cluster: string): boolean {
    return cluster === "*" || this.#ctx.clusters.has(cluster);
  }

  /**
   * Drops what is kept for `cluster`, gone: its mapper, a rediscovery due
   * (one running ends without effect) and its share of the custom
   * resource informers (as when a kind leaves discovery). Remembered
   * absences stay: they name uids, never reused, and the set is bounded.
   */
  #forgetCluster(cluster: string): void {
    this.#mappers.delete(cluster);
    if (this.#resyncing.has(cluster)) this.#resyncing.set(cluster, false);
    const watched = this.#watched.get(cluster);
    this.#watched.delete(cluster);
    if (!watched) return;
    // Every #unwatch updates the shared state before its first await, so a
    // cluster of the same name created meanwhile starts from a clean slate.
    const p = Promise.all(
      [...watched.values()].map((spec) => this.#unwatch(cluster, spec)),
    ).then(() => {}).finally(() => this.#pending.delete(p));
    this.#pending.add(p);
    this.#log.info("forgot a deleted cluster", {
      cluster,
      resources: watched.size,
    });
  }

  /** Rediscovers `cluster` (once more after a running rediscovery). */
  #resyncSoon(signal: AbortSignal, cluster: string): void {
    if (signal.aborted) return;
    if (this.#resyncing.has(cluster)) {
      this.#resyncing.set(cluster, true);
      return;
    }
    this.#resyncing.set(cluster, false);
    const p = this.#retry(signal, cluster, () => this.syncResources(cluster))
      .finally(() => {
        this.#pending.delete(p);
        const again = this.#resyncing.get(cluster);
        this.#resyncing.delete(cluster);
        if (again) this.#resyncSoon(signal, cluster);
      });
    this.#pending.add(p);
  }

  /** The clusters discovered (a kind mapper kept for each). */
  get discoveredClusters(): string[] {
    return [...this.#mappers.keys()];
  }

  /** The resources (`group/resource`) watched for `cluster`. */
  watchedIn(cluster: string): string[] {
    return [...this.#watched.get(cluster)?.keys() ?? []];
  }

  /** Learns which resources can be watched across clusters (built-ins). */
  async #syncWildcard(): Promise<void> {
    const found = await discoverResources(this.#ctx.client, ALL_CLUSTERS);
    this.#wildcard = new Set(found.resources.map(resourceId));
  }

  async #waitForSync(signal: AbortSignal): Promise<void> {
    const all = [...this.#shared.values()].map((s) => s.spec);
    await Promise.all(
      all.map((s) => this.#ctx.informers.informer(s).waitForSync(signal)),
    );
  }

  async #discoveryLoop(signal: AbortSignal): Promise<void> {
    const every = this.#ctx.discoveryIntervalMs ?? 30_000;
    while (!signal.aborted) {
      await sleep(every, signal);
      if (signal.aborted) return;
      await this.#syncWildcard().catch((e) =>
        this.#log.warn("discovery failed", { cluster: "*", error: e })
      );
      for (const c of this.#ctx.clusters.clusters) {
        if (!this.#wanted(c)) continue; // gone since the loop started
        await this.syncResources(c).catch((e) =>
          this.#log.warn("discovery failed", { cluster: c, error: e })
        );
      }
    }
  }

  /**
   * Watches what discovery now lists in `cluster` (and stops what is gone).
   * Does nothing for a cluster the tracker does not know (gone meanwhile).
   */
  async syncResources(cluster: string): Promise<void> {
    const found = await discoverResources(this.#ctx.client, cluster);
    if (!this.#wanted(cluster)) return;
    this.#mappers.set(cluster, new KindMapper(found.resources));
    const watched = this.#watched.get(cluster) ?? new Map();
    this.#watched.set(cluster, watched);
    const want = new Map(
      found.resources.filter(isCollectable).map((
        r,
      ) => [`${r.group}/${r.resource}`, r]),
    );
    for (const [id, spec] of watched) {
      const r = want.get(id);
      if (r && resourceId(r) === resourceId(spec.target.resource)) continue;
      // A group that failed discovery keeps its informers.
      const gv = spec.target.resource.group
        ? `${spec.target.resource.group}/${spec.target.resource.version}`
        : spec.target.resource.version;
      if (!r && found.failed.includes(gv)) continue;
      watched.delete(id);
      await this.#unwatch(cluster, spec);
      this.#log.info("stopped watching", { cluster, resource: id });
    }
    if (!this.#wanted(cluster)) return; // gone while stopping informers
    for (const [id, r] of want) {
      if (watched.has(id)) continue;
      watched.set(id, this.#watchEverywhere(cluster, r));
    }
  }

  /**
   * The cross-cluster informer of `r`, now also counting `cluster`'s
   * objects (built-ins count every cluster's from the start). Custom
   * resources are served across clusters only where their CRD serves that
   * version, so one informer per version covers every cluster.
   */
  #watchEverywhere(cluster: string, r: ApiResource): InformerSpec {
    const id = resourceId(r);
    const builtin = this.#wildcard.has(id);
    const existing = this.#shared.get(id);
    if (existing) {
      if (existing.clusters && !existing.clusters.has(cluster)) {
        existing.clusters.add(cluster);
        // Objects already seen before this cluster counted.
        const informer = this.#ctx.informers.informer(existing.spec);
        for (const o of informer.list()) {
          if (clusterOf(o) === cluster) {
            this.#apply(this.graph.observe(cluster, r, o));
          }
        }
      }
      return existing.spec;
    }
    // Metadata is all the graph reads (uid, owners, finalizers, deletion).
    const spec: InformerSpec = {
      target: { cluster: ALL_CLUSTERS, resource: r },
      metadataOnly: true,
    };
    const clusters = builtin ? undefined : new Set([cluster]);
    this.#shared.set(id, { spec, clusters });
    const accepted = (o: KubeObject) => {
      const c = clusterOf(o);
      if (!this.#ctx.clusters.accepts(c)) return undefined;
      return !clusters || clusters.has(c) ? c : undefined;
    };
    this.#ctx.informers.informer(spec).addHandler({
      onAdd: (o) => {
        const c = accepted(o);
        if (c) this.#apply(this.graph.observe(c, r, o));
      },
      onUpdate: (_, o) => {
        const c = accepted(o);
        if (c) this.#apply(this.graph.observe(c, r, o));
      },
      onDelete: (o) => {
        const c = accepted(o);
        if (c) this.#observeDeleted(c, o);
      },
    });
    return spec;
  }

  /** `cluster`'s objects of `spec` stop counting (its kind is gone there). */
  async #unwatch(cluster: string, spec: InformerSpec): Promise<void> {
    const id = resourceId(spec.target.resource);
    const shared = this.#shared.get(id);
    if (!shared?.clusters) return;
    shared.clusters.delete(cluster);
    const informer = this.#ctx.informers.informer(shared.spec);
    for (const o of informer.list()) {
      if (clusterOf(o) === cluster) this.#observeDeleted(cluster, o);
    }
    if (shared.clusters.size === 0) {
      this.#shared.delete(id);
      await this.#ctx.informers.release(shared.spec);
    }
  }

  #observeDeleted(cluster: string, obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    const node = this.graph.get(cluster, uid);
    if (!node || node.virtual) return;
    // Remembered only when dependents may ask for it (as upstream): a
    // deletion of many objects without dependents leaves the set as it was.
    if (node.dependents.size > 0) {
      this.#markAbsent(`${cluster}|${node.namespace}|${uid}`);
    }
    this.#apply(this.graph.remove(cluster, uid));
  }

  #apply(changes: GraphChanges): void {
    for (const n of changes.attemptToDelete) {
      this.deleteQueue.add(nodeKey(n.cluster, n.uid));
    }
    for (const n of changes.attemptToOrphan) {
      this.orphanQueue.add(nodeKey(n.cluster, n.uid));
    }
  }

  #markAbsent(key: string): void {
    if (this.#absent.size >= ABSENT_CACHE_LIMIT) this.#absent.clear();
    this.#absent.add(key);
  }

  async #resourceOf(
    cluster: string,
    apiVersion: string,
    kind: string,
  ): Promise<ApiResource> {
    let r = this.#mappers.get(cluster)?.lookup(apiVersion, kind);
    if (!r) {
      await this.syncResources(cluster);
      r = this.#mappers.get(cluster)?.lookup(apiVersion, kind);
    }
    if (!r) throw new Error(`unknown kind ${kind} in ${apiVersion}`);
    return r;
  }

  /** The attemptToDelete step for the node `key`. */
  async attemptToDelete(key: string): Promise<void> {
    const node = this.graph.byKey(key);
    if (!node) return;
    if (node.virtual) return await this.#verifyVirtual(node);
    if (node.deletingDependents) {
      return await this.#processDeletingDependents(node);
    }
    const obj = node.obj!;
    if (obj.metadata.deletionTimestamp || node.owners.length === 0) return;
    const states = new Map<string, OwnerState>();
    try {
      for (const ref of node.owners) {
        states.set(ref.uid, await this.#ownerState(node, ref));
      }
    } catch (e) {
      if (!(e instanceof InvalidOwnerNamespace)) throw e;
      await warningEvent(
        this.#ctx.client,
        node.cluster,
        obj,
        "OwnerRefInvalidNamespace",
        e.message,
      ).catch((err) =>
        this.#log.warn("recording an event failed", { error: err })
      );
      return;
    }
    const of = (s: OwnerState) =>
      new Set([...states].filter(([, v]) => v === s).map(([k]) => k));
    const solid = of("solid");
    const dangling = of("dangling");
    const waiting = of("waiting");
    const target = objectTarget(
      node.cluster,
      node.resource!,
      node.namespace,
      obj.metadata.name!,
    );
    if (solid.size > 0) {
      if (dangling.size + waiting.size > 0) {
        await removeOwnerReferences(
          this.#ctx.client,
          target,
          node.uid,
          new Set([...dangling, ...waiting]),
        );
      }
      return;
    }
    let policy: "Background" | "Foreground" | "Orphan" = "Background";
    if (waiting.size > 0 && node.dependents.size > 0) {
      await unblockOwnerReferences(
        this.#ctx.client,
        target,
        node.uid,
        waiting,
      );
      policy = "Foreground";
    } else if (obj.metadata.finalizers?.includes(ORPHAN_FINALIZER)) {
      policy = "Orphan";
    } else if (obj.metadata.finalizers?.includes(FOREGROUND_FINALIZER)) {
      policy = "Foreground";
    }
    try {
      await this.#ctx.client.delete(target, {
        propagationPolicy: policy,
        preconditions: { uid: node.uid },
      });
      this.#log.debug("deleted dependent", {
        cluster: node.cluster,
        namespace: node.namespace,
        name: obj.metadata.name,
        policy,
      });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
  }

  async #ownerState(
    node: GraphNode,
    ref: { apiVersion: string; kind: string; name: string; uid: string },
  ): Promise<OwnerState> {
    const r = await this.#resourceOf(node.cluster, ref.apiVersion, ref.kind);
    if (r.namespaced && !node.namespace) {
      throw new InvalidOwnerNamespace(
        `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: , name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace ""`,
      );
    }
    const ns = r.namespaced ? node.namespace : "";
    const owner = this.graph.get(node.cluster, ref.uid);
    if (owner && !owner.virtual && owner.namespace === ns) {
      return owner.deletingDependents ? "waiting" : "solid";
    }
    const absentKey = `${node.cluster}|${ns}|${ref.uid}`;
    if (this.#absent.has(absentKey)) return "dangling";
    let live: KubeObject;
    try {
      live = await this.#ctx.client.get(
        objectTarget(node.cluster, r, ns, ref.name),
      );
    } catch (e) {
      if (!isNotFound(e)) throw e;
      this.#markAbsent(absentKey);
      return "dangling";
    }
    if (live.metadata.uid !== ref.uid) {
      this.#markAbsent(absentKey);
      return "dangling";
    }
    return live.metadata.deletionTimestamp &&
        live.metadata.finalizers?.includes(FOREGROUND_FINALIZER)
      ? "waiting"
      : "solid";
  }

  async #verifyVirtual(node: GraphNode): Promise<void> {
    const r = await this.#resourceOf(
      node.cluster,
      node.ref.apiVersion,
      node.ref.kind,
    );
    if (r.namespaced && !node.namespace) {
      for (const d of node.dependents) {
        this.deleteQueue.add(nodeKey(d.cluster, d.uid));
      }
      return;
    }
    const ns = r.namespaced ? node.namespace : "";
    const absentKey = `${node.cluster}|${ns}|${node.uid}`;
    if (!this.#absent.has(absentKey)) {
      try {
        const live = await this.#ctx.client.get(
          objectTarget(node.cluster, r, ns, node.ref.name),
        );
        // It exists: its informer will turn the node real.
        if (live.metadata.uid === node.uid) return;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      this.#markAbsent(absentKey);
    }
    if (this.graph.byKey(nodeKey(node.cluster, node.uid))?.virtual) {
      this.#apply(this.graph.remove(node.cluster, node.uid));
    }
  }

  async #processDeletingDependents(node: GraphNode): Promise<void> {
    const blocking = node.blockingDependents();
    if (blocking.length === 0) {
      await removeFinalizer(
        this.#ctx.client,
        objectTarget(
          node.cluster,
          node.resource!,
          node.namespace,
          node.ref.name,
        ),
        node.uid,
        FOREGROUND_FINALIZER,
      );
      return;
    }
    for (const d of blocking) {
      if (!d.deletingDependents) {
        this.deleteQueue.add(nodeKey(d.cluster, d.uid));
      }
    }
  }

  /** The attemptToOrphan step for the owner `key`. */
  async attemptToOrphan(key: string): Promise<void> {
    const node = this.graph.byKey(key);
    if (!node || !node.orphaningDependents) return;
    const owner = new Set([node.uid]);
    const dependents = [...node.dependents].filter((d) => !d.virtual);
    for (let i = 0; i < dependents.length; i += 50) {
      await Promise.all(
        dependents.slice(i, i + 50).map((d) =>
          removeOwnerReferences(
            this.#ctx.client,
            objectTarget(d.cluster, d.resource!, d.namespace, d.ref.name),
            d.uid,
            owner,
          ).catch((e) => {
            if (!isApiCode(e, 404)) throw e;
          })
        ),
      );
    }
    await removeFinalizer(
      this.#ctx.client,
      objectTarget(node.cluster, node.resource!, node.namespace, node.ref.name),
      node.uid,
      ORPHAN_FINALIZER,
    );
  }
}

/** The `garbagecollector` controller. */
export const garbageCollectorController: ControllerDescriptor = {
  name: "garbagecollector",
  identity: "generic-garbage-collector",
  run: (ctx, signal) => new GarbageCollector(ctx).run(signal),
};
