-- Who answered an escalation (docs/protocol/dashboard-api.md#escalations-responded_by):
-- the responder's alias, or user:<id> for a proxy user; null while pending.
alter table server.escalations add column responded_by text;
