import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import * as v from 'valibot';
import { parseJanusServers } from './janus-config.js';
import type { JanusServerOptions } from './janus-pool.js';
import { MIN_PASSWORD_LENGTH } from './agent-auth.js';
import type { BrokerOptions } from './broker.js';
import { type ClientKey, remoteAddressKey } from './rate-limit.js';
import { MIN_SECRET_BYTES } from './secrets.js';
import { isTimeZone, parseSchedule } from './opening-hours.js';

/**
 * The broker's configuration, for `vc-broker` (server/main.ts): from the
 * environment, from a JSON file (`--config broker.json` or `VC_CONFIG`), or
 * both; a variable that is set wins over the file's key. Everything is
 * validated before anything starts, every problem is reported at once, each
 * naming the variable or the file and key it came from:
 *
 *     broker.json: port: must be an integer from 0 to 65535 (got 80.5)
 *     JANUS_ADMIN_SECRET: set together with JANUS_ADMIN_URL, or neither
 *
 * One table (KEYS) lists every key once: its name in the file, its variable,
 * how the variable's text becomes a value, and the schema both must pass. To
 * add a setting, add a row and map it in `toBrokerOptions`.
 */

// ---- schemas ------------------------------------------------------------------------------

const got = (issue: { received: string }) => ` (got ${issue.received})`;

const Str = v.pipe(v.string((i) => `must be a string${got(i)}`), v.nonEmpty('must not be empty'));

const Int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  v.pipe(
    v.number((i) => `must be a number${got(i)}`),
    v.check((n) => Number.isInteger(n) && n >= min && n <= max, (i) => `must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}${got(i)}`),
  );

const PositiveNumber = v.pipe(
  v.number((i) => `must be a number${got(i)}`),
  v.check((n) => Number.isFinite(n) && n > 0, (i) => `must be a positive number${got(i)}`),
);

const Bool = v.boolean((i) => `must be true or false${got(i)}`);

function urlWith(protocols: string[], example: string) {
  return v.pipe(
    Str,
    v.check((s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    }, `must be a ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL like ${example}`),
  );
}

const JanusUrl = urlWith(['ws:', 'wss:'], 'ws://127.0.0.1:8188');
const HttpUrl = urlWith(['http:', 'https:'], 'https://crm.example.com/hooks');
const DatabaseUrl = urlWith(['postgres:', 'postgresql:'], 'postgres://user:password@host:5432/database');
const BaseUrl = v.pipe(Str, v.regex(/^https?:\/\/[^/?#]+\/?$/, 'must be a base URL like http://10.0.0.5:8080 (no path)'));

const Secret = v.pipe(
  Str,
  v.check((s) => Buffer.byteLength(s, 'utf8') >= MIN_SECRET_BYTES, (i) => `must be at least ${MIN_SECRET_BYTES} bytes (got ${Buffer.byteLength(String(i.input), 'utf8')})`),
);

const Password = v.pipe(
  Str,
  v.check((s) => s.length >= MIN_PASSWORD_LENGTH, (i) => `must be at least ${MIN_PASSWORD_LENGTH} characters (got ${String(i.input).length})`),
);

const Origin = v.pipe(
  Str,
  v.check((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === s;
    } catch {
      return false;
    }
  }, (i) => `must be an origin like https://www.example.com (scheme and host, no path or trailing slash; got ${i.received})`),
);

const IceUrl = v.pipe(v.string(), v.regex(/^(stun|stuns|turn|turns):[^\s]+$/, (i) => `must be a stun:, stuns:, turn: or turns: URL${got(i)}`));
const IceServer = v.pipe(
  v.strictObject(
    {
      urls: v.union([IceUrl, v.pipe(v.array(IceUrl), v.minLength(1, 'must list at least one URL'))], 'must be a URL or a list of URLs'),
      username: v.optional(v.string()),
      credential: v.optional(v.string()),
    },
    (i) => (i.expected?.startsWith('never') ? `is not an RTCIceServer key (urls, username, credential)` : `must be an RTCIceServer {urls, username?, credential?}${got(i)}`),
  ),
  v.check((s) => {
    const urls = typeof s.urls === 'string' ? [s.urls] : s.urls;
    return !urls.some((u) => u.startsWith('turn')) || (s.username !== undefined && s.credential !== undefined);
  }, 'a turn: or turns: server needs username and credential (browsers refuse it without them)'),
);

const IpAddress = v.pipe(v.string(), v.check((s) => isIP(s) !== 0, (i) => `must be an IP address${got(i)}`));

const AUTHORITY_FORMAT = 'must be a P-256 private key as JWK {"kty":"EC","crv":"P-256","x":…,"y":…,"d":…}';
const AuthorityKey = v.pipe(
  v.looseObject({}, (i) => `${AUTHORITY_FORMAT}${got(i)}`),
  v.check((k) => k.kty === 'EC' && k.crv === 'P-256' && typeof k.x === 'string' && typeof k.y === 'string', AUTHORITY_FORMAT),
  v.check((k) => typeof k.d === 'string' && /^[A-Za-z0-9_-]{43}$/.test(k.d), `${AUTHORITY_FORMAT}: its private part d (43 base64url characters) is missing or malformed`),
);

const RateRuleSchema = v.union(
  [
    v.literal(false),
    v.strictObject({ perMinute: PositiveNumber, burst: Int(1) }, (i) => (i.expected?.startsWith('never') ? 'is not a rate rule key (perMinute, burst)' : `must be {perMinute, burst} or false${got(i)}`)),
  ],
  (i) => `must be {perMinute, burst} or false${got(i)}`,
);

/** A weekly schedule (opening-hours.ts), with the parser's own words for what is wrong. */
const Schedule = v.pipe(
  Str,
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    try {
      parseSchedule(dataset.value);
    } catch (e) {
      addIssue({ message: e instanceof Error ? e.message : String(e) });
    }
  }),
);
const TimeZone = v.pipe(Str, v.check(isTimeZone, (i) => `must be a time zone (an IANA name like Europe/Berlin)${got(i)}`));

