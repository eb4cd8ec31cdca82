import assert from "node:assert/strict";
import type { KubeObject } from "../../storage/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import type { ApiClient, WireEvent } from "../client/mod.ts";
import {
  CLUSTER_ANNOTATION,
  ClusterTracker,
  NAMESPACES_INFORMER,
} from "./clusters.ts";
import { INITIAL_EVENTS_END } from "./informer.ts";
import { InformerFactory } from "./informer_factory.ts";

/**
 * A client whose one resource (namespaces across clusters) is a scripted
 * event stream: every watch reads the events pushed from then on, so a
 * pushed 410 ends a watch and the next one is a re-list.
 */
function scriptedWatch() {
  const events: WireEvent[] = [];
  let wake: (() => void) | undefined;
  /** The initial-list flag of each watch started. */
  const starts: boolean[] = [];
  const client = {
    async *watch(
      _t: unknown,
      opts: { sendInitialEvents?: boolean },
      signal: AbortSignal,
    ): AsyncGenerator<WireEvent> {
      starts.push(opts.sendInitialEvents === true);
      while (!signal.aborted) {
        const ev = events.shift();
        if (ev) {
          yield ev;
          if (ev.type === "ERROR") return;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          signal.addEventListener("abort", () => resolve(), { once: true });
        });
      }
    },
  } as unknown as ApiClient;
  return {
    client,
    starts,
    push(...more: WireEvent[]): void {
      events.push(...more);
      wake?.();
    },
  };
}

let rv = 0;
function ns(type: string, cluster: string, name: string): WireEvent {
  const object: KubeObject = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name,
      uid: `${cluster}-${name}-${rv}`,
      resourceVersion: String(++rv),
      annotations: { [CLUSTER_ANNOTATION]: cluster },
    },
  };
  return { type, object } as WireEvent;
}

function initialEventsEnd(): WireEvent {
  return {
    type: "BOOKMARK",
    object: {
      metadata: {
        resourceVersion: String(rv),
        annotations: { [INITIAL_EVENTS_END]: "true" },
      },
    },
  } as unknown as WireEvent;
}

function expired(): WireEvent {
  return {
    type: "ERROR",
    object: { kind: "Status", code: 410, reason: "Expired", message: "gone" },
  } as unknown as WireEvent;
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(cond(), `timed out waiting for ${what}`);
}

/** A tracker over a scripted namespaces watch, recording its listeners' calls. */
function setup(only?: string[]) {
  const script = scriptedWatch();
  const informers = new InformerFactory(script.client, silentLogger);
  const tracker = new ClusterTracker(informers, only);
  const calls: string[] = [];
  tracker.onCluster((c) => calls.push(`+${c}`));
  tracker.onClusterGone((c) => calls.push(`-${c}`));
  const stop = new AbortController();
  const running = informers.run(stop.signal);
  /** Pushes `events` and waits until the informer has applied them. */
  const apply = async (...events: WireEvent[]) => {
    script.push(...events);
    const want = String(rv);
    await until(
      `resourceVersion ${want}`,
      () => tracker.namespaces.lastResourceVersion === want,
    );
  };
  return {
    script,
    informers,
    tracker,
    calls,
    apply,
    async close() {
      stop.abort();
      await running;
    },
  };
}

Deno.test("a cluster is forgotten when its last namespace is deleted, not before", async () => {
  const t = setup();
  try {
    t.script.push(
      ns("ADDED", "root", "default"),
      ns("ADDED", "b", "default"),
      ns("ADDED", "b", "kube-system"),
      initialEventsEnd(),
    );
    await t.tracker.waitForSync();
    assert.deepEqual(t.calls, ["+root", "+b"]);
    assert.deepEqual(t.tracker.clusters, ["root", "b"]);

    await t.apply(ns("DELETED", "b", "default"));
    assert.deepEqual(t.calls, ["+root", "+b"], "b still has kube-system");
    assert.ok(t.tracker.has("b"));

    await t.apply(ns("DELETED", "b", "kube-system"));
    assert.deepEqual(t.calls, ["+root", "+b", "-b"]);
    assert.deepEqual(t.tracker.clusters, ["root"]);
    assert.ok(!t.tracker.has("b"));

    // A second delete of a namespace already gone changes nothing.
    await t.apply(ns("DELETED", "b", "kube-system"));
    assert.deepEqual(t.calls, ["+root", "+b", "-b"]);
  } finally {
    await t.close();
  }
});

