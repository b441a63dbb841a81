// Escalations: requests for human intervention, and answering them.
import { useState } from "preact/hooks";
import { api } from "../api";
import { readOnly } from "../state";
import { Markdown } from "../markdown";
import { A, Badge, Card, ErrorBox, Listing, Loading, Time, errorText, useLoad } from "../ui";

export function EscalationsPage() {
  const [tab, setTab] = useState<"pending" | "responded" | "all">("pending");
  const list = useLoad(() => api.escalations(tab === "all" ? undefined : tab), [tab]);
  const items = list.data?.escalations ?? [];
  return (
    <div class="page">
      <div class="page-head">
        <h1>Escalations</h1>
      </div>
      <div class="tabs" role="tablist">
        {(["pending", "responded", "all"] as const).map((t) => (
          <button key={t} type="button" role="tab" class={tab === t ? "active" : ""} onClick={() => setTab(t)}>
            {t}
          </button>
        ))}
      </div>
      <ErrorBox error={list.error} />
      <Listing
        res={list}
        count={items.length}
        empty={tab === "pending" ? "Nothing waits for a human." : "No escalations."}
        test="escalations"
        columns={["subject", "from", "status", "asked", "expires"]}
      >
        {items.map((e) => (
          <tr key={e.escalation_id}>
            <td>
              <A href={`/escalations/${e.escalation_id}`}>{e.subject}</A>
            </td>
            <td>{e.alias}</td>
            <td>
              <Badge kind={e.status}>{e.status}</Badge>
              {e.responded_by ? <span class="muted"> by {e.responded_by}</span> : null}
            </td>
            <td>
              <Time iso={e.created_at} />
            </td>
            <td>
              <Time iso={e.expires_at} />
            </td>
          </tr>
        ))}
      </Listing>
    </div>
  );
}

export function EscalationPage({ id }: { id: string }) {
  const esc = useLoad(() => api.escalation(id), [id]);
  const [answer, setAnswer] = useState("");
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const e = esc.data;
  if (esc.error) return <ErrorBox error={esc.error} />;
  if (!e) return <Loading />;
  const send = async (response: string) => {
    if (!response.trim()) return setError("Write an answer or pick an option");
    setBusy(true);
    setError(null);
    try {
      await api.respond(id, response, note.trim() || undefined);
      setAnswer("");
      setNote("");
      esc.reload();
    } catch (err) {
      setError(errorText(err));
    }
    setBusy(false);
  };
  return (
    <div class="page">
      <div class="page-head">
        <h1>{e.subject}</h1>
        <A href="/escalations">all escalations</A>
      </div>
      <p>
        <Badge kind={e.status}>{e.status}</Badge>{" "}
        <span class="muted">
          from {e.alias} · asked <Time iso={e.created_at} /> · expires <Time iso={e.expires_at} />
        </span>
      </p>
      <Card title="Situation">
        <Markdown text={e.situation} />
      </Card>
      {e.response !== null ? (
        <Card title="Answer">
          <p class="answer" data-test="answer">
            {e.response}
          </p>
          {e.response_note ? <p class="muted">Note: {e.response_note}</p> : null}
          <p class="muted">
            answered {e.responded_by ? `by ${e.responded_by} ` : ""}
            <Time iso={e.responded_at} />
          </p>
        </Card>
      ) : null}
      <form
        class="card compose"
        onSubmit={(ev) => {
          ev.preventDefault();
          void send(answer);
        }}
      >
        <h2>{e.response !== null ? "Answer again" : "Answer"}</h2>
        {e.options && e.options.length ? (
          <div class="options">
            {e.options.map((o) => (
              <button key={o} type="button" class="option" disabled={busy || readOnly.value} onClick={() => send(o)}>
                {o}
              </button>
            ))}
          </div>
        ) : null}
        <label>
          Your answer
          <textarea name="response" rows={3} value={answer} onInput={(ev) => setAnswer(ev.currentTarget.value)} />
        </label>
        <label>
          Note (optional)
          <input name="note" value={note} onInput={(ev) => setNote(ev.currentTarget.value)} />
        </label>
        <button class="primary" disabled={busy || readOnly.value}>
          Send answer
        </button>
        <ErrorBox error={error} />
      </form>
    </div>
  );
}
