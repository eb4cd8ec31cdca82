/**
 * A watch-cache fill on etcd, as after a restart on `--storage-backend=etcd`:
 * a fresh process opens the etcd backend and one eager `CachedStore` over N
 * ConfigMaps, and times the fill from the cache's start until it serves
 * (wall and the process's CPU; connecting to etcd is not counted) and the
 * process's peak RSS.
 *
 * Made for A/B runs: each `--baseline <dir>` is another tree (a
 * `git worktree` of an earlier commit, with `node_modules` linked in); the
 * rounds alternate fills of this tree and those, in alternating order, on
 * the same etcd and data, so all see the same machine load. The report gives
 * medians, ranges and this tree's ratio to each baseline.
 *
 * Starts its own one-member etcd (`tests/support/etcd.ts`, data in `/tmp`;
 * or uses `--etcd-servers`), writes the missing objects through the etcd
 * store (64 in flight) and stops etcd on exit. Each fill runs in a child
 * process (`--child`), which imports the backend and the watch cache of its
 * `--root` tree by path.
 *
 * Run:
 * ```sh
 * git worktree add --detach /tmp/before <commit> && ln -s $PWD/node_modules /tmp/before/
 * node_modules/deno/deno run -A bench/etcd_fill_bench.ts --objects 100000 --rounds 4 --baseline /tmp/before
 * ```
 * Method and figures: `bench/README.md` ("etcd: watch-cache fill").
 *
 * @module
 */

import { parseArgs } from "node:util";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";

const args = parseArgs({
  options: {
    objects: { type: "string", default: "50000" },
    rounds: { type: "string", default: "4" },
    baseline: { type: "string", multiple: true },
    child: { type: "boolean", default: false },
    root: { type: "string" },
    "etcd-servers": { type: "string" },
  },
});

const OBJECTS = Number(args.values.objects);
const PREFIX = "/registry/configmaps/clusters/root/";
const HERE = new URL("..", import.meta.url);

/** One fill's figures, as a child prints them. */
interface Fill {
  fillMs: number;
  cpuMs: number;
  /** The child's peak RSS (VmHWM) at the end of the fill. */
  peakMiB: number;
  objects: number;
}

if (args.values.child) {
  console.log(JSON.stringify(await childFill()));
} else {
  await main();
}

