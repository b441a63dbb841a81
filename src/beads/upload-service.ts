// POST /v1/beads/upload and /upload-jsonl (contract beadhub.md §7.1, §7.2):
// the sync algorithm (§13) for any (repo, branch), reporting stale conflicts.
// The beads_uploaded audit row commits with the upsert (not best effort).
import type { Deps } from "../deps";
import type { RequestAuth } from "../auth/identity";
import { writeAudit } from "../audit/log";
import { recordNotificationIntents } from "../notifications/service";
import { afterBeadsCommit } from "../notifications/service";
import { removeUnstorable, type IssueRecord, type RejectedIssue } from "./records";
import { lockIssueSet, upsertIssues } from "./upsert";
import { runBulk } from "../http/rate-limits";

export interface UploadInput {
  repo: string;
  branch: string;
  issues: Map<string, IssueRecord>;
  source: "json" | "jsonl";
}

export interface UploadResponse {
  status: "completed" | "completed_with_errors";
  repo: string;
  branch: string;
  issues_synced: number;
  issues_added: number;
  issues_updated: number;
  conflicts: string[];
  conflicts_count: number;
  notifications_sent: number;
  notifications_failed: number;
  synced_at: string;
  /** Issues left out because a value cannot be stored (issue 19; only when any). */
  rejected?: RejectedIssue[];
}

export async function uploadIssues(deps: Deps, auth: RequestAuth, input: UploadInput): Promise<UploadResponse> {
  const identity = await auth.aweb();
  const projectId = identity.projectId;
  const { repo, branch } = input;
  const rejected = removeUnstorable(input.issues);
  // bulk work: its own share of the pool and a per-project cap (issue 19)
  const result = await runBulk(deps.config, projectId, () => deps.sql.begin(async (tx) => {
    const now = await lockIssueSet(tx, projectId, repo, branch);
    const upsert = await upsertIssues(tx, projectId, repo, branch, input.issues, now);
    await recordNotificationIntents(tx, projectId, upsert.statusChanges);
    // audit_log hangs off server.projects; a project bootstrapped without a
    // repo has no mirror row yet, and then there is nothing to attach it to
    const [mirror] = await tx`select 1 from server.projects where id = ${projectId}`;
    if (mirror) {
      await writeAudit(tx, {
        projectId,
        eventType: "beads_uploaded",
        details: {
          project_id: projectId,
          repo,
          branch,
          issues_synced: upsert.issuesSynced,
          issues_added: upsert.added,
          issues_updated: upsert.updated,
          source: input.source,
        },
      });
    }
    return upsert;
  }));
  const notifications = await afterBeadsCommit(deps, auth, {
    projectId,
    eventWorkspaceId: identity.agentId,
    changes: result.statusChanges,
    drain: result.anyStatusChange,
  });
  return {
    status: notifications.failed === 0 ? "completed" : "completed_with_errors",
    repo,
    branch,
    issues_synced: result.issuesSynced,
    issues_added: result.added,
    issues_updated: result.updated,
    conflicts: result.conflicts,
    conflicts_count: result.conflicts.length,
    notifications_sent: notifications.sent,
    notifications_failed: notifications.failed,
    synced_at: result.syncedAt,
    // present only when something was left out: the answer bdh knows is unchanged
    ...(rejected.length > 0 ? { rejected } : {}),
  };
}
