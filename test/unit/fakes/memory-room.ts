// An in-memory TextRoom: what ChatSession needs of a room (src/chat/room.ts),
// without Janus. Texts are relayed to every other joined connection (or the
// whispered ones), in order, asynchronously like a network; the room keeps a
// history of non-whispered texts and replays it on join; tests can cut a
// connection ('down'), close the room, or drop texts on their way.
import type { RoomChannel, RoomEvents, RoomJoin, RoomParticipant, RoomTransport } from '../../../src/chat/index.js';
import { TypedEventTarget } from '../../../src/util/typed-event-target.js';

interface Joined {
  channel: MemoryChannel;
  username: string;
  display: string;
}

export class MemoryRoom {
  private readonly joined = new Map<string, Joined>();
  /** Non-whispered texts, as a rejoiner gets them. */
  readonly history: Array<{ from: string; text: string }> = [];
  /** Every text relayed, for assertions. */
  readonly relayed: Array<{ from: string; text: string; to?: string[] }> = [];
  /** Return true to lose a text on its way (it still counts as relayed for the sender). */
  drop?: (text: string, from: string) => boolean;
  private sessionListeners = new Set<() => void>();

  /** A participant's view of the room: its transport. */
  transport(): RoomTransport {
    return {
      connected: true,
      onSessionReplaced: (listener) => {
        this.sessionListeners.add(listener);
        return () => this.sessionListeners.delete(listener);
      },
      channel: (join) => new MemoryChannel(this, join),
    };
  }

  /** Connection names in the room now. */
  get usernames(): string[] {
    return [...this.joined.keys()];
  }

  /** Cuts every connection whose name starts with `prefix` (a dropped network): each gets 'down'. */
  cut(prefix: string): void {
    for (const j of [...this.joined.values()]) if (j.username.startsWith(prefix)) j.channel.fail('connection cut');
  }

  /** The room is destroyed: every connection gets 'closed'. */
  destroy(): void {
    for (const j of [...this.joined.values()]) j.channel.close('conversation closed');
  }

  /** @internal */
  join(channel: MemoryChannel, join: RoomJoin): RoomParticipant[] {
    if (this.joined.has(join.username)) throw new Error('username taken');
    const others = [...this.joined.values()].map((j) => ({ username: j.username, display: j.display }));
    this.joined.set(join.username, { channel, username: join.username, display: join.display });
    for (const j of this.joined.values()) if (j.username !== join.username) later(() => j.channel.deliver('join', { username: join.username, display: join.display }));
    return others;
  }

  /** @internal */
  replayTo(channel: MemoryChannel): void {
    for (const m of this.history) channel.deliver('message', { from: m.from, text: m.text, whisper: false });
  }

  /** @internal */
  leave(username: string): void {
    if (!this.joined.delete(username)) return;
    for (const j of this.joined.values()) later(() => j.channel.deliver('leave', { username }));
  }

  /** @internal */
  relay(from: string, text: string, to?: string[]): void {
    this.relayed.push(to ? { from, text, to } : { from, text });
    if (!to) this.history.push({ from, text });
    if (this.drop?.(text, from)) return;
    for (const j of this.joined.values()) {
      if (j.username === from || (to && !to.includes(j.username))) continue;
      later(() => j.channel.deliver('message', { from, text, whisper: to !== undefined }));
    }
  }
}

function later(fn: () => void): void {
  setTimeout(fn, 0);
}

class MemoryChannel extends TypedEventTarget<RoomEvents> implements RoomChannel {
  private joinedAs?: string;
  private disposed = false;

  constructor(private readonly room: MemoryRoom, private readonly params: RoomJoin) {
    super();
  }

  get isReady(): boolean {
    return this.joinedAs !== undefined;
  }

  async open(): Promise<void> {
    if (this.disposed) throw new Error('channel disposed');
    await new Promise((r) => setTimeout(r, 0));
    const participants = this.room.join(this, this.params);
    this.joinedAs = this.params.username;
    this.emit('ready', { participants });
    this.room.replayTo(this);
  }

  async send(text: string, opts: { to?: string[] } = {}): Promise<void> {
    if (!this.joinedAs) throw new Error('not joined');
    this.room.relay(this.joinedAs, text, opts.to);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.joinedAs) this.room.leave(this.joinedAs);
    this.joinedAs = undefined;
  }

  /** @internal */
  deliver<K extends keyof RoomEvents & string>(type: K, detail: RoomEvents[K]): void {
    if (this.joinedAs) this.emit(type, detail);
  }

  /** @internal */
  fail(reason: string): void {
    if (!this.joinedAs) return;
    this.room.leave(this.joinedAs);
    this.joinedAs = undefined;
    this.emit('down', { reason });
  }

  /** @internal */
  close(reason: string): void {
    this.disposed = true;
    if (this.joinedAs) this.room.leave(this.joinedAs);
    this.joinedAs = undefined;
    this.emit('closed', { reason });
  }
}
