#!/usr/bin/env node
// npm run start:cluster: the product as a small cluster on this machine.
//   - a throwaway PostgreSQL server (Debian's, scripts/postgres.mjs), removed on Ctrl-C;
//   - two supervised Janus servers (scripts/janus.mjs), a pool every broker uses;
//   - two broker processes on that record (nothing shared but PostgreSQL), each
//     also reachable on its own port;
//   - on PORT (8080), a tiny round-robin reverse proxy: "any broker", the way a
//     load balancer in front of several brokers works. It skips a broker that
//     refuses the connection, so killing one keeps the site up.
// Prints the same URLs as npm start; Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { describeSupervisorEvent, superviseJanus } from './janus.mjs';

const self = fileURLToPath(import.meta.url);

// ---- one broker (a child process: node --import tsx scripts/start-cluster.mjs broker) -------------------
if (process.argv[2] === 'broker') {
  const { startBroker } = await import('../server/broker.ts');
  const config = JSON.parse(process.env.VC_CLUSTER_BROKER ?? '{}');
  const broker = await startBroker({
    ...config,
    staticRoot: process.cwd(),
    log: (level, line) => (level === 'info' ? console.log : console.error)(`[${config.name}] ${line}`),
  });
  console.log(`[${config.name}] ready on ${broker.url}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await broker.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', () => {}); // Ctrl-C reaches the whole process group: the parent decides when we stop.
  process.on('SIGTERM', () => void stop());
  // Our lifeline: when the parent goes (even SIGKILLed), its end of stdin closes and we stop.
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
} else {
  await main();
}

async function main() {
  const { startPostgres } = await import('./postgres.mjs');
  const port = Number(process.env.PORT ?? 8080);
  const brokerPorts = [Number(process.env.BROKER1_PORT ?? port + 1), Number(process.env.BROKER2_PORT ?? port + 2)];
  const host = '127.0.0.1';
  const agent = {
    username: process.env.AGENT_USERNAME || 'agent',
    password: process.env.AGENT_PASSWORD || randomBytes(12).toString('base64url'),
    display: process.env.AGENT_DISPLAY || 'Demo Agent',
  };
  if (agent.password.length < 12) {
    console.error('AGENT_PASSWORD must be at least 12 characters');
    process.exit(2);
  }

  const cleanups = [];
  let stopping = false;
  async function stopAll(code = 0) {
    if (stopping) return;
    stopping = true;
    for (const c of cleanups.reverse()) await c().catch(() => {});
    process.exit(code);
  }
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const pg = await startPostgres();
    cleanups.push(() => pg.stop());
    const janus = [];
    for (const n of [1, 2]) {
      const j = await superviseJanus({
        log: process.env.JANUS_LOG ? (l) => console.log(`[janus ${n}] ${l}`) : undefined,
        onEvent: (ev) => (ev.type === 'restarted' ? console.log : console.error)(`[janus ${n}] ${describeSupervisorEvent(ev)}`),
      });
      cleanups.push(() => j.stop());
      janus.push(j);
    }
    // The sample CRM's receiver lives in broker 1; both brokers deliver their webhooks to it (the proxy sends /demo-crm/ there).
    const crmSecret = randomBytes(32).toString('base64url');
    const crmUrl = `http://${host}:${brokerPorts[0]}/demo-crm/webhook`;
    const common = {
      database: { url: pg.url },
      janusServers: janus.map((j) => ({ url: j.url, adminKey: j.adminKey, admin: { url: j.adminUrl, secret: j.adminSecret } })),
      agentAccounts: [agent],
      host,
      webhooks: process.env.WEBHOOK_URL ? { url: process.env.WEBHOOK_URL, secret: process.env.WEBHOOK_SECRET } : { url: crmUrl, secret: crmSecret },
    };
    const brokers = [];
    // Stopped together, so that neither takes over the other's conversations on the way out.
    cleanups.push(() => Promise.all(brokers.map((b) => b.stop())));
    for (const [i, p] of brokerPorts.entries()) {
      const b = startBrokerProcess({ ...common, name: `broker ${i + 1}`, port: p, demoCrm: i === 0 });
      brokers.push(b);
      // One at a time: the first migrates the record.
      await b.ready;
    }
    const proxy = await startProxy(port, host, brokerPorts);
    cleanups.push(() => proxy.close());

    const base = `http://${host}:${port}`;
    console.log(`
  Video chat cluster is running: 2 brokers, 2 Janus servers, 1 PostgreSQL

  Agent console:     ${base}/demo/agent/
    sign in as:      ${agent.username} / ${process.env.AGENT_PASSWORD ? '(AGENT_PASSWORD)' : agent.password}
  Customer website:  ${base}/demo/shop/
  Sample CRM:        ${base}/demo/crm/  (same sign-in; ${process.env.WEBHOOK_URL ? `webhooks go to ${process.env.WEBHOOK_URL}` : 'files each transcript from the webhooks'})
  Janus (WebSocket): ${janus.map((j) => j.url).join(', ')}
  Record:            PostgreSQL at ${host}:${pg.port} (a throwaway data folder, removed on Ctrl-C)

  ${base} hands each request to the next broker in turn (a round-robin proxy);
  each broker also answers on its own:
    broker 1: http://${host}:${brokerPorts[0]}/demo/agent/
    broker 2: http://${host}:${brokerPorts[1]}/demo/agent/

  Open the shop, start a chat, then claim it in the agent console (on either broker).
  Ctrl-C stops the proxy, the brokers, Janus and PostgreSQL.
`);
    for (const j of janus) {
      j.done.catch(() => {
        if (stopping) return;
        console.error('A Janus cannot be started again: its conversations move to the other one after the failover grace period.');
      });
    }
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    await stopAll(1);
  }
}

