/**
 * Bounds how far the V8 heap grows between full collections, as Go's
 * `GOGC` does for kube-apiserver: once the heap used passes `factor` times
 * what it was after the last collection (the lowest seen since), a full
 * collection runs (`full_gc.ts`). Why: in a burst V8 lets the heap grow up
 * to ~4× what survived, and the old generation's dead objects are then
 * spread over many pages that its collector compacts only a few MB at a
 * time, for good. A restart with 10,000 virtual clusters (its caches'
 * fills and the controllers' first sync) peaked at 1.7 GB and kept 1.1 GB
 * resident for a live heap of 0.65 GB; paced at 3× it peaked at 1.34 GB
 * and kept 0.93 GB, for ~5% more CPU until quiet (bench/README.md,
 * "Sixteenth round"). Heaps under `floorBytes` are left to V8: there a
 * burst's garbage is small, and the idle collection (`malloc_trim.ts`)
 * takes it.
 *
 * The look is a timer reading the heap used; a collection is a pause of
 * the JavaScript thread (~2 ms per MiB live on the shared 2-core machine),
 * which the pacing keeps to one per tripling of the heap.
 *
 * @module
 */

import { type FullGcUnavailable, openFullGc } from "./full_gc.ts";
import type { TrimLogger } from "./malloc_trim.ts";

/**
 * When to collect, from the heap used at each look: above `factor` times
 * the lowest heap used seen since the last collection, and above
 * `floorBytes`.
 */
export class GcPacer {
  readonly #factor: number;
  readonly #floor: number;
  #low = Infinity;

  constructor(factor: number, floorBytes: number) {
    this.#factor = factor;
    this.#floor = floorBytes;
  }

  /** Whether to collect now, with `heapUsed` bytes used. */
  due(heapUsed: number): boolean {
    this.#low = Math.min(this.#low, heapUsed);
    return heapUsed > this.#floor && heapUsed > this.#low * this.#factor;
  }

  /** Records a collection that left `heapUsed` bytes used. */
  collected(heapUsed: number): void {
    this.#low = heapUsed;
  }
}

/** Options for {@linkcode startGcPacer}. */
export interface GcPacerOptions {
  /** How far the heap may grow between collections. Default 3. */
  factor?: number;
  /** Heaps used below this are never collected by the pacer. Default 256 MiB. */
  floorBytes?: number;
  /** How often to look (ms). Default 250. */
  intervalMs?: number;
  /** Each collection's pause and heap used, at debug level. */
  logger?: TrimLogger;
  /** For tests: the full collection. Default {@linkcode openFullGc}'s. */
  gc?: (() => void) | FullGcUnavailable;
  /** For tests: the heap's used bytes. Default `Deno.memoryUsage().heapUsed`. */
  heapUsed?: () => number;
}

/** A running pacer; `[Symbol.dispose]` stops it. */
export interface GcPacerHandle extends Disposable {
  /** False where no full collection can be asked for (it does nothing). */
  readonly active: boolean;
  /** Collections run so far. */
  readonly collections: number;
  /** One look now (what the timer does): true when it collected. */
  tick(): boolean;
}

/**
 * Starts looking every `intervalMs` at the heap used, and collects when
 * {@linkcode GcPacer} says so. Where no full collection can be asked for
 * it logs why (info) and does nothing. The timer does not keep the process
 * alive.
 */
export function startGcPacer(opts: GcPacerOptions = {}): GcPacerHandle {
  const opened = opts.gc ?? openFullGc();
  if (typeof opened !== "function") {
    opts.logger?.info("gc pacing off", { reason: opened.unavailable });
    return {
      active: false,
      collections: 0,
      tick: () => false,
      [Symbol.dispose]() {},
    };
  }
  const gc = opened;
  const heapUsed = opts.heapUsed ?? (() => Deno.memoryUsage().heapUsed);
  const pacer = new GcPacer(opts.factor ?? 3, opts.floorBytes ?? 256 * 1048576);
  const mib = (n: number) => Math.round(n / 1048576);
  let collections = 0;
  const tick = (): boolean => {
    const before = heapUsed();
    if (!pacer.due(before)) return false;
    const t0 = performance.now();
    gc();
    const ms = performance.now() - t0;
    const after = heapUsed();
    pacer.collected(after);
    collections++;
    opts.logger?.debug("paced gc", {
      ms: Math.round(ms),
      heapUsedMiB: mib(before),
      heapUsedAfterMiB: mib(after),
    });
    return true;
  };
  const timer = setInterval(tick, opts.intervalMs ?? 250);
  Deno.unrefTimer(timer);
  return {
    active: true,
    get collections() {
      return collections;
    },
    tick,
    [Symbol.dispose]() {
      clearInterval(timer);
    },
  };
}
