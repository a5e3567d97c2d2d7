/**
 * RegionSwitchPlan: the ARC Region switch plan of the DR stack (`recovery.orchestrator: region-switch`,
 * docs/region-switch.md), a thin component over the pure builders of recovery/regionSwitch/:
 * - `<name>-reports`: the execution reports' bucket in the DR region (SecureBucket: SSE-KMS with the DR
 *   key, versioned, TLS only, access-logged, protected like the other stateful buckets);
 * - `<name>-actions-*`: the CustomActionLambda function (recovery/lambda/regionSwitchActions.mjs), one copy
 *   per region with the same name (ARC wants "two Lambda functions for the step to execute—one in each of the
 *   plan's Regions", ARC Developer Guide, "Custom action Lambda execution block"), each with its encrypted log
 *   group, and one role that may only scale the pair's groups, describe the pair's databases and invoke the
 *   pair's heartbeat functions. The primary-region copy is made with `primaryRegion` (the DR stack's
 *   primary-region provider, retained on delete) and not declared in the outage mode; its ARN is computed from
 *   its name either way (`lambdaArn`), so the plan's inputs, and so the plan, are the same in both modes: no
 *   UpdatePlan, a us-east-1 control-plane call, when the primary region goes down or comes back;
 * - `<name>-dr-standby`, with `trigger`: the alarm that is red while the DR database is still a replica, the
 *   trigger's second condition, so that a DR region already active is not activated again (`standbyAlarm`);
 * - `<name>-approver`: the role whose principals approve the ManualApproval steps (this account's
 *   principals IAM lets assume it), allowed ApprovePlanExecutionStep on this plan only;
 * - `<name>-execution`: the role Region switch assumes (trusted by `arc-region-switch.amazonaws.com`,
 *   this account only), with one inline policy per block kind, `<name>-execution-<kind>`;
 * - `<name>-plan`: `aws.arcregionswitch.Plan`, active/passive over the primary and DR regions, the RTO in
 *   minutes, the declared workflows, the triggers when `automatic`, and the report configuration.
 *
 * Where it lives (DESIGN.md, "The outage model"): the plan's control plane (CreatePlan, UpdatePlan,
 * GetPlan, ListRoute53HealthChecks) is in us-east-1 for the `aws` partition, and executions are started
 * and run by the region being activated (botocore arc-region-switch 2022-07-26: `UseControlPlaneEndpoint`
 * on the control-plane operations only; ARC Developer Guide, "About Region switch": "Region switch plans
 * are executed from the Region being activated"). Everything a failover needs (the function, the
 * reports bucket, the roles: IAM is global) is in the DR region or global; the primary-region copy of the
 * actions function serves the failback only.
 *
 * `healthCheckIds` reads the health checks the Route53HealthCheck block created for each region
 * (`aws.arcregionswitch.getRoute53HealthChecksOutput`), for components/failoverRouting.ts to attach.
 * That lookup is a control-plane call: the provider's data source calls ListRoute53HealthChecks
 * (terraform-provider-aws internal/service/arcregionswitch, `findRoute53HealthChecksByARN`), which botocore
 * arc-region-switch 2022-07-26 marks `UseControlPlaneEndpoint`, so it goes to
 * arc-region-switch-control-plane in the partition's global region (us-east-1 for `aws`,
 * endpoint-rule-set-1 `implicitGlobalRegion`) whatever the provider's region. The regional
 * ListRoute53HealthChecksInRegion has no data source. So `knownHealthCheckIds` (the outage mode: the ids
 * saved from the `regionSwitchPlan` output before us-east-1 failed) replaces the lookup: no invoke is made,
 * and a DR `pulumi up` needs nothing from us-east-1 for the records (DESIGN.md, "The outage model").
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { type PolicyDocument, policyDocument, serviceTrustPolicy } from "./policyDocuments";
import { SecureBucket } from "./secureBucket";
import { checkFunctionName } from "./bundledFunction";
import { standbyGuardName } from "../invariants/regionSwitch";
import { type ActionCapacity, type RegionSwitchAction } from "../recovery/lambda/regionSwitchActions.mjs";
import { approverPolicy, approverTrustPolicy, executionPolicies, executionTrustPolicy, type PolicyKind } from "../recovery/regionSwitch/permissions";
import { planSummary, type RegionSwitchPlanSummary } from "../recovery/regionSwitch/summary";
import { auroraOf, autoScalingGroupArns, declaredWorkflows, type RegionSwitchTargets, rtoMinutes, STEP_NAMES } from "../recovery/regionSwitch/workflows";

/** The function's source, shipped as is (its only dependency is the runtime's AWS SDK). */
export const ACTIONS_FUNCTION_SOURCE = path.join(__dirname, "..", "recovery", "lambda", "regionSwitchActions.mjs");
/** Node.js 22, as the other functions. */
export const ACTIONS_FUNCTION_RUNTIME = "nodejs22.x";
/** Seconds the function may run: Lambda's longest, 900 (a stop-writes run waits for the drain and the catch-up, regionSwitchActions.mjs). */
export const ACTIONS_FUNCTION_TIMEOUT_SECONDS = 900;

