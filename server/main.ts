#!/usr/bin/env node
// The reference broker's command, `vc-broker` (compiled, from the npm package) or,
// in a checkout, `node --import tsx server/main.ts`:
//
//   vc-broker [--config broker.json] [--check]
//
// Settings come from the environment, from a JSON file (--config, or VC_CONFIG),
// or both (a variable that is set wins over the file's key); `vc-broker --help`
// lists every one, server/config.ts validates them and README "Deploying" explains
// them. The least a broker needs:
//   JANUS_URL=ws://127.0.0.1:8188 JANUS_ADMIN_KEY=… \
//   JANUS_ADMIN_URL=ws://127.0.0.1:7188 JANUS_ADMIN_SECRET=… vc-broker
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker } from './broker.js';
import { ConfigError, configReference, loadConfig } from './config.js';
import { everythingToConsole } from './log.js';

/** The folder of the nearest package.json above this file: the checkout, or the installed package. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return dirname(fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

function fail(message: string): never {
  console.error(`vc-broker: ${message}`);
  process.exit(2);
}

const USAGE = `Usage: vc-broker [--config FILE] [--check]

  --config FILE   read settings from FILE (JSON; also VC_CONFIG=FILE); environment variables win over its keys
  --check         validate the configuration, print where it came from, and exit
  --version       print the version
  --help          this text

Settings (environment variable / key in the file):
`;

const root = packageRoot();
let file: string | undefined;
let check = false;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--help' || a === '-h') {
    console.log(USAGE + configReference());
    process.exit(0);
  } else if (a === '--version') {
    console.log((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
    process.exit(0);
  } else if (a === '--check') check = true;
  else if (a === '--config') {
    file = args[++i];
    if (file === undefined || file.startsWith('--')) fail('--config needs a file name');
  } else if (a.startsWith('--config=')) file = a.slice('--config='.length);
  else fail(`unknown argument ${a} (vc-broker --help lists the arguments)`);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig({ file, packageRoot: root });
} catch (e) {
  if (e instanceof ConfigError) fail(e.message);
  throw e;
}
const { options } = config;
if (check) {
  console.log(`vc-broker: configuration OK (${config.sources}); Janus ${options.janusUrl}, record ${'url' in options.database! ? 'PostgreSQL (databaseUrl)' : `embedded in ${(options.database as { dataDir: string }).dataDir}`}, listen ${options.host ?? '127.0.0.1'}:${options.port}`);
  process.exit(0);
}

let broker: Awaited<ReturnType<typeof startBroker>>;
try {
  broker = await startBroker({ ...options, log: everythingToConsole });
} catch (e) {
  fail(`could not start: ${e instanceof Error ? e.message : String(e)}`);
}

console.log(`Broker ready: ${broker.url} (configuration: ${config.sources})`);
if (config.agentUsername) console.log(`  Agent login: ${config.agentUsername} (password from AGENT_PASSWORD)`);
else if (!options.agentTokenSecret) console.log('  No agent can log in: set AGENT_PASSWORD (built-in login) or AGENT_TOKEN_SECRET (your own agent tokens)');
if (options.staticRoot && existsSync(join(options.staticRoot, 'demo'))) {
  console.log(`  Agent console: ${broker.url}/demo/agent/`);
  console.log(`  Shop (customer site): ${broker.url}/demo/shop/`);
}

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
