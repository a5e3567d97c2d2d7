/**
 * The workflows of the ARC Region switch plan (`recovery.orchestrator: region-switch`), as pure data
 * built from the recovery targets (recovery/targets.ts): the same shapes the provider's
 * `aws.arcregionswitch.Plan` takes (node_modules/@pulumi/aws/types/input.d.ts, `arcregionswitch.PlanWorkflow`),
 * with plain values, so that tests, the checks and the runbook's `--dry-run` read the exact plan.
 *
 * Workflows (step names are stable: the runbook and the checks use them):
 * - failover, `activate` the DR region: `approve-failover` (ManualApproval, only when
 *   `failover.automatic` is false), then the Parallel step `recover-data-and-capacity` running
 *   `promote-database` (RdsPromoteReadReplica in instance mode, AuroraGlobalDatabase in aurora-global
 *   mode) beside `scale-dr-capacity` (EC2AutoScaling), then `point-database-name` (CustomActionLambda:
 *   no block points a private DNS name), then `shift-traffic` (Route53HealthCheck on the application's
 *   failover records).
 * - failback, `activate` the primary region: `approve-failback` (always), `restore-primary-data-and-capacity`
 *   (`promote-primary-database` beside `scale-primary-capacity`), `point-primary-database-name`, `shift-traffic-to-primary`.
 * - re-protection, `postRecovery` (instance mode): `recreate-cross-region-replica` (RdsCreateCrossRegionReplica).
 *   ARC documents the block for post-recovery workflows ("Configuration for creating an Amazon RDS
 *   cross-Region read replica during post-recovery", ARC API Reference, RdsCreateCrossRegionReplicaConfiguration;
 *   ARC Developer Guide, "Amazon RDS Create Cross-Region Replica execution block": "designed to run after a
 *   successful failover to re-establish cross-Region replication"), and the API's `WorkflowTargetAction` is
 *   `activate | deactivate | postRecovery` (botocore arc-region-switch 2022-07-26). The provider accepts only
 *   `activate` and `deactivate` (@pulumi/aws 7.48 `PlanWorkflow.workflowTargetAction`: "Valid values:
 *   `activate`, `deactivate`"; terraform-provider-aws internal/service/arcregionswitch/plan.go,
 *   `stringvalidator.OneOf("activate", "deactivate")`), so `declaredWorkflows` leaves it out of the plan
 *   until the provider takes it: declaring it would fail every `pulumi up`.
 *
 * Graceful and ungraceful (ARC Developer Guide, "Region switch components"): an ungraceful execution
 * (the primary region gone) fails the Aurora global database over (`ungraceful: failover`), accepts
 * `UNGRACEFUL_MIN_SUCCESS_PERCENT` of the capacity, and skips the Lambda step (`ungraceful: skip`, the
 * only behaviour the API has: `LambdaUngracefulBehavior`).
 */
import { type AuroraGlobalDatabaseTargets, type RecoveryTargets } from "../targets";

/** The execution block types this plan uses (ARC API Reference, `ExecutionBlockType`). */
export const BLOCK_TYPES = [
  "ManualApproval",
  "Parallel",
  "RdsPromoteReadReplica",
  "AuroraGlobalDatabase",
  "EC2AutoScaling",
  "CustomActionLambda",
  "Route53HealthCheck",
  "RdsCreateCrossRegionReplica",
] as const;
export type BlockType = (typeof BLOCK_TYPES)[number];

/** The workflow actions of the API (`WorkflowTargetAction`, botocore arc-region-switch 2022-07-26). */
export type WorkflowAction = "activate" | "deactivate" | "postRecovery";

/** The workflow actions @pulumi/aws 7.48 accepts on `workflowTargetAction` (see the module comment). */
export const PROVIDER_WORKFLOW_ACTIONS: readonly WorkflowAction[] = ["activate", "deactivate"];

