// Claims: the one place their rules live (docs/protocol/sync.md#claims,
// docs/protocol/dashboard-api.md#claims). bdh's pre-flight and sync, the REST
// routes and the MCP tools all claim and release through here.
//
// Exclusivity is per (project, bead_id) across repos (docs/protocol/sync.md#claims): a claim takes a
// transaction-scoped advisory lock on (project, bead) before it looks for
// another holder, so of two agents claiming at once exactly one wins.
// Decision (docs/decisions.md Q1): a jump-in keeps the reference's single holder — bdh's
// --:jump-in only overrides the pre-flight on the client.
//
// Lock order, for every write: the workspace row (lockWorkspace) first, then
// the bead's advisory lock, then claim rows. A workspace or repo deletion
// updates the workspace row before it deletes the claims, so a claim cannot
// land on a workspace that is being deleted (issue 19, defect 3), and claims
// and releases of one workspace cannot deadlock on its focus update.
import type { Deps } from "../deps";
import type { Db } from "../db/pool";
import { ONLY_HUMAN, type Human, type Identity, type RequestAuth } from "../auth/identity";
import { AppError, conflict, forbidden, gone, unprocessable } from "../http/errors";
import { presenceSlug, publishWorkspaceEvent } from "../events/publish";
import { requireOwnWorkspace } from "../workspaces/access";
import {
  deleteClaims,
  deleteClaimsOfWorkspaces,
  findHolders,
  findIssueTitle,
  findOtherHolder,
  listClaims,
  listRecentClaims,
  lockBeadClaims,
  lockWorkspace,
  refocus,
  resolveApex,
  setFocus,
  upsertClaim,
} from "./data";
import { BEAD_ID_MAX, type ClaimHolder, type ClaimListFilter, type ClaimRow, type Claimed, type RecentClaim, type Released, type RemovedClaim } from "./model";

/** What POST /v1/claims and the MCP tools take. */
export interface ClaimRequest {
  bead_id: string;
  /** Default: the caller's own workspace (its actor agent's id). A canonical UUID. */
  workspace_id?: string | null;
}

/** The route's model checks this too; callers without one (MCP) rely on it here. */
function checkBeadId(beadId: string): void {
  if (beadId.length === 0 || beadId.length > BEAD_ID_MAX || beadId.includes("\0")) {
    throw unprocessable(`bead_id must be 1-${BEAD_ID_MAX} characters without NUL`);
  }
}

export const claimConflictReason = (beadId: string, holder: ClaimHolder) =>
  `${beadId} is being worked on by ${holder.alias} (${holder.human_name})`;

/** The pre-flight's question: may this workspace claim the bead? The refusal text, or null. */
export async function claimRefusal(deps: Deps, projectId: string, beadId: string, workspaceId: string): Promise<string | null> {
  const holder = await findOtherHolder(deps.sql, projectId, beadId, workspaceId);
  return holder ? claimConflictReason(beadId, holder) : null;
}

/** The project's most recent claims (bdh's beads_in_progress). */
export function recentClaims(deps: Deps, projectId: string): Promise<RecentClaim[]> {
  return listRecentClaims(deps.sql, projectId);
}

export function findClaims(deps: Deps, filter: ClaimListFilter): Promise<ClaimRow[]> {
  return listClaims(deps.sql, filter);
}

export type ClaimOutcome =
  | { claimed: Claimed; holder: null }
  | { claimed: null; holder: ClaimHolder };

/**
 * Claim a bead for a workspace, under the workspace's own alias and human
 * name (issue 19, defect 5: never a name the client sent). 410 when the
 * workspace is not live once locked. Publishes bead.claimed after commit.
 */
export async function claimBead(
  deps: Deps,
  c: { projectId: string; workspaceId: string; beadId: string; projectSlug?: string | null },
): Promise<ClaimOutcome> {
  const [apex, title] = await Promise.all([
    resolveApex(deps.sql, c.projectId, c.beadId),
    findIssueTitle(deps.sql, c.projectId, c.beadId),
  ]);
  const outcome = await deps.sql.begin(async (tx): Promise<ClaimOutcome> => {
    const ws = await lockWorkspace(tx, c.projectId, c.workspaceId);
    if (!ws || !ws.live) throw gone("Workspace was deleted");
    await lockBeadClaims(tx, c.projectId, c.beadId);
    const holder = await findOtherHolder(tx, c.projectId, c.beadId, c.workspaceId);
    if (holder) return { claimed: null, holder };
    const claimedAt = await upsertClaim(tx, { ...c, alias: ws.alias, humanName: ws.human_name, apex });
    if (apex) await setFocus(tx, c.projectId, c.workspaceId, apex);
    const claimed = {
      bead_id: c.beadId,
      workspace_id: c.workspaceId,
      alias: ws.alias,
      title,
      claimed_at: claimedAt,
      project_id: c.projectId,
    };
    return { claimed, holder: null };
  });
  if (outcome.claimed) {
    const slug = c.projectSlug !== undefined ? c.projectSlug : await presenceSlug(deps, c.workspaceId);
    await publishWorkspaceEvent(deps, c.workspaceId, "bead.claimed", slug, {
      bead_id: c.beadId,
      alias: outcome.claimed.alias,
      title,
    });
  }
  return outcome;
}

