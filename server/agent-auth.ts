import { createHash, randomBytes } from 'node:crypto';
import * as v from '../src/protocol/schema.js';
import { AgentIdentity, type AgentLoginResponse, type QueueStreamTicket } from '../src/protocol/index.js';
import type { Queryable } from './db.js';
import type { Logger } from './log.js';
import { sameSecret } from './secrets.js';
import { signToken, verifySignedToken } from './signed-token.js';

/**
 * Agent authentication. Every agent request carries `Authorization: Bearer <token>`;
 * a token is accepted when either
 *  - it is an agent token signed with the broker's agent token secret:
 *      base64url(JSON{sub, name, exp}) + "." + base64url(HMAC-SHA256(secret, <first part>))
 *    (`sub`: agent id, `name`: display name, `exp`: seconds since the epoch).
 *    The built-in login issues these; an integrator who shares the secret
 *    (AGENT_TOKEN_SECRET) can mint them in its own system, or
 *  - the integrator's `verifyAgent(token)` says who it is.
 */

export type AgentVerifier = (bearer: string) => Promise<AgentIdentity | null> | AgentIdentity | null;

export interface AgentAccount {
  username: string;
  password: string;
  /** Shown to customers. Default: the username. */
  display?: string;
  /** Agent id (letters, digits, `_.@-`). Default: the username. */
  id?: string;
}

export interface AgentAuthOptions {
  /** Accounts for the built-in login (POST /api/agent/login). */
  accounts?: readonly AgentAccount[];
  /** Signs and checks agent tokens. Default: random per process (logins end with the broker). */
  tokenSecret?: string;
  /** Lifetime of login tokens. Default 12 h. */
  tokenTtlMs?: number;
  /**
   * Agent tokens whose `exp` is further ahead than this are refused, so a
   * minted token cannot live for years. Default 24 h.
   */
  maxTokenTtlMs?: number;
  verifyAgent?: AgentVerifier;
  /** Where logged-out token ids are kept (the database, so a logout outlives a restart). Default: this process only. */
  revocations?: RevocationList;
  log: Logger;
}

/** Logged-out token ids, each until its token would have expired anyway. */
export interface RevocationList {
  revoke(tokenId: string, untilMs: number): Promise<void>;
  isRevoked(tokenId: string, nowMs: number): Promise<boolean>;
}

/** Revocations in the broker's database (table revoked_token). */
export function databaseRevocations(db: Queryable): RevocationList {
  return {
    async revoke(tokenId, untilMs) {
      const now = Date.now();
      await db.query('delete from revoked_token where expires_at <= $1', [now]);
      await db.query('insert into revoked_token (token_id, expires_at) values ($1, $2) on conflict (token_id) do update set expires_at = greatest(revoked_token.expires_at, $2)', [tokenId, untilMs]);
      // Every broker ends the queue streams of this token (QueueFeed listens).
      await db.query("select pg_notify('vc_revoked', $1)", [tokenId]);
    },
    async isRevoked(tokenId, nowMs) {
      const rows = await db.query('select 1 from revoked_token where token_id = $1 and expires_at > $2', [tokenId, nowMs]);
      return rows.length > 0;
    },
  };
}

function memoryRevocations(): RevocationList {
  const revoked = new Map<string, number>();
  return {
    async revoke(tokenId, untilMs) {
      const now = Date.now();
      for (const [id, until] of revoked) if (until <= now) revoked.delete(id);
      revoked.set(tokenId, untilMs);
    },
    async isRevoked(tokenId, nowMs) {
      const until = revoked.get(tokenId);
      return until !== undefined && until > nowMs;
    },
  };
}

/** Built-in account passwords shorter than this are refused at startup. */
export const MIN_PASSWORD_LENGTH = 12;
export const DEFAULT_MAX_AGENT_TOKEN_TTL_MS = 24 * 60 * 60_000;
/** Clock skew allowed between an integrator's token minting and the broker when checking the maximum lifetime. */
const LIFETIME_LEEWAY_MS = 30_000;

/** Queue stream tickets live this long: enough to open the EventSource, short enough that a logged URL is useless. */
export const STREAM_TICKET_TTL_S = 60;
/** A queue stream is ended after this long (or when the agent's token expires) so the agent re-authenticates. */
export const STREAM_MAX_MS = 30 * 60_000;

const STREAM_AUDIENCE = 'queue-stream';
/** Compared against when the username is unknown, so both failures take as long. */
const DUMMY_PASSWORD = randomBytes(16).toString('base64url');

