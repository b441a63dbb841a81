// The dashboard in a real browser (issue 14): a real server on a spare port,
// seeded through the API, driven by Chromium. One browser for the file, few
// page loads. Screenshots go to test/screenshots/ (git-ignored).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { initAgent, initRepoAgent, startTestApp, type Agent, type RepoAgent, type TestApp } from "./support/harness";
import { CHROMIUM, browserAvailable, launchBrowser } from "./support/browser";
import { proxyHeaders, publicReaderHeaders } from "./support/proxy";

const HAVE_BROWSER = browserAvailable();
if (!HAVE_BROWSER) console.warn(`SKIP dashboard browser tests: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set BEADHUB_CHROMIUM)`);

const SECRET = "dashboard-test-secret";
const SHOTS = join(import.meta.dir, "screenshots");
const WAIT = { timeout: 15_000 };

let t: TestApp;
let base = "";
let browser: Browser;
let context: BrowserContext;
let page: Page;
let human: Agent;
let alice: RepoAgent;
let bob: RepoAgent;
/** Routes from the server side of the dashboard (srv); skipped with a message while they are missing. */
const has = { claims: false, forceRelease: false, monitor: false, respondedBy: false };

const api = async (method: string, path: string, key: string, body?: unknown) => {
  const r = await t.request(method, path, { token: key, body });
  return r;
};

async function online(a: RepoAgent, role = "developer") {
  const r = await api("POST", "/v1/agents/register", a.api_key, {
    workspace_id: a.workspace_id,
    alias: a.alias,
    program: "claude-code",
    branch: "main",
    role,
  });
  expect(r.status).toBe(200);
}

