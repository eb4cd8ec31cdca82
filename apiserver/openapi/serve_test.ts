import assert from "node:assert/strict";
import { builtinKinds } from "../../tests/support/openapi_builtin_kinds.ts";
import { createOpenApiServer, OPENAPI_V2_PROTOBUF } from "./serve.ts";

const JSON_ACCEPT = new Headers({ accept: "application/json" });

Deno.test("the v3 index names each group version with its content hash", async () => {
  const server = createOpenApiServer();
  const kinds = builtinKinds();
  const res = await server.serveOpenApi(
    "/openapi/v3",
    new URLSearchParams(),
    JSON_ACCEPT,
    kinds,
  );
  assert.equal(res?.status, 200);
  const index = await res!.json();
  const url: string = index.paths["api/v1"].serverRelativeURL;
  assert.match(url, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
  assert.ok(index.paths["apis/rbac.authorization.k8s.io/v1"]);

  const prefixed = await server.serveOpenApi(
    "/openapi/v3",
    new URLSearchParams(),
    JSON_ACCEPT,
    kinds,
    "/clusters/c1",
  );
  const p = await prefixed!.json();
  assert.match(
    p.paths["api/v1"].serverRelativeURL,
    /^\/clusters\/c1\/openapi\/v3\/api\/v1\?hash=/,
  );
});

Deno.test("a hashed group-version URL is immutable; a stale hash redirects", async () => {
  const server = createOpenApiServer();
  const kinds = builtinKinds();
  const index = await (await server.serveOpenApi(
    "/openapi/v3",
    new URLSearchParams(),
    JSON_ACCEPT,
    kinds,
  ))!.json();
  const url = new URL(index.paths["api/v1"].serverRelativeURL, "http://x");
  const res = await server.serveOpenApi(
    url.pathname,
    url.searchParams,
    JSON_ACCEPT,
    kinds,
  );
  assert.equal(res!.status, 200);
  assert.equal(res!.headers.get("cache-control"), "public, immutable");
  assert.ok(res!.headers.get("expires"));
  assert.equal(res!.headers.get("etag"), `"${url.searchParams.get("hash")}"`);
  const doc = await res!.json();
  assert.equal(doc.openapi, "3.0.0");
  const bytes = new TextEncoder().encode(JSON.stringify(doc));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-512", bytes));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(
    "",
  ).toUpperCase();
  assert.equal(hex, url.searchParams.get("hash"));

  const stale = await server.serveOpenApi(
    url.pathname,
    new URLSearchParams({ hash: "ABC" }),
    JSON_ACCEPT,
    kinds,
  );
  assert.equal(stale!.status, 301);
  assert.equal(stale!.headers.get("location"), `${url.pathname}${url.search}`);

  const plain = await server.serveOpenApi(
    url.pathname,
    new URLSearchParams(),
    JSON_ACCEPT,
    kinds,
  );
  assert.equal(plain!.headers.get("cache-control"), null);
  await plain!.body?.cancel();

  const again = await server.serveOpenApi(
    url.pathname,
    url.searchParams,
    new Headers({ "if-none-match": res!.headers.get("etag")! }),
    kinds,
  );
  assert.equal(again!.status, 304);
});

Deno.test("unknown group versions are 404 and other paths are not ours", async () => {
  const server = createOpenApiServer();
  const res = await server.serveOpenApi(
    "/openapi/v3/apis/apps/v1",
    new URLSearchParams(),
    JSON_ACCEPT,
    builtinKinds(),
  );
  assert.equal(res!.status, 404);
  assert.equal((await res!.json()).reason, "NotFound");
  assert.equal(
    await server.serveOpenApi(
      "/api/v1",
      new URLSearchParams(),
      JSON_ACCEPT,
      builtinKinds(),
    ),
    undefined,
  );
});

