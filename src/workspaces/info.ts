// WorkspaceInfo, the item of every workspace list (contract beadhub.md §4.4–4.6):
// a SQL row merged with its Redis presence (presence wins for branch, role and
// last_seen) and its claims, then redacted for public readers (aweb.md §2.5).
import type { Deps } from "../deps";
import { readPresence, type PresenceHash } from "../presence/presence";
import { listClaimsOfWorkspaces, type WorkspaceClaimRow, type WorkspaceListRow } from "./queries";

export interface ClaimInfo {
  bead_id: string;
  title: string | null;
  claimed_at: string;
  apex_id: string | null;
  apex_title: string | null;
  apex_type: string | null;
}

export interface WorkspaceInfo {
  workspace_id: string;
  alias: string;
  human_name: string | null;
  project_id: string | null;
  project_slug: string | null;
  program: string | null;
  model: string | null;
  repo: string | null;
  branch: string | null;
  member_email: string | null;
  role: string | null;
  hostname: string | null;
  workspace_path: string | null;
  apex_id: string | null;
  apex_title: string | null;
  apex_type: string | null;
  focus_apex_id: string | null;
  focus_apex_title: string | null;
  focus_apex_type: string | null;
  focus_apex_repo_name: string | null;
  focus_apex_branch: string | null;
  focus_updated_at: string | null;
  status: string;
  last_seen: string | null;
  deleted_at: string | null;
  claims: ClaimInfo[];
}

export interface MergeOptions {
  includePresence: boolean;
  includeClaims: boolean;
  publicReader: boolean;
}

/** Presence and claims for a page of rows, fetched in two round-trips. */
export async function loadExtras(
  deps: Deps,
  projectId: string,
  rows: { workspace_id: string }[],
  opts: MergeOptions,
): Promise<{ presence: Map<string, PresenceHash>; claims: Map<string, ClaimInfo[]> }> {
  const ids = rows.map((r) => r.workspace_id);
  const [presence, claimRows] = await Promise.all([
    opts.includePresence ? readPresence(deps, ids) : Promise.resolve(new Map<string, PresenceHash>()),
    opts.includeClaims ? listClaimsOfWorkspaces(deps.sql, projectId, ids) : Promise.resolve([] as WorkspaceClaimRow[]),
  ]);
  const claims = new Map<string, ClaimInfo[]>();
  for (const c of claimRows) {
    let list = claims.get(c.workspace_id);
    if (!list) claims.set(c.workspace_id, (list = []));
    list.push({
      bead_id: c.bead_id,
      title: c.claim_title,
      claimed_at: c.claimed_at,
      apex_id: c.apex_bead_id,
      apex_title: c.apex_title,
      apex_type: c.apex_type,
    });
  }
  return { presence, claims };
}

/** Build one WorkspaceInfo from its row, presence (if any) and claims (newest first). */
export function toWorkspaceInfo(
  row: WorkspaceListRow,
  presence: PresenceHash | undefined,
  claims: ClaimInfo[],
  opts: MergeOptions,
): WorkspaceInfo {
  const p = opts.includePresence ? presence : undefined;
  const first = claims[0];
  const info: WorkspaceInfo = {
    workspace_id: row.workspace_id,
    alias: row.alias,
    human_name: row.human_name,
    project_id: row.project_id,
    project_slug: row.project_slug,
    program: p ? (p.program ?? null) : null,
    model: p ? (p.model ?? null) : null,
    repo: row.repo,
    branch: p?.current_branch || row.current_branch,
    member_email: p ? (p.member_email ?? null) : null,
    role: p?.role || row.role,
    hostname: row.hostname,
    workspace_path: row.workspace_path,
    apex_id: first?.apex_id ?? null,
    apex_title: first?.apex_title ?? null,
    apex_type: first?.apex_type ?? null,
    focus_apex_id: row.focus_apex_bead_id,
    focus_apex_title: row.focus_apex_title,
    focus_apex_type: row.focus_apex_type,
    focus_apex_repo_name: row.focus_apex_repo_name,
    focus_apex_branch: row.focus_apex_branch,
    focus_updated_at: row.focus_updated_at,
    status: p ? p.status || "active" : "offline",
    last_seen: p?.last_seen || row.last_seen_at,
    deleted_at: row.deleted_at,
    claims: opts.includeClaims ? claims : [],
  };
  return opts.publicReader ? redact(info) : info;
}

/** Public readers (proxy principal "p") never see who is behind a workspace. */
export function redact(info: WorkspaceInfo): WorkspaceInfo {
  return { ...info, human_name: null, member_email: null, role: null, hostname: null, workspace_path: null };
}

/** GET /v1/workspaces/online: an item built from presence alone (§4.6). */
export function onlineInfo(p: PresenceHash, publicReader: boolean): WorkspaceInfo {
  return {
    workspace_id: p.workspace_id,
    alias: p.alias,
    human_name: publicReader ? null : (p.human_name ?? null),
    project_id: null,
    project_slug: p.project_slug ?? null,
    program: p.program ?? null,
    model: p.model ?? null,
    repo: null,
    branch: p.current_branch ?? null,
    member_email: publicReader ? null : (p.member_email ?? null),
    role: publicReader ? null : p.role || null,
    hostname: null,
    workspace_path: null,
    apex_id: null,
    apex_title: null,
    apex_type: null,
    focus_apex_id: null,
    focus_apex_title: null,
    focus_apex_type: null,
    focus_apex_repo_name: null,
    focus_apex_branch: null,
    focus_updated_at: null,
    status: p.status || "unknown",
    last_seen: p.last_seen || "",
    deleted_at: null,
    claims: [],
  };
}
