// Status (docs/protocol/status.md#status-snapshot, docs/protocol/status.md#status-stream).
//
// GET /v1/status: the workspace set's presence, claims, claim conflicts and
// the project's pending escalation count. The database decides which
// workspaces exist; Redis only enriches them with presence (an empty set
// means no agents: fail closed).
//
// GET /v1/status/stream: the events of a workspace set fixed when the stream
// opens (stream.ts holds the SSE body). The handler's own checks answer
// plain-string details, in the reference's order.
import { findWorkspace } from "../workspaces/service";
import type { Deps } from "../deps";
import type { Identity } from "../auth/identity";
import { AppError, notFound, unprocessable } from "../http/errors";
import { isCanonicalOrigin } from "../http/field-rules";
import { nowIso } from "../http/time";
import { pyRepr } from "../http/wire";
import { readPresence } from "../presence/presence";
import {
  humanWorkspaceIds,
  listStatusClaims,
  loadStatusScope,
  originWorkspaceIds,
  projectWorkspaceIds,
  type StatusScope,
} from "./data";
import type { StatusFilter } from "./model";
import { EVENT_CATEGORIES, statusStreamResponse } from "./stream";

/** At most this many workspaces per snapshot (reference DEFAULT_WORKSPACE_LIMIT). */
export const STATUS_WORKSPACE_LIMIT = 200;

export interface SnapshotInput {
  projectId: string;
  projectSlug: string;
  /** Proxy public reader: no human names, member emails or escalation count (docs/protocol/auth.md#authentication-and-identity). */
  publicReader: boolean;
  filter: StatusFilter;
  /** From loadStatusScope: the workspace set and the pending escalation count. */
  scope: StatusScope;
}

/** The snapshot of the caller's project, one workspace or one repo (GET /v1/status, the MCP status tool). */
export async function statusSnapshot(deps: Deps, identity: Identity, filter: StatusFilter) {
  const { projectId } = identity;
  const scope = await loadStatusScope(deps.sql, projectId, filter, STATUS_WORKSPACE_LIMIT);
  if (scope.slug === null) throw new AppError(500, "Authenticated project not found");
  if (filter.kind === "workspace" && scope.workspace_ids.length === 0) throw notFound("Workspace not found");
  return buildStatusSnapshot(deps, { projectId, projectSlug: scope.slug, publicReader: identity.publicReader, filter, scope });
}

export async function buildStatusSnapshot(deps: Deps, input: SnapshotInput) {
  const { projectId, publicReader, filter } = input;
  const slug = input.projectSlug;

  const workspaceIds = input.scope.workspace_ids;

  const workspace =
    filter.kind === "workspace"
      ? { workspace_id: filter.workspaceId, project_id: projectId, project_slug: slug }
      : filter.kind === "repo"
        ? { repo_id: filter.repoId, workspace_count: workspaceIds.length, project_id: projectId, project_slug: slug }
        : { project_id: projectId, project_slug: slug, workspace_count: workspaceIds.length };

  const [presence, claimRows] = await Promise.all([
    readPresence(deps, workspaceIds),
    listStatusClaims(deps.sql, projectId, workspaceIds),
  ]);

  const claims = claimRows.map((r) => ({
    bead_id: r.bead_id,
    workspace_id: r.workspace_id,
    alias: r.alias,
    human_name: publicReader ? "" : r.human_name,
    claimed_at: r.claimed_at,
    claimant_count: r.claimant_count,
    title: r.title,
    project_id: r.project_id,
  }));

  // A workspace's current issue is its most recent claim (rows are newest first).
  const currentIssue = new Map<string, string>();
  for (const c of claims) if (!currentIssue.has(c.workspace_id)) currentIssue.set(c.workspace_id, c.bead_id);

  const agents = [];
  for (const id of workspaceIds) {
    const p = presence.get(id);
    if (!p) continue;
    const wsId = p.workspace_id || id;
    agents.push({
      workspace_id: wsId,
      alias: p.alias ?? "",
      member: publicReader ? null : p.member_email || null,
      program: p.program || null,
      role: p.role || null,
      status: p.status || "unknown",
      current_issue: currentIssue.get(wsId) ?? null,
      last_seen: p.last_seen ?? null,
    });
  }

  // Beads held by more than one workspace, claimants in claim order.
  const conflictMap = new Map<string, { alias: string; human_name: string; workspace_id: string }[]>();
  for (const c of claims) {
    if (c.claimant_count <= 1) continue;
    let list = conflictMap.get(c.bead_id);
    if (!list) conflictMap.set(c.bead_id, (list = []));
    list.push({ alias: c.alias, human_name: c.human_name, workspace_id: c.workspace_id });
  }
  const conflicts = [...conflictMap].map(([bead_id, claimants]) => ({ bead_id, claimants }));

  return {
    workspace,
    agents,
    claims,
    conflicts,
    escalations_pending: publicReader ? 0 : input.scope.pending,
    timestamp: nowIso(),
  };
}

/** `event_types`: comma-separated categories, trimmed and lowercased; null = all. */
function parseCategories(raw: string | undefined): Set<string> | null {
  if (!raw) return null;
  const wanted = new Set(raw.split(",").map((s) => s.trim().toLowerCase()));
  const bad = [...wanted].filter((c) => !(EVENT_CATEGORIES as readonly string[]).includes(c));
  if (bad.length > 0) {
    throw unprocessable(
      `Invalid event types: {${bad.map(pyRepr).join(", ")}}. ` +
        `Valid types: {${EVENT_CATEGORIES.map(pyRepr).join(", ")}}`,
    );
  }
  return wanted;
}

export interface StatusStreamRequest {
  /** A plain workspace id (already checked), or undefined. */
  workspaceId?: string;
  repo?: string;
  humanName?: string;
  limit: number;
  eventTypes?: string;
  requestSignal: AbortSignal;
  shutdownSignal: AbortSignal;
}

/** The SSE response of GET /v1/status/stream for the caller's project. */
export async function openStatusStream(deps: Deps, identity: Identity, q: StatusStreamRequest): Promise<Response> {
  const { projectId } = identity;
  // Precedence workspace_id > repo > human_name > all; the set is fixed now (docs/protocol/status.md).
  let workspaceIds: string[];
  if (q.workspaceId) {
    const ws = await findWorkspace(deps.sql, q.workspaceId);
    if (!ws || ws.project_id !== projectId || ws.deleted_at !== null) throw notFound("Workspace not found");
    workspaceIds = [q.workspaceId];
  } else if (q.repo) {
    if (!isCanonicalOrigin(q.repo)) throw unprocessable(`Invalid repo format: ${q.repo.slice(0, 50)}`);
    workspaceIds = await originWorkspaceIds(deps.sql, projectId, q.repo, q.limit);
  } else if (q.humanName) {
    workspaceIds = await humanWorkspaceIds(deps.sql, projectId, q.humanName, q.limit);
  } else {
    workspaceIds = await projectWorkspaceIds(deps.sql, projectId, q.limit);
  }
  // A filter that matches nothing is a mistake; a project without
  // workspaces yet gets a keepalive-only stream.
  if (workspaceIds.length === 0 && (q.repo || q.humanName)) {
    throw notFound("No workspaces found for the provided filter");
  }
  let categories = parseCategories(q.eventTypes);
  // Public readers get bead events only: the others carry private data (docs/protocol/auth.md#authentication-and-identity).
  if (identity.publicReader) categories = new Set(["bead"]);
  return statusStreamResponse(deps, {
    workspaceIds,
    categories,
    requestSignal: q.requestSignal,
    shutdownSignal: q.shutdownSignal,
  });
}
