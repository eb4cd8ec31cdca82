/**
 * The CRD controller of the API server (upstream runs the same loops inside
 * the apiextensions-apiserver): it watches `customresourcedefinitions`
 * across every cluster and, per cluster,
 *
 * - sets each CRD's status (accepted names, `NamesAccepted`, `Established`,
 *   `storedVersions`) with {@linkcode computeCrdStatus};
 * - serves every served version of an established CRD by registering its
 *   definitions in the cluster's registry (discovery and OpenAPI follow);
 * - on deletion, refuses new objects, removes every stored custom resource
 *   (all namespaces), then removes the
 *   `customresourcecleanup.apiextensions.k8s.io` finalizer so the CRD goes.
 *
 * Owned by `createApiServer`: `start()` returns after the first sync (so a
 * restarted server serves its custom resources at once), `close()` stops it.
 *
 * @module
 */

import {
  isStorageError,
  objectKey,
  resourcePrefix,
  type Store,
} from "../../storage/mod.ts";
import type { Logger } from "../../log/mod.ts";
import type { ClusterRegistries } from "../resources/registry.ts";
import type { ResourceDefinition } from "../resources/types.ts";
import { ApiError } from "../status/mod.ts";
import { deleteInstancesOnce } from "./_instances.ts";
import { finalizeAndDelete } from "./finalize.ts";
import { sleep } from "../../internal/sleep.ts";
import { watchClusters } from "../watch_index/mod.ts";
import { CelRules } from "./schema/cel.ts";
import {
  computeCrdStatus,
  isEstablished,
  type ServedNames,
  type TerminatingStage,
  terminatingStatus,
} from "./status.ts";
import { crdToDefinitions } from "./to_definition.ts";
import {
  CRD_CLEANUP_FINALIZER,
  CRD_GROUP,
  type CrdStatus,
  type CustomResourceDefinition,
} from "./types.ts";
import { compareVersionPriority } from "./version_priority.ts";
import { jsonEqual } from "../../internal/json.ts";

const CRD_RESOURCE = "customresourcedefinitions";

/** Options for {@linkcode CrdController}. */
export interface CrdControllerOptions {
  /** The `customresourcedefinitions` store (all clusters). */
  crdStore: Store;
  /** Where the served kinds of each cluster are registered. */
  registries: ClusterRegistries;
  /** The store of a custom resource. */
  storeFor(group: string, plural: string): Store;
  logger: Logger;
  now?: () => Date;
  /** Wait between cleanup passes while objects hold finalizers (ms, default 1000). */
  cleanupRetryMs?: number;
}

type Crd = CustomResourceDefinition;

function byAge(a: Crd, b: Crd): number {
  const ta = a.metadata.creationTimestamp ?? "";
  const tb = b.metadata.creationTimestamp ?? "";
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = a.metadata.name ?? "";
  const nb = b.metadata.name ?? "";
  return na < nb ? -1 : na > nb ? 1 : 0;
}

function terminatingStage(crd: Crd): string | undefined {
  return crd.status?.conditions?.find((c) =>
    c.type === "Terminating" && c.status === "True"
  )?.reason;
}

/** Refuses creates of a terminating CRD's kind, as upstream (405). */
function refusingCreates(def: ResourceDefinition): ResourceDefinition {
  return {
    ...def,
    prepareForCreate() {
      throw new ApiError(
        405,
        "MethodNotAllowed",
        "create not allowed while custom resource definition is terminating",
      );
    },
  };
}

/** Serves CRDs: status, dynamic registration and cleanup on delete. */
export class CrdController {
  readonly #opts: CrdControllerOptions;
  readonly #now: () => Date;
  readonly #log: Logger;
  readonly #abort = new AbortController();
  readonly #cel = new CelRules();
  readonly #builtins: ServedNames[];
  /** CRDs by cluster, then name, as last seen. */
  readonly #crds = new Map<string, Map<string, Crd>>();
  /** What each registered CRD was built from (skips needless rebuilds). */
  readonly #served = new Map<string, string>();
  readonly #cleanups = new Map<string, Promise<void>>();
  /** `cluster/name/uid` of CRDs whose objects are gone (never served again). */
  readonly #cleanedUp = new Set<string>();
  /** Clusters whose failed sync is retried soon. */
  readonly #retries = new Map<string, Promise<void>>();
  #loop?: Promise<void>;

