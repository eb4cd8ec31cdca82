/**
 * The `apiVersion`/`kind` a create or update body names, judged as
 * kube-apiserver's typed decoder judges them for a built-in kind. Upstream
 * decodes the body into the Go type its `apiVersion`/`kind` name (missing
 * ones default to the endpoint's) and converts that into the endpoint's
 * type, so a mismatch fails in one of three ways, each a 400:
 *
 * - a kind the scheme does not know: `Pod in version "v2" cannot be handled
 *   as a Namespace: no kind "Pod" is registered for version "v2" in scheme
 *   "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30"`;
 * - a known kind that does not convert: `ConfigMap in version "v1" cannot be
 *   handled as a Namespace: converting (v1.ConfigMap) to (core.Namespace):
 *   unknown conversion`;
 * - the same kind at another served version (core and events.k8s.io
 *   events): `the API version in the data (v1) does not match the expected
 *   API version (events.k8s.io/v1)`.
 *
 * A `metadata` that is not an object fails decoding into `ObjectMeta`.
 * Custom resources decode without a typed scheme; their checks stay in
 * `normalizeIncoming`.
 *
 * @module
 */

import { badRequestError } from "../status/mod.ts";
import { builtinSchema } from "../resources/kind_tables.ts";
import { goJsonTypeName } from "../http/go_json_errors.ts";
import { goDecodeError, type Schema } from "../schema/mod.ts";

const LEGACY_SCHEME = "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30";
const APIEXTENSIONS_SCHEME =
  "k8s.io/apiextensions-apiserver/pkg/apiserver/apiserver.go:52";

/**
 * Kinds kube-apiserver's scheme knows that this server does not serve (so
 * a Pod posted to `/api/v1/namespaces` fails as a conversion, as upstream).
 */
const UPSTREAM_KINDS: Record<string, readonly string[]> = {
  "v1": [
    "Pod",
    "Service",
    "Endpoints",
    "Node",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "ReplicationController",
    "LimitRange",
    "PodTemplate",
    "Binding",
    "ComponentStatus",
  ],
  "apps/v1": [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ControllerRevision",
  ],
  "batch/v1": ["Job", "CronJob"],
  "networking.k8s.io/v1": ["Ingress", "IngressClass", "NetworkPolicy"],
  "policy/v1": ["PodDisruptionBudget"],
  "autoscaling/v1": ["HorizontalPodAutoscaler", "Scale"],
  "autoscaling/v2": ["HorizontalPodAutoscaler"],
  "storage.k8s.io/v1": ["StorageClass", "CSIDriver", "CSINode"],
  "scheduling.k8s.io/v1": ["PriorityClass"],
  "authentication.k8s.io/v1": ["TokenRequest", "TokenReview"],
};

function splitApiVersion(av: string): { group: string; version: string } {
  const i = av.indexOf("/");
  return i < 0
    ? { group: "", version: av }
    : { group: av.slice(0, i), version: av.slice(i + 1) };
}

/** Go's package name of a group's internal types. */
function internalPackage(group: string): string {
  if (group === "" || group === "events.k8s.io") return "core";
  return group.split(".")[0];
}

function isRegistered(apiExtensions: boolean, av: string, kind: string) {
  const { group, version } = splitApiVersion(av);
  if (apiExtensions) {
    return group === "apiextensions.k8s.io" &&
      (version === "v1" || version === "v1beta1") &&
      (kind === "CustomResourceDefinition" ||
        kind === "CustomResourceDefinitionList");
  }
  if (group === "apiextensions.k8s.io") return false;
  return builtinSchema(group, version, kind) !== undefined ||
    (UPSTREAM_KINDS[av]?.includes(kind) ?? false);
}

/**
 * Throws upstream's 400 when `body` (a decoded create/update body for a
 * built-in kind whose endpoint expects `expected`) names another kind or
 * version, or carries a `metadata` that is not an object.
 */
export function checkDecodedKind(
  body: Record<string, unknown>,
  expected: { apiVersion: string; kind: string },
): void {
  const kind = typeof body.kind === "string" && body.kind !== ""
    ? body.kind
    : expected.kind;
  const av = typeof body.apiVersion === "string" && body.apiVersion !== "" &&
      body.apiVersion !== "/"
    ? body.apiVersion
    : expected.apiVersion;
  const { group, version } = splitApiVersion(av);
  const cannot = (reason: string) =>
    badRequestError(
      `${kind} in version ${
        JSON.stringify(version)
      } cannot be handled as a ${expected.kind}: ${reason}`,
    );
  if (kind !== expected.kind || av !== expected.apiVersion) {
    const apiExtensions =
      splitApiVersion(expected.apiVersion).group === "apiextensions.k8s.io";
    if (!isRegistered(apiExtensions, av, kind)) {
      throw cannot(
        `no kind ${JSON.stringify(kind)} is registered for version ${
          JSON.stringify(av)
        } in scheme ${
          JSON.stringify(apiExtensions ? APIEXTENSIONS_SCHEME : LEGACY_SCHEME)
        }`,
      );
    }
    const target = internalPackage(splitApiVersion(expected.apiVersion).group);
    if (kind !== expected.kind || internalPackage(group) !== target) {
      throw cannot(
        `converting (${version}.${kind}) to (${target}.${expected.kind}): unknown conversion`,
      );
    }
    throw badRequestError(
      `the API version in the data (${av}) does not match the expected API version (${expected.apiVersion})`,
    );
  }
  const meta = body.metadata;
  if (
    meta !== undefined && meta !== null &&
    (typeof meta !== "object" || Array.isArray(meta))
  ) {
    throw cannot(
      `json: cannot unmarshal ${
        goJsonTypeName(meta)
      } into Go struct field ${kind}.metadata of type v1.ObjectMeta`,
    );
  }
}

/**
 * Throws upstream's 400 when `body` (a create/update body of a built-in
 * kind, already through {@linkcode checkDecodedKind}) holds a value Go's
 * decoder refuses for the kind's `schema`: a wrong JSON type or a timestamp
 * Go cannot parse (`Event in version "v1" cannot be handled as a Event:
 * parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as
 * "2006"`).
 */
export function checkDecodedTypes(
  body: Record<string, unknown>,
  expected: { apiVersion: string; kind: string },
  schema: Schema,
): void {
  const err = goDecodeError(body, schema);
  if (err === undefined) return;
  throw badRequestError(
    `${expected.kind} in version ${
      JSON.stringify(splitApiVersion(expected.apiVersion).version)
    } cannot be handled as a ${expected.kind}: ${err}`,
  );
}
