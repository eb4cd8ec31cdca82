/**
 * Starts a real etcd for tests and benchmarks: one member or a three-member
 * cluster on 127.0.0.1 with free ports and a temporary data directory. Each
 * member can be stopped and started again (same ports, same data), so tests
 * can kill the leader or restart etcd under a running store.
 *
 * When the `etcd` binary is missing, {@linkcode etcdBinary} returns
 * `undefined`; call {@linkcode skipWithoutEtcd} to print `SKIPPED: …` (or
 * fail when `HYPERPLANE_REQUIRE_SERVICES=1`).
 *
 * @example
 * ```ts
 * const etcd = await startEtcd();
 * try {
 *   // use etcd.endpoints
 * } finally {
 *   await etcd.stop();
 * }
 * ```
 *
 * @module
 */

const CANDIDATES = ["/usr/bin/etcd", "/usr/local/bin/etcd"];

/** The path of the etcd binary (`ETCD_BIN` or a standard location), or `undefined`. */
export function etcdBinary(): string | undefined {
  const fromEnv = Deno.env.get("ETCD_BIN");
  for (const path of fromEnv ? [fromEnv] : CANDIDATES) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not there
    }
  }
  return undefined;
}

/**
 * Returns true (after printing `SKIPPED: etcd not installed`) when the
 * caller should skip because etcd is missing. Throws instead when
 * `HYPERPLANE_REQUIRE_SERVICES=1`.
 */
