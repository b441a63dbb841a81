// Policy versions: bootstrap, create, activate, reset (docs/protocol/policies.md#policies).
// Every write runs in one transaction that first locks the project row, so
// concurrent writers serialize: versions are max+1 without gaps or duplicates,
// the base_policy_id check sees the committed active policy, and two first
// reads of /active cannot both bootstrap a default.
import { createHash } from "node:crypto";
import type { Sql } from "../db/pool";
import { writeAudit } from "../audit/service";
import { badRequest, conflict, notFound } from "../http/errors";
import { loadDefaultBundle, reloadDefaultBundle } from "./defaults";
import {
  findActivePolicy,
  findPolicyOwner,
  insertPolicyVersion,
  latestPolicyId,
  lockProject,
  setActivePolicy,
  type PolicyRow,
} from "./data";
import type { StoredBundle } from "./model";

const projectNotFound = () => notFound("Project not found");

/** The active policy; bootstraps (creates and activates) the default bundle when there is none. */
export async function loadOrBootstrapActive(sql: Sql, projectId: string): Promise<PolicyRow> {
  const active = await findActivePolicy(sql, projectId);
  if (active) return active;
  return sql.begin(async (tx) => {
    const project = await lockProject(tx, projectId);
    if (!project) throw projectNotFound();
    // Another request may have bootstrapped while we waited for the lock.
    if (project.active_policy_id) {
      const now = await findActivePolicy(tx, projectId);
      if (now) return now;
    }
    const policy = await insertPolicyVersion(tx, projectId, loadDefaultBundle(), null);
    await setActivePolicy(tx, projectId, policy.policy_id);
    return policy;
  });
}

/** Stands for "no version stored yet" in the transient default a non-writer reads. */
const UNSTORED_POLICY_ID = "00000000-0000-0000-0000-000000000000";
const UNSTORED_AT = "1970-01-01T00:00:00.000000+00:00";

/**
 * The active policy for a caller who may not write (a public reader, a deleted
 * agent's key): a read never writes for them (issue 19). With no active
 * version yet they get the default bundle, unstored, as version 0.
 */
export async function loadActiveReadOnly(sql: Sql, projectId: string): Promise<PolicyRow> {
  const active = await findActivePolicy(sql, projectId);
  if (active) return active;
  return {
    policy_id: UNSTORED_POLICY_ID,
    project_id: projectId,
    version: 0,
    bundle_json: { ...loadDefaultBundle() },
    created_by_workspace_id: null,
    created_at: UNSTORED_AT,
    updated_at: UNSTORED_AT,
  };
}

export interface CreatePolicyInput {
  projectId: string;
  bundle: StoredBundle;
  /** Normalized UUID, or null to skip the optimistic-concurrency check. */
  basePolicyId: string | null;
  /** As the client sent it, for the 409 message. */
  basePolicyIdRaw: string | null;
  createdByWorkspaceId: string | null;
}

export async function createPolicy(sql: Sql, input: CreatePolicyInput): Promise<PolicyRow> {
  return sql.begin(async (tx) => {
    const project = await lockProject(tx, input.projectId);
    if (!project) throw projectNotFound();
    if (input.basePolicyId !== null && project.active_policy_id !== input.basePolicyId) {
      throw conflict(
        `Policy conflict: base_policy_id ${input.basePolicyIdRaw} does not match active policy ` +
          `${project.active_policy_id ?? "none"}. Another agent may have updated the policy. ` +
          "Re-read the active policy and retry.",
      );
    }
    // Optimistic concurrency on the version chain (docs/decisions.md): a base is
    // stale once any newer version exists, even an unactivated one, so of N
    // writers editing the same base exactly one wins and the rest re-read.
    if (input.basePolicyId !== null && (await latestPolicyId(tx, input.projectId)) !== input.basePolicyId) {
      throw conflict(
        `Policy conflict: base_policy_id ${input.basePolicyIdRaw} is active but a newer version was created ` +
          "from it. Another agent may have updated the policy. Re-read the policy history and retry.",
      );
    }
    const policy = await insertPolicyVersion(tx, input.projectId, input.bundle, input.createdByWorkspaceId);
    await writeAudit(tx, {
      projectId: input.projectId,
      workspaceId: input.createdByWorkspaceId,
      eventType: "policy_created",
      details: {
        project_id: input.projectId,
        policy_id: policy.policy_id,
        version: policy.version,
        base_policy_id: input.basePolicyIdRaw,
      },
    });
    return policy;
  });
}

/** Activate a policy of this project: 404 unknown, 400 another project's (docs/protocol/policies.md#policies). */
export async function activatePolicy(sql: Sql, projectId: string, policyId: string | null): Promise<void> {
  await sql.begin(async (tx) => {
    const owner = policyId === null ? null : await findPolicyOwner(tx, policyId);
    if (!owner) throw notFound("Policy not found");
    if (owner.project_id !== projectId) throw badRequest("Policy does not belong to this project");
    const project = await lockProject(tx, projectId);
    if (!project) throw projectNotFound();
    await setActivePolicy(tx, projectId, policyId!);
    await writeAudit(tx, {
      projectId,
      eventType: "policy_activated",
      details: { project_id: projectId, policy_id: policyId, previous_policy_id: project.active_policy_id },
    });
  });
}

/**
 * Re-read the defaults, add them as a new version based on the current active
 * policy, and activate it. The base check cannot fail: the active policy is read
 * under the same lock (the reference read it before locking and could 409).
 */
export async function resetPolicy(sql: Sql, projectId: string): Promise<PolicyRow> {
  const bundle = reloadDefaultBundle();
  return sql.begin(async (tx) => {
    const project = await lockProject(tx, projectId);
    if (!project) throw projectNotFound();
    const policy = await insertPolicyVersion(tx, projectId, bundle, null);
    await setActivePolicy(tx, projectId, policy.policy_id);
    await writeAudit(tx, {
      projectId,
      eventType: "policy_reset_to_default",
      details: {
        project_id: projectId,
        policy_id: policy.policy_id,
        version: policy.version,
        previous_policy_id: project.active_policy_id,
      },
    });
    return policy;
  });
}

/** Quoted first 16 hex chars of SHA-256 over "{policy_id}:{updated_at iso}" (docs/protocol/policies.md#policies). */
export function policyEtag(policy: PolicyRow): string {
  const digest = createHash("sha256").update(`${policy.policy_id}:${policy.updated_at}`).digest("hex");
  return `"${digest.slice(0, 16)}"`;
}
