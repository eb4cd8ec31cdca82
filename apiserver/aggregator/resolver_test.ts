import assert from "node:assert/strict";
import {
  createServiceResolver,
  parseServiceMapEntry,
  parseServiceMapFile,
  ServiceNotFoundError,
} from "./resolver.ts";

const ref = { namespace: "wardle", name: "api", port: 443 };

Deno.test("a static map entry names a service and an https origin", () => {
  assert.deepEqual(
    parseServiceMapEntry("wardle/api:8443=https://10.0.0.5:6443"),
    ["wardle/api:8443", "https://10.0.0.5:6443"],
  );
  assert.deepEqual(
    parseServiceMapEntry("wardle/api=https://ext.example.com"),
    ["wardle/api:443", "https://ext.example.com"],
  );
});

Deno.test("bad static map entries are one-line errors", () => {
  for (
    const [entry, why] of [
      ["wardle/api", /no '='/],
      ["api=https://x", /namespace\/name/],
      ["wardle/api:0=https://x", /1-65535/],
      ["wardle/api=http://x", /https/],
      ["wardle/api=https://x/path", /path/],
      ["wardle/api=not a url", /not a URL/],
    ] as const
  ) {
    assert.throws(() => parseServiceMapEntry(entry), why, entry);
  }
});

Deno.test("a map file allows comments and names the bad line", () => {
  const m = parseServiceMapFile(
    "# extension servers\n\nwardle/api=https://127.0.0.1:9443 # local\n",
    "map.txt",
  );
  assert.equal(m.get("wardle/api:443"), "https://127.0.0.1:9443");
  assert.throws(
    () => parseServiceMapFile("a/b=https://x\nbroken\n", "map.txt"),
    /^Error: map\.txt:2: /,
  );
});

Deno.test("the static map wins; DNS is asked for <name>.<namespace>.svc", async () => {
  const asked: string[] = [];
  const lookup = (host: string) => {
    asked.push(host);
    return Promise.resolve(
      host === "api.wardle.svc.cluster.local" ? ["10.0.0.9"] : [],
    );
  };
  const r = createServiceResolver({
    staticMap: new Map([["other/x:443", "https://127.0.0.1:1"]]),
    dnsDomain: "cluster.local",
    lookup,
  });
  assert.equal(
    (await r.resolve(ref)).href,
    "https://api.wardle.svc.cluster.local/",
  );
  assert.equal(
    (await r.resolve({ namespace: "other", name: "x", port: 443 })).href,
    "https://127.0.0.1:1/",
  );
  assert.deepEqual(asked, ["api.wardle.svc.cluster.local"]);
});

Deno.test("an unknown service is ServiceNotFound with upstream's wording", async () => {
  const r = createServiceResolver({
    sources: ["static", "dns"],
    lookup: () => Promise.resolve([]),
  });
  await assert.rejects(
    () => r.resolve({ ...ref, port: 8443 }),
    (e: unknown) =>
      e instanceof ServiceNotFoundError &&
      /^service\/api in "wardle" is not present \(no static map entry wardle\/api:8443; api\.wardle\.svc does not resolve\)$/
        .test(e.message),
  );
  const staticOnly = createServiceResolver({
    sources: ["static"],
    lookup: () => {
      throw new Error("DNS must not be asked");
    },
  });
  await assert.rejects(() => staticOnly.resolve(ref), ServiceNotFoundError);
});
