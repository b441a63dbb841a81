// /v1/beads (docs/protocol/sync.md#beads-upload): uploads from scripts and dashboard reads.
import { Elysia, t } from "elysia";
import type { RouteContext } from "../routes";
import { describe } from "../http/openapi";
import { IssueDetail, IssuePage, ReadyIssues, UploadResult } from "./model";
import { authPlugin } from "../auth/plugin";
import { AppError, invalid, unprocessable } from "../http/errors";
import { isCanonicalOrigin } from "../http/field-rules";
import { checkLength, normalizeUuid, queryInt, rejectNul, requireQuery } from "../http/wire";
import { validateIssues } from "./records";
import { issueDetail, issuePage, issuesFromJsonl, readyIssues, uploadIssues } from "./service";
import {
  checkBranch,
  checkJsonlSize,
  checkRepo,
  parseIssueCursor,
  parseStatuses,
  parseType,
} from "./params";

const DEFAULT_BRANCH = "main";

/** upload-jsonl's body: raw text for any non-JSON content type (FastAPI's Body(str)). */
function jsonlBody(raw: string, contentType: string | null): string {
  if (raw === "") throw invalid(["body"], "Field required", null, "missing");
  const ct = (contentType ?? "").split(";")[0].trim().toLowerCase();
  const isJson = ct === "" || ct === "application/json" || (ct.startsWith("application/") && ct.endsWith("+json"));
  if (!isJson) return raw;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AppError(422, [{ type: "json_invalid", loc: ["body", 0], msg: "JSON decode error", input: {} }]);
  }
  if (typeof value !== "string") throw invalid(["body"], "Input should be a valid string", value, "string_type");
  return value;
}

const IssuesQuery = t.Object({
  repo: t.Optional(t.String()),
  branch: t.Optional(t.String()),
  status: t.Optional(t.String()),
  assignee: t.Optional(t.String()),
  created_by: t.Optional(t.String()),
  label: t.Optional(t.String()),
  type: t.Optional(t.String()),
  q: t.Optional(t.String()),
  limit: t.Optional(t.String()),
  cursor: t.Optional(t.String()),
});

export function beadRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/beads" })
    .use(authPlugin(deps))
    .post(
      "/upload",
      async ({ body, auth }) => {
        if (!isCanonicalOrigin(body.repo)) {
          throw invalid(["body", "repo"], "Value error, Invalid repository: must be canonical origin format like github.com/org/repo", body.repo);
        }
        await auth.aweb();
        const branch = checkBranch(body.branch || DEFAULT_BRANCH);
        return uploadIssues(deps, auth, { repo: body.repo, branch, issues: validateIssues(body.issues), source: "json" });
      },
      {
        body: t.Object({
          repo: t.String({ minLength: 1, maxLength: 255 }),
          branch: t.Optional(t.Nullable(t.String())),
          issues: t.Array(t.Object({})),
        }),
        detail: describe("Upsert issues sent as a JSON array (no count or depth limits)", "beads", { 200: UploadResult }, [400, 401, 403, 404, 413]),
      },
    )
    .post(
      "/upload-jsonl",
      async ({ body, query, request, auth }) => {
        const repoRaw = requireQuery(query.repo, "repo");
        checkLength(repoRaw, ["query", "repo"], { min: 1, max: 255 });
        const text = jsonlBody(body as string, request.headers.get("content-type"));
        checkJsonlSize(text, ["body"]);
        await auth.aweb();
        const repo = checkRepo(repoRaw);
        const branch = checkBranch(query.branch || DEFAULT_BRANCH);
        return uploadIssues(deps, auth, { repo, branch, issues: await issuesFromJsonl(text), source: "jsonl" });
      },
      {
        parse: ({ request }) => request.text(),
        query: t.Object({ repo: t.Optional(t.String()), branch: t.Optional(t.String()) }),
        detail: describe("Upsert issues sent as raw JSONL (Content-Type: text/plain)", "beads", { 200: UploadResult }, [400, 401, 403, 404, 413]),
      },
    )
    .get(
      "/issues",
      async ({ query, auth }) => {
        checkLength(query.repo, ["query", "repo"], { max: 255 });
        checkLength(query.branch, ["query", "branch"], { max: 255 });
        checkLength(query.created_by, ["query", "created_by"], { max: 255 });
        checkLength(query.q, ["query", "q"], { max: 255 });
        for (const name of ["assignee", "created_by", "label", "q"] as const) rejectNul(query[name], ["query", name]);
        const limit = queryInt(query.limit, "limit", 50, { min: 0, max: 200, exclusiveMin: true });
        const projectId = await auth.projectId();
        const cursor = parseIssueCursor(query.cursor);
        if (query.repo) checkRepo(query.repo);
        if (query.branch) checkBranch(query.branch);
        const type = parseType(query.type);
        const statuses = parseStatuses(query.status);
        return issuePage(
          deps,
          projectId,
          {
            repo: query.repo || null,
            branch: query.branch || null,
            statuses,
            assignee: query.assignee || null,
            createdBy: query.created_by || null,
            label: query.label || null,
            type,
            q: query.q || null,
          },
          cursor,
          limit,
        );
      },
      {
        query: IssuesQuery,
        detail: describe("List synced issues (filters, search, keyset pages)", "beads", { 200: IssuePage }, [401, 403]),
      },
    )
    .get(
      "/issues/:bead_id",
      async ({ params, query, auth }) => {
        checkLength(params.bead_id, ["path", "bead_id"], { min: 1, max: 255 });
        checkLength(query.repo, ["query", "repo"], { max: 255 });
        checkLength(query.branch, ["query", "branch"], { max: 255 });
        const projectId = await auth.projectId();
        const repo = query.repo === undefined ? null : checkRepo(query.repo, true);
        const branch = query.branch === undefined ? null : checkBranch(query.branch, true);
        return issueDetail(deps, projectId, params.bead_id, repo, branch);
      },
      {
        params: t.Object({ bead_id: t.String() }),
        query: t.Object({ repo: t.Optional(t.String()), branch: t.Optional(t.String()) }),
        detail: describe("One issue by bead_id (exact with repo and branch)", "beads", { 200: IssueDetail }, [401, 403, 404]),
      },
    )
    .get(
      "/ready",
      async ({ query, auth }) => {
        const wsRaw = requireQuery(query.workspace_id, "workspace_id");
        checkLength(wsRaw, ["query", "workspace_id"], { min: 1 });
        checkLength(query.repo, ["query", "repo"], { max: 255 });
        checkLength(query.branch, ["query", "branch"], { max: 255 });
        const limit = queryInt(query.limit, "limit", 10, { min: 0, max: null, exclusiveMin: true });
        // the handler's own check: a plain string detail (docs/protocol/sync.md#beads-upload)
        if (wsRaw.trim() === "") throw unprocessable("workspace_id cannot be empty");
        if (!normalizeUuid(wsRaw.trim())) throw unprocessable("Invalid workspace_id format");
        if (query.repo) checkRepo(query.repo);
        if (query.branch) checkBranch(query.branch);
        const projectId = await auth.projectId();
        return readyIssues(deps, projectId, query.repo || null, query.branch || null, limit);
      },
      {
        query: t.Object({
          workspace_id: t.Optional(t.String()),
          repo: t.Optional(t.String()),
          branch: t.Optional(t.String()),
          limit: t.Optional(t.String()),
        }),
        detail: describe("Open issues with every blocker closed", "beads", { 200: ReadyIssues }, [401, 403]),
      },
    );
}