/** Step names the runbook, the checks and the docs refer to. */
export const STEP_NAMES = {
  approveFailover: "approve-failover",
  recoverDataAndCapacity: "recover-data-and-capacity",
  promoteDatabase: "promote-database",
  scaleDrCapacity: "scale-dr-capacity",
  pointDatabaseName: "point-database-name",
  shiftTraffic: "shift-traffic",
  approveFailback: "approve-failback",
  restorePrimaryDataAndCapacity: "restore-primary-data-and-capacity",
  promotePrimaryDatabase: "promote-primary-database",
  scalePrimaryCapacity: "scale-primary-capacity",
  pointPrimaryDatabaseName: "point-primary-database-name",
  shiftTrafficToPrimary: "shift-traffic-to-primary",
  recreateCrossRegionReplica: "recreate-cross-region-replica",
} as const;

/** Minutes an approval waits before the step times out (`ExecutionApprovalConfiguration.timeoutMinutes`; the API's default is 60). */
export const APPROVAL_TIMEOUT_MINUTES = 60;
/**
 * Minutes a promotion may take: RDS promotes a replica after its pending backups and a reboot (RDS User Guide,
 * "Promoting a read replica to be a standalone DB instance"); an Aurora global failover takes minutes.
 */
export const DATABASE_TIMEOUT_MINUTES = 60;
/** Minutes the scale-out may take: instances launch and pass the target group's health check. */
export const CAPACITY_TIMEOUT_MINUTES = 30;
/** Minutes the DNS and Lambda steps may take. */
export const SHORT_STEP_TIMEOUT_MINUTES = 10;
/** Minutes between two tries of the Lambda step (`CustomActionLambdaConfiguration.retryIntervalMinutes`). */
export const LAMBDA_RETRY_INTERVAL_MINUTES = 1;
/** Minutes a new cross-region replica may take: the provider's own create timeout for one is 40 minutes and can be too short (DESIGN.md). */
export const REPLICA_CREATE_TIMEOUT_MINUTES = 240;
/** Ungraceful scale-out: continue once this share of the target capacity runs (`Ec2Ungraceful.minimumSuccessPercentage`). */
export const UNGRACEFUL_MIN_SUCCESS_PERCENT = 50;
/** The share of the deactivating region's capacity the activating region scales to (`Ec2AsgCapacityIncreaseConfiguration.targetPercent`, default 100). */
export const CAPACITY_TARGET_PERCENT = 100;

/** The targets the plan acts on: a subset of the recovery targets, plus what only the plan needs. */
export interface RegionSwitchTargets extends Pick<
  RecoveryTargets,
  "partition" | "accountId" | "drRegion" | "primaryRegion" | "rtoSeconds" | "replica" | "database" | "drAutoScalingGroup"
> {
  primary: Pick<RecoveryTargets["primary"], "databaseArn" | "autoScalingGroupName"> & {
    /** The primary's Auto Scaling group ARN, when its stack exports it (`autoScalingGroupArn`); the block then scales by both. */
    autoScalingGroupArn?: string;
  };
  /** The public failover pair: the zone, the record name, and the two records' set identifiers. */
  dns: { hostedZoneId: string; applicationName: string; primarySetIdentifier: string; secondarySetIdentifier: string };
  /** ARN of the Lambda function that runs the CustomActionLambda steps (recovery/lambda/regionSwitchActions.mjs), in the DR region. */
  actionsFunctionArn: string;
  /** ARN of the role whose principals approve the ManualApproval steps. */
  approvalRoleArn: string;
  /** True: no approval before a failover (`failover.automatic`). */
  automatic: boolean;
}

/** One step as the provider takes it (`PlanWorkflowStep`), with plain values. */
export interface PlanStep {
  name: string;
  executionBlockType: BlockType;
  description: string;
  executionApprovalConfigs?: { approvalRole: string; timeoutMinutes: number }[];
  parallelConfigs?: { steps: PlanStep[] }[];
  rdsPromoteReadReplicaConfigs?: { dbInstanceArnMap: Record<string, string>; timeoutMinutes: number }[];
  rdsCreateCrossRegionReadReplicaConfigs?: { dbInstanceArnMap: Record<string, string>; timeoutMinutes: number }[];
  globalAuroraConfigs?: {
    behavior: "switchoverOnly" | "failover";
    globalClusterIdentifier: string;
    databaseClusterArns: string[];
    timeoutMinutes: number;
    ungracefuls?: { ungraceful: "failover" }[];
  }[];
  ec2AsgCapacityIncreaseConfigs?: {
    asgs: { arn: string }[];
    capacityMonitoringApproach: "sampledMaxInLast24Hours" | "autoscalingMaxInLast24Hours";
    targetPercent: number;
    timeoutMinutes: number;
    ungraceful: { minimumSuccessPercentage: number };
  }[];
  customActionLambdaConfigs?: {
    lambdas: { arn: string }[];
    regionToRun: "activatingRegion" | "deactivatingRegion";
    retryIntervalMinutes: number;
    timeoutMinutes: number;
    ungracefuls: { behavior: "skip" }[];
  }[];
  route53HealthCheckConfigs?: {
    hostedZoneId: string;
    recordName: string;
    recordSets: { recordSetIdentifier: string; region: string }[];
    timeoutMinutes: number;
  }[];
}

