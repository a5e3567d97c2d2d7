/**
 * The app database user function (recovery/lambda/appDatabaseUser.mjs) on a real PostgreSQL pair: a
 * primary and a physical streaming standby (rehearsal/localPostgres.ts), with password (SCRAM)
 * authentication on TCP. The function runs as an RDS-like master user: a login role with CREATEROLE
 * and CREATEDB that owns the app's database but is not a superuser (RDS User Guide, "Master user
 * account privileges"), so the statements meet the permission checks they meet on RDS.
 *
 * It shows: the user, its password, CONNECT and its own schema are made, and a second run changes
 * nothing but the password; a rotation refuses the old password and accepts the new; the password is
 * stored as a SCRAM verifier, never sent in clear; the app creates tables in its schema (the default
 * search_path) and can touch neither `public` (PostgreSQL 15) nor another schema; a standby refuses
 * (ReadOnlyDatabase) and changes nothing, yet has the user; after pg_promote() the same password
 * works and the function runs there; invoke() does it from RDS's and Secrets Manager's answers,
 * instance and cluster mode.
 *
 * Needs the PostgreSQL server binaries (`apt-get install postgresql`); without them the file fails.
 */
import { expect } from "chai";
import pg from "pg";
import { type AppUser, ensureAppUser, invoke } from "../../recovery/lambda/appDatabaseUser.mjs";
import { type Connection, type ConnectionTarget } from "../../recovery/lambda/databaseConnection.mjs";
import { eventually, type PostgresPair, startPostgresPair } from "../../rehearsal/localPostgres";
import { rejection } from "./sdkCalls";

const MASTER = { username: "dbadmin", password: "master-Pa55word-1" };
const DATABASE = "appdb";
const APP: AppUser = { username: "app", password: "first-Pa55word!'\"\\", databaseName: DATABASE };
const ROTATED = "second-Pa55word$$ ;--";

/** SQLSTATE invalid_password (authentication failed), insufficient_privilege (PostgreSQL, Appendix A "Error Codes"). */
const INVALID_PASSWORD = "28P01";
const INSUFFICIENT_PRIVILEGE = "42501";

