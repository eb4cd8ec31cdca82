import assert from "node:assert/strict";
import type { LogEvent } from "../../storage/log/log.ts";
import {
  postgresTestConfig,
  startPostgres,
} from "../../tests/support/postgres.ts";
import { openPostgresLog } from "./mod.ts";

Deno.test("a deletePrefix on one replica reaches another replica's subscribers as one delete per key, with last values", async () => {
  const pg = await startPostgres();
  if (!pg) return;
  const config = postgresTestConfig(pg);
  const a = await openPostgresLog(config);
  const b = await openPostgresLog(config);
  try {
    const prefix = "/registry/configmaps/clusters/gone/";
    const key = (n: number) => `${prefix}default/cm-${n}`;
    const sibling = "/registry/configmaps/clusters/gone2/default/cm-0";
    for (let n = 0; n < 20; n++) await a.create(key(n), `{"n":${n}}`);
    await a.create(sibling, "{}");
    const before = await a.currentRevision();

    const seen: LogEvent[] = [];
    let done: () => void;
    const all = new Promise<void>((resolve) => done = resolve);
    // The creates' notifications may still reach b after it subscribes:
    // only the deletes are this test's subject.
    b.subscribe((events) => {
      seen.push(...events.filter((ev) => ev.type === "delete"));
      if (seen.length >= 20) done();
    });
    const res = await a.deletePrefix(prefix);
    assert.deepEqual(res, { deleted: 20, revision: before + 20 });
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      all,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`replica b saw ${seen.length} of 20`)),
          10_000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    assert.equal(seen.length, 20);
    for (const [i, ev] of seen.entries()) {
      assert.equal(ev.type, "delete");
      assert.equal(ev.revision, before + 1 + i);
      assert.equal(JSON.parse(ev.value).n, Number(ev.key.split("-").pop()));
      assert.equal(ev.prevValue, ev.value);
    }
    assert.deepEqual(
      (await b.list("/registry/configmaps/clusters/")).records.map((r) =>
        r.key
      ),
      [sibling],
    );
    assert.deepEqual(await b.deletePrefix(prefix), {
      deleted: 0,
      revision: before + 20,
    });
  } finally {
    await b.close();
    await a.close();
    await pg.stop();
  }
});
