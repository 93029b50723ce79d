import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

/**
 * Versioned migrations: `server/migrations/NNN_name.sql`, applied in order at
 * startup, each once, recorded in `schema_migration`. Written here rather
 * than taken from node-pg-migrate because that tool drives the `pg` driver
 * only, and the same files must run on PGlite too; all it takes is this.
 */

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const out: Migration[] = [];
  for (const file of readdirSync(dir)) {
    const m = /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!m) continue;
    out.push({ version: Number(m[1]), name: m[2], sql: readFileSync(join(dir, file), 'utf8') });
  }
  out.sort((a, b) => a.version - b.version);
  out.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 001, 002, … without gaps; found ${String(m.version).padStart(3, '0')}_${m.name}.sql at position ${i + 1}`);
  });
  return out;
}

/** The database holds a schema from a newer broker than this one. */
export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
}

/** Any number, as long as every broker uses the same: it serializes brokers migrating at once. */
const MIGRATION_LOCK = 7_345_011;

/** Brings the schema up to date; refuses a database whose schema is newer than what this broker knows. Returns the version. */
export async function migrate(db: Db, migrations = loadMigrations()): Promise<{ from: number; to: number }> {
  const latest = migrations.length;
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec('create table if not exists schema_migration (version integer primary key, name text not null, applied_at bigint not null)');
    const [{ version }] = await tx.query<{ version: number | null }>('select max(version) as version from schema_migration');
    const current = version ?? 0;
    if (current > latest) {
      throw new SchemaTooNewError(
        `the database schema is version ${current}, newer than this broker knows (${latest}): a newer broker has used it; run that version, or restore a backup`,
      );
    }
    for (const m of migrations.slice(current)) {
      await tx.exec(m.sql);
      await tx.query('insert into schema_migration (version, name, applied_at) values ($1, $2, $3)', [m.version, m.name, Date.now()]);
    }
    return { from: current, to: latest };
  });
}
