import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import * as v from '../src/protocol/schema.js';
import {
  AgentId,
  AgentLoginRequest,
  AgentPresenceRequest,
  ClaimRequest,
  CreateConversationRequest,
  HandleOfflineMessageRequest,
  LinkCustomerRequest,
  OfflineMessageRequest,
  RegisterKeyRequest,
  type AgentIdentity,
  type CustomerSearchResponse,
} from '../src/protocol/index.js';
import type { AgentAuth, VerifiedAgent } from './agent-auth.js';
import type { Availability } from './availability.js';
import type { ConversationService, ParticipantCredentials } from './conversations.js';
import type { CorsPolicy } from './cors.js';
import type { CustomerDirectory } from './customers.js';
import type { Queryable } from './db.js';
import { ErasureRequest, type ErasureResult } from './erasure.js';
import { bearerToken, HttpError, parseWith, readJsonBody, sendJson } from './http-util.js';
import { parseOfflineListQuery, type OfflineMessages } from './offline-messages.js';
import type { AgentPresence } from './presence.js';
import { queuePosition } from './queue-position.js';
import { parseLastEventId, type QueueStream } from './queue-stream.js';
import type { ClientKey, RateLimit } from './rate-limit.js';
import { sameSecret } from './secrets.js';
import { parseTranscriptQuery, transcriptPage } from './transcript-api.js';

/**
 * Body of POST /api/conversations/:id/close: nothing is needed (the bearer says
 * who closes); an `agentId` from older consoles is accepted and ignored.
 */
// A close may name the agent as a claim does (checked the same way), nothing else.
const CloseRequest = v.strictObject({ agentId: v.optional(AgentId) });
const EmptyRequest = v.strictObject({});
const SearchQuery = v.pipe(v.string(), v.trim(), v.maxLength(100, 'q must be at most 100 characters'));

/** Which token bucket a POST draws from: conversation creation, agent login, or any other POST. */
export type RateBucket = 'create' | 'login' | 'post';

export interface ApiContext {
  conversations: ConversationService;
  queueStream: QueueStream;
  cors: CorsPolicy;
  auth: AgentAuth;
  /** True when the built-in login has accounts. */
  loginEnabled: boolean;
  customers: CustomerDirectory;
  limits: Readonly<Partial<Record<RateBucket, RateLimit>>>;
  clientKey: ClientKey;
  janusConnected(): boolean;
  /** Every Janus of the pool and whether this broker has a session on it. */
  gateways?(): Array<{ gateway: string; up: boolean }>;
  /** The record, for transcript pages (transcript-api.ts). */
  db: Queryable;
  /** The operator's token for POST /api/erasure; without one erasure answers 403 erasure_disabled. */
  operatorToken?: string;
  erase(req: ErasureRequest): Promise<ErasureResult>;
  /** Whether a customer can reach an agent now (availability.ts): opening hours, agents' presence. */
  availability: Availability;
  /** Messages left while nobody was available (offline-messages.ts). */
  offline: OfflineMessages;
  /** Closed conversations (and handled offline messages) stay in the queue this long. */
  closedRetentionMs: number;
  /** Agent presence (presence.ts): the console's toggle; through `availability`, the widget's. */
  presence: AgentPresence;
}

interface RequestInfo {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  query: URLSearchParams;
  /** CORS headers every answer to this request carries. */
  headers: OutgoingHttpHeaders;
}

type Handler = (ctx: ApiContext, r: RequestInfo) => Promise<void>;

interface Route {
  pattern: RegExp;
  methods: Readonly<Partial<Record<string, Handler>>>;
  /** Bucket for POSTs here (default 'post'). */
  bucket?: RateBucket;
}

const ID = '([^/]+)';

