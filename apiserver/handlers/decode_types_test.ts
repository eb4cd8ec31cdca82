// Built-in kinds are decoded as upstream decodes them into their Go types:
// a wrong JSON type or a timestamp Go cannot parse fails the request (400 on
// create and update, 422 on field `patch` for a patch) and nothing is stored.
// A stored Event with `firstTimestamp: "bad"` would break every Go client
// that lists events (`kubectl events`), so this is a data-safety check.
import assert from "node:assert/strict";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";

const EVENTS = "/api/v1/namespaces/default/events";
const LEASES = "/apis/coordination.k8s.io/v1/namespaces/default/leases";

function event(name: string, extra: Record<string, unknown> = {}) {
  return {
    metadata: { name },
    involvedObject: { kind: "ConfigMap", name: "x", namespace: "default" },
    reason: "R",
    message: "m",
    ...extra,
  };
}

Deno.test("bodies Go cannot decode into the kind are refused, nothing stored", async (t) => {
  const srv = await startTestServer();
  try {
    await t.step("create: a timestamp Go cannot parse is 400", async () => {
      const r = await srv.request("POST", EVENTS, {
        body: event("bad-time", { firstTimestamp: "bad" }),
      });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.reason, "BadRequest");
      assert.equal(
        r.body.message,
        'Event in version "v1" cannot be handled as a Event: parsing time "bad" as "2006-01-02T15:04:05Z07:00": cannot parse "bad" as "2006"',
      );
      assert.equal(
        (await srv.request("GET", `${EVENTS}/bad-time`)).status,
        404,
      );
    });

    await t.step(
      "create: a MicroTime without six fractional digits is 400",
      async () => {
        const r = await srv.request("POST", LEASES, {
          body: {
            metadata: { name: "l" },
            spec: { holderIdentity: "a", renewTime: "2024-01-02T03:04:05Z" },
          },
        });
        assert.equal(r.status, 400, JSON.stringify(r.body));
        assert.equal(
          r.body.message,
          'Lease in version "v1" cannot be handled as a Lease: parsing time "2024-01-02T03:04:05Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"',
        );
      },
    );

    await t.step(
      "create: a wrong JSON type is 400 with Go's words",
      async () => {
        const r = await srv.request("POST", EVENTS, {
          body: event("bad-count", { count: "3" }),
        });
        assert.equal(r.status, 400, JSON.stringify(r.body));
        assert.equal(
          r.body.message,
          'Event in version "v1" cannot be handled as a Event: json: cannot unmarshal string into Go struct field Event.count of type int32',
        );
      },
    );

    await t.step("well-formed times are stored as sent", async () => {
      const r = await srv.request("POST", EVENTS, {
        body: event("good", {
          firstTimestamp: "2024-01-02T03:04:05Z",
          lastTimestamp: "2024-01-02T03:04:06+01:00",
          eventTime: "2024-01-02T03:04:05.123456Z",
        }),
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.firstTimestamp, "2024-01-02T03:04:05Z");
    });

    await t.step(
      "update: the same decode, the stored object unchanged",
      async () => {
        const got = await srv.request("GET", `${EVENTS}/good`);
        const r = await srv.request("PUT", `${EVENTS}/good`, {
          body: { ...got.body, lastTimestamp: "2024-13-01T00:00:00Z" },
        });
        assert.equal(r.status, 400, JSON.stringify(r.body));
        assert.match(
          r.body.message,
          /parsing time "2024-13-01T00:00:00Z": month out of range$/,
        );
        const after = await srv.request("GET", `${EVENTS}/good`);
        assert.equal(after.body.lastTimestamp, "2024-01-02T03:04:06+01:00");
      },
    );

    for (
      const [type, patch] of [
        ["application/merge-patch+json", { lastTimestamp: "bad" }],
        ["application/strategic-merge-patch+json", { lastTimestamp: "bad" }],
        ["application/json-patch+json", [
          { op: "replace", path: "/lastTimestamp", value: "bad" },
        ]],
      ] as const
    ) {
      await t.step(`patch (${type}): 422 on the field "patch"`, async () => {
        const r = await srv.request("PATCH", `${EVENTS}/good`, {
          text: JSON.stringify(patch),
          headers: { "content-type": type },
        });
        assert.equal(r.status, 422, JSON.stringify(r.body));
        assert.equal(r.body.reason, "Invalid");
        const cause = r.body.details.causes[0];
        assert.equal(cause.field, "patch");
        assert.match(
          cause.message,
          /: parsing time "bad" as "2006-01-02T15:04:05Z07:00": cannot parse "bad" as "2006"$/,
        );
        // A strategic merge patch shows the patch as Go prints a map (the
        // converter's input); the others show the patched object's JSON.
        assert.match(
          r.body.message,
          type === "application/strategic-merge-patch+json"
            ? /^ "" is invalid: patch: Invalid value: "map\[lastTimestamp:bad\]": /
            : /^ "" is invalid: patch: Invalid value: "\{/,
        );
        const after = await srv.request("GET", `${EVENTS}/good`);
        assert.equal(after.body.lastTimestamp, "2024-01-02T03:04:06+01:00");
      });
    }

    await t.step("apply: the same 422, nothing changed", async () => {
      const r = await srv.request(
        "PATCH",
        `${EVENTS}/good?fieldManager=t&force=true`,
        {
          text: JSON.stringify({
            apiVersion: "v1",
            kind: "Event",
            ...event("good", { lastTimestamp: "bad" }),
          }),
          headers: { "content-type": "application/apply-patch+yaml" },
        },
      );
      assert.equal(r.status, 422, JSON.stringify(r.body));
      assert.equal(r.body.details.causes[0].field, "patch");
    });

    await t.step("only the well-formed Event was stored", async () => {
      const list = await srv.request("GET", EVENTS);
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.body.items.map((e: { metadata: { name: string } }) =>
          e.metadata.name
        ),
        ["good"],
      );
    });
  } finally {
    await srv.close();
  }
});

Deno.test("metadata is coerced as upstream's ObjectMeta: empty fields are not stored", async () => {
  const srv = await startTestServer();
  try {
    const r = await srv.request(
      "POST",
      "/api/v1/namespaces/default/configmaps?fieldManager=m",
      {
        body: {
          metadata: {
            name: "e",
            generateName: "",
            namespace: "",
            uid: "",
            labels: {},
            annotations: {},
            finalizers: [],
            ownerReferences: [],
            managedFields: [],
            deletionGracePeriodSeconds: null,
          },
          data: { a: "b" },
        },
      },
    );
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(Object.keys(r.body.metadata).sort(), [
      "creationTimestamp",
      "managedFields",
      "name",
      "namespace",
      "resourceVersion",
      "uid",
    ]);
    assert.deepEqual(r.body.metadata.managedFields[0].fieldsV1, {
      "f:data": { ".": {}, "f:a": {} },
    });
    // A dry-run merge patch as `kubectl diff` sends it (annotations: {})
    // answers without an empty annotations map.
    const d = await srv.request(
      "PATCH",
      "/api/v1/namespaces/default/configmaps/e?dryRun=All",
      {
        text: '{"data":{"a":"c"},"metadata":{"annotations":{}}}',
        headers: { "content-type": "application/strategic-merge-patch+json" },
      },
    );
    assert.equal(d.status, 200, JSON.stringify(d.body));
    assert.equal(d.body.metadata.annotations, undefined);
    assert.equal(d.body.data.a, "c");
  } finally {
    await srv.close();
  }
});
