// Databases for the broker tests. Each test process starts one throwaway
// PostgreSQL server (test/helpers/postgres.mjs: initdb and pg_ctl of the
// Debian package, a free loopback port, removed at exit), and every broker or
// test gets a schema of its own on it (a connection whose search_path is that
// schema sees nothing else): real PostgreSQL, isolated, and cheap, where a
// database per test costs a few hundred milliseconds. The embedded PGlite is
// tested by test/server/store.test.ts (the same suite on both backends) and
// runs under npm start, the browser tests and the e2e tests.
import pg from 'pg';
import { openDb, type Db } from '../../server/db.js';
import { migrate } from '../../server/migrate.js';
import { startPostgres } from '../helpers/postgres.mjs';

/** This test process's PostgreSQL server, started when the first test file imports this. */
export const testPostgres = await startPostgres();

const admin = new pg.Pool({ connectionString: testPostgres.url, max: 2, allowExitOnIdle: true });
admin.on('error', () => {});
let count = 0;

/** The URL of a new, empty "database" (a schema; a broker migrates it on start). */
export async function testDatabaseUrl(): Promise<string> {
  const schema = `t${++count}`;
  await admin.query(`create schema ${schema}`);
  return `${testPostgres.url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/** A new, migrated database, open. */
export async function testDb(): Promise<Db> {
  const db = await openDb({ url: await testDatabaseUrl() });
  await migrate(db);
  return db;
}
