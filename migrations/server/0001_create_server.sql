-- server schema: beadhub's own tables (contract beadhub.md §17).
-- Final state of the reference server migrations 001 + 002 (projects.visibility).
-- Runs after aweb (extensions already exist) and before beads.

create schema if not exists server;

-- id is the aweb project_id (no default, and no FK: the reference keeps the
-- two schemas loosely coupled; beadhub.md §17, aweb.md §10).
create table server.projects (
    id uuid primary key,
    -- cloud tenant; null in OSS mode
    tenant_id uuid,
    slug text not null,
    name text,
    -- FK to project_policies is added below: the two tables reference each other
    active_policy_id uuid,
    created_at timestamptz default now(),
    -- null = active
    deleted_at timestamptz,
    visibility text not null default 'private',
    constraint projects_visibility_check check (visibility in ('private', 'public'))
);

create unique index projects_slug_oss_active_key
    on server.projects (slug)
    where tenant_id is null and deleted_at is null;
create unique index projects_tenant_slug_active_key
    on server.projects (tenant_id, slug)
    where tenant_id is not null and deleted_at is null;
create index projects_active_idx on server.projects (id) where deleted_at is null;

create table server.repos (
    id uuid primary key default gen_random_uuid(),
    project_id uuid not null references server.projects (id) on delete cascade,
    origin_url text not null,
    canonical_origin text not null,
    name text not null,
    created_at timestamptz default now(),
    -- soft delete; re-registering a repo clears it via the unique key below
    deleted_at timestamptz,
    -- a real constraint (not a partial index) so upserts can use
    -- "on conflict (project_id, canonical_origin)"
    constraint repos_project_canonical_origin_key unique (project_id, canonical_origin)
);

create index repos_project_idx on server.repos (project_id);
create index repos_active_idx on server.repos (project_id) where deleted_at is null;

-- workspace_id is the aweb agent_id, hence no default (beadhub.md §19.1).
create table server.workspaces (
    workspace_id uuid primary key,
    project_id uuid not null references server.projects (id) on delete cascade,
    -- set null on a repo hard delete keeps the row for audit; the trigger below
    -- then soft-deletes it
    repo_id uuid references server.repos (id) on delete set null,
    alias text not null,
    human_name text not null default '',
    role text,
    current_branch text,
    focus_apex_bead_id text,
    focus_apex_repo_name text,
    focus_apex_branch text,
    focus_updated_at timestamptz,
    hostname text,
    workspace_path text,
    workspace_type text not null default 'agent',
    created_at timestamptz default now(),
    -- bumped by the trigger on every update; sort key of GET /v1/workspaces
    updated_at timestamptz default now(),
    deleted_at timestamptz,
    last_seen_at timestamptz,
    -- Agents live in a repo, dashboards do not. Deviation from the reference
    -- (which requires repo_id for every agent row): a *soft-deleted* agent row
    -- may have a null repo_id, otherwise the "on delete set null" above and
    -- the trigger's auto-soft-delete could never succeed and deleting a repo
    -- (or a project, via cascade) would fail on this CHECK.
    constraint workspaces_repo_check check (
        (workspace_type = 'agent' and (repo_id is not null or deleted_at is not null))
        or (workspace_type = 'dashboard' and repo_id is null)
    ),
    constraint workspaces_role_length_check check (role is null or length(role) <= 50)
);

-- aliases are unique among live workspaces of a project
create unique index workspaces_project_alias_active_key
    on server.workspaces (project_id, alias)
    where deleted_at is null;
create index workspaces_alias_idx on server.workspaces (alias);
create index workspaces_project_idx on server.workspaces (project_id);
create index workspaces_repo_idx on server.workspaces (repo_id);
create index workspaces_active_idx on server.workspaces (project_id) where deleted_at is null;
create index workspaces_hostname_idx
    on server.workspaces (hostname)
    where hostname is not null and deleted_at is null;
create index workspaces_dashboard_idx
    on server.workspaces (project_id, human_name)
    where workspace_type = 'dashboard';

-- beadhub.md §17 "Workspaces trigger": identity columns are immutable, repo_id
-- may only be cleared (FK set null), clearing it soft-deletes a live row, and
-- every update bumps updated_at.
create function server.workspaces_before_update()
returns trigger
language plpgsql
as $$
begin
    if new.project_id is distinct from old.project_id then
        raise exception 'project_id is immutable';
    end if;
    if new.alias is distinct from old.alias then
        raise exception 'alias is immutable';
    end if;
    if new.workspace_type is distinct from old.workspace_type then
        raise exception 'workspace_type is immutable';
    end if;
    if new.repo_id is distinct from old.repo_id and new.repo_id is not null then
        raise exception 'repo_id is immutable (it may only become null)';
    end if;

    if old.repo_id is not null and new.repo_id is null and new.deleted_at is null then
        new.deleted_at := now();
    end if;

    new.updated_at := now();
    return new;
end;
$$;

create trigger workspaces_before_update
    before update on server.workspaces
    for each row
    execute function server.workspaces_before_update();

