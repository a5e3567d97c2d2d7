/**
 * The workflows of the ARC Region switch plan (`recovery.orchestrator: region-switch`), as pure data
 * built from the recovery targets (recovery/targets.ts): the same shapes the provider's
 * `aws.arcregionswitch.Plan` takes (node_modules/@pulumi/aws/types/input.d.ts, `arcregionswitch.PlanWorkflow`),
 * with plain values, so that tests, the checks and the runbook's `--dry-run` read the exact plan.
 *
 * Workflows (step names are stable: the runbook and the checks use them):
 * - failover, `activate` the DR region: `approve-failover` (ManualApproval, only when
 *   `failover.automatic` is false), `stop-primary-writes` (CustomActionLambda, instance mode: the primary
 *   group to 0, its last instance gone, the DR replica has replayed a heartbeat committed after that; else
 *   the primary's capacity back and the step fails, so the plan pauses), then the Parallel step
 *   `recover-data-and-capacity` running `promote-database` (RdsPromoteReadReplica in instance mode,
 *   AuroraGlobalDatabase in aurora-global mode) beside `scale-dr-capacity` (EC2AutoScaling), then
 *   `shift-traffic` (Route53HealthCheck on the application's failover records).
 * - failback, `activate` the primary region: `approve-failback` (always), `scale-primary-capacity`,
 *   `stop-dr-writes` (instance mode: first checks the re-protection, the primary-region database a read
 *   replica of the DR one, then as `stop-primary-writes` the other way), `promote-primary-database`,
 *   `shift-traffic-to-primary`, `return-dr-to-standby` (CustomActionLambda: the DR group back to its standby capacity).
 *
 * No step writes a stable database name (Route 53's control plane, us-east-1): each region's name already
 * points at its own database, whose endpoint a promotion keeps (components/stableDatabaseName.ts), so nothing
 * on either path waits for a Route 53 control-plane call.
 *
 * Every CustomActionLambda step lists the actions function of both regions and runs it in the activating
 * region (ARC Developer Guide, "Custom action Lambda execution block": "you're required to specify two Lambda
 * functions for the step to execute—one in each of the plan's Regions"; "We do not recommend that you take a
 * dependency on the deactivating Region"). Aurora-global mode has no stop-writes step: its switchover
 * (`switchoverOnly`) waits until the target is synchronized and makes the old writer read-only itself (Aurora
 * User Guide, "Using switchover or failover in Amazon Aurora Global Database"; recovery/failback.ts).
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
 * `UNGRACEFUL_MIN_SUCCESS_PERCENT` of the capacity, and skips every Lambda step (`ungraceful: skip`, the
 * only behaviour the API has: `LambdaUngracefulBehavior`; ARC Developer Guide, "Custom action Lambda
 * execution block": "In ungraceful execution mode, Region switch skips the Lambda execution block step").
 * So an ungraceful failover promotes without stopping the primary's writes (it accepts the replica's lag,
 * as the unplanned Step Functions failover does) and needs no Lambda step: no name to point, the DR group
 * scaled by the EC2AutoScaling block. An ungraceful failback would promote the primary-region replica
 * while DR still takes writes: the runbook refuses it (runbook/regionSwitch/run.ts).
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
  stopPrimaryWrites: "stop-primary-writes",
  shiftTraffic: "shift-traffic",
  approveFailback: "approve-failback",
  promotePrimaryDatabase: "promote-primary-database",
  scalePrimaryCapacity: "scale-primary-capacity",
  stopDrWrites: "stop-dr-writes",
  shiftTrafficToPrimary: "shift-traffic-to-primary",
  returnDrToStandby: "return-dr-to-standby",
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
/** Minutes the DNS step and the standby step may take. */
export const SHORT_STEP_TIMEOUT_MINUTES = 10;
/** Minutes between two tries of a quick, idempotent Lambda step (`CustomActionLambdaConfiguration.retryIntervalMinutes`). */
export const LAMBDA_RETRY_INTERVAL_MINUTES = 1;
/**
 * A stop-writes step: one attempt of the function (Lambda's longest run, 15 minutes: Lambda Developer Guide,
 * "Configure Lambda function timeout"), which restores the stopped group itself before its own deadline
 * (recovery/lambda/regionSwitchActions.mjs `STOP_WRITES_DEADLINE_SECONDS`). ARC reruns a function "if it does not
 * succeed within this interval" (ARC Developer Guide, "Custom action Lambda execution block"): a retry interval and
 * a timeout equal to the function's longest run leave room for exactly one attempt, so no second run stops the
 * writes again after the first gave up; the failed step pauses the plan for the operator.
 */
