/**
 * Turns SIGINT/SIGTERM into an `AbortSignal` for graceful shutdown.
 *
 * @module
 */

/**
 * An AbortSignal that fires on SIGINT or SIGTERM; a second signal exits at
 * once with status 1 (as kube-apiserver), for an operator who will not wait
 * out the grace period. `dispose()` removes the handlers.
 */
export function shutdownSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) {
      console.error("second shutdown signal: exiting now");
      Deno.exit(1);
    }
    controller.abort(new Error("shutdown requested"));
  };
  const sigs: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of sigs) Deno.addSignalListener(s, onSignal);
  return {
    signal: controller.signal,
    dispose() {
      for (const s of sigs) Deno.removeSignalListener(s, onSignal);
    },
  };
}
