import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Janode, { type JanodeLogLevel } from 'janode';
import { handleApi, type ApiContext } from './api.js';
import { ConversationService, type IceServer } from './conversations.js';
import { CorsPolicy } from './cors.js';
import { HttpError, sendError } from './http-util.js';
import { JanusRooms } from './janus-rooms.js';
import { type Logger, warningsToStderr } from './log.js';
import { QueueStream } from './queue-stream.js';
import { serveStatic } from './static-files.js';
import { ConversationStore } from './store.js';

export interface BrokerOptions {
  /** Janus WebSocket API the broker itself talks to. */
  janusUrl: string;
  /** admin_key of the TextRoom and VideoRoom plugins (needed to create rooms). */
  janusAdminKey: string;
  /** 0 picks a free port. Default 8080. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Repository root: `/` and `/demo/…` serve demo/, `/dist/…` serves dist/. Without it only the API is served. */
  staticRoot?: string;
  /** Janus URL as browsers reach it (goes into descriptors). Defaults to janusUrl. */
  publicGatewayUrl?: string;
  /** Origins (e.g. "https://shop.example") whose pages may call the API cross-origin. Default: none (same-origin only). */
  allowedOrigins?: string[];
  /** ICE servers handed to browsers in every descriptor. */
  iceServers?: IceServer[];
  /** Default 500. */
  maxOpenConversations?: number;
  /** Unclaimed conversations are closed after this long. Default 2 h. */
  waitingTtlMs?: number;
  /** Closed conversations are forgotten after this long. Default 60 s. */
  closedRetentionMs?: number;
  /** How long startBroker waits for the first Janus connection. Default 10 s. */
  janusConnectTimeoutMs?: number;
  /** janode's own console logging. Default 'none' (the broker logs connection trouble itself). */
  janodeLogLevel?: JanodeLogLevel;
  log?: Logger;
}

export interface Broker {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 30_000;
/** Bytes of an oversized body we swallow so the client can read the 413 before the socket closes. */
const MAX_DISCARD_BYTES = 1 << 20;

export async function startBroker(opts: BrokerOptions): Promise<Broker> {
  const log = opts.log ?? warningsToStderr;
  const host = opts.host ?? '127.0.0.1';
  Janode.Logger.setLevel(opts.janodeLogLevel ?? 'none');

  const rooms = new JanusRooms({ url: opts.janusUrl, adminKey: opts.janusAdminKey, log });
  try {
    await rooms.start(opts.janusConnectTimeoutMs ?? 10_000);
  } catch (e) {
    await rooms.close();
    throw e;
  }

  const store = new ConversationStore();
  const conversations = new ConversationService(store, rooms, {
    gateway: opts.publicGatewayUrl ?? opts.janusUrl,
    iceServers: opts.iceServers,
    maxOpen: opts.maxOpenConversations ?? 500,
    waitingTtlMs: opts.waitingTtlMs ?? 2 * 60 * 60_000,
    closedRetentionMs: opts.closedRetentionMs ?? 60_000,
    log,
  });
  const queueStream = new QueueStream(() => ({ conversations: conversations.queue() }));
  store.onChange(() => queueStream.notify());
  rooms.onReconnected(() => {
    conversations.reconcile().catch((e: unknown) => log('error', `reconcile after reconnect failed: ${String(e)}`));
  });
  const sweeper = setInterval(() => {
    conversations.sweep().catch((e: unknown) => log('error', `sweep failed: ${String(e)}`));
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();

  const cors = new CorsPolicy(opts.allowedOrigins);
  const ctx: ApiContext = { conversations, queueStream, cors, janusConnected: () => rooms.connected };

  const server = createServer((req, res) => {
    void route(req, res);
  });
  // Bounds how long a slow client may take to send its (at most 16 KiB) request.
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A client that vanishes mid-request must not take the process down.
    req.on('error', () => {});
    res.on('error', () => {});
    const pathname = (req.url ?? '/').split('?')[0];
    const isApi = pathname === '/api' || pathname.startsWith('/api/');
    try {
      if (!pathname.startsWith('/')) throw new HttpError(400, 'bad_request', 'Request target must be a path');
      if (isApi) await handleApi(ctx, req, res, pathname);
      else await serveStatic(req, res, opts.staticRoot, pathname);
    } catch (e) {
      const err = e instanceof HttpError ? e : new HttpError(500, 'internal', 'Internal error');
      if (!(e instanceof HttpError)) log('error', `${req.method} ${pathname}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      if (err.status === 413) discardBody(req, res);
      sendError(res, new HttpError(err.status, err.code, err.message, { ...cors.headersFor(req), ...err.headers }));
    }
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 8080, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    clearInterval(sweeper);
    queueStream.close();
    await rooms.close();
    throw e;
  }
  server.on('error', (e) => log('error', `http server: ${e.message}`));

  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log('info', `listening on ${url}, Janus ${opts.janusUrl}`);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(sweeper);
      queueStream.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      // The store dies with the process, so nobody could resume these rooms: do not leave them on Janus.
      await conversations.destroyAll();
      await rooms.close();
    })());

  return { url, close };
}

/**
 * Reads and drops the rest of an oversized body (up to a cap) and closes the
 * connection after the answer. Without this the client may see a reset while
 * still uploading and never read the 413.
 */
function discardBody(req: IncomingMessage, res: ServerResponse): void {
  res.shouldKeepAlive = false;
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > MAX_DISCARD_BYTES) req.socket.destroy();
  });
  req.resume();
}
