// A project full of data (agents, workspaces, repo, mail, chat, reservations,
// policies, escalations, subscriptions, synced beads and claims), built through
// the public API. The fuzz test uses one as the target of valid example
// requests; the isolation test builds two and attacks one from the other.
import { expect } from "bun:test";
import { initAgent, type Agent, type Reply, type TestApp } from "../harness";
import { syncBody } from "../bdh";

export interface World {
  slug: string;
  origin: string;
  owner: Agent;
  peer: Agent;
  /** An agent without a repo workspace (aweb-only identity). */
  loner: Agent;
  /** An agent of type human (the oversight routes, docs/protocol/dashboard-api.md). */
  human: Agent;
  messageId: string;
  subject: string;
  sessionId: string;
  chatMessageId: string;
  reservationKey: string;
  policyId: string;
  escalationId: string;
  subscriptionId: string;
  beadIds: string[];
  /** Every id, alias and secret-ish string of this project: none may appear in another project's answers. */
  markers: string[];
}

function ok(res: Reply, what: string): any {
  if (res.status !== 200) throw new Error(`${what}: ${res.status} ${res.text}`);
  return res.body;
}

export async function buildWorld(t: TestApp, slug: string): Promise<World> {
  const origin = `git@github.com:${slug}/app.git`;
  const owner = await initAgent(t, { project_slug: slug, alias: `${slug}-owner`, repo_origin: origin, human_name: `Owner ${slug}` });
  const peer = await initAgent(t, { project_slug: slug, alias: `${slug}-peer`, repo_origin: origin, human_name: `Peer ${slug}` });
  const loner = await initAgent(t, { project_slug: slug, alias: `${slug}-loner`, repo_origin: null });
  const human = await initAgent(t, { project_slug: slug, alias: `${slug}-human`, repo_origin: null, agent_type: "human" });
  const as = (a: Agent) => ({ token: a.api_key });

  const subject = `subject-${slug}-${crypto.randomUUID().slice(0, 8)}`;
  const mail = ok(
    await t.request("POST", "/v1/messages", { ...as(owner), body: { to_alias: peer.alias, subject, body: `mail body of ${slug}` } }),
    "mail",
  );
  const chat = ok(
    await t.request("POST", "/v1/chat/sessions", { ...as(owner), body: { to_aliases: [peer.alias], message: `chat of ${slug}` } }),
    "chat",
  );
  const reservationKey = `${slug}/src/locked.ts`;
  ok(await t.request("POST", "/v1/reservations", { ...as(owner), body: { resource_key: reservationKey, ttl_seconds: 3600 } }), "lock");
  ok(await t.request("GET", "/v1/policies/active", as(owner)), "policy bootstrap");
  const policy = ok(
    await t.request("POST", "/v1/policies", {
      ...as(owner),
      body: { bundle: { invariants: [{ id: `inv-${slug}`, title: `Invariant of ${slug}`, body_md: "be nice" }], roles: {}, adapters: {} } },
    }),
    "policy",
  );
  const escalation = ok(
    await t.request("POST", "/v1/escalations", {
      ...as(owner),
      body: { workspace_id: owner.workspace_id, alias: owner.alias, subject: `escalation-${slug}`, situation: `situation of ${slug}` },
    }),
    "escalation",
  );
  const beadIds = [`${slug}-1`, `${slug}-2`, `${slug}-3`];
  const issues = beadIds.map((id, i) => ({ id, title: `Bead ${id}`, status: "open", priority: i, issue_type: "task" }));
  ok(await t.request("POST", "/v1/bdh/sync", { ...as(owner), body: syncBody(owner, { issues, repo_origin: origin, human_name: `Owner ${slug}` }) }), "sync");
  ok(
    await t.request("POST", "/v1/bdh/sync", {
      ...as(owner),
      body: syncBody(owner, {
        repo_origin: origin,
        human_name: `Owner ${slug}`,
        command_line: `update ${beadIds[0]} --status in_progress`,
        changed: [{ ...issues[0], status: "in_progress" }],
      }),
    }),
    "claim",
  );
  const subscription = ok(
    await t.request("POST", "/v1/subscriptions", {
      ...as(owner),
      body: { workspace_id: owner.workspace_id, alias: owner.alias, bead_id: beadIds[1], repo: `github.com/${slug}/app` },
    }),
    "subscription",
  );
  // Presence (Redis) too, so cross-project reads of who is online have something to leak.
  for (const a of [owner, peer]) ok(await t.request("POST", "/v1/agents/heartbeat", as(a)), "heartbeat");
  ok(
    await t.request("POST", "/v1/agents/register", {
      ...as(owner),
      body: { workspace_id: owner.workspace_id, alias: owner.alias, program: "claude-code", repo: `github.com/${slug}/app`, branch: "main" },
    }),
    "register",
  );
  const claims = ok(await t.request("GET", "/v1/claims", as(owner)), "claims");
  expect(claims.claims.length).toBeGreaterThan(0);

  const markers = [
    owner.project_id, owner.agent_id, peer.agent_id, loner.agent_id, owner.repo_id!,
    human.agent_id, owner.alias, peer.alias, loner.alias, human.alias, `Owner ${slug}`, `Peer ${slug}`, ...beadIds.map((id) => `Bead ${id}`), subject, `mail body of ${slug}`, `chat of ${slug}`,
    mail.message_id, chat.session_id, chat.message_id, reservationKey, policy.policy_id,
    escalation.escalation_id, `escalation-${slug}`, subscription.subscription_id, `inv-${slug}`,
    ...beadIds,
  ];
  return {
    slug,
    origin,
    owner,
    peer,
    loner,
    human,
    messageId: mail.message_id,
    subject,
    sessionId: chat.session_id,
    chatMessageId: chat.message_id,
    reservationKey,
    policyId: policy.policy_id,
    escalationId: escalation.escalation_id,
    subscriptionId: subscription.subscription_id,
    beadIds,
    markers,
  };
}
