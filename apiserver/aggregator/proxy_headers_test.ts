import assert from "node:assert/strict";
import { proxyRequestHeaders, proxyResponseHeaders } from "./proxy_headers.ts";

Deno.test("the user travels in X-Remote-* headers, one line per group and extra value", () => {
  const out = proxyRequestHeaders(
    new Headers({
      accept: "application/json",
      "content-type": "application/json",
    }),
    {
      username: "alice",
      uid: "u-1",
      groups: ["dev", "system:authenticated"],
      extra: { "scopes.example.com/a b": ["x", "y"] },
    },
  );
  assert.deepEqual(out.filter(([n]) => n.startsWith("X-Remote")), [
    ["X-Remote-User", "alice"],
    ["X-Remote-Uid", "u-1"],
    ["X-Remote-Group", "dev"],
    ["X-Remote-Group", "system:authenticated"],
    ["X-Remote-Extra-scopes.example.com%2Fa%20b", "x"],
    ["X-Remote-Extra-scopes.example.com%2Fa%20b", "y"],
  ]);
  assert.ok(out.some(([n, v]) => n === "accept" && v === "application/json"));
  assert.ok(out.some(([n, v]) => n === "accept-encoding" && v === "identity"));
});

Deno.test("credentials, impersonation, forged identity and hop-by-hop headers never pass", () => {
  const out = proxyRequestHeaders(
    new Headers({
      authorization: "Bearer secret",
      "impersonate-user": "root",
      "x-remote-user": "forged",
      "x-remote-group": "system:masters",
      connection: "keep-alive",
      "transfer-encoding": "chunked",
      host: "hyperplane",
      "accept-encoding": "gzip",
      "user-agent": "kubectl",
    }),
    { username: "bob", groups: [] },
  );
  const names = out.map(([n]) => n.toLowerCase());
  for (
    const gone of [
      "authorization",
      "impersonate-user",
      "connection",
      "transfer-encoding",
      "host",
    ]
  ) assert.ok(!names.includes(gone), gone);
  assert.deepEqual(out.filter(([n]) => /^x-remote/i.test(n)), [[
    "X-Remote-User",
    "bob",
  ]]);
  assert.deepEqual(out.filter(([n]) => n === "accept-encoding"), [[
    "accept-encoding",
    "identity",
  ]]);
  assert.ok(names.includes("user-agent"));
});

Deno.test("response headers lose only hop-by-hop headers", () => {
  const out = proxyResponseHeaders(
    new Headers({
      "content-type": "application/json",
      connection: "close",
      "transfer-encoding": "chunked",
      "audit-id": "1",
    }),
  );
  assert.equal(out.get("content-type"), "application/json");
  assert.equal(out.get("audit-id"), "1");
  assert.equal(out.get("connection"), null);
  assert.equal(out.get("transfer-encoding"), null);
});
