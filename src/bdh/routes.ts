// /v1/bdh/command and /v1/bdh/sync (docs/protocol/sync.md#bdh-sync): the two calls
// bdh makes around every bd command. Both bodies are strict (docs/protocol/conventions.md: unknown keys
// → 422 extra_forbidden) and validated before authentication, as in FastAPI.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { describe } from "../http/openapi";
import { CommandAnswer, CommandBody, SyncAnswer, SyncBody, type CommandBodyInput, type SyncBodyInput } from "./model";
import { authPlugin } from "../auth/plugin";
import { invalid } from "../http/errors";
import { ALIAS_RE, HUMAN_NAME_RE } from "../http/field-rules";
import { parseUuid, rejectNul } from "../http/wire";
import { pyStrip } from "../beads/jsonl";
import { checkJsonlSize } from "../beads/params";
import { runCommand, runSync } from "./service";

/** The model's field validators (workspace_id, alias, human_name), pydantic-shaped. */
function checkIdentity(body: CommandBodyInput | SyncBodyInput) {
  rejectNul(body.role, ["body", "role"]);
  rejectNul(body.command_line, ["body", "command_line"]);
  const workspaceId = parseUuid(body.workspace_id, ["body", "workspace_id"], "workspace_id");
  if (!ALIAS_RE.test(body.alias)) throw invalid(["body", "alias"], "Value error, Invalid alias format", body.alias);
  const humanName = pyStrip(body.human_name);
  if (humanName !== "" && !HUMAN_NAME_RE.test(humanName)) {
    throw invalid(["body", "human_name"], "Value error, Invalid human_name format", body.human_name);
  }
  return { workspaceId, alias: body.alias, humanName };
}

export function bdhRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/bdh" })
    .use(authPlugin(deps))
    .post(
      "/command",
      ({ body, auth }) => {
        const id = checkIdentity(body);
        return runCommand(deps, auth, { ...id, role: body.role ?? null, commandLine: body.command_line });
      },
      {
        body: CommandBody,
        detail: describe("Pre-flight a bd command: touch the workspace and check bead claims", "bdh", { 200: CommandAnswer }, [401, 403, 404, 410]),
      },
    )
    .post(
      "/sync",
      ({ body, auth }) => {
        const id = checkIdentity(body);
        checkJsonlSize(body.issues_jsonl, ["body", "issues_jsonl"]);
        checkJsonlSize(body.changed_issues, ["body", "changed_issues"]);
        return runSync(deps, auth, {
          ...id,
          repoOrigin: body.repo_origin,
          role: body.role ?? null,
          commandLine: body.command_line ?? null,
          issuesJsonl: body.issues_jsonl ?? null,
          syncMode: body.sync_mode ?? null,
          changedIssues: body.changed_issues ?? null,
          deletedIds: body.deleted_ids ?? [],
        });
      },
      {
        body: SyncBody,
        detail: describe("Upload bd issues (full or incremental) and update claims", "bdh", { 200: SyncAnswer }, [400, 401, 403, 404, 410, 413]),
      },
    );
}
