/**
 * How long AWS takes to do what the recovery workflows ask, in simulated seconds. Each value is
 * the documented figure where AWS documents one, otherwise a typical figure, said so; the physical
 * parameters of this program (health-check intervals and thresholds) come from the synthesized DR
 * plan when it has them (`fromPlan.ts`). Every scenario can override any value.
 */
import {
  APP_BOOT_SECONDS,
  AURORA_GLOBAL_REJOIN_SECONDS,
  AURORA_GLOBAL_SWITCH_SECONDS,
  EC2_LAUNCH_SECONDS,
  LAMBDA_INVOKE_SECONDS,
  LOAD_BALANCER_ALIAS_TTL_SECONDS,
  RDS_BACKUP_REMAINING_SECONDS,
  RDS_METRIC_PERIOD_SECONDS,
  RDS_PROMOTION_REBOOT_SECONDS,
  RDS_PROMOTION_SECONDS,
  ROUTE53_PROPAGATION_SECONDS,
  SDK_API_CALL_SECONDS,
} from "../../budget/figures";
import { FENCE_PROPAGATION_SECONDS } from "../fence";
import { CACHE_DETACH_SECONDS, CACHE_FAILOVER_SECONDS } from "./cache";
import { HEARTBEAT_INTERVAL_SECONDS } from "../heartbeat";

export interface Durations {
  /**
   * PromoteReadReplica accepted -> the instance is `available` and standalone. RDS: promotion "takes
   * a few minutes, depending on the size of the read replica" (RDS User Guide, "Working with DB
   * instance read replicas" > "Promoting a read replica to be a standalone DB instance"). 6 minutes.
   */
  rdsPromotionSeconds: number;
  /** The last part of the promotion, while the instance reboots (same page: "the read replica is rebooted"); `rebooting` status. */
  rdsPromotionRebootSeconds: number;
  /**
   * What is left of an automated backup when a scenario starts with the replica `backing-up`;
   * RDS refuses PromoteReadReplica meanwhile (same page). A backup of a small instance takes
   * minutes (RDS User Guide, "Backup window": the first snapshot is full, later ones incremental); 5 minutes.
   */
  rdsBackupRemainingSeconds: number;
  /**
   * EC2 launch: Auto Scaling launches the instance and moves it to `InService` once it is running
   * (Amazon EC2 Auto Scaling User Guide, "Amazon EC2 Auto Scaling instance lifecycle"). AWS
   * documents no bound; typically under a minute for a t3 instance from an EBS-backed AMI. 60 s.
   */
  ec2LaunchSeconds: number;
  /**
   * Boot to the app answering /health: Amazon Linux 2023 boots, cloud-init runs the user data,
   * which writes the app and starts its systemd unit with no package download (components/userData.ts).
   * Typical, not documented: 45 s.
   */
  appBootSeconds: number;
  /**
   * Target group health check of the DR ALB (and, for failback, the primary's): a target turns
   * `healthy` after HealthyThresholdCount consecutive successful checks HealthCheckIntervalSeconds
   * apart, `unhealthy` after UnhealthyThresholdCount failures (Elastic Load Balancing User Guide for
   * ALBs, "Health checks for your target groups"). Read from the plan's aws:lb/targetGroup:TargetGroup;
   * ELB's defaults (30 s, 5, 2) when it has none.
   */
  targetHealthCheckIntervalSeconds: number;
  targetHealthyThreshold: number;
  targetUnhealthyThreshold: number;
  /** Route 53: changes "generally propagate to all Route 53 name servers within 60 seconds" (Route 53 API Reference, GetChange). 60 s. */
  route53PropagationSeconds: number;
  /**
   * Route 53 health check: unhealthy after FailureThreshold consecutive failed checks RequestInterval
   * apart (Route 53 Developer Guide, "How Amazon Route 53 determines whether a health check is
   * healthy"). Read from the plan's aws:route53/healthCheck:HealthCheck; Route 53's defaults (30 s, 3) when it has none.
   */
  route53HealthCheckIntervalSeconds: number;
  route53FailureThreshold: number;
  /**
   * TTL of an alias record to an ELB load balancer: Route 53 uses the load balancer's own record TTL,
   * 60 s (Route 53 Developer Guide, "Choosing between alias and non-alias records"; ELB's DNS name
   * has a 60 s TTL). Resolvers keep the previous answer this long after a change is INSYNC.
   */
  aliasTtlSeconds: number;
  /**
   * CloudWatch: RDS publishes ReplicaLag once a minute (RDS User Guide, "Amazon CloudWatch metrics
   * for Amazon RDS"); a datapoint is readable once its minute has ended. Alarms evaluate that datapoint.
   */
  metricPeriodSeconds: number;
  /** Latency of one AWS API call made by a Step Functions SDK integration (not documented; typical 0.2 s). */
  apiCallSeconds: number;
  /** Latency of one invocation of the primary-region operations function, which calls the primary region (typical 0.8 s). */
  lambdaInvokeSeconds: number;
  /** How long the primary-region operations function waits on an unreachable region before it fails (its timeout; 50 s). */
  lambdaTimeoutSeconds: number;
  /**
   * Aurora global database: a managed failover from the call to the DR cluster being the writer, and a
   * switchover once the secondary has caught up ("within a few minutes", "in under a minute": budget/figures.ts
   * AURORA_GLOBAL_SWITCH_SECONDS, 120 s); the rebuild of the old primary before it rejoins as a
   * secondary once its region is back (AURORA_GLOBAL_REJOIN_SECONDS, 30 minutes).
   */
  auroraFailoverSeconds: number;
  auroraSwitchoverSeconds: number;
  auroraRejoinSeconds: number;
  /**
   * Scale-in of an instance behind a load balancer: EC2 Auto Scaling deregisters it, waits for the
   * target group's deregistration delay (in-flight requests finish, so the app can still write),
   * then terminates it (EC2 Auto Scaling User Guide, "Use Elastic Load Balancing to distribute
   * incoming application traffic in your Auto Scaling group"; ELB User Guide, "Deregistration delay":
   * default 300 s, this program's target groups 30 s). Read from the plan's target group.
   */
  deregistrationDelaySeconds: number;
  /**
   * ElastiCache global datastore: FailoverGlobalReplicationGroup to the new primary being available
   * ("typically completes in less than a minute", 60 s) and DisassociateGlobalReplicationGroup to a
   * standalone group (not documented; a typical minute assumed): cache.ts CACHE_FAILOVER_SECONDS, CACHE_DETACH_SECONDS.
   */
  cacheFailoverSeconds: number;
  cacheDetachSeconds: number;
  /** Terminate call to the instance gone from the group (its OS shuts down). Not documented; 30 s. */
  instanceTerminationSeconds: number;
  /** Period of the replication heartbeat on the writable database (components/replicationHeartbeat.ts), seconds. */
  heartbeatIntervalSeconds: number;
  /**
   * Route 53's health checkers following the fence alarm (components/failoverRouting.ts): not
   * documented; modeled as the time the workflows wait for it (recovery/fence.ts), 60 s.
   */
  fencePropagationSeconds: number;
}

