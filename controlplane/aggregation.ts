/**
 * API aggregation of a control plane built in code: turns the plain
 * {@linkcode ControlPlaneAggregation} options into what the API server
 * needs — the front proxy's certificates (given, or generated under
 * `<dataDir>/tls/`), the client CA published to extension servers, and the
 * resolver of APIServices' `spec.service`.
 *
 * @module
 */

import type { Logger } from "../log/mod.ts";
import {
  type AggregationOptions,
  createServiceResolver,
  type ResolutionSource,
} from "../apiserver/aggregator/mod.ts";
import {
  ensureClientCa,
  ensureFrontProxyCertificates,
} from "../apiserver/serving/mod.ts";

/** How a control plane delegates group/versions to extension API servers. */
export interface ControlPlaneAggregation {
  /** The front proxy's client certificate; default: generated. */
  proxyClientCertFile?: string;
  /** The front proxy's private key; default: generated. */
  proxyClientKeyFile?: string;
  /** The CA that signed `proxyClientCertFile` (published to extensions). */
  requestHeaderClientCaFile?: string;
  /** Common names the proxy certificate may carry; default `front-proxy-client`. */
  allowedNames?: readonly string[];
  /** `namespace/name:port` → `https://host:port`. */
  serviceMap?: ReadonlyMap<string, string>;
  /** Resolution order; default `["static", "dns"]`. */
  resolution?: readonly ResolutionSource[];
  /** Appended to `<name>.<namespace>.svc` for DNS resolution. */
  dnsDomain?: string;
  /** Between availability checks (default 10 s). */
  checkIntervalMs?: number;
}

/** The API server's aggregation options for `opts`. */
export async function aggregationOptions(
  opts: ControlPlaneAggregation,
  ctx: { dataDir: string; clientCaFile?: string; logger: Logger },
): Promise<AggregationOptions> {
  const proxy = await ensureFrontProxyCertificates({
    dataDir: ctx.dataDir,
    certFile: opts.proxyClientCertFile,
    keyFile: opts.proxyClientKeyFile,
    caFile: opts.requestHeaderClientCaFile,
    logger: ctx.logger,
  });
  const clientCaPem = ctx.clientCaFile === undefined
    ? (await ensureClientCa({ dataDir: ctx.dataDir, logger: ctx.logger }))
      .certPem
    : await Deno.readTextFile(ctx.clientCaFile);
  return {
    resolver: createServiceResolver({
      staticMap: opts.serviceMap,
      sources: opts.resolution,
      dnsDomain: opts.dnsDomain,
    }),
    proxyClient: { certPem: proxy.certPem, keyPem: proxy.keyPem },
    authentication: {
      clientCaPem,
      requestHeaderCaPem: proxy.caPem,
      allowedNames: opts.allowedNames ?? ["front-proxy-client"],
    },
    checkIntervalMs: opts.checkIntervalMs,
  };
}
