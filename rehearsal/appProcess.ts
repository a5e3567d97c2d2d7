/**
 * Runs the demo app (`app/server.py`) as a child process on 127.0.0.1, both ports chosen by the OS,
 * and stops it. The interpreter is Debian's /usr/bin/python3 (with `python3-psycopg2` from apt), as
 * AL2023's /usr/bin/python3 with `python3-psycopg2` from dnf runs it on EC2; `REHEARSAL_PYTHON`
 * overrides it.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { join } from "node:path";

/** The app's source in this repository. */
export const APP_SERVER = join(__dirname, "..", "app", "server.py");

/** The interpreter: `REHEARSAL_PYTHON`, else /usr/bin/python3. */
export function appPython(): string {
  return process.env.REHEARSAL_PYTHON ?? "/usr/bin/python3";
}

/**
 * Checks that the interpreter imports psycopg2.
 * @throws Error naming the package to install.
 */
export function assertDriver(python = appPython()): void {
  const result = spawnSync(python, ["-c", "import psycopg2"], { encoding: "utf8", timeout: 10_000 });
  if (result.status !== 0) {
    throw new Error(
      `${python} cannot import psycopg2 (${(result.stderr || String(result.error ?? "")).trim().split("\n").pop()}): apt-get install python3-psycopg2`,
    );
  }
}

/** A running app. */
export interface RunningApp {
  /** `http://127.0.0.1:<port>`. */
  base: string;
  /** `http://127.0.0.1:<metrics port>`. */
  metrics: string;
  proc: ChildProcess;
  /** Everything it printed so far (stdout then stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s. Never throws. */
  stop(): Promise<void>;
}

/**
 * Starts the app with `args` (after `--bind 127.0.0.1 --port 0 --metrics-port 0`) and resolves once
 * it prints its `listening on` line.
 * @throws Error with its output when it exits first or prints nothing within `startMs` (default 10 s).
 */
export function startApp(args: string[], options: { python?: string; env?: NodeJS.ProcessEnv; startMs?: number } = {}): Promise<RunningApp> {
  const proc = spawn(options.python ?? appPython(), ["-B", APP_SERVER, "--bind", "127.0.0.1", "--port", "0", "--metrics-port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: options.env ?? process.env,
  });
  let out = "";
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise<RunningApp>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      proc.kill("SIGKILL");
      reject(new Error(`app ${args.join(" ")}: ${why}\nstdout: ${out}\nstderr: ${err}`));
    };
    const timer = setTimeout(() => fail(`no "listening on" line within ${options.startMs ?? 10_000} ms`), options.startMs ?? 10_000);
    proc.on("error", (e) => fail(`spawn failed: ${e.message}`));
    proc.once("exit", (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const listening = /^listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
      const metrics = /^metrics on 127\.0\.0\.1:(\d+)$/m.exec(out);
      if (settled || !listening || !metrics) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        base: `http://127.0.0.1:${listening[1]}`,
        metrics: `http://127.0.0.1:${metrics[1]}`,
        proc,
        output: () => out + err,
        stop,
      });
    });
  });
}
