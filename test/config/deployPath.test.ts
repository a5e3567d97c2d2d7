/**
 * The default deploy path, from the stack files to the workflows: every job that runs Pulumi against
 * the cloud first passes preflight.yml, which (touching no AWS) refuses a monitoring cluster whose
 * Kubernetes API the runner cannot reach. The preflight's own steps run here, as bash runs them on
 * a runner, against stack files synthesized offline: the repository's (a private endpoint, refused on
 * a GitHub-hosted runner), a public endpoint for the runner's address (passes) or for another one
 * (refused), and a DR stack that runs no cluster. The plans come from the same CLI run in this
 * process (test/fixtures/cliRun.ts; a fresh `npm run synth` costs about 5 s of CPU, and CI runs the
 * real one on its own). The `synthesize` step's script runs as bash runs it, with an `npm` on the
 * PATH that records its arguments and writes those plans (or fails): what the step passes to
 * `npm run synth`, what it does with a failure and what it hands to the next step are its own.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { readStackConfigFile } from "../../synth/stackFile";
import { synthInProcess } from "../fixtures/cliRun";
import { editedStackFiles, type StackEdit } from "../fixtures/stackFiles";
import { NS } from "./fixtures";

const ROOT = path.join(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const RUNS_ON = "${{ vars.PULUMI_RUNS_ON || 'ubuntu-latest' }}";

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Job {
  uses?: string;
  needs?: string | string[];
  "runs-on"?: string;
  permissions?: Record<string, string>;
  steps?: Step[];
}
const workflow = (file: string) => parse(readFileSync(path.join(WORKFLOWS, file), "utf8")) as { jobs: Record<string, Job> };
const needsOf = (job: Job) => (Array.isArray(job.needs) ? job.needs : job.needs === undefined ? [] : [job.needs]);
const preflightSteps = () => workflow("preflight.yml").jobs["kubernetes-api"].steps!;
const step = (id: string) => preflightSteps().find((candidate) => candidate.id === id)!;

/**
 * Runs a step's script as a runner's bash does (`bash --noprofile --norc -eo pipefail`), from the
 * repository root, without blocking this process; resolves to its exit code and its stdout followed
 * by its stderr.
 */
function runStep(id: string, env: Record<string, string>): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step(id).run!], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      timeout: 120000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, output: `${stdout}${stderr}` }));
  });
}

/**
 * A folder holding an `npm` for the `synthesize` step: it writes its arguments, one per line, to
 * `<folder>/arguments`, copies the plans folder `plans` to the folder after `--out`, prints `output`
 * and exits with `status`.
 */
function fakeNpm(plans: string, { status = 0, output = "" }: { status?: number; output?: string } = {}): string {
  const folder = mkdtempSync(path.join(tmpdir(), "fake-npm-"));
  const script = [
    "#!/usr/bin/env bash",
    `printf '%s\\n' "$@" > ${shellQuoted(path.join(folder, "arguments"))}`,
    'while [ $# -gt 0 ]; do if [ "$1" = --out ]; then out=$2; fi; shift; done',
    `mkdir -p "$out" && cp -R ${shellQuoted(plans)}/. "$out"/`,
    `printf '%s' ${shellQuoted(output)}`,
    `exit ${status}`,
  ].join("\n");
  writeFileSync(path.join(folder, "npm"), `${script}\n`);
  chmodSync(path.join(folder, "npm"), 0o755);
  return folder;
}

