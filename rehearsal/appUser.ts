/**
 * The app's database user, created by the same statements as the app-user Lambda runs on the primary
 * (recovery/lambda/appDatabaseUser.mjs `appUserStatements`): a login role of its own with a password,
 * CONNECT on the app's database, and a schema named after it that it owns, so the default search_path
 * (`"$user", public`; PostgreSQL docs, "Schemas: The Schema Search Path") puts the app's unqualified
 * tables there. Everything replicates to the standby with the WAL, so the DR copy has the same user.
 * Only the database itself is made here, as RDS makes `DBName` with the instance.
 */
import type pg from "pg";
import { appUserStatements } from "../recovery/lambda/appDatabaseUser.mjs";

/** Who the app connects as, and where. */
export interface AppUser {
  /** Role name: a letter, then up to 62 lower-case letters, digits or underscores. */
  username: string;
  /** The role's password (sent as a quoted literal, never logged). */
  password: string;
  /** The app's database; created when absent (as RDS creates `DBName` with the instance). */
  databaseName: string;
}

const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Creates the database (when absent), then runs the Lambda's statements inside it. `connect` opens a
 * superuser session on another database of the same server (the schema must be created inside the
 * app's database).
 * @throws Error naming the field when a name is not a plain lower-case identifier, or the SQL error.
 */
export async function createAppUser(admin: pg.Client, connect: (database: string) => Promise<pg.Client>, user: AppUser): Promise<void> {
  for (const [key, value] of [
    ["username", user.username],
    ["databaseName", user.databaseName],
  ] as const) {
    if (!IDENTIFIER.test(value))
      throw new Error(`app user: ${key} "${value}" must be a lower-case letter, then up to 62 lower-case letters, digits or underscores`);
  }
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [user.databaseName]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(user.databaseName)}`);
  const inDatabase = await connect(user.databaseName);
  for (const statement of appUserStatements("postgres", user)) await inDatabase.query(statement.sql);
}
