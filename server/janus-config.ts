import * as v from '../src/protocol/schema.js';
import type { JanusServerOptions } from './janus-pool.js';

/**
 * `JANUS_SERVERS`: the pool of Janus servers as one JSON array, e.g.
 *
 *   JANUS_SERVERS='[
 *     {"url": "ws://10.0.0.7:8188", "publicUrl": "wss://janus1.example.com/", "adminUrl": "ws://10.0.0.7:7188",
 *      "adminSecret": "…", "adminKey": "…"},
 *     {"url": "ws://10.0.0.8:8188", "publicUrl": "wss://janus2.example.com/", "adminUrl": "ws://10.0.0.8:7188",
 *      "adminSecret": "…", "adminKey": "…"}
 *   ]'
 *
 * `url`: where the broker reaches the Janus WebSocket API; `publicUrl`: the
 * same Janus as browsers reach it (descriptors; default `url`); `adminUrl` +
 * `adminSecret`: its Admin API (token_auth; both or neither); `adminKey`: its
 * plugins' admin_key. Without JANUS_SERVERS, the single-Janus variables
 * (JANUS_URL, JANUS_ADMIN_KEY, JANUS_ADMIN_URL, JANUS_ADMIN_SECRET,
 * PUBLIC_GATEWAY_URL) describe a pool of one.
 */

const WsUrl = v.pipe(v.string(), v.regex(/^wss?:\/\/[^\s/]+/, 'must be a ws:// or wss:// URL'));

const Server = v.pipe(
  v.strictObject({
    url: WsUrl,
    publicUrl: v.optional(WsUrl),
    adminUrl: v.optional(WsUrl),
    adminSecret: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty'))),
    adminKey: v.pipe(v.string(), v.minLength(1, 'must not be empty')),
  }),
  v.check((s) => (s.adminUrl === undefined) === (s.adminSecret === undefined), 'give both adminUrl and adminSecret, or neither'),
);

const Servers = v.pipe(v.array(Server), v.minLength(1, 'must list at least one server'));

/** The pool from `JANUS_SERVERS` (JSON), or throws an Error saying exactly what is wrong where. */
export function parseJanusServers(raw: string, name = 'JANUS_SERVERS'): JanusServerOptions[] {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw new Error(`${name} is not JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  const r = v.safeParse(Servers, json);
  if (!r.success) {
    const issue = r.issues[0];
    const path = (issue.path ?? []).map((p) => (typeof p.key === 'number' ? `[${p.key}]` : `.${String(p.key)}`)).join('');
    throw new Error(`${name}${path}: ${issue.message}`);
  }
  const out = r.output.map((s) => ({
    url: s.url,
    adminKey: s.adminKey,
    ...(s.publicUrl ? { publicUrl: s.publicUrl } : {}),
    ...(s.adminUrl && s.adminSecret ? { admin: { url: s.adminUrl, secret: s.adminSecret } } : {}),
  }));
  const seen = new Set<string>();
  for (const [i, s] of out.entries()) {
    const key = s.publicUrl ?? s.url;
    if (seen.has(key)) throw new Error(`${name}[${i}]: ${key} is listed twice (each Janus needs its own publicUrl)`);
    seen.add(key);
  }
  return out;
}
