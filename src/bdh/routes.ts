// /v1/bdh/command and /v1/bdh/sync (docs/protocol/sync.md#bdh-sync): the two calls
// bdh makes around every bd command. Both bodies are strict (docs/protocol/conventions.md: unknown keys
// → 422 extra_forbidden) and validated before authentication, as in FastAPI.
import { Elysia, t } from "elysia";
import type { RouteContext } from "../routes";
import { describe } from "../http/openapi";
import { CommandAnswer, SyncAnswer } from "./model";
import { authPlugin } from "../auth/plugin";
import { invalid } from "../http/errors";
import { ALIAS_RE, HUMAN_NAME_RE } from "../http/field-rules";
import { parseUuid, rejectNul } from "../http/wire";
import { pyStrip } from "../beads/jsonl";
import { checkJsonlSize } from "../beads/params";
import { runCommand, runSync } from "./service";

const identityFields = {
  workspace_id: t.String({ minLength: 1 }),
  repo_id: t.Optional(t.Nullable(t.String())),
  alias: t.String({ minLength: 1, maxLength: 64 }),
  human_name: t.String({ maxLength: 64 }),
  repo_origin: t.String({ minLength: 1, maxLength: 2048 }),
  role: t.Optional(t.Nullable(t.String({ maxLength: 50 }))),
};

const CommandBody = t.Object(
  { ...identityFields, command_line: t.String({ minLength: 1, maxLength: 8192 }) },
  { additionalProperties: false },
);

const SyncBody = t.Object(
  {
    ...identityFields,
    command_line: t.Optional(t.Nullable(t.String({ maxLength: 8192 }))),
    // size limits are in characters (code points), checked in checkJsonlSize
    issues_jsonl: t.Optional(t.Nullable(t.String())),
    sync_mode: t.Optional(t.Nullable(t.String({ maxLength: 32 }))),
    changed_issues: t.Optional(t.Nullable(t.String())),
    deleted_ids: t.Optional(t.Array(t.String())),
    // accepted and ignored (docs/protocol/sync.md#bdh-sync)
    sync_protocol_version: t.Optional(t.Nullable(t.Integer())),
  },
  { additionalProperties: false },
);

interface IdentityBody {
  workspace_id: string;
  alias: string;
  human_name: string;
}

/** The model's field validators (workspace_id, alias, human_name), pydantic-shaped. */
function checkIdentity(body: IdentityBody & { role?: string | null; command_line?: string | null }) {
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
