#!/usr/bin/env node
// npm run build:server: the broker as plain JavaScript for the npm package, so it
// runs with `node` and production dependencies only (no tsx). tsc compiles server/
// and the src/protocol it imports into dist-server/ (same layout), then the SQL
// migrations are copied next to migrate.js, where it looks for them at runtime.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist-server');
rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.server-build.json')], { stdio: 'inherit', cwd: root });
cpSync(join(root, 'server', 'migrations'), join(out, 'server', 'migrations'), { recursive: true, filter: (src) => !src.includes('/.') });
chmodSync(join(out, 'server', 'main.js'), 0o755);
const sql = readdirSync(join(out, 'server', 'migrations')).filter((f) => f.endsWith('.sql')).length;
console.log(`build ok: dist-server/ (the broker: bin vc-broker = dist-server/server/main.js, ${sql} migrations)`);
