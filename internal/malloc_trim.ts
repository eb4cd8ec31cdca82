/**
 * Gives memory that glibc's malloc holds free back to the OS
 * (`malloc_trim(0)` through FFI), now and then. Why: the runtime's native
 * allocations from the JavaScript thread (request and response buffers,
 * SQLite, TLS) come from glibc's main arena, which returns memory only from
 * its top; a burst of work leaves most of the arena free but scattered, and
 * it stays resident for good. Measured on `hyperplane server` after 20,000
 * creates: the arena held ~150 MiB, of which `malloc_trim(0)` returned ~125
 * MiB (bench/README.md, "Memory"). The same looks run a full V8 garbage
 * collection when the process is quiet and its heap grew (`full_gc.ts`):
 * after 20,000 deletes an idle server kept ~17 MiB of dead objects.
 *
 * Feature-detected: only glibc on Linux has `malloc_trim`; on musl, macOS,
 * Windows, or without FFI permission {@linkcode openGlibcMalloc} says why
 * and the trimmer only collects (it never throws for that).
 *
 * @module
 */

import process from "node:process";
import { type FullGcUnavailable, GcPolicy, openFullGc } from "./full_gc.ts";
import { onNotedGarbage, takeNotedGarbage } from "./garbage_hint.ts";

/** glibc's malloc, reached through FFI. */
export interface GlibcMalloc {
  /** glibc's version (`gnu_get_libc_version`). */
  readonly version: string;
  /**
   * Bytes malloc holds free (`mallinfo2().fordblks`, every arena), or
   * `undefined` before glibc 2.33 (no `mallinfo2`).
   */
  freeBytes(): number | undefined;
  /**
   * `malloc_trim(0)` on a thread of the runtime's pool (it takes tens of ms
   * after a burst: not on the JavaScript thread); true when memory was
   * returned to the OS.
   */
  trim(): Promise<boolean>;
  /** Closes the library handle. */
  close(): void;
}

/** Why glibc's malloc cannot be reached. */
export interface MallocUnavailable {
  readonly unavailable: string;
}

const SYMBOLS = {
  gnu_get_libc_version: { parameters: [], result: "pointer" },
  malloc_trim: { parameters: ["usize"], result: "i32", nonblocking: true },
  mallinfo2: {
    parameters: [],
    // struct mallinfo2: ten size_t fields; fordblks is the 8th.
    result: { struct: Array(10).fill("usize") },
    optional: true,
  },
} as const;

/** `Deno.dlopen`'s shape, replaceable in tests. */
export type DlOpen = (
  path: string,
  symbols: typeof SYMBOLS,
) => Deno.DynamicLibrary<typeof SYMBOLS>;

/**
 * Opens glibc's malloc, or says why it cannot: not Linux, no `libc.so.6`
 * (musl), no FFI permission, a missing symbol.
 *
 * @example
 * ```ts
 * import { openGlibcMalloc } from "./malloc_trim.ts";
 *
 * const malloc = openGlibcMalloc();
 * if ("unavailable" in malloc) console.log(malloc.unavailable);
 * else {
 *   malloc.trim();
 *   malloc.close();
 * }
 * ```
 */
export function openGlibcMalloc(
  dlopen: DlOpen = Deno.dlopen,
  os: string = Deno.build.os,
): GlibcMalloc | MallocUnavailable {
  if (os !== "linux") return { unavailable: `not Linux (${os})` };
  let lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  try {
    lib = dlopen("libc.so.6", SYMBOLS);
  } catch (err) {
    return {
      unavailable: `libc.so.6 not opened: ${
        err instanceof Error ? err.message : String(err)
      }`,
    };
  }
  const versionPtr = lib.symbols.gnu_get_libc_version();
  const version = versionPtr === null
    ? "unknown"
    : Deno.UnsafePointerView.getCString(versionPtr);
  const mallinfo2 = lib.symbols.mallinfo2;
  return {
    version,
    freeBytes: () => {
      if (mallinfo2 === null) return undefined;
      const info = mallinfo2();
      return Number(new DataView(info.buffer).getBigUint64(7 * 8, true));
    },
    trim: async () => (await lib.symbols.malloc_trim(0n)) === 1,
    close: () => lib.close(),
  };
}

/** The process's CPU time so far in ms (user + system), for quiet checks. */
export function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** What the trimmer logs through (the `Logger` of `log/`, structurally). */
export interface TrimLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
}

