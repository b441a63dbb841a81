// Sign in with a key, or create a human identity (POST /v1/init, agent_type human).
import { useState } from "preact/hooks";
import { api } from "../api";
import { config, navigate, signIn, signInError } from "../state";
import { ErrorBox, errorText } from "../ui";

export function SignIn() {
  const [key, setKeyText] = useState("");
  const [slug, setSlug] = useState("");
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);

  const submitKey = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    if (await signIn(key.trim())) navigate("/", true);
    else setError(signInError.value ?? "That key was not accepted");
    setBusy(false);
  };
  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.init({ project_slug: slug.trim(), human_name: name.trim() });
      setCreated(r.api_key);
      await signIn(r.api_key);
    } catch (err) {
      setError(errorText(err));
    }
    setBusy(false);
  };

  if (created)
    return (
      <div class="signin card">
        <h2>Your human identity</h2>
        <p>Keep this key: it is shown once. It is stored in this browser and sent only to this server.</p>
        <pre class="key" data-test="new-key">{created}</pre>
        <button type="button" class="primary" onClick={() => navigate("/", true)}>
          Open the dashboard
        </button>
      </div>
    );
  return (
    <div class="signin">
      <form class="card" onSubmit={submitKey}>
        <h2>Sign in</h2>
        <p class="muted">
          Paste an API key (<code>aw_sk_…</code>), or open <code>{location.origin}/#api_key=aw_sk_…</code>. The key stays in this browser and
          goes only to this server, as a Bearer header.
        </p>
        <label>
          API key
          <input name="api_key" type="password" autoComplete="off" value={key} onInput={(e) => setKeyText(e.currentTarget.value)} required />
        </label>
        <button class="primary" disabled={busy || !key.trim()}>
          Sign in
        </button>
      </form>
      {config.value?.features.bootstrap !== false ? (
        <form class="card" onSubmit={create}>
          <h2>Create my human identity</h2>
          <p class="muted">Joins (or creates) a project as a human, so you can answer escalations and take the actions only a human may take.</p>
          <label>
            Project slug
            <input name="project_slug" value={slug} onInput={(e) => setSlug(e.currentTarget.value)} required />
          </label>
          <label>
            Your name
            <input name="human_name" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
          </label>
          <button class="primary" disabled={busy || !slug.trim() || !name.trim()}>
            Create
          </button>
        </form>
      ) : null}
      <ErrorBox error={error ?? signInError.value} />
    </div>
  );
}
