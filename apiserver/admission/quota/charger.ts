/**
 * Charges creates to one quota in batches, as upstream's quota evaluator
 * batches the requests of a namespace: while a write of a quota is in
 * flight, later charges to it wait, and the next write decides all of them
 * at once — in arrival order, each against the usage the earlier ones left —
 * and stores the sum. A write that loses a race (another server, the
 * controller) re-reads the quota and decides the batch again. Without
 * batching, N concurrent creators on one quota cost O(N²) conflicting
 * writes.
 *
 * @module
 */

import type { KubeObject, Store } from "../../../storage/mod.ts";
import { charge, QuotaRefusal, quotaView } from "./evaluate.ts";
import { type ResourceList, toJsonMap } from "./resource_list.ts";

interface Waiter {
  delta: ResourceList;
  resolve(): void;
  reject(e: unknown): void;
}

/** See the module doc. */
export class QuotaCharger {
  #store: Store;
  #pending = new Map<string, Waiter[]>();

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Charges `delta` to the quota at `key`; rejects with a
   * {@linkcode QuotaRefusal} when it would exceed hard (or with the
   * storage's error).
   */
  charge(key: string, delta: ResourceList): Promise<void> {
    return new Promise((resolve, reject) => {
      const queue = this.#pending.get(key);
      if (queue) {
        queue.push({ delta, resolve, reject });
        return;
      }
      this.#pending.set(key, [{ delta, resolve, reject }]);
      this.#drain(key);
    });
  }

  async #drain(key: string): Promise<void> {
    for (;;) {
      const batch = this.#pending.get(key)!;
      if (batch.length === 0) {
        this.#pending.delete(key);
        return;
      }
      // Later arrivals queue behind this write.
      this.#pending.set(key, []);
      let outcome: (QuotaRefusal | undefined)[] = [];
      try {
        await this.#store.guaranteedUpdate(key, {
          tryUpdate: (current) => {
            const decided = decide(current!, batch);
            outcome = decided.outcome;
            return decided.object;
          },
        });
      } catch (e) {
        for (const w of batch) w.reject(e);
        continue;
      }
      batch.forEach((w, i) => {
        const refusal = outcome[i];
        if (refusal) w.reject(refusal);
        else w.resolve();
      });
    }
  }
}

/** Decides every waiter against `current`, in order; the quota to store. */
function decide(
  current: KubeObject,
  batch: readonly Waiter[],
): { object: KubeObject; outcome: (QuotaRefusal | undefined)[] } {
  const view = quotaView(current);
  let used = view.used;
  let changed = false;
  const outcome = batch.map((w) => {
    try {
      const next = charge({ ...view, used }, w.delta);
      if (next) {
        used = next;
        changed = true;
      }
      return undefined;
    } catch (e) {
      if (e instanceof QuotaRefusal) return e;
      throw e;
    }
  });
  if (!changed) return { object: current, outcome };
  const status = (current as Record<string, unknown>).status as
    | Record<string, unknown>
    | undefined;
  return {
    object: {
      ...current,
      status: { ...(status ?? {}), used: toJsonMap(used) },
    } as KubeObject,
    outcome,
  };
}