/** The defaults; `targetHealthCheck*` and `route53*` are this program's values, replaced by the plan's when it has them. */
export const DEFAULT_DURATIONS: Durations = {
  rdsPromotionSeconds: RDS_PROMOTION_SECONDS,
  rdsPromotionRebootSeconds: RDS_PROMOTION_REBOOT_SECONDS,
  rdsBackupRemainingSeconds: RDS_BACKUP_REMAINING_SECONDS,
  ec2LaunchSeconds: EC2_LAUNCH_SECONDS,
  appBootSeconds: APP_BOOT_SECONDS,
  targetHealthCheckIntervalSeconds: 10,
  targetHealthyThreshold: 2,
  targetUnhealthyThreshold: 3,
  route53PropagationSeconds: ROUTE53_PROPAGATION_SECONDS,
  route53HealthCheckIntervalSeconds: 10,
  route53FailureThreshold: 3,
  aliasTtlSeconds: LOAD_BALANCER_ALIAS_TTL_SECONDS,
  metricPeriodSeconds: RDS_METRIC_PERIOD_SECONDS,
  apiCallSeconds: SDK_API_CALL_SECONDS,
  lambdaInvokeSeconds: LAMBDA_INVOKE_SECONDS,
  lambdaTimeoutSeconds: 50,
  auroraFailoverSeconds: AURORA_GLOBAL_SWITCH_SECONDS,
  auroraSwitchoverSeconds: AURORA_GLOBAL_SWITCH_SECONDS,
  auroraRejoinSeconds: AURORA_GLOBAL_REJOIN_SECONDS,
  cacheFailoverSeconds: CACHE_FAILOVER_SECONDS,
  cacheDetachSeconds: CACHE_DETACH_SECONDS,
  deregistrationDelaySeconds: 30,
  instanceTerminationSeconds: 30,
  heartbeatIntervalSeconds: HEARTBEAT_INTERVAL_SECONDS,
  fencePropagationSeconds: FENCE_PROPAGATION_SECONDS,
};

/** Seconds from the primary's failure until Route 53 marks its health check unhealthy: interval x threshold. */
export function detectionSeconds(durations: Durations): number {
  return durations.route53HealthCheckIntervalSeconds * durations.route53FailureThreshold;
}

/** Seconds from an instance's launch until its target is healthy: launch, boot, then the healthy threshold of checks. */
export function instanceHealthySeconds(durations: Durations): number {
  return durations.ec2LaunchSeconds + durations.appBootSeconds + durations.targetHealthyThreshold * durations.targetHealthCheckIntervalSeconds;
}
