import assert from "node:assert/strict";
import {
  postgresTestConfig,
  startPostgres,
} from "../../tests/support/postgres.ts";
import { textArray } from "./_client.ts";
import { openPostgresLog } from "./mod.ts";

Deno.test("textArray quotes every element, escapes quotes and backslashes, and writes null as NULL", () => {
  assert.equal(textArray([]), "{}");
  assert.equal(textArray(["a", null, ""]), `{"a",NULL,""}`);
  assert.equal(
    textArray([`{"k":"v\\n"}`, "NULL", "a,b"]),
    String.raw`{"{\"k\":\"v\\n\"}","NULL","a,b"}`,
  );
});

Deno.test("batched writes keep values with quotes, backslashes, braces, commas and non-ASCII exactly", async () => {
  const pg = await startPostgres();
  if (!pg) return;
  const log = await openPostgresLog(postgresTestConfig(pg));
  try {
    const values = [
      JSON.stringify({ s: 'quote " and backslash \\ and \\" both' }),
      JSON.stringify({ s: "{braces}, commas, NULL, 'single'" }),
      JSON.stringify({ s: "tab\t newline\n ünïcödé 🚀 \u2028" }),
      JSON.stringify({ s: "\\\\\\" }),
    ];
    const key = (i: number) =>
      `/registry/configmaps/clusters/root/default/v${i}`;
    // Concurrent writes go out as one batch: the array-typed statement.
    const revs = await Promise.all(
      values.map((v, i) => log.create(key(i), v)),
    );
    await Promise.all(
      values.map((v, i) => log.update(key(i), v + " ", revs[i])),
    );
    for (const [i, v] of values.entries()) {
      assert.equal((await log.get(key(i)))?.value, v + " ");
      assert.equal((await log.get(key(i), revs[i]))?.value, v);
    }
  } finally {
    await log.close();
    await pg.stop();
  }
});
