// Races (issue 9 §4), the cross-cutting proof in one file: many agents doing
// the same thing at the same moment through the real app and a real Postgres
// pool. Nothing may be lost or duplicated, exactly one agent may win what only
// one can hold, and no request may fail with a 5xx (deadlock, unique violation).
import { afterAll, describe, expect, test } from "bun:test";
import { initAgent, startTestApp, type Agent, type Reply, type TestApp } from "./support/harness";
import { syncBody, type Issue } from "./support/bdh";

const t = await startTestApp();
afterAll(() => t.close());

const N = 20;
const ORIGIN = "git@github.com:races/app.git";

async function team(app: TestApp, slug: string, n = N): Promise<Agent[]> {
  const out: Agent[] = [];
  for (let i = 0; i < n; i++) out.push(await initAgent(app, { project_slug: slug, alias: `${slug}-${i}`, repo_origin: ORIGIN }));
  return out;
}

/** Start all requests together (after one shared tick) and wait for every answer. */
async function together<T>(fns: (() => Promise<T>)[]): Promise<T[]> {
  let go!: () => void;
  const gate = new Promise<void>((r) => (go = r));
  const running = fns.map(async (f) => {
    await gate;
    return f();
  });
  go();
  return Promise.all(running);
}

const statuses = (rs: Reply[]) => rs.map((r) => r.status);

describe("claims", () => {
  test(`${N} agents claim the same bead at once: exactly one holder, every sync succeeds`, async () => {
    const agents = await team(t, "claim-race");
    const issue: Issue = { id: "bd-1", title: "Contested", status: "open", issue_type: "task" };
    expect((await t.request("POST", "/v1/bdh/sync", { token: agents[0].api_key, body: syncBody(agents[0], { issues: [issue], repo_origin: ORIGIN }) })).status).toBe(200);

    const replies = await together(
      agents.map((a) => () =>
        t.request("POST", "/v1/bdh/sync", {
          token: a.api_key,
          body: syncBody(a, { repo_origin: ORIGIN, command_line: "update bd-1 --status in_progress", changed: [{ ...issue, status: "in_progress" }] }),
        }),
      ),
    );
    expect(statuses(replies)).toEqual(Array(N).fill(200));
    const winners = replies.filter((r) => r.body.claim_rejected === false);
    expect(winners.length).toBe(1);
    for (const r of replies.filter((x) => x.body.claim_rejected)) expect(r.body.claim_rejected_reason).toContain("bd-1");

    const claims = await t.sql`
      select workspace_id from server.bead_claims where project_id = ${agents[0].project_id} and bead_id = 'bd-1'`;
    expect(claims.length).toBe(1);
    const winner = agents[replies.indexOf(winners[0])];
    expect(claims[0].workspace_id).toBe(winner.workspace_id);

    // The pre-flight agrees with the database: everyone else is told who holds it.
    const loser = agents.find((a) => a !== winner)!;
    const pre = await t.request("POST", "/v1/bdh/command", {
      token: loser.api_key,
      body: { workspace_id: loser.workspace_id, repo_id: loser.repo_id, alias: loser.alias, human_name: "Tester", repo_origin: ORIGIN, command_line: "update bd-1 --status in_progress" },
    });
    expect(pre.status).toBe(200);
    expect(pre.text).toContain(winner.alias);
  });
});

