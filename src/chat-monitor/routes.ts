// /v1/chat/monitor (docs/protocol/dashboard-api.md#chat-monitor-human-only):
// the dashboard's oversight of every chat in the project; humans only.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";
import { authPlugin } from "../auth/plugin";
import { unprocessable } from "../http/errors";
import { describe } from "../http/openapi";
import { parseAwareTimestamp } from "../http/time";
import { queryInt } from "../http/wire";
import { MonitorPage, MonitorQuery, SessionParams, Transcript, TranscriptQuery } from "./model";
import { monitorSessions, monitorTranscript } from "./service";

const TAG = "chat";

function beforeOf(raw: string | undefined): string | null {
  if (raw === undefined || raw === "") return null;
  const parsed = parseAwareTimestamp(raw);
  if (!parsed.ok) throw unprocessable(parsed.reason === "naive" ? "before must be timezone-aware" : "Invalid before format");
  return parsed.value;
}

export function chatMonitorRoutes(ctx: RouteContext) {
  const { deps } = ctx;
  return new Elysia({ prefix: "/v1/chat/monitor" })
    .use(authPlugin(deps))
    .get(
      "",
      async ({ auth, query }) => {
        const limit = queryInt(query.limit, "limit", 50, { min: 1, max: 200 });
        return monitorSessions(deps, await auth.requireHuman(), limit, query.cursor);
      },
      {
        query: MonitorQuery,
        detail: describe("Every chat session of the project, latest activity first (humans only)", TAG, { 200: MonitorPage }, [401, 403]),
      },
    )
    .get(
      "/:session_id/messages",
      async ({ auth, params, query }) => {
        const limit = queryInt(query.limit, "limit", 200, { min: 1, max: 2000 });
        const before = beforeOf(query.before);
        return monitorTranscript(deps, await auth.requireHuman(), params.session_id, before, limit);
      },
      {
        params: SessionParams,
        query: TranscriptQuery,
        detail: describe("Any chat transcript of the project, oldest first (humans only)", TAG, { 200: Transcript }, [401, 403, 404]),
      },
    );
}
