-- Hot-path support (issue 8) and the outbox lease.

-- POST /v1/bdh/command lists a project's 200 most recent claims on every call.
create index bead_claims_project_claimed_idx
    on server.bead_claims (project_id, claimed_at desc);

-- GET /v1/status counts a project's pending escalations on every call.
create index escalations_project_status_idx
    on server.escalations (project_id, status);

-- Outbox rows claimed by a process that died mid-delivery stayed 'processing'
-- for ever; claimed_at lets a later drain take them back once their lease is
-- over (src/notifications/deliver.ts).
alter table server.notification_outbox add column claimed_at timestamptz;
create index notification_outbox_processing_idx
    on server.notification_outbox (project_id, claimed_at)
    where status = 'processing';
