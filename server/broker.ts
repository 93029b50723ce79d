import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Janode, { type JanodeLogLevel } from 'janode';
import { QUEUE_PRESENCE_EVENT, type CustomerRecord } from '../src/protocol/index.js';
import { AgentAuth, databaseRevocations, type AgentAccount, type AgentVerifier } from './agent-auth.js';
import { handleApi, type ApiContext, type RateBucket } from './api.js';
import { Archive, ARCHIVE_PATH } from './archive.js';
import { Availability } from './availability.js';
import { Backfill } from './backfill.js';
import { brokerIdFor, Cluster } from './cluster.js';
import { generateAuthorityKey, loadAuthority } from './authority.js';
import { brokerSecret } from './broker-secrets.js';
import { openDb, type DatabaseOptions, type Db } from './db.js';
import { migrate } from './migrate.js';
import { ConversationService, DEFAULT_OPEN_CAPS, type IceServer, type OpenConversationCaps } from './conversations.js';
import { CorsPolicy } from './cors.js';
import { CustomerDirectory } from './customers.js';
import { DemoCrm } from './demo-crm.js';
import { eraseCustomer } from './erasure.js';
import { HttpError, sendError } from './http-util.js';
import { JanusPool, type JanusServerOptions } from './janus-pool.js';
import { type Logger, warningsToStderr } from './log.js';
import { OfflineMessages } from './offline-messages.js';
import { parseOpeningHours } from './opening-hours.js';
import { AgentPresence } from './presence.js';
import { QueueFeed, QueueStream } from './queue-stream.js';
import { type ClientKey, DatabaseRateLimiter, pruneRateBuckets, type RateRule, remoteAddressKey } from './rate-limit.js';
import { checkSecretLength, randomToken } from './secrets.js';
import { API_HEADERS, PAGE_HEADERS, setSecurityHeaders } from './security-headers.js';
import { serveStatic } from './static-files.js';
import { ConversationStore } from './store.js';
import { checkWebhookOptions, setWebhooksEnabled, WebhookDispatcher, type WebhookOptions } from './webhooks.js';

