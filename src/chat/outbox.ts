/** Messages waiting for the other side's ack, in the order they were written. */
export interface OutboxEntry {
  id: string;
  /** The signed wire text; undefined while it is being signed. */
  wire?: string;
  /** When it was last handed to the channel (0 = never). */
  sentAt: number;
  relayed: boolean;
}

export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();

  add(id: string, wire?: string): OutboxEntry {
    const entry: OutboxEntry = { id, wire, sentAt: 0, relayed: false };
    this.entries.set(id, entry);
    return entry;
  }

  get(id: string): OutboxEntry | undefined {
    return this.entries.get(id);
  }

  /** Removes acked ids; returns those that were still waiting. */
  ack(ids: readonly string[]): string[] {
    const done: string[] = [];
    for (const id of ids) if (this.entries.delete(id)) done.push(id);
    return done;
  }

  /** Entries in write order; Map preserves insertion order. */
  pending(): OutboxEntry[] {
    return [...this.entries.values()];
  }

  /** Entries sent more than `olderThanMs` ago, or never sent. */
  due(now: number, olderThanMs: number): OutboxEntry[] {
    return this.pending().filter((e) => e.wire !== undefined && (e.sentAt === 0 || now - e.sentAt >= olderThanMs));
  }

  get size(): number {
    return this.entries.size;
  }
}
