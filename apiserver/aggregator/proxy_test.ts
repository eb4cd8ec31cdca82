import assert from "node:assert/strict";
import { testCertificates } from "../../tests/support/webhook_server.ts";
import { ApiError } from "../status/mod.ts";
import { ProxyClients } from "./clients.ts";
import { type ProxyTarget, proxyToExtension } from "./proxy.ts";
import { createServiceResolver } from "./resolver.ts";

function target(
  service: string,
  caBundle: string,
  available = true,
): ProxyTarget {
  return {
    name: "v1alpha1.wardle.example.com",
    available,
    reason: available ? undefined : "failing or missing response",
    spec: {
      group: "wardle.example.com",
      version: "v1alpha1",
      service: { namespace: "wardle", name: service, port: 443 },
      caBundle,
      insecureSkipTLSVerify: false,
      groupPriorityMinimum: 1000,
      versionPriority: 15,
    },
  };
}

async function status503(p: Promise<Response>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 503);
    return e.message;
  }
  throw new Error("expected a 503");
}

Deno.test("the proxy streams, passes the path, query and identity, and never hangs", async () => {
  const certs = await testCertificates();
  const stop = new AbortController();
  const seen: {
    url: string;
    user: string | null;
    groups: string | null;
    auth: string | null;
    body: string;
  }[] = [];
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: certs.certPem,
    key: certs.keyPem,
    onListen: () => {},
    signal: stop.signal,
  }, async (req) => {
    const url = new URL(req.url);
    seen.push({
      url: url.pathname + url.search,
      user: req.headers.get("x-remote-user"),
      groups: req.headers.get("x-remote-group"),
      auth: req.headers.get("authorization"),
      body: await req.text(),
    });
    if (url.pathname.endsWith("/hang")) {
      await new Promise((r) => stop.signal.addEventListener("abort", r));
      return new Response("late");
    }
    if (url.searchParams.get("watch") === "true") {
      const enc = new TextEncoder();
      const body = new ReadableStream({
        async start(c) {
          c.enqueue(enc.encode('{"type":"ADDED"}\n'));
          await new Promise((r) => setTimeout(r, 50));
          c.enqueue(enc.encode('{"type":"MODIFIED"}\n'));
          c.close();
        },
      });
      return new Response(body, {
        headers: { "content-type": "application/json" },
      });
    }
    return Response.json({ kind: "FlunderList" }, {
      status: 201,
      headers: { "x-extension": "yes" },
    });
  });
  const clients = new ProxyClients(certs);
  const resolver = createServiceResolver({
    sources: ["static"],
    staticMap: new Map([[
      "wardle/api:443",
      `https://127.0.0.1:${server.addr.port}`,
    ]]),
  });
  const deps = { resolver, clients, headerTimeoutMs: 300 };
  const user = { username: "alice", groups: ["dev"] };
  const path = "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders";
  try {
    const res = await proxyToExtension(
      {
        req: new Request(
          `https://hyperplane/clusters/x${path}?limit=5&labelSelector=a%3Db`,
          {
            method: "POST",
            headers: {
              authorization: "Bearer secret",
              "content-type": "application/json",
            },
            body: '{"metadata":{"name":"f"}}',
          },
        ),
        path,
        user,
      },
      target("api", certs.caPem),
      deps,
    );
    assert.equal(res.status, 201);
    assert.equal(res.headers.get("x-extension"), "yes");
    assert.equal((await res.json()).kind, "FlunderList");
    assert.deepEqual(seen[0], {
      url: `${path}?limit=5&labelSelector=a%3Db`,
      user: "alice",
      groups: "dev",
      auth: null,
      body: '{"metadata":{"name":"f"}}',
    });

    const watch = await proxyToExtension(
      {
        req: new Request(`https://hyperplane${path}?watch=true`),
        path,
        user,
      },
      target("api", certs.caPem),
      deps,
    );
    const reader = watch.body!.pipeThrough(new TextDecoderStream()).getReader();
    const first = await reader.read();
    assert.equal(first.value, '{"type":"ADDED"}\n');
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      rest += r.value;
    }
    assert.equal(rest, '{"type":"MODIFIED"}\n');

    const started = Date.now();
    const hung = await status503(proxyToExtension(
      {
        req: new Request(`https://hyperplane${path}/hang`),
        path: `${path}/hang`,
        user,
      },
      target("api", certs.caPem),
      deps,
    ));
    assert.match(
      hung,
      /Error trying to reach service: 'no response headers within the timeout'/,
    );
    assert.ok(Date.now() - started < 5_000);

    assert.match(
      await status503(
        proxyToExtension(
          { req: new Request(`https://hyperplane${path}`), path, user },
          target("api", certs.caPem, false),
          deps,
        ),
      ),
      /APIService v1alpha1\.wardle\.example\.com is not available: failing or missing response/,
    );
    assert.match(
      await status503(
        proxyToExtension(
          { req: new Request(`https://hyperplane${path}`), path, user },
          target("nowhere", certs.caPem),
          deps,
        ),
      ),
      /service\/nowhere in "wardle" is not present/,
    );
  } finally {
    clients.close();
    stop.abort();
    await server.finished;
  }
});
