/**
 * apiregistration.k8s.io/v1 (`io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.*`):
 * APIService, the object that delegates one group/version to an extension
 * API server (or marks it as served locally).
 *
 * @module
 */

import { bool, int32, listOf, object, str } from "./_builders.ts";
import { named, ref } from "./_named.ts";
import { kindSchema, listSchema, TIME } from "./meta_v1.ts";
import type { Schema } from "./types.ts";

const REG = "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1";

const SERVICE_REFERENCE: Schema = named(
  `${REG}.ServiceReference`,
  object("ServiceReference holds a reference to Service.legacy.k8s.io", {
    name: str("Name is the name of the service"),
    namespace: str("Namespace is the namespace of the service"),
    port: int32(
      "If specified, the port on the service that hosting webhook. Default to 443 for backward compatibility. `port` should be a valid port number (1-65535, inclusive).",
    ),
  }),
);

const SPEC: Schema = named(
  `${REG}.APIServiceSpec`,
  object(
    "APIServiceSpec contains information for locating and communicating with a server. Only https is supported, though you are able to disable certificate verification.",
    {
      caBundle: str(
        "CABundle is a PEM encoded CA bundle which will be used to validate an API server's serving certificate. If unspecified, system trust roots on the apiserver are used.",
        { format: "byte", "x-kubernetes-list-type": "atomic" },
      ),
      group: str("Group is the API group name this server hosts"),
      groupPriorityMinimum: int32(
        "GroupPriorityMinimum is the priority this group should have at least. Higher priority means that the group is preferred by clients over lower priority ones.",
      ),
      insecureSkipTLSVerify: bool(
        "InsecureSkipTLSVerify disables TLS certificate verification when communicating with this server. This is strongly discouraged.  You should use the CABundle instead.",
      ),
      service: ref(
        SERVICE_REFERENCE,
        "Service is a reference to the service for this API server.  It must communicate on port 443. If the Service is nil, that means the handling for the API groupversion is handled locally on this server. The call will simply delegate to the normal handler chain to be fulfilled.",
      ),
      version: str(
        'Version is the API version this server hosts.  For example, "v1"',
      ),
      versionPriority: int32(
        "VersionPriority controls the ordering of this API version inside of its group.  Must be greater than zero.",
      ),
    },
    { required: ["groupPriorityMinimum", "versionPriority"] },
  ),
);

const CONDITION: Schema = named(
  `${REG}.APIServiceCondition`,
  object(
    "APIServiceCondition describes the state of an APIService at a particular point",
    {
      lastTransitionTime: ref(
        TIME,
        "Last time the condition transitioned from one status to another.",
      ),
      message: str(
        "Human-readable message indicating details about last transition.",
      ),
      reason: str(
        "Unique, one-word, CamelCase reason for the condition's last transition.",
      ),
      status: str(
        "Status is the status of the condition. Can be True, False, Unknown.",
      ),
      type: str("Type is the type of the condition."),
    },
    { required: ["type", "status"] },
  ),
);

const STATUS: Schema = named(
  `${REG}.APIServiceStatus`,
  object(
    "APIServiceStatus contains derived information about an API server",
    {
      conditions: listOf(
        "Current service state of apiService.",
        ref(CONDITION),
        {
          "x-kubernetes-list-map-keys": ["type"],
          "x-kubernetes-list-type": "map",
          "x-kubernetes-patch-merge-key": "type",
          "x-kubernetes-patch-strategy": "merge",
        },
      ),
    },
  ),
);

/** apiregistration.k8s.io/v1 `APIService`. */
export const API_SERVICE: Schema = kindSchema(
  `${REG}.APIService`,
  'APIService represents a server for a particular GroupVersion. Name must be "version.group".',
  {
    spec: ref(
      SPEC,
      "Spec contains information for locating and communicating with a server",
    ),
    status: ref(
      STATUS,
      "Status contains derived information about an API server",
    ),
  },
);

/** apiregistration.k8s.io/v1 `APIServiceList`. */
export const API_SERVICE_LIST: Schema = listSchema(
  `${REG}.APIServiceList`,
  API_SERVICE,
  "Items is the list of APIService",
);
