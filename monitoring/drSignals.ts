/**
 * The DR signals an operator needs in either region, as data: which panels the "Disaster recovery"
 * dashboards show, each with its CloudWatch or Prometheus queries and the threshold that matters.
 * One model, rendered twice: as a Grafana dashboard (`grafanaDashboard.ts`) and as a CloudWatch
 * dashboard (`cloudWatchDashboard.ts`), so the two never disagree.
 *
 * A stack fills in the identifiers it knows. The DR stack knows both regions' (its own, and the
 * primary's through the StackReference). The primary stack knows only its own: its standby panels
 * query the standby region without those dimensions (Grafana `matchExact: false`, a CloudWatch
 * `SEARCH`), so they show every matching resource in that region.
 */
import { APP_METRICS_PORT } from "../config/conventions";

/** Route 53 publishes health-check metrics in us-east-1 only (Route 53 Developer Guide, "Monitoring health checks using CloudWatch"). */
export const ROUTE53_METRICS_REGION = "us-east-1";

/** What one region's stack knows about one region's resources; an absent identifier is queried as a wildcard. */
export interface RegionResourceIds {
  /** AWS region code, e.g. `us-west-2`. */
  region: string;
  /** ALB dimension value `app/<name>/<id>`. */
  loadBalancer?: string;
  /** Target-group dimension value `targetgroup/<name>/<id>`. */
  targetGroup?: string;
  autoScalingGroupName?: string;
}

/**
 * The DR copy of the database whose lag the replica-lag panel, alert and alarm watch, by engine mode
 * (`database.engineMode`):
 * - `instance`: an RDS cross-region read replica, AWS/RDS `ReplicaLag` (seconds) by `DBInstanceIdentifier`;
 * - `aurora-global`: the secondary cluster of an Aurora global database, AWS/RDS
 *   `AuroraGlobalDBReplicationLag` (milliseconds) by `DBClusterIdentifier`, which Aurora publishes in
 *   the secondary's region only (Aurora User Guide, "Cluster-level metrics for Amazon Aurora";
 *   "Using switchover or failover in Amazon Aurora Global Database": "Some CloudWatch metrics, such
 *   as replication lag, are only available for secondary Regions").
 * An absent identifier is queried as a wildcard over the standby region.
 */
export type DrDatabaseReplica = { kind: "instance"; identifier?: string } | { kind: "aurora-global"; clusterIdentifier?: string };

/**
 * A DynamoDB global table replicated from the primary to the DR region (global tables version
 * 2019.11.21). DynamoDB publishes `ReplicationLatency` (milliseconds) for every source and
 * receiving region pair, by `TableName` and `ReceivingRegion`, in the region the writes were made
 * in (DynamoDB Developer Guide, "DynamoDB Metrics and dimensions" and "Monitoring global tables").
 */
export interface DrGlobalTable {
  /** Table name (the same in every region); absent when not known to this stack (queried as a wildcard). */
  tableName?: string;
  /** Region whose writes are measured: the primary's. */
  sourceRegion: string;
  /** Region the writes replicate to: the DR region. Must differ from `sourceRegion`. */
  receivingRegion: string;
}

/** Everything the DR dashboards are drawn from. */
export interface DrSignalScope {
  primary: RegionResourceIds;
  /** Absent when the primary stack is not told its standby region (`recovery.standbyRegion`). */
  standby?: RegionResourceIds;
  /**
   * The DR read replica's identifier (`instance` engine mode); absent when not known to this stack.
   * Shorthand for `replica: { kind: "instance", identifier }`; do not pass both.
   */
  replicaIdentifier?: string;
  /** The DR copy of the database by engine mode; default `{ kind: "instance", identifier: replicaIdentifier }`. */
  replica?: DrDatabaseReplica;
  /** False when the strategy keeps no read replica (backup-restore): no replica-lag panel. */
  replicaExpected: boolean;
  /** The DynamoDB global table, when `globalTable.enabled`: a replication-latency panel against the RPO. */
  globalTable?: DrGlobalTable;
  /** S3 replication dimensions; `sourceBucket` is the primary's data bucket. */
  replication: { sourceBucket?: string; destinationBucket?: string; ruleId?: string };
  /** The primary ALB's Route 53 health check, when known. */
  healthCheckId?: string;
  /** The database RPO, seconds: the replica-lag threshold. */
  rpoSeconds: number;
  /** The object RPO, seconds: the S3 replication-latency threshold. */
  objectRpoSeconds: number;
}

