import assert from "node:assert/strict";
import { MemoryLog } from "../../backends/memory/mod.ts";
import { isStorageError, type KubeObject } from "../../storage/mod.ts";
import { LogStoreFactory } from "../../storage/log/mod.ts";
import { finalizeAndDelete } from "./finalize.ts";

const F = "example.com/cleanup";

async function open(finalizers: string[], deleting = true) {
  const factory = new LogStoreFactory(new MemoryLog());
  const store = factory.storeFor({ group: "example.com", resource: "things" });
  const key = "/registry/example.com/things/clusters/root/a";
  const obj: KubeObject = {
    apiVersion: "example.com/v1",
    kind: "Thing",
    metadata: {
      name: "a",
      uid: "u1",
      finalizers,
      ...(deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
    },
  };
  await store.create(key, obj);
  const exists = async () => {
    try {
      await store.get(key);
      return true;
    } catch (e) {
      if (isStorageError(e, "NotFound")) return false;
      throw e;
    }
  };
  return { factory, store, key, exists };
}

Deno.test("the last finalizer goes with the change in one write, then the object", async () => {
  const { factory, store, key, exists } = await open([F]);
  const seen: (string[] | undefined)[] = [];
  try {
    assert.equal(
      await finalizeAndDelete(store, key, {
        finalizer: F,
        uid: "u1",
        change: (cur) => {
          seen.push(cur.metadata.finalizers);
          return { ...structuredClone(cur), status: { done: true } };
        },
      }),
      true,
    );
    assert.deepEqual(seen, [[F]]);
    assert.equal(await exists(), false);
  } finally {
    await factory.close();
  }
});

Deno.test("another finalizer keeps the object; one not being deleted is kept", async () => {
  for (
    const [finalizers, deleting] of [[[F, "other"], true], [
      [F],
      false,
    ]] as const
  ) {
    const { factory, store, key, exists } = await open(
      [...finalizers],
      deleting,
    );
    try {
      assert.equal(await finalizeAndDelete(store, key, { finalizer: F }), true);
      assert.equal(await exists(), true);
      const left = await store.get(key);
      assert.deepEqual(
        left.metadata.finalizers,
        finalizers.length > 1 ? ["other"] : undefined,
      );
    } finally {
      await factory.close();
    }
  }
});

Deno.test("a concurrent write between the update and the delete is read again; a replaced object is left alone", async () => {
  const { factory, store, key, exists } = await open([F]);
  try {
    let raced = false;
    const racing = new Proxy(store, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (prop !== "delete" || raced) {
          return typeof v === "function" ? v.bind(target) : v;
        }
        return async (k: string, o: Parameters<typeof store.delete>[1]) => {
          raced = true;
          await target.guaranteedUpdate(k, {
            tryUpdate: (cur) => ({
              ...structuredClone(cur!),
              status: { x: 1 },
            }),
          });
          return await target.delete(k, o);
        };
      },
    });
    assert.equal(await finalizeAndDelete(racing, key, { finalizer: F }), true);
    assert.equal(raced, true);
    assert.equal(await exists(), false);
    await store.create(key, {
      metadata: { name: "a", uid: "u2", finalizers: [F] },
    });
    assert.equal(
      await finalizeAndDelete(store, key, { finalizer: F, uid: "u1" }),
      false,
    );
    assert.deepEqual((await store.get(key)).metadata.finalizers, [F]);
  } finally {
    await factory.close();
  }
});
