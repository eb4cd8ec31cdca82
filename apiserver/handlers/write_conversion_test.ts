import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
  type TestServer,
} from "../../tests/support/apiserver_harness.ts";

const CMS = "/api/v1/namespaces/default/configmaps";
const meta = (as: string, v = "v1") => `;as=${as};g=meta.k8s.io;v=${v}`;
/** What client-go's metadata client sends with Get, Patch and Watch. */
const METADATA_ACCEPT = `application/vnd.kubernetes.protobuf${
  meta("PartialObjectMetadata")
},application/json${meta("PartialObjectMetadata")},application/json`;
const TABLE_ACCEPT = `application/json${meta("Table")},application/json`;
/** No range of it can be served: a conversion of an unknown version. */
const UNSERVED_ACCEPT = `application/json${
  meta("PartialObjectMetadata", "v2")
}`;
const NOT_ACCEPTABLE =
  "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf";

/** The keys of a PartialObjectMetadata answer: type meta and metadata only. */
function assertPartial(body: Record<string, unknown>, name: string) {
  assert.deepEqual(Object.keys(body).sort(), [
    "apiVersion",
    "kind",
    "metadata",
  ]);
  assert.equal(body.kind, "PartialObjectMetadata");
  assert.equal(body.apiVersion, "meta.k8s.io/v1");
  assert.equal((body.metadata as { name: string }).name, name);
}

/** A one-row Table of the configmap `name`. */
function assertTable(body: Record<string, unknown>, name: string) {
  assert.equal(body.kind, "Table");
  assert.equal(body.apiVersion, "meta.k8s.io/v1");
  const cols = body.columnDefinitions as { name: string }[];
  assert.deepEqual(cols.map((c) => c.name), ["Name", "Data", "Age"]);
  const rows = body.rows as { cells: unknown[]; object: { kind: string } }[];
  assert.equal(rows.length, 1);
  assert.equal(rows[0].cells[0], name);
  assert.equal(rows[0].object.kind, "PartialObjectMetadata");
}

function assertNotAcceptable(
  r: { status: number; body: Record<string, unknown> },
  message = NOT_ACCEPTABLE,
) {
  assert.equal(r.status, 406, JSON.stringify(r.body));
  assert.equal(r.body.kind, "Status");
  assert.equal(r.body.reason, "NotAcceptable");
  assert.equal(r.body.message, message);
}

async function stored(s: TestServer, name: string) {
  return await s.request("GET", `${CMS}/${name}`);
}

