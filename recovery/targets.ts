/**
 * What the recovery workflows act on: every identifier, ARN, name and number the failover, failback
 * and drill definitions embed. Plain data, resolved by the DR stack from its own resources and the
 * primary's outputs, so a definition is a pure function of its targets and can be executed offline
 * against the synthesized stacks.
 */

/** Auto Scaling Group sizes, instances. */
export interface Capacity {
  minSize: number;
  desiredCapacity: number;
  maxSize: number;
}

/** One side's application load balancer as Route 53 aliases it. */
export interface LoadBalancerAlias {
  dnsName: string;
  /** The ALB's canonical hosted zone id, e.g. `Z1H1FL5HABSF5` (us-west-2). */
  zoneId: string;
}

/** The database engine modes (`database.engineMode` of the primary stack; `dbEngineMode` of its outputs). */
import { ENGINE_MODES, type EngineMode } from "../config/aurora";
export { ENGINE_MODES, type EngineMode };

/**
 * An Aurora global database (Aurora User Guide, "Using switchover or failover in Amazon Aurora
 * Global Database"): a global cluster whose primary cluster is in the primary region and whose
 * secondary cluster is in the DR region. Failover switches the writer to `drCluster*`; failback
 * switches it back to `primaryCluster*`. Cluster ARNs are `arn:<p>:rds:<region>:<account>:cluster:<identifier>`;
 * the global cluster's ARN, `arn:<p>:rds::<account>:global-cluster:<globalClusterIdentifier>`, is
 * derived (`globalClusterArn`).
 */
export interface AuroraGlobalDatabaseTargets {
  engineMode: "aurora-global";
  /** Identifier of the global cluster (`aws.rds.GlobalCluster` `globalClusterIdentifier`), e.g. `multi-region-dr-global`. */
  globalClusterIdentifier: string;
  /** The secondary cluster in the DR region: identifier and ARN. */
  drClusterIdentifier: string;
  drClusterArn: string;
  /** The primary cluster in the primary region (the primary's `dbIdentifier` and `dbArn` outputs). */
  primaryClusterIdentifier: string;
  primaryClusterArn: string;
}

/** The database's engine mode and, for an Aurora global database, what its workflows switch. */
export type DatabaseTargets = { engineMode: "instance" } | AuroraGlobalDatabaseTargets;

/**
 * The pair's cache (config/cache.ts, components/cache/*): an ElastiCache global datastore whose
 * secondary in the DR region failover promotes (FailoverGlobalReplicationGroup) or, when that cannot
 * work, detaches (DisassociateGlobalReplicationGroup), and failback switches back; recovery/cacheSteps.ts.
 * Replication group ids are those of `aws.elasticache.ReplicationGroup` (`id`), the global datastore's
 * the full id with ElastiCache's region prefix (`aws.elasticache.GlobalReplicationGroup`
 * `globalReplicationGroupId`, e.g. `ldgnf-multi-region-dr-cache`).
 */
export interface GlobalCacheTargets {
  mode: "global-datastore";
  globalReplicationGroupId: string;
  /** The DR region's member (the secondary until a failover). */
  drReplicationGroupId: string;
  /** The primary region's member (the primary until a failover, and again after failback). */
  primaryReplicationGroupId: string;
}

/**
 * A regional DR cache (the primary's `cache.globalDatastore: false`): failover warms it up once the DR
 * targets are healthy, by invoking the warm-up function (components/cache/warmUpFunction.ts) with the
 * URLs the app names (the DR stack's `cache.warmUp.paths` under the application's name).
 */
export interface RegionalCacheTargets {
  mode: "regional";
  drReplicationGroupId: string;
  warmUp: { functionArn: string; urls: string[] };
}

export type CacheTargets = GlobalCacheTargets | RegionalCacheTargets;

export interface RecoveryTargets {
  /** `aws`, `aws-us-gov` or `aws-cn`. */
  partition: string;
  /** 12-digit account id. */
  accountId: string;
  /** Where the workflows run and fail over to, e.g. `us-west-2`. */
  drRegion: string;
  /** The region failed away from (and back to), e.g. `us-east-1`. */
  primaryRegion: string;
  /** Declared objectives, seconds. */
  rtoSeconds: number;
  rpoSeconds: number;

