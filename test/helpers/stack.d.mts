export interface Stack {
  janus: { url: string; port: number; adminUrl: string; adminSecret: string; adminKey: string; stop(): Promise<void> };
  broker: { url: string; close(): Promise<void> };
  proxy: { url: string; drop(holdMs?: number): number };
  /** What browser tests get from the `vc-env` server command. No Janus secret is in here. */
  env: { gateway: string; gatewayProxy: string; broker: string; agent: { username: string; password: string } };
  stop(): Promise<void>;
}
/** `broker`: further options of startBroker (server/broker.ts), e.g. `{ offlineWithoutAgents: true }` or `{ openingHours }`. */
/**
 * `host`: the address the broker and Janus's WebSocket API listen on and that every URL handed to browsers uses
 * (default 127.0.0.1); `iceEnforce`: the interfaces Janus gathers ICE candidates on (default every IPv4 one).
 */
export function startStack(opts?: { staticRoot?: string; broker?: Record<string, unknown>; host?: string; iceEnforce?: string; reclaimTimeoutS?: number }): Promise<Stack>;
