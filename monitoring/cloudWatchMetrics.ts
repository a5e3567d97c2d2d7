/**
 * The CloudWatch metrics the DR dashboards and alert rules read, as AWS publishes them: namespace,
 * metric name, the dimension sets AWS reports it with, and the page that lists it. Panels may only
 * query metrics listed here (tested), so a typo in a name or a dimension fails a test instead of
 * drawing an empty graph on the day of a failover.
 */

/** A metric AWS publishes, with the dimension sets it is reported under. */
export interface PublishedMetric {
  namespace: string;
  metricName: string;
  /** Each entry is one dimension set AWS reports the metric with (names sorted). */
  dimensionSets: readonly (readonly string[])[];
  unit: "Seconds" | "Milliseconds" | "Bytes" | "Count" | "Percent" | "None";
  /** Where AWS lists the metric. */
  source: string;
  /** The region the metric is published in when it is not the resource's own (Route 53: us-east-1). */
  publishedIn?: string;
}

const RDS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html";
/**
 * Aurora's cluster-level metrics (units: milliseconds for both lags; AuroraGlobalDBRPOLag is listed for
 * Aurora PostgreSQL, and for Aurora MySQL from 3.04.0 / 2.12.0 in "Using switchover or failover in
 * Amazon Aurora Global Database"). Both are published in the secondary clusters' regions only. The
 * dimension sets are those the CloudWatch console lists them under in the secondary region
 * ("DBClusterIdentifier", "DBClusterIdentifier, SourceRegion" and "SourceRegion"; AWS samples
 * amazon-aurora-labs-for-mysql, "Monitor a Global Database").
 */
const AURORA =
  "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html#Aurora.AuroraMySQL.Monitoring.Metrics.clusters";
/** DynamoDB's metrics: ReplicationLatency, milliseconds, dimensions TableName and ReceivingRegion, one series per source and receiving region pair. */
const DYNAMODB = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html";
const S3_REPLICATION = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/metrics-dimensions.html#s3-cloudwatch-replication-metrics";
const ROUTE53 = "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html";
const ALB = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html";
/**
 * ElastiCache's GlobalDatastoreReplicationLag: seconds, published per node of the global datastore's
 * secondary in its region (ElastiCache User Guide, "Metrics for Valkey and Redis OSS"), dimensions
 * CacheClusterId and CacheClusterId + CacheNodeId (components/cache/lagAlarm.ts).
 */
const ELASTICACHE = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.Redis.html";
const AUTO_SCALING = "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-metrics.html";

const replicationDimensions = [["DestinationBucket", "RuleId", "SourceBucket"]] as const;
const loadBalancer = [["LoadBalancer"]] as const;
const targetGroup = [["LoadBalancer", "TargetGroup"], ["TargetGroup"]] as const;
const autoScalingGroup = [["AutoScalingGroupName"]] as const;
const auroraGlobalCluster = [["DBClusterIdentifier"], ["DBClusterIdentifier", "SourceRegion"], ["SourceRegion"]] as const;