const JANODE_LEVELS = ['none', 'error', 'warning', 'info', 'verbose', 'debug'] as const;

// ---- the keys -----------------------------------------------------------------------------

type FromEnv = (raw: string) => unknown;

interface KeySpec {
  /** The environment variable; none for keys only a file can set. */
  env?: string;
  schema: v.GenericSchema;
  /** Turns the variable's text into what the schema checks. Default: the text itself. */
  fromEnv?: FromEnv;
  /** One line for the reference (vc-broker --help). */
  help: string;
}

/** Numbers stay strings when they are not numbers, so the schema names what it got. */
const number: FromEnv = (raw) => (/^\s*-?\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : raw);
const boolean: FromEnv = (raw) => {
  const s = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  return raw;
};
const list: FromEnv = (raw) => raw.split(',').map((s) => s.trim()).filter(Boolean);
/** JSON, or the text itself when it is not JSON (so the error says what was expected, not a parser's complaint). */
const json: FromEnv = (raw) => {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
};
/** `PER_MINUTE,BURST` (e.g. `10,5`) or `off`. */
const rateRule: FromEnv = (raw) => {
  const s = raw.trim().toLowerCase();
  if (s === 'off' || s === 'false' || s === '0') return false;
  const m = /^(\d+(?:\.\d+)?)\s*,\s*(\d+)$/.exec(s);
  return m ? { perMinute: Number(m[1]), burst: Number(m[2]) } : raw;
};

