/**
 * `npm run synth` on a user's mistakes: the exit code, the one message on stderr, and no stack
 * trace unless --debug. The functions behind it are tested directly in the other files of this
 * folder; these runs check that the CLI wires them up. They run in this process (synth/cli.ts
 * `runSynthCli`, test/fixtures/cliRun.ts), except one spawned run of the real script for the
 * process boundary: node's argv, the exit code, stderr apart from stdout.
 */
import { spawnSync } from "node:child_process";
import fs, { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { synthInProcess, type CliRun } from "../fixtures/cliRun";
import { writableStackFile } from "../fixtures/stackFiles";

const ROOT = path.join(__dirname, "..", "..");
const STACK_FRAME = "    at ";

/** Runs the CLI in this process, as from the repository root. */
const synth = (args: string[]): Promise<CliRun> => synthInProcess(args);

/** Expects exit `code` with exactly `message` (a line, or a pattern) on stderr, and no stack frame. */
function expectFailure(run: { status: number | null; stderr: string }, code: number, message: string | RegExp): void {
  expect(run.status, run.stderr).to.equal(code);
  expect(run.stderr).not.to.include(STACK_FRAME);
  if (typeof message === "string") expect(run.stderr).to.equal(`${message}\n`);
  else expect(run.stderr).to.match(message);
}

function fileWith(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "synth-cli-")), name);
  writeFileSync(file, text);
  return file;
}

describe("npm run synth on a user's mistakes (synth/cli.ts)", function () {
  this.timeout(60000);

  it("--help prints the usage on stdout and exits 0", async () => {
    const run = await synth(["--help"]);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stderr).to.equal("");
    expect(run.stdout).to.match(/^Usage: npm run synth -- \[options\]/);
    expect(run.stdout).to.include("--policy-config FILE").and.include("Exit codes:").and.include("  4  an internal error").and.include("Example:");
  });

  it("an unknown option, in a process of its own: names it on stderr, suggests the right one, exit 1", () => {
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, "synth", "cli.ts"), "--out", mkdtempSync(path.join(tmpdir(), "synth-cli-")), "--prmary", "Pulumi.primary.yaml"],
      { cwd: ROOT, encoding: "utf8" },
    );
    expectFailure(run, 1, "unknown option --prmary (did you mean --primary?); see --help");
    expect(run.stdout).to.equal("");
  });

  it("a missing stack file: names the option and the path, exit 1", async () => {
    expectFailure(
      await synth(["--primary", "nope.yaml"]),
      1,
      "--primary nope.yaml: no such file; pass the path of an existing stack file, Pulumi.<stack>.yaml",
    );
  });

  it("a YAML syntax error: the file, line, column and the parser's reason, exit 1", async () => {
    // This test rewrites its file, so it gets a copy of its own, not one shared with other tests.
    const file = writableStackFile("Pulumi.dr.yaml", () => undefined);
    writeFileSync(file, readFileSync(file, "utf8").replace("  aws:region: us-west-2\n", "  aws:region: us-west-2\n  aws:region: us-east-2\n"));
    expectFailure(await synth(["--dr", file]), 1, `--dr ${file}: is not valid YAML at line 3, column 3: Map keys must be unique; fix it and run again`);
  });

  it("a secret value: names the file and the key and what to do, exit 1", async () => {
    const file = fileWith("Pulumi.primary.yaml", "config:\n  aws:region: us-east-1\n  multi-region-dr:role: primary\n  aws:secretKey:\n    secure: AAABAJ\n");
    expectFailure(
      await synth(["--primary", file]),
      1,
      `--primary ${file}: aws:secretKey is a secret (secure:), which offline synthesis cannot decrypt; ` +
        "remove it from this file and pass it through a Pulumi ESC environment or an environment variable instead",
    );
  });

  it("the primary and DR files swapped: says which has which role and to swap them, exit 1", async () => {
    const run = await synth(["--primary", "Pulumi.dr.yaml", "--dr", "Pulumi.primary.yaml"]);
    expectFailure(run, 1, /^The primary and DR stack files are swapped; swap them: --primary Pulumi\.primary\.yaml --dr Pulumi\.dr\.yaml:\n/);
    expect(run.stdout, "nothing was synthesized").to.equal("");
  });

  it("primaryStack naming another stack: the key, the value and the expected name, exit 1", async () => {
    const file = writableStackFile("Pulumi.dr.yaml", (config) => (config["multi-region-dr:primaryStack"] = "organization/multi-region-dr/prod"));
    const run = await synth(["--dr", file]);
    expectFailure(
      run,
      1,
      /^Invalid configuration for stack "dr" \(.*Pulumi\.dr\.yaml\):\n {2}- multi-region-dr:primaryStack \(found: "organization\/multi-region-dr\/prod"\): .*set it to organization\/multi-region-dr\/primary /,
    );
    expect(run.stdout).to.equal("");
  });

  describe("a bug (here fs.statSync failing without an error code on the primary stack file, for the run's length)", () => {
    /** The CLI run with `fs.statSync` throwing a plain Error for Pulumi.primary.yaml, restored after. */
    async function synthWithBug(args: string[]): Promise<CliRun> {
      const statSync = fs.statSync;
      const failing = (file: fs.PathLike, ...rest: unknown[]) => {
        if (String(file).endsWith("Pulumi.primary.yaml")) throw new Error("simulated bug in statSync");
        return (statSync as (...all: unknown[]) => unknown)(file, ...rest);
      };
      // The module object itself (a default import), whose statSync synth/stackFile.ts reads when it calls it.
      const writable = fs as { statSync: typeof fs.statSync };
      writable.statSync = failing as typeof fs.statSync;
      try {
        return await synth(args);
      } finally {
        writable.statSync = statSync;
      }
    }

    it("is one line 'internal error: ...' and exit 4", async () => {
      expectFailure(await synthWithBug([]), 4, "internal error: simulated bug in statSync (a bug: please report it; rerun with --debug for the stack trace)");
    });

    it("with --debug, prints the stack trace", async () => {
      const run = await synthWithBug(["--debug"]);
      expect(run.status, run.stderr).to.equal(4);
      expect(run.stderr).to.match(/^internal error: Error: simulated bug in statSync\n/);
      expect(run.stderr).to.include(STACK_FRAME).and.include("preflightStackFile");
    });
  });
});
