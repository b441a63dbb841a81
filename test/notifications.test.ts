// Status-change notifications (docs/protocol/sync.md): outbox intents in
// the sync transaction, inline delivery as aweb mail, and the events.
import { afterAll, describe, expect, test } from "bun:test";
import { initAgent, startTestApp, type Agent } from "./support/harness";
import { REPO, sync } from "./support/bdh";
import { OUTBOX_LEASE_SECONDS, deliverNotifications } from "../src/notifications/service";
import { beadThreadId } from "../src/notifications/uuid";

const t = await startTestApp();
afterAll(() => t.close());

const alice = await initAgent(t, { alias: "alice-n" });
const bob = await initAgent(t, { alias: "bob-n" });
const carol = await initAgent(t, { alias: "carol-n" });
const outsider = await initAgent(t, { project_slug: "other", alias: "eve-n" });

async function subscribe(a: Agent, beadId: string, repo: string | null, eventTypes = ["status_change"]) {
  await t.sql`
    insert into server.subscriptions (project_id, workspace_id, alias, bead_id, repo, event_types)
    values (${a.project_id}, ${a.workspace_id}, ${a.alias}, ${beadId}, ${repo}, ${eventTypes})`;
}
const mailsTo = (a: Agent, beadId?: string) =>
  t.sql`
    select from_agent_id, from_alias, to_agent_id, subject, body, priority, thread_id
    from aweb.messages
    where to_agent_id = ${a.agent_id} ${beadId ? t.sql`and subject = ${"Bead status changed: " + beadId}` : t.sql``}
    order by created_at`;
const lastAudit = async () =>
  (await t.sql`select details from server.audit_log where event_type = 'bdh_sync' order by created_at desc limit 1`)[0].details;

/** Collect events published on these workspaces' channels while fn runs. */
async function events(workspaceIds: string[], fn: () => Promise<unknown>) {
  const got: Record<string, unknown>[] = [];
  const off = t.handle.deps.bus.subscribe(workspaceIds.map((w) => `events:${w}`), (m) => got.push(JSON.parse(m)));
  await Bun.sleep(50);
  await fn();
  await Bun.sleep(100);
  off();
  return got;
}

describe("bdh sync", () => {
  test("exactly one mail per status change; none for new beads or unchanged rows", async () => {
    await subscribe(bob, "n-1", REPO);
    await sync(t, alice, { issues: [{ id: "n-1", title: "Notify me", status: "open" }] });
    await sync(t, alice, { issues: [{ id: "n-1", title: "Notify me", status: "open" }] });
    await sync(t, alice, { changed: [{ id: "n-1", title: "Renamed", status: "open" }] });
    expect(await mailsTo(bob)).toHaveLength(0);

    const got = await events([alice.workspace_id!, bob.workspace_id!], () =>
      sync(t, alice, { changed: [{ id: "n-1", title: "Notify me", status: "in_progress" }] }),
    );
    const mails = await mailsTo(bob);
    expect([...mails]).toEqual([
      {
        from_agent_id: alice.agent_id,
        from_alias: "alice-n",
        to_agent_id: bob.agent_id,
        subject: "Bead status changed: n-1",
        body: `**n-1** status changed from \`open\` to \`in_progress\`\n\nTitle: Notify me\nRepo: ${REPO}\nBranch: main\n`,
        priority: "normal",
        thread_id: beadThreadId("n-1"),
      },
    ]);
    expect(await lastAudit()).toMatchObject({ notifications_sent: 1, notifications_failed: 0 });
    const outbox = await t.sql`select status, attempts, message_id, processed_at, last_error, payload from server.notification_outbox`;
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ status: "completed", attempts: 1, last_error: null });
    expect(outbox[0].payload).toEqual({ bead_id: "n-1", repo: REPO, branch: "main", old_status: "open", new_status: "in_progress", title: "Notify me" });

    const changed = got.find((e) => e.type === "bead.status_changed");
    expect(changed).toMatchObject({
      workspace_id: alice.workspace_id,
      type: "bead.status_changed",
      project_slug: "proj",
      project_id: alice.project_id,
      bead_id: "n-1",
      repo: REPO,
      old_status: "open",
      new_status: "in_progress",
    });
    expect(typeof changed!.timestamp).toBe("string");
    const delivered = got.find((e) => e.type === "message.delivered");
    expect(delivered).toMatchObject({
      workspace_id: bob.workspace_id,
      from_workspace: alice.workspace_id,
      from_alias: "alice-n",
      subject: "Bead status changed: n-1",
      priority: "normal",
      to_alias: bob.alias,
    });

    // the next change is one more mail in the same thread; a stale one is none
    await sync(t, alice, { changed: [{ id: "n-1", status: "closed", updated_at: "2025-02-01T00:00:00Z" }] });
    await sync(t, alice, { changed: [{ id: "n-1", status: "open", updated_at: "2025-01-01T00:00:00Z" }] });
    const all = await mailsTo(bob);
    expect(all).toHaveLength(2);
    expect(all[1].thread_id).toBe(beadThreadId("n-1"));
    expect(all[1].body.startsWith("**n-1** status changed from `in_progress` to `closed`\n\n")).toBe(true);
  });

  test("matching: repo must match, NULL repo matches any (decision §20 Q3), event_types, project", async () => {
    await subscribe(bob, "m-1", "github.com/acme/other"); // another repo: no
    await subscribe(carol, "m-1", null); // any repo: yes
    await subscribe(alice, "m-1", REPO, ["comment"]); // other event type: no
    await subscribe(outsider, "m-1", REPO); // another project: no
    await sync(t, alice, { issues: [{ id: "m-1", status: "open" }] });
    await sync(t, alice, { changed: [{ id: "m-1", status: "closed" }] });
    expect(await mailsTo(carol, "m-1")).toHaveLength(1);
    expect(await mailsTo(bob, "m-1")).toHaveLength(0);
    expect(await mailsTo(alice, "m-1")).toHaveLength(0);
    expect(await mailsTo(outsider, "m-1")).toHaveLength(0);
    await subscribe(bob, "m-1", REPO, ["all"]);
    await sync(t, alice, { changed: [{ id: "m-1", status: "open" }] });
    expect(await mailsTo(bob, "m-1")).toHaveLength(1);
    expect(await mailsTo(carol, "m-1")).toHaveLength(2);
  });

  test("a deleted recipient fails the row (retried at most 3 times)", async () => {
    const gone = await initAgent(t, { alias: "gone-n" });
    await subscribe(gone, "g-1", REPO);
    await sync(t, alice, { issues: [{ id: "g-1", status: "open" }] });
    await t.sql`update server.workspaces set deleted_at = now() where workspace_id = ${gone.workspace_id}`;
    for (const status of ["in_progress", "closed", "open", "in_progress"]) {
      await sync(t, alice, { changed: [{ id: "g-1", status }] });
    }
    const rows = await t.sql`
      select status, attempts, last_error from server.notification_outbox
      where recipient_workspace_id = ${gone.workspace_id} order by created_at`;
    // 4 intents; the first was tried on each of the 4 syncs but stops at 3 attempts
    expect(rows.map((r) => [r.status, r.attempts, r.last_error])).toEqual([
      ["failed", 3, "Recipient workspace not found or deleted"],
      ["failed", 3, "Recipient workspace not found or deleted"],
      ["failed", 2, "Recipient workspace not found or deleted"],
      ["failed", 1, "Recipient workspace not found or deleted"],
    ]);
    expect(await lastAudit()).toMatchObject({ notifications_sent: 0, notifications_failed: 3 });
  });
});