/** One workflow as the provider takes it (`PlanWorkflow`), with plain values. */
export interface PlanWorkflow {
  workflowTargetAction: WorkflowAction;
  workflowTargetRegion: string;
  workflowDescription: string;
  steps: PlanStep[];
}

function approval(targets: RegionSwitchTargets, name: string, description: string): PlanStep {
  return {
    name,
    executionBlockType: "ManualApproval",
    description,
    executionApprovalConfigs: [{ approvalRole: targets.approvalRoleArn, timeoutMinutes: APPROVAL_TIMEOUT_MINUTES }],
  };
}

/**
 * The database block. Instance mode: RdsPromoteReadReplica with each region's instance ARN; ARC
 * promotes the one "in the Region that you're activating" (ARC Developer Guide, "Amazon RDS Promote
 * Read Replica execution block"). Aurora-global: AuroraGlobalDatabase with both clusters; `switchoverOnly`
 * calls SwitchoverGlobalCluster (no data loss) in a graceful execution, and the ungraceful `failover`
 * calls FailoverGlobalCluster with AllowDataLoss (ARC API Reference, GlobalAuroraConfiguration
 * `behavior`, GlobalAuroraUngraceful). A failback is never ungraceful: no `ungraceful` there.
 */
function databaseStep(targets: RegionSwitchTargets, name: string, description: string, withUngracefulFailover: boolean): PlanStep {
  const aurora = auroraOf(targets);
  if (aurora) {
    return {
      name,
      executionBlockType: "AuroraGlobalDatabase",
      description,
      globalAuroraConfigs: [
        {
          behavior: "switchoverOnly",
          globalClusterIdentifier: aurora.globalClusterIdentifier,
          databaseClusterArns: [aurora.primaryClusterArn, aurora.drClusterArn],
          timeoutMinutes: DATABASE_TIMEOUT_MINUTES,
          ...(withUngracefulFailover ? { ungracefuls: [{ ungraceful: "failover" as const }] } : {}),
        },
      ],
    };
  }
  return {
    name,
    executionBlockType: "RdsPromoteReadReplica",
    description,
    rdsPromoteReadReplicaConfigs: [{ dbInstanceArnMap: instanceArnMap(targets), timeoutMinutes: DATABASE_TIMEOUT_MINUTES }],
  };
}

/** The Aurora global database of `targets`, or undefined in instance mode (recovery/targets.ts `auroraGlobalOf`, on the plan's subset). */
export function auroraOf(targets: Pick<RecoveryTargets, "database">): AuroraGlobalDatabaseTargets | undefined {
  return targets.database?.engineMode === "aurora-global" ? targets.database : undefined;
}

/** Each region's DB instance ARN, keyed by region (`RdsDbInstanceArnMap`: key pattern `[a-z]{2}-[a-z-]+-\d+`). */
export function instanceArnMap(targets: RegionSwitchTargets): Record<string, string> {
  return { [targets.primaryRegion]: targets.primary.databaseArn, [targets.drRegion]: targets.replica.arn };
}

/** The Auto Scaling group ARNs the capacity block scales by: the DR group, and the primary's when known. */
export function autoScalingGroupArns(targets: RegionSwitchTargets): string[] {
  return [...(targets.primary.autoScalingGroupArn ? [targets.primary.autoScalingGroupArn] : []), targets.drAutoScalingGroup.arn];
}

/**
 * EC2AutoScaling: scales the activating region's group to `CAPACITY_TARGET_PERCENT` of the capacity the
 * deactivating region ran in the last 24 hours (ARC Developer Guide, "Amazon EC2 Auto Scaling group
 * execution block": "a percentage of capacity, relative to the Region you're leaving"; `sampledMaxInLast24Hours`).
 */
