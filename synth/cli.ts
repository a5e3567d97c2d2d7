/**
 * `npm run synth`: synthesizes both stacks offline, runs the DR invariants and the policy pack,
 * prints the summary, writes the plans and the report, and exits non-zero when something fails.
 *
 * Options, exit codes and an example: `npm run synth -- --help`, made from the one table in
 * synth/cliArgs.ts. A user's mistake (an option, a stack file, the config, the policy config) is
 * reported as one message and exit 1, never a stack trace (synth/cliErrors.ts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { checkOutDirectory, EXIT_CODES, OptionError, parseCliArgs, preflightStackFiles, readPolicyConfigFile, usage } from "./cliArgs";
import { describeFailure } from "./cliErrors";
import type { SynthesisResult, SynthesizeArgs } from "./synthesize";

/** Where the CLI writes its text: the process's streams, or a test's capture. */
export interface CliStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** What `runSynthCli` may be given besides the command line. */
export interface SynthCliOptions {
  /** Default: `process.stdout` and `process.stderr`. */
  streams?: CliStreams;
  /**
   * The synthesis to run, default synth/synthesize.ts `synthesize`, loaded only when a run gets that
   * far. Tests pass one that reuses an earlier synthesis of the same input (test/fixtures/cliRun.ts).
   */
  synthesize?: (args: SynthesizeArgs) => Promise<SynthesisResult>;
}

/**
 * `npm run synth` on `argv` (the arguments after the script, as `process.argv.slice(2)` holds
 * them), in this process: prints what the CLI prints on `streams` and resolves to its exit code
 * (EXIT_CODES in synth/cliArgs.ts: 0 ok, 1 a user's mistake, 2 a DR invariant, 3 a mandatory
 * policy, 4 an internal error). Never rejects: a failure is printed on stderr as one message
 * (synth/cliErrors.ts `describeFailure`, the stack trace only with `--debug`) and gives its exit code.
 * Relative paths in `argv` are read from the folder npm was run in (`INIT_CWD`, else `process.cwd()`:
 * synth/cliArgs.ts `userPath`); the project is this repository.
 */
export async function runSynthCli(argv: readonly string[], { streams = process, synthesize }: SynthCliOptions = {}): Promise<number> {
  const subjects = new Map<string, string>();
  try {
    return await main(argv, subjects, streams, synthesize);
  } catch (error) {
    const failure = describeFailure(error, { debug: argv.includes("--debug"), subjects });
    streams.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  }
}

/** Runs the CLI on `argv` (without `node` and the script) and returns its exit code. */
async function main(argv: readonly string[], subjects: Map<string, string>, { stdout }: CliStreams, injected: SynthCliOptions["synthesize"]): Promise<number> {
  const started = performance.now();
  const command = parseCliArgs(argv);
  if (command.kind === "help") {
    stdout.write(usage());
    return EXIT_CODES.ok.code;
  }
  const { options } = command;
  const projectDirectory = path.resolve(__dirname, "..");
  const files = preflightStackFiles(options, projectDirectory);
  for (const [file, subject] of files.subjects) subjects.set(file, subject);
  const outDirectory = checkOutDirectory(options.out, projectDirectory);
  const policyConfig = options.policyConfig === undefined ? undefined : readPolicyConfigFile(options.policyConfig);
  // Loaded here, not at the top, so that --help and argument errors need neither Pulumi nor the
  // program, and a module that fails to load is reported like any internal error.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const synthesize = injected ?? (require("./synthesize") as typeof import("./synthesize")).synthesize;
  const { policyCounts, renderMarkdown, renderSummary } = require("./report") as typeof import("./report");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const result = await synthesize({
    projectDirectory,
    policyConfig,
    ...(options.strategy ? { strategy: options.strategy } : {}),
    primaryStackFile: files.primaryStackFile,
    drStackFile: files.drStackFile,
  });
  writeOutputs(options.out, outDirectory, {
    [`${result.primary.stack}.plan.json`]: `${JSON.stringify(result.primary, null, 2)}\n`,
    [`${result.dr.stack}.plan.json`]: `${JSON.stringify(result.dr, null, 2)}\n`,
    "report.md": renderMarkdown(result),
  });
  stdout.write(`${renderSummary(result)}\n`);
  const failed = result.invariants.filter((invariant) => invariant.violations.length > 0);
  const mandatory = policyCounts(result.policies.primary).mandatory + policyCounts(result.policies.dr).mandatory;
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  stdout.write(
    `== wrote ${path.relative(process.env.INIT_CWD ?? process.cwd(), outDirectory) || "."}/{${result.primary.stack}.plan.json,${result.dr.stack}.plan.json,report.md}\n`,
  );
  stdout.write(
    `== synthesis of both stacks took ${seconds} s; ${result.invariants.length - failed.length} of ${result.invariants.length} DR invariant checks pass; ${mandatory} mandatory policy violations\n`,
  );
  if (failed.length > 0) return EXIT_CODES.invariant.code;
  return mandatory === 0 ? EXIT_CODES.ok.code : EXIT_CODES.mandatoryPolicy.code;
}

/**
 * Writes the plans and the report into `--out`, creating it.
 * @throws OptionError when the folder cannot be created or written (permissions, a file in the way).
 */
function writeOutputs(out: string, outDirectory: string, files: Record<string, string>): void {
  try {
    mkdirSync(outDirectory, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(outDirectory, name), text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    throw new OptionError("--out", out, `cannot write the plans and the report there (${(error as Error).message}); pass a folder you can write to`);
  }
}

// Run as a script (`tsx synth/cli.ts`, `node --import tsx synth/cli.ts`), not when a test imports it.
if (require.main === module) void runSynthCli(process.argv.slice(2)).then((code) => process.exit(code));
