// MCP tools over issues, claims, status, team and policy (docs/protocol/mcp.md#tools).
// Each is one call into the service the REST route uses.
import { t } from "elysia";
import { checkBranch, checkRepo, parseIssueCursor, ISSUE_STATUSES, ISSUE_TYPES } from "../beads/params";
import { issueDetail, issuePage, readyIssues } from "../beads/service";
import { claimIssue, findClaims, humanOrNull, releaseIssue } from "../claims/service";
import { Claim as ClaimModel, Claimed, Released } from "../claims/model";
import { PolicyBundle } from "../policies/model";
import { loadOrBootstrapActive } from "../policies/service";
import { policyView } from "../policies/view";
import { StatusAgent, StatusClaim, StatusConflict, StatusScope, StatusSnapshot } from "../status/model";
import { statusSnapshot } from "../status/service";
import { WorkspaceView } from "../workspace-lists/model";
import { teamWorkspaces } from "../workspace-lists/service";
import { Branch, BeadId, CLAIM_SUMMARY, Issue, IssueList, IssueListPage, Limit, Open, Repo, Strict, WorkspaceIdArg } from "./model";
import { DESTRUCTIVE, IDEMPOTENT, ownWorkspace, READ, tool, type ToolContext } from "./tool";

const repoOf = (repo: string | undefined) => (repo === undefined ? null : checkRepo(repo));
const branchOf = (branch: string | undefined) => (branch === undefined ? null : checkBranch(branch));

export const listIssuesTool = tool({
  name: "list_issues",
  title: "List issues",
  description:
    "Search the project's synced issues (beads), newest activity first. Filter by repo, branch, status, " +
    "assignee, label, type or a text query; page with next_cursor.",
  input: t.Object(
    {
      repo: Repo,
      branch: Branch,
      status: t.Optional(t.Array(t.UnionEnum(ISSUE_STATUSES as ["closed", "in_progress", "open"]), { minItems: 1 })),
      assignee: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
      label: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
      type: t.Optional(t.UnionEnum(ISSUE_TYPES as ["bug", "chore", "epic", "feature", "task"])),
      query: t.Optional(t.String({ minLength: 1, maxLength: 255, description: "Text to find in titles and ids." })),
      limit: Limit(200, 50),
      cursor: t.Optional(t.String({ description: "next_cursor of the previous page." })),
    },
    Strict,
  ),
  output: IssueListPage,
  annotations: READ,
  async run(c, a) {
    const { projectId } = await c.auth.identity();
    const filters = {
      repo: repoOf(a.repo),
      branch: branchOf(a.branch),
      statuses: a.status ?? [],
      assignee: a.assignee ?? null,
      createdBy: null,
      label: a.label ?? null,
      type: a.type ?? null,
      q: a.query ?? null,
    };
    return issuePage(c.deps, projectId, filters, parseIssueCursor(a.cursor), a.limit ?? 50);
  },
});

export const getIssueTool = tool({
  name: "get_issue",
  title: "Get an issue",
  description: "One issue with its description. Give repo and branch for an exact copy, else the newest synced one.",
  input: t.Object({ bead_id: BeadId, repo: Repo, branch: Branch }, Strict),
  output: Issue,
  annotations: READ,
  async run(c, a) {
    const { projectId } = await c.auth.identity();
    return issueDetail(c.deps, projectId, a.bead_id, repoOf(a.repo), branchOf(a.branch));
  },
});

export const readyIssuesTool = tool({
  name: "ready_issues",
  title: "Ready issues",
  description: "Open issues whose blockers are all closed: what can be started now. Claim one before working on it.",
  input: t.Object({ repo: Repo, branch: Branch, limit: Limit(200, 10) }, Strict),
  output: IssueList,
  annotations: READ,
  async run(c, a) {
    const { projectId } = await c.auth.identity();
    return readyIssues(c.deps, projectId, repoOf(a.repo), branchOf(a.branch), a.limit ?? 10);
  },
});

export const statusTool = tool({
  name: "status",
  title: "Project status",
  description:
    "Who is online, what each agent works on, every claim, claim conflicts and the number of pending " +
    "escalations. The whole project, or one workspace with workspace_id.",
  input: t.Object({ workspace_id: t.Optional(t.String({ format: "uuid" })) }, Strict),
  output: t.Object(
    {
      workspace: t.Pick(StatusScope, ["project_id"], Open),
      agents: t.Array(t.Pick(StatusAgent, ["workspace_id", "alias"], Open)),
      claims: t.Array(t.Pick(StatusClaim, CLAIM_SUMMARY, Open)),
      conflicts: t.Array(t.Pick(StatusConflict, ["bead_id", "claimants"], Open)),
      ...t.Pick(StatusSnapshot, ["escalations_pending"]).properties,
    },
    Open,
  ),
  annotations: READ,
  async run(c, a) {
    const identity = await c.auth.identity();
    const filter = a.workspace_id ? { kind: "workspace" as const, workspaceId: a.workspace_id.toLowerCase() } : { kind: "project" as const };
    return statusSnapshot(c.deps, identity, filter);
  },
});