describe("uploads and the drain", () => {
  test("upload responses carry the counts and completed_with_errors", async () => {
    await subscribe(bob, "u-1", "github.com/acme/up");
    const up = (status: string) =>
      t.request("POST", "/v1/beads/upload", { body: { repo: "github.com/acme/up", issues: [{ id: "u-1", status }] }, token: alice.api_key });
    // a new bead sends nothing itself, but it drains the project's outbox like the
    // reference: the two rows of the previous test still had attempts left (§19.8)
    expect((await up("open")).body).toMatchObject({ status: "completed_with_errors", notifications_sent: 0, notifications_failed: 2 });
    // attempts were 2 and 1: one row has a last try left
    expect((await up("closed")).body).toMatchObject({ status: "completed_with_errors", notifications_sent: 1, notifications_failed: 1 });
    expect((await up("open")).body).toMatchObject({ status: "completed", notifications_sent: 1, notifications_failed: 0 });
    expect(await mailsTo(bob, "u-1")).toHaveLength(2);
  });

  test("two concurrent drains never deliver a row twice", async () => {
    await t.sql`update server.notification_outbox set status = 'completed' where status <> 'completed'`;
    await t.sql`
      insert into server.notification_outbox (project_id, payload, recipient_workspace_id, recipient_alias)
      select ${alice.project_id}, jsonb_build_object('bead_id', 'cc-' || g, 'old_status', 'open', 'new_status', 'closed'),
             ${carol.workspace_id}, 'carol-n'
      from generate_series(1, 60) g`;
    const sender = { agentId: alice.agent_id, alias: alice.alias };
    const [a, b] = await Promise.all([
      deliverNotifications(t.handle.deps, alice.project_id, sender, "proj"),
      deliverNotifications(t.handle.deps, alice.project_id, sender, "proj"),
    ]);
    expect(a.sent + b.sent).toBe(60);
    expect(a.failed + b.failed).toBe(0);
    const [{ n }] = await t.sql`select count(*)::int as n from aweb.messages where to_agent_id = ${carol.agent_id} and subject like 'Bead status changed: cc-%'`;
    expect(n).toBe(60);
  });

  test("a row left 'processing' by a dead process is taken back after its lease, a live claim is not", async () => {
    await t.sql`update server.notification_outbox set status = 'completed' where status <> 'completed'`;
    const insert = (bead: string, claimedAgo: string) => t.sql`
      insert into server.notification_outbox (project_id, payload, recipient_workspace_id, recipient_alias, status, attempts, claimed_at)
      values (${alice.project_id}, ${t.sql.json({ bead_id: bead, old_status: "open", new_status: "closed" })}, ${carol.workspace_id}, 'carol-n',
              'processing', 1, now() - ${claimedAgo}::interval)`;
    await insert("lease-stale", `${OUTBOX_LEASE_SECONDS + 60} seconds`);
    await insert("lease-live", "10 seconds");
    const sender = { agentId: alice.agent_id, alias: alice.alias };
    expect(await deliverNotifications(t.handle.deps, alice.project_id, sender, "proj")).toEqual({ sent: 1, failed: 0 });
    const rows = await t.sql`
      select payload->>'bead_id' as bead, status, attempts from server.notification_outbox
      where payload->>'bead_id' like 'lease-%' order by bead`;
    expect([...rows]).toEqual([
      { bead: "lease-live", status: "processing", attempts: 1 },
      { bead: "lease-stale", status: "completed", attempts: 2 },
    ]);
    expect(await mailsTo(carol, "lease-stale")).toHaveLength(1);
    expect(await mailsTo(carol, "lease-live")).toHaveLength(0);
  });
});
