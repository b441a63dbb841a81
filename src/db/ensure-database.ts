// `make run` helper: create the configured database if it does not exist yet,
// connecting to the server's "postgres" database to do it.
import postgres from "postgres";
import { loadConfig } from "../config";

const config = loadConfig();
if (!config.databaseUrl) {
  console.error("configuration error: BEADHUB_DATABASE_URL (or DATABASE_URL) is required");
  process.exit(2);
}
const target = new URL(config.databaseUrl);
const name = decodeURIComponent(target.pathname.replace(/^\//, ""));
const adminUrl = new URL(config.databaseUrl);
adminUrl.pathname = "/postgres";
const sql = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
try {
  const found = await sql`select 1 from pg_database where datname = ${name}`;
  if (found.length === 0) {
    await sql`create database ${sql(name)}`;
    console.log(`created database ${name}`);
  }
} catch (err) {
  console.error(`cannot create database ${name}: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await sql.end({ timeout: 5 });
}
