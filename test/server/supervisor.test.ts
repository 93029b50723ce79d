// npm start's Janus supervisor (scripts/janus.mjs, superviseJanus) against the real
// Janus: a killed Janus comes back by itself on the same URL with the same secrets, the
// broker finds its rooms again, and no Janus process or config folder (it holds the
// admin secret) outlives the supervisor, not even when the supervisor is SIGKILLed.
//   node --import tsx --test test/server/supervisor.test.ts
import { superviseJanus, type RunningJanus, type SupervisedJanus, type SupervisorEvent } from '../../scripts/janus.mjs';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import * as v from '../../src/protocol/schema.js';
import { ConversationGrant } from '../../src/protocol/index.js';
import { startBroker, type Broker } from '../../server/broker.js';
import { JanusAdmin } from '../../server/janus-admin.js';
import { brokerOptions } from './broker-options.js';
import { RawJanus, RawSession } from './janus-raw.js';
import { keyed } from './keys.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** A live (not zombie) process with this pid. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Live processes with `dir` in their command line: a Janus of that config folder, or its wrapper. */
function processesUsing(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').some((arg) => arg.includes(dir)) && alive(Number(entry))) pids.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return pids;
}

/** Janus answers an `info` request on this URL. */
async function answers(url: string): Promise<boolean> {
  try {
    const conn = await RawJanus.open(url);
    try {
      return (await conn.request({ janus: 'info' }, 1000)).janus === 'server_info';
    } finally {
      conn.close();
    }
  } catch {
    return false;
  }
}

async function admin(url: string, body: Record<string, unknown>) {
  const conn = await RawJanus.open(url, 'janus-admin-protocol');
  try {
    return await conn.request(body);
  } finally {
    conn.close();
  }
}

