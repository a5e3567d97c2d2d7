/**
 * The app's database user, created the way the app-user Lambda creates it on the primary (issue 20):
 * a login role of its own with a password, CONNECT on the app's database, and a schema named after
 * it that it owns (`CREATE SCHEMA <user> AUTHORIZATION <user>`), so the default search_path
 * (`"$user", public`; PostgreSQL docs, "Schemas: The Schema Search Path") puts the app's unqualified
 * tables there. Everything replicates to the standby with the WAL, so the DR copy has the same user.
 * The SQL lives only here, so the rehearsal can later run the Lambda's shared module instead.
 */
import type pg from "pg";

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
 * Creates the database (when absent), the role and its schema. `connect` opens a superuser session
 * on another database of the same server (the schema must be created inside the app's database).
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
  const role = admin.escapeIdentifier(user.username);
  const database = admin.escapeIdentifier(user.databaseName);
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [user.databaseName]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${database}`);
  await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD ${admin.escapeLiteral(user.password)}`);
  await admin.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${role}`);
  const inDatabase = await connect(user.databaseName);
  await inDatabase.query(`CREATE SCHEMA ${role} AUTHORIZATION ${role}`);
}
