// The dashboard's entry point: sign-in from the URL fragment, the shell
// (header, navigation), and the page router.
import { render } from "preact";
import { useEffect } from "preact/hooks";
import { api, apiKey } from "./api";
import { applyTheme, config, isHuman, me, navigate, path, readOnly, ready, signIn, signOut, streamState, toggleTheme } from "./state";
import { A } from "./ui";
import { SignIn } from "./pages/signin";
import { StatusPage } from "./pages/status";
import { IssuesPage, IssuePage } from "./pages/issues";
import { ClaimsPage, LocksPage, WorkspacesPage } from "./pages/work";
import { MailPage } from "./pages/mail";
import { ChatPage } from "./pages/chat";
import { EscalationsPage, EscalationPage } from "./pages/escalations";
import { PoliciesPage } from "./pages/policies";
import "./style.css";

const NAV: [string, string][] = [
  ["/", "Status"],
  ["/issues", "Issues"],
  ["/claims", "Claims"],
  ["/locks", "Locks"],
  ["/mail", "Mail"],
  ["/chat", "Chat"],
  ["/workspaces", "Workspaces"],
  ["/escalations", "Escalations"],
  ["/policies", "Policies"],
];

function Who() {
  const m = me.value;
  if (m === null) return null;
  if (m === "public") return <span class="who">public reader · read only</span>;
  return (
    <span class="who" title={m.agent_id ?? m.user_id ?? ""}>
      <strong>{m.alias ?? "proxy user"}</strong>
      {m.human_name ? ` · ${m.human_name}` : ""} · <span class="muted">{m.agent_type ?? (m.user_id ? "user" : "agent")}</span>
    </span>
  );
}

function Warning() {
  const m = me.value;
  if (m === null) return null;
  if (m === "public")
    return (
      <div class="banner info" data-test="public-warning">
        You are a public reader: the dashboard is read-only.
      </div>
    );
  if (!isHuman.value)
    return (
      <div class="banner warn" data-test="not-human">
        This key is not a human's (agent type “{m.agent_type ?? "agent"}”, alias {m.alias ?? "?"}). You act as that agent, and
        actions only a human may take will be refused. Sign in with a human's key, or create one on the sign-in page.
      </div>
    );
  return null;
}

function Page() {
  const p = path.value;
  const seg = p.split("/").filter(Boolean).map(decodeURIComponent);
  switch (seg[0] ?? "") {
    case "":
      return <StatusPage />;
    case "issues":
      return seg[1] ? <IssuePage id={seg[1]} /> : <IssuesPage />;
    case "claims":
      return <ClaimsPage />;
    case "locks":
      return <LocksPage />;
    case "mail":
      return <MailPage />;
    case "chat":
      return <ChatPage id={seg[1] ?? null} />;
    case "workspaces":
      return <WorkspacesPage />;
    case "escalations":
      return seg[1] ? <EscalationPage id={seg[1]} /> : <EscalationsPage />;
    case "policies":
      return <PoliciesPage id={seg[1] ?? null} />;
    default:
      return <div class="empty">No such page.</div>;
  }
}

function App() {
  useEffect(() => {
    if (ready.value && me.value === null && path.value !== "/signin") navigate("/signin", true);
  });
  const section = NAV.find(([href]) => href !== "/" && path.value.startsWith(href))?.[1] ?? (path.value === "/signin" ? "Sign in" : "Status");
  useEffect(() => {
    document.title = `${section} · beadhub`;
  }, [section]);
  if (!ready.value) return <div class="empty">Loading…</div>;
  const signedIn = me.value !== null;
  const current = "/" + (path.value.split("/")[1] ?? "");
  return (
    <div class={`shell ${readOnly.value ? "read-only" : ""}`}>
      <header class="top">
        <A href="/" class="brand">
          beadhub
        </A>
        {signedIn ? <Who /> : null}
        <span class="spacer" />
        {signedIn ? <span class={`stream ${streamState.value}`} title={`event stream: ${streamState.value}`}>{streamState.value === "live" ? "● live" : `○ ${streamState.value}`}</span> : null}
        <button type="button" class="plain" onClick={toggleTheme} title="Light / dark">
          ◐
        </button>
        {signedIn && apiKey.value ? (
          <button type="button" class="plain" onClick={signOut}>
            Sign out
          </button>
        ) : null}
      </header>
      {signedIn ? (
        <nav class="nav">
          {NAV.map(([href, label]) => (
            <A key={href} href={href} class={current === href ? "active" : ""}>
              {label}
            </A>
          ))}
        </nav>
      ) : null}
      <main>
        <Warning />
        {signedIn && path.value !== "/signin" ? <Page /> : <SignIn />}
      </main>
      <footer class="foot muted">beadhub {config.value?.version ?? ""}</footer>
    </div>
  );
}

async function boot() {
  applyTheme();
  // #api_key=… : take the key and clean the URL, so it stays out of history.
  const frag = new URLSearchParams(location.hash.slice(1));
  const fromFragment = frag.get("api_key");
  if (fromFragment !== null) history.replaceState(null, "", location.pathname + location.search);
  render(<App />, document.getElementById("app")!);
  config.value = await api.config().catch(() => null);
  const ok = await signIn(fromFragment ?? apiKey.value);
  if (ok && path.value === "/signin") navigate("/", true);
  ready.value = true;
}

void boot();
