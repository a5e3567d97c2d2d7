/**
 * Both stacks composed and synthesized from their real stack files: the StackReference wiring, the
 * DR invariants on the synthesized pair, each invariant caught when the pair is broken one way, and
 * weakened stack configs rejected before any resource exists.
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { ConfigError } from "../config/errors";
import { checkDrInvariants, type PlanPair } from "../invariants";
import { checkBackups } from "../invariants/backups";
import { checkBucketReplication } from "../invariants/bucketReplication";
import { checkFailoverRecords } from "../invariants/failoverRecords";
import { checkRegionalParity } from "../invariants/regionalParity";
import { checkRegionIsolation } from "../invariants/regionIsolation";
import { checkReplica, classAtLeast } from "../invariants/replica";
import { checkStatefulProtection } from "../invariants/statefulProtection";
import { parseStackConfig } from "../config/load";
import type { DrConfig } from "../config/schema";
import { buildDrStack } from "../stacks/dr";
import { type PlannedResource, recordStack, type StackPlan } from "../synth/recordStack";
import { readStackConfigFile } from "../synth/stackFile";
import { synthesize, type SynthesisResult } from "../synth/synthesize";
import { synthesizedOnce } from "./fixtures/synthesis";

const projectDirectory = path.resolve(__dirname, "..");

function only(plan: StackPlan, type: string): PlannedResource {
  const found = plan.resources.filter((resource) => resource.type === type);
  expect(found, `${plan.stack} resources of ${type}`).to.have.length(1);
  return found[0];
}

/** A deep copy of the pair that a test may break. */
function copy(pair: PlanPair): PlanPair {
  return structuredClone(pair);
}

/** Writes a stack file derived from a real one, with `edit` applied to its config block. */
function stackFile(source: string, edit: (config: Record<string, unknown>) => void, name = source): string {
  const document = parse(readFileSync(path.join(projectDirectory, source), "utf8")) as { config: Record<string, unknown> };
  edit(document.config);
  const file = path.join(mkdtempSync(path.join(tmpdir(), "stack-")), name);
  writeFileSync(file, stringify(document));
  return file;
}

