import * as v from './schema.js';

/**
 * Version of the wire envelope. Receivers drop anything else. Version 2: every
 * envelope names the key it is signed with (`kid`) and carries its signature
 * (`sig`, see signing.ts).
 */
export const PROTOCOL_VERSION = 2;

/** Longest chat text accepted from the wire or the composer. */
export const MAX_CHAT_TEXT = 4000;

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(64), v.regex(/^[A-Za-z0-9_.:-]+$/));
const ParticipantId = v.pipe(v.string(), v.minLength(1), v.maxLength(128));
/** Key ids: 22 base64url characters (128 bits of the key's SHA-256 thumbprint). */
export const KeyIdSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{22}$/, 'kid must be 22 base64url characters'));
/** Longest broker certificate accepted anywhere (they are about 400 characters). */
export const MAX_CERTIFICATE_LENGTH = 2048;

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
export const VideoAnswerBody = v.strictObject({
  inviteId: Id,
  accept: v.union([VideoModeSchema, v.literal(false)]),
  /** Answered by the customer's browser itself: the invitation asked for no more than this browser's stored consent covers. */
  auto: v.optional(v.literal(true)),
});
export const VideoStartBody = v.strictObject({ mode: VideoModeSchema, session: Id });
/** `reason: 'network'`: the call could not be kept up (ICE restarts failed for long enough); chat goes on. */
export const VideoEndBody = v.strictObject({ session: Id, reason: v.optional(v.literal('network')) });
/** Why a camera or microphone could not be captured (the catalogues say `device.<code>`). */
export const DEVICE_PROBLEMS = ['no-camera', 'no-microphone', 'camera-denied', 'microphone-denied', 'camera-busy', 'microphone-busy'] as const;
export const DeviceProblemSchema = v.picklist(DEVICE_PROBLEMS);
/** How a direction of a call is doing, best first. */
export const QualityLevelSchema = v.picklist(['good', 'fair', 'poor', 'bad']);
export type DeviceProblem = v.InferOutput<typeof DeviceProblemSchema>;
/**
 * What this side sends (`audio`, `video`: live tracks leaving this machine)
 * and why not: `muted` / `paused` by the person's own choice, `problems` the
 * devices that could not be captured (blocked, missing, busy). Sent whenever
 * any of it changes, and once the devices were asked for, even if nothing
 * goes out, so the other side never waits for media that will not come.
 */
export const MediaStateBody = v.strictObject({
  audio: v.boolean(),
  video: v.boolean(),
  muted: v.optional(v.boolean()),
  paused: v.optional(v.boolean()),
  problems: v.optional(v.pipe(v.array(DeviceProblemSchema), v.maxLength(DEVICE_PROBLEMS.length))),
  /** Video is off because of the network, not by choice (it comes back by itself when the network does). */
  net: v.optional(v.literal('video-off')),
  /** How this side receives the other's media: the other side's sender adapts to it. */
  rx: v.optional(QualityLevelSchema),
});
/**
 * A step the call took because of the network, said in both transcripts:
 * this side's video off (voice only) and back, voice breaking up here and
 * clear again, reconnecting (ICE restart) and reconnected.
 */
export const NETWORK_STEPS = ['video-off', 'video-back', 'voice-poor', 'voice-back', 'reconnecting', 'reconnected'] as const;
export type NetworkStep = (typeof NETWORK_STEPS)[number];
export const MediaNetworkBody = v.strictObject({ session: Id, step: v.picklist(NETWORK_STEPS) });
/**
 * "My VideoRoom feed for video session `session` is `feed`", sent once the
 * publisher has joined (so the id is taken by us). Feed ids are chosen by the
 * clients and prove nothing on their own: the other side subscribes only to a
 * feed announced in a signed message of ours.
 */
export const VideoPublishBody = v.strictObject({ session: Id, feed: v.pipe(v.string(), v.minLength(1), v.maxLength(128)) });
/** A participant's broker certificate, whispered to the other side when either joins (signed with the key it certifies). */
export const KeyCertBody = v.strictObject({ cert: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CERTIFICATE_LENGTH)) });
export const PagePushBody = v.strictObject({
  url: v.pipe(v.string(), v.minLength(1), v.maxLength(2048)),
  title: v.optional(v.pipe(v.string(), v.maxLength(200))),
});
export const PageOpenedBody = v.strictObject({ pushId: Id });
/** The agent linked the chat to a customer record; the customer learns the record's name only. */
export const CustomerLinkedBody = v.strictObject({ name: v.pipe(v.string(), v.minLength(1), v.maxLength(120)) });

/**
 * Cobrowse. Consent, control and stop go through the reliable outbox and the
 * room's history (a reload restores the consented state); chunks, resync,
 * pointer, highlight and actions are ephemeral whispers to the peer's current
 * connections (never in history: a replayed action would be a second click).
 */
