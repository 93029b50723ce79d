import type { Db } from './db.js';

/**
 * Secrets the broker makes for itself the first time it runs against a
 * database (its certificate authority key, the agent token secret, its own
 * Janus token, the archive callback secret) and finds again on every later
 * start, so a restart keeps descriptors, tokens and sign-ins valid. Several
 * brokers on one database agree on them: the first insert wins.
 */
export async function brokerSecret(db: Db, name: string, make: () => string | Promise<string>): Promise<string> {
  const [known] = await db.query<{ value: string }>('select value from broker_secret where name = $1', [name]);
  if (known) return known.value;
  const fresh = await make();
  await db.query('insert into broker_secret (name, value, created_at) values ($1, $2, $3) on conflict (name) do nothing', [name, fresh, Date.now()]);
  const [row] = await db.query<{ value: string }>('select value from broker_secret where name = $1', [name]);
  return row.value;
}
