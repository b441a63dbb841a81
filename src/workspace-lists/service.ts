// The workspace lists (docs/protocol/workspaces.md#workspaces-list). Each item is a SQL row
// merged with its Redis presence (presence wins for branch, role and
// last_seen) and its claims, then redacted for public readers (docs/protocol/auth.md#public-readers).
// /team picks candidates in SQL (over-fetching when presence will reorder
// them) and computes the final order here, after presence is known.
import type { Deps } from "../deps";
import type { Identity } from "../auth/identity";
import { unprocessable } from "../http/errors";
import { ALIAS_RE, hasControlChars, isCanonicalOrigin } from "../http/field-rules";
import { cursorIsoTimestamp, cursorUuid, decodeCursor, page, queryBool, queryInt, queryUuid } from "../http/wire";
import { projectPresence, readPresence, type PresenceHash } from "../presence/presence";
import { listClaimsOfWorkspaces, listTeamRows, listWorkspaceRows, type TeamRow, type WorkspaceClaimRow } from "./data";
import type {
  ClaimInfo,
  WorkspaceInfo,
  WorkspaceListParams,
  WorkspaceListRow,
  WorkspaceOnlineParams,
  WorkspacePageAnswer,
  WorkspaceTeamParams,
} from "./model";

/** An empty filter means "no filter", as in the reference (`if human_name:`). */
const filter = (raw: string | undefined): string | null => (raw === undefined || raw === "" ? null : raw);

function repoFilter(raw: string | undefined): string | null {
  const repo = filter(raw);
  if (repo !== null && !isCanonicalOrigin(repo)) throw unprocessable(`Invalid repo format: ${repo.slice(0, 50)}`);
  return repo;
}

function listCursor(raw: string | undefined) {
  const cursor = decodeCursor(raw);
  if (cursor === null) return null;
  // workspace_id is our tie-breaker (rows updated in one statement share
  // updated_at); a reference-style cursor without it still works.
  return { updatedAt: cursorIsoTimestamp(cursor, "updated_at"), workspaceId: cursorUuid(cursor, "workspace_id") };
}

/** GET /v1/workspaces: the paginated registry (bdh :status, alias resolution, cleanup). */
export async function listWorkspaces(deps: Deps, identity: Identity, query: WorkspaceListParams): Promise<WorkspacePageAnswer> {
  const alias = filter(query.alias);
  if (alias !== null && !ALIAS_RE.test(alias)) {
    throw unprocessable("Invalid alias: must be alphanumeric with hyphens/underscores, 1-64 chars");
  }
  const hostname = filter(query.hostname);
  if (hostname !== null && hasControlChars(hostname)) {
    throw unprocessable("Invalid hostname: contains null bytes or control characters");
  }
  const opts = {
    includePresence: queryBool(query.include_presence, "include_presence", true),
    includeClaims: queryBool(query.include_claims, "include_claims", false),
    publicReader: identity.publicReader,
  };
  const limit = queryInt(query.limit, "limit", 50, { min: 1, max: 200 });
  const rows = await listWorkspaceRows(deps.sql, {
    projectId: identity.projectId,
    humanName: filter(query.human_name),
    repo: repoFilter(query.repo),
    alias,
    hostname,
    includeDeleted: queryBool(query.include_deleted, "include_deleted", false),
    after: listCursor(query.cursor),
    limit,
  });
  const result = page(rows, limit, (last) => ({ updated_at: last.updated_at, workspace_id: last.workspace_id }));
  const { presence, claims } = await loadExtras(deps, identity.projectId, result.items, opts);
  return {
    workspaces: result.items.map((row) =>
      toWorkspaceInfo(row, presence.get(row.workspace_id), claims.get(row.workspace_id) ?? [], opts),
    ),
    has_more: result.has_more,
    next_cursor: result.next_cursor,
  };
}

/** GET /v1/workspaces/team: the bounded team view (bdh ready). */
export async function listTeam(deps: Deps, identity: Identity, query: WorkspaceTeamParams): Promise<WorkspacePageAnswer> {
  const workspaces = await teamWorkspaces(deps, {
    projectId: identity.projectId,
    humanName: filter(query.human_name),
    repo: repoFilter(query.repo),
    includeClaims: queryBool(query.include_claims, "include_claims", true),
    includePresence: queryBool(query.include_presence, "include_presence", true),
    onlyWithClaims: queryBool(query.only_with_claims, "only_with_claims", true),
    alwaysIncludeWorkspaceId: queryUuid(filter(query.always_include_workspace_id) ?? undefined, "always_include_workspace_id"),
    limit: queryInt(query.limit, "limit", 15, { min: 1, max: 200 }),
    publicReader: identity.publicReader,
  });
  return { workspaces, has_more: false, next_cursor: null };
}

/** GET /v1/workspaces/online: the project's live presences, most recently seen first. */
export async function listOnline(deps: Deps, identity: Identity, query: WorkspaceOnlineParams): Promise<WorkspacePageAnswer> {
  const publicReader = identity.publicReader;
  const humanName = filter(query.human_name);
  // The reference scans the global index and keeps this project's records;
  // the project index holds the same members, so read only that.
  const live = await projectPresence(deps, identity.projectId);
  const workspaces = [...live.values()]
    .filter((p) => p.workspace_id && p.alias && p.project_id === identity.projectId)
    .filter((p) => humanName === null || p.human_name === humanName)
    .map((p) => onlineInfo(p, publicReader))
    .sort((a, b) => ((a.last_seen ?? "") < (b.last_seen ?? "") ? 1 : (a.last_seen ?? "") > (b.last_seen ?? "") ? -1 : 0));
  return { workspaces, has_more: false, next_cursor: null };
}

