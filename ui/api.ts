// The one typed client of this server's API. Every request goes to the same
// origin under /v1 with the key (if any) as `Authorization: Bearer`; the key is
// never put in a URL, a cookie or another origin's request.
import { signal } from "@preact/signals";

const KEY_STORAGE = "beadhub.api_key";

export const apiKey = signal<string | null>(readKey());

function readKey(): string | null {
  try {
    return localStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function setKey(key: string | null): void {
  try {
    if (key) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
  } catch {
    /* private mode: the key lives for this tab only */
  }
  apiKey.value = key;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly body: unknown,
  ) {
    super(detail);
  }
}

function detailText(body: unknown, status: number): string {
  const d = (body as { detail?: unknown } | null)?.detail;
  if (typeof d === "string") return d;
  if (Array.isArray(d)) return d.map((x) => (x && typeof x === "object" && "msg" in x ? String(x.msg) : JSON.stringify(x))).join("; ");
  if (d !== undefined) return JSON.stringify(d);
  return `HTTP ${status}`;
}

export function authHeaders(): Record<string, string> {
  return apiKey.value ? { authorization: `Bearer ${apiKey.value}` } : {};
}

/** Same-origin paths only: anything else is a programming error. */
function url(path: string, query?: Record<string, string | number | boolean | undefined | null>): string {
  if (!path.startsWith("/v1/")) throw new Error(`not an API path: ${path}`);
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export async function call<T>(
  method: string,
  path: string,
  options: { query?: Record<string, string | number | boolean | undefined | null>; body?: unknown } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", ...authHeaders() };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const res = await fetch(url(path, options.query), { method, headers, body, credentials: "same-origin" });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!res.ok) throw new ApiError(res.status, detailText(parsed, res.status), parsed);
  return parsed as T;
}

const enc = encodeURIComponent;

// ---- shapes (only the fields the dashboard reads) ----
export interface DashboardConfig {
  auth_mode: "bearer" | "proxy";
  version: string;
  api_base: string;
  features: { bootstrap: boolean; embedded: boolean };
}
export interface Me {
  project_id: string;
  agent_id?: string;
  alias?: string;
  human_name?: string;
  agent_type?: string;
  user_id?: string;
  api_key_id?: string;
}
export interface StatusAgent {
  workspace_id: string;
  alias: string;
  member: string | null;
  program: string | null;
  role: string | null;
  status: string;
  current_issue: string | null;
  last_seen: string | null;
}
export interface StatusClaim {
  bead_id: string;
  workspace_id: string;
  alias: string;
  human_name: string;
  claimed_at: string;
  claimant_count: number;
  title: string | null;
}
export interface Status {
  workspace: { project_id: string; project_slug: string; workspace_count?: number };
  agents: StatusAgent[];
  claims: StatusClaim[];
  conflicts: { bead_id: string; claimants: { alias: string; human_name: string; workspace_id: string }[] }[];
  escalations_pending: number;
  timestamp: string;
}
export interface Workspace {
  workspace_id: string;
  alias: string;
  human_name: string | null;
  role: string | null;
  repo: string | null;
  branch: string | null;
  status: string;
  last_seen: string | null;
  deleted_at: string | null;
  hostname: string | null;
  program: string | null;
  apex_id: string | null;
  focus_apex_id: string | null;
  focus_apex_title: string | null;
  claims: { bead_id: string; title: string | null; claimed_at: string }[];
}
export interface Page<K extends string, T> {
  has_more: boolean;
  next_cursor: string | null;
}
export type Paged<K extends string, T> = Page<K, T> & { [key in K]: T[] };
export interface BeadRef {
  repo: string;
  branch: string;
  bead_id: string;
}
export interface Issue {
  bead_id: string;
  repo: string;
  branch: string;
  title: string | null;
  status: string;
  priority: number | null;
  type: string | null;
  assignee: string | null;
  created_by: string | null;
  labels: string[] | null;
  blocked_by: BeadRef[];
  parent_id: BeadRef | null;
  created_at: string | null;
  updated_at: string | null;
  description?: string | null;
}
export interface Claim {
  bead_id: string;
  workspace_id: string;
  alias: string;
  human_name: string;
  claimed_at: string;
  title?: string | null;
}
export interface Reservation {
  resource_key: string;
  holder_agent_id: string;
  holder_alias: string;
  acquired_at: string;
  expires_at: string;
  metadata: Record<string, unknown>;
}
export interface Mail {
  message_id: string;
  from_agent_id?: string;
  from_alias?: string;
  to_alias?: string;
  to_agent_id?: string;
  subject: string;
  body: string;
  priority: string;
  thread_id: string | null;
  read_at: string | null;
  created_at: string;
}
export interface ChatSession {
  session_id: string;
  participants: string[];
  created_at: string;
}
export interface ChatMessage {
  message_id: string;
  from_agent: string;
  body: string;
  timestamp: string;
  sender_leaving?: boolean;
}
export interface MonitorSession {
  session_id: string;
  participants: { agent_id: string; alias: string }[];
  message_count: number;
  last_message_at: string | null;
  last_message_preview: string | null;
  last_from_alias: string | null;
}
export interface EscalationItem {
  escalation_id: string;
  alias: string;
  subject: string;
  status: string;
  created_at: string;
  expires_at: string;
  responded_by?: string | null;
}
export interface Escalation extends EscalationItem {
  workspace_id: string;
  situation: string;
  options: string[] | null;
  response: string | null;
  response_note: string | null;
  responded_at: string | null;
}
export interface PolicyBundle {
  invariants: { id: string; title: string; body_md: string }[];
  roles: Record<string, { title: string; playbook_md: string }>;
  adapters: Record<string, unknown>;
}
export interface Policy extends PolicyBundle {
  policy_id: string;
  version: number;
  updated_at: string;
}
export interface PolicyVersion {
  policy_id: string;
  version: number;
  created_at: string;
  created_by_workspace_id: string | null;
  is_active: boolean;
}
export interface Agent {
  agent_id: string;
  alias: string;
  human_name: string | null;
  agent_type: string | null;
  online: boolean;
}

// ---- endpoints ----
export const api = {
  config: () => call<DashboardConfig>("GET", "/v1/dashboard/config"),
  me: () => call<Me>("GET", "/v1/auth/introspect"),
  init: (body: { project_slug: string; human_name: string; alias?: string }) =>
    call<{ api_key: string; alias: string; project_slug: string }>("POST", "/v1/init", { body: { ...body, agent_type: "human" } }),
  status: () => call<Status>("GET", "/v1/status"),
  agents: () => call<{ agents: Agent[] }>("GET", "/v1/agents"),
  workspaces: (q: { include_deleted?: boolean; repo?: string; cursor?: string | null }) =>
    call<Paged<"workspaces", Workspace>>("GET", "/v1/workspaces", { query: { ...q, include_claims: true, limit: 200 } }),
  deleteWorkspace: (id: string) => call<unknown>("DELETE", `/v1/workspaces/${enc(id)}`),
  restoreWorkspace: (id: string) => call<unknown>("POST", `/v1/workspaces/${enc(id)}/restore`),
  issues: (q: Record<string, string | undefined | null>) =>
    call<{ issues: Issue[]; count: number; has_more: boolean; next_cursor: string | null }>("GET", "/v1/beads/issues", {
      query: { ...q, limit: 100 },
    }),
  issue: (id: string, repo?: string, branch?: string) =>
    call<Issue>("GET", `/v1/beads/issues/${enc(id)}`, { query: { repo, branch } }),
  claims: (cursor?: string | null) => call<Paged<"claims", Claim>>("GET", "/v1/claims", { query: { limit: 200, cursor } }),
  releaseClaim: (bead_id: string, workspace_id: string) =>
    call<{ released: boolean }>("POST", "/v1/claims/release", { body: { bead_id, workspace_id } }),
  reservations: () => call<{ reservations: Reservation[] }>("GET", "/v1/reservations"),
  forceRelease: (resource_keys: string[]) =>
    call<{ released: string[]; not_found: string[] }>("POST", "/v1/reservations/force-release", { body: { resource_keys } }),
  inbox: () => call<{ messages: Mail[] }>("GET", "/v1/messages/inbox", { query: { limit: 200 } }),
  sent: () => call<Paged<"messages", Mail>>("GET", "/v1/messages/sent", { query: { limit: 200 } }),
  sendMail: (body: { to_alias: string; subject: string; body: string; priority?: string; thread_id?: string | null }) =>
    call<{ message_id: string }>("POST", "/v1/messages", { body }),
  ack: (id: string) => call<unknown>("POST", `/v1/messages/${enc(id)}/ack`),
  chatSessions: () => call<{ sessions: ChatSession[] }>("GET", "/v1/chat/sessions"),
  chatMessages: (id: string) => call<{ messages: ChatMessage[] }>("GET", `/v1/chat/sessions/${enc(id)}/messages`, { query: { limit: 500 } }),
  chatStart: (to_aliases: string[], message: string) =>
    call<{ session_id: string; message_id: string }>("POST", "/v1/chat/sessions", { body: { to_aliases, message } }),
  chatSend: (id: string, body: string) => call<{ message_id: string }>("POST", `/v1/chat/sessions/${enc(id)}/messages`, { body: { body } }),
  chatRead: (id: string, up_to_message_id: string) =>
    call<unknown>("POST", `/v1/chat/sessions/${enc(id)}/read`, { body: { up_to_message_id } }),
  monitor: () => call<Paged<"sessions", MonitorSession>>("GET", "/v1/chat/monitor", { query: { limit: 100 } }),
  monitorMessages: (id: string) =>
    call<{ session_id: string; participants: { alias: string }[]; messages: ChatMessage[] }>("GET", `/v1/chat/monitor/${enc(id)}/messages`),
  escalations: (status?: string) =>
    call<Paged<"escalations", EscalationItem>>("GET", "/v1/escalations", { query: { status, limit: 200 } }),
  escalation: (id: string) => call<Escalation>("GET", `/v1/escalations/${enc(id)}`),
  respond: (id: string, response: string, note?: string) =>
    call<Escalation>("POST", `/v1/escalations/${enc(id)}/respond`, { body: { response, ...(note ? { note } : {}) } }),
  policyActive: () => call<Policy>("GET", "/v1/policies/active"),
  policy: (id: string) => call<Policy>("GET", `/v1/policies/${enc(id)}`),
  policyHistory: () => call<{ policies: PolicyVersion[] }>("GET", "/v1/policies/history", { query: { limit: 100 } }),
  policyCreate: (bundle: PolicyBundle, base_policy_id: string) =>
    call<{ policy_id: string; version: number }>("POST", "/v1/policies", { body: { bundle, base_policy_id } }),
  policyActivate: (id: string) => call<{ active_policy_id: string }>("POST", `/v1/policies/${enc(id)}/activate`),
  policyReset: () => call<{ active_policy_id: string; version: number }>("POST", "/v1/policies/reset", { body: null }),
};

/**
 * Reads a server-sent event stream with fetch (EventSource cannot send the
 * Authorization header). Calls onEvent per `data:` frame; resolves when the
 * stream ends, rejects on an HTTP error.
 */
export async function readSse(
  path: string,
  query: Record<string, string>,
  onEvent: (data: unknown, event: string) => void,
  signal: AbortSignal,
  onOpen?: () => void,
): Promise<void> {
  const res = await fetch(url(path, query), { headers: { accept: "text/event-stream", ...authHeaders() }, signal });
  if (!res.ok || !res.body) {
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, detailText(body, res.status), body);
  }
  onOpen?.();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut: number;
    while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, "");
      let event = "message";
      const data: string[] = [];
      for (const line of frame.split(/\r?\n/)) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (data.length === 0) continue;
      try {
        onEvent(JSON.parse(data.join("\n")), event);
      } catch {
        /* a frame that is not JSON is dropped */
      }
    }
  }
}
