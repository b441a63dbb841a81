// aweb agents: lookups and the race-free "find or create by alias".
import type { Db } from "../db/pool";
import { selectList } from "../db/columns";
import { ListedAgent } from "./model";

export interface AgentRow {
  agent_id: string;
  project_id: string;
  alias: string;
  human_name: string;
  agent_type: string;
}

export async function findAgentByAlias(db: Db, projectId: string, alias: string): Promise<AgentRow | null> {
  const rows = await db<AgentRow[]>`
    select agent_id, project_id, alias, human_name, agent_type from aweb.agents
    where project_id = ${projectId} and alias = ${alias} and deleted_at is null`;
  return rows[0] ?? null;
}

/**
 * Insert an agent unless a live one already has the alias. ON CONFLICT DO
 * NOTHING keeps the surrounding transaction usable when a concurrent init wins
 * the race; the caller then reuses the winner.
 */
export async function insertAgentIfAbsent(
  db: Db,
  projectId: string,
  alias: string,
  humanName: string,
  agentType: string,
): Promise<AgentRow | null> {
  const rows = await db<AgentRow[]>`
    insert into aweb.agents (project_id, alias, human_name, agent_type)
    values (${projectId}, ${alias}, ${humanName}, ${agentType})
    on conflict (project_id, alias) where deleted_at is null do nothing
    returning agent_id, project_id, alias, human_name, agent_type`;
  return rows[0] ?? null;
}

/** Live agents of a project ordered by alias (docs/protocol/agents.md). */
export async function listLiveAgents(db: Db, projectId: string): Promise<ListedAgent[]> {
  return db<ListedAgent[]>`
    select ${selectList(db, ListedAgent, "a")}
    from aweb.agents a
    where a.project_id = ${projectId} and a.deleted_at is null
    order by a.alias asc, a.agent_id asc`;
}

/** Aliases of the project's live agents (the alias-prefix allocator's input). */
export async function liveAgentAliases(db: Db, projectId: string): Promise<string[]> {
  const rows = await db<{ alias: string }[]>`
    select alias from aweb.agents where project_id = ${projectId} and deleted_at is null`;
  return rows.map((r) => r.alias);
}

export interface RegisteredWorkspace {
  alias: string;
  human_name: string;
  role: string | null;
  repo_id: string | null;
  project_slug: string;
}

/** The live workspace behind an agent, with its live project's slug (POST /v1/agents/register). */
export async function findRegisteredWorkspace(db: Db, workspaceId: string): Promise<RegisteredWorkspace | null> {
  const rows = await db<RegisteredWorkspace[]>`
    select w.alias, w.human_name, w.role, w.repo_id, p.slug as project_slug
    from server.workspaces w
    join server.projects p on p.id = w.project_id and p.deleted_at is null
    where w.workspace_id = ${workspaceId} and w.deleted_at is null`;
  return rows[0] ?? null;
}
