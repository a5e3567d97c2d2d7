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
      primary: { databaseArn: `arn:aws:rds:${PRIMARY}:${ACCOUNT}:db:primary-db`, autoScalingGroupName: "primary-app" },
      dns: {
        hostedZoneId: "ZPUBLIC",
        applicationName: "app.dr.example.com",
        primarySetIdentifier: `primary-${PRIMARY}`,
        secondarySetIdentifier: `secondary-${DR}`,
      },
      automatic: false,
    },
    actions: {},
    privateZoneIds: ["ZDR", "ZPRIMARY"],
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
    expect(ofType(stack, "aws:lambda/function:Function").map((fn) => fn.region)).to.deep.equal([DR]);
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
