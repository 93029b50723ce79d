export interface Stack {
  janus: { url: string; port: number; adminUrl: string; adminSecret: string; adminKey: string; stop(): Promise<void> };
  broker: { url: string; close(): Promise<void> };
  proxy: { url: string; drop(holdMs?: number): number };
  /** What browser tests get from the `vc-env` server command. No Janus secret is in here. */
  env: { gateway: string; gatewayProxy: string; broker: string; agent: { username: string; password: string } };
  stop(): Promise<void>;
}
/** `broker`: further options of startBroker (server/broker.ts), e.g. `{ offlineWithoutAgents: true }` or `{ openingHours }`. */
export function startStack(opts?: { staticRoot?: string; broker?: Record<string, unknown> }): Promise<Stack>;
