#!/usr/bin/env node
// npm start: Janus (janus/ config, loopback) + the reference broker serving
// the demo. Prints the URLs; Ctrl-C stops everything.
import { register } from 'tsx/esm/api';
import { startJanus } from './janus.mjs';

register();
const { startBroker } = await import('../server/broker.ts');

const port = Number(process.env.PORT ?? 8080);
const janus = await startJanus({
  port: process.env.JANUS_PORT ? Number(process.env.JANUS_PORT) : undefined,
  log: process.env.JANUS_LOG ? (l) => console.log(`[janus] ${l}`) : undefined,
});
let broker;
try {
  broker = await startBroker({ janusUrl: janus.url, janusAdminKey: janus.adminKey, port, host: process.env.HOST ?? '127.0.0.1', staticRoot: process.cwd() });
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
  Customer website:  ${base}/demo/shop/
  Janus (WebSocket): ${janus.url}

  Open the shop, start a chat, then claim it in the agent console.
  Ctrl-C stops Janus and the broker.
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
janus.process.on('exit', (code) => {
  if (stopping) return;
  console.error(`Janus exited unexpectedly (code ${code}). Last log lines:\n${janus.logTail().slice(-20).join('\n')}`);
  void broker.close().finally(() => process.exit(1));
});
