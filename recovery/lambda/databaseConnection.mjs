/**
 * What the functions that reach a database of the pair share (the replication heartbeat,
 * replicationHeartbeat.mjs, and the app's database user, appDatabaseUser.mjs): the master
 * credentials, the endpoint, a verified TLS connection with `pg` or `mysql2`, and whether the
 * database takes writes.
 *
 * Credentials: an RDS instance's are its RDS-managed master user secret, named by
 * DescribeDBInstances `MasterUserSecret`, or, for a read replica (which has none), its source's, read
 * with a Secrets Manager client in the secret's own region (RDS User Guide, "Password management
 * with Amazon RDS and AWS Secrets Manager"). An Aurora global cluster's master secret is
 * user-managed (components/auroraGlobalCluster.ts) and read from its ARN. Every secret is JSON with
 * `username` and `password`.
 *
 * TLS is always on and verified against the default CA list, to which the deployer adds the Lambda
 * runtime's CA bundle with `NODE_EXTRA_CA_CERTS` (Lambda Developer Guide, "Building Lambda functions
 * with Node.js": from Node.js 20, Lambda no longer loads the additional CA certificates by default).
 *
 * Errors carry a `name` that Step Functions and the deploy-time invocation show: `NoCredentials`,
 * `NoEndpoint`, `DBInstanceNotFoundFault`; AWS SDK and driver errors pass unchanged.
 */
import { DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import mysql from "mysql2/promise";
import pg from "pg";

/** The engines the functions support (RDS `Engine` values of the instance mode; Aurora's answer the same SQL). */
export const DATABASE_ENGINES = Object.freeze(["postgres", "mysql"]);

/** Milliseconds to wait for a connection, and (PostgreSQL) for one statement. */
const CONNECT_TIMEOUT_MILLISECONDS = 10_000;
const STATEMENT_TIMEOUT_MILLISECONDS = 10_000;

/** Replicas of replicas: how many sources up the chain a credential search goes (RDS allows three levels). */
const MAX_SOURCE_DEPTH = 4;

/**
 * Queries answering one row with `read_only`, by what they must recognize.
 *
 * - `instance`: an RDS instance read replica. PostgreSQL's standby is in recovery
 *   (`pg_is_in_recovery()`); RDS for MySQL read replicas run with read_only = 1.
 * - `any`: also an Aurora reader or an Aurora global secondary cluster. Aurora MySQL readers report
 *   `innodb_read_only` ON (Aurora User Guide, "Best practices with Amazon Aurora MySQL": "Determining
 *   which DB instance you are connected to"); Aurora PostgreSQL's guidance is `SHOW
 *   transaction_read_only`, ON on a reader (Aurora User Guide, "Best practices with Amazon Aurora
 *   PostgreSQL"), which a PostgreSQL hot standby also reports.
 */
export const READ_ONLY_QUERIES = Object.freeze({
  instance: Object.freeze({ postgres: "SELECT pg_is_in_recovery() AS read_only", mysql: "SELECT @@global.read_only AS read_only" }),
  any: Object.freeze({
    postgres: "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on' AS read_only",
    mysql: "SELECT @@global.read_only OR @@global.innodb_read_only AS read_only",
  }),
});

/**
 * @typedef {"postgres" | "mysql"} Engine
 * @typedef {{ query(sql: string, params?: unknown[]): Promise<unknown> }} Queryable
 *   an open connection: a `pg` Client (answers `{ rows }`), a `mysql2/promise` Connection (answers
 *   `[rows, fields]`), or anything answering the rows themselves.
 * @typedef {{ identifier: string, region: string, host: string | null, port: number | null, sourceIdentifier: string | null, secretArn: string | null }} DatabaseDescription
 * @typedef {{ username: string, password: string, secretArn: string }} Credentials
 * @typedef {{ host: string, port: number } & Credentials} ConnectionTarget
 * @typedef {{ rds(region: string): { send(command: DescribeDBInstancesCommand): Promise<import("@aws-sdk/client-rds").DescribeDBInstancesCommandOutput> },
 *   secretsManager(region: string): { send(command: GetSecretValueCommand): Promise<import("@aws-sdk/client-secrets-manager").GetSecretValueCommandOutput> } }} AwsClients
 */

/**
 * An Error whose `name` is `name`: the error type Step Functions (and the deploy's invocation) sees.
 * @param {string} name
 * @param {string} message
 */
export function namedError(name, message) {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * The engine, checked; a RangeError names the supported ones.
 * @param {unknown} engine
 * @returns {Engine}
 */
export function engineOf(engine) {
  if (engine !== "postgres" && engine !== "mysql") {
    throw new RangeError(`engine must be one of ${DATABASE_ENGINES.join(", ")}, got ${JSON.stringify(engine)}`);
  }
  return engine;
}

/**
 * A reader of the function's environment variables: `required(name)` answers the value or throws
 * `MisconfiguredFunction` naming the unset variable; `engine(name)` also requires one of
 * DATABASE_ENGINES, naming the variable and the value found.
 * @param {Record<string, string | undefined>} environment
 */
export function environmentReader(environment) {
  /** @param {string} name */
  const required = (name) => {
    const value = environment[name];
    if (!value) {
      throw namedError("MisconfiguredFunction", `environment variable ${name} is not set`);
    }
    return value;
  };
  /**
   * @param {string} name
   * @returns {Engine}
   */
  const engine = (name) => {
    const value = required(name);
    if (value !== "postgres" && value !== "mysql") {
      throw namedError("MisconfiguredFunction", `environment variable ${name} must be one of ${DATABASE_ENGINES.join(", ")}, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  return { required, engine };
}

/**
 * The rows of a query's answer, whichever driver answered.
 * @param {unknown} answer
 * @returns {Record<string, unknown>[]}
 */
export function rowsOf(answer) {
  if (Array.isArray(answer)) {
    return Array.isArray(answer[0]) ? answer[0] : answer;
  }
  const rows = /** @type {{ rows?: unknown } | null | undefined} */ (answer)?.rows;
  return Array.isArray(rows) ? rows : [];
}

/**
 * Whether the database takes writes, by `queries` (READ_ONLY_QUERIES: `instance` by default).
 * @param {Queryable} db
 * @param {Engine} engine
 * @param {Readonly<Record<Engine, string>>} [queries]
 * @returns {Promise<boolean>}
 */
export async function isWritable(db, engine, queries = READ_ONLY_QUERIES.instance) {
  const [row] = rowsOf(await db.query(queries[engineOf(engine)]));
  const readOnly = row?.read_only;
  return !(readOnly === true || readOnly === 1 || readOnly === "1" || readOnly === "ON" || readOnly === 1n);
}

/**
 * The region of an ARN (its 4th field), or null when `value` is not an ARN.
 * @param {string} value
 */
export function regionOfArn(value) {
  const fields = value.split(":");
  return fields[0] === "arn" && fields.length >= 6 && fields[3] ? fields[3] : null;
}

/** SDK clients by class and region, created on first use and reused by later invocations of the same container. */
const clientCache = new Map();

/**
 * @template T
 * @param {new (config: { region: string }) => T} Client
 * @param {string} region
 * @returns {T}
 */
function cachedClient(Client, region) {
  const key = `${Client.name}:${region}`;
  if (!clientCache.has(key)) {
    clientCache.set(key, new Client({ region }));
  }
  return clientCache.get(key);
}

/** The AWS SDK clients the functions use, by region. @type {AwsClients} */
export const AWS_CLIENTS = Object.freeze({
  rds: (/** @type {string} */ region) => cachedClient(RDSClient, region),
  secretsManager: (/** @type {string} */ region) => cachedClient(SecretsManagerClient, region),
});

/**
 * An RDS instance as RDS describes it in `region`. `identifier` may be an ARN (a cross-region
 * replica's `ReadReplicaSourceDBInstanceIdentifier`). `sourceIdentifier` is set on a read replica.
 * @param {string} identifier
 * @param {string} region
 * @param {AwsClients} [clients]
 * @returns {Promise<DatabaseDescription>}
 */
export async function describeDatabase(identifier, region, clients = AWS_CLIENTS) {
  const { DBInstances = [] } = await clients.rds(region).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
  const instance = DBInstances[0];
  if (!instance) {
    throw namedError("DBInstanceNotFoundFault", `database ${identifier} not found in ${region}`);
  }
  return {
    identifier,
    region,
    host: instance.Endpoint?.Address || null,
    port: instance.Endpoint?.Port ?? null,
    sourceIdentifier: instance.ReadReplicaSourceDBInstanceIdentifier || null,
    secretArn: instance.MasterUserSecret?.SecretArn || null,
  };
}

/**
 * The JSON `username` and `password` of secret `secretArn`, read in the secret's own region (the
 * region of its ARN, else `fallbackRegion`). Throws `NoCredentials` naming the secret and what it is
 * (`description`), never its text, when it holds no such JSON.
 * @param {string} secretArn
 * @param {{ description: string, fallbackRegion?: string, versionId?: string }} options
 *   `versionId`: that version instead of AWSCURRENT
 * @param {AwsClients} [clients]
 * @returns {Promise<Credentials>}
 */
export async function readSecretCredentials(secretArn, { description, fallbackRegion, versionId }, clients = AWS_CLIENTS) {
  const region = regionOfArn(secretArn) ?? fallbackRegion;
  if (!region) {
    throw namedError("NoCredentials", `secret ${secretArn} (${description}) is not an ARN and no region was given to read it in`);
  }
  const { SecretString } = await clients
    .secretsManager(region)
    .send(new GetSecretValueCommand(versionId ? { SecretId: secretArn, VersionId: versionId } : { SecretId: secretArn }));
  /** @type {{ username?: unknown, password?: unknown }} */
  let secret = {};
  try {
    secret = JSON.parse(SecretString ?? "{}") ?? {};
  } catch {
    // Reported below without the secret's text.
  }
  if (typeof secret.username !== "string" || !secret.username || typeof secret.password !== "string") {
    throw namedError("NoCredentials", `secret ${secretArn} (${description}) has no JSON username and password`);
  }
  return { username: secret.username, password: secret.password, secretArn };
}

/**
 * The master user credentials of `database`: its own RDS-managed secret, else, for a read replica,
 * its source's (the replica's users are the source's), following the chain of sources. The secret
 * is read in its own region, from its ARN. Throws `NoCredentials` naming every instance looked at.
 * @param {DatabaseDescription} database
 * @param {AwsClients} [clients]
 * @returns {Promise<Credentials>}
 */
export async function findCredentials(database, clients = AWS_CLIENTS) {
  const looked = [`${database.identifier} (${database.region})`];
  let current = database;
  while (!current.secretArn && current.sourceIdentifier && looked.length <= MAX_SOURCE_DEPTH) {
    const source = current.sourceIdentifier;
    current = await describeDatabase(source, regionOfArn(source) ?? current.region, clients);
    looked.push(`${current.identifier} (${current.region})`);
  }
  const secretArn = current.secretArn;
  if (!secretArn) {
    throw namedError(
      "NoCredentials",
      `no RDS-managed master user secret (MasterUserSecret) on ${looked.join(", then its source ")}; ` +
        "a promoted replica has none until it is modified with --manage-master-user-password",
    );
  }
  return readSecretCredentials(secretArn, { description: `master user secret of ${current.identifier}`, fallbackRegion: current.region }, clients);
}

/**
 * The endpoint and credentials of RDS instance `identifier` in `region` (the function's own region).
 * Throws `NoEndpoint` while the instance has no address (e.g. creating), `NoCredentials` (findCredentials).
 * @param {{ identifier: string, region: string }} target
 * @param {AwsClients} [clients]
 * @returns {Promise<ConnectionTarget & { sourceIdentifier: string | null }>}
 */
export async function resolveConnection({ identifier, region }, clients = AWS_CLIENTS) {
  const database = await describeDatabase(identifier, region, clients);
  return { ...endpointOf(database), sourceIdentifier: database.sourceIdentifier, ...(await findCredentials(database, clients)) };
}

/**
 * The instance's address; throws `NoEndpoint` while it has none (e.g. creating).
 * @param {DatabaseDescription} database
 * @returns {{ host: string, port: number }}
 */
export function endpointOf(database) {
  if (!database.host || !database.port) {
    throw namedError("NoEndpoint", `database ${database.identifier} has no endpoint yet`);
  }
  return { host: database.host, port: database.port };
}

/**
 * The driver options: TLS always, the server's certificate verified against the default CAs plus
 * `NODE_EXTRA_CA_CERTS`, and its name checked against the host (mysql2 checks the name only with
 * `verifyIdentity`; pg always does).
 * @param {Engine} engine
 * @param {ConnectionTarget} target
 * @param {string | null} databaseName PostgreSQL's database; MySQL connects without one
 * @param {string} applicationName PostgreSQL's `application_name` (pg_stat_activity, the server log)
 */
export function driverOptions(engine, target, databaseName, applicationName) {
  const common = { host: target.host, port: target.port, user: target.username, password: target.password };
  if (engineOf(engine) === "postgres") {
    return {
      ...common,
      database: databaseName ?? undefined,
      ssl: { rejectUnauthorized: true },
      connectionTimeoutMillis: CONNECT_TIMEOUT_MILLISECONDS,
      statement_timeout: STATEMENT_TIMEOUT_MILLISECONDS,
      application_name: applicationName,
    };
  }
  return { ...common, ssl: { rejectUnauthorized: true, verifyIdentity: true }, connectTimeout: CONNECT_TIMEOUT_MILLISECONDS, timezone: "Z" };
}

/**
 * An open connection to the database, over verified TLS (driverOptions). Close it with `end()`.
 * @param {Engine} engine
 * @param {ConnectionTarget} target
 * @param {string | null} databaseName
 * @param {string} applicationName
 * @returns {Promise<Queryable & { end(): Promise<unknown> }>}
 */
export async function openConnection(engine, target, databaseName, applicationName) {
  if (engineOf(engine) === "postgres") {
    const client = new pg.Client(driverOptions(engine, target, databaseName, applicationName));
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }
  return mysql.createConnection(driverOptions(engine, target, databaseName, applicationName));
}
