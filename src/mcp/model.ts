// MCP tool arguments, and the MCP views of tool results. A result a tool
// passes through from a feature's service, whole or in part, is derived from
// that feature's model.ts (t.Pick, or a spread of its properties), here or in
// the tool, so its fields are declared once, there. Declared field by field
// here: only what the tools themselves compute, each with why. Result objects
// list the fields a model relies on and allow more (Open: a feature may add
// fields to its answers without breaking a client's outputSchema check).
import { t } from "elysia";
import { ChatMessage, ChatPending as ChatPendingModel, PendingChat } from "../chat/model";
import { Claim as ClaimModel } from "../claims/model";
import { IssueDetail, IssuePage, ReadyIssue, ReadyIssues } from "../beads/model";
import { InboxMessage, MailSent as MailSentModel, SentMessage } from "../messages/model";
import { Reservation } from "../reservations/model";

export const Open = { additionalProperties: true } as const;
/** Tool arguments are strict: an unknown argument is a mistake worth a -32602. */
export const Strict = { additionalProperties: false } as const;

export const WorkspaceIdArg = t.Optional(
  t.String({ format: "uuid", description: "A workspace of yours; defaults to the workspace of the calling agent." }),
);
export const Limit = (max: number, fallback: number) =>
  t.Optional(t.Integer({ minimum: 1, maximum: max, description: `How many at most (default ${fallback}).` }));
export const Repo = t.Optional(t.String({ minLength: 1, maxLength: 255, description: "Canonical repo origin, e.g. github.com/org/repo." }));
export const Branch = t.Optional(t.String({ minLength: 1, maxLength: 255 }));
export const BeadId = t.String({ minLength: 1, maxLength: 255, description: "The issue id, e.g. bd-12." });
export const Paths = t.Array(t.String({ minLength: 1, maxLength: 4096 }), {
  minItems: 1,
  maxItems: 100,
  description: "File paths or glob patterns; each is one lock key, matched literally.",
});

/** The fields every issue answer carries (list item, ready item, detail); ReadyIssue is the smallest of them. */
const ISSUE_SUMMARY = ["bead_id", "repo", "branch", "title", "status", "priority", "type"] as const;
export const IssueSummary = t.Pick(ReadyIssue, ISSUE_SUMMARY, Open);
export const Issue = t.Pick(IssueDetail, [...ISSUE_SUMMARY, "project_id", "description"], Open);
/** ready_issues: ReadyIssues, each item read as an IssueSummary. */
export const IssueList = t.Object({ ...ReadyIssues.properties, issues: t.Array(IssueSummary) }, Open);
/** list_issues: a page of IssuePage, each item read as an IssueSummary. */
export const IssueListPage = t.Object(
  { issues: t.Array(IssueSummary), ...t.Pick(IssuePage, ["count", "has_more", "next_cursor"]).properties },
  Open,
);

/** Who claimed which issue when: the fields a claim shows in every answer (claims, status). */
export const CLAIM_SUMMARY = ["bead_id", "workspace_id", "alias", "claimed_at"] as const;
export const Claim = t.Pick(ClaimModel, CLAIM_SUMMARY, Open);

export const Lock = t.Pick(Reservation, ["resource_key", "holder_agent_id", "holder_alias", "expires_at"], Open);

export const MailItem = t.Object({ ...InboxMessage.properties }, Open);
/** send_message mails several agents in one call, so each answer names its recipient (as SentMessage does). */
export const MailSent = t.Object(
  { ...MailSentModel.properties, ...t.Pick(SentMessage, ["to_agent_id", "to_alias"]).properties },
  Open,
);

export const ChatItem = t.Object({ ...ChatMessage.properties }, Open);
export const ChatPending = t.Object(
  {
    pending: t.Array(t.Pick(PendingChat, ["session_id", "participants", "unread_count", "sender_waiting"], Open)),
    ...t.Pick(ChatPendingModel, ["messages_waiting"]).properties,
  },
  Open,
);

/** whoami's own view of the caller: the authenticated agent with its workspace (if any); no feature answers it. */
export const Me = t.Object(
  {
    agent_id: t.String(),
    alias: t.String(),
    human_name: t.String(),
    agent_type: t.String(),
    project_id: t.String(),
    workspace_id: t.Nullable(t.String()),
    role: t.Nullable(t.String()),
  },
  Open,
);
