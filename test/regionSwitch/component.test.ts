/**
 * RegionSwitchPlan (components/regionSwitchPlan.ts) under Pulumi's mocks (synth/recordStack.ts): what it
 * declares (the plan, its execution role with one policy per block kind, the approver, the function, the
 * reports bucket), the plan's health checks it hands to the failover records, and the outage mode's way
 * around the plan's control plane: with `knownHealthCheckIds` no ListRoute53HealthChecks lookup (an invoke
 * that always goes to us-east-1) is made.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { planPolicyKinds, RegionSwitchPlan, type RegionSwitchPlanArgs } from "../../components/regionSwitchPlan";
import { type PlannedResource, recordStack, type StackPlan } from "../../synth/recordStack";
import { STEP_NAMES } from "../../recovery/regionSwitch/workflows";

const ACCOUNT = "123456789012";
const PRIMARY = "us-east-1";
const DR = "us-west-2";
const LOOKUP = "aws:arcregionswitch/getRoute53HealthChecks:getRoute53HealthChecks";

/** Invoke tokens the mock monitor was asked while `run` ran (the recorder sees registrations only). */
async function invokesDuring<T>(run: () => Promise<T>): Promise<{ result: T; tokens: string[] }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor: { prototype: Record<string, (...args: never[]) => unknown> } };
  const original = MockMonitor.prototype.invoke;
  const tokens: string[] = [];
  MockMonitor.prototype.invoke = function (this: unknown, request: { getTok(): string }, callback: never) {
    tokens.push(request.getTok());
    return original.call(this, request as never, callback);
  } as never;
  try {
    return { result: await run(), tokens };
  } finally {
    MockMonitor.prototype.invoke = original;
  }
}

function args(overrides: Partial<RegionSwitchPlanArgs> = {}): RegionSwitchPlanArgs {
  return {
    planName: "dr-plan",
    functionName: "dr-rs-actions",
    engineMode: "instance",
    targets: {
      partition: "aws",
      accountId: ACCOUNT,
      primaryRegion: PRIMARY,
      drRegion: DR,
      rtoSeconds: 1800,
      replica: { identifier: "dr-db", arn: `arn:aws:rds:${DR}:${ACCOUNT}:db:dr-db`, backupRetentionDays: 7 },
      database: { engineMode: "instance" },
      drAutoScalingGroup: {
        name: "dr-app",
        arn: `arn:aws:autoscaling:${DR}:${ACCOUNT}:autoScalingGroup:1:autoScalingGroupName/dr-app`,
        standby: { minSize: 1, desiredCapacity: 1, maxSize: 6 },
        recovery: { minSize: 2, desiredCapacity: 3, maxSize: 6 },
      },
      primary: {
        databaseArn: `arn:aws:rds:${PRIMARY}:${ACCOUNT}:db:primary-db`,
        autoScalingGroupName: "primary-app",
        autoScalingGroupArn: `arn:aws:autoscaling:${PRIMARY}:${ACCOUNT}:autoScalingGroup:2:autoScalingGroupName/primary-app`,
      },
      dns: {
        hostedZoneId: "ZPUBLIC",
        applicationName: "app.dr.example.com",
        primarySetIdentifier: `primary-${PRIMARY}`,
        secondarySetIdentifier: `secondary-${DR}`,
      },
      automatic: false,
    },
    heartbeatFunctionArns: {
      primary: `arn:aws:lambda:${PRIMARY}:${ACCOUNT}:function:primary-heartbeat`,
      dr: `arn:aws:lambda:${DR}:${ACCOUNT}:function:dr-heartbeat`,
    },
    primaryCapacity: { minSize: 2, desiredCapacity: 3, maxSize: 6 },
    kmsKeyArn: `arn:aws:kms:${DR}:${ACCOUNT}:key/dr`,
    accessLogBucket: "dr-logs",
    logRetentionDays: 30,
    protect: true,
    ...overrides,
  };
}

