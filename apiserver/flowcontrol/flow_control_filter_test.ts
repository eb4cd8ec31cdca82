/**
 * Flow control in the whole chain: a flooding user gets 429s with
 * `Retry-After` while another user's requests all succeed; masters and
 * watches are exempt.
 */

import assert from "node:assert/strict";
import {
  ADMIN,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";

const FLOOD = { username: "flood", groups: ["team", "system:authenticated"] };
const CALM = { username: "calm", groups: ["team", "system:authenticated"] };

Deno.test("a flooding user is refused with 429 while another user is served", async () => {
  const s = await startTestServer({
    flowControl: { maxRequestsInflight: 2, queueLength: 4, queueWaitMs: 2000 },
  });
  try {
    const crb = await s.request(
      "POST",
      "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
      {
        body: {
          metadata: { name: "team-view" },
          roleRef: {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "ClusterRole",
            name: "view",
          },
          subjects: [{
            apiGroup: "rbac.authorization.k8s.io",
            kind: "Group",
            name: "team",
          }],
        },
      },
    );
    assert.equal(crb.status, 201);
    const path = "/api/v1/namespaces/default/configmaps";
    for (let i = 0; i < 100; i++) {
      if ((await s.request("GET", path, { user: CALM })).status === 200) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const flood = Array.from(
      { length: 60 },
      () => s.raw("GET", path, { user: FLOOD }),
    );
    const calm = Array.from(
      { length: 3 },
      () => s.raw("GET", path, { user: CALM }),
    );
    const admin = s.raw("GET", path, { user: ADMIN });
    const floodRes = await Promise.all(flood);
    const calmRes = await Promise.all(calm);
    const refused = floodRes.filter((r) => r.status === 429);
    assert.ok(refused.length > 0, "the flood got no 429");
    assert.equal(refused[0].headers.get("retry-after"), "1");
    const body = await refused[0].json();
    assert.equal(body.reason, "TooManyRequests");
    assert.equal(body.details.retryAfterSeconds, 1);
    assert.deepEqual(calmRes.map((r) => r.status), [200, 200, 200]);
    assert.equal((await admin).status, 200);
    for (const r of [...floodRes, ...calmRes, await admin]) {
      if (!r.bodyUsed) await r.text();
    }
  } finally {
    await s.close();
  }
});
