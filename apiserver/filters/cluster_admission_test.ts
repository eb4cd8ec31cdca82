import assert from "node:assert/strict";
import type { UserInfo } from "../request_context.ts";
import { ApiError } from "../status/mod.ts";
import { buildChain } from "./chain.ts";
import { clusterAdmission } from "./cluster_admission.ts";
import { requestInfo } from "./request_info.ts";

const ALICE: UserInfo = { username: "alice", groups: [] };

function serve(admitted: string[], known: string[]) {
  return buildChain(
    [
      requestInfo(),
      clusterAdmission((cluster, user) => {
        assert.equal(user, ALICE);
        admitted.push(cluster);
        if (!known.includes(cluster)) {
          return Promise.reject(
            new ApiError(404, "NotFound", `cluster "${cluster}" not found`),
          );
        }
        return Promise.resolve();
      }),
    ],
    () => Promise.resolve(new Response("served")),
  );
}

Deno.test("cluster admission asks about the request's cluster, root included, and lets a known one through", async () => {
  const admitted: string[] = [];
  const handler = serve(admitted, ["root", "team-a"]);
  for (const path of ["/api/v1/namespaces", "/clusters/team-a/api"]) {
    const res = await handler(new Request(`http://x${path}`), { user: ALICE });
    assert.equal(await res.text(), "served");
  }
  assert.deepEqual(admitted, ["root", "team-a"]);
});

Deno.test("cluster admission stops a request to an unknown cluster with the admit error", async () => {
  const handler = serve([], ["root"]);
  await assert.rejects(
    handler(new Request("http://x/clusters/nope/api/v1/namespaces"), {
      user: ALICE,
    }),
    (e) =>
      e instanceof ApiError && e.code === 404 &&
      e.message === 'cluster "nope" not found',
  );
});

Deno.test("cluster admission lets cross-cluster requests (/clusters/*) pass without asking", async () => {
  const admitted: string[] = [];
  const handler = serve(admitted, []);
  const res = await handler(
    new Request("http://x/clusters/*/api/v1/configmaps"),
    { user: ALICE },
  );
  assert.equal(await res.text(), "served");
  assert.deepEqual(admitted, []);
});
