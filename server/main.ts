// CLI entry of the reference broker:
//   JANUS_URL=ws://127.0.0.1:8188 JANUS_ADMIN_KEY=… \
//   JANUS_ADMIN_URL=ws://127.0.0.1:7188 JANUS_ADMIN_SECRET=… node --import tsx server/main.ts
// Optional: PORT (8080), HOST (127.0.0.1), PUBLIC_GATEWAY_URL, ALLOWED_ORIGINS
// (comma separated), ICE_SERVERS (JSON array of RTCIceServer), JANODE_LOG.
// Security (see README "Security"):
//   JANUS_ADMIN_URL, JANUS_ADMIN_SECRET  Admin API, for Janus token_auth (strongly recommended)
//   AGENT_USERNAME (agent), AGENT_PASSWORD, AGENT_DISPLAY  built-in login account (only if AGENT_PASSWORD is set)
//   AGENT_TOKEN_SECRET    signs agent tokens; share it to mint agent tokens in your own system (at least 32 bytes)
//   IDENTITY_SECRET       site secret of signed visitor identities (at least 32 bytes); REQUIRE_IDENTITY=1 refuses anonymous visitors
//   BROKER_AUTHORITY_KEY  private P-256 JWK (JSON) that certifies the participants' signing keys; default: made once, kept in the record
// The record (see README "The record"):
//   DATABASE_URL          postgres://user:password@host:port/database (PostgreSQL 15 or newer)
//   DATA_DIR              without DATABASE_URL: folder of the embedded PostgreSQL (PGlite), default ./data
//   RETENTION_DAYS        closed conversations and their transcripts are purged after this many days (default 30)
//   ARCHIVE_URL           where Janus reaches this broker for the archive (TextRoom post), default the listen URL
//   WEBHOOK_URL, WEBHOOK_SECRET  signed webhooks for a CRM (secret at least 32 bytes)
//   OPERATOR_TOKEN        bearer of POST /api/erasure (at least 32 bytes); without it erasure is off
// Several brokers, several Janus servers (see README "Scale"):
//   JANUS_SERVERS         JSON array of {url, publicUrl?, adminUrl?, adminSecret?, adminKey} (server/janus-config.ts),
//                         instead of JANUS_URL, JANUS_ADMIN_KEY, JANUS_ADMIN_URL, JANUS_ADMIN_SECRET, PUBLIC_GATEWAY_URL
//   JANUS_FAILOVER_GRACE_S  a Janus no broker reaches for this long has its conversations moved (default 10; 0: never)
//   BROKER_ID             this broker's id on the record (default: derived from its archive URL)
// AGENT_PASSWORD must have at least 12 characters.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JanodeLogLevel } from 'janode';
import { MIN_PASSWORD_LENGTH } from './agent-auth.js';
import { AUTHORITY_KEY_FORMAT } from './authority.js';
import { startBroker, type BrokerOptions } from './broker.js';
import type { IceServer } from './conversations.js';
import { everythingToConsole } from './log.js';
import { parseJanusServers } from './janus-config.js';
import { checkSecretLength } from './secrets.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message: string): never {
  console.error(`broker: ${message}`);
  process.exit(2);
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) fail(`${name} is not set`);
  return value;
}

function port(): number {
  const raw = process.env.PORT ?? '8080';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`PORT must be 0..65535, got ${raw}`);
  return n;
}

function iceServers(): IceServer[] | undefined {
  const raw = process.env.ICE_SERVERS;
  if (!raw) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) throw new Error('not an array');
    return parsed as IceServer[];
  } catch (e) {
    fail(`ICE_SERVERS must be a JSON array of RTCIceServer (${e instanceof Error ? e.message : String(e)})`);
  }
}

const JANODE_LEVELS: readonly JanodeLogLevel[] = ['none', 'error', 'warning', 'info', 'verbose', 'debug'];
const janodeLog = JANODE_LEVELS.find((l) => l === process.env.JANODE_LOG);

function janusAdmin(): BrokerOptions['janusAdmin'] {
  const url = process.env.JANUS_ADMIN_URL;
  const secret = process.env.JANUS_ADMIN_SECRET;
  if (!url && !secret) return undefined;
  if (!url || !secret) fail('set both JANUS_ADMIN_URL and JANUS_ADMIN_SECRET, or neither');
  return { url, secret };
}

/** A secret from the environment; refused at startup when shorter than 32 bytes, with the variable's name. */
function secret(name: string): string | undefined {
  const value = process.env[name] || undefined;
  try {
    checkSecretLength(name, value);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  return value;
}

function authorityKey(): JsonWebKey | undefined {
  const raw = process.env.BROKER_AUTHORITY_KEY;
  if (!raw) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as JsonWebKey;
  } catch (e) {
    fail(`BROKER_AUTHORITY_KEY must be ${AUTHORITY_KEY_FORMAT} (${e instanceof Error ? e.message : String(e)})`);
  }
}