export const KEYS = {
  janusUrl: { env: 'JANUS_URL', schema: JanusUrl, help: 'Janus WebSocket API the broker talks to, e.g. ws://127.0.0.1:8188 (required)' },
  janusAdminKey: { env: 'JANUS_ADMIN_KEY', schema: Str, help: 'admin_key of the VideoRoom and TextRoom plugins (required)' },
  janusAdminUrl: { env: 'JANUS_ADMIN_URL', schema: JanusUrl, help: 'Janus Admin API (WebSocket), e.g. ws://127.0.0.1:7188; with janusAdminSecret, for token_auth' },
  janusAdminSecret: { env: 'JANUS_ADMIN_SECRET', schema: Str, help: 'admin_secret of the Janus Admin API' },
  publicGatewayUrl: { env: 'PUBLIC_GATEWAY_URL', schema: JanusUrl, help: 'Janus as browsers reach it, e.g. wss://chat.example.com/janus (default janusUrl)' },
  iceServers: { env: 'ICE_SERVERS', fromEnv: json, schema: v.array(IceServer, (i) => `must be a JSON array of RTCIceServer${got(i)}`), help: 'STUN/TURN servers for browsers: JSON array of {urls, username?, credential?}' },
  host: { env: 'HOST', schema: Str, help: 'listen address (default 127.0.0.1)' },
  port: { env: 'PORT', fromEnv: number, schema: Int(0, 65535), help: 'listen port (default 8080; 0: any free port)' },
  allowedOrigins: { env: 'ALLOWED_ORIGINS', fromEnv: list, schema: v.array(Origin, (i) => `must be a list of origins${got(i)}`), help: 'origins whose pages may call the API cross-origin (comma separated in the environment)' },
  trustedProxies: { env: 'TRUSTED_PROXIES', fromEnv: list, schema: v.array(IpAddress, (i) => `must be a list of IP addresses${got(i)}`), help: 'reverse proxies whose X-Forwarded-For names the client (rate limits, per-client caps), e.g. 127.0.0.1,::1' },
  staticRoot: { env: 'STATIC_ROOT', schema: Str, help: 'folder whose demo/ and dist/ the broker serves; "none": the API only (default: the package)' },
  databaseUrl: { env: 'DATABASE_URL', schema: DatabaseUrl, help: 'PostgreSQL server (15 or newer) of the record' },
  dataDir: { env: 'DATA_DIR', schema: Str, help: 'without databaseUrl: folder of the embedded PostgreSQL (PGlite), default ./data' },
  retentionDays: { env: 'RETENTION_DAYS', fromEnv: number, schema: PositiveNumber, help: 'closed conversations are purged this many days after they closed (default 30)' },
  archiveUrl: { env: 'ARCHIVE_URL', schema: BaseUrl, help: 'where Janus reaches this broker for the archive, e.g. http://10.0.0.5:8080 (default the listen URL)' },
  webhookUrl: { env: 'WEBHOOK_URL', schema: HttpUrl, help: 'signed webhooks for a CRM go here (with webhookSecret)' },
  webhookSecret: { env: 'WEBHOOK_SECRET', schema: Secret, help: 'HMAC key of the webhooks (at least 32 bytes)' },
  operatorToken: { env: 'OPERATOR_TOKEN', schema: Secret, help: 'bearer of POST /api/erasure (at least 32 bytes); without it erasure is off' },
  agentUsername: { env: 'AGENT_USERNAME', schema: Str, help: 'built-in login account (default agent; only with agentPassword)' },
  agentPassword: { env: 'AGENT_PASSWORD', schema: Password, help: `password of the built-in account (at least ${MIN_PASSWORD_LENGTH} characters)` },
  agentDisplay: { env: 'AGENT_DISPLAY', schema: Str, help: 'display name of the built-in account' },
  agentTokenSecret: { env: 'AGENT_TOKEN_SECRET', schema: Secret, help: 'signs agent tokens; share it to mint them in your own system (at least 32 bytes; default: made once, kept in the record)' },
  identitySecret: { env: 'IDENTITY_SECRET', schema: Secret, help: 'site secret of signed visitor identities (at least 32 bytes)' },
  requireIdentity: { env: 'REQUIRE_IDENTITY', fromEnv: boolean, schema: Bool, help: 'refuse visitors without a signed identity (1/true)' },
  authorityKey: { env: 'BROKER_AUTHORITY_KEY', fromEnv: json, schema: AuthorityKey, help: 'private P-256 JWK that certifies signing keys (default: made once, kept in the record)' },
  maxOpenConversations: { env: 'MAX_OPEN_CONVERSATIONS', fromEnv: number, schema: Int(1), help: 'open conversations this broker holds; over it visitors get 503 capacity ("all agents busy"). Default 500: see README "What one box holds"' },
  openCaps: {
    schema: v.strictObject({ perClient: v.optional(Int(1)), perNetwork: v.optional(Int(1)), perUser: v.optional(Int(1)) }, (i) => (i.expected?.startsWith('never') ? 'is not a cap (perClient, perNetwork, perUser)' : `must be {perClient?, perNetwork?, perUser?}${got(i)}`)),
    help: 'open conversations per client address (10), per IPv4 /24 or IPv6 /48 (50), per signed-in user (3)',
  },
  openCapsPerClient: { env: 'OPEN_CAPS_PER_CLIENT', fromEnv: number, schema: Int(1), help: 'openCaps.perClient from the environment' },
  openCapsPerNetwork: { env: 'OPEN_CAPS_PER_NETWORK', fromEnv: number, schema: Int(1), help: 'openCaps.perNetwork from the environment' },
  openCapsPerUser: { env: 'OPEN_CAPS_PER_USER', fromEnv: number, schema: Int(1), help: 'openCaps.perUser from the environment' },
  rateLimits: {
    schema: v.strictObject({ create: v.optional(RateRuleSchema), login: v.optional(RateRuleSchema), post: v.optional(RateRuleSchema) }, (i) => (i.expected?.startsWith('never') ? 'is not a rate limit (create, login, post)' : `must be {create?, login?, post?}${got(i)}`)),
    help: 'per-client token buckets: {create, login, post}, each {perMinute, burst} or false (defaults 10/5, 10/5, 120/30)',
  },
  rateLimitCreate: { env: 'RATE_LIMIT_CREATE', fromEnv: rateRule, schema: RateRuleSchema, help: 'rateLimits.create from the environment: PER_MINUTE,BURST (e.g. 10,5) or off' },
  rateLimitLogin: { env: 'RATE_LIMIT_LOGIN', fromEnv: rateRule, schema: RateRuleSchema, help: 'rateLimits.login: PER_MINUTE,BURST or off' },
  rateLimitPost: { env: 'RATE_LIMIT_POST', fromEnv: rateRule, schema: RateRuleSchema, help: 'rateLimits.post: PER_MINUTE,BURST or off' },
  backfillConcurrency: { env: 'BACKFILL_CONCURRENCY', fromEnv: number, schema: Int(0, 64), help: 'rooms the archive back-fill reads at once after a start or reconnect (default 4; 0: off)' },
  janusServers: {
    env: 'JANUS_SERVERS',
    fromEnv: json,
    schema: v.array(v.unknown(), (i) => `must be a JSON array of Janus servers${got(i)}`),
    help: 'several Janus servers instead of janusUrl & co: JSON array of {url, publicUrl?, adminUrl?, adminSecret?, adminKey} (README "Scale")',
  },
  janusFailoverGraceS: { env: 'JANUS_FAILOVER_GRACE_S', fromEnv: number, schema: v.pipe(v.number('must be a number of seconds'), v.minValue(0, 'must be 0 or more')), help: 'a Janus no broker reaches for this long has its conversations moved (default 10; 0: never)' },
  brokerId: { env: 'BROKER_ID', schema: Str, help: "this broker's id on the record (default: derived from its archive URL)" },
  openingHours: { env: 'OPENING_HOURS', schema: Schedule, help: 'weekly opening hours, e.g. "Mo-Fr 09:00-17:00; Sa 10:00-14:00"; outside them the widget takes messages instead of chats (default: always open)' },
  openingHoursTimeZone: { env: 'OPENING_HOURS_TZ', schema: TimeZone, help: "time zone of openingHours, e.g. Europe/Berlin (default: the broker's own)" },
  offlineWithoutAgents: { env: 'OFFLINE_WITHOUT_AGENTS', fromEnv: boolean, schema: Bool, help: 'with no agent signed in and available, the widget takes messages instead of chats (default true; false: only the opening hours decide)' },
  janodeLog: { env: 'JANODE_LOG', schema: v.picklist(JANODE_LEVELS, (i) => `must be one of ${JANODE_LEVELS.join(', ')}${got(i)}`), help: "janode's own console logging (default none)" },
} satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof KEYS;
const spec = (k: ConfigKey): KeySpec => KEYS[k];
type Values = Partial<Record<ConfigKey, unknown>>;

