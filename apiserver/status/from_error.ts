/**
 * The one place where storage errors (and anything unexpected) become API
 * errors.
 *
 * @module
 */

import { CorruptObjectsError, isStorageError } from "../../storage/mod.ts";
import {
  alreadyExistsError,
  ApiError,
  badRequestError,
  conflictError,
  expiredError,
  type GroupResource,
  internalError,
  notFoundError,
  storageReadError,
  tooLargeResourceVersionError,
  unavailableError,
} from "./api_error.ts";

/** What the failing request was about, for error messages. */
export interface ErrorSubject {
  gr: GroupResource;
  name?: string;
}

/**
 * Maps any thrown value to an {@linkcode ApiError}: API errors pass through,
 * `StorageError` codes map to their HTTP reason, everything else is a 500.
 *
 * Storage keys are removed from messages, except where the key is the
 * answer: a corrupt object's error names its key (upstream's wording) so an
 * operator can find and remove it, and a list's names every corrupt key.
 */
export function toApiError(err: unknown, subject?: ErrorSubject): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof CorruptObjectsError) {
    return storageReadError(
      subject?.gr ?? { group: "", resource: "" },
      err.errors.map((e) => ({ key: e.key ?? "", message: e.message })),
      err.truncated,
    );
  }
  if (isStorageError(err, "CorruptObject")) return internalError(err.message);
  if (isStorageError(err)) {
    const message = withoutStorageKeys(err.message, err.key);
    const gr = subject?.gr ?? { group: "", resource: "" };
    const name = subject?.name ?? "";
    switch (err.code) {
      case "NotFound":
        return notFoundError(gr, name);
      case "KeyExists":
        return alreadyExistsError(gr, name);
      case "Conflict":
        return conflictError(gr, name);
      case "InvalidObject":
        return conflictError(gr, name, message);
      case "Expired":
        return expiredError(message);
      case "TooLargeResourceVersion":
        return tooLargeResourceVersionError(message);
      case "InvalidKey":
        return badRequestError(
          name
            ? `Name parameter invalid: ${JSON.stringify(name)}`
            : "invalid object name",
        );
      case "InvalidArgument":
        return badRequestError(message);
      case "Unavailable":
        return unavailableError(message);
      default:
        return internalError(message);
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return internalError(withoutStorageKeys(message));
}

/** Storage keys (`/registry/…`) never reach a client: they name internals. */
const STORAGE_KEY = /\s*\(key \/registry\/[^)\s]*\)|:?\s*\/registry\/\S*/g;

/** `message` without the storage key `key` or anything shaped like one. */
export function withoutStorageKeys(message: string, key?: string): string {
  let out = message;
  if (key) out = out.replaceAll(` (key ${key})`, "").replaceAll(`: ${key}`, "");
  // Until nothing changes: one removal may join text into a new key.
  for (let prev = ""; prev !== out;) {
    prev = out;
    out = out.replace(STORAGE_KEY, "");
  }
  return out.trim() || "internal error";
}