/** Options for {@linkcode startMallocTrimmer}. */
export interface MallocTrimmerOptions {
  /** How often to look (ms). Default 10,000. */
  intervalMs?: number;
  /** See {@linkcode TrimPolicy}. Default 16 MiB. */
  thresholdBytes?: number;
  logger?: TrimLogger;
  /** For tests: glibc's malloc, or why not. Default {@linkcode openGlibcMalloc}. */
  malloc?: GlibcMalloc | MallocUnavailable;
  /** For tests: the process RSS in bytes. Default `Deno.memoryUsage().rss`. */
  rss?: () => number;
  /**
   * A full V8 garbage collection, or why there is none (then only malloc is
   * trimmed). Default {@linkcode openFullGc}.
   */
  gc?: (() => void) | FullGcUnavailable;
  /** See {@linkcode GcPolicy}: a collection freeing less backs off. Default 4 MiB. */
  gcThresholdBytes?: number;
  /**
   * No collection while the heap holds more than this (default 64 MiB): a
   * full collection pauses the JavaScript thread in proportion to the live
   * heap — 65 ms at 46 MiB, 240–620 ms at 190 MiB (100,000 objects cached)
   * on the shared 2-core machine — and a large heap is one V8 collects on
   * its own as it grows; every request arriving meanwhile would wait.
   */
  gcMaxHeapBytes?: number;
  /** For tests: the V8 heap's used bytes. Default `Deno.memoryUsage().heapUsed`. */
  heapUsed?: () => number;
  /**
   * For tests: the process's CPU time in ms (user + system). A look that
   * finds the process used more than half a core since the previous look
   * does not trim: pages returned mid-burst come straight back. Default
   * {@linkcode processCpuMs}.
   */
  cpuMs?: () => number;
}

/** A running trimmer; `[Symbol.dispose]` stops it. */
export interface MallocTrimmer extends Disposable {
  /**
   * False where neither glibc's malloc nor a full collection can be reached
   * (then it does nothing).
   */
  readonly active: boolean;
  /** Trims done so far. */
  readonly trims: number;
  /** Full garbage collections done so far. */
  readonly collections: number;
  /** One look now (what the timer does): true when it trimmed. */
  tick(): Promise<boolean>;
}

/** One look at the process: bytes malloc holds free (if known) and RSS. */
export interface MemorySample {
  free: number | undefined;
  rss: number;
}

/** Looks to wait after a trim that returned little, doubling up to this. */
const MAX_WAIT_LOOKS = 64;

/**
 * When a trim is worth it, from one {@linkcode MemorySample} per look.
 * malloc does not say how much of what it holds free is still resident
 * (a trim discards free pages, but they stay counted as free), so:
 *
 * - at once when `threshold` bytes became free since the last trim (free
 *   above the lowest seen since), or, while at least `threshold` is free,
 *   RSS grew `threshold` (above the lowest seen since: free pages used
 *   again) or fell `threshold / 2` below what it was after the last trim
 *   (a V8 GC, which also frees the native memory of the objects it
 *   collected, without the free total moving much when the heap's free
 *   pages were used again meanwhile);
 * - otherwise, while at least `threshold` is free, on the next look after a
 *   trim that returned ≥ 1 MiB of RSS, and after 2, 4, … up to 64 looks
 *   once trims return less (an idle process with a fragmented heap is
 *   trimmed rarely).
 */
export class TrimPolicy {
  readonly #threshold: number;
  #low: MemorySample;
  #afterTrimRss: number;
  #wait = 1;
  #looks = 0;

  constructor(threshold: number, first: MemorySample) {
    this.#threshold = threshold;
    this.#low = first;
    this.#afterTrimRss = first.rss;
  }

