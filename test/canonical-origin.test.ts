import { describe, expect, test } from "bun:test";
import { canonicalizeOrigin, OriginError, repoNameOf } from "../src/repos/canonical-origin";
import { CANDIDATES, nextPrefix, prefixOf } from "../src/agents/alias-prefix";

describe("canonical origin (beadhub.md §10)", () => {
  const table: [string, string][] = [
    ["git@github.com:org/repo.git", "github.com/org/repo"],
    ["ssh://git@github.com:22/org/repo.git", "github.com/org/repo"],
    ["https://GitHub.com/Org/Repo", "github.com/Org/Repo"],
    ["https://user:pw@gitlab.example.com:8443/group/sub/repo.git", "gitlab.example.com/group/sub/repo"],
    ["git@GitHub.com:Org/Repo.git", "GitHub.com/Org/Repo"],
    ["  https://github.com/org/repo/  ", "github.com/org/repo"],
    ["https://github.com/org/repo.git/", "github.com/org/repo.git"],
    ["https://github.com/org/repo.git.git", "github.com/org/repo.git"],
    ["http://example.org//deep/path", "example.org/deep/path"],
    ["https://github.com/a/../b", "github.com/a/../b"],
    ["https://github.com/org/repo?x=1#frag", "github.com/org/repo"],
  ];
  for (const [input, expected] of table) {
    test(`${JSON.stringify(input)} → ${expected}`, () => {
      expect(canonicalizeOrigin(input)).toBe(expected);
    });
  }
  for (const bad of ["", "   ", "not a remote", "https://github.com/", "https://github.com/.git", "file:///tmp/repo"]) {
    test(`${JSON.stringify(bad)} is rejected`, () => {
      expect(() => canonicalizeOrigin(bad)).toThrow(OriginError);
    });
  }
  test("repo name is the last segment", () => {
    expect(repoNameOf("github.com/org/sub/repo")).toBe("repo");
  });
});

describe("classic alias prefixes (aweb.md §4.4)", () => {
  test("2,600 candidates, number outer loop", () => {
    expect(CANDIDATES.length).toBe(26 * 100);
    expect(CANDIDATES.slice(0, 3)).toEqual(["alice", "bob", "charlie"]);
    expect(CANDIDATES[25]).toBe("zoe");
    expect(CANDIDATES.slice(26, 28)).toEqual(["alice-01", "bob-01"]);
    expect(CANDIDATES[52]).toBe("alice-02");
    expect(CANDIDATES[CANDIDATES.length - 1]).toBe("zoe-99");
  });

  test("prefix of an alias", () => {
    expect(prefixOf("alice-agent")).toBe("alice");
    expect(prefixOf("Alice")).toBe("alice");
    expect(prefixOf("bob-03-x")).toBe("bob-03");
    expect(prefixOf("bob-03")).toBe("bob-03");
    expect(prefixOf("carol_x-1a")).toBe("carol_x");
  });

  test("next prefix skips used ones and is null when all are taken", () => {
    expect(nextPrefix([])).toBe("alice");
    expect(nextPrefix(["alice-dev", "Bob"])).toBe("charlie");
    expect(nextPrefix(CANDIDATES.slice(0, 26))).toBe("alice-01");
    expect(nextPrefix(CANDIDATES)).toBeNull();
  });
});
