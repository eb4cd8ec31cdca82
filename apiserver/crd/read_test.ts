// Reading custom resources as upstream serves them: defaults added to a CRD
// later reach stored objects on read, watches end with their CRD, and the
// cross-cluster path answers from every cluster whose CRD serves a version.
import assert from "node:assert/strict";
import {
  startTestServer,
  type TestServer,
} from "../../tests/support/apiserver_harness.ts";
import { cronTabCrd } from "../../tests/support/crd_testdata.ts";
import type { CustomResourceDefinition } from "./types.ts";

const CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const NAME = "crontabs.stable.example.com";
const V1 = "/apis/stable.example.com/v1";

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function createCrd(srv: TestServer, prefix = "") {
  const res = await srv.request("POST", `${prefix}${CRDS}`, {
    body: cronTabCrd(),
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  await eventually("served", async () => {
    const r = await srv.request(
      "GET",
      `${prefix}${V1}/namespaces/default/crontabs`,
    );
    return r.status === 200 ? true : undefined;
  });
}

function cronTab(name: string) {
  return {
    apiVersion: "stable.example.com/v1",
    kind: "CronTab",
    metadata: { name },
    spec: { cronSpec: "* * * * */5", image: "img" },
  };
}

/** Reads NDJSON watch events until `until` says stop or the stream ends. */
async function readEvents(
  res: Response,
  until: (ev: { type: string; object: Record<string, unknown> }) => boolean,
) {
  const events: { type: string; object: Record<string, unknown> }[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return { events, ended: true };
      buf += value;
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const ev = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        events.push(ev);
        if (until(ev)) return { events, ended: false };
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

Deno.test("a default added to a CRD later reaches stored objects on read", async (t) => {
  const srv = await startTestServer();
  try {
    await createCrd(srv);
    const created = await srv.request(
      "POST",
      `${V1}/namespaces/default/crontabs`,
      { body: cronTab("a") },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.spec.suspend, undefined);
    const crd = (await srv.request("GET", `${CRDS}/${NAME}`))
      .body as CustomResourceDefinition;
    for (const v of crd.spec.versions ?? []) {
      const spec = v.schema!.openAPIV3Schema!.properties!.spec;
      spec.properties!.suspend = { type: "boolean", default: false };
    }
    const updated = await srv.request("PUT", `${CRDS}/${NAME}`, { body: crd });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    const path = `${V1}/namespaces/default/crontabs`;

    await t.step("get", async () => {
      const got = await eventually("default on get", async () => {
        const r = await srv.request("GET", `${path}/a`);
        return r.body.spec?.suspend === false ? r.body : undefined;
      });
      assert.equal(got.spec.replicas, 1);
    });

    await t.step("list, as JSON and as a Table", async () => {
      const list = await srv.request("GET", path);
      assert.equal(list.body.items[0].spec.suspend, false);
      const table = await srv.request("GET", `${path}?includeObject=Object`, {
        headers: { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" },
      });
      assert.equal(table.body.rows[0].object.spec.suspend, false);
    });

    await t.step("watch", async () => {
      const res = await srv.raw("GET", `${path}?watch=1&resourceVersion=0`);
      const { events } = await readEvents(res, () => true);
      assert.equal(events[0].type, "ADDED");
      assert.equal(
        (events[0].object.spec as Record<string, unknown>).suspend,
        false,
      );
    });

    await t.step("the stored object is left unchanged", async () => {
      const stored = await srv.storage
        .storeFor({ group: "stable.example.com", resource: "crontabs" })
        .get("/registry/stable.example.com/crontabs/clusters/root/default/a");
      assert.equal(
        (stored.spec as Record<string, unknown>).suspend,
        undefined,
      );
    });
  } finally {
    await srv.close();
  }
});

Deno.test("a watch of a deleted CRD's objects ends", async () => {
  const srv = await startTestServer();
  try {
    await createCrd(srv);
    await srv.request("POST", `${V1}/namespaces/default/crontabs`, {
      body: cronTab("a"),
    });
    const res = await srv.raw(
      "GET",
      `${V1}/namespaces/default/crontabs?watch=1&resourceVersion=0`,
    );
    const reading = readEvents(res, () => false);
    const del = await srv.request("DELETE", `${CRDS}/${NAME}`);
    assert.equal(del.status, 200, JSON.stringify(del.body));
    const { events, ended } = await reading;
    assert.equal(ended, true);
    assert.deepEqual(events.map((e) => e.type), ["ADDED", "DELETED"]);
    const again = await srv.request("GET", `${V1}/namespaces/default/crontabs`);
    assert.equal(again.status, 404, JSON.stringify(again.body));
  } finally {
    await srv.close();
  }
});

Deno.test("custom resources are listed and watched across clusters", async (t) => {
  const srv = await startTestServer();
  const ALL = `/clusters/*${V1}/crontabs`;
  try {
    await t.step("no cluster serves the kind: 404", async () => {
      const r = await srv.request("GET", ALL);
      assert.equal(r.status, 404);
    });
    for (const c of ["one", "two"]) {
      await createCrd(srv, `/clusters/${c}`);
      const r = await srv.request(
        "POST",
        `/clusters/${c}${V1}/namespaces/default/crontabs`,
        { body: cronTab(`in-${c}`) },
      );
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }

    await t.step("a list names every object's cluster", async () => {
      const r = await srv.request("GET", ALL);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.kind, "CronTabList");
      const got = r.body.items.map((
        o: { metadata: { name: string; annotations: Record<string, string> } },
      ) =>
        `${o.metadata.annotations["hyperplane.dev/cluster"]}/${o.metadata.name}`
      )
        .sort();
      assert.deepEqual(got, ["one/in-one", "two/in-two"]);
      assert.equal(r.body.items[0].spec.replicas, 1);
    });

    await t.step("a version is answered only where it is served", async () => {
      // Cluster "two" stops serving v1beta1.
      const crd = (await srv.request("GET", `/clusters/two${CRDS}/${NAME}`))
        .body as CustomResourceDefinition;
      for (const v of crd.spec.versions ?? []) {
        if (v.name === "v1beta1") v.served = false;
      }
      const u = await srv.request("PUT", `/clusters/two${CRDS}/${NAME}`, {
        body: crd,
      });
      assert.equal(u.status, 200, JSON.stringify(u.body));
      const items = await eventually("v1beta1 only in one", async () => {
        const r = await srv.request(
          "GET",
          "/clusters/*/apis/stable.example.com/v1beta1/crontabs",
        );
        return r.body.items?.length === 1 ? r.body.items : undefined;
      });
      assert.equal(items[0].metadata.name, "in-one");
    });

    await t.step("a watch sees objects of every serving cluster", async () => {
      const res = await srv.raw("GET", `${ALL}?watch=1&resourceVersion=0`);
      const reading = readEvents(
        res,
        (ev) => (ev.object.metadata as Record<string, unknown>).name === "late",
      );
      const r = await srv.request(
        "POST",
        `/clusters/two${V1}/namespaces/default/crontabs`,
        { body: cronTab("late") },
      );
      assert.equal(r.status, 201);
      const { events } = await reading;
      const names = events.map((e) =>
        (e.object.metadata as Record<string, string>).name
      ).sort();
      assert.deepEqual(names, ["in-one", "in-two", "late"]);
      assert.equal(events.at(-1)!.object.apiVersion, "stable.example.com/v1");
    });
  } finally {
    await srv.close();
  }
});
