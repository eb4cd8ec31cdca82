/**
 * End to end on `--storage-backend=postgres`: two `hyperplane server`
 * processes on one PostgreSQL database. kubectl (v1.35) creates, gets,
 * lists, watches and deletes configmaps and a CRD with custom resources
 * through one server while the other serves the same data; a write through
 * one server reaches a watch on the other (latency p50/p99 printed).
 */
import assert from "node:assert/strict";
import {
  kubectlFor,
  kubeTools,
  runTool,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import { startServer, type TestServer } from "./support/server.ts";
import { startPostgres } from "./support/postgres.ts";

const CRD_YAML = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.pg.example.com
spec:
  group: pg.example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
`;

const WIDGET = (name: string, size: number) =>
  `apiVersion: pg.example.com/v1
kind: Widget
metadata: {name: ${name}, namespace: pg}
spec: {size: ${size}}
`;

/** Reads a chunked watch response line by line; resolves names as they arrive. */
class HttpWatch {
  #seen = new Map<string, number>();
  #waiters = new Map<string, () => void>();
  #abort = new AbortController();
  #done: Promise<void>;

  constructor(server: TestServer, path: string) {
    this.#done = (async () => {
      const res = await server.fetch(path, { signal: this.#abort.signal });
      assert.equal(res.status, 200);
      let buf = "";
      try {
        for await (
          const chunk of res.body!.pipeThrough(new TextDecoderStream())
        ) {
          buf += chunk;
          let nl;
          while ((nl = buf.indexOf("\n")) >= 0) {
            const ev = JSON.parse(buf.slice(0, nl));
            buf = buf.slice(nl + 1);
            const name = ev.object?.metadata?.name;
            if (ev.type !== "ADDED" || !name) continue;
            this.#seen.set(name, performance.now());
            this.#waiters.get(name)?.();
          }
        }
      } catch (err) {
        if (!this.#abort.signal.aborted) throw err;
      }
    })();
  }

  /** Resolves with the time `name` was seen (ADDED). */
  seen(name: string, timeoutMs = 15_000): Promise<number> {
    const at = this.#seen.get(name);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(name);
        reject(new Error(`${name} not seen within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.set(name, () => {
        clearTimeout(timer);
        this.#waiters.delete(name);
        resolve(this.#seen.get(name)!);
      });
    });
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#done.catch(() => {});
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

