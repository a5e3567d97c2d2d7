// Tests for app/server.py: spawn the real Python server on 127.0.0.1 with
// --port 0 and talk to it over HTTP. Set PYTHON to test another interpreter
// (e.g. PYTHON=python3.9); the default is python3.
import { expect } from "chai";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

const PYTHON = process.env.PYTHON ?? "python3";
const SERVER = path.resolve(__dirname, "..", "app", "server.py");
const START_TIMEOUT_MS = 5000;
const EXIT_TIMEOUT_MS = 5000;
// Run the server as it runs in production: stdout a pipe, block-buffered
// (an inherited PYTHONUNBUFFERED would hide a missing flush).
const CHILD_ENV = { ...process.env };
delete CHILD_ENV.PYTHONUNBUFFERED;

interface Running {
  proc: ChildProcess;
  base: string;
  stdout: () => string;
  stderr: () => string;
}

/** Spawn the server and resolve once it prints `listening on host:port`. */
function startServer(args: string[]): Promise<Running> {
  const proc = spawn(PYTHON, [SERVER, "--bind", "127.0.0.1", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: CHILD_ENV,
  });
  let out = "";
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise<Running>((resolve, reject) => {
    let settled = false;
    const onExit = (code: number | null, sig: string | null) => fail(`server exited early (code ${code}, signal ${sig})`);
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      proc.kill("SIGKILL");
      reject(new Error(`${why}\nstdout: ${out}\nstderr: ${err}`));
    };
    const timer = setTimeout(() => fail(`no "listening on" line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    proc.on("error", (e) => fail(`spawn failed: ${e.message}`));
    proc.on("exit", onExit);
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (settled) return;
      const m = /^listening on 127\.0\.0\.1:(\d+)\r?\n/m.exec(out); // whole line only
      if (m) {
        settled = true;
        clearTimeout(timer);
        proc.off("exit", onExit);
        resolve({
          proc,
          base: `http://127.0.0.1:${m[1]}`,
          stdout: () => out,
          stderr: () => err,
        });
      }
    });
  });
}

/** Wait for a process to exit; SIGKILL it (and reject) if it takes too long. */
function waitExit(proc: ChildProcess, ms = EXIT_TIMEOUT_MS): Promise<{ code: number | null; signal: string | null }> {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode });
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`process did not exit within ${ms} ms`));
    }, ms);
    proc.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

async function stopServer(s: Running | undefined): Promise<void> {
  if (!s) return;
  s.proc.kill("SIGTERM");
  await waitExit(s.proc);
}

/** Run the server expecting it to exit by itself (bad arguments). */
async function runToExit(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(PYTHON, [SERVER, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: CHILD_ENV,
  });
  let stdout = "";
  let stderr = "";
  proc.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const { code } = await waitExit(proc);
  return { code, stdout, stderr };
}

