/**
 * The `csrsigning` controller for `kubernetes.io/kube-apiserver-client`:
 * an approved request (not denied, not failed, not yet issued) gets a
 * certificate signed by the client CA — the CA the API server trusts for
 * client certificates, so the certificate logs in as the request's CN/O.
 * As upstream's signer: the requested usages must be `client auth`, with
 * `digital signature` and `key encipherment` allowed besides (otherwise a
 * `Failed` condition, reason `SignerValidationFailure`); the lifetime is
 * `spec.expirationSeconds` capped at one year (`--cluster-signing-duration`)
 * and at the CA's own expiry; the certificate is written through the
 * `status` subresource, which requires `sign` on the signer.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import {
  decodeBytes,
  isApproved,
  isDenied,
  isFailed,
  isIssued,
  KUBE_APISERVER_CLIENT_SIGNER,
  specOf,
  statusOf,
} from "../../apiserver/certificates/mod.ts";
import {
  ALL_CLUSTERS,
  clusterOf,
  isConflict,
  isNotFound,
} from "../client/mod.ts";
import type { ControllerContext } from "../context.ts";
import { cacheKey, runWorkers, WorkQueue } from "../runtime/mod.ts";
import { CSRS } from "./resource.ts";
import { rfc3339 } from "../../internal/time.ts";

/** Upstream's default `--cluster-signing-duration`. */
export const DEFAULT_SIGNING_DURATION_MS = 365 * 24 * 60 * 60 * 1000;

const REQUIRED = ["client auth"];
const ALLOWED = ["client auth", "digital signature", "key encipherment"];

/**
 * Upstream's usage check for client certificates of the API server:
 * `undefined` when fine, otherwise why not.
 */
export function clientUsagesProblem(usages: unknown): string | undefined {
  const list = Array.isArray(usages) ? usages.map(String) : [];
  for (const u of list) {
    if (!ALLOWED.includes(u)) {
      return `invalid usage for client certificate: ${u}`;
    }
  }
  for (const u of REQUIRED) {
    if (!list.includes(u)) {
      return `missing required usage for client certificate: ${u}`;
    }
  }
  return undefined;
}

/** Whether the signer has work on `csr`. */
export function wantsSigning(csr: KubeObject): boolean {
  return specOf(csr).signerName === KUBE_APISERVER_CLIENT_SIGNER &&
    isApproved(csr) && !isDenied(csr) && !isFailed(csr) && !isIssued(csr);
}

/** Runs the signer until `signal` aborts (idles without a CA). */
export async function runCsrSigner(
  ctx: ControllerContext,
  signal: AbortSignal,
): Promise<void> {
  const ca = ctx.clientCA;
  if (!ca) {
    ctx.logger.warn("no client CA given; csrsigning idles");
    await new Promise<void>((resolve) =>
      signal.addEventListener("abort", () => resolve(), { once: true })
    );
    return;
  }
  const now = ctx.now ?? (() => new Date());
  const queue = new WorkQueue();
  const informer = ctx.informers.informer({
    target: { cluster: ALL_CLUSTERS, resource: CSRS },
  });
  const consider = (csr: KubeObject) => {
    const cluster = clusterOf(csr);
    if (!cluster || !ctx.clusters.accepts(cluster)) return;
    if (wantsSigning(csr)) {
      queue.add(cacheKey(cluster, "", csr.metadata.name!));
    }
  };
  informer.addHandler({
    onAdd: consider,
    onUpdate: (_old, csr) => consider(csr),
  });

  const sync = async (key: string) => {
    await informer.waitForSync(signal);
    if (signal.aborted) return;
    const csr = informer.get(key);
    if (!csr || !wantsSigning(csr)) return;
    const cluster = clusterOf(csr)!;
    const name = csr.metadata.name!;
    const target = {
      cluster,
      resource: CSRS,
      name,
      subresource: "status",
    };
    const next = structuredClone(csr) as KubeObject & {
      status?: Record<string, unknown>;
    };
    const status = next.status = { ...statusOf(csr) };
    const spec = specOf(csr);
    const problem = clientUsagesProblem(spec.usages);
    if (problem) {
      const stamp = rfc3339(now());
      status.conditions = [
        ...(Array.isArray(status.conditions) ? status.conditions : []),
        {
          type: "Failed",
          status: "True",
          reason: "SignerValidationFailure",
          message: `Validation failed: ${problem}`,
          lastUpdateTime: stamp,
          lastTransitionTime: stamp,
        },
      ];
      ctx.logger.info("refused to sign", { cluster, name, reason: problem });
    } else {
      const request = decodeBytes(spec.request);
      if (!request) return;
      const { signCsr } = await import(
        "../../apiserver/certificates/x509.ts"
      );
      const pem = await signCsr(ca, {
        csrPem: new TextDecoder().decode(request),
        usages: (spec.usages as string[]) ?? [],
        expirationSeconds: typeof spec.expirationSeconds === "number"
          ? spec.expirationSeconds
          : undefined,
        maxTtlMs: DEFAULT_SIGNING_DURATION_MS,
        now: now(),
      });
      status.certificate = btoa(pem);
      ctx.logger.info("signed certificate", { cluster, name });
    }
    try {
      await ctx.client.update(target, next);
    } catch (e) {
      // Changed or gone meanwhile: the informer brings the news.
      if (isNotFound(e) || isConflict(e)) return;
      throw e;
    }
  };

  const stop = () => queue.shutDown();
  signal.addEventListener("abort", stop, { once: true });
  try {
    await runWorkers(
      queue,
      ctx.workers ?? 2,
      sync,
      (item, error) => ctx.logger.warn("csr signing failed", { item, error }),
    );
  } finally {
    signal.removeEventListener("abort", stop);
  }
}
