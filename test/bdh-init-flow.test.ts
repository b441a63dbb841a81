// The sequence the real `bdh :init` sends (contract: suggest prefix → /v1/init →
// /v1/agents/register, /v1/chat/pending, /v1/messages/inbox,
// /v1/workspaces?hostname=…), in bdh 464b0e0's request shapes.
import { afterAll, describe, expect, test } from "bun:test";
import { startTestApp } from "./support/harness";

const t = await startTestApp();
afterAll(() => t.close());

const json = { "content-type": "application/json" };
const ORIGIN = "git@github.com:acme/flow.git";

describe("bdh :init", () => {
  test("first worktree: prefix 404 → init without slug 422 → init with slug 200 → follow-up calls", async () => {
    const prefix = await t.request("POST", "/v1/workspaces/suggest-name-prefix", { raw: `{"origin_url":"${ORIGIN}"}`, headers: json });
    expect(prefix.status).toBe(404); // bdh falls back to alice-<role>

    const initBody = `{"repo_origin":"${ORIGIN}","alias":"alice-agent","human_name":"john.doe","role":"agent","hostname":"devbox","workspace_path":"/home/john/flow"}`;
    const noSlug = await t.request("POST", "/v1/init", { raw: initBody, headers: json });
    expect(noSlug.status).toBe(422);
    expect(noSlug.text).toContain("project_not_found");

    const init = await t.request("POST", "/v1/init", { raw: initBody.replace('"role"', '"project_slug":"flow","role"'), headers: json });
    expect(init.status).toBe(200);
    const me = init.body;
    expect(me.api_key).toMatch(/^aw_sk_[0-9a-f]{64}$/);
    expect(me.alias).toBe("alice-agent");
    expect(me.canonical_origin).toBe("github.com/acme/flow");
    const auth = { authorization: `Bearer ${me.api_key}` };

    const register = await t.request("POST", "/v1/agents/register", {
      raw: JSON.stringify({
        workspace_id: me.workspace_id,
        alias: me.alias,
        human_name: "john.doe",
        project_id: me.project_id,
        project_slug: me.project_slug,
        repo_id: me.repo_id,
        repo_origin: ORIGIN,
        canonical_origin: me.canonical_origin,
        hostname: "devbox",
        workspace_path: "/home/john/flow",
        program: "claude-code",
        repo: me.canonical_origin,
        branch: "main",
        role: "agent",
      }),
      headers: { ...json, ...auth },
    });
    expect(register.status).toBe(200);
    expect(register.body.workspace).toEqual({ workspace_id: me.workspace_id });
    expect(register.body.agent).toMatchObject({ alias: "alice-agent", program: "claude-code", branch: "main", member: null });

    const pending = await t.request("GET", "/v1/chat/pending", { headers: auth });
    expect(pending.status).toBe(200);
    expect(pending.body).toEqual({ pending: [], messages_waiting: 0 });

    const inbox = await t.request("GET", "/v1/messages/inbox?limit=200&unread_only=true", { headers: auth });
    expect(inbox.status).toBe(200);
    expect(inbox.body).toEqual({ messages: [] });

    const mine = await t.request("GET", "/v1/workspaces?hostname=devbox&include_presence=false", { headers: auth });
    expect(mine.status).toBe(200);
    expect(mine.body.workspaces.map((w: { workspace_id: string }) => w.workspace_id)).toEqual([me.workspace_id]);
    expect(mine.body.workspaces[0]).toMatchObject({ alias: "alice-agent", workspace_path: "/home/john/flow", hostname: "devbox", status: "offline" });

    // A second worktree of the same repo now gets a server suggestion.
    const next = await t.request("POST", "/v1/workspaces/suggest-name-prefix", { raw: `{"origin_url":"https://github.com/acme/flow.git"}`, headers: json });
    expect(next.status).toBe(200);
    expect(next.body).toEqual({
      name_prefix: "bob",
      project_id: me.project_id,
      project_slug: "flow",
      repo_id: me.repo_id,
      canonical_origin: "github.com/acme/flow",
    });
    const second = await t.request("POST", "/v1/init", {
      raw: `{"repo_origin":"${ORIGIN}","alias":"bob-agent","human_name":"john.doe","role":"agent","hostname":"devbox","workspace_path":"/home/john/flow-2"}`,
      headers: json,
    });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ project_id: me.project_id, alias: "bob-agent", created: true, workspace_created: true });
  });
});
