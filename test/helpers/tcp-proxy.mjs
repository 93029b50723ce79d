// A loopback TCP proxy in front of Janus's WebSocket port, so tests can cut
// every live connection at once (a real dropped socket, not a mocked one).
import { createServer, connect } from 'node:net';

export async function startTcpProxy(targetPort, targetHost = '127.0.0.1') {
  const sockets = new Set();
  let refuseUntil = 0;
  const server = createServer((client) => {
    if (Date.now() < refuseUntil) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    /**
     * Destroys every open connection and refuses new ones for `holdMs` (long
     * enough and Janus gives up on the session). Returns how many were cut.
     */
    drop(holdMs = 0) {
      refuseUntil = Date.now() + holdMs;
      const n = sockets.size / 2;
      for (const s of sockets) s.destroy();
      sockets.clear();
      return n;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
