import type { TextRoomHandle } from 'janode/plugins/textroom';
import type { Archive } from './archive.js';
import type { IceServer } from './conversations.js';
import type { Db } from './db.js';
import { TEXTROOM_HISTORY, withTimeout } from './janus-rooms.js';
import type { Logger } from './log.js';
import { randomToken } from './secrets.js';
import type { Conversation } from './store.js';
import { TextRoomPeer } from './textroom-peer.js';

/**
 * Nothing lost while the broker was down. Janus POSTs each message once and
 * drops what it cannot deliver, so after the broker starts, and after it
 * reconnects to a Janus that may have restarted, it reads every open
 * conversation's TextRoom history itself: it joins the room as a service
 * participant over a data channel (werift), with `history: true` (the room
 * keeps its last 200 messages), hands every replayed message to the archive
 * (which verifies it and skips what it already has), and leaves.
 *
 * Its username is `~archive-<random>`: usernames starting with `~` belong to
 * the service, and clients neither show them as present nor take them for the
 * other side (src/chat/participant-id.ts, isServiceUsername). It joins with the
 * broker's own token, which every TextRoom has on its allowed list (added on
 * create, and by `allowed add` with the room secret for older rooms).
 *
 * While a conversation waits for its back-fill, the archive holds the POSTs
 * that arrive meanwhile (at most 30 s), so the record keeps the room's order.
 */

/** Usernames of the archive's back-fill in the rooms. */
export const ARCHIVE_USERNAME_PREFIX = '~archive-';

export interface BackfillRooms {
  attachTextRoom(): Promise<TextRoomHandle>;
  allow(kind: 'text', room: string, secret: string, tokens: string[]): Promise<void>;
}

/** The Janus of a conversation's rooms (a pool: each conversation has its own); undefined when the broker cannot reach it. */
export type BackfillRoomsOf = (c: Conversation) => BackfillRooms | undefined;

export interface BackfillOptions {
  /** The one Janus, or the Janus of each conversation. */
  rooms: BackfillRooms | BackfillRoomsOf;
  archive: Archive;
  db: Db;
  /** Conversations whose rooms to read (the open ones). */
  conversations: () => Promise<Conversation[]>;
  /** The broker's token on every TextRoom's allowed list. */
  token: string;
  iceServers?: IceServer[];
  /** Rooms read at once. Default 4. */
  concurrency?: number;
  /** One room's limit (data channel, join, history, leave). Default 20 s. */
  roomTimeoutMs?: number;
  /** How long live POSTs of a conversation wait for its back-fill. Default 30 s. */
  holdMs?: number;
  log: Logger;
}

export interface BackfillReport {
  rooms: number;
  /** Rooms whose history could not be read (logged). */
  failed: number;
  /** Messages the rooms replayed (including those already archived). */
  replayed: number;
  /** Of those, newly stored. */
  stored: number;
  ms: number;
}

export class Backfill {
  private running?: Promise<BackfillReport>;
  private again?: { reason: string; promise: Promise<BackfillReport> };
  private closed = false;
  private readonly peers = new Set<TextRoomPeer>();

  constructor(private readonly opts: BackfillOptions) {}

  /**
   * Reads every open room's history. `first` runs once the conversations'
   * live POSTs are held and before any room is read (the broker puts the rooms
   * back on Janus there). A call during a run queues one more run after it
   * (several calls share it).
   */
  run(reason: string, first?: () => Promise<void>): Promise<BackfillReport> {
    if (!this.running) {
      this.running = this.runOnce(reason, first).finally(() => (this.running = undefined));
      return this.running;
    }
    this.again ??= {
      reason,
      promise: this.running.catch(() => undefined).then(() => {
        this.again = undefined;
        return this.run(reason, first);
      }),
    };
    return this.again.promise;
  }

