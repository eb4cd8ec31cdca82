import { silentLogger } from "../../log/mod.ts";
import { runConformanceSuite } from "../../storage/testing/mod.ts";
import {
  putRaw,
  skipWithoutEtcd,
  startEtcd,
} from "../../tests/support/etcd.ts";
import { etcdBackend } from "./mod.ts";

Deno.test("the etcd backend conforms to the Store contract on a real one-member etcd", async (t) => {
  if (skipWithoutEtcd("etcd conformance suite")) return;
  const etcd = await startEtcd();
  try {
    await runConformanceSuite(t, {
      name: "etcd",
      open: () =>
        etcdBackend().open({
          "etcd-servers": etcd.endpoints.join(","),
          "etcd-compaction-interval": "0",
        }, { dataDir: "/tmp", logger: silentLogger }),
      // A plain put below the store (the corrupt-object cases).
      writeRaw: (_factory, key, text) => putRaw(etcd.endpoints[0], key, text),
    });
  } finally {
    await etcd.stop();
  }
});
