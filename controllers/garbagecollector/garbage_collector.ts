/**
 * The `garbagecollector` controller, after upstream's
 * `pkg/controller/garbagecollector`: a graph builder fed by informers over
 * every listable, watchable, deletable resource found by discovery (built-ins
 * and custom resources), and two queues:
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
 * Discovery does not grow with the clusters. The built-ins are the same
 * in every cluster: discovered once across clusters (`/clusters/*`,
 * aggregated discovery, two requests) and watched by one cross-cluster
 * informer each, at start and every `discoveryIntervalMs` (upstream's 30 s
 * resync of its one cluster). A cluster is discovered on its own only when
 * it serves more: when its CRDs change (the cross-cluster CRD informer,
 * `onCrdChanges`), and for `root` (its `VirtualCluster`s), which with any
 * cluster serving kinds that come from no CRD is also rediscovered
 * periodically. A new cluster without CRDs costs no request; a CRD the
 * API does not serve yet is looked for again a few times, a second apart.
 * A kind an owner reference names and discovery did not list makes the
 * cluster be discovered on its own (upstream's mapper miss).
 *
 * Clusters come and go with the `ClusterTracker`: a cluster gone (deleted)
 * is forgotten — what its own discovery added, its share of the custom
 * resource informers (an informer no other cluster needs is stopped) and
 * any rediscovery due. Its graph nodes go with the DELETED events of its
 * objects (a custom resource's, when its informer stops counting the
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
  type Informer,
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
  crdResource,
  groupVersionOf,
  isCollectable,
  resourceId,
} from "./_resources.ts";
import {
  objectTarget,
  removeFinalizer,
  removeOwnerReferences,
  unblockOwnerReferences,
  warningEvent,
} from "./_operations.ts";

const ABSENT_CACHE_LIMIT = 100_000;

type OwnerState = "solid" | "dangling" | "waiting";

class InvalidOwnerNamespace extends Error {}

/**
 * The cluster that serves kinds of its own beyond the built-ins and its
 * CRDs (`VirtualCluster`): discovered on its own, like a cluster with CRDs.
 */
const ROOT_CLUSTER = "root";
/** Rediscoveries of a cluster whose discovery lags behind its CRDs. */
const LAGGING_RETRIES = 5;
const LAGGING_DELAY_MS = 1_000;

/** What a cluster discovered on its own serves beyond the built-ins. */
interface OwnDiscovery {
  /** Every kind served there (built-ins included). */
  mapper: KindMapper;
  /** The watched resources (`group/resource`) that are not built in. */
  watched: Map<string, InformerSpec>;
  /** Some of them come from no CRD (rediscovered periodically). */
  others: boolean;
}

