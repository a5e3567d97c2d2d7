// The failover rehearsal (rehearsal/rehearse.ts) on real PostgreSQL servers and the real demo app,
// and the app's database paths that need a real server: its own schema, a rotated password,
// credentials it cannot get. Needs Debian's postgresql and python3-psycopg2 (.ci/run installs
// both); without them it fails, it does not skip.
import { expect } from "chai";
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AppStatus, checkFigures, formatFigures, type RehearsalFigures, REHEARSAL_PAIR_PREFIX, RehearsalError, rehearse } from "../rehearsal/rehearse";
import { type RunningApp, startApp } from "../rehearsal/appProcess";
import { createAppUser } from "../rehearsal/appUser";
import { eventually, postgresScratchDirectory, type PostgresPair, startPostgresPair } from "../rehearsal/localPostgres";

async function status(app: RunningApp): Promise<AppStatus & { credentials: string | null }> {
  const res = await fetch(`${app.base}/status`);
  expect(res.status).to.equal(200);
  return (await res.json()) as AppStatus & { credentials: string | null };
}

async function postWrite(app: RunningApp): Promise<{ status: number; body: { id?: number; writtenAt?: string; error?: string } }> {
  const res = await fetch(`${app.base}/write`, { method: "POST" });
  return { status: res.status, body: (await res.json()) as { id?: number; writtenAt?: string; error?: string } };
}

/** Temporary directories named `prefix`... in `directory` (the rehearsal must remove its own). */
function leftovers(prefix: string, directory = tmpdir()): string[] {
  return readdirSync(directory).filter((name) => name.startsWith(prefix));
}

/** The rehearsal's PostgreSQL pair directories (made where every pair's is: postgresScratchDirectory). */
const pairLeftovers = () => leftovers(REHEARSAL_PAIR_PREFIX, postgresScratchDirectory());

