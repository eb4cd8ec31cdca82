/**
 * `/version`: the server's version info in `version.Info` shape.
 *
 * @module
 */

/** `k8s.io/apimachinery/pkg/version.Info`. */
export interface VersionInfo {
  major: string;
  minor: string;
  emulationMajor?: string;
  emulationMinor?: string;
  minCompatibilityMajor?: string;
  minCompatibilityMinor?: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
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
