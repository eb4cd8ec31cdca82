import assert from "node:assert/strict";
import { memoryBackend } from "../../backends/memory/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import { cachedStoreFactory } from "../cacher/mod.ts";
import { isStorageError, type StoreFactory } from "../mod.ts";
import { objectKey } from "../keys.ts";
import {
  encryptedStoreFactory,
  EncryptionProviders,
  guardedStoreFactory,
  isEnvelope,
  parseEncryptionConfig,
} from "./mod.ts";

const K32A = btoa("a".repeat(32));
const K32B = btoa("b".repeat(32));
const K16 = btoa("c".repeat(16));
const SECRETS = { resource: "secrets" };
const key = (name: string) =>
  objectKey({ ...SECRETS, cluster: "root", namespace: "ns", name });

function config(providers: string): EncryptionProviders {
  return new EncryptionProviders(parseEncryptionConfig(`
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
${providers}
`));
}

function secret(name: string, value = "hunter2") {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: "ns", uid: `uid-${name}` },
    data: { password: btoa(value) },
  };
}

async function stack(providers: EncryptionProviders, backend?: StoreFactory) {
  const raw = backend ??
    await memoryBackend().open({}, { dataDir: "/tmp", logger: silentLogger });
  const enc = encryptedStoreFactory(raw, providers, silentLogger);
  return { raw, enc, api: guardedStoreFactory(cachedStoreFactory(enc)) };
}

const PROVIDERS: Record<string, string> = {
  aesgcm: `      - aesgcm: {keys: [{name: k1, secret: "${K32A}"}]}`,
  "aesgcm-128": `      - aesgcm: {keys: [{name: k1, secret: "${K16}"}]}`,
  aescbc: `      - aescbc: {keys: [{name: k1, secret: "${K32A}"}]}`,
  secretbox: `      - secretbox: {keys: [{name: k1, secret: "${K32A}"}]}`,
};

for (const [name, yaml] of Object.entries(PROVIDERS)) {
  Deno.test(`${name} round-trips create, get, list, update and delete and the backend holds no plaintext`, async () => {
    const providers = config(yaml);
    const { raw, api } = await stack(providers);
    try {
      const store = api.storeFor(SECRETS);
      const created = await store.create(key("s1"), secret("s1"));
      assert.equal(created.metadata.name, "s1");
      const stored = await raw.storeFor(SECRETS).get(key("s1"));
      assert.ok(isEnvelope(stored));
      const kind = name.split("-")[0];
      assert.ok(stored.value.startsWith(`k8s:enc:${kind}:v1:k1:`));
      assert.ok(!JSON.stringify(stored).includes(btoa("hunter2")));
      assert.ok(!JSON.stringify(stored).includes("uid-s1"));
      assert.deepEqual(await store.get(key("s1")), created);
      const listed = await store.list(
        "/registry/secrets/clusters/root/ns/",
        { recursive: true },
      );
      assert.deepEqual(listed.items, [created]);
      const updated = await store.guaranteedUpdate(key("s1"), {
        tryUpdate: (cur) => ({ ...cur!, data: { password: btoa("new") } }),
      });
      assert.equal(
        (updated.data as Record<string, string>).password,
        btoa("new"),
      );
      assert.ok(
        Number(updated.metadata.resourceVersion) >
          Number(created.metadata.resourceVersion),
      );
      const same = await store.guaranteedUpdate(key("s1"), {
        tryUpdate: (cur) => cur!,
      });
      assert.equal(
        same.metadata.resourceVersion,
        updated.metadata.resourceVersion,
      );
      const deleted = await store.delete(key("s1"));
      assert.equal(deleted.metadata.name, "s1");
      assert.ok(
        providers.metrics.count("to_storage", `k8s:enc:${kind}:v1:`) >= 2,
      );
    } finally {
      await api.close();
    }
  });
}