/**
 * Release one workspace's claims on these beads, then point its focus at the
 * apex of its most recent remaining claim (focus_updated_at is bumped even
 * when nothing was deleted, as in the reference). Publishes bead.unclaimed per
 * released claim. A deleted workspace has no claims to release.
 */
export async function releaseClaims(
  deps: Deps,
  projectId: string,
  workspaceId: string,
  beadIds: string[],
  extra: { projectSlug?: string | null; event?: Record<string, unknown> } = {},
): Promise<RemovedClaim[]> {
  if (beadIds.length === 0) return [];
  const removed = await deps.sql.begin(async (tx) => {
    const ws = await lockWorkspace(tx, projectId, workspaceId);
    if (!ws) return [];
    const rows = await deleteClaims(tx, projectId, workspaceId, beadIds);
    await refocus(tx, projectId, workspaceId);
    return rows;
  });
  await announceUnclaimed(deps, projectId, removed, extra);
  return removed;
}

/**
 * Inside a workspace or repo deletion's transaction, after its soft delete
 * locked the workspace rows (every claim write locks its workspace first, so
 * no claim slips in after this; issue 19 defect 3): every claim of those
 * workspaces goes. Announce the result with announceUnclaimed after commit.
 */
export async function dropClaimsWithin(tx: Db, workspaceIds: string[]): Promise<RemovedClaim[]> {
  return workspaceIds.length === 0 ? [] : deleteClaimsOfWorkspaces(tx, workspaceIds);
}

/**
 * After commit: one bead.unclaimed per removed claim, on the channel of the
 * workspace that held it (docs/protocol/events.md). `extra.event` adds fields:
 * `released_by` for a human's release, `reason` for a deletion.
 */
export async function announceUnclaimed(
  deps: Deps,
  projectId: string,
  removed: RemovedClaim[],
  extra: { projectSlug?: string | null; event?: Record<string, unknown> } = {},
): Promise<void> {
  if (removed.length === 0) return;
  const titles = await Promise.all(removed.map((r) => findIssueTitle(deps.sql, projectId, r.bead_id)));
  const slugs = new Map<string, string | null>();
  for (const [i, r] of removed.entries()) {
    let slug = extra.projectSlug;
    if (slug === undefined) {
      if (!slugs.has(r.workspace_id)) slugs.set(r.workspace_id, await presenceSlug(deps, r.workspace_id));
      slug = slugs.get(r.workspace_id) ?? null;
    }
    await publishWorkspaceEvent(deps, r.workspace_id, "bead.unclaimed", slug, {
      bead_id: r.bead_id,
      alias: r.alias,
      title: titles[i],
      ...extra.event,
    });
  }
}

/** The workspace a request names, or the caller's own (its actor agent's). */
function workspaceOf(identity: Identity, raw: string | null | undefined): string {
  if (raw != null) return raw;
  if (identity.agentId === null) throw forbidden("API key is not bound to an agent");
  return identity.agentId;
}

/** POST /v1/claims: claim for the caller's own live workspace; 409 with the pre-flight's text when held. */
export async function claimIssue(
  deps: Deps,
  identity: Identity,
  input: ClaimRequest,
): Promise<Claimed> {
  checkBeadId(input.bead_id);
  const workspaceId = workspaceOf(identity, input.workspace_id);
  await requireOwnWorkspace(deps.sql, identity, workspaceId);
  const outcome = await claimBead(deps, { projectId: identity.projectId, workspaceId, beadId: input.bead_id });
  if (outcome.holder) throw conflict(claimConflictReason(input.bead_id, outcome.holder));
  return outcome.claimed;
}

/**
 * POST /v1/claims/release. An agent releases its own live workspace's claim;
 * a human (already checked by the caller) any claim in the project, by
 * workspace or, without one, every holder of the bead.
 */
export async function releaseIssue(
  deps: Deps,
  identity: Identity,
  input: ClaimRequest,
  human: Human | null = null,
): Promise<Released> {
  checkBeadId(input.bead_id);
  const projectId = identity.projectId;
  if (human === null) {
    const workspaceId = workspaceOf(identity, input.workspace_id);
    await requireOwnWorkspace(deps.sql, identity, workspaceId);
    const removed = await releaseClaims(deps, projectId, workspaceId, [input.bead_id]);
    return { released: removed.length > 0, bead_id: input.bead_id, workspace_id: workspaceId };
  }
  const event = { released_by: human.name };
  // A named workspace must be one of this project's (a foreign id reads as not found or not yours).
  if (input.workspace_id != null) await requireOwnWorkspace(deps.sql, identity, input.workspace_id, { bound: false });
  const holders = input.workspace_id != null ? [input.workspace_id] : await findHolders(deps.sql, projectId, input.bead_id);
  let released: RemovedClaim[] = [];
  for (const workspaceId of holders) {
    released = released.concat(await releaseClaims(deps, projectId, workspaceId, [input.bead_id], { event }));
  }
  return {
    released: released.length > 0,
    bead_id: input.bead_id,
    workspace_id: input.workspace_id ?? released[0]?.workspace_id ?? null,
  };
}

/** The human, or null for a caller the human rule refuses (who may still act on its own claims). */
export async function humanOrNull(auth: RequestAuth) {
  try {
    return await auth.requireHuman();
  } catch (err) {
    if (err instanceof AppError && err.status === 403 && err.detail === ONLY_HUMAN) return null;
    throw err;
  }
}
