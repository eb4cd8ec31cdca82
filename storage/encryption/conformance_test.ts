import { MemoryLog } from "../../backends/memory/mod.ts";
import {
  sqliteBackend,
  SqliteStoreFactory,
} from "../../backends/sqlite/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import { cachedStoreFactory } from "../cacher/mod.ts";
import type { Log } from "../log/mod.ts";
import { LogStoreFactory } from "../log/mod.ts";
import type { StoreFactory } from "../store.ts";
import { runConformanceSuite, writeRawToLog } from "../testing/mod.ts";
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

/**
 * The backend log under each outermost factory: the corrupt-object cases
 * write raw values there, below the encryption (a value that is neither a
 * known envelope nor an object).
 */
const logs = new WeakMap<StoreFactory, Log>();
const writeRaw = (factory: StoreFactory, key: string, text: string) =>
  writeRawToLog(logs.get(factory)!, key, text);

/** `wrap(backend)`, remembering the backend's log for `writeRaw`. */
function keepLog(
  log: Log,
  backend: StoreFactory,
  wrap: (f: StoreFactory) => StoreFactory,
): StoreFactory {
  const outer = wrap(backend);
  logs.set(outer, log);
  return outer;
}

/** What memoryBackend().open builds, keeping its log. */
const open = (wrap: (f: StoreFactory) => StoreFactory) => {
  const log = new MemoryLog({ logger: silentLogger });
  return Promise.resolve(keepLog(log, new LogStoreFactory(log), wrap));
};

Deno.test("aesgcm encryption over the memory backend conforms to the Store contract", async (t) => {
  await runConformanceSuite(t, {
    name: "encryption(memory)",
    open: () => open((f) => encryptedStoreFactory(f, providers, silentLogger)),
    writeRaw,
  });
});

Deno.test("the watch cache over aesgcm encryption over memory conforms to the Store contract", async (t) => {
  await runConformanceSuite(t, {
    name: "guard(cacher(encryption(memory)))",
    open: () =>
      open((f) =>
        guardedStoreFactory(
          cachedStoreFactory(
            encryptedStoreFactory(f, providers, silentLogger),
          ),
        )
      ),
    writeRaw,
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
      open: async () => {
        const backend = await sqliteBackend().open({}, {
          dataDir: `${root}/${n++}`,
          logger: silentLogger,
        });
        if (!(backend instanceof SqliteStoreFactory)) {
          throw new Error("not a sqlite factory");
        }
        return keepLog(backend.log, backend, (f) =>
          guardedStoreFactory(
            cachedStoreFactory(
              encryptedStoreFactory(f, secretbox, silentLogger),
            ),
          ));
      },
      writeRaw,
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
