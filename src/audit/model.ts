// One row of the audit trail (server.audit_log), as the features that write it describe it.

export interface AuditEntry {
  projectId: string;
  eventType: string;
  /** The acting workspace (FK, set null when the workspace is hard-deleted). */
  workspaceId?: string | null;
  alias?: string | null;
  memberEmail?: string | null;
  resource?: string | null;
  beadId?: string | null;
  details?: Record<string, unknown> | null;
}
