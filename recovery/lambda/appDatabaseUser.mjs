/**
 * The app database user function (components/appDatabaseUser.ts): invoked by the deploy (an
 * `aws.lambda.Invocation`) in the region of the writable database, it makes the app's own database
 * user exist with the password of the app credentials secret, idempotently:
 *
 * - PostgreSQL: the role (LOGIN) when absent; its password, always (the function runs only on deploy
 *   and rotation); CONNECT on the app's database; a schema named after the user and owned by it.
 *   PostgreSQL 15 removed PUBLIC's CREATE permission on the `public` schema (PostgreSQL 15 release
 *   notes, "Migration to Version 15": "Remove PUBLIC creation permission on the public schema"), so
 *   the app gets a schema of its own; the default `search_path` is `"$user", public` (PostgreSQL
 *   documentation, "Schemas": "The Schema Search Path"), so its unqualified tables land there.
 * - MySQL: `CREATE USER IF NOT EXISTS '<u>'@'%'`, `ALTER USER ... IDENTIFIED BY`, both `REQUIRE SSL`;
 *   the app's database when absent; `GRANT ALL` on it.
 *
 * Why a user of its own: the RDS-managed master secret cannot be replicated to the DR region and a
 * promoted replica gets a new managed password (components/replicatedDatabase.ts
 * `regionalMasterSecret`), while a role lives in the database itself: physical (PostgreSQL) and binlog
 * (MySQL: account management statements are written to the binary log, MySQL Reference Manual,
 * "Replication of CREATE USER, ALTER USER, ...") replication, and Aurora's storage replication, carry
 * it to the DR copy, so the app's password, kept in a replicated secret, works there before and after
 * promotion.
 *
 * The password never reaches a log: PostgreSQL gets a SCRAM-SHA-256 verifier computed here (what
 * psql's \password sends; PostgreSQL documentation, ALTER ROLE: "the password will be transmitted to
 * the server in cleartext, and it might also be logged"), quoted with `pg.escapeLiteral` since ALTER
 * ROLE takes no bound parameters; MySQL gets it as a placeholder value, and rewrites account
 * statements before logging them (MySQL Reference Manual, "Passwords and Logging").
 *
 * Event: `{ "action": "ensure" }`, with `"appCredentialsVersionId"` to read that version of the app
 * secret (the deploy passes the version it wrote). Answer: a JSON summary, without secrets.
 * Errors carry a `name`: `InvalidArguments` (the event), `MisconfiguredFunction` (the environment),
 * `InvalidAppUser` (the app secret's user name or password), `ReadOnlyDatabase` (a replica or an
 * Aurora reader: the user is made on the writer and replicated), and databaseConnection.mjs's.
 */
import { Buffer } from "node:buffer";
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import process from "node:process";
import pg from "pg";
import * as connection from "./databaseConnection.mjs";

/** Environment variable names the function reads (besides `AWS_REGION`, which Lambda sets). */
export const APP_USER_ENVIRONMENT = Object.freeze({
  engine: "DATABASE_ENGINE",
  databaseName: "DATABASE_NAME",
  /** Instance mode: the RDS instance, whose RDS-managed master secret DescribeDBInstances names. */
  databaseIdentifier: "DATABASE_IDENTIFIER",
  /** Cluster mode (Aurora): the user-managed master secret, the writer endpoint and its port. */
  masterSecretArn: "MASTER_SECRET_ARN",
  endpoint: "DATABASE_ENDPOINT",
  port: "DATABASE_PORT",
  /** The app credentials secret of this region (JSON username and password). */
  appSecretArn: "APP_CREDENTIALS_SECRET_ARN",
});

/** PostgreSQL's `application_name` of the function's session. */
const APPLICATION_NAME = "dr-app-database-user";

/**
 * Longest user name: PostgreSQL's identifiers are at most NAMEDATALEN - 1 = 63 bytes (PostgreSQL
 * documentation, "Identifiers and Key Words"); MySQL's user names at most 32 characters (MySQL
 * Reference Manual, "Grant Tables": User column).
 */
export const USERNAME_LIMITS = Object.freeze({ postgres: 63, mysql: 32 });

