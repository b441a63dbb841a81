// POST /v1/bdh/command (contract beadhub.md §8.1): bdh's pre-flight before
// every bd passthrough. A conflict is a 200 with approved:false (§19.6).
//
// Decision (§20 Q11): the conflict check asks the claims table directly for
// another holder of the bead, of any age, like the sync's claim path does;
// the reference only looked inside the 200 most recent claims it returns.
import type { Deps } from "../deps";
import { enforceActorBinding, type RequestAuth } from "../auth/identity";
import { claimRefusal, recentClaims } from "../claims/service";
import { parseCommandLine } from "./command-line";
import { touchLiveWorkspace } from "./workspace";

export interface CommandInput {
  workspaceId: string;
  alias: string;
  humanName: string;
  role: string | null;
  commandLine: string;
}

export interface BeadInProgress {
  bead_id: string;
  workspace_id: string;
  alias: string;
  human_name: string;
  started_at: string;
  title: null;
  role: null;
}

export interface CommandResponse {
  approved: boolean;
  reason: string;
  context: { messages_waiting: 0; beads_in_progress: BeadInProgress[] };
}

export async function runCommand(deps: Deps, auth: RequestAuth, input: CommandInput): Promise<CommandResponse> {
  const identity = await auth.aweb();
  enforceActorBinding(identity, input.workspaceId);
  const projectId = identity.projectId;
  const parsed = parseCommandLine(input.commandLine);
  const wantsClaim = parsed.command === "update" && parsed.status === "in_progress" && parsed.beadId !== null;
  // The reads do not depend on the touch: all in flight at once (latency), and
  // the touch's 404/410 still wins because Promise.all rejects with it.
  const [, claims, refusal] = await Promise.all([
    touchLiveWorkspace(deps, projectId, input.workspaceId, input.humanName, input.role),
    recentClaims(deps, projectId),
    wantsClaim ? claimRefusal(deps, projectId, parsed.beadId!, input.workspaceId) : Promise.resolve(null),
  ]);
  const context = {
    messages_waiting: 0 as const,
    beads_in_progress: claims.map((c) => ({
      bead_id: c.bead_id,
      workspace_id: c.workspace_id,
      alias: c.alias,
      human_name: c.human_name,
      started_at: c.claimed_at,
      title: null,
      role: null,
    })),
  };
  if (refusal) return { approved: false, reason: refusal, context };
  return { approved: true, reason: "", context };
}
