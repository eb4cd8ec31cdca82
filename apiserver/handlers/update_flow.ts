/**
 * The read-modify-write shared by PUT and PATCH: optimistic concurrency on
 * the sent resourceVersion, create-on-update where the kind allows it,
 * `dryRun`, and deletion once the last finalizer of a deleting object is
 * removed.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { isStorageError } from "../../storage/mod.ts";
import {
  conflictError,
  methodNotAllowedError,
  notFoundError,
} from "../status/mod.ts";
import { groupResource, keyOf, type ResourceContext } from "./context.ts";
import { checkNamespaceAdmits } from "./incoming.ts";
import { objectResponse } from "./respond.ts";
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

/**
 * Runs an update and writes the response. `allowCreate`: a missing object
 * is created when the kind allows create-on-update (PUT, not PATCH).
 */
export async function runUpdate(
  ctx: ResourceContext,
  incomingFor: IncomingFor,
  dryRun: boolean,
  allowCreate: boolean,
): Promise<Response> {
  const gr = groupResource(ctx);
  const key = keyOf(ctx);
  const createOnUpdate = allowCreate && !!ctx.def.allowCreateOnUpdate &&
    !ctx.subresource;
  let created = false;
  let result: KubeObject;
  try {
    result = await ctx.store.guaranteedUpdate(key, {
      ignoreNotFound: createOnUpdate,
      tryUpdate: async (current) => {
        const incoming = await incomingFor(current);
        if (current === null) {
          if (!createOnUpdate) throw notFoundError(gr, ctx.name);
          const obj = prepareCreate(ctx.def, incoming, ctx.services.now());
          await checkNamespaceAdmits(ctx);
          created = true;
          if (dryRun) throw new DryRunResult(obj, true);
          return obj;
        }
        const sentRv = incoming.metadata.resourceVersion;
        if (sentRv && sentRv !== current.metadata.resourceVersion) {
          throw conflictError(gr, ctx.name);
        }
        const next = prepareUpdate(ctx.def, current, incoming, ctx.subresource);
        created = false;
        if (dryRun) throw new DryRunResult(next, false);
        return next;
      },
    });
  } catch (e) {
    if (e instanceof DryRunResult) {
      return objectResponse(ctx, e.obj, e.created ? 201 : 200);
    }
    if (isStorageError(e, "NotFound")) throw notFoundError(gr, ctx.name);
    throw e;
  }
  if (
    result.metadata.deletionTimestamp && !hasPendingFinalizers(ctx.def, result)
  ) {
    result = await finishDeletion(ctx, key, result);
  }
  return objectResponse(ctx, result, created ? 201 : 200);
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
