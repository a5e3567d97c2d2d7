/**
 * The primary-region operations function (recovery/lambda/primaryRegionOperations.mjs) against
 * mocked AWS SDK clients: every operation's exact SDK input, in the primary region, on the targets
 * of its environment (never the event's); its answers; its errors; and the contract with the
 * failover and failback definitions (the answer fields they read, the arguments they send).
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  DBInstanceNotFoundFault,
  DescribeDBInstancesCommand,
  InvalidDBInstanceStateFault,
  InvalidGlobalClusterStateFault,
  PromoteReadReplicaCommand,
  RDSClient,
  SwitchoverGlobalClusterCommand,
} from "@aws-sdk/client-rds";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { taskStates, LAMBDA_INVOKE } from "../../recovery/asl";
import { failbackDefinition } from "../../recovery/failback";
import { failoverDefinition } from "../../recovery/failover";
import { ENVIRONMENT, handler, OPERATION_NAMES, type PrimaryRegionEvent } from "../../recovery/lambda/primaryRegionOperations.mjs";
import { PRIMARY_REGION_ENVIRONMENT, PRIMARY_REGION_OPERATIONS, primaryRegionEnvironment, type PrimaryRegionOperation } from "../../recovery/primaryRegion";
import { type AuroraGlobalDatabaseTargets, auroraGlobalOf } from "../../recovery/targets";
import { auroraRecoveryTargetsFixture, recoveryTargetsFixture } from "../fixtures/recoveryTargets";
import { regionOf, rejection } from "./sdkCalls";

const targets = recoveryTargetsFixture();
const auroraTargets = auroraRecoveryTargetsFixture();
const auroraDatabase = auroraGlobalOf(auroraTargets) as AuroraGlobalDatabaseTargets;
const ENV = {
  PRIMARY_REGION: targets.primaryRegion,
  PRIMARY_DATABASE_IDENTIFIER: targets.primary.databaseIdentifier,
  PRIMARY_AUTO_SCALING_GROUP_NAME: targets.primary.autoScalingGroupName,
  PRIMARY_TARGET_GROUP_ARN: targets.primary.targetGroupArn,
  GLOBAL_CLUSTER_IDENTIFIER: auroraDatabase.globalClusterIdentifier,
  DR_CLUSTER_ARN: auroraDatabase.drClusterArn,
  PRIMARY_HEARTBEAT_FUNCTION_ARN: targets.heartbeat?.primaryFunctionArn ?? "",
};
/** The primary region's heartbeat function's answer to replayedSince (recovery/lambda/replicationHeartbeat.mjs). */
const HEARTBEAT_ANSWER = { caughtUp: true, beatAt: "2030-01-01T00:02:05.000Z", since: "2030-01-01T00:02:00.000Z" };
/** Targets an event might try to smuggle in; the function must ignore them all. */
const FOREIGN = {
  region: "eu-west-1",
  Region: "eu-west-1",
  DBInstanceIdentifier: "someone-elses-db",
  databaseIdentifier: "someone-elses-db",
  AutoScalingGroupName: "someone-elses-asg",
  autoScalingGroupName: "someone-elses-asg",
  TargetGroupArn: "arn:aws:elasticloadbalancing:eu-west-1:999999999999:targetgroup/other/0000000000000000",
};
const metadata = { $metadata: {} };

// Mocks of every instance of each client class, installed for this file's tests only (before/after).
let rds: AwsClientStub<RDSClient>;
let autoScaling: AwsClientStub<AutoScalingClient>;
let cloudWatch: AwsClientStub<CloudWatchClient>;
let elb: AwsClientStub<ElasticLoadBalancingV2Client>;
let lambda: AwsClientStub<LambdaClient>;
let mocks: { reset(): unknown; restore(): void; calls(): unknown[] }[] = [];

/** Total number of SDK calls over every mocked client. */
const sdkCalls = () => mocks.reduce((count, mock) => count + mock.calls().length, 0);

