-- Version 3: several brokers on one database (README "Scale: many brokers,
-- many Janus servers"). Brokers share this record and nothing else: the queue's
-- changes as an event log every broker follows (LISTEN/NOTIFY), rate limits,
-- who archives which conversation, and a lease so that one broker at a time
-- moves the conversations of a dead Janus.

-- The queue as a log of changes. A row is written by the trigger below in the
-- same transaction as the change it reports, so no change is ever seen without
-- its event or the other way round. Ids are handed out under a lock held until
-- commit, so they become visible in id order: a reader that has seen id N has
-- seen everything below N that will ever exist (rolled-back ids are gaps).
create table queue_event (
  id bigserial primary key,
  at bigint not null,
  -- 'added', 'claimed', 'closed', 'updated' (data: {entry}) or 'removed' (data: {id}).
  type text not null,
  conversation_id text,
  data jsonb not null
);
create index queue_event_at on queue_event (at);

-- Events up to this id have been purged (bounded retention): a console that
-- resumes from below it gets a fresh snapshot instead of a replay.
create table queue_event_horizon (
  singleton boolean primary key default true check (singleton),
  purged_through bigint not null
);
insert into queue_event_horizon (singleton, purged_through) values (true, 0);

-- The queue entry of a conversation (QueueEntry in src/protocol/broker-api.ts):
-- the one definition both the snapshots and the events use.
create function vc_queue_entry(c conversation) returns jsonb language sql stable as $$
  select jsonb_strip_nulls(jsonb_build_object(
    'id', c.id,
    'display', c.customer ->> 'display',
    'createdAt', c.created_at,
    'state', c.state,
    'topic', nullif(c.topic, ''),
    'claimedBy', case when c.claim_agent is null or c.claim_token is null then null
                      else jsonb_build_object('id', c.claim_agent ->> 'id', 'display', c.claim_agent ->> 'display') end,
    'verified', c.customer -> 'verified',
    'link', c.link,
    'gateway', c.gateway
  ))
$$;

create function vc_queue_event(kind text, cid text, data jsonb) returns void language plpgsql as $$
declare
  eid bigint;
begin
  -- Held until commit: ids are taken, and become visible, in commit order.
  perform pg_advisory_xact_lock(7345013);
  insert into queue_event (at, type, conversation_id, data) values (vc_now_ms(), kind, cid, data) returning id into eid;
  -- Delivered at commit, to every broker listening (payload: the event id).
  perform pg_notify('vc_queue', eid::text);
end
$$;

create function vc_conversation_queue_events() returns trigger language plpgsql as $$
declare
  entry jsonb;
begin
  if tg_op = 'DELETE' then
    if old.ready then
      perform vc_queue_event('removed', old.id, jsonb_build_object('id', old.id));
    end if;
    return old;
  end if;
  if not new.ready then
    return new;
  end if;
  entry := vc_queue_entry(new);
  if tg_op = 'INSERT' or not old.ready then
    perform vc_queue_event('added', new.id, jsonb_build_object('entry', entry));
  elsif entry is distinct from vc_queue_entry(old) then
    perform vc_queue_event(
      case when new.state = 'closed' and old.state <> 'closed' then 'closed'
           when new.state = 'claimed' and old.state <> 'claimed' then 'claimed'
           else 'updated' end,
      new.id, jsonb_build_object('entry', entry));
  end if;
  return new;
end
$$;

create trigger conversation_queue_events after insert or update or delete on conversation
  for each row execute function vc_conversation_queue_events();

-- Token buckets for the POST rate limits, one row per bucket and client,
-- updated in one statement (server/rate-limit.ts), on the database's clock.
create table rate_bucket (
  key text primary key,
  tokens double precision not null,
  at bigint not null,
  -- Whether the last take got a token (read back by the same statement).
  ok boolean not null
);
create index rate_bucket_at on rate_bucket (at);

-- Brokers on this record, each with where Janus reaches its archive; a broker
-- whose heartbeat is stale is gone, and another takes over its conversations' archive.
create table broker (
  id text primary key,
  archive_url text not null,
  started_at bigint not null,
  seen_at bigint not null,
  -- The Janus servers (gateway URLs) this broker has not reached for longer
  -- than the failover grace period: a Janus is dead when every live broker says so.
  unreachable jsonb not null default '[]'
);

-- Which broker a conversation's TextRoom posts to (its archive), by broker id.
alter table conversation add column archive_broker text;
-- Open conversations per Janus (placement, failover).
create index conversation_gateway on conversation (gateway) where state <> 'closed';

-- Work that one broker at a time does (moving a dead Janus's conversations),
-- held until expires_at unless renewed.
create table cluster_lease (
  name text primary key,
  holder text not null,
  expires_at bigint not null
);
