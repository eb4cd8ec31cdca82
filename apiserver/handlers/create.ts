/**
 * POST on a collection: create an object (generated names retried on
 * conflict; `dryRun=All` validates and stores nothing).
 *
 * @module
 */

import { isStorageError } from "../../storage/mod.ts";
import { alreadyExistsError, methodNotAllowedError } from "../status/mod.ts";
import {
  admit,
  groupResource,
  keyOf,
  mutate,
  type ResourceContext,
} from "./context.ts";
import {
  keepManagedFields,
  requestManager,
  trackUpdate,
} from "./field_manager.ts";
import {
  checkNamespaceAdmits,
  normalizeIncoming,
  parseDryRun,
  readIncomingBody,
} from "./incoming.ts";
import { objectResponse, writeConversion } from "./respond.ts";
import { generateNameFrom, prepareCreate } from "./strategy.ts";

/** How often a generated name is retried when it collides. */
const GENERATE_NAME_ATTEMPTS = 8;

/** Handles `create`. */
export async function handleCreate(ctx: ResourceContext): Promise<Response> {
  if (ctx.name !== "" || ctx.subresource !== "") {
    await ctx.req.body?.cancel();
    throw methodNotAllowedError();
  }
  // Negotiated before the body is read and anything written, as upstream.
  const conv = await writeConversion(ctx);
  const body = await readIncomingBody(ctx);
  const dryRun = parseDryRun(ctx, "CreateOptions");
  const manager = requestManager(ctx, "CreateOptions");
  const tracked = trackUpdate(ctx, manager, null, normalizeIncoming(ctx, body));
  const obj = prepareCreate(
    ctx.def,
    await mutate(ctx, "CREATE", tracked, undefined, dryRun),
    ctx.services.now(),
  );
  keepManagedFields(obj, obj); // last in metadata, as upstream serialises it
  const name = obj.metadata.name!;
  await checkNamespaceAdmits({ ...ctx, name });
  await admit(ctx, "CREATE", obj, undefined, dryRun);
  if (dryRun) return objectResponse(ctx, conv, obj, 201);
  const generated = !body.metadata ||
    !(body.metadata as Record<string, unknown>).name;
  for (let attempt = 1;; attempt++) {
    try {
      const created = await ctx.store.create(
        keyOf(ctx, obj.metadata.name!),
        obj,
      );
      return objectResponse(ctx, conv, created, 201);
    } catch (e) {
      if (!isStorageError(e, "KeyExists")) throw e;
      if (!generated || attempt >= GENERATE_NAME_ATTEMPTS) {
        throw alreadyExistsError(groupResource(ctx), obj.metadata.name!);
      }
      obj.metadata.name = generateNameFrom(obj.metadata.generateName!);
    }
  }
}