describe.skipIf(!HAVE_BROWSER)("dashboard in Chromium", () => {
  beforeAll(async () => {
    t = await startTestApp({ config: { internalAuthSecret: SECRET } });
    t.handle.app.listen({ hostname: "127.0.0.1", port: 0, reusePort: false });
    base = `http://127.0.0.1:${t.handle.app.server!.port}`;
    human = await initAgent(t, { project_slug: "demo", alias: "ada", human_name: "Ada Lovelace", agent_type: "human", repo_origin: null });
    alice = await initRepoAgent(t, "demo", "alice-dev", { human_name: "Ada Lovelace", role: "developer", repo_origin: "git@github.com:acme/app.git" });
    bob = await initRepoAgent(t, "demo", "bob-review", { human_name: "Ada Lovelace", role: "reviewer", repo_origin: "git@github.com:acme/api.git" });
    await online(alice);
    await online(bob, "reviewer");
    // Synced issues with a dependency, a label and a markdown description.
    const issues = [
      { id: "app-1", title: "Login fails with SSO accounts", status: "in_progress", priority: 1, issue_type: "bug", description: "Users from **Okta** get a 500.\n\n- reproduce with `sso=1`\n- check the callback" },
      { id: "app-2", title: "Add audit log export", status: "open", priority: 2, issue_type: "feature", dependencies: [{ issue_id: "app-2", depends_on_id: "app-1", type: "blocks" }] },
      { id: "app-3", title: "Upgrade the ORM", status: "open", priority: 3, issue_type: "chore", labels: ["tech-debt"] },
      { id: "app-4", title: "Rate-limit the public API", status: "closed", priority: 1, issue_type: "task" },
    ];
    const up = await api("POST", "/v1/beads/upload", alice.api_key, { repo: "github.com/acme/app", branch: "main", issues });
    expect(up.status).toBe(200);
    const probe = async (method: string, path: string, body?: unknown) => (await api(method, path, human.api_key, body)).status !== 404;
    has.claims = await probe("POST", "/v1/claims/release", { bead_id: "x" });
    has.forceRelease = await probe("POST", "/v1/reservations/force-release", { resource_keys: ["x"] });
    has.monitor = (await api("GET", "/v1/chat/monitor", human.api_key)).status === 200;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    mkdirSync(SHOTS, { recursive: true });
    for (const [k, v] of Object.entries(has)) if (!v && k !== "respondedBy") console.warn(`SKIP parts needing ${k}: that server route is not on this branch yet`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    t.handle.app.server?.stop(true);
    await t?.close();
  });

  test("sign in by fragment: the key is taken, the URL cleaned, the header says who you act as", async () => {
    await page.goto(`${base}/#api_key=${human.api_key}`);
    await page.locator(".who").getByText("ada").waitFor(WAIT);
    expect(await page.locator(".who").textContent()).toContain("Ada Lovelace");
    expect(await page.locator(".who").textContent()).toContain("human");
    expect(new URL(page.url()).hash).toBe("");
    expect(await page.evaluate(() => localStorage.getItem("beadhub.api_key"))).toBe(human.api_key);
    expect(await page.locator("[data-test=not-human]").count()).toBe(0);
    await page.locator("[data-test=online]").getByText("alice-dev").waitFor(WAIT);
    // The theme toggle flips light/dark against the system preference, and is remembered.
    await page.emulateMedia({ colorScheme: "light" });
    await page.getByTitle("Light / dark").click();
    expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
    type Styled = { getComputedStyle(e: unknown): { backgroundColor: string } };
    const background = await page.locator("body").evaluate((el) => (globalThis as unknown as Styled).getComputedStyle(el).backgroundColor);
    expect(background).toBe("rgb(18, 21, 27)");
    await page.getByTitle("Light / dark").click();
    expect(await page.evaluate(() => localStorage.getItem("beadhub.theme"))).toBe("light");
    await page.evaluate(() => localStorage.removeItem("beadhub.theme"));
  }, 30_000);

  test("a workspace comes online live", async () => {
    const carol = await initRepoAgent(t, "demo", "carol-front", { role: "frontend" });
    expect(await page.locator("[data-test=online]").getByText("carol-front").count()).toBe(0);
    await online(carol, "frontend");
    await page.locator("[data-test=online]").getByText("carol-front").waitFor(WAIT);
    // Filter by repo: only the api repo's workspace stays.
    await page.selectOption("select[name=repo]", "github.com/acme/api");
    await page.locator("[data-test=online]").getByText("alice-dev").waitFor({ state: "detached", ...WAIT });
    expect(await page.locator("[data-test=online] tbody tr").count()).toBe(1);
    await page.selectOption("select[name=repo]", "");
  }, 30_000);

  test("a lost event stream reconnects and the feed resumes", async () => {
    await page.goto(`${base}/`);
    await page.locator(".stream.live").waitFor(WAIT);
    // Drop every connection (as a restart or a proxy would), then listen again on the same port.
    const port = t.handle.app.server!.port;
    t.handle.app.server!.stop(true);
    await page.locator(".stream.retrying, .stream.connecting").waitFor(WAIT);
    t.handle.app.listen({ hostname: "127.0.0.1", port, reusePort: false });
    await page.locator(".stream.live").waitFor({ timeout: 20_000 });
    const r = await api("POST", "/v1/reservations", alice.api_key, { resource_key: "docs/after-reconnect.md", ttl_seconds: 60 });
    expect(r.status).toBe(200);
    await page.locator("[data-test=feed]").getByText("docs/after-reconnect.md").waitFor(WAIT);
    expect((await api("POST", "/v1/reservations/release", alice.api_key, { resource_key: "docs/after-reconnect.md" })).status).toBe(200);
  }, 45_000);

  test("deleting a workspace ends its claims, and the feed says so", async () => {
    const dave = await initRepoAgent(t, "demo", "dave-tmp", { role: "developer" });
    expect((await api("POST", "/v1/claims", dave.api_key, { bead_id: "app-3" })).status).toBe(200);
    await page.goto(`${base}/`);
    await page.locator(".stream.live").waitFor(WAIT);
    expect((await api("DELETE", `/v1/workspaces/${dave.workspace_id}`, human.api_key)).status).toBe(200);
    await page.locator("[data-test=feed]").getByText("dave-tmp's claim on app-3 ended: workspace deleted").waitFor(WAIT);
    // Back as it was: the workspaces test below counts the deleted ones.
    expect((await api("POST", `/v1/workspaces/${dave.workspace_id}/restore`, dave.api_key)).status).toBe(200);
  }, 30_000);

  test("answer an escalation: it appears live, the answer is recorded with who gave it", async () => {
    const created = await api("POST", "/v1/escalations", alice.api_key, {
      workspace_id: alice.workspace_id,
      alias: alice.alias,
      subject: "Deploy to production?",
      situation: "Tests pass on **main**. <script>alert(1)</script> Deploy now or wait for review? See [the runbook](https://example.com/runbook) or [this](javascript:alert(2)).",
      options: ["Deploy now", "Wait for review"],
    });
    expect(created.status).toBe(200);
    const id = created.body.escalation_id;
    // The link in the pending list (the feed shows the subject too, as text).
    await page.getByRole("link", { name: "Deploy to production?" }).waitFor(WAIT);
    await page.locator("[data-test=attention]").waitFor(WAIT);
    // The live feed shows the event as it arrived on the status stream.
    await page.locator("[data-test=feed]").getByText("escalation.created").waitFor(WAIT);
    await page.getByRole("link", { name: "Deploy to production?" }).click();
    await page.getByText("Situation").waitFor(WAIT);
    // Agent text is text: the tag shows literally and runs nothing; markdown bold renders.
    expect(await page.locator(".md strong").first().textContent()).toBe("main");
    expect(await page.locator(".md").first().textContent()).toContain("<script>alert(1)</script>");
    expect(await page.locator("main script").count()).toBe(0);
    // Only http(s)/mailto links become links; a javascript: one stays text.
    expect(await page.locator(".md a").count()).toBe(1);
    expect(await page.locator(".md a").getAttribute("href")).toBe("https://example.com/runbook");
    expect(await page.locator(".md").first().textContent()).toContain("[this](javascript:alert(2))");
    await page.fill("input[name=note]", "ship it after lunch");
    await page.getByRole("button", { name: "Wait for review" }).click();
    await page.locator("[data-test=answer]").getByText("Wait for review").waitFor(WAIT);
    const r = await api("GET", `/v1/escalations/${id}`, alice.api_key);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("responded");
    expect(r.body.response).toBe("Wait for review");
    expect(r.body.response_note).toBe("ship it after lunch");
    expect(r.body.responded_by).toBe("ada");
    await page.getByText("answered by ada").waitFor(WAIT);
  }, 30_000);

  test("send mail to two agents and see it in their inboxes; mail to the human shows up live", async () => {
    await page.goto(`${base}/mail?to=alice-dev`);
    await page.locator("input[name=to]").waitFor(WAIT);
    await page.fill("input[name=to]", "alice-dev, bob-review");
    await page.fill("input[name=subject]", "Standup");
    await page.fill("textarea[name=body]", "Please post your status.");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByText("Sent.").waitFor(WAIT);
    for (const a of [alice, bob]) {
      const inbox = await api("GET", "/v1/messages/inbox", a.api_key);
      expect(inbox.status).toBe(200);
      expect(inbox.body.messages.map((m: { subject: string; from_alias: string }) => [m.subject, m.from_alias])).toContainEqual(["Standup", "ada"]);
    }
    const reply = await api("POST", "/v1/messages", alice.api_key, { to_alias: "ada", subject: "Re: Standup", body: "Working on the login bug." });
    expect(reply.status).toBe(200);
    await page.getByRole("tab", { name: /Inbox/ }).click();
    await page.locator("[data-test=mail-inbox]").getByText("Re: Standup").waitFor(WAIT);
    await page.locator("[data-test=mail-inbox]").getByText("Re: Standup").click();
    await page.getByRole("button", { name: "Mark read" }).click();
    // Reply in the thread.
    await page.getByRole("button", { name: "Reply" }).click();
    expect(await page.inputValue("input[name=to]")).toBe("alice-dev");
    expect(await page.inputValue("input[name=subject]")).toBe("Re: Standup");
    await page.fill("textarea[name=body]", "Thanks, keep me posted.");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByText("Sent.").waitFor(WAIT);
    // The busy button is relabelled at once; the unread count drops only after the server answered.
    await page.getByRole("tab", { name: "Inbox (0 unread)" }).waitFor(WAIT);
    const msgs = (await api("GET", "/v1/messages/inbox", human.api_key)).body.messages;
    const answered = msgs.find((m: { subject: string }) => m.subject === "Re: Standup");
    expect(answered.read_at).not.toBeNull();
    const aliceInbox = (await api("GET", "/v1/messages/inbox", alice.api_key)).body.messages;
    const threaded = aliceInbox.find((m: { body: string }) => m.body === "Thanks, keep me posted.");
    expect(threaded).toMatchObject({ from_alias: "ada", subject: "Re: Standup", thread_id: answered.thread_id ?? answered.message_id });
  }, 30_000);

  test("start a chat and get the agent's reply live", async () => {
    await page.goto(`${base}/chat`);
    await page.fill("input[name=chat_to]", "alice-dev");
    await page.fill("textarea[name=chat_message]", "Are you blocked?");
    await page.getByRole("button", { name: "Start" }).click();
    await page.waitForURL(/\/chat\/[0-9a-f-]{36}$/, { waitUntil: "commit", ...WAIT });
    const sessionId = page.url().split("/").pop()!;
    await page.locator("[data-test=transcript]").getByText("Are you blocked?").waitFor(WAIT);
    const r = await api("POST", `/v1/chat/sessions/${sessionId}/messages`, alice.api_key, { body: "No, almost done." });
    expect(r.status).toBe(200);
    await page.locator("[data-test=transcript]").getByText("No, almost done.").waitFor(WAIT);
    await page.fill("input[name=chat_reply]", "Great, thanks!");
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator("[data-test=transcript]").getByText("Great, thanks!").waitFor(WAIT);
    const history = await api("GET", `/v1/chat/sessions/${sessionId}/messages`, alice.api_key);
    expect(history.body.messages.map((m: { body: string }) => m.body)).toEqual(["Are you blocked?", "No, almost done.", "Great, thanks!"]);
  }, 30_000);

  test("the monitor lists every conversation of the project and opens any transcript", async () => {
    if (!has.monitor) return console.warn("SKIP monitor: GET /v1/chat/monitor missing");
    const started = await api("POST", "/v1/chat/sessions", alice.api_key, { to_aliases: ["bob-review"], message: "Can you review PR 7?" });
    expect(started.status).toBe(200);
    await page.goto(`${base}/chat`);
    await page.getByRole("tab", { name: /Monitor/ }).click();
    await page.locator("[data-test=monitor]").getByText("alice-dev, bob-review").click();
    await page.locator("[data-test=transcript]").getByText("Can you review PR 7?").waitFor(WAIT);
    // A later message shows up without a reload (chat.message_sent on the status stream).
    expect((await api("POST", `/v1/chat/sessions/${started.body.session_id}/messages`, bob.api_key, { body: "On it." })).status).toBe(200);
    await page.locator("[data-test=transcript]").getByText("On it.").waitFor(WAIT);
  }, 30_000);

  test("edit a policy into a new active version; a concurrent change is shown as 409 and the edits kept; activate an old one", async () => {
    const before = await api("GET", "/v1/policies/active", human.api_key);
    expect(before.status).toBe(200);
    await page.goto(`${base}/policies`);
    await page.getByRole("button", { name: "Edit" }).click();
    await page.fill("input[name=inv-title-0]", "Track work with bdh, always");
    await page.getByRole("button", { name: "Save new version" }).click();
    await page.getByRole("button", { name: "Save new version" }).waitFor({ state: "detached", ...WAIT });
    const after = await api("GET", "/v1/policies/active", human.api_key);
    expect(after.body.version).toBe(before.body.version + 1);
    expect(after.body.invariants[0].title).toBe("Track work with bdh, always");
    await page.getByText("Track work with bdh, always").first().waitFor(WAIT);

    // Someone else changes the policy while the editor is open.
    await page.getByRole("button", { name: "Edit" }).click();
    await page.fill("input[name=inv-title-0]", "My concurrent edit");
    const other = await api("POST", "/v1/policies/reset", alice.api_key, null);
    expect(other.status).toBe(200);
    await page.getByRole("button", { name: "Save new version" }).click();
    await page.locator(".editor .error").getByText(/changed while you were editing/).waitFor(WAIT);
    expect(await page.inputValue("input[name=inv-title-0]")).toBe("My concurrent edit");
    await page.getByRole("button", { name: "Cancel" }).click();

    // Activate the version the human made.
    const history = page.locator("[data-test=policy-history] li", { hasText: `v${after.body.version}` });
    await history.getByRole("button", { name: "Activate" }).click();
    await page.locator("[data-test=policy-history] li", { hasText: `v${after.body.version}` }).getByText("active").waitFor(WAIT);
    const active = await api("GET", "/v1/policies/active", human.api_key);
    expect(active.body.policy_id).toBe(after.body.policy_id);
  }, 30_000);

  test("force-release a lock", async () => {
    if (!has.forceRelease) return console.warn("SKIP force-release: POST /v1/reservations/force-release missing");
    const key = "src/login.ts";
    const held = await api("POST", "/v1/reservations", bob.api_key, { resource_key: key, ttl_seconds: 600, metadata: { reason: "manual" } });
    expect(held.status).toBe(200);
    await page.goto(`${base}/locks`);
    const row = page.locator("[data-test=locks] tr", { hasText: key });
    await row.waitFor(WAIT);
    page.once("dialog", (d) => d.accept());
    await row.getByRole("button", { name: "Force release" }).click();
    await page.getByText("No file is reserved.").waitFor(WAIT);
    const left = await api("GET", "/v1/reservations", bob.api_key);
    expect(left.body.reservations).toEqual([]);
  }, 30_000);

  test("release a stale claim", async () => {
    if (!has.claims) return console.warn("SKIP claim release: POST /v1/claims missing");
    const claimed = await api("POST", "/v1/claims", alice.api_key, { bead_id: "app-42" });
    expect(claimed.status).toBe(200);
    await page.goto(`${base}/claims`);
    const row = page.locator("[data-test=claims] tr", { hasText: "app-42" });
    await row.waitFor(WAIT);
    page.once("dialog", (d) => d.accept());
    await row.getByRole("button", { name: "Release" }).click();
    await page.getByText(/No issue is claimed/).waitFor(WAIT);
    const left = await api("GET", "/v1/claims", alice.api_key);
    expect(left.body.claims).toEqual([]);
  }, 30_000);

  test("screenshots of every page, light and dark, and one narrow", async () => {
    // Some life for the screenshots: a claim and a lock (the issues come from beforeAll).
    if (has.claims) expect((await api("POST", "/v1/claims", alice.api_key, { bead_id: "app-1" })).status).toBe(200);
    await api("POST", "/v1/reservations", bob.api_key, { resource_key: "src/auth/sso.ts", ttl_seconds: 1800, metadata: { reason: "manual" } });
    await api("POST", "/v1/escalations", bob.api_key, {
      workspace_id: bob.workspace_id,
      alias: bob.alias,
      subject: "Which API version should the client target?",
      situation: "v1 is stable, v2 has the new auth.",
      options: ["v1", "v2"],
    });
    const pages = ["/", "/issues", "/claims", "/locks", "/mail", "/chat", "/workspaces", "/escalations", "/policies", "/signin"];
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const p of pages) {
        if (p === "/signin") {
          const anon = await context.browser()!.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: scheme });
          const ap = await anon.newPage();
          await ap.goto(`${base}/signin`);
          await ap.getByRole("heading", { name: "Sign in" }).waitFor(WAIT);
          await ap.screenshot({ path: join(SHOTS, `signin-${scheme}.png`), fullPage: true });
          await anon.close();
          continue;
        }
        await page.goto(`${base}${p}`);
        await page.locator("main .page").waitFor(WAIT);
        await page.waitForTimeout(400);
        const name = p === "/" ? "status" : p.slice(1);
        await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`), fullPage: true });
      }
    }
    // Two detail pages too (light only).
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(`${base}/issues/app-2`);
    await page.getByText("Blocked by").waitFor(WAIT);
    await page.locator(".card", { hasText: "Blocked by" }).getByText("app-1").waitFor(WAIT);
    await page.screenshot({ path: join(SHOTS, "issue-detail-light.png"), fullPage: true });
    await page.goto(`${base}/issues/app-1`);
    await page.locator(".card", { hasText: "Blocks" }).getByText("app-2").waitFor(WAIT);
    await page.locator(".md li").first().waitFor(WAIT);
    await page.goto(`${base}/escalations`);
    await page.getByText("Which API version should the client target?").click();
    await page.getByRole("button", { name: "v2" }).waitFor(WAIT);
    await page.screenshot({ path: join(SHOTS, "escalation-detail-light.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/`);
    await page.locator("[data-test=online]").waitFor(WAIT);
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(SHOTS, "status-narrow.png"), fullPage: true });
    // Nothing wider than the screen on a phone.
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 860 });
  }, 120_000);

  test("issues: search and filters narrow the list; a row opens the detail", async () => {
    await page.goto(`${base}/issues`);
    await page.getByText("Upgrade the ORM").waitFor(WAIT);
    await page.fill("input[name=q]", "sso");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText("Upgrade the ORM").waitFor({ state: "detached", ...WAIT });
    expect(await page.locator("tbody tr").count()).toBe(1);
    await page.fill("input[name=q]", "");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText("Upgrade the ORM").waitFor(WAIT);
    await page.selectOption("select[name=status]", "closed");
    await page.getByText("Upgrade the ORM").waitFor({ state: "detached", ...WAIT });
    expect(await page.locator("tbody tr").count()).toBe(1);
    await page.getByText("app-4").click();
    await page.locator("h1").getByText("Rate-limit the public API").waitFor(WAIT);
  }, 30_000);

  test("workspaces: delete one, find it under deleted, restore it", async () => {
    const dave = await initRepoAgent(t, "demo", "dave-ops", { role: "ops" });
    await online(dave, "ops");
    await page.goto(`${base}/workspaces`);
    const row = page.locator("[data-test=workspaces] tr", { hasText: "dave-ops" });
    await row.waitFor(WAIT);
    page.once("dialog", (d) => d.accept());
    await row.getByRole("button", { name: "Delete" }).click();
    await row.waitFor({ state: "detached", ...WAIT });
    const deleted = await api("GET", "/v1/workspaces?include_deleted=true&include_presence=false&limit=200", human.api_key);
    expect(deleted.body.workspaces.find((w: { alias: string }) => w.alias === "dave-ops").deleted_at).not.toBeNull();
    await page.getByRole("tab", { name: /deleted/ }).click();
    // Restoring is bound to the workspace's own key (contract §4.8): the human is told so.
    await page.locator("[data-test=workspaces] tr", { hasText: "dave-ops" }).getByText("restored by its own agent").waitFor(WAIT);
    // Signed in as that agent, the dashboard restores it.
    const ctx = await browser.newContext();
    try {
      const p = await ctx.newPage();
      await p.goto(`${base}/workspaces#api_key=${dave.api_key}`);
      await p.getByRole("tab", { name: /deleted/ }).click();
      await p.locator("[data-test=workspaces] tr", { hasText: "dave-ops" }).getByRole("button", { name: "Restore" }).click();
      await p.getByRole("tab", { name: "deleted (0)" }).waitFor(WAIT);
    } finally {
      await ctx.close();
    }
    const after = await api("GET", "/v1/workspaces?include_deleted=true&include_presence=false&limit=200", human.api_key);
    expect(after.body.workspaces.find((w: { alias: string }) => w.alias === "dave-ops").deleted_at).toBeNull();
  }, 30_000);

  test("create my human identity from the sign-in page", async () => {
    const ctx = await browser.newContext();
    try {
      const p = await ctx.newPage();
      await p.goto(`${base}/`);
      await p.waitForURL(/\/signin$/, { waitUntil: "commit", ...WAIT });
      await p.fill("input[name=project_slug]", "demo");
      await p.fill("input[name=human_name]", "Grace Hopper");
      await p.getByRole("button", { name: "Create" }).click();
      const key = (await p.locator("[data-test=new-key]").textContent({ timeout: 15_000 }))!.trim();
      expect(key).toMatch(/^aw_sk_/);
      await p.getByRole("button", { name: "Open the dashboard" }).click();
      await p.locator(".who").getByText("Grace Hopper", { exact: false }).waitFor(WAIT);
      const me = await t.request("GET", "/v1/auth/introspect", { token: key });
      expect(me.body.agent_type).toBe("human");
      expect(me.body.human_name).toBe("Grace Hopper");
      expect(me.body.project_id).toBe(human.project_id);
    } finally {
      await ctx.close();
    }
  }, 30_000);

  test("a key the server refuses leaves you on the sign-in page with the reason, and is not kept", async () => {
    const ctx = await browser.newContext();
    try {
      const p = await ctx.newPage();
      await p.goto(`${base}/#api_key=aw_sk_${"0".repeat(64)}`);
      await p.getByRole("alert").getByText("Invalid API key").waitFor(WAIT);
      await p.waitForURL(/\/signin$/, { waitUntil: "commit", ...WAIT });
      expect(new URL(p.url()).hash).toBe("");
      expect(await p.evaluate(() => localStorage.getItem("beadhub.api_key"))).toBeNull();
    } finally {
      await ctx.close();
    }
  }, 30_000);

  test("an agent's key sees the 'not a human' warning, and signs out", async () => {
    const ctx = await browser.newContext();
    try {
      const p = await ctx.newPage();
      await p.goto(`${base}/#api_key=${alice.api_key}`);
      await p.locator("[data-test=not-human]").waitFor(WAIT);
      expect(await p.locator("[data-test=not-human]").textContent()).toContain("not a human");
      expect(await p.locator(".who").textContent()).toContain("alice-dev");
      // Signing out forgets the key and returns to the sign-in page.
      await p.getByRole("button", { name: "Sign out" }).click();
      await p.getByRole("heading", { name: "Sign in" }).waitFor(WAIT);
      expect(await p.evaluate(() => localStorage.getItem("beadhub.api_key"))).toBeNull();
      expect(await p.locator(".who").count()).toBe(0);
    } finally {
      await ctx.close();
    }
  }, 30_000);

  test("a signed-proxy user is a human: no warning, human-only actions enabled", async () => {
    const ctx = await browser.newContext({ extraHTTPHeaders: proxyHeaders(SECRET, human.project_id, human.agent_id, { type: "u" }) });
    try {
      const p = await ctx.newPage();
      const held = await api("POST", "/v1/reservations", bob.api_key, { resource_key: "proxy/lock.txt", ttl_seconds: 600 });
      expect(held.status).toBe(200);
      await p.goto(`${base}/locks`);
      const row = p.locator("[data-test=locks] tr", { hasText: "proxy/lock.txt" });
      await row.waitFor(WAIT);
      expect(await p.locator("[data-test=not-human]").count()).toBe(0);
      expect(await row.getByRole("button", { name: "Force release" }).isDisabled()).toBe(!has.forceRelease);
      expect((await api("POST", "/v1/reservations/release", bob.api_key, { resource_key: "proxy/lock.txt" })).status).toBe(200);
    } finally {
      await ctx.close();
    }
  }, 30_000);

  test("a public reader sees the project read-only and cannot write", async () => {
    const ctx = await browser.newContext({ extraHTTPHeaders: publicReaderHeaders(SECRET, human.project_id, alice.agent_id) });
    try {
      const p = await ctx.newPage();
      await p.goto(`${base}/policies`);
      await p.locator("[data-test=public-warning]").waitFor(WAIT);
      await p.getByRole("button", { name: "Edit" }).waitFor(WAIT);
      expect(await p.getByRole("button", { name: "Edit" }).isDisabled()).toBe(true);
      expect(await p.getByRole("button", { name: "Reset to defaults" }).isDisabled()).toBe(true);
      // Even a hand-made request from the page is refused by the server, and changes nothing.
      const before = (await api("GET", "/v1/policies/active", human.api_key)).body.policy_id;
      const status = await p.evaluate(async () => (await fetch("/v1/policies/reset", { method: "POST", headers: { "content-type": "application/json" }, body: "null" })).status);
      expect([401, 403]).toContain(status);
      expect((await api("GET", "/v1/policies/active", human.api_key)).body.policy_id).toBe(before);
    } finally {
      await ctx.close();
    }
  }, 30_000);
});
