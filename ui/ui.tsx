// Small shared pieces: links that route in place, times, loading, errors.
import type { ComponentChildren, JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError } from "./api";
import { navigate, readOnly, tick } from "./state";

export function A(props: JSX.HTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return <a {...props} onClick={onClick} />;
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return `${err.detail} (${err.status})`;
  return err instanceof Error ? err.message : String(err);
}

/** Loads on mount, when deps change, and on every live tick (unless live=false). */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[] = [], live = true) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  const t = live ? tick.value : 0;
  useEffect(() => {
    let cancelled = false;
    fn().then(
      (d) => {
        if (!cancelled) {
          setData(d);
          setError(null);
        }
      },
      (e) => {
        if (!cancelled) setError(errorText(e));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [...deps, t, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data, error, reload };
}

export function ago(iso: string | null | undefined): string {
  if (!iso) return "—";
  const ms = Date.now() - Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const future = ms < 0;
  const s = Math.abs(ms) / 1000;
  const txt = s < 60 ? `${Math.round(s)}s` : s < 3600 ? `${Math.round(s / 60)}m` : s < 86400 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86400)}d`;
  return future ? `in ${txt}` : `${txt} ago`;
}

export function Time({ iso }: { iso: string | null | undefined }) {
  return <time title={iso ?? ""} dateTime={iso ?? undefined}>{ago(iso)}</time>;
}

export function ErrorBox({ error }: { error: string | null | undefined }) {
  return error ? (
    <div class="error" role="alert">
      {error}
    </div>
  ) : null;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

export function Loading() {
  return <div class="empty">Loading…</div>;
}

type Column = string | { label: string; class: string };

/**
 * A loaded list as a table: "Loading…" until the first answer (nothing after
 * a failed one: the page's ErrorBox says why), the empty text when there are
 * no rows, else the table with its header. `test` names it for the browser tests.
 */
export function Listing(props: {
  res: { data: unknown; error: string | null };
  count: number;
  empty: ComponentChildren;
  columns: Column[];
  test?: string;
  children: ComponentChildren;
}) {
  if (props.res.data === null) return props.res.error ? null : <Loading />;
  if (props.count === 0) return <Empty>{props.empty}</Empty>;
  return (
    <div class="table-wrap">
      <table data-test={props.test}>
        <thead>
          <tr>
            {props.columns.map((c, i) => (typeof c === "string" ? <th key={i}>{c}</th> : <th key={i} class={c.class}>{c.label}</th>))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

/** A button that runs an async action, shows it is busy, and reports the outcome. */
export function Action(props: {
  label: string;
  run: () => Promise<unknown>;
  done?: () => void;
  confirm?: string;
  kind?: "primary" | "danger" | "plain";
  write?: boolean;
  disabled?: boolean;
  title?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ro = props.write !== false && readOnly.value;
  return (
    <span class="action">
      <button
        type="button"
        class={props.kind ?? "plain"}
        disabled={busy || ro || props.disabled}
        title={ro ? "Read-only: a public reader cannot change anything" : props.title}
        onClick={async () => {
          if (props.confirm && !window.confirm(props.confirm)) return;
          setBusy(true);
          setError(null);
          try {
            await props.run();
            props.done?.();
          } catch (e) {
            setError(errorText(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? "…" : props.label}
      </button>
      {error ? <span class="inline-error" role="alert">{error}</span> : null}
    </span>
  );
}

export function Badge({ children, kind }: { children: ComponentChildren; kind?: string }) {
  return <span class={`badge ${kind ?? ""}`}>{children}</span>;
}

export function Card({ title, children, extra }: { title: ComponentChildren; children: ComponentChildren; extra?: ComponentChildren }) {
  return (
    <section class="card">
      <header>
        <h2>{title}</h2>
        {extra}
      </header>
      {children}
    </section>
  );
}

/** Tick once a minute so "3m ago" stays true without a reload. */
export function useClock(): void {
  const [, set] = useState(0);
  useEffect(() => {
    const id = setInterval(() => set((x) => x + 1), 30_000);
    return () => clearInterval(id);
  }, []);
}
