/**
 * The protobufjs `Root` holding every embedded message definition, parsed
 * once when the module loads (the texts are constants, so nothing is read
 * from disk and `deno compile` stays clean).
 *
 * @module
 */

import protobuf from "protobufjs";
import {
  META_V1_PROTO,
  RESOURCE_PROTO,
  RUNTIME_PROTO,
} from "./_proto/meta_v1.ts";
import { CORE_V1_PROTO } from "./_proto/core_v1.ts";
import { COORDINATION_V1_PROTO, EVENTS_V1_PROTO } from "./_proto/events_v1.ts";
import { RBAC_V1_PROTO } from "./_proto/rbac_v1.ts";
import { CERTIFICATES_V1_PROTO } from "./_proto/certificates_v1.ts";
import {
  AUTHENTICATION_V1_PROTO,
  AUTHORIZATION_V1_PROTO,
} from "./_proto/auth_v1.ts";

/** Package of the meta/v1 messages. */
export const META_V1 = "k8s.io.apimachinery.pkg.apis.meta.v1";

function buildRoot(): protobuf.Root {
  const root = new protobuf.Root();
  for (
    const text of [
      RUNTIME_PROTO,
      META_V1_PROTO,
      RESOURCE_PROTO,
      CORE_V1_PROTO,
      EVENTS_V1_PROTO,
      COORDINATION_V1_PROTO,
      RBAC_V1_PROTO,
      CERTIFICATES_V1_PROTO,
      AUTHORIZATION_V1_PROTO,
      AUTHENTICATION_V1_PROTO,
    ]
  ) {
    protobuf.parse(text, root, { keepCase: true });
  }
  root.resolveAll();
  return root;
}

/** Every embedded definition, resolved. Read-only after load. */
export const ROOT: protobuf.Root = buildRoot();

/** The `runtime.Unknown` envelope type. */
export const UNKNOWN: protobuf.Type = ROOT.lookupType(
  "k8s.io.apimachinery.pkg.runtime.Unknown",
);
