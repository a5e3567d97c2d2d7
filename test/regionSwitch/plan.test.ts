/**
 * The ARC Region switch plan's pure parts (recovery/regionSwitch/): the workflows in instance and
 * aurora-global mode, manual and automatic, the execution role's policy documents per block, the
 * `regionSwitchPlan` summary, the custom action function, and `recovery.orchestrator`'s config errors.
 */
import { expect } from "chai";
import { resolveDrStrategy } from "../../config/drStrategy";
import { ConfigError } from "../../config/errors";
import { parseStackConfig } from "../../config/load";
import { executionPolicies, executionTrustPolicy, approverPolicy } from "../../recovery/regionSwitch/permissions";
import { planSummary } from "../../recovery/regionSwitch/summary";
import {
  allSteps,
  declaredWorkflows,
  failbackWorkflow,
  failoverWorkflow,
  planWorkflows,
  type RegionSwitchTargets,
  reprotectionWorkflow,
  rtoMinutes,
  STEP_NAMES,
} from "../../recovery/regionSwitch/workflows";
import { primaryOutputsFixture } from "../fixtures/primaryOutputs";

const ACCOUNT = "123456789012";
const PRIMARY_DB = `arn:aws:rds:eu-west-2:${ACCOUNT}:db:primary-db`;
const DR_DB = `arn:aws:rds:eu-west-3:${ACCOUNT}:db:dr-db`;
const DR_ASG = `arn:aws:autoscaling:eu-west-3:${ACCOUNT}:autoScalingGroup:1234:autoScalingGroupName/dr-app`;
const FUNCTION = `arn:aws:lambda:eu-west-3:${ACCOUNT}:function:dr-rs-actions`;
const PRIMARY_FUNCTION = `arn:aws:lambda:eu-west-2:${ACCOUNT}:function:dr-rs-actions`;
const PRIMARY_ASG = `arn:aws:autoscaling:eu-west-2:${ACCOUNT}:autoScalingGroup:99:autoScalingGroupName/primary-app`;
const APPROVER = `arn:aws:iam::${ACCOUNT}:role/dr-approver`;
const EXECUTION = `arn:aws:iam::${ACCOUNT}:role/dr-execution`;

function targets(overrides: Partial<RegionSwitchTargets> = {}): RegionSwitchTargets {
  return {
    partition: "aws",
    accountId: ACCOUNT,
    primaryRegion: "eu-west-2",
    drRegion: "eu-west-3",
    rtoSeconds: 1801,
    replica: { identifier: "dr-db", arn: DR_DB, backupRetentionDays: 7 },
    database: { engineMode: "instance" },
    drAutoScalingGroup: {
      name: "dr-app",
      arn: DR_ASG,
      standby: { minSize: 1, desiredCapacity: 1, maxSize: 6 },
      recovery: { minSize: 2, desiredCapacity: 3, maxSize: 6 },
    },
    primary: { databaseArn: PRIMARY_DB, autoScalingGroupName: "primary-app", autoScalingGroupArn: PRIMARY_ASG },
    dns: {
      hostedZoneId: "ZPUBLIC",
      applicationName: "app.dr.example.com",
      primarySetIdentifier: "primary-eu-west-2",
      secondarySetIdentifier: "secondary-eu-west-3",
    },
    actionsFunctionArns: { primary: PRIMARY_FUNCTION, dr: FUNCTION },
    approvalRoleArn: APPROVER,
    automatic: false,
    ...overrides,
  };
}

const AURORA = {
  engineMode: "aurora-global" as const,
  globalClusterIdentifier: "app-global",
  drClusterIdentifier: "dr-cluster",
  drClusterArn: `arn:aws:rds:eu-west-3:${ACCOUNT}:cluster:dr-cluster`,
  primaryClusterIdentifier: "primary-cluster",
  primaryClusterArn: `arn:aws:rds:eu-west-2:${ACCOUNT}:cluster:primary-cluster`,
};

const names = (workflow: { steps: { name: string }[] }) => workflow.steps.map((step) => step.name);

