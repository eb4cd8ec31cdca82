/**
 * Typed API errors: every failure the API server reports becomes an
 * {@linkcode ApiError}, which renders as a Kubernetes `Status` object. Create
 * them with the helper functions below so each reason has one message format.
 *
 * @module
 */

import type { FieldError } from "../validation/field_error.ts";
import { causeOf, formatFieldErrors } from "../validation/field_error.ts";

/** A `StatusCause` as in `metav1.StatusCause`. */
export interface StatusCause {
  /** Machine-readable reason for the cause, e.g. `FieldValueInvalid`. */
  reason?: string;
  /** Human-readable description of the cause. */
  message?: string;
  /** The field the cause is about, e.g. `metadata.name`. */
  field?: string;
}

/** `metav1.StatusDetails`. */
export interface StatusDetails {
  /** Name of the object the failure is about. */
  name?: string;
  /** API group of the object. */
  group?: string;
  /** Kind (or resource) of the object. */
  kind?: string;
  /** UID of the object. */
  uid?: string;
  /** The individual causes (e.g. one per invalid field). */
  causes?: StatusCause[];
  /** Seconds the client should wait before retrying. */
  retryAfterSeconds?: number;
}

/** A `metav1.Status` object as sent on the wire. */
export interface Status {
  /** Always `Status`. */
  kind: "Status";
  /** Always `v1`. */
  apiVersion: "v1";
  /** Always empty. */
  metadata: Record<string, never>;
  /** `Failure` or `Success`. */
  status: "Failure" | "Success";
  /** Human-readable description of the outcome. */
  message?: string;
  /** Machine-readable reason, e.g. `NotFound`. */
  reason?: string;
  /** Extended data about the failure. */
  details?: StatusDetails;
  /** The HTTP status code. */
  code: number;
}

/** Names a resource in error messages: plural resource plus group. */
export interface GroupResource {
  group: string;
  resource: string;
}

/** An API failure carrying everything its `Status` needs. */
export class ApiError extends Error {
  /** The HTTP status code. */
  readonly code: number;
  /** The `Status.reason`. */
  readonly reason: string;
  /** The `Status.details`, if any. */
  readonly details?: StatusDetails;
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers?: Record<string, string>;

  /** An error answered with HTTP `code`, `Status.reason` `reason`, the message and optional details and response headers. */
  constructor(
    code: number,
    reason: string,
    message: string,
    details?: StatusDetails,
    headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.reason = reason;
    this.details = details;
    this.headers = headers;
  }

  /** The `Status` object for this error. */
  toStatus(): Status {
    const s: Status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    s.details = this.details ?? {};
    if (this.reason === "" || this.reason === undefined) delete s.reason;
    return s;
  }
}

/** `configmaps` or `roles.rbac.authorization.k8s.io`, as upstream prints it. */
export function qualifiedResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function grDetails(gr: GroupResource, name?: string): StatusDetails {
  const d: StatusDetails = {};
  if (name !== undefined && name !== "") d.name = name;
  if (gr.group) d.group = gr.group;
  d.kind = gr.resource;
  return d;
}

/** 404: `configmaps "x" not found`. */
export function notFoundError(gr: GroupResource, name: string): ApiError {
  return new ApiError(
    404,
    "NotFound",
    `${qualifiedResource(gr)} "${name}" not found`,
    grDetails(gr, name),
  );
}

/** 404 for a path the server does not serve. */
export function pathNotFoundError(): ApiError {
  return new ApiError(
    404,
    "NotFound",
    "the server could not find the requested resource",
  );
}

/** 409: `configmaps "x" already exists`. */
export function alreadyExistsError(gr: GroupResource, name: string): ApiError {
  return new ApiError(
    409,
    "AlreadyExists",
    `${qualifiedResource(gr)} "${name}" already exists`,
    grDetails(gr, name),
  );
}

/** The detail of a stale-resourceVersion conflict. */
export const OBJECT_MODIFIED =
  "the object has been modified; please apply your changes to the latest version and try again";

