/**
 * RecoveryAlarms: the DR signals of checks.md invariant 6, each an alarm that notifies the topic of
 * its own region (an alarm's SNS action must be in the alarm's region):
 * - replica lag over the RPO (DR region): AWS/RDS ReplicaLag (seconds) of the read replica, or, for an
 *   Aurora global database, AWS/RDS AuroraGlobalDBReplicationLag (milliseconds) of the secondary
 *   cluster, which Aurora publishes in the secondary's region only (Aurora User Guide, "Cluster-level
 *   metrics for Amazon Aurora"). The threshold is the RPO itself, and the failover workflow refuses to
 *   run while this alarm (one name in either engine mode) is not OK (unless forced);
 * - a DynamoDB global table's replication latency over the RPO (AWS/DynamoDB ReplicationLatency,
 *   milliseconds, by TableName and ReceivingRegion, published in the region the writes were made in:
 *   DynamoDB Developer Guide, "DynamoDB Metrics and dimensions", "Monitoring global tables");
 * - unhealthy targets and target 5xx behind the DR ALB (AWS/ApplicationELB, DR region): they also
 *   abort a drill;
 * - S3 replication latency over the 15 minutes of Replication Time Control and failed replication
 *   operations (AWS/S3, published in the source bucket's region; S3 User Guide, "Monitoring
 *   progress with replication metrics");
 * - the DR cache's global datastore replication lag over the RPO (AWS/ElastiCache
 *   GlobalDatastoreReplicationLag, seconds, DR region: components/cache/lagAlarm.ts);
 * - RDS events of the replica or secondary cluster (an event subscription, not an alarm);
 * - the primary's Route 53 health check (AWS/Route53 HealthCheckStatus, us-east-1 only: Route 53
 *   Developer Guide, "Monitoring health checks using CloudWatch"); it can start an automatic failover.
 *
 * An alarm whose region is down cannot be deployed: the DR stack's outage mode passes no topic for
 * that region (`healthCheckTopic`, `replicationTopic`, `globalTable.topic` are optional), and the
 * alarms of that region are not declared.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { S3_REPLICATION_TIME_CONTROL_SECONDS } from "../budget/figures";
import { type Engine } from "../config/schema";
import { AURORA_GLOBAL_LAG_METRIC } from "../monitoring/drSignals";
import { type CacheLagAlarmArgs, cacheLagAlarmArgs } from "./cache/lagAlarm";

/**
 * The primary's health-check alarm (us-east-1): ALARM after one 60 s period of HealthCheckStatus
 * below 1. It pages the on-call and, with failover.automatic, starts the failover; the RTO budget
 * counts it.
 */
export const HEALTH_CHECK_ALARM = { periodSeconds: 60, evaluationPeriods: 1 } as const;
/** RDS event categories the DR topic receives for the replica (RDS User Guide, "Amazon RDS event categories and event messages"). */
export const DATABASE_EVENT_CATEGORIES = [
  "availability",
  "backup",
  "configuration change",
  "failover",
  "failure",
  "low storage",
  "maintenance",
  "notification",
  "read replica",
  "recovery",
];
/**
 * RDS event categories the DR topic receives for an Aurora global database's secondary cluster
 * (source type `db-cluster`; RDS User Guide for Aurora, "Amazon RDS event categories and event
 * messages", DB cluster events; `global-failover` is the API name of "global failover").
 */
export const CLUSTER_EVENT_CATEGORIES = [
  "configuration change",
  "creation",
  "deletion",
  "failover",
  "failure",
  "global-failover",
  "maintenance",
  "notification",
];
/** Milliseconds per second: AuroraGlobalDBReplicationLag and DynamoDB ReplicationLatency are in milliseconds, the RPO in seconds. */
const MILLISECONDS_PER_SECOND = 1000;
/**
 * The DynamoDB replication-latency alarm's period, seconds: CloudWatch aggregates DynamoDB metrics
 * other than the request metrics at five-minute granularity (DynamoDB Developer Guide, "DynamoDB
 * Metrics and dimensions").
 */
export const GLOBAL_TABLE_ALARM_PERIOD_SECONDS = 300;

/** Target 5xx responses per minute behind the DR ALB that abort a drill. */
export const DRILL_ABORT_5XX_PER_MINUTE = 10;

