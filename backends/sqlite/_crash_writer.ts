/**
 * The child process of `crash_test.ts`: writes configmaps through the sqlite
 * store as fast as it can and prints `ack <index> <resourceVersion>` on
 * stdout after each write returns, until it is killed.
 *
 * Usage: `deno run -A _crash_writer.ts <db path> <first index>`
 *
 * @module
 */

import { openSqliteStoreFactory } from "./sqlite_store_factory.ts";

const [path, first] = Deno.args;
const factory = openSqliteStoreFactory({ path });
const store = factory.storeFor({ resource: "configmaps" });
const out = new TextEncoder();
Deno.stdout.writeSync(out.encode("ready\n"));
for (let i = Number(first);; i++) {
  const name = `obj-${i}`;
  const created = await store.create(
    `/registry/configmaps/clusters/root/default/${name}`,
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: "default" },
      data: { i: String(i), pad: "p".repeat(i % 500) },
    },
  );
  // A synchronous write to the pipe: once it returns, the line survives our
  // death.
  Deno.stdout.writeSync(
    out.encode(`ack ${i} ${created.metadata.resourceVersion}\n`),
  );
}