/** A user or database name the function quotes: a letter, then letters, digits and underscores. */
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Names the app user may not take, compared without case: PostgreSQL's `postgres` and the names it
 * reserves (`public`, `none` and the `current_*`/`session_user` keywords, PostgreSQL documentation,
 * "Database Roles"), RDS's own roles and users (RDS User Guide, "Understanding PostgreSQL roles and
 * permissions": rdsadmin, rds_superuser, rds_replication, rds_password, rdstopmgr; "Master user account
 * privileges" for MySQL: rdsadmin, rdsrepladmin), MySQL's `root` and system schema.
 */
export const RESERVED_USERNAMES = Object.freeze([
  "postgres",
  "public",
  "none",
  "current_user",
  "current_role",
  "session_user",
  "root",
  "mysql",
  "admin",
  "rdsadmin",
  "rdsrepladmin",
  "rdsproxyadmin",
  "rdstopmgr",
]);

/** Prefixes the app user may not take: `pg_` is reserved for PostgreSQL's predefined roles, `rds` for RDS's. */
export const RESERVED_USERNAME_PREFIXES = Object.freeze(["pg_", "rds"]);

/** Printable ASCII, 8 to 128 characters: SASLprep (RFC 4013) leaves such a password as it is, so the SCRAM verifier computed here is the one PostgreSQL would compute. */
const PASSWORD = /^[\x20-\x7e]{8,128}$/;

/** PostgreSQL's default SCRAM iteration count (`scram_iterations`, 4096). */
export const SCRAM_ITERATIONS = 4096;

/**
 * @typedef {import("./databaseConnection.mjs").Engine} Engine
 * @typedef {import("./databaseConnection.mjs").Queryable} Queryable
 * @typedef {import("./databaseConnection.mjs").AwsClients} AwsClients
 * @typedef {import("./databaseConnection.mjs").ConnectionTarget} ConnectionTarget
 * @typedef {{ username: string, password: string, databaseName: string }} AppUser
 * @typedef {{ step: "role" | "password" | "connect" | "membership" | "schema" | "schemaOwner" | "database" | "grant", sql: string, params?: unknown[] }} Statement
 * @typedef {{ engine: Engine, database: string, username: string, created: boolean, passwordSet: true, schema: string, schemaCreated: boolean }} AppUserSummary
 * @typedef {{ engine: Engine, region: string, databaseName: string, appSecretArn: string }
 *   & ({ mode: "instance", identifier: string } | { mode: "cluster", masterSecretArn: string, host: string, port: number })} AppUserSettings
 */

/**
 * Refuses a user name the function must not create or change: not an identifier, too long for the
 * engine, the master user's, or reserved. Throws `InvalidAppUser` naming the rule.
 * @param {Engine} engine
 * @param {unknown} username
 * @param {string} [masterUsername]
 * @returns {string}
 */
export function checkUsername(engine, username, masterUsername) {
  const limit = USERNAME_LIMITS[connection.engineOf(engine)];
  if (typeof username !== "string" || !IDENTIFIER.test(username) || username.length > limit) {
    throw connection.namedError(
      "InvalidAppUser",
      `the app user name must start with a letter and use letters, digits and _ (at most ${limit} on ${engine}), got ${JSON.stringify(username)}`,
    );
  }
  const lower = username.toLowerCase();
  if (masterUsername !== undefined && lower === masterUsername.toLowerCase()) {
    throw connection.namedError("InvalidAppUser", `the app user must not be the master user (${masterUsername}): the app connects as its own user`);
  }
  if (RESERVED_USERNAMES.includes(lower) || RESERVED_USERNAME_PREFIXES.some((prefix) => lower.startsWith(prefix))) {
    throw connection.namedError(
      "InvalidAppUser",
      `the app user name ${JSON.stringify(username)} is reserved (${RESERVED_USERNAMES.join(", ")}, or starting with ${RESERVED_USERNAME_PREFIXES.join(" or ")})`,
    );
  }
  return username;
}

/**
 * Checks the app user's settings: the user name (checkUsername), the database name (an identifier),
 * the password (printable ASCII, 8 to 128 characters). Throws `InvalidAppUser`; the password is
 * never repeated.
 * @param {Engine} engine
 * @param {AppUser} user
 * @param {string} [masterUsername]
 * @returns {AppUser}
 */
