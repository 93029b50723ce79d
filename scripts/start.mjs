#!/usr/bin/env node
// npm start: Janus (janus/ config, loopback) + the reference broker serving
// the demo. Prints the URLs; Ctrl-C stops everything.
import { randomBytes } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { register } from 'tsx/esm/api';
import { describeSupervisorEvent, superviseJanus } from './janus.mjs';

register();
const { startBroker } = await import('../server/broker.ts');
const { checkSecretLength } = await import('../server/secrets.ts');
const { MIN_PASSWORD_LENGTH } = await import('../server/agent-auth.ts');

// With no agent signed in and available the shop takes messages instead of chats (the product's default);
// OFFLINE_WITHOUT_AGENTS=false leaves that to the opening hours, as vc-broker does.
const offlineEnv = process.env.OFFLINE_WITHOUT_AGENTS;

// Refuse weak or wrong settings before Janus starts, naming the variable as the operator typed it.
try {
  if (offlineEnv !== undefined && offlineEnv !== 'true' && offlineEnv !== 'false') throw new Error(`OFFLINE_WITHOUT_AGENTS must be true or false (got ${JSON.stringify(offlineEnv)})`);
  checkSecretLength('AGENT_TOKEN_SECRET', process.env.AGENT_TOKEN_SECRET || undefined);
  checkSecretLength('IDENTITY_SECRET', process.env.IDENTITY_SECRET || undefined);
  if (process.env.WEBHOOK_URL && !process.env.WEBHOOK_SECRET) throw new Error('WEBHOOK_URL needs WEBHOOK_SECRET (at least 32 bytes)');
  checkSecretLength('WEBHOOK_SECRET', process.env.WEBHOOK_SECRET || undefined);
  const given = process.env.AGENT_PASSWORD;
  if (given && given.length < MIN_PASSWORD_LENGTH) throw new Error(`AGENT_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters (got ${given.length})`);
} catch (e) {
  console.error(e.message);
  process.exit(2);
}

const port = Number(process.env.PORT ?? 8080);
// Janus is supervised: when it dies it is started again on the same ports with the same
// secrets, and the broker reconnects and puts its rooms and tokens back (scripts/janus.mjs).
const janus = await superviseJanus({
  port: process.env.JANUS_PORT ? Number(process.env.JANUS_PORT) : undefined,
  log: process.env.JANUS_LOG ? (l) => console.log(`[janus] ${l}`) : undefined,
  onEvent: (ev) => (ev.type === 'restarted' ? console.log : console.error)(`[janus] ${describeSupervisorEvent(ev)}`),
});
// The demo's agent account: AGENT_USERNAME / AGENT_PASSWORD, or a fresh random password
// printed below (16 characters, above the broker's minimum of 12).
const agent = {
  username: process.env.AGENT_USERNAME || 'agent',
  password: process.env.AGENT_PASSWORD || randomBytes(12).toString('base64url'),
  display: process.env.AGENT_DISPLAY || 'Demo Agent',
};
// The record: a PostgreSQL server when DATABASE_URL says so, else embedded PostgreSQL (PGlite) in ./data,
// so conversations, sign-ins and transcripts survive a restart with nothing to install.
const database = process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : { dataDir: process.env.DATA_DIR || 'data' };
let broker;
try {
  broker = await startBroker({
    database,
    // The sample CRM files every conversation's transcript from the webhooks (/demo/crm/);
    // WEBHOOK_URL + WEBHOOK_SECRET send them to your own receiver instead.
    demoCrm: true,
    webhooks: process.env.WEBHOOK_URL ? { url: process.env.WEBHOOK_URL, secret: process.env.WEBHOOK_SECRET } : undefined,
    janusUrl: janus.url,
    janusAdminKey: janus.adminKey,
    janusAdmin: { url: janus.adminUrl, secret: janus.adminSecret },
    agentAccounts: [agent],
    agentTokenSecret: process.env.AGENT_TOKEN_SECRET || undefined,
    identitySecret: process.env.IDENTITY_SECRET || undefined,
    port,
    host: process.env.HOST ?? '127.0.0.1',
    staticRoot: process.cwd(),
    ...(offlineEnv ? { offlineWithoutAgents: offlineEnv === 'true' } : {}),
  });
} catch (e) {
  await janus.stop();
  if (e?.code === 'EADDRINUSE') {
    console.error(`Port ${port} is in use. Start on another one with: PORT=8081 npm start`);
    process.exit(1);
  }
  throw e;
}
const base = broker.url.replace(/\/$/, '');
console.log(`
  Video chat demo is running

  Agent console:     ${base}/demo/agent/
    sign in as:      ${agent.username} / ${process.env.AGENT_PASSWORD ? '(AGENT_PASSWORD)' : agent.password}
  Customer website:  ${base}/demo/shop/
  Sample CRM:        ${base}/demo/crm/  (same sign-in; ${process.env.WEBHOOK_URL ? `webhooks go to ${process.env.WEBHOOK_URL}` : 'files each transcript from the webhooks'})
  Janus (WebSocket): ${janus.url}
  Record:            ${database.url ? 'PostgreSQL (DATABASE_URL)' : `embedded PostgreSQL in ${isAbsolute(database.dataDir) ? database.dataDir : `./${database.dataDir}`}/`}

  Sign in to the agent console first (then an agent is available), open the shop, start a chat and claim it.
  Janus is restarted if it dies. Ctrl-C stops Janus and the broker.
`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await broker.close().catch(() => {});
  await janus.stop();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// Only a Janus that cannot be started again (several failed starts in a row) ends the demo.
janus.done.catch(() => {
  if (stopping) return;
  stopping = true;
  console.error('Stopping the broker: the demo cannot run without Janus.');
  void broker.close().catch(() => {}).finally(() => process.exit(1));
});