Deno.test("create answers with the conversion Accept asks for", async (t) => {
  const s = await startTestServer();
  try {
    await t.step(
      "as=PartialObjectMetadata: the created object's metadata",
      async () => {
        const r = await s.request("POST", CMS, {
          body: configMap("c-pom", { k: "v" }),
          headers: { accept: METADATA_ACCEPT },
        });
        assert.equal(r.status, 201);
        assertPartial(r.body, "c-pom");
        const full = await stored(s, "c-pom");
        assert.deepEqual(r.body.metadata, full.body.metadata);
      },
    );
    await t.step(
      "as=Table: a one-row Table with the object's columns",
      async () => {
        const r = await s.request("POST", CMS, {
          body: configMap("c-table", { k: "v" }),
          headers: { accept: TABLE_ACCEPT },
        });
        assert.equal(r.status, 201);
        assertTable(r.body, "c-table");
        assert.match(r.body.metadata.resourceVersion, /^\d+$/);
        const whole = await s.request("POST", `${CMS}?includeObject=Object`, {
          body: configMap("c-table-object"),
          headers: { accept: TABLE_ACCEPT },
        });
        assert.equal(whole.body.rows[0].object.kind, "ConfigMap");
        // a dry run stores nothing and has no resourceVersion to report
        const dry = await s.request("POST", `${CMS}?dryRun=All`, {
          body: configMap("c-dry"),
          headers: { accept: TABLE_ACCEPT },
        });
        assert.equal(dry.status, 201);
        assertTable(dry.body, "c-dry");
        assert.deepEqual(dry.body.metadata, {});
      },
    );
    await t.step(
      "what cannot be served is 406 and nothing is created",
      async () => {
        for (
          const [accept, message] of [
            [UNSERVED_ACCEPT, NOT_ACCEPTABLE],
            [
              `application/json${meta("PartialObjectMetadataList")}`,
              "you requested PartialObjectMetadataList, but the requested object is not a list (ConfigMap)",
            ],
          ]
        ) {
          const r = await s.request("POST", CMS, {
            body: configMap("c-refused"),
            headers: { accept },
          });
          assertNotAcceptable(r, message);
          assert.equal((await stored(s, "c-refused")).status, 404);
        }
      },
    );
    await t.step(
      "a bad includeObject is 400 and nothing is created",
      async () => {
        const r = await s.request("POST", `${CMS}?includeObject=Everything`, {
          body: configMap("c-bad-include"),
          headers: { accept: TABLE_ACCEPT },
        });
        assert.equal(r.status, 400);
        assert.equal(
          r.body.message,
          `Unable to convert to Table as requested: includeObject: Invalid value: "Everything": must be 'Metadata', 'Object', 'None', or empty`,
        );
        assert.equal((await stored(s, "c-bad-include")).status, 404);
      },
    );
  } finally {
    await s.close();
  }
});

Deno.test("update answers with the conversion Accept asks for", async (t) => {
  const s = await startTestServer();
  try {
    await s.request("POST", CMS, { body: configMap("u", { k: "v0" }) });
    await t.step("as=PartialObjectMetadata", async () => {
      const r = await s.request("PUT", `${CMS}/u`, {
        body: configMap("u", { k: "v1" }),
        headers: { accept: METADATA_ACCEPT },
      });
      assert.equal(r.status, 200);
      assertPartial(r.body, "u");
      const full = await stored(s, "u");
      assert.equal(full.body.data.k, "v1");
      assert.deepEqual(r.body.metadata, full.body.metadata);
    });
    await t.step("as=Table, also for a create-on-update (201)", async () => {
      const r = await s.request("PUT", `${CMS}/u`, {
        body: configMap("u", { k: "v2" }),
        headers: { accept: TABLE_ACCEPT },
      });
      assert.equal(r.status, 200);
      assertTable(r.body, "u");
      const lease = await s.request(
        "PUT",
        "/apis/coordination.k8s.io/v1/namespaces/default/leases/l",
        {
          body: {
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { name: "l" },
          },
          headers: { accept: METADATA_ACCEPT },
        },
      );
      assert.equal(lease.status, 201, JSON.stringify(lease.body));
      assertPartial(lease.body, "l");
    });
    await t.step(
      "what cannot be served is 406 and nothing changes",
      async () => {
        const before = await stored(s, "u");
        const r = await s.request("PUT", `${CMS}/u`, {
          body: configMap("u", { k: "refused" }),
          headers: { accept: UNSERVED_ACCEPT },
        });
        assertNotAcceptable(r);
        assert.deepEqual((await stored(s, "u")).body, before.body);
      },
    );
  } finally {
    await s.close();
  }
});

