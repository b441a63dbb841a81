// RFC 4122 name-based UUID (version 5, SHA-1). Notification mail threads use
// UUIDv5(URL namespace, "bead:{bead_id}") like the reference (docs/protocol/sync.md#beads-notifications).
import { createHash } from "node:crypto";

export const NAMESPACE_URL = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";

export function uuidv5(name: string, namespace: string = NAMESPACE_URL): string {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  const hash = createHash("sha1").update(ns).update(name, "utf8").digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const beadThreadId = (beadId: string) => uuidv5(`bead:${beadId}`);
