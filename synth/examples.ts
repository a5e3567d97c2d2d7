/**
 * `npm run synth:examples`: runs the synthesis CLI (`npm run synth`) on every example under
 * `examples/`, as a user with those regions and sizes would, and checks each exit code against the
 * one the example declares: 0 unless its `Pulumi.dr.yaml` says otherwise in a comment line
 * `# synth-expects-exit: <code> <why>` (an example that knowingly misses a target). Prints one line
 * per example and a closing `N passed, N failed` line; each example's plans and report go to
 * `<out>/<example>/`.
 *
 * Usage: tsx synth/examples.ts [--out DIR] [EXAMPLE ...]   (default out/synth/examples, every example)
 * Exit codes: 0 every example exited as declared; 1 one did not, or an example folder is incomplete.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";

/** An example: its folder and the exit code its synthesis must end with. */
export interface Example {
  name: string;
  directory: string;
  primaryStackFile: string;
  drStackFile: string;
  /** 0, or the code declared by `# synth-expects-exit: <code> <why>` in the DR stack file. */
  expectedExitCode: number;
  /** Why the example expects a non-zero code, as declared. */
  expectedBecause?: string;
}

const DECLARATION = /^#\s*synth-expects-exit:\s*(\d)\b\s*(.*)$/m;

/**
 * The examples under `examplesDirectory`, by name.
 * @throws Error naming a folder that lacks `Pulumi.primary.yaml` or `Pulumi.dr.yaml`.
 */
export function listExamples(examplesDirectory: string): Example[] {
  return readdirSync(examplesDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const directory = path.join(examplesDirectory, name);
      const primaryStackFile = path.join(directory, "Pulumi.primary.yaml");
      const drStackFile = path.join(directory, "Pulumi.dr.yaml");
      const lacking = [primaryStackFile, drStackFile].filter((file) => !existsSync(file));
      if (lacking.length > 0) throw new Error(`example ${name} lacks ${lacking.map((file) => path.basename(file)).join(" and ")}: add both stack files`);
      const declared = DECLARATION.exec(readFileSync(drStackFile, "utf8"));
      return {
        name,
        directory,
        primaryStackFile,
        drStackFile,
        expectedExitCode: declared ? Number(declared[1]) : 0,
        ...(declared ? { expectedBecause: declared[2].trim() } : {}),
      };
    });
}

/** What one example's synthesis did. */
export interface ExampleRun {
  example: Example;
  exitCode: number;
  /** The CLI's last line (its summary) or its error. */
  summary: string;
  seconds: number;
}

/** Runs the synthesis CLI on one example, writing to `outDirectory/<name>`. */
export function runExample(example: Example, outDirectory: string): ExampleRun {
  const started = performance.now();
  const cli = path.join(__dirname, "cli.ts");
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", cli, "--primary", example.primaryStackFile, "--dr", example.drStackFile, "--out", path.join(outDirectory, example.name)],
    { cwd: path.resolve(__dirname, ".."), encoding: "utf8" },
  );
  const lines = `${result.stdout ?? ""}\n${result.stderr ?? ""}`.split("\n").filter((line) => line.trim() !== "");
  const summary = [...lines].reverse().find((line) => line.startsWith("== synthesis")) ?? lines.slice(-3).join(" | ");
  return { example, exitCode: result.status ?? 1, summary, seconds: (performance.now() - started) / 1000 };
}

function main(): number {
  const { values, positionals } = parseArgs({ options: { out: { type: "string", default: "out/synth/examples" } }, allowPositionals: true, strict: true });
  const examplesDirectory = path.resolve(__dirname, "..", "examples");
  const all = listExamples(examplesDirectory);
  const unknown = positionals.filter((name) => !all.some((example) => example.name === name));
  if (unknown.length > 0) {
    console.error(`no example named ${unknown.join(", ")}; the examples are ${all.map((example) => example.name).join(", ")}`);
    return 1;
  }
  const chosen = positionals.length > 0 ? all.filter((example) => positionals.includes(example.name)) : all;
  let failed = 0;
  for (const example of chosen) {
    const run = runExample(example, path.resolve(values.out!));
    const ok = run.exitCode === example.expectedExitCode;
    if (!ok) failed += 1;
    const expected = example.expectedExitCode === 0 ? "exit 0" : `exit ${example.expectedExitCode} as declared (${example.expectedBecause})`;
    console.log(`${ok ? "[pass]" : "[FAIL]"} ${example.name}: exit ${run.exitCode}, expected ${expected}, ${run.seconds.toFixed(1)} s: ${run.summary}`);
  }
  console.log(`examples: ${chosen.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
