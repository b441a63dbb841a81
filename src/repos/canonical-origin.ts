// Canonical origin of a git remote (docs/protocol/projects.md#repos-canonical-origin):
//   git@github.com:org/repo.git          → github.com/org/repo
//   ssh://git@github.com:22/org/repo.git → github.com/org/repo
//   https://GitHub.com/Org/Repo          → github.com/Org/Repo
// scp-style hosts keep their case; URL hosts are lower-cased; userinfo and port
// are dropped; one trailing ".git" is removed, then trailing slashes.
import { invalid } from "../http/errors";
import { isCanonicalOrigin } from "../http/field-rules";

export class OriginError extends Error {}

const SCP_RE = /^[^@/\s]+@([^:/\s]+):(.*)$/;

export function canonicalizeOrigin(raw: string): string {
  const origin = raw.trim();
  if (origin === "") throw new OriginError("origin is empty");
  let host: string;
  let path: string;
  const scp = SCP_RE.exec(origin);
  if (scp && !origin.includes("://")) {
    host = scp[1];
    path = scp[2];
  } else {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new OriginError(`cannot parse "${origin}" as a git remote`);
    }
    if (!url.protocol || !url.hostname) throw new OriginError(`"${origin}" has no host`);
    host = url.hostname.toLowerCase();
    // Take the path from the raw text: URL would resolve "." and ".." segments
    // and percent-encode, and the reference keeps the path as written.
    path = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/.exec(origin)?.[1] ?? "";
  }
  path = path.replace(/^\/+/, "");
  if (path.endsWith(".git")) path = path.slice(0, -4);
  path = path.replace(/\/+$/, "");
  if (path === "") throw new OriginError(`"${origin}" has no repository path`);
  return `${host}/${path}`;
}

/** Last "/" segment of a canonical origin: the repo's display name. */
export function repoNameOf(canonicalOrigin: string): string {
  const parts = canonicalOrigin.split("/");
  return parts[parts.length - 1];
}

/** Canonicalize a repo origin from a request body, or answer 422 naming the field. */
export function canonicalOriginOf(raw: string, field: string): string {
  let canonical: string;
  try {
    canonical = canonicalizeOrigin(raw);
  } catch (err) {
    if (err instanceof OriginError) throw invalid(["body", field], `Invalid ${field}: ${err.message}`, raw);
    throw err;
  }
  if (!isCanonicalOrigin(canonical)) {
    throw invalid(["body", field], `Invalid ${field}: "${canonical}" is not a valid repository path`, raw);
  }
  return canonical;
}