function capacityStep(targets: RegionSwitchTargets, name: string, description: string): PlanStep {
  return {
    name,
    executionBlockType: "EC2AutoScaling",
    description,
    ec2AsgCapacityIncreaseConfigs: [
      {
        asgs: autoScalingGroupArns(targets).map((arn) => ({ arn })),
        capacityMonitoringApproach: "sampledMaxInLast24Hours",
        targetPercent: CAPACITY_TARGET_PERCENT,
        timeoutMinutes: CAPACITY_TIMEOUT_MINUTES,
        ungraceful: { minimumSuccessPercentage: UNGRACEFUL_MIN_SUCCESS_PERCENT },
      },
    ],
  };
}

/**
 * CustomActionLambda: the stable database name of the activated region repointed at its database. The
 * function lives in the DR region only (`deactivatingRegion` on failback: the DR region is up then),
 * and is skipped by an ungraceful execution: it writes Route 53, whose control plane is in us-east-1
 * (DESIGN.md, "The outage model"), and the DR name already points at the DR database (a promoted
 * replica keeps its endpoint), so skipping it loses nothing.
 */
function databaseNameStep(targets: RegionSwitchTargets, name: string, description: string, regionToRun: "activatingRegion" | "deactivatingRegion"): PlanStep {
  return {
    name,
    executionBlockType: "CustomActionLambda",
    description,
    customActionLambdaConfigs: [
      {
        lambdas: [{ arn: targets.actionsFunctionArn }],
        regionToRun,
        retryIntervalMinutes: LAMBDA_RETRY_INTERVAL_MINUTES,
        timeoutMinutes: SHORT_STEP_TIMEOUT_MINUTES,
        ungracefuls: [{ behavior: "skip" }],
      },
    ],
  };
}

/**
 * Route53HealthCheck on the application's failover pair: ARC creates one health check per region and
 * sets them when the plan runs (ARC Developer Guide, "Amazon Route 53 health check execution block");
 * components/failoverRouting.ts attaches them to the records. The record sets are named explicitly,
 * each with its region, so ARC need not guess them from the set identifiers.
 */
function trafficStep(targets: RegionSwitchTargets, name: string, description: string): PlanStep {
  return {
    name,
    executionBlockType: "Route53HealthCheck",
    description,
    route53HealthCheckConfigs: [
      {
        hostedZoneId: targets.dns.hostedZoneId,
        recordName: targets.dns.applicationName,
        recordSets: [
          { recordSetIdentifier: targets.dns.primarySetIdentifier, region: targets.primaryRegion },
          { recordSetIdentifier: targets.dns.secondarySetIdentifier, region: targets.drRegion },
        ],
        timeoutMinutes: SHORT_STEP_TIMEOUT_MINUTES,
      },
    ],
  };
}

/** The failover workflow: activate the DR region. */
export function failoverWorkflow(targets: RegionSwitchTargets): PlanWorkflow {
  return {
    workflowTargetAction: "activate",
    workflowTargetRegion: targets.drRegion,
    workflowDescription: `Failover: serve ${targets.dns.applicationName} from ${targets.drRegion}, the database promoted there`,
    steps: [
      ...(targets.automatic ? [] : [approval(targets, STEP_NAMES.approveFailover, `An operator approves the failover to ${targets.drRegion}`)]),
      {
        name: STEP_NAMES.recoverDataAndCapacity,
        executionBlockType: "Parallel",
        description: "Promote the DR database and scale the DR tier at once",
        parallelConfigs: [
          {
            steps: [
              databaseStep(targets, STEP_NAMES.promoteDatabase, `Make the ${targets.drRegion} database the writer`, true),
              capacityStep(targets, STEP_NAMES.scaleDrCapacity, `Scale the ${targets.drRegion} Auto Scaling group to the primary's capacity`),
            ],
          },
        ],
      },
      databaseNameStep(targets, STEP_NAMES.pointDatabaseName, `Point the stable database name of ${targets.drRegion} at its database`, "activatingRegion"),
      trafficStep(targets, STEP_NAMES.shiftTraffic, `Send ${targets.dns.applicationName} to ${targets.drRegion}`),
    ],
  };
}

