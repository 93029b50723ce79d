#!/usr/bin/env node
// tsc (dist/: ESM + types) then rollup (dist/cdn/: script-tag bundles).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
rmSync('dist', { recursive: true, force: true });
run('npx', ['tsc', '-p', 'tsconfig.json']);
run('npx', ['rollup', '-c', 'rollup.config.mjs', '--silent']);
run('npm', ['run', '--silent', 'manifest']);
console.log('build ok: dist/ (ESM + types), dist/cdn/ (script tag), custom-elements.json');
