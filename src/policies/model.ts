// Policies: the answers of /v1/policies (docs/protocol/policies.md#policies), declared once.
import { t } from "elysia";
import { Timestamp, Uuid } from "../http/model";

const Playbook = t.Object({ title: t.String(), playbook_md: t.String() });

/** GET /v1/policies/active and /v1/policies/{id} (src/policies/view.ts). */
export const PolicyBundle = t.Object({
  policy_id: Uuid,
  project_id: Uuid,
  version: t.Integer(),
  updated_at: Timestamp,
  invariants: t.Array(t.Object({ id: t.String(), title: t.String(), body_md: t.String() })),
  /** Role name → its playbook, in stored order. */
  roles: t.Record(t.String(), Playbook),
  selected_role: t.Nullable(t.Object({ role: t.String(), title: t.String(), playbook_md: t.String() })),
  adapters: t.Record(t.String(), t.Unknown()),
});

export const PolicyHistory = t.Object({
  policies: t.Array(
    t.Object({
      policy_id: Uuid,
      version: t.Integer(),
      created_at: Timestamp,
      created_by_workspace_id: t.Nullable(Uuid),
      is_active: t.Boolean(),
    }),
  ),
});

export const PolicyCreated = t.Object({ policy_id: Uuid, project_id: Uuid, version: t.Integer(), created: t.Boolean() });
export const PolicyReset = t.Object({ reset: t.Boolean(), active_policy_id: Uuid, version: t.Integer() });
export const PolicyActivated = t.Object({ activated: t.Boolean(), active_policy_id: Uuid });
