/**
 * The child process of `tests/postgres_crash_test.ts`: eight concurrent
 * writers create configmaps through the postgres store as fast as they can;
 * each prints `ack <index> <resourceVersion>` on stdout once its write
 * returned, until the process is killed.
 *
 * Usage: `deno run -A postgres_crash_writer.ts <url> <password file> <first index>`
 *
 * @module
 */

import { postgresBackend } from "../../backends/postgres/mod.ts";
import { silentLogger } from "../../log/mod.ts";

const WRITERS = 8;
const [url, passwordFile, first] = Deno.args;
const factory = await postgresBackend().open({
  "postgres-url": url,
  "postgres-password-file": passwordFile,
  "postgres-sslmode": "disable",
  "postgres-pool-size": String(WRITERS),
  "postgres-compaction-interval": "0",
}, { dataDir: "/nonexistent", logger: silentLogger });
const store = factory.storeFor({ resource: "configmaps" });
const out = new TextEncoder();
let next = Number(first);
Deno.stdout.writeSync(out.encode("ready\n"));
await Promise.all(Array.from({ length: WRITERS }, async () => {
  for (;;) {
    const i = next++;
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
    // A synchronous write to the pipe: once it returns, the line survives
    // our death.
    Deno.stdout.writeSync(
      out.encode(`ack ${i} ${created.metadata.resourceVersion}\n`),
    );
  }
}));
