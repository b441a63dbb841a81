// /v1/agents — suggest-alias-prefix (no auth, aweb.md §4.3).
// GET /v1/agents, heartbeat and register live in ./presence-routes.ts.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { conflict, invalid } from "../http/errors";
import { SLUG_RE } from "../http/field-rules";
import { findProjectBySlug } from "../projects/data";
import { describe } from "../http/openapi";
import { CANDIDATES, suggestPrefix } from "./alias-prefix";
import { AliasPrefixSuggestion, SuggestAliasPrefixBody } from "./model";

export function agentPrefixRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/agents" }).post(
    "/suggest-alias-prefix",
    async ({ body }) => {
      const slug = body.project_slug.trim();
      if (!SLUG_RE.test(slug)) {
        throw invalid(["body", "project_slug"], "Invalid project_slug: use 1-256 characters of letters, digits, '/', '_', '.' or '-'", body.project_slug);
      }
      const project = await findProjectBySlug(deps.sql, slug);
      if (!project) return { project_slug: slug, project_id: null, name_prefix: CANDIDATES[0] };
      const prefix = await suggestPrefix(deps.sql, project.project_id);
      if (prefix === null) throw conflict("alias_exhausted");
      return { project_slug: project.slug, project_id: project.project_id, name_prefix: prefix };
    },
    {
      body: SuggestAliasPrefixBody,
      detail: describe("Suggest the next free classic alias prefix in a project", "agents", { 200: AliasPrefixSuggestion }, [409]),
    },
  );
}
