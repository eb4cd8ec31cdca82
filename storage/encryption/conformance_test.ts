import { memoryBackend } from "../../backends/memory/mod.ts";
import { sqliteBackend } from "../../backends/sqlite/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import { cachedStoreFactory } from "../cacher/mod.ts";
import { runConformanceSuite } from "../testing/mod.ts";
import { parseEncryptionConfig } from "./config.ts";
import {
  encryptedStoreFactory,
  EncryptionProviders,
  guardedStoreFactory,
} from "./mod.ts";

const KEY = "c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/IDMyIGI="; // 32 bytes

const providers = new EncryptionProviders(parseEncryptionConfig(`
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: ["*.*"]
    providers:
      - aesgcm: {keys: [{name: key1, secret: "${KEY}"}]}
      - identity: {}
`));

const open = () =>
  memoryBackend().open({}, { dataDir: "/tmp", logger: silentLogger });

Deno.test("aesgcm encryption over the memory backend conforms to the Store contract", async (t) => {
  await runConformanceSuite(t, {
    name: "encryption(memory)",
    open: async () =>
      encryptedStoreFactory(await open(), providers, silentLogger),
  });
});

Deno.test("the watch cache over aesgcm encryption over memory conforms to the Store contract", async (t) => {
  await runConformanceSuite(t, {
    name: "guard(cacher(encryption(memory)))",
    open: async () =>
      guardedStoreFactory(
        cachedStoreFactory(
          encryptedStoreFactory(await open(), providers, silentLogger),
        ),
      ),
  });
});

Deno.test("the watch cache over secretbox encryption over sqlite conforms to the Store contract", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "hyperplane-enc-conf-" });
  const secretbox = new EncryptionProviders(parseEncryptionConfig(`
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: ["*.*"]
    providers: [{secretbox: {keys: [{name: k, secret: "${KEY}"}]}}]
`));
  let n = 0;
  try {
    await runConformanceSuite(t, {
      name: "guard(cacher(encryption(sqlite)))",
      open: async () =>
        guardedStoreFactory(
          cachedStoreFactory(
            encryptedStoreFactory(
              await sqliteBackend().open({}, {
                dataDir: `${root}/${n++}`,
                logger: silentLogger,
              }),
              secretbox,
              silentLogger,
            ),
          ),
        ),
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
