import assert from "node:assert/strict";
import net from "node:net";
import { silentLogger } from "../../log/mod.ts";
import { type InnerServer, startInnerServer } from "./_inner_server.ts";

/** One HTTP/1.1 request over a Unix socket; resolves with the body. */
function get(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(path);
    let data = "";
    sock.on("data", (c: Uint8Array) => data += new TextDecoder().decode(c));
    sock.on("error", reject);
    sock.on("close", () => resolve(data.slice(data.indexOf("\r\n\r\n") + 4)));
    sock.write("GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
  });
}

Deno.test("tagged listeners: shared per key, tag visible to the handler, stopped after the last release", async () => {
  const inner: InnerServer<string> = await startInnerServer<string>({
    handler: (_req, info): Response =>
      new Response(inner.tagOf(info) ?? "untagged"),
    onError: () => new Response("error", { status: 500 }),
    logger: silentLogger,
  });
  try {
    const plain = inner.address();
    assert.equal(plain.transport, "unix");
    assert.equal(await get((plain as { path: string }).path), "untagged");
    const a1 = await inner.acquire("alice", "alice-tag");
    const a2 = await inner.acquire("alice", "ignored: already started");
    const b = await inner.acquire("bob", "bob-tag");
    assert.deepEqual(a1.address, a2.address);
    assert.notDeepEqual(a1.address, b.address);
    assert.equal(inner.tagged, 2);
    const alicePath = (a1.address as { path: string }).path;
    assert.equal(await get(alicePath), "alice-tag");
    assert.equal(await get((b.address as { path: string }).path), "bob-tag");
    a1.release();
    a1.release(); // idempotent: alice still has a2
    assert.equal(inner.tagged, 2);
    assert.equal(await get(alicePath), "alice-tag");
    a2.release();
    assert.equal(inner.tagged, 1);
    // Stopped: nobody accepts on that path any more.
    for (let i = 0; i < 50; i++) {
      try {
        await Deno.lstat(alicePath);
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await assert.rejects(get(alicePath));
    // A new acquire for the same key starts a new listener.
    const a3 = await inner.acquire("alice", "alice-again");
    assert.equal(
      await get((a3.address as { path: string }).path),
      "alice-again",
    );
    a3.release();
    b.release();
  } finally {
    await inner.close();
  }
  await assert.rejects(inner.acquire("x", "y"));
});
