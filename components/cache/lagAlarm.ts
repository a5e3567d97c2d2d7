/**
 * The alarm on the DR cache's replication lag (components/recoveryAlarms.ts declares it, in the DR
 * region, notifying the DR topic). ElastiCache publishes GlobalDatastoreReplicationLag, "the lag
 * between the secondary Region's primary node and the primary Region's primary node. For cluster mode
 * enabled ... the maximum delay among the shards", in seconds (ElastiCache User Guide, "Metrics for
 * Valkey and Redis OSS"), per node of the secondary: namespace AWS/ElastiCache, dimension
 * `CacheClusterId` (the node's cache cluster id; the CloudWatch metric specification AWS CDK generates
 * from lists CacheClusterId and CacheClusterId + CacheNodeId for it). Which node is the secondary's
 * primary changes with its own Multi-AZ failovers, so the alarm takes the maximum over every member
 * (`MAX(METRICS())`; members that publish nothing are left out of the maximum). An alarm holds at
 * most 10 metrics (CloudWatch User Guide, "Create a CloudWatch alarm based on a metric math
 * expression": "You can use up to 10 metrics"), so a DR group of more nodes gets one alarm per 10.
 *
 * Threshold: the RPO. A lag above it means a failover now loses more cache writes than the pair's
 * declared data loss. No datapoint (after a failover the DR group is the primary and publishes no lag)
 * is not a breach.
 */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Metrics per alarm (module comment). */
export const METRICS_PER_ALARM = 10;

/** The DR cache whose lag is alarmed on. */
export interface CacheLagAlarmArgs {
  /** The DR group's node ids (`SecondaryCache.memberClusters`). */
  memberClusters: pulumi.Input<string[]>;
  /** How many nodes the DR group has: shards x (1 + replicas per shard); it fixes the number of alarms. */
  nodeCount: number;
}

/** The alarms' arguments (without actions), `names[i]` for the i-th chunk of 10 members. */
export function cacheLagAlarmArgs(
  baseName: string,
  args: CacheLagAlarmArgs,
  rpoSeconds: number,
): { suffix: string; alarmArgs: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "actionsEnabled"> }[] {
  if (!Number.isInteger(args.nodeCount) || args.nodeCount < 1)
    throw new RangeError(`cache lag alarm: nodeCount must be a whole number of at least 1, got ${args.nodeCount}`);
  const chunks = Math.ceil(args.nodeCount / METRICS_PER_ALARM);
  return Array.from({ length: chunks }, (_, chunk) => {
    const name = chunk === 0 ? baseName : `${baseName}-${chunk + 1}`;
    const queries = pulumi.output(args.memberClusters).apply((ids) => {
      const members = (ids ?? []).slice(chunk * METRICS_PER_ALARM, (chunk + 1) * METRICS_PER_ALARM);
      return [
        ...members.map((id, index) => ({
          id: `m${index}`,
          returnData: false,
          metric: {
            namespace: "AWS/ElastiCache",
            metricName: "GlobalDatastoreReplicationLag",
            dimensions: { CacheClusterId: id },
            period: 60,
            stat: "Maximum",
          },
        })),
        { id: "lag", expression: "MAX(METRICS())", label: "GlobalDatastoreReplicationLag, highest member", returnData: true },
      ];
    });
    return {
      suffix: chunk === 0 ? "cache-replication-lag" : `cache-replication-lag-${chunk + 1}`,
      alarmArgs: {
        name,
        alarmDescription: `The DR cache's global datastore replication lag is over the RPO (${rpoSeconds} s): a failover now loses more cache writes than declared (ElastiCache GlobalDatastoreReplicationLag, highest member${chunks > 1 ? `, nodes ${chunk * METRICS_PER_ALARM + 1}-${Math.min(args.nodeCount, (chunk + 1) * METRICS_PER_ALARM)}` : ""})`,
        metricQueries: queries,
        evaluationPeriods: 1,
        threshold: rpoSeconds,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
      },
    };
  });
}
