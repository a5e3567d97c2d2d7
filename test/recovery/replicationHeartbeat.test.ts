/**
 * The replication heartbeat function (recovery/lambda/replicationHeartbeat.mjs) without a database
 * server: its AWS part against mocked SDK clients (the endpoint, the master user secret of the
 * instance or of its source, each read in its own region), its MySQL statements against a fake
 * connection that records them, its settings, and its refusals. PostgreSQL runs for real in
 * replicationHeartbeatPostgres.test.ts.
 */
import { DescribeDBInstancesCommand, type DBInstance, RDSClient } from "@aws-sdk/client-rds";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import {
  beat,
  CLOCK_SKEW_MARGIN_SECONDS,
  type Connection,
  type ConnectionTarget,
  driverOptions,
  type Engine,
  HEARTBEAT_DEFAULTS,
  HEARTBEAT_ENVIRONMENT,
  handler,
  heartbeatSettings,
  invoke,
  isWritable,
  replayedSince,
  requestOf,
  resolveConnection,
} from "../../recovery/lambda/replicationHeartbeat.mjs";
import { regionOf, rejection } from "./sdkCalls";

const ACCOUNT = "123456789012";
const PRIMARY_REGION = "us-east-1";
const DR_REGION = "us-west-2";
const PRIMARY = "app-prod-primary-db";
const REPLICA = "app-prod-dr-db";
const PRIMARY_ARN = `arn:aws:rds:${PRIMARY_REGION}:${ACCOUNT}:db:${PRIMARY}`;
const PRIMARY_SECRET = `arn:aws:secretsmanager:${PRIMARY_REGION}:${ACCOUNT}:secret:rds!db-11111111-2222-3333-4444-555555555555-AbCdEf`;
const DR_SECRET = `arn:aws:secretsmanager:${DR_REGION}:${ACCOUNT}:secret:rds!db-66666666-7777-8888-9999-000000000000-GhIjKl`;
const PASSWORD = "s3cret-Pa55word";

/** The DR region's function environment, MySQL (PostgreSQL adds DATABASE_NAME). */
const ENV = {
  AWS_REGION: DR_REGION,
  DATABASE_IDENTIFIER: REPLICA,
  DATABASE_ENGINE: "mysql",
  HEARTBEAT_INTERVAL_SECONDS: "5",
  HEARTBEAT_WINDOW_SECONDS: "50",
};

function instance(identifier: string, region: string, extra: Partial<DBInstance> = {}): DBInstance {
  return {
    DBInstanceIdentifier: identifier,
    DBInstanceStatus: "available",
    Endpoint: { Address: `${identifier}.abcdefghijkl.${region}.rds.amazonaws.com`, Port: 3306 },
    ...extra,
  };
}

let rds: AwsClientStub<RDSClient>;
let secrets: AwsClientStub<SecretsManagerClient>;

/** RDS answers `described` for `identifier` (a name or an ARN). */
function describe_(identifier: string, described: DBInstance | undefined): void {
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: identifier }).resolves({ DBInstances: described ? [described] : [] });
}

/** The typical pair: a primary with its RDS-managed secret, and its cross-region replica without one. */
function mockPair(): void {
  describe_(PRIMARY, instance(PRIMARY, PRIMARY_REGION, { MasterUserSecret: { SecretArn: PRIMARY_SECRET, SecretStatus: "active" } }));
  describe_(PRIMARY_ARN, instance(PRIMARY, PRIMARY_REGION, { MasterUserSecret: { SecretArn: PRIMARY_SECRET, SecretStatus: "active" } }));
  describe_(REPLICA, instance(REPLICA, DR_REGION, { ReadReplicaSourceDBInstanceIdentifier: PRIMARY_ARN }));
  secrets.on(GetSecretValueCommand, { SecretId: PRIMARY_SECRET }).resolves({ SecretString: JSON.stringify({ username: "dbadmin", password: PASSWORD }) });
  secrets.on(GetSecretValueCommand, { SecretId: DR_SECRET }).resolves({ SecretString: JSON.stringify({ username: "dbadmin", password: "other" }) });
}

