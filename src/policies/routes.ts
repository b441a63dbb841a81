// /v1/policies (docs/protocol/policies.md#policies). bdh calls GET /active (with
// If-None-Match from its cache) and POST /reset (body `null`); the rest is the
// dashboard's.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { describe } from "../http/openapi";
import {
  ActivePolicyQuery,
  CreatePolicyBody,
  PolicyActivated,
  PolicyBundle,
  PolicyCreated,
  PolicyHistory,
  PolicyHistoryQuery,
  PolicyParams,
  PolicyReset,
} from "./model";
import { authPlugin } from "../auth/plugin";
import { enforceActorBinding } from "../auth/identity";
import { isoZ } from "../db/pool";
import { forbidden, invalid, notFound } from "../http/errors";
import { normalizeUuid, plainWorkspaceId, queryBool, queryInt } from "../http/wire";
import { findProjectPolicy, listPolicyHistory, workspaceInProject } from "./data";
import { activatePolicy, createPolicy, loadActiveReadOnly, loadOrBootstrapActive, policyEtag, resetPolicy } from "./service";
import type { Identity } from "../auth/identity";

/** Whether a read may bootstrap the default policy (a read never writes for a non-writer, issue 19). */
const mayWrite = (id: Identity) => !id.publicReader && !id.agentDeleted && !id.projectDeleted;
import { policyView } from "./view";

export function policyRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  const { sql } = deps;
  return new Elysia({ prefix: "/v1/policies" })
    .use(authPlugin(deps))
    .get(
      "/active",
      async ({ auth, query, request, set }) => {
        const onlySelected = queryBool(query.only_selected, "only_selected", false);
        const identity = await auth.identity();
        const { projectId } = identity;
        const policy = mayWrite(identity) ? await loadOrBootstrapActive(sql, projectId) : await loadActiveReadOnly(sql, projectId);
        const etag = policyEtag(policy);
        // Exact string comparison, before the role is validated (docs/protocol/policies.md#policies, docs/protocol/policies.md).
        if (request.headers.get("if-none-match") === etag) {
          return new Response(null, { status: 304, headers: { etag } });
        }
        const body = policyView(policy, { role: query.role ?? null, onlySelected });
        set.headers.etag = etag;
        return body;
      },
      {
        query: ActivePolicyQuery,
        detail: describe("The active policy bundle (bootstraps the default on first read)", "policies", { 200: PolicyBundle, 304: null }, [400, 401, 403, 404]),
      },
    )
    .get(
      "/history",
      async ({ auth, query }) => {
        const limit = queryInt(query.limit, "limit", 20, { min: 1, max: 100 });
        const identity = await auth.identity();
        const { projectId } = identity;
        if (mayWrite(identity)) await loadOrBootstrapActive(sql, projectId);
        const rows = await listPolicyHistory(sql, projectId, limit);
        return { policies: rows.map((r) => ({ ...r, created_at: isoZ(r.created_at) })) };
      },
      {
        query: PolicyHistoryQuery,
        detail: describe("Policy versions, newest first", "policies", { 200: PolicyHistory }, [401, 403]),
      },
    )
    .post(
      "/",
      async ({ auth, body }) => {
        const identity = await auth.aweb();
        const { projectId } = identity;
        let createdBy: string | null = null;
        if (body.created_by_workspace_id) {
          createdBy = plainWorkspaceId(body.created_by_workspace_id);
          enforceActorBinding(identity, createdBy, "created_by_workspace_id does not match API key identity");
          if (!(await workspaceInProject(sql, projectId, createdBy, true))) {
            throw forbidden("Workspace not found or does not belong to your project");
          }
        } else if (identity.agentId && (await workspaceInProject(sql, projectId, identity.agentId, false))) {
          // Default creator: the caller's agent, when it has a workspace row (the
          // column is a foreign key; a repo-less agent or proxy actor has none).
          createdBy = identity.agentId;
        }
        const baseRaw = body.base_policy_id ?? null;
        const basePolicyId = baseRaw === null ? null : normalizeUuid(baseRaw);
        if (baseRaw !== null && !basePolicyId) {
          throw invalid(["body", "base_policy_id"], "Invalid base_policy_id format", baseRaw, "uuid_parsing");
        }
        const policy = await createPolicy(sql, {
          projectId,
          bundle: {
            invariants: body.bundle.invariants ?? [],
            roles: body.bundle.roles ?? {},
            adapters: body.bundle.adapters ?? {},
          } as never,
          basePolicyId,
          basePolicyIdRaw: baseRaw,
          createdByWorkspaceId: createdBy,
        });
        return { policy_id: policy.policy_id, project_id: policy.project_id, version: policy.version, created: true };
      },
      {
        body: CreatePolicyBody,
        detail: describe("Create a new (inactive) policy version", "policies", { 200: PolicyCreated }, [400, 401, 403, 409]),
      },
    )
    .post(
      "/reset",
      async ({ auth }) => {
        const { projectId } = await auth.aweb();
        const policy = await resetPolicy(sql, projectId);
        return { reset: true, active_policy_id: policy.policy_id, version: policy.version };
      },
      {
        // No body parameter: bdh sends `null`, the dashboard nothing; neither is read.
        parse: "none",
        detail: describe("Reset the policy to the built-in defaults (new version, activated)", "policies", { 200: PolicyReset }, [401, 403]),
      },
    )
    .get(
      "/:policy_id",
      async ({ auth, params }) => {
        const { projectId } = await auth.identity();
        const id = normalizeUuid(params.policy_id);
        const policy = id === null ? null : await findProjectPolicy(sql, projectId, id);
        if (!policy) throw notFound("Policy not found or does not belong to this project");
        return policyView(policy);
      },
      {
        params: PolicyParams,
        detail: describe("One policy version of this project", "policies", { 200: PolicyBundle }, [401, 403, 404]),
      },
    )
    .post(
      "/:policy_id/activate",
      async ({ auth, params }) => {
        const { projectId } = await auth.aweb();
        const id = normalizeUuid(params.policy_id);
        await activatePolicy(sql, projectId, id);
        return { activated: true, active_policy_id: id };
      },
      {
        params: PolicyParams,
        parse: "none",
        detail: describe("Make a policy version the active one", "policies", { 200: PolicyActivated }, [401, 403, 404]),
      },
    );
}