/** A plan name: 1-32 letters, digits or hyphens, not starting or ending with a hyphen (ARC API Reference, CreatePlan `name`; the plan ARN pattern). */
export const PLAN_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/;

/** `prefix` cut to a valid plan name (32 characters, no trailing hyphen). */
export function planNameOf(prefix: string): string {
  return prefix.slice(0, 32).replace(/-+$/, "");
}

export interface RegionSwitchPlanArgs {
  /** The plan's name (`planNameOf`); also the prefix of the function's name. */
  planName: string;
  /** Name of the CustomActionLambda function, at most 64 characters. */
  functionName: string;
  /** The database's engine mode (the primary's `dbEngineMode`): it decides the database block, known before deployment. */
  engineMode: "instance" | "aurora-global";
  /** The targets, without what this component creates (the functions and the approver role). */
  targets: pulumi.Input<PlanTargets>;
  /**
   * Instance mode: the replication heartbeat function of each region (the primary's `dbHeartbeatFunctionArn`, the DR
   * stack's), which the stop-writes steps ask whether the activating region's replica has replayed the writes.
   * Required in instance mode (RangeError without); ignored in aurora-global mode.
   */
  heartbeatFunctionArns?: pulumi.Input<{ primary: string; dr: string }>;
  /** The primary's serving capacity (its `appMinSize`, `appDesiredCapacity`, `appMaxSize`): what `stop-primary-writes` restores when it gives up. */
  primaryCapacity: ActionCapacity;
  /**
   * The primary-region copy of the actions function: the DR stack's primary-region provider, and the options that
   * retain it on delete (stacks/regionalProvider.ts `RetainedInRegion`); its log group's key is `kmsKeyArn`, a key of
   * the primary region. Absent in the outage mode: the copy is not declared (its ARN is still computed).
   */
  primaryRegion?: { provider: aws.Provider; kmsKeyArn: pulumi.Input<string>; transformations?: pulumi.ResourceTransformation[] };
  /**
   * `failover.automatic`: the alarm whose ALARM (`red`) starts the failover, by name and ARN, and the
   * least minutes between two automatic executions (`failover.cooldownSeconds`, rounded up).
   */
  /** The automatic failover's trigger: the alarm that starts it, the least minutes between executions, and the topic its guard alarm notifies. */
  trigger?: { alarmName: pulumi.Input<string>; alarmArn: pulumi.Input<string>; minDelayMinutes: number; topicArn: pulumi.Input<string> };
  /** The DR region's key: the reports bucket and the function's logs. */
  kmsKeyArn: pulumi.Input<string>;
  /** The DR log archive, for the reports bucket's access logs. */
  accessLogBucket: pulumi.Input<string>;
  logRetentionDays: number;
  /** Protect the reports bucket (the stack's `protect`). */
  protect: boolean;
  /**
   * The plan's health check ids, by region role (`primary`: the primary region's, `secondary`: the DR
   * region's), when already known: the lookup (a call to the plan's control plane in us-east-1) is then not
   * made. For the outage mode with a us-east-1 primary; the ids are the `regionSwitchPlan` output's
   * `healthCheckIds` of an earlier deployment. Default: looked up (ListRoute53HealthChecks).
   */
  knownHealthCheckIds?: pulumi.Input<{ primary: pulumi.Input<string>; secondary: pulumi.Input<string> }>;
}

