// Signed proxy headers (contract aweb.md §2.4, beadhub.md §1): a trusted wrapper
// that already authenticated the caller sends X-BH-Auth =
// "v2:{project}:{ptype}:{principal}:{actor}:{hex HMAC-SHA256(secret, message)}".
import { createHmac, timingSafeEqual } from "node:crypto";
import { unauthorized } from "../http/errors";
import { normalizeUuid } from "../http/wire";

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

/** Verify the headers; any missing, malformed or mis-signed value is a 401. */
export function verifyProxyHeaders(headers: Headers, secret: string): ProxyPrincipal {
  const fail = () => unauthorized("Authentication required");
  const signed = headers.get("x-bh-auth") ?? "";
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
    if (parts.length < 5 || parts[0] !== "v2" || parts[2] === "u" || parts[2] === "k" || parts[2] === "") {
      throw fail();
    }
    principalType = parts[2];
    principalId = parts[3];
  }
  if (!principalId) throw fail();

  const message = `v2:${projectId}:${principalType}:${principalId}:${actorId}`;
  const expected = `${message}:${signProxyMessage(secret, message)}`;
  if (!constantTimeEquals(signed, expected)) throw fail();
  return { projectId, principalType, principalId, actorId };
}