describe("sync", () => {
  test(`${N} concurrent full syncs of overlapping issue sets: no row lost or duplicated`, async () => {
    const agents = await team(t, "sync-race");
    // Agent i sends bd-(5i) … bd-(5i+14): each issue is sent by up to three agents at once.
    const sets = agents.map((_, i) =>
      Array.from({ length: 15 }, (_, k) => ({ id: `bd-${5 * i + k}`, title: `bd-${5 * i + k} by ${i}`, status: "open", priority: k % 4, issue_type: "task" })),
    );
    const replies = await together(
      agents.map((a, i) => () => t.request("POST", "/v1/bdh/sync", { token: a.api_key, body: syncBody(a, { issues: sets[i], repo_origin: ORIGIN }) })),
    );
    expect(statuses(replies)).toEqual(Array(N).fill(200));

    const expected = new Map<string, Set<string>>();
    for (const set of sets) for (const i of set) expected.set(i.id, new Set([...(expected.get(i.id) ?? []), i.title]));
    const rows = await t.sql<{ bead_id: string; title: string; n: number }[]>`
      select bead_id, min(title) as title, count(*)::int as n from beads.beads_issues
      where project_id = ${agents[0].project_id} group by bead_id`;
    expect(rows.length).toBe(expected.size); // none lost
    for (const r of rows) {
      expect(r.n).toBe(1); // none duplicated
      expect(expected.get(r.bead_id)!.has(r.title)).toBe(true); // one of the versions sent, not a mix
    }
    // Every reply saw a consistent count (never more than the final total).
    for (const r of replies) expect(r.body.issues_count).toBeLessThanOrEqual(expected.size);
  });

  test(`${N} concurrent updates of one issue: the newest updated_at wins whatever the arrival order`, async () => {
    const agents = await team(t, "stale-race");
    const base = Date.parse("2026-01-01T00:00:00Z");
    const order = agents.map((_, i) => i).sort(() => Math.random() - 0.5);
    const replies = await together(
      order.map((i) => () =>
        t.request("POST", "/v1/bdh/sync", {
          token: agents[i].api_key,
          body: syncBody(agents[i], {
            repo_origin: ORIGIN,
            changed: [{ id: "bd-x", title: `v${i}`, status: "open", updated_at: new Date(base + i * 1000).toISOString() }],
          }),
        }),
      ),
    );
    expect(statuses(replies)).toEqual(Array(N).fill(200));
    const rows = await t.sql`select title from beads.beads_issues where project_id = ${agents[0].project_id} and bead_id = 'bd-x'`;
    expect([...rows]).toEqual([{ title: `v${N - 1}` }]);
  });
});

