/**
 * Typed storage errors. Every storage failure is a {@linkcode StorageError}
 * with a {@linkcode StorageErrorCode}; the API server maps codes to `Status`
 * objects in one place. Create them with the helper functions below so each
 * kind has one message format.
 *
 * @module
 */

/** What went wrong, in storage terms. */
export type StorageErrorCode =
  /** The key does not exist. API: 404 NotFound. */
  | "NotFound"
  /** create() on a key that exists. API: 409 AlreadyExists. */
  | "KeyExists"
  /** A write lost a race (the object changed underneath). API: 409 Conflict. */
  | "Conflict"
  /** A precondition (UID or resourceVersion) does not hold, or the object is unusable. API: 409 Conflict. */
  | "InvalidObject"
  /** A revision or continue token is older than the compacted revision. API: 410 Gone (Expired). */
  | "Expired"
  /** A requested revision is newer than anything the store has seen. API: 504 Timeout "Too large resource version". */
  | "TooLargeResourceVersion"
  /** A key with empty, `.` or `..` segments, or outside the store's prefix. API: 400 BadRequest. */
  | "InvalidKey"
  /** A malformed argument (resourceVersion, continue token, option). API: 400 BadRequest. */
  | "InvalidArgument"
  /** The backend cannot be reached right now; retrying later may work. API: 503 ServiceUnavailable. */
  | "Unavailable"
  /** An internal failure of the backend. API: 500 InternalError. */
  | "Internal";

/** A storage failure with the details the API needs to build a `Status`. */
export class StorageError extends Error {
  /** Machine-readable kind of failure. */
  readonly code: StorageErrorCode;
  /** The storage key involved, if any. */
  readonly key?: string;
  /** The revision involved, if any (e.g. the current revision for TooLargeResourceVersion). */
  readonly revision?: number;

  /** An error of kind `code`, naming the key and revision involved. */
  constructor(
    code: StorageErrorCode,
    message: string,
    opts: { key?: string; revision?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = "StorageError";
    this.code = code;
    this.key = opts.key;
    this.revision = opts.revision;
  }
}

/** True when `err` is a {@linkcode StorageError}, optionally of the given code. */
export function isStorageError(
  err: unknown,
  code?: StorageErrorCode,
): err is StorageError {
  return err instanceof StorageError &&
    (code === undefined || err.code === code);
}

/** `key` does not exist. */
export function notFound(key: string, revision?: number): StorageError {
  return new StorageError("NotFound", `key not found: ${key}`, {
    key,
    revision,
  });
}

/** `key` already exists. */
export function keyExists(key: string, revision?: number): StorageError {
  return new StorageError("KeyExists", `key exists: ${key}`, { key, revision });
}

/** A compare-and-swap on `key` lost a race. */
export function conflict(
  key: string,
  detail = "the object has been modified",
): StorageError {
  return new StorageError("Conflict", `${detail}: ${key}`, { key });
}

/** A precondition or an object-level check failed for `key`. */
export function invalidObject(key: string, detail: string): StorageError {
  return new StorageError("InvalidObject", `${detail} (key ${key})`, { key });
}

/** `revision` is older than the compacted revision `compacted`. */
export function expired(revision: number, compacted: number): StorageError {
  return new StorageError(
    "Expired",
    `too old resource version: ${revision} (${compacted})`,
    { revision },
  );
}

/** A continue token refers to a compacted revision. */
export function expiredContinue(revision: number): StorageError {
  return new StorageError(
    "Expired",
    "The provided continue parameter is too old to display a consistent list result. " +
      "You can start a new list without the continue parameter.",
    { revision },
  );
}

/** `requested` is newer than the store's `current` revision. */
export function tooLargeResourceVersion(
  requested: number,
  current: number,
): StorageError {
  return new StorageError(
    "TooLargeResourceVersion",
    `Too large resource version: ${requested}, current: ${current}`,
    { revision: current },
  );
}

/** `key` is not a valid storage key. */
export function invalidKey(key: string, why: string): StorageError {
  return new StorageError(
    "InvalidKey",
    `invalid key ${JSON.stringify(key)}: ${why}`,
    { key },
  );
}

/** An argument is malformed. */
export function invalidArgument(message: string): StorageError {
  return new StorageError("InvalidArgument", message);
}

/** The backend is unreachable or not ready. */
export function unavailable(message: string, cause?: unknown): StorageError {
  return new StorageError("Unavailable", message, { cause });
}

/** An internal backend failure. */
export function internal(message: string, cause?: unknown): StorageError {
  return new StorageError("Internal", message, { cause });
}
