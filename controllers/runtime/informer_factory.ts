/**
 * Shares informers between controllers: asking twice for the same cluster,
 * resource, namespace, selectors and view (whole objects or metadata only)
 * returns the same {@linkcode Informer}.
 * Informers start when the factory runs (or at once if it is running) and
 * all stop with the factory's signal; one can be stopped alone (`release`).
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
}

interface Entry {
  informer: Informer;
  stop: AbortController;
  running?: Promise<void>;
}

/** See the module doc. */
export class InformerFactory {
  #client: ApiClient;
  #logger: Logger;
  #entries = new Map<string, Entry>();
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

  /** The shared informer for `spec` (created on first use). */
  informer(spec: InformerSpec): Informer {
    const key = this.#key(spec);
    let e = this.#entries.get(key);
    if (!e) {
      e = {
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
    }
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
    e.stop.abort();
    await e.running;
  }

  #start(e: Entry): void {
    const signal = AbortSignal.any([this.#signal!, e.stop.signal]);
    e.running = e.informer.run(signal);
  }

  /** Runs every informer (present and future) until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    for (const e of this.#entries.values()) if (!e.running) this.#start(e);
    if (!signal.aborted) {
      await new Promise<void>((resolve) =>
        signal.addEventListener("abort", () => resolve(), { once: true })
      );
    }
    await Promise.all([...this.#entries.values()].map((e) => e.running));
  }
}