const ROUTES: readonly Route[] = [
  { pattern: /^\/api\/conversations$/, methods: { POST: createConversation }, bucket: 'create' },
  { pattern: new RegExp(`^/api/conversations/${ID}$`), methods: { GET: getConversation } },
  { pattern: new RegExp(`^/api/conversations/${ID}/claim$`), methods: { POST: claimConversation } },
  { pattern: new RegExp(`^/api/conversations/${ID}/close$`), methods: { POST: closeConversation } },
  { pattern: new RegExp(`^/api/conversations/${ID}/link$`), methods: { POST: linkCustomer } },
  { pattern: new RegExp(`^/api/conversations/${ID}/keys$`), methods: { POST: registerKey } },
  { pattern: new RegExp(`^/api/conversations/${ID}/transcript$`), methods: { GET: getTranscript } },
  { pattern: new RegExp(`^/api/conversations/${ID}/queue$`), methods: { GET: getQueuePosition } },
  { pattern: /^\/api\/availability$/, methods: { GET: getAvailability } },
  { pattern: /^\/api\/offline-messages$/, methods: { GET: listOfflineMessages, POST: leaveOfflineMessage }, bucket: 'create' },
  { pattern: new RegExp(`^/api/offline-messages/${ID}/handled$`), methods: { POST: handleOfflineMessage } },
  { pattern: /^\/api\/erasure$/, methods: { POST: postErasure } },
  { pattern: /^\/api\/queue$/, methods: { GET: getQueue } },
  { pattern: /^\/api\/queue\/ticket$/, methods: { POST: queueTicket } },
  { pattern: /^\/api\/queue\/stream$/, methods: { GET: streamQueue } },
  { pattern: /^\/api\/customers$/, methods: { GET: searchCustomers } },
  { pattern: /^\/api\/agent\/login$/, methods: { POST: agentLogin }, bucket: 'login' },
  { pattern: /^\/api\/agent\/logout$/, methods: { POST: agentLogout } },
  { pattern: /^\/api\/agent\/me$/, methods: { GET: agentMe } },
  { pattern: /^\/api\/agent\/presence$/, methods: { GET: getPresence, POST: setPresence } },
  { pattern: /^\/api\/health$/, methods: { GET: getHealth } },
];

/** The authenticated agent, or 401. */
async function requireAgent(ctx: ApiContext, req: IncomingMessage): Promise<AgentIdentity> {
  return (await requireAgentToken(ctx, req)).agent;
}

/** The authenticated agent and the revocation id of its token, or 401. */
async function requireAgentToken(ctx: ApiContext, req: IncomingMessage): Promise<VerifiedAgent> {
  const bearer = bearerToken(req);
  if (bearer === undefined) {
    throw new HttpError(401, 'unauthorized', 'Agents only: log in (POST /api/agent/login) and send Authorization: Bearer <token>', {
      'www-authenticate': 'Bearer',
    });
  }
  const who = await ctx.auth.verifyWithId(bearer);
  if (!who) {
    throw new HttpError(401, 'invalid_token', 'The agent token is invalid or has expired; log in again', {
      'www-authenticate': 'Bearer error="invalid_token"',
    });
  }
  return who;
}

async function createConversation(ctx: ApiContext, { req, res, headers }: RequestInfo): Promise<void> {
  const body = parseWith(CreateConversationRequest, await readJsonBody(req));
  const grant = await ctx.conversations.create(body, ctx.clientKey(req));
  sendJson(res, 201, grant, headers);
}

async function getConversation(ctx: ApiContext, { req, res, params, headers }: RequestInfo): Promise<void> {
  sendJson(res, 200, await ctx.conversations.resume(params[0], bearerToken(req)), headers);
}

async function claimConversation(ctx: ApiContext, { req, res, params, headers }: RequestInfo): Promise<void> {
  const agent = await requireAgent(ctx, req);
  const body = parseWith(ClaimRequest, await readJsonBody(req));
  sendJson(res, 200, await ctx.conversations.claim(params[0], agent, body.publicKey), headers);
}

/**
 * Who speaks for a conversation on this request: its customer (the bearer is
 * the resume key) or an authenticated agent (the service checks it is the
 * claiming one). `forbidden` says what this bearer may not do.
 */