  /**
   * The DR copy of the database. Instance mode: the cross-region read replica in the DR region,
   * promoted by failover (`arn:<p>:rds:<drRegion>:<account>:db:<identifier>`). Aurora-global mode:
   * the DR secondary cluster, the same cluster as `database.drClusterIdentifier` and
   * `database.drClusterArn` (`arn:<p>:rds:<drRegion>:<account>:cluster:<identifier>`); the workflows
   * read it from `database` then, and `databaseTargetsProblems` checks that both agree.
   */
  replica: { identifier: string; arn: string; backupRetentionDays: number };
  /** How the database is replicated and switched; absent means `{ engineMode: "instance" }` (targets written before engine modes existed). */
  database?: DatabaseTargets;
  /** The DR Auto Scaling Group: its standby capacity and the capacity failover scales it to (the primary's). */
  drAutoScalingGroup: { name: string; arn: string; standby: Capacity; recovery: Capacity };
  /** Target group of the DR ALB; failover waits until `recovery.desiredCapacity` targets pass `/health`. */
  drTargetGroupArn: string;
  drLoadBalancer: LoadBalancerAlias;
  primaryLoadBalancer: LoadBalancerAlias;

  /**
   * The fence (components/failoverRouting.ts): a CloudWatch metric of the DR region the workflows
   * publish (1 fences the primary, 0 releases it) and its alarm, which the PRIMARY record's health
   * check follows.
   */
  fence: { namespace: string; metricName: string; dimensions: { Name: string; Value: string }[]; alarmName: string };
  /** The public failover pair. */
  dns: {
    /** Public hosted zone id. */
    hostedZoneId: string;
    /** Fully qualified application name, e.g. `app.dr.example.com`. */
    applicationName: string;
    /** Set identifier of the PRIMARY record, e.g. `primary-us-east-1`. */
    primarySetIdentifier: string;
    /** The PRIMARY record's health check: the endpoint's (the primary ALB's `/health`) combined with the fence. */
    healthCheckId: string;
    /** Name of the weighted pool a drill creates under the application name, e.g. `drill-pool.app.dr.example.com`. */
    drillPoolName: string;
  };
  /** The stable database names: the DR region's private zone and, for failback, the primary's. */
  databaseName: { fqdn: string; drZoneId: string; primaryZoneId: string };
  /** Time to live of the stable database CNAME, seconds. */
  databaseNameTtlSeconds: number;

  /** The primary region's side, reached only through the primary-region operations function. */
  primary: { databaseIdentifier: string; databaseArn: string; autoScalingGroupName: string; targetGroupArn: string; capacity: Capacity };
  /** ARN of the Lambda function that performs the fixed set of primary-region operations. */
  primaryRegionFunctionArn: string;
  /**
   * Instance mode with a read replica: the replication heartbeat functions of both regions
   * (components/replicationHeartbeat.ts). A planned switchover asks the DR one, a failback the
   * primary's (through the primary-region operations function), whether the replica has replayed a
   * heartbeat committed after the writes stopped. Absent (a restored database, Aurora): a planned
   * switchover or failback cannot prove catch-up and ends ReplicaCatchUpTimeout with the writes restored.
   */
  heartbeat?: { drFunctionArn: string; primaryFunctionArn: string };

  /** Encrypted SNS topic in the DR region that every workflow notifies. */
  topicArn: string;
  /** CloudWatch alarms (DR region) the workflows read. */
  alarms: {
    /** ReplicaLag above the RPO: failover refuses to run unless forced while it is not OK. */
    replicaLagOverRpo: string;
    /** MySQL replica: ReplicaLag -1 (not replicating) for 5 minutes; failover refuses while it is in ALARM, unless forced. */
    replicationStopped?: string;
    /** Alarms that abort a drill and roll its traffic back, e.g. DR 5xx or unhealthy targets. */
    drillAbort: string[];
  };
  /** The cache of the pair, when the primary's `cache.engine` is not `none`; absent: no cache step. */
  cache?: CacheTargets;
  /** Drill defaults: share of live traffic sent to the DR region, percent (1-50), and for how long, seconds. */
  drill: { trafficPercent: number; durationSeconds: number };
}

/** Route 53 alias target zone: an alias to another record in the same hosted zone uses the zone's own id. */
export function sameZoneAlias(targets: RecoveryTargets, name: string): { HostedZoneId: string; DnsName: string; EvaluateTargetHealth: boolean } {
  return { HostedZoneId: targets.dns.hostedZoneId, DnsName: name, EvaluateTargetHealth: true };
}

/** The engine mode of `targets` (`instance` when `database` is absent). */
export function engineModeOf(targets: RecoveryTargets): EngineMode {
  return targets.database?.engineMode ?? "instance";
}

/** The Aurora global database of `targets`, or undefined in instance mode. */
export function auroraGlobalOf(targets: RecoveryTargets): AuroraGlobalDatabaseTargets | undefined {
  return targets.database?.engineMode === "aurora-global" ? targets.database : undefined;
}

