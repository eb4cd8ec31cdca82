/**
 * Typed errors of the serving layer. Configuration problems (certificate and
 * token files) are thrown at start-up with the offending path; credential
 * problems are returned by authenticators and become `401 Unauthorized`.
 *
 * @module
 */

/** A certificate or key file is unreadable, malformed or inconsistent. */
export class CertificateError extends Error {
  /** The file at fault. */
  readonly path: string;

  constructor(path: string, message: string, options?: ErrorOptions) {
    super(`${path}: ${message}`, options);
    this.name = "CertificateError";
    this.path = path;
  }
}

/** A serving option is invalid (for example a malformed `--tls-san`). */
export class ServingConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ServingConfigError";
  }
}

/** A static token file (`token,user,uid,"group1,group2"`) is malformed. */
export class TokenFileError extends Error {
  /** The file at fault. */
  readonly path: string;
  /** The 1-based line number at fault. */
  readonly line: number;

  constructor(path: string, line: number, message: string) {
    super(`${path}:${line}: ${message}`);
    this.name = "TokenFileError";
    this.path = path;
    this.line = line;
  }
}

/**
 * Credentials were presented but are not valid. Authenticators return (not
 * throw) it; the server answers `401 Unauthorized` without the detail, which
 * is logged at debug level only.
 */
export class AuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuthenticationError";
  }
}