/** A MySQL connection that records its statements: `read_only` and the heartbeat row as told. */
class FakeMySql implements Connection {
  statements: { sql: string; params?: unknown[] }[] = [];
  ended = false;
  /** The row's `beat_at` as the DATE_FORMAT query answers it; undefined: no table yet. */
  beatAt: string | undefined;
  constructor(
    public readOnly: unknown = 0,
    private readonly onUpsert: () => void = () => undefined,
  ) {}
  async query(sql: string, params?: unknown[]): Promise<unknown> {
    this.statements.push({ sql, params });
    if (/@@global\.read_only/.test(sql)) return [[{ read_only: this.readOnly }], []];
    if (/^SELECT DATE_FORMAT\(beat_at/.test(sql)) {
      if (this.beatAt === undefined) throw Object.assign(new Error("Table 'dr_heartbeat.beat' doesn't exist"), { code: "ER_NO_SUCH_TABLE", errno: 1146 });
      return [[{ beat_at: this.beatAt }], []];
    }
    if (/^INSERT INTO dr_heartbeat\.beat/.test(sql)) {
      this.onUpsert();
      this.beatAt = "2030-01-01T12:00:45.123456Z";
    }
    return [{ affectedRows: 1 }, undefined];
  }
  async end(): Promise<void> {
    this.ended = true;
  }
  writes(): string[] {
    return this.statements.map(({ sql }) => sql).filter((sql) => !/^SELECT/.test(sql));
  }
}

/** A clock that only sleeps move: `sleeps` records every wait. */
function fakeClock() {
  const clock = { time: 0, sleeps: [] as number[] };
  return {
    clock,
    now: () => clock.time,
    sleep: async (milliseconds: number) => {
      clock.sleeps.push(milliseconds);
      clock.time += milliseconds;
    },
  };
}

describe("replication heartbeat function (AWS and MySQL paths)", () => {
  before(() => {
    rds = mockClient(RDSClient);
    secrets = mockClient(SecretsManagerClient);
  });
  beforeEach(() => {
    rds.reset();
    secrets.reset();
    mockPair();
  });
  after(() => {
    rds.restore();
    secrets.restore();
  });

  describe("resolveConnection", () => {
    it("takes the endpoint from DescribeDBInstances and the credentials from the instance's own MasterUserSecret, both in its region", async () => {
      const target = await resolveConnection({ identifier: PRIMARY, region: PRIMARY_REGION });
      expect(target).to.deep.equal({
        host: `${PRIMARY}.abcdefghijkl.${PRIMARY_REGION}.rds.amazonaws.com`,
        port: 3306,
        sourceIdentifier: null,
        username: "dbadmin",
        password: PASSWORD,
        secretArn: PRIMARY_SECRET,
      });
      const describes = rds.commandCalls(DescribeDBInstancesCommand);
      expect(describes.map((call) => call.args[0].input)).to.deep.equal([{ DBInstanceIdentifier: PRIMARY }]);
      expect(await regionOf(describes[0])).to.equal(PRIMARY_REGION);
      const reads = secrets.commandCalls(GetSecretValueCommand);
      expect(reads.map((call) => call.args[0].input)).to.deep.equal([{ SecretId: PRIMARY_SECRET }]);
      expect(await regionOf(reads[0])).to.equal(PRIMARY_REGION);
    });

    it("for a cross-region replica without a secret: the replica's endpoint, its source's secret, the source described and its secret read in the source's region", async () => {
      const target = await resolveConnection({ identifier: REPLICA, region: DR_REGION });
      expect(target).to.deep.include({
        host: `${REPLICA}.abcdefghijkl.${DR_REGION}.rds.amazonaws.com`,
        port: 3306,
        sourceIdentifier: PRIMARY_ARN,
        username: "dbadmin",
        password: PASSWORD,
        secretArn: PRIMARY_SECRET,
      });
      const describes = rds.commandCalls(DescribeDBInstancesCommand);
      expect(describes.map((call) => call.args[0].input)).to.deep.equal([{ DBInstanceIdentifier: REPLICA }, { DBInstanceIdentifier: PRIMARY_ARN }]);
      expect(await Promise.all(describes.map(regionOf))).to.deep.equal([DR_REGION, PRIMARY_REGION]);
      const reads = secrets.commandCalls(GetSecretValueCommand);
      expect(reads).to.have.length(1);
      expect(await regionOf(reads[0])).to.equal(PRIMARY_REGION);
    });

    it("for a same-region replica (source named without an ARN): the source described in the function's region", async () => {
      describe_("local-replica", instance("local-replica", PRIMARY_REGION, { ReadReplicaSourceDBInstanceIdentifier: PRIMARY }));
      const target = await resolveConnection({ identifier: "local-replica", region: PRIMARY_REGION });
      expect(target.secretArn).to.equal(PRIMARY_SECRET);
      const describes = rds.commandCalls(DescribeDBInstancesCommand);
      expect(describes.map((call) => call.args[0].input.DBInstanceIdentifier)).to.deep.equal(["local-replica", PRIMARY]);
      expect(await Promise.all(describes.map(regionOf))).to.deep.equal([PRIMARY_REGION, PRIMARY_REGION]);
    });

    it("prefers the instance's own secret to its source's (a replica RDS has given one)", async () => {
      describe_(REPLICA, instance(REPLICA, DR_REGION, { ReadReplicaSourceDBInstanceIdentifier: PRIMARY_ARN, MasterUserSecret: { SecretArn: DR_SECRET } }));
      const target = await resolveConnection({ identifier: REPLICA, region: DR_REGION });
      expect(target).to.deep.include({ secretArn: DR_SECRET, password: "other" });
      expect(rds.commandCalls(DescribeDBInstancesCommand)).to.have.length(1);
      expect(await regionOf(secrets.commandCalls(GetSecretValueCommand)[0])).to.equal(DR_REGION);
    });

    it("reads the secret in the region of its ARN, not the instance's", async () => {
      const elsewhere = `arn:aws:secretsmanager:eu-central-1:${ACCOUNT}:secret:rds!db-elsewhere-XyZ123`;
      describe_(PRIMARY, instance(PRIMARY, PRIMARY_REGION, { MasterUserSecret: { SecretArn: elsewhere } }));
      secrets.on(GetSecretValueCommand, { SecretId: elsewhere }).resolves({ SecretString: JSON.stringify({ username: "u", password: "p" }) });
      await resolveConnection({ identifier: PRIMARY, region: PRIMARY_REGION });
      expect(await regionOf(secrets.commandCalls(GetSecretValueCommand)[0])).to.equal("eu-central-1");
    });

    it("follows a replica of a replica up to the source with a secret", async () => {
      const middleArn = `arn:aws:rds:${DR_REGION}:${ACCOUNT}:db:middle`;
      describe_("leaf", instance("leaf", DR_REGION, { ReadReplicaSourceDBInstanceIdentifier: "middle" }));
      describe_("middle", instance("middle", DR_REGION, { DBInstanceArn: middleArn, ReadReplicaSourceDBInstanceIdentifier: PRIMARY_ARN }));
      expect((await resolveConnection({ identifier: "leaf", region: DR_REGION })).secretArn).to.equal(PRIMARY_SECRET);
      expect(rds.commandCalls(DescribeDBInstancesCommand).map((call) => call.args[0].input.DBInstanceIdentifier)).to.deep.equal([
        "leaf",
        "middle",
        PRIMARY_ARN,
      ]);
    });

    it("fails with NoCredentials, naming the instance and region looked at, when a standalone instance has no secret (a promoted replica)", async () => {
      describe_(REPLICA, instance(REPLICA, DR_REGION));
      const error = await rejection(resolveConnection({ identifier: REPLICA, region: DR_REGION }));
      expect(error.name).to.equal("NoCredentials");
      expect(error.message).to.contain(`${REPLICA} (${DR_REGION})`).and.to.contain("MasterUserSecret").and.to.contain("--manage-master-user-password");
      expect(secrets.commandCalls(GetSecretValueCommand)).to.have.length(0);
    });

    it("fails with NoCredentials naming the replica and its source when neither has a secret", async () => {
      describe_(PRIMARY_ARN, instance(PRIMARY, PRIMARY_REGION));
      const error = await rejection(resolveConnection({ identifier: REPLICA, region: DR_REGION }));
      expect(error.name).to.equal("NoCredentials");
      expect(error.message).to.contain(`${REPLICA} (${DR_REGION}), then its source ${PRIMARY_ARN} (${PRIMARY_REGION})`);
    });

    for (const [description, secretString] of [
      ["no password", JSON.stringify({ username: "dbadmin" })],
      ["no username", JSON.stringify({ password: PASSWORD })],
      ["text that is not JSON", `dbadmin:${PASSWORD}`],
      ["no SecretString", undefined],
    ] as const) {
      it(`fails with NoCredentials when the secret has ${description}, without repeating the secret`, async () => {
        secrets.on(GetSecretValueCommand, { SecretId: PRIMARY_SECRET }).resolves(secretString === undefined ? {} : { SecretString: secretString });
        const error = await rejection(resolveConnection({ identifier: PRIMARY, region: PRIMARY_REGION }));
        expect(error.name).to.equal("NoCredentials");
        expect(error.message).to.contain(PRIMARY_SECRET).and.not.to.contain(PASSWORD);
      });
    }

    it("fails with DBInstanceNotFoundFault when RDS describes nothing", async () => {
      describe_("gone", undefined);
      const error = await rejection(resolveConnection({ identifier: "gone", region: DR_REGION }));
      expect(error.name).to.equal("DBInstanceNotFoundFault");
      expect(error.message).to.contain("gone");
    });

    it("fails with NoEndpoint while the instance has no address yet", async () => {
      describe_(PRIMARY, {
        ...instance(PRIMARY, PRIMARY_REGION, { MasterUserSecret: { SecretArn: PRIMARY_SECRET } }),
        Endpoint: undefined,
        DBInstanceStatus: "creating",
      });
      const error = await rejection(resolveConnection({ identifier: PRIMARY, region: PRIMARY_REGION }));
      expect(error.name).to.equal("NoEndpoint");
    });
  });

  describe("the connection", () => {
    const target: ConnectionTarget = { host: "db.example.internal", port: 5432, username: "dbadmin", password: PASSWORD, secretArn: PRIMARY_SECRET };

    it("always uses TLS and verifies the server's certificate: PostgreSQL", () => {
      expect(driverOptions("postgres", target, "postgres")).to.deep.include({
        host: "db.example.internal",
        port: 5432,
        user: "dbadmin",
        password: PASSWORD,
        database: "postgres",
        ssl: { rejectUnauthorized: true },
      });
    });

    it("always uses TLS and verifies the server's certificate and its name (verifyIdentity): MySQL, without a database", () => {
      const options = driverOptions("mysql", { ...target, port: 3306 }, null);
      expect(options).to.deep.include({ host: "db.example.internal", port: 3306, user: "dbadmin", ssl: { rejectUnauthorized: true, verifyIdentity: true } });
      expect(options).to.not.have.property("database");
    });
  });

  describe("MySQL statements", () => {
    it("on a read-only database (read_only = 1, as on RDS for MySQL replicas) answers replica and writes nothing", async () => {
      for (const readOnly of [1, "1", "ON"]) {
        const db = new FakeMySql(readOnly);
        expect(await beat(db, "mysql", { intervalSeconds: 5, windowSeconds: 50, ...fakeClock() })).to.deep.equal({ role: "replica", wrote: 0 });
        expect(db.statements.map(({ sql }) => sql)).to.deep.equal(["SELECT @@global.read_only AS read_only"]);
      }
      expect(await isWritable(new FakeMySql(0), "mysql")).to.equal(true);
    });

    it("on the writer creates the table (DATETIME(6)) and upserts row 1 with UTC_TIMESTAMP(6), one statement every 5 s for 50 s", async () => {
      const db = new FakeMySql(0);
      const { clock, now, sleep } = fakeClock();
      const answer = await beat(db, "mysql", { intervalSeconds: 5, windowSeconds: 50, now, sleep });
      expect(answer).to.deep.equal({ role: "writer", wrote: 10, lastBeatAt: "2030-01-01T12:00:45.123Z" });
      const writes = db.writes();
      expect(writes.slice(0, 2)).to.deep.equal([
        "CREATE DATABASE IF NOT EXISTS dr_heartbeat",
        "CREATE TABLE IF NOT EXISTS dr_heartbeat.beat (id INT PRIMARY KEY, beat_at DATETIME(6) NOT NULL, seq BIGINT NOT NULL)",
      ]);
      const upserts = db.statements.filter(({ sql }) => sql.startsWith("INSERT"));
      expect(upserts).to.have.length(10);
      for (const { sql, params } of upserts) {
        expect(sql).to.match(/VALUES \(\?, UTC_TIMESTAMP\(6\), 1\) ON DUPLICATE KEY UPDATE beat_at = UTC_TIMESTAMP\(6\), seq = seq \+ 1$/);
        expect(params).to.deep.equal([1]);
        expect(sql).to.not.match(/NOW\(\)|CURRENT_TIMESTAMP|;/i);
      }
      expect(clock.sleeps).to.deep.equal(Array(9).fill(5000));
      expect(clock.time).to.equal(45_000);
    });

    it("skips the slots a slow beat missed and never beats past the window", async () => {
      const { clock, now, sleep } = fakeClock();
      const db = new FakeMySql(0, () => (clock.time += 7000));
      const answer = await beat(db, "mysql", { intervalSeconds: 5, windowSeconds: 50, now, sleep });
      // Beats start at 0, 10, 20, 30, 40 s, each taking 7 s.
      expect(answer).to.include({ role: "writer", wrote: 5 });
      expect(clock.sleeps).to.deep.equal([3000, 3000, 3000, 3000]);
    });

    it("beats once when the window is shorter than the interval", async () => {
      const db = new FakeMySql(0);
      expect(await beat(db, "mysql", { intervalSeconds: 5, windowSeconds: 2, ...fakeClock() })).to.include({ role: "writer", wrote: 1 });
    });

    it("replayedSince reads beat_at in UTC; caught up only at since + CLOCK_SKEW_MARGIN_SECONDS or later", async () => {
      expect(CLOCK_SKEW_MARGIN_SECONDS).to.equal(1);
      const db = new FakeMySql(1);
      db.beatAt = "2030-01-01T12:00:01.000000Z";
      expect(await replayedSince(db, "mysql", "2030-01-01T12:00:00Z")).to.deep.equal({
        caughtUp: true,
        beatAt: "2030-01-01T12:00:01.000Z",
        since: "2030-01-01T12:00:00.000Z",
      });
      expect(await replayedSince(db, "mysql", "2030-01-01T14:00:00.001+02:00")).to.deep.equal({
        caughtUp: false,
        beatAt: "2030-01-01T12:00:01.000Z",
        since: "2030-01-01T12:00:00.001Z",
      });
      expect(db.statements.at(-1)).to.deep.equal({
        sql: "SELECT DATE_FORMAT(beat_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS beat_at FROM dr_heartbeat.beat WHERE id = ?",
        params: [1],
      });
      expect(db.writes()).to.deep.equal([]);
    });

    it("replayedSince answers not caught up, beatAt null, when the table does not exist yet", async () => {
      expect(await replayedSince(new FakeMySql(1), "mysql", "2030-01-01T12:00:00Z")).to.deep.equal({
        caughtUp: false,
        beatAt: null,
        since: "2030-01-01T12:00:00.000Z",
      });
    });

    it("replayedSince rethrows other errors (a lost connection is not 'no heartbeat')", async () => {
      const db = { query: async () => Promise.reject(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })) };
      const error = await rejection(replayedSince(db, "mysql", "2030-01-01T12:00:00Z"));
      expect(error.message).to.contain("ECONNRESET");
    });
  });

