/**
 * Watch streaming: a chunked `application/json` response with one JSON event
 * per line (`{"type":"ADDED","object":{…}}`), flushed per event, ended by
 * `timeoutSeconds`, the client going away, or server close. The response
 * waits for its reader once {@linkcode WATCH_BUFFER_BYTES} are queued, and
 * a long burst (a large initial state) lets other requests run every
 * {@linkcode WATCH_SLICE_MS}. An event's line is encoded once for all
 * watchers of the same view (`shared_lines.ts`). A storage ERROR
 * (e.g. 410 Expired) is sent as an ERROR event carrying a `Status`. Across
 * clusters (cluster `*`) every object is annotated with its cluster. Events
 * carry one-row Tables or PartialObjectMetadata (BOOKMARKs too) when the
 * `Accept` asks for them. An in-process caller that offers a taker of
 * events (`RequestContext.watchEvents`) gets the same events as deep-frozen
 * objects instead, and an empty body ({@linkcode WATCH_BUFFER_EVENTS}
 * unread make the watch wait).
 *
 * @module
 */

import type { KubeObject, WatchEvent } from "../../storage/mod.ts";
import { apiVersionOf } from "../resources/types.ts";
import { toApiError } from "../status/mod.ts";
import { parseIncludeObject, toTable } from "../table/table.ts";
import {
  prefixOf,
  type ResourceContext,
  withTypeMeta,
} from "../handlers/context.ts";
import { parseListOptions } from "../handlers/list_options.ts";
import {
  metadataFromText,
  partialObjectMetadata,
  readConversion,
} from "../handlers/partial_metadata.ts";
import {
  inNamespace,
  servedAcrossClusters,
  WILDCARD_CLUSTER,
  wildcardPrefix,
} from "../routing/wildcard.ts";
import { sharedLines } from "./shared_lines.ts";
import type { WatchObjectEvent } from "../request_context.ts";
import { deepFreeze } from "../../internal/json.ts";
import { TimeSlice } from "../../internal/turns.ts";

/** Bytes a watch response queues unread before it waits for the reader. */
export const WATCH_BUFFER_BYTES = 256 * 1024;

/** Events a watch taken as objects queues unread before it waits for the reader. */
export const WATCH_BUFFER_EVENTS = 256;

/** How long a watch sends buffered events before other tasks get a turn (ms). */
export const WATCH_SLICE_MS = 5;

/** Default watch timeout range, as kube-apiserver (30–60 minutes). */
export const MIN_REQUEST_TIMEOUT_SECONDS = 1800;

function defaultTimeoutSeconds(): number {
  const r = crypto.getRandomValues(new Uint32Array(1))[0] / 0x1_0000_0000;
  return Math.floor(MIN_REQUEST_TIMEOUT_SECONDS * (1 + r));
}

/**
 * The labels of `apiserver_longrunning_requests` for a watch (the metrics
 * read them back from the watch registry).
 */
export function watchLabel(ctx: ResourceContext): string {
  return JSON.stringify({
    verb: "WATCH",
    group: ctx.def.group,
    version: ctx.def.version,
    resource: ctx.def.plural,
    subresource: "",
    scope: ctx.namespace ? "namespace" : "cluster",
    component: "apiserver",
  });
}

