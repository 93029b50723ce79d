import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/**
 * The broker's database: PostgreSQL, either embedded (PGlite: Postgres
 * compiled to WebAssembly, data in a folder, nothing to install) or a real
 * server (`DATABASE_URL`, the `pg` driver). The same SQL and the same
 * migrations run on both; nothing here knows which one it is talking to
 * beyond this file.
 */

export interface Queryable {
  /** Runs one statement with `$1…` parameters; returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Where the data lives, for logs (never includes a password). */
  readonly description: string;
  /** Runs several statements (no parameters): migrations. */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction; rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable & { exec(sql: string): Promise<void> }) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * LISTEN on `channel`: `onNotify` gets each payload, in commit order.
   * `onResync` runs whenever notifications may have been missed (the listening
   * connection was lost and is back): the caller reads what it missed from
   * the tables. PostgreSQL: one dedicated connection, reconnected with
   * backoff; PGlite: its own listen(), same SQL (NOTIFY) on the other side.
   * Resolves once listening; the function it returns stops.
   */
  listen(channel: string, onNotify: (payload: string) => void, onResync?: () => void): Promise<() => Promise<void>>;
  /** Embedded only: the whole data folder as a tarball (tests start each broker from a migrated one). */
  dump?(): Promise<Blob>;
}

export type DatabaseOptions =
  /** A PostgreSQL server: postgres://user:password@host:port/database */
  | { url: string }
  /** Embedded PostgreSQL (PGlite) keeping its data in this folder. */
  | { dataDir: string }
  /** Embedded, in memory only (tests); `from` starts from a data dump (PGlite's dumpDataDir). */
  | { memory: true; from?: Blob | File };

// int8 (counts, epoch milliseconds) as numbers, like PGlite returns them: every value we keep fits in 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

export async function openDb(options: DatabaseOptions): Promise<Db> {
  if ('url' in options) return openPostgres(options.url);
  if ('dataDir' in options) {
    mkdirSync(options.dataDir, { recursive: true });
    return openPglite(new PGlite(options.dataDir), `embedded PostgreSQL (PGlite) in ${options.dataDir}`);
  }
  return openPglite(new PGlite(options.from ? { loadDataDir: options.from } : {}), 'embedded PostgreSQL (PGlite) in memory');
}

async function openPglite(db: PGlite, description: string): Promise<Db> {
  await db.waitReady;
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>) => ({
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      return (await q.query<T>(sql, params as unknown[])).rows;
    },
    async exec(sql: string): Promise<void> {
      await q.exec(sql);
    },
  });
  const base = wrap(db);
  return {
    kind: 'pglite',
    description,
    ...base,
    // PGlite is one connection: a transaction holds it, other queries wait for it.
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
    dump: () => db.dumpDataDir('none'),
    // One process owns a PGlite database: its notifications cannot be missed, so there is no resync.
    async listen(channel, onNotify) {
      const stop = await db.listen(channel, onNotify);
      return async () => {
        if (!db.closed) await stop();
      };
    },
  };
}

async function openPostgres(url: string): Promise<Db> {
  let where: string;
  try {
    const u = new URL(url);
    where = `PostgreSQL at ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    throw new Error('DATABASE_URL is not a URL (postgres://user:password@host:port/database)');
  }
  // allowExitOnIdle: idle connections alone never keep a process alive (tests, scripts).
  const pool = new pg.Pool({ connectionString: url, max: 10, allowExitOnIdle: true });
  // An idle client that loses its server must not take the process down.
  pool.on('error', () => {});
  try {
    await pool.query('select 1');
  } catch (e) {
    await pool.end().catch(() => {});
    throw new Error(`cannot reach ${where}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const wrap = (q: pg.Pool | pg.PoolClient) => ({
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      return (await q.query(sql, params as unknown[])).rows as T[];
    },
    async exec(sql: string): Promise<void> {
      await q.query(sql);
    },
  });
  return {
    kind: 'postgres',
    description: where,
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn(wrap(client));
        await client.query('commit');
        return result;
      } catch (e) {
        await client.query('rollback').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
    listen: (channel, onNotify, onResync) => listenPostgres(url, channel, onNotify, onResync),
  };
}

/** A connection of its own that LISTENs, and comes back after a drop (then onResync: notifications sent meanwhile are lost). */
async function listenPostgres(url: string, channel: string, onNotify: (payload: string) => void, onResync?: () => void): Promise<() => Promise<void>> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delay = 250;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on('error', () => {});
    c.on('notification', (n) => {
      if (n.channel === channel && n.payload !== undefined) onNotify(n.payload);
    });
    await c.connect();
    await c.query(`listen ${channel}`);
    if (stopped) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    delay = 250;
    c.once('end', () => {
      if (client === c) client = undefined;
      if (!stopped) again();
    });
  };
  const again = () => {
    clearTimeout(retry);
    retry = setTimeout(() => {
      connect().then(
        () => onResync?.(),
        () => {
          delay = Math.min(delay * 2, 5000);
          again();
        },
      );
    }, delay);
    retry.unref();
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const c = client;
    client = undefined;
    await c?.end().catch(() => {});
  };
}