export type Statistic = "Average" | "Maximum" | "Minimum" | "Sum" | "p99";

/** One CloudWatch series. Dimensions whose value is undefined are left out and the query matches any value. */
export interface CloudWatchSeries {
  kind: "cloudwatch";
  region: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string | undefined>;
  statistic: Statistic;
  /** Period, seconds (60 or a multiple). */
  periodSeconds: number;
  /** Legend, e.g. `primary us-east-1`. */
  label: string;
}

/** One PromQL series from the region's own Prometheus. */
export interface PrometheusSeries {
  kind: "prometheus";
  expr: string;
  /** Grafana legend format, e.g. `{{region}} {{role}}`. */
  legend: string;
}

export type Series = CloudWatchSeries | PrometheusSeries;

/** Unit of a panel's values, as Grafana names it (`s`, `ms`, `bytes`, `short`, `percent`, `reqps`). */
export type PanelUnit = "s" | "ms" | "bytes" | "short" | "percent" | "reqps" | "percentunit";

export interface DrPanel {
  /** Stable id, kebab-case; the README's panel guide and the tests use it. */
  id: string;
  title: string;
  /** What the panel means and what to do when it crosses the threshold. */
  description: string;
  unit: PanelUnit;
  series: Series[];
  /** The line that matters, when there is one. */
  threshold?: { value: number; breachWhen: "above" | "below" };
}

/**
 * The Aurora global database lag the replica-lag panel, alert and alarm watch. Aurora documents
 * AuroraGlobalDBReplicationLag for Aurora MySQL and Aurora PostgreSQL at every version this program
 * deploys (Aurora MySQL 3.01 and later), while AuroraGlobalDBRPOLag exists for Aurora PostgreSQL and
 * for Aurora MySQL only from 3.04.0 (Aurora User Guide, "Using switchover or failover in Amazon
 * Aurora Global Database"): an alarm on a metric that is never published would stay
 * INSUFFICIENT_DATA and block every failover. Both are in the catalogue and the dashboard policy
 * accepts either.
 */
export const AURORA_GLOBAL_LAG_METRIC = "AuroraGlobalDBReplicationLag";

const MINUTE = 60;
/** Milliseconds per second: the Aurora global database and DynamoDB lags are published in milliseconds. */
const MILLISECONDS_PER_SECOND = 1000;
/**
 * Period of the DynamoDB ReplicationLatency series, seconds: CloudWatch aggregates DynamoDB metrics
 * other than the request metrics at five-minute granularity (DynamoDB Developer Guide, "DynamoDB
 * Metrics and dimensions"), so a one-minute period would draw gaps.
 */
export const DYNAMODB_REPLICATION_PERIOD_SECONDS = 300;

function cloudWatch(
  region: string,
  namespace: string,
  metricName: string,
  dimensions: Record<string, string | undefined>,
  statistic: Statistic,
  label: string,
  periodSeconds: number = MINUTE,
): CloudWatchSeries {
  return { kind: "cloudwatch", region, namespace, metricName, dimensions, statistic, periodSeconds, label };
}

/**
 * The scope's DR database copy: `replica`, else an `instance` replica named by `replicaIdentifier`.
 * @throws Error when both `replica` and `replicaIdentifier` are set.
 */
export function replicaOf(scope: Pick<DrSignalScope, "replica" | "replicaIdentifier">): DrDatabaseReplica {
  if (scope.replica !== undefined && scope.replicaIdentifier !== undefined) {
    throw new Error(
      `DR signals: both replica (${scope.replica.kind}) and replicaIdentifier (${scope.replicaIdentifier}) are set; pass the DR database once, as replica`,
    );
  }
  return scope.replica ?? { kind: "instance", identifier: scope.replicaIdentifier };
}

