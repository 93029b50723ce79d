// Starts the real parts the tests need: Janus (scripts/janus.mjs, token_auth
// on), the reference broker, and a cuttable proxy in front of Janus.
import { randomBytes } from 'node:crypto';
import { register } from 'tsx/esm/api';
import { startJanus } from '../../scripts/janus.mjs';
import { startTcpProxy } from './tcp-proxy.mjs';

register();

/** Tests create many conversations from one address; the limits themselves are tested in test/server. */
const GENEROUS = { perMinute: 100_000, burst: 10_000 };

/**
 * `broker`: further broker options. By default a chat waits in the queue
 * whether or not an agent is signed in (most tests start the customer
 * first); `{ offlineWithoutAgents: true }` tests the product's default, the
 * message form when nobody is there.
 */
/*
 * `host`: the address the broker (API + static pages) and Janus's WebSocket API
 * listen on, and so the one in every URL handed to browsers (the broker's url,
 * the gateway in conversation descriptors). Default 127.0.0.1; the impaired-
 * network tests give the root-namespace end of a veth pair (test/helpers/impair.ts).
 * `iceEnforce`: the interfaces Janus gathers ICE candidates on (default every IPv4 one).
 */
export async function startStack({ staticRoot, broker: brokerOpts = {}, host, iceEnforce, reclaimTimeoutS = 3 } = {}) {
  // A short reclaim window lets the tests see both outcomes of a dropped
  // socket (session claimed back, or lost and rebuilt) in seconds; the
  // impaired-network tests use the product's own (20 s), as a deployment has.
  const janus = await startJanus({ reclaimTimeoutS, bindIp: host, iceEnforce, log: process.env.JANUS_LOG ? (l) => console.log(`[janus] ${l}`) : undefined });
  // The agent the tests (and the e2e agent console) sign in as.
  const agent = { username: 'ann', password: randomBytes(12).toString('base64url'), display: 'Ann' };
  let broker;
  let proxy;
  try {
    const { startBroker } = await import('../../server/broker.ts');
    broker = await startBroker({
      janusUrl: janus.url,
      janusAdminKey: janus.adminKey,
      janusAdmin: { url: janus.adminUrl, secret: janus.adminSecret },
      agentAccounts: [agent],
      rateLimits: { create: GENEROUS, login: GENEROUS, post: GENEROUS },
      // Likewise the per-client caps on open conversations (test/server/capacity.test.ts tests them).
      maxOpenConversations: 100_000,
      openCaps: { perClient: 50_000, perNetwork: 50_000, perUser: 50_000 },
      port: 0,
      staticRoot,
      offlineWithoutAgents: false,
      ...(host ? { host } : {}),
      ...brokerOpts,
    });
    proxy = await startTcpProxy(janus.port, host);
  } catch (e) {
    await broker?.close();
    await janus.stop();
    throw e;
  }
  return {
    janus,
    broker,
    proxy,
    env: { gateway: janus.url, gatewayProxy: proxy.url, broker: broker.url, agent: { username: agent.username, password: agent.password } },
    async stop() {
      await proxy.close();
      await broker.close();
      await janus.stop();
    },
  };
}
