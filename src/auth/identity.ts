// Resolving who is calling (docs/protocol/auth.md#authentication-and-identity, docs/protocol/auth.md#authentication-and-identity). Proxy context
// wins when X-BH-Auth is present and a secret is configured; otherwise Bearer.
// Verified keys and actor agents are cached briefly (src/auth/cache.ts) so the
// hot path does not pay a database round-trip per request; a revoked key stops
// working within config.authCacheSeconds.
import type { Deps } from "../deps";
import { forbidden, notFound, unauthorized } from "../http/errors";
import { hashApiKey } from "./api-keys";
import { findAgent, projectExists, verifyKeyHash } from "./data";
import { verifyProxyHeaders } from "./proxy";
import { takeKeyToken } from "../http/rate-limits";

export interface Identity {
  projectId: string;
  /** The actor: the agent the key is bound to, or X-Aweb-Actor-ID in proxy mode. */
  agentId: string | null;
  apiKeyId: string | null;
  userId: string | null;
  mode: "bearer" | "proxy";
  /** Proxy principal type: u (user), k (API key), p (public reader), …; null for bearer. */
  principalType: string | null;
  /**
   * A proxy public reader (principal type "p"): reads with personal data
   * redacted, never writes (docs/protocol/auth.md#public-readers).
   */
  publicReader: boolean;
  /**
   * A Bearer key whose agent was soft-deleted: it may read and restore its own
   * workspace, nothing else (issue 19, docs/protocol/auth.md#deleted-agents-and-projects).
   */
  agentDeleted?: boolean;
  /** The key's project was soft-deleted (Bearer), or the signed project does not exist (proxy): same limits. */
  projectDeleted?: boolean;
}

/** A caller the oversight actions accept (docs/protocol/dashboard-api.md#who-is-a-human). */
export interface Human extends Identity {
  /** Who acted, as recorded (responded_by, released_by): the actor's alias, or user:<id>. */
  name: string;
}

export const ONLY_HUMAN = "Only a human can do this";

export interface Actor extends Identity {
  agentId: string;
  alias: string;
  humanName: string;
  agentType: string;
}

const BEARER = "Bearer ";
/** The proxy principal type of a public reader. */
const PUBLIC_READER = "p";
/** The proxy principal type of a signed-in user (a person, by construction). */
const USER = "u";

async function resolveBearer(deps: Deps, headers: Headers): Promise<Identity> {
  const header = headers.get("authorization");
  if (header === null) throw unauthorized("Authentication required");
  if (!header.startsWith(BEARER)) throw unauthorized("Invalid Authorization header. Expected: Bearer <token>");
  const hash = hashApiKey(header.slice(BEARER.length));
  let row = deps.authCache.keys.get(hash);
  if (!row) {
    row = (await verifyKeyHash(deps.sql, hash)) ?? undefined;
    if (!row) throw unauthorized("Invalid API key");
    deps.authCache.keys.set(hash, row);
  }
  return {
    projectId: row.project_id,
    agentId: row.agent_id,
    apiKeyId: row.api_key_id,
    userId: row.user_id,
    mode: "bearer",
    principalType: null,
    publicReader: false,
    agentDeleted: !row.agent_live,
    projectDeleted: !row.project_live,
  };
}

/**
 * Proxy mode: the wrapper vouches for the caller, not for the project id it
 * signs. A project that does not exist (or was deleted) gets the limits of a
 * deleted project's key, so no route writes rows for it (issue 19, defect 10).
 * Only live answers are cached, like keys.
 */
async function projectIsLive(deps: Deps, projectId: string): Promise<boolean> {
  const cacheKey = `project:${projectId}`;
  if (deps.authCache.agents.get(cacheKey)) return true;
  if (!(await projectExists(deps.sql, projectId))) return false;
  deps.authCache.agents.set(cacheKey, { alias: "", human_name: "", agent_type: "" });
  return true;
}

export async function resolveIdentity(deps: Deps, headers: Headers, request?: Request): Promise<Identity> {
  const secret = deps.config.internalAuthSecret;
  if (secret && headers.has("x-bh-auth")) {
    const signedRequest = request ? { method: request.method, path: new URL(request.url).pathname } : undefined;
    const p = verifyProxyHeaders(headers, secret, signedRequest, {
      v3Only: deps.config.proxyAuthV3Only,
      maxAgeSeconds: deps.config.proxyAuthMaxAgeSeconds,
    });
    const live = await projectIsLive(deps, p.projectId);
    return {
      projectId: p.projectId,
      agentId: p.actorId,
      apiKeyId: p.principalType === "k" ? p.principalId : null,
      userId: p.principalType === "u" ? p.principalId : null,
      mode: "proxy",
      principalType: p.principalType,
      publicReader: p.principalType === PUBLIC_READER,
      projectDeleted: !live,
    };
  }
  return resolveBearer(deps, headers);
}

