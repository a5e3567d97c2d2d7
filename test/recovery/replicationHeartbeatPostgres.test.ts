/**
 * The replication heartbeat function (recovery/lambda/replicationHeartbeat.mjs) on a real PostgreSQL
 * pair: a primary and a physical streaming standby (pg_basebackup -R, hot standby), the replication
 * an RDS for PostgreSQL read replica uses. It shows the documented lag semantics (RDS User Guide,
 * "Working with read replicas for Amazon RDS for PostgreSQL": the replica's lag is currentTime -
 * lastCommittedTransactionTimestamp, the ReplicaLag metric is `SELECT extract(epoch from now() -
 * pg_last_xact_replay_timestamp())`, so it grows on an idle source), that the heartbeat keeps that
 * lag small, that a standby gets no heartbeat, and the catch-up proof: with replay paused, a write
 * made before `since` is not on the standby and neither is a heartbeat from after it; once replay
 * resumes, the heartbeat and the write are both there.
 *
 * Needs the PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup): `apt-get install postgresql`.
 * Without them the file fails, it does not skip. Run as root, the servers run as the `postgres` user.
 */
import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, appendFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "chai";
import pg from "pg";
import {
  beat,
  CLOCK_SKEW_MARGIN_SECONDS,
  type Connection,
  type ConnectionTarget,
  invoke,
  isWritable,
  openConnection,
  replayedSince,
} from "../../recovery/lambda/replicationHeartbeat.mjs";

/** The RDS for PostgreSQL ReplicaLag metric's query (RDS User Guide, "Monitoring and tuning the replication process"). */
const REPLICA_LAG_QUERY = `SELECT extract(epoch from now() - pg_last_xact_replay_timestamp()) AS "ReplicaLag"`;

const SERVER_BINARIES = ["initdb", "pg_ctl", "pg_basebackup"];

/** The directory of the PostgreSQL server binaries: `pg_config --bindir`, else the newest /usr/lib/postgresql/<version>/bin. */
function postgresBinDirectory(): string {
  const candidates: string[] = [];
  const pgConfig = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  if (pgConfig.status === 0) candidates.push(pgConfig.stdout.trim());
  if (existsSync("/usr/lib/postgresql")) {
    const versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => join("/usr/lib/postgresql", version, "bin")));
  }
  const found = candidates.find((directory) => SERVER_BINARIES.every((binary) => existsSync(join(directory, binary))));
  if (!found) {
    throw new Error(
      `PostgreSQL server binaries (${SERVER_BINARIES.join(", ")}) not found (looked in: pg_config --bindir, /usr/lib/postgresql/*/bin): apt-get install postgresql`,
    );
  }
  return found;
}

/** The `postgres` OS user's ids (Debian's postgresql package creates it). */
function postgresUser(): { uid: number; gid: number } {
  const [uid, gid] = ["-u", "-g"].map((flag) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim() || Number.NaN));
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new Error("running as root, but there is no postgres user to run the servers as: apt-get install postgresql");
  }
  return { uid, gid };
}

/** A free TCP port on localhost. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** initdb refuses root: as root, the servers run as the `postgres` user. */
const AS_POSTGRES = userInfo().uid === 0;

