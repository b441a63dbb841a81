// Connection hygiene (issue 19, defects 1 and 9; docs/decisions.md "Hardening"):
//
// - Receiving a request is bounded: Bun.serve closes a connection that stays
//   silent for config.idleTimeoutSeconds, and that is what catches a client
//   that sends headers and part of a body, then nothing. Bun's idle timer
//   also runs while a handler works, so once the request is parsed the timer
//   is switched off (a slow sync is not a slow client). It is switched back on
//   for the answer and the keep-alive wait after it. Event streams stay exempt:
//   their keepalives and the slow-reader cut (src/http/sse.ts) look after them.
// - One client address may have at most config.maxRequestsPerAddress requests
//   in flight (being received or handled); past that it gets 429 and the
//   connection is closed. Behind a trusted proxy the address is the first
//   X-Forwarded-For hop. /health is never refused.
// - While the server drains (SIGTERM), every answer says `Connection: close`,
//   so no client sends another request on a connection about to close.
import type { Config } from "../config";
import { json } from "./error-handler";
import { countRateLimitRefusal } from "../metrics/process";

interface ServerLike {
  requestIP(request: Request): { address: string } | null;
  timeout(request: Request, seconds: number): void;
}

function hasBody(request: Request): boolean {
  const length = request.headers.get("content-length");
  if (length !== null) return Number(length) > 0;
  return request.headers.has("transfer-encoding");
}

export class ConnectionGuard {
  private inFlight = new Map<string, number>();
  private held = new WeakMap<Request, string>();

  constructor(private readonly config: Readonly<Config>, private readonly draining: AbortSignal) {}

  private addressOf(request: Request, server: ServerLike | null): string | null {
    if (this.config.trustForwardedFor) {
      const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
      if (forwarded) return forwarded;
    }
    return server?.requestIP(request)?.address ?? null;
  }

  /** onRequest: count the request against its address; a 429 past the cap. */
  admit(request: Request, server: ServerLike | null): Response | undefined {
    const cap = this.config.maxRequestsPerAddress;
    if (cap <= 0 || !server) return undefined;
    const address = this.addressOf(request, server);
    if (address === null || new URL(request.url).pathname === "/health") return undefined;
    const n = this.inFlight.get(address) ?? 0;
    if (n >= cap) {
      countRateLimitRefusal("per_address");
      return json(
        429,
        { detail: `Too many requests in flight from your address (limit ${cap})` },
        { "retry-after": "1", connection: "close" },
      );
    }
    this.inFlight.set(address, n + 1);
    this.held.set(request, address);
    // Also released if the client goes away before an answer (no later hook runs then).
    request.signal?.addEventListener("abort", () => this.release(request), { once: true });
    return undefined;
  }

  /** The request is answered (or abandoned): its slot is free. Idempotent. */
  release(request: Request): void {
    const address = this.held.get(request);
    if (address === undefined) return;
    this.held.delete(request);
    const n = (this.inFlight.get(address) ?? 1) - 1;
    if (n <= 0) this.inFlight.delete(address);
    else this.inFlight.set(address, n);
  }

  /** Requests in flight per address (tests, diagnostics). */
  get stats(): Record<string, number> {
    return Object.fromEntries(this.inFlight);
  }

  /**
   * onBeforeHandle: once the request is fully received, the handler's time is
   * not idle time. A route that reads its body itself (parse "none": MCP,
   * policies) has not read it yet and stays under the idle timeout.
   */
  received(request: Request, server: ServerLike | null): void {
    if (!request.bodyUsed && hasBody(request)) return;
    server?.timeout(request, 0);
  }

  /** An answer is ready: idle timer back on (except for event streams); Connection: close while draining. */
  answered(request: Request, server: ServerLike | null, response: unknown, headers: Record<string, unknown>): void {
    const stream = response instanceof Response && (response.headers.get("content-type") ?? "").startsWith("text/event-stream");
    if (!stream) server?.timeout(request, this.config.idleTimeoutSeconds);
    if (this.draining.aborted) {
      if (response instanceof Response) response.headers.set("connection", "close");
      else headers.connection = "close";
    }
  }
}
