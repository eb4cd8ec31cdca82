import assert from "node:assert/strict";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";
import { coreToEventsV1, eventColumns, eventsV1ToCore } from "./_events.ts";
import type { KubeObject } from "../../storage/mod.ts";

const CORE = "/api/v1/namespaces/default/events";
const V1 = "/apis/events.k8s.io/v1/namespaces/default/events";

function coreEvent(name: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name },
    involvedObject: {
      kind: "ConfigMap",
      namespace: "default",
      name: "cm",
      apiVersion: "v1",
    },
    reason: "Created",
    message: "made it",
    source: { component: "tester", host: "h1" },
    firstTimestamp: "2024-01-01T00:00:00Z",
    lastTimestamp: "2024-01-01T00:01:00Z",
    count: 2,
    type: "Normal",
    reportingComponent: "tester",
    reportingInstance: "tester-1",
  };
}

function v1Event(name: string): Record<string, unknown> {
  return {
    apiVersion: "events.k8s.io/v1",
    kind: "Event",
    metadata: { name },
    eventTime: "2024-01-01T00:00:00.000000Z",
    reportingController: "example.com/ctl",
    reportingInstance: "ctl-1",
    action: "Sync",
    reason: "Synced",
    regarding: { kind: "Secret", namespace: "default", name: "s" },
    note: "synced it",
    type: "Warning",
    series: { count: 3, lastObservedTime: "2024-01-01T00:02:00.000000Z" },
  };
}

Deno.test("the two event forms convert into each other field by field", () => {
  const core = coreEvent("a") as unknown as KubeObject;
  const v1 = coreToEventsV1(core) as unknown as Record<string, unknown>;
  assert.deepEqual(v1, {
    apiVersion: "events.k8s.io/v1",
    kind: "Event",
    metadata: { name: "a" },
    regarding: core.involvedObject,
    reason: "Created",
    note: "made it",
    deprecatedSource: { component: "tester", host: "h1" },
    deprecatedFirstTimestamp: "2024-01-01T00:00:00Z",
    deprecatedLastTimestamp: "2024-01-01T00:01:00Z",
    deprecatedCount: 2,
    type: "Normal",
    reportingController: "tester",
    reportingInstance: "tester-1",
  });
  assert.deepEqual(eventsV1ToCore(v1 as unknown as KubeObject), core);
  const series = eventsV1ToCore(
    { ...v1Event("b") } as unknown as KubeObject,
  ) as unknown as Record<string, unknown>;
  assert.deepEqual(series.series, {
    count: 3,
    lastObservedTime: "2024-01-01T00:02:00.000000Z",
  });
  assert.equal(series.message, "synced it");
  assert.equal(series.reportingComponent, "example.com/ctl");
});

