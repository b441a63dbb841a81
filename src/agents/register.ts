// POST /v1/agents/register: beadhub's presence refresh (beadhub.md §6,
// aweb.md §6.3). The stored workspace wins over the body for alias, repo and
// project slug, so a client cannot file presence under someone else's name.
import { t } from "elysia";
import type { Deps } from "../deps";
import type { RequestAuth } from "../auth/identity";
import type { Db } from "../db/pool";
import { unprocessable } from "../http/errors";
import { nowIso } from "../http/time";
import { parseAlias, parseRole } from "../http/field-rules";
import { bodyInt } from "../http/wire";
import { writePresence } from "../presence/presence";
import { verifyWorkspaceAccess } from "../workspaces/access";

const optionalText = (maxLength?: number) =>
  t.Optional(t.Nullable(maxLength === undefined ? t.String() : t.String({ maxLength })));

/**
 * Lenient: bdh also sends project_id, repo_id, repo_origin, canonical_origin,
 * hostname, workspace_path. The app runs with normalize:false, under which
 * Elysia makes a t.Object strict unless additionalProperties is set to true.
 */
export const RegisterBody = t.Object(
  {
    workspace_id: t.String({ minLength: 1 }),
    alias: t.String({ minLength: 1, maxLength: 64 }),
    human_name: optionalText(64),
    project_slug: optionalText(63),
    program: optionalText(),
    model: optionalText(),
    task_description: optionalText(),
    repo: optionalText(255),
    branch: optionalText(255),
    role: optionalText(50),
    ttl_seconds: t.Optional(t.Unknown()),
  },
  { additionalProperties: true },
);

export type RegisterInput = typeof RegisterBody.static;

interface LiveWorkspace {
  alias: string;
  human_name: string;
  role: string | null;
  repo_id: string | null;
  project_slug: string;
}

async function findLiveWorkspace(db: Db, workspaceId: string): Promise<LiveWorkspace | null> {
  const rows = await db<LiveWorkspace[]>`
    select w.alias, w.human_name, w.role, w.repo_id, p.slug as project_slug
    from server.workspaces w
    join server.projects p on p.id = w.project_id and p.deleted_at is null
    where w.workspace_id = ${workspaceId} and w.deleted_at is null`;
  return rows[0] ?? null;
}

export async function registerAgent(deps: Deps, auth: RequestAuth, body: RegisterInput) {
  // Field rules first (pydantic order), then verify_workspace_access (beadhub.md §1).
  parseAlias(body.alias, ["body", "alias"]); // validated, then ignored: the stored alias wins
  const bodyRole = parseRole(body.role, ["body", "role"], null);
  const ttl =
    body.ttl_seconds === undefined || body.ttl_seconds === null
      ? deps.config.presenceTtlSeconds
      : bodyInt(body.ttl_seconds, ["body", "ttl_seconds"], 1, 86400);
  const { identity, workspace } = await verifyWorkspaceAccess(deps, auth, body.workspace_id);
  // Writing presence is a write: public readers are refused.
  await auth.requireWriter();

  const live = await findLiveWorkspace(deps.sql, workspace.workspace_id);
  if (!live) throw unprocessable("Workspace not found");

  const humanName = body.human_name || live.human_name || null;
  const role = bodyRole || live.role || null;
  const lastSeen = await writePresence(
    deps,
    {
      workspace_id: workspace.workspace_id,
      alias: live.alias,
      project_id: identity.projectId,
      project_slug: live.project_slug,
      repo_id: live.repo_id ?? undefined,
      human_name: humanName ?? undefined,
      member_email: "",
      program: body.program ?? undefined,
      model: body.model ?? undefined,
      current_branch: body.branch ?? undefined,
      role: role ?? undefined,
    },
    ttl,
  );

  return {
    agent: {
      alias: live.alias,
      human_name: humanName,
      project_slug: live.project_slug,
      program: body.program ?? null,
      model: body.model ?? null,
      member: null,
      repo: body.repo ?? null,
      branch: body.branch ?? null,
      role,
      // Redis down: presence is a cache, the refresh still succeeds.
      registered_at: lastSeen ?? nowIso(),
    },
    workspace: { workspace_id: workspace.workspace_id },
  };
}
