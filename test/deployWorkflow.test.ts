/**
 * The deploy workflow's limits against what a deploy may take: each `pulumi up` job runs at least as
 * long as a cross-region replica may take to create with the default storage ceiling (its Pulumi
 * create timeout), its AWS credentials last as long as the job, and it refreshes the state first,
 * so a database promoted by a failover or failback is not promoted again by the provider.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { parse } from "yaml";
import { dataCopyCreateTimeout } from "../components/replicatedDatabase";
import { ENGINE_MODE_DEFAULTS } from "../config/schema";

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  "timeout-minutes"?: number;
  needs?: string | string[];
  if?: string;
  env?: Record<string, string>;
  steps?: Step[];
}

const deploy = parse(readFileSync(path.join(__dirname, "..", ".github", "workflows", "deploy.yml"), "utf8")) as {
  on: { workflow_dispatch: { inputs: Record<string, { type: string; default: unknown }> } };
  jobs: Record<string, Job>;
};
/** GitHub-hosted runners end a job after 6 hours (GitHub Actions docs, "Usage limits"). */
const HOSTED_JOB_LIMIT_MINUTES = 360;

describe("deploy workflow limits", () => {
  const defaultReplicaHours = Number(dataCopyCreateTimeout(ENGINE_MODE_DEFAULTS.instance.maxAllocatedStorageGib).replace(/h$/, ""));

  for (const name of ["up-primary", "up-dr", "up-dr-outage"]) {
    describe(name, () => {
      const job = deploy.jobs[name];
      const credentials = job.steps!.find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials"))!;
      const up = job.steps!.find((step) => step.uses?.startsWith("pulumi/actions") && step.with?.command === "up")!;

      it("runs longer than a cross-region replica may take to create with the default storage ceiling, within a hosted runner's limit", () => {
        expect(defaultReplicaHours).to.equal(4);
        expect(job["timeout-minutes"]).to.be.at.least(defaultReplicaHours * 60 + 30);
        expect(job["timeout-minutes"]).to.be.at.most(HOSTED_JOB_LIMIT_MINUTES);
      });

      it("holds AWS credentials for as long as the job may run", () => {
        expect(Number(credentials.with!["role-duration-seconds"])).to.be.at.least(job["timeout-minutes"]! * 60);
        expect(Number(credentials.with!["role-duration-seconds"])).to.be.at.most(12 * 3600);
      });

      it("refreshes the state before updating, so a database promoted outside Pulumi is not promoted again", () => {
        if (name !== "up-dr-outage") {
          expect(up.with).to.include({ command: "up", refresh: true });
          return;
        }
        // The outage job refreshes the databases only (a full refresh would read the failed region), then updates without refresh.
        const refresh = job.steps!.find((step) => step.uses?.startsWith("pulumi/actions") && step.with?.command === "refresh")!;
        expect(String(refresh.with!.target).trim().split("\n")).to.deep.equal(["**aws:rds/instance:Instance::*", "**aws:rds/cluster:Cluster::*"]);
        expect(job.steps!.indexOf(refresh)).to.be.lessThan(job.steps!.indexOf(up));
        expect(up.with).to.include({ command: "up", refresh: false, policyPacks: "policy" });
      });
    });
  }
});

describe("deploy workflow: the DR stack alone during an outage (up-dr-outage)", () => {
  const job = deploy.jobs["up-dr-outage"];
  const check = job.steps!.find((step) => step.id === "outage")!;

  /** Runs the job's refusal step on a stack file with `config`; returns its exit status, annotations and outputs. */
  function runCheck(config: Record<string, unknown>): { status: number | null; stdout: string; output: string } {
    const folder = mkdtempSync(path.join(tmpdir(), "deploy-outage-"));
    const stackFile = path.join(folder, "Pulumi.dr.yaml");
    const output = path.join(folder, "github-output");
    writeFileSync(stackFile, JSON.stringify({ config }));
    writeFileSync(output, "");
    const result = spawnSync("bash", ["-e", "-c", check.run!], {
      cwd: path.join(__dirname, ".."),
      env: { ...process.env, STACK_FILE: stackFile, GITHUB_OUTPUT: output },
      encoding: "utf8",
    });
    return { status: result.status, stdout: result.stdout, output: readFileSync(output, "utf8") };
  }

  it("is started by hand only, with the outage input, which keeps up-primary and up-dr from running", () => {
    expect(deploy.on.workflow_dispatch.inputs.outage).to.include({ type: "boolean", default: false });
    expect(job.if).to.match(/&& inputs\.outage$/);
    expect(deploy.jobs["up-primary"].if).to.match(/&& !inputs\.outage$/);
    expect(deploy.jobs["up-dr"].if).to.match(/&& !inputs\.outage$/);
  });

  it("does not wait on up-primary (which fails with its region), only on the offline checks and the preflight", () => {
    expect(job.needs).to.deep.equal(["checks", "preflight"]);
  });

  it("takes its credentials from the DR region's STS endpoint, the region its stack file names", () => {
    const credentials = job.steps!.find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials"))!;
    expect(credentials.with!["aws-region"]).to.equal("${{ steps.outage.outputs.region }}");
    expect(job.env!.AWS_STS_REGIONAL_ENDPOINTS).to.equal("regional");
    expect(job.steps!.indexOf(check)).to.be.lessThan(job.steps!.indexOf(credentials));
  });

  it("refuses a DR stack file without the outage mode, naming the key", () => {
    for (const config of [{ "aws:region": "us-west-2" }, { "aws:region": "us-west-2", "multi-region-dr:outage": { primaryRegionDown: false } }]) {
      const result = runCheck(config);
      expect(result.status).to.equal(1);
      expect(result.stdout).to.include("::error title=The outage mode is off::");
      expect(result.stdout).to.include("multi-region-dr:outage.primaryRegionDown: true");
      expect(result.output).to.equal("");
    }
  });

  it("refuses a stack file without aws:region, and passes the DR region on when the outage mode is on", () => {
    expect(runCheck({ "multi-region-dr:outage": { primaryRegionDown: true } }).stdout).to.include("::error title=No aws:region::");
    const result = runCheck({ "aws:region": "us-west-1", "multi-region-dr:outage": { primaryRegionDown: true } });
    expect(result.status).to.equal(0);
    expect(result.output).to.equal("region=us-west-1\n");
  });
});
