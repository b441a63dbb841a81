// Agents: the answers of /v1/agents (docs/protocol/agents.md), declared once.
import { t } from "elysia";
import { Uuid } from "../http/model";

const optionalText = (maxLength?: number) =>
  t.Optional(t.Nullable(maxLength === undefined ? t.String() : t.String({ maxLength })));

export const SuggestAliasPrefixBody = t.Object({ project_slug: t.String({ minLength: 1, maxLength: 256 }) });

/** project_id is null when no project has that slug yet (the first alias is suggested). */
export const AliasPrefixSuggestion = t.Object({
  project_slug: t.String(),
  project_id: t.Nullable(Uuid),
  name_prefix: t.String(),
});

/** GET /v1/agents' item as stored, before presence is merged in. */
export const ListedAgent = t.Object({
  agent_id: Uuid,
  alias: t.String(),
  human_name: t.Nullable(t.String()),
  agent_type: t.Nullable(t.String()),
});

export const AgentWithPresence = t.Object({
  ...ListedAgent.properties,
  status: t.String(),
  last_seen: t.Nullable(t.String()),
  online: t.Boolean(),
});

export const AgentList = t.Object({ project_id: Uuid, agents: t.Array(AgentWithPresence) });

export const AgentHeartbeat = t.Object({ agent_id: Uuid, last_seen: t.String(), ttl_seconds: t.Integer() });

/** POST /v1/agents/register: the stored workspace's identity with the body's session fields. */
export const AgentRegistered = t.Object({
  agent: t.Object({
    alias: t.String(),
    human_name: t.Nullable(t.String()),
    project_slug: t.Nullable(t.String()),
    program: t.Nullable(t.String()),
    model: t.Nullable(t.String()),
    member: t.Null(),
    repo: t.Nullable(t.String()),
    branch: t.Nullable(t.String()),
    role: t.Nullable(t.String()),
    registered_at: t.String(),
  }),
  workspace: t.Object({ workspace_id: Uuid }),
});

/**
 * POST /v1/agents/register. bdh also sends project_id, repo_id, repo_origin,
 * canonical_origin, hostname, workspace_path: ignored, like every extra field
 * (src/http/schema.ts makes request schemas lenient).
 */
export const RegisterBody = t.Object(
  {
    workspace_id: t.String({ minLength: 1 }),
    alias: t.String({ minLength: 1, maxLength: 64 }),
    human_name: optionalText(64),
    project_slug: optionalText(63),
    program: optionalText(),
    model: optionalText(),
    task_description: optionalText(),
    repo: optionalText(255),
    branch: optionalText(255),
    role: optionalText(50),
    ttl_seconds: t.Optional(t.Unknown()),
  },
);

export type RegisterInput = typeof RegisterBody.static;
export type AliasPrefixAnswer = typeof AliasPrefixSuggestion.static;
export type ListedAgent = typeof ListedAgent.static;
export type AgentListAnswer = typeof AgentList.static;
export type AgentHeartbeatAnswer = typeof AgentHeartbeat.static;
export type AgentRegisteredAnswer = typeof AgentRegistered.static;
