import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
  type TestServer,
} from "../../tests/support/apiserver_harness.ts";
import { memoryBackend } from "../../backends/memory/mod.ts";
import { cachedStoreFactory } from "../../storage/cacher/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import type { StoreFactory } from "../../storage/mod.ts";
import { CLUSTER_ANNOTATION } from "../routing/wildcard.ts";

const ALL = "/clusters/*/api/v1/configmaps";
const cm = (cluster: string) =>
  `/clusters/${cluster}/api/v1/namespaces/default/configmaps`;

interface Item {
  metadata: {
    name: string;
    uid: string;
    annotations?: Record<string, string>;
  };
}

const seen = (items: Item[]) =>
  items.map((i) =>
    `${i.metadata.annotations?.[CLUSTER_ANNOTATION]}/${i.metadata.name}`
  );

/** Every page of `path` with `limit`, following continue tokens. */
async function pages(s: TestServer, path: string, limit: number) {
  const out: {
    items: Item[];
    rv: string;
    continue?: string;
    remaining?: number;
  }[] = [];
  let token = "";
  do {
    const sep = path.includes("?") ? "&" : "?";
    const r = await s.request(
      "GET",
      `${path}${sep}limit=${limit}${
        token ? `&continue=${encodeURIComponent(token)}` : ""
      }`,
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    out.push({
      items: r.body.items,
      rv: r.body.metadata.resourceVersion,
      continue: r.body.metadata.continue,
      remaining: r.body.metadata.remainingItemCount,
    });
    token = r.body.metadata.continue ?? "";
  } while (token);
  return out;
}

/** The same cases with and without the watch cache (keys found differently). */
function withAndWithoutCache(
  name: string,
  fn: (s: TestServer, storage: StoreFactory) => Promise<void>,
) {
  for (const cached of [false, true]) {
    Deno.test(`${name} (${cached ? "watch cache" : "no cache"})`, async () => {
      const backend = await memoryBackend().open({}, {
        dataDir: "/tmp",
        logger: silentLogger,
      });
      const storage = cached ? cachedStoreFactory(backend) : backend;
      const s = await startTestServer({ storage });
      try {
        await fn(s, storage);
      } finally {
        await s.close();
        await storage.close();
      }
    });
  }
}

async function create(s: TestServer, cluster: string, name: string) {
  const r = await s.request("POST", cm(cluster), { body: configMap(name) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

withAndWithoutCache(
  "a list across clusters honours limit and continues across clusters at the first page's revision",
  async (s) => {
    const want: string[] = [];
    for (const c of ["a", "b", "c"]) {
      for (let i = 0; i < 4; i++) {
        await create(s, c, `cm-${i}`);
        want.push(`${c}/cm-${i}`);
      }
    }
    const ps = await pages(s, ALL, 5);
    assert.deepEqual(ps.map((p) => p.items.length), [5, 5, 2]);
    assert.deepEqual(ps.flatMap((p) => seen(p.items)), want);
    assert.ok(ps.every((p) => p.rv === ps[0].rv), "one revision for all pages");
    assert.equal(ps[0].remaining, 7);
    assert.equal(ps.at(-1)!.continue, undefined);
  },
);

withAndWithoutCache(
  "later pages read the first page's revision: writes after it are not seen",
  async (s) => {
    for (const c of ["a", "b"]) {
      for (let i = 0; i < 3; i++) await create(s, c, `cm-${i}`);
    }
    const first = await s.request("GET", `${ALL}?limit=2`);
    assert.equal(first.status, 200);
    assert.deepEqual(seen(first.body.items), ["a/cm-0", "a/cm-1"]);
    // Changes after the first page: a new object in each cluster, one deleted.
    await create(s, "a", "cm-9");
    await create(s, "b", "cm-9");
    await s.request("DELETE", `${cm("b")}/cm-1`);
    const rest = await s.request(
      "GET",
      `${ALL}?limit=10&continue=${
        encodeURIComponent(first.body.metadata.continue)
      }`,
    );
    assert.equal(rest.status, 200, JSON.stringify(rest.body));
    assert.equal(
      rest.body.metadata.resourceVersion,
      first.body.metadata.resourceVersion,
    );
    assert.deepEqual(seen(rest.body.items), [
      "a/cm-2",
      "b/cm-0",
      "b/cm-1",
      "b/cm-2",
    ]);
  },
);

withAndWithoutCache(
  "the same name in several clusters gets each its own cluster",
  async (s) => {
    for (const c of ["a", "b", "c"]) await create(s, c, "same");
    const ps = await pages(s, ALL, 2);
    assert.deepEqual(ps.flatMap((p) => seen(p.items)), [
      "a/same",
      "b/same",
      "c/same",
    ]);
  },
);

withAndWithoutCache(
  "resourceVersion and resourceVersionMatch apply across clusters",
  async (s) => {
    await create(s, "a", "one");
    const at = await s.request("GET", `${ALL}`);
    const rv = at.body.metadata.resourceVersion;
    await create(s, "b", "two");
    const exact = await s.request(
      "GET",
      `${ALL}?resourceVersion=${rv}&resourceVersionMatch=Exact`,
    );
    assert.equal(exact.status, 200, JSON.stringify(exact.body));
    assert.equal(exact.body.metadata.resourceVersion, rv);
    assert.deepEqual(seen(exact.body.items), ["a/one"]);
    // With a limit, resourceVersion=N is exactly N too.
    const paged = await s.request(
      "GET",
      `${ALL}?resourceVersion=${rv}&limit=1`,
    );
    assert.deepEqual(seen(paged.body.items), ["a/one"]);
    const latest = await s.request("GET", `${ALL}?limit=1`);
    assert.ok(Number(latest.body.metadata.resourceVersion) > Number(rv));
    const tooLarge = await s.request(
      "GET",
      `${ALL}?resourceVersion=${Number(rv) + 1000}&resourceVersionMatch=Exact`,
    );
    assert.equal(tooLarge.status, 504, JSON.stringify(tooLarge.body));
  },
);

withAndWithoutCache(
  "a continue token of a compacted revision is 410 Expired",
  async (s, storage) => {
    for (const c of ["a", "b"]) {
      for (let i = 0; i < 2; i++) await create(s, c, `cm-${i}`);
    }
    const first = await s.request("GET", `${ALL}?limit=1`);
    assert.equal(first.status, 200);
    await create(s, "c", "later");
    const now = await s.request("GET", ALL);
    await storage.compact(Number(now.body.metadata.resourceVersion));
    const next = await s.request(
      "GET",
      `${ALL}?limit=1&continue=${
        encodeURIComponent(first.body.metadata.continue)
      }`,
    );
    assert.equal(next.status, 410, JSON.stringify(next.body));
    assert.equal(next.body.reason, "Expired");
  },
);

withAndWithoutCache(
  "a malformed continue token is 400",
  async (s) => {
    await create(s, "a", "x");
    const r = await s.request("GET", `${ALL}?limit=1&continue=not-a-token`);
    assert.equal(r.status, 400, JSON.stringify(r.body));
  },
);

withAndWithoutCache(
  "an object deleted since the first page at a cluster boundary makes the page 410 Expired",
  async (s) => {
    await create(s, "a", "x0");
    await create(s, "a", "x1");
    await create(s, "b", "y0");
    const first = await s.request("GET", `${ALL}?limit=1`);
    assert.deepEqual(seen(first.body.items), ["a/x0"]);
    // Between a's last object and b's first, another cluster might exist.
    await s.request("DELETE", `${cm("a")}/x1`);
    const next = await s.request(
      "GET",
      `${ALL}?limit=5&continue=${
        encodeURIComponent(first.body.metadata.continue)
      }`,
    );
    assert.equal(next.status, 410, JSON.stringify(next.body));
    assert.equal(next.body.reason, "Expired");
  },
);
