import assert from "node:assert/strict";
import type { ApiHandler } from "../request_context.ts";
import { startFixture } from "../../tests/support/serving_fixture.ts";
import { startSecureServer } from "./server.ts";

const whoami: ApiHandler = (req, ctx) =>
  Promise.resolve(
    Response.json({ path: new URL(req.url).pathname, user: ctx.user }),
  );

Deno.test("the secure server answers over TLS trusting the generated CA", async (t) => {
  const fx = await startFixture(whoami);
  const auth = { authorization: `Bearer ${fx.token}` };
  try {
    await t.step(
      "a valid admin token reaches the handler as user admin",
      async () => {
        const res = await fx.fetch("/api/v1/namespaces", { headers: auth });
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), {
          path: "/api/v1/namespaces",
          user: {
            username: "admin",
            uid: "admin",
            groups: ["system:masters", "system:authenticated"],
          },
        });
      },
    );

    await t.step("no credentials get a 401 Unauthorized Status", async () => {
      const res = await fx.fetch("/api/v1/namespaces");
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("content-type"), "application/json");
      assert.deepEqual(await res.json(), {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: "Unauthorized",
        reason: "Unauthorized",
        code: 401,
      });
    });

    await t.step("a wrong token gets 401, even on public paths", async () => {
      for (const path of ["/api", "/version"]) {
        const res = await fx.fetch(path, {
          headers: { authorization: "Bearer wrong" },
        });
        assert.equal(res.status, 401, path);
        assert.equal((await res.json()).reason, "Unauthorized");
      }
    });

    await t.step("/version is served to anonymous callers", async () => {
      const res = await fx.fetch("/version");
      assert.equal(res.status, 200);
      assert.deepEqual((await res.json()).user, {
        username: "system:anonymous",
        groups: ["system:unauthenticated"],
      });
      const inCluster = await fx.fetch("/clusters/tenant-a/version");
      assert.equal(inCluster.status, 200);
      assert.equal((await inCluster.json()).path, "/clusters/tenant-a/version");
    });

    await t.step(
      "health endpoints need no credentials, also under a cluster prefix",
      async () => {
        for (
          const path of [
            "/healthz",
            "/livez",
            "/readyz",
            "/livez/ping",
            "/clusters/x/readyz",
            "/clusters/x/control-plane/livez",
          ]
        ) {
          const res = await fx.fetch(path);
          assert.equal(res.status, 200, path);
          assert.equal(await res.text(), "ok", path);
        }
        const verbose = await fx.fetch("/readyz?verbose");
        assert.equal(
          await verbose.text(),
          "[+]ping ok\n[+]shutdown ok\nreadyz check passed\n",
        );
      },
    );

    await t.step("the kubeconfig is written with mode 0600", async () => {
      const st = await Deno.stat(fx.kubeconfigPath);
      assert.equal(st.mode! & 0o777, 0o600);
    });
  } finally {
    await fx.dispose();
  }
});

Deno.test("a failing readiness check makes /readyz answer 500 over the wire", async () => {
  let ready = false;
  const fx = await startFixture(whoami, {
    healthChecks: {
      readiness: [{
        name: "storage",
        check: () => ready ? Promise.resolve() : Promise.reject(new Error("x")),
      }],
    },
  });
  try {
    const failing = await fx.fetch("/readyz");
    assert.equal(failing.status, 500);
    assert.match(await failing.text(), /\[-\]storage failed: reason withheld/);
    const excluded = await fx.fetch("/readyz?exclude=storage");
    assert.equal(excluded.status, 200);
    await excluded.body?.cancel();
    ready = true;
    const ok = await fx.fetch("/readyz/storage");
    assert.equal(await ok.text(), "ok");
  } finally {
    await fx.dispose();
  }
});

Deno.test("a handler that throws gets a 500 InternalError Status", async () => {
  const fx = await startFixture(() => Promise.reject(new Error("boom")));
  try {
    const res = await fx.fetch("/api", {
      headers: { authorization: `Bearer ${fx.token}` },
    });
    assert.equal(res.status, 500);
    const body = await res.json();
    assert.equal(body.reason, "InternalError");
    assert.doesNotMatch(JSON.stringify(body), /boom/);
  } finally {
    await fx.dispose();
  }
});

