import { createHash, randomBytes } from 'node:crypto';
import * as v from 'valibot';
import { AgentIdentity, type AgentLoginResponse, type QueueStreamTicket } from '../src/protocol/index.js';
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
  verifyAgent?: AgentVerifier;
  log: Logger;
}

/** Queue stream tickets live this long: enough to open the EventSource, short enough that a logged URL is useless. */
export const STREAM_TICKET_TTL_S = 60;
/** A queue stream is ended after this long (or when the agent's token expires) so the agent re-authenticates. */
export const STREAM_MAX_MS = 30 * 60_000;

const STREAM_AUDIENCE = 'queue-stream';
/** Compared against when the username is unknown, so both failures take as long. */
const DUMMY_PASSWORD = randomBytes(16).toString('base64url');

export class AgentAuth {
  private readonly secret: string;
  private readonly ttlMs: number;
  private readonly accounts = new Map<string, Required<AgentAccount>>();
  /** Logged-out tokens (by hash) until they would have expired anyway. */
  private readonly revoked = new Map<string, number>();

  constructor(private readonly opts: AgentAuthOptions) {
    this.secret = opts.tokenSecret ?? randomBytes(32).toString('base64url');
    this.ttlMs = opts.tokenTtlMs ?? 12 * 60 * 60_000;
    for (const a of opts.accounts ?? []) {
      const id = a.id ?? a.username;
      const identity = v.safeParse(AgentIdentity, { id, display: a.display ?? a.username });
      if (!identity.success) throw new Error(`agent account "${a.username}": ${identity.issues[0].message} (ids use letters, digits and _.@-)`);
      if (!a.password) throw new Error(`agent account "${a.username}" has no password`);
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
    if (this.isRevoked(bearer, nowMs)) return null;
    const own = this.verifyOwn(bearer, nowMs);
    if (own) return own.agent;
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

  /** Logs a token out: it is refused from now on. Only the broker's own tokens can be revoked here. */
  logout(bearer: string, nowMs = Date.now()): void {
    const own = this.verifyOwn(bearer, nowMs);
    if (!own) return;
    for (const [hash, until] of this.revoked) if (until <= nowMs) this.revoked.delete(hash);
    this.revoked.set(tokenHash(bearer), own.expMs);
  }

  /**
   * A ticket for `GET /api/queue/stream?ticket=…`. It is only good for opening the
   * stream (never as a bearer) and only for a minute; the stream it opens ends
   * when the agent's token would (at most after STREAM_MAX_MS).
   */
  streamTicket(agent: AgentIdentity, bearer: string, nowMs = Date.now()): QueueStreamTicket {
    const tokenExp = this.verifyOwn(bearer, nowMs)?.expMs ?? Infinity;
    const until = Math.min(tokenExp, nowMs + STREAM_MAX_MS);
    const exp = Math.floor(nowMs / 1000) + STREAM_TICKET_TTL_S;
    const ticket = signToken({ sub: agent.id, name: agent.display, aud: STREAM_AUDIENCE, exp, until }, this.secret);
    return { ticket, expiresAt: exp * 1000 };
  }

  verifyStreamTicket(ticket: string, nowMs = Date.now()): { agent: AgentIdentity; untilMs: number } | null {
    const r = verifySignedToken(ticket, this.secret, nowMs);
    if (!r.ok || r.payload.aud !== STREAM_AUDIENCE || typeof r.payload.until !== 'number') return null;
    const agent = v.safeParse(AgentIdentity, { id: r.payload.sub, display: r.payload.name });
    return agent.success ? { agent: agent.output, untilMs: r.payload.until } : null;
  }

  private verifyOwn(bearer: string, nowMs: number): { agent: AgentIdentity; expMs: number } | null {
    const r = verifySignedToken(bearer, this.secret, nowMs);
    // Tokens with an audience (stream tickets) are not bearers.
    if (!r.ok || r.payload.aud !== undefined) return null;
    const agent = v.safeParse(AgentIdentity, { id: r.payload.sub, display: r.payload.name });
    return agent.success ? { agent: agent.output, expMs: (r.payload.exp as number) * 1000 } : null;
  }

  private isRevoked(bearer: string, nowMs: number): boolean {
    if (this.revoked.size === 0) return false;
    const until = this.revoked.get(tokenHash(bearer));
    return until !== undefined && until > nowMs;
  }
}

/**
 * A verifier for integrators: accepts agent tokens their own system signs with
 * `secret` in the format above. (The broker already does this for its
 * `agentTokenSecret`; use this to accept a second issuer through `verifyAgent`.)
 */
export function hmacAgentVerifier(secret: string): AgentVerifier {
  return (bearer) => {
    const r = verifySignedToken(bearer, secret);
    if (!r.ok || r.payload.aud !== undefined) return null;
    const agent = v.safeParse(AgentIdentity, { id: r.payload.sub, display: r.payload.name });
    return agent.success ? agent.output : null;
  };
}

/** What an integrator's system does to mint an agent token (`exp` in seconds since the epoch). */
export function signAgentToken(claims: { sub: string; name: string; exp: number }, secret: string): string {
  return signToken({ ...claims }, secret);
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
