/** What Janus itself holds (sessions and plugin handles), through its Admin API. */
export function countJanusHandles(adminUrl: string, adminSecret: string): Promise<{ sessions: number; handles: number }>;
/** The ids of the plugin handles Janus holds (and how many sessions), through its Admin API. */
export function janusHandleIds(adminUrl: string, adminSecret: string): Promise<{ sessions: number; ids: Set<number> }>;