/** `app/<name>/<id>` and `targetgroup/<name>/<id>`: the dimensions CloudWatch uses for an ALB and a target group. */
export function loadBalancerDimensions(loadBalancerArn: string, targetGroupArn: string): { LoadBalancer: string; TargetGroup: string } {
  const loadBalancer = /:loadbalancer\/(app\/[^/]+\/[^/]+)$/.exec(loadBalancerArn);
  const targetGroup = /:(targetgroup\/[^/]+\/[^/]+)$/.exec(targetGroupArn);
  if (!loadBalancer || !targetGroup) throw new Error(`not an ALB and target group ARN pair: ${loadBalancerArn}, ${targetGroupArn}`);
  return { LoadBalancer: loadBalancer[1], TargetGroup: targetGroup[1] };
}

/** An alarm's region and the topic of that region it notifies. */
export interface RegionalTopic {
  topicArn: pulumi.Input<string>;
  /** Provider of that region; unset for the component's own region. */
  provider?: aws.Provider;
}

/** A DynamoDB global table whose replication from the primary to the DR region is alarmed on. */
export interface GlobalTableAlarmArgs {
  /** Table name (the same in every region). */
  tableName: pulumi.Input<string>;
  /** Region whose writes are measured and where DynamoDB publishes the metric: the primary's. */
  sourceRegion: string;
  /** The replica's region: the DR region. Must differ from `sourceRegion`. */
  receivingRegion: string;
  /** Topic of `sourceRegion` (an alarm's SNS action must be in the alarm's region), with that region's provider; absent: no alarm (that region is down). */
  topic?: RegionalTopic;
}

export interface RecoveryAlarmsArgs {
  /** Alarm names (`recoveryResourceNames`). */
  names: {
    replicaLagOverRpo: string;
    unhealthyTargets: string;
    targetErrors: string;
    replicationLatency: string;
    replicationFailures: string;
    primaryHealthCheck: string;
    /** The global table's replication-latency alarm; required with `globalTable`. */
    globalTableReplicationLatency?: string;
    /** The DR cache's replication-lag alarm (more than 10 nodes: `-2`, `-3`... for the next ones); required with `cache`. */
    cacheReplicationLag?: string;
    /** MySQL replica not replicating (ReplicaLag -1); required with `replicaEngine: "mysql"`. */
    replicationStopped?: string;
    /** The primary region's and the DR region's replication heartbeat function failing; required with `heartbeatFunctions`. */
    primaryHeartbeatErrors?: string;
    drHeartbeatErrors?: string;
  };
  /**
   * The replication heartbeat functions (components/replicationHeartbeat.ts) by name: an alarm on
   * each one's AWS/Lambda Errors, in its region. A heartbeat that stops writing shows otherwise only
   * as a lag alarm on an idle PostgreSQL database, with a misleading cause, and not at all on MySQL.
   */
  heartbeatFunctions?: { primary: pulumi.Input<string>; dr: pulumi.Input<string> };
  /** Topic of the DR region, for the DR-region alarms. */
  drTopic: RegionalTopic;
  /** Topic in us-east-1, for the health-check alarm; absent: no health-check alarm (us-east-1 is down: the DR stack's outage mode). */
  healthCheckTopic?: RegionalTopic;
  /**
   * Topic in the source bucket's (the primary) region, for the S3 replication alarms and the primary
   * region's heartbeat-errors alarm; absent: none of those (that region is down: the DR stack's outage mode).
   */
  replicationTopic?: RegionalTopic;
  /**
   * The DR database instance (read replica, or its promoted or restored successor), `instance`
   * engine mode. Absent in backup-restore before a restore: no replica-lag alarm and no database
   * event subscription. Exclusive with `replicaClusterIdentifier`.
   */
  replicaIdentifier?: pulumi.Input<string>;
  /**
   * The DR secondary cluster of an Aurora global database (`aurora-global` engine mode): the
   * replica-lag alarm (same name) watches its AuroraGlobalDBReplicationLag against the RPO in
   * milliseconds, and a `db-cluster` event subscription replaces the instance's. Exclusive with `replicaIdentifier`.
   */
  replicaClusterIdentifier?: pulumi.Input<string>;
  /**
   * The instance replica's engine. `mysql` adds the replication-stopped alarm: RDS publishes a MySQL
   * replica's ReplicaLag as -1 when replication is not running (Seconds_Behind_Source is NULL), which
   * the lag-over-RPO alarm reads as OK (RDS User Guide, "Troubleshooting a MySQL read replica problem").
   */
  replicaEngine?: Engine;
  /** RPO, seconds: the replica-lag (and global table replication-latency) threshold. */
  rpoSeconds: number;
  /** The DynamoDB global table, when `globalTable.enabled`: a replication-latency alarm in its source region. */
  globalTable?: GlobalTableAlarmArgs;
  /** The DR member of the cache's global datastore: a replication-lag alarm in the DR region (components/cache/lagAlarm.ts). */
  cache?: CacheLagAlarmArgs;
  loadBalancerArn: pulumi.Input<string>;
  targetGroupArn: pulumi.Input<string>;
  sourceBucketName: pulumi.Input<string>;
  destinationBucketName: pulumi.Input<string>;
  replicationRuleId: string;
  healthCheckId: pulumi.Input<string>;
}

