/**
 * Where a virtual cluster's live heap goes (issue 18, memory target): a
 * `hyperplane server` on SQLite with `--inspect`, `BENCH_CLUSTERS` (200)
 * `VirtualCluster`s created and Ready, a heap snapshot
 * (`HeapProfiler.takeHeapSnapshot`, after a full collection); as many
 * clusters again, a second snapshot. Prints, per cluster (second minus
 * first, divided by N):
 *
 * - the new nodes' self size by *owner*: the first object up each node's
 *   first-retainer chain that is not a plain object, array, map or string,
 *   with the field the chain enters it by (`WatchCache.#entries`);
 * - with `BENCH_CUTS=Owner.#field,…`, the new nodes only those fields keep
 *   alive (unreachable from the root once those edges are skipped);
 * - with `BENCH_OWNER=<owner prefix>`, that owner's new nodes by type and
 *   field; with `BENCH_GROUP=<group>` (e.g. `string`), owners of that
 *   group only; with `BENCH_STRINGS=1`, new strings by content shape
 *   (cluster names, UIDs and digits masked);
 * - the self size by node type and constructor (`BENCH_TOP` groups, 25),
 *   each with its most common retainer paths (`BENCH_PATH_DEPTH` edges).
 *
 * `BENCH_ENTRY` measures another tree's `main.ts`. Run with
 * `deno run -A bench/_heap_clusters.ts`. A tool, no assertion.
 *
 * @module
 */

import { freePort, startServer } from "../tests/support/server.ts";
import { openInspector } from "./_v8_inspector.ts";
import {
  createVirtualClusters,
  VIRTUAL_CLUSTERS,
} from "./_virtual_clusters.ts";

