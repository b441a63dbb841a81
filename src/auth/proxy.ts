// Signed proxy headers (docs/protocol/auth.md#signed-proxy-headers, docs/protocol/auth.md#authentication-and-identity): a trusted wrapper
// that already authenticated the caller sends X-BH-Auth =
// "v2:{project}:{ptype}:{principal}:{actor}:{hex HMAC-SHA256(secret, message)}".
// A captured v2 value replays forever on any route, so there is also a stricter
// v3 (issue 19, docs/protocol/auth.md#signed-proxy-headers):
// "v3:{project}:{ptype}:{principal}:{actor}:{unix seconds}:{hex HMAC}" whose
// signed message adds ":{METHOD}:{path}"; it is valid for a short window, and a
// deployment can refuse v2 (BEADHUB_PROXY_AUTH_V3_ONLY).
import { createHmac, timingSafeEqual } from "node:crypto";
import { unauthorized } from "../http/errors";
import { normalizeUuid } from "../http/wire";

/** What the v3 format binds a signature to. */
export interface SignedRequest {
  method: string;
  path: string;
}

export interface ProxyOptions {
  /** Refuse the v2 format. */
  v3Only?: boolean;
  /** How far a v3 timestamp may be from now, in seconds. */
  maxAgeSeconds?: number;
  /** Now, in unix seconds (tests). */
  now?: number;
}

export interface ProxyPrincipal {
  projectId: string;
  principalType: string;
  principalId: string;
  actorId: string;
}

export function signProxyMessage(secret: string, message: string): string {
  return createHmac("sha256", secret).update(message, "utf8").digest("hex");
}

function constantTimeEquals(a: string, b: string): boolean {
  const ab = Buffer.from(a, "utf8");
  const bb = Buffer.from(b, "utf8");
  // Compare equal-length buffers only; the length itself is not secret (the format is fixed).
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

/** Verify the headers; any missing, malformed, mis-signed or expired value is a 401. */
export function verifyProxyHeaders(
  headers: Headers,
  secret: string,
  request?: SignedRequest,
  options: ProxyOptions = {},
): ProxyPrincipal {
  const fail = () => unauthorized("Authentication required");
  const signed = headers.get("x-bh-auth") ?? "";
  const version = signed.startsWith("v3:") ? "v3" : "v2";
  if (version === "v2" && options.v3Only) throw fail();
  const projectId = normalizeUuid(headers.get("x-project-id"));
  const actorId = normalizeUuid(headers.get("x-aweb-actor-id"));
  if (!projectId || !actorId) throw fail();

  let principalType: string;
  let principalId: string;
  const userHeader = headers.get("x-user-id");
  const keyHeader = headers.get("x-api-key");
  if (userHeader !== null) {
    principalType = "u";
    principalId = normalizeUuid(userHeader) ?? "";
  } else if (keyHeader !== null) {
    principalType = "k";
    principalId = normalizeUuid(keyHeader) ?? "";
  } else {
    // Public reader ("p") and other non-u/k types come from the signed value itself.
    const parts = signed.split(":");
    if (parts.length < 5 || parts[0] !== version || parts[2] === "u" || parts[2] === "k" || parts[2] === "") {
      throw fail();
    }
    principalType = parts[2];
    principalId = parts[3];
  }
  if (!principalId) throw fail();

  let expected: string;
  if (version === "v2") {
    const message = `v2:${projectId}:${principalType}:${principalId}:${actorId}`;
    expected = `${message}:${signProxyMessage(secret, message)}`;
  } else {
    // v3: the timestamp is the second-to-last field; method and path are signed, not sent
    if (!request) throw fail();
    const parts = signed.split(":");
    const ts = parts[parts.length - 2] ?? "";
    if (!/^\d{1,12}$/.test(ts)) throw fail();
    const now = options.now ?? Math.floor(Date.now() / 1000);
    if (Math.abs(now - Number(ts)) > (options.maxAgeSeconds ?? 60)) throw fail();
    const head = `v3:${projectId}:${principalType}:${principalId}:${actorId}:${ts}`;
    expected = `${head}:${signProxyMessage(secret, `${head}:${request.method.toUpperCase()}:${request.path}`)}`;
  }
  if (!constantTimeEquals(signed, expected)) throw fail();
  return { projectId, principalType, principalId, actorId };
}
