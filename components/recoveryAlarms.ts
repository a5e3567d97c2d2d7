/**
 * RecoveryAlarms: the DR signals of checks.md invariant 6, each an alarm that notifies the topic of
 * its own region (an alarm's SNS action must be in the alarm's region):
 * - replica lag over the RPO (AWS/RDS ReplicaLag, DR region): the threshold is the RPO itself, and
 *   the failover workflow refuses to run while this alarm is not OK (unless forced);
 * - unhealthy targets and target 5xx behind the DR ALB (AWS/ApplicationELB, DR region): they also
 *   abort a drill;
 * - S3 replication latency over the 15 minutes of Replication Time Control and failed replication
 *   operations (AWS/S3, published in the source bucket's region; S3 User Guide, "Monitoring
 *   progress with replication metrics");
 * - RDS events of the replica (an event subscription, not an alarm);
 * - the primary's Route 53 health check (AWS/Route53 HealthCheckStatus, us-east-1 only: Route 53
 *   Developer Guide, "Monitoring health checks using CloudWatch"); it can start an automatic failover.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { S3_REPLICATION_TIME_CONTROL_SECONDS } from "../budget/figures";

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

export interface RecoveryAlarmsArgs {
  /** Alarm names (`recoveryResourceNames`). */
  names: {
    replicaLagOverRpo: string;
    unhealthyTargets: string;
    targetErrors: string;
    replicationLatency: string;
    replicationFailures: string;
    primaryHealthCheck: string;
  };
  /** Topic of the DR region, for the DR-region alarms. */
  drTopic: RegionalTopic;
  /** Topic in us-east-1, for the health-check alarm. */
  healthCheckTopic: RegionalTopic;
  /** Topic in the source bucket's region, for the S3 replication alarms. */
  replicationTopic: RegionalTopic;
  /**
   * The DR database instance (read replica, or its promoted or restored successor). Absent in
   * backup-restore before a restore: no replica-lag alarm and no database event subscription.
   */
  replicaIdentifier?: pulumi.Input<string>;
  /** RPO, seconds: the replica-lag threshold. */
  rpoSeconds: number;
  loadBalancerArn: pulumi.Input<string>;
  targetGroupArn: pulumi.Input<string>;
  sourceBucketName: pulumi.Input<string>;
  destinationBucketName: pulumi.Input<string>;
  replicationRuleId: string;
  healthCheckId: pulumi.Input<string>;
}

export class RecoveryAlarms extends pulumi.ComponentResource {
  /** ARN of the health-check alarm (us-east-1), the automatic failover's trigger. */
  readonly primaryHealthCheckAlarmArn: pulumi.Output<string>;

  /** @throws RangeError when the RPO is not a positive number of seconds. */
  constructor(name: string, args: RecoveryAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:recovery:RecoveryAlarms", name, {}, opts);
    if (!Number.isInteger(args.rpoSeconds) || args.rpoSeconds < 1)
      throw new RangeError(`RecoveryAlarms ${name}: rpoSeconds must be a positive whole number, got ${args.rpoSeconds}`);
    const alarm = (suffix: string, topic: RegionalTopic, alarmArgs: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "actionsEnabled">) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${suffix}`,
        { ...alarmArgs, actionsEnabled: true, alarmActions: [topic.topicArn], okActions: [topic.topicArn] },
        { parent: this, ...(topic.provider ? { provider: topic.provider } : {}) },
      );
    const dimensions = pulumi
      .all([args.loadBalancerArn, args.targetGroupArn])
      .apply(([loadBalancer, targetGroup]) => loadBalancerDimensions(loadBalancer, targetGroup));

    const replicaIdentifier = args.replicaIdentifier;
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
        treatMissingData: "missing",
      });
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
    alarm("replication-latency", args.replicationTopic, {
      name: args.names.replicationLatency,
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
    alarm("replication-failures", args.replicationTopic, {
      name: args.names.replicationFailures,
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
    const healthCheck = alarm("primary-health-check", args.healthCheckTopic, {
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
    this.primaryHealthCheckAlarmArn = healthCheck.arn;
    this.registerOutputs({ primaryHealthCheckAlarmArn: this.primaryHealthCheckAlarmArn });
  }
}
