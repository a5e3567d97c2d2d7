/**
 * A PostgreSQL primary and physical streaming standby on loopback, from the distribution's server
 * binaries (Debian: `apt-get install postgresql`): the replication an RDS for PostgreSQL read
 * replica uses (pg_basebackup -R, hot standby; RDS User Guide, "Working with read replicas for
 * Amazon RDS for PostgreSQL"). Used by `npm run rehearse` and the replication heartbeat's tests.
 *
 * initdb refuses root, so as root the servers run as the `postgres` user (Debian's package creates
 * it). Every server listens on 127.0.0.1 only, on a free port, with its data under one temporary
 * directory that `stop()` removes.
 *
 * initdb (about 1.5 s of CPU) runs once per process into a template data directory; each primary is
 * a copy of it (`cp -a`, owner and modes kept: the server refuses a data directory it does not own
 * or that others can read; PostgreSQL docs, "Creating a Database Cluster"), with its own settings
 * appended to postgresql.conf and its own pg_hba.conf. The template is removed when the process
 * exits; one a killed process left (its name holds the pid: pg-template-<pid>-...) is removed by the
 * next process that makes a template. Clusters copied from one template share a PostgreSQL database
 * system identifier (pg_controldata): a standby pointed at the wrong primary (another pair's of the
 * same process) is not refused by the identifier check ("database system identifier differs between
 * the primary and standby") that would refuse it between clusters initdb made separately.
 */
import { execFile, spawnSync } from "node:child_process";
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import pg from "pg";

const SERVER_BINARIES = ["initdb", "pg_ctl", "pg_basebackup"];

/**
 * The directory of the PostgreSQL server binaries: `pg_config --bindir`, else the newest
 * /usr/lib/postgresql/<version>/bin.
 * @throws Error naming the package to install when none has initdb, pg_ctl and pg_basebackup.
 */
export function postgresBinDirectory(): string {
  binDirectory ??= findPostgresBinDirectory();
  return binDirectory;
}

/** `postgresBinDirectory`'s answer, looked up once per process. */
let binDirectory: string | undefined;

function findPostgresBinDirectory(): string {
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

/** The `postgres` OS user's ids (Debian's postgresql package creates it), looked up once per process. */
let postgresIds: { uid: number; gid: number } | undefined;

/** The `postgres` OS user's ids (Debian's postgresql package creates it). */
function postgresUser(): { uid: number; gid: number } {
  postgresIds ??= lookUpPostgresUser();
  return postgresIds;
}

function lookUpPostgresUser(): { uid: number; gid: number } {
  const [uid, gid] = ["-u", "-g"].map((flag) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim() || Number.NaN));
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new Error("running as root, but there is no postgres user to run the servers as: apt-get install postgresql");
  }
  return { uid, gid };
}

/** A free TCP port on 127.0.0.1 (the OS picks it; it is free when this returns). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** initdb refuses root: as root, the servers run as the `postgres` user. */
const AS_POSTGRES = userInfo().uid === 0;

/** Free space /dev/shm must have for the clusters to live there: 1 GiB (a pair takes about 80 MB). */
const MEMORY_DIRECTORY_MIN_FREE_BYTES = 2 ** 30;

let scratch: string | undefined;

/**
 * The directory the clusters' temporary directories are made in (chosen once per process):
 * `os.tmpdir()` when TMPDIR is set (the user chose where temporary files go); else /dev/shm when it
 * is a tmpfs with at least 1 GiB free, else `os.tmpdir()` (/tmp). tmpfs keeps its files
 * in memory, so no data directory is written to disk (Linux docs, "Tmpfs":
 * https://docs.kernel.org/filesystems/tmpfs.html); copying one takes a tenth of the time it takes on
 * a loaded ext4 /tmp. The free-space floor skips the 64 MB /dev/shm a Docker container gets by
 * default (`docker run --shm-size`), which a pair would fill.
 */
