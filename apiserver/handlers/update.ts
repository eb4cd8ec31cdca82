/**
 * PUT of an object or of a subresource (`status`, `finalize`).
 *
 * @module
 */

import type { ResourceContext } from "./context.ts";
import { requestManager } from "./field_manager.ts";
import {
  checkNameMatchesUrl,
  normalizeIncoming,
  parseDryRun,
  readIncomingBody,
} from "./incoming.ts";
import { checkSubresourceVerb, runUpdate } from "./update_flow.ts";
import { writeConversion } from "./respond.ts";

/** Handles `update`. */
export async function handleUpdate(ctx: ResourceContext): Promise<Response> {
  checkSubresourceVerb(ctx, "update");
  const conversion = await writeConversion(ctx);
  const body = await readIncomingBody(ctx);
  const dryRun = parseDryRun(ctx, "UpdateOptions");
  const manager = requestManager(ctx, "UpdateOptions");
  const incoming = normalizeIncoming(ctx, body);
  checkNameMatchesUrl(ctx, incoming);
  // As upstream's defaultUpdatedObjectInfo: a UID in the body must be the
  // stored object's (a stale body of a re-created object is a Conflict).
  const uid = incoming.metadata.uid;
  return await runUpdate(ctx, () => structuredClone(incoming), dryRun, true, {
    manager,
    conversion,
    preconditions: uid ? { uid } : undefined,
  });
}
