/**
 * The `widget-builder` controller of example (b): every Widget whose
 * `status.built` is not yet true gets it set, through the `status`
 * subresource. It is written in the built-in controllers' shape (an
 * informer feeds a work queue, workers reconcile one key at a time) and
 * runs beside them, started and stopped by the control plane.
 *
 * @module
 */

import {
  ALL_CLUSTERS,
  clusterOf,
  type ControllerDescriptor,
  DEFAULT_CLUSTER,
  isConflict,
  isNotFound,
  type KubeObject,
  objectKeyOf,
  runWorkers,
  WorkQueue,
} from "../mod.ts";

const WIDGETS = { group: "example.com", version: "v1", resource: "widgets" };

function built(obj: KubeObject): boolean {
  return (obj as { status?: { built?: unknown } }).status?.built === true;
}

/** Marks every Widget built. */
export const widgetController: ControllerDescriptor = {
  name: "widget-builder",
  identity: "widget-builder",
  // The bootstrap policy knows nothing of this program: its controller
  // acts as a member of system:masters.
  groups: ["system:masters"],
  requires: [{ group: "example.com", resource: "widgets" }],
  async run(ctx, signal) {
    const queue = new WorkQueue();
    const informer = ctx.informers.informer({
      target: { cluster: ALL_CLUSTERS, resource: WIDGETS },
    });
    const enqueue = (obj: KubeObject) => {
      if (!built(obj)) queue.add(objectKeyOf(obj));
    };
    informer.addHandler({
      onAdd: enqueue,
      onUpdate: (_old, obj) => enqueue(obj),
    });
    const stop = () => queue.shutDown();
    signal.addEventListener("abort", stop, { once: true });
    await informer.waitForSync(signal).catch(() => {});
    await runWorkers(queue, 2, async (key) => {
      const widget = informer.get(key);
      if (!widget || built(widget)) return;
      const next = structuredClone(widget) as KubeObject & {
        status?: Record<string, unknown>;
      };
      next.status = { ...next.status, built: true };
      try {
        await ctx.client.update({
          cluster: clusterOf(widget) ?? DEFAULT_CLUSTER,
          resource: WIDGETS,
          namespace: widget.metadata.namespace,
          name: widget.metadata.name,
          subresource: "status",
        }, next);
        ctx.logger.info("widget built", { key });
      } catch (err) {
        // A newer version arrives through the informer and is queued again.
        if (isConflict(err) || isNotFound(err)) return;
        throw err;
      }
    }, (key, error) => ctx.logger.warn("widget build failed", { key, error }));
  },
};
