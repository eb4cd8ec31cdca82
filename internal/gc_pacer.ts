/**
 * Bounds how far the V8 heap grows between full collections while the
 * process starts, as Go's `GOGC` does for kube-apiserver: once the heap
 * used passes `factor` times what it was after the last collection (the
 * lowest seen since), a full collection runs (`full_gc.ts`). Why: a
 * restart decodes the whole store at once (the watch caches' fills, the
 * controllers' first sync), V8 then lets the heap grow up to ~4× what
 * survived, and the old generation's dead objects stay spread over pages
 * its collector compacts only a few MB at a time, for good. With 10,000
 * virtual clusters the heap peaked at 1.7 GB and 1.1 GB stayed resident
 * for a live heap of 0.65 GB; paced at 3×, 0.98 GB stayed, for two pauses
 * (0.5 and 1 s) during the first sync (bench/README.md, "Sixteenth
 * round").
 *
 * Only the start: the pacer ends when `until` settles (the server's
 * controllers synced: early for a server with little stored) or at the
 * first quiet window (under a twentieth of a core for `quietWindowMs`: a
 * replica that does not lead runs no controllers). Later bursts grow the
 * heap gradually (creating 10,000 clusters left it unfragmented), and
 * there its full collections cost 20% more CPU per cluster created. Heaps
 * under `floorBytes` are left to V8.
 *
 * @module
 */

import { type FullGcUnavailable, openFullGc } from "./full_gc.ts";
import { processCpuMs, type TrimLogger } from "./malloc_trim.ts";

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
  /** The pacer ends when this settles (the start's burst is over). */
  until?: Promise<unknown>;
  /** The pacer ends after a window this long (ms) under a twentieth of a core. Default 2,000. */
  quietWindowMs?: number;
  /** For tests: the process's CPU time (ms). Default {@linkcode processCpuMs}. */
  cpuMs?: () => number;
  /** Each collection's pause and heap used, at debug level. */
  logger?: TrimLogger;
  /** For tests: the full collection. Default {@linkcode openFullGc}'s. */
  gc?: (() => void) | FullGcUnavailable;
  /** For tests: the heap's used bytes. Default `Deno.memoryUsage().heapUsed`. */
  heapUsed?: () => number;
}

/** A running pacer; `[Symbol.dispose]` stops it. */
export interface GcPacerHandle extends Disposable {
  /**
   * False where no full collection can be asked for (it does nothing), and
   * once the start's burst is over.
   */
  readonly active: boolean;
  /** Collections run so far. */
  readonly collections: number;
  /** One look now (what the timer does): true when it collected. */
  tick(): boolean;
}

/**
 * Starts looking every `intervalMs` at the heap used, and collects when
 * {@linkcode GcPacer} says so, until `until` settles or the process is
 * quiet for a window. Where no full collection can be asked for it logs
 * why (info) and does nothing. The timer does not keep the process alive.
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
  const cpuMs = opts.cpuMs ?? processCpuMs;
  const quietWindowMs = opts.quietWindowMs ?? 2_000;
  const pacer = new GcPacer(opts.factor ?? 3, opts.floorBytes ?? 256 * 1048576);
  const mib = (n: number) => Math.round(n / 1048576);
  let collections = 0;
  let active = true;
  let window = { at: performance.now(), cpu: cpuMs() };
  const stop = () => {
    active = false;
    clearInterval(timer);
  };
  const tick = (): boolean => {
    if (!active) return false;
    const now = performance.now();
    if (now - window.at >= quietWindowMs) {
      const cpu = cpuMs();
      if (cpu - window.cpu < (now - window.at) / 20) {
        stop();
        opts.logger?.debug("gc pacing ends: quiet", { collections });
        return false;
      }
      window = { at: now, cpu };
    }
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
  opts.until?.finally(() => {
    if (!active) return;
    stop();
    opts.logger?.debug("gc pacing ends: started", { collections });
  }).catch(() => {});
  return {
    get active() {
      return active;
    },
    get collections() {
      return collections;
    },
    tick,
    [Symbol.dispose]: stop,
  };
}