  /** Whether to trim now; call once per look. */
  due(now: MemorySample): boolean {
    this.#looks++;
    const low = this.#low;
    const t = this.#threshold;
    if (now.free === undefined || low.free === undefined) {
      if (now.rss - low.rss >= t) return true;
    } else {
      if (now.free - low.free >= t) return true;
      if (now.free >= t && now.rss - low.rss >= t) return true;
      if (now.free >= t && this.#afterTrimRss - now.rss >= t / 2) return true;
      if (now.free >= t && this.#looks >= this.#wait) return true;
    }
    this.#low = {
      free: now.free === undefined || low.free === undefined
        ? now.free
        : Math.min(low.free, now.free),
      rss: Math.min(low.rss, now.rss),
    };
    return false;
  }

  /** Records a trim: the samples just before and just after it. */
  trimmed(before: MemorySample, after: MemorySample): void {
    const returned = before.rss - after.rss;
    this.#wait = returned >= 1048576
      ? 1
      : Math.min(this.#wait * 2, MAX_WAIT_LOOKS);
    this.#looks = 0;
    this.#low = after;
    this.#afterTrimRss = after.rss;
  }
}

/**
 * Starts looking every `intervalMs` whether glibc's malloc holds free memory
 * worth giving back ({@linkcode TrimPolicy}), and trims then, when the
 * process is not busy (`malloc_trim(0)` off the JavaScript thread; the debug
 * log gives each trim's ms and RSS before and after). Before that, when the
 * process is quiet (under a twentieth of a core since the last look; an
 * idle server uses 1–2%) after busier ones ({@linkcode GcPolicy}), it runs
 * a full garbage collection (a pause of ~3 ms per MiB of live heap: 50–240
 * ms for 20–80 MiB on the shared 2-core machine): an idle process otherwise
 * keeps a burst's dead objects, and their native memory, for good
 * (the debug log gives its ms and heap used before and after). Where glibc
 * cannot be reached it logs why once (info) and only collects. The timer
 * does not keep the process alive.
 */
export function startMallocTrimmer(
  opts: MallocTrimmerOptions = {},
): MallocTrimmer {
  const rss = opts.rss ?? (() => Deno.memoryUsage().rss);
  const heapUsed = opts.heapUsed ?? (() => Deno.memoryUsage().heapUsed);
  const cpuMs = opts.cpuMs ?? processCpuMs;
  const malloc = opts.malloc ?? openGlibcMalloc();
  const openedGc = opts.gc ?? openFullGc();
  const gc = typeof openedGc === "function" ? openedGc : undefined;
  if ("unavailable" in malloc) {
    opts.logger?.info("malloc trim off", { reason: malloc.unavailable });
  }
  if (typeof openedGc !== "function") {
    opts.logger?.info("idle gc off", { reason: openedGc.unavailable });
  }
  if ("unavailable" in malloc && gc === undefined) {
    return {
      active: false,
      trims: 0,
      collections: 0,
      tick: () => Promise.resolve(false),
      [Symbol.dispose]() {},
    };
  }
  const glibc = "unavailable" in malloc ? undefined : malloc;
  const threshold = opts.thresholdBytes ?? 16 * 1048576;
  const sample = (): MemorySample => ({
    free: glibc?.freeBytes(),
    rss: rss(),
  });
  const policy = new TrimPolicy(threshold, sample());
  const gcThreshold = opts.gcThresholdBytes ?? 4 * 1048576;
  const gcPolicy = new GcPolicy(gcThreshold);
  const gcMaxHeap = opts.gcMaxHeapBytes ?? 64 * 1048576;
  const mib = (n: number | undefined) =>
    n === undefined ? undefined : Math.round(n / 1048576);
  let trims = 0;
  let collections = 0;
  let running: Promise<boolean> | undefined;
  let stopped = false;
  let lastLook = { at: performance.now(), cpu: cpuMs() };
  let noted = 0; // bytes noted as garbage since the last collection
  const collect = (): void => {
    noted = 0;
    takeNotedGarbage();
    const before = heapUsed();
    const t0 = performance.now();
    gc!();
    const ms = performance.now() - t0;
    collections++;
    const after = heapUsed();
    gcPolicy.collected(before, after);
    opts.logger?.debug("full gc", {
      ms: Math.round(ms * 10) / 10,
      heapUsedMiB: mib(before),
      heapUsedAfterMiB: mib(after),
    });
  };
  const look = async (): Promise<boolean> => {
    const at = performance.now();
    const cpu = cpuMs();
    const used = cpu - lastLook.cpu;
    const wall = at - lastLook.at;
    lastLook = { at, cpu };
    if (
      gc && gcPolicy.due(used <= wall / 20, noted) && heapUsed() <= gcMaxHeap
    ) collect();
    if (used > wall / 2) return false; // busy
    if (!glibc) return false;
    const before = sample();
    if (!policy.due(before)) return false;
    const t0 = performance.now();
    await glibc.trim();
    const ms = performance.now() - t0;
    trims++;
    const after = sample();
    policy.trimmed(before, after);
    opts.logger?.debug("malloc trim", {
      ms: Math.round(ms * 10) / 10,
      rssMiB: mib(before.rss),
      rssAfterMiB: mib(after.rss),
      freeMiB: mib(before.free),
    });
    return true;
  };
  const tick = (): Promise<boolean> => {
    if (stopped || running) return Promise.resolve(false);
    running = look().finally(() => {
      running = undefined;
      if (stopped) glibc?.close();
    });
    return running;
  };
  const timer = setInterval(() => void tick(), opts.intervalMs ?? 10_000);
  Deno.unrefTimer(timer);
  // Much noted garbage: look in a second rather than at the next interval.
  let soon: ReturnType<typeof setTimeout> | undefined;
  const stopNoting = gc === undefined ? () => {} : onNotedGarbage((bytes) => {
    noted = bytes;
    if (stopped || soon !== undefined || bytes < 2 * gcThreshold) return;
    const timeout = setTimeout(() => {
      soon = undefined;
      void tick();
    }, 1000);
    Deno.unrefTimer(timeout);
    soon = timeout;
  });
  return {
    active: true,
    get trims() {
      return trims;
    },
    get collections() {
      return collections;
    },
    tick,
    [Symbol.dispose]() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      clearTimeout(soon);
      stopNoting();
      if (!running) glibc?.close(); // else when the trim in flight ends
    },
  };
}