describe("reservations", () => {
  test(`${N} agents acquire one lock at once: one winner, ${N - 1} clean 409s, one row`, async () => {
    const agents = await team(t, "lock-race");
    const key = "src/contested.ts";
    const replies = await together(
      agents.map((a) => () => t.request("POST", "/v1/reservations", { token: a.api_key, body: { resource_key: key, ttl_seconds: 60 } })),
    );
    const won = replies.filter((r) => r.status === 200);
    expect(won.length).toBe(1);
    expect(replies.filter((r) => r.status === 409).length).toBe(N - 1);
    const winner = agents[replies.indexOf(won[0])];
    for (const r of replies.filter((x) => x.status === 409)) expect(r.body.detail).toBeDefined();
    const rows = await t.sql`
      select holder_agent_id from aweb.reservations where project_id = ${winner.project_id} and resource_key = ${key}`;
    expect([...rows]).toEqual([{ holder_agent_id: winner.agent_id }]);
    // And everyone sees the same holder.
    const list = await t.request("GET", "/v1/reservations", { token: agents[0].api_key });
    expect(list.body.reservations.map((r: any) => r.holder_agent_id)).toEqual([winner.agent_id]);
  });

  test(`10 agents acquire, release and re-acquire one lock in a storm: never two holders`, async () => {
    const agents = await team(t, "lock-storm", 10);
    const key = "storm";
    let maxHolders = 0;
    const watch = setInterval(async () => {
      const [row] = await t.sql`select count(*)::int as n from aweb.reservations where project_id = ${agents[0].project_id} and resource_key = ${key}`;
      maxHolders = Math.max(maxHolders, row.n);
    }, 5);
    const all: Reply[] = [];
    await together(
      agents.map((a) => async () => {
        for (let round = 0; round < 5; round++) {
          const got = await t.request("POST", "/v1/reservations", { token: a.api_key, body: { resource_key: key, ttl_seconds: 60 } });
          all.push(got);
          if (got.status === 200) all.push(await t.request("POST", "/v1/reservations/release", { token: a.api_key, body: { resource_key: key } }));
        }
      }),
    );
    clearInterval(watch);
    expect(all.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    expect(all.some((r) => r.status === 200)).toBe(true);
    expect(maxHolders).toBeLessThanOrEqual(1);
  });
});

describe("init", () => {
  test(`${N} concurrent inits with the same alias: one agent, one workspace, one key; the rest alias_exists (issue 19)`, async () => {
    const replies = await together(
      Array.from({ length: N }, () => () =>
        t.request("POST", "/v1/init", { body: { project_slug: "init-race", alias: "same", repo_origin: ORIGIN, human_name: "Same" } }),
      ),
    );
    expect(statuses(replies).sort()).toEqual([200, ...Array(N - 1).fill(409)]);
    for (const r of replies.filter((r) => r.status === 409)) expect(r.body.detail).toStartWith("alias_exists:");
    const winner = replies.find((r) => r.status === 200)!;
    expect(winner.body.created).toBe(true);
    const projectId = winner.body.project_id;
    const [agents] = await t.sql`select count(*)::int as n from aweb.agents where project_id = ${projectId}`;
    const [workspaces] = await t.sql`select count(*)::int as n from server.workspaces where project_id = ${projectId}`;
    const [keys] = await t.sql`select count(*)::int as n from aweb.api_keys where project_id = ${projectId}`;
    const [projects] = await t.sql`select count(*)::int as n from aweb.projects where slug = 'init-race'`;
    expect([agents.n, workspaces.n, keys.n, projects.n]).toEqual([1, 1, 1, 1]);
    expect((await t.request("GET", "/v1/auth/introspect", { token: winner.body.api_key })).body.agent_id).toBe(winner.body.agent_id);
  });

  test(`${N} concurrent inits of new projects and aliases: every one created exactly once`, async () => {
    const replies = await together(
      Array.from({ length: N }, (_, i) => () =>
        t.request("POST", "/v1/init", { body: { project_slug: `fresh-${i % 4}`, alias: `fresh-${i}`, repo_origin: ORIGIN } }),
      ),
    );
    expect(statuses(replies)).toEqual(Array(N).fill(200));
    const [projects] = await t.sql`select count(*)::int as n from aweb.projects where slug like 'fresh-%'`;
    const [serverProjects] = await t.sql`select count(*)::int as n from server.projects where slug like 'fresh-%'`;
    const [repos] = await t.sql`select count(*)::int as n from server.repos r join server.projects p on p.id = r.project_id where p.slug like 'fresh-%'`;
    expect([projects.n, serverProjects.n, repos.n]).toEqual([4, 4, 4]);
  });
});

describe("mail and chat", () => {
  test(`${N} agents write to one agent at once: every message delivered exactly once`, async () => {
    const agents = await team(t, "mail-race");
    const [target, ...senders] = agents;
    const replies = await together(
      senders.map((a, i) => () => t.request("POST", "/v1/messages", { token: a.api_key, body: { to_alias: target.alias, subject: `s${i}`, body: `m${i}` } })),
    );
    expect(statuses(replies)).toEqual(Array(senders.length).fill(200));
    const inbox = await t.request("GET", "/v1/messages/inbox?limit=200", { token: target.api_key });
    expect(inbox.body.messages.map((m: any) => m.body).sort()).toEqual(senders.map((_, i) => `m${i}`).sort());
  });

  test(`${N} concurrent first messages between the same two agents: one chat session`, async () => {
    const [a, b] = await team(t, "chat-race", 2);
    const replies = await together(
      Array.from({ length: N }, (_, i) => () =>
        t.request("POST", "/v1/chat/sessions", { token: (i % 2 ? a : b).api_key, body: { to_aliases: [(i % 2 ? b : a).alias], message: `hi ${i}` } }),
      ),
    );
    expect(statuses(replies)).toEqual(Array(N).fill(200));
    expect(new Set(replies.map((r) => r.body.session_id)).size).toBe(1);
    const history = await t.request("GET", `/v1/chat/sessions/${replies[0].body.session_id}/messages?limit=100`, { token: a.api_key });
    expect(history.body.messages.length).toBe(N);
  });
});