export const STOP_WRITES_STEP_MINUTES = 15;
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
    /**
     * The primary's Auto Scaling group ARN (its stack's `autoScalingGroupArn`): the capacity block takes exactly two
     * groups (botocore arc-region-switch 2022-07-26, `AsgList` min 2 max 2), so a plan cannot be made without it.
     */
    autoScalingGroupArn: string;
  };
  /** The public failover pair: the zone, the record name, and the two records' set identifiers. */
  dns: { hostedZoneId: string; applicationName: string; primarySetIdentifier: string; secondarySetIdentifier: string };
  /** ARNs of the function that runs the CustomActionLambda steps (recovery/lambda/regionSwitchActions.mjs), one copy per region. */
  actionsFunctionArns: { primary: string; dr: string };
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

/**
 * The two Auto Scaling group ARNs the capacity block scales by, the primary's then the DR's.
 * @throws RangeError when the primary's ARN is missing: CreatePlan refuses a capacity block without exactly two groups.
 */
export function autoScalingGroupArns(targets: RegionSwitchTargets): string[] {
  if (!targets.primary.autoScalingGroupArn)
    throw new RangeError(
      "Region switch plan: the primary's Auto Scaling group ARN is unknown; the EC2AutoScaling block needs both groups (AsgList: exactly 2)",
    );
  return [targets.primary.autoScalingGroupArn, targets.drAutoScalingGroup.arn];
}

/** The actions function of each region, primary first (`CustomActionLambdaConfiguration.lambdas`, 1-2 items). */
export function actionsFunctionArnList(targets: RegionSwitchTargets): string[] {
  return [targets.actionsFunctionArns.primary, targets.actionsFunctionArns.dr];
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
 * CustomActionLambda: the actions function (recovery/lambda/regionSwitchActions.mjs picks the action by step
 * name), both regions' copies listed, run in the activating region, skipped by an ungraceful execution (the API's
 * only `LambdaUngracefulBehavior`). `timing`: a stop-writes step gets one attempt (`STOP_WRITES_STEP_MINUTES`);
 * an idempotent one is retried every minute.
 */
function actionStep(targets: RegionSwitchTargets, name: string, description: string, timing: "one-attempt" | "retried"): PlanStep {
  const oneAttempt = timing === "one-attempt";
  return {
    name,
    executionBlockType: "CustomActionLambda",
    description,
    customActionLambdaConfigs: [
      {
        lambdas: actionsFunctionArnList(targets).map((arn) => ({ arn })),
        regionToRun: "activatingRegion",
        retryIntervalMinutes: oneAttempt ? STOP_WRITES_STEP_MINUTES : LAMBDA_RETRY_INTERVAL_MINUTES,
        timeoutMinutes: oneAttempt ? STOP_WRITES_STEP_MINUTES : SHORT_STEP_TIMEOUT_MINUTES,
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
      ...(auroraOf(targets)
        ? []
        : [
            actionStep(
              targets,
              STEP_NAMES.stopPrimaryWrites,
              `Stop writes in ${targets.primaryRegion} and wait until the ${targets.drRegion} replica has replayed them (skipped when ungraceful)`,
              "one-attempt",
            ),
          ]),
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
      trafficStep(targets, STEP_NAMES.shiftTraffic, `Send ${targets.dns.applicationName} to ${targets.drRegion}`),
    ],
  };
}

/**
 * The failback workflow: activate the primary region again, always approved by an operator (no flapping), in the
 * order of the Step Functions failback (recovery/failback.ts): the primary tier scaled first, then the DR writes
 * stopped and replayed in the primary region, then the promotion, the traffic, and DR back to standby.
 */
export function failbackWorkflow(targets: RegionSwitchTargets): PlanWorkflow {
  return {
    workflowTargetAction: "activate",
    workflowTargetRegion: targets.primaryRegion,
    workflowDescription: `Failback: serve ${targets.dns.applicationName} from ${targets.primaryRegion} again`,
    steps: [
      approval(targets, STEP_NAMES.approveFailback, `An operator approves the failback to ${targets.primaryRegion}`),
      capacityStep(targets, STEP_NAMES.scalePrimaryCapacity, `Scale the ${targets.primaryRegion} Auto Scaling group to the serving capacity`),
      ...(auroraOf(targets)
        ? []
        : [
            actionStep(
              targets,
              STEP_NAMES.stopDrWrites,
              `Check the re-protection, stop writes in ${targets.drRegion} and wait until the ${targets.primaryRegion} replica has replayed them`,
              "one-attempt",
            ),
          ]),
      databaseStep(targets, STEP_NAMES.promotePrimaryDatabase, `Make the ${targets.primaryRegion} database the writer`, false),
      trafficStep(targets, STEP_NAMES.shiftTrafficToPrimary, `Send ${targets.dns.applicationName} to ${targets.primaryRegion}`),
      actionStep(targets, STEP_NAMES.returnDrToStandby, `Return the ${targets.drRegion} Auto Scaling group to its standby capacity`, "retried"),
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
