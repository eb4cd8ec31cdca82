/**
 * The availability check of one remote APIService, as upstream's
 * `AvailableConditionController`: resolve the service, then `GET
 * /apis/<group>/<version>` on the extension as the front proxy (identity
 * `system:kube-aggregator`, group `system:masters`) within a timeout. A 2xx
 * answer makes the APIService `Available` (`Passed`) and its body — the
 * group/version's `APIResourceList` — is what discovery lists; anything
 * else is `Available=False` with upstream's reasons (`ServiceNotFound`,
 * `FailedDiscoveryCheck`). Local APIServices are always available (`Local`).
 *
 * @module
 */

import type {
  ApiServiceCondition,
  ApiServiceSpec,
} from "../resources/apiservices.ts";
import { fetchFailure, type ProxyClients } from "./clients.ts";
import { proxyRequestHeaders } from "./proxy_headers.ts";
import { ServiceNotFoundError, type ServiceResolver } from "./resolver.ts";

/** An `APIResourceList` as the extension served it. */
export interface ResourceList {
  groupVersion?: string;
  resources?: Record<string, unknown>[];
}

/** The outcome of one check. */
export interface CheckResult {
  condition: Omit<ApiServiceCondition, "lastTransitionTime">;
  /** The discovery document, when the check passed. */
  resources?: ResourceList;
}

/** The condition of a local APIService. */
export const LOCAL_AVAILABLE: CheckResult["condition"] = {
  type: "Available",
  status: "True",
  reason: "Local",
  message: "Local APIServices are always available",
};

/** What a check needs. */
export interface CheckDeps {
  resolver: ServiceResolver;
  clients: ProxyClients;
  /** Default 5 000 ms (upstream's discovery check timeout is 5 s too). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Checks one remote APIService. Never throws. */
export async function checkApiService(
  spec: ApiServiceSpec,
  deps: CheckDeps,
): Promise<CheckResult> {
  const failed = (reason: string, message: string): CheckResult => ({
    condition: { type: "Available", status: "False", reason, message },
  });
  let base: URL;
  try {
    base = await deps.resolver.resolve(spec.service!);
  } catch (e) {
    if (e instanceof ServiceNotFoundError) {
      return failed("ServiceNotFound", e.message);
    }
    return failed("ServiceNotFound", (e as Error).message);
  }
  const url = new URL(`/apis/${spec.group}/${spec.version}`, base).href;
  const timeout = AbortSignal.timeout(deps.timeoutMs ?? 5000);
  const signal = deps.signal
    ? AbortSignal.any([timeout, deps.signal])
    : timeout;
  let res: Response;
  try {
    res = await deps.clients.fetch(url, {
      headers: proxyRequestHeaders(
        new Headers({ accept: "application/json" }),
        { username: "system:kube-aggregator", groups: ["system:masters"] },
      ),
      signal,
    }, spec);
  } catch (e) {
    const why = timeout.aborted ? "context deadline exceeded" : fetchFailure(e);
    return failed(
      "FailedDiscoveryCheck",
      `failing or missing response from ${url}: Get ${
        JSON.stringify(url)
      }: ${why}`,
    );
  }
  let body: ResourceList | undefined;
  try {
    const text = await res.text();
    if (res.ok) body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    return failed(
      "FailedDiscoveryCheck",
      `failing or missing response from ${url}: bad status from ${url}: ${res.status}`,
    );
  }
  if (!body || !Array.isArray(body.resources)) {
    return failed(
      "FailedDiscoveryCheck",
      `failing or missing response from ${url}: the answer is not an APIResourceList`,
    );
  }
  return {
    condition: {
      type: "Available",
      status: "True",
      reason: "Passed",
      message: "all checks passed",
    },
    resources: body,
  };
}
