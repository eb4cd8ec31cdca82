/**
 * End-to-end: `hyperplane snapshot save` while 8 writers create, update and
 * delete ConfigMaps against a running sqlite server, then
 * `hyperplane snapshot restore` into a fresh data dir and a server started
 * from it: its objects are exactly the acknowledged writes up to the
 * snapshot's revision, with the same resourceVersions, and new writes get
 * larger ones. A corrupt snapshot is refused with a clear error and the
 * data dir is left as it was.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer, type TestServer } from "./support/server.ts";
import { projectRoot } from "./support/kubectl.ts";

const NS = "/api/v1/namespaces/default/configmaps";
const WRITERS = 8;
/** Each writer runs until a little after the snapshot, at most this long. */
const MAX_OPS = 3000;

interface Ack {
  name: string;
  rv: number;
  /** `undefined`: deleted. */
  data?: Record<string, string>;
}

async function hyperplane(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${projectRoot()}/main.ts`, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

async function call(
  server: TestServer,
  path: string,
  method: string,
  body?: unknown,
): Promise<{ metadata: { resourceVersion: string }; details?: unknown }> {
  const res = await server.fetch(path, {
    method,
    headers: {
      "content-type": method === "PATCH"
        ? "application/merge-patch+json"
        : "application/json",
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** One writer: creates, updates and deletes its own ConfigMaps; records acks. */
async function writer(
  server: TestServer,
  w: number,
  acks: Ack[],
  done: () => boolean,
) {
  const live: string[] = [];
  for (let i = 0; i < MAX_OPS && !done(); i++) {
    if (i % 3 === 2 && live.length > 0) {
      const name = live[i % live.length];
      const data = { v: `w${w}-update-${i}` };
      const obj = await call(server, `${NS}/${name}`, "PATCH", { data });
      acks.push({ name, rv: Number(obj.metadata.resourceVersion), data });
    } else if (i % 7 === 6 && live.length > 0) {
      const name = live.shift()!;
      await call(server, `${NS}/${name}`, "DELETE");
      // The delete's revision comes from the DELETED watch event.
      acks.push({ name, rv: -1 });
    } else {
      const name = `w${w}-${i}`;
      const data = { v: `w${w}-create-${i}` };
      const obj = await call(server, NS, "POST", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name },
        data,
      });
      live.push(name);
      acks.push({ name, rv: Number(obj.metadata.resourceVersion), data });
    }
  }
}

/**
 * Collects the revision of every DELETED event of the ConfigMaps. A watch
 * the server ends early (a slow watcher under load is dropped, as
 * upstream's) is resumed from the last revision seen.
 */
async function watchDeletes(
  server: TestServer,
  from: string,
  deletes: Map<string, number>,
  signal: AbortSignal,
): Promise<void> {
  let rv = from;
  const decoder = new TextDecoder();
  while (!signal.aborted) {
    let buf = "";
    try {
      const res = await server.fetch(
        `${NS}?watch=1&resourceVersion=${rv}&timeoutSeconds=600`,
        { signal },
      );
      // Cancelling the reader ends a read at once; an aborted fetch signal
      // alone did not always end a body read in progress.
      const reader = res.body!.getReader();
      const cancel = () => reader.cancel().catch(() => {});
      signal.addEventListener("abort", cancel, { once: true });
      if (signal.aborted) cancel();
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) break;
        buf += decoder.decode(chunk, { stream: true });
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const ev = JSON.parse(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          if (ev.type === "ERROR") throw new Error(JSON.stringify(ev.object));
          rv = ev.object.metadata.resourceVersion ?? rv;
          if (ev.type === "DELETED") {
            deletes.set(
              ev.object.metadata.name,
              Number(ev.object.metadata.resourceVersion),
            );
          }
        }
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }
}

/** The state the acknowledged writes leave at revision `rev`. */
function stateAt(acks: Ack[], rev: number): Map<string, Ack> {
  const state = new Map<string, Ack>();
  for (const a of [...acks].sort((x, y) => x.rv - y.rv)) {
    if (a.rv > rev) break;
    if (a.data) state.set(a.name, a);
    else state.delete(a.name);
  }
  return state;
}

async function listWritten(server: TestServer): Promise<Map<string, Ack>> {
  const res = await server.fetch(NS);
  const list = await res.json();
  const out = new Map<string, Ack>();
  for (const item of list.items) {
    if (!/^w\d+-/.test(item.metadata.name)) continue;
    out.set(item.metadata.name, {
      name: item.metadata.name,
      rv: Number(item.metadata.resourceVersion),
      data: item.data,
    });
  }
  return out;
}

Deno.test("a snapshot taken under 8 concurrent writers restores to exactly the acknowledged writes up to its revision", async () => {
  const root = await Deno.makeTempDir({ prefix: "hyperplane-snap-" });
  const dataDir = join(root, "data");
  const restored = join(root, "restored");
  const file = join(root, "backup.snap");
  let server: TestServer | undefined;
  try {
    server = await startServer({ dataDir, args: ["--controllers", "-*"] });
    const acks: Ack[] = [];
    let stopWriters = false;
    const start = (await call(server, NS, "GET")).metadata.resourceVersion;
    const deletes = new Map<string, number>();
    const stopWatch = new AbortController();
    const watching = watchDeletes(server, start, deletes, stopWatch.signal);
    const writers = Array.from(
      { length: WRITERS },
      (_, w) => writer(server!, w, acks, () => stopWriters),
    );
    // Let the writers get going, then snapshot in the middle of them.
    let failed: unknown;
    const all = Promise.all(writers).catch((err) => (failed = err));
    while (acks.length < 200 && failed === undefined) {
      await new Promise((r) => setTimeout(r, 10));
    }
    if (failed) throw failed;
    const saved = await hyperplane([
      "snapshot",
      "save",
      file,
      "--data-dir",
      dataDir,
    ]);
    assert.equal(saved.code, 0, saved.stderr);
    await new Promise((r) => setTimeout(r, 300));
    stopWriters = true;
    await all;
    if (failed) throw failed;
    const deleted = acks.filter((a) => !a.data);
    const deadline = Date.now() + 60_000;
    while (deletes.size < deleted.length) {
      assert.ok(
        Date.now() < deadline,
        `saw ${deletes.size} of ${deleted.length} deletes`,
      );
      await new Promise((r) => setTimeout(r, 20));
    }
    stopWatch.abort();
    await watching;
    for (const a of deleted) a.rv = deletes.get(a.name)!;
    assert.ok(deleted.length > 10);
    const rev = Number(/revision (\d+)/.exec(saved.stdout)![1]);
    assert.ok(
      acks.some((a) => a.rv > rev),
      "writes continued after the snapshot",
    );
    const expected = stateAt(acks, rev);
    console.log(
      `snapshot at revision ${rev}: ${
        acks.filter((a) => a.rv <= rev).length
      } of ${acks.length} acknowledged writes before it, ${expected.size} objects`,
    );
    assert.ok(expected.size > 10);
    await server.stop();

    const verified = await hyperplane(["snapshot", "verify", file]);
    assert.equal(verified.code, 0, verified.stderr);
    const r = await hyperplane([
      "snapshot",
      "restore",
      file,
      "--data-dir",
      restored,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /start the server with --data-dir/);
    server = await startServer({
      dataDir: restored,
      args: ["--controllers", "-*"],
    });
    const got = await listWritten(server);
    assert.deepEqual(
      [...got.values()].sort((a, b) => a.name.localeCompare(b.name)),
      [...expected.values()].sort((a, b) => a.name.localeCompare(b.name)),
    );
    const next = await call(server, NS, "POST", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "after-restore" },
    });
    assert.ok(Number(next.metadata.resourceVersion) > rev);
  } finally {
    await server?.stop();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});

Deno.test("a corrupt snapshot is refused with a clear error and the data dir is untouched", async () => {
  const root = await Deno.makeTempDir({ prefix: "hyperplane-snap-" });
  try {
    const dataDir = join(root, "data");
    const server = await startServer({
      dataDir,
      args: ["--controllers", "-*"],
    });
    const file = join(root, "good.snap");
    try {
      await call(server, NS, "POST", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "x" },
        data: { a: "b" },
      });
      const saved = await hyperplane([
        "snapshot",
        "save",
        file,
        "--data-dir",
        dataDir,
      ]);
      assert.equal(saved.code, 0, saved.stderr);
    } finally {
      await server.stop();
    }
    // With the server stopped, save opens the database itself.
    const offline = await hyperplane([
      "snapshot",
      "save",
      join(root, "offline.snap"),
      "--data-dir",
      dataDir,
    ]);
    assert.equal(offline.code, 0, offline.stderr);
    const bytes = await Deno.readFile(file);
    bytes[bytes.length - 2000] ^= 0x5a;
    const bad = join(root, "bad.snap");
    await Deno.writeFile(bad, bytes);

    const fresh = join(root, "fresh");
    let r = await hyperplane(["snapshot", "restore", bad, "--data-dir", fresh]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /snapshot restore: .*bad\.snap is corrupt: checksum mismatch .*nothing was restored/,
    );
    await assert.rejects(Deno.stat(fresh), Deno.errors.NotFound);

    // An existing (empty) data dir stays as it was.
    const empty = join(root, "empty");
    await Deno.mkdir(empty);
    r = await hyperplane(["snapshot", "restore", bad, "--data-dir", empty]);
    assert.equal(r.code, 1);
    assert.deepEqual([...Deno.readDirSync(empty)], []);

    // A data dir that has a database is never overwritten, even by a good file.
    const before = await Deno.readFile(join(dataDir, "state.db"));
    r = await hyperplane(["snapshot", "restore", file, "--data-dir", dataDir]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /exists: a snapshot is restored into a fresh data dir/,
    );
    assert.deepEqual(await Deno.readFile(join(dataDir, "state.db")), before);
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});

Deno.test("--snapshot-interval writes scheduled snapshots into <data-dir>/snapshots and keeps --snapshot-retention of them", async () => {
  const root = await Deno.makeTempDir({ prefix: "hyperplane-snap-" });
  const dataDir = join(root, "data");
  const server = await startServer({
    dataDir,
    args: [
      "--controllers",
      "-*",
      "--snapshot-interval",
      "1s",
      "--snapshot-retention",
      "2",
    ],
  });
  try {
    const dir = join(dataDir, "snapshots");
    const list = () => {
      try {
        return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
      } catch {
        return [];
      }
    };
    const deadline = Date.now() + 20_000;
    // Three ticks at least: the first one must have been removed.
    const seen = new Set<string>();
    while (seen.size < 3 && Date.now() < deadline) {
      for (const f of list()) seen.add(f);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(seen.size >= 3, `saw ${[...seen]}`);
    const left = list();
    assert.ok(left.length <= 2 && left.length >= 1, `left ${left}`);
    const v = await hyperplane(["snapshot", "verify", join(dir, left.at(-1)!)]);
    assert.equal(v.code, 0, v.stderr);
    assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
  } finally {
    await server.stop();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});
