/**
 * The durations and limits of AWS operations that the recovery budget (`budget/recoveryBudget.ts`)
 * and the offline failover simulator (`recovery/offline/durations.ts`) count on. Each constant says
 * whether AWS publishes it, and where (document and section), or whether it is a typical figure,
 * and why that figure. Every name carries its unit. Pure data: no Pulumi, no AWS SDK.
 *
 * Published figures are AWS's own; typical figures are this program's estimates where AWS publishes
 * no duration. Change a typical figure when drills measure something else (the drill's timeline
 * prints the measured duration of each step).
 */

// --- Route 53 ---------------------------------------------------------------------------------

/**
 * Request intervals a Route 53 health check accepts, seconds: "every 10 seconds or every 30 seconds"
 * (Route 53 Developer Guide, "How Amazon Route 53 determines whether a health check is healthy").
 * Published.
 */
export const ROUTE53_HEALTH_CHECK_INTERVALS_SECONDS: readonly number[] = [10, 30];

/**
 * FailureThreshold of a Route 53 health check, consecutive checks: 1 to 10 (Route 53 API Reference,
 * HealthCheckConfig, FailureThreshold). Published.
 */
export const ROUTE53_FAILURE_THRESHOLD_RANGE = { minimum: 1, maximum: 10 } as const;

/**
 * Route 53 record changes "generally propagate to all Route 53 name servers within 60 seconds"
 * (Route 53 API Reference, GetChange): the wait from an UPSERT until the change is INSYNC. Published.
 */
export const ROUTE53_PROPAGATION_SECONDS = 60;

/**
 * TTL of an alias record to an Elastic Load Balancing load balancer, seconds: Route 53 uses the load
 * balancer's own TTL, 60 s (Route 53 Developer Guide, "Choosing between alias and non-alias records";
 * the load balancer's DNS name has a 60 s TTL). Resolvers keep a previous answer this long. Published.
 */
export const LOAD_BALANCER_ALIAS_TTL_SECONDS = 60;

// --- CloudWatch and EventBridge ---------------------------------------------------------------

/**
 * Periods a CloudWatch metric alarm accepts, seconds: 10, 20, 30 (high resolution) and any multiple
 * of 60 (CloudWatch API Reference, PutMetricAlarm, Period). Published.
 */
export const CLOUDWATCH_HIGH_RESOLUTION_ALARM_PERIODS_SECONDS: readonly number[] = [10, 20, 30];
export const CLOUDWATCH_ALARM_PERIOD_MULTIPLE_SECONDS = 60;

/**
 * Longest evaluation range of a CloudWatch alarm (Period x EvaluationPeriods), seconds: one day for
 * periods under one hour, seven days otherwise (CloudWatch API Reference, PutMetricAlarm, Period). Published.
 */
export const CLOUDWATCH_EVALUATION_RANGE_LIMIT_SECONDS = { periodUnderOneHour: 86_400, otherwise: 604_800 } as const;

/**
 * RDS publishes its CloudWatch metrics (ReplicaLag among them) once a minute (RDS User Guide,
 * "Amazon CloudWatch metrics for Amazon RDS"); a datapoint is readable once its minute has ended. Published.
 */
export const RDS_METRIC_PERIOD_SECONDS = 60;

/**
 * The fence alarm's evaluation after its datapoint (components/failoverRouting.ts): a 60 s period,
 * evaluated about once a minute (CloudWatch User Guide, "Evaluating an alarm"). Assumed, not published.
 */
export const FENCE_ALARM_EVALUATION_SECONDS = 60;

/**
 * From an alarm's state change to the start of the Step Functions execution its EventBridge rule
 * targets. AWS publishes no latency: CloudWatch "guarantees the delivery of alarm state change events
 * to EventBridge" (CloudWatch User Guide, "Alarm events and EventBridge") without a bound, and
 * EventBridge publishes none. Typical figure: delivery and the StartExecution call take well under a
 * second when healthy; 5 s leaves room for retries of the target invocation.
 */
export const EVENTBRIDGE_DELIVERY_SECONDS = 5;

// --- Recovery workflows and Pulumi ------------------------------------------------------------

/**
 * Latency of one AWS API call made by a Step Functions SDK integration. AWS publishes no figure;
 * typical 0.2 s for a control-plane call in the same region.
 */
export const SDK_API_CALL_SECONDS = 0.2;

