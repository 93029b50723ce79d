import type { ChildProcess } from 'node:child_process';

export interface RunningJanus {
  url: string;
  adminUrl: string;
  port: number;
  adminPort: number;
  adminSecret: string;
  adminKey: string;
  process: ChildProcess;
  stop(): Promise<void>;
  logTail(): string[];
}

export function freePort(): Promise<number>;
export function startJanus(opts?: {
  port?: number;
  adminPort?: number;
  debugLevel?: number;
  reclaimTimeoutS?: number;
  log?: (line: string) => void;
}): Promise<RunningJanus>;
