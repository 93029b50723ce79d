-- Version 2: webhook events are written by the database itself, in the same
-- transaction as the change they report (an archived message, a conversation
-- made ready, claimed, linked or closed), so no crash can record a change and
-- lose its event, or the other way round; and removing a conversation
-- (retention, erasure) removes its events, delivered or not.

-- Present (one row) while a broker on this database delivers webhooks; the
-- triggers write events only then, so a broker without webhooks piles nothing up.
create table webhook_enabled (
  singleton boolean primary key default true check (singleton),
  since bigint not null
);

-- Removing a conversation's events; a conversation's next event (delivery is
-- in order per conversation) among the pending ones only.
create index webhook_conversation on webhook_outbox (conversation_id);
create index webhook_conversation_pending on webhook_outbox (conversation_id, id) where delivered_at is null;

create function vc_now_ms() returns bigint language sql volatile as $$
  select (extract(epoch from clock_timestamp()) * 1000)::bigint
$$;

-- The conversation as webhook receivers see it (no tokens, keys or room secrets).
create function vc_webhook_conversation(c conversation) returns jsonb language sql stable as $$
  select jsonb_strip_nulls(jsonb_build_object(
    'id', c.id,
    'state', c.state,
    'createdAt', c.created_at,
    'topic', c.topic,
    'page', c.page,
    'customer', c.customer - 'role',
    'claimedBy', case when c.claim_agent is null then null
                      else jsonb_build_object('id', c.claim_agent ->> 'id', 'display', c.claim_agent ->> 'display') end,
    'claimedAt', c.claimed_at,
    'link', c.link,
    'closedAt', c.closed_at
  ))
$$;

-- One event into the outbox: payload {id, type, createdAt, conversationId, data}.
-- The idempotency key is stable per event: writing the same event twice keeps the first.
create function vc_webhook_event(cid text, event text, key text, data jsonb) returns void language plpgsql as $$
declare
  at bigint := vc_now_ms();
begin
  if not exists (select 1 from webhook_enabled) then
    return;
  end if;
  insert into webhook_outbox (conversation_id, event, idempotency_key, payload, created_at, next_attempt_at)
  values (cid, event, key,
          jsonb_build_object('id', gen_random_uuid()::text, 'type', event, 'createdAt', at, 'conversationId', cid, 'data', data),
          at, 0)
  on conflict (idempotency_key) do nothing;
end
$$;

create function vc_conversation_events() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    delete from webhook_outbox where conversation_id = old.id;
    return old;
  end if;
  if new.ready and not old.ready then
    perform vc_webhook_event(new.id, 'conversation.created', 'conversation.created:' || new.id,
                             jsonb_build_object('conversation', vc_webhook_conversation(new)));
  end if;
  if new.claimed_at is not null and new.claimed_at is distinct from old.claimed_at then
    perform vc_webhook_event(new.id, 'conversation.claimed', 'conversation.claimed:' || new.id || ':' || new.claimed_at,
                             jsonb_build_object('conversation', vc_webhook_conversation(new)));
  end if;
  if old.claimed_at is not null and new.claimed_at is null then
    -- A claim undone because Janus refused the grant: its event goes too, unless already delivered.
    delete from webhook_outbox
     where idempotency_key = 'conversation.claimed:' || old.id || ':' || old.claimed_at and delivered_at is null;
  end if;
  if new.link is not null and new.link is distinct from old.link then
    perform vc_webhook_event(new.id, 'conversation.linked', 'conversation.linked:' || new.id || ':' || (new.link ->> 'linkedAt'),
                             jsonb_build_object('conversation', vc_webhook_conversation(new)));
  end if;
  if new.state = 'closed' and old.state <> 'closed' then
    perform vc_webhook_event(new.id, 'conversation.closed', 'conversation.closed:' || new.id,
                             jsonb_build_object('conversation', vc_webhook_conversation(new)));
  end if;
  return new;
end
$$;

create trigger conversation_webhook_events after update or delete on conversation
  for each row execute function vc_conversation_events();

create function vc_transcript_event() returns trigger language plpgsql as $$
begin
  perform vc_webhook_event(new.conversation_id, 'message', 'message:' || new.conversation_id || ':' || new.message_id,
    jsonb_build_object('message', jsonb_build_object(
      'id', new.message_id,
      'conversationId', new.conversation_id,
      'type', new.type,
      'from', jsonb_build_object('role', new.sender_role, 'id', new.sender_id),
      'ts', new.ts,
      'receivedAt', new.received_at,
      'body', new.body)));
  return null;
end
$$;

-- Fires only for rows really inserted (a duplicate message id is skipped by the archive's ON CONFLICT).
create trigger transcript_webhook_event after insert on transcript
  for each row execute function vc_transcript_event();