const CANDIDATE_MULTIPLIER = 5;
const CANDIDATE_MAX = 500;

/** The parsed /team query; the MCP tool list_team builds one too. */
export interface TeamQuery {
  projectId: string;
  humanName: string | null;
  repo: string | null;
  includeClaims: boolean;
  includePresence: boolean;
  onlyWithClaims: boolean;
  alwaysIncludeWorkspaceId: string | null;
  limit: number;
  publicReader: boolean;
}

/** An ISO timestamp as microseconds since the epoch (0 when absent or unparsable). */
function isoMicros(iso: string | null | undefined): number {
  if (!iso) return 0;
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(.*)$/.exec(iso);
  if (!m) return 0;
  const seconds = Date.parse(m[1] + (m[3] || "Z"));
  if (Number.isNaN(seconds)) return 0;
  const micros = m[2] ? Number(m[2].slice(0, 6).padEnd(6, "0")) : 0;
  return seconds * 1000 + micros;
}

export async function teamWorkspaces(deps: Deps, q: TeamQuery): Promise<WorkspaceInfo[]> {
  const base = { projectId: q.projectId, humanName: q.humanName, repo: q.repo, onlyWithClaims: q.onlyWithClaims };
  const candidateLimit = q.includePresence ? Math.min(q.limit * CANDIDATE_MULTIPLIER, CANDIDATE_MAX) : q.limit;
  const rows: TeamRow[] = await listTeamRows(deps.sql, { ...base, workspaceId: null, limit: candidateLimit });

  const wanted = q.alwaysIncludeWorkspaceId;
  if (wanted !== null && !rows.some((r) => r.workspace_id === wanted)) {
    // Still scoped to the project, live rows and the human_name/repo filters,
    // but not to only_with_claims.
    rows.push(...(await listTeamRows(deps.sql, { ...base, workspaceId: wanted, limit: 1 })));
  }

  const opts = { includePresence: q.includePresence, includeClaims: q.includeClaims, publicReader: q.publicReader };
  const { presence, claims } = await loadExtras(deps, q.projectId, rows, opts);

  const entries = rows.map((row) => {
    const p = q.includePresence ? presence.get(row.workspace_id) : undefined;
    return {
      info: toWorkspaceInfo(row, p, claims.get(row.workspace_id) ?? [], opts),
      hasClaims: row.claim_count > 0 ? 1 : 0,
      online: p ? 1 : 0,
      lastSeen: isoMicros(p?.last_seen) || isoMicros(row.last_seen),
      lastClaimed: isoMicros(row.last_claimed_at),
    };
  });
  entries.sort(
    (a, b) =>
      b.hasClaims - a.hasClaims ||
      b.online - a.online ||
      b.lastSeen - a.lastSeen ||
      b.lastClaimed - a.lastClaimed ||
      (a.info.alias < b.info.alias ? -1 : a.info.alias > b.info.alias ? 1 : 0),
  );
  // Cut after sorting: the always-included row can still fall off (docs/protocol/workspaces.md#workspaces-team).
  return entries.slice(0, q.limit).map((e) => ({ ...e.info, deleted_at: null }));
}

interface MergeOptions {
  includePresence: boolean;
  includeClaims: boolean;
  publicReader: boolean;
}

/** Presence and claims for a page of rows, fetched in two round-trips. */
async function loadExtras(
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
  for (const { workspace_id, ...claim } of claimRows) {
    let list = claims.get(workspace_id);
    if (!list) claims.set(workspace_id, (list = []));
    list.push(claim);
  }
  return { presence, claims };
}

/** Build one WorkspaceInfo from its row, presence (if any) and claims (newest first). */
function toWorkspaceInfo(
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
    branch: p?.current_branch || row.branch,
    member_email: p ? (p.member_email ?? null) : null,
    role: p?.role || row.role,
    hostname: row.hostname,
    workspace_path: row.workspace_path,
    apex_id: first?.apex_id ?? null,
    apex_title: first?.apex_title ?? null,
    apex_type: first?.apex_type ?? null,
    focus_apex_id: row.focus_apex_id,
    focus_apex_title: row.focus_apex_title,
    focus_apex_type: row.focus_apex_type,
    focus_apex_repo_name: row.focus_apex_repo_name,
    focus_apex_branch: row.focus_apex_branch,
    focus_updated_at: row.focus_updated_at,
    status: p ? p.status || "active" : "offline",
    last_seen: p?.last_seen || row.last_seen,
    deleted_at: row.deleted_at,
    claims: opts.includeClaims ? claims : [],
  };
  return opts.publicReader ? redact(info) : info;
}

/** Public readers (proxy principal "p") never see who is behind a workspace. */
function redact(info: WorkspaceInfo): WorkspaceInfo {
  return { ...info, human_name: null, member_email: null, role: null, hostname: null, workspace_path: null };
}

/** GET /v1/workspaces/online: an item built from presence alone. */
function onlineInfo(p: PresenceHash, publicReader: boolean): WorkspaceInfo {
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
