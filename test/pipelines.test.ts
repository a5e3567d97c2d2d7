/**
 * The pipelines as the README sets them up (issue 17, item 8):
 * - the preview and drift jobs run in no environment, so they read repository secrets only; every
 *   cloud job refuses, naming the secret and where it is read from, an empty PULUMI_ACCESS_TOKEN
 *   (Pulumi Cloud) or PULUMI_CONFIG_PASSPHRASE (passphrase provider) before assuming a role;
 * - a manual run off main gets the OIDC subject repo:<owner>/<repo>:ref:refs/heads/<branch>, which the
 *   documented trust policy does not admit (GitHub docs, "About security hardening with OpenID
 *   Connect", example subject claims): the preview and drift jobs refuse it with a clear error;
 * - on a self-managed backend the preflight refuses a stack file that does not record its secrets
 *   provider (secretsprovider: + encryptedkey:, or encryptionsalt:), which CI would otherwise lack.
 * The steps' scripts run here as a runner's bash runs them.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";

const ROOT = path.join(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  if?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  environment?: string | { name: string };
  env?: Record<string, string>;
  steps?: Step[];
}
const workflow = (file: string) => parse(readFileSync(path.join(WORKFLOWS, file), "utf8")) as { on: Record<string, unknown>; jobs: Record<string, Job> };

/** Every job that assumes an AWS role, by workflow. */
const CLOUD_JOBS: [string, string][] = [
  ["pull-request.yml", "preview"],
  ["drift.yml", "drift"],
  ["deploy.yml", "up-primary"],
  ["deploy.yml", "up-dr"],
];
const stepIndex = (job: Job, predicate: (step: Step) => boolean) => job.steps!.findIndex(predicate);
const oidcIndex = (job: Job) => stepIndex(job, (step) => step.uses?.startsWith("aws-actions/configure-aws-credentials") ?? false);

