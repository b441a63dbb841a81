// App-wide state: who is signed in, where we are, and the live event feed.
import { computed, signal } from "@preact/signals";
import { ApiError, api, apiKey, readSse, setKey, type DashboardConfig, type Me } from "./api";

export const config = signal<DashboardConfig | null>(null);
/** null: not signed in (or not yet known); "public": a read-only public reader. */
export const me = signal<Me | "public" | null>(null);
export const signInError = signal<string | null>(null);
export const ready = signal(false);

export const isHuman = computed(() => {
  const m = me.value;
  return m !== null && m !== "public" && (m.agent_type === "human" || (!m.api_key_id && !!m.user_id));
});
export const readOnly = computed(() => me.value === "public");

// ---- routing (History API; the server answers every page path with index.html) ----
export const path = signal(location.pathname);
export const query = signal(new URLSearchParams(location.search));
window.addEventListener("popstate", () => {
  path.value = location.pathname;
  query.value = new URLSearchParams(location.search);
});
export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  const u = new URL(to, location.origin);
  path.value = u.pathname;
  query.value = u.searchParams;
  window.scrollTo(0, 0);
}

// ---- live feed ----
export interface FeedEvent {
  type: string;
  timestamp?: string;
  alias?: string;
  from_alias?: string;
  [k: string]: unknown;
}
// The feed survives a reload of the tab (sessionStorage), not the tab itself.
const FEED_KEY = "beadhub.feed";
export const feed = signal<FeedEvent[]>(readFeed());
function readFeed(): FeedEvent[] {
  try {
    const v = JSON.parse(sessionStorage.getItem(FEED_KEY) ?? "[]");
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}
feed.subscribe((items) => {
  try {
    sessionStorage.setItem(FEED_KEY, JSON.stringify(items));
  } catch {
    /* storage full or off: the feed still works for this page */
  }
});
/** Bumped on every event and every poll: pages reload what they show. */
export const tick = signal(0);
export const streamState = signal<"connecting" | "live" | "retrying" | "off">("off");

let stream: AbortController | null = null;

function eventKey(e: FeedEvent): string {
  const { workspace_id: _w, ...rest } = e;
  return JSON.stringify(rest);
}
let bumpTimer: ReturnType<typeof setTimeout> | null = null;
function bump(): void {
  if (bumpTimer) return;
  bumpTimer = setTimeout(() => {
    bumpTimer = null;
    tick.value++;
  }, 150);
}

/**
 * Reads /v1/status/stream with the Bearer header and reconnects with
 * exponential backoff (1 s … 30 s). The stream's workspace set is fixed when it
 * connects, so the poller restarts it when that set changes.
 */
export function startStream(): void {
  stopStream();
  const ctl = new AbortController();
  stream = ctl;
  let delay = 1000;
  const loop = async () => {
    while (!ctl.signal.aborted) {
      streamState.value = "connecting";
      try {
        await readSse(
          "/v1/status/stream",
          {},
          (data) => {
            const ev = data as FeedEvent;
            if (ev && typeof ev.type === "string") {
              // One event can arrive once per participant's channel (chat): show it once.
              const key = eventKey(ev);
              if (!feed.value.slice(0, 30).some((e) => eventKey(e) === key)) feed.value = [ev, ...feed.value].slice(0, 100);
              bump();
            }
          },
          ctl.signal,
          () => {
            streamState.value = "live";
            delay = 1000;
          },
        );
      } catch (err) {
        if (ctl.signal.aborted) return;
        if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
          streamState.value = "off";
          return;
        }
      }
      if (ctl.signal.aborted) return;
      streamState.value = "retrying";
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  };
  void loop();
}

export function stopStream(): void {
  stream?.abort();
  stream = null;
  streamState.value = "off";
}

let poller: ReturnType<typeof setInterval> | null = null;
let lastSet = "";
/** Polls /v1/status for what the stream cannot see (new workspaces coming online). */
function startPolling(): void {
  if (poller) clearInterval(poller);
  poller = setInterval(async () => {
    if (document.hidden || me.value === null) return;
    try {
      const s = await api.status();
      const set = s.agents.map((a) => a.workspace_id).sort().join(",") + "|" + (s.workspace.workspace_count ?? "");
      if (set !== lastSet) {
        const first = lastSet === "";
        lastSet = set;
        if (!first) startStream();
      }
      bump();
    } catch {
      /* shown by the pages */
    }
  }, 3000);
}

export async function signIn(key: string | null): Promise<boolean> {
  signInError.value = null;
  if (key !== null) setKey(key);
  try {
    me.value = await api.me();
  } catch (err) {
    // A public reader (signed proxy, type p) cannot introspect (401/403) but can read status.
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      try {
        await api.status();
        me.value = "public";
      } catch {
        me.value = null;
        if (apiKey.value) signInError.value = err.detail;
      }
    } else {
      me.value = null;
      if (apiKey.value) signInError.value = err instanceof ApiError ? err.detail : String(err);
    }
  }
  if (me.value === null) {
    if (key !== null) setKey(null);
    return false;
  }
  lastSet = "";
  startStream();
  startPolling();
  return true;
}

export function signOut(): void {
  setKey(null);
  stopStream();
  if (poller) clearInterval(poller);
  poller = null;
  me.value = null;
  feed.value = [];
  navigate("/signin");
}

// ---- theme ----
const THEME_KEY = "beadhub.theme";
export const theme = signal<"light" | "dark" | "auto">((localStorage.getItem(THEME_KEY) as "light" | "dark" | null) ?? "auto");
export function applyTheme(): void {
  const t = theme.value;
  if (t === "auto") document.documentElement.removeAttribute("data-theme");
  else document.documentElement.setAttribute("data-theme", t);
}
export function toggleTheme(): void {
  const dark = theme.value === "dark" || (theme.value === "auto" && matchMedia("(prefers-color-scheme: dark)").matches);
  theme.value = dark ? "light" : "dark";
  localStorage.setItem(THEME_KEY, theme.value);
  applyTheme();
}
