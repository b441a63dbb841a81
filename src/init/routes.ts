// POST /v1/init — no auth, rate limited per client IP (docs/protocol/projects.md#projects-init).
import { Elysia, t } from "elysia";
import type { RouteContext } from "../routes";
import { describe } from "../http/openapi";
import { InitAnswer } from "./model";
import { invalid } from "../http/errors";
import { SLUG_RE, parseAlias, parseHostname, parseHumanName, parseRole, parseWorkspacePath } from "../http/field-rules";
import { canonicalOriginOf } from "../repos/canonical-origin";
import { clientIpOf, enforceInitRateLimit } from "./rate-limit";
import { runInit } from "./service";
import { resolveIdentity } from "../auth/identity";

export const InitBody = t.Object(
  {
    project_slug: t.Optional(t.String({ maxLength: 256 })),
    project_name: t.Optional(t.String({ maxLength: 256 })),
    alias: t.Optional(t.Nullable(t.String({ minLength: 1, maxLength: 64 }))),
    human_name: t.Optional(t.String({ maxLength: 64 })),
    agent_type: t.Optional(t.String({ maxLength: 32 })),
    repo_origin: t.Optional(t.Nullable(t.String({ maxLength: 2048 }))),
    role: t.Optional(t.String({ maxLength: 50 })),
    hostname: t.Optional(t.String({ maxLength: 255 })),
    workspace_path: t.Optional(t.String({ maxLength: 4096 })),
    // bdh sends email when BEADHUB_EMAIL is set; the reference rejects it (422),
    // we accept and ignore it (docs/decisions.md).
    email: t.Optional(t.Nullable(t.String({ maxLength: 320 }))),
  },
  { additionalProperties: false },
);

export function initRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia().post(
    "/v1/init",
    async ({ body, request, server }) => {
      await enforceInitRateLimit(deps, clientIpOf(request, server, deps.config.trustForwardedFor));
      // Optional credentials: the proof needed to mint a key for an existing alias (issue 19).
      const headers = request.headers;
      const sentCredentials = headers.has("authorization") || (headers.has("x-bh-auth") && deps.config.internalAuthSecret !== null);
      const caller = sentCredentials ? await resolveIdentity(deps, headers, request) : null;
      const slug = (body.project_slug ?? "").trim();
      if (slug !== "" && !SLUG_RE.test(slug)) {
        throw invalid(["body", "project_slug"], "Invalid project_slug: use 1-256 characters of letters, digits, '/', '_', '.' or '-'", body.project_slug);
      }
      const aliasRaw = body.alias?.trim() ?? "";
      const repoOrigin = body.repo_origin?.trim() || null;
      return runInit(deps, {
        projectSlug: slug,
        projectName: (body.project_name ?? "").trim(),
        alias: aliasRaw === "" ? null : parseAlias(aliasRaw, ["body", "alias"]),
        humanName: parseHumanName(body.human_name, ["body", "human_name"]),
        agentType: body.agent_type?.trim() || "agent",
        repoOrigin,
        canonicalOrigin: repoOrigin === null ? null : canonicalOriginOf(repoOrigin, "repo_origin"),
        role: parseRole(body.role, ["body", "role"]) ?? "agent",
        hostname: parseHostname(body.hostname, ["body", "hostname"]),
        workspacePath: parseWorkspacePath(body.workspace_path, ["body", "workspace_path"]),
        caller,
      });
    },
    {
      body: InitBody,
      detail: describe("Bootstrap a project, agent, API key and (with repo_origin) workspace", "bootstrap", { 200: InitAnswer }, [409, 429, 503]),
    },
  );
}