describe("app database user on a PostgreSQL primary and streaming standby", function () {
  this.timeout(60_000);

  let pair: PostgresPair;
  let superuser: pg.Client;
  /** The superuser in the app's database (schemas are per database). */
  let superuserInApp: pg.Client;
  const opened: pg.Client[] = [];

  /** A password login over TCP; recorded and closed after the tests. */
  async function login(port: number, username: string, password: string, database = DATABASE): Promise<pg.Client> {
    const client = new pg.Client({ host: "127.0.0.1", port, user: username, password, database });
    client.on("error", () => undefined);
    await client.connect();
    opened.push(client);
    return client;
  }

  async function loginError(port: number, username: string, password: string): Promise<{ code?: string }> {
    return (await rejection(login(port, username, password))) as { code?: string };
  }

  async function master(port = pair.ports.primary): Promise<pg.Client> {
    return login(port, MASTER.username, MASTER.password);
  }

  before(async function () {
    pair = await startPostgresPair({ passwordAuth: true });
    superuser = await pair.connect(pair.ports.primary);
    // As RDS makes them: the master user (CREATEROLE, CREATEDB, not a superuser) owns the app's database.
    await superuser.query(`CREATE ROLE ${MASTER.username} LOGIN CREATEROLE CREATEDB PASSWORD '${MASTER.password}'`);
    await superuser.query(`CREATE DATABASE ${DATABASE} OWNER ${MASTER.username}`);
    superuserInApp = await pair.connect(pair.ports.primary, DATABASE);
    // Another owner's data in the same database, which the app user must not reach.
    await superuserInApp.query("CREATE SCHEMA billing; CREATE TABLE billing.invoices (id int PRIMARY KEY); INSERT INTO billing.invoices VALUES (1)");
  });

  after(async function () {
    await Promise.all(opened.map((client) => client.end().catch(() => undefined)));
    await pair?.stop();
  });

  it("makes the role, its password, CONNECT and a schema it owns, as a master that is not a superuser", async () => {
    const db = await master();
    expect((await db.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).rows[0].rolsuper, "the master is no superuser").to.equal(false);
    expect(await ensureAppUser(db, "postgres", APP, { masterUsername: MASTER.username })).to.deep.equal({
      engine: "postgres",
      database: DATABASE,
      username: "app",
      created: true,
      passwordSet: true,
      schema: "app",
      schemaCreated: true,
    });
    const { rows } = await superuserInApp.query(
      "SELECT r.rolcanlogin, r.rolsuper, r.rolcreaterole, r.rolcreatedb, pg_get_userbyid(n.nspowner) AS owner, " +
        "has_database_privilege('app', $1, 'CONNECT') AS can_connect FROM pg_roles r, pg_namespace n WHERE r.rolname = 'app' AND n.nspname = 'app'",
      [DATABASE],
    );
    expect(rows).to.deep.equal([{ rolcanlogin: true, rolsuper: false, rolcreaterole: false, rolcreatedb: false, owner: "app", can_connect: true }]);
  });

  it("runs again without a change but the password (idempotent)", async () => {
    const db = await master();
    const again = await ensureAppUser(db, "postgres", APP, { masterUsername: MASTER.username });
    expect(again).to.include({ created: false, schemaCreated: false, passwordSet: true });
    const { rows } = await superuser.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname = 'app'");
    expect(rows[0].n).to.equal(1);
    await login(pair.ports.primary, APP.username, APP.password);
  });

  it("stores a SCRAM-SHA-256 verifier: the password itself never reaches the server", async () => {
    const { rows } = await superuser.query("SELECT rolpassword FROM pg_authid WHERE rolname = 'app'");
    const stored = rows[0].rolpassword as string;
    expect(stored).to.match(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(stored).to.not.contain(APP.password);
  });

  it('lets the app create and use tables in its schema (search_path "$user"), and touch neither public nor another schema', async () => {
    const app = await login(pair.ports.primary, APP.username, APP.password);
    await app.query("CREATE TABLE orders (id int PRIMARY KEY, note text NOT NULL)");
    await app.query("INSERT INTO orders VALUES (1, 'written by the app')");
    expect((await app.query("SELECT schemaname, tableowner FROM pg_tables WHERE tablename = 'orders'")).rows).to.deep.equal([
      { schemaname: "app", tableowner: "app" },
    ]);
    // PostgreSQL 15: PUBLIC has no CREATE on public.
    expect(((await rejection(app.query("CREATE TABLE public.stray (id int)"))) as { code?: string }).code).to.equal(INSUFFICIENT_PRIVILEGE);
    expect(((await rejection(app.query("SELECT * FROM billing.invoices"))) as { code?: string }).code).to.equal(INSUFFICIENT_PRIVILEGE);
    expect(((await rejection(app.query("CREATE TABLE billing.stray (id int)"))) as { code?: string }).code).to.equal(INSUFFICIENT_PRIVILEGE);
  });

  it("rotates the password: the old one is refused, the new one accepted, the app's data untouched", async () => {
    const db = await master();
    expect(await ensureAppUser(db, "postgres", { ...APP, password: ROTATED }, { masterUsername: MASTER.username })).to.include({ created: false });
    expect((await loginError(pair.ports.primary, APP.username, APP.password)).code).to.equal(INVALID_PASSWORD);
    const app = await login(pair.ports.primary, APP.username, ROTATED);
    expect((await app.query("SELECT note FROM orders")).rows).to.deep.equal([{ note: "written by the app" }]);
  });

  it("on the standby: refuses with ReadOnlyDatabase and changes nothing, yet the replicated user logs in with the current password", async () => {
    const standbyPort = pair.ports.standby as number;
    await eventually("the standby to replay the rotation", async () => {
      await login(standbyPort, APP.username, ROTATED);
      return true;
    });
    const db = await master(standbyPort);
    const error = await rejection(ensureAppUser(db, "postgres", { ...APP, password: "third-Pa55word" }, { masterUsername: MASTER.username }));
    expect(error.name).to.equal("ReadOnlyDatabase");
    expect(error.message).to.match(/read-only.*made on the writable database/);
    expect((await loginError(standbyPort, APP.username, "third-Pa55word")).code).to.equal(INVALID_PASSWORD);
    const app = await login(standbyPort, APP.username, ROTATED);
    expect((await app.query("SELECT count(*)::int AS n FROM orders")).rows[0].n).to.equal(1);
  });

  it("after pg_promote(): the same password works, the app writes, and the function runs there (nothing to create)", async () => {
    const standbyPort = pair.ports.standby as number;
    pair.stopServer("primary");
    const standby = await pair.connect(standbyPort);
    await standby.query("SELECT pg_promote(true, 30)");
    await eventually("the promoted standby to take writes", async () => (await standby.query("SELECT pg_is_in_recovery() AS r")).rows[0].r === false, 30);
    const app = await login(standbyPort, APP.username, ROTATED);
    await app.query("INSERT INTO orders VALUES (2, 'written after promotion')");
    expect((await app.query("SELECT count(*)::int AS n FROM orders")).rows[0].n).to.equal(2);
    const db = await master(standbyPort);
    expect(await ensureAppUser(db, "postgres", { ...APP, password: ROTATED }, { masterUsername: MASTER.username })).to.include({
      created: false,
      schemaCreated: false,
    });
  });

  describe("invoke, with RDS and Secrets Manager answering (the promoted server is the writer)", () => {
    const region = "us-west-2";
    const appSecretArn = `arn:aws:secretsmanager:${region}:123456789012:secret:app-db-credentials-AbCdEf`;
    const masterSecretArn = `arn:aws:secretsmanager:${region}:123456789012:secret:rds!db-1234-GhIjKl`;
    const calls: string[] = [];
    let appPassword = "fourth-Pa55word";
    /** The DR region's function environment, instance mode. */
    const environment = {
      AWS_REGION: region,
      DATABASE_ENGINE: "postgres",
      DATABASE_NAME: DATABASE,
      DATABASE_IDENTIFIER: "app-dr-db",
      APP_CREDENTIALS_SECRET_ARN: appSecretArn,
    };

    function clients(port: number, source?: string) {
      return {
        rds: (callRegion: string) => ({
          send: async (command: { input: { DBInstanceIdentifier: string } }) => {
            calls.push(`rds ${callRegion} ${command.input.DBInstanceIdentifier}`);
            return {
              DBInstances: [
                {
                  Endpoint: { Address: "127.0.0.1", Port: port },
                  MasterUserSecret: { SecretArn: masterSecretArn },
                  ReadReplicaSourceDBInstanceIdentifier: source,
                },
              ],
            };
          },
        }),
        secretsManager: (callRegion: string) => ({
          send: async (command: { input: { SecretId: string; VersionId?: string } }) => {
            calls.push(`secretsmanager ${callRegion} ${command.input.SecretId} ${command.input.VersionId ?? "AWSCURRENT"}`);
            const secret = command.input.SecretId === appSecretArn ? { username: APP.username, password: appPassword } : MASTER;
            return { SecretString: JSON.stringify(secret) };
          },
        }),
      };
    }

    /** The local servers have no TLS: a plain connection with the target's credentials, recorded to check it is closed. */
    const connections: { client: pg.Client; databaseName: string | null; username: string }[] = [];
    async function connect(_engine: string, target: ConnectionTarget, databaseName: string | null): Promise<Connection> {
      const client = new pg.Client({
        host: target.host,
        port: target.port,
        user: target.username,
        password: target.password,
        database: databaseName ?? undefined,
      });
      await client.connect();
      connections.push({ client, databaseName, username: target.username });
      return client;
    }

    beforeEach(() => {
      calls.length = 0;
    });

    it("instance mode: the master secret RDS names, the app secret's given version; sets that password; closes the connection", async () => {
      const port = pair.ports.standby as number;
      const answer = await invoke({ action: "ensure", appCredentialsVersionId: "v-4" }, { environment, clients: clients(port), connect });
      expect(answer).to.deep.include({ username: "app", created: false, passwordSet: true, schema: "app" });
      expect(calls).to.deep.equal([
        `rds ${region} app-dr-db`,
        `secretsmanager ${region} ${masterSecretArn} AWSCURRENT`,
        `secretsmanager ${region} ${appSecretArn} v-4`,
      ]);
      expect(connections.at(-1)).to.include({ databaseName: DATABASE, username: MASTER.username });
      expect(((await rejection(connections.at(-1)?.client.query("SELECT 1") as Promise<unknown>)) as Error).message).to.match(/not queryable|ended|closed/i);
      await login(port, APP.username, appPassword);
    });

    it("instance mode on a read replica: ReadOnlyDatabase from DescribeDBInstances, without reading a secret or connecting", async () => {
      const before = connections.length;
      const error = await rejection(
        invoke(
          { action: "ensure" },
          { environment, clients: clients(pair.ports.standby as number, "arn:aws:rds:us-east-1:123456789012:db:app-primary-db"), connect },
        ),
      );
      expect(error.name).to.equal("ReadOnlyDatabase");
      expect(error.message).to.contain("read replica of arn:aws:rds:us-east-1:123456789012:db:app-primary-db");
      expect(calls).to.deep.equal([`rds ${region} app-dr-db`]);
      expect(connections.length).to.equal(before);
    });

    it("cluster mode: the given endpoint and the cluster's master secret, without RDS", async () => {
      appPassword = "fifth-Pa55word";
      const port = pair.ports.standby as number;
      const clusterEnvironment = {
        AWS_REGION: region,
        DATABASE_ENGINE: "postgres",
        DATABASE_NAME: DATABASE,
        MASTER_SECRET_ARN: masterSecretArn,
        DATABASE_ENDPOINT: "127.0.0.1",
        DATABASE_PORT: String(port),
        APP_CREDENTIALS_SECRET_ARN: appSecretArn,
      };
      expect(await invoke({ action: "ensure" }, { environment: clusterEnvironment, clients: clients(port), connect })).to.include({ created: false });
      expect(calls).to.deep.equal([`secretsmanager ${region} ${masterSecretArn} AWSCURRENT`, `secretsmanager ${region} ${appSecretArn} AWSCURRENT`]);
      await login(port, APP.username, appPassword);
      expect((await loginError(port, APP.username, "fourth-Pa55word")).code).to.equal(INVALID_PASSWORD);
    });
  });
});
