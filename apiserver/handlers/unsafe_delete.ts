/**
 * The unsafe delete of a corrupt object (KEP-3926,
 * `ignoreStoreReadErrorWithClusterBreakingPotential=true`): the one way
 * through the API to remove an object whose stored value cannot be read
 * back (not JSON, or not decryptable), which otherwise fails every get,
 * list and delete of it. It skips what needs the object — finalizers,
 * preconditions, delete admission — and so needs a second permission: the
 * user must be allowed `unsafe-delete-ignore-read-errors` on the resource as
 * well as `delete` (upstream's `authorizeUnsafeDelete`). An object that
 * reads fine is refused: the option is for corrupt objects only.
 *
 * @module
 */

import { isStorageError, type KubeObject } from "../../storage/mod.ts";
import {
  ApiError,
  forbiddenError,
  internalError,
  invalidError,
  notFoundError,
} from "../status/mod.ts";
import { invalid } from "../validation/field_error.ts";
import { groupResource, keyOf, type ResourceContext } from "./context.ts";
import { IGNORE_STORE_READ_ERROR } from "./delete_options.ts";

/** The verb a user needs, besides `delete`, for the unsafe delete. */
export const UNSAFE_DELETE_VERB = "unsafe-delete-ignore-read-errors";

/** Refuses the unsafe delete unless the user may do the extra verb. */
async function authorizeUnsafeDelete(ctx: ResourceContext): Promise<void> {
  const gr = groupResource(ctx);
  if (ctx.subresource) {
    throw forbiddenError(
      gr,
      ctx.name,
      `${IGNORE_STORE_READ_ERROR} delete option is not allowed on a subresource or non-resource request`,
    );
  }
  const authorize = ctx.services.authorize;
  if (!authorize) {
    throw internalError(
      "no authorizer provided, unable to authorize unsafe delete",
    );
  }
  let decision;
  try {
    decision = await authorize({
      user: ctx.user,
      cluster: ctx.cluster,
      verb: UNSAFE_DELETE_VERB,
      isResourceRequest: true,
      apiGroup: ctx.def.group,
      apiVersion: ctx.def.version,
      resource: ctx.def.plural,
      namespace: ctx.def.namespaced ? ctx.namespace : "",
      name: ctx.name,
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    ctx.services.logger.warn("failed to authorize an unsafe delete", {
      err: why,
    });
    throw forbiddenError(
      gr,
      ctx.name,
      `error while checking permission for "${UNSAFE_DELETE_VERB}", ${why}`,
    );
  }
  if (!decision.allowed) {
    throw forbiddenError(
      gr,
      ctx.name,
      `not permitted to do "${UNSAFE_DELETE_VERB}", reason: ${
        decision.reason ?? ""
      }`,
    );
  }
}

/** Upstream's answer when the object is not corrupt (or not there to check). */
function notCorruptError(ctx: ResourceContext): ApiError {
  return invalidError(ctx.def.group, ctx.def.plural, ctx.name, [
    invalid(
      IGNORE_STORE_READ_ERROR,
      true,
      "is exclusively used to delete corrupt object(s), try again by removing this option",
    ),
  ]);
}

/**
 * Deletes the corrupt object of the request. Returns what the store knows
 * of it: its name, namespace and the delete's resourceVersion.
 */
export async function unsafeDelete(ctx: ResourceContext): Promise<KubeObject> {
  await authorizeUnsafeDelete(ctx);
  const key = keyOf(ctx);
  ctx.services.logger.warn("unsafe delete of a corrupt object requested", {
    cluster: ctx.cluster,
    resource: ctx.def.plural,
    namespace: ctx.namespace,
    name: ctx.name,
    user: ctx.user.username,
  });
  try {
    // First a read (upstream's registry did the same): only a corrupt
    // object goes on, so a store that does not know `expectCorrupt` (and
    // would delete as usual) is never asked to delete a readable object.
    await ctx.store.get(key);
    throw notCorruptError(ctx);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (isStorageError(err, "NotFound")) {
      throw notFoundError(groupResource(ctx), ctx.name);
    }
    if (!isStorageError(err, "CorruptObject")) throw err;
  }
  ctx.services.deleting?.(ctx.def, ctx.cluster, ctx.name);
  try {
    // The store decides again (bypassing any cache): only a value it cannot
    // read back goes, and only while it still cannot.
    return await ctx.store.delete(key, { expectCorrupt: true });
  } catch (err) {
    if (isStorageError(err, "NotFound")) {
      throw notFoundError(groupResource(ctx), ctx.name);
    }
    if (isStorageError(err, "InvalidObject")) throw notCorruptError(ctx);
    throw err;
  }
}