const N = Number(Deno.env.get("BENCH_CLUSTERS") ?? 200);
const DEPTH = Number(Deno.env.get("BENCH_PATH_DEPTH") ?? 3);
const TOP = Number(Deno.env.get("BENCH_TOP") ?? 25);
const ENTRY = Deno.env.get("BENCH_ENTRY") || undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A parsed V8 heap snapshot, flat arrays as V8 writes them. */
interface Snapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[]];
      edge_fields: string[];
      edge_types: [string[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** Takes a snapshot over the inspector on `port` after a full collection. */
async function takeSnapshot(port: number): Promise<Snapshot> {
  const chunks: string[] = [];
  const session = await openInspector(port, (method, params) => {
    if (method === "HeapProfiler.addHeapSnapshotChunk") {
      chunks.push(params.chunk as string);
    }
  });
  try {
    await session.send("HeapProfiler.enable");
    await session.send("HeapProfiler.collectGarbage");
    await session.send("HeapProfiler.takeHeapSnapshot", {
      reportProgress: false,
    });
  } finally {
    await session.close();
  }
  return JSON.parse(chunks.join(""));
}

/** One node's identity across snapshots (V8's stable id) and grouping. */
interface Indexed {
  ids: Map<number, number>;
  group: (n: number) => string;
  selfSize: (n: number) => number;
  retainers: number[][];
  count: number;
  edgeName: (e: number) => string;
  edgeFrom: number[];
  /** The node an edge named `name` of `n` leads to (property names only). */
  child: (n: number, name: string) => number | undefined;
  /** Forward edges: `[first, end)` of node `n` and where edge `e` leads. */
  firstEdge: Uint32Array;
  edgeTo: (e: number) => number;
  edgeSkipped: (e: number) => boolean;
  /** A string node's value. */
  text: (n: number) => string;
}

function index(s: Snapshot): Indexed {
  const nf = s.snapshot.meta.node_fields;
  const ef = s.snapshot.meta.edge_fields;
  const N_F = nf.length, E_F = ef.length;
  const iType = nf.indexOf("type"), iName = nf.indexOf("name");
  const iId = nf.indexOf("id"), iSize = nf.indexOf("self_size");
  const iEdges = nf.indexOf("edge_count");
  const eType = ef.indexOf("type"), eName = ef.indexOf("name_or_index");
  const eTo = ef.indexOf("to_node");
  const nodeTypes = s.snapshot.meta.node_types[0];
  const edgeTypes = s.snapshot.meta.edge_types[0];
  const count = s.nodes.length / N_F;
  const ids = new Map<number, number>();
  const retainers: number[][] = Array.from({ length: count }, () => []);
  const edgeFrom: number[] = [];
  const firstEdge = new Uint32Array(count + 1);
  let e = 0;
  for (let n = 0; n < count; n++) {
    firstEdge[n] = e;
    ids.set(s.nodes[n * N_F + iId], n);
    const edges = s.nodes[n * N_F + iEdges];
    for (let k = 0; k < edges; k++, e++) {
      const type = edgeTypes[s.edges[e * E_F + eType]];
      if (type === "weak" || type === "shortcut") continue;
      const to = s.edges[e * E_F + eTo] / N_F;
      retainers[to].push(e);
      edgeFrom[e] = n;
    }
  }
  const group = (n: number) => {
    const type = nodeTypes[s.nodes[n * N_F + iType]];
    const name = s.strings[s.nodes[n * N_F + iName]];
    if (type.endsWith("string")) return type;
    if (type === "code" || type === "hidden" || type === "array") {
      return `${type} ${name.slice(0, 40)}`;
    }
    return `${type} ${name.slice(0, 60)}`;
  };
  const edgeName = (e: number) => {
    const type = edgeTypes[s.edges[e * E_F + eType]];
    const v = s.edges[e * E_F + eName];
    return type === "element" || type === "hidden"
      ? `[${type === "hidden" ? "h" : ""}]`
      : `.${String(s.strings[v]).slice(0, 30)}`;
  };
  firstEdge[count] = e;
  const child = (n: number, name: string) => {
    for (let k = firstEdge[n]; k < firstEdge[n + 1]; k++) {
      const type = edgeTypes[s.edges[k * E_F + eType]];
      if (type === "element" || type === "hidden") continue;
      if (s.strings[s.edges[k * E_F + eName]] === name) {
        return s.edges[k * E_F + eTo] / N_F;
      }
    }
    return undefined;
  };
  return {
    firstEdge,
    edgeTo: (e) => s.edges[e * E_F + eTo] / N_F,
    edgeSkipped: (e) => {
      const type = edgeTypes[s.edges[e * E_F + eType]];
      return type === "weak" || type === "shortcut";
    },
    child,
    text: (n) => s.strings[s.nodes[n * N_F + iName]],
    ids,
    group,
    selfSize: (n) => s.nodes[n * N_F + iSize],
    retainers,
    count,
    edgeName,
    edgeFrom,
  };
}

/** A short retainer path of node `n`: `Group.edge <- Group.edge <- …`. */
function path(x: Indexed, n: number): string {
  const parts: string[] = [];
  let at = n;
  for (let d = 0; d < DEPTH; d++) {
    const e = x.retainers[at][0];
    if (e === undefined) break;
    const from = x.edgeFrom[e];
    parts.push(`${x.group(from)}${x.edgeName(e)}`);
    at = from;
  }
  return parts.join(" <- ");
}

const PLAIN =
  /^(object Object|object Map$|object Set$|object Array|array|string|concatenated string|sliced string|native system \/ PropertyArray|number heap number|object system \/ Context)/;

/**
 * The owner of node `n`: the first retainer up its first-retainer chain
 * that is not a plain object, array or string, with the field the chain
 * enters it by (`WatchCache.#entries`).
 */
/** For an informer, its resource's plural (`#opts.target.resource.resource`). */
function label(x: Indexed, n: number): string {
  if (!x.group(n).startsWith("object Informer")) return "";
  let at: number | undefined = n;
  for (const field of ["#opts", "target", "resource", "resource"]) {
    at = at === undefined ? undefined : x.child(at, field);
  }
  return ` (${at === undefined ? "?" : x.text(at)})`;
}

function owner(x: Indexed, n: number): string {
  let at = n;
  for (let d = 0; d < 16; d++) {
    const e = x.retainers[at][0];
    if (e === undefined) return "(root)";
    const from = x.edgeFrom[e];
    const g = x.group(from);
    if (!PLAIN.test(g)) return `${g}${x.edgeName(e)}${label(x, from)}`;
    at = from;
  }
  return "(deep)";
}

async function createClusters(
  server: Awaited<ReturnType<typeof startServer>>,
  from: number,
  to: number,
) {
  await createVirtualClusters(server, from, to);
  // Ready: the bootstrap wrote every object.
  for (;;) {
    const list = await (await server.fetch(VIRTUAL_CLUSTERS)).json() as {
      items: { status?: { phase?: string } }[];
    };
    if (list.items.filter((i) => i.status?.phase === "Ready").length >= to) {
      break;
    }
    await sleep(500);
  }
  await sleep(3000);
}

const port = freePort();
await using server = await startServer({
  entry: ENTRY,
  readyTimeoutMs: 300_000,
  denoFlags: [`--inspect=127.0.0.1:${port}`],
});
await createClusters(server, 0, N);
const a = index(await takeSnapshot(port));
await createClusters(server, N, 2 * N);
const bRaw = await takeSnapshot(port);
const b = index(bRaw);

const bySize = new Map<string, { size: number; count: number }>();
const add = (x: Indexed, sign: number) => {
  for (let n = 0; n < x.count; n++) {
    const g = x.group(n);
    const v = bySize.get(g) ?? { size: 0, count: 0 };
    v.size += sign * x.selfSize(n);
    v.count += sign;
    bySize.set(g, v);
  }
};
add(a, -1);
add(b, 1);
const total = [...bySize.values()].reduce((s, v) => s + v.size, 0);
console.log(
  `\n${N} -> ${2 * N} clusters: ${
    (total / N / 1024).toFixed(1)
  } KiB self size per cluster\n`,
);
const top = [...bySize.entries()].sort((x, y) => y[1].size - x[1].size)
  .slice(0, TOP);
const oldIds = new Set(a.ids.keys());
const nf = bRaw.snapshot.meta.node_fields;
const iId = nf.indexOf("id");
const owners = new Map<string, number>();
const ONLY = Deno.env.get("BENCH_GROUP");
for (let n = 0; n < b.count; n++) {
  if (oldIds.has(bRaw.nodes[n * nf.length + iId])) continue;
  if (ONLY && b.group(n) !== ONLY) continue;
  const e = b.retainers[n][0];
  const o = owner(b, n) + (ONLY && e !== undefined ? ` ${b.edgeName(e)}` : "");
  owners.set(o, (owners.get(o) ?? 0) + b.selfSize(n));
}
const FOCUS = Deno.env.get("BENCH_OWNER");
if (FOCUS) {
  // What the new nodes of one owner are: group and the edge that holds each.
  const parts = new Map<string, number>();
  for (let n = 0; n < b.count; n++) {
    if (oldIds.has(bRaw.nodes[n * nf.length + iId])) continue;
    if (!owner(b, n).startsWith(FOCUS)) continue;
    const e = b.retainers[n][0];
    const k = `${b.group(n)} via ${e === undefined ? "?" : b.edgeName(e)}`;
    parts.set(k, (parts.get(k) ?? 0) + b.selfSize(n));
  }
  console.log(`new nodes owned by ${FOCUS}:`);
  for (
    const [k, v] of [...parts.entries()].sort((x, y) => y[1] - x[1]).slice(
      0,
      TOP,
    )
  ) console.log(`${(v / N / 1024).toFixed(2).padStart(7)} KiB  ${k}`);
}
/**
 * Self size of the new nodes that only `cut` edges (`Group.edge`, e.g.
 * `object EventRing.#items`) keep alive: unreachable from the root once
 * those edges are skipped.
 */
function retainedOnlyBy(x: Indexed, cut: string): number {
  const seen = new Uint8Array(x.count);
  const stack = [0];
  seen[0] = 1;
  while (stack.length) {
    const n = stack.pop()!;
    const g = x.group(n);
    const cutHere = cut.startsWith(g + ".") || cut.startsWith(g + "[");
    for (let e = x.firstEdge[n]; e < x.firstEdge[n + 1]; e++) {
      if (x.edgeSkipped(e)) continue;
      if (cutHere && `${g}${x.edgeName(e)}` === cut) continue;
      const to = x.edgeTo(e);
      if (!seen[to]) {
        seen[to] = 1;
        stack.push(to);
      }
    }
  }
  let size = 0;
  for (let n = 0; n < x.count; n++) {
    if (!seen[n] && !oldIds.has(bRaw.nodes[n * nf.length + iId])) {
      size += x.selfSize(n);
    }
  }
  return size;
}
for (const cut of (Deno.env.get("BENCH_CUTS") ?? "").split(",")) {
  if (!cut) continue;
  console.log(
    `${
      (retainedOnlyBy(b, cut) / N / 1024).toFixed(2).padStart(7)
    } KiB of new nodes only through ${cut}`,
  );
}
if (Deno.env.get("BENCH_STRINGS")) {
  // New strings by content shape (cluster names, uids and digits masked):
  // the same shape many times per cluster is a copy per object.
  const shapes = new Map<string, { size: number; count: number }>();
  for (let n = 0; n < b.count; n++) {
    if (b.group(n) !== "string") continue;
    if (oldIds.has(bRaw.nodes[n * nf.length + iId])) continue;
    const t = b.text(n);
    const shape = t.length > 200 ? `<text of ${t[0]}…>` : t
      .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "UUID")
      .replace(/vc-\d+/g, "vc-N").replace(/\d+/g, "9").slice(0, 70);
    const v = shapes.get(shape) ?? { size: 0, count: 0 };
    v.size += b.selfSize(n);
    v.count++;
    shapes.set(shape, v);
  }
  console.log("new strings by shape:");
  for (
    const [k, v] of [...shapes.entries()].sort((x, y) => y[1].size - x[1].size)
      .slice(0, TOP)
  ) {
    console.log(
      `${(v.size / N / 1024).toFixed(2).padStart(7)} KiB ${
        (v.count / N).toFixed(1).padStart(5)
      }/cluster  ${JSON.stringify(k)}`,
    );
  }
}
console.log("new nodes by owner (first-retainer chain):");
for (
  const [o, s] of [...owners.entries()].sort((x, y) => y[1] - x[1]).slice(
    0,
    TOP,
  )
) console.log(`${(s / N / 1024).toFixed(2).padStart(7)} KiB  ${o}`);
console.log("\nby group:");
for (const [g, v] of top) {
  console.log(
    `${(v.size / N / 1024).toFixed(2).padStart(7)} KiB  ${
      (v.count / N).toFixed(1).padStart(6)
    } nodes/cluster  ${g}`,
  );
  // The most common retainer paths of the new nodes of this group.
  const paths = new Map<string, number>();
  for (let n = 0; n < b.count; n++) {
    if (b.group(n) !== g) continue;
    if (oldIds.has(bRaw.nodes[n * nf.length + iId])) continue;
    const p = path(b, n);
    paths.set(p, (paths.get(p) ?? 0) + b.selfSize(n));
  }
  for (
    const [p, s] of [...paths.entries()].sort((x, y) => y[1] - x[1]).slice(0, 4)
  ) {
    console.log(`           ${(s / N / 1024).toFixed(2).padStart(6)}  ${p}`);
  }
}
