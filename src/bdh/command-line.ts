// The bd command line bdh reports (docs/protocol/sync.md#bdh-command-line), reduced to the
// claim action it implies.
//
// Decision (docs/protocol/sync.md#bdh-sync): unlike the reference, which reads the first token as the
// command word and knows only --status, we skip leading global flags the way
// bdh's own commandFromArgs does (so "--no-daemon update bd-1 --status
// in_progress" still claims), and accept the short flag "-s" (and "-s=X") as
// well as "--status X" / "--status=X". bdh itself treats "-s" as a claim.

export interface ParsedCommand {
  command: string | null;
  beadId: string | null;
  status: string | null;
}

export type ClaimAction = "claim" | "release" | null;

/** Global bd flags that take a value as the next token (bdh commandFromArgs). */
const VALUE_FLAGS = new Set(["--db", "--actor", "--lock-timeout"]);

export function parseCommandLine(commandLine: string): ParsedCommand {
  const parts = commandLine.split(/\s+/).filter(Boolean);
  let i = 0;
  while (i < parts.length) {
    const arg = parts[i];
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-")) break;
    i++;
    if (VALUE_FLAGS.has(arg) && i < parts.length && !parts[i].startsWith("-")) i++;
  }
  if (i >= parts.length) return { command: null, beadId: null, status: null };
  const command = parts[i];
  const rest = parts.slice(i + 1);
  let beadId: string | null = null;
  if (["update", "close", "delete", "reopen"].includes(command) && rest.length > 0 && !rest[0].startsWith("-")) {
    beadId = rest[0];
  }
  let status: string | null = null;
  if (command === "update") {
    for (let k = 0; k < rest.length; k++) {
      const p = rest[k];
      if ((p === "--status" || p === "-s") && k + 1 < rest.length) {
        status = rest[k + 1];
        break;
      }
      const eq = p.startsWith("--status=") ? 9 : p.startsWith("-s=") ? 3 : -1;
      if (eq > 0) {
        status = p.slice(eq);
        break;
      }
    }
  }
  return { command, beadId, status };
}

/** docs/protocol/sync.md#bdh-command-line step 4: update→in_progress claims; close, delete, update→other status release. */
export function claimActionOf(p: ParsedCommand): ClaimAction {
  if (!p.beadId) return null;
  if (p.command === "update" && p.status === "in_progress") return "claim";
  if (p.command === "close" || p.command === "delete") return "release";
  if (p.command === "update" && p.status) return "release";
  return null;
}
