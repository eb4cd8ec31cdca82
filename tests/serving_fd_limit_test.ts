/**
 * The secure server under a file descriptor limit of 256 (`ulimit -n` in
 * a child process): a flood of more connections than that neither kills
 * it nor stops it answering a client connected before the flood and one
 * connecting after — with the default connection cap (derived from the
 * limit) and with the cap lifted, so that accepting runs into EMFILE.
 *
 * @module
 */

import assert from "node:assert/strict";

const LIMIT = 256;
const FLOOD = 600;

interface Child {
  port: number;
  caCert: string;
  child: Deno.ChildProcess;
  stderr: () => Promise<string>;
}

async function startChild(maxConnections?: number): Promise<Child> {
  const script = new URL("./support/secure_server_child.ts", import.meta.url)
    .pathname;
  const child = new Deno.Command("bash", {
    args: [
      "-c",
      `ulimit -n ${LIMIT} && exec "$0" run -A "$1" $2`,
      Deno.execPath(),
      script,
      maxConnections === undefined ? "" : String(maxConnections),
    ],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const stderrText = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const deadline = Date.now() + 30_000;
  while (!out.includes("\n") && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  if (!out.includes("\n")) {
    child.kill("SIGKILL");
    await child.status;
    throw new Error(`the child did not start: ${await stderrText}`);
  }
  const { port, caCert } = JSON.parse(out.split("\n")[0]);
  return { port, caCert, child, stderr: () => stderrText };
}

/** A GET over a fresh TLS connection; the body, or the error's message. */
async function getOnce(c: Child): Promise<string> {
  const client = Deno.createHttpClient({ caCerts: [c.caCert] });
  try {
    const res = await fetch(`https://127.0.0.1:${c.port}/version`, {
      client,
      signal: AbortSignal.timeout(5_000),
    });
    return await res.text();
  } catch (err) {
    return `error: ${err instanceof Error ? err.message : err}`;
  } finally {
    client.close();
  }
}

/** Opens `n` connections (half TLS, half raw TCP), holds them, returns them. */
async function flood(c: Child, n: number): Promise<Deno.Conn[]> {
  const held: Deno.Conn[] = [];
  const deadline = Date.now() + 30_000;
  for (let i = 0; i < n && Date.now() < deadline; i += 50) {
    await Promise.all(Array.from({ length: 50 }, async (_, j) => {
      try {
        if ((i + j) % 2 === 0) {
          const conn = await Deno.connectTls({
            hostname: "127.0.0.1",
            port: c.port,
            caCerts: [c.caCert],
          });
          held.push(conn);
          await Promise.race([
            conn.handshake(),
            new Promise((r) => setTimeout(r, 2_000)),
          ]);
        } else {
          held.push(
            await Deno.connect({ hostname: "127.0.0.1", port: c.port }),
          );
        }
      } catch {
        // refused or closed by the server: that is the point
      }
    }));
  }
  return held;
}

async function survives(maxConnections: number | undefined) {
  const c = await startChild(maxConnections);
  const early = Deno.createHttpClient({ caCerts: [c.caCert] });
  try {
    const get = async () => {
      const res = await fetch(`https://127.0.0.1:${c.port}/version`, {
        client: early,
        signal: AbortSignal.timeout(5_000),
      });
      return await res.text();
    };
    assert.equal(await get(), "hello");
    const held = await flood(c, FLOOD);
    // The connected client is still answered during the flood.
    assert.equal(await get(), "hello");
    for (const conn of held) {
      try {
        conn.close();
      } catch {
        // closed by the server
      }
    }
    // A new client is answered once the flood is gone (closing takes a moment).
    let answer = "";
    const deadline = Date.now() + 30_000;
    while (answer !== "hello" && Date.now() < deadline) {
      answer = await getOnce(c);
      if (answer !== "hello") await new Promise((r) => setTimeout(r, 200));
    }
    if (answer !== "hello") {
      c.child.kill("SIGKILL");
      await c.child.status;
      assert.fail(`no answer after the flood: ${answer}\n${await c.stderr()}`);
    }
  } finally {
    early.close();
    try {
      c.child.kill("SIGTERM");
    } catch {
      // it died: the assertions below show why
    }
    const status = await c.child.status;
    const log = await c.stderr();
    assert.doesNotMatch(log, /Too many open files[\s\S]*Uncaught|^error:/m);
    assert.equal(status.code, 0, log);
  }
  return await c.stderr();
}

Deno.test("a flood beyond the descriptor limit is refused by the default cap", async () => {
  const log = await survives(undefined);
  assert.match(log, /maxConnections=64/);
  // Refusals are logged once per burst, not once per connection.
  const warnings = log.match(/connection limit reached/g) ?? [];
  assert.ok(warnings.length >= 1 && warnings.length <= 3, log);
});

Deno.test("with the cap lifted, running out of descriptors is survived", async () => {
  await survives(100_000);
});
