// Timestamps the server builds itself use Python's isoformat style
// ("2026-02-07T11:39:32.123000+00:00"; docs/protocol/conventions.md#timestamps). Values read from
// Postgres already arrive in that style with full microseconds (db/pool.ts).

/** A JS Date as "YYYY-MM-DDTHH:MM:SS.ffffff+00:00" (fraction dropped when zero, like Python). */
export function isoFromDate(d: Date): string {
  const base = d.toISOString(); // 2026-11-25T03:59:29.875Z
  const ms = d.getUTCMilliseconds();
  const seconds = base.slice(0, 19);
  return ms === 0 ? `${seconds}+00:00` : `${seconds}.${String(ms).padStart(3, "0")}000+00:00`;
}

export function nowIso(): string {
  return isoFromDate(new Date());
}

/**
 * Parse an RFC 3339 timestamp that must carry a zone (docs/protocol/conventions.md#timestamps): "Z" or
 * ±hh:mm, up to 9 fractional digits. Returns the microsecond-precision text
 * Postgres accepts, or a reason it is invalid.
 */
export function parseAwareTimestamp(raw: string): { ok: true; value: string } | { ok: false; reason: "format" | "naive" } {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:?\d{2})?$/.exec(raw.trim());
  if (!m) return { ok: false, reason: "format" };
  if (!m[4]) return { ok: false, reason: "naive" };
  const frac = m[3] ? "." + m[3].slice(0, 6) : "";
  const zone = m[4].toUpperCase() === "Z" ? "+00:00" : m[4];
  const value = `${m[1]}T${m[2]}${frac}${zone}`;
  if (Number.isNaN(Date.parse(`${m[1]}T${m[2]}${zone.length === 5 ? zone.slice(0, 3) + ":" + zone.slice(3) : zone}`))) {
    return { ok: false, reason: "format" };
  }
  return { ok: true, value };
}