Deno.test("patch answers with the conversion Accept asks for", async (t) => {
  const s = await startTestServer();
  try {
    await s.request("POST", CMS, { body: configMap("p", { k: "v0" }) });
    const patch = (accept: string, type: string, body: unknown) =>
      s.request("PATCH", `${CMS}/p?fieldManager=test`, {
        text: JSON.stringify(body),
        headers: { accept, "content-type": type },
      });
    await t.step("as=PartialObjectMetadata for every patch type", async () => {
      for (
        const [type, body] of [
          ["application/merge-patch+json", {
            metadata: { labels: { a: "1" } },
          }],
          ["application/strategic-merge-patch+json", { data: { k: "v1" } }],
          ["application/json-patch+json", [{
            op: "add",
            path: "/metadata/annotations",
            value: { b: "2" },
          }]],
          ["application/apply-patch+yaml", {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "p" },
            data: { applied: "yes" },
          }],
        ] as const
      ) {
        const r = await patch(METADATA_ACCEPT, type, body);
        assert.equal(r.status, 200, `${type}: ${JSON.stringify(r.body)}`);
        assertPartial(r.body, "p");
        assert.deepEqual(r.body.metadata, (await stored(s, "p")).body.metadata);
      }
      const full = await stored(s, "p");
      assert.equal(full.body.metadata.labels.a, "1");
      assert.equal(full.body.metadata.annotations.b, "2");
      assert.equal(full.body.data.applied, "yes");
    });
    await t.step("as=Table, dry run too", async () => {
      const r = await patch(
        TABLE_ACCEPT,
        "application/merge-patch+json",
        { data: { t: "1" } },
      );
      assert.equal(r.status, 200);
      assertTable(r.body, "p");
      const dry = await s.request("PATCH", `${CMS}/p?dryRun=All`, {
        text: JSON.stringify({ data: { dry: "1" } }),
        headers: {
          accept: TABLE_ACCEPT,
          "content-type": "application/merge-patch+json",
        },
      });
      assert.equal(dry.status, 200);
      assertTable(dry.body, "p");
      assert.equal((await stored(s, "p")).body.data.dry, undefined);
    });
    await t.step(
      "what cannot be served is 406 and nothing changes",
      async () => {
        const before = await stored(s, "p");
        const r = await patch(
          UNSERVED_ACCEPT,
          "application/merge-patch+json",
          { data: { k: "refused" } },
        );
        assertNotAcceptable(r);
        assert.deepEqual((await stored(s, "p")).body, before.body);
      },
    );
    await t.step(
      "an unknown patch type is 415 before the Accept is",
      async () => {
        const r = await patch(UNSERVED_ACCEPT, "application/xml", {});
        assert.equal(r.status, 415);
      },
    );
  } finally {
    await s.close();
  }
});

Deno.test("delete converts the object it returns, never its Status", async (t) => {
  const s = await startTestServer();
  try {
    await t.step("a deleted object's Status is passed through", async () => {
      for (const accept of [METADATA_ACCEPT, TABLE_ACCEPT]) {
        const c = await s.request("POST", CMS, { body: configMap("d-gone") });
        assert.equal(c.status, 201);
        const r = await s.request("DELETE", `${CMS}/d-gone`, {
          headers: { accept },
        });
        assert.equal(r.status, 200);
        assert.equal(r.body.kind, "Status");
        assert.equal(r.body.status, "Success");
      }
    });
    await t.step("an object kept for its finalizers is converted", async () => {
      await s.request("POST", CMS, {
        body: configMap("d-kept", {}, {
          metadata: { finalizers: ["example.com/hold"] },
        }),
      });
      const r = await s.request("DELETE", `${CMS}/d-kept`, {
        headers: { accept: METADATA_ACCEPT },
      });
      assert.equal(r.status, 200);
      assertPartial(r.body, "d-kept");
      assert.equal(typeof r.body.metadata.deletionTimestamp, "string");
      const again = await s.request("DELETE", `${CMS}/d-kept`, {
        headers: { accept: TABLE_ACCEPT },
      });
      assertTable(again.body, "d-kept");
    });
    await t.step(
      "a namespace (returned when deleted) is converted",
      async () => {
        await s.request("POST", "/api/v1/namespaces", {
          body: {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: "dn" },
          },
        });
        const r = await s.request("DELETE", "/api/v1/namespaces/dn", {
          headers: { accept: METADATA_ACCEPT },
        });
        assert.equal(r.status, 200);
        assertPartial(r.body, "dn");
      },
    );
    await t.step(
      "what cannot be served is 406 and nothing is deleted",
      async () => {
        await s.request("POST", CMS, { body: configMap("d-stays") });
        const r = await s.request("DELETE", `${CMS}/d-stays`, {
          headers: { accept: UNSERVED_ACCEPT },
          body: { kind: "DeleteOptions", apiVersion: "v1" },
        });
        assertNotAcceptable(r);
        assert.equal((await stored(s, "d-stays")).status, 200);
      },
    );
  } finally {
    await s.close();
  }
});

