// bdh: the bodies and answers of /v1/bdh/command and /v1/bdh/sync (docs/protocol/sync.md#bdh-sync), declared once.
import { t } from "elysia";
import { Uuid } from "../http/model";
import type { RejectedIssue } from "../beads/model";

// Both bodies are strict: an unknown key is a 422 (docs/protocol/conventions.md).

const identityFields = {
  workspace_id: t.String({ minLength: 1 }),
  repo_id: t.Optional(t.Nullable(t.String())),
  alias: t.String({ minLength: 1, maxLength: 64 }),
  human_name: t.String({ maxLength: 64 }),
  repo_origin: t.String({ minLength: 1, maxLength: 2048 }),
  role: t.Optional(t.Nullable(t.String({ maxLength: 50 }))),
};

export const CommandBody = t.Object(
  { ...identityFields, command_line: t.String({ minLength: 1, maxLength: 8192 }) },
  { additionalProperties: false },
);

export const SyncBody = t.Object(
  {
    ...identityFields,
    command_line: t.Optional(t.Nullable(t.String({ maxLength: 8192 }))),
    // size limits are in characters (code points), checked in checkJsonlSize
    issues_jsonl: t.Optional(t.Nullable(t.String())),
    sync_mode: t.Optional(t.Nullable(t.String({ maxLength: 32 }))),
    changed_issues: t.Optional(t.Nullable(t.String())),
    deleted_ids: t.Optional(t.Array(t.String())),
    // accepted and ignored (docs/protocol/sync.md#bdh-sync)
    sync_protocol_version: t.Optional(t.Nullable(t.Integer())),
  },
  { additionalProperties: false },
);

export const CommandAnswer = t.Object({
  approved: t.Boolean(),
  /** "" when approved; else why (the bead is claimed by another workspace). */
  reason: t.String(),
  context: t.Object({
    messages_waiting: t.Integer(),
    beads_in_progress: t.Array(
      t.Object({
        bead_id: t.String(),
        workspace_id: Uuid,
        alias: t.String(),
        human_name: t.String(),
        started_at: t.String(),
        title: t.Null(),
        role: t.Null(),
      }),
    ),
  }),
});

export const SyncAnswer = t.Object({
  synced: t.Literal(true),
  issues_count: t.Integer(),
  context: t.Null(),
  stats: t.Object({ received: t.Integer(), inserted: t.Integer(), updated: t.Integer(), deleted: t.Integer() }),
  sync_protocol_version: t.Literal(1),
  claim_rejected: t.Boolean(),
  claim_rejected_reason: t.String(),
});

export type CommandBodyInput = typeof CommandBody.static;
export type SyncBodyInput = typeof SyncBody.static;
export type CommandAnswer = typeof CommandAnswer.static;
/** The model, plus the issues left out when any (issue 19); bdh ignores unknown fields. */
export type SyncAnswer = typeof SyncAnswer.static & { rejected?: RejectedIssue[] };

// The service's inputs (parsed from the bodies by routes.ts) and what a touch returns.

export interface CommandInput {
  workspaceId: string;
  alias: string;
  humanName: string;
  role: string | null;
  commandLine: string;
}

export interface SyncInput {
  workspaceId: string;
  alias: string;
  humanName: string;
  repoOrigin: string;
  role: string | null;
  commandLine: string | null;
  issuesJsonl: string | null;
  syncMode: string | null;
  changedIssues: string | null;
  deletedIds: string[];
}

export interface TouchedWorkspace {
  workspace_id: string;
  project_id: string;
  /** The workspace's own alias: what presence and claims record (issue 19, defect 5). */
  alias: string;
  project_slug: string | null;
  repo_id: string | null;
  current_branch: string | null;
}
