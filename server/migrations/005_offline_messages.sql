-- Version 5: offline messages (README "Embedding", "When nobody is there").
-- A visitor who finds nobody available (outside the opening hours, or no
-- agent signed in and available) leaves a message and an email address; the
-- agents find it in their queue as an entry of its own state, 'offline', and
-- answer by email. An agent marks it handled: the entry then closes.

create table offline_message (
  -- 'offline-<uuid>': never the id of a conversation.
  id text primary key,
  created_at bigint not null,
  name text,
  email text not null,
  text text not null,
  page text,
  -- Who left it, for the per-client cap (like conversation.client_key).
  client_key text not null,
  handled_at bigint,
  -- {id, display} of the agent who handled it.
  handled_by jsonb
);
create index offline_message_open on offline_message (created_at) where handled_at is null;
create index offline_message_client on offline_message (client_key) where handled_at is null;
create index offline_message_handled on offline_message (handled_at) where handled_at is not null;

-- The message as a queue entry (QueueEntry in src/protocol/broker-api.ts, with `offline`).
create function vc_offline_queue_entry(m offline_message) returns jsonb language sql stable as $$
  select jsonb_strip_nulls(jsonb_build_object(
    'id', m.id,
    'display', coalesce(nullif(m.name, ''), m.email),
    'createdAt', m.created_at,
    'state', case when m.handled_at is null then 'offline' else 'closed' end,
    'topic', left(m.text, 200),
    'offline', jsonb_build_object(
      'email', m.email,
      'text', m.text,
      'page', m.page,
      'handledAt', m.handled_at,
      'handledBy', m.handled_by
    )
  ))
$$;

-- Offline messages go into the queue's event log like conversations (migration 003): added when left,
-- closed when handled, removed when purged.
create function vc_offline_message_queue_events() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    perform vc_queue_event('removed', old.id, jsonb_build_object('id', old.id));
    return old;
  end if;
  if tg_op = 'INSERT' then
    perform vc_queue_event('added', new.id, jsonb_build_object('entry', vc_offline_queue_entry(new)));
  elsif vc_offline_queue_entry(new) is distinct from vc_offline_queue_entry(old) then
    perform vc_queue_event(
      case when new.handled_at is not null and old.handled_at is null then 'closed' else 'updated' end,
      new.id, jsonb_build_object('entry', vc_offline_queue_entry(new)));
  end if;
  return new;
end
$$;

create trigger offline_message_queue_events after insert or update or delete on offline_message
  for each row execute function vc_offline_message_queue_events();

-- The queue as a snapshot sees it: ready conversations, open or closed since
-- `closed_since`, and offline messages, open or handled since then. One
-- definition for the queue stream's snapshot and GET /api/queue.
create function vc_queue_entries(closed_since bigint) returns setof jsonb language sql stable as $$
  select e from (
    select vc_queue_entry(c) as e, c.created_at as at from conversation c
     where c.ready and (c.state <> 'closed' or c.closed_at >= closed_since)
    union all
    select vc_offline_queue_entry(m), m.created_at from offline_message m
     where m.handled_at is null or m.handled_at >= closed_since
  ) x order by at
$$;
