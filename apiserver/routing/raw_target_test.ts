import assert from "node:assert/strict";
import { rawTarget } from "./raw_target.ts";

const BASE = "https://127.0.0.1:6443";

Deno.test("rawTarget keeps dot segments exactly as sent", () => {
  for (
    const path of [
      "/api/v1/namespaces/a/configmaps/..",
      "/api/v1/namespaces/a/configmaps/../configmaps",
      "/api/v1/namespaces/a/configmaps/.",
      "/api/v1/namespaces/../namespaces/a",
      "/api/../api/v1",
      "/..",
      "/./api",
      "/api/v1/namespaces/a/configmaps/%2e%2e",
      "/api/v1/namespaces/a/configmaps/%2E%2e/x",
      "/clusters/../api/v1/namespaces",
    ]
  ) {
    assert.equal(rawTarget(`${BASE}${path}`).path, path);
  }
});

Deno.test("rawTarget keeps percent-encoding, empty segments and trailing slashes", () => {
  for (
    const path of [
      "/api/v1/namespaces/a/configmaps/a%2Fb",
      "/api/v1/namespaces/a%2fb/configmaps",
      "/api/v1/namespaces/a/configmaps/a%zz",
      "/api/v1/namespaces/a/configmaps/%",
      "/api/v1//namespaces",
      "//api/v1",
      "/api/v1/namespaces/",
      "/api/v1/namespaces//",
      "/api/v1/namespaces/a/configmaps/a%20b",
    ]
  ) {
    assert.equal(rawTarget(`${BASE}${path}`).path, path);
  }
});

Deno.test("rawTarget splits the query off and parses it", () => {
  const t = rawTarget(
    `${BASE}/api/v1/namespaces/a/configmaps/..?watch=true&labelSelector=a%3Db&x=1&x=2`,
  );
  assert.equal(t.path, "/api/v1/namespaces/a/configmaps/..");
  assert.equal(t.query.get("watch"), "true");
  assert.equal(t.query.get("labelSelector"), "a=b");
  assert.deepEqual(t.query.getAll("x"), ["1", "2"]);
});

Deno.test("rawTarget reads a path of / when there is none", () => {
  assert.equal(rawTarget("https://h").path, "/");
  assert.equal(rawTarget("https://h/").path, "/");
  assert.equal(rawTarget("https://h/?a=1").path, "/");
  assert.equal(rawTarget("https://h/?a=1").query.get("a"), "1");
  assert.equal(rawTarget("https://h:8443").path, "/");
});

Deno.test("rawTarget ignores a fragment, in the path or after the query", () => {
  const a = rawTarget(`${BASE}/api/v1#frag?no=1`);
  assert.equal(a.path, "/api/v1");
  assert.equal(a.query.toString(), "");
  const b = rawTarget(`${BASE}/api/v1?yes=1#frag`);
  assert.equal(b.path, "/api/v1");
  assert.equal(b.query.get("yes"), "1");
});

Deno.test("rawTarget takes a bare path (no scheme) as the path", () => {
  const t = rawTarget("/api/v1/namespaces/../x?limit=1");
  assert.equal(t.path, "/api/v1/namespaces/../x");
  assert.equal(t.query.get("limit"), "1");
});

Deno.test("rawTarget with an empty query has no parameters", () => {
  const t = rawTarget(`${BASE}/api/v1?`);
  assert.equal(t.path, "/api/v1");
  assert.equal([...t.query.keys()].length, 0);
});

Deno.test("rawTarget does not resolve what Deno.serve hands over", async () => {
  // The server's view: Deno.serve must give the raw target in req.url.
  const seen: string[] = [];
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    (req) => {
      seen.push(rawTarget(req.url).path);
      return new Response("ok");
    },
  );
  try {
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.addr.port,
    });
    try {
      const paths = [
        "/api/v1/namespaces/a/configmaps/../configmaps",
        "/api/v1/namespaces/a/configmaps/%2e%2e",
        "/api//v1/./x/",
      ];
      const req = paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`)
        .join("");
      await conn.write(new TextEncoder().encode(req));
      const buf = new Uint8Array(8192);
      let text = "";
      for (
        let i = 0;
        i < 50 && (text.match(/\r\n\r\nok/g) ?? []).length < 3;
        i++
      ) {
        const n = await conn.read(buf);
        if (n === null) break;
        text += new TextDecoder().decode(buf.subarray(0, n));
      }
      assert.deepEqual(seen, paths);
    } finally {
      conn.close();
    }
  } finally {
    ac.abort();
    await server.finished;
  }
});