const READS = new Set(["GET", "HEAD"]);
const RESTORE_PATH = /^\/v1\/workspaces\/([^/]+)\/restore\/?$/;

/** What a key of a deleted agent or project may still do: read, and restore its own workspace. */
function deletedAgentMay(request: Request | undefined, agentId: string | null): boolean {
  if (!request) return false;
  if (READS.has(request.method)) return true;
  const m = RESTORE_PATH.exec(new URL(request.url).pathname);
  return request.method === "POST" && m !== null && m[1].toLowerCase() === agentId;
}

/** Per-request view of authentication; each step is resolved at most once. */
export class RequestAuth {
  private identityPromise: Promise<Identity> | null = null;
  private actorPromise: Promise<Actor> | null = null;

  /** `request` (method and path) lets a deleted agent's key read and restore, nothing else. */
  constructor(private readonly deps: Deps, private readonly headers: Headers, private readonly request?: Request) {}

  /** Any authenticated principal, public readers included (beadhub read routes). */
  identity(): Promise<Identity> {
    this.identityPromise ??= resolveIdentity(this.deps, this.headers, this.request).then((id) => {
      // The contract's answers for a deleted actor agent and a deleted project
      // (404), now given to every write, not only to the routes that looked.
      if ((id.agentDeleted || id.projectDeleted) && !deletedAgentMay(this.request, id.agentId)) {
        throw notFound(id.projectDeleted ? "Project not found" : "Agent not found");
      }
      if (id.apiKeyId) takeKeyToken(this.deps.config, id.apiKeyId); // issue 19, off by default

      return id;
    });
    return this.identityPromise;
  }

  async projectId(): Promise<string> {
    return (await this.identity()).projectId;
  }

  /** aweb routes do not accept public readers at all: they answer 401. */
  async aweb(): Promise<Identity> {
    const id = await this.identity();
    if (id.publicReader) throw unauthorized("Authentication required");
    return id;
  }

  /**
   * Any principal that may write: a public reader is refused with 403 (the
   * reference leaves this to its proxy; refusing here costs no client anything).
   */
  async requireWriter(): Promise<Identity> {
    const id = await this.identity();
    if (id.publicReader) throw forbidden("Public readers cannot make changes");
    return id;
  }

  /**
   * A signed-proxy user principal, or an actor agent whose agent_type is
   * "human" (docs/protocol/dashboard-api.md#who-is-a-human). Public readers get
   * the writer rule's 403 first; every other caller 403 ONLY_HUMAN.
   */
  async requireHuman(): Promise<Human> {
    const id = await this.requireWriter();
    if (id.principalType === USER) return { ...id, name: (await this.callerName())! };
    if (!id.agentId) throw forbidden(ONLY_HUMAN);
    const actor = await this.actor();
    if (actor.agentType !== "human") throw forbidden(ONLY_HUMAN);
    return { ...id, name: actor.alias };
  }

  /**
   * How the caller is recorded when it acts (responded_by, released_by): its
   * actor agent's alias; a proxy user without one is user:<id>; a key bound to
   * no agent has no name (null).
   */
  async callerName(): Promise<string | null> {
    const id = await this.identity();
    // The proxy's user acts as an agent of the project when it has one; its alias names it.
    const actor = id.agentId ? await this.actor().catch(() => null) : null;
    if (actor) return actor.alias;
    return id.principalType === USER ? `user:${id.userId}` : null;
  }

  /** Identity plus the live agent it acts as (docs/protocol/auth.md#bearer). */
  actor(): Promise<Actor> {
    this.actorPromise ??= this.loadActor();
    return this.actorPromise;
  }

  private async loadActor(): Promise<Actor> {
    const id = await this.aweb();
    if (!id.agentId) throw forbidden("API key is not bound to an agent");
    const cacheKey = `${id.projectId}:${id.agentId}`;
    let a = this.deps.authCache.agents.get(cacheKey);
    if (!a) {
      const found = await findAgent(this.deps.sql, id.projectId, id.agentId);
      if (!found) throw notFound("Agent not found");
      a = found;
      this.deps.authCache.agents.set(cacheKey, a);
    }
    return { ...id, agentId: id.agentId, alias: a.alias, humanName: a.human_name, agentType: a.agent_type };
  }
}

/**
 * Actor binding (docs/protocol/auth.md#authentication-and-identity, docs/protocol/auth.md#actor-binding): in Bearer mode a key bound to an
 * agent may only act for that agent's workspace (workspace_id == agent_id).
 */
export function enforceActorBinding(
  identity: Identity,
  workspaceId: string,
  detail = "workspace_id does not match API key identity",
): void {
  if (identity.mode === "bearer" && identity.agentId !== null && identity.agentId !== workspaceId) {
    throw forbidden(detail);
  }
}