export function postgresScratchDirectory(): string {
  if (scratch === undefined) {
    const TMPFS_MAGIC = 0x01021994; // statfs(2), f_type of a tmpfs
    let memory = false;
    if (!process.env.TMPDIR) {
      try {
        const stats = statfsSync("/dev/shm");
        memory = stats.type === TMPFS_MAGIC && stats.bavail * stats.bsize >= MEMORY_DIRECTORY_MIN_FREE_BYTES;
      } catch {
        memory = false; // no /dev/shm (not Linux)
      }
    }
    scratch = memory ? "/dev/shm" : tmpdir();
  }
  return scratch;
}

/** A temporary directory named `prefix`..., owned by the user the servers run as. */
function serverDirectory(prefix: string): string {
  const directory = mkdtempSync(join(postgresScratchDirectory(), prefix));
  if (AS_POSTGRES) {
    const { uid, gid } = postgresUser();
    chownSync(directory, uid, gid);
  }
  return directory;
}

/** The command line that runs `binary` of `binaries` (through `runuser -u postgres` when root). */
function serverCommand(binaries: string, binary: string, args: string[]): [string, string[]] {
  const command = join(binaries, binary);
  return AS_POSTGRES ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
}

/** The error of a command that failed: what ran, how it ended, what it printed. */
function commandError(what: string, ending: unknown, stderr: string, stdout: string): Error {
  return new Error(`${what} failed (${String(ending)}): ${stderr}${stdout}`);
}

/** How long one server binary may run: 30 s. */
const COMMAND_TIMEOUT_MS = 30_000;

/**
 * Runs `binary` of `binaries` in `cwd` (as `postgres` when root), at most 30 s, blocking.
 * @returns its stdout. @throws Error with its output on failure.
 */
function runServerBinary(binaries: string, cwd: string, binary: string, args: string[]): string {
  const [file, argv] = serverCommand(binaries, binary, args);
  const result = spawnSync(file, argv, { cwd, encoding: "utf8", timeout: COMMAND_TIMEOUT_MS });
  if (result.status !== 0) throw commandError(`${binary} ${args.join(" ")}`, result.status ?? result.signal ?? result.error, result.stderr, result.stdout);
  return result.stdout;
}

/**
 * Runs `file` with `argv` in `cwd`, at most 30 s, without blocking the event loop (so that two
 * pairs can start at once).
 * @returns its stdout. @throws (rejects with) Error with its output on failure.
 */
function runAsync(what: string, file: string, argv: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, argv, { cwd, encoding: "utf8", timeout: COMMAND_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) reject(commandError(what, error.code ?? error.signal ?? error.message, stderr, stdout));
      else resolve(stdout);
    });
  });
}

/** `runServerBinary` without blocking the event loop. */
function runServerBinaryAsync(binaries: string, cwd: string, binary: string, args: string[]): Promise<string> {
  const [file, argv] = serverCommand(binaries, binary, args);
  return runAsync(`${binary} ${args.join(" ")}`, file, argv, cwd);
}

/** initdb's arguments for every cluster here: trust on every connection, superuser `postgres`, UTF-8, no fsync. */
const INITDB_ARGS = ["--auth=trust", "--username=postgres", "--no-sync", "--encoding=UTF8"];

/** The template data directory of each binaries directory, made once per process (module state). */
const templates = new Map<string, Promise<string>>();
/** Template directories to remove when the process exits. */
const templateRoots = new Set<string>();
/** Whether the 'exit' handler that removes `templateRoots` is registered (once per process). */
let removesTemplatesOnExit = false;
/** Name prefix of template directories: `pg-template-<pid>-`, the pid of the process that made it. */
const TEMPLATE_PREFIX = "pg-template-";

/** Whether process `pid` exists (signal 0 checks without sending; ESRCH: no such process). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH"; // EPERM: it exists, run by another user
  }
}

/**
 * Removes the template directories in `directory` whose process is gone (killed before its 'exit'
 * handler ran: SIGKILL, or a signal with no handler). Best effort: one it cannot remove stays.
 */
