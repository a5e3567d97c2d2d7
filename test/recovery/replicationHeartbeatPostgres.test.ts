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
 * The idle-source test runs on a second pair that nothing writes to after `before`: its standby's
 * lag grows while the other tests run on the first pair, so its idle time costs no extra wall time.
 *
 * Needs the PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup): `apt-get install postgresql`.
 * Without them the file fails, it does not skip. Run as root, the servers run as the `postgres` user.
 */
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "chai";
import pg from "pg";
import { eventually, type PostgresPair } from "../../rehearsal/localPostgres";
import { startPostgresPairs } from "../fixtures/postgresPairs";
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

describe("replication heartbeat on a PostgreSQL primary and streaming standby", function () {
  this.timeout(60_000);

  let pair: PostgresPair;
  const ports = { primary: 0, standby: 0 };
  let primary: pg.Client;
  let standby: pg.Client;
  /** The second pair's standby; its primary's last commit is in `before`. */
  let idlePair: PostgresPair;
  let idleStandby: pg.Client;
  /** The idle standby's lag right after it replayed that last commit, and when it was read (epoch ms). */
  const idle = { lagAfterLastWrite: Number.NaN, readAt: 0 };
  /** How long the idle source stays idle before its lag is read again. */
  const IDLE_MILLISECONDS = 3_000;

  const connect = (port: number, database = "postgres"): Promise<pg.Client> => pair.connect(port, database);

  async function replicaLag(on = standby): Promise<number> {
    const { rows } = await on.query(REPLICA_LAG_QUERY);
    return Number(rows[0].ReplicaLag);
  }

  async function appRowOnStandby(id: number, on = standby): Promise<boolean> {
    const { rows } = await on.query("SELECT count(*)::int AS n FROM app.orders WHERE id = $1", [id]);
    return rows[0].n === 1;
  }

  /** Makes the app's table on a started pair and waits for its standby to replay it; returns a client of each server. */
  async function pairWithAppTable(started: PostgresPair): Promise<{ primary: pg.Client; standby: pg.Client }> {
    const clients = { primary: await started.connect(started.ports.primary), standby: await started.connect(started.ports.standby!) };
    await clients.primary.query("CREATE SCHEMA app; CREATE TABLE app.orders (id int PRIMARY KEY, note text NOT NULL)");
    await eventually("the app table on the standby", async () => (await clients.standby.query("SELECT to_regclass('app.orders') AS t")).rows[0].t !== null);
    return clients;
  }

  before(async function () {
    [pair, idlePair] = await startPostgresPairs([{}, {}]);
    ports.primary = pair.ports.primary;
    ports.standby = pair.ports.standby!;
    ({ primary, standby } = await pairWithAppTable(pair));

    const idleClients = await pairWithAppTable(idlePair);
    idleStandby = idleClients.standby;
    await idleClients.primary.query("INSERT INTO app.orders VALUES (1, 'the last write before idling')");
    await eventually("the write on the idle standby", () => appRowOnStandby(1, idleStandby));
    idle.lagAfterLastWrite = await replicaLag(idleStandby);
    idle.readAt = Date.now();
  });

  after(async function () {
    await pair?.stop();
    await idlePair?.stop();
  });

  it("(a) with the heartbeat running on the primary, the standby's ReplicaLag stays under 1.5 s", async () => {
    const options = { intervalSeconds: 0.5, windowSeconds: 2 };
    let done = false;
    const beating = beat(primary, "postgres", options);
    beating.then(
      () => (done = true),
      () => (done = true),
    );
    await delay(300);
    const samples: number[] = [];
    while (!done) {
      samples.push(await replicaLag());
      await delay(100);
    }
    const answer = await beating;
    expect(answer.role).to.equal("writer");
    // One beat per interval in the window; a beat late under load skips the slot it missed.
    const slots = options.windowSeconds / options.intervalSeconds;
    expect(answer.wrote).to.be.within(slots - 1, slots);
    expect(samples.length).to.be.at.least(8);
    expect(Math.max(...samples), `lag samples ${samples.join(", ")}`).to.be.lessThan(1.5);
    // One row, its seq counting the beats, stamped with the database's clock.
    const { rows } = await primary.query("SELECT id, seq::int AS seq, beat_at FROM dr_heartbeat.beat");
    expect(rows).to.have.length(1);
    expect(rows[0]).to.deep.include({ id: 1, seq: answer.wrote });
    expect((rows[0].beat_at as Date).toISOString()).to.equal(answer.role === "writer" ? answer.lastBeatAt : undefined);
  });

  it("(b) on the standby, beat answers replica and writes nothing", async () => {
    expect(await isWritable(primary, "postgres")).to.equal(true);
    expect(await isWritable(standby, "postgres")).to.equal(false);
    const before = (await primary.query("SELECT seq::int AS seq FROM dr_heartbeat.beat")).rows[0].seq;
    const startedAt = Date.now();
    expect(await beat(standby, "postgres", { intervalSeconds: 0.5, windowSeconds: 3 })).to.deep.equal({ role: "replica", wrote: 0 });
    expect(Date.now() - startedAt, "answers at once").to.be.lessThan(1_000);
    expect((await primary.query("SELECT seq::int AS seq FROM dr_heartbeat.beat")).rows[0].seq).to.equal(before);
  });

  it("(c) catch-up proof: a heartbeat committed after `since`, replayed, means the writes before `since` are on the standby", async () => {
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

  it("(d) replayedSince with `since` in the future is false; without the heartbeat table, false with beatAt null", async () => {
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

  it("(e) on an idle source, the standby's ReplicaLag grows: it measures time since the last replayed commit", async () => {
    // The second pair's last commit was replayed in `before`; nothing has written to it since.
    expect(idle.lagAfterLastWrite).to.be.lessThan(1);
    await delay(Math.max(0, idle.readAt + IDLE_MILLISECONDS - Date.now()));
    // Nothing is left to replay (the standby has every byte of WAL), yet the lag reads 3 s and more.
    expect(await replicaLag(idleStandby)).to.be.at.least(IDLE_MILLISECONDS / 1000);
    const { rows } = await idleStandby.query("SELECT pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AS replayed_everything");
    expect(rows[0].replayed_everything).to.equal(true);
  });
});
