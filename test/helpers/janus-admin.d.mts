/** What Janus itself holds (sessions and plugin handles), through its Admin API. */
export function countJanusHandles(adminUrl: string, adminSecret: string): Promise<{ sessions: number; handles: number }>;
