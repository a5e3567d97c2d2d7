/**
 * The replication heartbeat function (components/replicationHeartbeat.ts): runs in one region's VPC
 * beside that region's RDS instance (PostgreSQL or MySQL) and
 *
 * - `{ "action": "beat" }` (the EventBridge schedule, every minute): when the database is writable,
 *   commits a heartbeat (row 1 of `dr_heartbeat.beat`, stamped with the database's own clock) every
 *   `HEARTBEAT_INTERVAL_SECONDS` for `HEARTBEAT_WINDOW_SECONDS`; on a read replica it writes nothing;
 * - `{ "action": "replayedSince", "since": "<ISO 8601 time>" }` (the recovery workflows, in the
 *   replica's region): whether this region's database has replayed a heartbeat committed after `since`.
 *   With `"withinSeconds": N` instead of `since`: committed in the last N seconds (the readiness check
 *   a planned switchover or failback makes before it stops any writes).
 *
 * Why a heartbeat: RDS for PostgreSQL computes replica lag as currentTime -
 * lastCommittedTransactionTimestamp, and "if no user transactions are occurring on the source DB
 * instance, the associated PostgreSQL read replica reports a replication lag of up to five minutes"
 * (RDS User Guide, "Working with read replicas for Amazon RDS for PostgreSQL"); the ReplicaLag metric
 * is `SELECT extract(epoch from now() - pg_last_xact_replay_timestamp()) AS "ReplicaLag"` (same guide,
 * "Monitoring and tuning the replication process"). On an idle source the lag grows and means
 * nothing, and "ReplicaLag is 0 after writes stop" never comes. A heartbeat every few seconds keeps
 * the lag that of real commits, and a heartbeat committed after writes stopped, once visible on the
 * replica, proves that every earlier commit is there too: PostgreSQL replays WAL, and so commits, in
 * order; MySQL replicas commit in the source's order with `replica_preserve_commit_order`, ON by
 * default from MySQL 8.0.27 (MySQL Reference Manual, "Replication and Binary Logging Options and
 * Variables": replica_preserve_commit_order).
 *
 * Connection (databaseConnection.mjs, shared with the app database user function): DescribeDBInstances
 * gives the endpoint; the credentials are the instance's RDS-managed master user secret, or, for a
 * read replica (which has none), its source's, read in the secret's own region; TLS always, verified.
 *
 * Errors are thrown with a `name` Step Functions matches: `InvalidArguments` (a bad event),
 * `NoCredentials` (no master user secret found), `MisconfiguredFunction` (a bad environment),
 * `NoEndpoint` (the instance has no address yet), and AWS SDK and driver errors unchanged.
 *
 * Runtime: nodejs22.x, with the AWS SDK for JavaScript v3 the runtime provides; `pg` and `mysql2`
 * are bundled in at deploy time. The database logic takes an open connection (`{ query(sql, params) }`),
 * so it runs as well on a test's local database.
 */
import process from "node:process";
import { setTimeout as delay } from "node:timers/promises";
import {
  AWS_CLIENTS,
  DATABASE_ENGINES,
  describeDatabase,
  driverOptions as databaseDriverOptions,
  endpointOf,
  engineOf,
  environmentReader,
  findCredentials,
  isWritable,
  namedError,
  openConnection as openDatabaseConnection,
  rowsOf,
} from "./databaseConnection.mjs";

// What the heartbeat's callers and tests have always imported from here.
export { AWS_CLIENTS, describeDatabase, findCredentials, isWritable, resolveConnection } from "./databaseConnection.mjs";

/** Environment variable names the function reads (besides `AWS_REGION`, which Lambda sets). */
export const HEARTBEAT_ENVIRONMENT = Object.freeze({
  databaseIdentifier: "DATABASE_IDENTIFIER",
  engine: "DATABASE_ENGINE",
  databaseName: "DATABASE_NAME",
  intervalSeconds: "HEARTBEAT_INTERVAL_SECONDS",
  windowSeconds: "HEARTBEAT_WINDOW_SECONDS",
});

/** Defaults of the optional variables: a heartbeat every 5 s for 50 s, ending before the next minute's run. */
export const HEARTBEAT_DEFAULTS = Object.freeze({ intervalSeconds: 5, windowSeconds: 50 });

/** The schedule starts a run every minute: a window this long or longer would overlap the next run. */
const SCHEDULE_PERIOD_SECONDS = 60;

/** The engines the function supports (RDS `Engine` values). */
export const HEARTBEAT_ENGINES = DATABASE_ENGINES;