create table server.bead_claims (
    id uuid primary key default gen_random_uuid(),
    project_id uuid not null references server.projects (id) on delete cascade,
    workspace_id uuid not null references server.workspaces (workspace_id) on delete cascade,
    alias text not null,
    human_name text not null,
    bead_id text not null,
    apex_bead_id text,
    apex_repo_name text,
    apex_branch text,
    claimed_at timestamptz not null default now(),
    -- one row per claimant: several workspaces may hold the same bead (jump-in,
    -- beadhub.md §14 / §20.1). Its (project_id, bead_id) prefix also serves the
    -- per-bead exclusivity lookup.
    constraint bead_claims_project_bead_workspace_key unique (project_id, bead_id, workspace_id)
);

create index bead_claims_workspace_claimed_idx
    on server.bead_claims (workspace_id, claimed_at desc);
create index bead_claims_project_idx on server.bead_claims (project_id);

create table server.escalations (
    id uuid primary key default gen_random_uuid(),
    project_id uuid not null references server.projects (id) on delete cascade,
    workspace_id uuid not null references server.workspaces (workspace_id) on delete cascade,
    alias text not null,
    member_email text,
    subject text not null,
    situation text not null,
    options jsonb,
    status text default 'pending',
    response text,
    response_note text,
    created_at timestamptz default now(),
    responded_at timestamptz,
    expires_at timestamptz
);

create index escalations_status_idx on server.escalations (status);
create index escalations_member_email_idx on server.escalations (member_email);
create index escalations_workspace_idx on server.escalations (workspace_id);
create index escalations_alias_created_idx on server.escalations (alias, created_at desc);

create table server.subscriptions (
    id uuid primary key default gen_random_uuid(),
    project_id uuid not null references server.projects (id) on delete cascade,
    workspace_id uuid not null references server.workspaces (workspace_id) on delete cascade,
    alias text not null,
    bead_id text not null,
    -- null = no repo given (beadhub.md §20.3: such rows never match a sync)
    repo text,
    event_types text[] not null default '{status_change}',
    created_at timestamptz default now()
);

-- coalesce so that two "no repo" subscriptions to the same bead collide
create unique index subscriptions_workspace_bead_repo_key
    on server.subscriptions (project_id, workspace_id, bead_id, coalesce(repo, ''));
create index subscriptions_bead_idx on server.subscriptions (project_id, bead_id, repo);
create index subscriptions_workspace_created_idx
    on server.subscriptions (project_id, workspace_id, created_at desc);

create table server.notification_outbox (
    id uuid primary key default gen_random_uuid(),
    project_id uuid not null references server.projects (id) on delete cascade,
    event_type text not null default 'bead_status_change',
    payload jsonb not null,
    -- no FK: an outbox row may outlive its recipient workspace
    recipient_workspace_id uuid not null,
    recipient_alias text not null,
    status text not null default 'pending',
    attempts integer not null default 0,
    last_error text,
    created_at timestamptz not null default now(),
    processed_at timestamptz,
    -- aweb.messages id once delivered; no FK (messages live in another schema
    -- and may be deleted)
    message_id uuid,
    constraint notification_outbox_status_check
        check (status in ('pending', 'processing', 'completed', 'failed'))
);

-- work queue (pending + retryable failed) and the cleanup scan of completed rows
create index notification_outbox_pending_idx
    on server.notification_outbox (project_id, status, attempts, created_at)
    where status in ('pending', 'failed');
create index notification_outbox_completed_idx
    on server.notification_outbox (project_id, status, processed_at)
    where status = 'completed';

create table server.audit_log (
    id uuid primary key default gen_random_uuid(),
    project_id uuid not null references server.projects (id) on delete cascade,
    -- set null: audit rows outlive hard-deleted workspaces
    workspace_id uuid references server.workspaces (workspace_id) on delete set null,
    event_type text not null,
    alias text,
    member_email text,
    resource text,
    bead_id text,
    details jsonb,
    created_at timestamptz default now()
);

create index audit_log_created_idx on server.audit_log (created_at);
create index audit_log_alias_idx on server.audit_log (alias);
create index audit_log_project_idx on server.audit_log (project_id);

create table server.project_policies (
    policy_id uuid primary key default gen_random_uuid(),
    project_id uuid not null references server.projects (id) on delete cascade,
    version integer not null,
    bundle_json jsonb not null,
    created_by_workspace_id uuid references server.workspaces (workspace_id) on delete set null,
    created_at timestamptz default now(),
    updated_at timestamptz default now(),
    constraint project_policies_project_version_key unique (project_id, version)
);

create index project_policies_project_version_idx
    on server.project_policies (project_id, version desc);
create index project_policies_created_by_idx
    on server.project_policies (created_by_workspace_id)
    where created_by_workspace_id is not null;

-- projects <-> project_policies reference each other, so this FK can only be
-- added once both tables exist.
alter table server.projects
    add constraint projects_active_policy_fkey
    foreign key (active_policy_id)
    references server.project_policies (policy_id)
    on delete set null;

create function server.project_policies_before_update()
returns trigger
language plpgsql
as $$
begin
    new.updated_at := now();
    return new;
end;
$$;

create trigger project_policies_before_update
    before update on server.project_policies
    for each row
    execute function server.project_policies_before_update();