/**
 * Latency of one invocation of the primary-region operations function, which calls the primary
 * region from the DR region. AWS publishes no figure; typical 0.8 s (a cross-region call and a warm function).
 */
export const LAMBDA_INVOKE_SECONDS = 0.8;

/**
 * From the start of a failover execution to its first change: the concurrency guard and the
 * pre-checks (the replica exists and is `available`, its ReplicaLag alarm is OK), a handful of SDK
 * calls and state transitions (recovery/failover.ts). AWS publishes no figure; typical: about ten
 * calls of `SDK_API_CALL_SECONDS` each plus Step Functions transitions, rounded up to 10 s.
 */
export const FAILOVER_WORKFLOW_CHECKS_SECONDS = 10;

/**
 * backup-restore: from the decision to the first resource change of `pulumi up` on the DR stack
 * with `database.restoreToTime` set: the operator sets the key, Pulumi loads the program, previews
 * the stack and starts the update. Pulumi publishes no figure; typical: about a minute of preview
 * for a stack of this size plus a minute for the operator's command and the confirmation, 120 s.
 */
export const PULUMI_RESTORE_START_SECONDS = 120;

// --- RDS ----------------------------------------------------------------------------------------

/**
 * PromoteReadReplica accepted -> the instance is `available` and standalone. AWS publishes no fixed
 * duration: promotion "takes a few minutes, depending on the size of the read replica" (RDS User
 * Guide, "Working with DB instance read replicas" > "Promoting a read replica to be a standalone DB
 * instance"). Typical figure for a small replica: 6 minutes.
 */
export const RDS_PROMOTION_SECONDS = 360;

/** The last part of the promotion, while the instance reboots (same page: "the read replica is rebooted"). Typical: 60 s. */
export const RDS_PROMOTION_REBOOT_SECONDS = 60;

/**
 * What is left of an automated backup when the replica is `backing-up`; RDS refuses
 * PromoteReadReplica meanwhile (same page). AWS publishes no duration (RDS User Guide, "Backup
 * window": the first snapshot is full, later ones incremental); typical for a small instance: 5 minutes.
 */
export const RDS_BACKUP_REMAINING_SECONDS = 300;

/**
 * Allocated storage an RDS instance accepts, GiB: 20 to 65,536 (64 TiB) for gp3 (RDS User Guide,
 * "Amazon RDS DB instance storage", General Purpose SSD storage). Published.
 */
export const RDS_ALLOCATED_STORAGE_RANGE_GIB = { minimum: 20, maximum: 65_536 } as const;

/**
 * Point-in-time restore from the replicated automated backups, fixed part: RestoreDBInstanceToPointInTime
 * creates a new instance (and, Multi-AZ, its standby) from the most recent snapshot before the
 * restore time, then applies the transaction logs up to that time (AWS Knowledge Center, "Why is the
 * point-in-time restore of my Amazon RDS DB instance taking a long time?"). AWS publishes no
 * duration: it depends on the volume restore, the transaction logs since that snapshot and the
 * instance class (same article), and a cross-Region restore "can take up to a few hours" (AWS
 * Prescriptive Guidance, dr-standard-edition-amazon-rds, "Amazon RDS PITR snapshot replication").
 * Typical figure: creating a Multi-AZ instance takes 10 to 20 minutes; 15 minutes.
 */
export const RDS_RESTORE_CREATION_SECONDS = 900;

/**
 * Point-in-time restore, the part that grows with the database: replaying up to a day of transaction
 * logs (automated snapshots are daily; RDS User Guide, "Backup window") and first reads of the
 * restored volume, which loads its blocks from S3 on first access. Both grow with the data, and so,
 * for a given workload, with the allocated storage. AWS publishes no rate. Typical figure: 10 s per
 * GiB, about 100 MiB/s, below gp3's 125 MiB/s baseline throughput (RDS User Guide, "Amazon RDS DB
 * instance storage"), as if the restore read the whole volume once. With `RDS_RESTORE_CREATION_SECONDS`
 * this gives about 23 minutes for 50 GiB and 3 hours for 1 TiB, in line with "up to a few hours".
 */
export const RDS_RESTORE_SECONDS_PER_GIB = 10;