export class RecoveryAlarms extends pulumi.ComponentResource {
  /**
   * @throws RangeError when the RPO is not a positive number of seconds.
   * @throws Error when both replicaIdentifier and replicaClusterIdentifier are set, or `globalTable`
   * comes without `names.globalTableReplicationLatency` or replicates a region to itself.
   */
  constructor(name: string, args: RecoveryAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:recovery:RecoveryAlarms", name, {}, opts);
    if (!Number.isInteger(args.rpoSeconds) || args.rpoSeconds < 1)
      throw new RangeError(`RecoveryAlarms ${name}: rpoSeconds must be a positive whole number, got ${args.rpoSeconds}`);
    if (args.replicaIdentifier !== undefined && args.replicaClusterIdentifier !== undefined) {
      throw new Error(
        `RecoveryAlarms ${name}: both replicaIdentifier and replicaClusterIdentifier are set; pass replicaIdentifier for an RDS read replica (engineMode instance) or replicaClusterIdentifier for an Aurora global database's secondary cluster (aurora-global), not both`,
      );
    }
    const table = args.globalTable && { ...args.globalTable, alarmName: args.names.globalTableReplicationLatency ?? "" };
    if (table !== undefined) {
      if (table.alarmName.trim() === "")
        throw new Error(
          `RecoveryAlarms ${name}: globalTable is set but names.globalTableReplicationLatency is not; pass the alarm name from recoveryResourceNames`,
        );
      if (table.sourceRegion === table.receivingRegion) {
        throw new Error(
          `RecoveryAlarms ${name}: globalTable.sourceRegion and receivingRegion are both ${table.sourceRegion}; the replica must be in the DR region, not the primary's`,
        );
      }
    }
    const alarm = (suffix: string, topic: RegionalTopic, alarmArgs: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "actionsEnabled">) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${suffix}`,
        { ...alarmArgs, actionsEnabled: true, alarmActions: [topic.topicArn], okActions: [topic.topicArn] },
        { parent: this, ...(topic.provider ? { provider: topic.provider } : {}) },
      );
    const dimensions = pulumi
      .all([args.loadBalancerArn, args.targetGroupArn])
      .apply(([loadBalancer, targetGroup]) => loadBalancerDimensions(loadBalancer, targetGroup));

    if (args.heartbeatFunctions) {
      const { primaryHeartbeatErrors, drHeartbeatErrors } = args.names;
      if (!primaryHeartbeatErrors || !drHeartbeatErrors) {
        throw new Error(`RecoveryAlarms ${name}: names.primaryHeartbeatErrors and names.drHeartbeatErrors are required with heartbeatFunctions`);
      }
      for (const [side, functionName, topic, alarmName] of [
        ["primary", args.heartbeatFunctions.primary, args.replicationTopic, primaryHeartbeatErrors],
        ["dr", args.heartbeatFunctions.dr, args.drTopic, drHeartbeatErrors],
      ] as const) {
        if (!topic) continue;
        alarm(`${side}-heartbeat-errors`, topic, {
          name: alarmName,
          alarmDescription:
            "The replication heartbeat function fails (AWS/Lambda Errors): the replica's lag stops meaning anything and a planned switchover or failback refuses (HeartbeatNotReady); see the function's logs",
          namespace: "AWS/Lambda",
          metricName: "Errors",
          dimensions: { FunctionName: functionName },
          statistic: "Sum",
          period: 300,
          evaluationPeriods: 1,
          threshold: 0,
          comparisonOperator: "GreaterThanThreshold",
          // No invocation, no data: not a breach (the schedule invokes it every minute).
          treatMissingData: "notBreaching",
        });
      }
    }
    const replicaIdentifier = args.replicaIdentifier;
    const clusterIdentifier = args.replicaClusterIdentifier;
    if (clusterIdentifier !== undefined) {
      const thresholdMs = args.rpoSeconds * MILLISECONDS_PER_SECOND;
      alarm("replica-lag", args.drTopic, {
        name: args.names.replicaLagOverRpo,
        alarmDescription: `Aurora global database replication lag over the RPO (${thresholdMs} ms = ${args.rpoSeconds} s): an unplanned failover now would lose more data than declared; failover refuses to run unless forced`,
        namespace: "AWS/RDS",
        metricName: AURORA_GLOBAL_LAG_METRIC,
        dimensions: { DBClusterIdentifier: clusterIdentifier },
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 1,
        threshold: thresholdMs,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "missing",
      });
      // RDS events of the secondary cluster (failover, global failover, failure...) to the DR topic.
      new aws.rds.EventSubscription(
        `${name}-database-events`,
        {
          snsTopic: args.drTopic.topicArn,
          sourceType: "db-cluster",
          sourceIds: [clusterIdentifier],
          eventCategories: CLUSTER_EVENT_CATEGORIES,
          enabled: true,
        },
        { parent: this },
      );
    }
    if (args.cache) {
      if (!args.names.cacheReplicationLag) throw new Error(`RecoveryAlarms ${name}: cache is set but names.cacheReplicationLag is not; pass the alarm name`);
      for (const { suffix, alarmArgs } of cacheLagAlarmArgs(args.names.cacheReplicationLag, args.cache, args.rpoSeconds))
        alarm(suffix, args.drTopic, alarmArgs);
    }
    if (table?.topic !== undefined) {
      const thresholdMs = args.rpoSeconds * MILLISECONDS_PER_SECOND;
      alarm("global-table-replication-latency", table.topic, {
        name: table.alarmName,
        alarmDescription: `DynamoDB global table replication from ${table.sourceRegion} to ${table.receivingRegion} is over the RPO (${thresholdMs} ms = ${args.rpoSeconds} s): writes of that window are at risk if ${table.sourceRegion} is lost`,
        namespace: "AWS/DynamoDB",
        metricName: "ReplicationLatency",
        dimensions: { TableName: table.tableName, ReceivingRegion: table.receivingRegion },
        statistic: "Maximum",
        period: GLOBAL_TABLE_ALARM_PERIOD_SECONDS,
        evaluationPeriods: 1,
        threshold: thresholdMs,
        comparisonOperator: "GreaterThanThreshold",
        // No writes, no replication, no data: not a breach.
        treatMissingData: "notBreaching",
      });
    }
    if (replicaIdentifier !== undefined) {
      alarm("replica-lag", args.drTopic, {
        name: args.names.replicaLagOverRpo,
        alarmDescription: `Replica lag over the RPO (${args.rpoSeconds} s): a failover now would lose more data than declared; failover refuses to run unless forced`,
        namespace: "AWS/RDS",
        metricName: "ReplicaLag",
        dimensions: { DBInstanceIdentifier: replicaIdentifier },
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 1,
        threshold: args.rpoSeconds,
        comparisonOperator: "GreaterThanThreshold",
        // No datapoint leaves the alarm INSUFFICIENT_DATA, which the failover's lag guard treats as not OK (refused
        // unless forced); "breaching" would page without end once the replica is promoted and stops publishing.
        // PostgreSQL's lag is meaningful on an idle source because the replication heartbeat commits every few seconds.
        treatMissingData: "missing",
      });
      if (args.replicaEngine === "mysql") {
        if (!args.names.replicationStopped) throw new Error(`RecoveryAlarms ${name}: names.replicationStopped is required for a MySQL replica`);
        alarm("replication-stopped", args.drTopic, {
          name: args.names.replicationStopped,
          alarmDescription:
            "The MySQL read replica is not replicating (ReplicaLag -1 for 5 minutes): its data falls behind while the lag alarm reads OK; see the replica's SHOW REPLICA STATUS and RDS events",
          namespace: "AWS/RDS",
          metricName: "ReplicaLag",
          dimensions: { DBInstanceIdentifier: replicaIdentifier },
          statistic: "Minimum",
          period: 60,
          evaluationPeriods: 5,
          threshold: 0,
          comparisonOperator: "LessThanThreshold",
          // A promoted replica publishes no ReplicaLag: not a breach.
          treatMissingData: "notBreaching",
        });
      }
      // RDS events of the replica (failover, failure, low storage, read replica...) to the DR topic.
      new aws.rds.EventSubscription(
        `${name}-database-events`,
        {
          snsTopic: args.drTopic.topicArn,
          sourceType: "db-instance",
          sourceIds: [replicaIdentifier],
          eventCategories: DATABASE_EVENT_CATEGORIES,
          enabled: true,
        },
        { parent: this },
      );
    }
    alarm("unhealthy-targets", args.drTopic, {
      name: args.names.unhealthyTargets,
      alarmDescription: "Unhealthy targets behind the DR load balancer: the standby cannot take traffic; a drill aborts",
      namespace: "AWS/ApplicationELB",
      metricName: "UnHealthyHostCount",
      dimensions,
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 2,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
    alarm("target-5xx", args.drTopic, {
      name: args.names.targetErrors,
      alarmDescription: `More than ${DRILL_ABORT_5XX_PER_MINUTE} target 5xx responses a minute behind the DR load balancer; a drill aborts`,
      namespace: "AWS/ApplicationELB",
      metricName: "HTTPCode_Target_5XX_Count",
      dimensions,
      statistic: "Sum",
      period: 60,
      evaluationPeriods: 1,
      threshold: DRILL_ABORT_5XX_PER_MINUTE,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
    const replicationDimensions = { SourceBucket: args.sourceBucketName, DestinationBucket: args.destinationBucketName, RuleId: args.replicationRuleId };
    if (args.replicationTopic) this.replicationAlarms(alarm, args.replicationTopic, args.names, replicationDimensions);
    if (args.healthCheckTopic)
      alarm("primary-health-check", args.healthCheckTopic, {
        name: args.names.primaryHealthCheck,
        alarmDescription:
          "The primary's Route 53 health check fails: Route 53 already serves the SECONDARY record; decide on a failover (or it starts automatically when configured)",
        namespace: "AWS/Route53",
        metricName: "HealthCheckStatus",
        dimensions: { HealthCheckId: args.healthCheckId },
        statistic: "Minimum",
        period: HEALTH_CHECK_ALARM.periodSeconds,
        evaluationPeriods: HEALTH_CHECK_ALARM.evaluationPeriods,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "breaching",
      });
    this.registerOutputs({});
  }

  /** The S3 replication alarms, in the source bucket's region (S3 publishes replication metrics there). */
  private replicationAlarms(
    alarm: (suffix: string, topic: RegionalTopic, alarmArgs: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "actionsEnabled">) => unknown,
    topic: RegionalTopic,
    names: RecoveryAlarmsArgs["names"],
    replicationDimensions: Record<string, pulumi.Input<string>>,
  ): void {
    alarm("replication-latency", topic, {
      name: names.replicationLatency,
      alarmDescription: `S3 replication to the DR bucket is over the ${S3_REPLICATION_TIME_CONTROL_SECONDS} s of Replication Time Control`,
      namespace: "AWS/S3",
      metricName: "ReplicationLatency",
      dimensions: replicationDimensions,
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 1,
      threshold: S3_REPLICATION_TIME_CONTROL_SECONDS,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
    alarm("replication-failures", topic, {
      name: names.replicationFailures,
      alarmDescription: "S3 objects failed to replicate to the DR bucket",
      namespace: "AWS/S3",
      metricName: "OperationsFailedReplication",
      dimensions: replicationDimensions,
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
  }
}
