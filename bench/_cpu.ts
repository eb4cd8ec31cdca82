/**
 * CPU time for benchmarks on a shared, busy machine: wall-clock rates swing
 * with other people's load, CPU time spent per operation much less. Used by
 * `postgres_store_bench.ts` and `encryption_bench.ts` to report, next to the
 * rates, what each side of a comparison costs in CPU (this process, and for
 * PostgreSQL the server's processes).
 *
 * @module
 */

import process from "node:process";

/** CPU time (user + system, µs) this process has used so far. */
export function ownCpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Clock ticks per second of /proc's `utime`/`stime` (Linux: 100). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system, µs) used so far by the children of `pid` that
 * are still alive (a PostgreSQL postmaster's backends), from /proc.
 * Resolution: one clock tick (10 ms), so measure many operations.
 */
export function childrenCpuMicros(pid: number): number {
  let ticks = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      // Fields after the command name (which may hold spaces): state is
      // field 3, ppid 4, utime 14, stime 15.
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(f[1]) === pid) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / TICKS_PER_SECOND * 1e6;
}

/**
 * The PID of the `postgres` server process listening on `port` (found by
 * its `-c port=<port>` argument), or `undefined`.
 */
export function postgresPid(port: number): number | undefined {
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const args = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`)
        .split("\0");
      if (args[0].endsWith("/postgres") && args.includes(`port=${port}`)) {
        return Number(entry.name);
      }
    } catch {
      // the process ended meanwhile
    }
  }
  return undefined;
}
