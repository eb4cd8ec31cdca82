import assert from "node:assert/strict";
import { MemoryLog } from "../../backends/memory/memory_log.ts";
import type { KubeObject } from "../object.ts";
import { type HubEvent, type HubMember, WatchHub } from "./_watch_hub.ts";

/** A member that records what it is handed. */
function recorder(): HubMember & { events: HubEvent[] } {
  const events: HubEvent[] = [];
  return {
    events,
    allowBookmarks: false,
    deliver: (evs) => events.push(...evs),
    requestBookmark() {},
    stop() {},
    fail() {},
  };
}

const KEY = "/registry/things/clusters/root/ns/a";

function thing(): KubeObject {
  return {
    kind: "Thing",
    metadata: { name: "a", labels: { x: "y" } },
    spec: { n: [1, "2", { deep: true }] },
  };
}

/**
 * Runs `body` with a hub over a fresh memory log and, unless `listening`
 * is false, one recording member.
 */
async function withHub(
  body: (
    env: { log: MemoryLog; hub: WatchHub; member: ReturnType<typeof recorder> },
  ) => Promise<void> | void,
  listening = true,
): Promise<void> {
  const log = new MemoryLog();
  const hub = new WatchHub(log, { bookmarkIntervalMs: 60_000 });
  const member = recorder();
  if (listening) hub.add(member);
  try {
    await body({ log, hub, member });
  } finally {
    hub.close();
  }
}

Deno.test("a handed-over object reaches the dispatched create frozen, at its revision", async () => {
  await withHub(async ({ log, hub, member }) => {
    const obj = thing();
    const value = JSON.stringify(obj);
    const withdraw = hub.handOver(KEY, value, obj);
    assert.equal(hub.handing, 1);
    const rev = await log.create(KEY, value);
    withdraw();
    assert.equal(hub.handing, 0);
    const [ev] = member.events;
    const got = ev.created!;
    assert.deepEqual(got, {
      ...JSON.parse(value),
      metadata: { ...JSON.parse(value).metadata, resourceVersion: String(rev) },
    });
    // The writer's nested values, frozen in place; its top level untouched.
    assert.equal(got.spec, obj.spec);
    assert.ok(Object.isFrozen(got) && Object.isFrozen(got.metadata));
    assert.ok(Object.isFrozen((obj.spec as { n: unknown[] }).n[2]));
    assert.equal(obj.metadata.resourceVersion, undefined);
    assert.ok(!Object.isFrozen(obj) && !Object.isFrozen(obj.metadata));
    // The log's own event (its history, for replays) carries no object.
    const [own] = await log.changes(KEY, 0, 10);
    assert.equal((own as HubEvent).created, undefined);
    assert.equal(own.value, value);
  });
});

Deno.test("a handed-over object is not taken by another text, an update or a failed create", async () => {
  await withHub(async ({ log, hub, member }) => {
    const obj = thing();
    const value = JSON.stringify(obj);
    // Another text at the key: not this object's create.
    let withdraw = hub.handOver(KEY, value, obj);
    await log.create(KEY, value.replace('"y"', '"z"'));
    assert.equal(member.events[0].created, undefined);
    assert.equal(hub.handing, 1);
    withdraw();
    assert.equal(hub.handing, 0);
    // An update to the same text is no create.
    withdraw = hub.handOver(KEY, value, obj);
    await log.update(KEY, value, member.events[0].revision);
    assert.equal(member.events[1].created, undefined);
    withdraw();
    // A create that fails (the key exists) is dispatched to nobody.
    withdraw = hub.handOver(KEY, value, obj);
    await assert.rejects(log.create(KEY, value));
    withdraw();
    assert.equal(hub.handing, 0);
    assert.equal(member.events.length, 2);
  });
});

Deno.test("nothing is handed over while no watcher listens", async () => {
  await withHub(({ hub }) => {
    const obj = thing();
    const withdraw = hub.handOver(KEY, JSON.stringify(obj), obj);
    assert.equal(hub.handing, 0);
    withdraw();
  }, false);
});

Deno.test("a later withdrawal leaves a newer hand-over of the key alone", async () => {
  await withHub(({ hub }) => {
    const first = thing();
    const second = thing();
    const withdrawFirst = hub.handOver(KEY, JSON.stringify(first), first);
    const withdrawSecond = hub.handOver(KEY, JSON.stringify(second), second);
    withdrawFirst();
    assert.equal(hub.handing, 1);
    withdrawSecond();
    assert.equal(hub.handing, 0);
  });
});

/** A recording member of `range`. */
function rangedRecorder(range: string) {
  return Object.assign(recorder(), { range });
}

Deno.test("members with a range get their resource's events only, in order, and an empty batch otherwise", async () => {
  await withHub(async ({ log, hub, member: everything }) => {
    const cms = rangedRecorder("/registry/configmaps/");
    const roles = rangedRecorder("/registry/rbac.authorization.k8s.io/roles/");
    const group = rangedRecorder("/registry/rbac.authorization.k8s.io/");
    // Not a resource prefix: treated as a member without one.
    const odd = rangedRecorder("/registry/");
    let batches = 0;
    const counting = Object.assign(rangedRecorder("/registry/secrets/"), {
      deliver() {
        batches++;
      },
    });
    for (const m of [cms, roles, group, odd, counting]) hub.add(m);
    const keys = [
      "/registry/configmaps/clusters/a/ns/x",
      "/registry/rbac.authorization.k8s.io/roles/clusters/a/ns/r",
      "/registry/configmaps/clusters/b/ns/y",
      "/registry/configmapsx/clusters/a/ns/z",
      "/registry/rbac.authorization.k8s.io/rolebindings/clusters/a/ns/b",
    ];
    for (const k of keys) await log.create(k, "{}");
    const seen = (m: { events: HubEvent[] }) => m.events.map((e) => e.key);
    assert.deepEqual(seen(cms), [keys[0], keys[2]]);
    assert.deepEqual(seen(roles), [keys[1]]);
    // A range that prefixes others' keys (a group) gets them all.
    assert.deepEqual(seen(group), [keys[1], keys[4]]);
    assert.deepEqual(seen(odd), keys);
    assert.deepEqual(seen(everything), keys);
    // One (empty) batch per commit: it sees every revision go by.
    assert.equal(batches, keys.length);
    // Removed, a ranged member gets nothing more.
    hub.remove(cms);
    await log.create("/registry/configmaps/clusters/a/ns/later", "{}");
    assert.equal(cms.events.length, 2);
  });
});