export function checkAppUser(engine, user, masterUsername) {
  checkUsername(engine, user.username, masterUsername);
  if (typeof user.databaseName !== "string" || !IDENTIFIER.test(user.databaseName) || user.databaseName.length > 63) {
    throw connection.namedError(
      "InvalidAppUser",
      `the database name must start with a letter and use letters, digits and _ (at most 63), got ${JSON.stringify(user.databaseName)}`,
    );
  }
  if (typeof user.password !== "string" || !PASSWORD.test(user.password)) {
    throw connection.namedError("InvalidAppUser", "the app password must be 8 to 128 printable ASCII characters (the secret's value is not repeated here)");
  }
  return user;
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (pg_authid `rolpassword`:
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, PostgreSQL documentation, "pg_authid"),
 * derived as RFC 5802 section 3 with SHA-256 (RFC 7677): SaltedPassword = PBKDF2-HMAC-SHA-256(password,
 * salt, iterations), StoredKey = SHA-256(HMAC(SaltedPassword, "Client Key")), ServerKey =
 * HMAC(SaltedPassword, "Server Key"). PostgreSQL stores a password given in this form as it is.
 * @param {string} password printable ASCII (checkAppUser)
 * @param {{ salt?: Buffer, iterations?: number }} [options] a random 16-byte salt and 4096 iterations by default
 * @returns {string}
 */
export function scramSha256Verifier(password, { salt = randomBytes(16), iterations = SCRAM_ITERATIONS } = {}) {
  const salted = pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/**
 * A MySQL database name as GRANT must see it: `_` and `%` are wildcards in a database-level GRANT,
 * so they are escaped with `\` ("to prevent the user from being able to access additional databases
 * matching the wildcard pattern", MySQL Reference Manual, GRANT Statement, "Object Quoting Guidelines").
 * @param {string} name an identifier (checkAppUser)
 */
function grantDatabasePattern(name) {
  return name.replace(/[_%]/g, (wildcard) => `\\${wildcard}`);
}

/**
 * The statements that make the app user, in order, for `engine`; each is idempotent, so the whole
 * sequence may run again (another deploy, a rotation). Pure: the same input gives the same SQL.
 *
 * PostgreSQL (connected to `databaseName` as the master user, who on RDS owns that database and has
 * CREATEROLE but is not a superuser): the role LOGIN when absent; its password (`password` may be
 * the plaintext or a SCRAM verifier, scramSha256Verifier: PostgreSQL stores a verifier as given);
 * CONNECT on the database; the master made a member of the role, which CREATE SCHEMA ... AUTHORIZATION
 * and ALTER SCHEMA ... OWNER TO require of a non-superuser (PostgreSQL documentation, CREATE SCHEMA:
 * "you must be able to SET ROLE to that role"; earlier releases: "be a member of"); the schema named
 * after the user, owned by it.
 *
 * MySQL (connected without a database): the account `'<u>'@'%'` when absent and its password, both
 * `REQUIRE SSL`; the database when absent; ALL on it (its wildcards escaped). The user name and the
 * password are placeholder values (mysql2 escapes them), never spliced into the text.
 * @param {Engine} engine
 * @param {AppUser} user checked by checkAppUser (identifiers are quoted, not re-validated here)
 * @returns {Statement[]}
 */
export function appUserStatements(engine, { username, password, databaseName }) {
  if (connection.engineOf(engine) === "postgres") {
    const role = pg.escapeIdentifier(username);
    return [
      { step: "role", sql: `DO $$ BEGIN CREATE ROLE ${role} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$` },
      { step: "password", sql: `ALTER ROLE ${role} WITH LOGIN PASSWORD ${pg.escapeLiteral(password)}` },
      { step: "connect", sql: `GRANT CONNECT ON DATABASE ${pg.escapeIdentifier(databaseName)} TO ${role}` },
      { step: "membership", sql: `GRANT ${role} TO CURRENT_USER` },
      { step: "schema", sql: `CREATE SCHEMA IF NOT EXISTS ${role} AUTHORIZATION ${role}` },
      { step: "schemaOwner", sql: `ALTER SCHEMA ${role} OWNER TO ${role}` },
    ];
  }
  const database = `\`${databaseName}\``;
  return [
    { step: "role", sql: "CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ? REQUIRE SSL", params: [username, password] },
    { step: "password", sql: "ALTER USER ?@'%' IDENTIFIED BY ? REQUIRE SSL", params: [username, password] },
    { step: "database", sql: `CREATE DATABASE IF NOT EXISTS ${database}` },
    { step: "grant", sql: `GRANT ALL PRIVILEGES ON \`${grantDatabasePattern(databaseName)}\`.* TO ?@'%'`, params: [username] },
  ];
}

/**
 * The query telling whether the user and its schema (PostgreSQL) or database (MySQL) exist yet:
 * one row, `role_exists` and `schema_exists`.
 * @param {Engine} engine
 * @param {AppUser} user
 * @returns {{ sql: string, params: unknown[] }}
 */
export function appUserProbe(engine, { username, databaseName }) {
  if (connection.engineOf(engine) === "postgres") {
    return {
      sql:
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1) AS role_exists, " +
        "EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS schema_exists",
      params: [username],
    };
  }
  return {
    sql:
      "SELECT EXISTS (SELECT 1 FROM mysql.user WHERE user = ? AND host = '%') AS role_exists, " +
      "EXISTS (SELECT 1 FROM information_schema.schemata WHERE schema_name = ?) AS schema_exists",
    params: [username, databaseName],
  };
}

/**
 * A boolean as a driver answers it (`pg`: true/false; mysql2: 1/0).
 * @param {unknown} value
 */
function truthy(value) {
  return value === true || value === 1 || value === "1" || value === 1n || value === "t";
}

/**
 * Makes the app user on an open connection to the writable database, as its master user. Refuses a
 * read-only database (`ReadOnlyDatabase`) before any change; checks the user first (checkAppUser).
 * @param {Queryable} db
 * @param {Engine} engine
 * @param {AppUser} user
 * @param {{ masterUsername?: string, verifier?: (password: string) => string }} [options]
 *   `verifier`: how PostgreSQL's password is sent (default scramSha256Verifier)
 * @returns {Promise<AppUserSummary>}
 */
export async function ensureAppUser(db, engine, user, { masterUsername, verifier = (password) => scramSha256Verifier(password) } = {}) {
  checkAppUser(engine, user, masterUsername);
  if (!(await connection.isWritable(db, engine, connection.READ_ONLY_QUERIES.any))) {
    throw connection.namedError(
      "ReadOnlyDatabase",
      "the database is read-only (a read replica or an Aurora reader): the app user is made on the writable database and replicates from there",
    );
  }
  const probe = appUserProbe(engine, user);
  const [found = {}] = connection.rowsOf(await db.query(probe.sql, probe.params));
  const password = engine === "postgres" ? verifier(user.password) : user.password;
  for (const statement of appUserStatements(engine, { ...user, password })) {
    await db.query(statement.sql, statement.params);
  }
  return {
    engine,
    database: user.databaseName,
    username: user.username,
    created: !truthy(found.role_exists),
    passwordSet: true,
    schema: engine === "postgres" ? user.username : user.databaseName,
    schemaCreated: !truthy(found.schema_exists),
  };
}

/**
 * The function's settings from its environment: instance mode (DATABASE_IDENTIFIER) or cluster mode
 * (MASTER_SECRET_ARN, DATABASE_ENDPOINT, DATABASE_PORT), never both. Throws `MisconfiguredFunction`
 * naming the variable.
 * @param {Record<string, string | undefined>} [environment]
 * @returns {AppUserSettings}
 */
export function appUserSettings(environment = process.env) {
  const names = APP_USER_ENVIRONMENT;
  const { required, engine: engineVariable } = connection.environmentReader(environment);
  const engine = engineVariable(names.engine);
  const common = { engine, region: required("AWS_REGION"), databaseName: required(names.databaseName), appSecretArn: required(names.appSecretArn) };
  const identifier = environment[names.databaseIdentifier];
  const clusterVariables = [names.masterSecretArn, names.endpoint, names.port].filter((name) => environment[name]);
  if (identifier && clusterVariables.length > 0) {
    throw connection.namedError(
      "MisconfiguredFunction",
      `set either ${names.databaseIdentifier} (instance) or ${clusterVariables.join(", ")} (cluster), not both`,
    );
  }
  if (identifier) {
    return { ...common, mode: "instance", identifier };
  }
  const port = Number(required(names.port));
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw connection.namedError(
      "MisconfiguredFunction",
      `environment variable ${names.port} must be a TCP port, got ${JSON.stringify(environment[names.port])}`,
    );
  }
  return { ...common, mode: "cluster", masterSecretArn: required(names.masterSecretArn), host: required(names.endpoint), port };
}

