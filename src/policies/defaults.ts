// Default policy bundle, built from the markdown files under /defaults (docs/protocol/policies.md#policies).
// The files are embedded as text imports so a `bun build --compile` binary needs no files on disk.
import inv01 from "../../defaults/invariants/01-tracking-bdh-only.md" with { type: "text" };
import inv02 from "../../defaults/invariants/02-communication-mail-first.md" with { type: "text" };
import inv03 from "../../defaults/invariants/03-communication-chat.md" with { type: "text" };
import inv04 from "../../defaults/invariants/04-identity-no-impersonation.md" with { type: "text" };
import inv05 from "../../defaults/invariants/05-collaborate.md" with { type: "text" };
import roleBackend from "../../defaults/roles/backend.md" with { type: "text" };
import roleCoordinator from "../../defaults/roles/coordinator.md" with { type: "text" };
import roleDeveloper from "../../defaults/roles/developer.md" with { type: "text" };
import roleFrontend from "../../defaults/roles/frontend.md" with { type: "text" };
import roleReviewer from "../../defaults/roles/reviewer.md" with { type: "text" };
import type { Playbook, PolicyInvariant, StoredBundle } from "./model";

export type PolicyFile = [name: string, text: string];

const INVARIANT_FILES: PolicyFile[] = [
  ["01-tracking-bdh-only.md", inv01],
  ["02-communication-mail-first.md", inv02],
  ["03-communication-chat.md", inv03],
  ["04-identity-no-impersonation.md", inv04],
  ["05-collaborate.md", inv05],
];

const ROLE_FILES: PolicyFile[] = [
  ["backend.md", roleBackend],
  ["coordinator.md", roleCoordinator],
  ["developer.md", roleDeveloper],
  ["frontend.md", roleFrontend],
  ["reviewer.md", roleReviewer],
];

// Unquoted scalars that YAML (as read by the reference's PyYAML) would not load as strings;
// the reference rejects such an id/title, so we must too.
const NON_STRING_SCALAR =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|[-+]?(?:0|[1-9][0-9_]*)|0[xX][0-9a-fA-F_]+|0o?[0-7_]+|[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|\d{4}-\d\d?-\d\d?(?:[Tt ].*)?)$/;

function parseScalar(raw: string): unknown {
  const v = raw.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
    return v.slice(1, -1).replace(/\\(["\\])/g, "$1");
  }
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) {
    return v.slice(1, -1).replace(/''/g, "'");
  }
  // Drop a trailing YAML comment (" # ...") from plain values.
  const plain = v.replace(/\s+#.*$/, "");
  return plain === "" || NON_STRING_SCALAR.test(plain) ? null : plain;
}

function parseFrontMatter(yaml: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const line of yaml.split(/\r?\n/)) {
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const m = /^([A-Za-z0-9_.-]+)\s*:(?:\s+(.*))?$/.exec(line.trimEnd());
    if (!m) continue;
    out.set(m[1]!, parseScalar(m[2] ?? ""));
  }
  return out;
}

export function parsePolicyMarkdown(fileName: string, text: string): { id: string; title: string; body: string } {
  const content = text.trim();
  if (!content.startsWith("---")) {
    throw new Error(`Policy file '${fileName}' is missing YAML front matter (must start with ---)`);
  }
  // Plain substring search, as in the reference: a "---" inside the YAML ends the front matter early.
  const end = content.indexOf("---", 3);
  if (end === -1) {
    throw new Error(`Policy file '${fileName}' has invalid YAML front matter (missing closing ---)`);
  }
  const fields = parseFrontMatter(content.slice(3, end));
  const body = content.slice(end + 3).trim();
  const required = (key: string): string => {
    if (!fields.has(key)) throw new Error(`Policy file '${fileName}' is missing required '${key}' field`);
    const value = fields.get(key);
    if (typeof value !== "string") {
      throw new Error(`Policy file '${fileName}' has invalid '${key}' field (must be a string)`);
    }
    return value;
  };
  const id = required("id");
  const title = required("title");
  return { id, title, body };
}

function selectFiles(files: PolicyFile[]): PolicyFile[] {
  return files
    .filter(([name]) => name.endsWith(".md") && !name.startsWith("."))
    // Code-point order, matching Python's sorted() in the reference.
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function buildDefaultBundle(invariantFiles: PolicyFile[], roleFiles: PolicyFile[]): StoredBundle {
  const invariants: PolicyInvariant[] = [];
  const seen = new Set<string>();
  for (const [name, text] of selectFiles(invariantFiles)) {
    const { id, title, body } = parsePolicyMarkdown(name, text);
    if (seen.has(id)) throw new Error(`Duplicate invariant ID '${id}' found in '${name}'`);
    seen.add(id);
    invariants.push({ id, title, body_md: body });
  }

  const roles = new Map<string, Playbook>();
  for (const [name, text] of selectFiles(roleFiles)) {
    const { id, title, body } = parsePolicyMarkdown(name, text);
    if (roles.has(id)) throw new Error(`Duplicate role ID '${id}' found in '${name}'`);
    roles.set(id, { title, playbook_md: body });
  }

  // fromEntries defines own properties, so an id like "__proto__" cannot touch the prototype.
  return { invariants, roles: Object.fromEntries(roles), adapters: {} };
}

let cached: StoredBundle | null = null;

/** The default bundle, parsed once. Callers must not mutate it. */
export function loadDefaultBundle(): StoredBundle {
  cached ??= buildDefaultBundle(INVARIANT_FILES, ROLE_FILES);
  return cached;
}

/** Re-parse the embedded defaults (used by policy reset). */
export function reloadDefaultBundle(): StoredBundle {
  cached = buildDefaultBundle(INVARIANT_FILES, ROLE_FILES);
  return cached;
}
