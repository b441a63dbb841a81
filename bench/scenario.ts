// Data the benchmarks run against: one project, one agent per connection (so
// requests do not all contend for one row), unread mail, chat sessions, synced
// issues and claims for /v1/status.
import postgres from "postgres";
import type { LoadSpec } from "./load";
import { json } from "./lib";

export interface Endpoint {
  name: string;
  path: string;
  spec: Omit<LoadSpec, "url" | "connections" | "seconds">;
}

export interface Scenario {
  endpoints: Endpoint[];
  agents: { api_key: string; agent_id: string; alias: string; project_id: string }[];
}

const ORIGIN = "git@github.com:bench/app.git";

export async function prepareScenario(base: string, databaseUrl: string, count: number): Promise<Scenario> {
  const agents: Scenario["agents"] = [];
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${base}/v1/init`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ project_slug: "bench", alias: `agent-${i}`, human_name: "Bench", repo_origin: ORIGIN }),
    });
    agents.push(await json(res));
  }
  const auth = (a: Scenario["agents"][number]) => ({ authorization: `Bearer ${a.api_key}` });

  // 20 unread messages for every agent, written directly (seeding is not what we measure).
  const sql = postgres(databaseUrl, { max: 2 });
  await sql`
    insert into aweb.messages (project_id, from_agent_id, to_agent_id, from_alias, subject, body)
    select a.project_id, b.agent_id, a.agent_id, b.alias, 'hello ' || g, 'body ' || g
    from aweb.agents a join aweb.agents b on b.project_id = a.project_id and b.alias = 'agent-0'
    cross join generate_series(1, 20) g`;

  // A chat session between each agent and agent-0, with one message each way.
  for (const a of agents.slice(1)) {
    await fetch(`${base}/v1/chat/sessions`, {
      method: "POST",
      headers: { ...auth(a), "content-type": "application/json" },
      body: JSON.stringify({ to_aliases: ["agent-0"], message: "ping" }),
    });
  }

  // Synced issues and a claim per agent for /v1/status.
  const issue = (i: number, status: string) =>
    JSON.stringify({ id: `bd-${i}`, title: `Issue ${i}`, status, priority: i % 4, issue_type: "task", created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" });
  const issues = Array.from({ length: 200 }, (_, i) => issue(i, "open")).join("\n");
  const identity = (a: Scenario["agents"][number]) => ({ workspace_id: a.agent_id, alias: a.alias, human_name: "Bench", repo_origin: ORIGIN, role: "agent" });
  await json(await fetch(`${base}/v1/bdh/sync`, {
    method: "POST",
    headers: { ...auth(agents[0]), "content-type": "application/json" },
    body: JSON.stringify({ ...identity(agents[0]), sync_mode: "full", issues_jsonl: issues }),
  }));
  for (const [i, a] of agents.entries()) {
    await json(
      await fetch(`${base}/v1/bdh/sync`, {
        method: "POST",
        headers: { ...auth(a), "content-type": "application/json" },
        body: JSON.stringify({ ...identity(a), sync_mode: "incremental", changed_issues: issue(i, "in_progress"), deleted_ids: [], command_line: `update bd-${i} --status in_progress` }),
      }),
    );
  }

  // Planner statistics, as autovacuum would have them on a live database (it
  // would otherwise analyze in the middle of a run and change the plans).
  await sql`analyze`;
  await sql.end();

  const perAgent = (body?: (a: Scenario["agents"][number]) => unknown) =>
    agents.map((a) => ({
      headers: { ...auth(a), ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body(a)) : undefined,
    }));
  return {
    agents,
    endpoints: [
      { name: "POST /v1/bdh/command", path: "/v1/bdh/command", spec: { method: "POST", variants: perAgent((a) => ({ ...identity(a), command_line: "show bd-1" })) } },
      { name: "POST /v1/agents/heartbeat", path: "/v1/agents/heartbeat", spec: { method: "POST", variants: perAgent() } },
      { name: "GET /v1/messages/inbox", path: "/v1/messages/inbox?unread_only=true&limit=50", spec: { method: "GET", variants: perAgent() } },
      { name: "GET /v1/chat/pending", path: "/v1/chat/pending", spec: { method: "GET", variants: perAgent() } },
      { name: "GET /v1/status", path: "/v1/status", spec: { method: "GET", variants: perAgent() } },
    ],
  };
}