/** In the child: open the backend and a cache from `--root`, time the fill. */
async function childFill(): Promise<Fill> {
  const root = pathToFileURL(args.values.root!.replace(/\/*$/, "/"));
  const { openEtcd, parseEtcdConfig } = await import(
    new URL("backends/etcd/mod.ts", root).href
  );
  const { CachedStore } = await import(
    new URL("storage/cacher/mod.ts", root).href
  );
  const { silentLogger } = await import(new URL("log/mod.ts", root).href);
  const { config } = parseEtcdConfig({
    "etcd-servers": args.values["etcd-servers"],
    "etcd-compaction-interval": "0",
  });
  const factory = await openEtcd(config, { logger: silentLogger });
  await factory.readiness();
  const cpu0 = cpuMicros();
  const t0 = performance.now();
  const store = new CachedStore(factory.storeFor({ resource: "configmaps" }), {
    eager: true,
  });
  while (!store.serving) await new Promise((r) => setTimeout(r, 2));
  const fillMs = performance.now() - t0;
  const cpuMs = (cpuMicros() - cpu0) / 1000;
  const peakMiB = peakRssMiB();
  const page = await store.list(PREFIX, {
    recursive: true,
    resourceVersion: "0",
    limit: 1,
  });
  await store.close();
  await factory.close();
  return {
    fillMs,
    cpuMs,
    peakMiB,
    objects: page.items.length + (page.remainingItemCount ?? 0),
  };
}

/** This process's peak resident set so far (Linux `VmHWM`), in MiB. */
function peakRssMiB(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function main(): Promise<void> {
  const { skipWithoutEtcd, startEtcd } = await import(
    "../tests/support/etcd.ts"
  );
  if (skipWithoutEtcd("etcd fill benchmark")) return;
  const trees: { name: string; root: string }[] = [
    { name: "this tree", root: fileURLToPath(HERE) },
    ...(args.values.baseline ?? []).map((root) => ({ name: root, root })),
  ];
  // An etcd given with --etcd-servers is used as it is (loaded once).
  const etcd = args.values["etcd-servers"] ? undefined : await startEtcd();
  try {
    const servers = args.values["etcd-servers"] ?? etcd!.endpoints.join(",");
    const loadMs = await load(servers);
    console.log(
      `loaded ${OBJECTS} ConfigMaps through the etcd store in ${
        (loadMs / 1000).toFixed(1)
      } s`,
    );
    const fills = new Map<string, Fill[]>(trees.map((t) => [t.name, []]));
    for (let round = 0; round < Number(args.values.rounds); round++) {
      // Alternate the order, so no tree always runs warmer.
      const order = round % 2 === 0 ? trees : [...trees].reverse();
      for (const tree of order) {
        const fill = await runChild(tree.root, servers);
        if (fill.objects !== OBJECTS) {
          throw new Error(`${tree.name}: ${fill.objects} objects cached`);
        }
        fills.get(tree.name)!.push(fill);
        console.log(
          `round ${round + 1} ${tree.name}: fill ${
            fill.fillMs.toFixed(0)
          } ms, CPU ${fill.cpuMs.toFixed(0)} ms, peak RSS ${
            fill.peakMiB.toFixed(0)
          } MiB`,
        );
      }
    }
    report(fills);
  } finally {
    await etcd?.stop();
  }
}

/**
 * Writes the objects through the etcd store of this tree (those missing:
 * `cm-<i>` for i from the count already there); returns the ms.
 */
async function load(servers: string): Promise<number> {
  const { openEtcd, parseEtcdConfig } = await import(
    "../backends/etcd/mod.ts"
  );
  const { silentLogger } = await import("../log/mod.ts");
  const { benchConfigMap } = await import("./_store_vs_raw.ts");
  const { config } = parseEtcdConfig({
    "etcd-servers": servers,
    "etcd-compaction-interval": "0",
  });
  const factory = await openEtcd(config!, { logger: silentLogger });
  const store = factory.storeFor({ resource: "configmaps" });
  const t0 = performance.now();
  const have = await store.list(PREFIX, { recursive: true, limit: 1 });
  let next = have.items.length + (have.remainingItemCount ?? 0);
  const worker = async () => {
    for (let i = next++; i < OBJECTS; i = next++) {
      const ns = `ns-${i % 100}`;
      const obj = benchConfigMap(`cm-${i}`);
      obj.metadata.namespace = ns;
      await store.create(`${PREFIX}${ns}/cm-${i}`, obj);
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  const ms = performance.now() - t0;
  await factory.close();
  return ms;
}

async function runChild(root: string, servers: string): Promise<Fill> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      fileURLToPath(import.meta.url),
      "--child",
      "--root",
      root,
      "--etcd-servers",
      servers,
      "--objects",
      String(OBJECTS),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`fill in ${root} failed`);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as Fill;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function report(fills: Map<string, Fill[]>): void {
  console.log(
    `\nwatch-cache fill of ${OBJECTS} ConfigMaps on etcd (ms; medians)`,
  );
  const rows: Record<string, Record<string, string>> = {};
  for (const [name, xs] of fills) {
    rows[name] = {
      "fill median": median(xs.map((f) => f.fillMs)).toFixed(0),
      "fill range": range(xs.map((f) => f.fillMs)),
      "CPU median": median(xs.map((f) => f.cpuMs)).toFixed(0),
      "CPU range": range(xs.map((f) => f.cpuMs)),
      "peak RSS MiB": median(xs.map((f) => f.peakMiB)).toFixed(0),
    };
  }
  console.table(rows);
  const mine = fills.get("this tree")!;
  for (const [name, base] of fills) {
    if (base === mine) continue;
    const ratio = (f: (x: Fill) => number) =>
      (median(mine.map(f)) / median(base.map(f))).toFixed(2);
    console.log(
      `this tree / ${name}: fill ${ratio((f) => f.fillMs)}, CPU ${
        ratio((f) => f.cpuMs)
      }, peak RSS ${ratio((f) => f.peakMiB)}`,
    );
  }
}

function range(xs: number[]): string {
  return `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
}
