/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go's
 * `leaderelection`: a candidate takes the lease when it is free or its holder
 * has not renewed it for `leaseDuration` (measured on the candidate's own
 * clock since it last saw the record change), renews it every `retryPeriod`,
 * and gives up leadership when it cannot renew within `renewDeadline`. Every
 * write is guarded by the lease's resourceVersion.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import type { Logger } from "../../log/mod.ts";
import {
  type ApiClient,
  CORE,
  isAlreadyExists,
  isNotFound,
  type Target,
} from "../client/mod.ts";
import { sleep } from "../../internal/sleep.ts";

/** Timing and identity of a candidate. */
export interface LeaderElectionOptions {
  /** The client the candidate reads and writes the Lease with. */
  client: ApiClient;
  /** This candidate's identity (`holderIdentity`). */
  identity: string;
  /** Where the lease lives. Default `root`/`kube-system`/`hyperplane-controller-manager`. */
  cluster?: string;
  /** Namespace of the Lease (default `kube-system`). */
  namespace?: string;
  /** Name of the Lease (default `hyperplane-controller-manager`). */
  name?: string;
  /** Default 15 000. */
  leaseDurationMs?: number;
  /** Default 10 000. */
  renewDeadlineMs?: number;
  /** Default 2 000. */
  retryPeriodMs?: number;
  /** Where the candidate logs. */
  logger: Logger;
  /** Called when this candidate becomes leader; `signal` aborts when it stops being one. */
  onStartedLeading(signal: AbortSignal): Promise<void> | void;
  /** Called after leadership is lost. */
  onStoppedLeading?(): void;
}

/** The default lease name. */
export const DEFAULT_LEASE_NAME = "hyperplane-controller-manager";

/** Lease timestamps are MicroTime (microsecond precision). */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/**
 * Runs the candidate loop until `signal` aborts: acquire, lead (calling
 * `onStartedLeading`), and after a lost lease go back to acquiring. When
 * `signal` aborts while leading, the lease is released (holder cleared) so
 * another candidate can take over at once.
 */
export async function runLeaderElection(
  opts: LeaderElectionOptions,
  signal: AbortSignal,
): Promise<void> {
  const elector = new Elector(opts);
  while (!signal.aborted) {
    await elector.acquire(signal);
    if (signal.aborted) break;
    const leading = new AbortController();
    opts.logger.info("became leader", { identity: opts.identity });
    const work = Promise.resolve(opts.onStartedLeading(leading.signal));
    const stop = () => leading.abort();
    signal.addEventListener("abort", stop, { once: true });
    try {
      await elector.renewLoop(signal, leading);
    } finally {
      signal.removeEventListener("abort", stop);
      leading.abort();
      await work.catch((e) =>
        opts.logger.error("leader work failed", { error: e })
      );
    }
    opts.onStoppedLeading?.();
    if (signal.aborted) {
      await elector.release();
    } else {
      opts.logger.warn("lost leadership", { identity: opts.identity });
    }
  }
}

class Elector {
  #o: LeaderElectionOptions;
  #target: Target;
  #observed?: KubeObject;
  #observedRv = "";
  #observedAt = 0;

  constructor(o: LeaderElectionOptions) {
    this.#o = o;
    this.#target = {
      cluster: o.cluster ?? "root",
      resource: CORE.leases,
      namespace: o.namespace ?? "kube-system",
      name: o.name ?? DEFAULT_LEASE_NAME,
    };
  }

  get #duration() {
    return this.#o.leaseDurationMs ?? 15_000;
  }

  get #retry() {
    return this.#o.retryPeriodMs ?? 2_000;
  }

  /** Tries until this candidate holds the lease (or `signal` aborts). */
  async acquire(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (await this.#tryAcquireOrRenew()) return;
      await sleep(this.#retry * (1 + Math.random() * 0.2), signal);
    }
  }

  /** Renews every retry period; returns when renewing failed past the deadline. */
  async renewLoop(signal: AbortSignal, leading: AbortController) {
    const deadline = this.#o.renewDeadlineMs ?? 10_000;
    let lastRenew = performance.now();
    while (!signal.aborted && !leading.signal.aborted) {
      await sleep(this.#retry, signal);
      if (signal.aborted) return;
      if (await this.#tryAcquireOrRenew()) {
        lastRenew = performance.now();
      } else if (performance.now() - lastRenew >= deadline) {
        return;
      }
    }
  }

  /** Clears the holder so a successor need not wait for expiry. */
  async release(): Promise<void> {
    const lease = this.#observed;
    if (!lease || this.#holder(lease) !== this.#o.identity) return;
    const next = structuredClone(lease);
    next.spec = {
      ...(lease.spec as Record<string, unknown>),
      holderIdentity: undefined,
      leaseDurationSeconds: 1,
      renewTime: microTime(new Date()),
    };
    try {
      await this.#o.client.update(this.#target, next);
    } catch (e) {
      this.#o.logger.warn("releasing the lease failed", { error: e });
    }
  }

  #holder(lease: KubeObject): string {
    const spec = (lease.spec ?? {}) as Record<string, unknown>;
    return typeof spec.holderIdentity === "string" ? spec.holderIdentity : "";
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const o = this.#o;
    const now = new Date();
    const spec = {
      holderIdentity: o.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.#duration / 1000)),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    let current: KubeObject;
    try {
      current = await o.client.get(this.#target);
    } catch (e) {
      if (!isNotFound(e)) {
        o.logger.warn("reading the lease failed", { error: e });
        return false;
      }
      try {
        this.#observe(
          await o.client.create(this.#target, {
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { name: this.#target.name, namespace: "kube-system" },
            spec,
          }),
        );
        return true;
      } catch (e) {
        if (!isAlreadyExists(e)) {
          o.logger.warn("creating the lease failed", { error: e });
        }
        return false;
      }
    }
    this.#observe(current);
    const old = (current.spec ?? {}) as Record<string, unknown>;
    const holder = this.#holder(current);
    const mine = holder === o.identity;
    const heldMs = typeof old.leaseDurationSeconds === "number"
      ? old.leaseDurationSeconds * 1000
      : this.#duration;
    if (
      holder && !mine && performance.now() - this.#observedAt < heldMs
    ) {
      return false;
    }
    const next = structuredClone(current);
    next.spec = {
      ...old,
      ...spec,
      acquireTime: mine
        ? old.acquireTime ?? spec.acquireTime
        : spec.acquireTime,
      leaseTransitions: mine
        ? Number(old.leaseTransitions ?? 0)
        : Number(old.leaseTransitions ?? 0) + (holder ? 1 : 0),
    };
    try {
      this.#observe(await o.client.update(this.#target, next));
      return true;
    } catch (e) {
      o.logger.debug("updating the lease failed", { error: e });
      return false;
    }
  }

  #observe(lease: KubeObject): void {
    const rv = lease.metadata.resourceVersion ?? "";
    if (rv !== this.#observedRv) {
      this.#observedRv = rv;
      this.#observedAt = performance.now();
    }
    this.#observed = lease;
  }
}
