/**
 * `npm run synth:sweep`: the synthesis checked on a wide set of realistic configurations and of single
 * mistakes, not only on the examples.
 *
 * - Configurations (synth/sweep/configurations.ts): each must synthesize with every DR invariant
 *   passing, no mandatory policy violation, and a cost estimate that returns (unpriced lines allowed,
 *   and counted).
 * - Mistakes (synth/sweep/mistakes.ts): one wrong value each on the repository's stack files; each
 *   must end as the CLI's exit 1, a ConfigError (or its StackFileError) whose message names the key
 *   the mistake is in, with no stack trace: never an internal error, never silent acceptance.
 *
 * Each case's pair is written into a temporary folder and run the way `npm run synth` runs it
 * (`preflightStackFiles`, then `synthesize`, a failure reported by `describeFailure`), in worker
 * processes (Pulumi's mock runtime is global to a process, so a process runs one synthesis at a time).
 * Prints one line per failing case with its reason, the counts per group, the unpriced fixed charges
 * across configurations, the wall time, and last `sweep: N passed, N failed`.
 *
 * Usage: tsx synth/sweep.ts [--only SUBSTRING] [--jobs N] [--list] [--verbose]
 *   --only    run only the cases whose "<group> <name>" contains SUBSTRING (case-sensitive)
 *   --jobs    worker processes, default min(2, available cores); 1 runs in this process
 *   --list    print the cases and exit
 *   --verbose print every case, passed or not
 * Exit codes: 0 every case passed; 1 a case failed, or the options are wrong.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, formatProblem } from "../config/errors";
import { EXIT_CODES, preflightStackFiles } from "./cliArgs";
import { describeFailure } from "./cliErrors";
import { CONFIGURATIONS } from "./sweep/configurations";
import { MISTAKES, type Expectation } from "./sweep/mistakes";
import { type PairEdit, writeStackPair } from "./sweep/stackFiles";
import type { SynthesisResult } from "./synthesize";

export type { Expectation };

/** The two groups of the sweep. */
export type Group = "configuration" | "mistake";

/** One case: a pair of stack files and, for a mistake, the error it must give. */
export interface SweepCase {
  group: Group;
  name: string;
  edit: PairEdit;
  /** A mistake's expected error. */
  expect?: Expectation;
}

/** What a synthesis did, reduced to what the verdicts need (no live objects, so tests can build one). */
export type Outcome =
  | {
      kind: "synthesized";
      /** `<invariant>: <first violation>` of each failed DR invariant. */
      failedInvariants: string[];
      /** `<stack>: <policy>: <message>` of each mandatory policy violation. */
      mandatoryViolations: string[];
      /** Fixed charges without a price, both stacks. */
      unpriced: number;
      /** The cost estimate's error, when it threw. */
      costError?: string;
    }
  | {
      kind: "error";
      error: unknown;
      /** How the CLI names each stack file (absolute path -> `--primary x.yaml`), for `describeFailure`. */
      subjects?: ReadonlyMap<string, string>;
    };

/** A case's result. */
export interface Verdict {
  passed: boolean;
  /** Why it failed, or what it did when it passed; one line. */
  reason: string;
  /** Unpriced fixed charges of a synthesized configuration. */
  unpriced: number;
}

/** Every case, configurations first, in a fixed order (worker processes address cases by index). */
export const CASES: readonly SweepCase[] = [
  ...CONFIGURATIONS.map((configuration): SweepCase => ({ group: "configuration", ...configuration })),
  ...MISTAKES.map((mistake): SweepCase => ({ group: "mistake", ...mistake })),
];

/** A message as one line: its lines joined with ` | `, at most `limit` characters. */
export function oneLine(text: string, limit = 600): string {
  const joined = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join(" | ");
  return joined.length > limit ? `${joined.slice(0, limit - 3)}...` : joined;
}