Deno.test("deletecollection answers as a list read does", async (t) => {
  const s = await startTestServer();
  try {
    const make = async (...names: string[]) => {
      for (const name of names) {
        await s.request("POST", CMS, {
          body: configMap(name, {}, { metadata: { labels: { dc: "1" } } }),
        });
      }
    };
    const deleteAll = (accept: string, query = "") =>
      s.request("DELETE", `${CMS}?labelSelector=dc%3D1${query}`, {
        headers: { accept },
      });
    await t.step("as=PartialObjectMetadataList", async () => {
      await make("dc-a", "dc-b");
      const r = await deleteAll(
        `application/json${meta("PartialObjectMetadataList")}`,
      );
      assert.equal(r.status, 200);
      assert.equal(r.body.kind, "PartialObjectMetadataList");
      assert.deepEqual(
        r.body.items.map((i: { kind: string; metadata: { name: string } }) =>
          `${i.kind}/${i.metadata.name}`
        ),
        ["PartialObjectMetadata/dc-a", "PartialObjectMetadata/dc-b"],
      );
    });
    await t.step("as=Table", async () => {
      await make("dc-c");
      const r = await deleteAll(TABLE_ACCEPT);
      assertTable(r.body, "dc-c");
    });
    await t.step(
      "what cannot be served is 406 and nothing is deleted",
      async () => {
        await make("dc-d");
        for (
          const [accept, query, status, message] of [
            [UNSERVED_ACCEPT, "", 406, NOT_ACCEPTABLE],
            [
              `application/json${meta("PartialObjectMetadata")}`,
              "",
              406,
              "you requested PartialObjectMetadata, but the requested object is a list (ConfigMapList)",
            ],
            [
              TABLE_ACCEPT,
              "&includeObject=All",
              400,
              `Unable to convert to Table as requested: includeObject: Invalid value: "All": must be 'Metadata', 'Object', 'None', or empty`,
            ],
          ] as const
        ) {
          const r = await deleteAll(accept, query);
          assert.equal(r.status, status, JSON.stringify(r.body));
          assert.equal(r.body.message, message);
          assert.equal((await stored(s, "dc-d")).status, 200);
        }
      },
    );
  } finally {
    await s.close();
  }
});

Deno.test("get negotiates once: conversions and refusals as before", async () => {
  const s = await startTestServer();
  try {
    await s.request("POST", CMS, { body: configMap("g", { k: "v" }) });
    const pom = await s.request("GET", `${CMS}/g`, {
      headers: { accept: METADATA_ACCEPT },
    });
    assertPartial(pom.body, "g");
    const table = await s.request("GET", `${CMS}/g`, {
      headers: { accept: TABLE_ACCEPT },
    });
    assertTable(table.body, "g");
    assertNotAcceptable(
      await s.request("GET", `${CMS}/g`, {
        headers: { accept: UNSERVED_ACCEPT },
      }),
    );
    // Responses are JSON: an Accept of protobuf only still gets the object
    // in JSON (upstream: protobuf for built-in kinds, 406 for custom
    // resources).
    const pb = await s.request("GET", `${CMS}/g`, {
      headers: { accept: "application/vnd.kubernetes.protobuf" },
    });
    assert.equal(pb.status, 200);
    assert.equal(pb.headers.get("content-type"), "application/json");
    assert.equal(pb.body.kind, "ConfigMap");
  } finally {
    await s.close();
  }
});