/** The file's keys: every key of the table except the environment-only spellings of nested ones. */
const ENV_ONLY = new Set<ConfigKey>(['openCapsPerClient', 'openCapsPerNetwork', 'openCapsPerUser', 'rateLimitCreate', 'rateLimitLogin', 'rateLimitPost']);
export const FILE_KEYS = (Object.keys(KEYS) as ConfigKey[]).filter((k) => !ENV_ONLY.has(k));

// ---- errors -------------------------------------------------------------------------------

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/**
 * Issue paths, each under the key it belongs to. A union's own message says little
 * when one of its options nearly matched: that option's issues (whose paths are
 * relative to the union) are reported instead.
 */
function describeIssues(issues: readonly v.BaseIssue<unknown>[], prefix = ''): Array<{ path: string; message: string }> {
  return issues.flatMap((issue) => {
    const path = prefix + (issue.path ?? []).map((p) => (typeof p.key === 'number' ? `[${p.key}]` : `.${String(p.key)}`)).join('');
    const inner = issue.type === 'union' ? (issue.issues ?? []).filter((i) => (i.path?.length ?? 0) > 0) : [];
    return inner.length > 0 ? describeIssues(inner, path) : [{ path, message: issue.message }];
  });
}

/** The nearest keys by edit distance, for "did you mean". */
function suggest(key: string): string | undefined {
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of FILE_KEYS) {
    const dd = dist(key.toLowerCase(), k.toLowerCase());
    if (dd < bestD) [best, bestD] = [k, dd];
  }
  // A variable's name written in the file: JANUS_URL for janusUrl.
  const byEnv = FILE_KEYS.find((k) => spec(k).env === key);
  if (byEnv) return byEnv;
  return bestD <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

