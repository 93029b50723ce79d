import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import * as v from 'valibot';
import { ClaimRequest, CreateConversationRequest } from '../src/protocol/index.js';
import type { ConversationService } from './conversations.js';
import type { CorsPolicy } from './cors.js';
import { bearerToken, HttpError, parseWith, readJsonBody, sendJson } from './http-util.js';
import type { QueueStream } from './queue-stream.js';

/**
 * Body of POST /api/conversations/:id/close. src/protocol has no schema for it;
 * this one is derived from ClaimRequest so the agent id rules stay in one place.
 */
const CloseRequest = v.partial(v.pick(ClaimRequest, ['agentId']));

export interface ApiContext {
  conversations: ConversationService;
  queueStream: QueueStream;
  cors: CorsPolicy;
  janusConnected(): boolean;
}

interface RequestInfo {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  /** CORS headers every answer to this request carries. */
  headers: OutgoingHttpHeaders;
}

type Handler = (ctx: ApiContext, r: RequestInfo) => Promise<void>;

interface Route {
  pattern: RegExp;
  methods: Readonly<Partial<Record<string, Handler>>>;
}

const ID = '([^/]+)';

const ROUTES: readonly Route[] = [
  { pattern: /^\/api\/conversations$/, methods: { POST: createConversation } },
  { pattern: new RegExp(`^/api/conversations/${ID}$`), methods: { GET: getConversation } },
  { pattern: new RegExp(`^/api/conversations/${ID}/claim$`), methods: { POST: claimConversation } },
  { pattern: new RegExp(`^/api/conversations/${ID}/close$`), methods: { POST: closeConversation } },
  { pattern: /^\/api\/queue$/, methods: { GET: getQueue } },
  { pattern: /^\/api\/queue\/stream$/, methods: { GET: streamQueue } },
  { pattern: /^\/api\/health$/, methods: { GET: getHealth } },
];

async function createConversation(ctx: ApiContext, { req, res, headers }: RequestInfo): Promise<void> {
  const body = parseWith(CreateConversationRequest, await readJsonBody(req));
  const grant = await ctx.conversations.create(body);
  sendJson(res, 201, grant, headers);
}

async function getConversation(ctx: ApiContext, { req, res, params, headers }: RequestInfo): Promise<void> {
  sendJson(res, 200, ctx.conversations.resume(params[0], bearerToken(req)), headers);
}

async function claimConversation(ctx: ApiContext, { req, res, params, headers }: RequestInfo): Promise<void> {
  const body = parseWith(ClaimRequest, await readJsonBody(req));
  sendJson(res, 200, await ctx.conversations.claim(params[0], body), headers);
}

async function closeConversation(ctx: ApiContext, { req, res, params, headers }: RequestInfo): Promise<void> {
  const body = parseWith(CloseRequest, await readJsonBody(req));
  const entry = await ctx.conversations.close(params[0], { bearer: bearerToken(req), agentId: body.agentId });
  sendJson(res, 200, entry, headers);
}

async function getQueue(ctx: ApiContext, { res, headers }: RequestInfo): Promise<void> {
  sendJson(res, 200, { conversations: ctx.conversations.queue() }, headers);
}

async function streamQueue(ctx: ApiContext, { req, res, headers }: RequestInfo): Promise<void> {
  if (!ctx.queueStream.attach(req, res, headers)) {
    throw new HttpError(503, 'capacity', 'Too many queue listeners', { 'retry-after': '10' });
  }
}

async function getHealth(ctx: ApiContext, { res, headers }: RequestInfo): Promise<void> {
  const up = ctx.janusConnected();
  sendJson(res, up ? 200 : 503, { janus: up ? 'up' : 'down' }, headers);
}

function decodeParams(match: RegExpExecArray): string[] | undefined {
  try {
    return match.slice(1).map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
}

/** Routes one /api request. Failures are thrown as HttpError for the caller to render (with CORS headers). */
export async function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
  const route = ROUTES.map((r) => ({ r, m: r.pattern.exec(pathname) })).find((x) => x.m !== null);
  const params = route?.m ? decodeParams(route.m) : undefined;
  if (!route || !params) throw new HttpError(404, 'not_found', `No API endpoint ${pathname}`);

  const methods = Object.keys(route.r.methods);
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') {
    const preflight = ctx.cors.preflightHeaders(req, methods);
    if (req.headers.origin && !preflight) throw new HttpError(403, 'origin_not_allowed', 'This origin may not call the API');
    res.writeHead(204, { allow: [...methods, 'OPTIONS'].join(', '), ...preflight });
    res.end();
    return;
  }
  const headers = ctx.cors.headersFor(req);
  const handler = route.r.methods[method];
  if (!handler) {
    throw new HttpError(405, 'method_not_allowed', `${method} is not allowed here; use ${methods.join(', ')}`, {
      allow: [...methods, 'OPTIONS'].join(', '),
    });
  }
  await handler(ctx, { req, res, params, headers });
}