Deno.test("an event written through one API version is served by the other", async (t) => {
  const s = await startTestServer();
  try {
    await t.step("core create → events.k8s.io get and list", async () => {
      const c = await s.request("POST", CORE, { body: coreEvent("from-core") });
      assert.equal(c.status, 201, JSON.stringify(c.body));
      const g = await s.request("GET", `${V1}/from-core`);
      assert.equal(g.status, 200, JSON.stringify(g.body));
      assert.equal(g.body.apiVersion, "events.k8s.io/v1");
      assert.equal(g.body.note, "made it");
      assert.equal(g.body.regarding.name, "cm");
      assert.equal(g.body.deprecatedCount, 2);
      assert.equal(g.body.message, undefined);
      assert.equal(g.body.metadata.uid, c.body.metadata.uid);
      assert.equal(
        g.body.metadata.resourceVersion,
        c.body.metadata.resourceVersion,
      );
      const l = await s.request("GET", V1);
      assert.deepEqual(
        l.body.items.map((i: { metadata: { name: string } }) =>
          i.metadata.name
        ),
        ["from-core"],
      );
    });
    await t.step("events.k8s.io create → core get", async () => {
      const c = await s.request("POST", V1, { body: v1Event("from-v1") });
      assert.equal(c.status, 201, JSON.stringify(c.body));
      assert.equal(c.body.note, "synced it");
      const g = await s.request("GET", `${CORE}/from-v1`);
      assert.equal(g.status, 200);
      assert.equal(g.body.apiVersion, "v1");
      assert.equal(g.body.message, "synced it");
      assert.equal(g.body.involvedObject.name, "s");
      assert.equal(g.body.reportingComponent, "example.com/ctl");
      assert.equal(g.body.note, undefined);
    });
    await t.step("both lists hold both events", async () => {
      for (const path of [CORE, V1]) {
        const l = await s.request("GET", path);
        assert.deepEqual(
          l.body.items.map((i: { metadata: { name: string } }) =>
            i.metadata.name
          ).sort(),
          ["from-core", "from-v1"],
          path,
        );
      }
    });
    await t.step("field selectors use each version's field names", async () => {
      const v1 = await s.request(
        "GET",
        `${V1}?fieldSelector=regarding.name%3Dcm`,
      );
      assert.deepEqual(
        v1.body.items.map((i: { metadata: { name: string } }) =>
          i.metadata.name
        ),
        ["from-core"],
      );
      const core = await s.request(
        "GET",
        `${CORE}?fieldSelector=involvedObject.name%3Ds`,
      );
      assert.deepEqual(
        core.body.items.map((i: { metadata: { name: string } }) =>
          i.metadata.name
        ),
        ["from-v1"],
      );
    });
    await t.step(
      "a merge patch through events.k8s.io may change the series only",
      async () => {
        const p = await s.request("PATCH", `${V1}/from-core`, {
          text: JSON.stringify({
            series: {
              count: 5,
              lastObservedTime: "2024-01-01T00:05:00.000000Z",
            },
          }),
          headers: { "content-type": "application/merge-patch+json" },
        });
        assert.equal(p.status, 200, JSON.stringify(p.body));
        assert.equal(p.body.series.count, 5);
        const g = await s.request("GET", `${CORE}/from-core`);
        assert.equal(g.body.series.count, 5);
        assert.equal(g.body.message, "made it");
        assert.equal(g.body.source.host, "h1");
        const bad = await s.request("PATCH", `${V1}/from-core`, {
          text: JSON.stringify({ note: "changed" }),
          headers: { "content-type": "application/merge-patch+json" },
        });
        assert.equal(bad.status, 422, JSON.stringify(bad.body));
        assert.equal(bad.body.details.causes[0].field, "message");
        assert.match(bad.body.message, /field is immutable/);
      },
    );
    await t.step("core/v1 updates stay free", async () => {
      const p = await s.request("PATCH", `${CORE}/from-v1`, {
        text: JSON.stringify({ message: "changed", count: 9 }),
        headers: { "content-type": "application/merge-patch+json" },
      });
      assert.equal(p.status, 200, JSON.stringify(p.body));
      const g = await s.request("GET", `${V1}/from-v1`);
      assert.equal(g.body.note, "changed");
      assert.equal(g.body.deprecatedCount, 9);
    });
    await t.step(
      "an unchanged update through events.k8s.io keeps the resourceVersion",
      async () => {
        const g = await s.request("GET", `${V1}/from-v1`);
        const u = await s.request("PUT", `${V1}/from-v1`, { body: g.body });
        assert.equal(u.status, 200, JSON.stringify(u.body));
        assert.equal(
          u.body.metadata.resourceVersion,
          g.body.metadata.resourceVersion,
        );
      },
    );
    await t.step("a watch through events.k8s.io sees core writes", async () => {
      const l = await s.request("GET", V1);
      const ac = new AbortController();
      const res = await s.api.handler(
        new Request(
          `http://x${V1}?watch=true&resourceVersion=${l.body.metadata.resourceVersion}`,
        ),
        {
          user: { username: "admin", groups: ["system:masters"] },
          signal: ac.signal,
        },
      );
      const reader = res.body!.pipeThrough(new TextDecoderStream())
        .getReader();
      const c = await s.request("POST", CORE, { body: coreEvent("watched") });
      assert.equal(c.status, 201);
      let buf = "";
      while (!buf.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
      }
      const ev = JSON.parse(buf.split("\n")[0]);
      assert.equal(ev.type, "ADDED");
      assert.equal(ev.object.apiVersion, "events.k8s.io/v1");
      assert.equal(ev.object.metadata.name, "watched");
      assert.equal(ev.object.note, "made it");
      ac.abort();
      await reader.cancel();
    });
    await t.step(
      "a delete through events.k8s.io removes the core event",
      async () => {
        const d = await s.request("DELETE", `${V1}/from-core`);
        assert.equal(d.status, 200, JSON.stringify(d.body));
        const g = await s.request("GET", `${CORE}/from-core`);
        assert.equal(g.status, 404);
      },
    );
  } finally {
    await s.close();
  }
});

Deno.test("event tables carry upstream's wide columns in both forms", () => {
  const now = new Date("2024-01-01T00:05:00Z");
  const core = coreEvent("a") as unknown as KubeObject;
  const row = (form: "core" | "events.k8s.io", obj: KubeObject) =>
    Object.fromEntries(
      eventColumns(form).map((c) => [c.name, c.cell(obj, now)]),
    );
  const expected = {
    "Last Seen": "4m",
    Type: "Normal",
    Reason: "Created",
    Object: "configmap/cm",
    Subobject: "",
    Source: "tester, h1",
    Message: "made it",
    "First Seen": "5m",
    Count: 2,
    Name: "a",
  };
  assert.deepEqual(row("core", core), expected);
  assert.deepEqual(row("events.k8s.io", coreToEventsV1(core)), expected);
  assert.deepEqual(
    eventColumns("core").filter((c) => c.priority === 1).map((c) => c.name),
    ["Subobject", "Source", "First Seen", "Count", "Name"],
  );
  // A series event: last seen and count come from the series; the source
  // falls back to the reporting controller and instance.
  assert.deepEqual(
    row("events.k8s.io", v1Event("b") as unknown as KubeObject),
    {
      ...expected,
      "Last Seen": "3m",
      Type: "Warning",
      Reason: "Synced",
      Object: "secret/s",
      Source: "example.com/ctl, ctl-1",
      Message: "synced it",
      Count: 3,
      Name: "b",
    },
  );
  // A singleton core event without timestamps but an eventTime, about a kind.
  const bare = {
    metadata: { name: "c" },
    involvedObject: { kind: "Node" },
    eventTime: "2024-01-01T00:04:00.000000Z",
  } as unknown as KubeObject;
  const r = row("core", bare);
  assert.equal(r["Last Seen"], "60s");
  assert.equal(r["First Seen"], "60s");
  assert.equal(r.Object, "node");
  assert.equal(r.Count, 1);
});
