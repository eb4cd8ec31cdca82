/**
 * `DeleteOptions` from the request body and/or query, validated as upstream.
 *
 * @module
 */

import { queryBool } from "../http/query_bool.ts";
import {
  checkPreconditions as checkStoredPreconditions,
  type KubeObject,
  type Preconditions,
} from "../../storage/mod.ts";
import { parseMediaType } from "../http/media_type.ts";
import {
  BODY_MEDIA_TYPES,
  parseObjectText,
  readBodyBytes,
  readBodyText,
} from "../http/body.ts";
import { decodeKubeProtobuf, isKubeProtobuf } from "../protobuf/mod.ts";
import {
  badRequestError,
  invalidError,
  toApiError,
  unsupportedMediaTypeError,
} from "../status/mod.ts";
import {
  type FieldError,
  invalid,
  notSupported,
} from "../validation/field_error.ts";
import { groupResource, type ResourceContext } from "./context.ts";
import { checkDryRunValues } from "./incoming.ts";

/** The delete options the server acts on. */
export interface DeleteOpts {
  preconditions?: Preconditions;
  propagationPolicy?: string;
  /** The deprecated `orphanDependents` (never set with the policy). */
  orphanDependents?: boolean;
  gracePeriodSeconds?: number;
  dryRun: boolean;
  /**
   * `ignoreStoreReadErrorWithClusterBreakingPotential`: the unsafe delete
   * of a corrupt object (KEP-3926; never with any other option).
   */
  ignoreStoreReadError?: boolean;
}

/** The query parameter and `DeleteOptions` field of the unsafe delete. */
export const IGNORE_STORE_READ_ERROR =
  "ignoreStoreReadErrorWithClusterBreakingPotential";

const POLICIES = ["Orphan", "Background", "Foreground"];

function boolOption(v: unknown, field: string): boolean | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (v === true || v === "true" || v === "1") return true;
  if (v === false || v === "false" || v === "0") return false;
  throw badRequestError(`${field}: invalid boolean value ${JSON.stringify(v)}`);
}

function intParam(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isInteger(n)) {
    throw badRequestError(`${field}: invalid value ${JSON.stringify(v)}`);
  }
  return n;
}

/** Reads `DeleteOptions` (body wins over query, as upstream). */
export async function readDeleteOptions(
  ctx: ResourceContext,
): Promise<DeleteOpts> {
  const q = ctx.query;
  const raw: Record<string, unknown> = {};
  for (const k of ["propagationPolicy", "gracePeriodSeconds"]) {
    if (q.has(k)) raw[k] = q.get(k);
  }
  if (q.has("orphanDependents")) {
    raw.orphanDependents = queryBool(q, "orphanDependents");
  }
  if (q.has("dryRun")) raw.dryRun = q.getAll("dryRun");
  if (q.has(IGNORE_STORE_READ_ERROR)) {
    raw[IGNORE_STORE_READ_ERROR] = queryBool(q, IGNORE_STORE_READ_ERROR);
  }
  const ctHeader = ctx.req.headers.get("content-type");
  const text = isKubeProtobuf(ctHeader) ? "" : await readBodyText(ctx.req);
  if (isKubeProtobuf(ctHeader)) {
    const bytes = await readBodyBytes(ctx.req);
    if (bytes.length > 0) {
      Object.assign(
        raw,
        await decodeKubeProtobuf(bytes, {
          apiVersion: "meta.k8s.io/v1",
          kind: "DeleteOptions",
        }),
      );
    }
  } else if (text.trim() !== "") {
    const ct = parseMediaType(ctx.req.headers.get("content-type") ?? "").type;
    // As upstream's input negotiation: no content type means JSON, an
    // unknown one is 415 (and nothing is deleted).
    if (ct !== "" && !BODY_MEDIA_TYPES.includes(ct)) {
      throw unsupportedMediaTypeError(ct, BODY_MEDIA_TYPES);
    }
    const body = parseObjectText(
      text,
      ct === "application/yaml" ? ct : "application/json",
    );
    if (
      body.kind !== undefined && body.kind !== "DeleteOptions"
    ) {
      throw badRequestError(
        `the body of the request must be DeleteOptions, not ${
          String(body.kind)
        }`,
      );
    }
    Object.assign(raw, body);
  }
  const errs: FieldError[] = [];
  const policy = raw.propagationPolicy as string | undefined;
  if (policy !== undefined && !POLICIES.includes(policy)) {
    errs.push(notSupported("propagationPolicy", policy, POLICIES));
  }
  if (raw.orphanDependents !== undefined && policy !== undefined) {
    errs.push(
      invalid(
        "propagationPolicy",
        policy,
        "orphanDependents and deletionPropagation cannot be both set",
      ),
    );
  }
  const dryRunValues = Array.isArray(raw.dryRun)
    ? raw.dryRun.map(String)
    : raw.dryRun === undefined
    ? []
    : [String(raw.dryRun)];
  const ignoreStoreReadError = boolOption(
    raw[IGNORE_STORE_READ_ERROR],
    IGNORE_STORE_READ_ERROR,
  );
  if (ignoreStoreReadError) {
    // As upstream's ValidateDeleteOptions: the unsafe delete checks nothing
    // and keeps nothing, so no option that would is accepted with it.
    const others: [string, boolean][] = [
      ["dryRun", dryRunValues.length > 0],
      ["propagationPolicy", policy !== undefined],
      ["orphanDependents", raw.orphanDependents !== undefined],
      [
        "gracePeriodSeconds",
        raw.gracePeriodSeconds !== undefined && raw.gracePeriodSeconds !== "",
      ],
      ["preconditions", raw.preconditions != null],
    ];
    for (const [field, set] of others) {
      if (!set) continue;
      errs.push(
        invalid(
          IGNORE_STORE_READ_ERROR,
          true,
          `cannot be set together with .${field}`,
        ),
      );
    }
  }
  if (errs.length) throw invalidError("meta.k8s.io", "DeleteOptions", "", errs);
  const dryRun = checkDryRunValues(dryRunValues, "DeleteOptions");
  const pre = raw.preconditions as Record<string, unknown> | undefined;
  const preconditions: Preconditions | undefined =
    pre && typeof pre === "object"
      ? {
        uid: typeof pre.uid === "string" ? pre.uid : undefined,
        resourceVersion: typeof pre.resourceVersion === "string"
          ? pre.resourceVersion
          : undefined,
      }
      : undefined;
  return {
    preconditions,
    propagationPolicy: policy,
    orphanDependents: boolOption(raw.orphanDependents, "orphanDependents"),
    gracePeriodSeconds: intParam(raw.gracePeriodSeconds, "gracePeriodSeconds"),
    dryRun,
    ignoreStoreReadError,
  };
}

/**
 * Checks delete preconditions against `obj`, stored at `key`: storage's
 * check (upstream's messages), as a 409 Conflict naming the object.
 */
export function checkPreconditions(
  ctx: ResourceContext,
  key: string,
  obj: KubeObject,
  pre: Preconditions | undefined,
): void {
  try {
    checkStoredPreconditions(key, obj, pre);
  } catch (e) {
    throw toApiError(e, {
      gr: groupResource(ctx),
      name: obj.metadata.name ?? "",
    });
  }
}
