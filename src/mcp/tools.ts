// The MCP tools (contract beadhub.md §16.5). Each is the REST route of the same
// behaviour, run through this app with the caller's own auth headers, so
// validation, auth and answers stay identical to REST. Only register_agent and
// list_agents have no REST twin: they work on presence directly.
import type { Deps } from "../deps";
import type { RouteContext } from "../routes";
import { RequestAuth } from "../auth/identity";
import { AppError, unprocessable } from "../http/errors";
import { normalizeRole } from "../http/field-rules";
import { normalizeUuid } from "../http/wire";
import { projectPresence, writePresence } from "../presence/presence";
import { verifyWorkspaceAccess } from "../workspaces/access";

/** A tool's answer: the JSON text of its payload. Failures are thrown (AppError = HTTP-style). */
export interface ToolResult {
  text: string;
}

export type Args = Record<string, unknown>;

interface Call {
  deps: Deps;
  ctx: RouteContext;
  request: Request;
  auth: RequestAuth;
  args: Args;
}

/** Headers that carry identity (Bearer or the signed proxy context, §1). */
const AUTH_HEADERS = ["authorization", "x-bh-auth", "x-project-id", "x-user-id", "x-api-key", "x-aweb-actor-id"];

/** The reference reads arguments as `str(args.get(k) or "").strip()`. */
function arg(args: Args, key: string): string {
  const v = args[key];
  if (v === undefined || v === null || v === false || v === "" || v === 0) return "";
  return (typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v)).trim();
}

const optional = (s: string) => (s === "" ? undefined : s);

/** verify_workspace_access with the reference's plain-string 422s (§1). */
async function access(c: Call, rawWorkspaceId: string) {
  if (rawWorkspaceId === "") throw unprocessable("workspace_id cannot be empty");
  if (normalizeUuid(rawWorkspaceId) === null) throw unprocessable("Invalid workspace_id format");
  return verifyWorkspaceAccess(c.deps, c.auth, rawWorkspaceId);
}

function required(args: Args, keys: string[]): string[] {
  const values = keys.map((k) => arg(args, k));
  if (values.some((v) => v === "")) {
    throw unprocessable(keys.length === 1 ? `${keys[0]} is required` : `${keys.join(" and ")} are required`);
  }
  return values;
}

/** Run `METHOD path` through the app as the caller and map the answer. */
async function rest(
  c: Call,
  method: string,
  path: string,
  query: Record<string, string | undefined> = {},
  body?: unknown,
): Promise<ToolResult> {
  const url = new URL("http://localhost" + path);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
  const headers = new Headers();
  for (const name of AUTH_HEADERS) {
    const v = c.request.headers.get(name);
    if (v !== null) headers.set(name, v);
  }
  let payload: string | undefined;
  if (body !== undefined) {
    headers.set("content-type", "application/json");
    payload = JSON.stringify(body);
  }
  const res = await c.ctx.dispatch(new Request(url.toString(), { method, headers, body: payload }));
  const text = await res.text();
  if (res.ok) return { text };
  let detail: unknown = text;
  try {
    detail = (JSON.parse(text) as { detail?: unknown }).detail ?? text;
  } catch {
    /* not JSON: keep the text */
  }
  if (res.status >= 500 && detail === "Internal Server Error") throw new Error(`${method} ${path} failed (${res.status})`);
  throw new AppError(res.status, detail);
}

const ok = (payload: unknown): ToolResult => ({ text: JSON.stringify(payload) });

export const TOOLS: Record<string, (c: Call) => Promise<ToolResult>> = {
  async register_agent(c) {
    const [workspaceId, alias] = required(c.args, ["workspace_id", "alias"]);
    const { identity } = await access(c, workspaceId);
    await c.auth.requireWriter();
    const role = normalizeRole(arg(c.args, "role"));
    // The given alias and a fixed 30-minute TTL, as in the reference (§16.5).
    await writePresence(
      c.deps,
      {
        workspace_id: normalizeUuid(workspaceId)!,
        alias,
        project_id: identity.projectId,
        human_name: arg(c.args, "human_name"),
        program: optional(arg(c.args, "program")),
        model: optional(arg(c.args, "model")),
        role: role || undefined,
      },
      1800,
    );
    return ok({ ok: true });
  },

  async list_agents(c) {
    const [workspaceId] = required(c.args, ["workspace_id"]);
    const { identity } = await access(c, workspaceId);
    const presence = await projectPresence(c.deps, identity.projectId);
    return ok({ agents: [...presence.values()] });
  },

  async status(c) {
    const [workspaceId] = required(c.args, ["workspace_id"]);
    await access(c, workspaceId);
    return rest(c, "GET", "/v1/status", { workspace_id: workspaceId });
  },

  async get_ready_issues(c) {
    const [workspaceId] = required(c.args, ["workspace_id"]);
    let limit = 10;
    const rawLimit = c.args.limit;
    if (rawLimit !== undefined && rawLimit !== null) {
      const n = typeof rawLimit === "string" ? Number(rawLimit.trim()) : rawLimit;
      if (typeof n !== "number" || !Number.isFinite(n) || (typeof rawLimit === "string" && !/^\s*[+-]?\d+\s*$/.test(rawLimit))) {
        throw unprocessable("limit must be an integer");
      }
      limit = Math.trunc(n);
    }
    await access(c, workspaceId);
    return rest(c, "GET", "/v1/beads/ready", {
      workspace_id: workspaceId,
      repo: optional(arg(c.args, "repo")),
      branch: optional(arg(c.args, "branch")),
      limit: String(limit),
    });
  },

  async get_issue(c) {
    const [beadId] = required(c.args, ["bead_id"]);
    return rest(c, "GET", `/v1/beads/issues/${encodeURIComponent(beadId.toWellFormed())}`);
  },

  async subscribe_to_bead(c) {
    const [workspaceId, beadId] = required(c.args, ["workspace_id", "bead_id"]);
    const { workspace } = await access(c, workspaceId);
    const body: Args = { workspace_id: workspaceId, alias: workspace.alias, bead_id: beadId, repo: c.args.repo ?? null };
    if (Array.isArray(c.args.event_types)) body.event_types = c.args.event_types;
    return rest(c, "POST", "/v1/subscriptions", {}, body);
  },

  async list_subscriptions(c) {
    const [workspaceId] = required(c.args, ["workspace_id"]);
    const { workspace } = await access(c, workspaceId);
    return rest(c, "GET", "/v1/subscriptions", { workspace_id: workspaceId, alias: workspace.alias });
  },

  async unsubscribe(c) {
    const [workspaceId, subscriptionId] = required(c.args, ["workspace_id", "subscription_id"]);
    const { workspace } = await access(c, workspaceId);
    return rest(c, "DELETE", `/v1/subscriptions/${encodeURIComponent(subscriptionId.toWellFormed())}`, {
      workspace_id: workspaceId,
      alias: workspace.alias,
    });
  },

  async escalate(c) {
    await access(c, arg(c.args, "workspace_id"));
    return rest(c, "POST", "/v1/escalations", {}, c.args);
  },

  async get_escalation(c) {
    const [escalationId] = required(c.args, ["escalation_id"]);
    return rest(c, "GET", `/v1/escalations/${encodeURIComponent(escalationId.toWellFormed())}`);
  },
};

export function newCall(deps: Deps, ctx: RouteContext, request: Request, args: Args): Call {
  return { deps, ctx, request, auth: new RequestAuth(deps, request.headers, request), args };
}
