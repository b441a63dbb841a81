// POST /v1/bdh/sync (contract beadhub.md §8.2, §13, §14): bdh uploads its
// issues after every mutating bd command.
//
// Flow: auth + binding → workspace alive + touch → canonical repo → parse the
// JSONL (400 before anything is written) → ONE transaction holding the issue
// set's lock: upsert, deletions, notification intents, issue count → claims
// from the command line → outbox delivery + events → audit (best effort).
import type { Deps } from "../deps";
import { enforceActorBinding, type RequestAuth } from "../auth/identity";
import { writeAudit } from "../audit/log";
import { unprocessable } from "../http/errors";
import { isCanonicalOrigin } from "../http/field-rules";
import { canonicalizeOrigin } from "../repos/canonical-origin";
import { pyStrip } from "../beads/jsonl";
import { removeUnstorable, type IssueRecord, type RejectedIssue } from "../beads/records";
import { countIssueSet, issuesFromJsonl, writeIssueSet } from "../beads/service";
import { claimBead, claimConflictReason, releaseClaims } from "../claims/service";
import { afterBeadsCommit } from "../notifications/service";
import { claimActionOf, parseCommandLine } from "./command-line";
import { touchLiveWorkspace } from "./workspace";
import { runBulk } from "../http/rate-limits";

/** bdh always syncs the default branch (§19.3). */
export const SYNC_BRANCH = "main";

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

export interface SyncResponse {
  synced: true;
  issues_count: number;
  context: null;
  stats: { received: number; inserted: number; updated: number; deleted: number };
  sync_protocol_version: 1;
  claim_rejected: boolean;
  claim_rejected_reason: string;
  /** Issues left out because a value cannot be stored (issue 19; only when any); bdh ignores unknown fields. */
  rejected?: RejectedIssue[];
}

/** The reference 500s on an unparsable origin; both failures are 422 here (§19.16). */
export function syncRepoOf(repoOrigin: string): string {
  let canonical: string;
  try {
    canonical = canonicalizeOrigin(repoOrigin);
  } catch {
    throw unprocessable("Invalid repo_origin");
  }
  if (!isCanonicalOrigin(canonical)) throw unprocessable("Invalid repo_origin");
  return canonical;
}

const isBlank = (s: string | null) => s === null || pyStrip(s) === "";

export async function runSync(deps: Deps, auth: RequestAuth, input: SyncInput): Promise<SyncResponse> {
  const identity = await auth.aweb();
  enforceActorBinding(identity, input.workspaceId);
  const projectId = identity.projectId;
  const ws = await touchLiveWorkspace(deps, projectId, input.workspaceId, input.humanName, input.role);
  const repo = syncRepoOf(input.repoOrigin);

  const mode = pyStrip(input.syncMode || "full").toLowerCase();
  if (mode !== "full" && mode !== "incremental") throw unprocessable("sync_mode must be 'full' or 'incremental'");
  let issues: Map<string, IssueRecord> | null = null;
  let deletedIds: string[] = [];
  if (mode === "full") {
    const body = pyStrip(input.issuesJsonl ?? "");
    if (body === "") throw unprocessable("issues_jsonl is required for full sync");
    issues = issuesFromJsonl(body);
  } else {
    if (isBlank(input.changedIssues) && input.deletedIds.length === 0) {
      throw unprocessable("incremental sync requires changes or deletions");
    }
    if (!isBlank(input.changedIssues)) issues = issuesFromJsonl(input.changedIssues!);
    deletedIds = input.deletedIds;
  }

  const rejected = issues ? removeUnstorable(issues) : [];
  // bulk work: its own share of the pool and a per-project cap (issue 19)
  const written = await runBulk(deps.config, projectId, () => deps.sql.begin(async (tx) => {
    const { upsert, deleted } = await writeIssueSet(tx, projectId, repo, SYNC_BRANCH, issues, deletedIds);
    const count = await countIssueSet(tx, projectId, repo, SYNC_BRANCH);
    return { upsert, deleted, count };
  }));

  // Claims follow the bd command that just succeeded (§8.2 step 5); a conflict
  // only skips the claim, the issues are already synced.
  const parsed = parseCommandLine(input.commandLine ?? "");
  const action = claimActionOf(parsed);
  let rejectedReason = "";
  // The claim is recorded under the workspace's own alias, never the body's
  // (issue 19, defect 5; docs/protocol/dashboard-api.md#claims).
  const scope = { projectSlug: ws.project_slug };
  if (action === "claim") {
    const outcome = await claimBead(deps, { projectId, workspaceId: input.workspaceId, beadId: parsed.beadId!, ...scope });
    if (outcome.holder) rejectedReason = claimConflictReason(parsed.beadId!, outcome.holder);
  } else if (action === "release") {
    await releaseClaims(deps, projectId, input.workspaceId, [parsed.beadId!], scope);
  }
  // the reference releases claims on deleted_ids in full mode too (rows are only deleted in incremental)
  const releasable = input.deletedIds.filter((id) => !id.includes("\0")); // Postgres text cannot hold NUL
  if (releasable.length > 0) await releaseClaims(deps, projectId, input.workspaceId, releasable, scope);

  const upsert = written.upsert;
  const notifications = await afterBeadsCommit(deps, auth, {
    projectId,
    projectSlug: ws.project_slug,
    eventWorkspaceId: input.workspaceId,
    changes: upsert?.statusChanges ?? [],
    drain: upsert?.anyStatusChange ?? false,
  });

  const stats = {
    received: upsert?.issuesSynced ?? 0,
    inserted: upsert?.added ?? 0,
    updated: upsert?.updated ?? 0,
    deleted: written.deleted,
  };
  try {
    await writeAudit(deps.sql, {
      projectId,
      eventType: "bdh_sync",
      workspaceId: input.workspaceId,
      alias: ws.alias,
      details: {
        project_id: projectId,
        repo,
        mode,
        ...stats,
        notifications_sent: notifications.sent,
        notifications_failed: notifications.failed,
      },
    });
  } catch (err) {
    // best effort (§8.2 step 7): the sync itself has committed
    deps.log.warning("bdh_sync audit write failed", { error: (err as Error).message });
  }

  return {
    synced: true,
    issues_count: written.count,
    context: null,
    stats,
    sync_protocol_version: 1,
    claim_rejected: rejectedReason !== "",
    claim_rejected_reason: rejectedReason,
    // present only when something was left out: the answer bdh knows is unchanged
    ...(rejected.length > 0 ? { rejected } : {}),
  };
}
