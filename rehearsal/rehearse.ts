/**
 * The failover rehearsal on real parts (issue 20, `npm run rehearse`): a PostgreSQL primary and a
 * streaming standby on loopback (rehearsal/localPostgres.ts), the app's user created as the app-user
 * Lambda creates it (rehearsal/appUser.ts), the demo app run twice (app/server.py), as "primary"
 * against the primary and as "dr" against the standby. Write load goes to the primary app; mid-load
 * the primary server stops abruptly (`pg_ctl stop -m immediate`, a crash: no shutdown checkpoint, no
 * last WAL sent) and the standby is promoted (`SELECT pg_promote()`, PostgreSQL docs, "System
 * Administration Functions": waits for the promotion by default, 60 s at most).
 *
 * Measured: the writes the primary app acknowledged (201 with a committed row id); those missing on
 * the promoted database (the RPO as measured: a count, and the span of their commit times); the time
 * from the primary's stop until the DR app answers a write with 201 (the data path's RTO: no DNS,
 * no alarm, the app reconnects on its next request); and the DR app's `/status` before and after.
 * Replication is asynchronous, as for an RDS cross-region read replica, so a crash can lose the
 * last acknowledged commits; on loopback the loss is usually none.
 *
 * Bounded: `requests` writes (default 400) at `concurrency` (default 4), each with a 5 s timeout, and
 * a hard deadline (default 120 s) for the whole run; every process and temporary directory is
 * removed on every exit path.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { type RunningApp, assertDriver, startApp } from "./appProcess";
import { createAppUser } from "./appUser";
import { eventually, type PostgresPair, startPostgresPair } from "./localPostgres";

/** The rehearsal's PostgreSQL pair directories, told apart from other pairs running at the same time (tests in parallel). */
export const REHEARSAL_PAIR_PREFIX = "pg-pair-rehearsal-";

/** A figure out of bounds, or a step that failed: the message says which. */
export class RehearsalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RehearsalError";
  }
}