describe("Region switch plan workflows", () => {
  it("activates the DR region: approval, the primary's writes stopped, promotion beside the scale-out, then the failover records", () => {
    const workflow = failoverWorkflow(targets());
    expect(workflow).to.include({ workflowTargetAction: "activate", workflowTargetRegion: "eu-west-3" });
    expect(names(workflow)).to.deep.equal([
      STEP_NAMES.approveFailover,
      STEP_NAMES.stopPrimaryWrites,
      STEP_NAMES.recoverDataAndCapacity,
      STEP_NAMES.shiftTraffic,
    ]);
    const parallel = workflow.steps[2];
    expect(parallel.executionBlockType).to.equal("Parallel");
    const [promote, scale] = parallel.parallelConfigs![0].steps;
    expect(promote.executionBlockType).to.equal("RdsPromoteReadReplica");
    expect(promote.rdsPromoteReadReplicaConfigs![0].dbInstanceArnMap).to.deep.equal({ "eu-west-2": PRIMARY_DB, "eu-west-3": DR_DB });
    expect(scale.executionBlockType).to.equal("EC2AutoScaling");
    expect(scale.ec2AsgCapacityIncreaseConfigs![0].asgs).to.deep.equal([{ arn: PRIMARY_ASG }, { arn: DR_ASG }]);
    const lambda = workflow.steps[1].customActionLambdaConfigs![0];
    // One attempt: retry interval and timeout both the function's longest run.
    expect(lambda).to.deep.include({ regionToRun: "activatingRegion", ungracefuls: [{ behavior: "skip" }], retryIntervalMinutes: 15, timeoutMinutes: 15 });
    expect(lambda.lambdas).to.deep.equal([{ arn: PRIMARY_FUNCTION }, { arn: FUNCTION }]);
    expect(workflow.steps[3].route53HealthCheckConfigs![0]).to.deep.include({
      hostedZoneId: "ZPUBLIC",
      recordName: "app.dr.example.com",
      recordSets: [
        { recordSetIdentifier: "primary-eu-west-2", region: "eu-west-2" },
        { recordSetIdentifier: "secondary-eu-west-3", region: "eu-west-3" },
      ],
    });
  });

  it("writes no database name on either path (no Route 53 control-plane call), and lists both functions in every Lambda step", () => {
    const lambdaSteps = allSteps(declaredWorkflows(targets())).filter((step) => step.executionBlockType === "CustomActionLambda");
    expect(lambdaSteps.map((step) => step.name)).to.deep.equal([STEP_NAMES.stopPrimaryWrites, STEP_NAMES.stopDrWrites, STEP_NAMES.returnDrToStandby]);
    for (const step of lambdaSteps) {
      expect(step.customActionLambdaConfigs![0].lambdas, step.name).to.deep.equal([{ arn: PRIMARY_FUNCTION }, { arn: FUNCTION }]);
      expect(step.customActionLambdaConfigs![0].regionToRun, step.name).to.equal("activatingRegion");
    }
    expect(JSON.stringify(declaredWorkflows(targets()))).to.not.match(/database-name/);
  });

  it("asks no approval before an automatic failover; the failback: approval, scale, stop DR writes, promote, traffic, DR to standby", () => {
    expect(names(failoverWorkflow(targets({ automatic: true })))[0]).to.equal(STEP_NAMES.stopPrimaryWrites);
    const failback = failbackWorkflow(targets({ automatic: true }));
    expect(failback).to.include({ workflowTargetAction: "activate", workflowTargetRegion: "eu-west-2" });
    expect(names(failback)).to.deep.equal([
      STEP_NAMES.approveFailback,
      STEP_NAMES.scalePrimaryCapacity,
      STEP_NAMES.stopDrWrites,
      STEP_NAMES.promotePrimaryDatabase,
      STEP_NAMES.shiftTrafficToPrimary,
      STEP_NAMES.returnDrToStandby,
    ]);
    expect(failback.steps[0].executionApprovalConfigs![0].approvalRole).to.equal(APPROVER);
    expect(failback.steps[5].customActionLambdaConfigs![0]).to.deep.include({ retryIntervalMinutes: 1, timeoutMinutes: 10 });
  });

  it("refuses to build the capacity block without the primary's group (CreatePlan takes exactly two)", () => {
    const t = targets({ primary: { databaseArn: PRIMARY_DB, autoScalingGroupName: "primary-app", autoScalingGroupArn: "" } });
    expect(() => failoverWorkflow(t)).to.throw(RangeError, /AsgList: exactly 2/);
  });

  it("switches an Aurora global database over gracefully and fails it over ungracefully; the failback never fails over", () => {
    const t = targets({ database: AURORA, replica: { identifier: "dr-cluster", arn: AURORA.drClusterArn, backupRetentionDays: 7 } });
    expect(names(failoverWorkflow(t)), "Aurora's switchover fences the writes itself").to.not.include(STEP_NAMES.stopPrimaryWrites);
    expect(names(failbackWorkflow(t))).to.not.include(STEP_NAMES.stopDrWrites);
    const promote = failoverWorkflow(t).steps[1].parallelConfigs![0].steps[0];
    expect(promote.executionBlockType).to.equal("AuroraGlobalDatabase");
    expect(promote.globalAuroraConfigs![0]).to.deep.include({
      behavior: "switchoverOnly",
      globalClusterIdentifier: "app-global",
      databaseClusterArns: [AURORA.primaryClusterArn, AURORA.drClusterArn],
      ungracefuls: [{ ungraceful: "failover" }],
    });
    expect(failbackWorkflow(t).steps[2].globalAuroraConfigs![0]).to.not.have.property("ungracefuls");
    expect(reprotectionWorkflow(t), "Aurora re-adds the old primary by itself").to.equal(undefined);
  });

  it("builds the re-protection as a postRecovery workflow and leaves it out of the declared plan while the provider refuses the action", () => {
    const reprotection = reprotectionWorkflow(targets())!;
    expect(reprotection.workflowTargetAction).to.equal("postRecovery");
    expect(reprotection.steps[0]).to.deep.include({ name: STEP_NAMES.recreateCrossRegionReplica, executionBlockType: "RdsCreateCrossRegionReplica" });
    expect(planWorkflows(targets()).map((w) => w.workflowTargetAction)).to.deep.equal(["activate", "activate", "postRecovery"]);
    expect(declaredWorkflows(targets()).map((w) => w.workflowTargetRegion)).to.deep.equal(["eu-west-3", "eu-west-2"]);
  });

  it("rounds the RTO up to whole minutes", () => {
    expect(rtoMinutes(1801)).to.equal(31);
    expect(rtoMinutes(1800)).to.equal(30);
  });
});