/** Handles `watch`. */
export async function handleWatch(ctx: ResourceContext): Promise<Response> {
  const opts = parseListOptions(ctx, true);
  const timeout = Math.min(
    opts.timeoutSeconds !== undefined && opts.timeoutSeconds > 0
      ? opts.timeoutSeconds
      : defaultTimeoutSeconds(),
    ctx.services.maxWatchTimeoutSeconds,
  );
  const conv = readConversion(ctx, "watch");
  const tableVersion = conv?.kind === "Table" ? conv.version : undefined;
  const partialVersion = conv?.kind === "PartialObjectMetadata"
    ? conv.version
    : undefined;
  const includeObject = tableVersion ? parseIncludeObject(ctx.query) : "None";
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  // The serving layer's signal when there is one: touching `req.signal` of
  // a `Deno.serve` request makes Deno warn about its legacy abort behaviour.
  // Wired before the store's watch starts: a caller that leaves while the
  // watch waits for the watch cache's fill (a controller stopping during
  // the fills after a restart) ends that wait too, not just the stream.
  const clientGone = ctx.signal ?? ctx.req.signal;
  if (clientGone?.aborted) stop.abort();
  else clientGone?.addEventListener("abort", onAbort, { once: true });
  const wildcard = ctx.cluster === WILDCARD_CLUSTER;
  let watcher;
  try {
    watcher = await ctx.store.watch(
      wildcard ? wildcardPrefix(ctx.def) : prefixOf(ctx),
      {
        recursive: true,
        resourceVersion: opts.resourceVersion,
        sendInitialEvents: opts.sendInitialEvents,
        predicate: wildcard
          ? inNamespace(opts.predicate, ctx.namespace)
          : opts.predicate,
        allowBookmarks: opts.allowWatchBookmarks,
        signal: stop.signal,
      },
    );
  } catch (e) {
    clientGone?.removeEventListener("abort", onAbort);
    throw e;
  }
  stop.signal.addEventListener("abort", () => watcher.stop(), { once: true });
  const encoder = new TextEncoder();
  let first = true;
  /** The event as a wire object (`{type, object}`), or none to skip it. */
  const render = (
    ev: WatchEvent,
    source: KubeObject | undefined,
  ): WatchObjectEvent | undefined => {
    if (ev.type === "ERROR") {
      return { type: "ERROR", object: toApiError(ev.error).toStatus() };
    }
    if (ev.type === "BOOKMARK") {
      return {
        type: ev.type,
        object: partialVersion
          ? partialObjectMetadata(source!, partialVersion)
          : {
            kind: ctx.def.kind,
            apiVersion: apiVersionOf(ctx.def),
            metadata: source!.metadata,
          },
      };
    }
    // A PartialObjectMetadata view needs no decode for the kind: it
    // leaves the root metadata alone (`metadataFromText`).
    const served = wildcard
      ? servedAcrossClusters(
        source!,
        ev.key,
        ctx.acrossClusters,
        !partialVersion,
      )
      : source!;
    if (!served) return undefined;
    if (partialVersion) {
      return {
        type: ev.type,
        object: partialObjectMetadata(served, partialVersion),
      };
    }
    const typed: KubeObject = withTypeMeta(ctx.def, served);
    const object = tableVersion
      ? toTable(ctx.def, [typed], {
        includeObject,
        now: ctx.services.now(),
        version: tableVersion,
        noHeaders: !first,
        listMeta: { resourceVersion: typed.metadata.resourceVersion ?? "" },
      })
      : typed;
    first = false;
    return { type: ev.type, object };
  };
  type Chunk = Uint8Array | WatchObjectEvent;
  // An in-process caller may take the events as objects (no Table watch:
  // its rows are per watcher and nobody in-process asks for them). They
  // are deep-frozen, and shared: a part taken from an event not frozen
  // already (one served by the backend rather than the watch cache) is
  // copied first, so nothing of the event's owner is frozen under it.
  const sink = tableVersion ? undefined : ctx.watchEvents;
  /** A rendered event as this watch sends it: frozen, or a JSON line. */
  const chunk = (rendered: WatchObjectEvent): Chunk =>
    sink
      ? deepFreeze(rendered)
      : encoder.encode(JSON.stringify(rendered) + "\n");
  const encode = (ev: WatchEvent): Chunk | undefined => {
    // A metadata view of an event with undecoded text decodes the
    // metadata only, into an object of its own.
    const own = partialVersion ? metadataFromText(ev) : undefined;
    const source = own ?? (ev.type === "ERROR" ? undefined : ev.object);
    const rendered = render(
      ev,
      sink && source && !own && !Object.isFrozen(source)
        ? structuredClone(source)
        : source,
    );
    return rendered && chunk(rendered);
  };
  // Watches without a Table render an event the same for every watcher of
  // one view: across clusters the line also carries the cluster annotation,
  // and a dynamic kind there is decoded per cluster from the event's key
  // (`ctx.acrossClusters`, the same answer for every request), so the kind
  // it is served as names the view; the request's definition is a copy.
  // PartialObjectMetadata lines are views of their own, and so are events
  // taken as objects.
  const view =
    (!wildcard
      ? ""
      : ctx.acrossClusters
      ? `*:${apiVersionOf(ctx.def)}/${ctx.def.kind}`
      : "*") +
    (partialVersion ? `|partial:${partialVersion}` : "") +
    (sink ? "|objects" : "");
  const viewDef = wildcard && ctx.acrossClusters ? undefined : ctx.def;
  const shareable = (ev: WatchEvent): boolean =>
    !tableVersion && ev.type !== "BOOKMARK" && ev.type !== "ERROR";

  let controller!: ReadableStreamDefaultController<Chunk>;
  // Backpressure: once WATCH_BUFFER_BYTES (or WATCH_BUFFER_EVENTS taken as
  // objects) wait unread, the loop waits for the reader (`pull`) instead
  // of queueing a large initial state at once.
  let wake: (() => void) | undefined;
  const resume = () => {
    wake?.();
    wake = undefined;
  };
  stop.signal.addEventListener("abort", resume, { once: true });
  const stream = new ReadableStream<Chunk>(
    {
      start(c) {
        controller = c;
      },
      pull: resume,
      cancel() {
        stop.abort();
      },
    },
    sink ? { highWaterMark: WATCH_BUFFER_EVENTS, size: () => 1 } : {
      highWaterMark: WATCH_BUFFER_BYTES,
      size: (c) => (c as Uint8Array).byteLength,
    },
  );
  const readerCaughtUp = (): Promise<void> | undefined =>
    (controller.desiredSize ?? 1) > 0 || stop.signal.aborted
      ? undefined
      : new Promise((resolve) => wake = resolve);
  ctx.services.watches.start(async (closing) => {
    closing.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(onAbort, timeout * 1000);
    // A watch of a kind its cluster stops serving (a deleted CRD) ends, as
    // upstream: the client's re-list then gets 404.
    const { onKindsChanged, isServed } = ctx.services;
    const unsubscribe = !wildcard && onKindsChanged && isServed
      ? onKindsChanged((c) => {
        if (c === ctx.cluster && !isServed(c, ctx.def)) onAbort();
      })
      : undefined;
    const slice = new TimeSlice(WATCH_SLICE_MS);
    try {
      for await (const ev of watcher) {
        if (stop.signal.aborted) break;
        const chunk = shareable(ev)
          ? sharedLines.get(ev, viewDef, view, () => encode(ev))
          : encode(ev);
        if (chunk) controller.enqueue(chunk);
        if (ev.type === "ERROR") break;
        const waiting = readerCaughtUp();
        if (waiting) {
          await waiting;
          slice.restart();
        } else if (slice.due) {
          // A watcher's buffered events come without a macrotask turn:
          // let other requests (and timers) run between slices.
          await slice.pause();
        }
      }
    } catch (e) {
      if (!stop.signal.aborted) {
        controller.enqueue(
          chunk({ type: "ERROR", object: toApiError(e).toStatus() }),
        );
      }
    } finally {
      unsubscribe?.();
      clearTimeout(timer);
      watcher.stop();
      closing.removeEventListener("abort", onAbort);
      clientGone?.removeEventListener("abort", onAbort);
      try {
        controller.close();
      } catch {
        // the client already cancelled the stream
      }
    }
  }, watchLabel(ctx));
  const headers = {
    "content-type": "application/json",
    "cache-control": "no-cache, private",
  };
  if (sink) {
    sink(stream as ReadableStream<unknown> as ReadableStream<WatchObjectEvent>);
    return new Response(null, { status: 200, headers });
  }
  return new Response(stream as ReadableStream<Uint8Array>, {
    status: 200,
    headers,
  });
}
