/**
 * The faults' pure parts (recovery/faults/catalogue.ts) and their config fragment: durations as
 * bounded ISO 8601, each template in the right region with the right target and stop alarms, and each
 * role policy allowing, in the IAM simulator, exactly the calls its action makes (and failing without
 * any one statement).
 */
import { expect } from "chai";
import { faultInjectionSchema } from "../../config/faultInjection";
import { simulate } from "../../policy/policies/workflowsRun";
import {
  durationMinutes,
  type FaultContext,
  FAULTS,
  faultAlarms,
  faultOfAction,
  faultRequests,
  faultRolePolicy,
  faultTemplate,
  isoDuration,
  LOG_DELIVERY_STATEMENT,
  S3_FAULT_TARGET_TAG,
  templateRegion,
} from "../../recovery/faults/catalogue";
import { recoveryResourceNames } from "../../recovery/names";

const ACCOUNT = "123456789012";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/fault`;
const PREFIX = "multi-region-dr-dr-dr";
const names = recoveryResourceNames(PREFIX);

/** The context of each fault as stacks/faultInjection.ts builds it: DR us-west-2, primary us-east-1. */
export function contextOf(fault: (typeof FAULTS)[number]): FaultContext {
  const region = templateRegion(fault, { primary: "us-east-1", dr: "us-west-2" });
  return {
    partition: "aws",
    accountId: ACCOUNT,
    region,
    otherRegion: region === "us-west-2" ? "us-east-1" : "us-west-2",
    prefix: PREFIX,
    subnetIds: ["subnet-0a", "subnet-0b"],
    sourceBucketName: "primary-data",
    destinationBucketName: "dr-data",
    primaryStack: "primary",
    tableArn: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/app`,
  };
}

async function denied(fault: (typeof FAULTS)[number], statements = faultRolePolicy(fault, contextOf(fault)).Statement): Promise<string[]> {
  const policies = { identity: [{ name: "fault", policy: { Version: "2012-10-17", Statement: statements } }], boundary: [] };
  const refused: string[] = [];
  for (const request of faultRequests(fault, contextOf(fault))) {
    const decision = await simulate(request, policies, ROLE, ACCOUNT);
    if (decision !== "Allowed") refused.push(`${request.action} ${request.resource}: ${decision}`);
  }
  return refused;
}

describe("FIS faults: durations", () => {
  it("writes whole minutes as ISO 8601 and reads them back", () => {
    expect(isoDuration(20)).to.equal("PT20M");
    expect(isoDuration(60)).to.equal("PT1H");
    expect(isoDuration(90)).to.equal("PT1H30M");
    expect(durationMinutes("PT1H30M")).to.equal(90);
    expect(durationMinutes("PT30S")).to.equal(0.5);
    expect(durationMinutes("P1D")).to.equal(undefined);
    expect(durationMinutes("PT")).to.equal(undefined);
  });

  it("refuses durations outside 1 to 120 whole minutes", () => {
    for (const bad of [0, 121, 1.5, -3]) expect(() => isoDuration(bad), String(bad)).to.throw(RangeError, /1 to 120 whole minutes/);
  });
});

