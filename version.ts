/**
 * The version of hyperplane and of the Kubernetes API it serves.
 *
 * @module
 */

/** hyperplane's own release version. */
export const HYPERPLANE_VERSION = "0.1.0";

/** The Kubernetes minor version whose API hyperplane serves. */
export const KUBERNETES_MAJOR = "1";
/** The Kubernetes minor version whose API hyperplane serves. */
export const KUBERNETES_MINOR = "35";

/** The `gitVersion` reported by `/version` and `hyperplane version`. */
export const GIT_VERSION =
  `v${KUBERNETES_MAJOR}.${KUBERNETES_MINOR}.0-hyperplane.${HYPERPLANE_VERSION}`;