/**
 * How far the latest restorable time of the replicated automated backups can lag behind the
 * primary: RDS uploads transaction logs to S3 every five minutes (AWS Knowledge Center, "Why is the
 * point-in-time restore of my Amazon RDS DB instance taking a long time?"; in the source region the
 * latest restorable time is "typically within the last five minutes"), then copies them to the
 * destination region "as soon as they are ready" (RDS User Guide, "Replicating automated backups to
 * another AWS Region"). Cross-Region, AWS gives an RPO "ranging 5–30 minutes", depending on log
 * generation and network transfer time (AWS Prescriptive Guidance, dr-standard-edition-amazon-rds,
 * "Amazon RDS PITR snapshot replication"). Published range; the budget counts its upper end, 30 minutes.
 */
export const REPLICATED_BACKUP_RESTORE_LAG_SECONDS = 1800;

// --- Aurora global database ---------------------------------------------------------------------

/**
 * Replication lag of an Aurora global database's secondary cluster: "Aurora replicates data to the
 * secondary AWS Regions with typical latency of under a second" (Aurora User Guide, "Working with
 * Amazon Aurora Global Database", overview); the RPO of a failover "is typically a non-zero value
 * measured in seconds. The amount of data loss depends on the Aurora global database replication lag
 * across the AWS Regions at the time of the failure" (Aurora User Guide, "Using switchover or failover
 * in Amazon Aurora Global Database", planning). Published typical figure: 1 s. A switchover loses
 * nothing: it "synchronizes secondary DB clusters with the primary before making any other changes,
 * RPO is 0" (same page). CloudWatch reports the lag as AuroraGlobalDBRPOLag (AuroraGlobalDBReplicationLag
 * on Aurora MySQL before 3.04.0 and 2.12.0), in milliseconds (same page, switchovers).
 */
export const AURORA_GLOBAL_REPLICATION_LAG_SECONDS = 1;

/** Milliseconds per second: the Aurora global database lag metrics are in milliseconds, this program's RPO in seconds. */
export const AURORA_LAG_METRIC_MILLISECONDS_PER_SECOND = 1000;

/**
 * Managed failover (FailoverGlobalCluster with AllowDataLoss) or switchover of an Aurora global
 * database, from the call to the DR cluster being the writer: AWS writes "you can promote one of the
 * secondary AWS Regions to take full read-write workloads in under a minute" (Aurora User Guide,
 * "Working with Amazon Aurora Global Database", overview) and "Typically, the chosen secondary cluster
 * assumes the primary role within a few minutes" (Aurora User Guide, "Using switchover or failover in
 * Amazon Aurora Global Database", managed failovers); a switchover also waits for the secondary to be
 * fully synchronized, so it lasts longer the larger the lag (same page). No fixed duration is
 * published; typical figure: 120 s, between "under a minute" and "a few minutes".
 */
export const AURORA_GLOBAL_SWITCH_SECONDS = 120;

/**
 * After a managed failover, Aurora adds the old primary region back as a secondary "as soon as that
 * Region is healthy and available again", rebuilding its storage volume; rebuilding a secondary "can
 * take a few minutes to several hours, depending on the size of the storage volume and the distance
 * between the Regions" (Aurora User Guide, "Using switchover or failover in Amazon Aurora Global
 * Database", managed failovers). Typical figure for a small database: 30 minutes. Failback waits for it.
 */
export const AURORA_GLOBAL_REJOIN_SECONDS = 1800;

// --- EC2, Auto Scaling, Elastic Load Balancing, VPC --------------------------------------------

/**
 * EC2 launch: Auto Scaling launches the instance and moves it to `InService` once it is running
 * (Amazon EC2 Auto Scaling User Guide, "Amazon EC2 Auto Scaling instance lifecycle"). AWS publishes
 * no bound; typically under a minute for a t3 instance from an EBS-backed AMI: 60 s.
 */
export const EC2_LAUNCH_SECONDS = 60;

/**
 * Boot to the app answering /health: Amazon Linux 2023 boots, cloud-init runs the user data, which
 * writes the app and starts its systemd unit with no package download (components/userData.ts).
 * Not an AWS figure; typical: 45 s.
 */
export const APP_BOOT_SECONDS = 45;

/**
 * Target group health check of an Application Load Balancer: HealthCheckIntervalSeconds 5 to 300,
 * HealthyThresholdCount 2 to 10 (Elastic Load Balancing API Reference, CreateTargetGroup). Published.
 */
