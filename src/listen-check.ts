// Checked before any slow work (opening PostgreSQL, migrating): can this
// process listen on BEADHUB_HOST:BEADHUB_PORT? A probe server with the real
// server's options is started and stopped at once, so a bad address or a busy
// port is one line naming the variable instead of a failure after the
// database was opened (issue 17).
import { ConfigError } from "./config";

export function checkListen(host: string, port: number): void {
  let probe: ReturnType<typeof Bun.serve>;
  try {
    probe = Bun.serve({ hostname: host, port, reusePort: false, fetch: () => new Response(null, { status: 503 }) });
  } catch (err) {
    const code = (err as { code?: string }).code ?? "";
    if (code === "EADDRINUSE") {
      throw new ConfigError("BEADHUB_PORT", `${port} is already in use on ${host} (another server?); choose a free port, e.g. BEADHUB_PORT=${port === 8000 ? 8001 : 8000}`);
    }
    if (code === "EACCES") {
      throw new ConfigError("BEADHUB_PORT", `${port} needs privileges on ${host}; use a port above 1023`);
    }
    if (code === "EADDRNOTAVAIL") {
      throw new ConfigError("BEADHUB_HOST", `"${host}" is not an address of this machine; use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)`);
    }
    throw new ConfigError("BEADHUB_HOST", `"${host}" cannot be listened on (${code || (err as Error).message}); use an IP address of this machine, 127.0.0.1 or 0.0.0.0`);
  }
  probe.stop(true);
}