/** Largest base64 payload of one `cobrowse.chunk` message. */
export const MAX_COBROWSE_CHUNK_DATA = 16 * 1024;
/** Most parts one batch may be split into (2048 × 16 KiB = 32 MiB compressed). */
export const MAX_COBROWSE_PARTS = 2048;
/** Longest value the agent may type into one field. */
export const MAX_COBROWSE_INPUT = 1000;
const NodeId = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31 - 1));
const Fraction = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1));
export const CobrowseOfferBody = v.strictObject({});
export const CobrowseAnswerBody = v.strictObject({ offerId: Id, accept: v.boolean() });
export const CobrowseChunkBody = v.pipe(
  v.strictObject({
    /** One recording (a page load); node ids are only meaningful within it. */
    stream: Id,
    /** Batch number within the stream, from 0, no gaps. */
    seq: v.pipe(v.number(), v.integer(), v.minValue(0)),
    part: v.pipe(v.number(), v.integer(), v.minValue(0)),
    parts: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_COBROWSE_PARTS)),
    /** base64 of a slice of deflate-raw(JSON(events)). */
    data: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_COBROWSE_CHUNK_DATA), v.regex(/^[A-Za-z0-9+/]+={0,2}$/)),
  }),
  v.check((b) => b.part < b.parts, 'part must be below parts'),
);
/** The agent lost the thread (gap, decode failure, late join): the customer sends a full snapshot. */
export const CobrowseResyncBody = v.strictObject({ stream: v.optional(Id) });
/** The agent's pointer, as a fraction of the customer's viewport. */
export const CobrowsePointerBody = v.strictObject({ x: Fraction, y: Fraction });
export const CobrowseHighlightBody = v.strictObject({ stream: Id, node: NodeId });
export const CobrowseControlRequestBody = v.strictObject({});
/** The customer's answer to a control request; sent again with `granted: false` to revoke. */
export const CobrowseControlGrantBody = v.strictObject({ requestId: Id, granted: v.boolean() });
export const CobrowseActionBody = v.pipe(
  v.strictObject({
    stream: Id,
    kind: v.picklist(['click', 'input']),
    node: NodeId,
    value: v.optional(v.pipe(v.string(), v.maxLength(MAX_COBROWSE_INPUT))),
  }),
  v.check((b) => (b.kind === 'input') === (b.value !== undefined), 'value goes with input actions only'),
);
/**
 * Why the customer's page refused an agent's action (the catalogues say
 * `cobrowse.refusal.<code>`): control not granted on this page, aimed at
 * another page, element gone, secret field (password, payment, masked),
 * blocked element, never-touched element or input type, disabled or inert,
 * read-only, nothing to click, not a field to fill, a link that is not
 * http(s), an option that does not exist.
 */
export const COBROWSE_REFUSALS = [
  'no-control', 'other-page', 'gone', 'secret', 'blocked', 'not-allowed', 'disabled', 'read-only', 'not-clickable', 'not-fillable', 'link', 'no-option',
] as const;
export const CobrowseRefusalSchema = v.picklist(COBROWSE_REFUSALS);
export type CobrowseRefusal = v.InferOutput<typeof CobrowseRefusalSchema>;
/** The customer's page performed (`ok`) or refused (with a `code`) the agent's action on `node`. */
export const CobrowseActionResultBody = v.pipe(
  v.strictObject({
    stream: Id,
    kind: v.picklist(['click', 'input']),
    node: NodeId,
    ok: v.boolean(),
    code: v.optional(CobrowseRefusalSchema),
  }),
  v.check((b) => b.ok === (b.code === undefined), 'a refusal has a code, a success none'),
);
export const CobrowseStopBody = v.strictObject({ reason: v.optional(v.pipe(v.string(), v.maxLength(200))) });

const base = {
  v: v.literal(PROTOCOL_VERSION),
  id: Id,
  from: ParticipantId,
  ts: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** The signing key (its certificate binds it to this conversation, a role and `from`). */
  kid: KeyIdSchema,
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
  v.strictObject({ ...base, type: v.literal('media.network'), body: MediaNetworkBody }),
  v.strictObject({ ...base, type: v.literal('video.publish'), body: VideoPublishBody }),
  v.strictObject({ ...base, type: v.literal('key.cert'), body: KeyCertBody }),
  v.strictObject({ ...base, type: v.literal('page.push'), body: PagePushBody }),
  v.strictObject({ ...base, type: v.literal('page.opened'), body: PageOpenedBody }),
  v.strictObject({ ...base, type: v.literal('customer.linked'), body: CustomerLinkedBody }),
  v.strictObject({ ...base, type: v.literal('cobrowse.offer'), body: CobrowseOfferBody }),
  v.strictObject({ ...base, type: v.literal('cobrowse.answer'), body: CobrowseAnswerBody }),
  v.strictObject({ ...base, type: v.literal('cobrowse.chunk'), body: CobrowseChunkBody }),
  v.strictObject({ ...base, type: v.literal('cobrowse.resync'), body: CobrowseResyncBody }),
  v.strictObject({ ...base, type: v.literal('cobrowse.pointer'), body: CobrowsePointerBody }),
  v.strictObject({ ...base, type: v.literal('cobrowse.highlight'), body: CobrowseHighlightBody }),
  v.strictObject({ ...base, type: v.literal('cobrowse.control-request'), body: CobrowseControlRequestBody }),
  v.strictObject({ ...base, type: v.literal('cobrowse.control-grant'), body: CobrowseControlGrantBody }),
  v.strictObject({ ...base, type: v.literal('cobrowse.action'), body: CobrowseActionBody }),
  v.strictObject({ ...base, type: v.literal('cobrowse.action-result'), body: CobrowseActionResultBody }),
  v.strictObject({ ...base, type: v.literal('cobrowse.stop'), body: CobrowseStopBody }),
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

/** Largest envelope we are willing to parse (TextRoom relays whatever it gets; the data channel carries at most 64 KiB, our largest, a cobrowse chunk, is about 16 KiB). */
export const MAX_ENVELOPE_BYTES = 32 * 1024;

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

/** An envelope before it is signed: everything but `kid` (the signer adds it). */
export type UnsignedEnvelope<T extends WireType = WireType> = Omit<Extract<WireMessage, { type: T }>, 'kid'>;

export function createEnvelope<T extends WireType>(type: T, from: string, body: BodyOf<T>, id = newMessageId(), ts = Date.now()): UnsignedEnvelope<T> {
  return { v: PROTOCOL_VERSION, id, type, from, ts, body } as unknown as UnsignedEnvelope<T>;
}