describe("the two stacks, synthesized from Pulumi.primary.yaml and Pulumi.dr.yaml", () => {
  let result: SynthesisResult;
  let pair: PlanPair;

  before(async () => {
    result = await synthesizedOnce({ projectDirectory });
    pair = { primary: result.primary, dr: result.dr };
  });

  describe("composition", () => {
    it("puts each stack in its configured region; only the DR alarms that must live elsewhere get a second provider", () => {
      expect(result.primary.region).to.equal("us-east-1");
      expect(result.dr.region).to.equal("us-west-2");
      const providerRegions = (plan: StackPlan) =>
        plan.resources.filter((resource) => resource.type === "pulumi:providers:aws").map((provider) => provider.inputs.region);
      // The standby region, one provider: the replica of the app secrets' multi-Region key, which the secrets' DR replicas use
      // (components/appSecrets.ts), and the primary monitoring's dead man's switch (stacks/monitoring.ts).
      expect(providerRegions(result.primary)).to.deep.equal(["us-east-1", "us-west-2"]);
      // Route 53 health-check metrics (us-east-1) and S3 replication metrics (the source region, here also us-east-1);
      // AWS Backup's plan and primary vault (the primary region).
      expect(providerRegions(result.dr)).to.deep.equal(["us-west-2", "us-east-1", "us-east-1"]);
      for (const plan of [result.primary, result.dr]) {
        const regional = plan.resources.filter((resource) => resource.custom && resource.region !== "global" && !resource.type.startsWith("pulumi:"));
        const elsewhere = regional.filter(
          (resource) =>
            resource.region !== plan.region &&
            resource.type !== "aws:s3/bucketReplicationConfig:BucketReplicationConfig" &&
            // The primary keeps two things in the standby region: the app secrets' replica key and its monitoring's dead man's switch.
            !(
              plan === result.primary &&
              (resource.name.startsWith("app-secrets-standby-key") || resource.name.startsWith("primary-monitoring-")) &&
              resource.region === "us-west-2"
            ),
        );
        const alarmHub = (resource: (typeof elsewhere)[number]) =>
          resource.name.startsWith("dr-alarms-us-east-1") ||
          (resource.name.startsWith("dr-backup-") && resource.type.startsWith("aws:backup/")) ||
          ["dr-alarms-replication-latency", "dr-alarms-replication-failures", "dr-alarms-primary-health-check", "dr-alarms-primary-heartbeat-errors"].includes(
            resource.name,
          );
        expect(elsewhere.filter((resource) => !alarmHub(resource)).map((resource) => `${resource.name}@${resource.region}`)).to.deep.equal([]);
        expect(elsewhere.every((resource) => resource.region === "us-east-1")).to.equal(true);
      }
    });

    it("creates the public zone with Route 53 accelerated recovery on, so record changes resume within about an hour of a us-east-1 outage", () => {
      const zones = result.primary.resources.filter((resource) => resource.type === "aws:route53/zone:Zone" && resource.inputs.vpcs === undefined);
      expect(zones.map((zone) => zone.inputs.enableAcceleratedRecovery)).to.deep.equal([true]);
    });

    it("builds every named component in both regions", () => {
      const components = (plan: StackPlan) => new Set(plan.resources.filter((resource) => !resource.custom).map((resource) => resource.type.split(":").pop()));
      for (const component of ["RegionalNetwork", "AppTier", "MonitoringCluster", "ReplicatedDatabase", "RegionalKey", "SecureBucket", "StableDatabaseName"]) {
        expect(components(result.primary), `primary ${component}`).to.include(component);
        expect(components(result.dr), `dr ${component}`).to.include(component);
      }
      expect(components(result.dr)).to.include.members(["FailoverRouting", "BucketReplication"]);
      expect(components(result.primary)).to.not.include("FailoverRouting");
    });

    it("gives each region its own KMS key and keeps the network CIDRs apart", () => {
      const primaryKey = String(result.primary.outputs.kmsKeyArn);
      const drKey = String(result.dr.outputs.kmsKeyArn);
      expect(primaryKey).to.match(/^arn:aws:kms:us-east-1:/);
      expect(drKey).to.match(/^arn:aws:kms:us-west-2:/);
      expect(only(result.primary, "awsx:ec2:Vpc").inputs.cidrBlock).to.equal("10.0.0.0/16");
      expect(only(result.dr, "awsx:ec2:Vpc").inputs.cidrBlock).to.equal("10.1.0.0/16");
      expect(only(result.primary, "awsx:ec2:Vpc").inputs.numberOfAvailabilityZones).to.equal(3);
      expect(only(result.dr, "awsx:ec2:Vpc").inputs.numberOfAvailabilityZones).to.equal(2);
    });

    it("exports what the DR stack and an operator need", () => {
      expect(result.primary.outputs).to.include.keys(
        "dbArn",
        "bucketName",
        "bucketArn",
        "albDnsName",
        "albZoneId",
        "appUrl",
        "applicationUrl",
        "hostedZoneId",
        "rtoSeconds",
        "rpoSeconds",
      );
      expect(result.dr.outputs).to.include.keys(
        "replicaArn",
        "replicaSourceArn",
        "healthCheckId",
        "replicationRuleId",
        "appUrl",
        "applicationUrl",
        "appMaxSize",
      );
      expect(result.dr.outputs.replicaSourceArn).to.equal(result.primary.outputs.dbArn);
      expect(result.dr.outputs.applicationUrl).to.equal("http://app.dr.example.com/");
    });
  });

  describe("cross-stack wiring through the StackReference", () => {
    it("creates the read replica from the primary's exported RDS ARN with a DR-region key", () => {
      const replica = result.dr.resources.find((resource) => resource.type === "aws:rds/instance:Instance")!;
      expect(replica.inputs.replicateSourceDb).to.equal(result.primary.outputs.dbArn);
      expect(replica.inputs.kmsKeyId).to.equal(result.dr.outputs.kmsKeyArn);
      expect(replica.inputs.storageEncrypted).to.equal(true);
      expect(replica.inputs.instanceClass).to.equal(result.primary.outputs.dbInstanceClass);
      expect(replica.inputs).to.not.have.any.keys("engine", "username", "dbName", "manageMasterUserPassword");
      expect(replica.protect).to.equal(true);
    });

    it("replicates the primary bucket into the DR bucket from the primary region", () => {
      const config = only(result.dr, "aws:s3/bucketReplicationConfig:BucketReplicationConfig");
      expect(config.inputs.bucket).to.equal(result.primary.outputs.bucketName);
      expect(config.region).to.equal("us-east-1");
      const [rule] = config.inputs.rules as { destination: { bucket: string; encryptionConfiguration: { replicaKmsKeyId: string } } }[];
      expect(rule.destination.bucket).to.equal(result.dr.outputs.bucketArn);
      expect(rule.destination.encryptionConfiguration.replicaKmsKeyId).to.equal(result.dr.outputs.kmsKeyArn);
    });

    it("creates exactly one PRIMARY and one SECONDARY record, each to its own region's ALB, the PRIMARY health-checked on /health", () => {
      const records = result.dr.resources.filter((resource) => resource.type === "aws:route53/record:Record" && resource.inputs.failoverRoutingPolicies);
      const byRole = Object.fromEntries(records.map((record) => [(record.inputs.failoverRoutingPolicies as { type: string }[])[0].type, record]));
      expect(records).to.have.length(2);
      expect(Object.keys(byRole).sort()).to.deep.equal(["PRIMARY", "SECONDARY"]);
      expect((byRole.PRIMARY.inputs.aliases as { name: string }[])[0].name).to.equal(result.primary.outputs.albDnsName);
      expect((byRole.SECONDARY.inputs.aliases as { name: string }[])[0].name).to.equal(result.dr.outputs.albDnsName);
      expect(byRole.PRIMARY.inputs.zoneId).to.equal(result.primary.outputs.hostedZoneId);
      const checks = result.dr.resources.filter((resource) => resource.type === "aws:route53/healthCheck:HealthCheck");
      const named = (name: string) => checks.find((check) => check.name === name)!;
      const healthCheck = named("failover-primary-health");
      const recordCheck = named("failover-primary-record-health");
      // The PRIMARY carries the calculated check: the endpoint's /health and the fence, both required.
      expect(byRole.PRIMARY.inputs.healthCheckId).to.equal(recordCheck.id);
      // What an operator reads during a failover: the record's check and the fence's alarm, as outputs.
      expect(result.dr.outputs.primaryRecordHealthCheckId).to.equal(recordCheck.id);
      expect(result.dr.outputs.fenceAlarmName).to.equal("multi-region-dr-dr-dr-primary-fenced");
      expect(recordCheck.inputs.childHealthchecks).to.include(healthCheck.id);
      expect(healthCheck.inputs).to.include({ resourcePath: "/health", fqdn: result.primary.outputs.albDnsName, port: 80, type: "HTTP" });
      // The SECONDARY carries its own: the DR ALB's /health over its listener, or the fence inverted.
      const secondaryCheck = named("failover-secondary-record-health");
      expect(byRole.SECONDARY.inputs.healthCheckId).to.equal(secondaryCheck.id);
      expect(secondaryCheck.inputs.childHealthchecks).to.deep.equal([named("failover-secondary-health").id, named("failover-fenced-health").id]);
      expect(named("failover-secondary-health").inputs).to.include({ resourcePath: "/health", fqdn: result.dr.outputs.albDnsName, port: 80, type: "HTTP" });
      expect(named("failover-fenced-health").inputs).to.include({ cloudwatchAlarmName: result.dr.outputs.fenceAlarmName, invertHealthcheck: true });
    });

    it("points the app of each region at its own stable database name", () => {
      for (const plan of [result.primary, result.dr]) {
        const record = plan.resources.find((resource) => resource.type === "aws:route53/record:Record" && resource.inputs.type === "CNAME")!;
        const database = plan.resources.find((resource) => resource.type === "aws:rds/instance:Instance")!;
        expect(record.inputs.name).to.equal("db.app.internal");
        expect(record.inputs.records).to.deep.equal([database.outputs.address]);
        const userData = Buffer.from(
          String(
            plan.resources.find((resource) => resource.type === "aws:ec2/launchTemplate:LaunchTemplate" && resource.inputs.userData !== undefined)!.inputs
              .userData,
          ),
          "base64",
        ).toString("utf8");
        expect(userData).to.contain(`--region ${plan.region} --role ${plan.role} --db-host db.app.internal --db-port 5432`);
      }
    });
  });

  describe("DR invariants on the synthesized pair", () => {
    it("all hold for the default configuration", () => {
      const failing = result.invariants.filter((invariant) => invariant.violations.length > 0);
      expect(failing, JSON.stringify(failing, null, 2)).to.deep.equal([]);
      expect(result.invariants.map((invariant) => invariant.id)).to.deep.equal([1, 3, 4, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
    });

    it("1: catches a replica in the primary's region, a primary-region key, a smaller class and backups off", () => {
      const broken = copy(pair);
      const replica = broken.dr.resources.find((resource) => resource.type === "aws:rds/instance:Instance")!;
      replica.inputs.kmsKeyId = broken.primary.outputs.kmsKeyArn;
      replica.inputs.instanceClass = "db.t4g.small";
      broken.primary.resources.find((resource) => resource.type === "aws:rds/instance:Instance")!.inputs.backupRetentionPeriod = 0;
      const messages = checkReplica(broken).violations.join("\n");
      expect(messages).to.contain("needs a key of its own region us-west-2");
      expect(messages).to.contain("smaller than or of another family");
      expect(messages).to.contain("backups are off");
      const sameRegion = copy(pair);
      sameRegion.dr.resources.find((resource) => resource.type === "aws:rds/instance:Instance")!.region = "us-east-1";
      expect(checkReplica(sameRegion).violations.join("\n")).to.contain("replica and source are both in us-east-1");
    });

    it("2: catches a replica of something other than the primary, and a primary with no replica", () => {
      const broken = copy(pair);
      broken.dr.resources.find((resource) => resource.type === "aws:rds/instance:Instance")!.inputs.replicateSourceDb =
        "arn:aws:rds:us-east-1:123456789012:db:other";
      const messages = checkReplica(broken).violations.join("\n");
      expect(messages).to.contain("is not the ARN of a primary database");
      expect(messages).to.contain("has 0 replicas in the DR stack");
      const none = copy(pair);
      none.dr.resources = none.dr.resources.filter((resource) => resource.type !== "aws:rds/instance:Instance");
      expect(checkReplica(none).violations.join("\n")).to.contain("has 0 replicas");
    });

    it("3: catches replication without versioning, without RTC, into the source region, or with a source-region replica key", () => {
      const noVersioning = copy(pair);
      noVersioning.dr.resources = noVersioning.dr.resources.filter((resource) => resource.type !== "aws:s3/bucketVersioning:BucketVersioning");
      expect(checkBucketReplication(noVersioning).violations.join("\n")).to.contain("versioning is not Enabled on the destination");

      const weakRule = copy(pair);
      const config = weakRule.dr.resources.find((resource) => resource.type === "aws:s3/bucketReplicationConfig:BucketReplicationConfig")!;
      const rule = (config.inputs.rules as { destination: Record<string, unknown>; deleteMarkerReplication: { status: string } }[])[0];
      rule.destination.replicationTime = { status: "Disabled" };
      rule.destination.encryptionConfiguration = { replicaKmsKeyId: weakRule.primary.outputs.kmsKeyArn };
      rule.deleteMarkerReplication.status = "Disabled";
      const messages = checkBucketReplication(weakRule).violations.join("\n");
      expect(messages).to.contain("Replication Time Control");
      expect(messages).to.contain("must be a key of the destination region us-west-2");
      expect(messages).to.contain("delete markers are not replicated");

      const sameRegion = copy(pair);
      sameRegion.dr.resources.find((resource) => resource.type === "aws:s3/bucket:Bucket" && resource.outputs.arn === sameRegion.dr.outputs.bucketArn)!.region =
        "us-east-1";
      expect(checkBucketReplication(sameRegion).violations.join("\n")).to.contain("is in the source's region");

      const noConfig = copy(pair);
      noConfig.dr.resources = noConfig.dr.resources.filter((resource) => resource.type !== "aws:s3/bucketReplicationConfig:BucketReplicationConfig");
      expect(checkBucketReplication(noConfig).violations.join("\n")).to.contain("has no replication configuration");
    });

    it("3: catches a replication role that cannot write the destination or decrypt the source", () => {
      const broken = copy(pair);
      const policy = broken.dr.resources.find(
        (resource) => resource.type === "aws:iam/rolePolicy:RolePolicy" && String(resource.inputs.policy).includes("s3:ReplicateObject"),
      )!;
      const document = JSON.parse(String(policy.inputs.policy)) as { Statement: { Sid: string }[] };
      document.Statement = document.Statement.filter((statement) => !["WriteReplicas", "DecryptSourceObjects"].includes(statement.Sid));
      policy.inputs.policy = JSON.stringify(document);
      const messages = checkBucketReplication(broken).violations.join("\n");
      expect(messages).to.contain("may not s3:ReplicateObject");
      expect(messages).to.contain("may not kms:Decrypt");
    });

    it("4: catches a missing health check, two PRIMARY records, a crossed alias and a wrong health-check path", () => {
      const broken = copy(pair);
      const records = broken.dr.resources.filter((resource) => resource.type === "aws:route53/record:Record" && resource.inputs.failoverRoutingPolicies);
      const primaryRecord = records.find((record) => (record.inputs.failoverRoutingPolicies as { type: string }[])[0].type === "PRIMARY")!;
      delete primaryRecord.inputs.healthCheckId;
      (primaryRecord.inputs.aliases as { name: string }[])[0].name = String(broken.dr.outputs.albDnsName);
      expect(checkFailoverRecords(broken).violations.join("\n")).to.contain("has no health check").and.contain("is not the primary ALB");

      const twoPrimaries = copy(pair);
      const secondary = twoPrimaries.dr.resources.find(
        (resource) => (resource.inputs.failoverRoutingPolicies as { type: string }[] | undefined)?.[0]?.type === "SECONDARY",
      )!;
      secondary.inputs.failoverRoutingPolicies = [{ type: "PRIMARY" }];
      expect(checkFailoverRecords(twoPrimaries).violations.join("\n")).to.contain("has 2 PRIMARY and 0 SECONDARY");

      const badCheck = copy(pair);
      const healthCheck = badCheck.dr.resources.find((resource) => resource.type === "aws:route53/healthCheck:HealthCheck" && resource.inputs.type === "HTTP")!;
      healthCheck.inputs.resourcePath = "/";
      healthCheck.inputs.failureThreshold = 10;
      healthCheck.inputs.requestInterval = 30;
      badCheck.dr.outputs.rtoSeconds = 300;
      const messages = checkFailoverRecords(badCheck).violations.join("\n");
      expect(messages).to.contain('resourcePath is "/", expected "/health"');
      expect(messages).to.contain("does not fit the 300 s RTO");
    });

    it("4: the synthesized PRIMARY's health check is the endpoint's and the fence's; catches a missing fence, a fence outside the DR region, one that forgets, and a threshold of one child", () => {
      expect(checkFailoverRecords(pair).violations).to.deep.equal([]);
      const checks = (plan: PlanPair) => plan.dr.resources.filter((resource) => resource.type === "aws:route53/healthCheck:HealthCheck");
      const unfenced = copy(pair);
      const record = unfenced.dr.resources.find(
        (resource) => (resource.inputs.failoverRoutingPolicies as { type: string }[] | undefined)?.[0]?.type === "PRIMARY",
      )!;
      record.inputs.healthCheckId = checks(unfenced).find((check) => check.inputs.type === "HTTP")!.id;
      expect(checkFailoverRecords(unfenced).violations.join("\n")).to.contain("has no fence");
      const elsewhere = copy(pair);
      checks(elsewhere).find((check) => check.inputs.type === "CLOUDWATCH_METRIC")!.inputs.cloudwatchAlarmRegion = "us-east-1";
      expect(checkFailoverRecords(elsewhere).violations.join("\n")).to.contain("not the DR region us-west-2");
      const forgetful = copy(pair);
      checks(forgetful).find((check) => check.inputs.type === "CLOUDWATCH_METRIC")!.inputs.insufficientDataHealthStatus = "Healthy";
      expect(checkFailoverRecords(forgetful).violations.join("\n")).to.contain("expected LastKnownStatus");
      const either = copy(pair);
      checks(either).find((check) => check.inputs.type === "CALCULATED")!.inputs.childHealthThreshold = 1;
      expect(checkFailoverRecords(either).violations.join("\n")).to.contain("childHealthThreshold is 1, expected 2");
    });

    it("4: both synthesized records go by their own health checks alone; catches a PRIMARY or a SECONDARY that also evaluates target health", () => {
      const aliasOf = (plan: PlanPair, role: string) =>
        (
          plan.dr.resources.find((resource) => (resource.inputs.failoverRoutingPolicies as { type: string }[] | undefined)?.[0]?.type === role)!.inputs
            .aliases as { evaluateTargetHealth?: boolean }[]
        )[0];
      expect(aliasOf(pair, "PRIMARY").evaluateTargetHealth, "synthesized PRIMARY").to.equal(false);
      expect(aliasOf(pair, "SECONDARY").evaluateTargetHealth, "synthesized SECONDARY").to.equal(false);

      const broken = copy(pair);
      aliasOf(broken, "PRIMARY").evaluateTargetHealth = true;
      aliasOf(broken, "SECONDARY").evaluateTargetHealth = true;
      const messages = checkFailoverRecords(broken).violations;
      expect(messages).to.have.length(2);
      expect(messages.join("\n")).to.contain("failover-primary: the PRIMARY alias must not evaluate target health");
      expect(messages.join("\n")).to.contain("failover-secondary: the SECONDARY alias must not evaluate target health");
    });

    it("4: the synthesized SECONDARY is healthy while the DR ALB answers or the primary is fenced; catches each way it could leave users on the old primary", () => {
      const secondaryOf = (plan: PlanPair) =>
        plan.dr.resources.find((resource) => (resource.inputs.failoverRoutingPolicies as { type: string }[] | undefined)?.[0]?.type === "SECONDARY")!;
      const check = (plan: PlanPair, name: string) => plan.dr.resources.find((resource) => resource.name === name)!;
      const violationsOf = (edit: (plan: PlanPair) => void) => {
        const broken = copy(pair);
        edit(broken);
        return checkFailoverRecords(broken).violations;
      };
      expect(checkFailoverRecords(pair).violations).to.deep.equal([]);
      // Without a check: unhealthy with the DR tier, so Route 53 answers the PRIMARY whatever its health.
      const unchecked = violationsOf((plan) => delete secondaryOf(plan).inputs.healthCheckId);
      expect(unchecked).to.have.length(1);
      expect(unchecked[0]).to.contain("failover-secondary: the SECONDARY record has no health check of the DR stack");
      // The DR endpoint check alone: unhealthy with the DR tier even while fenced.
      const endpointOnly = violationsOf((plan) => (secondaryOf(plan).inputs.healthCheckId = check(plan, "failover-secondary-health").id));
      expect(endpointOnly.join("\n")).to.contain('health check is "HTTP", not CALCULATED');
      expect(violationsOf((plan) => (check(plan, "failover-secondary-record-health").inputs.childHealthThreshold = 2)).join("\n")).to.contain(
        "childHealthThreshold is 2, expected 1",
      );
      expect(violationsOf((plan) => delete check(plan, "failover-fenced-health").inputs.invertHealthcheck).join("\n")).to.contain(
        "invertHealthcheck is undefined, expected true",
      );
      expect(violationsOf((plan) => (check(plan, "failover-fenced-health").inputs.cloudwatchAlarmName = "another-alarm")).join("\n")).to.contain(
        "not the PRIMARY's fence alarm multi-region-dr-dr-dr-primary-fenced",
      );
      expect(violationsOf((plan) => (check(plan, "failover-fenced-health").inputs.insufficientDataHealthStatus = "Unhealthy")).join("\n")).to.contain(
        'failover-fenced-health: insufficientDataHealthStatus is "Unhealthy", expected LastKnownStatus',
      );
      // Only the fence: the SECONDARY would no longer say whether the DR tier answers before a failover.
      const fenceOnly = violationsOf((plan) => {
        const combined = check(plan, "failover-secondary-record-health");
        combined.inputs.childHealthchecks = [check(plan, "failover-fenced-health").id];
      });
      expect(fenceOnly.join("\n")).to.contain("has 1 children (0 endpoint, 1 CLOUDWATCH_METRIC), expected 2");
      // The DR endpoint check on another host, another port, another path, or inverted.
      const offTarget = violationsOf((plan) => {
        const endpoint = check(plan, "failover-secondary-health");
        Object.assign(endpoint.inputs, { fqdn: String(plan.primary.outputs.albDnsName), port: 8080, resourcePath: "/", invertHealthcheck: true });
      });
      expect(offTarget.join("\n"))
        .to.contain("fqdn is")
        .and.contain("expected the DR ALB")
        .and.contain("probes HTTP port 8080, not a listener of the DR ALB that forwards to the app (HTTP 80)")
        .and.contain('resourcePath is "/", expected "/health"')
        .and.contain("the DR ALB's check is inverted");
      // The PRIMARY's own fence inverted: traffic off the primary until a failover.
      expect(violationsOf((plan) => (check(plan, "failover-fence-health").inputs.invertHealthcheck = true)).join("\n")).to.contain(
        "the PRIMARY's fence is inverted",
      );
    });

    it("4: the DR endpoint check must probe a listener that forwards, not an HTTP listener that redirects to HTTPS (301 is healthy to Route 53)", () => {
      const broken = copy(pair);
      const listener = broken.dr.resources.find((resource) => resource.type === "aws:lb/listener:Listener" && resource.inputs.port === 80)!;
      listener.inputs.defaultActions = [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }];
      expect(checkFailoverRecords(broken).violations.join("\n")).to.contain(
        "probes HTTP port 80, not a listener of the DR ALB that forwards to the app (none)",
      );
    });

    it("4: catches a name that mixes failover with another routing policy", () => {
      const broken = copy(pair);
      const simple = structuredClone(broken.dr.resources.find((resource) => resource.inputs.failoverRoutingPolicies)!);
      delete simple.inputs.failoverRoutingPolicies;
      delete simple.inputs.setIdentifier;
      simple.name = "simple-record";
      broken.dr.resources.push(simple);
      expect(checkFailoverRecords(broken).violations.join("\n")).to.contain("cannot mix routing policies");
    });

    it("4: lets a TXT record share the name, accepts a dualstack alias, and catches a disabled or inverted health check", () => {
      const broken = copy(pair);
      const txt = structuredClone(broken.dr.resources.find((resource) => resource.inputs.failoverRoutingPolicies)!);
      delete txt.inputs.failoverRoutingPolicies;
      delete txt.inputs.setIdentifier;
      txt.inputs.type = "TXT";
      txt.name = "txt-record";
      broken.dr.resources.push(txt);
      const primaryRecord = broken.dr.resources.find((resource) => resource.name === "failover-primary")!;
      const aliases = primaryRecord.inputs.aliases as { name: string }[];
      aliases[0].name = `dualstack.${aliases[0].name}`;
      expect(checkFailoverRecords(broken).violations).to.deep.equal([]);
      const check = broken.dr.resources.find((resource) => resource.type === "aws:route53/healthCheck:HealthCheck")!;
      check.inputs.disabled = true;
      check.inputs.invertHealthcheck = true;
      const messages = checkFailoverRecords(broken).violations.join("\n");
      expect(messages).to.contain("is disabled; the PRIMARY would never fail over");
      expect(messages).to.contain("invertHealthcheck is true");
    });

    it("7: catches a DR region missing a kind of resource, a smaller DR maximum, another instance type and other parameters", () => {
      const broken = copy(pair);
      broken.dr.resources = broken.dr.resources.filter((resource) => resource.type !== "aws:ec2/flowLog:FlowLog");
      broken.dr.resources.find((resource) => resource.type === "aws:autoscaling/group:Group")!.inputs.maxSize = 2;
      broken.dr.resources.find((resource) => resource.type === "aws:ec2/launchTemplate:LaunchTemplate")!.inputs.instanceType = "t3.micro";
      broken.dr.resources.find((resource) => resource.type === "aws:rds/parameterGroup:ParameterGroup")!.inputs.parameters = [];
      const messages = checkRegionalParity(broken).violations.join("\n");
      expect(messages).to.contain("lacks resource kinds the primary has: aws:ec2/flowLog:FlowLog");
      expect(messages).to.contain("can reach 2 instances, below the primary's maximum 6");
      expect(messages).to.contain("app instance types differ");
      expect(messages).to.contain("parameter groups differ");
    });

    it("8: catches a DR resource that uses a primary-region key, and allows the replica's source link", () => {
      const broken = copy(pair);
      broken.dr.resources.find((resource) => resource.type === "aws:ec2/launchTemplate:LaunchTemplate")!.inputs.blockDeviceMappings = [
        { deviceName: "/dev/xvda", ebs: { kmsKeyId: broken.primary.outputs.kmsKeyArn } },
      ];
      const violations = checkRegionIsolation(broken).violations;
      expect(violations).to.have.length(1);
      expect(violations[0]).to.contain("blockDeviceMappings[0].ebs.kmsKeyId").and.contain("of us-east-1");
      expect(checkRegionIsolation(pair).violations).to.deep.equal([]);
    });

    it("12: catches a plan without a DR copy, a short retention, an unselected database, and a DR-region plan before any failover", () => {
      expect(checkBackups(pair).violations).to.deep.equal([]);
      const broken = copy(pair);
      const plan = broken.dr.resources.find((resource) => resource.type === "aws:backup/plan:Plan")!;
      const rules = plan.inputs.rules as { copyActions?: unknown[]; lifecycle?: { deleteAfter?: number } }[];
      rules[0].copyActions = [];
      rules[0].lifecycle = { deleteAfter: 2 };
      const selection = broken.dr.resources.find((resource) => resource.type === "aws:backup/selection:Selection")!;
      selection.inputs.resources = [];
      // A second plan in the DR region while the DR database is still a replica.
      broken.dr.resources.push({
        ...copy(pair).dr.resources.find((resource) => resource.type === "aws:backup/plan:Plan")!,
        name: "stray-plan",
        region: "us-west-2",
      });
      const messages = checkBackups(broken).violations.join("\n");
      expect(messages).to.contain("no copy action to a vault in the DR region us-west-2");
      expect(messages).to.contain("keeps recovery points 2 days; keep at least 5");
      expect(messages).to.contain("is in no backup selection of the DR stack");
      expect(messages).to.contain("dr/stray-plan: a plan in the DR region us-west-2 before any failover backs up a replica");
    });

    it("12: after a failover, accepts a DR-region plan of the promoted database into the DR vault, and catches one into another vault", () => {
      const promoted = copy(pair);
      promoted.dr.outputs.databasePromoted = true;
      const database = promoted.dr.resources.find((resource) => resource.type === "aws:rds/instance:Instance")!;
      const drVault = promoted.dr.resources.find((resource) => resource.type === "aws:backup/vault:Vault" && resource.region === "us-west-2")!;
      const base = promoted.dr.resources.find((resource) => resource.type === "aws:backup/plan:Plan")!;
      const drPlan = {
        ...copy(pair).dr.resources.find((resource) => resource.type === "aws:backup/plan:Plan")!,
        name: "promoted-plan",
        region: "us-west-2",
        id: "promoted-plan-id",
      };
      drPlan.inputs = { ...base.inputs, rules: [{ ruleName: "continuous-promoted", targetVaultName: drVault.inputs.name, lifecycle: { deleteAfter: 14 } }] };
      promoted.dr.resources.push(drPlan, {
        ...promoted.dr.resources.find((resource) => resource.type === "aws:backup/selection:Selection")!,
        name: "promoted-selection",
        inputs: { planId: "promoted-plan-id", resources: [database.outputs.arn] },
      });
      expect(checkBackups(promoted).violations).to.deep.equal([]);
      (drPlan.inputs.rules as { targetVaultName: string }[])[0].targetVaultName = "elsewhere";
      expect(checkBackups(promoted).violations).to.deep.equal([
        "dr/promoted-plan rule continuous-promoted: backs up into elsewhere, not the DR stack's vault in us-west-2",
      ]);
    });

    it("10: catches an unprotected database, a skipped final snapshot, a force-destroy bucket and a short key window", () => {
      const broken = copy(pair);
      const database = broken.primary.resources.find((resource) => resource.type === "aws:rds/instance:Instance")!;
      database.protect = false;
      database.inputs.skipFinalSnapshot = true;
      database.inputs.deletionProtection = false;
      broken.dr.resources.find((resource) => resource.type === "aws:s3/bucket:Bucket")!.inputs.forceDestroy = true;
      broken.dr.resources.find((resource) => resource.type === "aws:kms/key:Key")!.inputs.deletionWindowInDays = 7;
      const messages = checkStatefulProtection(broken).violations.join("\n");
      expect(messages).to.contain("primary/primary-db-instance: has neither Pulumi protect nor retainOnDelete");
      expect(messages).to.contain("skips the final snapshot");
      expect(messages).to.contain("has no deletionProtection");
      expect(messages).to.contain("has forceDestroy");
      expect(messages).to.contain("deletion window under 30 days");
    });

    it("ranks instance classes by family and size", () => {
      expect(classAtLeast("db.t4g.large", "db.t4g.medium")).to.equal(true);
      expect(classAtLeast("db.r7g.2xlarge", "db.r7g.xlarge")).to.equal(true);
      expect(classAtLeast("db.r7g.xlarge", "db.r7g.2xlarge")).to.equal(false);
      expect(classAtLeast("db.m7g.large", "db.t4g.medium")).to.equal(false);
      expect(classAtLeast("db.t4g.weird", "db.t4g.medium")).to.equal(false);
    });

    it("reports every invariant through checkDrInvariants when the pair is broken", () => {
      const broken = copy(pair);
      broken.dr.resources = broken.dr.resources.filter(
        (resource) =>
          !["aws:rds/instance:Instance", "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "aws:route53/record:Record"].includes(resource.type),
      );
      const failing = checkDrInvariants(broken)
        .filter((invariant) => invariant.violations.length > 0)
        .map((invariant) => invariant.id);
      expect(failing).to.include.members([1, 3, 4, 7]);
    });
  });

  describe("weakened stack configs fail before any resource exists", () => {
    const cases: [string, string, (config: Record<string, unknown>) => void, RegExp][] = [
      [
        "backups under 5 days",
        "Pulumi.primary.yaml",
        (c) => ((c["multi-region-dr:database"] as Record<string, unknown>).backupRetentionDays = 1),
        /database\.backupRetentionDays.*at least 5/,
      ],
      [
        "a single zone",
        "Pulumi.primary.yaml",
        (c) => ((c["multi-region-dr:network"] as Record<string, unknown>).availabilityZoneCount = 1),
        /availabilityZoneCount.*at least 2/,
      ],
      [
        "the DR region equal to the primary's",
        "Pulumi.dr.yaml",
        (c) => (c["aws:region"] = "us-east-1"),
        /aws:region \(found: "us-east-1"\): is the primary's region too/,
      ],
      [
        "overlapping CIDRs",
        "Pulumi.dr.yaml",
        (c) => ((c["multi-region-dr:network"] as Record<string, unknown>).cidrBlock = "10.0.0.0/16"),
        /network\.cidrBlock.*overlaps the primary's 10\.0\.0\.0\/16/,
      ],
      [
        "a DR tier too small for the primary's load",
        "Pulumi.dr.yaml",
        (c) => ((c["multi-region-dr:app"] as Record<string, unknown>).maxSize = 3),
        /app\.maxSize.*cannot hold the primary's load/,
      ],
      [
        "a malformed primary stack name",
        "Pulumi.dr.yaml",
        (c) => (c["multi-region-dr:primaryStack"] = "multi-region-dr/primary"),
        /primaryStack.*fully qualified/,
      ],
      [
        "a health check too slow for the RTO",
        "Pulumi.dr.yaml",
        (c) => {
          c["multi-region-dr:dns"] = { healthCheckIntervalSeconds: 30, healthCheckFailureThreshold: 10 };
          c["multi-region-dr:recovery"] = { rtoSeconds: 300, rpoSeconds: 60 };
        },
        /dns\.healthCheckFailureThreshold.*30 s x 10 = 300 s.*does not fit the 300 s RTO/,
      ],
    ];
    for (const [what, file, edit, message] of cases) {
      it(`rejects ${what}`, async () => {
        const edited = stackFile(file, edit);
        const args = file === "Pulumi.primary.yaml" ? { primaryStackFile: edited } : { drStackFile: edited };
        let caught: unknown;
        try {
          await synthesize({ projectDirectory, ...args });
        } catch (error) {
          caught = error;
        }
        expect(caught).to.be.instanceOf(ConfigError);
        expect((caught as Error).message).to.match(message);
      });
    }

    it("says to deploy the primary first when the referenced stack exports nothing", async () => {
      const selfManaged = { organization: "organization", project: "multi-region-dr" };
      const config = parseStackConfig(readStackConfigFile(path.join(projectDirectory, "Pulumi.dr.yaml")), "dr", selfManaged);
      let caught: unknown;
      try {
        await recordStack({
          project: "multi-region-dr",
          stack: "dr",
          role: "dr",
          region: "us-west-2",
          stackReferenceOutputs: { "organization/multi-region-dr/primary": {} },
          program: () => buildDrStack(config as DrConfig, "dr"),
        });
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(ConfigError);
      const message = (caught as Error).message;
      expect(message).to.contain("organization/multi-region-dr/primary output dbArn (found: nothing): is missing: deploy the primary stack first");
      expect((caught as ConfigError).problems.length).to.be.greaterThan(20);
    });
  });
});
