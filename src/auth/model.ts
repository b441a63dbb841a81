// GET /v1/auth/introspect (docs/protocol/auth.md#introspection): keys are omitted when absent, never null.
import { t } from "elysia";
import { Uuid } from "../http/model";

export const Introspection = t.Object({
  project_id: Uuid,
  api_key_id: t.Optional(Uuid),
  agent_id: t.Optional(Uuid),
  alias: t.Optional(t.String()),
  human_name: t.Optional(t.String()),
  agent_type: t.Optional(t.String()),
  user_id: t.Optional(t.String()),
});
export type Introspection = typeof Introspection.static;
