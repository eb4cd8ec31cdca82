/**
 * Starts the Cloud Spanner emulator for tests, on free loopback ports, and
 * stops it by the PID it started.
 *
 * @example
 * ```ts
 * const emu = await startSpannerEmulator();
 * if (emu) {
 *   // talk to emu.host ("127.0.0.1:<port>")
 *   await emu.stop();
 * }
 * ```
 *
 * @module
 */

import type { SpannerConfig } from "../../backends/spanner/config.ts";

/**
 * The backend's config for `database` on the emulator at `emu.host`
 * (project `test-project`, instance `test-instance`, as the tests use).
 */
export function spannerTestConfig(
  emu: Pick<SpannerEmulator, "host">,
  database: string,
): SpannerConfig {
  return {
    project: "test-project",
    instance: "test-instance",
    database,
    emulatorHost: emu.host,
  };
}

/** Where the emulator binaries are installed on these machines. */
export const SPANNER_EMULATOR_DIR =
  "/usr/lib/google-cloud-sdk/bin/cloud_spanner_emulator";

/** A running emulator. */
export interface SpannerEmulator {
  /** `127.0.0.1:<grpc port>`, the value for `--spanner-emulator-host`. */
  readonly host: string;
  /** The emulator's REST port. */
  readonly httpPort: number;
  /** Kills the emulator (by its PID) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills the emulator without waiting (for `unload` handlers, e.g. benchmarks). */
  killNow(): void;
  /**
   * Freezes the emulator (SIGSTOP to the gateway and its `emulator_main`):
   * connections stay open and nothing answers, as with a hung server.
   */
  pause(): void;
  /** Lets a paused emulator run on (SIGCONT). */
  resume(): void;
}

/** A loopback TCP port that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function binariesPresent(): boolean {
  try {
    Deno.statSync(`${SPANNER_EMULATOR_DIR}/gateway_main`);
    Deno.statSync(`${SPANNER_EMULATOR_DIR}/emulator_main`);
    return true;
  } catch {
    return false;
  }
}

async function canConnect(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the emulator, or returns `undefined` after printing
 * `SKIPPED: spanner emulator not found` when it is not installed. With env
 * `HYPERPLANE_REQUIRE_SERVICES=1` a missing emulator throws instead.
 */
export async function startSpannerEmulator(): Promise<
  SpannerEmulator | undefined
> {
  if (!binariesPresent()) {
    if (Deno.env.get("HYPERPLANE_REQUIRE_SERVICES") === "1") {
      throw new Error(
        `spanner emulator not found in ${SPANNER_EMULATOR_DIR} ` +
          "(HYPERPLANE_REQUIRE_SERVICES=1)",
      );
    }
    console.log("SKIPPED: spanner emulator not found");
    return undefined;
  }
  const grpcPort = freePort();
  const httpPort = freePort();
  const child = new Deno.Command(`${SPANNER_EMULATOR_DIR}/gateway_main`, {
    args: [
      "--hostname",
      "127.0.0.1",
      "--grpc_port",
      String(grpcPort),
      "--http_port",
      String(httpPort),
      "--grpc_binary",
      `${SPANNER_EMULATOR_DIR}/emulator_main`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const pid = child.pid;
  let stopped = false;
  const killNow = () => {
    if (stopped) return;
    stopped = true;
    // The gateway starts emulator_main as its child; kill that child first
    // (found by its parent PID, never by name), then the gateway itself.
    for (const grandchild of childPids(pid)) {
      try {
        Deno.kill(grandchild, "SIGKILL");
      } catch { /* already gone */ }
    }
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  };
  const stop = async () => {
    killNow();
    await child.status;
  };
  const signalAll = (signal: Deno.Signal) => {
    if (stopped) return;
    for (const p of [pid, ...childPids(pid)]) {
      try {
        Deno.kill(p, signal);
      } catch { /* already gone */ }
    }
  };
  const deadline = Date.now() + 30_000;
  while (!(await canConnect(grpcPort))) {
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `spanner emulator did not listen on 127.0.0.1:${grpcPort} within 30s`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host: `127.0.0.1:${grpcPort}`,
    httpPort,
    stop,
    killNow,
    pause: () => signalAll("SIGSTOP"),
    resume: () => signalAll("SIGCONT"),
  };
}

/** PIDs whose parent is `pid` (Linux /proc). */
function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^[0-9]+$/.test(entry.name)) continue;
      try {
        const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
        const ppid = Number(
          stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1],
        );
        if (ppid === pid) out.push(Number(entry.name));
      } catch { /* raced with exit */ }
    }
  } catch { /* no /proc */ }
  return out;
}