/** What verify() and verifyStreamTicket() know about an accepted credential. */
export interface VerifiedAgent {
  agent: AgentIdentity;
  /**
   * Revocation id of the agent token behind it: `jti:<jti>` for tokens with
   * a jti (every login), else `sha256:<hash of the token>` (one spelling per
   * token, see signed-token.ts). Logout revokes by it and ends the streams
   * opened with it.
   */
  tokenId: string;
}

export class AgentAuth {
  private readonly secret: string;
  private readonly ttlMs: number;
  private readonly maxTtlMs: number;
  private readonly accounts = new Map<string, Required<AgentAccount>>();
  private readonly revoked: RevocationList;

  constructor(private readonly opts: AgentAuthOptions) {
    this.secret = opts.tokenSecret ?? randomBytes(32).toString('base64url');
    this.ttlMs = opts.tokenTtlMs ?? 12 * 60 * 60_000;
    this.maxTtlMs = opts.maxTokenTtlMs ?? DEFAULT_MAX_AGENT_TOKEN_TTL_MS;
    this.revoked = opts.revocations ?? memoryRevocations();
    if (this.ttlMs > this.maxTtlMs) {
      throw new Error(`agentTokenTtlMs (${this.ttlMs}) must not exceed maxAgentTokenTtlMs (${this.maxTtlMs}): the login would issue tokens the broker refuses`);
    }
    for (const a of opts.accounts ?? []) {
      const id = a.id ?? a.username;
      const identity = v.safeParse(AgentIdentity, { id, display: a.display ?? a.username });
      if (!identity.success) throw new Error(`agent account "${a.username}": ${identity.issues[0].message} (ids use letters, digits and _.@-)`);
      if (!a.password) throw new Error(`agent account "${a.username}" has no password`);
      if (a.password.length < MIN_PASSWORD_LENGTH) {
        throw new Error(`agent account "${a.username}": password must be at least ${MIN_PASSWORD_LENGTH} characters (got ${a.password.length})`);
      }
      this.accounts.set(a.username.toLowerCase(), { username: a.username, password: a.password, id, display: identity.output.display });
    }
  }

  /** Built-in login. Null for an unknown user or a wrong password (the caller cannot tell which). */
  login(username: string, password: string, nowMs = Date.now()): AgentLoginResponse | null {
    const account = this.accounts.get(username.toLowerCase());
    const ok = sameSecret(password, account?.password ?? DUMMY_PASSWORD) && account !== undefined;
    if (!ok) return null;
    const agent = { id: account.id, display: account.display };
    const expiresAt = nowMs + this.ttlMs;
    return { token: this.sign(agent, expiresAt), agent, expiresAt };
  }

  /** Mints an agent token with this broker's secret (what an integrator's system would do with the shared secret). */
  sign(agent: AgentIdentity, expiresAtMs: number): string {
    // jti: every login gets its own token, so logging one out leaves the others alone.
    return signToken({ sub: agent.id, name: agent.display, exp: Math.floor(expiresAtMs / 1000), jti: randomBytes(9).toString('base64url') }, this.secret);
  }

  /** Who the bearer is, or null. Never throws for bad input; a verifier that throws counts as "no". */
  async verify(bearer: string, nowMs = Date.now()): Promise<AgentIdentity | null> {
    return (await this.verifyWithId(bearer, nowMs))?.agent ?? null;
  }

  /** verify(), plus the revocation id of the token (for tickets and streams). */
  async verifyWithId(bearer: string, nowMs = Date.now()): Promise<VerifiedAgent | null> {
    const own = this.verifyOwn(bearer, nowMs);
    if (own) return (await this.revoked.isRevoked(own.tokenId, nowMs)) ? null : { agent: own.agent, tokenId: own.tokenId };
    const agent = await this.verifyForeign(bearer);
    return agent ? { agent, tokenId: hashId(bearer) } : null;
  }

  /** The integrator's verifyAgent, checked. */
  private async verifyForeign(bearer: string): Promise<AgentIdentity | null> {
    if (!this.opts.verifyAgent) return null;
    try {
      const who = await this.opts.verifyAgent(bearer);
      if (!who) return null;
      const checked = v.safeParse(AgentIdentity, who);
      if (!checked.success) {
        this.opts.log('warn', `verifyAgent returned an invalid identity (${checked.issues[0].message}); refusing`);
        return null;
      }
      return checked.output;
    } catch (e) {
      this.opts.log('warn', `verifyAgent threw (${e instanceof Error ? e.message : String(e)}); refusing`);
      return null;
    }
  }

