// The human's mail: inbox and sent, threads, compose (to one or several agents), reply, mark read.
import { useState } from "preact/hooks";
import { api, type Mail } from "../api";
import { query } from "../state";
import { Markdown } from "../markdown";
import { Action, Badge, Card, Empty, ErrorBox, Loading, Time, errorText, useLoad } from "../ui";

interface Draft {
  to: string;
  subject: string;
  body: string;
  thread_id: string | null;
}

function Compose({ draft, onSent, onCancel }: { draft: Draft; onSent: () => void; onCancel: () => void }) {
  const [d, setD] = useState(draft);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const agents = useLoad(() => api.agents(), [], false);
  const send = async (e: Event) => {
    e.preventDefault();
    const to = d.to
      .split(/[,\s]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (to.length === 0) return setError("Name at least one recipient");
    setBusy(true);
    setError(null);
    const failed: string[] = [];
    for (const alias of to) {
      try {
        await api.sendMail({ to_alias: alias, subject: d.subject, body: d.body, thread_id: d.thread_id });
      } catch (err) {
        failed.push(`${alias}: ${errorText(err)}`);
      }
    }
    setBusy(false);
    if (failed.length) setError(failed.join("; "));
    else onSent();
  };
  return (
    <form class="card compose" onSubmit={send}>
      <h2>{d.thread_id ? "Reply" : "New message"}</h2>
      <label>
        To (aliases, comma-separated)
        <input name="to" list="agent-aliases" value={d.to} onInput={(e) => setD({ ...d, to: e.currentTarget.value })} required />
        <datalist id="agent-aliases">
          {(agents.data?.agents ?? []).map((a) => (
            <option key={a.agent_id} value={a.alias} />
          ))}
        </datalist>
      </label>
      <label>
        Subject
        <input name="subject" value={d.subject} onInput={(e) => setD({ ...d, subject: e.currentTarget.value })} />
      </label>
      <label>
        Message
        <textarea name="body" rows={6} value={d.body} onInput={(e) => setD({ ...d, body: e.currentTarget.value })} required />
      </label>
      <div class="row">
        <button class="primary" disabled={busy}>
          Send
        </button>
        <button type="button" class="plain" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <ErrorBox error={error} />
    </form>
  );
}

export function MailPage() {
  const [tab, setTab] = useState<"inbox" | "sent">("inbox");
  const [open, setOpen] = useState<string | null>(null);
  const preset = query.value.get("to");
  const [draft, setDraft] = useState<Draft | null>(preset ? { to: preset, subject: "", body: "", thread_id: null } : null);
  const [notice, setNotice] = useState<string | null>(null);
  const inbox = useLoad(() => api.inbox());
  const sent = useLoad(() => api.sent().catch(() => ({ messages: [] as Mail[], has_more: false, next_cursor: null })));
  const list = (tab === "inbox" ? inbox.data?.messages : sent.data?.messages) ?? [];
  const all = [...(inbox.data?.messages ?? []), ...(sent.data?.messages ?? [])];
  const current = all.find((m) => m.message_id === open) ?? null;
  const threadKey = current ? (current.thread_id ?? current.message_id) : null;
  const thread = current
    ? all.filter((m) => (m.thread_id ?? m.message_id) === threadKey || m.thread_id === current.message_id).sort((a, b) => a.created_at.localeCompare(b.created_at))
    : [];
  const unread = (inbox.data?.messages ?? []).filter((m) => !m.read_at).length;
  return (
    <div class="page">
      <div class="page-head">
        <h1>Mail</h1>
        <button type="button" class="primary" onClick={() => setDraft({ to: "", subject: "", body: "", thread_id: null })}>
          New message
        </button>
      </div>
      {notice ? <div class="banner info">{notice}</div> : null}
      {draft ? (
        <Compose
          key={JSON.stringify(draft)}
          draft={draft}
          onSent={() => {
            setDraft(null);
            setNotice("Sent.");
            setTab("sent");
            sent.reload();
          }}
          onCancel={() => setDraft(null)}
        />
      ) : null}
      <div class="tabs" role="tablist">
        <button type="button" role="tab" class={tab === "inbox" ? "active" : ""} onClick={() => setTab("inbox")}>
          Inbox ({unread} unread)
        </button>
        <button type="button" role="tab" class={tab === "sent" ? "active" : ""} onClick={() => setTab("sent")}>
          Sent
        </button>
      </div>
      <ErrorBox error={tab === "inbox" ? inbox.error : sent.error} />
      <div class="split">
        <div class="pane card">
          {(tab === "inbox" ? inbox.data : sent.data) === null ? (
            <Loading />
          ) : list.length === 0 ? (
            <Empty>{tab === "inbox" ? "No mail." : "You have not sent mail."}</Empty>
          ) : (
            <ul class="list mail-list" data-test={`mail-${tab}`}>
              {list.map((m) => (
                <li key={m.message_id} class={`${m.read_at || tab === "sent" ? "" : "unread"} ${open === m.message_id ? "selected" : ""}`}>
                  <button type="button" class="row-button" onClick={() => setOpen(m.message_id)}>
                    <span class="who">{tab === "inbox" ? m.from_alias : `to ${m.to_alias ?? "?"}`}</span>
                    <span class="grow">{m.subject || "(no subject)"}</span>
                    {m.priority !== "normal" ? <Badge kind={m.priority}>{m.priority}</Badge> : null}
                    <Time iso={m.created_at} />
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div class="pane">
          {current ? (
            <Card
              title={current.subject || "(no subject)"}
              extra={
                <span class="row">
                  {current.from_alias && tab === "inbox" && !current.read_at ? (
                    <Action label="Mark read" run={() => api.ack(current.message_id)} done={inbox.reload} />
                  ) : null}
                  {current.from_alias ? (
                    <button
                      type="button"
                      class="plain"
                      onClick={() =>
                        setDraft({
                          to: current.from_alias ?? "",
                          subject: current.subject.startsWith("Re: ") ? current.subject : `Re: ${current.subject}`,
                          body: "",
                          thread_id: current.thread_id ?? current.message_id,
                        })
                      }
                    >
                      Reply
                    </button>
                  ) : null}
                </span>
              }
            >
              {thread.map((m) => (
                <article key={m.message_id} class={`mail ${m.message_id === current.message_id ? "current" : ""}`}>
                  <p class="muted">
                    {m.from_alias ? `from ${m.from_alias}` : `to ${m.to_alias ?? "?"}`} · <Time iso={m.created_at} />
                  </p>
                  <Markdown text={m.body} />
                </article>
              ))}
            </Card>
          ) : (
            <Empty>Pick a message.</Empty>
          )}
        </div>
      </div>
    </div>
  );
}
