/**
 * Shares informers between controllers: asking twice for the same cluster,
 * resource, namespace, selectors and view (whole objects or metadata only)
 * returns the same {@linkcode Informer}.
 * Informers start when the factory runs (or at once if it is running) and
 * all stop with the factory's signal; one can be stopped alone (`release`).
 *
 * A metadata informer asked for while a whole-object informer of the same
 * target and selectors exists (its transform, if any, keeping metadata) is
 * fed by that one ({@linkcode Informer.deriveMetadata}) instead of opening
 * a watch of its own: the garbage collector's metadata informers of
 * namespaces and ClusterRoles share the streams of the controllers that
 * read them whole.
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import type { KubeObject } from "../../storage/mod.ts";
import type { ApiClient, Target } from "../client/mod.ts";
import { Informer } from "./informer.ts";

/** What identifies a shared informer. */
export interface InformerSpec {
  /** Cluster, resource and optional namespace. */
  target: Target;
  /** Only objects whose labels match. */
  labelSelector?: string;
  /** Only objects whose fields match. */
  fieldSelector?: string;
  /** Replays every object as an update this often (0: never). */
  resyncMs?: number;
  /**
   * A metadata informer: keeps only `partialObjectMetadata` of each object
   * (what the garbage collector and quota controller need). Shared only
   * with other metadata informers of the same target.
   */
  metadataOnly?: boolean;
  /**
   * Reshapes each object as it arrives, before it is cached and handed to
   * the handlers (upstream's `SetTransform`): drop what the controller
   * never reads, share identical parts between objects. Shared only with
   * informers of the same transform `name`.
   */
  transform?: InformerTransform;
}

/** A named object transform of an informer (see {@linkcode InformerSpec.transform}). */
export interface InformerTransform {
  /** Identifies the transform: informers are shared by name. */
  name: string;
  /** The object to keep in place of `obj` (`obj` may be reused, not changed). */
  apply(obj: KubeObject): KubeObject;
  /**
   * True when the result keeps `obj`'s `metadata` (`managedFields` may be
   * dropped): metadata informers of the same target may then be fed from
   * this informer.
   */
  keepsMetadata?: boolean;
}

interface Entry {
  spec: InformerSpec;
  informer: Informer;
  stop: AbortController;
  running?: Promise<void>;
  /** The entry feeding this one (a derived metadata informer: never run). */
  feeder?: Entry;
  /** Released while still feeding others: stops when the last detaches. */
  released?: boolean;
}

/** See the module doc. */
export class InformerFactory {
  #client: ApiClient;
  #logger: Logger;
  #entries = new Map<string, Entry>();
  /** Released entries still feeding derived ones. */
  #released = new Set<Entry>();
  #signal?: AbortSignal;

  /** A factory whose informers read through `client`. */
  constructor(client: ApiClient, logger: Logger) {
    this.#client = client;
    this.#logger = logger;
  }

  #key(spec: InformerSpec): string {
    const t = spec.target;
    return JSON.stringify([
      t.cluster,
      t.resource.group,
      t.resource.version,
      t.resource.resource,
      t.namespace ?? "",
      spec.labelSelector ?? "",
      spec.fieldSelector ?? "",
      spec.metadataOnly ?? false,
      spec.transform?.name ?? "",
    ]);
  }

  /**
   * A whole-object entry that can feed a metadata informer of `spec` (same
   * target and selectors; its resyncs are its own, `spec` asks for none).
   */
  #feederFor(spec: InformerSpec): Entry | undefined {
    if (!spec.metadataOnly || spec.transform || spec.resyncMs) {
      return undefined;
    }
    for (const e of this.#entries.values()) {
      const s = e.spec;
      if (
        !e.feeder && !s.metadataOnly &&
        (!s.transform || s.transform.keepsMetadata) &&
        this.#key({
            ...s,
            transform: undefined,
            metadataOnly: true,
            resyncMs: undefined,
          }) === this.#key(spec)
      ) return e;
    }
    return undefined;
  }

  /** The shared informer for `spec` (created on first use). */
  informer(spec: InformerSpec): Informer {
    const key = this.#key(spec);
    let e = this.#entries.get(key);
    if (e) return e.informer;
    const feeder = this.#feederFor(spec);
    if (feeder) {
      e = {
        spec,
        informer: feeder.informer.deriveMetadata(),
        stop: new AbortController(),
        feeder,
      };
      this.#entries.set(key, e);
      return e.informer;
    }
    e = {
      spec,
      informer: new Informer({
        client: this.#client,
        target: spec.target,
        labelSelector: spec.labelSelector,
        fieldSelector: spec.fieldSelector,
        resyncMs: spec.resyncMs,
        metadataOnly: spec.metadataOnly,
        transform: spec.transform?.apply,
        logger: this.#logger,
      }),
      stop: new AbortController(),
    };
    this.#entries.set(key, e);
    if (this.#signal) this.#start(e);
    return e.informer;
  }

  /** True while the factory holds an informer for `spec` (not released). */
  has(spec: InformerSpec): boolean {
    return this.#entries.has(this.#key(spec));
  }

  /** Stops and forgets the informer for `spec` (e.g. a resource gone from discovery). */
  async release(spec: InformerSpec): Promise<void> {
    const key = this.#key(spec);
    const e = this.#entries.get(key);
    if (!e) return;
    this.#entries.delete(key);
    const feeder = e.feeder;
    if (feeder) {
      feeder.informer.detach(e.informer);
      if (feeder.released && feeder.informer.derivedCount === 0) {
        this.#released.delete(feeder);
        await this.#stop(feeder);
      }
      return;
    }
    if (e.informer.derivedCount > 0) {
      // Others still read through it: it runs on until they are released.
      e.released = true;
      this.#released.add(e);
      return;
    }
    await this.#stop(e);
  }

  async #stop(e: Entry): Promise<void> {
    e.stop.abort();
    await e.running;
  }

  #start(e: Entry): void {
    const signal = AbortSignal.any([this.#signal!, e.stop.signal]);
    e.running = e.informer.run(signal);
  }

  /**
   * Resolves once every informer the factory holds has synced, those made
   * meanwhile too (a controller that discovers resources first makes its
   * informers a turn later), or when `signal` aborts.
   */
  async synced(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const pending = [...this.#entries.values()].filter((e) =>
        !e.informer.hasSynced
      );
      if (signal?.aborted) return;
      if (pending.length === 0) {
        const held = this.#entries.size;
        await new Promise((r) => setTimeout(r, 0));
        if (this.#entries.size === held || signal?.aborted) return;
        continue;
      }
      await Promise.all(pending.map((e) => e.informer.waitForSync(signal)));
    }
  }

  /** Runs every informer (present and future) until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    for (const e of this.#entries.values()) {
      if (!e.running && !e.feeder) this.#start(e);
    }
    if (!signal.aborted) {
      await new Promise<void>((resolve) =>
        signal.addEventListener("abort", () => resolve(), { once: true })
      );
    }
    await Promise.all(
      [...this.#entries.values(), ...this.#released].map((e) => e.running),
    );
  }
}
