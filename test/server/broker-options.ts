// What every broker test passes to startBroker: the test Janus, its Admin API, a
// database of its own on the test PostgreSQL server, a free port, and no token
// buckets in the way (the rate limits have their own tests).
import type { RunningJanus } from '../../scripts/janus.mjs';
import type { BrokerOptions } from '../../server/broker.js';
import { testDatabaseUrl } from './test-db.js';

export async function brokerOptions(janus: RunningJanus, extra: Partial<BrokerOptions> = {}): Promise<BrokerOptions> {
  return {
    janusUrl: janus.url,
    janusAdminKey: janus.adminKey,
    janusAdmin: { url: janus.adminUrl, secret: janus.adminSecret },
    rateLimits: { create: false, post: false, login: false },
    port: 0,
    database: { url: await testDatabaseUrl() },
    ...extra,
  };
}