const agentPassword = process.env.AGENT_PASSWORD;
const agentUsername = process.env.AGENT_USERNAME || 'agent';
if (agentPassword && agentPassword.length < MIN_PASSWORD_LENGTH) {
  fail(`AGENT_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters (got ${agentPassword.length})`);
}

/** The pool from JANUS_SERVERS, or the single Janus of JANUS_URL & co. */
function janus(): Pick<BrokerOptions, 'janusServers' | 'janusUrl' | 'janusAdminKey' | 'janusAdmin' | 'publicGatewayUrl'> {
  const raw = process.env.JANUS_SERVERS;
  if (raw) {
    const single = ['JANUS_URL', 'JANUS_ADMIN_KEY', 'JANUS_ADMIN_URL', 'JANUS_ADMIN_SECRET', 'PUBLIC_GATEWAY_URL'].filter((n) => process.env[n]);
    if (single.length) fail(`JANUS_SERVERS replaces ${single.join(', ')}: set one or the other`);
    try {
      return { janusServers: parseJanusServers(raw) };
    } catch (e) {
      fail(e instanceof Error ? e.message : String(e));
    }
  }
  return {
    janusUrl: required('JANUS_URL'),
    janusAdminKey: required('JANUS_ADMIN_KEY'),
    janusAdmin: janusAdmin(),
    publicGatewayUrl: process.env.PUBLIC_GATEWAY_URL || undefined,
  };
}

function failoverGraceMs(): number | undefined {
  const raw = process.env.JANUS_FAILOVER_GRACE_S;
  if (!raw) return undefined;
  const s = Number(raw);
  if (!(s >= 0) || !Number.isFinite(s)) fail(`JANUS_FAILOVER_GRACE_S must be a number of seconds (0: never move), got ${raw}`);
  return s * 1000;
}

function retentionMs(): number | undefined {
  const raw = process.env.RETENTION_DAYS;
  if (!raw) return undefined;
  const days = Number(raw);
  if (!(days > 0) || !Number.isFinite(days)) fail(`RETENTION_DAYS must be a positive number of days, got ${raw}`);
  return days * 24 * 60 * 60_000;
}

function webhooks(): BrokerOptions['webhooks'] {
  const url = process.env.WEBHOOK_URL;
  if (!url) {
    if (process.env.WEBHOOK_SECRET) fail('WEBHOOK_SECRET is set but WEBHOOK_URL is not');
    return undefined;
  }
  const secretValue = secret('WEBHOOK_SECRET');
  if (!secretValue) fail('WEBHOOK_URL needs WEBHOOK_SECRET (at least 32 bytes): receivers verify the signatures with it');
  try {
    new URL(url);
  } catch {
    fail(`WEBHOOK_URL is not a URL: ${url}`);
  }
  return { url, secret: secretValue };
}

const options: BrokerOptions = {
  database: process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : { dataDir: process.env.DATA_DIR || resolve(repoRoot, 'data') },
  retentionMs: retentionMs(),
  archiveUrl: process.env.ARCHIVE_URL || undefined,
  webhooks: webhooks(),
  operatorToken: secret('OPERATOR_TOKEN'),
  ...janus(),
  janusFailoverGraceMs: failoverGraceMs(),
  brokerId: process.env.BROKER_ID || undefined,
  agentAccounts: agentPassword ? [{ username: agentUsername, password: agentPassword, display: process.env.AGENT_DISPLAY || undefined }] : undefined,
  agentTokenSecret: secret('AGENT_TOKEN_SECRET'),
  identitySecret: secret('IDENTITY_SECRET'),
  authorityKey: authorityKey(),
  requireIdentity: process.env.REQUIRE_IDENTITY === '1' || process.env.REQUIRE_IDENTITY === 'true',
  port: port(),
  host: process.env.HOST || undefined,
  staticRoot: repoRoot,
  allowedOrigins: process.env.ALLOWED_ORIGINS?.split(',').map((o) => o.trim()).filter(Boolean),
  iceServers: iceServers(),
  janodeLogLevel: janodeLog,
  log: everythingToConsole,
};

let broker: Awaited<ReturnType<typeof startBroker>>;
try {
  broker = await startBroker(options);
} catch (e) {
  fail(`could not start: ${e instanceof Error ? e.message : String(e)}`);
}

console.log(`Broker ready: ${broker.url}`);
if (agentPassword) console.log(`  Agent login: ${agentUsername} (password from AGENT_PASSWORD)`);
else if (!options.agentTokenSecret) console.log('  No agent can log in: set AGENT_PASSWORD (built-in login) or AGENT_TOKEN_SECRET (your own agent tokens)');
console.log(`  Agent console: ${broker.url}/demo/agent/`);
console.log(`  Shop (customer site): ${broker.url}/demo/shop/`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    // Second Ctrl-C: the operator does not want to wait for Janus.
    process.exit(130);
  }
  stopping = true;
  console.log(`broker: ${signal}, shutting down`);
  const force = setTimeout(() => {
    console.error('broker: shutdown took too long, exiting');
    process.exit(1);
  }, 10_000);
  force.unref();
  await broker.close();
  process.exit(0);
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