describe('npm start supervises Janus', () => {
  test('a SIGKILLed Janus is back on the same URL with the same secrets, the broker gets its rooms back, and no folder is left', async () => {
    const events: SupervisorEvent[] = [];
    const sup: SupervisedJanus = await superviseJanus({ reclaimTimeoutS: 1, onEvent: (e) => events.push(e) });
    let broker: Broker | undefined;
    let tokens: JanusAdmin | undefined;
    const pids: number[] = [];
    const dirs: string[] = [];
    try {
      // The broker reads only the URLs, the admin secret and the admin key.
      broker = await startBroker(await brokerOptions(sup as unknown as RunningJanus));
      const res = await fetch(`${broker.url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(await keyed({})) });
      assert.equal(res.status, 201);
      const room = v.parse(ConversationGrant, await res.json()).descriptor.textRoom.room;
      // A client holds a socket open at the moment of the crash, as in a chat.
      const client = await RawJanus.open(sup.url);

      const [pid1, dir1] = [sup.pid!, sup.configDir!];
      pids.push(pid1);
      dirs.push(dir1);
      assert.ok(alive(pid1), 'the supervisor exposes the pid of the running Janus');
      assert.ok(existsSync(dir1));
      const killedAt = Date.now();
      process.kill(pid1, 'SIGKILL');

      await until(() => sup.up && sup.restarts === 1, 5000, 'Janus to be restarted');
      assert.ok(await answers(sup.url), 'the new Janus answers on the same URL');
      const backMs = Date.now() - killedAt;
      assert.ok(backMs < 5000, `Janus back after ${backMs} ms`);
      const [pid2, dir2] = [sup.pid!, sup.configDir!];
      pids.push(pid2);
      dirs.push(dir2);
      assert.notEqual(pid2, pid1);
      assert.notEqual(dir2, dir1, 'each Janus gets its own config folder');
      assert.ok(!alive(pid1));
      assert.ok(!existsSync(dir1), 'the killed Janus left its config folder (with the admin secret) behind');

      const exit = events.find((e) => e.type === 'exit');
      assert.ok(exit?.type === 'exit' && exit.signal === 'SIGKILL' && exit.pid === pid1 && exit.restartInMs === 250, JSON.stringify(exit));
      assert.ok(events.some((e) => e.type === 'restarted' && e.pid === pid2 && e.restarts === 1));
      client.close();

      // The same admin secret opens the new Janus's Admin API (and a wrong one does not).
      assert.equal((await admin(sup.adminUrl, { janus: 'list_tokens', admin_secret: sup.adminSecret })).janus, 'success');
      assert.equal((await admin(sup.adminUrl, { janus: 'list_tokens', admin_secret: 'not-the-secret' })).janus, 'error');

      // The broker reconnected (its token re-added through the Admin API) and recreated the
      // conversation's TextRoom, which takes the same admin_key.
      await until(async () => (await fetch(`${broker!.url}/api/health`)).status === 200, 10_000, 'the broker to reconnect');
      tokens = new JanusAdmin({ url: sup.adminUrl, secret: sup.adminSecret, log: () => {} });
      const probe = `probe-${randomBytes(6).toString('hex')}`;
      await tokens.addToken(probe);
      const session = await RawSession.create(sup.url, probe);
      try {
        const handle = await session.attach('janus.plugin.textroom');
        await until(async () => (await session.message(handle, { request: 'exists', room })).exists === true, 5000, 'the TextRoom to be recreated');
      } finally {
        session.close();
      }
      console.log(`Janus answered again ${backMs} ms after SIGKILL`);
    } finally {
      await tokens?.close();
      await broker?.close();
      await sup.stop();
    }
    assert.equal(sup.pid, undefined);
    for (const pid of pids) assert.ok(!alive(pid), `janus ${pid} still runs after stop()`);
    for (const dir of dirs) {
      assert.ok(!existsSync(dir), `${dir} left behind after stop()`);
      assert.deepEqual(processesUsing(dir), []);
    }
    await sup.done;
  });

  test('SIGKILL of the Node process that supervises: its Janus stops and its config folder is removed', async () => {
    const script = `
      import { superviseJanus } from ${JSON.stringify(new URL('../../scripts/janus.mjs', import.meta.url).href)};
      const j = await superviseJanus();
      console.log(JSON.stringify({ pid: j.pid, dir: j.configDir, url: j.url }));
      setInterval(() => {}, 60_000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let info: { pid: number; dir: string; url: string };
    try {
      info = await new Promise((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (b: Buffer) => {
          out += String(b);
          const nl = out.indexOf('\n');
          if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as typeof info);
        });
        child.once('exit', (code) => reject(new Error(`supervisor script exited with ${code}`)));
      });
      assert.ok(alive(info.pid) && existsSync(info.dir) && (await answers(info.url)));
    } finally {
      child.kill('SIGKILL');
    }
    const killedAt = Date.now();
    await until(() => !alive(info.pid) && !existsSync(info.dir) && processesUsing(info.dir).length === 0, 10_000, 'Janus and its folder to go');
    console.log(`Janus and its config folder gone ${Date.now() - killedAt} ms after the supervisor's SIGKILL`);
    assert.ok(!(await answers(info.url)));
  });

  test('gives up after failed starts in a row, backing off between them', async () => {
    const events: SupervisorEvent[] = [];
    const dirs: string[] = [];
    // Someone takes Janus's port as soon as it is down: every restart fails (Janus exits with 1).
    const squatter = createServer();
    const squatted = new Promise<void>((resolve, reject) => {
      squatter.once('error', reject);
      squatter.once('listening', resolve);
    });
    let sup: SupervisedJanus | undefined;
    try {
      sup = await superviseJanus({
        backoff: { initialMs: 100 },
        maxStartFailures: 3,
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'exit') squatter.listen(sup!.port, '127.0.0.1');
        },
      });
      dirs.push(sup.configDir!);
      const watch = setInterval(() => sup?.configDir && dirs.push(sup.configDir), 20);
      process.kill(sup.pid!, 'SIGKILL');
      await squatted;
      await assert.rejects(sup.done, /could not be started 3 times in a row; giving up[\s\S]*janus exited with code 1/);
      clearInterval(watch);
      assert.deepEqual(
        events.map((e) => [e.type, 'restartInMs' in e ? e.restartInMs : undefined]),
        [['exit', 100], ['start-failed', 200], ['start-failed', 400], ['gave-up', undefined]],
      );
      assert.equal(sup.pid, undefined);
    } finally {
      squatter.close();
      await sup?.stop();
    }
    assert.ok(dirs.length > 1);
    for (const dir of new Set(dirs)) assert.ok(!existsSync(dir), `${dir} left behind`);
  });
});
