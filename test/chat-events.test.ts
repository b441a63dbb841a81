// chat.message_sent (docs/protocol/events.md): on every participant's channel,
// after the message is stored, when a session is created and when a message
// is sent in an existing one.
import { afterAll, describe, expect, test } from "bun:test";
import { initAgent, startTestApp } from "./support/harness";
import { eventsDuring } from "./support/events";

const t = await startTestApp();
afterAll(() => t.close());

const ann = await initAgent(t, { project_slug: "chev", alias: "ann" });
const ben = await initAgent(t, { project_slug: "chev", alias: "ben" });
const cat = await initAgent(t, { project_slug: "chev", alias: "cat" });

describe("chat.message_sent", () => {
  test("a new session's first message reaches every participant's channel", async () => {
    let res: any;
    const long = "y".repeat(120);
    const onBen = await eventsDuring(t, ben.agent_id, async () => {
      res = await t.request("POST", "/v1/chat/sessions", { token: ann.api_key, body: { to_aliases: ["ben", "cat"], message: long } });
    });
    expect(res.status).toBe(200);
    const expected = {
      workspace_id: ben.agent_id,
      type: "chat.message_sent",
      session_id: res.body.session_id,
      message_id: res.body.message_id,
      from_alias: "ann",
      to_aliases: expect.arrayContaining(["ben", "cat"]),
      preview: long.slice(0, 80),
      project_id: ann.project_id,
    };
    expect(onBen).toEqual([expect.objectContaining(expected)]);
    expect(onBen[0].to_aliases).toHaveLength(2);
    expect(Object.keys(onBen[0]).slice(0, 4)).toEqual(["workspace_id", "type", "timestamp", "project_slug"]);
  });

  test("a message in an existing session: the sender's channel too, the body never beyond its preview", async () => {
    const created = await t.request("POST", "/v1/chat/sessions", { token: ann.api_key, body: { to_aliases: ["cat"], message: "hi" } });
    let res: any;
    const onAnn = await eventsDuring(t, ann.agent_id, async () => {
      res = await t.request("POST", `/v1/chat/sessions/${created.body.session_id}/messages`, { token: cat.api_key, body: { body: "short reply" } });
    });
    expect(res.status).toBe(200);
    expect(onAnn).toEqual([
      expect.objectContaining({
        workspace_id: ann.agent_id,
        type: "chat.message_sent",
        session_id: created.body.session_id,
        message_id: res.body.message_id,
        from_alias: "cat",
        to_aliases: ["ann"],
        preview: "short reply",
      }),
    ]);
    const onCat = await eventsDuring(t, cat.agent_id, () =>
      t.request("POST", `/v1/chat/sessions/${created.body.session_id}/messages`, { token: cat.api_key, body: { body: "again" } }),
    );
    expect(onCat).toEqual([expect.objectContaining({ workspace_id: cat.agent_id, from_alias: "cat", preview: "again" })]);
  });

  test("a refused send publishes nothing", async () => {
    const created = await t.request("POST", "/v1/chat/sessions", { token: ann.api_key, body: { to_aliases: ["ben"], message: "x" } });
    const got = await eventsDuring(t, ann.agent_id, async () => {
      const res = await t.request("POST", `/v1/chat/sessions/${created.body.session_id}/messages`, { token: cat.api_key, body: { body: "intrude" } });
      expect(res.status).toBe(403);
    });
    expect(got).toEqual([]);
  });
});