describe("Region switch execution role", () => {
  const context = (t: RegionSwitchTargets, alarmArns: string[] = []) => ({
    targets: t,
    workflows: declaredWorkflows(t),
    alarmArns,
    reportBucketArn: "arn:aws:s3:::reports",
    reportKeyArn: `arn:aws:kms:eu-west-3:${ACCOUNT}:key/k`,
    executionRoleArn: EXECUTION,
    planName: "dr-plan",
  });

  it("is trusted by Region switch for this account only", () => {
    expect(executionTrustPolicy(ACCOUNT).Statement[0]).to.deep.include({
      Principal: { Service: "arc-region-switch.amazonaws.com" },
      Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
    });
  });

  it("has one policy per block kind, scoped to the pair's resources", () => {
    const policies = executionPolicies(context(targets()));
    expect(Object.keys(policies)).to.deep.equal(["evaluation", "rds", "autoscaling", "lambda", "route53", "reports"]);
    expect(policies.rds!.Statement[0]).to.deep.include({ Resource: [PRIMARY_DB, DR_DB] });
    expect(policies.rds!.Statement[0].Action).to.not.include("rds:CreateDBInstanceReadReplica");
    expect(policies.lambda!.Statement[0].Resource).to.deep.equal([PRIMARY_FUNCTION, FUNCTION]);
    expect(policies.route53!.Statement[0].Resource).to.equal("arn:aws:route53:::hostedzone/ZPUBLIC");
    expect(policies.autoscaling!.Statement[1].Resource).to.deep.equal([PRIMARY_ASG, DR_ASG]);
    expect(policies.reports!.Statement.map((s) => s.Resource)).to.deep.equal(["arn:aws:s3:::reports/*", `arn:aws:kms:eu-west-3:${ACCOUNT}:key/k`]);
    expect(policies.evaluation!.Statement[1].Resource).to.equal(`arn:aws:arc-region-switch::${ACCOUNT}:plan/dr-plan:*`);
    for (const document of Object.values(policies)) expect(JSON.stringify(document)).to.not.include('"Action":"*"');
  });

  it("reads the trigger's alarm only when the plan has one, and the Aurora clusters in aurora-global mode", () => {
    const alarm = `arn:aws:cloudwatch:eu-west-3:${ACCOUNT}:alarm:probe`;
    expect(executionPolicies(context(targets({ automatic: true }), [alarm])).triggers!.Statement[0]).to.deep.include({
      Action: "cloudwatch:DescribeAlarms",
      Resource: [alarm],
    });
    const aurora = executionPolicies(context(targets({ database: AURORA })));
    expect(aurora).to.not.have.property("rds");
    expect(aurora.aurora!.Statement[1].Resource).to.deep.equal([
      `arn:aws:rds::${ACCOUNT}:global-cluster:app-global`,
      AURORA.primaryClusterArn,
      AURORA.drClusterArn,
    ]);
  });

  it("lets the approver approve this plan's steps only", () => {
    expect(approverPolicy("arn:aws:arc-region-switch::1:plan/p:abcdef").Statement[0]).to.deep.include({
      Resource: "arn:aws:arc-region-switch::1:plan/p:abcdef",
    });
  });
});

