// Response shapes for /v1/policies/active and /v1/policies/{id}
// (docs/protocol/policies.md#policies). Stored bundles are read leniently: a missing or non-string
// field falls back to the reference's default instead of failing the request.
import { isoZ } from "../db/pool";
import { badRequest } from "../http/errors";
import { pyList } from "../http/wire";
import type { PolicyRow } from "./data";
import type { PolicyBundle } from "./model";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown, fallback: string): string => (typeof v === "string" ? v : fallback);

/** Role entries in stored (jsonb) order; kept as entries so a key like "__proto__" stays data. */
function rolesOf(policy: PolicyRow): [string, Obj][] {
  const roles = policy.bundle_json.roles;
  if (!isObj(roles)) return [];
  return Object.entries(roles).map(([k, v]) => [k, isObj(v) ? v : {}]);
}

function playbook(key: string, role: Obj) {
  return { title: str(role.title, key), playbook_md: str(role.playbook_md, "") };
}

export interface ViewOptions {
  /** Requested role; "" and null both mean none (the reference tests truthiness). */
  role: string | null;
  onlySelected: boolean;
}

/** The /active body. Throws the docs/protocol/policies.md#policies 400s for an unknown role or only_selected without a role. */
export function policyView(policy: PolicyRow, opts: ViewOptions = { role: null, onlySelected: false }) {
  const roles = rolesOf(policy);
  const role = opts.role || null;
  let selected: PolicyBundle["selected_role"] = null;
  if (role !== null) {
    const found = roles.find(([k]) => k === role);
    if (!found) throw badRequest(`Role '${role}' not found. Available roles: ${pyList(roles.map(([k]) => k))}`);
    selected = { role, ...playbook(role, found[1]) };
  }
  if (opts.onlySelected && role === null) throw badRequest("only_selected=true requires a role parameter");

  const invariants = Array.isArray(policy.bundle_json.invariants) ? policy.bundle_json.invariants : [];
  const shownRoles = Object.fromEntries(
    roles.filter(([k]) => !opts.onlySelected || k === role).map(([k, v]) => [k, playbook(k, v)]),
  );
  const adapters = policy.bundle_json.adapters;
  return {
    policy_id: policy.policy_id,
    project_id: policy.project_id,
    version: policy.version,
    updated_at: isoZ(policy.updated_at),
    invariants: invariants.map((raw) => {
      const inv: Obj = isObj(raw) ? raw : {};
      return { id: str(inv.id, ""), title: str(inv.title, ""), body_md: str(inv.body_md, "") };
    }),
    roles: shownRoles,
    selected_role: selected,
    adapters: isObj(adapters) ? adapters : {},
  };
}
