// Request bodies shaped like the ones bdh (beadhub/bdh@464b0e0,
// internal/client/client.go) sends: Go struct field order, omitempty fields
// left out when empty, sync_protocol_version always present (a *int).
import type { Agent, Reply, TestApp } from "./harness";

export const ORIGIN = "git@github.com:acme/app.git";
export const REPO = "github.com/acme/app";

export type Issue = Record<string, unknown> & { id: string };

export const jsonl = (issues: Issue[]) => issues.map((i) => JSON.stringify(i)).join("\n") + "\n";

/** n issues "bd-{start}".."bd-{start+n-1}" with an optional field override. */
export function manyIssues(n: number, start = 0, fields: Record<string, unknown> = {}): Issue[] {
  return Array.from({ length: n }, (_, k) => ({
    id: `bd-${start + k}`,
    title: `Issue ${start + k}`,
    status: "open",
    priority: (start + k) % 4,
    issue_type: "task",
    ...fields,
  }));
}

export interface SyncExtra {
  command_line?: string;
  issues?: Issue[];
  issues_jsonl?: string;
  sync_mode?: string;
  changed?: Issue[];
  changed_issues?: string;
  deleted_ids?: string[];
  role?: string;
  human_name?: string;
  repo_origin?: string;
}

/** The SyncRequest JSON object bdh marshals. */
export function syncBody(a: Agent, x: SyncExtra = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    workspace_id: a.workspace_id,
    repo_id: a.repo_id,
    alias: a.alias,
    human_name: x.human_name ?? "Tester",
    repo_origin: x.repo_origin ?? ORIGIN,
  };
  if (x.role) body.role = x.role;
  if (x.command_line) body.command_line = x.command_line;
  const issuesJsonl = x.issues_jsonl ?? (x.issues ? jsonl(x.issues) : undefined);
  if (issuesJsonl) body.issues_jsonl = issuesJsonl;
  const mode = x.sync_mode ?? (x.changed || x.changed_issues !== undefined || x.deleted_ids ? "incremental" : "full");
  if (mode) body.sync_mode = mode;
  const changed = x.changed_issues ?? (x.changed ? x.changed.map((i) => JSON.stringify(i)).join("\n") : undefined);
  if (changed) body.changed_issues = changed;
  if (x.deleted_ids && x.deleted_ids.length > 0) body.deleted_ids = x.deleted_ids;
  body.sync_protocol_version = 0;
  return body;
}

export function commandBody(a: Agent, commandLine: string, x: { role?: string; human_name?: string } = {}) {
  const body: Record<string, unknown> = {
    workspace_id: a.workspace_id,
    repo_id: a.repo_id,
    alias: a.alias,
    human_name: x.human_name ?? "Tester",
    repo_origin: ORIGIN,
  };
  if (x.role) body.role = x.role;
  body.command_line = commandLine;
  return body;
}

export const sync = (t: TestApp, a: Agent, x: SyncExtra = {}): Promise<Reply> =>
  t.request("POST", "/v1/bdh/sync", { body: syncBody(a, x), token: a.api_key });

export const command = (t: TestApp, a: Agent, commandLine: string, x: { role?: string; human_name?: string } = {}) =>
  t.request("POST", "/v1/bdh/command", { body: commandBody(a, commandLine, x), token: a.api_key });
