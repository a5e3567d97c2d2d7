/**
 * The whole policy pack on the synthesized stacks: the default configuration has no mandatory
 * violation, and each deliberate weakening of a stack is caught by a mandatory policy, whether or
 * not the stack config could express it (config validation rejects most weakenings before any
 * resource exists; the pack is the gate for changes to the program itself). Also runs
 * `npm run synth`'s CLI, in this process, for its exit codes with a policy config.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { evaluatePolicies, type StackPolicyReport } from "../../policy/offline";
import { ALL_POLICIES } from "../../policy/policies";
import type { PlannedResource, StackPlan } from "../../synth/recordStack";
import { synthInProcess } from "../fixtures/cliRun";
import { copyOf, synthesizedStacks } from "./fixtures";

const ROOT = path.join(__dirname, "..", "..");

function only(plan: StackPlan, type: string, name?: string): PlannedResource {
  const found = plan.resources.filter((resource) => resource.type === type && (name === undefined || resource.name === name));
  expect(found, `${type} ${name ?? ""}`).to.have.length(1);
  return found[0];
}

/** Sets a property on a resource as both its input and its (mock) output. */
function set(resource: PlannedResource, key: string, value: unknown): void {
  resource.inputs[key] = value;
  resource.outputs[key] = value;
}

/**
 * Expects a mandatory violation of each `[policy, message]` on `plan`, running those policies of
 * the pack once, default configuration (a policy's findings do not depend on the others'; the
 * whole pack's clean run on the unweakened stacks is the first test below). A policy missing from the
 * pack finds nothing, and fails the expectation.
 */
async function expectCaught(plan: StackPlan, ...expected: [policy: string, message: RegExp][]): Promise<void> {
  const names = new Set(expected.map(([policy]) => policy));
  const report = await evaluatePolicies(
    plan,
    {},
    ALL_POLICIES.filter((policy) => names.has(policy.name)),
  );
  const found = report.violations.filter((violation) => violation.enforcementLevel === "mandatory");
  for (const [policy, message] of expected) {
    const matching = found.filter((violation) => violation.policy === policy && message.test(violation.message));
    expect(
      matching,
      `expected ${policy} ~ ${message}; got ${JSON.stringify(found.map((violation) => `${violation.policy}: ${violation.message}`))}`,
    ).to.have.length.above(0);
  }
}