/**
 * ARN of the global cluster: `arn:<partition>:rds::<account>:global-cluster:<identifier>` (Service
 * Authorization Reference, Amazon RDS, resource type `global-cluster`: no region, a global cluster spans regions).
 */
export function globalClusterArn(targets: RecoveryTargets, database: AuroraGlobalDatabaseTargets): string {
  return `arn:${targets.partition}:rds::${targets.accountId}:global-cluster:${database.globalClusterIdentifier}`;
}

/** RDS cluster identifiers: 1-63 letters, digits or hyphens, starting with a letter, no two consecutive hyphens nor a trailing one (RDS API Reference, CreateDBCluster, DBClusterIdentifier); global clusters the same (CreateGlobalCluster). */
const CLUSTER_IDENTIFIER = /^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}(?<!-)$/;

/**
 * What is wrong with the database part of `targets` (empty when nothing): in aurora-global mode,
 * identifiers that RDS would refuse, cluster ARNs that are not `arn:<p>:rds:<region>:<account>:cluster:<identifier>`
 * of their own identifier in their own region (the DR cluster in the DR region, the primary cluster
 * in the primary region), and a `replica` or `primary` that names other resources than the clusters
 * (the stack must pass the same cluster in both places). Each message names the field and how to fix it.
 */
export function databaseTargetsProblems(targets: RecoveryTargets): string[] {
  const database = targets.database;
  if (database === undefined || database.engineMode === "instance") return [];
  if ((database as { engineMode: unknown }).engineMode !== "aurora-global") {
    return [`database.engineMode must be one of ${ENGINE_MODES.join(", ")}, got ${JSON.stringify((database as { engineMode: unknown }).engineMode)}`];
  }
  const problems: string[] = [];
  for (const field of ["globalClusterIdentifier", "drClusterIdentifier", "primaryClusterIdentifier"] as const) {
    if (typeof database[field] !== "string" || !CLUSTER_IDENTIFIER.test(database[field])) {
      problems.push(
        `database.${field} must be an RDS cluster identifier (a letter, then letters, digits or single hyphens, 63 at most), got ${JSON.stringify(database[field])}`,
      );
    }
  }
  const clusterArn = (region: string, identifier: string) => `arn:${targets.partition}:rds:${region}:${targets.accountId}:cluster:${identifier}`;
  const expectArn = (field: "drClusterArn" | "primaryClusterArn", region: string, identifier: string) => {
    if (database[field] !== clusterArn(region, identifier)) {
      problems.push(
        `database.${field} must be ${clusterArn(region, identifier)} (the cluster ARN of its identifier, in ${region}), got ${JSON.stringify(database[field])}`,
      );
    }
  };
  expectArn("drClusterArn", targets.drRegion, database.drClusterIdentifier);
  expectArn("primaryClusterArn", targets.primaryRegion, database.primaryClusterIdentifier);
  if (targets.replica.identifier !== database.drClusterIdentifier || targets.replica.arn !== database.drClusterArn) {
    problems.push(
      `replica must name the DR cluster in aurora-global mode ({ identifier: ${database.drClusterIdentifier}, arn: ${database.drClusterArn} }), got { identifier: ${targets.replica.identifier}, arn: ${targets.replica.arn} }`,
    );
  }
  if (targets.primary.databaseIdentifier !== database.primaryClusterIdentifier || targets.primary.databaseArn !== database.primaryClusterArn) {
    problems.push(
      `primary.databaseIdentifier and primary.databaseArn must name the primary cluster in aurora-global mode (${database.primaryClusterIdentifier}, ${database.primaryClusterArn}), got ${targets.primary.databaseIdentifier}, ${targets.primary.databaseArn}`,
    );
  }
  return problems;
}

/** @throws Error listing `databaseTargetsProblems(targets)`, prefixed with `where`, when there are any. */
export function assertDatabaseTargets(targets: RecoveryTargets, where: string): void {
  const problems = databaseTargetsProblems(targets);
  if (problems.length > 0) throw new Error(`${where}: invalid recovery targets: ${problems.join("; ")}`);
}

/** The global datastore of `targets`, or undefined without one (no cache, or a regional cache). */
export function globalCacheOf(targets: RecoveryTargets): GlobalCacheTargets | undefined {
  return targets.cache?.mode === "global-datastore" ? targets.cache : undefined;
}

/** The regional DR cache of `targets`, or undefined. */
export function regionalCacheOf(targets: RecoveryTargets): RegionalCacheTargets | undefined {
  return targets.cache?.mode === "regional" ? targets.cache : undefined;
}

/**
 * ARN of a global datastore: `arn:<partition>:elasticache::<account>:globalreplicationgroup:<id>`
 * (Service Authorization Reference, Amazon ElastiCache, resource type `globalreplicationgroup`: no
 * region, a global datastore spans regions).
 */
