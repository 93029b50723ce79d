// A bare Janus WebSocket client for the security tests: it sends exactly what
// an attacker would type, with no library filling anything in for it.
import WebSocket from 'ws';

export type JanusReply = {
  janus: string;
  transaction?: string;
  session_id?: number;
  sender?: number;
  data?: Record<string, unknown> & { id?: number };
  error?: { code: number; reason: string };
  plugindata?: { plugin: string; data: Record<string, unknown> };
};

let tx = 0;

export class RawJanus {
  private readonly pending = new Map<string, { done: (m: JanusReply) => void; ackIsAnswer: boolean }>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as JanusReply;
      if (!m.transaction) return;
      const p = this.pending.get(m.transaction);
      if (!p || (m.janus === 'ack' && !p.ackIsAnswer)) return;
      this.pending.delete(m.transaction);
      p.done(m);
    });
  }

  /** Opens the Janus API (`janus-protocol`) or the Admin API (`janus-admin-protocol`). */
  static open(url: string, protocol: 'janus-protocol' | 'janus-admin-protocol' = 'janus-protocol'): Promise<RawJanus> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocol);
      ws.once('open', () => resolve(new RawJanus(ws)));
      ws.once('error', reject);
    });
  }

  /** Sends one request and resolves with Janus's final answer to it (acks skipped; async plugin events included). */
  request(body: Record<string, unknown>, timeoutMs = 5000): Promise<JanusReply> {
    const transaction = `t${++tx}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(transaction);
        reject(new Error(`no answer to ${String(body.janus)} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (m: JanusReply) => {
        clearTimeout(timer);
        resolve(m);
      };
      // A keepalive is answered with an ack; for plugin messages the ack only says "event follows".
      this.pending.set(transaction, { done, ackIsAnswer: body.janus === 'keepalive' });
      this.ws.send(JSON.stringify({ ...body, transaction }));
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** A Janus session opened with `token` (or none), as a browser holding that token would. */
export class RawSession {
  private constructor(
    readonly conn: RawJanus,
    readonly id: number,
    readonly token: string | undefined,
  ) {}

  /** Resolves with the session, or rejects with Janus's refusal ("403 Unauthorized …"). */
  static async create(url: string, token: string | undefined): Promise<RawSession> {
    const conn = await RawJanus.open(url);
    const r = await conn.request({ janus: 'create', ...(token !== undefined ? { token } : {}) });
    if (r.janus !== 'success' || !r.data?.id) {
      conn.close();
      throw new Error(`${r.error?.code} ${r.error?.reason}`);
    }
    return new RawSession(conn, r.data.id, token);
  }

  private base(): Record<string, unknown> {
    return { session_id: this.id, ...(this.token !== undefined ? { token: this.token } : {}) };
  }

  async attach(plugin: string): Promise<number> {
    const r = await this.conn.request({ janus: 'attach', plugin, ...this.base() });
    if (r.janus !== 'success' || !r.data?.id) throw new Error(`${r.error?.code} ${r.error?.reason}`);
    return r.data.id;
  }

  /**
   * Sends a plugin request; resolves with the plugin's answer data. A refusal
   * by the core (bad token) or by the plugin (`error` / `error_code`) rejects
   * with its reason.
   */
  async message(handle: number, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const r = await this.conn.request({ janus: 'message', handle_id: handle, body, ...this.base() });
    if (r.janus === 'error') throw new Error(`${r.error?.code} ${r.error?.reason}`);
    const data = r.plugindata?.data ?? {};
    if (data.error !== undefined || data.error_code !== undefined) throw new Error(`${String(data.error_code)} ${String(data.error)}`);
    return data;
  }

  async keepalive(): Promise<JanusReply> {
    return this.conn.request({ janus: 'keepalive', ...this.base() });
  }

  close(): void {
    this.conn.close();
  }
}
