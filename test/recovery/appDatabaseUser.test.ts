/**
 * The app database user function (recovery/lambda/appDatabaseUser.mjs) without a database server:
 * its MySQL statement sequence against a fake connection that records it, the pure SQL it exports,
 * the SCRAM verifier's shape, the checks on the user name, database name and password, its settings
 * and events, and its AWS part against mocked SDK clients. PostgreSQL runs for real in
 * appDatabaseUserPostgres.test.ts.
 */
import { DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import {
  APP_USER_ENVIRONMENT,
  appUserSettings,
  appUserStatements,
  type AppUser,
  checkAppUser,
  ensureAppUser,
  handler,
  invoke,
  requestOf,
  RESERVED_USERNAMES,
  scramSha256Verifier,
} from "../../recovery/lambda/appDatabaseUser.mjs";
import { type Connection, type ConnectionTarget, type Engine } from "../../recovery/lambda/databaseConnection.mjs";
import { regionOf, rejection } from "./sdkCalls";

const REGION = "us-east-1";
const INSTANCE = "app-prod-primary-db";
const MASTER_SECRET = `arn:aws:secretsmanager:${REGION}:123456789012:secret:rds!db-11111111-2222-3333-4444-555555555555-AbCdEf`;
const APP_SECRET = `arn:aws:secretsmanager:${REGION}:123456789012:secret:app-prod-db-credentials-GhIjKl`;
const APP_PASSWORD = "App-Pa55word-'\"\\-x";
const USER: AppUser = { username: "app_user", password: APP_PASSWORD, databaseName: "app_db" };

/** A MySQL connection: `read_only` and `innodb_read_only` as told, the probe's answer as told; records every statement. */
class RecordingMySql implements Connection {
  readonly log: { sql: string; params?: unknown[] }[] = [];
  closed = false;
  constructor(
    private readonly flags: { readOnly?: number; innodbReadOnly?: number } = {},
    private readonly existing: { role: number; schema: number } = { role: 0, schema: 0 },
  ) {}
  async query(sql: string, params?: unknown[]): Promise<unknown> {
    this.log.push({ sql, params });
    if (sql.includes("innodb_read_only")) return [[{ read_only: this.flags.readOnly || this.flags.innodbReadOnly ? 1 : 0 }], []];
    if (sql.startsWith("SELECT EXISTS")) return [[{ role_exists: this.existing.role, schema_exists: this.existing.schema }], []];
    return [{ affectedRows: 0 }, undefined];
  }
  async end(): Promise<void> {
    this.closed = true;
  }
  changes(): { sql: string; params?: unknown[] }[] {
    return this.log.filter(({ sql }) => !sql.startsWith("SELECT"));
  }
}

describe("app database user function (MySQL, checks, AWS paths)", () => {
  describe("MySQL statements", () => {
    it("creates the account when absent and sets its password, both REQUIRE SSL; the database; ALL on it, wildcards escaped; user and password as placeholders", async () => {
      const db = new RecordingMySql();
      expect(await ensureAppUser(db, "mysql", USER, { masterUsername: "admin_user" })).to.deep.equal({
        engine: "mysql",
        database: "app_db",
        username: "app_user",
        created: true,
        passwordSet: true,
        schema: "app_db",
        schemaCreated: true,
      });
      expect(db.log[0].sql).to.equal("SELECT @@global.read_only OR @@global.innodb_read_only AS read_only");
      expect(db.changes()).to.deep.equal([
        { sql: "CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ? REQUIRE SSL", params: ["app_user", APP_PASSWORD] },
        { sql: "ALTER USER ?@'%' IDENTIFIED BY ? REQUIRE SSL", params: ["app_user", APP_PASSWORD] },
        { sql: "CREATE DATABASE IF NOT EXISTS `app_db`", params: undefined },
        { sql: "GRANT ALL PRIVILEGES ON `app\\_db`.* TO ?@'%'", params: ["app_user"] },
      ]);
      for (const { sql } of db.log) expect(sql, "the password is never in the SQL text").to.not.contain(APP_PASSWORD);
    });

    it("runs the same sequence again and reports nothing created (idempotent statements)", async () => {
      const db = new RecordingMySql({}, { role: 1, schema: 1 });
      expect(await ensureAppUser(db, "mysql", USER)).to.include({ created: false, schemaCreated: false, passwordSet: true });
      expect(db.changes().map(({ sql }) => sql)).to.deep.equal(appUserStatements("mysql", USER).map(({ sql }) => sql));
    });

    for (const [description, flags] of [
      ["an RDS for MySQL read replica (read_only = 1)", { readOnly: 1 }],
      ["an Aurora MySQL reader (innodb_read_only = ON)", { innodbReadOnly: 1 }],
    ] as const) {
      it(`refuses ${description} with ReadOnlyDatabase before any change`, async () => {
        const db = new RecordingMySql(flags);
        const error = await rejection(ensureAppUser(db, "mysql", USER));
        expect(error.name).to.equal("ReadOnlyDatabase");
        expect(db.changes()).to.deep.equal([]);
      });
    }
  });

  describe("the SQL (appUserStatements, for the rehearsal)", () => {
    it("PostgreSQL: role, password (a quoted literal), CONNECT, the master's membership, the schema and its owner; identifiers quoted", () => {
      const statements = appUserStatements("postgres", { username: "app", password: "it's", databaseName: "appdb" });
      expect(statements).to.deep.equal([
        { step: "role", sql: 'DO $$ BEGIN CREATE ROLE "app" LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$' },
        { step: "password", sql: `ALTER ROLE "app" WITH LOGIN PASSWORD 'it''s'` },
        { step: "connect", sql: 'GRANT CONNECT ON DATABASE "appdb" TO "app"' },
        { step: "membership", sql: 'GRANT "app" TO CURRENT_USER' },
        { step: "schema", sql: 'CREATE SCHEMA IF NOT EXISTS "app" AUTHORIZATION "app"' },
        { step: "schemaOwner", sql: 'ALTER SCHEMA "app" OWNER TO "app"' },
      ]);
    });

    it("PostgreSQL: a backslash in the password becomes an E'' literal (pg.escapeLiteral), so it cannot end the string", () => {
      const [, password] = appUserStatements("postgres", { username: "app", password: "a\\' OR '1", databaseName: "appdb" });
      expect(password.sql).to.equal(`ALTER ROLE "app" WITH LOGIN PASSWORD  E'a\\\\'' OR ''1'`);
    });

    it("refuses an unknown engine", () => {
      expect(() => appUserStatements("oracle" as Engine, USER)).to.throw(RangeError, /engine must be one of postgres, mysql/);
    });
  });

  describe("the SCRAM-SHA-256 verifier", () => {
    it("has PostgreSQL's form, is the same for the same salt and differs with another (a random salt by default)", () => {
      const salt = Buffer.alloc(16, 7);
      const verifier = scramSha256Verifier("pencil-pencil", { salt });
      expect(verifier).to.match(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
      expect(verifier.split("$")[1]).to.equal(`4096:${salt.toString("base64")}`);
      expect(scramSha256Verifier("pencil-pencil", { salt })).to.equal(verifier);
      expect(scramSha256Verifier("pencil-pencil")).to.not.equal(scramSha256Verifier("pencil-pencil"));
      expect(verifier).to.not.contain("pencil");
    });
  });

  describe("checks on the user", () => {
    const refused: [string, Engine, Partial<AppUser>, string | undefined, RegExp][] = [
      ["a name with a quote", "postgres", { username: "app'; DROP" }, undefined, /must start with a letter/],
      ["a name starting with a digit", "postgres", { username: "1app" }, undefined, /must start with a letter/],
      ["a name over 63 on PostgreSQL", "postgres", { username: `a${"b".repeat(63)}` }, undefined, /at most 63 on postgres/],
      ["a name over 32 on MySQL", "mysql", { username: `a${"b".repeat(32)}` }, undefined, /at most 32 on mysql/],
      ["the master user", "postgres", { username: "DBAdmin" }, "dbadmin", /must not be the master user \(dbadmin\)/],
      ["postgres", "postgres", { username: "postgres" }, undefined, /is reserved/],
      ["rdsadmin", "mysql", { username: "RDSADMIN" }, undefined, /is reserved/],
      ["an rds_ role", "postgres", { username: "rds_superuser" }, undefined, /is reserved/],
      ["a pg_ role", "postgres", { username: "pg_monitor" }, undefined, /is reserved/],
      ["a database name with a dot", "mysql", { databaseName: "app.db" }, undefined, /database name must start with a letter/],
      ["a short password", "postgres", { password: "short" }, undefined, /8 to 128 printable ASCII/],
      ["a password with a newline", "mysql", { password: "line-one\nline-two" }, undefined, /8 to 128 printable ASCII/],
      ["a non-ASCII password", "postgres", { password: "pässwörd-lang" }, undefined, /8 to 128 printable ASCII/],
    ];
    for (const [description, engine, change, masterUsername, message] of refused) {
      it(`refuses ${description} with InvalidAppUser, before any statement`, async () => {
        const db = new RecordingMySql();
        const error = await rejection(ensureAppUser(db, engine, { ...USER, ...change }, { masterUsername }));
        expect(error.name).to.equal("InvalidAppUser");
        expect(error.message).to.match(message);
        expect(error.message).to.not.contain(change.password ?? APP_PASSWORD);
        expect(db.log).to.deep.equal([]);
      });
    }

    it("accepts a plain name, and lists the reserved ones", () => {
      expect(checkAppUser("postgres", USER, "dbadmin")).to.equal(USER);
      expect(RESERVED_USERNAMES).to.include.members(["postgres", "rdsadmin", "root", "public"]);
    });
  });

  describe("settings and events", () => {
    const instance = {
      AWS_REGION: REGION,
      DATABASE_ENGINE: "postgres",
      DATABASE_NAME: "app",
      DATABASE_IDENTIFIER: INSTANCE,
      APP_CREDENTIALS_SECRET_ARN: APP_SECRET,
    };
    const cluster = {
      AWS_REGION: REGION,
      DATABASE_ENGINE: "mysql",
      DATABASE_NAME: "app",
      MASTER_SECRET_ARN: MASTER_SECRET,
      DATABASE_ENDPOINT: "app.cluster-abc.us-east-1.rds.amazonaws.com",
      DATABASE_PORT: "3306",
      APP_CREDENTIALS_SECRET_ARN: APP_SECRET,
    };

    it("reads instance mode and cluster mode", () => {
      expect(appUserSettings(instance)).to.deep.equal({
        engine: "postgres",
        region: REGION,
        databaseName: "app",
        appSecretArn: APP_SECRET,
        mode: "instance",
        identifier: INSTANCE,
      });
      expect(appUserSettings(cluster)).to.deep.equal({
        engine: "mysql",
        region: REGION,
        databaseName: "app",
        appSecretArn: APP_SECRET,
        mode: "cluster",
        masterSecretArn: MASTER_SECRET,
        host: cluster.DATABASE_ENDPOINT,
        port: 3306,
      });
      expect(Object.values(APP_USER_ENVIRONMENT).sort()).to.deep.equal(
        [...Object.keys(cluster), "DATABASE_IDENTIFIER"].filter((name) => name !== "AWS_REGION").sort(),
      );
    });

    const misconfigured: [string, Record<string, string | undefined>, RegExp][] = [
      ["no engine", { ...instance, DATABASE_ENGINE: undefined }, /DATABASE_ENGINE is not set/],
      ["an Aurora engine name", { ...instance, DATABASE_ENGINE: "aurora-postgresql" }, /must be one of postgres, mysql/],
      ["no database name", { ...instance, DATABASE_NAME: "" }, /DATABASE_NAME is not set/],
      ["no app secret", { ...instance, APP_CREDENTIALS_SECRET_ARN: undefined }, /APP_CREDENTIALS_SECRET_ARN is not set/],
      ["both modes", { ...instance, MASTER_SECRET_ARN: MASTER_SECRET }, /either DATABASE_IDENTIFIER \(instance\) or MASTER_SECRET_ARN \(cluster\), not both/],
      ["neither mode", { ...instance, DATABASE_IDENTIFIER: undefined }, /DATABASE_PORT is not set/],
      ["a cluster without endpoint", { ...cluster, DATABASE_ENDPOINT: undefined }, /DATABASE_ENDPOINT is not set/],
      ["a port that is not one", { ...cluster, DATABASE_PORT: "33060000" }, /DATABASE_PORT must be a TCP port/],
    ];
    for (const [description, environment, message] of misconfigured) {
      it(`refuses ${description} with MisconfiguredFunction`, () => {
        expect(() => appUserSettings(environment))
          .to.throw(message)
          .with.property("name", "MisconfiguredFunction");
      });
    }

    it("takes { action: ensure } with an optional version id, and refuses anything else with InvalidArguments", () => {
      expect(requestOf({ action: "ensure" })).to.deep.equal({ action: "ensure", appCredentialsVersionId: undefined });
      expect(requestOf({ action: "ensure", appCredentialsVersionId: "v1" })).to.deep.equal({ action: "ensure", appCredentialsVersionId: "v1" });
      for (const event of [null, {}, { action: "beat" }, { action: "ensure", appCredentialsVersionId: 7 }, { action: "ensure", appCredentialsVersionId: "" }]) {
        expect(() => requestOf(event), JSON.stringify(event))
          .to.throw(/action must be "ensure"|appCredentialsVersionId must be/)
          .with.property("name", "InvalidArguments");
      }
    });
  });

  describe("invoke (AWS SDK mocked)", () => {
    let rds: AwsClientStub<RDSClient>;
    let secrets: AwsClientStub<SecretsManagerClient>;
    const environment = {
      AWS_REGION: REGION,
      DATABASE_ENGINE: "mysql",
      DATABASE_NAME: "app_db",
      DATABASE_IDENTIFIER: INSTANCE,
      APP_CREDENTIALS_SECRET_ARN: APP_SECRET,
    };
    let opened: { engine: Engine; target: ConnectionTarget; databaseName: string | null }[];
    let db: RecordingMySql;
    const connect = async (engine: Engine, target: ConnectionTarget, databaseName: string | null) => {
      opened.push({ engine, target, databaseName });
      return db;
    };

    beforeEach(() => {
      [rds, secrets] = [mockClient(RDSClient), mockClient(SecretsManagerClient)];
      opened = [];
      db = new RecordingMySql();
      rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: INSTANCE }).resolves({
        DBInstances: [{ Endpoint: { Address: "db.example.internal", Port: 3306 }, MasterUserSecret: { SecretArn: MASTER_SECRET } }],
      });
      secrets
        .on(GetSecretValueCommand, { SecretId: MASTER_SECRET })
        .resolves({ SecretString: JSON.stringify({ username: "admin_user", password: "Master-Pa55" }) });
      secrets.on(GetSecretValueCommand, { SecretId: APP_SECRET }).resolves({ SecretString: JSON.stringify({ username: "app_user", password: APP_PASSWORD }) });
    });
    afterEach(() => [rds, secrets].forEach((stub) => stub.restore()));

    it("MySQL: connects as the master without a database, makes the user with the app secret's version, and closes the connection", async () => {
      const answer = await invoke({ action: "ensure", appCredentialsVersionId: "v-7" }, { environment, connect });
      expect(answer).to.include({ engine: "mysql", username: "app_user", created: true });
      expect(opened).to.deep.equal([
        {
          engine: "mysql",
          databaseName: null,
          target: { host: "db.example.internal", port: 3306, username: "admin_user", password: "Master-Pa55", secretArn: MASTER_SECRET },
        },
      ]);
      const reads = secrets.commandCalls(GetSecretValueCommand);
      expect(reads.map((call) => call.args[0].input)).to.deep.equal([{ SecretId: MASTER_SECRET }, { SecretId: APP_SECRET, VersionId: "v-7" }]);
      expect(await Promise.all(reads.map(regionOf))).to.deep.equal([REGION, REGION]);
      expect(db.closed).to.equal(true);
      expect(db.changes()).to.have.length(4);
    });

    it("closes the connection when a statement fails, and passes the driver's error on", async () => {
      db.query = async (sql: string) => {
        if (sql.startsWith("GRANT")) throw Object.assign(new Error("Access denied"), { code: "ER_DBACCESS_DENIED_ERROR" });
        return sql.startsWith("SELECT") ? [[{ read_only: 0, role_exists: 0, schema_exists: 0 }], []] : [{}, undefined];
      };
      const error = await rejection(invoke({ action: "ensure" }, { environment, connect }));
      expect(error.message).to.equal("Access denied");
      expect(db.closed).to.equal(true);
    });

    it("refuses an app secret naming the master user (InvalidAppUser) before connecting", async () => {
      secrets
        .on(GetSecretValueCommand, { SecretId: APP_SECRET })
        .resolves({ SecretString: JSON.stringify({ username: "admin_user", password: APP_PASSWORD }) });
      const error = await rejection(invoke({ action: "ensure" }, { environment, connect }));
      expect(error.name).to.equal("InvalidAppUser");
      expect(opened).to.deep.equal([]);
    });

    it("refuses an app secret without JSON username and password (NoCredentials), without repeating it", async () => {
      secrets.on(GetSecretValueCommand, { SecretId: APP_SECRET }).resolves({ SecretString: "hunter2-plain-text" });
      const error = await rejection(invoke({ action: "ensure" }, { environment, connect }));
      expect(error.name).to.equal("NoCredentials");
      expect(error.message).to.contain(`secret ${APP_SECRET} (app database credentials) has no JSON username and password`);
      expect(error.message).to.not.contain("hunter2");
      expect(opened).to.deep.equal([]);
    });

    it("answers the refusals through the Lambda handler, before any AWS call", async () => {
      const error = await rejection(handler({ action: "drop" }));
      expect(error.name).to.equal("InvalidArguments");
      expect(rds.calls()).to.have.length(0);
      expect(secrets.calls()).to.have.length(0);
    });
  });
});