/** Every CloudWatch metric the monitoring code may query. */
export const PUBLISHED_METRICS = [
  { namespace: "AWS/RDS", metricName: "ReplicaLag", dimensionSets: [["DBInstanceIdentifier"]], unit: "Seconds", source: RDS },
  { namespace: "AWS/RDS", metricName: "AuroraGlobalDBReplicationLag", dimensionSets: auroraGlobalCluster, unit: "Milliseconds", source: AURORA },
  { namespace: "AWS/RDS", metricName: "AuroraGlobalDBRPOLag", dimensionSets: auroraGlobalCluster, unit: "Milliseconds", source: AURORA },
  { namespace: "AWS/DynamoDB", metricName: "ReplicationLatency", dimensionSets: [["ReceivingRegion", "TableName"]], unit: "Milliseconds", source: DYNAMODB },
  { namespace: "AWS/S3", metricName: "ReplicationLatency", dimensionSets: replicationDimensions, unit: "Seconds", source: S3_REPLICATION },
  { namespace: "AWS/S3", metricName: "BytesPendingReplication", dimensionSets: replicationDimensions, unit: "Bytes", source: S3_REPLICATION },
  { namespace: "AWS/S3", metricName: "OperationsPendingReplication", dimensionSets: replicationDimensions, unit: "Count", source: S3_REPLICATION },
  { namespace: "AWS/S3", metricName: "OperationsFailedReplication", dimensionSets: replicationDimensions, unit: "Count", source: S3_REPLICATION },
  {
    namespace: "AWS/ElastiCache",
    metricName: "GlobalDatastoreReplicationLag",
    dimensionSets: [["CacheClusterId"], ["CacheClusterId", "CacheNodeId"]],
    unit: "Seconds",
    source: ELASTICACHE,
  },
  { namespace: "AWS/Route53", metricName: "HealthCheckStatus", dimensionSets: [["HealthCheckId"]], unit: "None", source: ROUTE53, publishedIn: "us-east-1" },
  {
    namespace: "AWS/Route53",
    metricName: "HealthCheckPercentageHealthy",
    dimensionSets: [["HealthCheckId"]],
    unit: "Percent",
    source: ROUTE53,
    publishedIn: "us-east-1",
  },
  {
    namespace: "AWS/ApplicationELB",
    metricName: "RequestCount",
    dimensionSets: [["LoadBalancer"], ["LoadBalancer", "TargetGroup"]],
    unit: "Count",
    source: ALB,
  },
  {
    namespace: "AWS/ApplicationELB",
    metricName: "TargetResponseTime",
    dimensionSets: [["LoadBalancer"], ["LoadBalancer", "TargetGroup"]],
    unit: "Seconds",
    source: ALB,
  },
  {
    namespace: "AWS/ApplicationELB",
    metricName: "HTTPCode_Target_5XX_Count",
    dimensionSets: [["LoadBalancer"], ["LoadBalancer", "TargetGroup"]],
    unit: "Count",
    source: ALB,
  },
  { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", dimensionSets: loadBalancer, unit: "Count", source: ALB },
  { namespace: "AWS/ApplicationELB", metricName: "HealthyHostCount", dimensionSets: targetGroup, unit: "Count", source: ALB },
  { namespace: "AWS/ApplicationELB", metricName: "UnHealthyHostCount", dimensionSets: targetGroup, unit: "Count", source: ALB },
  { namespace: "AWS/AutoScaling", metricName: "GroupInServiceInstances", dimensionSets: autoScalingGroup, unit: "Count", source: AUTO_SCALING },
  { namespace: "AWS/AutoScaling", metricName: "GroupDesiredCapacity", dimensionSets: autoScalingGroup, unit: "Count", source: AUTO_SCALING },
  { namespace: "AWS/AutoScaling", metricName: "GroupMinSize", dimensionSets: autoScalingGroup, unit: "Count", source: AUTO_SCALING },
  { namespace: "AWS/AutoScaling", metricName: "GroupMaxSize", dimensionSets: autoScalingGroup, unit: "Count", source: AUTO_SCALING },
] as const satisfies readonly PublishedMetric[];

/** The catalogue entry of a metric, or undefined when AWS publishes no such metric in that namespace. */
export function publishedMetric(namespace: string, metricName: string): PublishedMetric | undefined {
  return PUBLISHED_METRICS.find((metric) => metric.namespace === namespace && metric.metricName === metricName);
}

/**
 * Why a query's namespace, metric and dimension names do not match what AWS publishes, or undefined
 * when they do. `exact` queries must name a whole dimension set; wildcard (non-exact) queries may
 * name a subset of one, the rest matching any value.
 */
export function metricQueryProblem(query: { namespace: string; metricName: string; dimensionNames: readonly string[]; exact: boolean }): string | undefined {
  const metric = publishedMetric(query.namespace, query.metricName);
  if (metric === undefined) return `${query.namespace} ${query.metricName} is not a metric this program knows AWS publishes (monitoring/cloudWatchMetrics.ts)`;
  const names = [...query.dimensionNames].sort();
  const fits = metric.dimensionSets.some((set) =>
    query.exact ? set.length === names.length && set.every((name, index) => name === names[index]) : names.every((name) => set.includes(name)),
  );
  if (fits) return undefined;
  const sets = metric.dimensionSets.map((set) => `{${set.join(", ")}}`).join(" or ");
  return `${query.namespace} ${query.metricName} is published with dimensions ${sets}, not {${names.join(", ")}}${query.exact ? "" : " (nor a subset)"}`;
}
