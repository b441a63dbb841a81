// Read side of server.bead_claims (contract beadhub.md §14, GET /v1/claims).
// Claim/release writes live in claim-service.ts.
import type { Db } from "../db/pool";

export interface ClaimListRow {
  id: string;
  bead_id: string;
  workspace_id: string;
  alias: string;
  human_name: string;
  claimed_at: string;
  project_id: string;
}

export interface ClaimListQuery {
  projectId: string;
  workspaceId: string | null;
  /** Keyset position in (claimed_at DESC, id DESC) order; id null = claimed_at only. */
  after: { claimedAt: string; id: string | null } | null;
  limit: number;
}

/** The project's claims, newest first, limit+1 rows. */
export async function listClaims(db: Db, q: ClaimListQuery): Promise<ClaimListRow[]> {
  const after = q.after;
  return db<ClaimListRow[]>`
    select id, bead_id, workspace_id, alias, human_name, claimed_at, project_id
    from server.bead_claims
    where project_id = ${q.projectId}
      ${q.workspaceId !== null ? db`and workspace_id = ${q.workspaceId}` : db``}
      ${
        after === null
          ? db``
          : after.id === null
            ? db`and claimed_at < ${after.claimedAt}::timestamptz`
            : db`and (claimed_at, id) < (${after.claimedAt}::timestamptz, ${after.id}::uuid)`
      }
    order by claimed_at desc, id desc
    limit ${q.limit + 1}`;
}
