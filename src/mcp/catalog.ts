// Every MCP tool, and which of them tools/list shows (BEADHUB_MCP_TOOLS:
// core, full or a list of names). Some clients cap how many tools they load,
// and every listed tool costs the model context, hence the small core set.
import { ConfigError, type Config } from "../config";
import type { Tool } from "./tool";
import { LOCK_TOOLS } from "./tools-locks";
import { HUMAN_TOOLS, SESSION_TOOLS } from "./tools-session";
import { TALK_TOOLS } from "./tools-talk";
import { WORK_TOOLS } from "./tools-work";

export const ALL_TOOLS: Tool[] = [...SESSION_TOOLS, ...WORK_TOOLS, ...LOCK_TOOLS, ...TALK_TOOLS, ...HUMAN_TOOLS];

/** What an agent needs for a working day: orient, pick and claim work, lock, talk, ask a human. */
export const CORE_TOOLS = [
  "start_session",
  "heartbeat",
  "ready_issues",
  "get_issue",
  "claim_issue",
  "release_issue",
  "lock_acquire",
  "lock_release",
  "send_message",
  "fetch_inbox",
  "chat_send",
  "chat_pending",
  "escalate",
  "get_escalation",
  "status",
] as const;

export function selectTools(setting: Config["mcpTools"]): Tool[] {
  if (setting === "full") return ALL_TOOLS;
  const names: readonly string[] = setting === "core" ? CORE_TOOLS : setting;
  const unknown = names.filter((n) => !ALL_TOOLS.some((t) => t.name === n));
  // core may name tools not built yet; an explicit list must be right.
  if (setting !== "core" && unknown.length > 0) {
    throw new ConfigError("BEADHUB_MCP_TOOLS", `names unknown tools: ${unknown.join(", ")}`);
  }
  return ALL_TOOLS.filter((t) => names.includes(t.name));
}
