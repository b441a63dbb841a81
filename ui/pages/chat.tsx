// Chat: the human's conversations (live over the session stream), starting one,
// and a monitor of every conversation in the project (humans only).
import { useEffect, useRef, useState } from "preact/hooks";
import { api, readSse, type ChatMessage } from "../api";
import { isHuman, me, navigate } from "../state";
import { A, Card, Empty, ErrorBox, Loading, Time, errorText, useLoad } from "../ui";

function StartChat() {
  const [to, setTo] = useState("");
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const agents = useLoad(() => api.agents(), [], false);
  return (
    <form
      class="card compose"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const aliases = to.split(/[,\s]+/).filter(Boolean);
          const r = await api.chatStart(aliases, text);
          navigate(`/chat/${r.session_id}`);
        } catch (err) {
          setError(errorText(err));
        }
        setBusy(false);
      }}
    >
      <h2>Start a chat</h2>
      <label>
        With (aliases)
        <input name="chat_to" list="chat-aliases" value={to} onInput={(e) => setTo(e.currentTarget.value)} required />
        <datalist id="chat-aliases">
          {(agents.data?.agents ?? []).map((a) => (
            <option key={a.agent_id} value={a.alias} />
          ))}
        </datalist>
      </label>
      <label>
        Message
        <textarea name="chat_message" rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} required />
      </label>
      <button class="primary" disabled={busy}>
        Start
      </button>
      <ErrorBox error={error} />
    </form>
  );
}

function Transcript({ messages, self }: { messages: ChatMessage[]; self: string | undefined }) {
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => end.current?.scrollIntoView?.({ block: "nearest" }), [messages.length]);
  if (messages.length === 0) return <Empty>No messages yet.</Empty>;
  return (
    <div class="transcript" data-test="transcript">
      {messages.map((m) => (
        <div key={m.message_id} class={`bubble ${m.from_agent === self ? "mine" : ""}`}>
          <div class="muted small">
            {m.from_agent} · <Time iso={m.timestamp} />
            {m.sender_leaving ? " · left" : ""}
          </div>
          <div class="text">{m.body}</div>
        </div>
      ))}
      <div ref={end} />
    </div>
  );
}

/** A conversation the human takes part in: history, then the session stream, resumed after drops. */
function MySession({ id, participants }: { id: string; participants: string[] }) {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState("");
  const self = me.value !== null && me.value !== "public" ? me.value.alias : undefined;
  useEffect(() => {
    const ctl = new AbortController();
    let last: string | undefined;
    const seen = new Set<string>();
    const add = (list: ChatMessage[]) => {
      const fresh = list.filter((m) => !seen.has(m.message_id));
      if (fresh.length === 0) return;
      for (const m of fresh) seen.add(m.message_id);
      last = fresh[fresh.length - 1].timestamp;
      setMessages((prev) => [...prev, ...fresh]);
      const lastFromOther = [...fresh].reverse().find((m) => m.from_agent !== self);
      if (lastFromOther) void api.chatRead(id, lastFromOther.message_id).catch(() => {});
    };
    (async () => {
      try {
        add((await api.chatMessages(id)).messages);
      } catch (err) {
        setError(errorText(err));
        return;
      }
      let delay = 1000;
      while (!ctl.signal.aborted) {
        const deadline = new Date(Date.now() + 10 * 60_000).toISOString();
        try {
          await readSse(
            `/v1/chat/sessions/${encodeURIComponent(id)}/stream`,
            last ? { deadline, after: last } : { deadline },
            (data, event) => {
              const d = data as ChatMessage & { type?: string };
              if ((event === "message" || d.type === "message") && d.message_id && d.body !== undefined) add([d]);
            },
            ctl.signal,
          );
          delay = 1000;
        } catch {
          if (ctl.signal.aborted) return;
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 30_000);
        }
      }
    })();
    return () => ctl.abort();
  }, [id]);
  return (
    <Card title={`Chat with ${participants.filter((p) => p !== self).join(", ")}`}>
      <ErrorBox error={error} />
      <Transcript messages={messages} self={self} />
      <form
        class="row reply"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!text.trim()) return;
          try {
            await api.chatSend(id, text);
            setText("");
            setError(null);
          } catch (err) {
            setError(errorText(err));
          }
        }}
      >
        <input name="chat_reply" class="grow" placeholder="Write a reply" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button class="primary">Send</button>
      </form>
    </Card>
  );
}

/** Any transcript of the project, read through the monitor (human only); refreshed by live events. */
function MonitorSession({ id }: { id: string }) {
  const t = useLoad(() => api.monitorMessages(id), [id]);
  if (t.error) return <ErrorBox error={t.error} />;
  if (!t.data) return <Loading />;
  return (
    <Card title={`Transcript: ${t.data.participants.map((p) => p.alias).join(", ")}`}>
      <Transcript messages={t.data.messages} self={undefined} />
    </Card>
  );
}

export function ChatPage({ id }: { id: string | null }) {
  const [tab, setTab] = useState<"mine" | "all">("mine");
  const mine = useLoad(() => api.chatSessions());
  const monitor = useLoad(() => (isHuman.value ? api.monitor() : Promise.resolve(null)), [isHuman.value]);
  const sessions = mine.data?.sessions ?? [];
  const own = id ? sessions.find((s) => s.session_id === id) : undefined;
  return (
    <div class="page">
      <div class="page-head">
        <h1>Chat</h1>
        {id ? <A href="/chat">all conversations</A> : null}
      </div>
      {id ? (
        mine.data === null ? (
          <Loading />
        ) : own ? (
          <MySession key={id} id={id} participants={own.participants} />
        ) : isHuman.value ? (
          <MonitorSession id={id} />
        ) : (
          <ErrorBox error="You are not in this conversation, and only a human may read other conversations." />
        )
      ) : (
        <>
          <StartChat />
          <div class="tabs" role="tablist">
            <button type="button" role="tab" class={tab === "mine" ? "active" : ""} onClick={() => setTab("mine")}>
              My conversations ({sessions.length})
            </button>
            <button type="button" role="tab" class={tab === "all" ? "active" : ""} onClick={() => setTab("all")} disabled={!isHuman.value}>
              Monitor: every conversation
            </button>
          </div>
          <ErrorBox error={tab === "mine" ? mine.error : monitor.error} />
          {tab === "mine" ? (
            sessions.length === 0 ? (
              <Empty>No conversations yet.</Empty>
            ) : (
              <ul class="list">
                {sessions.map((s) => (
                  <li key={s.session_id}>
                    <A href={`/chat/${s.session_id}`}>{s.participants.join(", ")}</A> <Time iso={s.created_at} />
                  </li>
                ))}
              </ul>
            )
          ) : (monitor.data?.sessions ?? []).length === 0 ? (
            <Empty>No conversations in this project.</Empty>
          ) : (
            <ul class="list" data-test="monitor">
              {monitor.data!.sessions.map((s) => (
                <li key={s.session_id}>
                  <A href={`/chat/${s.session_id}`}>{s.participants.map((p) => p.alias).join(", ")}</A>
                  <span class="grow muted">
                    {s.last_from_alias ? `${s.last_from_alias}: ` : ""}
                    {s.last_message_preview ?? ""}
                  </span>
                  <span class="muted">{s.message_count} msgs</span> <Time iso={s.last_message_at} />
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