Deno.test("a cluster created again with the same name is announced again", async () => {
  const t = setup();
  try {
    t.script.push(ns("ADDED", "b", "default"), initialEventsEnd());
    await t.tracker.waitForSync();
    await t.apply(ns("DELETED", "b", "default"));
    await t.apply(ns("ADDED", "b", "default"), ns("ADDED", "b", "team"));
    assert.deepEqual(t.calls, ["+b", "-b", "+b"]);
    // A listener added now hears of the known clusters only.
    const late: string[] = [];
    t.tracker.onCluster((c) => late.push(c));
    assert.deepEqual(late, ["b"]);
  } finally {
    await t.close();
  }
});

Deno.test("a re-list without a cluster's namespaces forgets that cluster", async () => {
  const t = setup();
  try {
    t.script.push(
      ns("ADDED", "root", "default"),
      ns("ADDED", "b", "default"),
      ns("ADDED", "b", "kube-system"),
      ns("ADDED", "c", "default"),
      initialEventsEnd(),
    );
    await t.tracker.waitForSync();
    assert.deepEqual(t.calls, ["+root", "+b", "+c"]);
    // The watch expires; the re-list (b deleted meanwhile, d created).
    await t.apply(
      expired(),
      ns("ADDED", "root", "default"),
      ns("ADDED", "c", "default"),
      ns("ADDED", "d", "default"),
      initialEventsEnd(),
    );
    await until("the re-list applied", () => t.tracker.has("d"));
    assert.deepEqual(t.script.starts, [true, true], "a second initial list");
    assert.deepEqual(t.calls, ["+root", "+b", "+c", "-b", "+d"]);
    assert.deepEqual(t.tracker.clusters.sort(), ["c", "d", "root"]);
  } finally {
    await t.close();
  }
});

Deno.test("a tracker limited to some clusters neither announces nor forgets the others", async () => {
  const t = setup(["root"]);
  try {
    t.script.push(
      ns("ADDED", "root", "default"),
      ns("ADDED", "b", "default"),
      initialEventsEnd(),
    );
    await t.tracker.waitForSync();
    await t.apply(ns("DELETED", "b", "default"));
    assert.deepEqual(t.calls, ["+root"]);
    assert.deepEqual(t.tracker.clusters, ["root"]);
  } finally {
    await t.close();
  }
});

Deno.test("the controllers' namespaces informer is the tracker's, keeps no managedFields and feeds the namespaces metadata informer", async () => {
  const t = setup();
  try {
    const shared = t.tracker.namespaces;
    const withFields = ns("ADDED", "root", "default");
    (withFields.object as KubeObject).metadata.managedFields = [
      { manager: "kubectl", operation: "Update" },
    ];
    await t.apply(withFields, initialEventsEnd());
    const kept = shared.list()[0];
    assert.equal(kept.metadata.name, "default");
    assert.equal(kept.metadata.managedFields, undefined);
    // Every controller asking for the spec gets this one informer, and a
    // metadata informer of namespaces is derived from it (no second watch).
    assert.equal(t.informers.informer(NAMESPACES_INFORMER), shared);
    const metadata = t.informers.informer({
      target: NAMESPACES_INFORMER.target,
      metadataOnly: true,
    });
    await until("the metadata view", () => metadata.list().length === 1);
    assert.equal(t.script.starts.length, 1);
  } finally {
    await t.close();
  }
});
