// Classic alias prefixes (docs/protocol/agents.md#agents-suggest-alias-prefix): alice … zoe,
// then alice-01 … zoe-01, alice-02 … (the number is the outer loop).
export const CLASSIC_NAMES = [
  "alice", "bob", "charlie", "dave", "eve", "frank", "grace", "henry", "ivy", "jack", "kate", "leo", "mia",
  "noah", "olivia", "peter", "quinn", "rose", "sam", "tara", "uma", "victor", "wendy", "xavier", "yara", "zoe",
] as const;

export const CANDIDATES: readonly string[] = (() => {
  const list: string[] = [...CLASSIC_NAMES];
  for (let n = 1; n <= 99; n++) {
    const nn = String(n).padStart(2, "0");
    for (const name of CLASSIC_NAMES) list.push(`${name}-${nn}`);
  }
  return list;
})();

/** "alice-agent" → "alice", "bob-03-x" → "bob-03", "Alice" → "alice". */
export function prefixOf(alias: string): string {
  const parts = alias.split("-");
  const prefix = parts.length >= 2 && /^\d+$/.test(parts[1]) ? `${parts[0]}-${parts[1]}` : parts[0];
  return prefix.toLowerCase();
}

export function nextPrefix(aliases: Iterable<string>): string | null {
  const used = new Set<string>();
  for (const a of aliases) used.add(prefixOf(a));
  return CANDIDATES.find((c) => !used.has(c)) ?? null;
}