  constructor(opts: CrdControllerOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? (() => new Date());
    this.#log = opts.logger;
    this.#builtins = opts.registries.builtins.all().map((d) => ({
      group: d.group,
      plural: d.plural,
      singular: d.singular,
      shortNames: d.shortNames,
      kind: d.kind,
      listKind: d.listKind,
    }));
  }

  /**
   * Starts watching; resolves once every stored CRD was seen and the
   * established ones are served (rejects when the first watch fails).
   */
  start(): Promise<void> {
    const synced = Promise.withResolvers<void>();
    this.#loop = this.#watchLoop(synced);
    return synced.promise;
  }

  /** Stops watching and waits for running cleanups to pause. */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    await Promise.allSettled([
      ...this.#cleanups.values(),
      ...this.#retries.values(),
    ]);
  }

  get #signal(): AbortSignal {
    return this.#abort.signal;
  }

  /**
   * Follows the CRDs of every cluster ({@linkcode watchClusters}): an
   * initial state (at the start, after a watch outage) is collected, then
   * every cluster is synced once; later changes sync their cluster.
   */
  async #watchLoop(synced: PromiseWithResolvers<void>): Promise<void> {
    let first = true;
    let staged: Map<string, Map<string, Crd>> | undefined;
    try {
      await watchClusters({
        store: this.#opts.crdStore,
        prefix: resourcePrefix({ group: CRD_GROUP, resource: CRD_RESOURCE }),
        signal: this.#signal,
        name: "crd",
        logger: this.#log,
        retryDelayMs: 1000,
        failFast: true,
        onPut: (cluster, _key, obj, initial) => {
          // An initial state is staged and swapped in whole at its end, so
          // no sync (a retry) ever computes names from half of it.
          const into = initial ? (staged ??= new Map()) : this.#crds;
          let crds = into.get(cluster);
          if (!crds) into.set(cluster, crds = new Map());
          crds.set(obj.metadata.name ?? "", obj as Crd);
          if (!initial) return this.#trySync(cluster);
        },
        onDelete: (cluster, _key, last) => {
          const name = last.metadata.name ?? "";
          const crds = this.#crds.get(cluster);
          crds?.delete(name);
          if (crds?.size === 0) this.#crds.delete(cluster);
          // A deletion found by a re-list names no uid: any of that name.
          for (const k of this.#cleanedUp) {
            if (k.startsWith(`${cluster}/${name}/`)) this.#cleanedUp.delete(k);
          }
          this.#unserve(cluster, name);
          return this.#trySync(cluster);
        },
        onSynced: async () => {
          const now = staged ?? new Map<string, Map<string, Crd>>();
          staged = undefined;
          for (const c of new Set([...this.#crds.keys(), ...now.keys()])) {
            const crds = now.get(c);
            for (const name of this.#crds.get(c)?.keys() ?? []) {
              if (!crds?.has(name)) this.#unserve(c, name);
            }
            if (crds) this.#crds.set(c, crds);
            else this.#crds.delete(c);
          }
          for (const c of [...this.#crds.keys()]) await this.#syncCluster(c);
          if (first) synced.resolve();
          first = false;
        },
      });
    } catch (e) {
      synced.reject(e);
      return;
    }
    if (first) synced.resolve();
  }

  /** Syncs `cluster`; a failure is retried a second later. */
  async #trySync(cluster: string): Promise<void> {
    try {
      await this.#syncCluster(cluster);
    } catch (e) {
      if (this.#signal.aborted) return;
      this.#log.warn("crd sync failed", { cluster, error: e });
      if (this.#retries.has(cluster)) return;
      const retry = sleep(1000, this.#signal)
        .then(() => {
          this.#retries.delete(cluster);
          if (!this.#signal.aborted) return this.#trySync(cluster);
        });
      this.#retries.set(cluster, retry);
    }
  }

  #unserve(cluster: string, name: string): void {
    this.#served.delete(`${cluster}/${name}`);
    this.#opts.registries.set(cluster, name, []);
  }

  /** Brings every CRD of `cluster` to its status and serving state. */
  async #syncCluster(cluster: string): Promise<void> {
    const crds = this.#crds.get(cluster);
    if (!crds) return;
    for (const crd of [...crds.values()].sort(byAge)) {
      if (this.#signal.aborted) return;
      const name = crd.metadata.name ?? "";
      if (crd.metadata.deletionTimestamp) {
        // A late event must not serve again a kind whose objects are gone
        // (its watches have ended).
        if (this.#cleanedUp.has(`${cluster}/${name}/${crd.metadata.uid}`)) {
          continue;
        }
        this.#serve(cluster, crd, true);
        this.#startCleanup(cluster, name);
        continue;
      }
      let current = crd;
      const others = [...crds.values()];
      const next = computeCrdStatus(crd, {
        others,
        builtins: this.#builtins,
        now: this.#now(),
      });
      if (!jsonEqual(next, crd.status)) {
        current = await this.#writeStatus(cluster, name, (cur) =>
          computeCrdStatus(cur, {
            others: [...(this.#crds.get(cluster)?.values() ?? [])],
            builtins: this.#builtins,
            now: this.#now(),
          })) ?? crd;
        if (this.#crds.get(cluster)?.has(name)) {
          this.#crds.get(cluster)!.set(name, current);
        }
      }
      this.#serve(cluster, current, false);
    }
  }

  /** Registers (or refreshes) the served versions of an established CRD. */
  #serve(cluster: string, crd: Crd, terminating: boolean): void {
    const name = crd.metadata.name ?? "";
    if (!isEstablished(crd)) {
      this.#unserve(cluster, name);
      return;
    }
    const stamp = JSON.stringify([
      crd.metadata.uid,
      crd.metadata.generation,
      crd.status?.acceptedNames,
      terminating,
    ]);
    const key = `${cluster}/${name}`;
    if (this.#served.get(key) === stamp) return;
    const defs = crdToDefinitions(crd, { cel: this.#cel })
      .map((v) => v.definition)
      .sort((a, b) => compareVersionPriority(a.version, b.version))
      .map((d) => terminating ? refusingCreates(d) : d);
    this.#served.set(key, stamp);
    this.#opts.registries.set(cluster, name, defs);
  }

  /**
   * Writes the status computed from the freshest stored CRD; returns the
   * stored CRD (undefined when it is gone).
   */
  async #writeStatus(
    cluster: string,
    name: string,
    statusOf: (cur: Crd) => CrdStatus,
  ): Promise<Crd | undefined> {
    const key = this.#keyOf(cluster, name);
    try {
      const out = await this.#opts.crdStore.guaranteedUpdate(key, {
        tryUpdate: (cur) => {
          const crd = cur as Crd;
          const status = statusOf(crd);
          if (jsonEqual(status, crd.status)) return crd;
          const next = structuredClone(crd);
          next.status = status;
          return next;
        },
      });
      return out as Crd;
    } catch (e) {
      if (isStorageError(e, "NotFound")) return undefined;
      throw e;
    }
  }

  #startCleanup(cluster: string, name: string): void {
    const key = `${cluster}/${name}`;
    if (this.#cleanups.has(key)) return;
    const run = this.#cleanup(cluster, name)
      .catch((e) => {
        if (!this.#signal.aborted) {
          this.#log.error("crd cleanup failed", { cluster, name, error: e });
        }
      })
      .finally(() => this.#cleanups.delete(key));
    this.#cleanups.set(key, run);
  }

  async #setStage(
    cluster: string,
    name: string,
    stage: TerminatingStage,
    detail?: string,
  ): Promise<Crd | undefined> {
    return await this.#writeStatus(
      cluster,
      name,
      (cur) =>
        terminatingStage(cur) === stage && !detail
          ? cur.status ?? {}
          : terminatingStatus(cur, this.#now(), stage, detail),
    );
  }

  /** Removes the CRD's objects, then its cleanup finalizer. */
  async #cleanup(cluster: string, name: string): Promise<void> {
    const signal = this.#signal;
    const retry = this.#opts.cleanupRetryMs ?? 1000;
    // Another replica may have finished already: never set its completed
    // stage back (that write would make its final delete conflict).
    const stored = await this.#getCrd(cluster, name);
    if (!stored) return;
    if (
      !(stored.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)
    ) {
      await this.#deleteFinalized(cluster, name);
      return;
    }
    const crd = await this.#setStage(
      cluster,
      name,
      "InstanceDeletionInProgress",
    );
    if (!crd) return;
    if (!(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) {
      await this.#deleteFinalized(cluster, name);
      return;
    }
    const plural = crd.status?.acceptedNames?.plural ??
      crd.spec.names?.plural ?? "";
    const group = crd.spec.group ?? "";
    if (plural && group) {
      const ref = {
        store: this.#opts.storeFor(group, plural),
        group,
        plural,
        cluster,
      };
      for (;;) {
        if (signal.aborted) return;
        let left: number;
        try {
          left = await deleteInstancesOnce(ref, this.#now());
        } catch (e) {
          if (signal.aborted) return;
          await this.#setStage(
            cluster,
            name,
            "InstanceDeletionFailed",
            e instanceof Error ? e.message : String(e),
          );
          left = -1;
        }
        if (left === 0) {
          // One more pass proves nothing was created meanwhile.
          const again = await deleteInstancesOnce(ref, this.#now());
          if (again === 0) break;
        }
        await sleep(retry, signal);
      }
    }
    if (signal.aborted) return;
    this.#cleanedUp.add(`${cluster}/${name}/${crd.metadata.uid}`);
    this.#unserve(cluster, name);
    await finalizeAndDelete(this.#opts.crdStore, this.#keyOf(cluster, name), {
      finalizer: CRD_CLEANUP_FINALIZER,
      change: (cur) => {
        const status = terminatingStatus(
          cur as Crd,
          this.#now(),
          "InstanceDeletionCompleted",
        );
        if (jsonEqual(status, cur.status)) return cur;
        const next = structuredClone(cur);
        next.status = status;
        return next;
      },
    });
  }

  async #getCrd(cluster: string, name: string): Promise<Crd | undefined> {
    try {
      return await this.#opts.crdStore.get(this.#keyOf(cluster, name)) as Crd;
    } catch (e) {
      if (isStorageError(e, "NotFound")) return undefined;
      throw e;
    }
  }

  #keyOf(cluster: string, name: string): string {
    return objectKey({
      group: CRD_GROUP,
      resource: CRD_RESOURCE,
      cluster,
      name,
    });
  }

  /** Deletes the CRD once it is marked for deletion and holds no finalizer. */
  async #deleteFinalized(cluster: string, name: string): Promise<void> {
    await finalizeAndDelete(this.#opts.crdStore, this.#keyOf(cluster, name), {
      finalizer: CRD_CLEANUP_FINALIZER,
    });
  }
}