/** 409: `Operation cannot be fulfilled on configmaps "x": <detail>`. */
export function conflictError(
  gr: GroupResource,
  name: string,
  detail: string = OBJECT_MODIFIED,
): ApiError {
  return new ApiError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${
      qualifiedResource(gr)
    } "${name}": ${detail}`,
    grDetails(gr, name),
  );
}

/** 422: `ConfigMap "x" is invalid: <field errors>`. */
export function invalidError(
  group: string,
  kind: string,
  name: string,
  errs: FieldError[],
): ApiError {
  const details: StatusDetails = { name };
  if (group) details.group = group;
  details.kind = kind;
  details.causes = errs.map(causeOf);
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  return new ApiError(
    422,
    "Invalid",
    `${qualifiedKind} "${name}" is invalid: ${formatFieldErrors(errs)}`,
    details,
  );
}

/** 400 BadRequest with `message`. */
export function badRequestError(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

/** 403 Forbidden with upstream's message shape. */
export function forbiddenError(
  gr: GroupResource,
  name: string,
  reason: string,
): ApiError {
  const what = name
    ? `${qualifiedResource(gr)} "${name}"`
    : qualifiedResource(gr);
  return new ApiError(
    403,
    "Forbidden",
    `${what} is forbidden: ${reason}`,
    grDetails(gr, name),
  );
}

/** 403 for a non-resource URL: `forbidden: User "x" cannot get path "/y"`. */
export function forbiddenPathError(reason: string): ApiError {
  return new ApiError(403, "Forbidden", `forbidden: ${reason}`);
}

/** 405 MethodNotAllowed. */
export function methodNotAllowedError(): ApiError {
  return new ApiError(
    405,
    "MethodNotAllowed",
    "the server does not allow this method on the requested resource",
  );
}

/** 406 NotAcceptable for an `Accept` header the server cannot satisfy. */
export function notAcceptableError(accepted: string[]): ApiError {
  return new ApiError(
    406,
    "NotAcceptable",
    `only the following media types are accepted: ${accepted.join(", ")}`,
  );
}

/** 413 RequestEntityTooLarge. */
export function tooLargeError(limit: number): ApiError {
  return new ApiError(
    413,
    "RequestEntityTooLarge",
    `Request entity too large: limit is ${limit}`,
  );
}

/** 415 UnsupportedMediaType. */
export function unsupportedMediaTypeError(
  got: string,
  accepted: string[],
): ApiError {
  return new ApiError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format ${
      JSON.stringify(got)
    } - accepted media types include: ${accepted.join(", ")}`,
  );
}

/** 410 Expired. */
export function expiredError(message: string): ApiError {
  return new ApiError(410, "Expired", message);
}

/** 504 Timeout for a resourceVersion newer than the store has seen. */
export function tooLargeResourceVersionError(message: string): ApiError {
  return new ApiError(
    504,
    "Timeout",
    message,
    {
      causes: [{
        reason: "ResourceVersionTooLarge",
        message: "Too large resource version",
      }],
      retryAfterSeconds: 1,
    },
    { "Retry-After": "1" },
  );
}

/** 429 TooManyRequests with `Retry-After: 1` (upstream's flow control answer). */
export function tooManyRequestsError(): ApiError {
  return new ApiError(
    429,
    "TooManyRequests",
    "Too many requests: please try again later",
    { retryAfterSeconds: 1 },
    { "Retry-After": "1" },
  );
}

/** 503 ServiceUnavailable. */
export function unavailableError(message: string): ApiError {
  return new ApiError(503, "ServiceUnavailable", message);
}

/** 500 InternalError. */
export function internalError(message: string): ApiError {
  return new ApiError(
    500,
    "InternalError",
    `Internal error occurred: ${message}`,
    { causes: [{ message }] },
  );
}

/** Upstream's cause message when a list stopped naming corrupt keys. */
export const CORRUPT_LIST_TRUNCATED = "too many errors, the list is truncated";

/**
 * 500 StorageReadError: a list met corrupt objects. Each cause names one
 * corrupt storage key (`field`) and why (upstream's aggregated
 * corrupt-object list error); `truncated` adds upstream's "too many" cause.
 */
export function storageReadError(
  gr: GroupResource,
  corrupt: { key: string; message: string }[],
  truncated: boolean,
): ApiError {
  const causes: StatusCause[] = corrupt.map((c) => ({
    reason: "UnexpectedServerResponse",
    message: c.message,
    field: c.key,
  }));
  if (truncated) {
    causes.push({
      reason: "FieldValueTooMany",
      message: CORRUPT_LIST_TRUNCATED,
    });
  }
  const details: StatusDetails = { name: "list" };
  if (gr.group) details.group = gr.group;
  details.kind = gr.resource;
  details.causes = causes;
  return new ApiError(
    500,
    "StorageReadError",
    `failed to read one or more ${qualifiedResource(gr)} from the storage`,
    details,
  );
}