export const TARGET_HEALTH_CHECK_INTERVAL_RANGE_SECONDS = { minimum: 5, maximum: 300 } as const;
export const TARGET_HEALTHY_THRESHOLD_RANGE = { minimum: 2, maximum: 10 } as const;

/**
 * CreateNatGateway -> `available`, with its route added. AWS publishes no duration (Amazon VPC User
 * Guide, "NAT gateways": the gateway is `pending` until `available`). Typical figure: one to three
 * minutes; 180 s.
 */
export const NAT_GATEWAY_CREATION_SECONDS = 180;

// --- S3 -----------------------------------------------------------------------------------------

/**
 * S3 Replication Time Control replicates most objects in seconds and 99.99% of them within 15
 * minutes, backed by a service level agreement (S3 User Guide, "Meeting compliance requirements with
 * S3 Replication Time Control"); 15 minutes is the only time and metrics threshold S3 accepts
 * (S3 API Reference, ReplicationTimeValue). Published.
 */
export const S3_REPLICATION_TIME_CONTROL_SECONDS = 900;

// --- ARC Region switch ------------------------------------------------------------------------

/**
 * From the trigger alarm's ALARM to the start of the plan execution it triggers. AWS publishes no
 * latency (ARC API Reference, Trigger: "the conditions that must be met for the trigger to fire"; ARC
 * Developer Guide, "Plan execution role trust policy": Region switch reads the trigger alarms with the
 * execution role). Typical figure: Region switch reads alarm states on a cycle of about a minute, 60 s.
 */
export const REGION_SWITCH_TRIGGER_SECONDS = 60;

/**
 * From StartPlanExecution (by the operator, or a trigger) to the first block's work, in the DR region's
 * data plane. AWS publishes no figure; typical: the execution's validation and a few API calls, 10 s
 * (as the Step Functions failover's guard and pre-checks, `FAILOVER_WORKFLOW_CHECKS_SECONDS`).
 */
export const REGION_SWITCH_START_SECONDS = 10;

/**
 * A Route53HealthCheck block's switch: Region switch sets the state of the health checks it created
 * for the record's regions, and Route 53's checkers follow it (ARC Developer Guide, "Amazon Route 53
 * health check execution block": "the Route 53 health check state is updated, and traffic is redirected
 * based on your DNS configuration"). AWS publishes no latency; typical 60 s, as this program allows
 * Route 53 to follow the fence alarm (recovery/fence.ts `FENCE_PROPAGATION_SECONDS`). The record's TTL
 * comes on top.
 */
export const REGION_SWITCH_HEALTH_CHECK_FOLLOW_SECONDS = 60;

/**
 * Promotion of the DR member of an ElastiCache global datastore (FailoverGlobalReplicationGroup, called
 * from the DR region by the failover's cache branch, recovery/cacheSteps.ts): "Once initiated, the
 * promotion typically completes in less than a minute" (AWS What's New, "Amazon ElastiCache for Redis
 * announces Global Datastore", 2020-03-16); the ElastiCache User Guide publishes no duration. Typical
 * figure: 60 s. The branch runs beside the database's promotion; the unplanned path detaches the member
 * instead when the promotion is refused or stalls (bounded at 180 s, then the detach at 300 s).
 */
export const ELASTICACHE_GLOBAL_FAILOVER_SECONDS = 60;

/**
 * Failback's extra time with a global datastore: the switch back (FailoverGlobalReplicationGroup to the
 * primary region) after the database's, about one promotion plus the checks around it: 60 to 75 s
 * (recovery/cacheSteps.ts; same source as ELASTICACHE_GLOBAL_FAILOVER_SECONDS).
 */
export const ELASTICACHE_FAILBACK_EXTRA_SECONDS = { typical: 60, upTo: 75 } as const;

/**
 * How long one read waits before CloudFront's origin group sends it to the DR ALB, at most: 2 connection
 * attempts of 5 s to the primary origin (components/edge/distribution.ts ORIGIN_CONNECTION; CloudFront
 * Developer Guide, "Control origin timeouts and attempts": with origin failover CloudFront moves to the
 * secondary origin once the attempts fail). Per request, no state: reads from the DR region's replica
 * start at once, while writes wait for the Route 53 failover of the failover name.
 */
export const CLOUDFRONT_ORIGIN_FAILOVER_SECONDS = 10;