describe("regionSwitchPlan summary", () => {
  it("lists the declared workflows, a Parallel step's children under parallel", () => {
    const summary = planSummary({
      arn: "arn",
      name: "dr-plan",
      primaryRegion: "eu-west-2",
      drRegion: "eu-west-3",
      automatic: false,
      reportBucketName: "reports",
      healthCheckIds: { primary: "hc-primary", secondary: "hc-dr" },
      approverRoleArn: APPROVER,
      workflows: declaredWorkflows(targets()),
    });
    expect(summary.approverRoleArn).to.equal(APPROVER);
    expect(summary.approvalRequired).to.equal(true);
    expect(summary.healthCheckIds).to.deep.equal({ primary: "hc-primary", secondary: "hc-dr" });
    expect(summary.workflows.map((w) => [w.targetAction, w.targetRegion])).to.deep.equal([
      ["activate", "eu-west-3"],
      ["activate", "eu-west-2"],
    ]);
    expect(summary.workflows[0].steps[2].parallel!.map((step) => step.name)).to.deep.equal([STEP_NAMES.promoteDatabase, STEP_NAMES.scaleDrCapacity]);
    expect(allSteps(declaredWorkflows(targets()))).to.have.length(12);
    expect(summary.workflows[1].steps.map((step) => step.name)).to.include(STEP_NAMES.returnDrToStandby);
  });

  it("refuses a workflow the plan cannot declare", () => {
    expect(() =>
      planSummary({
        arn: "a",
        name: "n",
        primaryRegion: "p",
        drRegion: "d",
        automatic: true,
        reportBucketName: "b",
        healthCheckIds: { primary: "h1", secondary: "h2" },
        approverRoleArn: APPROVER,
        workflows: planWorkflows(targets()),
      }),
    ).to.throw(/cannot declare a postRecovery workflow/);
  });
});

describe("recovery.orchestrator", () => {
  const parse = (recovery: Record<string, unknown>) =>
    parseStackConfig(
      {
        "aws:region": "eu-west-3",
        "multi-region-dr:role": "dr",
        "multi-region-dr:primaryStack": "organization/multi-region-dr/primary",
        "multi-region-dr:recovery": JSON.stringify(recovery),
      },
      "dr",
    );

  it("defaults to step-functions", () => {
    const config = parse({ strategy: "warm-standby" });
    expect(config.role === "dr" && config.recovery.orchestrator).to.equal("step-functions");
  });

  it("refuses an unknown orchestrator, naming the key", () => {
    expect(() => parse({ orchestrator: "lambda" })).to.throw(
      ConfigError,
      /multi-region-dr:recovery\.orchestrator.*must be one of step-functions, region-switch/,
    );
  });

  it("refuses region-switch with a strategy that keeps no read replica to promote", () => {
    const config = parse({ strategy: "backup-restore", orchestrator: "region-switch" });
    if (config.role !== "dr") throw new Error("expected dr");
    const result = resolveDrStrategy(config, primaryOutputsFixture());
    expect(result.config).to.equal(undefined);
    expect(result.problems.map((p) => p.key)).to.include("multi-region-dr:recovery.orchestrator");
    expect(result.problems.find((p) => p.key.endsWith("orchestrator"))!.message).to.match(/keeps no replica.*pilot-light or warm-standby/);
  });

  it("accepts region-switch with pilot-light and warm-standby", () => {
    for (const strategy of ["pilot-light", "warm-standby"]) {
      const config = parse({ strategy, orchestrator: "region-switch" });
      if (config.role !== "dr") throw new Error("expected dr");
      expect(resolveDrStrategy(config, primaryOutputsFixture()).problems, strategy).to.deep.equal([]);
    }
  });
});
