/**
 * The `serviceaccount` controller: every active namespace has a `default`
 * ServiceAccount (recreated when deleted).
 *
 * @module
 */

import { CORE } from "../client/mod.ts";
import type { ControllerDescriptor } from "../context.ts";
import { runPerNamespace } from "../_per_namespace.ts";

/** The `serviceaccount` controller. */
export const serviceAccountController: ControllerDescriptor = {
  name: "serviceaccount",
  identity: "service-account-controller",
  requires: [{ group: "", resource: "serviceaccounts" }],
  run: (ctx, signal) =>
    runPerNamespace(ctx, {
      controller: "serviceaccount",
      resource: CORE.serviceaccounts,
      name: "default",
      desired: (namespace) => ({
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "default", namespace },
      }),
    }, signal),
};