Deno.test("a wrong key is a 500 for that object with upstream's message; the others are still served", async () => {
  const good = await stack(config(PROVIDERS.aesgcm));
  await good.api.storeFor(SECRETS).create(key("s1"), secret("s1"));
  await good.enc.storeFor({ resource: "configmaps" }).create(
    objectKey({
      resource: "configmaps",
      cluster: "root",
      namespace: "ns",
      name: "c",
    }),
    { metadata: { name: "c", namespace: "ns" } },
  );
  // The same backend, read with another key of the same name.
  const wrong = config(`      - aesgcm: {keys: [{name: k1, secret: "${K32B}"}]}
      - identity: {}`);
  const bad = await stack(wrong, good.raw);
  const store = bad.api.storeFor(SECRETS);
  await store.create(key("s2"), secret("s2"));
  for (
    const read of [
      () => store.get(key("s1")),
      () => store.get(key("s1"), { resourceVersion: "0" }),
      () =>
        store.list("/registry/secrets/clusters/root/ns/", { recursive: true }),
      () =>
        bad.enc.storeFor(SECRETS).get(key("s1")).then((o) => {
          // below the cache a read yields the placeholder the guard refuses
          throw new Error(
            o["encryption.hyperplane.dev/transform-error"] as string,
          );
        }),
    ]
  ) {
    await assert.rejects(read, (err: Error) => {
      assert.match(err.message, /cipher: message authentication failed/);
      if (isStorageError(err)) {
        // A corrupt object, named by its key (a list names every one).
        assert.equal(err.code, "CorruptObject");
        assert.equal(err.message.match(/corrupt object/g)?.length, 1);
        assert.match(
          err.message,
          /StorageError: corrupt object, Code: 7, Key: \/registry\/secrets\/clusters\/root\/ns\/s1, ResourceVersion: 0, AdditionalErrorMsg: data from the storage is not transformable revision=\d+: cipher: message authentication failed/,
        );
      }
      return true;
    });
  }
  assert.equal((await store.get(key("s2"))).metadata.name, "s2");
  await assert.rejects(
    store.guaranteedUpdate(key("s1"), { tryUpdate: (c) => c! }),
    (err: Error) => isStorageError(err, "CorruptObject"),
  );
  await assert.rejects(
    store.delete(key("s1")),
    (err: Error) => isStorageError(err, "CorruptObject"),
  );
  assert.ok(
    wrong.metrics.count("from_storage", "k8s:enc:aesgcm:v1:", false) > 0,
  );
  // The unsafe delete removes only the value that does not decrypt.
  await assert.rejects(
    store.delete(key("s2"), { expectCorrupt: true }),
    (err: Error) => isStorageError(err, "InvalidObject"),
  );
  const gone = await store.delete(key("s1"), { expectCorrupt: true });
  assert.equal(gone.metadata.name, "s1");
  assert.equal(gone.metadata.namespace, "ns");
  await assert.rejects(
    store.get(key("s1")),
    (err: Error) => isStorageError(err, "NotFound"),
  );
  const left = await store.list("/registry/secrets/clusters/root/ns/", {
    recursive: true,
  });
  assert.deepEqual(left.items.map((o) => o.metadata.name), ["s2"]);
  await bad.api.close();
});

Deno.test("a corrupted or moved ciphertext does not decrypt, and a key not in the config has no matching prefix", async () => {
  const providers = config(PROVIDERS.aesgcm);
  const { raw, enc } = await stack(providers);
  const rawStore = raw.storeFor(SECRETS);
  await enc.storeFor(SECRETS).create(key("s1"), secret("s1"));
  const stored = await rawStore.get(key("s1"));
  assert.ok(isEnvelope(stored));
  const flipped = stored.value.slice(0, -4) +
    (stored.value.slice(-4, -3) === "A" ? "B" : "A") + stored.value.slice(-3);
  const write = (name: string, value: string) =>
    rawStore.create(key(name), {
      ...stored,
      key: key(name),
      value,
      metadata: {},
    });
  await write("corrupt", flipped);
  await write("moved", stored.value); // s1's ciphertext under another key
  await write("unknown", stored.value.replace(":k1:", ":k9:"));
  const cases: [string, RegExp][] = [
    ["corrupt", /cipher: message authentication failed/],
    ["moved", /cipher: message authentication failed/],
    ["unknown", /no matching prefix found/],
  ];
  for (const [name, why] of cases) {
    await assert.rejects(
      guardedStoreFactory(enc).storeFor(SECRETS).get(key(name)),
      why,
    );
  }
  await enc.close();
});

Deno.test("key rotation: a value read with the second key is stale, and a no-op update rewrites it with the first", async () => {
  const { raw, api } = await stack(config(PROVIDERS.aesgcm));
  const created = await api.storeFor(SECRETS).create(key("s1"), secret("s1"));
  await api.close().catch(() => {});
  const rotated = config(
    `      - aesgcm: {keys: [{name: k2, secret: "${K32B}"}, {name: k1, secret: "${K32A}"}]}`,
  );
  const backend = await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
  // memory data does not outlive close: replay the stored envelope.
  void raw;
  const s2 = await stack(rotated, backend);
  const enc1 = encryptedStoreFactory(
    backend,
    config(PROVIDERS.aesgcm),
    silentLogger,
  );
  await enc1.storeFor(SECRETS).create(key("s1"), secret("s1"));
  const store = s2.api.storeFor(SECRETS);
  const before = await store.get(key("s1"));
  assert.deepEqual(before.data, created.data);
  const after = await store.guaranteedUpdate(key("s1"), {
    tryUpdate: (c) => c!,
  });
  assert.ok(
    Number(after.metadata.resourceVersion) >
      Number(before.metadata.resourceVersion),
  );
  const stored = await backend.storeFor(SECRETS).get(key("s1"));
  assert.ok(
    isEnvelope(stored) && stored.value.startsWith("k8s:enc:aesgcm:v1:k2:"),
  );
  // Now fresh: the next no-op keeps the revision.
  const again = await store.guaranteedUpdate(key("s1"), {
    tryUpdate: (c) => c!,
  });
  assert.equal(again.metadata.resourceVersion, after.metadata.resourceVersion);
  await s2.api.close();
});