/** The failback workflow: activate the primary region again, always approved by an operator (no flapping). */
export function failbackWorkflow(targets: RegionSwitchTargets): PlanWorkflow {
  return {
    workflowTargetAction: "activate",
    workflowTargetRegion: targets.primaryRegion,
    workflowDescription: `Failback: serve ${targets.dns.applicationName} from ${targets.primaryRegion} again`,
    steps: [
      approval(targets, STEP_NAMES.approveFailback, `An operator approves the failback to ${targets.primaryRegion}`),
      {
        name: STEP_NAMES.restorePrimaryDataAndCapacity,
        executionBlockType: "Parallel",
        description: "Make the primary-region database the writer and scale the primary tier at once",
        parallelConfigs: [
          {
            steps: [
              databaseStep(targets, STEP_NAMES.promotePrimaryDatabase, `Make the ${targets.primaryRegion} database the writer`, false),
              capacityStep(targets, STEP_NAMES.scalePrimaryCapacity, `Scale the ${targets.primaryRegion} Auto Scaling group to the serving capacity`),
            ],
          },
        ],
      },
      databaseNameStep(
        targets,
        STEP_NAMES.pointPrimaryDatabaseName,
        `Point the stable database name of ${targets.primaryRegion} at its database`,
        "deactivatingRegion",
      ),
      trafficStep(targets, STEP_NAMES.shiftTrafficToPrimary, `Send ${targets.dns.applicationName} to ${targets.primaryRegion}`),
    ],
  };
}

/**
 * The re-protection workflow (instance mode): after a failover, a new cross-region read replica of the
 * promoted DR database in the primary region. ARC "uses the identifier from the Region being activated
 * as the source database", renames the old primary and tags it `renamedByRegionSwitch` (it keeps
 * running and billing until someone deletes it), and creates the replica with the old primary's
 * identifier, parameter group, subnet group, KMS key and security groups (ARC Developer Guide, "Amazon
 * RDS Create Cross-Region Replica execution block"). Undefined in aurora-global mode: Aurora adds the
 * old primary back as a secondary by itself after a managed failover.
 */
export function reprotectionWorkflow(targets: RegionSwitchTargets): PlanWorkflow | undefined {
  if (auroraOf(targets)) return undefined;
  return {
    workflowTargetAction: "postRecovery",
    workflowTargetRegion: targets.drRegion,
    workflowDescription: `Re-protection: a read replica of the ${targets.drRegion} database in ${targets.primaryRegion}, for the failback`,
    steps: [
      {
        name: STEP_NAMES.recreateCrossRegionReplica,
        executionBlockType: "RdsCreateCrossRegionReplica",
        description: `Create a read replica of the promoted ${targets.drRegion} database in ${targets.primaryRegion}`,
        rdsCreateCrossRegionReadReplicaConfigs: [{ dbInstanceArnMap: instanceArnMap(targets), timeoutMinutes: REPLICA_CREATE_TIMEOUT_MINUTES }],
      },
    ],
  };
}

/** Every workflow of the plan, declared or not. */
export function planWorkflows(targets: RegionSwitchTargets): PlanWorkflow[] {
  const reprotection = reprotectionWorkflow(targets);
  return [failoverWorkflow(targets), failbackWorkflow(targets), ...(reprotection ? [reprotection] : [])];
}

/** The workflows the provider can declare (`PROVIDER_WORKFLOW_ACTIONS`): what the Plan resource carries. */
export function declaredWorkflows(targets: RegionSwitchTargets): PlanWorkflow[] {
  return planWorkflows(targets).filter((workflow) => PROVIDER_WORKFLOW_ACTIONS.includes(workflow.workflowTargetAction));
}

/** Every step of `workflows`, a Parallel step's children included. */
export function allSteps(workflows: PlanWorkflow[]): PlanStep[] {
  return workflows.flatMap((workflow) => workflow.steps.flatMap((step) => [step, ...(step.parallelConfigs ?? []).flatMap((parallel) => parallel.steps)]));
}

/** `recoveryTimeObjectiveMinutes`: the RTO in whole minutes, rounded up (the API takes minutes). */
export function rtoMinutes(rtoSeconds: number): number {
  return Math.ceil(rtoSeconds / 60);
}
