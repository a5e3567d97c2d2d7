/**
 * The primary-region operations: the only calls the workflows make into the primary region. Step
 * Functions' AWS SDK integrations call their own region only (the CDK added a Lambda-backed
 * `CallAwsServiceCrossRegion` for this reason), so one Lambda function in the DR region performs
 * this fixed list of operations on the primary's database, Auto Scaling Group and replica-lag metric.
 * Its targets come from its environment, set at deploy time, never from the request, and its role
 * allows exactly these calls on exactly those resources.
 */
import { LAMBDA_INVOKE, LAMBDA_RETRY, type State, TRANSIENT_RETRY } from "./asl";
import { auroraGlobalOf, type EngineMode, type RecoveryTargets } from "./targets";

/**
 * Operation name -> the AWS API calls it makes (IAM actions), in the primary region.
 * - `describeDatabase`: `{ status, isReplica, sourceArn, address }` of the primary-region database.
 * - `promoteDatabase`: promotes it (when it is a replica, during failback).
 * - `replicaLagSeconds`: `{ seconds }`, the newest `AWS/RDS ReplicaLag` (Maximum per minute) of that database since `since`
 *   (an ISO 8601 time in the request; default 5 minutes ago), or `null` without data.
 * - `replayedSince`: `{ caughtUp, beatAt, since }`, the answer of the primary region's replication heartbeat
 *   function (components/replicationHeartbeat.ts) to `{ action: "replayedSince", since }`: has the
 *   primary-region replica replayed a heartbeat committed at or after `since` (failback's catch-up proof).
 * - `setCapacity`: sets min, desired and max of the primary Auto Scaling Group (`{ minSize, desiredCapacity, maxSize }`).
 * - `describeCapacity`: `{ inService, instances, desiredCapacity }` of that group (`instances`: in any lifecycle state).
 * - `describeTargetHealth`: `{ healthyTargets }` of the primary ALB's target group (targets passing `/health`).
 * - `switchoverGlobalCluster` (aurora-global mode): `SwitchoverGlobalCluster` of the global cluster to the
 *   DR cluster, called in the primary region, where the global database's primary cluster runs (Aurora
 *   User Guide, "Using switchover or failover in Amazon Aurora Global Database", switchovers: `--region`
 *   is the primary's); `{ switching: true }`.
 */
export const PRIMARY_REGION_OPERATIONS = {
  describeDatabase: ["rds:DescribeDBInstances"],
  promoteDatabase: ["rds:PromoteReadReplica"],
  replicaLagSeconds: ["cloudwatch:GetMetricData"],
  replayedSince: ["lambda:InvokeFunction"],
  setCapacity: ["autoscaling:UpdateAutoScalingGroup"],
  describeCapacity: ["autoscaling:DescribeAutoScalingGroups"],
  describeTargetHealth: ["elasticloadbalancing:DescribeTargetHealth"],
  switchoverGlobalCluster: ["rds:SwitchoverGlobalCluster"],
} as const;

export type PrimaryRegionOperation = keyof typeof PRIMARY_REGION_OPERATIONS;

/**
 * The operations each engine mode's workflows use, and so the ones the function's role may perform:
 * instance mode describes, promotes and reads the lag of the primary-region read replica (failback);
 * aurora-global mode switches the global database over (planned failover) and reads everything else
 * about the database from the DR region.
 */
export const PRIMARY_REGION_OPERATIONS_BY_ENGINE_MODE: Record<EngineMode, readonly PrimaryRegionOperation[]> = {
  instance: ["describeDatabase", "promoteDatabase", "replicaLagSeconds", "replayedSince", "setCapacity", "describeCapacity", "describeTargetHealth"],
  "aurora-global": ["setCapacity", "describeCapacity", "describeTargetHealth", "switchoverGlobalCluster"],
};

/** Environment variable names the function reads its targets from. */
export const PRIMARY_REGION_ENVIRONMENT = {
  region: "PRIMARY_REGION",
  databaseIdentifier: "PRIMARY_DATABASE_IDENTIFIER",
  autoScalingGroupName: "PRIMARY_AUTO_SCALING_GROUP_NAME",
  targetGroupArn: "PRIMARY_TARGET_GROUP_ARN",
  /** Aurora-global mode: the global cluster's identifier and the ARN of the DR cluster a switchover promotes. */
  globalClusterIdentifier: "GLOBAL_CLUSTER_IDENTIFIER",
  drClusterArn: "DR_CLUSTER_ARN",
  /** Instance mode: the primary region's replication heartbeat function, which `replayedSince` invokes. */
  heartbeatFunctionArn: "PRIMARY_HEARTBEAT_FUNCTION_ARN",
} as const;

/**
 * A Task invoking the primary-region operations function; the function's answer lands at
 * `resultPath` (`{ ...answer }`). Retries the Lambda service's transient errors, then transient failures.
 */
export function primaryRegionTask(functionArn: string, operation: PrimaryRegionOperation, arguments_: Record<string, unknown>, rest: State): State {
  return {
    Type: "Task",
    Resource: LAMBDA_INVOKE,
    Parameters: { FunctionName: functionArn, Payload: { operation, ...arguments_ } },
    ResultSelector: { "answer.$": "$.Payload" },
    TimeoutSeconds: 60,
    // The function's own refusals are not transient: fail at once instead of retrying them.
    Retry: [{ ErrorEquals: ["InvalidArguments", "MisconfiguredFunction"], MaxAttempts: 0 }, LAMBDA_RETRY, TRANSIENT_RETRY],
    ...rest,
  };
}

/**
 * The function's environment for `targets` (`PRIMARY_REGION_ENVIRONMENT` names -> values): the primary
 * region, database, Auto Scaling Group and target group; the primary region's heartbeat function when
 * there is one; in aurora-global mode also the global
 * cluster's identifier and the DR cluster's ARN, which `switchoverGlobalCluster` needs. Variables an
 * operation needs and does not find make it fail with `MisconfiguredFunction`.
 */
export function primaryRegionEnvironment(targets: RecoveryTargets): Record<string, string> {
  const aurora = auroraGlobalOf(targets);
  return {
    [PRIMARY_REGION_ENVIRONMENT.region]: targets.primaryRegion,
    [PRIMARY_REGION_ENVIRONMENT.databaseIdentifier]: targets.primary.databaseIdentifier,
    [PRIMARY_REGION_ENVIRONMENT.autoScalingGroupName]: targets.primary.autoScalingGroupName,
    [PRIMARY_REGION_ENVIRONMENT.targetGroupArn]: targets.primary.targetGroupArn,
    ...(targets.heartbeat ? { [PRIMARY_REGION_ENVIRONMENT.heartbeatFunctionArn]: targets.heartbeat.primaryFunctionArn } : {}),
    ...(aurora
      ? { [PRIMARY_REGION_ENVIRONMENT.globalClusterIdentifier]: aurora.globalClusterIdentifier, [PRIMARY_REGION_ENVIRONMENT.drClusterArn]: aurora.drClusterArn }
      : {}),
  };
}
