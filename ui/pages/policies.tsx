// Policies: the active invariants and role playbooks, their history, and editing.
import { useState } from "preact/hooks";
import { ApiError, api, type Policy, type PolicyBundle } from "../api";
import { navigate, readOnly } from "../state";
import { Markdown } from "../markdown";
import { A, Action, Badge, Card, Empty, ErrorBox, Loading, Time, errorText, useLoad } from "../ui";

function View({ p }: { p: Policy }) {
  return (
    <>
      <Card title={`Invariants (${p.invariants.length})`}>
        {p.invariants.length === 0 ? <Empty>None.</Empty> : null}
        {p.invariants.map((i) => (
          <details key={i.id} class="policy-item" open>
            <summary>
              <strong>{i.title}</strong> <span class="muted mono">{i.id}</span>
            </summary>
            <Markdown text={i.body_md} />
          </details>
        ))}
      </Card>
      <Card title={`Roles (${Object.keys(p.roles).length})`}>
        {Object.entries(p.roles).map(([k, r]) => (
          <details key={k} class="policy-item">
            <summary>
              <strong>{r.title}</strong> <span class="muted mono">{k}</span>
            </summary>
            <Markdown text={r.playbook_md} />
          </details>
        ))}
      </Card>
    </>
  );
}

function Editor({ base, onDone, onCancel }: { base: Policy; onDone: () => void; onCancel: () => void }) {
  const [b, setB] = useState<PolicyBundle>(() => ({
    invariants: base.invariants.map((i) => ({ ...i })),
    roles: Object.fromEntries(Object.entries(base.roles).map(([k, r]) => [k, { ...r }])),
    adapters: base.adapters ?? {},
  }));
  const [activate, setActivate] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api.policyCreate(b, base.policy_id);
      if (activate) await api.policyActivate(created.policy_id);
      onDone();
    } catch (err) {
      // 409: someone changed the active policy meanwhile; the edits stay in the form.
      setError(
        err instanceof ApiError && err.status === 409
          ? `Not saved: the policy changed while you were editing (${err.detail}). Your edits are kept; reload the page to start from the new version.`
          : errorText(err),
      );
    }
    setBusy(false);
  };
  const setInv = (n: number, k: "title" | "body_md", v: string) => setB({ ...b, invariants: b.invariants.map((x, i) => (i === n ? { ...x, [k]: v } : x)) });
  const setRole = (key: string, k: "title" | "playbook_md", v: string) => setB({ ...b, roles: { ...b.roles, [key]: { ...b.roles[key], [k]: v } } });
  return (
    <form class="card editor" onSubmit={save}>
      <h2>New version based on v{base.version}</h2>
      {b.invariants.map((inv, n) => (
        <fieldset key={n}>
          <legend class="mono">{inv.id}</legend>
          <input name={`inv-title-${n}`} value={inv.title} onInput={(e) => setInv(n, "title", e.currentTarget.value)} />
          <textarea name={`inv-body-${n}`} rows={5} value={inv.body_md} onInput={(e) => setInv(n, "body_md", e.currentTarget.value)} />
          <button type="button" class="plain" onClick={() => setB({ ...b, invariants: b.invariants.filter((_, i) => i !== n) })}>
            Remove
          </button>
        </fieldset>
      ))}
      <button
        type="button"
        class="plain"
        onClick={() => {
          const id = window.prompt("Id of the new invariant (e.g. team.reviews)");
          if (id) setB({ ...b, invariants: [...b.invariants, { id, title: id, body_md: "" }] });
        }}
      >
        Add invariant
      </button>
      {Object.entries(b.roles).map(([k, r]) => (
        <fieldset key={k}>
          <legend class="mono">role {k}</legend>
          <input name={`role-title-${k}`} value={r.title} onInput={(e) => setRole(k, "title", e.currentTarget.value)} />
          <textarea name={`role-body-${k}`} rows={5} value={r.playbook_md} onInput={(e) => setRole(k, "playbook_md", e.currentTarget.value)} />
        </fieldset>
      ))}
      <label class="inline">
        <input type="checkbox" name="activate" checked={activate} onChange={(e) => setActivate(e.currentTarget.checked)} /> activate the new version
      </label>
      <div class="row">
        <button class="primary" disabled={busy}>
          Save new version
        </button>
        <button type="button" class="plain" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <ErrorBox error={error} />
    </form>
  );
}

export function PoliciesPage({ id }: { id: string | null }) {
  const [editing, setEditing] = useState(false);
  const active = useLoad(() => api.policyActive(), [], !editing);
  const shown = useLoad(() => (id ? api.policy(id) : Promise.resolve(null)), [id], false);
  const history = useLoad(() => api.policyHistory(), [], !editing);
  const p = id ? shown.data : active.data;
  const reload = () => {
    active.reload();
    history.reload();
  };
  return (
    <div class="page">
      <div class="page-head">
        <h1>
          Policies {p ? <Badge>v{p.version}</Badge> : null} {id && p && active.data?.policy_id !== p.policy_id ? <Badge kind="warn">not active</Badge> : null}
        </h1>
        {!editing && !id ? (
          <span class="row">
            <button type="button" class="primary" disabled={readOnly.value || !active.data} onClick={() => setEditing(true)}>
              Edit
            </button>
            <Action label="Reset to defaults" kind="danger" confirm="Create a new version from the default policy and activate it?" run={() => api.policyReset()} done={reload} />
          </span>
        ) : null}
        {id ? <A href="/policies">active policy</A> : null}
      </div>
      <ErrorBox error={id ? shown.error : active.error} />
      {editing && active.data ? (
        <Editor
          base={active.data}
          onDone={() => {
            setEditing(false);
            reload();
          }}
          onCancel={() => setEditing(false)}
        />
      ) : null}
      <div class="split wide-left">
        <div class="pane">{p ? <View p={p} /> : <Loading />}</div>
        <div class="pane">
          <Card title="History">
            {history.data === null ? (
              <Loading />
            ) : (
              <ul class="list" data-test="policy-history">
                {history.data.policies.map((v) => (
                  <li key={v.policy_id}>
                    <A href={`/policies/${v.policy_id}`}>v{v.version}</A> {v.is_active ? <Badge kind="ok">active</Badge> : null}
                    <span class="grow" />
                    <Time iso={v.created_at} />
                    {!v.is_active ? (
                      <Action
                        label="Activate"
                        run={() => api.policyActivate(v.policy_id)}
                        done={() => {
                          reload();
                          navigate("/policies");
                        }}
                      />
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
    </div>
  );
}