/**
 * Seconds a heartbeat must be stamped after `since` to count. `since` comes from Step Functions'
 * clock (e.g. `$$.State.EnteredTime`), `beat_at` from the database host's; both keep NTP time but are
 * different machines. With the host's clock at most this far ahead, a heartbeat stamped at or after
 * `since` + margin was taken, and so committed, after `since`.
 */
export const CLOCK_SKEW_MARGIN_SECONDS = 1;

/** Row id of the single heartbeat row. */
const BEAT_ID = 1;

/** An ISO 8601 date and time with a zone, as Step Functions writes `$$.State.EnteredTime` (e.g. `2030-01-01T12:00:00.123Z`). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The statements, by engine. Every write is one autocommit statement. PostgreSQL stamps with
 * `clock_timestamp()` (the time the statement runs; `now()` is the start of the transaction);
 * MySQL with `UTC_TIMESTAMP(6)` into a DATETIME(6), which no session time zone converts, read back
 * as an ISO string in UTC.
 */
const SQL = Object.freeze({
  postgres: Object.freeze({
    create: [
      "CREATE SCHEMA IF NOT EXISTS dr_heartbeat",
      "CREATE TABLE IF NOT EXISTS dr_heartbeat.beat (id int PRIMARY KEY, beat_at timestamptz NOT NULL, seq bigint NOT NULL)",
    ],
    upsert:
      "INSERT INTO dr_heartbeat.beat AS beat (id, beat_at, seq) VALUES ($1, clock_timestamp(), 1) " +
      "ON CONFLICT (id) DO UPDATE SET beat_at = EXCLUDED.beat_at, seq = beat.seq + 1",
    read: "SELECT beat_at FROM dr_heartbeat.beat WHERE id = $1",
    /** SQLSTATE undefined_table, invalid_schema_name (PostgreSQL, Appendix A "Error Codes"). */
    missingTable: ["42P01", "3F000"],
  }),
  mysql: Object.freeze({
    create: [
      "CREATE DATABASE IF NOT EXISTS dr_heartbeat",
      "CREATE TABLE IF NOT EXISTS dr_heartbeat.beat (id INT PRIMARY KEY, beat_at DATETIME(6) NOT NULL, seq BIGINT NOT NULL)",
    ],
    upsert:
      "INSERT INTO dr_heartbeat.beat (id, beat_at, seq) VALUES (?, UTC_TIMESTAMP(6), 1) ON DUPLICATE KEY UPDATE beat_at = UTC_TIMESTAMP(6), seq = seq + 1",
    read: "SELECT DATE_FORMAT(beat_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS beat_at FROM dr_heartbeat.beat WHERE id = ?",
    /** ER_NO_SUCH_TABLE (1146), ER_BAD_DB_ERROR (1049). */
    missingTable: ["ER_NO_SUCH_TABLE", "ER_BAD_DB_ERROR"],
  }),
});

/**
 * @typedef {import("./databaseConnection.mjs").Engine} Engine
 * @typedef {import("./databaseConnection.mjs").Queryable} Queryable
 * @typedef {import("./databaseConnection.mjs").AwsClients} AwsClients
 * @typedef {import("./databaseConnection.mjs").ConnectionTarget} ConnectionTarget
 * @typedef {{ intervalSeconds: number, windowSeconds: number, sleep?: (milliseconds: number) => Promise<unknown>, now?: () => number }} BeatOptions
 * @typedef {{ role: "replica", wrote: 0 } | { role: "writer", wrote: number, lastBeatAt: string | null }} BeatAnswer
 * @typedef {{ caughtUp: boolean, beatAt: string | null, since: string }} ReplayedSinceAnswer
 * @typedef {{ identifier: string, region: string, engine: Engine, databaseName: string | null, intervalSeconds: number, windowSeconds: number }} HeartbeatSettings
 */

/**
 * The time of argument `name`; throws `InvalidArguments` unless `value` is an ISO 8601 time with a zone.
 * @param {string} name
 * @param {unknown} value
 * @returns {Date}
 */
function isoTime(name, value) {
  const time = typeof value === "string" && ISO_8601.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(time.getTime())) {
    throw namedError("InvalidArguments", `${name} must be an ISO 8601 time with a zone (e.g. 2030-01-01T12:00:00Z), got ${JSON.stringify(value)}`);
  }
  return time;
}

/**
 * A timestamp as a driver answers it: a Date (`pg`, timestamptz) or an ISO string (the MySQL query).
 * @param {unknown} value
 * @returns {Date}
 */
function timeOf(value) {
  const time = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(time.getTime())) {
    throw new TypeError(`unreadable heartbeat time ${JSON.stringify(value)}`);
  }
  return time;
}

/**
 * The heartbeat row's time, or null when there is no row, table or schema yet (the writer may not have run).
 * @param {Queryable} db
 * @param {Engine} engine
 * @returns {Promise<Date | null>}
 */
