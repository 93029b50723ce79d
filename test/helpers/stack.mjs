// Starts the real parts the tests need: Janus (scripts/janus.mjs), the
// reference broker, and a cuttable proxy in front of Janus.
import { register } from 'tsx/esm/api';
import { startJanus } from '../../scripts/janus.mjs';
import { startTcpProxy } from './tcp-proxy.mjs';

register();

export async function startStack({ staticRoot } = {}) {
  // A short reclaim window lets the tests see both outcomes of a dropped
  // socket (session claimed back, or lost and rebuilt) in seconds.
  const janus = await startJanus({ reclaimTimeoutS: 3, log: process.env.JANUS_LOG ? (l) => console.log(`[janus] ${l}`) : undefined });
  let broker;
  let proxy;
  try {
    const { startBroker } = await import('../../server/broker.ts');
    broker = await startBroker({ janusUrl: janus.url, janusAdminKey: janus.adminKey, port: 0, staticRoot });
    proxy = await startTcpProxy(janus.port);
  } catch (e) {
    await broker?.close();
    await janus.stop();
    throw e;
  }
  return {
    janus,
    broker,
    proxy,
    env: { gateway: janus.url, gatewayProxy: proxy.url, broker: broker.url },
    async stop() {
      await proxy.close();
      await broker.close();
      await janus.stop();
    },
  };
}