  /**
   * Logs a token out: it, every other spelling of it (there is none, see
   * signed-token.ts) and every stream ticket it got are refused from now on.
   * Returns its revocation id (the caller ends its open streams), or undefined
   * for a token that is not the broker's own: the integrator's verifyAgent
   * sessions end in the integrator's system.
   */
  async logout(bearer: string, nowMs = Date.now()): Promise<string | undefined> {
    const own = this.verifyOwn(bearer, nowMs);
    if (!own) return undefined;
    await this.revoked.revoke(own.tokenId, own.expMs);
    return own.tokenId;
  }

  /**
   * A ticket for `GET /api/queue/stream?ticket=…`. It is only good for opening the
   * stream (never as a bearer) and only for a minute; it carries the id of the
   * token that got it, so it dies with that token's logout; the stream it opens
   * ends when the agent's token would (at most after STREAM_MAX_MS).
   */
  streamTicket(who: VerifiedAgent, bearer: string, nowMs = Date.now()): QueueStreamTicket {
    const tokenExp = this.verifyOwn(bearer, nowMs)?.expMs ?? Infinity;
    const until = Math.min(tokenExp, nowMs + STREAM_MAX_MS);
    const exp = Math.floor(nowMs / 1000) + STREAM_TICKET_TTL_S;
    const ticket = signToken({ sub: who.agent.id, name: who.agent.display, aud: STREAM_AUDIENCE, exp, until, jti: who.tokenId }, this.secret);
    return { ticket, expiresAt: exp * 1000 };
  }

  async verifyStreamTicket(ticket: string, nowMs = Date.now()): Promise<(VerifiedAgent & { untilMs: number }) | null> {
    const r = verifySignedToken(ticket, this.secret, nowMs);
    if (!r.ok || r.payload.aud !== STREAM_AUDIENCE || typeof r.payload.until !== 'number' || typeof r.payload.jti !== 'string') return null;
    if (await this.revoked.isRevoked(r.payload.jti, nowMs)) return null;
    const agent = v.safeParse(AgentIdentity, { id: r.payload.sub, display: r.payload.name });
    return agent.success ? { agent: agent.output, untilMs: r.payload.until, tokenId: r.payload.jti } : null;
  }

  private verifyOwn(bearer: string, nowMs: number): { agent: AgentIdentity; expMs: number; tokenId: string } | null {
    const r = verifySignedToken(bearer, this.secret, nowMs);
    // Tokens with an audience (stream tickets) are not bearers.
    if (!r.ok || r.payload.aud !== undefined) return null;
    const expMs = (r.payload.exp as number) * 1000;
    if (expMs - nowMs > this.maxTtlMs + LIFETIME_LEEWAY_MS) return null;
    const agent = v.safeParse(AgentIdentity, { id: r.payload.sub, display: r.payload.name });
    if (!agent.success) return null;
    const jti = r.payload.jti;
    return { agent: agent.output, expMs, tokenId: typeof jti === 'string' && jti.length > 0 ? `jti:${jti}` : hashId(bearer) };
  }
}

/**
 * A verifier for integrators: accepts agent tokens their own system signs with
 * `secret` in the format above. (The broker already does this for its
 * `agentTokenSecret`; use this to accept a second issuer through `verifyAgent`.)
 */
export function hmacAgentVerifier(secret: string, maxTtlMs = DEFAULT_MAX_AGENT_TOKEN_TTL_MS): AgentVerifier {
  return (bearer) => {
    const nowMs = Date.now();
    const r = verifySignedToken(bearer, secret, nowMs);
    if (!r.ok || r.payload.aud !== undefined) return null;
    if ((r.payload.exp as number) * 1000 - nowMs > maxTtlMs + LIFETIME_LEEWAY_MS) return null;
    const agent = v.safeParse(AgentIdentity, { id: r.payload.sub, display: r.payload.name });
    return agent.success ? agent.output : null;
  };
}

/** What an integrator's system does to mint an agent token (`exp` in seconds since the epoch, at most 24 h ahead; `jti` optional). */
export function signAgentToken(claims: { sub: string; name: string; exp: number; jti?: string }, secret: string): string {
  return signToken({ ...claims }, secret);
}

/** Revocation id of a token without a jti: it has one spelling only, so its hash names it. */
function hashId(token: string): string {
  return `sha256:${createHash('sha256').update(token).digest('base64url')}`;
}