/** `text` as one bash word, taken literally (single quotes; a quote inside is closed, escaped and reopened). */
function shellQuoted(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/**
 * Runs the preflight's `synthesize` step for a pair of stack files, with `npm` from `npmFolder`
 * (fakeNpm); resolves to its exit code and output, the folder it reported in GITHUB_OUTPUT (or
 * undefined) and where it was told to write (RUNNER_TEMP/preflight).
 */
async function synthesizeStep(
  files: { primaryStackFile: string; drStackFile: string },
  npmFolder: string,
): Promise<{ status: number | null; output: string; reported?: string; expected: string; runnerTemp: string }> {
  const runnerTemp = mkdtempSync(path.join(tmpdir(), "runner-temp-"));
  const outputs = path.join(runnerTemp, "github-output");
  writeFileSync(outputs, "");
  const { status, output } = await runStep("synthesize", {
    PATH: `${npmFolder}:${process.env.PATH}`,
    RUNNER_TEMP: runnerTemp,
    GITHUB_OUTPUT: outputs,
    PRIMARY_STACK_FILE: files.primaryStackFile,
    DR_STACK_FILE: files.drStackFile,
  });
  return { status, output, reported: /^plans=(.+)$/m.exec(readFileSync(outputs, "utf8"))?.[1], expected: path.join(runnerTemp, "preflight"), runnerTemp };
}

/**
 * The plans folder the `synthesize` step would write for a pair of stack files
 * (`npm run synth -- --primary ... --dr ... --out "$RUNNER_TEMP/preflight"`), by the same CLI run in this process.
 */
async function plansInProcess(files: { primaryStackFile: string; drStackFile: string }): Promise<string> {
  const plans = path.join(mkdtempSync(path.join(tmpdir(), "runner-temp-")), "preflight");
  const run = await synthInProcess(["--primary", files.primaryStackFile, "--dr", files.drStackFile], { out: plans });
  expect(run.status, `${run.stdout}${run.stderr}`).to.equal(0);
  return plans;
}

/** The preflight's check on those plans, on a runner of `environment` whose public address is `egress`. */
function check(
  files: { primaryStackFile: string; drStackFile: string },
  plans: string,
  runner: { environment: "github-hosted" | "self-hosted"; egress: string; privateReachable?: boolean },
) {
  return runStep("kubernetes-api", {
    PLANS: plans,
    PRIMARY_STACK_FILE: files.primaryStackFile,
    DR_STACK_FILE: files.drStackFile,
    RUNNER_ENVIRONMENT: runner.environment,
    PREFLIGHT_EGRESS_IP: runner.egress,
    EKS_PRIVATE_API_REACHABLE: runner.privateReachable ? "true" : "",
  });
}

const withMonitoring =
  (publicAccessCidrs: string[]): StackEdit =>
  (config) =>
    (config[`${NS}:monitoring`] = { ...(config[`${NS}:monitoring`] as object), publicAccessCidrs });
const backupRestore: StackEdit = (config) =>
  (config[`${NS}:recovery`] = { ...(config[`${NS}:recovery`] as object), strategy: "backup-restore", rtoSeconds: 2400, rpoSeconds: 1800 });

describe("the deploy path reaches the Kubernetes API (preflight.yml)", function () {
  this.timeout(180000);
  const publicFiles = editedStackFiles(withMonitoring(["198.51.100.0/24"]), withMonitoring(["198.51.100.0/24"]));

  describe("the synthesize step", () => {
    let plans: string;
    before(async () => (plans = await plansInProcess(publicFiles)));

    it("runs npm run synth on the two stack files into RUNNER_TEMP/preflight and hands that folder to the next step", async () => {
      // The script it runs is the synthesis CLI (test/synth/cli.test.ts), taking no options of its own.
      const scripts = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
      expect(scripts.synth).to.equal("tsx synth/cli.ts");
      const npm = fakeNpm(plans);
      const { status, output, reported, expected } = await synthesizeStep(publicFiles, npm);
      expect(status, output).to.equal(0);
      expect(readFileSync(path.join(npm, "arguments"), "utf8").split("\n").slice(0, -1)).to.deep.equal([
        "run",
        "-s",
        "synth",
        "--",
        "--primary",
        publicFiles.primaryStackFile,
        "--dr",
        publicFiles.drStackFile,
        "--out",
        expected,
      ]);
      expect(reported).to.equal(expected);
      expect(readFileSync(path.join(expected, "dr.plan.json"), "utf8")).to.equal(readFileSync(path.join(plans, "dr.plan.json"), "utf8"));
    });

    it("fails when the synthesis fails, printing its log and what to fix, and hands no folder on", async () => {
      const log = "Invalid configuration: the key's $fix and `its` reason";
      const { status, output, reported, runnerTemp } = await synthesizeStep(publicFiles, fakeNpm(plans, { status: 1, output: log }));
      expect(status, output).to.equal(1);
      expect(readFileSync(path.join(runnerTemp, "preflight-synth.log"), "utf8"), "the synthesis' output goes to its log first").to.equal(log);
      expect(output).to.include(log);
      expect(output).to.include(
        `::error title=Offline synthesis failed::${publicFiles.primaryStackFile} and ${publicFiles.drStackFile} do not synthesize; fix what the log above names`,
      );
      expect(reported).to.equal(undefined);
    });
  });

  describe("the workflows", () => {
    it("gate every job that runs Pulumi against the cloud on the preflight, run on the same runner", () => {
      const gated: [string, string, string][] = [
        ["deploy.yml", "up-primary", "preflight"],
        ["drift.yml", "drift", "preflight"],
        ["pull-request.yml", "preview", "preflight"],
      ];
      for (const [file, jobName, preflight] of gated) {
        const { jobs } = workflow(file);
        expect(jobs[preflight].uses, `${file} ${preflight}`).to.equal("./.github/workflows/preflight.yml");
        expect(needsOf(jobs[jobName]), `${file} ${jobName}`).to.include(preflight);
        expect(jobs[jobName]["runs-on"], `${file} ${jobName}`).to.equal(RUNS_ON);
      }
      expect(workflow("deploy.yml").jobs["up-dr"]["runs-on"]).to.equal(RUNS_ON);
      expect(needsOf(workflow("deploy.yml").jobs["up-dr"])).to.include("up-primary");
      expect(workflow("preflight.yml").jobs["kubernetes-api"]["runs-on"]).to.equal(RUNS_ON);
    });

    it("the preflight touches no AWS: no OIDC token, no credentials, no Pulumi command", () => {
      const job = workflow("preflight.yml").jobs["kubernetes-api"];
      expect(job.permissions).to.deep.equal({ contents: "read" });
      expect(job.steps!.map((candidate) => candidate.uses ?? "")).to.deep.equal(["actions/checkout@v4", "", "actions/setup-node@v4", "", "", ""]);
      expect(job.steps![1].id).to.equal("secrets-provider");
      expect(job.steps!.map((candidate) => candidate.run ?? "").join("\n")).not.to.match(/^\s*(pulumi|aws) /m);
      expect(job.steps!.map((candidate) => candidate.id).slice(-2)).to.deep.equal(["synthesize", "kubernetes-api"]);
    });
  });

  describe("a fresh clone (the repository's stack files: private endpoints)", () => {
    const files = { primaryStackFile: path.join(ROOT, "Pulumi.primary.yaml"), drStackFile: path.join(ROOT, "Pulumi.dr.yaml") };
    let plans: string;
    before(async () => (plans = await plansInProcess(files)));

    it("keeps both endpoints private by default", () => {
      for (const file of [files.primaryStackFile, files.drStackFile]) {
        expect(JSON.parse(readStackConfigFile(file)[`${NS}:monitoring`]).publicAccessCidrs, file).to.deep.equal([]);
      }
    });

    it("is refused on a GitHub-hosted runner, naming each stack file, the key and the two ways to deploy", async () => {
      const { status, output } = await check(files, plans, { environment: "github-hosted", egress: "198.51.100.7" });
      expect(status, output).to.equal(1);
      for (const [file, role] of [
        [files.primaryStackFile, "primary"],
        [files.drStackFile, "dr"],
      ]) {
        expect(output).to.include(`::error title=Kubernetes API unreachable from this runner::${file}: the ${role} stack's EKS cluster multi-region-dr-`);
      }
      expect(output).to.include("has a private API endpoint (monitoring.publicAccessCidrs is empty), which answers only inside its VPC");
      expect(output).to.include("this GitHub-hosted runner is not in it");
      expect(output).to.include(
        "name that runner in the repository variable PULUMI_RUNS_ON (a GitHub-hosted standard runner has a different address at every run",
      );
      expect(output).to.include("set the repository variable EKS_PRIVATE_API_REACHABLE to true. See docs/deploying.md");
    });

    it("passes on a runner that reaches the private endpoints (EKS_PRIVATE_API_REACHABLE)", async () => {
      const { status, output } = await check(files, plans, { environment: "self-hosted", egress: "198.51.100.7", privateReachable: true });
      expect(status, output).to.equal(0);
      expect(output).to.match(
        /- ok: .*Pulumi\.dr\.yaml: the dr stack's EKS cluster .*: private endpoint; EKS_PRIVATE_API_REACHABLE says this runner reaches it/,
      );
    });
  });

  describe("public endpoints for the deploy runner's static egress CIDR", () => {
    const files = publicFiles;
    let plans: string;
    before(async () => (plans = await plansInProcess(files)));

    it("passes on a runner whose address is listed", async () => {
      const { status, output } = await check(files, plans, { environment: "self-hosted", egress: "198.51.100.7" });
      expect(status, output).to.equal(0);
      expect(output.match(/- ok: .*public endpoint for 198\.51\.100\.0\/24, which holds this runner's address 198\.51\.100\.7/g)).to.have.length(2);
    });

    it("is refused on a runner whose address is not listed, naming the address", async () => {
      const { status, output } = await check(files, plans, { environment: "github-hosted", egress: "203.0.113.9" });
      expect(status, output).to.equal(1);
      expect(output).to.include(
        "admits only 198.51.100.0/24 (monitoring.publicAccessCidrs), and this GitHub-hosted runner's public address 203.0.113.9 is not among them",
      );
    });

    it("is refused when the runner's address cannot be learned", async () => {
      const { status, output } = await check(files, plans, { environment: "self-hosted", egress: "" });
      expect(status, output).to.equal(1);
      expect(output).to.include("this runner's public address could not be learned from https://checkip.amazonaws.com");
    });
  });

  it("checks only the clusters a stack runs (a backup-restore DR region runs none)", async () => {
    const files = editedStackFiles((config) => (withMonitoring(["198.51.100.0/24"])(config), backupRestore(config)), backupRestore);
    const { status, output } = await check(files, await plansInProcess(files), { environment: "self-hosted", egress: "198.51.100.7" });
    expect(status, output).to.equal(0);
    expect(output).to.include(`- ok: ${files.drStackFile}: the dr stack runs no EKS cluster`);
  });
});