export async function readBeat(db, engine) {
  const sql = SQL[engineOf(engine)];
  try {
    const [row] = rowsOf(await db.query(sql.read, [BEAT_ID]));
    return row?.beat_at === undefined || row.beat_at === null ? null : timeOf(row.beat_at);
  } catch (error) {
    if (sql.missingTable.includes(/** @type {{ code?: string }} */ (error)?.code ?? "")) {
      return null;
    }
    throw error;
  }
}

/**
 * Beats on a writable database: creates the heartbeat table when missing, then upserts row 1 with
 * the database's clock, one autocommit statement per beat, at 0, interval, 2 x interval, ... seconds
 * while that is before the window's end (a beat that took too long skips the slots it missed). On a
 * read-only database it writes nothing.
 * @param {Queryable} db
 * @param {Engine} engine
 * @param {BeatOptions} options `sleep` and `now` are for tests (default: timers, `Date.now`)
 * @returns {Promise<BeatAnswer>}
 */
export async function beat(db, engine, { intervalSeconds, windowSeconds, sleep = delay, now = Date.now }) {
  const sql = SQL[engineOf(engine)];
  if (!(intervalSeconds > 0 && windowSeconds > 0)) {
    throw new RangeError(`intervalSeconds and windowSeconds must be positive, got ${intervalSeconds} and ${windowSeconds}`);
  }
  if (!(await isWritable(db, engine))) {
    return { role: "replica", wrote: 0 };
  }
  for (const statement of sql.create) {
    await db.query(statement);
  }
  const intervalMilliseconds = intervalSeconds * 1000;
  const windowMilliseconds = windowSeconds * 1000;
  const started = now();
  let wrote = 0;
  for (let slot = 0; ;) {
    await db.query(sql.upsert, [BEAT_ID]);
    wrote += 1;
    const elapsed = now() - started;
    slot = Math.max(slot + 1, Math.floor(elapsed / intervalMilliseconds) + 1);
    const next = slot * intervalMilliseconds;
    if (next >= windowMilliseconds) {
      break;
    }
    if (next > elapsed) {
      await sleep(next - elapsed);
    }
  }
  const lastBeat = await readBeat(db, engine);
  return { role: "writer", wrote, lastBeatAt: lastBeat ? lastBeat.toISOString() : null };
}

/**
 * Whether the database has replayed a heartbeat stamped at or after `since` + CLOCK_SKEW_MARGIN_SECONDS.
 * No heartbeat yet: not caught up, `beatAt` null.
 * @param {Queryable} db
 * @param {Engine} engine
 * @param {Date | string} since a Date, or an ISO 8601 time with a zone (else `InvalidArguments`)
 * @returns {Promise<ReplayedSinceAnswer>}
 */
export async function replayedSince(db, engine, since) {
  const sinceTime = since instanceof Date ? since : isoTime("since", since);
  const beatAt = await readBeat(db, engine);
  const caughtUp = beatAt !== null && beatAt.getTime() >= sinceTime.getTime() + CLOCK_SKEW_MARGIN_SECONDS * 1000;
  return { caughtUp, beatAt: beatAt ? beatAt.toISOString() : null, since: sinceTime.toISOString() };
}

/** The heartbeat's `application_name` on PostgreSQL (pg_stat_activity, the server log). */
const APPLICATION_NAME = "dr-heartbeat";

/**
 * The driver options of the heartbeat's connection (databaseConnection.mjs driverOptions): verified TLS.
 * @param {Engine} engine
 * @param {ConnectionTarget} target
 * @param {string | null} databaseName PostgreSQL's database; MySQL connects without one
 */
export function driverOptions(engine, target, databaseName) {
  return databaseDriverOptions(engine, target, databaseName, APPLICATION_NAME);
}

/**
 * The heartbeat's connection (databaseConnection.mjs openConnection): verified TLS. Close it with `end()`.
 * @param {Engine} engine
 * @param {ConnectionTarget} target
 * @param {string | null} databaseName
 */
export function openConnection(engine, target, databaseName) {
  return openDatabaseConnection(engine, target, databaseName, APPLICATION_NAME);
}

/**
 * The function's settings from its environment; throws `MisconfiguredFunction` naming the variable.
 * @param {Record<string, string | undefined>} [environment]
 * @returns {HeartbeatSettings}
 */