/** Typical answers of every SDK call (a replica in sync, 2 of 3 instances in service, 2 healthy targets). */
function mockTypicalResponses(): void {
  rds.on(DescribeDBInstancesCommand).resolves({
    DBInstances: [
      {
        DBInstanceIdentifier: ENV.PRIMARY_DATABASE_IDENTIFIER,
        DBInstanceStatus: "available",
        ReadReplicaSourceDBInstanceIdentifier: targets.replica.arn,
        Endpoint: { Address: `${ENV.PRIMARY_DATABASE_IDENTIFIER}.abcdefghijkl.us-east-1.rds.amazonaws.com`, Port: 5432 },
      },
    ],
  });
  rds.on(PromoteReadReplicaCommand).resolves({ DBInstance: { DBInstanceIdentifier: ENV.PRIMARY_DATABASE_IDENTIFIER, DBInstanceStatus: "modifying" } });
  cloudWatch.on(GetMetricDataCommand).resolves({
    MetricDataResults: [
      { Id: "replicaLag", StatusCode: "Complete", Timestamps: [new Date("2030-01-01T00:02:00Z"), new Date("2030-01-01T00:01:00Z")], Values: [0, 3] },
    ],
  });
  rds.on(SwitchoverGlobalClusterCommand).resolves({ GlobalCluster: { GlobalClusterIdentifier: ENV.GLOBAL_CLUSTER_IDENTIFIER, Status: "switching-over" } });
  autoScaling.on(UpdateAutoScalingGroupCommand).resolves({});
  autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: ENV.PRIMARY_AUTO_SCALING_GROUP_NAME,
        MinSize: 2,
        MaxSize: 6,
        DesiredCapacity: 3,
        DefaultCooldown: 300,
        AvailabilityZones: ["us-east-1a"],
        HealthCheckType: "ELB",
        CreatedTime: new Date(),
        Instances: [
          { InstanceId: "i-1", LifecycleState: "InService", AvailabilityZone: "us-east-1a", HealthStatus: "Healthy", ProtectedFromScaleIn: false },
          { InstanceId: "i-2", LifecycleState: "Pending", AvailabilityZone: "us-east-1a", HealthStatus: "Healthy", ProtectedFromScaleIn: false },
          { InstanceId: "i-3", LifecycleState: "InService", AvailabilityZone: "us-east-1b", HealthStatus: "Healthy", ProtectedFromScaleIn: false },
          { InstanceId: "i-4", LifecycleState: "Terminating", AvailabilityZone: "us-east-1b", HealthStatus: "Unhealthy", ProtectedFromScaleIn: false },
        ],
      },
    ],
  });
  lambda
    .on(InvokeCommand)
    .resolves({ StatusCode: 200, Payload: Buffer.from(JSON.stringify(HEARTBEAT_ANSWER)) as unknown as Uint8Array & { transformToString(): string } });
  elb.on(DescribeTargetHealthCommand).resolves({
    TargetHealthDescriptions: [
      { Target: { Id: "i-1" }, TargetHealth: { State: "healthy" } },
      { Target: { Id: "i-2" }, TargetHealth: { State: "initial" } },
      { Target: { Id: "i-3" }, TargetHealth: { State: "healthy" } },
      { Target: { Id: "i-4" }, TargetHealth: { State: "draining" } },
      { Target: { Id: "i-5" } },
    ],
  });
}

