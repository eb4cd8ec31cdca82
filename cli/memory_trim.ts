/**
 * The serving commands give glibc's free native memory back to the OS after
 * bursts of work (`internal/malloc_trim.ts`): without it, RSS stays at its
 * peak after a load, ~125 MiB above what is in use after 20,000 creates
 * (bench/README.md, "Memory"). The same looks run a full V8 collection
 * when the process turns quiet after a burst or the watch cache dropped
 * much history (an idle server kept ~17 MiB of dead delete events). And
 * until the controllers' first sync is done (`starting`), a heap past 256
 * MiB may grow only to 3× what it was after the last full collection
 * (`internal/gc_pacer.ts`): a restart with 10,000 virtual clusters kept
 * ~0.12 GB less resident. The process owns its allocator and its heap, so
 * the binary turns this on, not the library.
 *
 * @module
 */

import { startGcPacer, startMallocTrimmer } from "../internal/mod.ts";
import type { Logger } from "../mod.ts";

/**
 * Starts the trimmer, and the collection pacer until `starting` settles,
 * with the binary's settings; dispose to stop them.
 */
export function trimNativeMemory(
  logger: Logger,
  starting: Promise<unknown>,
): Disposable {
  const trimmer = startMallocTrimmer({
    intervalMs: 10_000,
    thresholdBytes: 16 * 1048576,
    logger: logger.with({ component: "malloc-trim" }),
  });
  const pacer = startGcPacer({
    factor: 3,
    floorBytes: 256 * 1048576,
    until: starting,
    logger: logger.with({ component: "gc-pacer" }),
  });
  return {
    [Symbol.dispose]() {
      pacer[Symbol.dispose]();
      trimmer[Symbol.dispose]();
    },
  };
}