Deno.test("v2 is JSON by default and gnostic protobuf when kubectl asks for it", async () => {
  const server = createOpenApiServer();
  const kinds = builtinKinds();
  const get = (accept?: string) =>
    server.serveOpenApi(
      "/openapi/v2",
      new URLSearchParams(),
      new Headers(accept ? { accept } : {}),
      kinds,
    );
  const json = await get();
  assert.equal(json!.status, 200);
  assert.equal(json!.headers.get("content-type"), "application/json");
  assert.equal((await json!.json()).swagger, "2.0");
  const pb = await get(OPENAPI_V2_PROTOBUF);
  assert.equal(pb!.status, 200);
  assert.equal(
    pb!.headers.get("content-type"),
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
  );
  const bytes = new Uint8Array(await pb!.arrayBuffer());
  // field 1 (swagger), length 3, "2.0"
  assert.deepEqual([...bytes.slice(0, 5)], [0x0a, 0x03, 0x32, 0x2e, 0x30]);
  const etag = pb!.headers.get("etag")!;
  assert.match(etag, /^"[0-9A-F]{128}"$/);
  const again = await server.serveOpenApi(
    "/openapi/v2",
    new URLSearchParams(),
    new Headers({ accept: OPENAPI_V2_PROTOBUF, "if-none-match": etag }),
    kinds,
  );
  assert.equal(again!.status, 304);
  const first = await get(`${OPENAPI_V2_PROTOBUF}, application/json`);
  assert.equal(
    first!.headers.get("content-type"),
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
  );
  await first!.body?.cancel();
  const preferJson = await get(
    `${OPENAPI_V2_PROTOBUF};q=0.5, application/json`,
  );
  assert.equal(preferJson!.headers.get("content-type"), "application/json");
  await preferJson!.body?.cancel();
  const none = await get("application/vnd.kubernetes.protobuf");
  assert.equal(none!.status, 406);
  assert.equal((await none!.json()).reason, "NotAcceptable");
});

Deno.test("equal kind sets share cached documents; a changed set gets new hashes", async () => {
  const server = createOpenApiServer();
  const index = async (kinds: ReturnType<typeof builtinKinds>) =>
    (await (await server.serveOpenApi(
      "/openapi/v3",
      new URLSearchParams(),
      JSON_ACCEPT,
      kinds,
    ))!.json()).paths;
  const a = await index(builtinKinds());
  const b = await index(builtinKinds());
  assert.deepEqual(a, b);
  const fewer = builtinKinds().filter((k) => k.kind !== "Secret");
  const c = await index(fewer);
  assert.notEqual(c["api/v1"].serverRelativeURL, a["api/v1"].serverRelativeURL);
  assert.equal(
    c["apis/rbac.authorization.k8s.io/v1"].serverRelativeURL,
    a["apis/rbac.authorization.k8s.io/v1"].serverRelativeURL,
  );
});

Deno.test("the v3 index is JSON whatever the Accept; a group version negotiates", async () => {
  const server = createOpenApiServer();
  const kinds = builtinKinds();
  const get = (path: string, accept: string) =>
    server.serveOpenApi(
      path,
      new URLSearchParams(),
      new Headers({ accept }),
      kinds,
    );
  const V3_PROTOBUF =
    "application/com.github.proto-openapi.spec.v3@v1.0+protobuf";
  for (const accept of ["text/plain", V3_PROTOBUF]) {
    // As upstream's handler3.HandleDiscovery: no negotiation.
    const index = await get("/openapi/v3", accept);
    assert.equal(index!.status, 200, accept);
    assert.equal(index!.headers.get("content-type"), "application/json");
    assert.ok((await index!.json()).paths["api/v1"]);
    // HandleGroupVersion negotiates (its protobuf is not written here).
    const gv = await get("/openapi/v3/api/v1", accept);
    assert.equal(gv!.status, 406, accept);
    assert.equal((await gv!.json()).reason, "NotAcceptable");
  }
  const wildcard = await get("/openapi/v3/api/v1", `${V3_PROTOBUF}, */*`);
  assert.equal(wildcard!.status, 200);
  assert.equal((await wildcard!.json()).openapi, "3.0.0");
});
