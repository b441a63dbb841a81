// bdh's two endpoints (docs/protocol/sync.md#bdh-sync), and the workspace touch both
// begin with.
//
// POST /v1/bdh/command (docs/protocol/sync.md#bdh-command): bdh's pre-flight before every bd passthrough.
// A conflict is a 200 with approved:false (docs/protocol/sync.md#bdh-sync). Decision (docs/decisions.md Q11): the
// conflict check asks the claims table directly for another holder of the
// bead, of any age, like the sync's claim path does; the reference only looked
// inside the 200 most recent claims it returns.
//
// POST /v1/bdh/sync (docs/protocol/sync.md#bdh-sync, docs/protocol/sync.md#claims): bdh uploads its issues after every
// mutating bd command. Flow: auth + binding → workspace alive + touch →
// canonical repo → parse the JSONL (400 before anything is written) → ONE
// transaction holding the issue set's lock: upsert, deletions, notification
// intents, issue count → claims from the command line → outbox delivery +
// events → audit (best effort).
//
// The touch (docs/protocol/sync.md#bdh-command steps 2–3, docs/protocol/sync.md#bdh-sync): the workspace must exist in the
// caller's project (404) and be live (410, which bdh turns into "run :init");
// then last_seen_at, human_name and role are overwritten — an omitted role
// nulls the column. Presence is refreshed too (best effort).
import type { Deps } from "../deps";
import { enforceActorBinding, type RequestAuth } from "../auth/identity";
import { writeAudit } from "../audit/service";
import { gone, notFound, unprocessable } from "../http/errors";
import { isCanonicalOrigin, normalizeRole } from "../http/field-rules";
import { runBulk } from "../http/rate-limits";
import { writePresence } from "../presence/presence";
import { canonicalizeOrigin } from "../repos/canonical-origin";
import { pyStrip } from "../beads/jsonl";
import { removeUnstorable, type IssueRecord } from "../beads/records";
import { countIssueSet, issuesFromJsonl, writeIssueSet } from "../beads/service";
import { claimBead, claimConflictReason, claimRefusal, recentClaims, releaseClaims } from "../claims/service";
import { afterBeadsCommit } from "../notifications/service";
import { claimActionOf, parseCommandLine } from "./command-line";
import { touchWorkspace } from "./data";
import { findWorkspace } from "../workspaces/service";
import type { CommandAnswer, CommandInput, SyncAnswer, SyncInput, TouchedWorkspace } from "./model";

export async function runCommand(deps: Deps, auth: RequestAuth, input: CommandInput): Promise<CommandAnswer> {
  const identity = await auth.aweb();
  enforceActorBinding(identity, input.workspaceId);
  const projectId = identity.projectId;
  const parsed = parseCommandLine(input.commandLine);
  const wantsClaim = parsed.command === "update" && parsed.status === "in_progress" && parsed.beadId !== null;
  // The reads do not depend on the touch: all in flight at once (latency), and
  // the touch's 404/410 still wins because Promise.all rejects with it.
  const [, claims, refusal] = await Promise.all([
    touchLiveWorkspace(deps, projectId, input.workspaceId, input.humanName, input.role),
    recentClaims(deps, projectId),
    wantsClaim ? claimRefusal(deps, projectId, parsed.beadId!, input.workspaceId) : Promise.resolve(null),
  ]);
  const context = {
    messages_waiting: 0 as const,
    beads_in_progress: claims.map((c) => ({
      bead_id: c.bead_id,
      workspace_id: c.workspace_id,
      alias: c.alias,
      human_name: c.human_name,
      started_at: c.claimed_at,
      title: null,
      role: null,
    })),
  };
  if (refusal) return { approved: false, reason: refusal, context };
  return { approved: true, reason: "", context };
}

/** bdh always syncs the default branch (docs/protocol/sync.md#bdh-sync). */
export const SYNC_BRANCH = "main";

/** The reference 500s on an unparsable origin; both failures are 422 here (docs/protocol/sync.md#bdh-sync). */
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

export async function runSync(deps: Deps, auth: RequestAuth, input: SyncInput): Promise<SyncAnswer> {
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
    issues = await issuesFromJsonl(body);
  } else {
    if (isBlank(input.changedIssues) && input.deletedIds.length === 0) {
      throw unprocessable("incremental sync requires changes or deletions");
    }
    if (!isBlank(input.changedIssues)) issues = await issuesFromJsonl(input.changedIssues!);
    deletedIds = input.deletedIds;
  }

  const rejected = issues ? removeUnstorable(issues) : [];
  // bulk work: its own share of the pool and a per-project cap (issue 19)
  const written = await runBulk(deps.config, projectId, () => deps.sql.begin(async (tx) => {
    const { upsert, deleted } = await writeIssueSet(tx, projectId, repo, SYNC_BRANCH, issues, deletedIds);
    const count = await countIssueSet(tx, projectId, repo, SYNC_BRANCH);
    return { upsert, deleted, count };
  }));

  // Claims follow the bd command that just succeeded (docs/protocol/sync.md#bdh-sync step 5); a conflict
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
    // best effort (docs/protocol/sync.md#bdh-sync step 7): the sync itself has committed
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

/**
 * One round trip on the hot path (two when the touch is due: presence); the
 * 404/410 distinction only when the workspace was not found live.
 */
async function touchLiveWorkspace(
  deps: Deps,
  projectId: string,
  workspaceId: string,
  humanName: string,
  role: string | null,
): Promise<TouchedWorkspace> {
  const [ws] = await touchWorkspace(deps.sql, projectId, workspaceId, humanName, role);
  if (!ws) {
    const found = await findWorkspace(deps.sql, workspaceId);
    if (!found || found.project_id !== projectId) throw notFound("Workspace not found");
    throw gone("Workspace was deleted");
  }
  // Presence was refreshed by the touch that made this one unnecessary, and
  // lives far longer (presenceTtlSeconds) than the touch interval.
  if (!ws.touched) return ws;
  const validRole = role === null ? null : normalizeRole(role);
  await writePresence(deps, {
    workspace_id: workspaceId,
    // never the alias a client sent: a body could name a peer (issue 19, defect 5)
    alias: ws.alias,
    project_id: projectId,
    human_name: humanName,
    project_slug: ws.project_slug ?? undefined,
    repo_id: ws.repo_id ?? undefined,
    current_branch: ws.current_branch ?? undefined,
    member_email: "",
    // the presence hash only ever receives a valid role (docs/protocol/redis.md#redis-what-lives-there)
    role: validRole ? validRole : undefined,
  });
  return ws;
}
