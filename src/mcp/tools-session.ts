// MCP tools for who I am and how I start, presence, and escalations to humans.
import { t } from "elysia";
import { registerAgent } from "../agents/service";
import { listPending } from "../chat/service";
import { createEscalation, findEscalations, getEscalation } from "../escalations/service";
import { Escalation, EscalationCreated, EscalationSummary } from "../escalations/model";
import { AppError, forbidden } from "../http/errors";
import { inbox } from "../messages/service";
import { listReservations } from "../reservations/service";
import { readyIssues } from "../beads/service";
import { Claim, IssueSummary, Lock, MailItem, Me, Open, Strict, WorkspaceIdArg } from "./model";
import { PolicyResult, claimsOf, policyForRole } from "./tools-work";
import { IDEMPOTENT, READ, WRITE, ownWorkspace, tool, type ToolContext } from "./tool";

async function me(c: ToolContext) {
  const actor = await c.auth.actor();
  let workspace = null;
  try {
    workspace = (await ownWorkspace(c, undefined)).workspace;
  } catch (err) {
    // An agent without a workspace (e.g. created by a repo-less init) is still someone.
    if (!(err instanceof AppError && err.status === 403)) throw err;
  }
  return {
    actor,
    me: {
      agent_id: actor.agentId,
      alias: actor.alias,
      human_name: actor.humanName,
      agent_type: actor.agentType,
      project_id: actor.projectId,
      workspace_id: workspace?.workspace_id ?? null,
      role: workspace?.role ?? null,
      repo_id: workspace?.repo_id ?? null,
    },
  };
}

export const whoamiTool = tool({
  name: "whoami",
  title: "Who am I",
  description: "The agent this key acts as: alias, human, project, workspace and role.",
  input: t.Object({}, Strict),
  output: Me,
  annotations: READ,
  async run(c) {
    return (await me(c)).me;
  },
});

const NEXT_STEPS =
  "Read your unread mail and pending chats first (someone may be waiting). Then pick work: continue a claim " +
  "you hold, or choose from ready_issues and claim_issue it before starting. Lock shared files with " +
  "lock_acquire before editing and release them when done. Ask a human with escalate when a decision is not yours.";

export const startSessionTool = tool({
  name: "start_session",
  title: "Start here",
  description:
    "Call this first. One call to orient yourself: who you are, your role's playbook and the project's " +
    "invariants, unread mail, pending chats, your claims and locks, and issues ready to start.",
  input: t.Object({}, Strict),
  output: t.Object(
    {
      you: Me,
      policy: t.Nullable(PolicyResult),
      unread_mail: t.Array(MailItem),
      pending_chats: t.Array(t.Unknown()),
      claims: t.Array(Claim),
      locks: t.Array(Lock),
      ready_issues: t.Array(IssueSummary),
      next_steps: t.String(),
    },
    Open,
  ),
  annotations: READ,
  async run(c) {
    const { actor, me: you } = await me(c);
    const [policy, mail, chats, locks, ready, mine] = await Promise.all([
      policyForRole(c, you.role).catch((err) => {
        // A role the policy does not know: show the invariants and every role instead.
        if (err instanceof AppError && err.status === 400) return policyForRole(c, null);
        throw err;
      }),
      inbox(c.deps, actor, true, 20),
      listPending(c.deps, actor),
      listReservations(c.deps, actor.projectId, null),
      readyIssues(c.deps, actor.projectId, null, null, 10),
      you.workspace_id ? claimsOf(c, you.workspace_id, 50) : null,
    ]);
    return {
      you,
      policy,
      unread_mail: mail,
      pending_chats: chats.pending,
      claims: mine?.claims ?? [],
      locks: locks.filter((l) => l.holder_agent_id === actor.agentId),
      ready_issues: ready.issues,
      next_steps: NEXT_STEPS,
    };
  },
});

/** The tool's flat view of AgentRegistered: its agent's fields lifted beside its workspace's id. */
const Presence = t.Object({ alias: t.String(), workspace_id: t.String(), registered_at: t.String() }, Open);
const PresenceArgs = {
  program: t.Optional(t.String({ maxLength: 255, description: "The client program, e.g. claude-code." })),
  model: t.Optional(t.String({ maxLength: 255 })),
  role: t.Optional(t.String({ minLength: 1, maxLength: 50 })),
};

/**
 * Presence is always written for the authenticated agent's own workspace and
 * under its stored alias, never a name from the arguments (issue 19, defect 5).
 */