describe("npm run rehearse", function () {
  this.timeout(150_000);

  it("fails over a real primary and standby mid-load; the figures agree with each other and with the promoted database", async () => {
    const before = new Set([...leftovers("rehearsal-"), ...pairLeftovers()]);
    const lines: string[] = [];
    // This run's heartbeat is every 0.25 s, not `npm run rehearse`'s default 1 s: the DR app's /status
    // shows its own heartbeat sooner after the promotion. The 1 s default runs in CI as `npm run
    // rehearse` itself (.ci/run, .github/workflows/checks.yml).
    const figures = await rehearse({ requests: 200, concurrency: 4, heartbeatSeconds: 0.25, log: (line) => lines.push(line) });
    const { requests, missing } = figures;
    expect(requests.sent).to.equal(200);
    expect(requests.acknowledged).to.be.at.least(80, "the primary stops after 40% acknowledged");
    expect(requests.failed).to.equal(requests.sent - requests.acknowledged);
    expect(requests.failed, "writes after the crash are refused").to.be.greaterThan(0);
    expect(missing.count).to.be.at.most(requests.acknowledged);
    expect(figures.presentAndReadable).to.equal(requests.acknowledged - missing.count);
    expect(missing.ids).to.have.length(missing.count);
    expect(missing.spanSeconds).to.be.at.least(0);
    expect(figures.promoteSeconds).to.be.above(0);
    expect(figures.rtoSeconds).to.be.at.least(figures.promoteSeconds).and.below(30);
    // Before: a read-only standby reading the primary's replicated heartbeat; after: writable, its own.
    expect(figures.drStatusBefore).to.deep.include({ role: "dr", reachable: true, writable: false, error: null });
    expect(figures.drStatusBefore.lastHeartbeat).to.include({ role: "primary", region: "primary-local" });
    expect(figures.drStatusBefore.replicationLagSeconds).to.be.a("number").and.below(10);
    expect(figures.drStatusAfter).to.deep.include({ writable: true, error: null });
    expect(figures.drStatusAfter.lastHeartbeat).to.include({ role: "dr", region: "dr-local" });
    expect(figures.drStatusAfter.requests!.count).to.equal(figures.presentAndReadable + 1);
    expect(figures.drStatusAfter.requests!.lastId).to.equal(figures.drFirstWrite.id);
    expect(lines).to.include("promoting the standby (SELECT pg_promote())");
    const printed = formatFigures(figures);
    expect(printed).to.include(`acknowledged, missing after promotion (RPO): ${missing.count}`);
    expect(printed).to.match(/primary stop -> DR app serves a write \(RTO\): \d+\.\d{3} s/);
    expect(
      [...leftovers("rehearsal-"), ...pairLeftovers()].filter((name) => !before.has(name)),
      "temporary directories removed",
    ).to.deep.equal([]);
  });

  it("without a standby: a clear error, and nothing left behind", async () => {
    const before = new Set(pairLeftovers());
    const error = await rehearse({ standby: false }).then(
      () => new Error("resolved"),
      (refusal: Error) => refusal,
    );
    expect(error).to.be.instanceOf(RehearsalError);
    expect(error.message).to.equal("no standby: the primary has no streaming replica, so there is nothing to fail over to");
    expect(pairLeftovers().filter((name) => !before.has(name))).to.deep.equal([]);
  });

  it("a deadline that passes mid-step: a clear error naming the step, and everything cleaned up", async () => {
    const before = new Set(pairLeftovers());
    const error = await rehearse({ timeoutSeconds: 0.5 }).then(
      () => new Error("resolved"),
      (refusal: Error) => refusal,
    );
    expect(error.message).to.match(/^timed out after 0\.5 s while (checking|starting|creating)/);
    // A server the pair was starting when the deadline passed is stopped once it is up.
    await eventually("the late PostgreSQL pair to be removed", async () => pairLeftovers().filter((name) => !before.has(name)).length === 0, 30);
  });

  it("rejects options out of bounds", async () => {
    for (const [options, message] of [
      [{ requests: 0 }, "option requests must be an integer from 1 to 10000, got 0"],
      [{ concurrency: 65 }, "option concurrency must be an integer from 1 to 64, got 65"],
      [{ requests: 10, stopAfterAcknowledged: 11 }, "option stopAfterAcknowledged must be an integer from 1 to 10, got 11"],
    ] as const) {
      const error = await rehearse(options).then(
        () => new Error("resolved"),
        (refusal: Error) => refusal,
      );
      expect(error.message).to.equal(message);
    }
  });

  describe("checkFigures", () => {
    const status = (writable: boolean): AppStatus => ({
      region: "dr-local",
      role: "dr",
      reachable: true,
      writable,
      error: null,
      lastHeartbeat: null,
      replicationLagSeconds: null,
      requests: { count: 0, lastId: null },
      heartbeat: { written: 0, at: null, error: null },
    });
    const good: RehearsalFigures = {
      requests: { sent: 10, acknowledged: 4, failed: 6, acknowledgedAfterStop: 0 },
      missing: { count: 1, ids: [4], firstWrittenAt: "2030-01-01T00:00:00+00:00", lastWrittenAt: "2030-01-01T00:00:00+00:00", spanSeconds: 0 },
      presentAndReadable: 3,
      promoteSeconds: 0.2,
      rtoSeconds: 0.3,
      drFirstWrite: { id: 40, writtenAt: "2030-01-01T00:00:01+00:00" },
      drStatusBefore: status(false),
      drStatusAfter: status(true),
    };

    it("accepts consistent figures, a lost write included", () => {
      expect(checkFigures(good)).to.equal(good);
      expect(formatFigures(good)).to.include("acknowledged, missing after promotion (RPO): 1 (ids 4; committed");
    });

    it("names each figure out of bounds", () => {
      const bad = (change: Partial<RehearsalFigures>) => () => checkFigures({ ...good, ...change });
      expect(bad({ requests: { ...good.requests, acknowledged: 0 }, presentAndReadable: 0, missing: { ...good.missing, count: 0 } })).to.throw(
        RehearsalError,
        "no write was acknowledged by the primary app",
      );
      expect(bad({ missing: { ...good.missing, count: 5 }, presentAndReadable: -1 })).to.throw(RehearsalError, "more writes missing (5) than acknowledged (4)");
      expect(bad({ presentAndReadable: 2 })).to.throw(RehearsalError, "acknowledged writes (4) are not those read back (2) plus those missing (1)");
      expect(bad({ rtoSeconds: 0 })).to.throw(RehearsalError, "the RTO must be a positive time, got 0");
      expect(bad({ drStatusAfter: status(false) })).to.throw(RehearsalError, "the DR app's database is not writable after the failover");
    });
  });
});

