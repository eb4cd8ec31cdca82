/**
 * The `root-ca-cert-publisher` controller: every active namespace has a
 * `kube-root-ca.crt` ConfigMap whose `ca.crt` is the cluster CA (recreated
 * when deleted, repaired when changed).
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { CORE, FIELD_MANAGER } from "../client/mod.ts";
import type { ControllerDescriptor } from "../context.ts";
import { runPerNamespace } from "../_per_namespace.ts";

/** The ConfigMap's name, as upstream. */
export const ROOT_CA_CONFIGMAP = "kube-root-ca.crt";
/** The annotation upstream sets on it. */
export const DESCRIPTION_ANNOTATION = "kubernetes.io/description";
const DESCRIPTION =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

/** The ConfigMap the controller creates in `namespace`. */
function rootCAConfigMap(ca: string, namespace: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: ROOT_CA_CONFIGMAP,
      namespace,
      annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION },
    },
    data: { "ca.crt": ca },
  };
}

/** The `root-ca-cert-publisher` controller. */
export const rootCACertPublisher: ControllerDescriptor = {
  name: "root-ca-cert-publisher",
  identity: "root-ca-cert-publisher",
  requires: [{ group: "", resource: "configmaps" }],
  run(ctx, signal) {
    const ca = ctx.rootCA;
    if (!ca) {
      ctx.logger.warn("no root CA given; root-ca-cert-publisher idles");
      return new Promise((resolve) =>
        signal.addEventListener("abort", () => resolve(), { once: true })
      );
    }
    // One decoded copy of the expected content for every namespace of
    // every cluster (frozen: the informer's objects are only read).
    const sharedData = Object.freeze({ "ca.crt": ca });
    return runPerNamespace(ctx, {
      controller: "root-ca-cert-publisher",
      resource: CORE.configmaps,
      name: ROOT_CA_CONFIGMAP,
      desired: (namespace) => rootCAConfigMap(ca, namespace),
      compact(obj: KubeObject) {
        const data = obj.data as Record<string, string> | undefined;
        const ann = obj.metadata.annotations;
        const out = { ...obj };
        if (data?.["ca.crt"] === ca && Object.keys(data).length === 1) {
          out.data = sharedData;
        }
        if (ann?.[DESCRIPTION_ANNOTATION] === DESCRIPTION) {
          out.metadata = {
            ...obj.metadata,
            annotations: { ...ann, [DESCRIPTION_ANNOTATION]: DESCRIPTION },
          };
        }
        return out;
      },
      repair(current: KubeObject) {
        const data = current.data as Record<string, string> | undefined;
        const ann = current.metadata.annotations ?? {};
        if (
          data?.["ca.crt"] === ca && Object.keys(data).length === 1 &&
          ann[DESCRIPTION_ANNOTATION] === DESCRIPTION
        ) {
          return undefined;
        }
        const next = structuredClone(current);
        next.data = { "ca.crt": ca };
        delete next.binaryData;
        next.metadata.annotations = {
          ...ann,
          [DESCRIPTION_ANNOTATION]: DESCRIPTION,
        };
        return next;
      },
    }, signal);
  },
  namespaceSeed: ({ rootCA }) =>
    rootCA === undefined ? undefined : {
      resource: CORE.configmaps,
      manager: FIELD_MANAGER,
      desired: (namespace) => rootCAConfigMap(rootCA, namespace),
    },
};
