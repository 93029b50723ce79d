import * as v from 'valibot';

/** Version of the wire envelope. Receivers drop anything else. */
export const PROTOCOL_VERSION = 1;

/** Longest chat text accepted from the wire or the composer. */
export const MAX_CHAT_TEXT = 4000;

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(64), v.regex(/^[A-Za-z0-9_.:-]+$/));
const ParticipantId = v.pipe(v.string(), v.minLength(1), v.maxLength(128));

export const ChatMessageBody = v.strictObject({
  text: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CHAT_TEXT)),
  /** Per-sender sequence number: lets the receiver keep the sender's order even after resends. */
  seq: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
export const ChatTypingBody = v.strictObject({ active: v.boolean() });
export const AckBody = v.strictObject({ ids: v.pipe(v.array(Id), v.minLength(1), v.maxLength(500)) });
export const ChatReadBody = v.strictObject({ upTo: Id });

/** Who sends what: `one-way-agent` = agent audio+video, customer audio only; `voice` = audio only both ways. */
export const VideoModeSchema = v.picklist(['two-way', 'one-way-agent', 'one-way-customer', 'voice']);
export type VideoMode = v.InferOutput<typeof VideoModeSchema>;
export const VideoInviteBody = v.strictObject({ mode: VideoModeSchema });
export const VideoAnswerBody = v.strictObject({ inviteId: Id, accept: v.union([VideoModeSchema, v.literal(false)]) });
export const VideoStartBody = v.strictObject({ mode: VideoModeSchema, session: Id });
export const VideoEndBody = v.strictObject({ session: Id });
export const MediaStateBody = v.strictObject({ audio: v.boolean(), video: v.boolean() });
export const PagePushBody = v.strictObject({
  url: v.pipe(v.string(), v.minLength(1), v.maxLength(2048)),
  title: v.optional(v.pipe(v.string(), v.maxLength(200))),
});
export const PageOpenedBody = v.strictObject({ pushId: Id });

const base = {
  v: v.literal(PROTOCOL_VERSION),
  id: Id,
  from: ParticipantId,
  ts: v.pipe(v.number(), v.integer(), v.minValue(0)),
};

/** Every message on a conversation's TextRoom, discriminated by `type`. */
export const WireMessageSchema = v.variant('type', [
  v.strictObject({ ...base, type: v.literal('chat.message'), body: ChatMessageBody }),
  v.strictObject({ ...base, type: v.literal('chat.typing'), body: ChatTypingBody }),
  v.strictObject({ ...base, type: v.literal('chat.read'), body: ChatReadBody }),
  v.strictObject({ ...base, type: v.literal('ack'), body: AckBody }),
  v.strictObject({ ...base, type: v.literal('video.invite'), body: VideoInviteBody }),
  v.strictObject({ ...base, type: v.literal('video.answer'), body: VideoAnswerBody }),
  v.strictObject({ ...base, type: v.literal('video.start'), body: VideoStartBody }),
  v.strictObject({ ...base, type: v.literal('video.end'), body: VideoEndBody }),
  v.strictObject({ ...base, type: v.literal('media.state'), body: MediaStateBody }),
  v.strictObject({ ...base, type: v.literal('page.push'), body: PagePushBody }),
  v.strictObject({ ...base, type: v.literal('page.opened'), body: PageOpenedBody }),
]);

/** Does a participant in `role` send video in `mode`? Everyone sends audio. */
export function sendsVideo(role: 'agent' | 'customer', mode: VideoMode): boolean {
  return mode === 'two-way' || (mode === 'one-way-agent' && role === 'agent') || (mode === 'one-way-customer' && role === 'customer');
}

export type WireMessage = v.InferOutput<typeof WireMessageSchema>;
export type WireType = WireMessage['type'];
export type BodyOf<T extends WireType> = Extract<WireMessage, { type: T }>['body'];

export type ParseResult =
  | { ok: true; message: WireMessage }
  | { ok: false; reason: string };

/** Largest envelope we are willing to parse (TextRoom relays whatever it gets). */
export const MAX_ENVELOPE_BYTES = 64 * 1024;

/** Parses and validates one wire message. Never throws. */
export function parseEnvelope(raw: unknown): ParseResult {
  let data: unknown = raw;
  if (typeof raw === 'string') {
    if (raw.length > MAX_ENVELOPE_BYTES) return { ok: false, reason: `envelope larger than ${MAX_ENVELOPE_BYTES} bytes` };
    try {
      data = JSON.parse(raw);
    } catch {
      return { ok: false, reason: 'not JSON' };
    }
  }
  if (typeof data === 'object' && data !== null && 'v' in data && data.v !== PROTOCOL_VERSION) {
    return { ok: false, reason: `unsupported protocol version ${String((data as { v: unknown }).v)}` };
  }
  const result = v.safeParse(WireMessageSchema, data);
  if (result.success) return { ok: true, message: result.output };
  const issue = result.issues[0];
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  return { ok: false, reason: `invalid envelope${path ? ` at ${path}` : ''}: ${issue.message}` };
}

let counter = 0;
/** Message ids: random prefix + counter, unique per sender without coordination. */
export function newMessageId(): string {
  const rand = globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 16);
  counter = (counter + 1) % 1_000_000_000;
  return `${rand}-${counter.toString(36)}`;
}

export function createEnvelope<T extends WireType>(type: T, from: string, body: BodyOf<T>, id = newMessageId()): Extract<WireMessage, { type: T }> {
  return { v: PROTOCOL_VERSION, id, type, from, ts: Date.now(), body } as Extract<WireMessage, { type: T }>;
}