/** Options of `rehearse`; every field has a default. */
export interface RehearsalOptions {
  /** Write requests sent to the primary app, 1-10000 (default 400). */
  requests?: number;
  /** Requests in flight at once, 1-64 (default 4). */
  concurrency?: number;
  /** Acknowledged writes after which the primary is stopped, 1 to `requests` (default 40% of `requests`). */
  stopAfterAcknowledged?: number;
  /** Hard deadline of the whole run, seconds (default 120). */
  timeoutSeconds?: number;
  /** Seconds the DR app has to serve a write once the primary stopped (default 30). */
  drWriteTimeoutSeconds?: number;
  /** The app's heartbeat period, seconds (default 1; the deployed app uses 5). */
  heartbeatSeconds?: number;
  /** Start the streaming standby (default true). False rehearses the mistake of having none. */
  standby?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** The app's /status answer (app/server.py). */
export interface AppStatus {
  region: string;
  role: string;
  reachable: boolean;
  writable: boolean | null;
  error: string | null;
  lastHeartbeat: { region: string; role: string; writtenAt: string } | null;
  replicationLagSeconds: number | null;
  requests: { count: number; lastId: number | null } | null;
  heartbeat: { written: number; at: string | null; error: string | null };
}

/** An acknowledged write: the row id and commit time the primary app answered, and when. */
export interface Acknowledged {
  id: number;
  /** The row's written_at, the primary database's clock (ISO 8601). */
  writtenAt: string;
  /** Epoch ms the acknowledgement arrived. */
  at: number;
}

/** What one rehearsal measured. Times in seconds. */
export interface RehearsalFigures {
  requests: { sent: number; acknowledged: number; failed: number; acknowledgedAfterStop: number };
  /** Acknowledged writes not on the promoted database: the RPO as measured. */
  missing: { count: number; ids: number[]; firstWrittenAt: string | null; lastWrittenAt: string | null; spanSeconds: number };
  /** Acknowledged writes read back on the promoted database with the same commit time. */
  presentAndReadable: number;
  /** From the primary's stop until pg_promote() returned. */
  promoteSeconds: number;
  /** From the primary's stop until the DR app answered a write with 201: the data path's RTO. */
  rtoSeconds: number;
  /** The DR app's first write after promotion. */
  drFirstWrite: { id: number; writtenAt: string };
  drStatusBefore: AppStatus;
  drStatusAfter: AppStatus;
}

const APP_USER = { username: "demo_app", password: "rehearsal-only-password", databaseName: "app" };

async function getStatus(app: RunningApp): Promise<AppStatus> {
  const res = await fetch(`${app.base}/status`, { signal: AbortSignal.timeout(10_000) });
  return (await res.json()) as AppStatus;
}

/** POST /write: the acknowledged row, or null (a 503 or no answer within 5 s). */
async function write(app: RunningApp): Promise<{ id: number; writtenAt: string } | null> {
  try {
    const res = await fetch(`${app.base}/write`, { method: "POST", signal: AbortSignal.timeout(5_000) });
    const body = (await res.json()) as { id?: number; writtenAt?: string };
    return res.status === 201 && typeof body.id === "number" && typeof body.writtenAt === "string" ? { id: body.id, writtenAt: body.writtenAt } : null;
  } catch {
    return null;
  }
}

function bounded(name: string, value: number, low: number, high: number): number {
  if (!Number.isInteger(value) || value < low || value > high)
    throw new RehearsalError(`option ${name} must be an integer from ${low} to ${high}, got ${value}`);
  return value;
}

/**
 * Runs the rehearsal.
 * @returns the figures, every one within bounds.
 * @throws RehearsalError naming the step or figure: no standby, the driver missing, the DR app never
 *   writable, nothing acknowledged, an acknowledged row changed, or the deadline passed.
 */
export async function rehearse(options: RehearsalOptions = {}): Promise<RehearsalFigures> {
  const requests = bounded("requests", options.requests ?? 400, 1, 10_000);
  const concurrency = bounded("concurrency", options.concurrency ?? 4, 1, 64);
  const stopAfter = bounded("stopAfterAcknowledged", options.stopAfterAcknowledged ?? Math.max(1, Math.floor(requests * 0.4)), 1, requests);
  const timeoutSeconds = options.timeoutSeconds ?? 120;
  const log = options.log ?? (() => undefined);
  let step = "starting";
  const cleanups: (() => Promise<void> | void)[] = [];
  let cleanedUp = false;
  /** Registers a cleanup; after the run has ended (the deadline passed mid-step), runs it at once. */
  const own = async (cleanup: () => Promise<void> | void) => {
    if (cleanedUp) await cleanup();
    else cleanups.push(cleanup);
    if (cleanedUp) throw new RehearsalError(`stopped after the deadline while ${step}`);
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RehearsalError(`timed out after ${timeoutSeconds} s while ${step}`)), timeoutSeconds * 1000);
  });
  const run = async (): Promise<RehearsalFigures> => {
    const at = (s: string) => {
      step = s;
      log(s);
    };
    at("checking the app's interpreter has psycopg2");
    assertDriver();
    at("starting PostgreSQL (primary and streaming standby)");
    const pair: PostgresPair = await startPostgresPair({ standby: options.standby !== false, passwordAuth: true, directoryPrefix: REHEARSAL_PAIR_PREFIX });
    await own(() => pair.stop());
    if (pair.ports.standby === null) throw new RehearsalError("no standby: the primary has no streaming replica, so there is nothing to fail over to");
    const standbyPort = pair.ports.standby;
    const admin = await pair.connect(pair.ports.primary);
    at("creating the app user as the app-user Lambda does");
    await createAppUser(admin, (database) => pair.connect(pair.ports.primary, database), APP_USER);
    const standbyAdmin = await pair.connect(standbyPort);
    await eventually("the app user's schema on the standby", async () => {
      const { rows } = await standbyAdmin.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1", [APP_USER.username]);
      return rows[0].n === 1;
    });

    const work = mkdtempSync(join(tmpdir(), "rehearsal-"));
    await own(() => rmSync(work, { recursive: true, force: true }));
    const credentials = join(work, "credentials.json");
    writeFileSync(credentials, JSON.stringify({ username: APP_USER.username, password: APP_USER.password }), { mode: 0o600 });
    const appArgs = (role: string, port: number) => [
      ...["--region", `${role}-local`, "--role", role, "--db-host", "127.0.0.1", "--db-port", String(port)],
      ...["--db-name", APP_USER.databaseName, "--db-sslmode", "disable", "--database-credentials-file", credentials],
      ...["--heartbeat-seconds", String(options.heartbeatSeconds ?? 1), "--db-check-interval-seconds", "1"],
    ];
    at("starting the primary app and the DR app");
    const primaryApp = await startApp(appArgs("primary", pair.ports.primary));
    await own(() => primaryApp.stop());
    const drApp = await startApp(appArgs("dr", standbyPort));
    await own(() => drApp.stop());

    at("waiting for the primary's heartbeat on the DR app's /status");
    let drStatusBefore: AppStatus | undefined;
    await eventually(
      "the DR app to read a replicated heartbeat from the primary",
      async () => {
        drStatusBefore = await getStatus(drApp);
        return drStatusBefore.lastHeartbeat?.role === "primary" && drStatusBefore.requests !== null;
      },
      20,
    );
    if (drStatusBefore!.writable !== false)
      throw new RehearsalError(`the DR app's database must be a read-only standby before the failover, /status says writable=${drStatusBefore!.writable}`);

    at(`sending ${requests} writes to the primary app (concurrency ${concurrency}); the primary stops after ${stopAfter} acknowledged`);
    const acknowledged: Acknowledged[] = [];
    let sent = 0;
    let stopAt = 0;
    let stopping: Promise<void> | undefined;
    const stopPrimary = async () => {
      stopAt = Date.now();
      pair.stopServer("primary", "immediate");
      log(`primary stopped (pg_ctl stop -m immediate) after ${acknowledged.length} acknowledged writes`);
    };
    const worker = async () => {
      while (sent < requests) {
        sent++;
        const row = await write(primaryApp);
        if (row) acknowledged.push({ ...row, at: Date.now() });
        if (!stopping && acknowledged.length >= stopAfter) stopping = stopPrimary();
      }
    };
    const load = Promise.all(Array.from({ length: concurrency }, worker));
    await eventually("the primary to stop mid-load", async () => stopping !== undefined, timeoutSeconds);
    await stopping;

    at("promoting the standby (SELECT pg_promote())");
    const promoted = await standbyAdmin.query("SELECT pg_promote() AS done");
    if (promoted.rows[0].done !== true) throw new RehearsalError("pg_promote() returned false: the standby was not promoted within 60 s");
    const promoteSeconds = (Date.now() - stopAt) / 1000;

    at("waiting for the DR app to serve a write");
    const drDeadline = stopAt + (options.drWriteTimeoutSeconds ?? 30) * 1000;
    let drFirstWrite: { id: number; writtenAt: string } | null = null;
    while (!drFirstWrite) {
      drFirstWrite = await write(drApp);
      if (drFirstWrite) break;
      if (Date.now() > drDeadline) {
        throw new RehearsalError(
          `the DR app never served a write within ${options.drWriteTimeoutSeconds ?? 30} s of the primary's stop; its /status: ${JSON.stringify(await getStatus(drApp))}`,
        );
      }
      await delay(50);
    }
    const rtoSeconds = (Date.now() - stopAt) / 1000;
    await load;

    at("reading the acknowledged writes back on the promoted database");
    const promotedApp = await pair.connect(standbyPort, APP_USER.databaseName);
    const ids = acknowledged.map((row) => row.id);
    const { rows } = await promotedApp.query(
      `SELECT id::int AS id, written_at FROM ${promotedApp.escapeIdentifier(APP_USER.username)}.app_request WHERE id = ANY($1::bigint[])`,
      [ids],
    );
    const present = new Map<number, Date>(rows.map((row: { id: number; written_at: Date }) => [row.id, row.written_at]));
    const missingRows = acknowledged.filter((row) => !present.has(row.id)).sort((a, b) => a.writtenAt.localeCompare(b.writtenAt));
    const changed = acknowledged.filter((row) => present.has(row.id) && Math.abs(present.get(row.id)!.getTime() - Date.parse(row.writtenAt)) >= 1);
    if (changed.length > 0) {
      throw new RehearsalError(`${changed.length} acknowledged rows read back with another commit time on the promoted database (first: id ${changed[0].id})`);
    }
    at("reading the DR app's /status after the failover");
    let drStatusAfter: AppStatus | undefined;
    await eventually(
      "the DR app's /status to show the promoted database writable with its own heartbeat",
      async () => {
        drStatusAfter = await getStatus(drApp);
        return drStatusAfter.writable === true && drStatusAfter.lastHeartbeat?.role === "dr";
      },
      15,
    );

    const first = missingRows[0]?.writtenAt ?? null;
    const last = missingRows[missingRows.length - 1]?.writtenAt ?? null;
    const figures: RehearsalFigures = {
      requests: {
        sent,
        acknowledged: acknowledged.length,
        failed: sent - acknowledged.length,
        acknowledgedAfterStop: acknowledged.filter((row) => row.at > stopAt).length,
      },
      missing: {
        count: missingRows.length,
        ids: missingRows.map((row) => row.id),
        firstWrittenAt: first,
        lastWrittenAt: last,
        spanSeconds: first && last ? (Date.parse(last) - Date.parse(first)) / 1000 : 0,
      },
      presentAndReadable: present.size,
      promoteSeconds,
      rtoSeconds,
      drFirstWrite,
      drStatusBefore: drStatusBefore!,
      drStatusAfter: drStatusAfter!,
    };
    return checkFigures(figures);
  };
  try {
    return await Promise.race([run(), deadline]);
  } finally {
    clearTimeout(timer);
    cleanedUp = true;
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log(`cleanup: ${String(error)}`);
      }
    }
  }
}

