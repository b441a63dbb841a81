// Unit tests: JSONL parsing (§13.1), record normalization (§13.2–13.3), the
// bd command line (§8.3) and the notification thread id (§13.5).
import { describe, expect, test } from "bun:test";
import { JsonlError, codePointLength, exceedsChars, parseJsonl, pyStrip } from "../src/beads/jsonl";
import { parseIssueTimestamp, parseRefString, toIssueRow, validateIssues } from "../src/beads/records";
import { claimActionOf, parseCommandLine } from "../src/bdh/command-line";
import { beadThreadId, uuidv5 } from "../src/notifications/uuid";
import { notificationMail } from "../src/notifications/mail";

const err = async (content: string, opts?: { maxDepth?: number; maxCount?: number }) => {
  try {
    await parseJsonl(content, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(JsonlError);
    return (e as Error).message;
  }
  throw new Error("expected a JsonlError");
};

describe("parseJsonl", () => {
  test("skips blank lines and keeps objects", async () => {
    expect(await parseJsonl('{"id":"a"}\n\n  \n{"id":"b"}\n')).toEqual([{ id: "a" }, { id: "b" }]);
    expect(await parseJsonl("\n\n\n")).toEqual([]);
  });

  test("universal newlines split lines and count for line numbers", async () => {
    for (const sep of ["\r\n", "\r", "\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]) {
      expect(await parseJsonl(`{"a":1}${sep}{"b":2}`)).toEqual([{ a: 1 }, { b: 2 }]);
      expect(await err(`{"a":1}${sep}${sep}{bad`)).toBe("Invalid JSON on line 3: Expecting property name enclosed in double quotes");
    }
    // \r\n is one break
    expect(await err('{"a":1}\r\n{bad')).toBe("Invalid JSON on line 2: Expecting property name enclosed in double quotes");
  });

  test("strips Python whitespace (not the BOM)", async () => {
    expect(await parseJsonl('\x1f\xa0{"a":1}\u3000')).toEqual([{ a: 1 }]);
    expect(await err('\ufeff{"a":1}')).toBe("Invalid JSON on line 1: Unexpected UTF-8 BOM (decode using utf-8-sig)");
    expect(pyStrip("\x1c x \x85")).toBe("x");
  });

  test("Python's JSON error messages", async () => {
    const cases: [string, string][] = [
      ["not json", "Expecting value"],
      ["{bad", "Expecting property name enclosed in double quotes"],
      ['{"a":1,}', "Expecting property name enclosed in double quotes"],
      ['{"a" 1}', "Expecting ':' delimiter"],
      ['{"a":1 "b":2}', "Expecting ',' delimiter"],
      ['{"a":[1,]}', "Expecting value"],
      ['{"a":1} x', "Extra data"],
      ['{"a":"x', "Unterminated string starting at"],
      ['{"a":"\\q"}', "Invalid \\escape"],
      ['{"a":"\\u12"}', "Invalid \\uXXXX escape"],
      ['{"a":"x\ty"}', "Invalid control character at"],
    ];
    for (const [line, msg] of cases) expect(await err(line)).toBe(`Invalid JSON on line 1: ${msg}`);
  });

  test("NaN and Infinity are accepted like Python", async () => {
    expect(await parseJsonl('{"a":NaN,"b":-Infinity,"c":Infinity}')).toEqual([{ a: NaN, b: -Infinity, c: Infinity }]);
  });

  test("every line must be an object", async () => {
    expect(await err('{"a":1}\n[1]')).toBe("JSON on line 2 must be an object");
    expect(await err('"x"')).toBe("JSON on line 1 must be an object");
    expect(await err("null")).toBe("JSON on line 1 must be an object");
  });

  test("depth: root is 0, scalars count, 8 nested objects pass and 9 fail", async () => {
    const chain = (n: number) => {
      let s = "1";
      for (let i = 0; i < n; i++) s = `{"a":${s}}`;
      return `{"k":${s}}`;
    };
    expect(await parseJsonl(chain(8))).toHaveLength(1);
    expect(await err(chain(9))).toBe("JSON nesting depth exceeds limit (10) on line 1");
    // containers count even when empty: an empty list at depth 9 passes, at depth 10 fails
    expect(await parseJsonl(`{"a":${"[".repeat(9)}${"]".repeat(9)}}`)).toHaveLength(1);
    expect(await err(`{"a":${"[".repeat(10)}${"]".repeat(10)}}`)).toBe("JSON nesting depth exceeds limit (10) on line 1");
    // very deep input fails the depth check without blowing the stack
    expect(await err(`{"a":${"[".repeat(100000)}${"]".repeat(100000)}}`)).toBe("JSON nesting depth exceeds limit (10) on line 1");
  });

  test("count cap fires on the 10,001st non-empty line, before parsing it", async () => {
    const ok = "{}\n\n".repeat(10000);
    expect(await parseJsonl(ok)).toHaveLength(10000);
    expect(await err(ok + "not json")).toBe("Too many issues: exceeds limit of 10000");
    expect(await err("{}\n{}\n{}", { maxCount: 2 })).toBe("Too many issues: exceeds limit of 2");
  });

  test("sizes are measured in code points", () => {
    expect(codePointLength("a😀b")).toBe(3);
    expect(exceedsChars("😀😀", 2)).toBe(false);
    expect(exceedsChars("😀😀x", 2)).toBe(true);
  });
});

describe("records", () => {
  test("validateIssues skips bad records and keeps the last duplicate", () => {
    const m = validateIssues([{ id: "a", t: 1 }, null, [1], { id: 5 }, { id: "-bad" }, {}, { id: "a", t: 2 }, { id: "x".repeat(101) }]);
    expect([...m.keys()]).toEqual(["a"]);
    expect(m.get("a")).toEqual({ id: "a", t: 2 });
  });

  test("wrong JSON types are coerced, never fatal", () => {
    const issue = {
      id: "bd-1",
      title: 42,
      description: { x: 1 },
      status: true,
      priority: "2",
      issue_type: ["x"],
      assignee: null,
      labels: "urgent",
      created_by: 7,
      blocked_by: "bd-2",
      dependencies: { depends_on_id: "bd-3", type: "blocks" },
      created_at: 1700000000,
      updated_at: "not a date",
    };
    const row = toIssueRow("bd-1", issue, "github.com/a/b", "main", new Map());
    expect(row).toEqual({
      bead_id: "bd-1",
      title: "42",
      description: null,
      status: "true",
      priority: 2,
      issue_type: null,
      assignee: null,
      created_by: "7",
      labels: null,
      blocked_by: [],
      parent_id: null,
      created_at: null,
      updated_at: null,
    });
    const r2 = toIssueRow("bd-1", { priority: 2.0, labels: ["a", 1, "b"], title: "a\0b\ud800" }, "r", "main", new Map());
    expect(r2.priority).toBe(2);
    expect(r2.labels).toEqual(["a", "b"]);
    expect(r2.title).toBe("ab\ufffd");
    expect(toIssueRow("x", { priority: 2.5, labels: [] }, "r", "main", new Map())).toMatchObject({ priority: null, labels: null });
    expect(toIssueRow("x", { priority: 2 ** 40 }, "r", "main", new Map()).priority).toBeNull();
    expect(toIssueRow("x", { created_by: "  " + "é".repeat(300) + " " }, "r", "main", new Map()).created_by).toBe("é".repeat(255));
    expect(toIssueRow("x", { created_by: false }, "r", "main", new Map()).created_by).toBe("False");
  });

  test("blocked_by and dependencies build refs (§13.3)", () => {
    const batch = new Map<string, Record<string, unknown>>([
      ["bd-closed", { id: "bd-closed", status: "closed" }],
      ["bd-open", { id: "bd-open", status: "open" }],
    ]);
    const row = toIssueRow(
      "bd-1",
      {
        blocked_by: ["bd-2", "github.com/o/other:bd-3", { bead_id: "bd-4" }, { bead_id: "bd-5", repo: "gitlab.com/x/y", branch: "dev" }, { bead_id: "bad id" }, 5, ":bd-6", "bad/..:bd-7"],
        dependencies: [
          { depends_on_id: "bd-epic", type: "parent-child" },
          { depends_on_id: "bd-epic2", type: "parent-child" },
          { depends_on_id: "bd-closed", type: "blocks" },
          { depends_on_id: "bd-open", type: "blocks" },
          { depends_on_id: "bd-missing", type: "blocks" },
          { depends_on_id: "bd-2", type: "blocks" },
          { depends_on_id: "bd-x", type: "discovered-from" },
          "junk",
        ],
      },
      "github.com/a/b",
      "main",
      batch,
    );
    const here = (id: string) => ({ repo: "github.com/a/b", branch: "main", bead_id: id });
    expect(row.blocked_by).toEqual([
      here("bd-2"),
      { repo: "github.com/o/other", branch: "main", bead_id: "bd-3" },
      here("bd-4"),
      { repo: "gitlab.com/x/y", branch: "dev", bead_id: "bd-5" },
      here("bd-open"),
      here("bd-missing"),
      here("bd-2"), // duplicates are kept
    ]);
    expect(row.parent_id).toEqual(here("bd-epic"));
    expect(parseRefString(" other.org/r:bd-9 ", "a/b", "dev")).toEqual({ repo: "other.org/r", branch: "dev", bead_id: "bd-9" });
  });

  test("timestamps like datetime.fromisoformat, naive as UTC", () => {
    expect(parseIssueTimestamp("2025-01-02T03:04:05Z")).toBe("2025-01-02T03:04:05+00:00");
    expect(parseIssueTimestamp("2025-01-02T03:04:05.123456789-08:00")).toBe("2025-01-02T03:04:05.123456-08:00");
    expect(parseIssueTimestamp("2025-01-02 03:04:05")).toBe("2025-01-02T03:04:05+00:00");
    expect(parseIssueTimestamp("2025-01-02")).toBe("2025-01-02T00:00:00+00:00");
    expect(parseIssueTimestamp("2024-02-29T00:00:00+0530")).toBe("2024-02-29T00:00:00+05:30");
    for (const bad of ["2025-02-29T00:00:00Z", "2025-13-01", "2025-01-01T24:00:00", "yesterday", 5, null]) {
      expect(parseIssueTimestamp(bad)).toBeNull();
    }
  });
});

describe("command line (§8.3, §19.7)", () => {
  const parse = (s: string) => {
    const p = parseCommandLine(s);
    return { ...p, action: claimActionOf(p) };
  };

  test("the reference forms", () => {
    expect(parse("update bd-1 --status in_progress")).toEqual({ command: "update", beadId: "bd-1", status: "in_progress", action: "claim" });
    expect(parse("update bd-1 --status=in_progress --json")).toMatchObject({ status: "in_progress", action: "claim" });
    expect(parse("update bd-1 --status closed")).toMatchObject({ action: "release" });
    expect(parse("update bd-1 --title x")).toMatchObject({ status: null, action: null });
    expect(parse("close bd-1 --reason done")).toMatchObject({ beadId: "bd-1", action: "release" });
    expect(parse("delete bd-1")).toMatchObject({ action: "release" });
    expect(parse("reopen bd-1")).toMatchObject({ beadId: "bd-1", action: null });
    expect(parse("update --status in_progress")).toMatchObject({ beadId: null, action: null });
    expect(parse("create --title x")).toMatchObject({ command: "create", beadId: null, action: null });
    expect(parse("")).toEqual({ command: null, beadId: null, status: null, action: null });
  });

  test("global flags before the command word and -s are understood (decision)", () => {
    expect(parse("--no-daemon update bd-1 --status in_progress")).toMatchObject({ command: "update", beadId: "bd-1", action: "claim" });
    expect(parse("--db /tmp/x.db --actor me update bd-1 -s in_progress")).toMatchObject({ beadId: "bd-1", action: "claim" });
    expect(parse("--db=/x --lock-timeout 5 close bd-2")).toMatchObject({ command: "close", beadId: "bd-2", action: "release" });
    expect(parse("update bd-1 -s=closed")).toMatchObject({ status: "closed", action: "release" });
    expect(parse("-- update bd-1 -s in_progress")).toMatchObject({ action: "claim" });
  });
});

describe("notification mail", () => {
  test("thread id is UUIDv5(URL, bead:{id}) like Python's uuid.uuid5", () => {
    expect(beadThreadId("bd-1")).toBe("1d6c2d3a-3b1b-5036-b73a-51fcfd1fd387");
    expect(uuidv5("python.org", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")).toBe("886313e1-3b8a-5372-9b90-0c9aee199e5d");
  });

  test("subject and body", () => {
    const mail = notificationMail({ bead_id: "bd-1", repo: "github.com/a/b", branch: "main", old_status: "open", new_status: "closed", title: "Fix it" });
    expect(mail.subject).toBe("Bead status changed: bd-1");
    expect(mail.body).toBe("**bd-1** status changed from `open` to `closed`\n\nTitle: Fix it\nRepo: github.com/a/b\nBranch: main\n");
    expect(notificationMail({ bead_id: "x", old_status: "a", new_status: "b", title: null }).body).toBe("**x** status changed from `a` to `b`\n\n");
  });
});

describe("cooperation", () => {
  test("a large body is parsed in slices: other work runs before the parse ends", async () => {
    const order: string[] = [];
    const parsing = parseJsonl('{"id":"a"}\n'.repeat(5000)).then((r) => order.push(`parsed ${r.length}`));
    setImmediate(() => order.push("other request"));
    await parsing;
    expect(order).toEqual(["other request", "parsed 5000"]);
  });

  test("a small body is parsed without giving way", async () => {
    const order: string[] = [];
    const parsing = parseJsonl('{"id":"a"}\n'.repeat(10)).then((r) => order.push(`parsed ${r.length}`));
    setImmediate(() => order.push("other request"));
    await parsing;
    expect(order).toEqual(["parsed 10"]);
  });
});