/** Runs a script as a runner's bash does (`bash --noprofile --norc -eo pipefail`), from the repository root. */
function run(script: string, env: Record<string, string>): { status: number | null; output: string } {
  const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: "utf8",
    timeout: 60000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const folder = mkdtempSync(path.join(tmpdir(), "pipelines-"));
/** A stack file with the repository's config and `header` as extra top-level keys. */
function stackFile(name: string, header: string): string {
  const file = path.join(folder, `Pulumi.${name}.yaml`);
  writeFileSync(file, `${header}${readFileSync(path.join(ROOT, "Pulumi.primary.yaml"), "utf8")}`);
  return file;
}
const KMS = "secretsprovider: awskms://alias/multi-region-dr-pulumi-state\nencryptedkey: AQICAHhExample==\n";
const SALT = "encryptionsalt: v1:c2FsdA==:v1:bm9uY2U=:Y2lwaGVy\n";

describe("pipelines (issue 17, item 8)", () => {
  describe("(a) the Pulumi secrets each cloud job reads", () => {
    for (const [file, name] of CLOUD_JOBS) {
      describe(`${file} ${name}`, () => {
        const job = workflow(file).jobs[name];
        const environment = typeof job.environment === "string" ? job.environment : job.environment?.name;
        const secrets = job.steps!.find((step) => step.id === "pulumi-secrets");

        it("reads them from where its environment puts them, as the workflow's header says", () => {
          expect(job.env).to.include({
            PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
            PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
          });
          const header = readFileSync(path.join(WORKFLOWS, file), "utf8");
          if (environment === undefined) expect(header).to.match(/Secrets: REPOSITORY secrets \(the \w+ job runs in no environment/);
          else expect(environment).to.equal("production");
        });

        it("refuses an empty one, naming it and where it is read from, before assuming a role", () => {
          expect(secrets, "a pulumi-secrets step").to.not.equal(undefined);
          expect(stepIndex(job, (step) => step.id === "pulumi-secrets")).to.be.below(oidcIndex(job));
          expect(secrets!.env!.SECRETS_SCOPE).to.match(environment === undefined ? /^repository secrets only/ : /production environment/);
          const scope = secrets!.env!.SECRETS_SCOPE;
          const salted = stackFile(`${name}-salt`, SALT);
          const kms = stackFile(`${name}-kms`, KMS);

          let result = run(secrets!.run!, { SECRETS_SCOPE: scope, STACK_FILES: kms, PULUMI_BACKEND_URL: "" });
          expect(result.status, result.output).to.equal(1);
          expect(result.output).to.include(`::error title=PULUMI_ACCESS_TOKEN is empty::the backend is Pulumi Cloud`);
          expect(result.output).to.include(`reads PULUMI_ACCESS_TOKEN from ${scope}`);

          result = run(secrets!.run!, { SECRETS_SCOPE: scope, STACK_FILES: `${kms} ${salted}`, PULUMI_BACKEND_URL: "s3://state?region=us-west-2" });
          expect(result.status, result.output).to.equal(1);
          expect(result.output).to.include(`::error title=PULUMI_CONFIG_PASSPHRASE is empty::${salted} uses the passphrase secrets provider`);
          expect(result.output).not.to.include(`${kms} uses`);

          result = run(secrets!.run!, { SECRETS_SCOPE: scope, STACK_FILES: kms, PULUMI_BACKEND_URL: "s3://state?region=us-west-2" });
          expect(result.status, result.output).to.equal(0);
          result = run(secrets!.run!, {
            SECRETS_SCOPE: scope,
            STACK_FILES: salted,
            PULUMI_BACKEND_URL: "",
            PULUMI_ACCESS_TOKEN: "t",
            PULUMI_CONFIG_PASSPHRASE: "p",
          });
          expect(result.status, result.output).to.equal(0);
        });
      });
    }
  });

  describe("(b) a manual run off main (OIDC subject ref:refs/heads/<branch>, not in the trust policy)", () => {
    const guarded: [string, string, string][] = [
      ["pull-request.yml", "preview", "github.event_name != 'pull_request' && github.ref != 'refs/heads/main'"],
      ["drift.yml", "drift", "github.ref != 'refs/heads/main'"],
    ];
    for (const [file, name, condition] of guarded) {
      it(`${file} ${name} refuses it with a clear error before asking for a token`, () => {
        const { on, jobs } = workflow(file);
        expect(on).to.have.property("workflow_dispatch");
        const job = jobs[name];
        const index = stepIndex(job, (step) => step.if === condition);
        expect(index, "a guard step").to.be.at.least(0);
        expect(index).to.be.below(oidcIndex(job));
        const { status, output } = run(job.steps![index].run!, { GITHUB_REPOSITORY: "octo/dr", GITHUB_REF: "refs/heads/feature" });
        expect(status).to.equal(1);
        expect(output).to.include(
          "::error title=Run this workflow from main::the OIDC subject of this run is repo:octo/dr:ref:refs/heads/feature, which the trust policy",
        );
      });
    }

    it("deploy.yml runs its cloud jobs only on main, in the production environment", () => {
      for (const name of ["up-primary", "up-dr"]) {
        const job = workflow("deploy.yml").jobs[name];
        expect(job.if).to.include("github.ref == 'refs/heads/main'");
        expect(job.environment).to.equal("production");
      }
    });
  });

  describe("(c) the preflight refuses, on a self-managed backend, a stack file without its secrets provider", () => {
    const step = () => workflow("preflight.yml").jobs["kubernetes-api"].steps!.find((candidate) => candidate.id === "secrets-provider")!;
    const check = (primary: string, dr: string, backend: string) =>
      run(step().run!, { PULUMI_BACKEND_URL: backend, PRIMARY_STACK_FILE: primary, DR_STACK_FILE: dr });

    it("reads the backend from the repository variable", () => {
      expect(step(), "a secrets-provider step").to.not.equal(undefined);
      expect(step().env).to.include({ PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}" });
    });

    it("refuses the repository's stack files (no secretsprovider:) on a self-managed backend, naming the file and the fix", () => {
      const primary = path.join(ROOT, "Pulumi.primary.yaml");
      const dr = path.join(ROOT, "Pulumi.dr.yaml");
      const { status, output } = check(primary, dr, "s3://state?region=us-west-2&awssdk=v2");
      expect(status, output).to.equal(1);
      for (const file of [primary, dr]) {
        expect(output).to.include(`::error title=No secrets provider in ${file}::${file} has no secretsprovider: line`);
      }
      expect(output).to.include("commit the secretsprovider: and encryptedkey: lines it wrote into");
    });

    it("passes them on Pulumi Cloud, which keeps the provider", () => {
      const { status, output } = check(path.join(ROOT, "Pulumi.primary.yaml"), path.join(ROOT, "Pulumi.dr.yaml"), "");
      expect(status, output).to.equal(0);
    });

    it("passes stack files that record a KMS provider with its key, or a passphrase salt; refuses a provider without its key", () => {
      const backend = "s3://state?region=us-west-2&awssdk=v2";
      let result = check(stackFile("c-kms", KMS), stackFile("c-salt", SALT), backend);
      expect(result.status, result.output).to.equal(0);
      expect(result.output).to.include("secrets provider awskms://alias/multi-region-dr-pulumi-state");
      const keyless = stackFile("c-keyless", "secretsprovider: awskms://alias/multi-region-dr-pulumi-state\n");
      result = check(stackFile("c-kms2", KMS), keyless, backend);
      expect(result.status, result.output).to.equal(1);
      expect(result.output).to.include(`::error title=No encrypted key in ${keyless}::`);
    });
  });
});
