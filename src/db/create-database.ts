// `serve --create-database` / `migrate --create-database` (what `make run` and
// `make migrate` pass): create the configured database when it is missing.
// The target is tried first, so a database that exists is used without ever
// connecting elsewhere; only a missing one makes us ask the server's
// maintenance database to CREATE it (config.ts refuses URLs that would put
// beadhub's tables into `postgres` or a template).
import postgres from "postgres";
import { databaseName, redactUrl } from "../config";

/** True when the database was created, false when it already existed. */
export async function createDatabaseIfMissing(databaseUrl: string): Promise<boolean> {
  const name = databaseName(databaseUrl);
  const target = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await target`select 1`;
    return false;
  } catch (err) {
    // 3D000 invalid_catalog_name: the server is there, the database is not.
    if ((err as { code?: string }).code !== "3D000") {
      throw new Error(`cannot reach PostgreSQL at ${redactUrl(databaseUrl)}: ${(err as Error).message}`);
    }
  } finally {
    await target.end({ timeout: 1 });
  }
  const adminUrl = new URL(databaseUrl);
  adminUrl.pathname = "/postgres";
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin`create database ${admin(name)}`;
    return true;
  } catch (err) {
    // Another process created it in the meantime (42P04 duplicate_database): fine.
    if ((err as { code?: string }).code === "42P04") return false;
    throw new Error(`cannot create database "${name}" at ${redactUrl(databaseUrl)}: ${(err as Error).message}`);
  } finally {
    await admin.end({ timeout: 1 });
  }
}