/** A fake database: a TCP listener on 127.0.0.1 that counts connections. */
async function fakeDb(): Promise<{
  server: net.Server;
  port: number;
  connections: () => number;
}> {
  let n = 0;
  const server = net.createServer((sock) => {
    n++;
    sock.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    server,
    port: (server.address() as net.AddressInfo).port,
    connections: () => n,
  };
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port on 127.0.0.1 that was just listening and is now closed. */
async function closedPort(): Promise<number> {
  const db = await fakeDb();
  await closeServer(db.server);
  return db.port;
}

interface Health {
  status: string;
  region: string;
  role: string;
  database: {
    host: string;
    port: number;
    reachable: boolean;
    latencyMs: number | null;
    error: string | null;
  };
}

async function getHealth(base: string): Promise<{ res: Response; body: Health }> {
  const res = await fetch(`${base}/health`);
  return { res, body: (await res.json()) as Health };
}

describe("app/server.py", function () {
  describe("/health with a reachable database", function () {
    let db: Awaited<ReturnType<typeof fakeDb>>;
    let srv: Running | undefined;
    before(async function () {
      db = await fakeDb();
      srv = await startServer(["--region", "us-east-1", "--role", "primary", "--db-host", "127.0.0.1", "--db-port", String(db.port)]);
    });
    after(async function () {
      await stopServer(srv);
      if (db?.server.listening) await closeServer(db.server);
    });

    it("reports ok, echoes region and role, and measures latency", async function () {
      const before = db.connections();
      const { res, body } = await getHealth(srv!.base);
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.equal("application/json");
      expect(res.headers.get("cache-control")).to.equal("no-store");
      expect(body.status).to.equal("ok");
      expect(body.region).to.equal("us-east-1");
      expect(body.role).to.equal("primary");
      expect(body.database.host).to.equal("127.0.0.1");
      expect(body.database.port).to.equal(db.port);
      expect(body.database.reachable).to.equal(true);
      expect(body.database.latencyMs).to.be.a("number").and.at.least(0);
      expect(body.database.error).to.equal(null);
      expect(db.connections()).to.be.greaterThan(before, "the check must really open a TCP connection");
    });

    it("checks again on every request (no cached result): degraded once the database goes away", async function () {
      await closeServer(db.server);
      const { res, body } = await getHealth(srv!.base);
      expect(res.status).to.equal(200);
      expect(body.status).to.equal("degraded");
      expect(body.database.reachable).to.equal(false);
    });

    it("logs one line per request to stdout", async function () {
      await fetch(`${srv!.base}/health?probe=log-line`);
      const matching = () =>
        srv!
          .stdout()
          .split("\n")
          .filter((l) => l.includes("/health?probe=log-line"));
      // The pipe may deliver the log line just after the HTTP response.
      for (let i = 0; i < 40 && matching().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      const lines = matching();
      expect(lines).to.have.length(1);
      expect(lines[0]).to.include("200");
    });
  });

  describe("/health with an unreachable database (closed port)", function () {
    let srv: Running | undefined;
    let port: number;
    before(async function () {
      port = await closedPort();
      srv = await startServer(["--region", "eu-west-1", "--role", "dr", "--db-host", "127.0.0.1", "--db-port", String(port)]);
    });
    after(async () => stopServer(srv));

    it("still answers 200 but reports degraded with an error", async function () {
      const { res, body } = await getHealth(srv!.base);
      expect(res.status).to.equal(200);
      expect(body.status).to.equal("degraded");
      expect(body.region).to.equal("eu-west-1");
      expect(body.role).to.equal("dr");
      expect(body.database.port).to.equal(port);
      expect(body.database.reachable).to.equal(false);
      expect(body.database.latencyMs).to.equal(null);
      expect(body.database.error)
        .to.be.a("string")
        .and.match(/connect/i);
    });
  });

  describe("/health with a database name that does not resolve", function () {
    let srv: Running | undefined;
    before(async function () {
      srv = await startServer(["--region", "us-east-1", "--role", "primary", "--db-host", "db.invalid", "--db-timeout-seconds", "2"]);
    });
    after(async () => stopServer(srv));

    it("reports degraded with a resolution error", async function () {
      const { res, body } = await getHealth(srv!.base);
      expect(res.status).to.equal(200);
      expect(body.status).to.equal("degraded");
      expect(body.database.host).to.equal("db.invalid");
      expect(body.database.port).to.equal(5432);
      expect(body.database.reachable).to.equal(false);
      expect(body.database.error)
        .to.be.a("string")
        .and.match(/resolve/i);
    });
  });

  describe("pages, errors and headers", function () {
    let srv: Running | undefined;
    before(async function () {
      const port = await closedPort();
      srv = await startServer(["--region", "<script>", "--role", "dr", "--db-host", "127.0.0.1", "--db-port", String(port)]);
    });
    after(async () => stopServer(srv));

    it("GET / names the region and role and escapes HTML", async function () {
      const res = await fetch(`${srv!.base}/`);
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.equal("text/html; charset=utf-8");
      expect(res.headers.get("cache-control")).to.equal("no-store");
      const text = await res.text();
      expect(text).to.include("Served from &lt;script&gt; (dr)");
      expect(text).to.not.include("<script>");
      expect(text).to.match(/unreachable/);
    });

    it("unknown path -> 404 JSON", async function () {
      const res = await fetch(`${srv!.base}/nope`);
      expect(res.status).to.equal(404);
      expect(res.headers.get("content-type")).to.equal("application/json");
      expect(res.headers.get("cache-control")).to.equal("no-store");
      expect(await res.json()).to.deep.equal({ error: "not found" });
    });

    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      it(`${method} -> 405 with Allow: GET`, async function () {
        const res = await fetch(`${srv!.base}/health`, {
          method,
          body: method === "DELETE" ? undefined : "x=1",
        });
        expect(res.status).to.equal(405);
        expect(res.headers.get("allow")).to.equal("GET");
        expect(res.headers.get("cache-control")).to.equal("no-store");
        expect(await res.json()).to.deep.equal({ error: "method not allowed" });
      });
    }

    it("malformed requests still carry Cache-Control: no-store", async function () {
      const url = new URL(srv!.base);
      const raw = await new Promise<string>((resolve, reject) => {
        let data = "";
        const sock = net.connect(Number(url.port), "127.0.0.1", () => sock.end("GET /a b HTTP/1.0\r\n\r\n"));
        sock.setTimeout(3000, () => sock.destroy(new Error("raw request timed out")));
        sock.on("data", (d) => (data += d.toString()));
        sock.on("end", () => resolve(data));
        sock.on("error", reject);
      });
      expect(raw).to.match(/^HTTP\/1\.[01] 400 /);
      expect(raw.toLowerCase()).to.include("cache-control: no-store");
    });

    it("a client that resets mid-request causes no stack trace", async function () {
      const url = new URL(srv!.base);
      await new Promise<void>((resolve, reject) => {
        const sock = net.connect(Number(url.port), "127.0.0.1", () => {
          sock.write("GET /"); // half a request line, then RST
          setTimeout(() => {
            sock.resetAndDestroy();
            resolve();
          }, 50);
        });
        sock.on("error", reject);
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(srv!.stderr()).to.equal("");
    });
  });

  describe("lifecycle and arguments", function () {
    it("exits 0 on SIGTERM", async function () {
      const srv = await startServer(["--region", "r", "--role", "primary", "--db-host", "db.invalid"]);
      try {
        expect(srv.stdout().trim().split("\n")).to.deep.equal([`listening on 127.0.0.1:${new URL(srv.base).port}`]);
        srv.proc.kill("SIGTERM");
        const { code, signal } = await waitExit(srv.proc);
        expect({ code, signal }).to.deep.equal({ code: 0, signal: null });
        expect(srv.stderr()).to.equal("");
      } finally {
        if (srv.proc.exitCode === null && srv.proc.signalCode === null) srv.proc.kill("SIGKILL");
      }
    });

    it("rejects --role bogus", async function () {
      const r = await runToExit(["--region", "r", "--role", "bogus", "--db-host", "h", "--port", "0"]);
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.match(/argument --role: invalid choice: 'bogus'/);
      expect(r.stdout).to.not.include("listening on");
    });

    it("requires --region", async function () {
      const r = await runToExit(["--role", "dr", "--db-host", "h", "--port", "0"]);
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.match(/required: --region/);
      expect(r.stdout).to.not.include("listening on");
    });

    it("requires --db-host", async function () {
      const r = await runToExit(["--region", "r", "--role", "dr", "--port", "0"]);
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.match(/required: --db-host/);
    });
  });

  describe("source constraints", function () {
    it("is under 6,000 bytes (embedded in EC2 user data)", function () {
      expect(fs.statSync(SERVER).size).to.be.below(6000);
    });

    it("parses with the Python 3.9 grammar", function () {
      const code = "import ast,sys; ast.parse(open(sys.argv[1]).read(), feature_version=(3,9))";
      // execFileSync throws (failing the test) on a non-zero exit.
      execFileSync(PYTHON, ["-c", code, SERVER], {
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 10000,
      });
    });

    it("uses ThreadingHTTPServer and imports only the standard library", function () {
      expect(fs.readFileSync(SERVER, "utf8")).to.match(/\bThreadingHTTPServer\b/);
      // Print every imported top-level module that is not built in or under
      // the interpreter's stdlib directory (site-packages excluded).
      const code = [
        "import ast, importlib.util, os, sys, sysconfig",
        "tree = ast.parse(open(sys.argv[1]).read())",
        "mods = {a.name.split('.')[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}",
        "mods |= {n.module.split('.')[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}",
        "std = os.path.realpath(sysconfig.get_paths()['stdlib'])",
        "def ok(m):",
        "    s = importlib.util.find_spec(m)",
        "    o = s and s.origin and os.path.realpath(s.origin)",
        "    return bool(s) and (s.origin in ('built-in', 'frozen') or (o.startswith(std + os.sep) and 'site-packages' not in o))",
        "print(','.join(sorted(m for m in mods if not ok(m))))",
        "print(len(mods))",
      ].join("\n");
      const out = execFileSync(PYTHON, ["-c", code, SERVER], {
        encoding: "utf8",
        timeout: 10000,
      }).split("\n");
      expect(out[0]).to.equal("", "non-stdlib imports");
      expect(Number(out[1])).to.be.greaterThan(5);
    });
  });
});
