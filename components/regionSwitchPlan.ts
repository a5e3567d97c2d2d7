/**
 * RegionSwitchPlan: the ARC Region switch plan of the DR stack (`recovery.orchestrator: region-switch`,
 * docs/region-switch.md), a thin component over the pure builders of recovery/regionSwitch/:
 * - `<name>-reports`: the execution reports' bucket in the DR region (SecureBucket: SSE-KMS with the DR
 *   key, versioned, TLS only, access-logged, protected like the other stateful buckets);
 * - `<name>-actions-*`: the CustomActionLambda function (recovery/lambda/regionSwitchActions.mjs) with
 *   its encrypted log group and a role that may only describe the pair's databases and write the two
 *   private zones;
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
 * reports bucket, the roles: IAM is global) is in the DR region or global; nothing is in the primary region.
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
import { type DatabaseNameAction } from "../recovery/lambda/regionSwitchActions.mjs";
import { approverPolicy, approverTrustPolicy, executionPolicies, executionTrustPolicy, type PolicyKind } from "../recovery/regionSwitch/permissions";
import { planSummary, type RegionSwitchPlanSummary } from "../recovery/regionSwitch/summary";
import { declaredWorkflows, type RegionSwitchTargets, rtoMinutes } from "../recovery/regionSwitch/workflows";

/** The function's source, shipped as is (its only dependency is the runtime's AWS SDK). */
export const ACTIONS_FUNCTION_SOURCE = path.join(__dirname, "..", "recovery", "lambda", "regionSwitchActions.mjs");
/** Node.js 22, as the other functions. */
export const ACTIONS_FUNCTION_RUNTIME = "nodejs22.x";
/** Seconds the function may run: two RDS reads and one Route 53 change. */
export const ACTIONS_FUNCTION_TIMEOUT_SECONDS = 60;

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
  /** The targets, without what this component creates (the function and the approver role). */
  targets: pulumi.Input<Omit<RegionSwitchTargets, "actionsFunctionArn" | "approvalRoleArn">>;
  /** Step name -> what `point-database-name` steps do (recovery/lambda/regionSwitchActions.mjs). */
  actions: pulumi.Input<Record<string, DatabaseNameAction>>;
  /** The private zones the function may write (the stable database names). */
  privateZoneIds: pulumi.Input<string>[];
  /**
   * `failover.automatic`: the alarm whose ALARM (`red`) starts the failover, by name and ARN, and the
   * least minutes between two automatic executions (`failover.cooldownSeconds`, rounded up).
   */
  trigger?: { alarmName: pulumi.Input<string>; alarmArn: pulumi.Input<string>; minDelayMinutes: number };
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
  readonly functionArn: pulumi.Output<string>;
  /** The health checks the plan created, per region: attach them to the failover records. */
  readonly healthCheckIds: pulumi.Output<{ primary: string; secondary: string }>;
  /** The `regionSwitchPlan` output. */
  readonly summary: pulumi.Output<RegionSwitchPlanSummary>;

  /**
   * @throws RangeError when `planName` is not a plan name, the function name is over 64 characters, or
   *   the trigger's delay is not a positive whole number of minutes (before any resource is created).
   */
  constructor(name: string, args: RegionSwitchPlanArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:recovery:RegionSwitchPlan", name, {}, opts);
    if (!PLAN_NAME.test(args.planName))
      throw new RangeError(`RegionSwitchPlan ${name}: planName must match ${PLAN_NAME}, got ${JSON.stringify(args.planName)}`);
    checkFunctionName("RegionSwitchPlan", name, args.functionName);
    if (args.trigger && (!Number.isInteger(args.trigger.minDelayMinutes) || args.trigger.minDelayMinutes < 1)) {
      throw new RangeError(`RegionSwitchPlan ${name}: trigger.minDelayMinutes must be a whole number >= 1, got ${args.trigger.minDelayMinutes}`);
    }
    const child = { parent: this };
    const targets = pulumi.output(args.targets);

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

    const fn = this.actionsFunction(name, args, targets);

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
      .all([targets, fn.arn, approver.arn])
      .apply(([t, actionsFunctionArn, approvalRoleArn]): RegionSwitchTargets => ({ ...t, actionsFunctionArn, approvalRoleArn }));
    const workflows = fullTargets.apply(declaredWorkflows);
    const alarmArns = args.trigger ? pulumi.output(args.trigger.alarmArn).apply((arn) => [arn]) : pulumi.output([] as string[]);
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
        ...(args.trigger
          ? {
              // A trigger starts the failover when its conditions hold (ARC API Reference, Trigger, TriggerCondition `red` = the alarm in ALARM).
              associatedAlarms: [{ mapBlockKey: args.trigger.alarmName, alarmType: "trigger", resourceIdentifier: args.trigger.alarmArn }],
              triggers: [
                {
                  action: "activate",
                  targetRegion: targets.drRegion,
                  description: "The primary endpoint is down as the DR region sees it",
                  minDelayMinutesBetweenExecutions: args.trigger.minDelayMinutes,
                  conditions: [{ associatedAlarmName: args.trigger.alarmName, condition: "red" }],
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
      args.knownHealthCheckIds === undefined ? planHealthChecks(name, plan, targets, this) : knownHealthChecks(name, args.knownHealthCheckIds);
    this.planArn = plan.arn;
    this.planName = plan.name;
    this.executionRoleArn = execution.arn;
    this.approverRoleArn = approver.arn;
    this.reportBucketName = reports.bucketName;
    this.functionArn = fn.arn;
    this.summary = pulumi
      .all([plan.arn, plan.name, fullTargets, workflows, reports.bucketName, this.healthCheckIds])
      .apply(([arn, planName, t, w, reportBucketName, healthCheckIds]) =>
        planSummary({
          arn,
          name: planName,
          primaryRegion: t.primaryRegion,
          drRegion: t.drRegion,
          automatic: t.automatic,
          reportBucketName,
          healthCheckIds,
          workflows: w,
        }),
      );
    this.registerOutputs({
      planArn: this.planArn,
      planName: this.planName,
      executionRoleArn: this.executionRoleArn,
      approverRoleArn: this.approverRoleArn,
      reportBucketName: this.reportBucketName,
      functionArn: this.functionArn,
      healthCheckIds: this.healthCheckIds,
      summary: this.summary,
    });
  }

  /** The CustomActionLambda function, its log group and its role. */
  private actionsFunction(
    name: string,
    args: RegionSwitchPlanArgs,
    targets: pulumi.Output<Omit<RegionSwitchTargets, "actionsFunctionArn" | "approvalRoleArn">>,
  ) {
    const child = { parent: this };
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-actions-logs`,
      { name: `/aws/lambda/${args.functionName}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn },
      child,
    );
    const role = new aws.iam.Role(`${name}-actions-role`, { assumeRolePolicy: JSON.stringify(serviceTrustPolicy("lambda.amazonaws.com")) }, child);
    new aws.iam.RolePolicy(
      `${name}-actions-policy`,
      {
        role: role.id,
        policy: pulumi
          .all([targets, logGroup.arn, pulumi.all(args.privateZoneIds)])
          .apply(([t, logGroupArn, zoneIds]) => JSON.stringify(actionsFunctionPolicy(t, logGroupArn, zoneIds))),
      },
      child,
    );
    return new aws.lambda.Function(
      `${name}-actions-function`,
      {
        name: args.functionName,
        description: "Region switch custom action: points the activated region's stable database name at its database",
        runtime: ACTIONS_FUNCTION_RUNTIME,
        handler: "regionSwitchActions.handler",
        code: new pulumi.asset.AssetArchive({ "regionSwitchActions.mjs": new pulumi.asset.FileAsset(ACTIONS_FUNCTION_SOURCE) }),
        role: role.arn,
        timeout: ACTIONS_FUNCTION_TIMEOUT_SECONDS,
        environment: { variables: { ACTIONS: pulumi.output(args.actions).apply((actions) => JSON.stringify(actions)) } },
      },
      { parent: this, dependsOn: [logGroup] },
    );
  }
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
 * The function's permissions: its own log group, DescribeDBInstances/DescribeDBClusters on the pair's
 * databases (RDS supports resource-level permissions for both: Service Authorization Reference, Amazon
 * RDS), and ChangeResourceRecordSets on the two private zones (Route 53: resource type `hostedzone`).
 */
export function actionsFunctionPolicy(
  targets: Pick<RegionSwitchTargets, "partition" | "database" | "replica" | "primary">,
  logGroupArn: string,
  zoneIds: string[],
): PolicyDocument {
  const aurora = targets.database?.engineMode === "aurora-global" ? targets.database : undefined;
  return policyDocument([
    { Sid: "WriteItsLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:*` },
    aurora
      ? { Sid: "ReadTheClusters", Effect: "Allow", Action: "rds:DescribeDBClusters", Resource: [aurora.primaryClusterArn, aurora.drClusterArn] }
      : { Sid: "ReadTheInstances", Effect: "Allow", Action: "rds:DescribeDBInstances", Resource: [targets.primary.databaseArn, targets.replica.arn] },
    {
      Sid: "PointTheDatabaseNames",
      Effect: "Allow",
      Action: "route53:ChangeResourceRecordSets",
      Resource: zoneIds.map((zoneId) => `arn:${targets.partition}:route53:::hostedzone/${zoneId}`),
    },
  ]);
}

/** Health check ids: a Route 53 health check id is 1-64 characters (ARC API Reference, Route53HealthCheck `healthCheckId`). */
const HEALTH_CHECK_ID = /^\S{1,64}$/;

/**
 * The plan's health checks as given (`knownHealthCheckIds`), without a lookup.
 * @throws RangeError (the deployment stops, nothing attached) when an id is empty, longer than 64 characters,
 *   holds white space, or both roles name the same check.
 */
function knownHealthChecks(name: string, ids: NonNullable<RegionSwitchPlanArgs["knownHealthCheckIds"]>): pulumi.Output<{ primary: string; secondary: string }> {
  return pulumi.output(ids).apply((known) => {
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
