import type { RunningJanus } from '../../scripts/janus.mjs';
import type { RunningPostgres } from '../helpers/postgres.mjs';
import type { Watched } from './load-proc.js';

export interface CallsBenchOptions {
  work: string;
  janus: RunningJanus;
  pg: RunningPostgres;
  calls: number[];
  durationMs: number;
  agentToken(i: number): string;
  agentSecret: string;
  startBroker(name: string, config: Record<string, unknown>): Promise<{ url: string; watched: Watched; stop(): Promise<void> }>;
}

export async function callsBench(_opts: CallsBenchOptions): Promise<string[]> {
  return [];
}
