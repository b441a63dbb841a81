import { describe, test, expect } from "bun:test";
import {
  buildDefaultBundle,
  loadDefaultBundle,
  parsePolicyMarkdown,
  reloadDefaultBundle,
  type PolicyFile,
} from "../src/policies/defaults";

const doc = (front: string, body = "Body text.") => `---\n${front}\n---\n\n${body}\n`;

describe("default policy bundle", () => {
  test("has the five invariants in order", () => {
    const bundle = loadDefaultBundle();
    expect(bundle.invariants.map((i) => i.id)).toEqual([
      "tracking.bdh-only",
      "communication.mail-first",
      "communication.chat",
      "identity.no-impersonation",
      "teamwork.collaborate",
    ]);
    expect(bundle.invariants.map((i) => i.title)).toEqual([
      "Use bdh for tracking",
      "Mail-first communication",
      "Chat for synchronous coordination",
      "No workspace impersonation",
      "Collaborate toward the goal",
    ]);
    for (const inv of bundle.invariants) {
      expect(inv.body_md.length).toBeGreaterThan(0);
      expect(inv.body_md.startsWith("---")).toBe(false);
      expect(inv.body_md).toBe(inv.body_md.trim());
    }
    expect(bundle.adapters).toEqual({});
  });

  test("has the five roles with their titles", () => {
    const bundle = loadDefaultBundle();
    expect(Object.keys(bundle.roles)).toEqual(["backend", "coordinator", "developer", "frontend", "reviewer"]);
    expect(Object.fromEntries(Object.entries(bundle.roles).map(([k, r]) => [k, r.title]))).toEqual({
      backend: "Backend Expert",
      coordinator: "Coordinator",
      developer: "Developer",
      frontend: "Frontend Expert",
      reviewer: "Reviewer",
    });
    for (const role of Object.values(bundle.roles)) expect(role.playbook_md.length).toBeGreaterThan(0);
  });

  test("is cached, and reload rebuilds an equal bundle", () => {
    const a = loadDefaultBundle();
    expect(loadDefaultBundle()).toBe(a);
    const b = reloadDefaultBundle();
    expect(b).not.toBe(a);
    expect(b).toEqual(a);
    expect(loadDefaultBundle()).toBe(b);
  });
});

describe("parsePolicyMarkdown", () => {
  test("splits front matter and trimmed body", () => {
    const parsed = parsePolicyMarkdown("x.md", "\n\n" + doc("id: a.b\ntitle: Hello world", "\n# Head\n\ntext\n\n"));
    expect(parsed).toEqual({ id: "a.b", title: "Hello world", body: "# Head\n\ntext" });
  });

  test("strips single and double quotes", () => {
    expect(parsePolicyMarkdown("q.md", doc(`id: "quoted.id"\ntitle: 'It''s quoted'`))).toEqual({
      id: "quoted.id",
      title: "It's quoted",
      body: "Body text.",
    });
    // Quoting makes a YAML number a string.
    expect(parsePolicyMarkdown("n.md", doc(`id: '42'\ntitle: "123"`)).title).toBe("123");
  });

  test("requires a leading ---", () => {
    expect(() => parsePolicyMarkdown("nofront.md", "id: a\ntitle: b\n---\nbody")).toThrow("nofront.md");
  });

  test("requires a closing ---", () => {
    expect(() => parsePolicyMarkdown("open.md", "---\nid: a\ntitle: b\n")).toThrow("open.md");
  });

  test("front matter ends at the next --- even inside a value", () => {
    expect(() => parsePolicyMarkdown("dash.md", doc("title: a --- b\nid: x"))).toThrow("dash.md");
  });

  test("requires id", () => {
    expect(() => parsePolicyMarkdown("noid.md", doc("title: Only a title"))).toThrow(/noid\.md.*'id'/);
    expect(() => parsePolicyMarkdown("numid.md", doc("id: 7\ntitle: T"))).toThrow(/numid\.md.*'id'/);
  });

  test("requires title to be a present string", () => {
    expect(() => parsePolicyMarkdown("notitle.md", doc("id: a"))).toThrow(/notitle\.md.*'title'/);
    for (const bad of ["123", "true", "null", "~", "", "1.5", "2024-01-01"]) {
      expect(() => parsePolicyMarkdown("badtitle.md", doc(`id: a\ntitle: ${bad}`))).toThrow(/badtitle\.md.*'title'/);
    }
  });
});

describe("buildDefaultBundle", () => {
  const inv = (id: string) => doc(`id: ${id}\ntitle: T ${id}`);
  const role = (id: string) => doc(`id: ${id}\ntitle: R ${id}`, `Play ${id}`);

  test("sorts by file name, reads only visible .md files", () => {
    const invs: PolicyFile[] = [
      ["02-b.md", inv("b")],
      ["01-a.md", inv("a")],
      [".03-hidden.md", inv("hidden")],
      ["notes.txt", "not markdown"],
    ];
    const roles: PolicyFile[] = [
      ["zeta.md", role("zeta")],
      ["alpha.md", role("alpha")],
    ];
    const bundle = buildDefaultBundle(invs, roles);
    expect(bundle.invariants).toEqual([
      { id: "a", title: "T a", body_md: "Body text." },
      { id: "b", title: "T b", body_md: "Body text." },
    ]);
    expect(Object.keys(bundle.roles)).toEqual(["alpha", "zeta"]);
    expect(bundle.roles.alpha).toEqual({ title: "R alpha", playbook_md: "Play alpha" });
    expect(bundle.adapters).toEqual({});
  });

  test("rejects duplicate invariant ids, naming the file", () => {
    expect(() => buildDefaultBundle([["01.md", inv("x")], ["02.md", inv("x")]], [])).toThrow(/Duplicate.*'x'.*02\.md/);
  });

  test("rejects duplicate role ids, naming the file", () => {
    expect(() => buildDefaultBundle([], [["a.md", role("r")], ["b.md", role("r")]])).toThrow(/Duplicate.*'r'.*b\.md/);
  });

  test("propagates parse errors with the file name", () => {
    expect(() => buildDefaultBundle([["broken.md", "no front matter"]], [])).toThrow("broken.md");
  });
});
