/**
 * The deploy workflow's limits against what a deploy may take: each `pulumi up` job runs at least as
 * long as a cross-region replica may take to create with the default storage ceiling (its Pulumi
 * create timeout), its AWS credentials last as long as the job, and it refreshes the state first,
 * so a database promoted by a failover or failback is not promoted again by the provider.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { parse } from "yaml";
import { dataCopyCreateTimeout } from "../components/replicatedDatabase";
import { ENGINE_MODE_DEFAULTS } from "../config/schema";

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  "timeout-minutes"?: number;
  steps?: Step[];
}

const deploy = parse(readFileSync(path.join(__dirname, "..", ".github", "workflows", "deploy.yml"), "utf8")) as { jobs: Record<string, Job> };
/** GitHub-hosted runners end a job after 6 hours (GitHub Actions docs, "Usage limits"). */
const HOSTED_JOB_LIMIT_MINUTES = 360;

describe("deploy workflow limits", () => {
  const defaultReplicaHours = Number(dataCopyCreateTimeout(ENGINE_MODE_DEFAULTS.instance.maxAllocatedStorageGib).replace(/h$/, ""));

  for (const name of ["up-primary", "up-dr"]) {
    describe(name, () => {
      const job = deploy.jobs[name];
      const credentials = job.steps!.find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials"))!;
      const up = job.steps!.find((step) => step.uses?.startsWith("pulumi/actions"))!;

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
        expect(up.with).to.include({ command: "up", refresh: true });
      });
    });
  }
});
