// Claims: the shapes of /v1/claims, declared once (docs/protocol/sync.md#claims,
// docs/protocol/dashboard-api.md#claims). Types are derived from the schemas.
import { t } from "elysia";
import { Page, Timestamp, Uuid } from "../http/model";

/** A bead id as a claim stores it: bounded, because it sits in a unique index (issue 19, defect 2). */
export const BEAD_ID_MAX = 255;

/** POST /v1/claims and /v1/claims/release: strict, like every new body. */
export const ClaimBody = t.Object(
  {
    bead_id: t.String({ minLength: 1, maxLength: BEAD_ID_MAX }),
    workspace_id: t.Optional(t.Nullable(t.String())),
  },
  { additionalProperties: false },
);

export const ListClaimsQuery = t.Object({
  workspace_id: t.Optional(t.String()),
  limit: t.Optional(t.String()),
  cursor: t.Optional(t.String()),
});

/** One claim as the list and the claim route answer it; title is the synced issue's, or null. */
export const Claim = t.Object({
  bead_id: t.String(),
  workspace_id: Uuid,
  alias: t.String(),
  human_name: t.String(),
  claimed_at: Timestamp,
  project_id: Uuid,
  title: t.Nullable(t.String()),
});
export type Claim = typeof Claim.static;

export const ClaimPage = Page("claims", Claim);

export const Claimed = t.Pick(Claim, ["bead_id", "workspace_id", "alias", "title", "claimed_at", "project_id"]);
export type Claimed = typeof Claimed.static;

export const Released = t.Object({
  released: t.Boolean(),
  bead_id: t.String(),
  workspace_id: t.Nullable(Uuid),
});
export type Released = typeof Released.static;

/** A row of the list query: the claim plus its id, the paging tie-breaker. */
export type ClaimRow = Claim & { id: string };

/** Who holds a claim, for a conflict's text. */
export type ClaimHolder = Pick<Claim, "workspace_id" | "alias" | "human_name">;

export type RecentClaim = Pick<Claim, "workspace_id" | "alias" | "human_name" | "bead_id" | "claimed_at">;

/** A claim a release removed: who held it, for the bead.unclaimed event. */
export type RemovedClaim = Pick<Claim, "bead_id" | "workspace_id" | "alias">;

export interface Apex {
  bead_id: string;
  repo: string;
  branch: string;
}

export interface ClaimListFilter {
  projectId: string;
  workspaceId: string | null;
  /** Keyset position in (claimed_at DESC, id DESC) order; id null = claimed_at only. */
  after: { claimedAt: string; id: string | null } | null;
  limit: number;
}
