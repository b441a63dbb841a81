-- Hot-path support (issue 8).

-- POST /v1/bdh/command lists a project's 200 most recent claims on every call.
create index bead_claims_project_claimed_idx
    on server.bead_claims (project_id, claimed_at desc);

-- GET /v1/status counts a project's pending escalations on every call.
create index escalations_project_status_idx
    on server.escalations (project_id, status);
