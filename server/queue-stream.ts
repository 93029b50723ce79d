import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { QueueEntry } from '../src/protocol/index.js';

export interface QueueSnapshot {
  conversations: QueueEntry[];
}

/**
 * Server-Sent Events for the agents' queue: event `queue` with the whole
 * snapshot on connect and after every change. Whole snapshots (not diffs) keep
 * consoles correct after a missed event or a reconnect; bursts of changes in
 * one tick are coalesced into one event.
 */
export class QueueStream {
  /** Each listener with the revocation id of the agent token it came with (see AgentAuth). */
  private readonly clients = new Map<ServerResponse, string | undefined>();
  private readonly heartbeat: NodeJS.Timeout;
  private pending = false;

  constructor(
    private readonly snapshot: () => Promise<QueueSnapshot>,
    heartbeatMs = 15_000,
    private readonly maxClients = 1000,
  ) {
    // A comment line keeps proxies and idle timeouts from cutting a quiet stream.
    this.heartbeat = setInterval(() => this.broadcast(': heartbeat\n\n'), heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /**
   * Returns false when the stream is full (the caller answers 503). `endAtMs`
   * ends the stream then (the listener's credentials run out; EventSource comes
   * back and has to authenticate again). `tokenId` lets endFor() end it when
   * that token is logged out.
   */
  attach(req: IncomingMessage, res: ServerResponse, extraHeaders: OutgoingHttpHeaders = {}, endAtMs?: number, tokenId?: string): boolean {
    if (this.clients.size >= this.maxClients) return false;
    res.writeHead(200, {
      ...extraHeaders,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    this.clients.set(res, tokenId);
    let timer: NodeJS.Timeout | undefined;
    if (endAtMs !== undefined && Number.isFinite(endAtMs)) {
      timer = setTimeout(() => res.end(), Math.max(0, endAtMs - Date.now()));
      timer.unref();
    }
    const drop = () => {
      clearTimeout(timer);
      this.clients.delete(res);
    };
    req.on('close', drop);
    res.on('close', drop);
    res.on('error', drop);
    res.write('retry: 2000\n\n');
    this.event().then(
      (first) => { if (!res.writableEnded) res.write(first); },
      () => res.end(),
    );
    return true;
  }

  /** Schedules one event for everything that changed in this tick. */
  notify(): void {
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      if (this.clients.size) this.event().then((e) => this.broadcast(e), () => {});
    });
  }

  /** Ends every stream opened with this token (its agent logged out); returns how many. */
  endFor(tokenId: string): number {
    let n = 0;
    for (const [res, id] of this.clients) {
      if (id !== tokenId) continue;
      this.clients.delete(res);
      res.end();
      n++;
    }
    return n;
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients.keys()) res.end();
    this.clients.clear();
  }

  private async event(): Promise<string> {
    return `event: queue\ndata: ${JSON.stringify(await this.snapshot())}\n\n`;
  }

  private broadcast(chunk: string): void {
    for (const res of this.clients.keys()) {
      if (res.writableEnded || res.destroyed) {
        this.clients.delete(res);
        continue;
      }
      res.write(chunk);
    }
  }
}
