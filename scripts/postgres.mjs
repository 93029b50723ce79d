// A throwaway PostgreSQL server for the tests and npm run start:cluster, like scripts/janus.mjs is for
// Janus: Debian's initdb and pg_ctl in a temporary folder, on a free loopback
// port, trust authentication on that socket only, removed on stop.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './janus.mjs';

/** Where Debian puts the server binaries (postgresql-15 first; any installed major works). */
export function postgresBinDir() {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (majors.length === 0) throw new Error('PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin; install them with: sudo apt-get install -y postgresql');
  return join(root, majors.includes('15') ? '15' : majors[0], 'bin');
}

/**
 * PostgreSQL refuses to run as root: when we are root, the server runs as the
 * `postgres` user the Debian package creates.
 */
function asServerUser(dir) {
  if (process.getuid?.() !== 0) return { prefix: [], chown: () => {} };
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { prefix: ['runuser', '-u', 'postgres', '--'], chown: () => chownSync(dir, uid, gid) };
}

function run(prefix, cmd, args) {
  const [file, ...rest] = [...prefix, cmd, ...args];
  const r = spawnSync(file, rest, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** Starts a fresh cluster; resolves with its URL and a stop() that removes everything. */
export async function startPostgres() {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'vc-pg-'));
  chmodSync(dir, 0o700);
  const user = asServerUser(dir);
  user.chown();
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    run(user.prefix, join(bin, 'initdb'), ['-D', data, '-U', 'vc', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    // Loopback TCP only, no Unix socket in shared places, fsync off: this cluster lives for one test run.
    const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    run(user.prefix, join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-w', '-t', '30', '-l', join(dir, 'log'), 'start']);
    run(user.prefix, join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'vc', 'vc']);
  } catch (e) {
    try {
      run(user.prefix, join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
    } catch {
      // never started
    }
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  let stopped = false;
  // A test process that ends without stop() (a crash, a failed assertion in before()) must not leave a server behind.
  const onExit = () => {
    if (stopped) return;
    stopped = true;
    try {
      run(user.prefix, join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  return {
    url: `postgres://vc@127.0.0.1:${port}/vc`,
    port,
    /** A new empty database on the same server (each test suite its own). */
    createDatabase(name) {
      run(user.prefix, join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'vc', name]);
      return `postgres://vc@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', onExit);
      try {
        run(user.prefix, join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
