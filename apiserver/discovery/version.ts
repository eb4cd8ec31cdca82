/**
 * `/version`: the server's version info in `version.Info` shape.
 *
 * @module
 */

/** `k8s.io/apimachinery/pkg/version.Info`. */
export interface VersionInfo {
  /** Kubernetes major version, e.g. `1`. */
  major: string;
  /** Kubernetes minor version, e.g. `35`. */
  minor: string;
  /** The major version emulated. */
  emulationMajor?: string;
  /** The minor version emulated. */
  emulationMinor?: string;
  /** The oldest major version compatible. */
  minCompatibilityMajor?: string;
  /** The oldest minor version compatible. */
  minCompatibilityMinor?: string;
  /** The version string, e.g. `v1.35.0-hyperplane`. */
  gitVersion: string;
  /** The commit built. */
  gitCommit: string;
  /** `clean` or `dirty`. */
  gitTreeState: string;
  /** When it was built (RFC 3339). */
  buildDate: string;
  /** The runtime's version (Go upstream; Deno here). */
  goVersion: string;
  /** The compiler. */
  compiler: string;
  /** `os/arch`. */
  platform: string;
}

/** The version served by default: Kubernetes 1.35 API, built with Deno. */
export function defaultVersionInfo(): VersionInfo {
  const arch = Deno.build.arch === "x86_64" ? "amd64" : "arm64";
  return {
    major: "1",
    minor: "35",
    emulationMajor: "1",
    emulationMinor: "35",
    minCompatibilityMajor: "1",
    minCompatibilityMinor: "34",
    gitVersion: "v1.35.0-hyperplane",
    gitCommit: "unknown",
    gitTreeState: "clean",
    buildDate: "1970-01-01T00:00:00Z",
    goVersion: `deno${Deno.version.deno}`,
    compiler: "deno",
    platform: `${Deno.build.os}/${arch}`,
  };
}