/** The replica-lag panel of a DR database copy in the standby region, its threshold the database RPO. */
function replicaLagPanel(replica: DrDatabaseReplica, standbyRegion: string, rpoSeconds: number): DrPanel {
  const label = `replica ${standbyRegion}`;
  if (replica.kind === "instance") {
    return {
      id: "replica-lag",
      title: "Replica lag (DR database)",
      description: `Seconds the DR read replica is behind the primary database. Above ${rpoSeconds} s (the database RPO) a failover would lose more data than the budget allows, and the failover workflow refuses to start without --force.`,
      unit: "s",
      series: [cloudWatch(standbyRegion, "AWS/RDS", "ReplicaLag", { DBInstanceIdentifier: replica.identifier }, "Maximum", label)],
      threshold: { value: rpoSeconds, breachWhen: "above" },
    };
  }
  const thresholdMs = rpoSeconds * MILLISECONDS_PER_SECOND;
  return {
    id: "replica-lag",
    title: "Replica lag (DR Aurora secondary cluster)",
    description: `Milliseconds the DR secondary cluster of the Aurora global database is behind the primary cluster (${AURORA_GLOBAL_LAG_METRIC}, published in the secondary's region only). Above ${thresholdMs} ms (the database RPO of ${rpoSeconds} s) an unplanned failover would lose more data than the budget allows, and the failover workflow refuses to start without --force; a planned switchover loses nothing.`,
    unit: "ms",
    series: [cloudWatch(standbyRegion, "AWS/RDS", AURORA_GLOBAL_LAG_METRIC, { DBClusterIdentifier: replica.clusterIdentifier }, "Maximum", label)],
    threshold: { value: thresholdMs, breachWhen: "above" },
  };
}

/**
 * The DynamoDB global table's replication-latency panel: the primary's writes reaching the DR
 * replica, published in the primary (source) region, its threshold the database RPO in milliseconds.
 */
function globalTablePanel(table: DrGlobalTable, rpoSeconds: number): DrPanel {
  const thresholdMs = rpoSeconds * MILLISECONDS_PER_SECOND;
  return {
    id: "dynamodb-replication-latency",
    title: "DynamoDB global table replication latency",
    description: `Milliseconds a write to the global table in ${table.sourceRegion} took to appear in its ${table.receivingRegion} replica (the 5-minute maximum). Above ${thresholdMs} ms (the RPO of ${rpoSeconds} s) the writes of that window are at risk if the primary region is lost; the table needs no failover (every replica takes writes), so check throttling and the AWS Health Dashboard for either region. No data means no writes, which is fine.`,
    unit: "ms",
    series: [
      cloudWatch(
        table.sourceRegion,
        "AWS/DynamoDB",
        "ReplicationLatency",
        { TableName: table.tableName, ReceivingRegion: table.receivingRegion },
        "Maximum",
        `replication to ${table.receivingRegion}`,
        DYNAMODB_REPLICATION_PERIOD_SECONDS,
      ),
    ],
    threshold: { value: thresholdMs, breachWhen: "above" },
  };
}

/** The regions of a scope with a label each: `primary us-east-1`, `standby us-west-2`. */
function regions(scope: DrSignalScope): { ids: RegionResourceIds; label: string }[] {
  return [
    { ids: scope.primary, label: `primary ${scope.primary.region}` },
    ...(scope.standby ? [{ ids: scope.standby, label: `standby ${scope.standby.region}` }] : []),
  ];
}

/**
 * The panels of the "Disaster recovery" dashboard, top to bottom: the database's replica lag (when
 * the strategy keeps a replica and the standby region is known), the global table's replication
 * latency (when the scope has one), then S3 replication, the health check and each region's app tier.
 * @throws RangeError when a threshold is not a positive number of seconds.
 * @throws Error when both `replica` and `replicaIdentifier` are set, or the global table's source and receiving regions are empty or the same.
 */
