import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, HttpError, sendJson } from './http-util.js';
import { verifyWebhookSignature } from './webhooks.js';

/**
 * The sample CRM's backend (npm start, BrokerOptions.demoCrm): a webhook
 * receiver that files what the broker reports, per conversation, in memory,
 * the way a CRM would file a chat transcript on the customer's record.
 *
 *   POST /demo-crm/webhook                       the broker's webhooks (signature checked, 401 otherwise)
 *   GET  /demo-crm/conversations/:id?after=<n>   what is filed for one conversation (agent token);
 *                                                waits up to 25 s for something after entry n
 *
 * It lives in the broker process only so that the demo needs nothing else;
 * a real CRM receives the same requests at its own URL (README, "Webhooks").
 */

export interface FiledEntry {
  /** 1, 2, … in the order the CRM received them. */
  seq: number;
  event: string;
  /** When the CRM filed it, epoch ms. */
  filedAt: number;
  /** For message events: the archived message. */
  message?: { id: string; type: string; from: { role: string; id: string }; ts: number; body: unknown };
  /** For conversation events: the conversation as reported. */
  conversation?: Record<string, unknown>;
}

export interface FiledConversation {
  conversationId: string;
  /** The latest conversation snapshot a conversation.* event carried. */
  conversation?: Record<string, unknown>;
  entries: FiledEntry[];
  /** Deliveries received, redeliveries (same Idempotency-Key) included. */
  deliveries: number;
}

const MAX_CONVERSATIONS = 1000;
const MAX_ENTRIES = 10_000;
const MAX_BODY = 256 * 1024;
const LONG_POLL_MS = 25_000;

interface Record_ extends FiledConversation {
  keys: Set<string>;
  waiters: Set<() => void>;
}

export class DemoCrm {
  private readonly filed = new Map<string, Record_>();

  constructor(
    private readonly secret: string,
    /** Accepts an agent's bearer token (the CRM page signs in with the broker's login). */
    private readonly isAgent: (bearer: string) => Promise<boolean>,
  ) {}

  /** Handles /demo-crm/…; throws HttpError for anything it does not know. */
  async handle(req: IncomingMessage, res: ServerResponse, pathname: string, search: string): Promise<void> {
    if (pathname === '/demo-crm/webhook') {
      if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'POST only', { allow: 'POST' });
      await this.receive(req, res);
      return;
    }
    const m = /^\/demo-crm\/conversations\/([^/]+)$/.exec(pathname);
    if (m) {
      if (req.method !== 'GET') throw new HttpError(405, 'method_not_allowed', 'GET only', { allow: 'GET' });
      const bearer = bearerToken(req);
      if (!bearer || !(await this.isAgent(bearer))) throw new HttpError(401, 'unauthorized', 'Agents only', { 'www-authenticate': 'Bearer' });
      let id: string;
      try {
        id = decodeURIComponent(m[1]);
      } catch {
        throw new HttpError(400, 'bad_request', 'Bad conversation id');
      }
      const after = Number(new URLSearchParams(search).get('after') ?? 0) || 0;
      await this.waitFor(res, id, after);
      sendJson(res, 200, this.view(id, after));
      return;
    }
    throw new HttpError(404, 'not_found', 'No such endpoint');
  }

  /** What is filed for one conversation, from entry `after` on. */
  view(conversationId: string, after = 0): FiledConversation {
    const r = this.filed.get(conversationId);
    return {
      conversationId,
      ...(r?.conversation ? { conversation: r.conversation } : {}),
      entries: r ? r.entries.filter((e) => e.seq > after) : [],
      deliveries: r?.deliveries ?? 0,
    };
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readRaw(req);
    // Exactly what the README tells a CRM to do: verify the signature over the raw body first.
    if (!verifyWebhookSignature(req.headers['vc-signature'] as string | undefined, body, this.secret)) {
      throw new HttpError(401, 'bad_signature', 'Signature missing, wrong or too old');
    }
    const key = String(req.headers['idempotency-key'] ?? '');
    let event: { type?: unknown; conversationId?: unknown; data?: { message?: FiledEntry['message']; conversation?: Record<string, unknown> } };
    try {
      event = JSON.parse(body) as typeof event;
    } catch {
      throw new HttpError(400, 'invalid_json', 'Body is not JSON');
    }
    const cid = typeof event.conversationId === 'string' ? event.conversationId : undefined;
    if (!cid || typeof event.type !== 'string' || !key) throw new HttpError(400, 'invalid_request', 'Not an event');
    const r = this.record(cid);
    r.deliveries++;
    if (!r.keys.has(key) && r.entries.length < MAX_ENTRIES) {
      r.keys.add(key);
      const entry: FiledEntry = { seq: r.entries.length + 1, event: event.type, filedAt: Date.now() };
      if (event.data?.message) entry.message = event.data.message;
      if (event.data?.conversation) {
        entry.conversation = event.data.conversation;
        r.conversation = event.data.conversation;
      }
      r.entries.push(entry);
      for (const w of r.waiters) w();
    }
    res.writeHead(204);
    res.end();
  }

  private record(conversationId: string): Record_ {
    let r = this.filed.get(conversationId);
    if (!r) {
      if (this.filed.size >= MAX_CONVERSATIONS) this.filed.delete(this.filed.keys().next().value as string);
      r = { conversationId, entries: [], deliveries: 0, keys: new Set(), waiters: new Set() };
      this.filed.set(conversationId, r);
    }
    return r;
  }

  /** Long poll: returns at once when something after `after` is filed, else when it is or 25 s passed or the client left. */
  private waitFor(res: ServerResponse, conversationId: string, after: number): Promise<void> {
    const r = this.record(conversationId);
    if (r.entries.length > after) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        r.waiters.delete(done);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, LONG_POLL_MS);
      timer.unref();
      r.waiters.add(done);
      res.on('close', done);
    });
  }
}

function readRaw(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, 'body_too_large', 'Body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
