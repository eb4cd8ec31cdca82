/**
 * Reading a server child from inside, through its V8 inspector (`deno run
 * --inspect=…`): {@linkcode evaluateInProcess} runs an expression there
 * (after a full garbage collection if asked), {@linkcode liveMemory} reads
 * `Deno.memoryUsage()` after one. RSS read from outside also counts garbage
 * not yet collected and heap pages V8 keeps after a burst, which swings by
 * ±20% between runs of the same tree; the live heap after a collection is
 * the same to a fraction of a percent.
 *
 * @module
 */

/** `Deno.memoryUsage()` of the child after a full collection (bytes). */
export interface LiveMemory {
  heapUsed: number;
  rss: number;
}

/** A DevTools protocol session with a process's V8 inspector. */
export interface InspectorSession {
  /** Sends `method` and resolves with its result. */
  send(method: string, params?: unknown): Promise<unknown>;
  /** Closes the connection (and waits until it is closed). */
  close(): Promise<void>;
}

/**
 * Opens a session with the process inspected on `port` (its first target);
 * `onEvent` gets the protocol's notifications (a heap snapshot's chunks).
 */
export async function openInspector(
  port: number,
  onEvent: (method: string, params: Record<string, unknown>) => void = () => {},
): Promise<InspectorSession> {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`))
    .json() as { webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  const pending = new Map<number, (result: unknown) => void>();
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.id) {
      pending.get(msg.id)?.(msg.result);
      pending.delete(msg.id);
    } else if (msg.method) onEvent(msg.method, msg.params);
  };
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let id = 0;
  return {
    send: (method, params = {}) =>
      new Promise<unknown>((resolve) => {
        pending.set(++id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    async close() {
      const closed = new Promise((resolve) => ws.onclose = resolve);
      ws.close();
      await closed;
    },
  };
}

/**
 * Evaluates `expression` (which must yield a JSON text, or a promise of
 * one) in the process inspected on `port`, after a full collection when
 * `collect`; answers the parsed value.
 */
export async function evaluateInProcess(
  port: number,
  expression: string,
  collect = false,
): Promise<unknown> {
  const session = await openInspector(port);
  try {
    if (collect) await session.send("HeapProfiler.collectGarbage");
    const got = await session.send("Runtime.evaluate", {
      expression,
      returnByValue: true,
      awaitPromise: true,
    }) as { result: { value: string } };
    return JSON.parse(got.result.value);
  } finally {
    await session.close();
  }
}

/** Collects garbage in the process inspected on `port`, then reads its memory. */
export async function liveMemory(port: number): Promise<LiveMemory> {
  const usage = await evaluateInProcess(
    port,
    "JSON.stringify(Deno.memoryUsage())",
    true,
  ) as LiveMemory;
  return { heapUsed: usage.heapUsed, rss: usage.rss };
}