/** A watch-like handler: one line per tick until its signal aborts. */
function streamingHandler(honourSignal: boolean): ApiHandler {
  return (_req, ctx) => {
    const enc = new TextEncoder();
    let n = 0;
    let stop = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(enc.encode(`{"n":${n++}}\n`));
        const timer = setInterval(
          () => controller.enqueue(enc.encode(`{"n":${n++}}\n`)),
          20,
        );
        stop = () => clearInterval(timer);
        if (honourSignal) {
          ctx.signal?.addEventListener("abort", () => {
            stop();
            controller.close();
          }, { once: true });
        }
      },
      cancel: () => stop(),
    });
    return Promise.resolve(
      new Response(body, { headers: { "content-type": "application/json" } }),
    );
  };
}

async function readLines(res: Response, count: number) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (text.split("\n").length <= count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  return { lines: text.split("\n").slice(0, count), reader };
}

Deno.test("watch streams flow line by line and close() ends them", async () => {
  const fx = await startFixture(streamingHandler(true));
  try {
    const res = await fx.fetch("/api/v1/namespaces?watch=true", {
      headers: { authorization: `Bearer ${fx.token}` },
    });
    assert.equal(res.status, 200);
    const { lines, reader } = await readLines(res, 3);
    assert.deepEqual(lines, ['{"n":0}', '{"n":1}', '{"n":2}']);
    await fx.server.close();
    // The stream ends (cleanly or cut); it does not hang.
    try {
      while (!(await reader.read()).done) { /* drain */ }
    } catch {
      // the connection went away with the server
    }
    await fx.server.finished;
  } finally {
    await fx.dispose();
  }
});

Deno.test("the handler's signal aborts when the watching client goes away", async () => {
  const aborted = Promise.withResolvers<void>();
  const inner = streamingHandler(true);
  const fx = await startFixture((req, ctx) => {
    ctx.signal?.addEventListener("abort", () => aborted.resolve(), {
      once: true,
    });
    return inner(req, ctx);
  });
  try {
    const ac = new AbortController();
    const res = await fx.fetch("/watch", {
      headers: { authorization: `Bearer ${fx.token}` },
      signal: ac.signal,
    });
    const { reader } = await readLines(res, 2);
    ac.abort();
    await reader.cancel().catch(() => {});
    await aborted.promise; // hangs (and the test fails) if never aborted
  } finally {
    await fx.dispose();
  }
});

Deno.test("close() cuts streams whose handler ignores the signal after the grace period", async () => {
  const fx = await startFixture(streamingHandler(false), {
    shutdownGraceMs: 50,
  });
  try {
    const res = await fx.fetch("/watch", {
      headers: { authorization: `Bearer ${fx.token}` },
    });
    const { reader } = await readLines(res, 2);
    await fx.server.close();
    await assert.rejects(async () => {
      while (!(await reader.read()).done) { /* drain */ }
      throw new Error("ended cleanly"); // either outcome proves it ended
    });
  } finally {
    await fx.dispose();
  }
});

Deno.test("a busy port or unusable key material fails start-up with an error", async () => {
  const fx = await startFixture(whoami);
  try {
    const tls = {
      cert: await Deno.readTextFile(`${fx.dataDir}/tls/serving.crt`),
      key: await Deno.readTextFile(`${fx.dataDir}/tls/serving.key`),
    };
    const base = {
      bindAddress: "127.0.0.1",
      authenticators: [],
      handler: whoami,
    };
    await assert.rejects(
      startSecureServer({ ...base, port: fx.server.port, tls }),
      Deno.errors.AddrInUse,
    );
    await assert.rejects(
      startSecureServer({ ...base, port: 0, tls: { ...tls, key: tls.cert } }),
    );
  } finally {
    await fx.dispose();
  }
});

Deno.test("the server negotiates HTTP/2 by ALPN", async (t) => {
  const curl = ["/usr/bin/curl", "/usr/local/bin/curl"].find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });
  if (!curl) {
    console.error("SKIPPED: curl not installed (HTTP/2 check)");
    return;
  }
  const fx = await startFixture(whoami);
  try {
    const caFile = `${fx.dataDir}/tls/ca.crt`;
    for (const [flag, want] of [["--http2", "2"], ["--http1.1", "1.1"]]) {
      await t.step(`curl ${flag} gets HTTP/${want}`, async () => {
        const out = await new Deno.Command(curl, {
          args: [
            "-sS",
            flag,
            "--cacert",
            caFile,
            "-o",
            "/dev/null",
            "-w",
            "%{http_version} %{http_code}",
            `${fx.url}/livez`,
          ],
          stderr: "piped",
        }).output();
        assert.equal(
          new TextDecoder().decode(out.stdout),
          `${want} 200`,
          new TextDecoder().decode(out.stderr),
        );
      });
    }
  } finally {
    await fx.dispose();
  }
});