// ---- loading ------------------------------------------------------------------------------

export interface LoadedConfig {
  /** What startBroker gets. */
  options: BrokerOptions;
  /** Where the settings came from, for the startup log (never a secret). */
  sources: string;
  /** The built-in agent account's username, when one is configured. */
  agentUsername?: string;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** The file given with --config (wins over VC_CONFIG). */
  file?: string;
  cwd?: string;
  /** Default static root and the folder the default data folder is relative to. */
  packageRoot?: string;
}

/** Reads and validates the configuration; throws ConfigError listing every problem. */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const problems: string[] = [];
  const values: Values = {};
  /** How each key is named in messages: the variable, or "file: key". */
  const names: Partial<Record<ConfigKey, string>> = {};
  /** Relative paths in the file are relative to the file's folder. */
  const baseOf: Partial<Record<ConfigKey, string>> = {};

  const filePath = opts.file ?? (env.VC_CONFIG || undefined);
  let fileLabel: string | undefined;
  if (filePath !== undefined) {
    const abs = resolve(cwd, filePath);
    fileLabel = filePath;
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(abs, 'utf8'));
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      throw new ConfigError([`${filePath}: cannot read the configuration file: ${why}`]);
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ConfigError([`${filePath}: must hold a JSON object of settings`]);
    for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
      if (key === '$schema' || key === '//') continue;
      if (!(FILE_KEYS as string[]).includes(key)) {
        const hint = suggest(key);
        problems.push(`${filePath}: ${key}: unknown key${hint ? ` (did you mean ${hint}?)` : ''}`);
        continue;
      }
      const k = key as ConfigKey;
      names[k] = `${filePath}: ${k}`;
      baseOf[k] = dirname(abs);
      const r = v.safeParse(spec(k).schema, value, { abortPipeEarly: true });
      if (r.success) values[k] = r.output;
      else for (const i of describeIssues(r.issues)) problems.push(`${filePath}: ${k}${i.path}: ${i.message}`);
    }
  }

  // The environment wins over the file, key by key. An empty variable counts as not set.
  for (const k of Object.keys(KEYS) as ConfigKey[]) {
    const s = spec(k);
    if (!s.env) continue;
    const raw = env[s.env];
    if (raw === undefined || raw === '') continue;
    const r = v.safeParse(s.schema, s.fromEnv ? s.fromEnv(raw) : raw, { abortPipeEarly: true });
    names[k] = s.env;
    baseOf[k] = cwd;
    if (r.success) values[k] = r.output;
    else {
      delete values[k];
      for (const i of describeIssues(r.issues)) problems.push(`${s.env}${i.path}: ${i.message}`);
    }
  }

  const name = (k: ConfigKey) => names[k] ?? (fileLabel ? `${spec(k).env ?? k} (or ${k} in ${fileLabel})` : spec(k).env ?? k);
  const get = <T>(k: ConfigKey) => values[k] as T | undefined;

  // Which keys need which: reported once each, naming both.
  let janusServers: JanusServerOptions[] | undefined;
  if (values.janusServers !== undefined) {
    const single = (['janusUrl', 'janusAdminKey', 'janusAdminUrl', 'janusAdminSecret', 'publicGatewayUrl'] as const).filter((k) => values[k] !== undefined);
    if (single.length) problems.push(`${name('janusServers')}: replaces ${single.map(name).join(', ')}: set one or the other`);
    try {
      janusServers = parseJanusServers(JSON.stringify(values.janusServers), name('janusServers'));
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
  } else {
    for (const k of ['janusUrl', 'janusAdminKey'] as const) {
      if (values[k] === undefined && !problems.some((p) => p.startsWith(`${name(k)}`))) problems.push(`${name(k)}: is required (or JANUS_SERVERS, for several Janus servers)`);
    }
  }
  const pair = (a: ConfigKey, b: ConfigKey, why: string) => {
    const hasA = values[a] !== undefined;
    const hasB = values[b] !== undefined;
    if (hasA !== hasB) problems.push(`${name(hasA ? b : a)}: must be set together with ${name(hasA ? a : b)}${why}`);
  };
  pair('janusAdminUrl', 'janusAdminSecret', ' (or neither: then Janus must run without token_auth)');
  pair('webhookUrl', 'webhookSecret', ' (receivers verify the signatures with the secret)');
  if (values.databaseUrl !== undefined && values.dataDir !== undefined) problems.push(`${name('dataDir')}: must not be set together with ${name('databaseUrl')} (the record is either a PostgreSQL server or embedded)`);
  if (values.agentUsername !== undefined && values.agentPassword === undefined) problems.push(`${name('agentUsername')}: needs ${name('agentPassword')} (the built-in account exists only with a password)`);
  if (values.agentDisplay !== undefined && values.agentPassword === undefined) problems.push(`${name('agentDisplay')}: needs ${name('agentPassword')}`);
  if (values.openingHoursTimeZone !== undefined && values.openingHours === undefined) problems.push(`${name('openingHoursTimeZone')}: needs ${name('openingHours')}`);

  // Nested keys with an environment spelling of each member.
  const caps: Record<string, number> = { ...(get<Record<string, number>>('openCaps') ?? {}) };
  const capNames: Record<string, string> = {};
  for (const [member, envKey] of [['perClient', 'openCapsPerClient'], ['perNetwork', 'openCapsPerNetwork'], ['perUser', 'openCapsPerUser']] as const) {
    if (caps[member] !== undefined) capNames[member] = `${names.openCaps}.${member}`;
    if (values[envKey] !== undefined) {
      caps[member] = values[envKey] as number;
      capNames[member] = name(envKey);
    }
  }
  const rules: Record<string, false | { perMinute: number; burst: number }> = { ...(get<Record<string, false | { perMinute: number; burst: number }>>('rateLimits') ?? {}) };
  for (const [member, envKey] of [['create', 'rateLimitCreate'], ['login', 'rateLimitLogin'], ['post', 'rateLimitPost']] as const) {
    if (values[envKey] !== undefined) rules[member] = values[envKey] as false | { perMinute: number; burst: number };
  }
  const maxOpen = get<number>('maxOpenConversations') ?? 500;
  const perNetwork = caps.perNetwork ?? 50;
  if (perNetwork >= maxOpen) {
    problems.push(
      capNames.perNetwork !== undefined
        ? `${capNames.perNetwork}: must be smaller than ${values.maxOpenConversations !== undefined ? name('maxOpenConversations') : 'maxOpenConversations (default 500)'} (${perNetwork} >= ${maxOpen}), or one network could take every conversation`
        : `${name('maxOpenConversations')}: must be larger than openCaps.perNetwork (default 50; ${maxOpen} <= ${perNetwork}), or one network could take every conversation`,
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const path = (k: ConfigKey) => {
    const p = get<string>(k);
    return p === undefined ? undefined : resolve(baseOf[k] ?? cwd, p);
  };
  const staticRootRaw = get<string>('staticRoot');
  const staticRoot = staticRootRaw === 'none' ? undefined : (path('staticRoot') ?? opts.packageRoot);
  const trusted = get<string[]>('trustedProxies');
  const agentPassword = get<string>('agentPassword');
  const agentUsername = get<string>('agentUsername') ?? 'agent';
  const janusAdminUrl = get<string>('janusAdminUrl');
  const webhookUrl = get<string>('webhookUrl');
  const retentionDays = get<number>('retentionDays');

  const failoverS = get<number>('janusFailoverGraceS');
  const options: BrokerOptions = {
    ...(janusServers
      ? { janusServers }
      : {
          janusUrl: get<string>('janusUrl')!,
          janusAdminKey: get<string>('janusAdminKey')!,
          janusAdmin: janusAdminUrl ? { url: janusAdminUrl, secret: get<string>('janusAdminSecret')! } : undefined,
          publicGatewayUrl: get('publicGatewayUrl'),
        }),
    janusFailoverGraceMs: failoverS !== undefined ? failoverS * 1000 : undefined,
    brokerId: get('brokerId'),
    iceServers: get('iceServers'),
    host: get('host'),
    port: get<number>('port') ?? 8080,
    allowedOrigins: get('allowedOrigins'),
    clientKey: trusted && trusted.length > 0 ? forwardedClientKey(trusted) : undefined,
    staticRoot,
    database: values.databaseUrl !== undefined ? { url: get<string>('databaseUrl')! } : { dataDir: path('dataDir') ?? resolve(cwd, 'data') },
    retentionMs: retentionDays !== undefined ? retentionDays * 24 * 60 * 60_000 : undefined,
    archiveUrl: get('archiveUrl'),
    webhooks: webhookUrl ? { url: webhookUrl, secret: get<string>('webhookSecret')! } : undefined,
    operatorToken: get('operatorToken'),
    agentAccounts: agentPassword ? [{ username: agentUsername, password: agentPassword, display: get('agentDisplay') }] : undefined,
    agentTokenSecret: get('agentTokenSecret'),
    identitySecret: get('identitySecret'),
    requireIdentity: get<boolean>('requireIdentity') ?? false,
    authorityKey: get('authorityKey'),
    maxOpenConversations: maxOpen,
    openCaps: Object.keys(caps).length > 0 ? caps : undefined,
    rateLimits: Object.keys(rules).length > 0 ? rules : undefined,
    backfillConcurrency: get('backfillConcurrency'),
    janodeLogLevel: get('janodeLog'),
    openingHours: values.openingHours !== undefined ? { schedule: get<string>('openingHours')!, timeZone: get('openingHoursTimeZone') } : undefined,
    offlineWithoutAgents: get<boolean>('offlineWithoutAgents'),
  };
  const fromEnv = (Object.keys(names) as ConfigKey[]).some((k) => names[k] === spec(k).env);
  const sources = [fileLabel ? `file ${fileLabel}` : undefined, fromEnv ? 'environment' : undefined].filter(Boolean).join(' + ') || 'defaults only';
  return { options, sources, agentUsername: agentPassword ? agentUsername : undefined };
}

/**
 * Behind reverse proxies: a request from one of `trusted` counts against the
 * address its X-Forwarded-For names, read from the right past every trusted
 * hop (the left end is whatever the client wrote). Anything else counts
 * against its TCP peer, as without proxies. Keys are spelled like
 * remoteAddressKey's (IPv4-mapped as IPv4, IPv6 by /64).
 */
export function forwardedClientKey(trusted: readonly string[]): ClientKey {
  const norm = (a: string) => (a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a).toLowerCase();
  const proxies = new Set(trusted.map(norm));
  const keyOf = (addr: string) => remoteAddressKey({ socket: { remoteAddress: addr } } as IncomingMessage);
  return (req) => {
    const peer = req.socket.remoteAddress;
    if (peer === undefined || !proxies.has(norm(peer))) return remoteAddressKey(req);
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((s) => s.trim()).filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i].replace(/^\[(.*)\](?::\d+)?$/, '$1');
      if (isIP(hop) === 0) break;
      if (!proxies.has(norm(hop))) return keyOf(hop);
    }
    return remoteAddressKey(req);
  };
}

/** The reference printed by vc-broker --help. */
export function configReference(): string {
  const rows = (Object.keys(KEYS) as ConfigKey[]).map((k) => {
    const s = spec(k);
    const left = ENV_ONLY.has(k) ? s.env! : s.env ? `${s.env} / ${k}` : `(file only) ${k}`;
    return `  ${left.padEnd(46)} ${s.help}`;
  });
  return rows.join('\n');
}