async function participant(ctx: ApiContext, req: IncomingMessage, id: string, forbidden: string): Promise<ParticipantCredentials> {
  const bearer = bearerToken(req);
  if (bearer === undefined) {
    throw new HttpError(401, 'unauthorized', 'Send Authorization: Bearer <resumeKey> (customer) or <agent token> (the claiming agent)', {
      'www-authenticate': 'Bearer',
    });
  }
  if (await ctx.conversations.isResumeKey(id, bearer)) return { resumeKey: bearer };
  const agent = await ctx.auth.verify(bearer);
  if (!agent) throw new HttpError(403, 'forbidden', forbidden);
  return { agent };
}

async function closeConversation(ctx: ApiContext, { req, res, params, headers }: RequestInfo): Promise<void> {
  parseWith(CloseRequest, await readJsonBody(req));
  const who = await participant(ctx, req, params[0], 'This key may not close the conversation');
  sendJson(res, 200, await ctx.conversations.close(params[0], who), headers);
}

/** Another signing key: the customer by its resume key, the claiming agent by its agent token. */
async function registerKey(ctx: ApiContext, { req, res, params, headers }: RequestInfo): Promise<void> {
  const body = parseWith(RegisterKeyRequest, await readJsonBody(req));
  const who = await participant(ctx, req, params[0], 'This key may not register signing keys in this conversation');
  sendJson(res, 200, await ctx.conversations.registerKey(params[0], who, body.publicKey), headers);
}

async function linkCustomer(ctx: ApiContext, { req, res, params, headers }: RequestInfo): Promise<void> {
  const agent = await requireAgent(ctx, req);
  const body = parseWith(LinkCustomerRequest, await readJsonBody(req));
  sendJson(res, 200, await ctx.conversations.link(params[0], agent, body), headers);
}

/**
 * The archived record of a conversation (TranscriptResponse): for its customer
 * (resume key) and its claiming agent; once it is closed, for any agent (the
 * one who picks the customer up tomorrow).
 */
async function getTranscript(ctx: ApiContext, { req, res, params, query, headers }: RequestInfo): Promise<void> {
  const c = await ctx.conversations.snapshot(params[0]);
  const bearer = bearerToken(req);
  if (bearer === undefined) {
    throw new HttpError(401, 'unauthorized', 'Send Authorization: Bearer <resumeKey> (customer) or <agent token>', { 'www-authenticate': 'Bearer' });
  }
  if (!sameSecret(bearer, c.resumeKey)) {
    const agent = await ctx.auth.verify(bearer);
    if (!agent) throw new HttpError(403, 'forbidden', 'This key may not read the transcript');
    if (c.state !== 'closed' && c.claim?.agent.id !== agent.id) {
      throw new HttpError(403, 'forbidden', 'While the conversation is open only the agent who claimed it may read its transcript');
    }
  }
  const { after, limit } = parseTranscriptQuery(query);
  sendJson(res, 200, await transcriptPage(ctx.db, c.id, after, limit), headers);
}

/** Removes one customer's conversations, transcripts and pending webhook events (erasure.ts). Operator only. */
async function postErasure(ctx: ApiContext, { req, res, headers }: RequestInfo): Promise<void> {
  if (!ctx.operatorToken) {
    throw new HttpError(403, 'erasure_disabled', 'Erasure needs an operator token: start the broker with OPERATOR_TOKEN (at least 32 bytes)');
  }
  const bearer = bearerToken(req);
  if (bearer === undefined) throw new HttpError(401, 'unauthorized', 'Send Authorization: Bearer <OPERATOR_TOKEN>', { 'www-authenticate': 'Bearer' });
  if (!sameSecret(bearer, ctx.operatorToken)) throw new HttpError(403, 'forbidden', 'Wrong operator token');
  const body = parseWith(ErasureRequest, await readJsonBody(req));
  sendJson(res, 200, await ctx.erase(body), headers);
}

async function getQueue(ctx: ApiContext, { req, res, headers }: RequestInfo): Promise<void> {
  await requireAgent(ctx, req);
  const [conversations, offline] = await Promise.all([ctx.conversations.queue(), ctx.offline.queueEntries(Date.now() - ctx.closedRetentionMs)]);
  sendJson(res, 200, { conversations: [...conversations, ...offline].sort((a, b) => a.createdAt - b.createdAt) }, headers);
}

