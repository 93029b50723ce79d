// What every broker test passes to startBroker: the test Janus, its Admin API, a free
// port, and no token buckets in the way (the rate limits have their own tests).
import type { RunningJanus } from '../../scripts/janus.mjs';
import type { BrokerOptions } from '../../server/broker.js';

export function brokerOptions(janus: RunningJanus, extra: Partial<BrokerOptions> = {}): BrokerOptions {
  return {
    janusUrl: janus.url,
    janusAdminKey: janus.adminKey,
    janusAdmin: { url: janus.adminUrl, secret: janus.adminSecret },
    rateLimits: { create: false, post: false, login: false },
    port: 0,
    ...extra,
  };
}
