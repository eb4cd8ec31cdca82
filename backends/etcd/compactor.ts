/**
 * Periodic compaction of etcd history, coordinated between replicas the way
 * kube-apiserver does it: every tick, a transaction bumps the version of the
 * `compact_rev_key` key only if nobody else did since our last tick; the
 * winner compacts to the revision it saw at the previous tick. So history
 * stays for at least one interval, and N replicas compact once per interval.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { Logger } from "../../log/mod.ts";
import { rev } from "./_client.ts";
import type { EtcdShared } from "./_read.ts";
import { compactTo } from "./store.ts";

/** The etcd key replicas use to agree on compaction (same as kube-apiserver). */
export const COMPACT_REV_KEY = "compact_rev_key";

/** A running compaction loop; stop it with {@linkcode Compactor.stop}. */
export class Compactor {
  readonly #shared: EtcdShared;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  #timer?: ReturnType<typeof setTimeout>;
  #version = 0;
  #revision = 0;
  #running?: Promise<void>;

  /** Starts ticking every `intervalMs` (must be > 0). */
  constructor(shared: EtcdShared, intervalMs: number, logger: Logger) {
    this.#shared = shared;
    this.#intervalMs = intervalMs;
    this.#logger = logger;
    this.#schedule();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#running = this.tick().catch((err) =>
        this.#logger.warn("etcd compaction failed", { err })
      ).finally(() => {
        this.#running = undefined;
        if (this.#timer !== undefined) this.#schedule();
      });
    }, this.#intervalMs);
  }

  /** One compaction round (exposed for tests). */
  async tick(): Promise<void> {
    const key = Buffer.from(COMPACT_REV_KEY);
    const res = await this.#shared.client.txn({
      compare: [{
        key,
        target: "Version",
        result: "Equal",
        version: String(this.#version),
      }],
      success: [{
        request_put: { key, value: Buffer.from(String(this.#revision)) },
      }],
      failure: [{ request_range: { key } }],
    });
    const current = rev(res.header?.revision);
    if (!res.succeeded) {
      // Another replica compacted during this interval: follow its clock.
      const kv = res.responses?.[0]?.response_range?.kvs?.[0];
      this.#version = rev(kv?.version);
      this.#revision = current;
      return;
    }
    this.#version += 1;
    const target = this.#revision;
    this.#revision = current;
    if (target > 0) {
      await compactTo(this.#shared, target);
      this.#logger.info("etcd compacted", { revision: target });
    }
  }

  /** Stops the loop and waits for a running round to end. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