function removeOrphanedTemplates(directory: string): void {
  for (const name of readdirSync(directory)) {
    const pid = new RegExp(`^${TEMPLATE_PREFIX}(\\d+)-`).exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || processExists(Number(pid))) continue;
    try {
      rmSync(join(directory, name), { recursive: true, force: true });
    } catch {
      // another user's, or being removed by another process: left alone
    }
  }
}

/**
 * The data directory initdb made with `binaries` in this process (made on the first call, shared by
 * calls made while it runs, removed when the process exits; the first call also removes the
 * templates of processes that are gone). Never started: a copy of it is a cluster as initdb left it.
 * @throws (rejects with) Error with initdb's output when it fails (nothing is cached then).
 */
function templateDataDirectory(binaries: string): Promise<string> {
  let template = templates.get(binaries);
  if (template === undefined) {
    if (!removesTemplatesOnExit) {
      removesTemplatesOnExit = true;
      removeOrphanedTemplates(postgresScratchDirectory());
      process.once("exit", () => templateRoots.forEach((directory) => rmSync(directory, { recursive: true, force: true })));
    }
    const root = serverDirectory(`${TEMPLATE_PREFIX}${process.pid}-`);
    templateRoots.add(root);
    const data = join(root, "data");
    template = runServerBinaryAsync(binaries, root, "initdb", [...INITDB_ARGS, "-D", data]).then(
      () => data,
      (error: unknown) => {
        templates.delete(binaries);
        templateRoots.delete(root);
        rmSync(root, { recursive: true, force: true });
        throw error;
      },
    );
    templates.set(binaries, template);
  }
  return template;
}

/**
 * Copies the template data directory to `directory` (which must not exist): `cp -a` keeps the
 * owner (`postgres` when root) and the 0700 modes the server insists on.
 * @throws (rejects with) Error with cp's output on failure.
 */
async function copyTemplate(binaries: string, directory: string): Promise<void> {
  const template = await templateDataDirectory(binaries);
  await runAsync(`cp -a ${template} ${directory}`, "cp", ["-a", template, directory]);
}

/**
 * Polls `check` every 100 ms until it holds (a check that throws counts as not yet).
 * @throws Error naming `description` (and the check's last error) after `seconds`.
 */
