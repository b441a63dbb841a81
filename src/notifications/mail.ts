// The mail a bead status notification becomes: subject and body as the
// reference writes them (docs/protocol/sync.md#beads-notifications). Pure: no SQL, no HTTP.

const str = (v: unknown, fallback: string) => (v === undefined ? fallback : v === null ? "None" : String(v));

export function notificationMail(payload: Record<string, unknown>): { subject: string; body: string; beadId: string } {
  const beadId = str(payload.bead_id, "unknown");
  let body = `**${beadId}** status changed from \`${str(payload.old_status, "unknown")}\` to \`${str(payload.new_status, "unknown")}\`\n\n`;
  if (payload.title) body += `Title: ${payload.title}\n`;
  if (payload.repo) body += `Repo: ${payload.repo}\n`;
  if (payload.branch) body += `Branch: ${payload.branch}\n`;
  return { subject: `Bead status changed: ${beadId}`, body, beadId };
}
