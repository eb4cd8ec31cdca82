/**
 * Gives memory that glibc's malloc holds free back to the OS
 * (`malloc_trim(0)` through FFI), now and then. Why: the runtime's native
 * allocations from the JavaScript thread (request and response buffers,
 * SQLite, TLS) come from glibc's main arena, which returns memory only from
 * its top; a burst of work leaves most of the arena free but scattered, and
 * it stays resident for good. Measured on `hyperplane server` after 20,000
 * creates: the arena held ~150 MiB, of which `malloc_trim(0)` returned ~125
 * MiB (bench/README.md, "Memory").
 *
 * Feature-detected: only glibc on Linux has `malloc_trim`; on musl, macOS,
 * Windows, or without FFI permission {@linkcode openGlibcMalloc} says why
 * and the trimmer does nothing (it never throws for that).
 *
 * @module
 */

/** glibc's malloc, reached through FFI. */
export interface GlibcMalloc {
  /** glibc's version (`gnu_get_libc_version`). */
  readonly version: string;
  /**
   * Bytes malloc holds free (`mallinfo2().fordblks`, every arena), or
   * `undefined` before glibc 2.33 (no `mallinfo2`).
   */
  freeBytes(): number | undefined;
  /** `malloc_trim(0)`: true when memory was returned to the OS. */
  trim(): boolean;
  /** Closes the library handle. */
  close(): void;
}

/** Why glibc's malloc cannot be reached. */
export interface MallocUnavailable {
  readonly unavailable: string;
}

const SYMBOLS = {
  gnu_get_libc_version: { parameters: [], result: "pointer" },
  malloc_trim: { parameters: ["usize"], result: "i32" },
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
    trim: () => lib.symbols.malloc_trim(0n) === 1,
    close: () => lib.close(),
  };
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
  /**
   * Trim once this much has become free, or RSS has grown this much with
   * at least this much free, since the last trim (bytes). Default 16 MiB.
   */
  thresholdBytes?: number;
  logger?: TrimLogger;
  /** For tests: glibc's malloc, or why not. Default {@linkcode openGlibcMalloc}. */
  malloc?: GlibcMalloc | MallocUnavailable;
  /** For tests: the process RSS in bytes. Default `Deno.memoryUsage().rss`. */
  rss?: () => number;
}

/** A running trimmer; `[Symbol.dispose]` stops it. */
export interface MallocTrimmer extends Disposable {
  /** False where glibc's malloc cannot be reached (then it never trims). */
  readonly active: boolean;
  /** Trims done so far. */
  readonly trims: number;
  /** One look now (what the timer does): trims when it is worth it. */
  tick(): boolean;
}

/**
 * When a trim is worth it: memory became free since the last trim (`free`
 * above the lowest free seen since), or RSS grew (above the lowest RSS seen
 * since) while at least `threshold` is free. `freeLow`/`rssLow` are the
 * lowest values seen since the last trim.
 */
export function trimIsWorthIt(
  now: { free: number | undefined; rss: number },
  low: { free: number | undefined; rss: number },
  threshold: number,
): boolean {
  if (now.free === undefined || low.free === undefined) {
    return now.rss - low.rss >= threshold;
  }
  if (now.free - low.free >= threshold) return true;
  return now.free >= threshold && now.rss - low.rss >= threshold;
}

/**
 * Starts looking every `intervalMs` whether glibc's malloc holds enough free
 * memory to give back, and trims then (`malloc_trim(0)`, a few ms on the
 * JavaScript thread). Where glibc cannot be reached it logs why once (info)
 * and does nothing. The timer does not keep the process alive.
 */
export function startMallocTrimmer(
  opts: MallocTrimmerOptions = {},
): MallocTrimmer {
  const threshold = opts.thresholdBytes ?? 16 * 1048576;
  const rss = opts.rss ?? (() => Deno.memoryUsage().rss);
  const malloc = opts.malloc ?? openGlibcMalloc();
  if ("unavailable" in malloc) {
    opts.logger?.info("malloc trim off", { reason: malloc.unavailable });
    return {
      active: false,
      trims: 0,
      tick: () => false,
      [Symbol.dispose]() {},
    };
  }
  let trims = 0;
  let low = { free: malloc.freeBytes(), rss: rss() };
  const tick = (): boolean => {
    const now = { free: malloc.freeBytes(), rss: rss() };
    if (!trimIsWorthIt(now, low, threshold)) {
      low = {
        free: now.free === undefined || low.free === undefined
          ? now.free
          : Math.min(low.free, now.free),
        rss: Math.min(low.rss, now.rss),
      };
      return false;
    }
    const t0 = performance.now();
    malloc.trim();
    trims++;
    const after = { free: malloc.freeBytes(), rss: rss() };
    opts.logger?.debug("malloc trim", {
      ms: Math.round((performance.now() - t0) * 10) / 10,
      rssMiB: Math.round(now.rss / 1048576),
      rssAfterMiB: Math.round(after.rss / 1048576),
      freeMiB: now.free === undefined
        ? undefined
        : Math.round(now.free / 1048576),
    });
    low = after;
    return true;
  };
  const timer = setInterval(tick, opts.intervalMs ?? 10_000);
  Deno.unrefTimer(timer);
  let stopped = false;
  return {
    active: true,
    get trims() {
      return trims;
    },
    tick,
    [Symbol.dispose]() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      malloc.close();
    },
  };
}
