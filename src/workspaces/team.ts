// GET /v1/workspaces/team (contract beadhub.md §4.5): a bounded, prioritised
// view for `bdh ready`. SQL picks candidates (over-fetching when presence will
// reorder them); the final order is computed here, after presence is known.
import type { Deps } from "../deps";
import { loadExtras, toWorkspaceInfo, type WorkspaceInfo } from "./info";
import { listTeamRows, type TeamRow } from "./queries";

const CANDIDATE_MULTIPLIER = 5;
const CANDIDATE_MAX = 500;

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
export function isoMicros(iso: string | null | undefined): number {
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
      lastSeen: isoMicros(p?.last_seen) || isoMicros(row.last_seen_at),
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
  // Cut after sorting: the always-included row can still fall off (§4.5).
  return entries.slice(0, q.limit).map((e) => ({ ...e.info, deleted_at: null }));
}
