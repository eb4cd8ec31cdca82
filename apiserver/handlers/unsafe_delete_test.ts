import assert from "node:assert/strict";
import { MemoryLog } from "../../backends/memory/memory_log.ts";
import { objectKey } from "../../storage/mod.ts";
import { LogStoreFactory } from "../../storage/log/mod.ts";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";

const CMS = "/api/v1/namespaces/default/configmaps";
const cmKey = (name: string) =>
  objectKey({
    resource: "configmaps",
    cluster: "root",
    namespace: "default",
    name,
  });
const UNSAFE = "ignoreStoreReadErrorWithClusterBreakingPotential";
const alice = { username: "alice", groups: ["system:authenticated"] };

/** A role in `default` granting `verbs` on configmaps to alice. */
function grant(name: string, verbs: string[]) {
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name, namespace: "default" },
      rules: [{ apiGroups: [""], resources: ["configmaps"], verbs }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name, namespace: "default" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{
        apiGroup: "rbac.authorization.k8s.io",
        kind: "User",
        name: "alice",
      }],
    },
  ];
}

Deno.test("a corrupt object: get and list name its key, only the unsafe delete removes it, and only for a user allowed both verbs", async () => {
  const log = new MemoryLog();
  const storage = new LogStoreFactory(log);
  const s = await startTestServer({ storage });
  try {
    assert.equal(
      (await s.request("POST", CMS, { body: configMap("good") })).status,
      201,
    );
    await log.create(cmKey("bad"), '{"kind":"ConfigMap",garbage');
    await log.create(cmKey("worse"), "[]");

    const get = await s.request("GET", `${CMS}/bad`);
    assert.equal(get.status, 500);
    assert.equal(get.body.reason, "InternalError");
    assert.match(
      get.body.message,
      /^Internal error occurred: StorageError: corrupt object, Code: 7, Key: \/registry\/configmaps\/clusters\/root\/default\/bad, ResourceVersion: 0, AdditionalErrorMsg: object not decodable revision=\d+: /,
    );
    assert.equal((await s.request("GET", `${CMS}/good`)).status, 200);

    const list = await s.request("GET", CMS);
    assert.equal(list.status, 500);
    assert.equal(list.body.reason, "StorageReadError");
    assert.equal(
      list.body.message,
      "failed to read one or more configmaps from the storage",
    );
    assert.deepEqual(list.body.details.name, "list");
    assert.deepEqual(
      list.body.details.causes.map((c: { field: string }) => c.field),
      [cmKey("bad"), cmKey("worse")],
    );
    assert.equal(
      list.body.details.causes[0].reason,
      "UnexpectedServerResponse",
    );

    // A plain delete cannot read the object either.
    assert.equal((await s.request("DELETE", `${CMS}/bad`)).status, 500);

    // The option with anything it would ignore: 422, nothing deleted.
    const mixed = await s.request(
      "DELETE",
      `${CMS}/bad?${UNSAFE}=true&dryRun=All&gracePeriodSeconds=0`,
    );
    assert.equal(mixed.status, 422);
    assert.equal(
      mixed.body.message,
      `DeleteOptions.meta.k8s.io "" is invalid: [${UNSAFE}: Invalid value: true: cannot be set together with .dryRun, ${UNSAFE}: Invalid value: true: cannot be set together with .gracePeriodSeconds]`,
    );
    const body = await s.request("DELETE", `${CMS}/bad`, {
      body: {
        kind: "DeleteOptions",
        [UNSAFE]: true,
        propagationPolicy: "Background",
      },
    });
    assert.equal(body.status, 422);
    assert.match(
      body.body.message,
      /cannot be set together with \.propagationPolicy/,
    );
    const collection = await s.request("DELETE", `${CMS}?${UNSAFE}=true`);
    assert.equal(collection.status, 422);
    assert.match(
      collection.body.message,
      /is not allowed with DELETECOLLECTION/,
    );

    // Allowed to delete, not to delete unsafely: 403 naming the verb.
    for (const o of grant("deleter", ["delete", "get", "list"])) {
      const path = `/apis/rbac.authorization.k8s.io/v1/namespaces/default/${
        o.kind === "Role" ? "roles" : "rolebindings"
      }`;
      assert.equal((await s.request("POST", path, { body: o })).status, 201);
    }
    const denied = await s.request("DELETE", `${CMS}/bad?${UNSAFE}=true`, {
      user: alice,
    });
    assert.equal(denied.status, 403, JSON.stringify(denied.body));
    assert.match(
      denied.body.message,
      /^configmaps "bad" is forbidden: not permitted to do "unsafe-delete-ignore-read-errors", reason: /,
    );
    assert.equal((await s.request("GET", `${CMS}/bad`)).status, 500);

    for (const o of grant("unsafe", ["unsafe-delete-ignore-read-errors"])) {
      const path = `/apis/rbac.authorization.k8s.io/v1/namespaces/default/${
        o.kind === "Role" ? "roles" : "rolebindings"
      }`;
      assert.equal((await s.request("POST", path, { body: o })).status, 201);
    }
    // A readable object is refused.
    const readable = await s.request("DELETE", `${CMS}/good?${UNSAFE}=true`, {
      user: alice,
    });
    assert.equal(readable.status, 422);
    assert.equal(
      readable.body.message,
      `configmaps "good" is invalid: ${UNSAFE}: Invalid value: true: is exclusively used to delete corrupt object(s), try again by removing this option`,
    );
    const gone = await s.request("DELETE", `${CMS}/bad?${UNSAFE}=true`, {
      user: alice,
    });
    assert.equal(gone.status, 200, JSON.stringify(gone.body));
    assert.equal(gone.body.status, "Success");
    assert.equal(gone.body.details.name, "bad");
    const viaBody = await s.request("DELETE", `${CMS}/worse`, {
      user: alice,
      body: {
        apiVersion: "meta.k8s.io/v1",
        kind: "DeleteOptions",
        [UNSAFE]: true,
      },
    });
    assert.equal(viaBody.status, 200, JSON.stringify(viaBody.body));
    assert.equal((await s.request("GET", `${CMS}/bad`)).status, 404);
    const after = await s.request("GET", CMS);
    assert.equal(after.status, 200);
    assert.deepEqual(
      after.body.items.map((o: { metadata: { name: string } }) =>
        o.metadata.name
      ),
      ["good"],
    );
  } finally {
    await s.close();
    await storage.close();
  }
});