/** The customer's place in the queue (queue-position.ts), and whether anyone is there to take it. */
async function getQueuePosition(ctx: ApiContext, { req, res, params, headers }: RequestInfo): Promise<void> {
  const bearer = bearerToken(req);
  if (bearer === undefined) throw new HttpError(401, 'unauthorized', 'Send Authorization: Bearer <resumeKey>', { 'www-authenticate': 'Bearer' });
  if (!(await ctx.conversations.isResumeKey(params[0], bearer))) throw new HttpError(403, 'forbidden', 'Wrong resume key for this conversation');
  const position = await queuePosition(ctx.db, params[0]);
  sendJson(res, 200, position.state === 'waiting' && ctx.availability.known ? { ...position, availability: await ctx.availability.now() } : position, headers);
}

/** For the customer widget: can a chat reach an agent now (opening hours, agents' presence)? Never who. */
async function getAvailability(ctx: ApiContext, { res, headers }: RequestInfo): Promise<void> {
  sendJson(res, 200, await ctx.availability.now(), { ...headers, 'cache-control': 'no-store' });
}

/** A visitor who found nobody leaves a message and an email address (rate-limited like starting a chat). */
async function leaveOfflineMessage(ctx: ApiContext, { req, res, headers }: RequestInfo): Promise<void> {
  const body = parseWith(OfflineMessageRequest, await readJsonBody(req));
  sendJson(res, 201, await ctx.offline.leave(body, ctx.clientKey(req)), headers);
}

async function listOfflineMessages(ctx: ApiContext, { req, res, query, headers }: RequestInfo): Promise<void> {
  await requireAgent(ctx, req);
  sendJson(res, 200, await ctx.offline.list(parseOfflineListQuery(query)), headers);
}

/** An agent answered the message (by email): it closes in every console. */
async function handleOfflineMessage(ctx: ApiContext, { req, res, params, headers }: RequestInfo): Promise<void> {
  const agent = await requireAgent(ctx, req);
  parseWith(HandleOfflineMessageRequest, await readJsonBody(req));
  sendJson(res, 200, await ctx.offline.markHandled(params[0], agent), headers);
}

async function queueTicket(ctx: ApiContext, { req, res, headers }: RequestInfo): Promise<void> {
  const who = await requireAgentToken(ctx, req);
  parseWith(EmptyRequest, await readJsonBody(req));
  sendJson(res, 200, ctx.auth.streamTicket(who, bearerToken(req) ?? ''), headers);
}

/**
 * The queue as Server-Sent Events. EventSource cannot send headers, so besides
 * `Authorization: Bearer` this takes `?ticket=` from POST /api/queue/ticket: a
 * one-minute, stream-only credential, so a URL that ends up in a log or the
 * browser history is useless soon after and never works as an agent token.
 * A snapshot first, then deltas; `Last-Event-ID` (or `?lastEventId=`)
 * resumes with the events after it (queue-stream.ts).
 */
async function streamQueue(ctx: ApiContext, { req, res, query, headers }: RequestInfo): Promise<void> {
  const ticket = query.get('ticket');
  let endAt: number | undefined;
  let who: VerifiedAgent;
  if (ticket !== null) {
    const ok = await ctx.auth.verifyStreamTicket(ticket);
    if (!ok) throw new HttpError(401, 'invalid_ticket', 'The queue ticket is invalid or has expired; get a new one from POST /api/queue/ticket');
    endAt = ok.untilMs;
    who = ok;
  } else {
    who = await requireAgentToken(ctx, req);
  }
  const { tokenId, agent } = who;
  // Where a reconnecting console left off: EventSource sends Last-Event-ID itself; a console that had to get a
  // new ticket passes the id it last saw as ?lastEventId= (an EventSource cannot set headers).
  const header = req.headers['last-event-id'];
  const lastEventId = parseLastEventId(typeof header === 'string' ? header : query.get('lastEventId'));
  if (!ctx.queueStream.attach(req, res, { headers, endAtMs: endAt, tokenId, agentId: agent.id, lastEventId })) {
    throw new HttpError(503, 'capacity', 'Too many queue listeners', { 'retry-after': '10' });
  }
  // An open console keeps its agent's presence alive (and this broker refreshes it while the stream stays open).
  void ctx.presence.refresh([agent.id]).catch(() => {});
}

