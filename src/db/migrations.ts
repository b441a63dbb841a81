// Every migration, inlined into the binary as text (no run-time file reads).
// Order matters: aweb first (extensions), then server, then beads (FK to server);
// later files run after every 0001.
import aweb0001 from "../../migrations/aweb/0001_create_aweb.sql" with { type: "text" };
import server0001 from "../../migrations/server/0001_create_server.sql" with { type: "text" };
import server0002 from "../../migrations/server/0002_hot_paths.sql" with { type: "text" };
import beads0001 from "../../migrations/beads/0001_create_beads.sql" with { type: "text" };

export interface Migration {
  schema: "aweb" | "server" | "beads";
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  { schema: "aweb", name: "0001_create_aweb", sql: aweb0001 },
  { schema: "server", name: "0001_create_server", sql: server0001 },
  { schema: "beads", name: "0001_create_beads", sql: beads0001 },
  { schema: "server", name: "0002_hot_paths", sql: server0002 },
];
