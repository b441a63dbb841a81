// MCP lock tools: file locks are reservations (docs/protocol/reservations.md#reservations-ttl), one per path or
// glob, taken by the calling agent (docs/protocol/mcp.md#locks).
import { t } from "elysia";
import { conflict, unprocessable } from "../http/errors";
import { Renewed } from "../reservations/model";
import { acquire, listReservations, release, renew, reservationTtl, revoke } from "../reservations/service";
import { Lock, Open, Paths, Strict } from "./model";
import { DESTRUCTIVE, IDEMPOTENT, READ, WRITE, tool } from "./tool";

const Ttl = t.Optional(
  t.Integer({ minimum: 1, maximum: 86400, description: "Seconds the lock lives unless renewed; clamped to 60..3600 (default 300)." }),
);
const DEFAULT_TTL = 300;
const unique = (paths: string[]) => [...new Set(paths)];

export const lockAcquireTool = tool({
  name: "lock_acquire",
  title: "Lock files",
  description:
    "Lock files (or glob patterns) before editing them so other agents do not. All or nothing: if another " +
    "agent holds any of them, nothing is locked and the error names the holder. Locks are exclusive and " +
    "expire after ttl_seconds unless renewed; re-locking your own lock renews it.",
  input: t.Object(
    {
      paths: Paths,
      ttl_seconds: Ttl,
      reason: t.Optional(t.String({ maxLength: 1000, description: "Why, shown to the others (e.g. the issue id)." })),
      exclusive: t.Optional(t.Boolean({ description: "Must be true (the default): shared locks do not exist." })),
    },
    Strict,
  ),
  output: t.Object({ locks: t.Array(Lock) }, Open),
  annotations: WRITE,
  async run(c, a) {
    if (a.exclusive === false) throw unprocessable("Shared locks are not supported: every lock is exclusive");
    const actor = await c.auth.actor();
    const ttl = reservationTtl(a.ttl_seconds ?? DEFAULT_TTL);
    const metadata = a.reason === undefined ? {} : { reason: a.reason };
    const taken: string[] = [];
    const locks = [];
    for (const path of unique(a.paths)) {
      const result = await acquire(c.deps, actor, path, ttl, metadata);
      if ("held" in result) {
        // Give back what this call took, so a refused call changes nothing.
        for (const key of taken) await release(c.deps, actor, key);
        const h = result.held!;
        throw conflict(`${path} is locked by ${h.holder_alias} until ${h.expires_at}`);
      }
      taken.push(path);
      locks.push(result.acquired);
    }
    return { locks };
  },
});

export const lockRenewTool = tool({
  name: "lock_renew",
  title: "Renew locks",
  description: "Extend your own locks by ttl_seconds from now. Fails for a path you do not hold.",
  input: t.Object({ paths: Paths, ttl_seconds: Ttl }, Strict),
  output: t.Object({ renewed: t.Array(t.Pick(Renewed, ["resource_key", "expires_at"], Open)) }, Open),
  annotations: IDEMPOTENT,
  async run(c, a) {
    const actor = await c.auth.actor();
    const ttl = reservationTtl(a.ttl_seconds ?? DEFAULT_TTL);
    const renewed = [];
    for (const path of unique(a.paths)) renewed.push(await renew(c.deps, actor, path, ttl));
    return { renewed };
  },
});

export const lockReleaseTool = tool({
  name: "lock_release",
  title: "Release locks",
  description: "Release your locks on these paths. Releasing a lock you no longer hold is fine; another agent's is refused.",
  input: t.Object({ paths: Paths }, Strict),
  // The resource_key of each Released answer: one list for the paths of the call.
  output: t.Object({ released: t.Array(t.String()) }, Open),
  annotations: DESTRUCTIVE,
  async run(c, a) {
    const actor = await c.auth.actor();
    const released = [];
    for (const path of unique(a.paths)) released.push((await release(c.deps, actor, path)).resource_key);
    return { released };
  },
});

export const lockReleaseAllTool = tool({
  name: "lock_release_all",
  title: "Release all my locks",
  description: "Release every lock you hold, or only those whose path starts with prefix.",
  input: t.Object({ prefix: t.Optional(t.String({ minLength: 1, maxLength: 4096 })) }, Strict),
  // Revoked's revoked_count and revoked_keys, renamed to the lock tools' word.
  output: t.Object({ released_count: t.Integer(), released: t.Array(t.String()) }, Open),
  annotations: DESTRUCTIVE,
  async run(c, a) {
    const r = await revoke(c.deps, await c.auth.actor(), a.prefix ?? null);
    return { released_count: r.revoked_count, released: r.revoked_keys };
  },
});

export const lockListTool = tool({
  name: "lock_list",
  title: "List locks",
  description: "Active locks in the project (who holds which path, until when); only yours with mine=true.",
  input: t.Object(
    { prefix: t.Optional(t.String({ minLength: 1, maxLength: 4096 })), mine: t.Optional(t.Boolean()) },
    Strict,
  ),
  output: t.Object({ locks: t.Array(Lock), count: t.Integer() }, Open),
  annotations: READ,
  async run(c, a) {
    const actor = await c.auth.actor();
    const rows = await listReservations(c.deps, actor.projectId, a.prefix ?? null);
    const locks = a.mine ? rows.filter((r) => r.holder_agent_id === actor.agentId) : rows;
    return { locks, count: locks.length };
  },
});

export const LOCK_TOOLS = [lockAcquireTool, lockRenewTool, lockReleaseTool, lockReleaseAllTool, lockListTool];
