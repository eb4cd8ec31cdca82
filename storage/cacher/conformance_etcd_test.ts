import { silentLogger } from "../../log/mod.ts";
import { etcdBackend } from "../../backends/etcd/mod.ts";
import {
  putRaw,
  skipWithoutEtcd,
  startEtcd,
} from "../../tests/support/etcd.ts";
import { runCachedConformance } from "./_conformance.ts";

Deno.test("the watch cache over the etcd backend conforms to the Store contract on a real etcd", async (t) => {
  if (skipWithoutEtcd("cacher(etcd) conformance suite")) return;
  const etcd = await startEtcd();
  try {
    await runCachedConformance(
      t,
      "etcd",
      () =>
        etcdBackend().open({
          "etcd-servers": etcd.endpoints.join(","),
          "etcd-compaction-interval": "0",
        }, { dataDir: "/tmp", logger: silentLogger }),
      (_factory, key, text) => putRaw(etcd.endpoints[0], key, text),
    );
  } finally {
    await etcd.stop();
  }
});
