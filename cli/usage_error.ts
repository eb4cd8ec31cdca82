/**
 * A command-line mistake (unknown flag, bad value, unknown backend). The CLI
 * prints its message as one line and exits with status 2.
 *
 * @module
 */

/** A usage error: printed as one line, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
