export interface Stack {
  janus: { url: string; port: number; adminKey: string; stop(): Promise<void> };
  broker: { url: string; close(): Promise<void> };
  proxy: { url: string; drop(holdMs?: number): number };
  env: { gateway: string; gatewayProxy: string; broker: string };
  stop(): Promise<void>;
}
export function startStack(opts?: { staticRoot?: string }): Promise<Stack>;
