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
  | "Internal"
  /**
   * A stored value that cannot be read back as an object: not JSON, not a
   * JSON object, or (encryption at rest) not decryptable. API: 500
   * InternalError naming the key (a list: 500 StorageReadError naming every
   * corrupt key, see {@linkcode CorruptObjectsError}).
   */
  | "CorruptObject";

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

/** Why a stored value is corrupt, as upstream words it. */
export type CorruptKind = "undecodable" | "untransformable";

const CORRUPT_REASON: Record<CorruptKind, string> = {
  undecodable: "object not decodable",
  untransformable: "data from the storage is not transformable",
};

/**
 * The value stored at `key` (written at `revision`, 0 when unknown) cannot be
 * read back: `cause` says why. The message is upstream's
 * (`NewCorruptObjError`), so it names the key an operator must clean up.
 */
export function corruptObject(
  key: string,
  revision: number,
  cause: unknown,
  kind: CorruptKind = "undecodable",
): StorageError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new StorageError(
    "CorruptObject",
    `StorageError: corrupt object, Code: 7, Key: ${key}, ResourceVersion: 0, ` +
      `AdditionalErrorMsg: ${
        CORRUPT_REASON[kind]
      } revision=${revision}: ${why}`,
    { key, revision, cause },
  );
}

/** How many corrupt keys one list error names at most (upstream's bound). */
export const MAX_CORRUPT_KEYS = 100;

/**
 * A list found corrupt values: `errors` holds one {@linkcode corruptObject}
 * error per key (at most {@linkcode MAX_CORRUPT_KEYS}); `truncated` says the
 * list stopped looking after that many. Its code is `CorruptObject`.
 */
export class CorruptObjectsError extends StorageError {
  /** One error per corrupt key, in key order. */
  readonly errors: readonly StorageError[];
  /** True when more corrupt keys may exist than `errors` names. */
  readonly truncated: boolean;

  /** A list error for `errors` (corrupt values under `prefix`). */
  constructor(prefix: string, errors: StorageError[], truncated: boolean) {
    super(
      "CorruptObject",
      `unable to transform or decode ${errors.length} objects: {\n` +
        errors.map((e) => `\t${e.message}\n`).join("") + "}",
      { key: prefix },
    );
    this.name = "CorruptObjectsError";
    this.errors = errors;
    this.truncated = truncated;
  }
}

/**
 * Collects the corrupt values a list meets (at most
 * {@linkcode MAX_CORRUPT_KEYS}, then it asks the list to stop) so the list
 * fails naming all of them instead of at the first.
 */
export class CorruptCollector {
  readonly #errors: StorageError[] = [];
  #truncated = false;

  /**
   * Notes `err` (a `CorruptObject` error). Past {@linkcode MAX_CORRUPT_KEYS}
   * it only notes that there are more (see {@linkcode full}).
   */
  add(err: StorageError): void {
    if (this.#errors.length >= MAX_CORRUPT_KEYS) this.#truncated = true;
    else this.#errors.push(err);
  }

  /**
   * `decode()`'s result, or `undefined` when it threw a `CorruptObject`
   * error (noted here); any other failure is thrown.
   */
  attempt<T>(decode: () => T): T | undefined {
    try {
      return decode();
    } catch (err) {
      if (!isStorageError(err, "CorruptObject")) throw err;
      this.add(err);
      return undefined;
    }
  }

  /** True once the collector refused a key: the list should stop reading. */
  get full(): boolean {
    return this.#truncated;
  }

  /** Throws the list error when anything was noted. */
  throwIfAny(prefix: string): void {
    if (this.#errors.length > 0) {
      throw new CorruptObjectsError(prefix, this.#errors, this.#truncated);
    }
  }
}

/** An internal backend failure. */
export function internal(message: string, cause?: unknown): StorageError {
  return new StorageError("Internal", message, { cause });
}
