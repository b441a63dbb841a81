// server.audit_log rows (the audit trail). Written inside the caller's
// transaction when there is one, so an audit row exists exactly when the change
// it describes was committed.
import type { Db } from "../db/pool";
import type { AuditEntry } from "./model";

export async function writeAudit(db: Db, e: AuditEntry): Promise<void> {
  await db`
    insert into server.audit_log
      (project_id, workspace_id, event_type, alias, member_email, resource, bead_id, details)
    values (${e.projectId}, ${e.workspaceId ?? null}, ${e.eventType}, ${e.alias ?? null},
            ${e.memberEmail ?? null}, ${e.resource ?? null}, ${e.beadId ?? null},
            ${e.details == null ? null : db.json(e.details as never)})`;
}