describe("replication heartbeat on a PostgreSQL primary and streaming standby", function () {
  this.timeout(60_000);

  let binaries = "";
  let root = "";
  const ports = { primary: 0, standby: 0 };
  const started: string[] = [];
  let primary: pg.Client;
  let standby: pg.Client;
  const clients: pg.Client[] = [];

  /** Runs a PostgreSQL binary (as `postgres` when root); throws with its output on failure. */
  function run(binary: string, args: string[]): string {
    const command = join(binaries, binary);
    const [file, argv] = AS_POSTGRES ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
    const result = spawnSync(file, argv, { cwd: root, encoding: "utf8", timeout: 30_000 });
    if (result.status !== 0) {
      throw new Error(`${binary} ${args.join(" ")} failed (${result.status ?? result.signal ?? result.error}): ${result.stderr}${result.stdout}`);
    }
    return result.stdout;
  }

  async function connect(port: number, database = "postgres"): Promise<pg.Client> {
    const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database });
    await client.connect();
    clients.push(client);
    return client;
  }

  async function replicaLag(): Promise<number> {
    const { rows } = await standby.query(REPLICA_LAG_QUERY);
    return Number(rows[0].ReplicaLag);
  }

  /** Polls `check` every 100 ms until it holds; fails after `seconds`. */
  async function eventually(description: string, check: () => Promise<boolean>, seconds = 5): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${description}`);
      await delay(100);
    }
  }

  async function appRowOnStandby(id: number): Promise<boolean> {
    const { rows } = await standby.query("SELECT count(*)::int AS n FROM app.orders WHERE id = $1", [id]);
    return rows[0].n === 1;
  }

  before(async function () {
    binaries = postgresBinDirectory();
    root = mkdtempSync(join(tmpdir(), "heartbeat-pg-"));
    if (AS_POSTGRES) {
      const { uid, gid } = postgresUser();
      chownSync(root, uid, gid);
    }
    [ports.primary, ports.standby] = [await freePort(), await freePort()];
    const primaryDirectory = join(root, "primary");
    const standbyDirectory = join(root, "standby");

    run("initdb", ["--auth=trust", "--username=postgres", "--no-sync", "--encoding=UTF8", "-D", primaryDirectory]);
    // Trust auth for localhost, replication included, is initdb's pg_hba.conf with --auth=trust.
    // Autovacuum off: its ANALYZE commits would reset the standby's lag in the idle-source test.
    appendFileSync(
      join(primaryDirectory, "postgresql.conf"),
      [
        "listen_addresses = '127.0.0.1'",
        `port = ${ports.primary}`,
        `unix_socket_directories = '${root}'`,
        "wal_level = replica",
        "max_wal_senders = 4",
        "hot_standby = on",
        "autovacuum = off",
        "fsync = off",
        "",
      ].join("\n"),
    );
    run("pg_ctl", ["-D", primaryDirectory, "-l", join(root, "primary.log"), "-w", "start"]);
    started.push(primaryDirectory);

    run("pg_basebackup", [
      "-h",
      "127.0.0.1",
      "-p",
      String(ports.primary),
      "-U",
      "postgres",
      "-D",
      standbyDirectory,
      "-R",
      "-X",
      "stream",
      "-c",
      "fast",
      "--no-sync",
    ]);
    appendFileSync(join(standbyDirectory, "postgresql.conf"), `port = ${ports.standby}\n`);
    run("pg_ctl", ["-D", standbyDirectory, "-l", join(root, "standby.log"), "-w", "start"]);
    started.push(standbyDirectory);

    primary = await connect(ports.primary);
    standby = await connect(ports.standby);
    await eventually("the standby to stream", async () => {
      const { rows } = await primary.query("SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'");
      return rows[0].n === 1;
    });
    await primary.query("CREATE SCHEMA app; CREATE TABLE app.orders (id int PRIMARY KEY, note text NOT NULL)");
    await eventually("the app table on the standby", async () => (await standby.query("SELECT to_regclass('app.orders') AS t")).rows[0].t !== null);
  });

  after(async function () {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    for (const directory of started.reverse()) {
      try {
        run("pg_ctl", ["-D", directory, "-m", "immediate", "-w", "stop"]);
      } catch (error) {
        console.error(String(error));
      }
    }
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("(a) on an idle source, the standby's ReplicaLag grows: it measures time since the last replayed commit", async () => {
    await primary.query("INSERT INTO app.orders VALUES (1, 'the last write before idling')");
    await eventually("the write on the standby", () => appRowOnStandby(1));
    expect(await replicaLag()).to.be.lessThan(1);
    await delay(3_000);
    // Nothing is left to replay (the standby has every byte of WAL), yet the lag reads 3 s and more.
    expect(await replicaLag()).to.be.at.least(3);
    const { rows } = await standby.query("SELECT pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AS replayed_everything");
    expect(rows[0].replayed_everything).to.equal(true);
  });

  it("(b) with the heartbeat running on the primary, the standby's ReplicaLag stays under 1.5 s", async () => {
    let done = false;
    const beating = beat(primary, "postgres", { intervalSeconds: 0.5, windowSeconds: 3 });
    beating.then(
      () => (done = true),
      () => (done = true),
    );
    await delay(300);
    const samples: number[] = [];
    while (!done) {
      samples.push(await replicaLag());
      await delay(200);
    }
    const answer = await beating;
    expect(answer.role).to.equal("writer");
    expect(answer.wrote).to.be.within(5, 6);
    expect(samples.length).to.be.at.least(8);
    expect(Math.max(...samples), `lag samples ${samples.join(", ")}`).to.be.lessThan(1.5);
    // One row, its seq counting the beats, stamped with the database's clock.
    const { rows } = await primary.query("SELECT id, seq::int AS seq, beat_at FROM dr_heartbeat.beat");
    expect(rows).to.have.length(1);
    expect(rows[0]).to.deep.include({ id: 1, seq: answer.wrote });
    expect((rows[0].beat_at as Date).toISOString()).to.equal(answer.role === "writer" ? answer.lastBeatAt : undefined);
  });

  it("(c) on the standby, beat answers replica and writes nothing", async () => {
    expect(await isWritable(primary, "postgres")).to.equal(true);
    expect(await isWritable(standby, "postgres")).to.equal(false);
    const before = (await primary.query("SELECT seq::int AS seq FROM dr_heartbeat.beat")).rows[0].seq;
    const startedAt = Date.now();
    expect(await beat(standby, "postgres", { intervalSeconds: 0.5, windowSeconds: 3 })).to.deep.equal({ role: "replica", wrote: 0 });
    expect(Date.now() - startedAt, "answers at once").to.be.lessThan(1_000);
    expect((await primary.query("SELECT seq::int AS seq FROM dr_heartbeat.beat")).rows[0].seq).to.equal(before);
  });

  it("(d) catch-up proof: a heartbeat committed after `since`, replayed, means the writes before `since` are on the standby", async () => {
    await standby.query("SELECT pg_wal_replay_pause()");
    let since: Date;
    try {
      await eventually("replay to pause", async () => (await standby.query("SELECT pg_get_wal_replay_pause_state() AS s")).rows[0].s === "paused");
      await primary.query("INSERT INTO app.orders VALUES (42, 'written before the writes stopped')");
      since = new Date();
      // Beats up to since + margin + 0.5 s: the last ones count.
      const answer = await beat(primary, "postgres", { intervalSeconds: 0.5, windowSeconds: CLOCK_SKEW_MARGIN_SECONDS + 1 });
      expect(answer.role).to.equal("writer");
      expect((await replayedSince(primary, "postgres", since)).caughtUp, "the primary has a heartbeat from after since").to.equal(true);

      const paused = await replayedSince(standby, "postgres", since);
      expect(paused.caughtUp).to.equal(false);
      expect(paused.since).to.equal(since.toISOString());
      expect(new Date(paused.beatAt as string).getTime(), "the standby's heartbeat is from before since").to.be.lessThan(since.getTime());
      expect(await appRowOnStandby(42), "the app's write is not on the paused standby").to.equal(false);
    } finally {
      await standby.query("SELECT pg_wal_replay_resume()");
    }
    await eventually("the standby to replay a heartbeat from after since", async () => (await replayedSince(standby, "postgres", since)).caughtUp, 5);
    expect(await appRowOnStandby(42), "the app's write is on the standby").to.equal(true);
  });

  it("(e) replayedSince with `since` in the future is false; without the heartbeat table, false with beatAt null", async () => {
    const future = await replayedSince(standby, "postgres", new Date(Date.now() + 60_000));
    expect(future.caughtUp).to.equal(false);
    expect(future.beatAt).to.be.a("string");

    await primary.query("CREATE DATABASE fresh");
    await eventually(
      "the new database on the standby",
      async () => (await standby.query("SELECT count(*)::int AS n FROM pg_database WHERE datname = 'fresh'")).rows[0].n === 1,
    );
    const fresh = await connect(ports.standby, "fresh");
    expect(await replayedSince(fresh, "postgres", "2030-01-01T12:00:00Z")).to.deep.equal({ caughtUp: false, beatAt: null, since: "2030-01-01T12:00:00.000Z" });
  });

  it("the function's own connection refuses a server without TLS (it never falls back to plain text)", async () => {
    const target: ConnectionTarget = {
      host: "127.0.0.1",
      port: ports.primary,
      username: "postgres",
      password: "unused",
      secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-x",
    };
    const error = await openConnection("postgres", target, "postgres").then(
      (connection) => connection.end().then(() => new Error("connected without TLS")),
      (refusal: Error) => refusal,
    );
    expect(error.message).to.match(/does not support SSL/);
  });

  it("invoke: beat on the primary and replayedSince on the standby, RDS and Secrets Manager answering as for a cross-region replica", async () => {
    const sourceArn = "arn:aws:rds:us-east-1:123456789012:db:app-primary-db";
    const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1234-AbCd";
    const instances: Record<string, object> = {
      "app-primary-db": { Endpoint: { Address: "127.0.0.1", Port: ports.primary }, MasterUserSecret: { SecretArn: secretArn } },
      [sourceArn]: { Endpoint: { Address: "127.0.0.1", Port: ports.primary }, MasterUserSecret: { SecretArn: secretArn } },
      "app-dr-db": { Endpoint: { Address: "127.0.0.1", Port: ports.standby }, ReadReplicaSourceDBInstanceIdentifier: sourceArn },
    };
    const regions: string[] = [];
    const clients = {
      rds: (region: string) => ({
        send: async (command: { input: { DBInstanceIdentifier: string } }) => {
          regions.push(`rds ${region}`);
          return { DBInstances: [instances[command.input.DBInstanceIdentifier]] };
        },
      }),
      secretsManager: (region: string) => ({
        send: async () => {
          regions.push(`secretsmanager ${region}`);
          return { SecretString: JSON.stringify({ username: "postgres", password: "unused" }) };
        },
      }),
    };
    const opened: Connection[] = [];
    /** The local servers have no TLS: a plain connection, recorded to check it is closed. */
    const connect = async (_engine: string, target: ConnectionTarget, databaseName: string | null) => {
      const client = new pg.Client({ host: target.host, port: target.port, user: target.username, database: databaseName ?? undefined });
      await client.connect();
      opened.push(client);
      return client;
    };
    const environment = { DATABASE_ENGINE: "postgres", DATABASE_NAME: "postgres", HEARTBEAT_INTERVAL_SECONDS: "0.5", HEARTBEAT_WINDOW_SECONDS: "1" };

    const since = new Date(Date.now() - 2_000).toISOString();
    const wrote = await invoke(
      { action: "beat" },
      { environment: { ...environment, AWS_REGION: "us-east-1", DATABASE_IDENTIFIER: "app-primary-db" }, clients, connect },
    );
    expect(wrote).to.include({ role: "writer", wrote: 2 });
    const drEnvironment = { ...environment, AWS_REGION: "us-west-2", DATABASE_IDENTIFIER: "app-dr-db" };
    expect(await invoke({ action: "beat" }, { environment: drEnvironment, clients, connect })).to.deep.equal({ role: "replica", wrote: 0 });
    await eventually(
      "the DR function to see the heartbeat",
      async () => (await invoke({ action: "replayedSince", since }, { environment: drEnvironment, clients, connect })).caughtUp,
    );
    expect(regions.slice(0, 5)).to.deep.equal(["rds us-east-1", "secretsmanager us-east-1", "rds us-west-2", "rds us-west-2", "rds us-east-1"]);
    expect(opened.length).to.be.at.least(2);
    for (const client of opened) {
      // An ended pg client refuses further queries.
      const refused = await client.query("SELECT 1").then(
        () => false,
        () => true,
      );
      expect(refused, "every connection the function opened is closed").to.equal(true);
    }
  });
});
