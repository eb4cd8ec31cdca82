/**
 * DELETE of one object: immediate, or — while finalizers remain — marking it
 * with a deletionTimestamp and keeping it.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { isStorageError } from "../../storage/mod.ts";
import { jsonResponse } from "../http/response.ts";
import { methodNotAllowedError, notFoundError } from "../status/mod.ts";
import { groupResource, keyOf, type ResourceContext } from "./context.ts";
import {
  checkPreconditions,
  type DeleteOpts,
  readDeleteOptions,
} from "./delete_options.ts";
import { deletedStatus, objectResponse } from "./respond.ts";
import { hasPendingFinalizers, rfc3339 } from "./strategy.ts";

/** The outcome of deleting one object. */
export interface DeleteOutcome {
  obj: KubeObject;
  /** False when the object was only marked (finalizers pending). */
  deleted: boolean;
}

class FinalizersAppeared {}
class FinalizersGone {}

function markDeleting(ctx: ResourceContext, obj: KubeObject): KubeObject {
  const next = structuredClone(obj);
  if (!next.metadata.deletionTimestamp) {
    next.metadata.deletionTimestamp = rfc3339(ctx.services.now());
    next.metadata.deletionGracePeriodSeconds = 0;
  }
  ctx.def.prepareForDeletion?.(next);
  return next;
}

/** Deletes (or marks) the object named `name`. */
export async function deleteObject(
  ctx: ResourceContext,
  key: string,
  name: string,
  opts: DeleteOpts,
): Promise<DeleteOutcome> {
  for (let attempt = 0;; attempt++) {
    let current: KubeObject;
    try {
      current = await ctx.store.get(key);
    } catch (e) {
      if (isStorageError(e, "NotFound")) {
        throw notFoundError(groupResource(ctx), name);
      }
      throw e;
    }
    checkPreconditions(ctx, current, opts.preconditions);
    try {
      if (hasPendingFinalizers(ctx.def, current)) {
        if (opts.dryRun) {
          return { obj: markDeleting(ctx, current), deleted: false };
        }
        const obj = await ctx.store.guaranteedUpdate(key, {
          tryUpdate: (cur) => {
            checkPreconditions(ctx, cur!, opts.preconditions);
            if (!hasPendingFinalizers(ctx.def, cur!)) {
              throw new FinalizersGone();
            }
            return markDeleting(ctx, cur!);
          },
        });
        return { obj, deleted: false };
      }
      if (opts.dryRun) return { obj: current, deleted: true };
      const obj = await ctx.store.delete(key, {
        validateDeletion: (cur) => {
          checkPreconditions(ctx, cur, opts.preconditions);
          if (hasPendingFinalizers(ctx.def, cur)) {
            throw new FinalizersAppeared();
          }
        },
      });
      return { obj, deleted: true };
    } catch (e) {
      if (isStorageError(e, "NotFound")) {
        throw notFoundError(groupResource(ctx), name);
      }
      const raced = e instanceof FinalizersAppeared ||
        e instanceof FinalizersGone;
      if (!raced || attempt >= 5) throw e;
    }
  }
}

/** Handles `delete`. */
export async function handleDelete(ctx: ResourceContext): Promise<Response> {
  if (ctx.subresource) throw methodNotAllowedError();
  const opts = await readDeleteOptions(ctx);
  const { obj, deleted } = await deleteObject(ctx, keyOf(ctx), ctx.name, opts);
  if (!deleted || ctx.def.returnDeletedObject) {
    return objectResponse(ctx, obj, 200);
  }
  return jsonResponse(deletedStatus(ctx, obj), 200);
}
