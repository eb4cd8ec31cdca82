/**
 * DELETE of one object: immediate, or — while finalizers remain (including
 * the `orphan` / `foregroundDeletion` finalizer its propagation policy adds)
 * — marking it with a deletionTimestamp and keeping it. With
 * `ignoreStoreReadErrorWithClusterBreakingPotential` the unsafe delete of a
 * corrupt object instead (`unsafe_delete.ts`).
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { isStorageError } from "../../storage/mod.ts";
import { jsonResponse } from "../http/response.ts";
import {
  forbiddenError,
  methodNotAllowedError,
  notFoundError,
} from "../status/mod.ts";
import {
  admitDelete,
  groupResource,
  keyOf,
  type ResourceContext,
} from "./context.ts";
import {
  checkPreconditions,
  type DeleteOpts,
  readDeleteOptions,
} from "./delete_options.ts";
import { deletedStatus, objectResponse, writeConversion } from "./respond.ts";
import { hasPendingFinalizers, rfc3339 } from "./strategy.ts";
import { withDeletionFinalizers } from "./delete_propagation.ts";
import { unsafeDelete } from "./unsafe_delete.ts";

/** The outcome of deleting one object. */
export interface DeleteOutcome {
  obj: KubeObject;
  /** False when the object was only marked (finalizers pending). */
  deleted: boolean;
}

class FinalizersAppeared {}
class DeleteNow {}

function markDeleting(ctx: ResourceContext, obj: KubeObject): KubeObject {
  const next = structuredClone(obj);
  const meta = next.metadata;
  if (!meta.deletionTimestamp) {
    // As upstream's markAsDeleting: the first mark bumps a generation.
    if (typeof meta.generation === "number" && meta.generation > 0) {
      meta.generation++;
    }
    meta.deletionTimestamp = rfc3339(ctx.services.now());
  }
  meta.deletionGracePeriodSeconds = 0;
  ctx.def.prepareForDeletion?.(next);
  return next;
}

/**
 * `obj` with the garbage-collection finalizers `opts` asks for. A namespace
 * already being deleted keeps its finalizers (upstream's namespace REST only
 * applies the policy on the first delete).
 */
function withPolicy(
  ctx: ResourceContext,
  obj: KubeObject,
  opts: DeleteOpts,
): KubeObject {
  if (
    ctx.def.propagationPolicyOnFirstDeleteOnly &&
    obj.metadata.deletionTimestamp
  ) {
    return obj;
  }
  return withDeletionFinalizers(obj, opts);
}

function notFound(ctx: ResourceContext, name: string, e: unknown): unknown {
  return isStorageError(e, "NotFound")
    ? notFoundError(groupResource(ctx), name)
    : e;
}

/**
 * Deletes (or marks) the object named `name`: the propagation policy's
 * finalizer is added (or removed) first; an object left with pending
 * finalizers gets a deletionTimestamp and is kept, any other is deleted.
 */
export async function deleteObject(
  ctx: ResourceContext,
  key: string,
  name: string,
  opts: DeleteOpts,
): Promise<DeleteOutcome> {
  const undeletable = ctx.def.undeletable;
  if (undeletable?.names.includes(name)) {
    throw forbiddenError(groupResource(ctx), name, undeletable.reason);
  }
  if (!opts.dryRun) ctx.services.deleting?.(ctx.def, ctx.cluster, name);
  for (let attempt = 0;; attempt++) {
    let current: KubeObject;
    try {
      current = await ctx.store.get(key);
    } catch (e) {
      throw notFound(ctx, name, e);
    }
    checkPreconditions(ctx, key, current, opts.preconditions);
    // Validating admission sees the object being deleted once per delete
    // (upstream's deleteValidation), before anything is written.
    if (attempt === 0) await admitDelete(ctx, current, !!opts.dryRun);
    try {
      const adjusted = withPolicy(ctx, current, opts);
      if (adjusted !== current || hasPendingFinalizers(ctx.def, adjusted)) {
        if (opts.dryRun) {
          if (!hasPendingFinalizers(ctx.def, adjusted)) {
            return { obj: current, deleted: true };
          }
          return { obj: markDeleting(ctx, adjusted), deleted: false };
        }
        try {
          const obj = await ctx.store.guaranteedUpdate(key, {
            tryUpdate: (cur) => {
              checkPreconditions(ctx, key, cur!, opts.preconditions);
              const next = withPolicy(ctx, cur!, opts);
              if (!hasPendingFinalizers(ctx.def, next)) throw new DeleteNow();
              return markDeleting(ctx, next);
            },
          });
          return { obj, deleted: false };
        } catch (e) {
          if (!(e instanceof DeleteNow)) throw e;
        }
      }
      if (opts.dryRun) return { obj: current, deleted: true };
      const obj = await ctx.store.delete(key, {
        validateDeletion: (cur) => {
          checkPreconditions(ctx, key, cur, opts.preconditions);
          if (hasPendingFinalizers(ctx.def, withPolicy(ctx, cur, opts))) {
            throw new FinalizersAppeared();
          }
        },
      });
      return { obj, deleted: true };
    } catch (e) {
      if (!(e instanceof FinalizersAppeared) || attempt >= 5) {
        throw notFound(ctx, name, e);
      }
    }
  }
}

/** Handles `delete`. */
export async function handleDelete(ctx: ResourceContext): Promise<Response> {
  if (ctx.subresource) throw methodNotAllowedError();
  // Negotiated before the options are read, as upstream; a `Status` answer
  // is never converted (upstream's doTransformObject passes it through).
  const conv = await writeConversion(ctx);
  const opts = await readDeleteOptions(ctx);
  if (opts.ignoreStoreReadError) {
    // Nothing of the object can be shown: upstream answers a Status.
    return jsonResponse(deletedStatus(ctx, await unsafeDelete(ctx)), 200);
  }
  const { obj, deleted } = await deleteObject(ctx, keyOf(ctx), ctx.name, opts);
  if (!deleted || ctx.def.returnDeletedObject) {
    return objectResponse(ctx, conv, obj, 200);
  }
  return jsonResponse(deletedStatus(ctx, obj), 200);
}