export async function eventually(description: string, check: () => Promise<boolean>, seconds = 5): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${description}${last ? ` (last error: ${String(last)})` : ""}`);
    await delay(100);
  }
}

/** Options of `startPostgresPair`. */
export interface PostgresPairOptions {
  /** Start the streaming standby too (default true); false leaves a lone primary. */
  standby?: boolean;
  /**
   * Password (SCRAM) authentication for every role but `postgres` on TCP (default false: trust for
   * all, initdb's `--auth=trust`). `postgres` and replication stay trusted on loopback.
   */
  passwordAuth?: boolean;
  /** Autovacuum (default off: its ANALYZE commits would reset an idle standby's lag). */
  autovacuum?: boolean;
  /** Name prefix of the pair's temporary directory (default `pg-pair-`), so a caller can tell its own from other pairs'. */
  directoryPrefix?: string;
}

/** A running primary (and standby), both on 127.0.0.1. */
export interface PostgresPair {
  /** The temporary directory holding both data directories and logs. */
  root: string;
  ports: { primary: number; standby: number | null };
  /** Runs a server binary (as `postgres` when root). @throws Error with its output on failure. */
  run(binary: string, args: string[]): string;
  /** A connected client as the trusted superuser `postgres`; closed by `stop()`. */
  connect(port: number, database?: string): Promise<pg.Client>;
  /** `pg_ctl stop -m <mode>` of one server (immediate: the abrupt stop of a crash). */
  stopServer(which: "primary" | "standby", mode?: "immediate" | "fast"): void;
  /**
   * Closes the clients, stops every server still running (immediate) and removes `root`. Never
   * throws. Runs once: a later call, even one made while it runs, resolves when that one ends.
   */
  stop(): Promise<void>;
}

/**
 * Starts a primary and, unless `standby: false`, a hot standby streaming from it, and waits until it
 * streams. On failure everything started is stopped and removed before the error is thrown.
 * @throws Error when the binaries are missing or a server does not start (its log is in the message).
 */
export async function startPostgresPair(options: PostgresPairOptions = {}): Promise<PostgresPair> {
  const binaries = postgresBinDirectory();
  const root = serverDirectory(options.directoryPrefix ?? "pg-pair-");
  const running = new Set<string>();
  const clients: pg.Client[] = [];
  const directories = { primary: join(root, "primary"), standby: join(root, "standby") };

  const run = (binary: string, args: string[]): string => runServerBinary(binaries, root, binary, args);
  const stopServer = (which: "primary" | "standby", mode: "immediate" | "fast" = "immediate") => {
    const directory = directories[which];
    if (!running.has(directory)) return;
    run("pg_ctl", ["-D", directory, "-m", mode, "-w", "stop"]);
    running.delete(directory);
  };
  const connect = async (port: number, database = "postgres") => {
    const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database });
    client.on("error", () => undefined); // a server stopped under it: reported by the next query
    await client.connect();
    clients.push(client);
    return client;
  };
  const runBinaryAsync = (binary: string, args: string[]): Promise<string> => runServerBinaryAsync(binaries, root, binary, args);
  // Once, however often it is called: a second call made while the servers stop waits for the same
  // stop instead of removing `root` under them.
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
      // Both servers at once: each is a directory of its own.
      const serverStops = [...running].map(async (directory) => {
        running.delete(directory);
        await runBinaryAsync("pg_ctl", ["-D", directory, "-m", "immediate", "-w", "stop"]).catch((error: unknown) => console.error(String(error)));
      });
      await Promise.all(serverStops);
      rmSync(root, { recursive: true, force: true });
    })());

  try {
    const ports = { primary: await freePort(), standby: options.standby === false ? null : await freePort() };
    await copyTemplate(binaries, directories.primary);
    appendFileSync(
      join(directories.primary, "postgresql.conf"),
      [
        "listen_addresses = '127.0.0.1'",
        `port = ${ports.primary}`,
        `unix_socket_directories = '${root}'`,
        "wal_level = replica",
        "max_wal_senders = 4",
        "hot_standby = on",
        `autovacuum = ${options.autovacuum ? "on" : "off"}`,
        "fsync = off",
        "",
      ].join("\n"),
    );
    if (options.passwordAuth) {
      // First match wins (PostgreSQL docs, "The pg_hba.conf File"); the standby copies this file.
      writeFileSync(
        join(directories.primary, "pg_hba.conf"),
        [
          "local all all trust",
          "host all postgres 127.0.0.1/32 trust",
          "host replication all 127.0.0.1/32 trust",
          "host all all 127.0.0.1/32 scram-sha-256",
          "",
        ].join("\n"),
      );
    }
    await runBinaryAsync("pg_ctl", ["-D", directories.primary, "-l", join(root, "primary.log"), "-w", "start"]);
    running.add(directories.primary);
    if (ports.standby !== null) {
      const base = ["-h", "127.0.0.1", "-p", String(ports.primary), "-U", "postgres", "-D", directories.standby];
      await runBinaryAsync("pg_basebackup", [...base, "-R", "-X", "stream", "-c", "fast", "--no-sync"]);
      appendFileSync(join(directories.standby, "postgresql.conf"), `port = ${ports.standby}\n`);
      await runBinaryAsync("pg_ctl", ["-D", directories.standby, "-l", join(root, "standby.log"), "-w", "start"]);
      running.add(directories.standby);
      const primary = await connect(ports.primary);
      await eventually("the standby to stream", async () => {
        const { rows } = await primary.query("SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'");
        return rows[0].n === 1;
      });
    }
    return { root, ports, run, connect, stopServer, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
