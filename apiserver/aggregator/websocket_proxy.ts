/**
 * WebSocket upgrades of delegated requests (kubectl's exec, attach and
 * port-forward speak WebSocket since 1.31): the extension is dialled first
 * with the same path, the caller's sub-protocols and the front-proxy
 * identity; once it accepts, the caller's connection is upgraded with the
 * sub-protocol the extension chose and messages are relayed both ways until
 * either side closes. A refused or silent extension is a 503 before the
 * caller's connection is upgraded.
 *
 * @module
 */

/** True for a WebSocket upgrade request. */
export function isWebSocketUpgrade(req: Request): boolean {
  return req.headers.get("upgrade")?.toLowerCase() === "websocket";
}

/** A close code that may be sent (1000 or 3000–4999); anything else is 1000. */
function sendable(code: number): number {
  return code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000;
}

/**
 * Relays the upgrade `req` to `url` (https) through `client`. Throws when
 * the extension does not accept within `timeoutMs`.
 */
export async function proxyWebSocket(
  req: Request,
  url: string,
  headers: [string, string][],
  client: Deno.HttpClient,
  timeoutMs: number,
): Promise<Response> {
  const protocols = (req.headers.get("sec-websocket-protocol") ?? "")
    .split(",").map((s) => s.trim()).filter(Boolean);
  const upstream = new WebSocket(url.replace(/^https:/, "wss:"), {
    protocols,
    headers: headers.filter(([n]) =>
      !/^sec-websocket-|^accept-encoding$/i.test(n)
    ),
    client,
  });
  upstream.binaryType = "arraybuffer";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      upstream.close();
      reject(new Error("no WebSocket handshake within the timeout"));
    }, timeoutMs);
    upstream.onopen = () => {
      clearTimeout(timer);
      resolve();
    };
    upstream.onerror = (e) => {
      clearTimeout(timer);
      reject(
        new Error((e as ErrorEvent).message || "WebSocket handshake failed"),
      );
    };
  });
  const { socket, response } = Deno.upgradeWebSocket(req, {
    protocol: upstream.protocol || undefined,
  });
  socket.binaryType = "arraybuffer";
  const early: (string | ArrayBuffer)[] = [];
  socket.onopen = () => {
    for (const m of early) socket.send(m);
    early.length = 0;
  };
  upstream.onmessage = (e) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(e.data);
    else early.push(e.data);
  };
  socket.onmessage = (e) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.send(e.data);
  };
  socket.onclose = (e) => {
    if (upstream.readyState <= WebSocket.OPEN) {
      upstream.close(sendable(e.code), e.reason);
    }
  };
  upstream.onclose = (e) => {
    if (socket.readyState <= WebSocket.OPEN) {
      socket.close(sendable(e.code), e.reason);
    }
  };
  socket.onerror = () => upstream.close();
  upstream.onerror = () => {
    if (socket.readyState <= WebSocket.OPEN) socket.close();
  };
  return response;
}
