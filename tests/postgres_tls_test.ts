/**
 * The postgres backend's TLS and authentication flags against a real
 * PostgreSQL serving TLS with a certificate from a test CA: every sslmode
 * connects as libpq's would, verification failures and a wrong password are
 * clear `Unavailable`/`Internal` errors naming the endpoint.
 */
import assert from "node:assert/strict";
import { postgresBackend } from "../backends/postgres/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { isStorageError, type StoreFactory } from "../storage/mod.ts";
import { startPostgres } from "./support/postgres.ts";

Deno.test("the postgres backend over TLS", async (t) => {
  const pg = await startPostgres({ tls: true });
  if (!pg) return;
  const open = (flags: Record<string, string>): Promise<StoreFactory> =>
    postgresBackend().open({
      "postgres-url": pg.url,
      "postgres-password-file": pg.passwordFile,
      "postgres-compaction-interval": "0",
      ...flags,
    }, { dataDir: "/nonexistent", logger: silentLogger });
  const roundTrip = async (f: StoreFactory, name: string) => {
    try {
      const store = f.storeFor({ resource: "configmaps" });
      const key = `/registry/configmaps/clusters/root/tls/${name}`;
      const created = await store.create(key, { metadata: { name } });
      assert.deepEqual(await store.get(key), created);
    } finally {
      await f.close();
    }
  };
  try {
    for (const mode of ["prefer", "require"]) {
      await t.step(`sslmode=${mode} connects`, async () => {
        await roundTrip(await open({ "postgres-sslmode": mode }), mode);
      });
    }
    for (const mode of ["verify-ca", "verify-full"]) {
      await t.step(`sslmode=${mode} with the CA connects`, async () => {
        await roundTrip(
          await open({
            "postgres-sslmode": mode,
            "postgres-ca-file": pg.caFile!,
          }),
          mode,
        );
      });
    }
    await t.step(
      "sslmode=verify-full without the CA is refused clearly",
      async () => {
        const err = await open({ "postgres-sslmode": "verify-full" })
          .then((f) => f.close(), (e) => e);
        assert.ok(isStorageError(err, "Unavailable"), String(err));
        assert.match(
          err.message,
          /postgres: 127\.0\.0\.1:\d+\/postgres is not reachable \(opening: .*certificate/,
        );
      },
    );
    await t.step("a wrong password is refused clearly", async () => {
      const dir = await Deno.makeTempDir();
      try {
        await Deno.writeTextFile(`${dir}/pw`, "wrong\n");
        const err = await open({
          "postgres-sslmode": "require",
          "postgres-password-file": `${dir}/pw`,
        }).then((f) => f.close(), (e) => e);
        assert.ok(isStorageError(err), String(err));
        assert.match(
          err.message,
          /postgres: 127\.0\.0\.1:\d+\/postgres: opening failed: password authentication failed for user "hyperplane" \(SQLSTATE 28P01\)/,
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  } finally {
    await pg.stop();
  }
});