describe("the demo app on a real PostgreSQL server", function () {
  this.timeout(60_000);
  const user = { username: "demo_app", password: "right-password", databaseName: "app" };
  let pair: PostgresPair;
  let work: string;
  const apps: RunningApp[] = [];
  const appArgs = (extra: string[]) => [
    ...["--region", "primary-local", "--role", "primary", "--db-host", "127.0.0.1", "--db-port", String(pair.ports.primary)],
    ...["--db-name", "app", "--db-sslmode", "disable", "--heartbeat-seconds", "0.5", ...extra],
  ];
  const run = async (extra: string[], env?: NodeJS.ProcessEnv) => {
    const app = await startApp(appArgs(extra), { env });
    apps.push(app);
    return app;
  };

  before(async () => {
    pair = await startPostgresPair({ standby: false, passwordAuth: true });
    const admin = await pair.connect(pair.ports.primary);
    await createAppUser(admin, (database) => pair.connect(pair.ports.primary, database), user);
    work = mkdtempSync(join(tmpdir(), "app-db-"));
  });

  after(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await pair?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("creates its tables in the schema of its own name and writes as the app user", async () => {
    const credentials = join(work, "good.json");
    writeFileSync(credentials, JSON.stringify({ username: user.username, password: user.password }));
    const app = await run(["--database-credentials-file", credentials]);
    const written = await postWrite(app);
    expect(written.status).to.equal(201);
    expect(written.body.id).to.be.a("number");
    const inApp = await pair.connect(pair.ports.primary, "app");
    const { rows } = await inApp.query(
      "SELECT c.relname, n.nspname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname IN ('app_request', 'app_heartbeat') ORDER BY 1",
    );
    expect(rows).to.deep.equal([
      { relname: "app_heartbeat", nspname: "demo_app", owner: "demo_app" },
      { relname: "app_request", nspname: "demo_app", owner: "demo_app" },
    ]);
    await eventually("a heartbeat row", async () => (await status(app)).lastHeartbeat?.role === "primary");
    const answer = await status(app);
    expect(answer).to.deep.include({ reachable: true, writable: true, error: null, credentials: "file" });
    expect(answer.requests!.lastId).to.be.at.least(written.body.id!);
  });

  it("on a fresh schema, concurrent first writes (and the heartbeat) all succeed: a table created at the same moment elsewhere is not an error", async () => {
    const fresh = { username: "race_app", password: "race-password", databaseName: "app" };
    const admin = await pair.connect(pair.ports.primary);
    await createAppUser(admin, (database) => pair.connect(pair.ports.primary, database), fresh);
    const credentials = join(work, "race.json");
    writeFileSync(credentials, JSON.stringify({ username: fresh.username, password: fresh.password }));
    const app = await run(["--database-credentials-file", credentials]);
    const writes = await Promise.all(Array.from({ length: 8 }, () => postWrite(app)));
    expect(writes.map((write) => write.status)).to.deep.equal(Array(8).fill(201));
    expect(new Set(writes.map((write) => write.body.id)).size).to.equal(8);
  });

  it("a wrong password: /status says so; once the credentials change, the app reads them again (rotation)", async () => {
    const credentials = join(work, "rotating.json");
    writeFileSync(credentials, JSON.stringify({ username: user.username, password: "old-password" }));
    const app = await run(["--database-credentials-file", credentials]);
    const refused = await status(app);
    expect(refused.reachable).to.equal(false);
    expect(refused.error).to.match(/password authentication failed for user "demo_app"/);
    expect(refused.error).to.not.include("old-password");
    expect((await postWrite(app)).status).to.equal(503);
    writeFileSync(credentials, JSON.stringify({ username: user.username, password: user.password }));
    await eventually("the app to log in with the new password", async () => (await postWrite(app)).status === 201, 10);
    expect(await status(app)).to.deep.include({ reachable: true, writable: true, error: null });
  });

  it("credentials it cannot get: /status and /write say so, the health path still answers 200", async () => {
    const broken = join(work, "broken.json");
    writeFileSync(broken, '{"username": "demo_app"}');
    // The secret through the AWS CLI: absent from PATH, then refusing (no permission on this region's copy).
    const bin = join(work, "bin");
    rmSync(bin, { recursive: true, force: true });
    writeFileSync(
      join(work, "aws"),
      "#!/bin/sh\necho 'An error occurred (AccessDeniedException) when calling the GetSecretValue operation: denied' >&2\nexit 254\n",
    );
    chmodSync(join(work, "aws"), 0o755);
    // Four independent apps, started at once (each waits on its own interpreter's start-up).
    const [missingFile, brokenFile, noCli, denied] = await Promise.all([
      run(["--database-credentials-file", join(work, "absent.json")]),
      run(["--database-credentials-file", broken]),
      run(["--database-credentials-secret", "app/creds"], { ...process.env, PATH: bin }),
      run(["--database-credentials-secret", "app/creds"], { ...process.env, PATH: `${work}:${process.env.PATH}` }),
    ]);

    const noFile = await status(missingFile);
    expect(noFile).to.deep.include({ reachable: false, writable: null, credentials: "file" });
    expect(noFile.error).to.match(/^credentials unavailable: \[Errno 2\] No such file or directory/);
    const write = await postWrite(missingFile);
    expect(write.status).to.equal(503);
    expect(write.body.error).to.match(/^unavailable: credentials unavailable/);
    expect((await fetch(`${missingFile.base}/health`)).status).to.equal(200);

    expect((await status(brokenFile)).error).to.equal("credentials unavailable: 'password'");
    expect((await status(noCli)).error).to.match(/^credentials unavailable: \[Errno 2\] No such file or directory: 'aws'/);
    expect((await status(denied)).error).to.equal(
      "credentials unavailable: An error occurred (AccessDeniedException) when calling the GetSecretValue operation: denied",
    );
  });
});
