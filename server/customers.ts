import type { CustomerRecord } from '../src/protocol/index.js';

/**
 * The broker's built-in customer lookup (GET /api/customers?q=…), for the demo
 * and for integrators without a CRM of their own. A real CRM answers the
 * pane's `vc-customer-search` request itself instead.
 */

/** Made-up customers of the demo shop. */
export const DEMO_CUSTOMERS: readonly CustomerRecord[] = [
  { id: 'cus-1001', name: 'Casey Morgan', email: 'casey.morgan@example.com', phone: '+1 555 0101' },
  { id: 'cus-1002', name: 'Jordan Lee', email: 'jordan.lee@example.com', phone: '+1 555 0102' },
  { id: 'cus-1003', name: 'Priya Natarajan', email: 'priya.n@example.org', phone: '+44 20 7946 0103' },
  { id: 'cus-1004', name: 'Mateo García', email: 'mateo.garcia@example.es' },
  { id: 'cus-1005', name: 'Anna Schmidt', email: 'anna.schmidt@example.de', phone: '+49 30 901820' },
  { id: 'cus-1006', name: 'Kenji Watanabe', email: 'kenji.w@example.jp' },
  { id: 'cus-1007', name: 'Fatima Zahra', email: 'fatima.zahra@example.com', phone: '+1 555 0107' },
  { id: 'cus-1008', name: 'Oliver Brown', email: 'oliver.brown@example.co.uk' },
];

export const MAX_SEARCH_RESULTS = 20;

const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

export class CustomerDirectory {
  constructor(private readonly records: readonly CustomerRecord[] = DEMO_CUSTOMERS) {}

  /** Case- and accent-insensitive substring match on name, email, phone and id; every word must match. */
  search(query: string): CustomerRecord[] {
    const words = fold(query).split(/\s+/).filter(Boolean);
    const hits = this.records.filter((r) => {
      const hay = fold([r.name, r.email ?? '', r.phone ?? '', r.id].join(' '));
      return words.every((w) => hay.includes(w));
    });
    return hits.slice(0, MAX_SEARCH_RESULTS).map((r) => ({ ...r }));
  }
}