  describe("invoke", () => {
    const PRIMARY_ENV = { ...ENV, AWS_REGION: PRIMARY_REGION, DATABASE_IDENTIFIER: PRIMARY };

    function connector(db: FakeMySql) {
      const opened: { engine: Engine; target: ConnectionTarget; databaseName: string | null }[] = [];
      return {
        opened,
        connect: async (engine: Engine, target: ConnectionTarget, databaseName: string | null) => {
          opened.push({ engine, target, databaseName });
          return db;
        },
      };
    }

    it("beat on the writer: connects with the instance's secret and beats, then closes the connection", async () => {
      const db = new FakeMySql(0);
      const { opened, connect } = connector(db);
      const answer = await invoke({ action: "beat" }, { environment: PRIMARY_ENV, connect, ...fakeClock() });
      expect(answer).to.deep.equal({ role: "writer", wrote: 10, lastBeatAt: "2030-01-01T12:00:45.123Z" });
      expect(opened).to.deep.equal([
        {
          engine: "mysql",
          target: {
            host: `${PRIMARY}.abcdefghijkl.${PRIMARY_REGION}.rds.amazonaws.com`,
            port: 3306,
            username: "dbadmin",
            password: PASSWORD,
            secretArn: PRIMARY_SECRET,
          },
          databaseName: null,
        },
      ]);
      expect(db.ended).to.equal(true);
    });

    it("beat on an instance RDS describes as a read replica: replica, without reading a secret or connecting", async () => {
      const db = new FakeMySql(0);
      const { opened, connect } = connector(db);
      expect(await invoke({ action: "beat" }, { environment: ENV, connect, ...fakeClock() })).to.deep.equal({ role: "replica", wrote: 0 });
      expect(opened).to.deep.equal([]);
      expect(secrets.commandCalls(GetSecretValueCommand)).to.have.length(0);
      expect(rds.commandCalls(DescribeDBInstancesCommand)).to.have.length(1);
    });

    it("replayedSince on the replica: connects with its source's credentials, reads, closes", async () => {
      const db = new FakeMySql(1);
      db.beatAt = "2030-01-01T12:00:09.500000Z";
      const { opened, connect } = connector(db);
      expect(await invoke({ action: "replayedSince", since: "2030-01-01T12:00:05Z", region: "eu-west-1" }, { environment: ENV, connect })).to.deep.equal({
        caughtUp: true,
        beatAt: "2030-01-01T12:00:09.500Z",
        since: "2030-01-01T12:00:05.000Z",
      });
      expect(opened[0].target).to.deep.include({ host: `${REPLICA}.abcdefghijkl.${DR_REGION}.rds.amazonaws.com`, secretArn: PRIMARY_SECRET });
      expect(db.writes()).to.deep.equal([]);
      expect(db.ended).to.equal(true);
    });

    it("closes the connection when a statement fails", async () => {
      const db = new FakeMySql(0, () => {
        throw Object.assign(new Error("The MySQL server is running with the --read-only option"), { code: "ER_OPTION_PREVENTS_STATEMENT" });
      });
      const error = await rejection(invoke({ action: "beat" }, { environment: PRIMARY_ENV, connect: connector(db).connect, ...fakeClock() }));
      expect(error.message).to.contain("--read-only");
      expect(db.ended).to.equal(true);
    });

    it("passes DATABASE_NAME to the PostgreSQL connection", async () => {
      const db = new FakeMySql(0);
      const { opened, connect } = connector(db);
      db.beatAt = "2030-01-01T12:00:00.000000Z";
      await invoke(
        { action: "replayedSince", since: "2030-01-01T12:00:00Z" },
        { environment: { ...ENV, DATABASE_ENGINE: "postgres", DATABASE_NAME: "postgres" }, connect },
      );
      expect(opened.map(({ engine, databaseName }) => ({ engine, databaseName }))).to.deep.equal([{ engine: "postgres", databaseName: "postgres" }]);
    });
  });