/**
 * The event's request; throws `InvalidArguments`.
 * @param {unknown} event
 * @returns {{ action: "ensure", appCredentialsVersionId: string | undefined }}
 */
export function requestOf(event) {
  const fields = /** @type {Record<string, unknown>} */ (event !== null && typeof event === "object" ? event : {});
  if (fields.action !== "ensure") {
    throw connection.namedError("InvalidArguments", `action must be "ensure", got ${JSON.stringify(fields.action)}`);
  }
  const versionId = fields.appCredentialsVersionId;
  if (versionId !== undefined && (typeof versionId !== "string" || !versionId)) {
    throw connection.namedError("InvalidArguments", `appCredentialsVersionId must be a secret version id, got ${JSON.stringify(versionId)}`);
  }
  return { action: "ensure", appCredentialsVersionId: versionId };
}

/**
 * The master user's endpoint and credentials. Instance mode: DescribeDBInstances, refusing a read
 * replica (`ReadOnlyDatabase`) before reading any secret; cluster mode: the given endpoint and the
 * cluster's master secret.
 * @param {AppUserSettings} settings
 * @param {AwsClients} clients
 * @returns {Promise<ConnectionTarget>}
 */
async function masterTarget(settings, clients) {
  if (settings.mode === "cluster") {
    const credentials = await connection.readSecretCredentials(
      settings.masterSecretArn,
      { description: "master secret of the Aurora cluster", fallbackRegion: settings.region },
      clients,
    );
    return { host: settings.host, port: settings.port, ...credentials };
  }
  const database = await connection.describeDatabase(settings.identifier, settings.region, clients);
  if (database.sourceIdentifier) {
    throw connection.namedError(
      "ReadOnlyDatabase",
      `database ${settings.identifier} is a read replica of ${database.sourceIdentifier}: the app user is made on the writable database and replicates from there`,
    );
  }
  return { ...connection.endpointOf(database), ...(await connection.findCredentials(database, clients)) };
}

