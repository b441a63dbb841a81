// The audit trail has no routes of its own: features write a row inside the
// transaction of the change it describes (tx first, like the other
// tx-taking functions features export for each other; docs/architecture.md).
export { writeAudit } from "./data";
export type { AuditEntry } from "./model";