export class RegionSwitchPlan extends pulumi.ComponentResource {
  readonly planArn: pulumi.Output<string>;
  readonly planName: pulumi.Output<string>;
  readonly executionRoleArn: pulumi.Output<string>;
  readonly approverRoleArn: pulumi.Output<string>;
  readonly reportBucketName: pulumi.Output<string>;
  /** The actions function of each region (the primary-region ARN computed from the name, declared or not). */
  readonly functionArns: pulumi.Output<{ primary: string; dr: string }>;
  /** The health checks the plan created, per region: attach them to the failover records. */
  readonly healthCheckIds: pulumi.Output<{ primary: string; secondary: string }>;
  /** The `regionSwitchPlan` output. */
  readonly summary: pulumi.Output<RegionSwitchPlanSummary>;

  /**
   * @throws RangeError when `planName` is not a plan name, the function name is over 64 characters, the
   *   trigger's delay is not a positive whole number of minutes, or the primary capacity is not whole numbers
   *   min <= desired <= max (before any resource is created); in the targets' apply (the deployment stops) when the
   *   primary's Auto Scaling group ARN is missing or instance mode has no heartbeat functions.
   */
  constructor(name: string, args: RegionSwitchPlanArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:recovery:RegionSwitchPlan", name, {}, opts);
    if (!PLAN_NAME.test(args.planName))
      throw new RangeError(`RegionSwitchPlan ${name}: planName must match ${PLAN_NAME}, got ${JSON.stringify(args.planName)}`);
    checkFunctionName("RegionSwitchPlan", name, args.functionName);
    if (args.trigger && (!Number.isInteger(args.trigger.minDelayMinutes) || args.trigger.minDelayMinutes < 1)) {
      throw new RangeError(`RegionSwitchPlan ${name}: trigger.minDelayMinutes must be a whole number >= 1, got ${args.trigger.minDelayMinutes}`);
    }
    checkCapacity(name, args.primaryCapacity);
    const child = { parent: this };
    const targets = pulumi.output(args.targets).apply((t) => {
      // CreatePlan refuses a capacity block without exactly two groups (AsgList min 2 max 2).
      autoScalingGroupArns({ ...t, actionsFunctionArns: { primary: "", dr: "" }, approvalRoleArn: "" });
      return t;
    });

    const reports = new SecureBucket(
      `${name}-reports`,
      {
        encryption: { kind: "kms", keyArn: args.kmsKeyArn },
        noncurrentVersionExpirationDays: 30,
        accessLogBucket: args.accessLogBucket,
        protect: args.protect,
      },
      // The reports are the evidence of past executions: the bucket is protected (SecureBucket `protect`), so a deploy that
      // would delete it (the orchestrator changed back to step-functions) stops until someone unprotects it. `retainOnDelete`
      // on this component would not reach the bucket: Pulumi children inherit `protect` and providers, not `retainOnDelete`.
      { parent: this },
    );

    const functionArns = this.actionsFunctions(name, args, targets);

    const approver = new aws.iam.Role(
      `${name}-approver`,
      {
        description: `Approves the ManualApproval steps of the Region switch plan ${args.planName}`,
        assumeRolePolicy: targets.apply((t) => JSON.stringify(approverTrustPolicy(t.partition, t.accountId))),
      },
      child,
    );
    const execution = new aws.iam.Role(
      `${name}-execution`,
      {
        description: `Region switch runs the plan ${args.planName} with this role`,
        assumeRolePolicy: targets.apply((t) => JSON.stringify(executionTrustPolicy(t.accountId))),
      },
      child,
    );

    const fullTargets = pulumi
      .all([targets, functionArns, approver.arn])
      .apply(([t, actionsFunctionArns, approvalRoleArn]): RegionSwitchTargets => ({ ...t, actionsFunctionArns, approvalRoleArn }));
    const workflows = fullTargets.apply(declaredWorkflows);
    const standby = args.trigger ? standbyAlarm(name, args.planName, args.engineMode, args.trigger.topicArn, targets, child) : undefined;
    const alarmArns = args.trigger && standby ? pulumi.all([args.trigger.alarmArn, standby.arn]) : pulumi.output([] as string[]);
    const policies = pulumi
      .all([fullTargets, workflows, alarmArns, reports.bucketArn, args.kmsKeyArn, execution.arn])
      .apply(([t, w, alarms, reportBucketArn, reportKeyArn, executionRoleArn]) =>
        executionPolicies({ targets: t, workflows: w, alarmArns: alarms, reportBucketArn, reportKeyArn, executionRoleArn, planName: args.planName }),
      );
    // One inline policy per block kind; the kinds depend only on the engine mode and the trigger, both known before deployment.
    const policyResources = planPolicyKinds(args).map(
      (kind) =>
        new aws.iam.RolePolicy(
          `${name}-execution-${kind}`,
          {
            role: execution.id,
            policy: policies.apply((all) => {
              const document: PolicyDocument | undefined = all[kind];
              if (!document) throw new Error(`RegionSwitchPlan ${name}: no ${kind} policy for these workflows`);
              return JSON.stringify(document);
            }),
          },
          child,
        ),
    );

    const plan = new aws.arcregionswitch.Plan(
      `${name}-plan`,
      {
        name: args.planName,
        description: targets.apply((t) => `Active/passive recovery of ${t.dns.applicationName}: ${t.primaryRegion} (primary) and ${t.drRegion}`),
        recoveryApproach: "activePassive",
        regions: targets.apply((t) => [t.primaryRegion, t.drRegion]),
        primaryRegion: targets.primaryRegion,
        recoveryTimeObjectiveMinutes: targets.apply((t) => rtoMinutes(t.rtoSeconds)),
        executionRole: execution.arn,
        workflows,
        // Region switch reports every execution to S3 (ARC API Reference, ReportConfiguration; S3ReportOutputConfiguration `bucketOwner` guards against a bucket changing owner).
        reportConfigurations: [
          { reportOutputs: [{ s3Configurations: [{ bucketPath: pulumi.interpolate`${reports.bucketName}/region-switch`, bucketOwner: targets.accountId }] }] },
        ],
        ...(args.trigger && standby
          ? {
              // A trigger starts the failover when its conditions hold (ARC API Reference, Trigger: "The conditions that must
              // be met for the trigger to fire"; TriggerCondition `red` = the alarm in ALARM). The probe's alarm stays red for
              // the whole outage; the standby alarm turns green once the DR database is promoted, so a DR region already
              // active is not activated again, whatever minDelayMinutesBetweenExecutions allows.
              associatedAlarms: [
                { mapBlockKey: args.trigger.alarmName, alarmType: "trigger", resourceIdentifier: args.trigger.alarmArn },
                { mapBlockKey: standby.name, alarmType: "trigger", resourceIdentifier: standby.arn },
              ],
              triggers: [
                {
                  action: "activate",
                  targetRegion: targets.drRegion,
                  description: "The primary endpoint is down as the DR region sees it, and the DR database is still a replica",
                  minDelayMinutesBetweenExecutions: args.trigger.minDelayMinutes,
                  conditions: [
                    { associatedAlarmName: args.trigger.alarmName, condition: "red" },
                    { associatedAlarmName: standby.name, condition: "red" },
                  ],
                },
              ],
            }
          : {}),
      },
      // The role must hold its permissions before ARC evaluates the plan (it does when the plan is created or updated).
      { parent: this, dependsOn: policyResources },
    );

    new aws.iam.RolePolicy(`${name}-approver-policy`, { role: approver.id, policy: plan.arn.apply((arn) => JSON.stringify(approverPolicy(arn))) }, child);

    this.healthCheckIds =
      args.knownHealthCheckIds === undefined ? planHealthChecks(name, plan, targets, this) : knownHealthChecks(name, plan, args.knownHealthCheckIds);
    this.planArn = plan.arn;
    this.planName = plan.name;
    this.executionRoleArn = execution.arn;
    this.approverRoleArn = approver.arn;
    this.reportBucketName = reports.bucketName;
    this.functionArns = functionArns;
    this.summary = pulumi
      .all([plan.arn, plan.name, fullTargets, workflows, reports.bucketName, this.healthCheckIds, approver.arn])
      .apply(([arn, planName, t, w, reportBucketName, healthCheckIds, approverRoleArn]) =>
        planSummary({
          arn,
          name: planName,
          primaryRegion: t.primaryRegion,
          drRegion: t.drRegion,
          automatic: t.automatic,
          reportBucketName,
          healthCheckIds,
          approverRoleArn,
          workflows: w,
        }),
      );
    this.registerOutputs({
      planArn: this.planArn,
      planName: this.planName,
      executionRoleArn: this.executionRoleArn,
      approverRoleArn: this.approverRoleArn,
      reportBucketName: this.reportBucketName,
      functionArns: this.functionArns,
      healthCheckIds: this.healthCheckIds,
      summary: this.summary,
    });
  }