describe("the policy pack on the synthesized stacks", function () {
  this.timeout(60000);
  let primary: StackPlan;
  let dr: StackPlan;
  /** The pack's report on each stack, default configuration. */
  let reports: StackPolicyReport[];

  before(async () => {
    ({ primary, dr } = await synthesizedStacks());
    reports = [await evaluatePolicies(primary), await evaluatePolicies(dr)];
  });

  it("runs every policy on both stacks and finds no mandatory violation in the default configuration", () => {
    for (const report of reports) {
      expect(report.policiesRun).to.equal(ALL_POLICIES.length);
      expect(report.violations.filter((violation) => violation.enforcementLevel === "mandatory")).to.deep.equal([]);
    }
  });

  it("finds no violation at all, advisory included, now that the DR stack has its alarms and workflows", () => {
    for (const report of reports) {
      expect(report.violations.map((violation) => `${violation.policy}: ${violation.message}`)).to.deep.equal([]);
    }
  });

  it("sees the recovery manifest of each stack, with the primary's outputs in the DR one", () => {
    const manifest = JSON.parse(String(only(dr, "aws:ssm/parameter:Parameter").inputs.insecureValue));
    expect(manifest).to.deep.include({ role: "dr", region: "us-west-2", rtoSeconds: 900, rpoSeconds: 60 });
    expect(manifest.primary.dbArn).to.equal(primary.outputs.dbArn);
    expect(JSON.parse(String(only(primary, "aws:ssm/parameter:Parameter").inputs.insecureValue)).role).to.equal("primary");
  });

  describe("catches each weakened stack", () => {
    it("an alarm that notifies no one: the DR signal it watched is uncovered", async () => {
      const plan = copyOf(dr);
      set(only(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", "dr-alarms-replica-lag"), "alarmActions", []);
      await expectCaught(plan, ["dr-signal-alarms", /replica lag \(AWS\/RDS ReplicaLag\)/], ["alarm-actions", /alarmActions is empty/]);
    });

    it("failback started by an EventBridge target, a workflow in the primary region, two workflows sharing a role", async () => {
      const plan = copyOf(dr);
      const failback = only(plan, "aws:sfn/stateMachine:StateMachine", "dr-recovery-failback");
      const failover = only(plan, "aws:sfn/stateMachine:StateMachine", "dr-recovery-failover");
      plan.resources.push({
        ...copyOf(failback),
        type: "aws:cloudwatch/eventTarget:EventTarget",
        name: "sneaky",
        urn: `${failback.urn}-sneaky`,
        inputs: { arn: failback.outputs.arn },
      });
      set(failover, "roleArn", failback.inputs.roleArn);
      const drill = only(plan, "aws:sfn/stateMachine:StateMachine", "dr-recovery-drill");
      set(drill, "region", "us-east-1");
      await expectCaught(
        plan,
        ["dr-recovery-workflows", /sneaky: starts the failback workflow/],
        ["dr-recovery-workflows", /shares its role/],
        ["dr-recovery-workflows", /runs in us-east-1/],
      );
    });

    it("no drill workflow", async () => {
      const plan = copyOf(dr);
      plan.resources = plan.resources.filter((resource) => resource.name !== "dr-recovery-drill");
      await expectCaught(plan, ["dr-recovery-workflows", /exactly one state machine named \*-drill; found 0/]);
    });

    it("a workflow definition that names a primary-region ARN", async () => {
      const plan = copyOf(dr);
      const failover = only(plan, "aws:sfn/stateMachine:StateMachine", "dr-recovery-failover");
      set(failover, "definition", String(failover.inputs.definition).replace(/arn:aws:lambda:us-west-2:/g, "arn:aws:lambda:us-east-1:"));
      await expectCaught(plan, ["dr-recovery-workflows", /of us-east-1; a workflow calls its own region/]);
    });

    it("backups off on the primary database", async () => {
      const plan = copyOf(primary);
      set(only(plan, "aws:rds/instance:Instance"), "backupRetentionPeriod", 0);
      await expectCaught(plan, ["rds-backup-retention", /backupRetentionPeriod is 0 days/]);
    });

    it("a single availability zone: VPC, Auto Scaling Group, load balancer and database", async () => {
      const plan = copyOf(primary);
      set(only(plan, "awsx:ec2:Vpc"), "numberOfAvailabilityZones", 1);
      const group = only(plan, "aws:autoscaling/group:Group");
      set(group, "vpcZoneIdentifiers", (group.inputs.vpcZoneIdentifiers as string[]).slice(0, 1));
      const loadBalancer = only(plan, "aws:lb/loadBalancer:LoadBalancer");
      set(loadBalancer, "subnets", (loadBalancer.inputs.subnets as string[]).slice(0, 1));
      set(only(plan, "aws:rds/instance:Instance"), "multiAz", false);
      await expectCaught(
        plan,
        ["vpc-multi-az", /1 availability zone/],
        ["asg-multi-az", /1 subnet/],
        ["alb-multi-az", /1 subnet/],
        ["rds-multi-az", /multiAz must be true/],
      );
    });

    it("no health check on the PRIMARY record", async () => {
      const plan = copyOf(dr);
      plan.resources = plan.resources.filter((resource) => resource.type !== "aws:route53/healthCheck:HealthCheck");
      const record = only(plan, "aws:route53/record:Record", "failover-primary");
      delete record.inputs.healthCheckId;
      delete record.outputs.healthCheckId;
      delete record.propertyDependencies.healthCheckId;
      await expectCaught(plan, ["route53-failover-record", /needs healthCheckId/], ["dr-failover-pair", /health check is not a health check of this stack/]);
    });

    it("a health check too slow for the declared RTO", async () => {
      const plan = copyOf(dr);
      const check = only(plan, "aws:route53/healthCheck:HealthCheck", "failover-primary-health");
      set(check, "requestInterval", 30);
      set(check, "failureThreshold", 10);
      const manifest = only(plan, "aws:ssm/parameter:Parameter");
      const value = JSON.parse(String(manifest.inputs.insecureValue));
      value.rtoSeconds = 300;
      value.primary.rtoSeconds = 300;
      set(manifest, "insecureValue", JSON.stringify(value));
      await expectCaught(plan, ["dr-failover-pair", /does not fit the 300 s RTO/]);
    });

    it("the replica in the primary's region", async () => {
      const plan = copyOf(dr);
      set(only(plan, "aws:rds/instance:Instance"), "region", "us-east-1");
      await expectCaught(plan, ["dr-replica-wiring", /both in us-east-1/]);
    });

    it("a replica of another database, or encrypted with a primary-region key", async () => {
      const plan = copyOf(dr);
      const replica = only(plan, "aws:rds/instance:Instance");
      set(replica, "replicateSourceDb", "arn:aws:rds:us-east-1:123456789012:db:some-other-db");
      set(replica, "kmsKeyId", String(primary.outputs.kmsKeyArn));
      await expectCaught(
        plan,
        ["dr-replica-wiring", /is not the primary's database/],
        ["dr-replica-wiring", /has 0 replicas in this DR stack/],
        ["dr-replica-wiring", /kmsKeyId is a key of us-east-1/],
        ["dr-region-isolation", /kmsKeyId uses arn:aws:kms:us-east-1/],
      );
    });

    it("replication without versioning on the destination", async () => {
      const plan = copyOf(dr);
      plan.resources = plan.resources.filter(
        (resource) => resource.type !== "aws:s3/bucketVersioning:BucketVersioning" || resource.name !== "dr-data-versioning",
      );
      await expectCaught(
        plan,
        ["s3-bucket-safeguards", /dr-data: has no BucketVersioning/],
        ["s3-replication-cross-region", /versioning is not Enabled on the destination/],
      );
    });

    it("replication without Replication Time Control, delete markers or a destination key", async () => {
      const plan = copyOf(dr);
      const config = only(plan, "aws:s3/bucketReplicationConfig:BucketReplicationConfig");
      const rules = copyOf(config.inputs.rules) as { destination: Record<string, unknown>; deleteMarkerReplication?: unknown }[];
      delete rules[0].destination.replicationTime;
      rules[0].deleteMarkerReplication = { status: "Disabled" };
      delete rules[0].destination.encryptionConfiguration;
      set(config, "rules", rules);
      await expectCaught(
        plan,
        ["s3-replication-rules", /replicationTime and destination.metrics must both be Enabled/],
        ["s3-replication-rules", /deleteMarkerReplication must be Enabled/],
        ["s3-replication-rules", /replicaKmsKeyId must be a KMS key ARN/],
      );
    });

    it("the primary bucket left without replication", async () => {
      const plan = copyOf(dr);
      plan.resources = plan.resources.filter((resource) => resource.type !== "aws:s3/bucketReplicationConfig:BucketReplicationConfig");
      await expectCaught(plan, ["s3-replication-cross-region", /has no replication configuration into this DR stack/]);
    });

    /** The app tier's launch template (the monitoring nodes' template has no instance type). */
    const appTemplate = (plan: StackPlan) =>
      plan.resources.find((resource) => resource.type === "aws:ec2/launchTemplate:LaunchTemplate" && resource.inputs.instanceType !== undefined)!;

    it("a DR tier that cannot take the primary's load", async () => {
      const plan = copyOf(dr);
      set(only(plan, "aws:autoscaling/group:Group"), "maxSize", 2);
      set(appTemplate(plan), "instanceType", "t3.micro");
      await expectCaught(
        plan,
        ["dr-capacity-parity", /can reach 2 instances, below the primary's maximum 6/],
        ["dr-capacity-parity", /differs from the primary's t3.small/],
      );
    });

    it("stateful resources left unprotected", async () => {
      const plan = copyOf(primary);
      const database = only(plan, "aws:rds/instance:Instance");
      database.protect = false;
      set(database, "skipFinalSnapshot", true);
      set(only(plan, "aws:s3/bucket:Bucket", "primary-data"), "forceDestroy", true);
      await expectCaught(
        plan,
        ["stateful-resources-protected", /primary-db-instance: is not Pulumi-protected/],
        ["stateful-resources-protected", /primary-data: has forceDestroy/],
        ["rds-deletion-protection", /skipFinalSnapshot must not be true/],
      );
    });

    it("a public database, SSH open to the internet and a key in user data", async () => {
      const plan = copyOf(primary);
      set(only(plan, "aws:rds/instance:Instance"), "publiclyAccessible", true);
      const ingress = plan.resources.find((resource) => resource.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")!;
      set(ingress, "cidrIpv4", "0.0.0.0/0");
      set(ingress, "fromPort", 22);
      set(ingress, "toPort", 22);
      const template = appTemplate(plan);
      const script = Buffer.from(String(template.inputs.userData), "base64").toString("utf8");
      set(template, "userData", Buffer.from(`${script}\nexport AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP\n`).toString("base64"));
      await expectCaught(
        plan,
        ["rds-not-public", /publiclyAccessible must be false/],
        ["no-admin-ports-from-internet", /opens port 22/],
        ["launch-template-no-secrets-in-user-data", /an AWS access key id/],
      );
    });

    it("a stack without its declared RTO and RPO", async () => {
      const plan = copyOf(dr);
      plan.resources = plan.resources.filter((resource) => resource.type !== "aws:ssm/parameter:Parameter");
      await expectCaught(plan, ["dr-recovery-objectives-declared", /0 recovery manifests/], ["dr-failover-pair", /failover records belong to the DR stack/]);
    });

    it("an unencrypted, unrotated or public key", async () => {
      const plan = copyOf(dr);
      const key = only(plan, "aws:kms/key:Key", "dr-key-key");
      set(key, "enableKeyRotation", false);
      set(
        key,
        "policy",
        JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "Open", Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" }] }),
      );
      await expectCaught(plan, ["kms-key-rotation", /enableKeyRotation/], ["kms-key-policy-not-public", /statement Open allows everyone/]);
    });
  });
});

describe("npm run synth with the policy pack (run in this process: test/fixtures/cliRun.ts)", function () {
  this.timeout(120000);
  const synth = (...args: string[]) => synthInProcess(args);
  const configFile = (config: unknown) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "policy-config-")), "config.json");
    writeFileSync(file, JSON.stringify(config));
    return file;
  };

  it("exits 0 and writes the policy section into the report on the default configuration", async () => {
    const run = await synth();
    expect(run.status, run.stderr).to.equal(0);
    const report = readFileSync(path.join(run.out, "report.md"), "utf8");
    expect(report).to.include("## Policy pack");
    expect(report).to.match(/### primary: \d+ of \d+ policies pass; 0 mandatory/);
    expect(report).to.match(/### dr: (\d+) of \1 policies pass; 0 mandatory/);
  });

  it("exits 3 on a mandatory violation, here regions outside the allowed list", async () => {
    const run = await synth("--policy-config", configFile({ "allowed-regions": { regions: ["us-east-1"] } }));
    expect(run.status, run.stderr).to.equal(3);
    expect(run.stdout).to.match(/\[mandatory\] allowed-regions.*region us-west-2 is not allowed/);
  });

  it("exits 3 when the config raises an advisory policy to mandatory, and 0 when it stays advisory or is disabled", async () => {
    const onlyGraviton = { families: ["m7g"] };
    const statusWith = async (config: unknown) => (await synth("--policy-config", configFile(config))).status;
    expect(await statusWith({ "allowed-instance-families": onlyGraviton })).to.equal(0);
    expect(await statusWith({ "allowed-instance-families": { enforcementLevel: "mandatory", ...onlyGraviton } })).to.equal(3);
    expect(await statusWith({ all: "mandatory", "allowed-instance-families": { enforcementLevel: "disabled", ...onlyGraviton } })).to.equal(0);
  });

  it("exits 1 with the problem named for an invalid policy config", async () => {
    const run = await synth("--policy-config", configFile({ "rds-backup-retention": { minimumRetentionDays: "five" } }));
    expect(run.status).to.equal(1);
    expect(run.stderr).to.include("rds-backup-retention.minimumRetentionDays");
  });

  it("accepts the example policy config shipped with the pack", async () => {
    const run = await synth("--policy-config", path.join(ROOT, "policy", "policy-config.example.json"));
    expect(run.status, run.stdout).to.equal(0);
  });
});
