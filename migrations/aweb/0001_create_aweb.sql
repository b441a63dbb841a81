-- aweb schema: projects, agents, API keys, mail, chat, reservations.
-- Final state of the reference aweb migrations 001-008 plus 010's alias CHECK
-- (contract aweb.md §10). 009 (access_mode, contacts) is deliberately left out.
-- Applied first, so it also creates the extensions the later schemas rely on.

create schema if not exists aweb;

-- The contract (beadhub.md §17) lists pgcrypto for gen_random_uuid(), but that
-- function is built in since PostgreSQL 13 and nothing here uses pgcrypto.
-- PGlite (PostgreSQL 18) only offers pgcrypto when its bundle is loaded, and a
-- bare CREATE EXTENSION fails there, so install it only where it is available.
do $$
begin
    if exists (select 1 from pg_available_extensions where name = 'pgcrypto') then
        create extension if not exists pgcrypto;
    end if;
end
$$;

-- pg_trgm is required: beads.beads_issues has trigram GIN indexes (beadhub.md §17).
-- Created here because this file is applied first.
create extension if not exists pg_trgm;

create table aweb.projects (
    project_id uuid primary key default gen_random_uuid(),
    slug text not null,
    name text not null default '',
    created_at timestamptz not null default now(),
    deleted_at timestamptz,
    -- 005: cloud tenant; null in OSS mode
    tenant_id uuid
);

-- 005 replaced 001's single "active slug" index with one per mode: OSS slugs are
-- globally unique, cloud slugs unique per tenant; soft-deleted slugs can be reused.
create unique index projects_slug_oss_active_key
    on aweb.projects (slug)
    where tenant_id is null and deleted_at is null;
create unique index projects_tenant_slug_active_key
    on aweb.projects (tenant_id, slug)
    where tenant_id is not null and deleted_at is null;

create table aweb.agents (
    agent_id uuid primary key default gen_random_uuid(),
    project_id uuid not null references aweb.projects (project_id),
    alias text not null,
    human_name text not null default '',
    agent_type text not null default 'agent',
    created_at timestamptz not null default now(),
    deleted_at timestamptz,
    -- 010: '/' is reserved for "org/alias" network addresses (aweb.md §12.1)
    constraint agents_alias_no_slash check (position('/' in alias) = 0)
);

-- Alias uniqueness is exact / case-sensitive and only among live agents
-- (aweb.md §12.2); also serves the (project_id, alias) point lookup.
create unique index agents_project_alias_active_key
    on aweb.agents (project_id, alias)
    where deleted_at is null;

create table aweb.api_keys (
    api_key_id uuid primary key default gen_random_uuid(),
    project_id uuid not null references aweb.projects (project_id),
    -- informational only; its unique index was dropped in 007 (aweb.md §2.1)
    key_prefix text not null,
    -- lowercase hex SHA-256 of the full key; the only authoritative lookup
    key_hash text not null,
    is_active boolean not null default true,
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    -- 005: owning cloud user (null in OSS)
    user_id uuid,
    -- 006: the actor the key is bound to (nullable for user/cloud keys)
    agent_id uuid references aweb.agents (agent_id)
);

-- 007: non-unique on purpose (the reference never made it unique).
create index api_keys_key_hash_idx on aweb.api_keys (key_hash);
create index api_keys_project_idx on aweb.api_keys (project_id);
create index api_keys_user_idx on aweb.api_keys (user_id) where user_id is not null;
create index api_keys_agent_idx on aweb.api_keys (agent_id);

create table aweb.messages (
    message_id uuid primary key default gen_random_uuid(),
    project_id uuid not null references aweb.projects (project_id),
    from_agent_id uuid not null references aweb.agents (agent_id),
    to_agent_id uuid not null references aweb.agents (agent_id),
    -- snapshot of the sender's alias at send time
    from_alias text not null,
    subject text not null default '',
    body text not null,
    -- no CHECK: priority is validated by the application (aweb.md §10)
    priority text not null default 'normal',
    -- free-form thread id, intentionally without FK
    thread_id uuid,
    -- null = unread
    read_at timestamptz,
    created_at timestamptz not null default now()
);

-- inbox is newest-first (aweb.md §12.6)
create index messages_inbox_idx
    on aweb.messages (project_id, to_agent_id, created_at desc);
create index messages_unread_idx
    on aweb.messages (project_id, to_agent_id, read_at)
    where read_at is null;

create table aweb.chat_sessions (
    session_id uuid primary key default gen_random_uuid(),
    project_id uuid not null references aweb.projects (project_id),
    -- deterministic hash of the participant set: one session per set
    participant_hash text not null,
    created_at timestamptz not null default now(),
    constraint chat_sessions_project_participants_key unique (project_id, participant_hash)
);

create table aweb.chat_session_participants (
    session_id uuid not null references aweb.chat_sessions (session_id) on delete cascade,
    agent_id uuid not null references aweb.agents (agent_id),
    -- alias snapshot at join time
    alias text not null,
    joined_at timestamptz not null default now(),
    primary key (session_id, agent_id)
);

create table aweb.chat_messages (
    message_id uuid primary key default gen_random_uuid(),
    session_id uuid not null references aweb.chat_sessions (session_id) on delete cascade,
    from_agent_id uuid not null references aweb.agents (agent_id),
    from_alias text not null,
    body text not null,
    created_at timestamptz not null default now(),
    sender_leaving boolean not null default false,
    -- 008: sender asks for more time to reply (aweb.md §8.8)
    hang_on boolean not null default false
);

-- history and SSE replay are oldest-first (aweb.md §12.6)
create index chat_messages_session_created_idx
    on aweb.chat_messages (session_id, created_at asc);

create table aweb.chat_read_receipts (
    session_id uuid not null references aweb.chat_sessions (session_id) on delete cascade,
    agent_id uuid not null references aweb.agents (agent_id),
    -- no FK: unread is time-based (created_at > last_read_at, aweb.md §12.7)
    last_read_message_id uuid,
    last_read_at timestamptz,
    primary key (session_id, agent_id)
);

create table aweb.reservations (
    project_id uuid not null references aweb.projects (project_id),
    resource_key text not null,
    holder_agent_id uuid not null references aweb.agents (agent_id),
    holder_alias text not null,
    acquired_at timestamptz not null default now(),
    -- expired rows linger until re-acquired or revoked (aweb.md §10)
    expires_at timestamptz not null,
    metadata_json jsonb not null default '{}'::jsonb,
    primary key (project_id, resource_key)
);

create index reservations_project_expires_idx
    on aweb.reservations (project_id, expires_at);
