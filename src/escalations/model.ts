// Escalations: the shapes of /v1/escalations, declared once
// (docs/protocol/escalations.md). Types are derived from the schemas.
import { t } from "elysia";
import { Page, Timestamp, Uuid } from "../http/model";

export const ESCALATION_STATUSES = ["expired", "pending", "responded"] as const;

/** bdh `:escalate` sends workspace_id, alias, subject and situation. */
export const CreateEscalationBody = t.Object({
  workspace_id: t.String({ minLength: 1 }),
  alias: t.String({ minLength: 1, maxLength: 64 }),
  subject: t.String({ minLength: 1 }),
  situation: t.String({ minLength: 1 }),
  options: t.Optional(t.Nullable(t.Array(t.String()))),
  // Coerced like pydantic's lax int (checked in the route: 60, 60.0 and "60").
  expires_in_hours: t.Optional(t.Unknown()),
  member_email: t.Optional(t.Nullable(t.String())),
});
export type CreateEscalationBody = typeof CreateEscalationBody.static;

export const ListEscalationsQuery = t.Object({
  workspace_id: t.Optional(t.String()),
  repo_id: t.Optional(t.String()),
  status: t.Optional(t.String()),
  alias: t.Optional(t.String()),
  limit: t.Optional(t.String()),
  cursor: t.Optional(t.String()),
});

export const EscalationParams = t.Object({ escalation_id: t.String() });
export const EscalationQuery = t.Object({ workspace_id: t.Optional(t.String()) });

export const RespondBody = t.Object({
  response: t.String({ minLength: 1 }),
  note: t.Optional(t.Nullable(t.String())),
});

/**
 * One escalation as stored, with its effective status: a pending one past
 * expires_at reads as "expired" (docs/protocol/escalations.md#expiry).
 */
export const Escalation = t.Object({
  escalation_id: Uuid,
  workspace_id: Uuid,
  alias: t.String(),
  member_email: t.Nullable(t.String()),
  subject: t.String(),
  situation: t.String(),
  options: t.Nullable(t.Array(t.String())),
  status: t.UnionEnum(ESCALATION_STATUSES),
  response: t.Nullable(t.String()),
  response_note: t.Nullable(t.String()),
  created_at: Timestamp,
  responded_at: t.Nullable(Timestamp),
  expires_at: t.Nullable(Timestamp),
  /** Who answered: an alias, or user:<id> (docs/protocol/dashboard-api.md#escalations-responded_by). */
  responded_by: t.Nullable(t.String()),
});
export type Escalation = typeof Escalation.static;

export const EscalationCreated = t.Pick(Escalation, ["escalation_id", "status", "created_at", "expires_at"]);
export type EscalationCreated = typeof EscalationCreated.static;

export const EscalationSummary = t.Pick(Escalation, [
  "escalation_id", "alias", "subject", "status", "created_at", "expires_at", "responded_by",
]);
export type EscalationSummary = typeof EscalationSummary.static;
export const EscalationPage = Page("escalations", EscalationSummary);

export const EscalationResponded = t.Pick(Escalation, [
  "escalation_id", "status", "response", "response_note", "responded_at", "responded_by",
]);
export type EscalationResponded = typeof EscalationResponded.static;

/** A new escalation, as the service hands it to the data layer. */
export type NewEscalation = Pick<Escalation, "workspace_id" | "alias" | "member_email" | "subject" | "situation" | "options"> & {
  project_id: string;
  expires_in_hours: number;
};

export interface EscalationFilter {
  projectId: string;
  workspaceId: string | null;
  repoId: string | null;
  status: string | null;
  alias: string | null;
  before: string | null;
  limit: number;
}
