/**
 * What the corrupt-object end-to-end tests (KEP-3926) check on every
 * backend, once: ConfigMaps in `default` whose stored values were damaged
 * below the server are named by kubectl's get, list and delete while a good
 * one stays readable; after the unsafe deletes, lists and watches work
 * again. The SQLite and etcd tests differ only in how they damage a value
 * and in what they check about the unsafe delete itself.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { TestServer } from "./server.ts";
import type { kubectlFor } from "./kubectl.ts";
import { eventually } from "./controllers.ts";

/** A stored value no decoder reads (what the tests write below the server). */
export const CORRUPT_VALUE = '{"kind":"ConfigMap",garbage';

/** The delete option (query parameter and DeleteOptions field). */
export const UNSAFE_DELETE = "ignoreStoreReadErrorWithClusterBreakingPotential";

/** The ConfigMaps of namespace `default`. */
export const CONFIG_MAPS = "/api/v1/namespaces/default/configmaps";

/** The storage key of ConfigMap `name` in `default` of the root cluster. */
export function configMapKey(name: string): string {
  return `/registry/configmaps/clusters/root/default/${name}`;
}

type Kubectl = ReturnType<typeof kubectlFor>;

/** Polling that runs kubectl or a watch each time: every 250 ms, for 30 s. */
const SLOW_POLL = { attempts: 120, intervalMs: 250 };

/**
 * kubectl names the corrupt ConfigMaps `bad` (each get, in upstream's
 * words; the list, one cause per key in order; a plain delete) and still
 * reads `good`.
 */
export async function assertCorruptReported(
  k: Kubectl,
  server: TestServer,
  bad: string[],
  good: string,
): Promise<void> {
  for (const name of bad) {
    const got = await k(["get", "cm", name, "-n", "default"], {
      check: false,
    });
    assert.notEqual(got.code, 0);
    assert.ok(
      got.stderr.includes(
        `Internal error occurred: StorageError: corrupt object, Code: 7, Key: ${
          configMapKey(name)
        }, `,
      ),
      got.stderr,
    );
  }
  const ok = await k(["get", "cm", good, "-n", "default", "-o", "json"]);
  assert.equal(JSON.parse(ok.stdout).metadata.name, good);

  const list = await server.fetch(CONFIG_MAPS);
  const body = await list.json();
  assert.equal(list.status, 500, JSON.stringify(body));
  assert.equal(body.reason, "StorageReadError");
  assert.deepEqual(
    (body.details.causes as { field: string }[]).map((c) => c.field),
    bad.map(configMapKey),
  );
  const kList = await k(["get", "cm", "-n", "default"], { check: false });
  assert.notEqual(kList.code, 0);
  assert.match(
    kList.stderr,
    /failed to read one or more configmaps from the storage/,
  );

  const kDelete = await k(["delete", "cm", bad[0], "-n", "default"], {
    check: false,
  });
  assert.notEqual(kDelete.code, 0);
  assert.match(kDelete.stderr, /corrupt object/);
}

/**
 * After the unsafe deletes: kubectl lists exactly `remaining` (besides
 * `kube-root-ca.crt`), a deleted name is NotFound, and a watch from the
 * cache lists the remaining objects without an ERROR — no restart needed.
 */
export async function assertRecovered(
  k: Kubectl,
  server: TestServer,
  remaining: string[],
  deleted: string,
): Promise<void> {
  await eventually(
    async () => {
      const names = await k([
        "get",
        "cm",
        "-n",
        "default",
        "-o",
        "jsonpath={.items[*].metadata.name}",
      ], { check: false });
      return names.code === 0 &&
        names.stdout.split(" ").filter((n) => n !== "kube-root-ca.crt")
            .join() === remaining.join();
    },
    "the list to work again",
    SLOW_POLL,
  );
  const gone = await k(["get", "cm", deleted, "-n", "default"], {
    check: false,
  });
  assert.match(gone.stderr, /NotFound/);
  await eventually(
    async () => {
      const res = await server.fetch(
        `${CONFIG_MAPS}?watch=1&resourceVersion=0&timeoutSeconds=1`,
      );
      const text = await res.text();
      return res.status === 200 &&
        remaining.every((n) => text.includes(`"name":"${n}"`)) &&
        !text.includes('"type":"ERROR"');
    },
    "a watch that lists the remaining objects",
    SLOW_POLL,
  );
}
