import type { ChildProcess } from 'node:child_process';

export interface JanusOptions {
  port?: number;
  adminPort?: number;
  debugLevel?: number;
  reclaimTimeoutS?: number;
  /** UDP ports for media and data channels, e.g. "20000-40000" (one per PeerConnection). Default: a window of 100 per run. */
  rtpPortRange?: string;
  /** IPv4 address the WebSocket API listens on (default JANUS_BIND_IP or 127.0.0.1); `url` uses it. The Admin API stays on loopback. */
  bindIp?: string;
  /** Interfaces or address prefixes Janus gathers ICE candidates on (default JANUS_ICE_ENFORCE or every IPv4 one). */
  iceEnforce?: string;
  /** Every line Janus prints. */
  log?: (line: string) => void;
}

export interface RunningJanus {
  url: string;
  adminUrl: string;
  port: number;
  adminPort: number;
  adminSecret: string;
  adminKey: string;
  /** The shell wrapper around Janus (it exits when Janus has exited and its config folder is removed). */
  process: ChildProcess;
  /** Janus's own pid. */
  readonly pid: number | undefined;
  /** The temporary config folder (removed when Janus exits). */
  configDir: string;
  stop(): Promise<void>;
  logTail(): string[];
}

export function freePort(): Promise<number>;
export function startJanus(opts?: JanusOptions): Promise<RunningJanus>;

export interface SuperviseJanusOptions extends JanusOptions {
  /** What the supervisor does: exits, restarts, failed starts (see describeSupervisorEvent). */
  onEvent?: (ev: SupervisorEvent) => void;
  backoff?: {
    /** Wait before the first restart after a crash (250 ms). */
    initialMs?: number;
    /** The wait doubles up to this (10 s). */
    maxMs?: number;
    /** A Janus up this long resets the wait to initialMs (30 s). */
    stableMs?: number;
  };
  /** Failed starts in a row before giving up (5). */
  maxStartFailures?: number;
  /** How long a starting Janus has to answer (15 s). */
  startTimeoutMs?: number;
}

export type SupervisorEvent =
  | { type: 'exit'; pid: number | undefined; code: number | null; signal: string | null; uptimeMs: number; restartInMs: number; logTail: string[] }
  | { type: 'start-failed'; error: Error; failures: number; maxStartFailures: number; restartInMs: number }
  | { type: 'restarted'; pid: number | undefined; restarts: number; downMs: number; url: string }
  | { type: 'gave-up'; error: Error; failures: number };

export interface SupervisedJanus {
  /** The same for every Janus the supervisor starts. */
  url: string;
  adminUrl: string;
  port: number;
  adminPort: number;
  adminSecret: string;
  adminKey: string;
  /** Pid of the Janus running (or starting) now; undefined while it waits to restart. */
  readonly pid: number | undefined;
  /** Config folder of the current Janus (a new one per start, removed when that Janus exits). */
  readonly configDir: string | undefined;
  /** Janus answered and has not exited since. */
  readonly up: boolean;
  /** Restarts so far. */
  readonly restarts: number;
  /** Resolves after stop(); rejects when the supervisor gave up. */
  done: Promise<void>;
  /** Stops Janus and the supervision; the config folder is gone when it resolves. */
  stop(): Promise<void>;
  /** Last log lines of the current (or last) Janus. */
  logTail(): string[];
}

export function superviseJanus(opts?: SuperviseJanusOptions): Promise<SupervisedJanus>;
export function describeSupervisorEvent(ev: SupervisorEvent): string;