  describe("refusals", () => {
    const invalid: [string, unknown, RegExp][] = [
      ["no event at all", null, /action must be "beat" or "replayedSince".*got undefined/],
      ["an event without action", {}, /action must be "beat" or "replayedSince"/],
      ["an unknown action", { action: "stop" }, /action must be "beat" or "replayedSince".*got "stop"/],
      ["an action in another case", { action: "Beat" }, /action must be/],
      ["the operation field of the other function", { operation: "beat" }, /action must be/],
      ["replayedSince without since", { action: "replayedSince" }, /since must be an ISO 8601 time with a zone.*got undefined/],
      ["since without a zone", { action: "replayedSince", since: "2030-01-01T12:00:00" }, /since must be an ISO 8601 time with a zone/],
      ["since as a date only", { action: "replayedSince", since: "2030-01-01" }, /since must be an ISO 8601 time with a zone/],
      ["since as words", { action: "replayedSince", since: "yesterday" }, /since must be an ISO 8601 time with a zone/],
      ["since as epoch seconds", { action: "replayedSince", since: 1893499200 }, /since must be an ISO 8601 time with a zone.*got 1893499200/],
      ["an impossible date", { action: "replayedSince", since: "2030-13-45T12:00:00Z" }, /since must be an ISO 8601 time/],
      ["withinSeconds of 0", { action: "replayedSince", withinSeconds: 0 }, /withinSeconds must be a whole number of seconds from 1 to 3600/],
      ["withinSeconds as text", { action: "replayedSince", withinSeconds: "120" }, /withinSeconds must be a whole number/],
      ["withinSeconds over an hour", { action: "replayedSince", withinSeconds: 3601 }, /withinSeconds must be/],
      ["withinSeconds with since", { action: "replayedSince", withinSeconds: 120, since: "2030-01-01T12:00:00Z" }, /without since/],
    ];
    for (const [description, event, message] of invalid) {
      it(`refuses ${description} with InvalidArguments before any AWS call`, async () => {
        const error = await rejection(handler(event));
        expect(error.name).to.equal("InvalidArguments");
        expect(error.message).to.match(message);
        expect(rds.calls()).to.have.length(0);
        expect(secrets.calls()).to.have.length(0);
      });
    }

    it("reads withinSeconds as a since that many seconds before now (the readiness check)", () => {
      const before = Date.now();
      const request = requestOf({ action: "replayedSince", withinSeconds: 120 }) as { action: string; since: Date };
      expect(request.action).to.equal("replayedSince");
      expect(before - 120_000 - request.since.getTime()).to.be.at.most(0);
      expect(Date.now() - 120_000 - request.since.getTime()).to.be.at.least(0);
    });

    it("names the environment: the variables, their defaults", () => {
      expect(HEARTBEAT_ENVIRONMENT).to.deep.equal({
        databaseIdentifier: "DATABASE_IDENTIFIER",
        engine: "DATABASE_ENGINE",
        databaseName: "DATABASE_NAME",
        intervalSeconds: "HEARTBEAT_INTERVAL_SECONDS",
        windowSeconds: "HEARTBEAT_WINDOW_SECONDS",
      });
      expect(Object.isFrozen(HEARTBEAT_ENVIRONMENT)).to.equal(true);
      expect(heartbeatSettings({ AWS_REGION: DR_REGION, DATABASE_IDENTIFIER: REPLICA, DATABASE_ENGINE: "mysql" })).to.deep.equal({
        identifier: REPLICA,
        region: DR_REGION,
        engine: "mysql",
        databaseName: null,
        ...HEARTBEAT_DEFAULTS,
      });
      expect(HEARTBEAT_DEFAULTS).to.deep.equal({ intervalSeconds: 5, windowSeconds: 50 });
    });

    const misconfigured: [string, Record<string, string | undefined>, RegExp][] = [
      ["no DATABASE_IDENTIFIER", { DATABASE_IDENTIFIER: undefined }, /DATABASE_IDENTIFIER is not set/],
      ["no AWS_REGION", { AWS_REGION: "" }, /AWS_REGION is not set/],
      ["no DATABASE_ENGINE", { DATABASE_ENGINE: undefined }, /DATABASE_ENGINE is not set/],
      ["an Aurora engine", { DATABASE_ENGINE: "aurora-postgresql" }, /DATABASE_ENGINE must be one of postgres, mysql/],
      ["PostgreSQL without DATABASE_NAME", { DATABASE_ENGINE: "postgres" }, /DATABASE_NAME is not set/],
      ["an interval of 0", { HEARTBEAT_INTERVAL_SECONDS: "0" }, /HEARTBEAT_INTERVAL_SECONDS must be a positive number/],
      ["a window that is not a number", { HEARTBEAT_WINDOW_SECONDS: "50s" }, /HEARTBEAT_WINDOW_SECONDS must be a positive number/],
      ["a window of a minute (the next run would overlap)", { HEARTBEAT_WINDOW_SECONDS: "60" }, /< 60/],
      [
        "an interval longer than the window",
        { HEARTBEAT_INTERVAL_SECONDS: "30", HEARTBEAT_WINDOW_SECONDS: "20" },
        /HEARTBEAT_INTERVAL_SECONDS <= HEARTBEAT_WINDOW_SECONDS/,
      ],
    ];
    for (const [description, change, message] of misconfigured) {
      it(`refuses ${description} with MisconfiguredFunction before any AWS call`, async () => {
        const environment = { ...ENV, ...change };
        const error = await rejection(invoke({ action: "beat" }, { environment }));
        expect(error.name).to.equal("MisconfiguredFunction");
        expect(error.message).to.match(message);
        expect(rds.calls()).to.have.length(0);
      });
    }

    it("answers the same refusals through the Lambda handler, which reads process.env", async () => {
      const saved = { ...process.env };
      try {
        for (const name of [...Object.values(HEARTBEAT_ENVIRONMENT)]) delete process.env[name];
        const error = await rejection(handler({ action: "beat" }));
        expect(error.name).to.equal("MisconfiguredFunction");
        expect(rds.calls()).to.have.length(0);
      } finally {
        process.env = saved;
      }
    });

    it("refuses an unknown engine in the database functions", async () => {
      const error = await rejection(isWritable(new FakeMySql(0), "oracle" as Engine));
      expect(error).to.be.instanceOf(RangeError);
    });

    it("refuses a non-positive interval or window in beat, without a statement", async () => {
      const db = new FakeMySql(0);
      expect((await rejection(beat(db, "mysql", { intervalSeconds: 0, windowSeconds: 50 }))).message).to.match(/must be positive/);
      expect((await rejection(beat(db, "mysql", { intervalSeconds: 5, windowSeconds: Number.NaN }))).message).to.match(/must be positive/);
      expect(db.statements).to.deep.equal([]);
    });
  });
});