/** The component alone in the DR region; its health checks and summary as the stack outputs. */
function build(planArgs: RegionSwitchPlanArgs): Promise<StackPlan> {
  return recordStack({
    project: "components",
    stack: "dr",
    role: "dr",
    region: DR,
    program: () => {
      const provider = new aws.Provider("provider", { region: DR });
      const plan = new RegionSwitchPlan("dr-region-switch", planArgs, { providers: { aws: provider } });
      return { healthCheckIds: plan.healthCheckIds, summary: plan.summary };
    },
  });
}

const ofType = (stack: StackPlan, type: string): PlannedResource[] => stack.resources.filter((resource) => resource.type === type);

describe("RegionSwitchPlan under mocks", () => {
  it("declares the plan, its execution role with one policy per block kind, the approver, the function and the reports bucket", async () => {
    const { result: stack, tokens } = await invokesDuring(() => build(args()));
    const [plan] = ofType(stack, "aws:arcregionswitch/plan:Plan");
    expect(plan.inputs).to.include({ name: "dr-plan", recoveryApproach: "activePassive", primaryRegion: PRIMARY, recoveryTimeObjectiveMinutes: 30 });
    expect(plan.inputs.regions).to.deep.equal([PRIMARY, DR]);
    expect(plan.region).to.equal(DR);
    const policies = ofType(stack, "aws:iam/rolePolicy:RolePolicy").map((policy) => policy.name);
    for (const kind of planPolicyKinds({ engineMode: "instance" })) expect(policies).to.include(`dr-region-switch-execution-${kind}`);
    expect(policies).to.include("dr-region-switch-approver-policy");
    expect(
      ofType(stack, "aws:lambda/function:Function").map((fn) => fn.region),
      "no primary-region copy without primaryRegion",
    ).to.deep.equal([DR]);
    expect((stack.outputs.summary as { approverRoleArn: string }).approverRoleArn)
      .to.be.a("string")
      .and.match(/dr-region-switch-approver/);
    expect(ofType(stack, "aws:s3/bucket:Bucket").map((bucket) => [bucket.name, bucket.region, bucket.protect])).to.deep.equal([
      ["dr-region-switch-reports", DR, true],
    ]);
    // The plan's health checks come from the lookup, one per region, and the summary carries them for the outage mode.
    expect(tokens).to.include(LOOKUP);
    const ids = stack.outputs.healthCheckIds as { primary: string; secondary: string };
    expect(ids.primary).to.be.a("string").and.not.equal(ids.secondary);
    expect((stack.outputs.summary as { healthCheckIds: unknown }).healthCheckIds).to.deep.equal(ids);
    expect((stack.outputs.summary as { workflows: { steps: { name: string }[] }[] }).workflows[0].steps[0].name).to.equal(STEP_NAMES.approveFailover);
  });

  it("deploys the actions function in both regions, and the plan's inputs do not change when the primary-region copy is not declared", async () => {
    const primaryProvider = () => new aws.Provider("primary-provider", { region: PRIMARY });
    const withCopy = await recordStack({
      project: "components",
      stack: "dr",
      role: "dr",
      region: DR,
      program: () => {
        const provider = new aws.Provider("provider", { region: DR });
        const plan = new RegionSwitchPlan(
          "dr-region-switch",
          args({ primaryRegion: { provider: primaryProvider(), kmsKeyArn: `arn:aws:kms:${PRIMARY}:${ACCOUNT}:key/p` } }),
          { providers: { aws: provider } },
        );
        return { summary: plan.summary };
      },
    });
    expect(ofType(withCopy, "aws:lambda/function:Function").map((fn) => [fn.region, fn.inputs.name])).to.have.deep.members([
      [DR, "dr-rs-actions"],
      [PRIMARY, "dr-rs-actions"],
    ]);
    const outage = await build(args());
    const planOf = (stack: StackPlan) => ofType(stack, "aws:arcregionswitch/plan:Plan")[0].inputs.workflows;
    expect(planOf(outage), "no UpdatePlan when the primary region goes down").to.deep.equal(planOf(withCopy));
    const lambdas = JSON.stringify(planOf(outage));
    expect(lambdas).to.include(`arn:aws:lambda:${PRIMARY}:${ACCOUNT}:function:dr-rs-actions`);
    expect(lambdas).to.not.include("database-name");
  });

  it("never lets Lambda retry an action function on its own (a retry could stop a restored writer again)", async () => {
    const stack = await build(args());
    const functions = ofType(stack, "aws:lambda/function:Function");
    const configs = ofType(stack, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
    expect(configs).to.have.length(functions.length);
    for (const config of configs) expect(config.inputs.maximumRetryAttempts).to.equal(0);
  });

  it("guards the trigger with an alarm that turns green once the DR database is no longer a replica", async () => {
    const topicArn = `arn:aws:sns:${DR}:${ACCOUNT}:dr-notifications`;
    const stack = await build(
      args({ trigger: { alarmName: "probe", alarmArn: `arn:aws:cloudwatch:${DR}:${ACCOUNT}:alarm:probe`, minDelayMinutes: 5, topicArn } }),
    );
    const [guard] = ofType(stack, "aws:cloudwatch/metricAlarm:MetricAlarm");
    expect(guard.inputs).to.deep.include({
      metricName: "ReplicaLag",
      threshold: -1,
      treatMissingData: "notBreaching",
      dimensions: { DBInstanceIdentifier: "dr-db" },
      alarmActions: [topicArn],
    });
    const [plan] = ofType(stack, "aws:arcregionswitch/plan:Plan");
    // The guard as a trigger alarm, by its CloudWatch ARN (arn:...:alarm:<name>), as the probe's.
    expect(JSON.stringify(plan.inputs.associatedAlarms)).to.include(`arn:aws:cloudwatch:${DR}:${ACCOUNT}:alarm:dr-plan-dr-standby`);
    const [trigger] = plan.inputs.triggers as { conditions: { associatedAlarmName: string; condition: string }[] }[];
    expect(trigger.conditions).to.deep.equal([
      { associatedAlarmName: "probe", condition: "red" },
      { associatedAlarmName: "dr-plan-dr-standby", condition: "red" },
    ]);
  });

  it("refuses a plan with one Auto Scaling group, or without the heartbeats in instance mode", async () => {
    const base = args();
    const targets = base.targets as { primary: Record<string, string> };
    let failure: unknown;
    await build({ ...base, targets: { ...(base.targets as object), primary: { ...targets.primary, autoScalingGroupArn: "" } } as never }).catch(
      (error: unknown) => (failure = error),
    );
    expect(String(failure)).to.match(/AsgList: exactly 2/);
    failure = undefined;
    await build(args({ heartbeatFunctionArns: undefined })).catch((error: unknown) => (failure = error));
    expect(String(failure)).to.match(/heartbeatFunctionArns needs both/);
  });

  it("takes known health check ids without asking the plan's control plane (the outage mode with a us-east-1 primary)", async () => {
    const known = { primary: "hc-primary-1111", secondary: "hc-dr-2222" };
    const { result: stack, tokens } = await invokesDuring(() => build(args({ knownHealthCheckIds: known })));
    expect(tokens).to.not.include(LOOKUP);
    expect(stack.outputs.healthCheckIds).to.deep.equal(known);
    expect((stack.outputs.summary as { healthCheckIds: unknown }).healthCheckIds).to.deep.equal(known);
  });

  it("refuses known ids that are not health check ids, or one check for both regions, and a bad plan name, before any resource", async () => {
    for (const [known, pattern] of [
      [{ primary: "", secondary: "hc-dr" }, /knownHealthCheckIds\.primary must be a Route 53 health check id/],
      [{ primary: "hc", secondary: "has space" }, /knownHealthCheckIds\.secondary must be a Route 53 health check id/],
      [{ primary: "hc-same", secondary: "hc-same" }, /names hc-same for both regions/],
    ] as const) {
      let failure: unknown;
      await build(args({ knownHealthCheckIds: known })).catch((error: unknown) => (failure = error));
      expect(String(failure)).to.match(pattern);
    }
    let failure: unknown;
    await build(args({ planName: "-bad-" })).catch((error: unknown) => (failure = error));
    expect(failure).to.be.instanceOf(RangeError);
    expect(String(failure)).to.match(/planName must match/);
  });
});

// The pulumi import keeps the mocks' runtime loaded before the component module under test.
void pulumi;