  /**
   * Reads the rooms of these conversations now, whatever else runs (a Janus
   * came back; a broker took over their archive from one that is gone).
   * `first` as for run(): after their POSTs are held, before any room is read.
   */
  runFor(list: Conversation[], reason: string, first?: () => Promise<void>): Promise<BackfillReport> {
    return this.runOnce(reason, first, list);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.peers].map((p) => p.close()));
    await this.running?.catch(() => {});
  }

  private async runOnce(reason: string, first?: () => Promise<void>, only?: Conversation[]): Promise<BackfillReport> {
    const started = Date.now();
    const report: BackfillReport = { rooms: 0, failed: 0, replayed: 0, stored: 0, ms: 0 };
    if (this.closed) return report;
    const list = only ?? (await this.opts.conversations());
    report.rooms = list.length;
    const done = new Map<string, () => void>();
    for (const c of list) {
      this.opts.archive.hold(c.id, new Promise<void>((r) => done.set(c.id, r)), this.opts.holdMs ?? 30_000);
    }
    try {
      await first?.();
    } catch (e) {
      for (const release of done.values()) release();
      throw e;
    }
    if (list.length === 0) return report;
    const storedBefore = this.opts.archive.stats.stored;
    const concurrency = Math.max(1, this.opts.concurrency ?? 4);
    this.opts.log('info', `back-fill (${reason}): reading the history of ${list.length} open conversation(s), ${concurrency} at a time`);
    let next = 0;
    let finished = 0;
    const step = Math.max(10, Math.ceil(list.length / 10));
    const worker = async () => {
      while (next < list.length && !this.closed) {
        const c = list[next++];
        try {
          // Not `report.replayed += await …`: that reads the sum before the await and loses the other workers' counts.
          const replayed = await this.readRoom(c);
          report.replayed += replayed;
        } catch (e) {
          if (this.closed) continue;
          if (await this.closedMeanwhile(c.id)) {
            this.opts.log('info', `back-fill: conversation ${c.id} closed meanwhile, its room is gone`);
            continue;
          }
          report.failed++;
          this.opts.log('warn', `back-fill: conversation ${c.id}: could not read its room's history (${e instanceof Error ? e.message : String(e)})`);
        } finally {
          done.get(c.id)?.();
          finished++;
          if (finished % step === 0 && finished < list.length) this.opts.log('info', `back-fill: ${finished}/${list.length} rooms read, ${report.replayed} messages replayed`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, worker));
    for (const release of done.values()) release();
    await this.opts.archive.drained();
    report.stored = this.opts.archive.stats.stored - storedBefore;
    report.ms = Date.now() - started;
    this.opts.log(
      report.failed > 0 ? 'warn' : 'info',
      `back-fill (${reason}) done in ${report.ms} ms: ${report.rooms} room(s), ${report.replayed} message(s) replayed, ${report.stored} new in the archive${report.failed ? `, ${report.failed} room(s) failed` : ''}`,
    );
    return report;
  }

  /** Joins one room as `~archive-…` with history, hands the history to the archive, leaves. Returns how many messages it replayed. */
  private async readRoom(c: Conversation): Promise<number> {
    const { token } = this.opts;
    const rooms = typeof this.opts.rooms === 'function' ? this.opts.rooms(c) : this.opts.rooms;
    if (!rooms) throw new Error(`its Janus (${c.gateway}) is not reachable`);
    // A room created before the archive existed does not know the broker's token yet.
    await rooms.allow('text', c.textRoom.room, c.textRoom.secret, [token]);
    const handle = await rooms.attachTextRoom();
    let peer: TextRoomPeer | undefined;
    let abandoned = false;
    const work = (async () => {
      const opened = await TextRoomPeer.open(handle, { iceServers: this.opts.iceServers });
      if (abandoned || this.closed) {
        await opened.close();
        throw new Error('abandoned');
      }
      peer = opened;
      this.peers.add(peer);
      const { history } = await peer.join({
        room: c.textRoom.room,
        pin: c.textRoom.pin,
        token,
        username: `${ARCHIVE_USERNAME_PREFIX}${randomToken(6)}`,
        display: 'Archive',
        history: true,
      });
      await peer.leave(c.textRoom.room).catch(() => {});
      const broadcasts = history.filter((m) => !m.whisper);
      if (broadcasts.length >= TEXTROOM_HISTORY) await this.warnIfGap(c.id, broadcasts[0].text);
      for (const m of broadcasts) this.opts.archive.enqueueFromHistory(c.id, m.from, m.text);
      return broadcasts.length;
    })();
    try {
      return await withTimeout(work, this.opts.roomTimeoutMs ?? 20_000, () => new Error(`no history within ${this.opts.roomTimeoutMs ?? 20_000} ms`));
    } finally {
      abandoned = true;
      work.catch(() => {});
      if (peer) {
        this.peers.delete(peer);
        await peer.close();
      } else {
        // The peer never opened (or is still opening): the handle goes, and Janus drops its half.
        await handle.detach().catch(() => {});
      }
    }
  }

  private async closedMeanwhile(conversationId: string): Promise<boolean> {
    try {
      const [row] = await this.opts.db.query<{ state: string }>('select state from conversation where id = $1', [conversationId]);
      return !row || row.state === 'closed';
    } catch {
      return false;
    }
  }

  /** The room's history is full and its oldest message is not archived: older ones may have been lost with the POSTs. */
  private async warnIfGap(conversationId: string, oldestText: string): Promise<void> {
    let id: unknown;
    try {
      id = (JSON.parse(oldestText) as { id?: unknown }).id;
    } catch {
      return;
    }
    if (typeof id !== 'string') return;
    const [known] = await this.opts.db.query('select 1 from transcript where conversation_id = $1 and message_id = $2', [conversationId, id]);
    if (!known) {
      this.opts.log('warn', `back-fill: conversation ${conversationId}: the room's history is full (${TEXTROOM_HISTORY}) and starts after the archive's last message: messages sent before it while the broker was down are lost`);
    }
  }
}
