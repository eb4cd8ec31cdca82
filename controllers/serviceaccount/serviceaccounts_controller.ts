/**
 * The `serviceaccount` controller: every active namespace has a `default`
 * ServiceAccount (recreated when deleted).
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { CORE, FIELD_MANAGER } from "../client/mod.ts";
import type { ControllerDescriptor } from "../context.ts";
import { runPerNamespace } from "../_per_namespace.ts";

/** The ServiceAccount the controller creates in `namespace`. */
function defaultServiceAccount(namespace: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "default", namespace },
  };
}

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
      desired: defaultServiceAccount,
      // Nothing to repair: the garbage collector's metadata informer of
      // ServiceAccounts tells whether `default` exists.
      existenceOnly: true,
    }, signal),
  namespaceSeed: () => ({
    resource: CORE.serviceaccounts,
    manager: FIELD_MANAGER,
    desired: defaultServiceAccount,
  }),
};