export interface BrokerOptions {
  /** Janus WebSocket API the broker itself talks to (one Janus; `janusServers` for a pool). */
  janusUrl?: string;
  /** admin_key of the TextRoom and VideoRoom plugins (needed to create rooms). */
  janusAdminKey?: string;
  /**
   * Janus Admin API (WebSocket, e.g. ws://127.0.0.1:7188) and its admin_secret.
   * With them the broker manages Janus core tokens (token_auth = true): one for
   * its own session and one per participant, removed when the conversation
   * ends. Without them it assumes a Janus without token_auth (participant
   * tokens then only guard the rooms' allowed lists).
   */
  janusAdmin?: { url: string; secret: string };
  /** 0 picks a free port. Default 8080. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Repository root: `/` and `/demo/…` serve demo/, `/dist/…` serves dist/. Without it only the API is served. */
  staticRoot?: string;
  /** Janus URL as browsers reach it (goes into descriptors). Defaults to janusUrl. */
  publicGatewayUrl?: string;
  /**
   * A pool of Janus servers, instead of janusUrl / janusAdminKey / janusAdmin /
   * publicGatewayUrl: each new conversation goes on the healthy one with the
   * fewest open conversations, and the open conversations of one that no
   * broker reaches for `janusFailoverGraceMs` are moved to the others.
   */
  janusServers?: JanusServerOptions[];
  /** A Janus that no live broker has reached for this long has its open conversations moved. Default 10 s; 0: never. */
  janusFailoverGraceMs?: number;
  /**
   * This broker's id among the brokers on the record (who archives which
   * conversation). Default: derived from its archive URL, so a broker
   * restarted on the same address is the same broker.
   */
  brokerId?: string;
  /** Heartbeat of the cluster checks (archive take-over, Janus failover). Default 1 s. */
  clusterHeartbeatMs?: number;
  /** A broker whose heartbeat is older than this is gone; another takes over its conversations' archive. Default 10 s. */
  brokerStaleMs?: number;
  /** Queue events are kept this long, for consoles that resume from Last-Event-ID. Default 10 min. */
  queueEventRetentionMs?: number;
  /**
   * An available agent whose consoles are all closed counts as away after
   * this long (presence.ts; an open queue stream refreshes it every third of
   * it). Default 60 s.
   */
  agentPresenceTtlMs?: number;
  /** Origins (e.g. "https://shop.example") whose pages may call the API cross-origin. Default: none (same-origin only). */
  allowedOrigins?: string[];
  /** ICE servers handed to browsers in every descriptor. */
  iceServers?: IceServer[];
  /** Default 500. */
  maxOpenConversations?: number;
  /**
   * Open conversations one client may hold: per client key (default 10), per
   * IPv4 /24 or IPv6 /48 (default 50) and per signed-in user (default 3). Over a
   * cap: 429 too_many_open_conversations. perNetwork must stay below
   * maxOpenConversations, so that one network cannot take every conversation.
   */
  openCaps?: Partial<OpenConversationCaps>;
  /** Unclaimed conversations are closed after this long. Default 2 h. */
  waitingTtlMs?: number;
  /** Waiting conversations whose customer never joined the chat room are closed after this long. Default 5 min. */
  unjoinedTtlMs?: number;
  /** Closed conversations stay in the agents' queue (state "closed") this long. Default 60 s. */
  closedRetentionMs?: number;
  /** Closed conversations and their transcripts are purged from the record this long after they closed. Default 30 days. */
  retentionMs?: number;
  /**
   * The record: a PostgreSQL server (`{url}`), embedded PostgreSQL keeping its
   * data in a folder (`{dataDir}`), or an open Db. Default: embedded, in
   * memory (nothing survives the process; npm start uses ./data).
   */
  database?: DatabaseOptions | Db;
  /** Absolute lifetime of any conversation and so of every participant token. Default 12 h. */
  maxConversationMs?: number;
  /** How often expiry is checked. Default 30 s. */
  sweepIntervalMs?: number;
  /** Accounts for the built-in agent login (POST /api/agent/login). */
  agentAccounts?: AgentAccount[];
  /**
   * Secret of the agent tokens the login issues; an integrator who knows it can
   * mint agent tokens itself (see server/agent-auth.ts). At least 32 bytes.
   * Default: one the broker makes once and keeps in its database.
   */
  agentTokenSecret?: string;
  /** Lifetime of login tokens. Default 12 h. */
  agentTokenTtlMs?: number;
  /** Agent tokens whose exp is further ahead are refused (401 invalid_token). Default 24 h. */
  maxAgentTokenTtlMs?: number;
  /** The integrator's own agent check, tried after the broker's own tokens. */
  verifyAgent?: AgentVerifier;
  /** Site secret for signed visitor identities (see server/visitor-identity.ts). At least 32 bytes. */
  identitySecret?: string;
  /** Identities whose exp is further ahead are refused (401 identity_lifetime). Default 1 h. */
  maxIdentityTtlMs?: number;
  /**
   * Private ECDSA P-256 key (JWK) that certifies the participants' signing keys.
   * Default: one the broker makes once and keeps in its database.
   */
  authorityKey?: JsonWebKey;
  /** Refuse conversations without a valid signed identity. */
  requireIdentity?: boolean;
  /** Records for GET /api/customers. Default: a small made-up demo list. */
  customers?: CustomerRecord[];
  /**
   * Per-client token buckets for POSTs. `false` turns one off. Defaults:
   * create 10/min burst 5, login 10/min burst 5, other POSTs 120/min burst 30.
   */
  rateLimits?: Partial<Record<RateBucket, RateRule | false>>;
  /** Which client a request counts against. Default: its TCP peer address (IPv6 by /64). */
  clientKey?: ClientKey;
  /** How long startBroker waits for the first Janus connection. Default 10 s. */
  janusConnectTimeoutMs?: number;
  /** janode's own console logging. Default 'none' (the broker logs connection trouble itself). */
  janodeLogLevel?: JanodeLogLevel;
  /**
   * Where Janus reaches the broker's archive endpoint (the TextRooms' `post`
   * URL base), e.g. http://10.0.0.5:8080 when Janus runs on another host.
   * Default: the broker's own listen URL (0.0.0.0 / :: as loopback).
   */
  archiveUrl?: string;
  /** Rooms the archive's back-fill reads at once after a start or a Janus reconnect. Default 4; 0 turns the back-fill off. */
  backfillConcurrency?: number;
  /** Signed webhooks for CRMs (webhooks.ts): events of every conversation, delivered from the outbox. Default: none. */
  webhooks?: WebhookOptions;
  /**
   * The sample CRM's webhook receiver (demo-crm.ts) at /demo-crm/…; without
   * `webhooks`, the webhooks go to it (with a secret made for this process).
   */
  demoCrm?: boolean;
  /** Bearer token of POST /api/erasure (at least 32 bytes). Without it erasure answers 403 erasure_disabled. */
  operatorToken?: string;
  /**
   * The operator's opening hours (opening-hours.ts): outside them the widget
   * offers to leave a message instead of a chat. `schedule` like
   * "Mo-Fr 09:00-17:00; Sa 10:00-14:00"; `timeZone` an IANA name (default:
   * the broker's own). Default: always open.
   */
  openingHours?: { schedule: string; timeZone?: string };
  /**
   * With no agent signed in and available (agent presence), the widget
   * offers to leave a message instead of a chat. Default true; false: only
   * the opening hours decide (chats wait in the queue for whoever comes).
   */
  offlineWithoutAgents?: boolean;
  log?: Logger;
}