/** One broker as a child process, restarted 1 s after it dies (kill one to watch the other carry on). */
function startBrokerProcess(config) {
  let child;
  let stopping = false;
  let resolveReady;
  let rejectReady;
  const ready = new Promise((res, rej) => ((resolveReady = res), (rejectReady = rej)));
  let started = false;
  const launch = () => {
    child = spawn(process.execPath, ['--import', 'tsx', self, 'broker'], {
      env: { ...process.env, VC_CLUSTER_BROKER: JSON.stringify(config) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.stdin.on('error', () => {});
    let partial = '';
    child.stdout.on('data', (buf) => {
      const lines = (partial + String(buf)).split('\n');
      partial = lines.pop();
      for (const line of lines) {
        if (!started && line.includes('ready on')) {
          started = true;
          resolveReady();
        }
        // Only what matters on the console: warnings come on stderr, info lines only with VC_CLUSTER_LOG.
        if (process.env.VC_CLUSTER_LOG || line.includes('ready on') || line.includes('failover') || line.includes('took over')) console.log(line);
      }
    });
    child.once('exit', (code, signal) => {
      if (stopping) return;
      if (!started) {
        rejectReady(new Error(`${config.name} did not start (exit ${code ?? signal})`));
        return;
      }
      console.error(`[${config.name}] exited (${signal ?? `code ${code}`}); starting it again in 1 s`);
      setTimeout(() => !stopping && launch(), 1000);
    });
  };
  launch();
  return {
    ready,
    stop: () =>
      new Promise((resolve) => {
        stopping = true;
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/**
 * A round-robin reverse proxy: each request goes to the next broker; a broker
 * that refuses the connection is skipped (the request body is buffered first,
 * at most 1 MiB, so it can be sent again). Responses stream through, so the
 * queue's Server-Sent Events work. The sample CRM's receiver lives in broker 1.
 */
async function startProxy(port, host, backends) {
  let next = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > 1 << 20) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const pinned = (req.url ?? '').startsWith('/demo-crm/') ? 0 : undefined;
      const order = pinned !== undefined ? [pinned] : [next, next + 1].map((i) => i % backends.length);
      next = (next + 1) % backends.length;
      const attempt = (k) => {
        const upstream = request(
          { host, port: backends[order[k]], method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '' } },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
            res.on('close', () => up.destroy());
          },
        );
        upstream.on('error', (e) => {
          if (!res.headersSent && k + 1 < order.length && e.code === 'ECONNREFUSED') return attempt(k + 1);
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'bad_gateway', message: 'No broker answered' } }));
        });
        upstream.end(body);
      };
      attempt(0);
    });
    req.on('error', () => {});
    res.on('error', () => {});
  });
  await new Promise((resolve, reject) => {
    server.once('error', (e) => reject(e.code === 'EADDRINUSE' ? new Error(`Port ${port} is in use. Start on another one with: PORT=9080 npm run start:cluster`) : e));
    server.listen(port, host, resolve);
  });
  return {
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