export function skipWithoutEtcd(what = "test"): boolean {
  if (etcdBinary()) return false;
  const reason = "etcd not installed";
  if (Deno.env.get("HYPERPLANE_REQUIRE_SERVICES") === "1") {
    throw new Error(
      `${reason} (HYPERPLANE_REQUIRE_SERVICES=1 forbids skipping ${what})`,
    );
  }
  console.error(`SKIPPED: ${reason} (${what})`);
  return true;
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** One etcd member: its URLs and process control. */
export interface EtcdMember {
  readonly name: string;
  /** `http://127.0.0.1:<port>` for clients. */
  readonly clientUrl: string;
  /** True while the process runs. */
  readonly running: boolean;
  /** Stops the process (SIGTERM, or SIGKILL with `hard`) and waits for it. */
  stop(opts?: { hard?: boolean }): Promise<void>;
  /** Starts the process again with the same ports and data; waits until it is healthy. */
  start(): Promise<void>;
}

/** A running etcd cluster. */
export interface EtcdCluster {
  /** Client URLs of every member. */
  readonly endpoints: string[];
  readonly members: EtcdMember[];
  /** The index in `members` of the current leader (asked of a running member). */
  leaderIndex(): Promise<number>;
  /** Stops every member and removes the data directory. */
  stop(): Promise<void>;
  /**
   * Kills every member at once and removes the data directory, without
   * waiting (for `unload` handlers, e.g. in benchmarks).
   */
  killNow(): void;
}

/** The `hyperplane server` flags that put its storage on `etcd`. */
export function etcdServerArgs(etcd: Pick<EtcdCluster, "endpoints">): string[] {
  return [
    "--storage-backend",
    "etcd",
    "--etcd-servers",
    etcd.endpoints.join(","),
  ];
}

/** Options for {@linkcode startEtcd}. */
export interface StartEtcdOptions {
  /** 1 (default) or 3. */
  members?: 1 | 3;
  /** Extra command-line flags for every member. */
  extraArgs?: string[];
}

interface MemberConfig {
  name: string;
  clientPort: number;
  peerPort: number;
}

class Member implements EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  #child?: Deno.ChildProcess;
  #status?: Promise<Deno.CommandStatus>;
  #args: string[];
  #bin: string;

  constructor(bin: string, args: string[], cfg: MemberConfig) {
    this.#bin = bin;
    this.#args = args;
    this.name = cfg.name;
    this.clientUrl = `http://127.0.0.1:${cfg.clientPort}`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  spawn(): void {
    if (this.#child) return;
    const child = new Deno.Command(this.#bin, {
      args: this.#args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    this.#child = child;
    this.#status = child.status;
  }

  async start(): Promise<void> {
    this.spawn();
    await waitHealthy([this.clientUrl], 30_000);
  }

  /** Sends SIGKILL without waiting for the exit. */
  killNow(): void {
    try {
      this.#child?.kill("SIGKILL");
    } catch {
      // already exited
    }
  }

  async stop(opts: { hard?: boolean } = {}): Promise<void> {
    const child = this.#child;
    if (!child) return;
    try {
      child.kill(opts.hard ? "SIGKILL" : "SIGTERM");
    } catch {
      // already exited
    }
    await this.#status;
    this.#child = undefined;
    this.#status = undefined;
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, {
      signal: AbortSignal.timeout(1000),
    });
    const body = await res.text();
    return res.ok && body.includes('"true"');
  } catch {
    return false;
  }
}

async function waitHealthy(urls: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(urls.map(healthy));
    if (states.every(Boolean)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `etcd at ${urls.join(",")} not healthy in ${timeoutMs}ms`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts etcd (one member by default) and waits until every member is healthy. */
export async function startEtcd(
  opts: StartEtcdOptions = {},
): Promise<EtcdCluster> {
  const bin = etcdBinary();
  if (!bin) throw new Error("etcd not installed");
  const count = opts.members ?? 1;
  const dir = await Deno.makeTempDir({ prefix: "hyperplane-etcd-" });
  const configs: MemberConfig[] = [];
  for (let i = 0; i < count; i++) {
    configs.push({
      name: `m${i}`,
      clientPort: freePort(),
      peerPort: freePort(),
    });
  }
  const initialCluster = configs
    .map((c) => `${c.name}=http://127.0.0.1:${c.peerPort}`)
    .join(",");
  const token = `hyperplane-${configs[0].clientPort}`;
  const members = configs.map((c) =>
    new Member(bin, [
      `--name=${c.name}`,
      `--data-dir=${dir}/${c.name}`,
      `--listen-client-urls=http://127.0.0.1:${c.clientPort}`,
      `--advertise-client-urls=http://127.0.0.1:${c.clientPort}`,
      `--listen-peer-urls=http://127.0.0.1:${c.peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${c.peerPort}`,
      `--initial-cluster=${initialCluster}`,
      "--initial-cluster-state=new",
      `--initial-cluster-token=${token}`,
      "--heartbeat-interval=50",
      "--election-timeout=500",
      "--log-level=error",
      ...(opts.extraArgs ?? []),
    ], c)
  );
  const endpoints = members.map((m) => m.clientUrl);
  const cluster: EtcdCluster = {
    endpoints,
    members,
    async leaderIndex() {
      for (const m of members) {
        if (!m.running) continue;
        const status = await memberStatus(m.clientUrl).catch(() => undefined);
        if (!status?.leader) continue;
        for (let i = 0; i < members.length; i++) {
          const s = await memberStatus(members[i].clientUrl).catch(() =>
            undefined
          );
          if (s?.header?.member_id === status.leader) return i;
        }
      }
      throw new Error("no etcd leader found");
    },
    async stop() {
      await Promise.all(members.map((m) => m.stop()));
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
    killNow() {
      for (const m of members) m.killNow();
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch {
        // still in use or gone
      }
    },
  };
  try {
    for (const m of members) m.spawn();
    await waitHealthy(endpoints, 30_000);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

interface StatusResponse {
  header?: { member_id?: string };
  leader?: string;
}

async function memberStatus(url: string): Promise<StatusResponse> {
  const res = await fetch(`${url}/v3/maintenance/status`, {
    method: "POST",
    body: "{}",
    signal: AbortSignal.timeout(1000),
  });
  return await res.json() as StatusResponse;
}

/**
 * Puts `value` at `key` as it is, through etcd's HTTP gateway at `endpoint`
 * (a client URL), below any store: how tests store a value no store would
 * write (a corrupt object).
 */
export async function putRaw(
  endpoint: string,
  key: string,
  value: string,
): Promise<void> {
  const b64 = (s: string) =>
    btoa(String.fromCharCode(...new TextEncoder().encode(s)));
  const res = await fetch(`${endpoint}/v3/kv/put`, {
    method: "POST",
    body: JSON.stringify({ key: b64(key), value: b64(value) }),
  });
  const body = await res.text();
  if (res.status !== 200) {
    throw new Error(`etcd put of ${key} failed: ${res.status} ${body}`);
  }
}