export interface Broker {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Its id among the brokers on the record. */
  id: string;
  close(): Promise<void>;
}

/** The Janus servers of these options: the pool, or the one Janus of the single-server options. */
export function janusServersOf(opts: BrokerOptions): JanusServerOptions[] {
  if (opts.janusServers?.length) {
    if (opts.janusUrl !== undefined) throw new Error('give janusServers or janusUrl, not both');
    return opts.janusServers;
  }
  if (!opts.janusUrl || !opts.janusAdminKey) throw new Error('no Janus configured: give janusUrl and janusAdminKey, or janusServers');
  return [{ url: opts.janusUrl, adminKey: opts.janusAdminKey, admin: opts.janusAdmin, publicUrl: opts.publicGatewayUrl }];
}

const SWEEP_INTERVAL_MS = 30_000;

export const DEFAULT_RATE_LIMITS: Readonly<Record<RateBucket, RateRule>> = {
  create: { perMinute: 10, burst: 5 },
  login: { perMinute: 10, burst: 5 },
  post: { perMinute: 120, burst: 30 },
};
function isDb(x: BrokerOptions['database']): x is Db {
  return typeof x === 'object' && x !== null && 'query' in x && typeof x.query === 'function';
}

/** Bytes of an oversized body we swallow so the client can read the 413 before the socket closes. */
const MAX_DISCARD_BYTES = 1 << 20;

