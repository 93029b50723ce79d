-- The broker's record, version 1. Times are epoch milliseconds (bigint).
-- Applied by server/migrate.ts, inside one transaction.

-- Secrets the broker makes for itself on first start (certificate authority,
-- agent token secret, its own Janus token, the archive's callback secret), so
-- a restart keeps every descriptor, token and sign-in valid.
create table broker_secret (
  name text primary key,
  value text not null,
  created_at bigint not null
);

create table conversation (
  id text primary key,
  created_at bigint not null,
  state text not null check (state in ('waiting', 'claimed', 'closed')),
  topic text,
  page text,
  -- Participant JSON ({role, id, display, verified?}).
  customer jsonb not null,
  customer_token text not null,
  resume_key text not null,
  -- {room, secret, pin}: the secrets never leave the broker.
  text_room jsonb not null,
  video_room jsonb not null,
  -- Who opened it, for the per-client caps.
  client_key text not null,
  client_network text,
  client_user text,
  customer_joined boolean not null default false,
  claim_agent jsonb,
  claim_token text,
  claimed_at bigint,
  link jsonb,
  closed_at bigint,
  rooms_destroyed boolean not null default false,
  tokens_revoked boolean not null default false,
  -- The Janus the rooms live on (its WebSocket URL as browsers reach it).
  gateway text not null,
  -- False while its rooms are being created: the row already holds the
  -- client's place under the caps, but nobody sees or claims it yet.
  ready boolean not null default false
);
create index conversation_open on conversation (created_at) where state <> 'closed';
create index conversation_client on conversation (client_key) where state <> 'closed';
create index conversation_network on conversation (client_network) where state <> 'closed';
create index conversation_user on conversation (client_user) where state <> 'closed';
create index conversation_closed on conversation (closed_at) where state = 'closed';
create index conversation_linked on conversation ((link ->> 'customerId'));
create index conversation_verified on conversation ((customer -> 'verified' ->> 'userId'));

-- Every signing-key certificate issued in a conversation, in issue order.
create table certificate (
  conversation_id text not null references conversation (id) on delete cascade,
  kid text not null,
  role text not null check (role in ('agent', 'customer')),
  sub text not null,
  cert text not null,
  issued_at bigint not null,
  position bigserial,
  primary key (conversation_id, kid)
);

-- Logged-out agent tokens (by token id) until they would have expired anyway.
create table revoked_token (
  token_id text primary key,
  expires_at bigint not null
);

-- The transcript: every reliable message of a conversation, verified, once.
create table transcript (
  conversation_id text not null references conversation (id) on delete cascade,
  message_id text not null,
  position bigserial,
  type text not null,
  sender_role text not null check (sender_role in ('agent', 'customer')),
  sender_id text not null,
  ts bigint not null,
  received_at bigint not null,
  body jsonb not null,
  -- The signed envelope as it travelled: anyone can verify it again.
  wire text not null,
  primary key (conversation_id, message_id)
);
create index transcript_order on transcript (conversation_id, position);

-- Webhook deliveries not yet acknowledged by the receiver (an outbox: written
-- in the same transaction as what it reports, delivered at least once, in
-- order per conversation).
create table webhook_outbox (
  id bigserial primary key,
  conversation_id text,
  event text not null,
  idempotency_key text not null unique,
  payload jsonb not null,
  created_at bigint not null,
  attempts integer not null default 0,
  next_attempt_at bigint not null,
  delivered_at bigint,
  last_error text
);
create index webhook_pending on webhook_outbox (next_attempt_at, id) where delivered_at is null;