/** A line of a JavaScript stack trace (`    at f (file.ts:1:2)`). */
const STACK_TRACE_LINE = /^\s*at\s.*(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;

/** The outcome of a synthesis that returned. @param estimate the cost estimate of a stack's plan (may throw). */
export function summarize(result: SynthesisResult, estimate: (plan: SynthesisResult["primary"]) => { unpriced: unknown[] }): Outcome {
  const failedInvariants = result.invariants
    .filter((invariant) => invariant.violations.length > 0)
    .map((invariant) => `(${invariant.id}) ${invariant.title.split(":")[0]}: ${oneLine(invariant.violations.join("\n"), 400)}`);
  const mandatoryViolations = (["primary", "dr"] as const).flatMap((stack) =>
    result.policies[stack].violations
      .filter((violation) => violation.enforcementLevel === "mandatory")
      .map((violation) => `${stack}: ${violation.policy}${violation.resource ? ` on ${violation.resource}` : ""}: ${oneLine(violation.message, 300)}`),
  );
  let unpriced = 0;
  let costError: string | undefined;
  try {
    unpriced = estimate(result.primary).unpriced.length + estimate(result.dr).unpriced.length;
  } catch (error) {
    costError = oneLine(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  }
  return { kind: "synthesized", failedInvariants, mandatoryViolations, unpriced, ...(costError !== undefined ? { costError } : {}) };
}

/** A realistic configuration passes when it synthesizes, every invariant and mandatory policy passes, and the cost estimate returns. */
export function judgeConfiguration(outcome: Outcome): Verdict {
  if (outcome.kind === "error") {
    const failure = describeFailure(outcome.error, { subjects: outcome.subjects });
    return { passed: false, reason: `exit ${failure.exitCode}: ${oneLine(failure.message)}`, unpriced: 0 };
  }
  const problems = [
    ...outcome.failedInvariants.map((text) => `invariant ${text}`),
    ...outcome.mandatoryViolations.map((text) => `mandatory policy ${text}`),
    ...(outcome.costError !== undefined ? [`cost estimate threw ${outcome.costError}`] : []),
  ];
  if (problems.length > 0) return { passed: false, reason: problems.join("; "), unpriced: outcome.unpriced };
  return { passed: true, reason: `synthesized; ${outcome.unpriced} unpriced fixed charges`, unpriced: outcome.unpriced };
}

/** True when `key` is `expected` or a key inside it (`...:monitoring.alertEmails.0` inside `...:monitoring.alertEmails`). */
function isKeyOrInside(key: string, expected: string): boolean {
  return key === expected || key.startsWith(`${expected}.`);
}

/**
 * A mistake passes when the run ends as the CLI's config error (exit 1), a ConfigError whose message
 * names the expected key (or, for a problem with a file as a whole, the file and what is wrong with
 * it), with no stack trace. Anything else fails: an internal error, another key, silent acceptance.
 */
export function judgeMistake(expect: Expectation, outcome: Outcome): Verdict {
  const fail = (reason: string): Verdict => ({ passed: false, reason, unpriced: 0 });
  if (outcome.kind === "synthesized") {
    const findings = [...outcome.failedInvariants.map((text) => `invariant ${text}`), ...outcome.mandatoryViolations.map((text) => `policy ${text}`)];
    return findings.length === 0
      ? fail("silently accepted: both stacks synthesized, every invariant and mandatory policy passed")
      : fail(`not a config error: both stacks synthesized, then ${findings.join("; ")}`);
  }
  const failure = describeFailure(outcome.error, { subjects: outcome.subjects });
  if (failure.exitCode !== EXIT_CODES.config.code) return fail(`exit ${failure.exitCode}, not a config error: ${oneLine(failure.message)}`);
  if (STACK_TRACE_LINE.test(failure.message)) return fail(`the message carries a stack trace: ${oneLine(failure.message)}`);
  const error = outcome.error;
  if (!(error instanceof ConfigError)) return fail(`a ${(error as Error).name}, not a ConfigError: ${oneLine(failure.message)}`);
  if ("file" in expect) {
    if (failure.message.includes(expect.file) && failure.message.includes(expect.says)) return { passed: true, reason: oneLine(failure.message), unpriced: 0 };
    return fail(`does not say "${expect.says}" of ${expect.file}: ${oneLine(failure.message)}`);
  }
  const named = error.problems.map((problem) => problem.key);
  const hit = error.problems.find((problem) => expect.keys.some((expected) => isKeyOrInside(problem.key, expected)));
  if (hit === undefined) {
    return fail(`names ${named.length > 0 ? named.join(", ") : "no key"} instead of ${expect.keys.join(" or ")}: ${oneLine(failure.message)}`);
  }
  if (!failure.message.includes(hit.key)) return fail(`the printed message does not show the key ${hit.key}: ${oneLine(failure.message)}`);
  return { passed: true, reason: oneLine(formatProblem(hit)), unpriced: 0 };
}

/** Runs one case the way `npm run synth` would, its stack files written under `directory`. */
export async function runCase(sweepCase: SweepCase, projectDirectory: string, directory: string): Promise<Verdict> {
  let outcome: Outcome;
  let subjects: ReadonlyMap<string, string> | undefined;
  try {
    const files = writeStackPair(projectDirectory, directory, sweepCase.edit);
    const preflight = preflightStackFiles({ primary: files.primaryStackFile, dr: files.drStackFile }, projectDirectory);
    subjects = preflight.subjects;
    // Loaded here so that --list and the parent of the workers load neither Pulumi nor the program.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { synthesize } = require("./synthesize") as typeof import("./synthesize");
    const { estimateMonthlyCost } = require("../cost/estimate") as typeof import("../cost/estimate");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const result = await synthesize({ projectDirectory, primaryStackFile: preflight.primaryStackFile, drStackFile: preflight.drStackFile });
    outcome = summarize(result, estimateMonthlyCost);
  } catch (error) {
    outcome = { kind: "error", error, ...(subjects ? { subjects } : {}) };
  }
  if (sweepCase.group === "configuration") return judgeConfiguration(outcome);
  if (!sweepCase.expect) return { passed: false, reason: "a mistake without an expected error (a bug in the sweep's data)", unpriced: 0 };
  return judgeMistake(sweepCase.expect, outcome);
}

/** The folder of a case under the sweep's temporary root. */
function caseDirectory(root: string, index: number): string {
  return path.join(root, `case-${String(index).padStart(3, "0")}`);
}

const PROJECT_DIRECTORY = path.resolve(__dirname, "..");

/** Messages between the sweep and its worker processes. */
type ToWorker = { index: number; root: string };
type FromWorker = { index: number; verdict: Verdict };

/** A worker process: runs the cases it is sent, one at a time, and sends back each verdict. */
function workerMain(): void {
  process.on("message", (message: ToWorker) => {
    const sweepCase = CASES[message.index];
    runCase(sweepCase, PROJECT_DIRECTORY, caseDirectory(message.root, message.index)).then(
      (verdict) => process.send!({ index: message.index, verdict } satisfies FromWorker),
      (error: unknown) =>
        process.send!({
          index: message.index,
          verdict: { passed: false, reason: `the sweep failed on this case: ${String(error)}`, unpriced: 0 },
        } satisfies FromWorker),
    );
  });
}

/** Runs `indexes` on `jobs` worker processes (a new one replaces one that dies, its case failed). */
function runOnWorkers(indexes: readonly number[], jobs: number, root: string): Promise<Map<number, Verdict>> {
  const verdicts = new Map<number, Verdict>();
  const queue = [...indexes];
  return new Promise((resolve) => {
    let running = 0;
    const start = () => {
      if (queue.length === 0) return;
      running += 1;
      const worker: ChildProcess = fork(__filename, ["--worker"], {
        cwd: PROJECT_DIRECTORY,
        execArgv: ["--import", "tsx"],
        stdio: ["ignore", "ignore", "pipe", "ipc"],
      });
      let stderr = "";
      worker.stderr?.on("data", (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4000);
      });
      let current: number | undefined;
      const next = () => {
        current = queue.shift();
        if (current === undefined) worker.disconnect();
        else worker.send({ index: current, root } satisfies ToWorker);
      };
      worker.on("message", (message: FromWorker) => {
        verdicts.set(message.index, message.verdict);
        next();
      });
      worker.on("exit", (code, signal) => {
        running -= 1;
        if (current !== undefined && !verdicts.has(current)) {
          const how = signal ? `signal ${signal}` : `code ${code}`;
          verdicts.set(current, {
            passed: false,
            reason: `the synthesis process died (${how}): ${oneLine(stderr.split("\n").slice(-6).join("\n"), 400)}`,
            unpriced: 0,
          });
          start();
        }
        if (running === 0 && queue.length === 0) resolve(verdicts);
      });
      next();
    };
    for (let job = 0; job < Math.min(jobs, queue.length); job++) start();
    if (queue.length === 0 && running === 0) resolve(verdicts);
  });
}

/** Runs `indexes` one after another in this process. */
async function runHere(indexes: readonly number[], root: string): Promise<Map<number, Verdict>> {
  const verdicts = new Map<number, Verdict>();
  for (const index of indexes) verdicts.set(index, await runCase(CASES[index], PROJECT_DIRECTORY, caseDirectory(root, index)));
  return verdicts;
}

/** The closing lines of a sweep. */
export function summaryLines(cases: readonly SweepCase[], verdicts: readonly Verdict[], seconds: number, jobs: number): string[] {
  const count = (group: Group, passed: boolean) => cases.filter((sweepCase, index) => sweepCase.group === group && verdicts[index].passed === passed).length;
  const unpriced = cases.reduce((sum, sweepCase, index) => sum + (sweepCase.group === "configuration" ? verdicts[index].unpriced : 0), 0);
  const withUnpriced = cases.filter((sweepCase, index) => sweepCase.group === "configuration" && verdicts[index].unpriced > 0).length;
  const configurations = cases.filter((sweepCase) => sweepCase.group === "configuration").length;
  const failed = verdicts.filter((verdict) => !verdict.passed).length;
  return [
    `configurations: ${count("configuration", true)} passed, ${count("configuration", false)} failed`,
    `mistakes: ${count("mistake", true)} passed, ${count("mistake", false)} failed`,
    `unpriced fixed charges across configurations: ${unpriced} (in ${withUnpriced} of ${configurations} configurations)`,
    `wall time: ${seconds.toFixed(1)} s (${jobs} ${jobs === 1 ? "process" : "worker processes"})`,
    `sweep: ${verdicts.length - failed} passed, ${failed} failed`,
  ];
}

async function main(): Promise<number> {
  const started = performance.now();
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      jobs: { type: "string" },
      list: { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
    },
    strict: true,
  });
  const label = (sweepCase: SweepCase) => `${sweepCase.group} ${sweepCase.name}`;
  const indexes = CASES.map((_, index) => index).filter((index) => values.only === undefined || label(CASES[index]).includes(values.only));
  if (indexes.length === 0) {
    console.error(`no case matches --only ${JSON.stringify(values.only)}; --list prints them`);
    return 1;
  }
  if (values.list) {
    for (const index of indexes) console.log(label(CASES[index]));
    return 0;
  }
  const jobs = values.jobs === undefined ? Math.min(2, availableParallelism()) : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    console.error(`--jobs must be a whole number of at least 1, got ${JSON.stringify(values.jobs)}`);
    return 1;
  }
  const root = mkdtempSync(path.join(tmpdir(), "synth-sweep-"));
  let verdicts: Map<number, Verdict>;
  try {
    verdicts = jobs === 1 ? await runHere(indexes, root) : await runOnWorkers(indexes, jobs, root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const cases = indexes.map((index) => CASES[index]);
  const results = indexes.map((index) => verdicts.get(index)!);
  for (const [position, sweepCase] of cases.entries()) {
    const verdict = results[position];
    if (!verdict.passed || values.verbose) console.log(`${verdict.passed ? "[pass]" : "[FAIL]"} ${label(sweepCase)}: ${verdict.reason}`);
  }
  for (const line of summaryLines(cases, results, (performance.now() - started) / 1000, Math.min(jobs, indexes.length))) console.log(line);
  return results.every((verdict) => verdict.passed) ? 0 : 1;
}

if (require.main === module) {
  if (process.argv.includes("--worker")) {
    workerMain();
  } else {
    main().then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        console.error(error instanceof Error ? error.message : String(error));
        process.exitCode = 1;
      },
    );
  }
}
