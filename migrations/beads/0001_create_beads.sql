-- beads schema: issues synced from each repo's .beads JSONL (beadhub.md §13, §17).
-- Final state of the reference beads migrations 001 + 002. Runs after server
-- (closed_by_workspace_id references server.workspaces across schemas).

create schema if not exists beads;

create table beads.beads_issues (
    id uuid primary key default gen_random_uuid(),
    -- no FK, as in the reference: issues are scoped by project but not tied to a row
    project_id uuid not null,
    bead_id text not null,
    -- canonical origin, e.g. github.com/org/repo
    repo text not null default 'default',
    branch text not null default 'main',
    title text,
    description text,
    status text,
    priority integer,
    issue_type text,
    assignee text,
    labels text[],
    -- dependency references as JSON so they can point across repos/branches
    blocked_by jsonb default '[]'::jsonb,
    parent_id jsonb,
    created_by text,
    -- copied from the JSONL; updated_at drives the stale check (beadhub.md §19.4)
    created_at timestamptz,
    updated_at timestamptz,
    synced_at timestamptz default now(),
    closed_by_workspace_id uuid references server.workspaces (workspace_id) on delete set null
);

-- upsert target of the sync (beadhub.md §13.3)
create unique index beads_issues_project_repo_branch_bead_key
    on beads.beads_issues (project_id, repo, branch, bead_id);
create index beads_issues_project_idx on beads.beads_issues (project_id);
create index beads_issues_status_idx on beads.beads_issues (status);
create index beads_issues_project_repo_idx on beads.beads_issues (project_id, repo);
-- point lookup by bead across repos/branches (the unique key above cannot serve it)
create index beads_issues_project_bead_idx on beads.beads_issues (project_id, bead_id);
create index beads_issues_project_status_idx on beads.beads_issues (project_id, status);
create index beads_issues_parent_idx
    on beads.beads_issues ((parent_id ->> 'bead_id'))
    where parent_id is not null;
create index beads_issues_closed_by_idx
    on beads.beads_issues (closed_by_workspace_id)
    where closed_by_workspace_id is not null;
create index beads_issues_project_created_by_idx
    on beads.beads_issues (project_id, created_by)
    where created_by is not null;

-- Trigram indexes for the q= substring/prefix search (ILIKE '%…%').
-- The reference builds them CONCURRENTLY in a separate non-transactional
-- migration; our runner applies each file in one transaction, so they are
-- plain CREATE INDEX here (the table is empty at this point anyway).
create index beads_issues_title_trgm_idx
    on beads.beads_issues using gin (title gin_trgm_ops);
create index beads_issues_bead_id_trgm_idx
    on beads.beads_issues using gin (bead_id gin_trgm_ops);