  /**
   * The CustomActionLambda function in each region (one role, IAM being global), with the actions of both workflows.
   * @returns both ARNs; the primary-region one computed from the name (`lambdaArn`), declared or not.
   */
  private actionsFunctions(name: string, args: RegionSwitchPlanArgs, targets: pulumi.Output<PlanTargets>): pulumi.Output<{ primary: string; dr: string }> {
    const child = { parent: this };
    const heartbeats = pulumi.output(args.heartbeatFunctionArns ?? { primary: "", dr: "" });
    const actions = pulumi.all([targets, heartbeats]).apply(([t, h]) => planActions(name, t, h, args.primaryCapacity));
    const arnIn = (region: (t: PlanTargets) => string) => targets.apply((t) => lambdaArn(t, region(t), args.functionName));
    const logGroupArns = [arnIn((t) => t.drRegion), arnIn((t) => t.primaryRegion)].map((arn) =>
      arn.apply((functionArn) => functionArn.replace(/:lambda:([^:]+):([^:]+):function:(.+)$/, ":logs:$1:$2:log-group:/aws/lambda/$3")),
    );
    const role = new aws.iam.Role(`${name}-actions-role`, { assumeRolePolicy: JSON.stringify(serviceTrustPolicy("lambda.amazonaws.com")) }, child);
    new aws.iam.RolePolicy(
      `${name}-actions-policy`,
      {
        role: role.id,
        policy: pulumi.all([targets, heartbeats, pulumi.all(logGroupArns)]).apply(([t, h, logs]) => JSON.stringify(actionsFunctionPolicy(t, h, logs))),
      },
      child,
    );
    const copy = (suffix: string, kmsKeyArn: pulumi.Input<string>, opts: pulumi.CustomResourceOptions) => {
      const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-actions-logs${suffix}`,
        { name: `/aws/lambda/${args.functionName}`, retentionInDays: args.logRetentionDays, kmsKeyId: kmsKeyArn },
        opts,
      );
      const fn = new aws.lambda.Function(
        `${name}-actions-function${suffix}`,
        {
          name: args.functionName,
          description: "Region switch custom actions: stop the deactivating region's writes until the activating replica replays them; DR back to standby",
          runtime: ACTIONS_FUNCTION_RUNTIME,
          handler: "regionSwitchActions.handler",
          code: new pulumi.asset.AssetArchive({ "regionSwitchActions.mjs": new pulumi.asset.FileAsset(ACTIONS_FUNCTION_SOURCE) }),
          role: role.arn,
          timeout: ACTIONS_FUNCTION_TIMEOUT_SECONDS,
          environment: { variables: { ACTIONS: actions.apply((all) => JSON.stringify(all)) } },
        },
        { ...opts, dependsOn: [logGroup] },
      );
      // Never retried by Lambda on its own: were ARC to invoke it asynchronously (not documented either way), a retry after a
      // stop-writes run restored its group would stop the old writer's writes again (Lambda Developer Guide, "Asynchronous invocation").
      new aws.lambda.FunctionEventInvokeConfig(`${name}-actions-no-retries${suffix}`, { functionName: fn.name, maximumRetryAttempts: 0 }, opts);
      return fn;
    };
    const dr = copy("", args.kmsKeyArn, child);
    if (args.primaryRegion) {
      const { provider, kmsKeyArn, transformations } = args.primaryRegion;
      copy("-primary", kmsKeyArn, { parent: this, provider, ...(transformations ? { transformations } : {}) });
    }
    return pulumi.all([dr.arn, arnIn((t) => t.primaryRegion)]).apply(([drArn, primary]) => ({ primary, dr: drArn }));
  }
}

/** The targets a caller gives: all but what the component makes (the functions, the approver role). */
export type PlanTargets = Omit<RegionSwitchTargets, "actionsFunctionArns" | "approvalRoleArn">;

/** A function's ARN from its name (Lambda API Reference, FunctionArn `arn:<partition>:lambda:<region>:<account>:function:<name>`). */
export function lambdaArn(targets: Pick<RegionSwitchTargets, "partition" | "accountId">, region: string, functionName: string): string {
  return `arn:${targets.partition}:lambda:${region}:${targets.accountId}:function:${functionName}`;
}

/**
 * Step name -> action of the actions function (recovery/lambda/regionSwitchActions.mjs): the stop-writes steps in
 * instance mode, and `return-dr-to-standby`.
 * @throws RangeError in instance mode without both heartbeat functions: the catch-up could never be proven.
 */
export function planActions(
  name: string,
  targets: PlanTargets,
  heartbeats: { primary: string; dr: string },
  primaryCapacity: ActionCapacity,
): Record<string, RegionSwitchAction> {
  const standby: Record<string, RegionSwitchAction> = {
    [STEP_NAMES.returnDrToStandby]: {
      kind: "set-capacity",
      group: { name: targets.drAutoScalingGroup.name, region: targets.drRegion },
      capacity: targets.drAutoScalingGroup.standby,
    },
  };
  if (auroraOf(targets)) return standby;
  if (!heartbeats.primary || !heartbeats.dr)
    throw new RangeError(
      `RegionSwitchPlan ${name}: heartbeatFunctionArns needs both regions' heartbeat functions in instance mode (got ${JSON.stringify(heartbeats)}); ` +
        "the stop-writes steps prove the catch-up with them",
    );
  const primaryIdentifier = targets.primary.databaseArn.split(":").pop() as string;
  return {
    [STEP_NAMES.stopPrimaryWrites]: {
      kind: "stop-writes",
      group: { name: targets.primary.autoScalingGroupName, region: targets.primaryRegion },
      restore: primaryCapacity,
      replica: { identifier: targets.replica.identifier, region: targets.drRegion, sourceArn: targets.primary.databaseArn },
      heartbeatFunctionArn: heartbeats.dr,
    },
    [STEP_NAMES.stopDrWrites]: {
      kind: "stop-writes",
      group: { name: targets.drAutoScalingGroup.name, region: targets.drRegion },
      restore: targets.drAutoScalingGroup.recovery,
      replica: { identifier: primaryIdentifier, region: targets.primaryRegion, sourceArn: targets.replica.arn },
      heartbeatFunctionArn: heartbeats.primary,
    },
    ...standby,
  };
}

/** @throws RangeError unless `capacity` is whole numbers, min <= desired <= max. */
function checkCapacity(name: string, capacity: ActionCapacity): void {
  const { minSize, desiredCapacity, maxSize } = capacity;
  if (![minSize, desiredCapacity, maxSize].every((n) => Number.isInteger(n) && n >= 0) || minSize > desiredCapacity || desiredCapacity > maxSize)
    throw new RangeError(`RegionSwitchPlan ${name}: primaryCapacity must be whole numbers with min <= desired <= max, got ${JSON.stringify(capacity)}`);
}

/**
 * The trigger's guard: an alarm of the DR region that is red while the DR database is still a replica. RDS publishes
 * `ReplicaLag` for a read replica only ("The amount of time a read replica DB instance lags behind the source DB
 * instance. Applies to read replicas", RDS User Guide, "Amazon CloudWatch metrics for Amazon RDS"; -1 when
 * replication is not active, so the threshold -1 keeps a broken replica red), and `AuroraGlobalDBReplicationLag` for a
 * secondary cluster of a global database (Aurora User Guide, "Cluster-level metrics for Amazon Aurora"). Once the
 * database is promoted the metric stops, `treatMissingData: notBreaching` turns the alarm green, and the trigger's
 * conditions no longer all hold. Green too before the first datapoint (a new deployment arms the trigger within minutes).
 */
function standbyAlarm(
  name: string,
  planName: string,
  engineMode: RegionSwitchPlanArgs["engineMode"],
  topicArn: pulumi.Input<string>,
  targets: pulumi.Output<PlanTargets>,
  opts: pulumi.CustomResourceOptions,
): { name: string; arn: pulumi.Output<string> } {
  const aurora = engineMode === "aurora-global";
  const alarmName = standbyGuardName(planName);
  const alarm = new aws.cloudwatch.MetricAlarm(
    `${name}-dr-standby`,
    {
      name: alarmName,
      alarmDescription: "Red while the DR database is a replica: the Region switch trigger's guard against activating an active DR region",
      namespace: "AWS/RDS",
      metricName: aurora ? "AuroraGlobalDBReplicationLag" : "ReplicaLag",
      dimensions: targets.apply((t): Record<string, string> =>
        aurora ? { DBClusterIdentifier: auroraOf(t)?.drClusterIdentifier ?? t.replica.identifier } : { DBInstanceIdentifier: t.replica.identifier },
      ),
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: -1,
      treatMissingData: "notBreaching",
      // Green at the promotion: the page says the DR database is standalone now.
      alarmActions: [topicArn],
      okActions: [topicArn],
    },
    opts,
  );
  // The alarm's ARN as CloudWatch forms it (arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>), from the name, as the
  // probe's (Service Authorization Reference, CloudWatch resource type `alarm`).
  return {
    name: alarmName,
    arn: pulumi.all([targets, alarm.name]).apply(([t, created]) => `arn:${t.partition}:cloudwatch:${t.drRegion}:${t.accountId}:alarm:${created}`),
  };
}

/** The execution-role policy kinds the plan's blocks need, known before deployment. */
export function planPolicyKinds(args: Pick<RegionSwitchPlanArgs, "trigger" | "engineMode">): PolicyKind[] {
  return [
    "evaluation",
    args.engineMode === "aurora-global" ? "aurora" : "rds",
    "autoscaling",
    "lambda",
    "route53",
    ...(args.trigger ? (["triggers"] as const) : []),
    "reports",
  ];
}

/**
 * The function's permissions: its two log groups; UpdateAutoScalingGroup on the pair's groups (resource type
 * `autoScalingGroup`) and DescribeAutoScalingGroups on `*` (no resource type: Service Authorization Reference,
 * Amazon EC2 Auto Scaling); DescribeDBInstances on the pair's instances (resource type `db`); InvokeFunction on
 * the pair's heartbeat functions (instance mode).
 */
export function actionsFunctionPolicy(targets: PlanTargets, heartbeats: { primary: string; dr: string }, logGroupArns: string[]): PolicyDocument {
  const groups = autoScalingGroupArns({ ...targets, actionsFunctionArns: { primary: "", dr: "" }, approvalRoleArn: "" });
  const instance = !auroraOf(targets);
  return policyDocument([
    { Sid: "WriteItsLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: logGroupArns.map((arn) => `${arn}:*`) },
    { Sid: "DescribeGroups", Effect: "Allow", Action: "autoscaling:DescribeAutoScalingGroups", Resource: "*" },
    { Sid: "ScaleThePairsGroups", Effect: "Allow", Action: "autoscaling:UpdateAutoScalingGroup", Resource: groups },
    ...(instance
      ? [
          {
            Sid: "ReadTheInstances",
            Effect: "Allow" as const,
            Action: "rds:DescribeDBInstances",
            Resource: [targets.primary.databaseArn, targets.replica.arn],
          },
          { Sid: "AskTheHeartbeats", Effect: "Allow" as const, Action: "lambda:InvokeFunction", Resource: [heartbeats.primary, heartbeats.dr] },
        ]
      : []),
  ]);
}

/** Health check ids: a Route 53 health check id is 1-64 characters (ARC API Reference, Route53HealthCheck `healthCheckId`). */
const HEALTH_CHECK_ID = /^\S{1,64}$/;

/**
 * The plan's health checks as given (`knownHealthCheckIds`), without a lookup.
 * @throws RangeError (the deployment stops, nothing attached) when an id is empty, longer than 64 characters,
 *   holds white space, or both roles name the same check.
 */
function knownHealthChecks(
  name: string,
  plan: aws.arcregionswitch.Plan,
  ids: NonNullable<RegionSwitchPlanArgs["knownHealthCheckIds"]>,
): pulumi.Output<{ primary: string; secondary: string }> {
  // Through the plan's ARN: the records that attach them depend on the plan as with the lookup (DR invariant 16 follows that).
  return pulumi.all([plan.arn, ids]).apply(([, known]) => {
    for (const role of ["primary", "secondary"] as const)
      if (typeof known[role] !== "string" || !HEALTH_CHECK_ID.test(known[role]))
        throw new RangeError(`RegionSwitchPlan ${name}: knownHealthCheckIds.${role} must be a Route 53 health check id, got ${JSON.stringify(known[role])}`);
    if (known.primary === known.secondary)
      throw new RangeError(`RegionSwitchPlan ${name}: knownHealthCheckIds names ${known.primary} for both regions; each region has its own check`);
    return { primary: known.primary, secondary: known.secondary };
  });
}

/**
 * The plan's health check of each region, from ListRoute53HealthChecks (the provider's
 * `getRoute53HealthChecks`). Region switch creates them with the plan, asynchronously (the provider
 * waits for "health check allocation" before a delete), and leaves `healthCheckId` empty until then
 * (ARC API Reference, Route53HealthCheck: `healthCheckId` not required).
 * @throws Error (the deployment stops, nothing attached) when a region has no health check id yet: run `pulumi up` again.
 */
function planHealthChecks(
  name: string,
  plan: aws.arcregionswitch.Plan,
  targets: pulumi.Output<Pick<RegionSwitchTargets, "primaryRegion" | "drRegion" | "dns">>,
  parent: pulumi.Resource,
): pulumi.Output<{ primary: string; secondary: string }> {
  const found = aws.arcregionswitch.getRoute53HealthChecksOutput({ planArn: plan.arn }, { parent });
  return pulumi.all([found.healthChecks, targets]).apply(([checks, t]) => {
    const idOf = (region: string) => {
      const id = checks.find(
        (check) => check.region === region && check.recordName.replace(/\.$/, "") === t.dns.applicationName.replace(/\.$/, ""),
      )?.healthCheckId;
      if (!id) {
        throw new Error(
          `RegionSwitchPlan ${name}: the plan has no Route 53 health check for ${t.dns.applicationName} in ${region} yet ` +
            "(Region switch allocates them after creating the plan); run pulumi up again in a minute",
        );
      }
      return id;
    };
    return { primary: idOf(t.primaryRegion), secondary: idOf(t.drRegion) };
  });
}
