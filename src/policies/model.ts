// Policies: the answers of /v1/policies (docs/protocol/policies.md#policies), declared once.
import { t } from "elysia";
import { Timestamp, Uuid } from "../http/model";

export const PolicyInvariant = t.Object({ id: t.String(), title: t.String(), body_md: t.String() });
export type PolicyInvariant = typeof PolicyInvariant.static;

export const Playbook = t.Object({ title: t.String(), playbook_md: t.String() });
export type Playbook = typeof Playbook.static;

/** GET /v1/policies/active and /v1/policies/{id} (src/policies/view.ts). */
export const PolicyBundle = t.Object({
  policy_id: Uuid,
  project_id: Uuid,
  version: t.Integer(),
  updated_at: Timestamp,
  invariants: t.Array(PolicyInvariant),
  /** Role name → its playbook, in stored order. */
  roles: t.Record(t.String(), Playbook),
  selected_role: t.Nullable(t.Object({ role: t.String(), ...Playbook.properties })),
  adapters: t.Record(t.String(), t.Unknown()),
});
export type PolicyBundle = typeof PolicyBundle.static;

/** What a version stores as bundle_json: the answer's content, without the version's identity. */
export type StoredBundle = Pick<PolicyBundle, "invariants" | "roles" | "adapters">;

/** An item of GET /v1/policies/history. */
export const PolicyVersion = t.Object({
  policy_id: Uuid,
  version: t.Integer(),
  created_at: Timestamp,
  created_by_workspace_id: t.Nullable(Uuid),
  is_active: t.Boolean(),
});
export type PolicyVersion = typeof PolicyVersion.static;

export const PolicyHistory = t.Object({ policies: t.Array(PolicyVersion) });

export const PolicyCreated = t.Object({ policy_id: Uuid, project_id: Uuid, version: t.Integer(), created: t.Boolean() });
export const PolicyReset = t.Object({ reset: t.Boolean(), active_policy_id: Uuid, version: t.Integer() });
export const PolicyActivated = t.Object({ activated: t.Boolean(), active_policy_id: Uuid });

// Extra body and query keys are ignored (docs/protocol/conventions.md); Elysia forbids them at the root unless told.
const LOOSE = { additionalProperties: true };

/** A bundle as clients send it: every field optional, filled from the defaults' shape by the route. */
export const CreatePolicyBody = t.Object({
  bundle: t.Object({
    invariants: t.Optional(t.Array(t.Partial(PolicyInvariant))),
    roles: t.Optional(t.Record(t.String(), t.Partial(Playbook))),
    adapters: t.Optional(t.Record(t.String(), t.Unknown())),
  }),
  base_policy_id: t.Optional(t.Nullable(t.String())),
  created_by_workspace_id: t.Optional(t.Nullable(t.String())),
}, LOOSE);

export const ActivePolicyQuery = t.Object({ role: t.Optional(t.String()), only_selected: t.Optional(t.String()) }, LOOSE);
export const PolicyHistoryQuery = t.Object({ limit: t.Optional(t.String()) }, LOOSE);
export const PolicyParams = t.Object({ policy_id: t.String() });
