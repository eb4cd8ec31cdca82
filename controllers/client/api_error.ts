/**
 * The typed error every {@linkcode ApiClient} call throws for a non-2xx
 * answer: the decoded `Status` (code, reason, message).
 *
 * @module
 */

/** A failed API call, carrying the server's `Status`. */
export class ApiStatusError extends Error {
  /** HTTP status code. */
  readonly code: number;
  /** `Status.reason`, e.g. `NotFound`, `Conflict`, `Expired`. */
  readonly reason: string;
  /** The raw `Status` (or `undefined` when the body was not one). */
  readonly status?: Record<string, unknown>;

  /** An error for an API answer with HTTP `code`, `Status.reason` `reason`, the message and the raw `Status` body. */
  constructor(
    code: number,
    reason: string,
    message: string,
    status?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiStatusError";
    this.code = code;
    this.reason = reason;
    this.status = status;
  }

  /** Builds the error from a failed response (reads its body). */
  static async from(res: Response): Promise<ApiStatusError> {
    const text = await res.text().catch(() => "");
    let status: Record<string, unknown> | undefined;
    try {
      const parsed = JSON.parse(text);
      if (parsed && typeof parsed === "object") status = parsed;
    } catch {
      // not JSON
    }
    return fromStatus(res.status, status, text);
  }
}

/** Builds an {@linkcode ApiStatusError} from a decoded `Status`. */
export function fromStatus(
  code: number,
  status: Record<string, unknown> | undefined,
  fallback = "",
): ApiStatusError {
  const reason = typeof status?.reason === "string" ? status.reason : "";
  const message = typeof status?.message === "string"
    ? status.message
    : fallback || `HTTP ${code}`;
  const c = typeof status?.code === "number" ? status.code : code;
  return new ApiStatusError(c, reason, message, status);
}

/** True when `e` is an API error with HTTP code `code`. */
export function isApiCode(e: unknown, code: number): boolean {
  return e instanceof ApiStatusError && e.code === code;
}

/** True when `e` is a 404. */
export function isNotFound(e: unknown): boolean {
  return isApiCode(e, 404);
}

/** True when `e` is a 409 Conflict (not AlreadyExists). */
export function isConflict(e: unknown): boolean {
  return e instanceof ApiStatusError && e.code === 409 &&
    e.reason !== "AlreadyExists";
}

/** True when `e` is a 409 AlreadyExists. */
export function isAlreadyExists(e: unknown): boolean {
  return e instanceof ApiStatusError && e.code === 409 &&
    e.reason === "AlreadyExists";
}

/**
 * True when `e`'s `Status` lists a cause of type `cause` in its details
 * (upstream's `HasStatusCause`), e.g. `NamespaceTerminating`.
 */
export function hasStatusCause(e: unknown, cause: string): boolean {
  if (!(e instanceof ApiStatusError)) return false;
  const details = e.status?.details as { causes?: unknown } | undefined;
  const causes = Array.isArray(details?.causes) ? details.causes : [];
  return causes.some((c) =>
    typeof c === "object" && c !== null &&
    (c as { reason?: unknown }).reason === cause
  );
}