describe("primary-region operations function", () => {
  const saved: Record<string, string | undefined> = {};

  before(() => {
    rds = mockClient(RDSClient);
    autoScaling = mockClient(AutoScalingClient);
    cloudWatch = mockClient(CloudWatchClient);
    elb = mockClient(ElasticLoadBalancingV2Client);
    lambda = mockClient(LambdaClient);
    mocks = [rds, autoScaling, cloudWatch, elb, lambda];
  });

  beforeEach(() => {
    for (const [name, value] of Object.entries(ENV)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    mocks.forEach((mock) => mock.reset());
    mockTypicalResponses();
  });

  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  after(() => mocks.forEach((mock) => mock.restore()));

  it("performs exactly the operations and reads exactly the environment of recovery/primaryRegion.ts", () => {
    expect([...OPERATION_NAMES].sort()).to.deep.equal(Object.keys(PRIMARY_REGION_OPERATIONS).sort());
    expect({ ...ENVIRONMENT }).to.deep.equal(PRIMARY_REGION_ENVIRONMENT);
  });

  describe("describeDatabase", () => {
    it("describes the environment's database in the primary region, ignoring targets in the event", async () => {
      const answer = await handler({ operation: "describeDatabase", ...FOREIGN });
      expect(answer).to.deep.equal({
        status: "available",
        isReplica: true,
        sourceArn: targets.replica.arn,
        address: `${ENV.PRIMARY_DATABASE_IDENTIFIER}.abcdefghijkl.us-east-1.rds.amazonaws.com`,
      });
      const calls = rds.commandCalls(DescribeDBInstancesCommand);
      expect(calls).to.have.length(1);
      expect(calls[0].args[0].input).to.deep.equal({ DBInstanceIdentifier: targets.primary.databaseIdentifier });
      expect(await regionOf(calls[0])).to.equal("us-east-1");
    });

    it("answers a standalone instance without an endpoint yet with isReplica false and nulls", async () => {
      rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: ENV.PRIMARY_DATABASE_IDENTIFIER, DBInstanceStatus: "creating" }] });
      expect(await handler({ operation: "describeDatabase" })).to.deep.equal({ status: "creating", isReplica: false, sourceArn: null, address: null });
    });

    it("rethrows DBInstanceNotFoundFault with its name", async () => {
      rds.on(DescribeDBInstancesCommand).rejects(new DBInstanceNotFoundFault({ message: "DBInstance primary-db-instance-9cb3a42d not found.", ...metadata }));
      const error = await rejection(handler({ operation: "describeDatabase" }));
      expect(error.name).to.equal("DBInstanceNotFoundFault");
    });
  });

  describe("promoteDatabase", () => {
    it("promotes the environment's database in the primary region, keeping its backup retention", async () => {
      expect(await handler({ operation: "promoteDatabase", ...FOREIGN, BackupRetentionPeriod: 0 })).to.deep.equal({ promoted: true });
      const calls = rds.commandCalls(PromoteReadReplicaCommand);
      expect(calls).to.have.length(1);
      expect(calls[0].args[0].input).to.deep.equal({ DBInstanceIdentifier: targets.primary.databaseIdentifier });
      expect(await regionOf(calls[0])).to.equal("us-east-1");
    });

    it("rethrows InvalidDBInstanceStateFault (a replica that is backing-up) with its name, which the failback catches (never retried blindly)", async () => {
      rds
        .on(PromoteReadReplicaCommand)
        .rejects(new InvalidDBInstanceStateFault({ message: "DB Instance is not in an available state: backing-up", ...metadata }));
      const error = await rejection(handler({ operation: "promoteDatabase" }));
      expect(error.name).to.equal("InvalidDBInstanceStateFault");
      expect(error.message).to.contain("backing-up");
      const promote = taskStates(failbackDefinition(targets)).find(({ state }) => JSON.stringify(state.Parameters).includes('"promoteDatabase"'));
      expect((promote?.state.Retry as { ErrorEquals: string[]; MaxAttempts?: number }[])[0]).to.deep.equal({ ErrorEquals: [error.name], MaxAttempts: 0 });
      expect((promote?.state.Catch as { ErrorEquals: string[]; Next: string }[])[0]).to.include({ Next: "Promotion retry: wait" });
      expect((promote?.state.Catch as { ErrorEquals: string[] }[])[0].ErrorEquals).to.deep.equal([error.name]);
    });
  });

  describe("replicaLagSeconds", () => {
    it("reads the maximum ReplicaLag per minute of the environment's database over the last 5 minutes by default, in the primary region", async () => {
      const before = Date.now();
      await handler({ operation: "replicaLagSeconds", ...FOREIGN });
      const after = Date.now();
      const calls = cloudWatch.commandCalls(GetMetricDataCommand);
      expect(calls).to.have.length(1);
      const { StartTime, EndTime, ...input } = calls[0].args[0].input;
      expect(input).to.deep.equal({
        ScanBy: "TimestampDescending",
        MetricDataQueries: [
          {
            Id: "replicaLag",
            MetricStat: {
              Metric: {
                Namespace: "AWS/RDS",
                MetricName: "ReplicaLag",
                Dimensions: [{ Name: "DBInstanceIdentifier", Value: targets.primary.databaseIdentifier }],
              },
              Period: 60,
              Stat: "Maximum",
            },
            ReturnData: true,
          },
        ],
      });
      const end = (EndTime as Date).getTime();
      expect(end).to.be.within(before, after);
      expect(end - (StartTime as Date).getTime()).to.equal(300_000);
      expect(await regionOf(calls[0])).to.equal("us-east-1");
    });

    it("reads from `since` (e.g. when writes stopped) up to now", async () => {
      const since = new Date(Date.now() - 90_000).toISOString();
      const before = Date.now();
      await handler({ operation: "replicaLagSeconds", since });
      const { StartTime, EndTime, MetricDataQueries } = cloudWatch.commandCalls(GetMetricDataCommand)[0].args[0].input;
      expect((StartTime as Date).toISOString()).to.equal(since);
      expect((EndTime as Date).getTime()).to.be.within(before, Date.now());
      expect(MetricDataQueries?.[0].MetricStat?.Metric?.Dimensions).to.deep.equal([
        { Name: "DBInstanceIdentifier", Value: targets.primary.databaseIdentifier },
      ]);
    });

    it("accepts the format of $$.State.EnteredTime and offsets", async () => {
      for (const since of ["2020-01-01T00:00:00.123Z", "2020-01-01T00:00:00Z", "2020-01-01T01:00:00+01:00"]) {
        expect(await handler({ operation: "replicaLagSeconds", since })).to.deep.equal({ seconds: 0 });
      }
      const starts = cloudWatch.commandCalls(GetMetricDataCommand).map((call) => (call.args[0].input.StartTime as Date).toISOString());
      expect(starts).to.deep.equal(["2020-01-01T00:00:00.123Z", "2020-01-01T00:00:00.000Z", "2020-01-01T00:00:00.000Z"]);
    });

    it("answers null without calling CloudWatch for a `since` in the future (clock skew: nothing published yet)", async () => {
      expect(await handler({ operation: "replicaLagSeconds", since: new Date(Date.now() + 5_000).toISOString() })).to.deep.equal({ seconds: null });
      expect(sdkCalls()).to.equal(0);
    });

    for (const since of [null, 1_700_000_000_000, "yesterday", "2030-01-01", "2030-01-01T00:00:00", "2030-13-45T99:00:00Z", ""]) {
      it(`refuses since = ${JSON.stringify(since)} with InvalidArguments and calls nothing`, async () => {
        const error = await rejection(handler({ operation: "replicaLagSeconds", since }));
        expect(error.name).to.equal("InvalidArguments");
        expect(error.message).to.match(/since must be an ISO 8601 time/);
        expect(sdkCalls()).to.equal(0);
      });
    }

    it("answers the newest datapoint, whatever the order of the datapoints", async () => {
      cloudWatch.on(GetMetricDataCommand).resolves({
        MetricDataResults: [
          {
            Id: "replicaLag",
            Timestamps: [new Date("2030-01-01T00:01:00Z"), new Date("2030-01-01T00:03:00Z"), new Date("2030-01-01T00:02:00Z")],
            Values: [40, 7, 12],
          },
        ],
      });
      expect(await handler({ operation: "replicaLagSeconds" })).to.deep.equal({ seconds: 7 });
    });

    it("answers 0 when the newest datapoint is 0 (caught up)", async () => {
      expect(await handler({ operation: "replicaLagSeconds" })).to.deep.equal({ seconds: 0 });
    });

    it("answers null without datapoints", async () => {
      cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: "replicaLag", Timestamps: [], Values: [] }] });
      expect(await handler({ operation: "replicaLagSeconds" })).to.deep.equal({ seconds: null });
      cloudWatch.on(GetMetricDataCommand).resolves({});
      expect(await handler({ operation: "replicaLagSeconds" })).to.deep.equal({ seconds: null });
    });
  });

  describe("setCapacity", () => {
    it("sets min, desired and max of the environment's Auto Scaling Group in the primary region, ignoring targets in the event", async () => {
      const answer = await handler({ operation: "setCapacity", minSize: 2, desiredCapacity: 3, maxSize: 6, ...FOREIGN });
      expect(answer).to.deep.equal({ minSize: 2, desiredCapacity: 3, maxSize: 6 });
      const calls = autoScaling.commandCalls(UpdateAutoScalingGroupCommand);
      expect(calls).to.have.length(1);
      expect(calls[0].args[0].input).to.deep.equal({ AutoScalingGroupName: targets.primary.autoScalingGroupName, MinSize: 2, DesiredCapacity: 3, MaxSize: 6 });
      expect(await regionOf(calls[0])).to.equal("us-east-1");
    });

    it("accepts 0, 0, 0 (stop writes)", async () => {
      expect(await handler({ operation: "setCapacity", minSize: 0, desiredCapacity: 0, maxSize: 0 })).to.deep.equal({
        minSize: 0,
        desiredCapacity: 0,
        maxSize: 0,
      });
    });

    const invalid: [string, Record<string, unknown>, RegExp][] = [
      ["a negative size", { minSize: -1, desiredCapacity: 0, maxSize: 1 }, /minSize must be a non-negative integer/],
      ["a fractional size", { minSize: 1, desiredCapacity: 1.5, maxSize: 2 }, /desiredCapacity must be a non-negative integer/],
      ["a size given as a string", { minSize: 1, desiredCapacity: 1, maxSize: "2" }, /maxSize must be a non-negative integer/],
      ["a missing size", { minSize: 1, maxSize: 2 }, /desiredCapacity must be a non-negative integer/],
      ["NaN", { minSize: Number.NaN, desiredCapacity: 1, maxSize: 2 }, /minSize must be a non-negative integer/],
      ["min above desired", { minSize: 3, desiredCapacity: 2, maxSize: 6 }, /minSize <= desiredCapacity <= maxSize/],
      ["desired above max", { minSize: 1, desiredCapacity: 7, maxSize: 6 }, /minSize <= desiredCapacity <= maxSize/],
    ];
    for (const [description, sizes, message] of invalid) {
      it(`refuses ${description} with InvalidArguments and calls nothing`, async () => {
        const error = await rejection(handler({ operation: "setCapacity", ...sizes }));
        expect(error.name).to.equal("InvalidArguments");
        expect(error.message).to.match(message);
        expect(sdkCalls()).to.equal(0);
      });
    }
  });

  describe("describeCapacity", () => {
    it("counts the InService instances, and all instances (Pending and Terminating too), of the environment's Auto Scaling Group in the primary region", async () => {
      expect(await handler({ operation: "describeCapacity", ...FOREIGN })).to.deep.equal({ inService: 2, instances: 4, desiredCapacity: 3 });
      const calls = autoScaling.commandCalls(DescribeAutoScalingGroupsCommand);
      expect(calls).to.have.length(1);
      expect(calls[0].args[0].input).to.deep.equal({ AutoScalingGroupNames: [targets.primary.autoScalingGroupName] });
      expect(await regionOf(calls[0])).to.equal("us-east-1");
    });

    it("fails with MisconfiguredFunction when the group does not exist", async () => {
      autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
      const error = await rejection(handler({ operation: "describeCapacity" }));
      expect(error.name).to.equal("MisconfiguredFunction");
      expect(error.message).to.contain(targets.primary.autoScalingGroupName);
    });
  });

  describe("replayedSince", () => {
    it("asks the primary region's heartbeat function (from the environment, never the event) and answers what it says", async () => {
      const since = "2030-01-01T00:02:00Z";
      expect(await handler({ operation: "replayedSince", since, FunctionName: "someone-elses-function", ...FOREIGN })).to.deep.equal(HEARTBEAT_ANSWER);
      const calls = lambda.commandCalls(InvokeCommand);
      expect(calls).to.have.length(1);
      expect(calls[0].args[0].input.FunctionName).to.equal(ENV.PRIMARY_HEARTBEAT_FUNCTION_ARN);
      expect(JSON.parse(String(calls[0].args[0].input.Payload))).to.deep.equal({ action: "replayedSince", since: "2030-01-01T00:02:00.000Z" });
      expect(await regionOf(calls[0])).to.equal("us-east-1");
    });

    it("passes withinSeconds on as is (the readiness check before failback changes anything)", async () => {
      await handler({ operation: "replayedSince", withinSeconds: 120 });
      const calls = lambda.commandCalls(InvokeCommand);
      expect(JSON.parse(String(calls[0].args[0].input.Payload))).to.deep.equal({ action: "replayedSince", withinSeconds: 120 });
    });

    it("throws the heartbeat function's own error by name (NoCredentials), so the workflow sees it", async () => {
      lambda.on(InvokeCommand).resolves({
        StatusCode: 200,
        FunctionError: "Unhandled",
        Payload: Buffer.from(JSON.stringify({ errorType: "NoCredentials", errorMessage: "no master user secret" })) as unknown as Uint8Array & {
          transformToString(): string;
        },
      });
      const error = await rejection(handler({ operation: "replayedSince", since: "2030-01-01T00:02:00Z" }));
      expect(error.name).to.equal("NoCredentials");
      expect(error.message).to.equal("no master user secret");
    });

    for (const [since, withinSeconds] of [
      [undefined, undefined],
      ["yesterday", undefined],
      ["2030-01-01", undefined],
      [undefined, 0],
      [undefined, "120"],
      ["2030-01-01T00:00:00Z", 120],
    ]) {
      it(`refuses since = ${JSON.stringify(since)}, withinSeconds = ${JSON.stringify(withinSeconds)} with InvalidArguments and calls nothing`, async () => {
        const error = await rejection(handler({ operation: "replayedSince", since, withinSeconds } as PrimaryRegionEvent));
        expect(error.name).to.equal("InvalidArguments");
        expect(sdkCalls()).to.equal(0);
      });
    }
  });

  describe("describeTargetHealth", () => {
    it("counts the healthy targets of the environment's target group in the primary region", async () => {
      expect(await handler({ operation: "describeTargetHealth", ...FOREIGN })).to.deep.equal({ healthyTargets: 2 });
      const calls = elb.commandCalls(DescribeTargetHealthCommand);
      expect(calls).to.have.length(1);
      expect(calls[0].args[0].input).to.deep.equal({ TargetGroupArn: targets.primary.targetGroupArn });
      expect(await regionOf(calls[0])).to.equal("us-east-1");
    });

    it("answers 0 for an empty target group", async () => {
      lambda
        .on(InvokeCommand)
        .resolves({ StatusCode: 200, Payload: Buffer.from(JSON.stringify(HEARTBEAT_ANSWER)) as unknown as Uint8Array & { transformToString(): string } });
      elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
      expect(await handler({ operation: "describeTargetHealth" })).to.deep.equal({ healthyTargets: 0 });
    });
  });

  describe("switchoverGlobalCluster (aurora-global)", () => {
    it("switches the environment's global cluster over to the environment's DR cluster (by ARN), in the primary region, ignoring targets in the event", async () => {
      const answer = await handler({
        operation: "switchoverGlobalCluster",
        ...FOREIGN,
        GlobalClusterIdentifier: "someone-elses-global",
        TargetDbClusterIdentifier: "arn:aws:rds:eu-west-1:999999999999:cluster:other",
      });
      expect(answer).to.deep.equal({ switching: true });
      const calls = rds.commandCalls(SwitchoverGlobalClusterCommand);
      expect(calls).to.have.length(1);
      expect(calls[0].args[0].input).to.deep.equal({
        GlobalClusterIdentifier: auroraDatabase.globalClusterIdentifier,
        TargetDbClusterIdentifier: auroraDatabase.drClusterArn,
      });
      expect(await regionOf(calls[0])).to.equal("us-east-1");
    });

    it("rethrows InvalidGlobalClusterStateFault with its name (the failover catches it as SwitchoverFailed)", async () => {
      rds.on(SwitchoverGlobalClusterCommand).rejects(new InvalidGlobalClusterStateFault({ message: "Global cluster is not available", ...metadata }));
      const error = await rejection(handler({ operation: "switchoverGlobalCluster" }));
      expect(error.name).to.equal("InvalidGlobalClusterStateFault");
    });

    it("gets its environment from the targets: the aurora variables only in aurora-global mode", () => {
      expect(primaryRegionEnvironment(auroraTargets)).to.deep.equal({
        PRIMARY_REGION: auroraTargets.primaryRegion,
        PRIMARY_DATABASE_IDENTIFIER: auroraDatabase.primaryClusterIdentifier,
        PRIMARY_AUTO_SCALING_GROUP_NAME: auroraTargets.primary.autoScalingGroupName,
        PRIMARY_TARGET_GROUP_ARN: auroraTargets.primary.targetGroupArn,
        GLOBAL_CLUSTER_IDENTIFIER: auroraDatabase.globalClusterIdentifier,
        DR_CLUSTER_ARN: auroraDatabase.drClusterArn,
      });
      expect(primaryRegionEnvironment(targets)).to.not.have.any.keys("GLOBAL_CLUSTER_IDENTIFIER", "DR_CLUSTER_ARN");
    });
  });

  describe("errors", () => {
    const unknown: [string, unknown][] = [
      ["an unknown operation", { operation: "deleteDatabase" }],
      ["an inherited property name", { operation: "constructor" }],
      ["Object.prototype's toString", { operation: "toString" }],
      ["a missing operation", {}],
      ["a non-string operation", { operation: 42 }],
      ["no event at all", null],
    ];
    for (const [description, event] of unknown) {
      it(`refuses ${description} with InvalidArguments and calls nothing`, async () => {
        const error = await rejection(handler(event as PrimaryRegionEvent));
        expect(error.name).to.equal("InvalidArguments");
        expect(error.message).to.match(/unknown operation/);
        expect(sdkCalls()).to.equal(0);
      });
    }

    const needs: [PrimaryRegionOperation, Record<string, unknown>, string[]][] = [
      ["describeDatabase", {}, ["PRIMARY_REGION", "PRIMARY_DATABASE_IDENTIFIER"]],
      ["promoteDatabase", {}, ["PRIMARY_REGION", "PRIMARY_DATABASE_IDENTIFIER"]],
      ["replicaLagSeconds", {}, ["PRIMARY_REGION", "PRIMARY_DATABASE_IDENTIFIER"]],
      ["setCapacity", { minSize: 1, desiredCapacity: 1, maxSize: 1 }, ["PRIMARY_REGION", "PRIMARY_AUTO_SCALING_GROUP_NAME"]],
      ["describeCapacity", {}, ["PRIMARY_REGION", "PRIMARY_AUTO_SCALING_GROUP_NAME"]],
      ["describeTargetHealth", {}, ["PRIMARY_REGION", "PRIMARY_TARGET_GROUP_ARN"]],
      ["switchoverGlobalCluster", {}, ["PRIMARY_REGION", "GLOBAL_CLUSTER_IDENTIFIER", "DR_CLUSTER_ARN"]],
      ["replayedSince", { since: "2030-01-01T00:00:00Z" }, ["PRIMARY_REGION", "PRIMARY_HEARTBEAT_FUNCTION_ARN"]],
    ];
    for (const [operation, arguments_, variables] of needs) {
      for (const variable of variables) {
        for (const value of [undefined, ""]) {
          it(`${operation} fails with MisconfiguredFunction when ${variable} is ${value === undefined ? "unset" : "empty"}, even if the event names a target`, async () => {
            if (value === undefined) delete process.env[variable];
            else process.env[variable] = value;
            const error = await rejection(handler({ operation, ...arguments_, ...FOREIGN }));
            expect(error.name).to.equal("MisconfiguredFunction");
            expect(error.message).to.contain(variable);
            expect(sdkCalls()).to.equal(0);
          });
        }
      }
    }

    it("follows a change of PRIMARY_REGION (clients are not pinned to the first region seen)", async () => {
      await handler({ operation: "describeCapacity" });
      process.env.PRIMARY_REGION = "eu-central-1";
      await handler({ operation: "describeCapacity" });
      const calls = autoScaling.commandCalls(DescribeAutoScalingGroupsCommand);
      expect(await Promise.all(calls.map(regionOf))).to.deep.equal(["us-east-1", "eu-central-1"]);
    });
  });

  describe("contract with the failover and failback definitions", () => {
    const lambdaTasks = [
      failoverDefinition(targets, 3600),
      failbackDefinition(targets),
      failoverDefinition(auroraTargets, 3600),
      failbackDefinition(auroraTargets),
    ].flatMap((definition) => {
      const text = JSON.stringify(definition);
      return (
        taskStates(definition)
          // The primary-region function's tasks (the heartbeat function's payloads carry an action, not an operation).
          .filter(({ state }) => state.Resource === LAMBDA_INVOKE && "operation" in ((state.Parameters as { Payload: object }).Payload ?? {}))
          .map(({ name, state }) => {
            const payload = (state.Parameters as { Payload: { operation: PrimaryRegionOperation } & Record<string, unknown> }).Payload;
            const resultPath = state.ResultPath as string | null;
            // Every `<ResultPath>.answer.<field>` the definition reads (Choice variables and `.$` paths alike).
            const fields = resultPath
              ? [...text.matchAll(new RegExp(`${resultPath.replace(/[$.]/g, "\\$&")}\\.answer\\.(\\w+)`, "g"))].map((match) => match[1])
              : [];
            return { name, payload, fields };
          })
      );
    });

    it("finds the primary-region tasks", () => {
      expect(new Set(lambdaTasks.map(({ payload }) => payload.operation))).to.deep.equal(new Set(Object.keys(PRIMARY_REGION_OPERATIONS)));
    });

    /** The payload as the function receives it: `<key>.$` paths resolved against a sample execution state. */
    const execution = { timeline: { started: "2030-01-01T00:00:00Z", writesStopped: { at: new Date(Date.now() - 60_000).toISOString() } } };
    function resolved(payload: Record<string, unknown>): PrimaryRegionEvent {
      return Object.fromEntries(
        Object.entries(payload).map(([key, value]) => {
          if (!key.endsWith(".$")) return [key, value];
          const found = String(value)
            .split(".")
            .slice(1)
            .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], execution);
          expect(found, `${key}: ${String(value)} resolves in the sample execution state`).to.not.equal(undefined);
          return [key.slice(0, -2), found];
        }),
      );
    }

    it("answers every field the definitions read, and accepts every payload they send", async () => {
      expect(lambdaTasks.flatMap(({ fields }) => fields)).to.include.members([
        "status",
        "isReplica",
        "sourceArn",
        "seconds",
        "inService",
        "instances",
        "healthyTargets",
        "caughtUp",
      ]);
      for (const { name, payload, fields } of lambdaTasks) {
        const answer = await handler(resolved(payload));
        for (const field of new Set(fields)) {
          expect(answer, `${name} reads answer.${field}`).to.have.property(field);
        }
      }
    });
  });
});
