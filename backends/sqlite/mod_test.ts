import assert from "node:assert/strict";
import { silentLogger } from "../../log/mod.ts";
import { isStorageError } from "../../storage/mod.ts";
import { Backends } from "../../registry/mod.ts";
import { sqliteBackend, SqliteStoreFactory } from "./mod.ts";
import { tempDir } from "../../tests/support/sqlite_log_fixtures.ts";

const ctx = (dataDir: string) => ({ dataDir, logger: silentLogger });

Deno.test("the sqlite backend owns exactly the --sqlite-path and --sqlite-compaction-interval flags", () => {
  const backend = sqliteBackend();
  new Backends().register(backend);
  assert.equal(backend.name, "sqlite");
  assert.deepEqual(backend.flags.map((f) => [f.name, f.default]), [
    ["sqlite-path", undefined],
    ["sqlite-compaction-interval", "5m"],
  ]);
  assert.match(backend.flags[0].description, /<data-dir>\/state\.db/);
});

Deno.test("sqlite flag validation accepts defaults and durations", async () => {
  await using dir = await tempDir();
  const backend = sqliteBackend();
  assert.deepEqual(backend.validate({}, ctx(`${dir.path}/not/yet/there`)), []);
  for (const d of ["0", "30s", "5m", "1h", "1h30m"]) {
    assert.deepEqual(
      backend.validate({ "sqlite-compaction-interval": d }, ctx(dir.path)),
      [],
      d,
    );
  }
});

Deno.test("sqlite flag validation reports every problem at once", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/file`, "");
  const problems = sqliteBackend().validate({
    "sqlite-path": `${dir.path}/file/sub/state.db`,
    "sqlite-compaction-interval": "five minutes",
  }, ctx(dir.path));
  assert.equal(problems.length, 2, problems.join("\n"));
  assert.match(
    problems[0],
    /--sqlite-path .*: cannot create its directory: .*file is not a directory/,
  );
  assert.match(
    problems[1],
    /--sqlite-compaction-interval "five minutes" is not a duration/,
  );
  const isDir = sqliteBackend().validate(
    { "sqlite-path": dir.path },
    ctx(dir.path),
  );
  assert.match(isDir[0], /exists and is not a file/);
});

Deno.test("opening the sqlite backend creates the directory and the database file", async () => {
  await using dir = await tempDir();
  const dataDir = `${dir.path}/a/b`;
  const factory = await sqliteBackend().open({}, ctx(dataDir));
  try {
    assert.ok(factory instanceof SqliteStoreFactory);
    await factory.readiness();
    assert.ok((await Deno.stat(`${dataDir}/state.db`)).isFile);
    const store = factory.storeFor({ resource: "configmaps" });
    const obj = await store.create(
      "/registry/configmaps/clusters/root/default/a",
      { metadata: { name: "a", namespace: "default" } },
    );
    assert.equal(obj.metadata.resourceVersion, "2");
    await assert.rejects(
      sqliteBackend().open({}, ctx(dataDir)),
      (err) => isStorageError(err, "Unavailable") && /locked/.test(err.message),
    );
  } finally {
    await factory.close();
  }
  await assert.rejects(
    sqliteBackend().open({ "sqlite-compaction-interval": "x" }, ctx(dataDir)),
    (err) => isStorageError(err, "InvalidArgument"),
  );
});