/**
 * One invocation, with what it depends on replaceable (tests): the environment, the AWS clients, how
 * a connection is opened. The Lambda `handler` uses the defaults. The connection is always closed.
 * @param {unknown} event
 * @param {{ environment?: Record<string, string | undefined>, clients?: AwsClients,
 *   connect?: (engine: Engine, target: ConnectionTarget, databaseName: string | null) => Promise<Queryable & { end(): Promise<unknown> }> }} [dependencies]
 * @returns {Promise<AppUserSummary>}
 */
export async function invoke(
  event,
  {
    environment = process.env,
    clients = connection.AWS_CLIENTS,
    connect = (engine, target, databaseName) => connection.openConnection(engine, target, databaseName, APPLICATION_NAME),
  } = {},
) {
  const request = requestOf(event);
  const settings = appUserSettings(environment);
  const master = await masterTarget(settings, clients);
  const app = await connection.readSecretCredentials(
    settings.appSecretArn,
    { description: "app database credentials", fallbackRegion: settings.region, versionId: request.appCredentialsVersionId },
    clients,
  );
  const user = { username: app.username, password: app.password, databaseName: settings.databaseName };
  // Refused before connecting: a bad secret changes nothing.
  checkAppUser(settings.engine, user, master.username);
  // PostgreSQL: CONNECT and the schema are the app database's; MySQL connects without a database (it may not exist yet).
  const db = await connect(settings.engine, master, settings.engine === "postgres" ? settings.databaseName : null);
  try {
    return await ensureAppUser(db, settings.engine, user, { masterUsername: master.username });
  } finally {
    await db.end();
  }
}

/**
 * Lambda entry point: `{ action: "ensure", appCredentialsVersionId? }`.
 * @param {unknown} event
 */
export async function handler(event) {
  return invoke(event);
}