export async function startBroker(opts: BrokerOptions): Promise<Broker> {
  const log = opts.log ?? warningsToStderr;
  const host = opts.host ?? '127.0.0.1';
  Janode.Logger.setLevel(opts.janodeLogLevel ?? 'none');
  checkSecretLength('agentTokenSecret', opts.agentTokenSecret);
  checkSecretLength('identitySecret', opts.identitySecret);
  checkSecretLength('operatorToken', opts.operatorToken);
  if (opts.webhooks) checkWebhookOptions(opts.webhooks);
  if (opts.archiveUrl !== undefined && !/^https?:\/\/[^/]+\/?$/.test(opts.archiveUrl)) {
    throw new Error(`archiveUrl must be a base URL like http://host:port, got ${opts.archiveUrl}`);
  }
  const janusServers = janusServersOf(opts);
  const openingHours = opts.openingHours ? parseOpeningHours(opts.openingHours.schedule, opts.openingHours.timeZone) : undefined;
  const maxOpen = opts.maxOpenConversations ?? 500;
  const caps = { ...DEFAULT_OPEN_CAPS, ...opts.openCaps };
  if (caps.perNetwork >= maxOpen) {
    throw new Error(`openCaps.perNetwork (${caps.perNetwork}) must be smaller than maxOpenConversations (${maxOpen}), or one network could take every conversation`);
  }
  // The record first: everything the broker knows must outlive the process.
  const ownDb = !isDb(opts.database);
  const db = isDb(opts.database) ? opts.database : await openDb(opts.database ?? { memory: true });
  const releaseDb = () => (ownDb ? db.close().catch(() => {}) : Promise.resolve());
  let janusToken: string;
  let authority;
  let agentTokenSecret: string;
  let archiveSecret: string;
  try {
    const version = await migrate(db);
    log('info', `record: ${db.description}, schema version ${version.to}${version.from !== version.to ? ` (migrated from ${version.from})` : ''}`);
    authority = await loadAuthority(opts.authorityKey ?? JSON.parse(await brokerSecret(db, 'authority_key', async () => JSON.stringify(await generateAuthorityKey()))) as JsonWebKey);
    agentTokenSecret = opts.agentTokenSecret ?? (await brokerSecret(db, 'agent_token_secret', () => randomToken(32)));
    janusToken = await brokerSecret(db, 'janus_token', () => randomToken());
    archiveSecret = await brokerSecret(db, 'archive_secret', () => randomToken(32));
    // The outbox's triggers write events only while webhooks are delivered (migration 002).
    await setWebhooksEnabled(db, opts.webhooks !== undefined || opts.demoCrm === true);
  } catch (e) {
    await releaseDb();
    throw e;
  }

  const auth = new AgentAuth({
    accounts: opts.agentAccounts,
    tokenSecret: agentTokenSecret,
    revocations: databaseRevocations(db),
    tokenTtlMs: opts.agentTokenTtlMs,
    maxTokenTtlMs: opts.maxAgentTokenTtlMs,
    verifyAgent: opts.verifyAgent,
    log,
  });
  // Token buckets in the record: a client throttled on one broker is throttled on all of them.
  const limits: Partial<Record<RateBucket, DatabaseRateLimiter>> = {};
  for (const bucket of Object.keys(DEFAULT_RATE_LIMITS) as RateBucket[]) {
    const rule = opts.rateLimits?.[bucket] ?? DEFAULT_RATE_LIMITS[bucket];
    if (rule) limits[bucket] = new DatabaseRateLimiter(db, rule);
  }
  const bucketIdleMs = Math.max(60_000, ...Object.values(limits).map((l) => l.refillMs));

  // The broker's own Janus token: kept in the record (a restarted broker does not leave its old one
  // behind on Janus) and (re-)added on every Janus before every connection, so a restarted Janus lets the broker back in.
  for (const s of janusServers) {
    if (!s.admin) log('warn', `no Admin API for Janus ${s.url}: Janus core tokens are not managed there (run Janus with token_auth only together with its Admin API)`);
  }
  const pool = new JanusPool({ servers: janusServers, token: janusToken, log });
  // The broker's token stays on Janus when it stops: a broker restarting meanwhile must find it.
  const shutdownJanus = () => pool.close();
  try {
    await pool.start(opts.janusConnectTimeoutMs ?? 10_000);
  } catch (e) {
    await shutdownJanus();
    await releaseDb();
    throw e;
  }
  // Set once the server listens (derived from the archive's URL unless given).
  let brokerId = opts.brokerId;

  const store = new ConversationStore(db);
  const closedRetentionMs = opts.closedRetentionMs ?? 60_000;
  // Set once the server listens (webhooks to the built-in demo CRM need the broker's own URL).
  let dispatcher: WebhookDispatcher | undefined;
  const archive = new Archive({ db, authority: authority.publicJwk, secret: archiveSecret, log, onStored: () => dispatcher?.kick() });
  const conversations = new ConversationService(store, pool, {
    iceServers: opts.iceServers,
    authority,
    maxOpen,
    caps,
    waitingTtlMs: opts.waitingTtlMs ?? 2 * 60 * 60_000,
    unjoinedTtlMs: opts.unjoinedTtlMs,
    closedRetentionMs,
    retentionMs: opts.retentionMs,
    maxLifetimeMs: opts.maxConversationMs,
    identitySecret: opts.identitySecret,
    requireIdentity: opts.requireIdentity,
    maxIdentityTtlMs: opts.maxIdentityTtlMs,
    // The broker's own token lets its back-fill into every TextRoom; janusToken exists with or without token_auth.
    archive: {
      token: janusToken,
      postUrl: (id) => archive.postUrl(id),
      get brokerId() {
        return brokerId;
      },
    },
    log,
  });
  const reachable = (gateway: string) => pool.get(gateway)?.connected === true;
  const backfill = new Backfill({
    rooms: (c) => {
      const g = pool.get(c.gateway);
      return g?.connected ? g.rooms : undefined;
    },
    archive,
    db,
    // The rooms whose archive is this broker's, on the Janus servers it reaches (another broker reads its own).
    conversations: async () => (await conversations.open(true)).filter((c) => reachable(c.gateway)),
    token: janusToken,
    iceServers: opts.iceServers,
    concurrency: opts.backfillConcurrency,
    log,
  });
  // After Janus may have lost rooms (reconcile puts them back, pointing at this archive), read what the rooms hold;
  // the live POSTs of each conversation wait meanwhile, so the room's older messages go into the record first.
  // At startup the rooms are put back (and pointed at this broker) under the hold; after a reconnect at once, whatever
  // back-fill is running: participants cannot rejoin a room Janus lost until then.
  const catchUp = (why: 'startup' | 'reconnect', gateway?: string) => {
    const reconcile = () => conversations.reconcile(gateway);
    const onThatJanus = async () => (await conversations.open(true)).filter((c) => c.gateway === gateway);
    const work =
      opts.backfillConcurrency === 0 ? reconcile()
      : why === 'startup' ? backfill.run(why, reconcile)
      : reconcile().then(async () => backfill.runFor(await onThatJanus(), `reconnect to ${gateway}`));
    work.catch((e: unknown) => log('error', `${why}: reconcile or back-fill failed: ${String(e)}`));
  };
  // The queue: every broker follows the record's queue events (LISTEN/NOTIFY) and streams them to its consoles.
  const feed = new QueueFeed(db, log);
  const queueStream = new QueueStream(feed, { closedRetentionMs, log });
  // Agent presence: every broker streams the available agents to its consoles and keeps those with a console here alive.
  const presence = new AgentPresence({ db, ttlMs: opts.agentPresenceTtlMs, log });
  presence.onChange((available) => queueStream.setStateEvent(QUEUE_PRESENCE_EVENT, { available }));
  try {
    await feed.start();
    await presence.start();
  } catch (e) {
    queueStream.close();
    await presence.close();
    await feed.close();
    await shutdownJanus();
    await releaseDb();
    throw e;
  }
  store.onChange(() => dispatcher?.kick());
  pool.onReconnected((g) => catchUp('reconnect', g.gateway));
  const queueRetentionMs = opts.queueEventRetentionMs ?? 10 * 60_000;
  const offline = new OfflineMessages({ db });
  const retentionMs = opts.retentionMs ?? 30 * 24 * 60 * 60_000;
  const sweeper = setInterval(() => {
    conversations.sweep().catch((e: unknown) => log('error', `sweep failed: ${String(e)}`));
    offline.purge(Date.now() - retentionMs).catch((e: unknown) => log('warn', `offline messages: purge failed: ${String(e)}`));
    feed.purge(Date.now() - queueRetentionMs).catch((e: unknown) => log('warn', `queue events: purge failed: ${String(e)}`));
    pruneRateBuckets(db, bucketIdleMs).catch((e: unknown) => log('warn', `rate buckets: prune failed: ${String(e)}`));
  }, opts.sweepIntervalMs ?? SWEEP_INTERVAL_MS);
  sweeper.unref();
  const presenceTimer = setInterval(() => {
    presence
      .refresh(queueStream.agentIds())
      .then(() => presence.expire())
      .catch((e: unknown) => log('warn', `agent presence: refresh failed: ${String(e)}`));
  }, Math.max(1000, Math.floor(presence.ttlMs / 3)));
  presenceTimer.unref();

  const cors = new CorsPolicy(opts.allowedOrigins);
  const ctx: ApiContext = {
    conversations,
    queueStream,
    cors,
    auth,
    loginEnabled: (opts.agentAccounts?.length ?? 0) > 0,
    customers: new CustomerDirectory(opts.customers),
    limits,
    clientKey: opts.clientKey ?? remoteAddressKey,
    janusConnected: () => pool.anyConnected,
    gateways: () => pool.all().map((g) => ({ gateway: g.gateway, up: g.connected })),
    db,
    operatorToken: opts.operatorToken,
    erase: (req) => eraseCustomer({ db, store, conversations, archive, log }, req),
    // Opening hours, and (unless turned off) whether an agent is signed in and available.
    availability: new Availability({ hours: openingHours, ...(opts.offlineWithoutAgents !== false ? { agents: () => presence.availability() } : {}) }),
    offline,
    closedRetentionMs,
    presence,
  };
  const demoCrmSecret = opts.demoCrm ? (opts.webhooks?.secret ?? randomToken(32)) : undefined;
  const demoCrm = demoCrmSecret ? new DemoCrm(demoCrmSecret, async (bearer) => (await auth.verify(bearer)) !== null) : undefined;

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
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const pathname = q < 0 ? target : target.slice(0, q);
    const search = q < 0 ? '' : target.slice(q + 1);
    const isArchive = pathname.startsWith(ARCHIVE_PATH);
    const isDemoCrm = demoCrm !== undefined && pathname.startsWith('/demo-crm/');
    const isApi = pathname === '/api' || pathname.startsWith('/api/') || isArchive || isDemoCrm;
    setSecurityHeaders(res, isApi ? API_HEADERS : PAGE_HEADERS);
    try {
      if (!pathname.startsWith('/')) throw new HttpError(400, 'bad_request', 'Request target must be a path');
      if (isArchive) await archive.handle(req, res, pathname.slice(ARCHIVE_PATH.length));
      else if (isDemoCrm) await demoCrm.handle(req, res, pathname, search);
      else if (isApi) await handleApi(ctx, req, res, pathname, search);
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
    clearInterval(presenceTimer);
    queueStream.close();
    await presence.close();
    await feed.close();
    await shutdownJanus();
    await releaseDb();
    throw e;
  }
  server.on('error', (e) => log('error', `http server: ${e.message}`));

  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log('info', `listening on ${url}, Janus ${janusServers.map((s) => s.url).join(', ')}`);

  // Janus posts every room's messages here; a wildcard listen address is reached on loopback.
  const ownUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host}:${port}`;
  const archiveBase = opts.archiveUrl ?? ownUrl;
  archive.setBaseUrl(archiveBase);
  const id = (brokerId ??= brokerIdFor(archiveBase.replace(/\/+$/, '')));
  const webhooks = opts.webhooks ?? (demoCrmSecret ? { url: `${ownUrl}/demo-crm/webhook`, secret: demoCrmSecret } : undefined);
  if (webhooks) {
    dispatcher = new WebhookDispatcher(db, webhooks, log);
    dispatcher.start();
    log('info', `webhooks: delivering to ${webhooks.url}`);
  }
  // One of the brokers on the record: it takes over the archive of brokers that are gone, and moves the
  // conversations of a Janus that no broker reaches (cluster.ts).
  const cluster = new Cluster({
    db,
    store,
    conversations,
    gateways: () => pool.all(),
    brokerId: id,
    archiveUrl: archiveBase,
    takeOver: (list, point) => backfill.runFor(list, 'archive take-over', point),
    heartbeatMs: opts.clusterHeartbeatMs,
    staleMs: opts.brokerStaleMs,
    failoverGraceMs: opts.janusFailoverGraceMs,
    log,
  });
  try {
    await cluster.start();
  } catch (e) {
    await closeAll();
    throw e;
  }
  // A restarted broker finds its conversations in the record; Janus may have lost their rooms meanwhile,
  // and their messages sent while the broker was down are only in the rooms' history.
  catchUp('startup');

  let closing: Promise<void> | undefined;
  async function closeAll(): Promise<void> {
    clearInterval(sweeper);
    clearInterval(presenceTimer);
    queueStream.close();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    // What Janus posted is stored before the record closes; undelivered webhooks stay in the outbox.
    await backfill.close();
    await archive.close();
    await dispatcher?.close();
    // Leaving the cluster: another broker takes this one's archive over at once.
    await cluster.close();
    await presence.close();
    await feed.close();
    // A stop ends nothing: the conversations are in the record and their rooms stay on Janus,
    // so participants carry on and the next start picks them up.
    await shutdownJanus();
    await releaseDb();
  }
  const close = () => (closing ??= closeAll());

  return { url, id, close };
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
