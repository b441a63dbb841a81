// The human rule (docs/protocol/dashboard-api.md#who-is-a-human), for every
// kind of principal. Routes that use it test their own 403s too.
import { afterAll, describe, expect, test } from "bun:test";
import { RequestAuth } from "../src/auth/identity";
import { AppError } from "../src/http/errors";
import { initAgent, startTestApp } from "./support/harness";
import { proxyHeaders, publicReaderHeaders } from "./support/proxy";

const SECRET = "human-secret";
const t = await startTestApp({ config: { internalAuthSecret: SECRET } });
afterAll(() => t.close());

const agent = await initAgent(t, { project_slug: "hum", alias: "bot-1" });
const human = await initAgent(t, { project_slug: "hum", alias: "juliet", agent_type: "human" });

const check = async (headers: Record<string, string>) => {
  try {
    const h = await new RequestAuth(t.handle.deps, new Headers(headers)).requireHuman();
    return { status: 200, name: h.name, projectId: h.projectId };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { status: err.status, detail: err.detail };
  }
};
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe("requireHuman", () => {
  test("bearer: an agent whose agent_type is human passes, named by its alias", async () => {
    expect(await check(bearer(human.api_key))).toEqual({ status: 200, name: "juliet", projectId: human.project_id });
  });

  test("bearer: an ordinary agent is refused", async () => {
    expect(await check(bearer(agent.api_key))).toEqual({ status: 403, detail: "Only a human can do this" });
  });

  test("no or bad credentials stay 401", async () => {
    expect((await check({})).status).toBe(401);
    expect((await check(bearer("aw_sk_" + "0".repeat(64)))).status).toBe(401);
  });

  test("proxy user principal: human, named by its actor's alias, or user:<id> without one", async () => {
    const asAgent = proxyHeaders(SECRET, agent.project_id, agent.agent_id, { type: "u", principal: "11111111-1111-4111-8111-111111111111" });
    expect(await check(asAgent)).toEqual({ status: 200, name: "bot-1", projectId: agent.project_id });
    const stranger = crypto.randomUUID();
    const bare = proxyHeaders(SECRET, agent.project_id, stranger, { type: "u", principal: "22222222-2222-4222-8222-222222222222" });
    expect(await check(bare)).toEqual({
      status: 200,
      name: "user:22222222-2222-4222-8222-222222222222",
      projectId: agent.project_id,
    });
  });

  test("proxy key principal: judged by the agent it acts as", async () => {
    expect(await check(proxyHeaders(SECRET, agent.project_id, agent.agent_id, { type: "k" }))).toEqual({
      status: 403,
      detail: "Only a human can do this",
    });
    expect((await check(proxyHeaders(SECRET, human.project_id, human.agent_id, { type: "k" }))).status).toBe(200);
  });

  test("public reader: the writer rule's 403 comes first", async () => {
    expect(await check(publicReaderHeaders(SECRET, human.project_id, human.agent_id))).toEqual({
      status: 403,
      detail: "Public readers cannot make changes",
    });
  });
});