export function globalReplicationGroupArn(targets: RecoveryTargets, cache: GlobalCacheTargets): string {
  return `arn:${targets.partition}:elasticache::${targets.accountId}:globalreplicationgroup:${cache.globalReplicationGroupId}`;
}

/** ARN of a replication group: `arn:<partition>:elasticache:<region>:<account>:replicationgroup:<id>` (same reference, `replicationgroup`). */
export function replicationGroupArn(targets: RecoveryTargets, region: string, replicationGroupId: string): string {
  return `arn:${targets.partition}:elasticache:${region}:${targets.accountId}:replicationgroup:${replicationGroupId}`;
}

/**
 * Replication group ids: 1-40 letters, digits or hyphens, starting with a letter, no two consecutive
 * hyphens nor a trailing one (ElastiCache API Reference, CreateReplicationGroup, ReplicationGroupId).
 */
const REPLICATION_GROUP_ID = /^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,39}(?<!-)$/;
/** Global datastore ids: ElastiCache's region prefix, a hyphen, the suffix (CreateGlobalReplicationGroup, GlobalReplicationGroupIdSuffix). */
const GLOBAL_REPLICATION_GROUP_ID = /^[a-z]+-[A-Za-z0-9-]+$/;

/**
 * What is wrong with the cache part of `targets` (empty when nothing, or when there is no cache):
 * ids ElastiCache would refuse, the two members being one group, a warm-up function that is not a
 * function ARN in the DR region, and warm-up URLs that are not http(s) URLs (or none, or over 20).
 * Each message names the field and how to fix it.
 */
export function cacheTargetsProblems(targets: RecoveryTargets): string[] {
  const cache = targets.cache;
  if (cache === undefined) return [];
  const problems: string[] = [];
  const groupId = (field: string, value: unknown) => {
    if (typeof value !== "string" || !REPLICATION_GROUP_ID.test(value)) {
      problems.push(
        `cache.${field} must be an ElastiCache replication group id (a letter, then letters, digits or single hyphens, 40 at most), got ${JSON.stringify(value)}`,
      );
    }
  };
  groupId("drReplicationGroupId", cache.drReplicationGroupId);
  if (cache.mode === "global-datastore") {
    groupId("primaryReplicationGroupId", cache.primaryReplicationGroupId);
    if (typeof cache.globalReplicationGroupId !== "string" || !GLOBAL_REPLICATION_GROUP_ID.test(cache.globalReplicationGroupId)) {
      problems.push(
        `cache.globalReplicationGroupId must be the global datastore's full id (region prefix, hyphen, suffix: the primary output cacheGlobalReplicationGroupId), got ${JSON.stringify(cache.globalReplicationGroupId)}`,
      );
    }
    if (cache.primaryReplicationGroupId === cache.drReplicationGroupId && cache.drReplicationGroupId !== undefined) {
      problems.push(`cache.primaryReplicationGroupId and cache.drReplicationGroupId are both ${cache.drReplicationGroupId}; they are the two regions' members`);
    }
  } else if (cache.mode === "regional") {
    const arn = new RegExp(`^arn:${targets.partition}:lambda:${targets.drRegion}:${targets.accountId}:function:[A-Za-z0-9_-]{1,64}$`);
    if (typeof cache.warmUp?.functionArn !== "string" || !arn.test(cache.warmUp.functionArn)) {
      problems.push(
        `cache.warmUp.functionArn must be an unqualified function ARN in ${targets.drRegion} of account ${targets.accountId}, got ${JSON.stringify(cache.warmUp?.functionArn)}`,
      );
    }
    const urls = cache.warmUp?.urls;
    if (
      !Array.isArray(urls) ||
      urls.length === 0 ||
      urls.length > 20 ||
      !urls.every((url) => typeof url === "string" && /^https?:\/\/[^/\s]+\/\S*$/.test(url))
    ) {
      problems.push(`cache.warmUp.urls must list 1 to 20 http(s) URLs with a path (https://<application name>/<path>), got ${JSON.stringify(urls)}`);
    }
  } else {
    problems.push(`cache.mode must be global-datastore or regional, got ${JSON.stringify((cache as { mode: unknown }).mode)}`);
  }
  return problems;
}

/** @throws Error listing `cacheTargetsProblems(targets)`, prefixed with `where`, when there are any. */
export function assertCacheTargets(targets: RecoveryTargets, where: string): void {
  const problems = cacheTargetsProblems(targets);
  if (problems.length > 0) throw new Error(`${where}: invalid recovery targets: ${problems.join("; ")}`);
}