Deno.test("identity first decrypts old values and a no-op update stores them in plain text again", async () => {
  const backend = await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
  const enc = encryptedStoreFactory(
    backend,
    config(PROVIDERS.secretbox),
    silentLogger,
  );
  await enc.storeFor(SECRETS).create(key("s1"), secret("s1"));
  const plain = config(`      - identity: {}
${PROVIDERS.secretbox}`);
  const store = encryptedStoreFactory(backend, plain, silentLogger).storeFor(
    SECRETS,
  );
  const got = await store.get(key("s1"));
  assert.equal(got.metadata.uid, "uid-s1");
  await store.guaranteedUpdate(key("s1"), { tryUpdate: (c) => c! });
  const stored = await backend.storeFor(SECRETS).get(key("s1"));
  assert.ok(!isEnvelope(stored));
  assert.equal(stored.metadata.uid, "uid-s1");
  // Without identity, a plain value has no matching prefix.
  const strict = encryptedStoreFactory(
    backend,
    config(PROVIDERS.aesgcm),
    silentLogger,
  );
  await assert.rejects(
    guardedStoreFactory(strict).storeFor(SECRETS).get(key("s1")),
    /Key: \/registry\/secrets\/clusters\/root\/ns\/s1, .*data from the storage is not transformable revision=\d+: no matching prefix found/,
  );
  await backend.close();
});

Deno.test("UID and resourceVersion preconditions are checked on the decrypted object with the backend's messages", async () => {
  const { api } = await stack(config(PROVIDERS.aesgcm));
  const store = api.storeFor(SECRETS);
  const created = await store.create(key("s1"), secret("s1"));
  await assert.rejects(
    store.guaranteedUpdate(key("s1"), {
      preconditions: { uid: "other" },
      tryUpdate: (c) => ({ ...c!, data: {} }),
    }),
    (err: Error) =>
      isStorageError(err, "InvalidObject") &&
      /UID in precondition: other, UID in object meta: uid-s1/.test(
        err.message,
      ),
  );
  await assert.rejects(
    store.delete(key("s1"), { preconditions: { resourceVersion: "1" } }),
    (err: Error) => isStorageError(err, "InvalidObject"),
  );
  const deleted = await store.delete(key("s1"), {
    preconditions: {
      uid: "uid-s1",
      resourceVersion: created.metadata.resourceVersion,
    },
  });
  assert.equal(deleted.metadata.uid, "uid-s1");
  await api.close();
});

Deno.test("resources no rule names are stored as they are", async () => {
  const { raw, api } = await stack(config(PROVIDERS.aesgcm));
  const cms = { resource: "configmaps" };
  const k = objectKey({ ...cms, cluster: "root", namespace: "ns", name: "c" });
  await api.storeFor(cms).create(k, {
    metadata: { name: "c" },
    data: { a: "b" },
  });
  const stored = await raw.storeFor(cms).get(k);
  assert.deepEqual(stored.data, { a: "b" });
  await api.close();
});

Deno.test("the watch cache gets its own writes without a decryption; other values are decrypted", async () => {
  const providers = config(PROVIDERS.aesgcm);
  const { raw, api } = await stack(providers);
  const store = api.storeFor(SECRETS);
  // A list of the whole resource starts the cache and waits for its fill
  // (before it, a get reads the backend).
  await store.list("/registry/secrets/", { recursive: true });
  const created = await store.create(key("s1"), secret("s1"));
  // A consistent read waits for the cache to see the write's event.
  assert.deepEqual(await store.get(key("s1")), created);
  const prefix = "k8s:enc:aesgcm:v1:";
  assert.equal(providers.metrics.count("from_storage", prefix), 0);
  // A value written by another process is decrypted.
  const other = encryptedStoreFactory(raw, providers, silentLogger);
  await other.storeFor(SECRETS).create(key("s2"), secret("s2"));
  assert.equal((await store.get(key("s2"))).metadata.uid, "uid-s2");
  assert.equal(providers.metrics.count("from_storage", prefix), 1);
  await api.close();
});