/**
 * Checks the figures agree with each other.
 * @returns the same figures.
 * @throws RehearsalError naming the first figure out of bounds.
 */
export function checkFigures(figures: RehearsalFigures): RehearsalFigures {
  const { requests, missing, presentAndReadable } = figures;
  const problems = [
    requests.acknowledged < 1 && "no write was acknowledged by the primary app",
    missing.count > requests.acknowledged && `more writes missing (${missing.count}) than acknowledged (${requests.acknowledged})`,
    presentAndReadable + missing.count !== requests.acknowledged &&
      `acknowledged writes (${requests.acknowledged}) are not those read back (${presentAndReadable}) plus those missing (${missing.count})`,
    !(figures.rtoSeconds > 0) && `the RTO must be a positive time, got ${figures.rtoSeconds}`,
    figures.drStatusAfter.writable !== true && "the DR app's database is not writable after the failover",
  ].filter((problem): problem is string => typeof problem === "string");
  if (problems.length > 0) throw new RehearsalError(problems.join("; "));
  return figures;
}

/** The figures as the lines `npm run rehearse` prints. */
export function formatFigures(figures: RehearsalFigures): string {
  const { requests, missing } = figures;
  const status = (s: AppStatus) =>
    `writable=${s.writable} lastHeartbeat=${s.lastHeartbeat ? `${s.lastHeartbeat.role}@${s.lastHeartbeat.region} ${s.lastHeartbeat.writtenAt}` : "none"} ` +
    `lag=${s.replicationLagSeconds ?? "n/a"} s requestRows=${s.requests?.count ?? "n/a"} (last id ${s.requests?.lastId ?? "none"})${s.error ? ` error=${s.error}` : ""}`;
  return [
    `writes sent to the primary app:             ${requests.sent} (${requests.acknowledged} acknowledged, ${requests.failed} refused or unanswered)`,
    `acknowledged, missing after promotion (RPO): ${missing.count}` +
      (missing.count > 0
        ? ` (ids ${missing.ids.slice(0, 10).join(", ")}${missing.count > 10 ? ", ..." : ""}; committed ${missing.firstWrittenAt} .. ${missing.lastWrittenAt}, a span of ${missing.spanSeconds.toFixed(3)} s)`
        : " (0 s of writes lost)"),
    `acknowledged and read back on the promoted DB: ${figures.presentAndReadable}`,
    `primary stop -> standby promoted:           ${figures.promoteSeconds.toFixed(3)} s`,
    `primary stop -> DR app serves a write (RTO): ${figures.rtoSeconds.toFixed(3)} s (row ${figures.drFirstWrite.id})`,
    `DR app /status before: ${status(figures.drStatusBefore)}`,
    `DR app /status after:  ${status(figures.drStatusAfter)}`,
  ].join("\n");
}