describe("FIS faults: templates", () => {
  it("isolates the DR subnets from the primary region, from the DR region, stopping on the DR drill-abort alarms", () => {
    const template = faultTemplate("cross-region-connectivity", contextOf("cross-region-connectivity"), 20);
    expect(template.actionId).to.equal("aws:network:route-table-disrupt-cross-region-connectivity");
    expect(template.target).to.deep.include({ resourceType: "aws:ec2:subnet", selectionMode: "ALL" });
    expect(template.target.resourceArns).to.deep.equal([
      `arn:aws:ec2:us-west-2:${ACCOUNT}:subnet/subnet-0a`,
      `arn:aws:ec2:us-west-2:${ACCOUNT}:subnet/subnet-0b`,
    ]);
    expect(template.parameters).to.deep.equal({ region: "us-east-1", duration: "PT20M" });
    expect(template.stopAlarms).to.deep.equal([
      { name: names.unhealthyTargetsAlarm, region: "us-west-2" },
      { name: names.targetErrorsAlarm, region: "us-west-2" },
    ]);
  });

  it("pauses S3 replication from the primary, by tags (the only targeting the action takes), to the DR bucket only", () => {
    const template = faultTemplate("s3-replication-pause", contextOf("s3-replication-pause"), 30);
    expect(template.target.resourceArns).to.equal(undefined);
    expect(template.target.resourceTags).to.deep.equal([
      { key: "Stack", value: "primary" },
      { key: S3_FAULT_TARGET_TAG.key, value: S3_FAULT_TARGET_TAG.value },
    ]);
    expect(template.parameters).to.deep.equal({ region: "us-west-2", destinationBuckets: "dr-data", duration: "PT30M" });
    expect(template.stopAlarms.map((alarm) => alarm.region)).to.deep.equal(["us-east-1", "us-east-1"]);
  });

  it("pauses the global table's replication through its primary replica, stopping on its latency alarm", () => {
    const template = faultTemplate("dynamodb-replication-pause", contextOf("dynamodb-replication-pause"), 10);
    expect(template.target.resourceArns).to.deep.equal([`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/app`]);
    expect(template.parameters).to.deep.equal({ duration: "PT10M" });
    expect(template.stopAlarms).to.deep.equal([{ name: names.globalTableReplicationLatencyAlarm, region: "us-east-1" }]);
  });

  it("refuses a context without the fault's targets", () => {
    expect(() => faultTemplate("cross-region-connectivity", { ...contextOf("cross-region-connectivity"), subnetIds: [] }, 10)).to.throw(RangeError, /subnet/);
    const { tableArn: _table, ...withoutTable } = contextOf("dynamodb-replication-pause");
    expect(() => faultTemplate("dynamodb-replication-pause", withoutTable, 10)).to.throw(RangeError, /global table/);
    const { destinationBucketName: _bucket, ...withoutBucket } = contextOf("s3-replication-pause");
    expect(() => faultTemplate("s3-replication-pause", withoutBucket, 10)).to.throw(RangeError, /DR bucket/);
  });

  it("names each fault by its action, and lists the stop alarms before the other DR signals", () => {
    for (const fault of FAULTS) expect(faultOfAction(faultTemplate(fault, contextOf(fault), 5).actionId)).to.equal(fault);
    expect(faultOfAction("aws:ec2:stop-instances")).to.equal(undefined);
    expect(faultAlarms("cross-region-connectivity", PREFIX, "us-west-2", "us-west-2").map((alarm) => [alarm.name, alarm.stops])).to.deep.equal([
      [names.unhealthyTargetsAlarm, true],
      [names.targetErrorsAlarm, true],
      [names.primaryEndpointProbeAlarm, false],
      [names.replicaLagOverRpoAlarm, false],
    ]);
  });
});

describe("FIS faults: the roles, simulated", () => {
  for (const fault of FAULTS) {
    it(`${fault}: the role allows every call of its action`, async () => {
      expect(await denied(fault)).to.deep.equal([]);
    });

    it(`${fault}: without any one statement, some call is refused`, async () => {
      const statements = faultRolePolicy(fault, contextOf(fault)).Statement.filter((statement) => statement !== LOG_DELIVERY_STATEMENT);
      for (const missing of statements) {
        const refused = await denied(
          fault,
          statements.filter((statement) => statement !== missing),
        );
        expect(refused, missing.Sid).to.not.deep.equal([]);
      }
    });
  }

  it("scopes the S3 pause to pause requests on the source bucket", async () => {
    const context = contextOf("s3-replication-pause");
    const policies = { identity: [{ name: "fault", policy: faultRolePolicy("s3-replication-pause", context) }], boundary: [] };
    const put = { action: "s3:PutReplicationConfiguration", resource: "arn:aws:s3:::primary-data" };
    expect(await simulate(put, policies, ROLE, ACCOUNT)).to.equal("ImplicitlyDenied");
    expect(await simulate({ ...put, resource: "arn:aws:s3:::other", context: { "s3:IsReplicationPauseRequest": "true" } }, policies, ROLE, ACCOUNT)).to.equal(
      "ImplicitlyDenied",
    );
  });

  it("lets the network fault delete only what FIS created (tag managedByFIS)", async () => {
    const context = contextOf("cross-region-connectivity");
    const policies = { identity: [{ name: "fault", policy: faultRolePolicy("cross-region-connectivity", context) }], boundary: [] };
    const request = { action: "ec2:DeleteRouteTable", resource: `arn:aws:ec2:us-west-2:${ACCOUNT}:route-table/rtb-app` };
    expect(await simulate(request, policies, ROLE, ACCOUNT)).to.equal("ImplicitlyDenied");
  });
});

describe("FIS faults: config (faultInjection)", () => {
  it("defaults to off, 20 minutes, 30 days of logs", () => {
    expect(faultInjectionSchema.parse(undefined)).to.deep.equal({ enabled: false, durationMinutes: 20, logRetentionDays: 30 });
  });

  it("names the key of a bad value", () => {
    for (const [value, key, message] of [
      [{ durationMinutes: 600 }, "durationMinutes", /at most 120/],
      [{ durationMinutes: 2.5 }, "durationMinutes", /whole number/],
      [{ logRetentionDays: 45 }, "logRetentionDays", /one of 7, 14, 30/],
      [{ enabled: "yes" }, "enabled", /true or false/],
    ] as const) {
      const result = faultInjectionSchema.safeParse(value);
      expect(result.success, JSON.stringify(value)).to.equal(false);
      const issue = result.error!.issues[0];
      expect(issue.path).to.deep.equal([key]);
      expect(issue.message).to.match(message);
    }
    expect(faultInjectionSchema.safeParse({ duration: 5 }).success).to.equal(false);
  });
});
