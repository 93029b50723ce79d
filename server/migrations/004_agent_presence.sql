-- Version 4: agent presence (README "Agent presence"). Whether an agent can
-- take chats: 'available' or 'away', set from the agent console, kept alive
-- by the console's open queue stream. An available agent whose presence is
-- not refreshed before expires_at counts as away (a closed console, a lost
-- network): readers compare expires_at with the clock, and the brokers'
-- sweep writes 'away' into such rows so the consoles are told.

create table agent_presence (
  agent_id text primary key,
  -- Shown to other agents (the consoles' team list); never to customers.
  display text not null,
  status text not null check (status in ('available', 'away')),
  -- When the status last changed (epoch ms).
  changed_at bigint not null,
  -- Available only until then unless refreshed (epoch ms).
  expires_at bigint not null
);
create index agent_presence_available on agent_presence (expires_at) where status = 'available';

-- Every broker LISTENs and re-reads the available agents for its consoles.
-- Only real changes are announced: a refresh of expires_at is not news.
create function vc_agent_presence_notify() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and new.status = old.status and new.display = old.display then
    return new;
  end if;
  perform pg_notify('vc_presence', coalesce(new.agent_id, old.agent_id));
  return coalesce(new, old);
end
$$;

create trigger agent_presence_notify after insert or update or delete on agent_presence
  for each row execute function vc_agent_presence_notify();
