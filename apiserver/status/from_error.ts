/**
 * The one place where storage errors (and anything unexpected) become API
 * errors.
 *
 * @module
 */

import { isStorageError } from "../../storage/mod.ts";
import {
  alreadyExistsError,
  ApiError,
  badRequestError,
  conflictError,
  expiredError,
  type GroupResource,
  internalError,
  notFoundError,
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
 */
export function toApiError(err: unknown, subject?: ErrorSubject): ApiError {
  if (err instanceof ApiError) return err;
  if (isStorageError(err)) {
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
        return conflictError(gr, name, err.message);
      case "Expired":
        return expiredError(err.message);
      case "TooLargeResourceVersion":
        return tooLargeResourceVersionError(err.message);
      case "InvalidKey":
      case "InvalidArgument":
        return badRequestError(err.message);
      case "Unavailable":
        return unavailableError(err.message);
      default:
        return internalError(err.message);
    }
  }
  return internalError(err instanceof Error ? err.message : String(err));
}