async function announce(c: ToolContext, a: { program?: string; model?: string; role?: string; workspace_id?: string }) {
  const actor = await c.auth.actor();
  const r = await registerAgent(c.deps, c.auth, {
    workspace_id: a.workspace_id ?? actor.agentId,
    alias: actor.alias,
    program: a.program ?? null,
    model: a.model ?? null,
    role: a.role ?? null,
  });
  return { alias: r.agent.alias, workspace_id: r.workspace.workspace_id, role: r.agent.role, registered_at: r.agent.registered_at };
}

export const heartbeatTool = tool({
  name: "heartbeat",
  title: "I am here",
  description: "Mark yourself online (presence) so others see you in status; call every few minutes while working.",
  input: t.Object(PresenceArgs, Strict),
  output: Presence,
  annotations: IDEMPOTENT,
  run: (c, a) => announce(c, a),
});

export const registerAgentTool = tool({
  name: "register_agent",
  title: "Register presence (old name)",
  description:
    "The earlier name of heartbeat. alias, when given, must be your own: presence is always written " +
    "under the authenticated agent.",
  input: t.Object({ ...PresenceArgs, workspace_id: WorkspaceIdArg, alias: t.Optional(t.String()), human_name: t.Optional(t.String()) }, Strict),
  output: Presence,
  annotations: IDEMPOTENT,
  async run(c, a) {
    const actor = await c.auth.actor();
    if (a.alias !== undefined && a.alias !== actor.alias) {
      throw forbidden(`alias '${a.alias}' is not the authenticated agent's alias ('${actor.alias}')`);
    }
    return announce(c, a);
  },
});

export const escalateTool = tool({
  name: "escalate",
  title: "Ask a human",
  description:
    "Escalate a decision to the humans of the project. Offer options when you can; check the answer " +
    "later with get_escalation (it expires after expires_in_hours, default 4).",
  input: t.Object(
    {
      subject: t.String({ minLength: 1, maxLength: 1000 }),
      situation: t.String({ minLength: 1, maxLength: 100_000, description: "What happened and what must be decided." }),
      options: t.Optional(t.Array(t.String({ minLength: 1, maxLength: 1000 }), { maxItems: 20 })),
      expires_in_hours: t.Optional(t.Integer({ minimum: 1, maximum: 1_000_000 })),
      workspace_id: WorkspaceIdArg,
    },
    Strict,
  ),
  output: EscalationCreated,
  annotations: WRITE,
  async run(c, a) {
    const { actor, workspace } = await ownWorkspace(c, a.workspace_id?.toLowerCase());
    return createEscalation(c.deps, actor, {
      workspace_id: workspace.workspace_id,
      alias: workspace.alias,
      subject: a.subject,
      situation: a.situation,
      options: a.options ?? null,
      expires_in_hours: a.expires_in_hours ?? 4,
      member_email: null,
    });
  },
});

export const getEscalationTool = tool({
  name: "get_escalation",
  title: "Read an escalation",
  description: "One escalation with its status and, once a human answered, the response and note.",
  input: t.Object({ escalation_id: t.String({ format: "uuid" }) }, Strict),
  output: Escalation,
  annotations: READ,
  async run(c, a) {
    return getEscalation(c.deps, await c.auth.identity(), a.escalation_id, undefined);
  },
});

export const listEscalationsTool = tool({
  name: "list_escalations",
  title: "List escalations",
  description: "Escalations newest first: yours by default, the whole project with mine=false; filter by status.",
  input: t.Object(
    {
      status: t.Optional(t.UnionEnum(["pending", "responded", "expired"])),
      mine: t.Optional(t.Boolean({ description: "Default true." })),
      limit: t.Optional(t.Integer({ minimum: 1, maximum: 200 })),
    },
    Strict,
  ),
  output: t.Object({ escalations: t.Array(EscalationSummary), has_more: t.Boolean() }, Open),
  annotations: READ,
  async run(c, a) {
    const limit = a.limit ?? 50;
    const identity = await c.auth.identity();
    const workspaceId = a.mine === false ? undefined : (await ownWorkspace(c, undefined)).workspace.workspace_id;
    const rows = await findEscalations(c.deps, identity, {
      workspaceId,
      repoId: undefined,
      status: a.status,
      alias: undefined,
      before: null,
      limit,
    });
    return { escalations: rows.slice(0, limit), has_more: rows.length > limit };
  },
});

export const SESSION_TOOLS = [whoamiTool, startSessionTool, heartbeatTool, registerAgentTool];
export const HUMAN_TOOLS = [escalateTool, getEscalationTool, listEscalationsTool];
