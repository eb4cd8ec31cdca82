import assert from "node:assert/strict";
import { isStorageError, type StorageErrorCode } from "../errors.ts";
import type { KubeObject } from "../object.ts";
import { obj, openEnv } from "../../tests/support/log_store_env.ts";

async function rejectsWith(
  p: Promise<unknown>,
  code: StorageErrorCode,
  message?: RegExp,
): Promise<void> {
  await assert.rejects(p, (err) => {
    assert.ok(isStorageError(err), `expected a StorageError, got ${err}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

Deno.test("create stamps the new revision and never stores the resourceVersion", async () => {
  const env = openEnv();
  try {
    const created = await env.store.create(env.key("a"), obj("a"));
    assert.equal(created.metadata.resourceVersion, "2");
    const stored = await env.log.get(env.key("a"));
    assert.equal(stored?.value.includes("resourceVersion"), false);
    const got = await env.store.get(env.key("a"));
    assert.deepEqual(got, created);
    await rejectsWith(env.store.create(env.key("a"), obj("a")), "KeyExists");
    const withRV = obj("b");
    withRV.metadata.resourceVersion = "5";
    await rejectsWith(env.store.create(env.key("b"), withRV), "InvalidObject");
    await rejectsWith(
      env.store.create(env.key("c"), "nope" as unknown as KubeObject),
      "InvalidObject",
    );
  } finally {
    await env.close();
  }
});

Deno.test("keys outside the resource or malformed are rejected", async () => {
  const env = openEnv();
  try {
    await rejectsWith(
      env.store.create("/registry/other/clusters/root/ns/a", obj("a")),
      "InvalidKey",
    );
    await rejectsWith(
      env.store.get(env.prefix + "clusters/root/../x"),
      "InvalidKey",
    );
    await rejectsWith(env.store.get(env.prefix + "clusters//x"), "InvalidKey");
    await rejectsWith(env.store.get(env.nsPrefix()), "InvalidKey");
    await rejectsWith(
      env.store.list("/registry/other/", { recursive: true }),
      "InvalidKey",
    );
    await rejectsWith(
      env.store.watch("/registry/", { recursive: true }),
      "InvalidKey",
    );
    await rejectsWith(env.store.delete("relative/key"), "InvalidKey");
  } finally {
    await env.close();
  }
});

Deno.test("get honours resourceVersion and reports typed errors", async () => {
  const env = openEnv();
  try {
    await env.store.create(env.key("a"), obj("a"));
    assert.equal(
      (await env.store.get(env.key("a"), { resourceVersion: "0" }))
        .metadata.resourceVersion,
      "2",
    );
    assert.equal(
      (await env.store.get(env.key("a"), { resourceVersion: "2" }))
        .metadata.resourceVersion,
      "2",
    );
    await rejectsWith(
      env.store.get(env.key("a"), { resourceVersion: "3" }),
      "TooLargeResourceVersion",
    );
    await rejectsWith(
      env.store.get(env.key("a"), { resourceVersion: "abc" }),
      "InvalidArgument",
    );
    await rejectsWith(env.store.get(env.key("missing")), "NotFound");
  } finally {
    await env.close();
  }
});

Deno.test("guaranteedUpdate writes a changed object and skips a no-op", async () => {
  const env = openEnv();
  try {
    await env.store.create(env.key("a"), obj("a"));
    const updated = await env.store.guaranteedUpdate(env.key("a"), {
      tryUpdate: (cur) => ({ ...cur!, spec: { n: 1 } }),
    });
    assert.equal(updated.metadata.resourceVersion, "3");
    assert.deepEqual(updated.spec, { n: 1 });
    const same = await env.store.guaranteedUpdate(env.key("a"), {
      tryUpdate: (cur) => cur!,
    });
    assert.equal(
      same.metadata.resourceVersion,
      "3",
      "a no-op keeps the revision",
    );
    assert.equal(await env.store.currentRevision(), 3);
  } finally {
    await env.close();
  }
});

Deno.test("guaranteedUpdate checks preconditions with upstream's messages", async () => {
  const env = openEnv();
  try {
    await env.store.create(env.key("a"), obj("a", { uid: "u1" }));
    await rejectsWith(
      env.store.guaranteedUpdate(env.key("a"), {
        preconditions: { uid: "u2" },
        tryUpdate: (c) => c!,
      }),
      "InvalidObject",
      /Precondition failed: UID in precondition: u2, UID in object meta: u1/,
    );
    await rejectsWith(
      env.store.guaranteedUpdate(env.key("a"), {
        preconditions: { resourceVersion: "9" },
        tryUpdate: (c) => c!,
      }),
      "InvalidObject",
      /ResourceVersion in precondition: 9, ResourceVersion in object meta: 2/,
    );
    const ok = await env.store.guaranteedUpdate(env.key("a"), {
      preconditions: { uid: "u1", resourceVersion: "2" },
      tryUpdate: (c) => ({ ...c!, spec: { ok: true } }),
    });
    assert.equal(ok.metadata.resourceVersion, "3");
  } finally {
    await env.close();
  }
});

Deno.test("guaranteedUpdate of a missing key is NotFound unless ignoreNotFound creates it", async () => {
  const env = openEnv();
  try {
    await rejectsWith(
      env.store.guaranteedUpdate(env.key("a"), { tryUpdate: (c) => c! }),
      "NotFound",
    );
    let seen: KubeObject | null | undefined;
    const created = await env.store.guaranteedUpdate(env.key("a"), {
      ignoreNotFound: true,
      tryUpdate: (cur) => {
        seen = cur;
        return obj("a");
      },
    });
    assert.equal(seen, null);
    assert.equal(created.metadata.resourceVersion, "2");
  } finally {
    await env.close();
  }
});

Deno.test("guaranteedUpdate retries with fresh data after losing a race", async () => {
  const env = openEnv();
  try {
    await env.store.create(env.key("a"), obj("a", { spec: { n: 0 } }));
    let calls = 0;
    const res = await env.store.guaranteedUpdate(env.key("a"), {
      tryUpdate: async (cur) => {
        calls++;
        if (calls === 1) {
          // Someone else writes between our read and our write.
          await env.store.guaranteedUpdate(env.key("a"), {
            tryUpdate: (c) => ({ ...c!, spec: { n: 10 } }),
          });
        }
        const n = (cur!.spec as { n: number }).n;
        return { ...cur!, spec: { n: n + 1 } };
      },
    });
    assert.equal(calls, 2);
    assert.deepEqual(res.spec, { n: 11 });
    assert.equal(res.metadata.resourceVersion, "4");
  } finally {
    await env.close();
  }
});

Deno.test("guaranteedUpdate re-reads when a stale cached object makes the update look like a no-op", async () => {
  const env = openEnv();
  try {
    const v1 = await env.store.create(
      env.key("a"),
      obj("a", { spec: { n: 1 } }),
    );
    await env.store.guaranteedUpdate(env.key("a"), {
      tryUpdate: (c) => ({ ...c!, spec: { n: 2 } }),
    });
    // Set n to 1: a no-op against the stale cache, a real change on fresh data.
    const res = await env.store.guaranteedUpdate(env.key("a"), {
      cachedExisting: v1,
      tryUpdate: (c) => ({ ...c!, spec: { n: 1 } }),
    });
    assert.deepEqual(res.spec, { n: 1 });
    assert.equal(res.metadata.resourceVersion, "4");
  } finally {
    await env.close();
  }
});

Deno.test("guaranteedUpdate retries a precondition or tryUpdate failure on stale cached data", async () => {
  const env = openEnv();
  try {
    const v1 = await env.store.create(env.key("a"), obj("a"));
    const v2 = await env.store.guaranteedUpdate(env.key("a"), {
      tryUpdate: (c) => ({ ...c!, spec: { n: 2 } }),
    });
    const res = await env.store.guaranteedUpdate(env.key("a"), {
      cachedExisting: v1,
      preconditions: { resourceVersion: v2.metadata.resourceVersion },
      tryUpdate: (c) => {
        if (c!.metadata.resourceVersion !== "3") throw new Error("stale");
        return { ...c!, spec: { n: 3 } };
      },
    });
    assert.deepEqual(res.spec, { n: 3 });
    const thrown = new Error("refused");
    await assert.rejects(
      env.store.guaranteedUpdate(env.key("a"), {
        tryUpdate: () => {
          throw thrown;
        },
      }),
      (err) => err === thrown,
    );
  } finally {
    await env.close();
  }
});

Deno.test("delete returns the last state at the delete's revision", async () => {
  const env = openEnv();
  try {
    await env.store.create(env.key("a"), obj("a", { uid: "u1" }));
    await rejectsWith(
      env.store.delete(env.key("a"), { preconditions: { uid: "nope" } }),
      "InvalidObject",
      /UID in precondition: nope/,
    );
    await assert.rejects(
      env.store.delete(env.key("a"), {
        validateDeletion: () => {
          throw new Error("not allowed");
        },
      }),
      /not allowed/,
    );
    const gone = await env.store.delete(env.key("a"));
    assert.equal(gone.metadata.resourceVersion, "3");
    assert.equal(gone.metadata.uid, "u1");
    await rejectsWith(env.store.get(env.key("a")), "NotFound");
    await rejectsWith(env.store.delete(env.key("a")), "NotFound");
  } finally {
    await env.close();
  }
});

Deno.test("delete with a stale cached object validates again on fresh data", async () => {
  const env = openEnv();
  try {
    const v1 = await env.store.create(env.key("a"), obj("a"));
    await env.store.guaranteedUpdate(env.key("a"), {
      tryUpdate: (c) => ({ ...c!, spec: { n: 2 } }),
    });
    const validated: string[] = [];
    const gone = await env.store.delete(env.key("a"), {
      cachedExisting: v1,
      validateDeletion: (cur) => {
        validated.push(cur.metadata.resourceVersion!);
      },
    });
    assert.deepEqual(validated, ["2", "3"]);
    assert.deepEqual(gone.spec, { n: 2 });
    assert.equal(gone.metadata.resourceVersion, "4");
  } finally {
    await env.close();
  }
});

Deno.test("stats count the resource's objects in every cluster", async () => {
  const env = openEnv();
  try {
    await env.store.create(env.key("a"), obj("a"));
    await env.store.create(env.key("b", "other"), obj("b"));
    const other = env.factory.storeFor({ resource: "configmaps" });
    await other.create("/registry/configmaps/clusters/root/ns/x", obj("x"));
    const stats = await env.store.stats();
    assert.equal(stats.objectCount, 2);
    assert.ok((stats.estimatedSizeBytes ?? 0) > 0);
    assert.equal(
      env.factory.storeFor({ group: "example.com", resource: "things" }),
      env.store,
      "storeFor returns the same instance per resource",
    );
  } finally {
    await env.close();
  }
});

Deno.test("compaction makes old revisions expire for every store of the factory", async () => {
  const env = openEnv();
  try {
    await env.store.create(env.key("a"), obj("a"));
    await env.store.create(env.key("b"), obj("b"));
    await env.factory.compact(3);
    await rejectsWith(
      env.store.list(env.nsPrefix(), {
        recursive: true,
        resourceVersion: "2",
        resourceVersionMatch: "Exact",
      }),
      "Expired",
    );
    await env.store.readiness();
    assert.equal(await env.store.currentRevision(), 3);
  } finally {
    await env.close();
  }
});

Deno.test("a latest get through the log's synchronous read rejects bad keys and reads at a revision the slow way", async () => {
  const env = openEnv();
  try {
    const created = await env.store.create(env.key("a"), obj("a"));
    for (
      const bad of [
        `${env.nsPrefix()}`,
        `${env.nsPrefix()}a/`,
        `${env.nsPrefix()}x/../a`,
        `${env.nsPrefix()}a\u0000`,
        "/registry/other/clusters/root/ns/a",
      ]
    ) {
      await rejectsWith(env.store.get(bad), "InvalidKey");
      await rejectsWith(
        env.store.get(bad, { resourceVersion: "0" }),
        "InvalidKey",
      );
    }
    await rejectsWith(env.store.get(env.key("missing")), "NotFound");
    await rejectsWith(
      env.store.get(env.key("a"), { resourceVersion: "x" }),
      "InvalidArgument",
    );
    assert.deepEqual(
      await env.store.get(env.key("a"), { resourceVersion: "0" }),
      created,
    );
    assert.deepEqual(
      await env.store.get(env.key("a"), {
        resourceVersion: created.metadata.resourceVersion,
      }),
      created,
    );
    await rejectsWith(
      env.store.get(env.key("a"), { resourceVersion: "99" }),
      "TooLargeResourceVersion",
    );
    // Callers own what they get.
    const mine = await env.store.get(env.key("a"));
    mine.metadata.name = "changed";
    assert.equal((await env.store.get(env.key("a"))).metadata.name, "a");
  } finally {
    await env.close();
  }
});