export function drPanels(scope: DrSignalScope): DrPanel[] {
  for (const [key, value] of [
    ["rpoSeconds", scope.rpoSeconds],
    ["objectRpoSeconds", scope.objectRpoSeconds],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`DR signals: ${key} must be a positive number of seconds, got ${value}`);
  }
  const replica = replicaOf(scope);
  const table = scope.globalTable;
  if (table !== undefined) {
    if (table.sourceRegion.trim() === "" || table.receivingRegion.trim() === "") {
      throw new Error("DR signals: globalTable.sourceRegion and globalTable.receivingRegion must name regions (the primary's and the DR region)");
    }
    if (table.sourceRegion === table.receivingRegion) {
      throw new Error(
        `DR signals: globalTable replicates ${table.sourceRegion} to itself; receivingRegion must be the DR region, not the primary's (a replica in the same region protects from no regional outage)`,
      );
    }
  }
  const panels: DrPanel[] = [];
  if (scope.replicaExpected && scope.standby) panels.push(replicaLagPanel(replica, scope.standby.region, scope.rpoSeconds));
  if (table !== undefined) panels.push(globalTablePanel(table, scope.rpoSeconds));
  const replicationDimensions = {
    SourceBucket: scope.replication.sourceBucket,
    DestinationBucket: scope.replication.destinationBucket,
    RuleId: scope.replication.ruleId,
  };
  const source = scope.primary.region;
  panels.push(
    {
      id: "s3-replication-latency",
      title: "S3 replication latency",
      description: `Seconds the newest object replicated to the DR bucket took. Above ${scope.objectRpoSeconds} s (the object RPO) new objects are at risk in a failover; check OperationsFailedReplication and the replication role.`,
      unit: "s",
      series: [cloudWatch(source, "AWS/S3", "ReplicationLatency", replicationDimensions, "Maximum", "replication latency")],
      threshold: { value: scope.objectRpoSeconds, breachWhen: "above" },
    },
    {
      id: "s3-replication-pending",
      title: "S3 replication backlog",
      description:
        "Bytes and operations waiting to replicate to the DR bucket, and operations that failed. A growing backlog is data a failover would not find in the DR region.",
      unit: "short",
      series: [
        cloudWatch(source, "AWS/S3", "BytesPendingReplication", replicationDimensions, "Maximum", "bytes pending"),
        cloudWatch(source, "AWS/S3", "OperationsPendingReplication", replicationDimensions, "Maximum", "operations pending"),
        cloudWatch(source, "AWS/S3", "OperationsFailedReplication", replicationDimensions, "Sum", "operations failed"),
      ],
    },
    {
      id: "primary-health-check",
      title: "Route 53 health check of the primary",
      description:
        "1 while Route 53 sees the primary ALB healthy, 0 when it does not; below 1 the failover record sends users to the DR region (automatic failover starts after the decision time). Published in us-east-1 only.",
      unit: "short",
      series: [
        cloudWatch(ROUTE53_METRICS_REGION, "AWS/Route53", "HealthCheckStatus", { HealthCheckId: scope.healthCheckId }, "Minimum", "health check status"),
      ],
      threshold: { value: 1, breachWhen: "below" },
    },
    {
      id: "healthy-hosts",
      title: "ALB healthy hosts per region",
      description:
        "Targets passing the ALB health check in each region. The primary below its minimum capacity is an outage in progress; the standby at 0 under warm or hot standby means a failover would start cold.",
      unit: "short",
      series: regions(scope).map(({ ids, label }) =>
        cloudWatch(ids.region, "AWS/ApplicationELB", "HealthyHostCount", { LoadBalancer: ids.loadBalancer, TargetGroup: ids.targetGroup }, "Minimum", label),
      ),
    },
    {
      id: "http-5xx",
      title: "5xx responses per region",
      description: "Server errors from the targets and from the ALB itself, per minute. ALB 5xx with no target 5xx means no healthy target behind it.",
      unit: "short",
      series: regions(scope).flatMap(({ ids, label }) => [
        cloudWatch(ids.region, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", { LoadBalancer: ids.loadBalancer }, "Sum", `${label} target 5xx`),
        cloudWatch(ids.region, "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", { LoadBalancer: ids.loadBalancer }, "Sum", `${label} ALB 5xx`),
      ]),
    },
    {
      id: "request-rate",
      title: "Requests per region",
      description: "Requests each region's ALB answered per minute. After a failover the standby's line takes over the primary's.",
      unit: "short",
      series: regions(scope).map(({ ids, label }) =>
        cloudWatch(ids.region, "AWS/ApplicationELB", "RequestCount", { LoadBalancer: ids.loadBalancer }, "Sum", label),
      ),
    },
    {
      id: "latency",
      title: "Response time per region (p99)",
      description: "99th percentile of the time targets took to answer, seconds, per region.",
      unit: "s",
      series: regions(scope).map(({ ids, label }) =>
        cloudWatch(ids.region, "AWS/ApplicationELB", "TargetResponseTime", { LoadBalancer: ids.loadBalancer }, "p99", label),
      ),
    },
    {
      id: "capacity",
      title: "DR capacity against the primary's",
      description:
        "In-service and desired instances of each region's Auto Scaling group. The gap between the lines is what the standby must add during a failover (pilot light: all of it).",
      unit: "short",
      series: regions(scope).flatMap(({ ids, label }) => [
        cloudWatch(
          ids.region,
          "AWS/AutoScaling",
          "GroupInServiceInstances",
          { AutoScalingGroupName: ids.autoScalingGroupName },
          "Average",
          `${label} in service`,
        ),
        cloudWatch(ids.region, "AWS/AutoScaling", "GroupDesiredCapacity", { AutoScalingGroupName: ids.autoScalingGroupName }, "Average", `${label} desired`),
      ]),
    },
  );
  return panels;
}

/**
 * Panels only the region's own Prometheus can draw: the app's exporter and the node exporters on
 * its instances (`monitoring/appMetrics.ts`). Grafana only; the CloudWatch dashboard has no such data.
 */
export function appPanels(): DrPanel[] {
  return [
    {
      id: "app-request-rate",
      title: "App requests by role (this region)",
      description: "Requests per second the app instances of this region answered, from the app's exporter.",
      unit: "reqps",
      series: [{ kind: "prometheus", expr: "sum by (region, role) (rate(app_http_requests_total[5m]))", legend: "{{region}} {{role}}" }],
    },
    {
      id: "app-error-ratio",
      title: "App error ratio (this region)",
      description: "Share of requests answered with a 5xx. Above 5% for 5 minutes the AppHighErrorRatio alert fires.",
      unit: "percentunit",
      series: [
        {
          kind: "prometheus",
          expr: "sum by (region) (rate(app_http_request_errors_total[5m])) / clamp_min(sum by (region) (rate(app_http_requests_total[5m])), 1e-9)",
          legend: "{{region}}",
        },
      ],
      threshold: { value: 0.05, breachWhen: "above" },
    },
    {
      id: "app-latency",
      title: "App latency p99 (this region)",
      description: "99th percentile of the app's own request time, seconds, from its histogram.",
      unit: "s",
      series: [
        {
          kind: "prometheus",
          expr: "histogram_quantile(0.99, sum by (le, region) (rate(app_http_request_duration_seconds_bucket[5m])))",
          legend: "{{region}} p99",
        },
      ],
      threshold: { value: 1, breachWhen: "above" },
    },
    {
      id: "app-database-reachable",
      title: "Database reachable from the app",
      description:
        "1 when an instance's last check reached the database through the stable name, 0 when not. 0 on the instances that serve traffic is an outage of the database path: after a failover it means the stable name was not repointed to the promoted database.",
      unit: "short",
      series: [{ kind: "prometheus", expr: "min by (instance, role) (app_database_reachable)", legend: "{{instance}} {{role}}" }],
      threshold: { value: 1, breachWhen: "below" },
    },
    {
      id: "scrape-targets",
      title: "Scrape targets up",
      description: `Instances Prometheus found through EC2 service discovery and could scrape: the app on port ${APP_METRICS_PORT} and the node exporter. 0 means the security group, the exporter or the instance is down.`,
      unit: "short",
      series: [{ kind: "prometheus", expr: 'sum by (job) (up{job=~"app|node"})', legend: "{{job}}" }],
    },
    {
      id: "node-cpu",
      title: "Instance CPU busy (node exporter)",
      description: "Share of CPU time not idle on each app instance, from the node exporter.",
      unit: "percentunit",
      series: [{ kind: "prometheus", expr: '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', legend: "{{instance}}" }],
    },
  ];
}
