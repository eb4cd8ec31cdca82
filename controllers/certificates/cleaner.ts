/**
 * The `csrcleaner` controller, as upstream's: every hour it deletes the
 * requests that are done with — approved and issued for more than an hour,
 * denied or failed for more than an hour, pending for more than a day — and
 * those whose issued certificate has expired.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import {
  conditionsOf,
  decodeBytes,
  isApproved,
  isDenied,
  isFailed,
  isIssued,
  statusOf,
} from "../../apiserver/certificates/mod.ts";
import { ALL_CLUSTERS, clusterOf, isNotFound } from "../client/mod.ts";
import type { ControllerContext } from "../context.ts";
import { sleep } from "../../internal/sleep.ts";
import { CSRS } from "./resource.ts";

const HOUR = 60 * 60 * 1000;
/** Upstream's deadlines. */
export const APPROVED_EXPIRATION_MS = HOUR;
export const DENIED_EXPIRATION_MS = HOUR;
export const FAILED_EXPIRATION_MS = HOUR;
export const PENDING_EXPIRATION_MS = 24 * HOUR;
/** How often the cleaner looks (upstream: hourly). */
export const CLEANER_INTERVAL_MS = HOUR;

function conditionTime(csr: KubeObject, type: string): number | undefined {
  const c = conditionsOf(csr).find((c) => c.type === type);
  const t = c?.lastUpdateTime ?? c?.lastTransitionTime;
  return t ? Date.parse(t) : undefined;
}

function olderThan(t: number | undefined, ms: number, now: number): boolean {
  return t !== undefined && now - t > ms;
}

/**
 * Why `csr` should be deleted at `now`, or `undefined` to keep it.
 * `certificateNotAfter` reads an issued certificate's expiry.
 */
export function cleanupReason(
  csr: KubeObject,
  now: Date,
  certificateNotAfter: (pem: string) => Date | undefined,
): string | undefined {
  const t = now.getTime();
  if (isIssued(csr)) {
    const pem = decodeBytes(statusOf(csr).certificate);
    const notAfter = pem
      ? certificateNotAfter(new TextDecoder().decode(pem))
      : undefined;
    if (notAfter && notAfter.getTime() < t) return "certificate expired";
  }
  if (
    isApproved(csr) && isIssued(csr) &&
    olderThan(conditionTime(csr, "Approved"), APPROVED_EXPIRATION_MS, t)
  ) return "issued more than an hour ago";
  if (
    isDenied(csr) &&
    olderThan(conditionTime(csr, "Denied"), DENIED_EXPIRATION_MS, t)
  ) return "denied more than an hour ago";
  if (
    isFailed(csr) &&
    olderThan(conditionTime(csr, "Failed"), FAILED_EXPIRATION_MS, t)
  ) return "failed more than an hour ago";
  const created = csr.metadata.creationTimestamp
    ? Date.parse(csr.metadata.creationTimestamp)
    : undefined;
  if (
    !isApproved(csr) && !isDenied(csr) && !isFailed(csr) &&
    olderThan(created, PENDING_EXPIRATION_MS, t)
  ) return "pending for more than a day";
  return undefined;
}

/** Runs the cleaner until `signal` aborts. */
export async function runCsrCleaner(
  ctx: ControllerContext,
  signal: AbortSignal,
): Promise<void> {
  const now = ctx.now ?? (() => new Date());
  const interval = ctx.csrCleanerIntervalMs ?? CLEANER_INTERVAL_MS;
  const informer = ctx.informers.informer({
    target: { cluster: ALL_CLUSTERS, resource: CSRS },
  });
  await informer.waitForSync(signal);
  // @peculiar/x509 is loaded once there is a CSR to look at: loaded at
  // start it held the event loop while the server became ready.
  let x509: typeof import("../../apiserver/certificates/x509.ts") | undefined;
  while (!signal.aborted) {
    for (const csr of informer.list()) {
      const cluster = clusterOf(csr);
      if (!cluster || !ctx.clusters.accepts(cluster)) continue;
      x509 ??= await import("../../apiserver/certificates/x509.ts");
      const why = cleanupReason(csr, now(), x509.certificateNotAfter);
      if (!why) continue;
      try {
        await ctx.client.delete({
          cluster,
          resource: CSRS,
          name: csr.metadata.name!,
        }, { preconditions: { uid: csr.metadata.uid } });
        ctx.logger.info("deleted certificate signing request", {
          cluster,
          name: csr.metadata.name,
          reason: why,
        });
      } catch (e) {
        if (!isNotFound(e)) {
          ctx.logger.warn("cannot delete certificate signing request", {
            cluster,
            name: csr.metadata.name,
            error: e,
          });
        }
      }
    }
    await sleep(interval, signal);
  }
}
