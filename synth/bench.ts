/**
 * `npm run bench [-- --only synth,drill,rehearse,test]` (synth/bench.ts): the wall time of what a contributor waits
 * for, measured on this machine and printed with its core count and load (figures from a loaded
 * machine are not comparable with an idle one's):
 *
 * - synthesis, per stack: `synthesize()` (synth/synthesize.ts) on the repository's stack files, in
 *   this process, twice: the first run pays for loading the program and the SDKs (what
 *   `npm run synth` pays), the second shows a synthesis on its own (what a test process pays per
 *   distinct input). Each run's own timings: primary stack, DR stack, DR invariants, policy pack.
 * - the offline drill (`npm run drill:offline`), the rehearsal (`npm run rehearse`, a real local
 *   PostgreSQL pair) and the test suite (`npm test`), each as a child process, its output kept in a
 *   log file under the OS temporary folder (printed when it fails).
 *
 * Exit codes: 0 every part ran and succeeded, 1 a part failed (its exit code and log are printed),
 * 2 a bad option.
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";

const PROJECT = path.join(__dirname, "..");

/** The parts of the bench, in the order they run. */
export const PARTS = ["synth", "drill", "rehearse", "test"] as const;
export type Part = (typeof PARTS)[number];

/**
 * The parts `--only` names (comma-separated, repeatable), every part when it is absent.
 * @throws Error naming the unknown part and the known ones.
 */
export function partsOf(only: readonly string[] | undefined): Part[] {
  if (only === undefined || only.length === 0) return [...PARTS];
  const named = only.flatMap((value) => value.split(",")).map((value) => value.trim());
  for (const name of named) {
    if (!(PARTS as readonly string[]).includes(name)) throw new Error(`--only ${name}: unknown part; use one or more of ${PARTS.join(", ")}`);
  }
  return PARTS.filter((part) => named.includes(part));
}

/** Seconds with one decimal, e.g. `12.3 s`. */
export function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)} s`;
}

/** One timed command: its wall time in milliseconds, its exit code (null when killed) and its log. */
export interface CommandTiming {
  milliseconds: number;
  exitCode: number | null;
  log: string;
}

/** Runs `npm run <script>` in the project folder, output to a log file, and times it. */
export function timeNpmScript(script: string, logFolder: string): Promise<CommandTiming> {
  const log = path.join(logFolder, `${script.replace(/[^a-z0-9]+/gi, "-")}.log`);
  const output = createWriteStream(log);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "-s", script], { cwd: PROJECT, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(output, { end: false });
    child.stderr.pipe(output, { end: false });
    child.on("error", reject);
    child.on("close", (exitCode) => {
      output.end(() => resolve({ milliseconds: performance.now() - started, exitCode, log }));
    });
  });
}

async function benchSynthesis(print: (line: string) => void): Promise<void> {
  const loading = performance.now();
  // Loaded here so that the other parts do not pay for the program and the SDKs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { synthesize } = require("./synthesize") as typeof import("./synthesize");
  for (const run of ["first (loads the program)", "second (loaded)"]) {
    const started = performance.now();
    const result = await synthesize({ projectDirectory: PROJECT });
    const { primaryMilliseconds, drMilliseconds, invariantsMilliseconds, policiesMilliseconds } = result.timings;
    const total = performance.now() - (run.startsWith("first") ? loading : started);
    print(
      `synthesis, ${run}: ${seconds(total)} in all; primary stack ${seconds(primaryMilliseconds)} (${result.primary.resources.length} resources), ` +
        `DR stack ${seconds(drMilliseconds)} (${result.dr.resources.length} resources), DR invariants ${seconds(invariantsMilliseconds)}, policy pack ${seconds(policiesMilliseconds)}`,
    );
  }
}

async function main(): Promise<number> {
  let parts: Part[];
  try {
    const { values } = parseArgs({ options: { only: { type: "string", multiple: true } } });
    parts = partsOf(values.only);
  } catch (error) {
    console.error(`bench: ${(error as Error).message}`);
    return 2;
  }
  const load = () =>
    loadavg()
      .map((value) => value.toFixed(2))
      .join(", ");
  console.log(`== bench on ${availableParallelism()} cores, load average ${load()} (1, 5, 15 min)`);
  const logFolder = mkdtempSync(path.join(tmpdir(), "bench-"));
  let failed = false;
  const commands: Record<Exclude<Part, "synth">, { script: string; what: string }> = {
    drill: { script: "drill:offline", what: "offline drill (npm run drill:offline)" },
    rehearse: { script: "rehearse", what: "rehearsal (npm run rehearse)" },
    test: { script: "test", what: "test suite (npm test)" },
  };
  for (const part of parts) {
    if (part === "synth") {
      await benchSynthesis((line) => console.log(`- ${line}`));
      continue;
    }
    const { script, what } = commands[part];
    const timing = await timeNpmScript(script, logFolder);
    const verdict = timing.exitCode === 0 ? "" : `; FAILED with exit code ${timing.exitCode}, see ${timing.log}`;
    if (timing.exitCode !== 0) failed = true;
    console.log(`- ${what}: ${seconds(timing.milliseconds)}${verdict}`);
  }
  console.log(`== done, load average ${load()}`);
  return failed ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error((error as Error).stack ?? String(error));
      process.exit(1);
    },
  );
}