export const workspaceTeamTool = tool({
  name: "workspace_team",
  title: "Team",
  description: "The project's workspaces: agents with claims and recent activity first, with their presence and claims.",
  input: t.Object(
    {
      repo: Repo,
      only_with_claims: t.Optional(t.Boolean({ description: "Only workspaces holding a claim (default false)." })),
      limit: Limit(200, 15),
    },
    Strict,
  ),
  output: t.Object({ workspaces: t.Array(t.Pick(WorkspaceView, ["workspace_id", "alias", "status", "claims"], Open)) }, Open),
  annotations: READ,
  async run(c, a) {
    const identity = await c.auth.identity();
    const workspaces = await teamWorkspaces(c.deps, {
      projectId: identity.projectId,
      humanName: null,
      repo: repoOf(a.repo),
      includeClaims: true,
      includePresence: true,
      onlyWithClaims: a.only_with_claims ?? false,
      alwaysIncludeWorkspaceId: null,
      limit: a.limit ?? 15,
      publicReader: identity.publicReader,
    });
    return { workspaces };
  },
});

export const PolicyResult = t.Pick(PolicyBundle, ["policy_id", "version", "invariants", "roles", "selected_role"], Open);

/** The active policy, narrowed to one role when there is one (null: every role). */
export async function policyForRole(c: ToolContext, role: string | null) {
  const { projectId } = await c.auth.identity();
  const policy = await loadOrBootstrapActive(c.deps.sql, projectId);
  return policyView(policy, { role, onlySelected: role !== null });
}

/** The role given, else the workspace's own. */
async function policyFor(c: ToolContext, role: string | undefined, workspaceId?: string) {
  return policyForRole(c, role ?? (await ownWorkspace(c, workspaceId)).workspace.role);
}

export const getPolicyTool = tool({
  name: "get_policy",
  title: "Policy and playbook",
  description:
    "The project's rules: invariants every agent follows and the playbook of a role (yours by default, " +
    "or the role given).",
  input: t.Object({ role: t.Optional(t.String({ minLength: 1, maxLength: 50 })), workspace_id: WorkspaceIdArg }, Strict),
  output: PolicyResult,
  annotations: READ,
  run: (c, a) => policyFor(c, a.role, a.workspace_id),
});

/** Claims of the project (or one workspace), newest first; public readers see no human names. */
export async function claimsOf(c: ToolContext, workspaceId: string | null, limit: number) {
  const identity = await c.auth.identity();
  const rows = await findClaims(c.deps, { projectId: identity.projectId, workspaceId, after: null, limit });
  const claims = rows.slice(0, limit).map(({ id: _id, ...claim }) => (identity.publicReader ? { ...claim, human_name: "" } : claim));
  return { claims, has_more: rows.length > limit };
}

export const listClaimsTool = tool({
  name: "list_claims",
  title: "List claims",
  description: "Who works on which issue: the project's claims, newest first, or only yours with mine=true.",
  input: t.Object({ mine: t.Optional(t.Boolean()), limit: Limit(200, 50) }, Strict),
  output: t.Object({ claims: t.Array(ClaimModel), has_more: t.Boolean() }, Open),
  annotations: READ,
  async run(c, a) {
    const workspaceId = a.mine ? (await ownWorkspace(c, undefined)).workspace.workspace_id : null;
    return claimsOf(c, workspaceId, a.limit ?? 50);
  },
});

export const claimIssueTool = tool({
  name: "claim_issue",
  title: "Claim an issue",
  description:
    "Tell everyone you are working on an issue. Refused (naming the holder) when another agent holds it: " +
    "pick another issue or talk to them. Claiming your own claim again refreshes it.",
  input: t.Object({ bead_id: BeadId, workspace_id: WorkspaceIdArg }, Strict),
  output: Claimed,
  annotations: IDEMPOTENT,
  async run(c, a) {
    const identity = await c.auth.requireWriter();
    return claimIssue(c.deps, identity, { bead_id: a.bead_id, workspace_id: a.workspace_id?.toLowerCase() ?? null });
  },
});

export const releaseIssueTool = tool({
  name: "release_issue",
  title: "Release a claim",
  description: "Stop working on an issue: release your claim so others may take it (released=false when you held none).",
  input: t.Object({ bead_id: BeadId, workspace_id: WorkspaceIdArg }, Strict),
  output: Released,
  annotations: DESTRUCTIVE,
  async run(c, a) {
    const identity = await c.auth.requireWriter();
    const input = { bead_id: a.bead_id, workspace_id: a.workspace_id?.toLowerCase() ?? null };
    return releaseIssue(c.deps, identity, input, await humanOrNull(c.auth));
  },
});

export const WORK_TOOLS = [
  listIssuesTool,
  getIssueTool,
  readyIssuesTool,
  listClaimsTool,
  claimIssueTool,
  releaseIssueTool,
  statusTool,
  workspaceTeamTool,
  getPolicyTool,
];
