/**
 * How many connections the TLS front may hold open. Each costs three file
 * descriptors (the TLS socket, the front's end of the Unix socket to the
 * inner server, and the inner server's end), and running out of descriptors
 * takes the whole process down (`Too many open files`), so the default cap
 * is derived from the process's descriptor limit, keeping a reserve for
 * storage connections, files and the runtime.
 *
 * Deno has no `getrlimit` (neither `Deno` nor `node:process` expose one),
 * so on Linux the soft limit is read from `/proc/self/limits`; elsewhere a
 * conservative constant stands in.
 *
 * @module
 */

/** File descriptors one front connection holds. */
export const FDS_PER_CONNECTION = 3;

/** The assumed descriptor limit when it cannot be read (macOS' default soft limit is 256; many Linux systems use 1024). */
export const FALLBACK_FD_LIMIT = 1024;

/**
 * The soft limit on open file descriptors (`ulimit -n`), from
 * `/proc/self/limits`; `undefined` when it cannot be read or is unlimited.
 */
export function openFileLimit(
  limitsText: () => string = () => Deno.readTextFileSync("/proc/self/limits"),
): number | undefined {
  let text: string;
  try {
    text = limitsText();
  } catch {
    return undefined;
  }
  const line = text.split("\n").find((l) => l.startsWith("Max open files"));
  const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
  const n = Number(soft);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * The default connection cap for a descriptor limit: what is left after a
 * reserve (a tenth of the limit, at least 64), divided by
 * {@linkcode FDS_PER_CONNECTION}; at least 1.
 *
 * @example
 * ```ts
 * defaultMaxConnections(20_000); // 6000
 * defaultMaxConnections(256);    // 64
 * ```
 */
export function defaultMaxConnections(
  fdLimit: number = openFileLimit() ?? FALLBACK_FD_LIMIT,
): number {
  const reserve = Math.max(64, Math.ceil(fdLimit / 10));
  return Math.max(1, Math.floor((fdLimit - reserve) / FDS_PER_CONNECTION));
}
