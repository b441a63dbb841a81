// Signed proxy headers (X-BH-Auth) for tests, as a trusted wrapper would send them.
import { signProxyMessage } from "../../src/auth/proxy";

export interface ProxyOptions {
  /** u (user), k (API key), p (public reader), … */
  type?: string;
  principal?: string;
}

export function proxyHeaders(secret: string, projectId: string, actorId: string, opts: ProxyOptions = {}): Record<string, string> {
  const type = opts.type ?? "k";
  const principal = opts.principal ?? (type === "p" ? "reader" : crypto.randomUUID());
  const message = `v2:${projectId}:${type}:${principal}:${actorId}`;
  const headers: Record<string, string> = {
    "x-bh-auth": `${message}:${signProxyMessage(secret, message)}`,
    "x-project-id": projectId,
    "x-aweb-actor-id": actorId,
  };
  if (type === "u") headers["x-user-id"] = principal;
  if (type === "k") headers["x-api-key"] = principal;
  return headers;
}

/** A public reader (principal type p) of the project. */
export const publicReaderHeaders = (secret: string, projectId: string, actorId: string) =>
  proxyHeaders(secret, projectId, actorId, { type: "p" });
