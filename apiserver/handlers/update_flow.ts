/**
 * The read-modify-write shared by PUT and PATCH: optimistic concurrency on
 * the sent resourceVersion, create-on-update where the kind allows it (and
 * for server-side apply), `managedFields` of every write, `dryRun`, and
 * deletion once the last finalizer of a deleting object is removed.
 *
 * @module
 */

import type { KubeObject, Preconditions } from "../../storage/mod.ts";
import { isStorageError } from "../../storage/mod.ts";
import { jsonEqual } from "../../internal/json.ts";
import {
  conflictError,
  methodNotAllowedError,
  notFoundError,
} from "../status/mod.ts";
import {
  admit,
  groupResource,
  keyOf,
  mutate,
  type ResourceContext,
} from "./context.ts";
import { keepManagedFields, trackUpdate } from "./field_manager.ts";
import { checkNamespaceAdmits } from "./incoming.ts";
import { type ObjectConversion, objectResponse } from "./respond.ts";
import {
  hasPendingFinalizers,
  prepareCreate,
  prepareUpdate,
} from "./strategy.ts";

/** Thrown inside `tryUpdate` to stop a dry-run before anything is written. */
class DryRunResult {
  constructor(readonly obj: KubeObject, readonly created: boolean) {}
}

/**
 * Computes the request's version of the object from the current one (`null`
 * when it does not exist). PUT ignores `current`; PATCH applies its patch.
 */
export type IncomingFor = (
  current: KubeObject | null,
) => KubeObject | Promise<KubeObject>;

/** Checks that `verb` is served on the request's subresource (405 if not). */
export function checkSubresourceVerb(ctx: ResourceContext, verb: string) {
  if (!ctx.subresource) return;
  if (!ctx.def.subresources?.[ctx.subresource]?.verbs.includes(verb)) {
    throw methodNotAllowedError();
  }
}

/** How {@linkcode runUpdate} records `managedFields` and answers. */
export interface UpdateFlowOptions {
  /**
   * How the written object is answered, negotiated by the handler before
   * it read the body (`writeConversion`).
   */
  conversion: ObjectConversion | undefined;
  /**
   * The request's field manager (validated by the handler); default: the
   * user agent's prefix.
   */
  manager?: string;
  /**
   * Server-side apply: `incomingFor` already set `managedFields` (no update
   * tracking) and a missing object is created whatever the kind allows.
   */
  applied?: boolean;
  /**
   * Checked by the store before every attempt, as upstream's
   * `UpdatedObjectInfo.Preconditions` (PUT: the body's UID).
   */
  preconditions?: Preconditions;
}

/**
 * Runs an update and writes the response. `allowCreate`: a missing object
 * is created when the kind allows create-on-update (PUT, not PATCH).
 */
export async function runUpdate(
  ctx: ResourceContext,
  incomingFor: IncomingFor,
  dryRun: boolean,
  allowCreate: boolean,
  opts: UpdateFlowOptions,
): Promise<Response> {
  const gr = groupResource(ctx);
  const key = keyOf(ctx);
  const createOnUpdate = !ctx.subresource &&
    ((allowCreate && !!ctx.def.allowCreateOnUpdate) || !!opts.applied);
  const manager = opts.manager ??
    (ctx.req.headers.get("user-agent") ?? "").split("/")[0];
  // A subresource with its own view (a custom resource's Scale) is another
  // kind: its fields are not the object's, so they are not tracked.
  const track = !opts.applied && !ctx.def.subresources?.[ctx.subresource]?.view;
  const tracked = (old: KubeObject | null, next: KubeObject) =>
    track ? trackUpdate(ctx, manager, old, next) : next;
  let created = false;
  let result: KubeObject;
  try {
    result = await ctx.store.guaranteedUpdate(key, {
      ignoreNotFound: createOnUpdate,
      preconditions: opts.preconditions,
      tryUpdate: async (current) => {
        const incoming = await incomingFor(current);
        if (current === null) {
          if (!createOnUpdate) throw notFoundError(gr, ctx.name);
          const obj = prepareCreate(
            ctx.def,
            await mutate(
              ctx,
              "CREATE",
              tracked(null, incoming),
              undefined,
              dryRun,
            ),
            ctx.services.now(),
          );
          await checkNamespaceAdmits(ctx);
          await admit(ctx, "CREATE", obj, undefined, dryRun);
          created = true;
          if (dryRun) throw new DryRunResult(obj, true);
          return obj;
        }
        const sentRv = incoming.metadata.resourceVersion;
        if (sentRv && sentRv !== current.metadata.resourceVersion) {
          throw conflictError(gr, ctx.name);
        }
        const withFields = await mutate(
          ctx,
          "UPDATE",
          tracked(current, incoming),
          current,
          dryRun,
        );
        const next = prepareUpdate(
          ctx.def,
          current,
          withFields,
          ctx.subresource,
        );
        if (track || opts.applied) keepManagedFields(next, withFields);
        await admit(ctx, "UPDATE", next, current, dryRun);
        created = false;
        // The store keeps the resourceVersion only for the same JSON: an
        // equal object whose keys moved (managedFields re-set) is a no-op.
        if (jsonEqual(next, current)) return current;
        if (dryRun) throw new DryRunResult(next, false);
        return next;
      },
    });
  } catch (e) {
    if (e instanceof DryRunResult) {
      return objectResponse(
        ctx,
        opts.conversion,
        e.obj,
        e.created ? 201 : 200,
      );
    }
    if (isStorageError(e, "NotFound")) throw notFoundError(gr, ctx.name);
    throw e;
  }
  if (
    result.metadata.deletionTimestamp && !hasPendingFinalizers(ctx.def, result)
  ) {
    result = await finishDeletion(ctx, key, result);
  }
  return objectResponse(ctx, opts.conversion, result, created ? 201 : 200);
}

/** Deletes an object whose last finalizer is gone; a lost race is not an error. */
export async function finishDeletion(
  ctx: ResourceContext,
  key: string,
  obj: KubeObject,
): Promise<KubeObject> {
  try {
    return await ctx.store.delete(key, {
      preconditions: { resourceVersion: obj.metadata.resourceVersion },
    });
  } catch (e) {
    if (
      isStorageError(e, "NotFound") || isStorageError(e, "InvalidObject") ||
      isStorageError(e, "Conflict")
    ) {
      return obj;
    }
    throw e;
  }
}