/** The agent's own presence as it counts now. */
async function getPresence(ctx: ApiContext, { req, res, headers }: RequestInfo): Promise<void> {
  const agent = await requireAgent(ctx, req);
  sendJson(res, 200, await ctx.presence.get(agent.id), headers);
}

/** The console's available/away toggle: `available` lasts while a queue stream of the agent's is open (presence.ts). */
async function setPresence(ctx: ApiContext, { req, res, headers }: RequestInfo): Promise<void> {
  const agent = await requireAgent(ctx, req);
  const body = parseWith(AgentPresenceRequest, await readJsonBody(req));
  sendJson(res, 200, await ctx.presence.set(agent, body.status), headers);
}

async function searchCustomers(ctx: ApiContext, { req, res, query, headers }: RequestInfo): Promise<void> {
  await requireAgent(ctx, req);
  const q = parseWith(SearchQuery, query.get('q') ?? '');
  const body: CustomerSearchResponse = { customers: ctx.customers.search(q) };
  sendJson(res, 200, body, headers);
}

async function agentLogin(ctx: ApiContext, { req, res, headers }: RequestInfo): Promise<void> {
  const body = parseWith(AgentLoginRequest, await readJsonBody(req));
  if (!ctx.loginEnabled) {
    throw new HttpError(403, 'login_disabled', 'This broker has no built-in agent accounts; agents sign in through the integrating system');
  }
  const session = ctx.auth.login(body.username, body.password);
  if (!session) throw new HttpError(401, 'invalid_credentials', 'Wrong username or password');
  sendJson(res, 200, session, headers);
}

async function agentLogout(ctx: ApiContext, { req, res, headers }: RequestInfo): Promise<void> {
  await requireAgent(ctx, req);
  parseWith(EmptyRequest, await readJsonBody(req));
  const tokenId = await ctx.auth.logout(bearerToken(req) ?? '');
  // Its open queue streams end now, not at their token's expiry.
  if (tokenId !== undefined) ctx.queueStream.endFor(tokenId);
  sendJson(res, 200, {}, headers);
}

async function agentMe(ctx: ApiContext, { req, res, headers }: RequestInfo): Promise<void> {
  sendJson(res, 200, { agent: await requireAgent(ctx, req) }, headers);
}

async function getHealth(ctx: ApiContext, { res, headers }: RequestInfo): Promise<void> {
  const up = ctx.janusConnected();
  sendJson(res, up ? 200 : 503, { janus: up ? 'up' : 'down', ...(ctx.gateways ? { gateways: ctx.gateways() } : {}) }, headers);
}

function decodeParams(match: RegExpExecArray): string[] | undefined {
  try {
    return match.slice(1).map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
}

async function rateLimit(ctx: ApiContext, req: IncomingMessage, bucket: RateBucket): Promise<void> {
  const limiter = ctx.limits[bucket];
  if (!limiter) return;
  const decision = await limiter.take(`${bucket}:${ctx.clientKey(req)}`);
  if (decision.ok) return;
  // Drain the (small, size-capped) body so the connection stays usable for the answer.
  req.resume();
  throw new HttpError(429, 'rate_limited', `Too many requests; try again in ${decision.retryAfterS} s`, { 'retry-after': String(decision.retryAfterS) });
}

/** Routes one /api request. Failures are thrown as HttpError for the caller to render (with CORS headers). */
export async function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, pathname: string, search = ''): Promise<void> {
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
  if (method === 'POST') await rateLimit(ctx, req, route.r.bucket ?? 'post');
  await handler(ctx, { req, res, params, query: new URLSearchParams(search), headers });
}