Deno.test("two hyperplane servers on one PostgreSQL database, driven by kubectl", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "postgres e2e")) return;
  const pg = await startPostgres();
  if (!pg) return;
  const db = await pg.createDatabase("hyperplane_e2e");
  const args = [
    "--storage-backend",
    "postgres",
    "--postgres-url",
    db,
    "--postgres-password-file",
    pg.passwordFile,
    "--postgres-sslmode",
    "disable",
  ];
  let a: TestServer | undefined;
  let b: TestServer | undefined;
  try {
    [a, b] = await Promise.all([
      startServer({ args }),
      startServer({ args }),
    ]);
    const kubectlA = kubectlFor(tools!.kubectl, a);
    const kubectlB = kubectlFor(tools!.kubectl, b);

    await t.step("configmaps: create, get, list, watch, delete", async () => {
      await kubectlA(["create", "namespace", "pg"]);
      // A watch through B while A writes.
      const watch = runTool(tools!.kubectl, [
        "--kubeconfig",
        b!.kubeconfigPath,
        "-n",
        "pg",
        "get",
        "configmaps",
        "--watch",
        "--output-watch-events",
        "--request-timeout=8s",
      ], { env: { HOME: b!.dataDir }, check: false });
      await new Promise((r) => setTimeout(r, 1000));
      await kubectlA([
        "-n",
        "pg",
        "create",
        "configmap",
        "hello",
        "--from-literal=greeting=hi",
      ]);
      const got = await kubectlB([
        "-n",
        "pg",
        "get",
        "cm",
        "hello",
        "-o",
        "jsonpath={.data.greeting}",
      ]);
      assert.equal(got.stdout, "hi");
      const list = await kubectlB([
        "-n",
        "pg",
        "get",
        "configmaps",
        "-o",
        "name",
      ]);
      assert.match(list.stdout, /^configmap\/hello$/m);
      await kubectlB(["-n", "pg", "label", "cm", "hello", "tier=db"]);
      const labelled = await kubectlA([
        "-n",
        "pg",
        "get",
        "cm",
        "-l",
        "tier=db",
        "-o",
        "name",
      ]);
      assert.equal(labelled.stdout.trim(), "configmap/hello");
      await kubectlA(["-n", "pg", "delete", "configmap", "hello"]);
      const w = await watch;
      assert.match(w.stdout, /^ADDED\s+hello\s+1\s+\S+$/m);
      assert.match(w.stdout, /^MODIFIED\s+hello\s+1\s+\S+$/m);
      assert.match(w.stdout, /^DELETED\s+hello\s+1\s+\S+$/m);
      const gone = await kubectlB(["-n", "pg", "get", "cm", "hello"], {
        check: false,
      });
      assert.match(gone.stderr, /configmaps "hello" not found/);
    });

    await t.step("a CRD and its custom resources", async () => {
      await kubectlA(["apply", "-f", "-"], { stdin: CRD_YAML });
      await kubectlA([
        "wait",
        "--for=condition=Established",
        "--timeout=30s",
        "crd/widgets.pg.example.com",
      ]);
      // B learns of the CRD from the shared database (its CRD watch).
      const deadline = Date.now() + 30_000;
      for (;;) {
        const r = await kubectlB(["apply", "-f", "-"], {
          stdin: WIDGET("w1", 3),
          check: false,
        });
        if (r.code === 0) break;
        if (Date.now() > deadline) assert.fail(r.stderr);
        await new Promise((res) => setTimeout(res, 250));
      }
      await kubectlA(["apply", "-f", "-"], { stdin: WIDGET("w2", 5) });
      const list = await kubectlA(["-n", "pg", "get", "widgets", "-o", "name"]);
      assert.deepEqual(list.stdout.trim().split("\n"), [
        "widget.pg.example.com/w1",
        "widget.pg.example.com/w2",
      ]);
      const size = await kubectlB([
        "-n",
        "pg",
        "get",
        "widget",
        "w2",
        "-o",
        "jsonpath={.spec.size}",
      ]);
      assert.equal(size.stdout, "5");
      await kubectlB(["-n", "pg", "delete", "widget", "w1", "w2"]);
      const none = await kubectlA(["-n", "pg", "get", "widgets", "-o", "name"]);
      assert.equal(none.stdout.trim(), "");
      await kubectlA(["delete", "crd", "widgets.pg.example.com"]);
    });

    await t.step(
      "a write through one server reaches a watch on the other (latency)",
      async () => {
        const watch = new HttpWatch(
          b!,
          "/api/v1/namespaces/pg/configmaps?watch=true&resourceVersion=0",
        );
        const samples: number[] = [];
        const writes: number[] = [];
        try {
          await a!.fetch("/api/v1/namespaces/pg/configmaps", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ metadata: { name: "warmup" } }),
          }).then((r) => r.body?.cancel());
          await watch.seen("warmup");
          for (let i = 0; i < 40; i++) {
            const name = `lat-${i}`;
            const start = performance.now();
            const res = await a!.fetch("/api/v1/namespaces/pg/configmaps", {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({
                metadata: { name },
                data: { i: String(i) },
              }),
            });
            await res.body?.cancel();
            writes.push(performance.now() - start);
            assert.equal(res.status, 201);
            samples.push(await watch.seen(name) - start);
          }
        } finally {
          await watch.stop();
        }
        samples.sort((x, y) => x - y);
        writes.sort((x, y) => x - y);
        console.log(
          `postgres replicas: write on A → watch event on B, ${samples.length} sequential samples: ` +
            `p50 ${percentile(samples, 0.5).toFixed(1)} ms, p99 ${
              percentile(samples, 0.99).toFixed(1)
            } ms, max ${samples.at(-1)!.toFixed(1)} ms (the POST itself: p50 ${
              percentile(writes, 0.5).toFixed(1)
            } ms, p99 ${percentile(writes, 0.99).toFixed(1)} ms)`,
        );
        // Far below the 10 s safety poll: notifications, not polling, carry it.
        assert.ok(percentile(samples, 0.5) < 2_000);
      },
    );
  } finally {
    await Promise.all([a?.stop(), b?.stop()]);
    await pg.stop();
  }
});