/** See the module doc. */
export class GarbageCollector {
  readonly graph = new OwnershipGraph();
  readonly deleteQueue = new WorkQueue();
  readonly orphanQueue = new WorkQueue();
  #ctx: ControllerContext;
  #log: Logger;
  /** The built-in kinds (every cluster serves them). */
  #builtinMapper = new KindMapper([]);
  /** `group/version/resource` of the built-ins (watched for every cluster). */
  #wildcard = new Set<string>();
  /** The built-in resources watched, by `group/resource`. */
  #builtins = new Map<string, InformerSpec>();
  /** Clusters discovered on their own (CRDs, root): what they add. */
  #own = new Map<string, OwnDiscovery>();
  /**
   * Cross-cluster informers, by `group/version/resource`; `clusters` lists
   * the clusters whose objects count (custom resources: where discovery
   * found that version), `undefined` for built-ins (every cluster).
   */
  #shared = new Map<string, { spec: InformerSpec; clusters?: Set<string> }>();
  /** The cross-cluster CRD informer (which clusters have CRDs). */
  #crds?: Informer;
  /** Clusters whose CRDs changed before the tracker knew them. */
  #unknownWithCrds = new Set<string>();
  /** Clusters with a rediscovery running, and whether another is due. */
  #resyncing = new Map<string, boolean>();
  /** Rediscoveries left for a cluster whose discovery lags its CRDs. */
  #lagging = new Map<string, number>();
  /** Discoveries of newly seen clusters, awaited on stop. */
  #pending = new Set<Promise<void>>();
  #absent = new Set<string>();
  #signal?: AbortSignal;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#log = ctx.logger;
  }

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    const stop = () => {
      this.deleteQueue.shutDown();
      this.orphanQueue.shutDown();
    };
    signal.addEventListener("abort", stop, { once: true });
    try {
      // Changes of CRDs before the first discoveries are done are covered
      // by them (they read the CRD informer once it has synced).
      let started = false;
      const early = new Set<string>();
      this.#crds = onCrdChanges(this.#ctx.informers, (c) => {
        if (!this.#ctx.clusters.accepts(c)) return;
        if (!started) early.add(c);
        else this.#crdsChanged(signal, c);
      });
      // Workers start once every cluster's informers have synced, so that
      // no dependent is judged before its owner could be observed.
      await this.#retry(signal, "*", () => this.#syncBuiltins());
      await this.#ctx.clusters.waitForSync(signal);
      await this.#crds.waitForSync(signal);
      // Clusters that disappear are forgotten (from now on: a discovery
      // under way for one of them then ends without effect).
      this.#ctx.clusters.onClusterGone((c) => this.#forgetCluster(c));
      // Only clusters that serve more than the built-ins are discovered on
      // their own: root, and those with CRDs.
      const own = new Set([ROOT_CLUSTER, ...early]);
      for (const crd of this.#crds.list()) {
        const c = clusterOf(crd);
        if (c) own.add(c);
      }
      early.clear();
      await Promise.all(
        [...own].filter((c) => this.#ctx.clusters.accepts(c)).map((c) =>
          this.#retry(signal, c, () => this.syncResources(c))
        ),
      );
      // CRDs that changed while those discoveries ran.
      started = true;
      for (const c of early) this.#crdsChanged(signal, c);
      // A cluster that appears later serves the built-ins, already
      // watched: it is discovered only when its CRDs change (or came
      // before it).
      this.#ctx.clusters.onCluster((c) => {
        if (this.#unknownWithCrds.delete(c)) this.#resyncSoon(signal, c);
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

  /** `cluster`'s CRDs changed: rediscover it (once the tracker knows it). */
  #crdsChanged(signal: AbortSignal, cluster: string): void {
    if (!this.#ctx.clusters.has(cluster)) {
      // Remembered while it has CRDs (not for a deleted cluster's last).
      const any = this.#crds?.list().some((crd) => clusterOf(crd) === cluster);
      if (any) this.#unknownWithCrds.add(cluster);
      else this.#unknownWithCrds.delete(cluster);
      return;
    }
    this.#lagging.delete(cluster);
    this.#resyncSoon(signal, cluster);
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
   * Drops what is kept for `cluster`, gone: what its own discovery added, a
   * rediscovery due (one running ends without effect) and its share of the
   * custom resource informers (as when a kind leaves discovery). Remembered
   * absences stay: they name uids, never reused, and the set is bounded.
   */
  #forgetCluster(cluster: string): void {
    if (this.#resyncing.has(cluster)) this.#resyncing.set(cluster, false);
    this.#lagging.delete(cluster);
    this.#unknownWithCrds.delete(cluster);
    const own = this.#own.get(cluster);
    this.#own.delete(cluster);
    if (!own) return;
    // Every #unwatch updates the shared state before its first await, so a
    // cluster of the same name created meanwhile starts from a clean slate.
    const p = Promise.all(
      [...own.watched.values()].map((spec) => this.#unwatch(cluster, spec)),
    ).then(() => {}).finally(() => this.#pending.delete(p));
    this.#pending.add(p);
    this.#log.info("forgot a deleted cluster", {
      cluster,
      resources: own.watched.size,
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

  /** Rediscovers `cluster` after a pause (its discovery lags its CRDs). */
  #resyncLater(cluster: string): void {
    const signal = this.#signal;
    const left = this.#lagging.get(cluster) ?? LAGGING_RETRIES;
    if (!signal || signal.aborted || left <= 0) return;
    this.#lagging.set(cluster, left - 1);
    const p = sleep(LAGGING_DELAY_MS, signal).then(() => {
      if (this.#lagging.has(cluster)) this.#resyncSoon(signal, cluster);
    }).finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }

  /**
   * The clusters discovered on their own (root, and those whose CRDs add
   * kinds); every other cluster serves the built-ins only, shared.
   */
  get discoveredClusters(): string[] {
    return [...this.#own.keys()];
  }

  /** The resources (`group/resource`) watched for `cluster` beyond the built-ins. */
  watchedIn(cluster: string): string[] {
    return [...this.#own.get(cluster)?.watched.keys() ?? []];
  }

  /**
   * Learns the built-in resources (discovery across clusters, the same in
   * every cluster) and watches them across clusters; a built-in no longer
   * served (another server version) stops being watched.
   */
  async #syncBuiltins(): Promise<void> {
    const found = await discoverResources(this.#ctx.client, ALL_CLUSTERS);
    this.#builtinMapper = new KindMapper(found.resources);
    this.#wildcard = new Set(found.resources.map(resourceId));
    const want = new Map(
      found.resources.filter(isCollectable).map((r) => [
        `${r.group}/${r.resource}`,
        r,
      ]),
    );
    for (const [id, spec] of this.#builtins) {
      const r = want.get(id);
      if (r && resourceId(r) === resourceId(spec.target.resource)) continue;
      if (!r && found.failed.includes(groupVersionOf(spec))) continue;
      this.#builtins.delete(id);
      const shared = this.#shared.get(resourceId(spec.target.resource));
      if (shared && !shared.clusters) {
        this.#shared.delete(resourceId(spec.target.resource));
        await this.#ctx.informers.release(shared.spec);
      }
      this.#log.info("stopped watching", { cluster: "*", resource: id });
    }
    for (const [id, r] of want) {
      if (!this.#builtins.has(id)) {
        this.#builtins.set(id, this.#watchEverywhere(undefined, r));
      }
    }
  }

  async #waitForSync(signal: AbortSignal): Promise<void> {
    const all = [...this.#shared.values()].map((s) => s.spec);
    await Promise.all(
      all.map((s) => this.#ctx.informers.informer(s).waitForSync(signal)),
    );
  }

  /**
   * Every `discoveryIntervalMs` (upstream's 30 s resync of its one
   * cluster): the built-ins once for all clusters, and the clusters that
   * serve kinds of their own beyond CRDs (root) — never every cluster:
   * CRD changes rediscover their cluster as they happen.
   */
  async #discoveryLoop(signal: AbortSignal): Promise<void> {
    const every = this.#ctx.discoveryIntervalMs ?? 30_000;
    while (!signal.aborted) {
      await sleep(every, signal);
      if (signal.aborted) return;
      await this.#syncBuiltins().catch((e) =>
        this.#log.warn("discovery failed", { cluster: "*", error: e })
      );
      for (const [c, own] of [...this.#own]) {
        if (!own.others || !this.#wanted(c)) continue;
        await this.syncResources(c).catch((e) =>
          this.#log.warn("discovery failed", { cluster: c, error: e })
        );
      }
    }
  }

  /** The kinds served in `cluster` (the built-ins', unless it adds some). */
  #mapperOf(cluster: string): KindMapper {
    return this.#own.get(cluster)?.mapper ?? this.#builtinMapper;
  }

  /**
   * Discovers `cluster` and watches what it serves beyond the built-ins
   * (and stops what is gone); a cluster that adds nothing keeps no state
   * of its own. Does nothing for a cluster the tracker does not know (gone
   * meanwhile).
   */
  async syncResources(cluster: string): Promise<void> {
    const found = await discoverResources(this.#ctx.client, cluster);
    if (!this.#wanted(cluster)) return;
    const want = new Map(
      found.resources.filter((r) =>
        isCollectable(r) && !this.#wildcard.has(resourceId(r))
      ).map((r) => [`${r.group}/${r.resource}`, r]),
    );
    const crds = new Set<string>();
    for (const crd of this.#crds?.list() ?? []) {
      const id = clusterOf(crd) === cluster ? crdResource(crd) : undefined;
      if (id) crds.add(id);
    }
    const own: OwnDiscovery = this.#own.get(cluster) ??
      { mapper: this.#builtinMapper, watched: new Map(), others: false };
    own.mapper = new KindMapper(found.resources);
    own.others = [...want.keys()].some((id) => !crds.has(id));
    if (want.size > 0) this.#own.set(cluster, own);
    const watched = own.watched;
    for (const [id, spec] of watched) {
      const r = want.get(id);
      if (r && resourceId(r) === resourceId(spec.target.resource)) continue;
      // A group that failed discovery keeps its informers.
      if (!r && found.failed.includes(groupVersionOf(spec))) continue;
      watched.delete(id);
      await this.#unwatch(cluster, spec);
      this.#log.info("stopped watching", { cluster, resource: id });
    }
    if (!this.#wanted(cluster)) return; // gone while stopping informers
    for (const [id, r] of want) {
      if (watched.has(id)) continue;
      watched.set(id, this.#watchEverywhere(cluster, r));
    }
    if (
      want.size === 0 && watched.size === 0 && this.#own.get(cluster) === own
    ) {
      this.#own.delete(cluster);
    }
    // The API serves a CRD once established, a moment after its status
    // says so: a CRD not yet served is looked for again shortly.
    const served = new Set(
      found.resources.map((r) => `${r.group}/${r.resource}`),
    );
    if ([...crds].some((id) => !served.has(id))) this.#resyncLater(cluster);
    else this.#lagging.delete(cluster);
  }

  /**
   * The cross-cluster informer of `r`, now also counting `cluster`'s
   * objects (`undefined`: a built-in, counting every cluster's from the
   * start). Custom resources are served across clusters only where their
   * CRD serves that version, so one informer per version covers every
   * cluster.
   */
  #watchEverywhere(cluster: string | undefined, r: ApiResource): InformerSpec {
    const id = resourceId(r);
    const existing = this.#shared.get(id);
    if (existing) {
      if (cluster && existing.clusters && !existing.clusters.has(cluster)) {
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
    const clusters = cluster ? new Set([cluster]) : undefined;
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
    let r = this.#mapperOf(cluster).lookup(apiVersion, kind);
    if (!r) {
      await this.syncResources(cluster);
      r = this.#mapperOf(cluster).lookup(apiVersion, kind);
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