export function heartbeatSettings(environment = process.env) {
  const { required, engine: engineVariable } = environmentReader(environment);
  /** @param {string} name @param {number} fallback */
  const seconds = (name, fallback) => {
    const text = environment[name];
    const value = text ? Number(text) : fallback;
    if (!(Number.isFinite(value) && value > 0)) {
      throw namedError("MisconfiguredFunction", `environment variable ${name} must be a positive number of seconds, got ${JSON.stringify(text)}`);
    }
    return value;
  };
  const engine = engineVariable(HEARTBEAT_ENVIRONMENT.engine);
  const intervalSeconds = seconds(HEARTBEAT_ENVIRONMENT.intervalSeconds, HEARTBEAT_DEFAULTS.intervalSeconds);
  const windowSeconds = seconds(HEARTBEAT_ENVIRONMENT.windowSeconds, HEARTBEAT_DEFAULTS.windowSeconds);
  if (windowSeconds >= SCHEDULE_PERIOD_SECONDS || intervalSeconds > windowSeconds) {
    throw namedError(
      "MisconfiguredFunction",
      `expected ${HEARTBEAT_ENVIRONMENT.intervalSeconds} <= ${HEARTBEAT_ENVIRONMENT.windowSeconds} < ${SCHEDULE_PERIOD_SECONDS} (the schedule's period), got ${intervalSeconds} and ${windowSeconds}`,
    );
  }
  return {
    identifier: required(HEARTBEAT_ENVIRONMENT.databaseIdentifier),
    region: required("AWS_REGION"),
    engine,
    databaseName: engine === "postgres" ? required(HEARTBEAT_ENVIRONMENT.databaseName) : null,
    intervalSeconds,
    windowSeconds,
  };
}

/**
 * The event's request; throws `InvalidArguments` naming the field and what it accepts.
 * @param {unknown} event
 * @returns {{ action: "beat" } | { action: "replayedSince", since: Date }} (`withinSeconds` becomes the `since` that many seconds ago)
 */
export function requestOf(event) {
  const fields = /** @type {Record<string, unknown>} */ (event !== null && typeof event === "object" ? event : {});
  if (fields.action === "beat") {
    return { action: "beat" };
  }
  if (fields.action === "replayedSince" && fields.withinSeconds !== undefined) {
    // The readiness check before a planned switch: a heartbeat of the last `withinSeconds` (this function's clock) is replayed.
    const seconds = fields.withinSeconds;
    if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 1 || seconds > 3600 || fields.since !== undefined) {
      throw namedError(
        "InvalidArguments",
        `replayedSince: withinSeconds must be a whole number of seconds from 1 to 3600, without since, got ${JSON.stringify(seconds)}`,
      );
    }
    return { action: "replayedSince", since: new Date(Date.now() - seconds * 1000) };
  }
  if (fields.action === "replayedSince") {
    return { action: "replayedSince", since: isoTime("replayedSince: since", fields.since) };
  }
  throw namedError(
    "InvalidArguments",
    `action must be "beat" or "replayedSince" (with since, an ISO 8601 time, or withinSeconds), got ${JSON.stringify(fields.action)}`,
  );
}

/**
 * One invocation, with what it depends on replaceable (tests): the environment, the AWS clients,
 * how a connection is opened, and beat's `sleep` and `now`. The Lambda `handler` uses the defaults.
 * A `beat` on an instance RDS describes as a read replica answers `replica` without connecting (a
 * MySQL replica can be made writable; it must never get heartbeats of its own), and so without
 * needing its source's region.
 * @param {unknown} event
 * @param {{ environment?: Record<string, string | undefined>, clients?: AwsClients,
 *   connect?: (engine: Engine, target: ConnectionTarget, databaseName: string | null) => Promise<Queryable & { end(): Promise<unknown> }>,
 *   sleep?: BeatOptions["sleep"], now?: BeatOptions["now"] }} [dependencies]
 * @returns {Promise<BeatAnswer | ReplayedSinceAnswer>}
 */
export async function invoke(event, { environment = process.env, clients = AWS_CLIENTS, connect = openConnection, sleep, now } = {}) {
  const request = requestOf(event);
  const settings = heartbeatSettings(environment);
  const database = await describeDatabase(settings.identifier, settings.region, clients);
  if (request.action === "beat" && database.sourceIdentifier) {
    return { role: "replica", wrote: 0 };
  }
  const target = { ...endpointOf(database), ...(await findCredentials(database, clients)) };
  const db = await connect(settings.engine, target, settings.databaseName);
  try {
    if (request.action === "beat") {
      return await beat(db, settings.engine, { intervalSeconds: settings.intervalSeconds, windowSeconds: settings.windowSeconds, sleep, now });
    }
    return await replayedSince(db, settings.engine, request.since);
  } finally {
    await db.end();
  }
}

/**
 * Lambda entry point: `{ action: "beat" }` or `{ action: "replayedSince", since }`; other fields are ignored.
 * @param {unknown} event
 */
export async function handler(event) {
  return invoke(event);
}
