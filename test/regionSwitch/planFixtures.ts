/**
 * A DR stack with an ARC Region switch plan, written by hand to the shared contract of issue 21 and the
 * provider's input shape (@pulumi/aws `arcregionswitch.PlanArgs`): the recovery manifest, the DR read
 * replica (or Aurora secondary cluster), the DR Auto Scaling group, the application's failover records on
 * the plan's health checks, the report bucket, the execution role with one inline policy per block kind
 * (the ARC Developer Guide's sample policies), and the plan with the steps recovery/regionSwitch/workflows.ts
 * builds (stop the old writer before each promotion in instance mode, both regions' copies of the actions
 * function, both Auto Scaling groups, DR back to standby after the failback, the automatic trigger's standby
 * guard). Tests break a copy one way at a time.
 */
import type { RecoveryManifest } from "../../config/recoveryManifest";
import { REGION_SWITCH_PLAN } from "../../invariants/regionSwitch";
import { TYPES } from "../../policy/policies/kit";
import type { StackPlan } from "../../synth/recordStack";
import { primaryOutputsFixture } from "../fixtures/primaryOutputs";
import { copyOf, type FixtureResource, planOf } from "../policy/fixtures";
import { drRecoveryManifest } from "../fixtures/recoveryManifest";

export const ACCOUNT = "123456789012";
export const PRIMARY_REGION = "us-east-1";
export const DR_REGION = "us-west-2";
export const ZONE_ID = "Z3D24E63469A964639B46";
export const APP_NAME = "app.dr.example.com";
export const PLAN_ARN = `arn:aws:arc-region-switch::${ACCOUNT}:plan/dr-region-switch-plan:abc123`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/dr-region-switch-execution-1a2b3c`;
export const APPROVER_ARN = `arn:aws:iam::${ACCOUNT}:role/dr-region-switch-approver-4d5e6f`;
export const PRIMARY_DB_ARN = `arn:aws:rds:${PRIMARY_REGION}:${ACCOUNT}:db:primary-db-instance-9cb3a42d`;
export const REPLICA_ARN = `arn:aws:rds:${DR_REGION}:${ACCOUNT}:db:dr-db-replica-1f2e3d4c`;
export const GLOBAL_CLUSTER = "app-global-7c8d9e";
export const PRIMARY_CLUSTER_ARN = `arn:aws:rds:${PRIMARY_REGION}:${ACCOUNT}:cluster:primary-cluster-1a1a1a`;
export const DR_CLUSTER_ARN = `arn:aws:rds:${DR_REGION}:${ACCOUNT}:cluster:dr-cluster-2b2b2b`;
export const ASG_ARN = `arn:aws:autoscaling:${DR_REGION}:${ACCOUNT}:autoScalingGroup:0a1b2c3d:autoScalingGroupName/dr-app-asg-5e6f7a`;
export const PRIMARY_ASG_ARN = `arn:aws:autoscaling:${PRIMARY_REGION}:${ACCOUNT}:autoScalingGroup:9f8e7d6c:autoScalingGroupName/primary-app-asg-1aae3b`;
/** The actions function (recovery/lambda/regionSwitchActions.mjs): one copy per region, the same name. */
export const FUNCTION_ARN = `arn:aws:lambda:${DR_REGION}:${ACCOUNT}:function:multi-region-dr-dr-dr-rs-actions`;
export const PRIMARY_FUNCTION_ARN = `arn:aws:lambda:${PRIMARY_REGION}:${ACCOUNT}:function:multi-region-dr-dr-dr-rs-actions`;
export const TRIGGER_ALARM_ARN = `arn:aws:cloudwatch:${DR_REGION}:${ACCOUNT}:alarm:dr-automatic-failover-signal`;
/** The automatic trigger's guard: red while the DR database is a replica (`standbyGuardName` of the plan's name). */
export const GUARD_ALARM_NAME = "dr-region-switch-plan-dr-standby";
export const GUARD_ALARM_ARN = `arn:aws:cloudwatch:${DR_REGION}:${ACCOUNT}:alarm:${GUARD_ALARM_NAME}`;
export const REPORT_BUCKET = "dr-region-switch-reports-8e9f0a";

/** Fixture properties, untyped JSON as the engine hands them over. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export interface StackOptions {
  /** failover.automatic: triggers instead of the approval. */
  automatic?: boolean;
  /** database.engineMode aurora-global: the AuroraGlobalDatabase block instead of the promotion. */
  aurora?: boolean;
}

function manifest(options: StackOptions): RecoveryManifest {
  return drRecoveryManifest(
    DR_REGION,
    primaryOutputsFixture({
      region: PRIMARY_REGION,
      hostedZoneId: ZONE_ID,
      applicationName: APP_NAME,
      dbArn: options.aurora ? PRIMARY_CLUSTER_ARN : PRIMARY_DB_ARN,
      ...(options.aurora ? { dbEngineMode: "aurora-global" as const, dbGlobalClusterIdentifier: GLOBAL_CLUSTER } : {}),
    }),
  );
}

const step = (name: string, executionBlockType: string, config?: [string, Json]): Json => ({
  name,
  executionBlockType,
  description: `${name} (${executionBlockType})`,
  ...(config ? { [config[0]]: [config[1]] } : {}),
});

/** The plan's workflows as recovery/regionSwitch/workflows.ts builds them. */
function workflows(options: StackOptions): Json[] {
  const database = (name: string) =>
    options.aurora
      ? step(name, "AuroraGlobalDatabase", [
          "globalAuroraConfigs",
          {
            behavior: "switchoverOnly",
            globalClusterIdentifier: GLOBAL_CLUSTER,
            databaseClusterArns: [PRIMARY_CLUSTER_ARN, DR_CLUSTER_ARN],
            ...(name === "promote-database" ? { ungracefuls: [{ ungraceful: "failover" }] } : {}),
          },
        ])
      : step(name, "RdsPromoteReadReplica", [
          "rdsPromoteReadReplicaConfigs",
          { dbInstanceArnMap: { [PRIMARY_REGION]: PRIMARY_DB_ARN, [DR_REGION]: REPLICA_ARN } },
        ]);
  const capacity = (name: string) =>
    step(name, "EC2AutoScaling", [
      "ec2AsgCapacityIncreaseConfigs",
      { asgs: [{ arn: PRIMARY_ASG_ARN }, { arn: ASG_ARN }], capacityMonitoringApproach: "sampledMaxInLast24Hours", targetPercent: 100 },
    ]);
  const shift = (name: string) => step(name, "Route53HealthCheck", ["route53HealthCheckConfigs", { hostedZoneId: ZONE_ID, recordName: APP_NAME }]);
  const lambda = (name: string) =>
    step(name, "CustomActionLambda", [
      "customActionLambdaConfigs",
      {
        lambdas: [{ arn: PRIMARY_FUNCTION_ARN }, { arn: FUNCTION_ARN }],
        regionToRun: "activatingRegion",
        retryIntervalMinutes: 15,
        timeoutMinutes: 15,
        ungracefuls: [{ behavior: "skip" }],
      },
    ]);
  const approval = (name: string) => step(name, "ManualApproval", ["executionApprovalConfigs", { approvalRole: APPROVER_ARN, timeoutMinutes: 60 }]);
  const failover = [
    ...(options.automatic ? [] : [approval("approve-failover")]),
    ...(options.aurora ? [] : [lambda("stop-primary-writes")]),
    { ...step("recover-data-and-capacity", "Parallel"), parallelConfigs: [{ steps: [database("promote-database"), capacity("scale-dr-capacity")] }] },
    shift("shift-traffic"),
  ];
  const failback = [
    approval("approve-failback"),
    capacity("scale-primary-capacity"),
    ...(options.aurora ? [] : [lambda("stop-dr-writes")]),
    database("promote-primary-database"),
    shift("shift-traffic-to-primary"),
    lambda("return-dr-to-standby"),
  ];
  return [
    { workflowTargetAction: "activate", workflowTargetRegion: DR_REGION, workflowDescription: "failover", steps: failover },
    { workflowTargetAction: "activate", workflowTargetRegion: PRIMARY_REGION, workflowDescription: "failback", steps: failback },
    ...(options.aurora
      ? []
      : [
          {
            workflowTargetAction: "postRecovery",
            workflowTargetRegion: DR_REGION,
            workflowDescription: "re-protection",
            steps: [
              step("reprotect-database", "RdsCreateCrossRegionReplica", [
                "rdsCreateCrossRegionReadReplicaConfigs",
                { dbInstanceArnMap: { [PRIMARY_REGION]: PRIMARY_DB_ARN, [DR_REGION]: REPLICA_ARN } },
              ]),
            ],
          },
        ]),
  ];
}

const allow = (actions: string[], resources: string[]): Json => ({ Effect: "Allow", Action: actions, Resource: resources });

/** The execution role's inline policies, one per block kind: each the ARC Developer Guide's sample, on this stack's resources. */
function rolePolicies(options: StackOptions): Record<string, Json[]> {
  return {
    plan: [
      allow(["iam:SimulatePrincipalPolicy"], [ROLE_ARN]),
      allow(["arc-region-switch:GetPlan", "arc-region-switch:GetPlanExecution", "arc-region-switch:ListPlanExecutions"], ["*"]),
    ],
    database: options.aurora
      ? [
          allow(["rds:DescribeGlobalClusters", "rds:DescribeDBClusters"], ["*"]),
          allow(
            ["rds:FailoverGlobalCluster", "rds:SwitchoverGlobalCluster"],
            [`arn:aws:rds::${ACCOUNT}:global-cluster:${GLOBAL_CLUSTER}`, PRIMARY_CLUSTER_ARN, DR_CLUSTER_ARN],
          ),
        ]
      : [
          allow(
            ["rds:DescribeDBInstances", "rds:PromoteReadReplica", "rds:CreateDBInstanceReadReplica", "rds:ModifyDBInstance"],
            [REPLICA_ARN, PRIMARY_DB_ARN],
          ),
        ],
    capacity: [
      allow(["autoscaling:DescribeAutoScalingGroups"], ["*"]),
      allow(["autoscaling:UpdateAutoScalingGroup"], [PRIMARY_ASG_ARN, ASG_ARN]),
      allow(["cloudwatch:GetMetricStatistics"], ["*"]),
    ],
    traffic: [allow(["route53:ListResourceRecordSets"], [`arn:aws:route53:::hostedzone/${ZONE_ID}`])],
    lambda: [allow(["lambda:GetFunction", "lambda:InvokeFunction"], [FUNCTION_ARN, PRIMARY_FUNCTION_ARN])],
    ...(options.automatic ? { triggers: [allow(["cloudwatch:DescribeAlarms"], [TRIGGER_ALARM_ARN, GUARD_ALARM_ARN])] } : {}),
    reports: [allow(["s3:PutObject"], [`arn:aws:s3:::${REPORT_BUCKET}/*`])],
  };
}

const trust = (service: string) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });

/** The DR stack with a valid plan (module comment). */
export function regionSwitchStack(options: StackOptions = {}): FixtureResource[] {
  const database: FixtureResource[] = options.aurora
    ? [{ type: "aws:rds/cluster:Cluster", name: "dr-cluster", props: { arn: DR_CLUSTER_ARN, globalClusterIdentifier: GLOBAL_CLUSTER } }]
    : [{ type: TYPES.rdsInstance, name: "dr-db-replica", props: { arn: REPLICA_ARN, replicateSourceDb: PRIMARY_DB_ARN } }];
  const record = (role: "PRIMARY" | "SECONDARY", region: string): FixtureResource => ({
    type: TYPES.record,
    name: `app-${role.toLowerCase()}-record`,
    props: {
      zoneId: ZONE_ID,
      name: APP_NAME,
      type: "A",
      setIdentifier: `${role.toLowerCase()}-${region}`,
      failoverRoutingPolicies: [{ type: role }],
      healthCheckId: `hc-${role.toLowerCase()}`,
    },
    propertyDependencies: { healthCheckId: ["dr-region-switch-plan"] },
  });
  const roleName = ROLE_ARN.split("/")[1];
  return [
    {
      type: TYPES.ssmParameter,
      name: "recovery-parameter",
      props: { name: "/multi-region-dr/dr/recovery-manifest", type: "String", insecureValue: JSON.stringify(manifest(options)) },
    },
    ...database,
    { type: TYPES.autoScalingGroup, name: "dr-app-asg", props: { arn: ASG_ARN, name: "dr-app-asg-5e6f7a", desiredCapacity: 1, minSize: 1, maxSize: 6 } },
    record("PRIMARY", PRIMARY_REGION),
    record("SECONDARY", DR_REGION),
    { type: TYPES.s3Bucket, name: "dr-region-switch-reports", props: { bucket: REPORT_BUCKET, arn: `arn:aws:s3:::${REPORT_BUCKET}` } },
    {
      type: TYPES.iamRole,
      name: "dr-region-switch-execution",
      region: "global",
      props: { name: roleName, arn: ROLE_ARN, assumeRolePolicy: trust("arc-region-switch.amazonaws.com") },
    },
    ...Object.entries(rolePolicies(options)).map(([block, statements]) => ({
      type: TYPES.iamRolePolicy,
      name: `dr-region-switch-execution-${block}`,
      region: "global",
      props: { role: roleName, policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) },
    })),
    {
      type: TYPES.iamRole,
      name: "dr-region-switch-approver",
      region: "global",
      props: { name: APPROVER_ARN.split("/")[1], arn: APPROVER_ARN, assumeRolePolicy: trust("ec2.amazonaws.com") },
    },
    {
      type: TYPES.iamRolePolicy,
      name: "dr-region-switch-approver-approve",
      region: "global",
      props: {
        role: APPROVER_ARN.split("/")[1],
        policy: JSON.stringify({ Version: "2012-10-17", Statement: [allow(["arc-region-switch:ApprovePlanExecutionStep"], [PLAN_ARN])] }),
      },
    },
    {
      type: REGION_SWITCH_PLAN,
      name: "dr-region-switch-plan",
      props: {
        arn: PLAN_ARN,
        name: "dr-region-switch-plan",
        executionRole: ROLE_ARN,
        recoveryApproach: "activePassive",
        regions: [PRIMARY_REGION, DR_REGION],
        primaryRegion: PRIMARY_REGION,
        recoveryTimeObjectiveMinutes: 15,
        workflows: workflows(options),
        reportConfigurations: [{ reportOutputs: [{ s3Configurations: [{ bucketPath: REPORT_BUCKET, bucketOwner: ACCOUNT }] }] }],
        ...(options.automatic
          ? {
              associatedAlarms: [
                { mapBlockKey: "failover-signal", alarmType: "trigger", resourceIdentifier: TRIGGER_ALARM_ARN },
                { mapBlockKey: GUARD_ALARM_NAME, alarmType: "trigger", resourceIdentifier: GUARD_ALARM_ARN },
              ],
              triggers: [
                {
                  action: "activate",
                  targetRegion: DR_REGION,
                  minDelayMinutesBetweenExecutions: 60,
                  conditions: [
                    { associatedAlarmName: "failover-signal", condition: "red" },
                    { associatedAlarmName: GUARD_ALARM_NAME, condition: "red" },
                  ],
                },
              ],
            }
          : {}),
      },
    },
  ];
}

/** The fixtures with the one named `name` changed by `edit` (deep copies). */
export function editing(resources: FixtureResource[], name: string, edit: (props: Json) => void): FixtureResource[] {
  const copies = copyOf(resources);
  const target = copies.find((resource) => resource.name === name);
  if (!target) throw new Error(`no fixture named ${name}`);
  edit(target.props as Json);
  return copies;
}

/** The plan's workflow that activates `region`, for edits. */
export function workflowTo(props: Json, region: string, action = "activate"): Json {
  return (props.workflows as Json[]).find((workflow) => workflow.workflowTargetAction === action && workflow.workflowTargetRegion === region)!;
}

/** A primary and a DR stack plan around the fixtures (the DR stack's outputs as the contract names them). */
export function pairOf(
  dr: FixtureResource[],
  primary: FixtureResource[] = [],
  outputs: Json = { recoveryOrchestrator: "region-switch" },
): { primary: StackPlan; dr: StackPlan } {
  const drPlan = planOf(dr, "dr", DR_REGION);
  drPlan.outputs = outputs;
  const primaryPlan = planOf(primary, "primary", PRIMARY_REGION);
  primaryPlan.role = "primary";
  return { primary: primaryPlan, dr: drPlan };
}
