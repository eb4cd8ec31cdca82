/**
 * A full V8 garbage collection on demand, without `--expose-gc` on the
 * command line. Why: after a burst V8 sizes its next full collection by the
 * burst's heap, and its memory reducer does not always run once the process
 * is idle, so an idle server kept ~17 MiB of dead objects (heap used 47 MiB,
 * 30 MiB after a collection) for good after 20,000 deletes (bench/README.md,
 * "Memory"). The malloc trimmer (`malloc_trim.ts`) collects when the process
 * is idle and the heap grew.
 *
 * How: `--expose-gc` set at run time (`node:v8` `setFlagsFromString`, which
 * Deno allows after start) gives a `gc` function to contexts created after
 * it; one `node:vm` context is made for it and kept. Feature-detected: where
 * that yields no function {@linkcode openFullGc} says why.
 *
 * @module
 */

import v8 from "node:v8";
import vm from "node:vm";

/** Why a full collection cannot be asked for. */
export interface FullGcUnavailable {
  readonly unavailable: string;
}

/**
 * A function running a full, synchronous garbage collection of the whole
 * heap (it pauses the JavaScript thread: ~20–60 ms for a 30 MiB heap), or
 * why there is none; the same one for every caller.
 *
 * @example
 * ```ts
 * import { openFullGc } from "./full_gc.ts";
 *
 * const gc = openFullGc();
 * if (typeof gc === "function") gc();
 * ```
 */
export function openFullGc(): (() => void) | FullGcUnavailable {
  // One context for the process, whoever asks (the trimmer, the pacer).
  return opened ??= openOnce();
}

let opened: (() => void) | FullGcUnavailable | undefined;

function openOnce(): (() => void) | FullGcUnavailable {
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc: unknown = vm.runInNewContext("globalThis.gc");
    if (typeof gc !== "function") {
      return { unavailable: "--expose-gc set at run time gave no gc()" };
    }
    return () => gc();
  } catch (err) {
    return {
      unavailable: `no gc(): ${err instanceof Error ? err.message : err}`,
    };
  }
}

/** Looks to wait after a collection that freed little, doubling up to this. */
const MAX_WAIT_LOOKS = 64;

/**
 * When a full collection is worth it, from each look at the process: on the
 * first quiet look after busier ones (the start, a burst of requests; the
 * heap used alone cannot tell dead objects from live ones: after 20,000
 * deletes V8's own collections left it at 46 MiB, 30 MiB of it live), and
 * on a quiet look once `2 × threshold` bytes were noted as garbage
 * (`garbage_hint.ts`: the watch cache dropping 75 s old history). A
 * collection after a burst that freed under `threshold` makes the next one
 * wait 2, 4, … up to 64 looks (bursts that leave live objects, not
 * garbage, are not followed by a pause each).
 */
export class GcPolicy {
  readonly #threshold: number;
  #active = true; // the start
  #wait = 1;
  #looks = 0;

  constructor(threshold: number) {
    this.#threshold = threshold;
  }

  /**
   * Whether to collect now; call once per look, saying if it was quiet and
   * how many bytes were noted as garbage since the last collection.
   */
  due(quiet: boolean, notedBytes = 0): boolean {
    this.#looks++;
    if (!quiet) {
      this.#active = true;
      return false;
    }
    if (notedBytes >= 2 * this.#threshold) return true;
    return this.#active && this.#looks >= this.#wait;
  }

  /** Records a collection: heap used just before and just after it. */
  collected(before: number, after: number): void {
    this.#wait = before - after >= this.#threshold
      ? 1
      : Math.min(this.#wait * 2, MAX_WAIT_LOOKS);
    this.#looks = 0;
    this.#active = false;
  }
}
