/**
 * The DR stack's recovery layer: the notification topics (one per region that has DR alarms), the
 * DR signal alarms, and the failover, failback and drill workflows with the targets they act on,
 * resolved from the stack's own resources and the primary's outputs.
 *
 * What lives outside the DR region (the alarm topics, their keys and alarms in the primary region and
 * us-east-1, the rule that forwards the us-east-1 alarm) is deployed with `retainOnDelete` through
 * `retained` when it is in the primary region; in the outage mode (`unreachableRegion`) nothing is
 * declared in that region.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { healthPathOf } from "../config/appDefinition";
import { ConfigError } from "../config/errors";
import { CONFIG_NAMESPACE } from "../config/schema";
import { type ResolvedDrConfig } from "../config/drStrategy";
import { type BucketReplication } from "../components/bucketReplication";
import { FENCE_METRIC, failoverSetIdentifier, type FailoverRouting } from "../components/failoverRouting";
import { FUNCTION_NAME_LIMIT } from "../components/bundledFunction";
import { planNameOf, RegionSwitchPlan } from "../components/regionSwitchPlan";
import { assertRegionSwitchPrimary } from "../recovery/regionSwitch/requirements";
import { NotificationTopic } from "../components/notificationTopic";
import { RecoveryAlarms } from "../components/recoveryAlarms";
import { RecoveryWorkflows } from "../components/recoveryWorkflows";
import { PrimaryEndpointProbe, probeEvaluationPeriods } from "../components/primaryEndpointProbe";
import { RegionalKey } from "../components/regionalKey";
import { type ReplicatedDatabase } from "../components/replicatedDatabase";
import { type ReplicationHeartbeat } from "../components/replicationHeartbeat";
import { DATABASE_NAME_TTL_SECONDS, type StableDatabaseName } from "../components/stableDatabaseName";
import { type PrimaryOutputs } from "../config/primaryContract";
import { recoveryResourceNames } from "../recovery/names";
import { type DatabaseTargets, type RecoveryTargets } from "../recovery/targets";
import { type RegionResources } from "./region";
import { cacheAlarm, cacheTargets, type DrCacheResources } from "./cache";
import { failoverRecordName } from "./edge";
import { inProviderOrRegion, inRegion, otherRegionProvider, resourcePrefix, type RetainedInRegion } from "./regionalProvider";

/** Route 53 publishes health-check metrics in us-east-1 only (Route 53 Developer Guide, "Monitoring health checks using CloudWatch"). */
export const ROUTE53_METRICS_REGION = "us-east-1";

export interface RecoveryInputs {
  config: ResolvedDrConfig;
  stackName: string;
  provider: aws.Provider;
  primary: PrimaryOutputs;
  region: RegionResources;
  /** The DR database instance; absent in backup-restore before a restore. */
  database?: ReplicatedDatabase;
  stableName?: StableDatabaseName;
  replication: BucketReplication;
  failover: FailoverRouting;
  /** The DR region's notification topic (`drNotificationTopic`), created before the failover pair, whose fence alarm notifies it. */
  drTopic: NotificationTopic;
  /** The DR region's replication heartbeat (instance mode with a read replica). */
  heartbeat?: ReplicationHeartbeat;
  /** The DR member of the cache (stacks/cache.ts `buildDrCache`): its lag alarm, and the workflows' cache step. */
  cache?: DrCacheResources;
  /**
   * Marks what this layer places in the primary region with `retainOnDelete` (the protected default;
   * absent in the teardown mode). Its `region` is the primary region.
   */
  retained?: RetainedInRegion;
  /** The primary region while it is down (the outage mode): nothing is declared there. */
  unreachableRegion?: string;
}

export interface RecoveryResources {
  topicArn: pulumi.Output<string>;
  /** The DR region's probe of the primary endpoint: its alarm pages, and signals the automatic failover. */
  probe: PrimaryEndpointProbe;
  /** The DR signal alarms (every region's): what is made after them, such as FIS stop conditions, depends on this. */
  alarms: RecoveryAlarms;
  /** The KMS key of the DR stack's alarm topic in the primary region (absent in the outage mode): other primary-region pieces of the DR stack encrypt with it. */
  primaryRegionKeyArn?: pulumi.Output<string>;
  /** The failover, failback and drill workflows and their targets; absent when the strategy runs none (backup-restore before a restore). */
  workflows?: RecoveryWorkflows;
  targets?: pulumi.Output<RecoveryTargets>;
}

/**
 * What the workflows switch: nothing more than the replica in instance mode; in aurora-global mode the
 * global cluster, the DR secondary cluster (the `replica`) and the primary cluster from the primary's outputs.
 */
export function databaseTargets(primary: PrimaryOutputs, drClusterIdentifier: string, drClusterArn: string): DatabaseTargets {
  if (primary.dbEngineMode !== "aurora-global") return { engineMode: "instance" };
  return {
    engineMode: "aurora-global",
    globalClusterIdentifier: primary.dbGlobalClusterIdentifier as string,
    drClusterIdentifier,
    drClusterArn,
    primaryClusterIdentifier: primary.dbIdentifier,
    primaryClusterArn: primary.dbArn,
  };
}

/** The DR Auto Scaling group as the workflows and the plan see it: its standby capacity and the primary's, which a failover scales it to. */
export function drAutoScalingGroupTargets(config: ResolvedDrConfig, primary: PrimaryOutputs, name: string, arn: string): RecoveryTargets["drAutoScalingGroup"] {
  return {
    name,
    arn,
    standby: { minSize: config.app.minSize, desiredCapacity: config.app.desiredCapacity, maxSize: config.app.maxSize },
    recovery: { minSize: primary.appMinSize, desiredCapacity: primary.appDesiredCapacity, maxSize: Math.max(primary.appMaxSize, config.app.maxSize) },
  };
}

/** What the Region switch plan is built from: the DR stack's database, name and region, and the primary's outputs. */
export interface RegionSwitchInputs {
  config: ResolvedDrConfig;
  stackName: string;
  provider: aws.Provider;
  primary: PrimaryOutputs;
  region: RegionResources;
  database: ReplicatedDatabase;
  stableName: StableDatabaseName;
  /** Marks the primary-region copy of the actions function `retainOnDelete` (absent in the teardown mode). */
  retained?: RetainedInRegion;
  /** The DR region's notification topic (`drNotificationTopic`): the trigger's guard alarm notifies it. */
  drTopicArn: pulumi.Input<string>;
}

/** Name of the plan's CustomActionLambda function: `<prefix>-rs-actions`, the prefix cut to Lambda's 64 characters. */
export function regionSwitchFunctionName(prefix: string): string {
  const suffix = "-rs-actions";
  return `${prefix.slice(0, FUNCTION_NAME_LIMIT - suffix.length).replace(/-+$/, "")}${suffix}`;
}

/**
 * What both orchestrators act on in the DR region, resolved once: the account, the partition, the pair's
 * regions and RTO, the DR copy of the database (`databaseTargets`) and the DR Auto Scaling group with its
 * standby and recovery capacity (`drAutoScalingGroupTargets`). `identity` and `partition` are the DR
 * provider's, for ARNs built from names.
 */
function drCopyTargets(
  config: ResolvedDrConfig,
  primary: PrimaryOutputs,
  provider: aws.Provider,
  database: ReplicatedDatabase,
  region: RegionResources,
): {
  identity: pulumi.Output<aws.GetCallerIdentityResult>;
  partition: pulumi.Output<aws.GetPartitionResult>;
  common: pulumi.Output<
    Pick<RecoveryTargets, "partition" | "accountId" | "drRegion" | "primaryRegion" | "rtoSeconds" | "replica" | "database" | "drAutoScalingGroup">
  >;
} {
  const identity = aws.getCallerIdentityOutput({}, { provider });
  const partition = aws.getPartitionOutput({}, { provider });
  const common = pulumi
    .all({
      accountId: identity.accountId,
      partition: partition.partition,
      replicaIdentifier: database.identifier,
      replicaArn: database.arn,
      groupName: region.app.autoScalingGroupName,
      groupArn: region.app.autoScalingGroupArn,
    })
    .apply((resolved) => ({
      partition: resolved.partition,
      accountId: resolved.accountId,
      drRegion: config.region,
      primaryRegion: primary.region,
      rtoSeconds: config.recovery.rtoSeconds,
      replica: { identifier: resolved.replicaIdentifier, arn: resolved.replicaArn, backupRetentionDays: config.database.backupRetentionDays },
      database: databaseTargets(primary, resolved.replicaIdentifier, resolved.replicaArn),
      drAutoScalingGroup: drAutoScalingGroupTargets(config, primary, resolved.groupName, resolved.groupArn),
    }));
  return { identity, partition, common };
}

/**
 * The ARC Region switch plan (`recovery.orchestrator: region-switch`), built before the failover
 * records, which attach its health checks (components/failoverRouting.ts `planHealthChecks`). With
 * `failover.automatic` it triggers on the DR region's probe of the primary endpoint (the alarm the
 * Step Functions path's automatic signal is made of): its ARN is derived from its name, which is known
 * before the probe exists (recovery/names.ts). The fence's composite (`automaticFailoverSignal`) is not
 * used: nothing sets the fence once the plan owns the switch, and `minDelayMinutesBetweenExecutions`
 * (from `failover.cooldownSeconds`) keeps a flapping primary from starting executions back to back.
 */
export function buildRegionSwitch({ config, stackName, provider, primary, region, database, retained, drTopicArn }: RegionSwitchInputs): RegionSwitchPlan {
  // Before any resource: the plan needs both groups and, in instance mode, the primary's heartbeat (ConfigError naming recovery.orchestrator).
  assertRegionSwitchPrimary(primary);
  const knownHealthCheckIds = outageHealthCheckIds(config, primary.region);
  const prefix = resourcePrefix(stackName, "dr");
  const names = recoveryResourceNames(prefix);
  const { identity, partition, common } = drCopyTargets(config, primary, provider, database, region);
  const aurora = primary.dbEngineMode === "aurora-global";
  const targets = common.apply((resolved) => ({
    ...resolved,
    primary: {
      databaseArn: primary.dbArn,
      autoScalingGroupName: primary.autoScalingGroupName,
      autoScalingGroupArn: primary.autoScalingGroupArn as string,
    },
    // The failover pair's name: behind the edge `origin.<application name>` (stacks/edge.ts).
    dns: {
      hostedZoneId: primary.hostedZoneId,
      applicationName: failoverRecordName(primary),
      primarySetIdentifier: failoverSetIdentifier("PRIMARY", primary.region),
      secondarySetIdentifier: failoverSetIdentifier("SECONDARY", config.region),
    },
    automatic: config.failover.automatic,
  }));
  // The heartbeat functions by name (the DR one is made after the plan, stacks/dr.ts): instance mode only.
  const heartbeatFunctionArns =
    pulumi.interpolate`arn:${partition.partition}:lambda:${config.region}:${identity.accountId}:function:${resourcePrefix(stackName, "dr-heartbeat")}`.apply(
      (dr) => ({ primary: primary.dbHeartbeatFunctionArn ?? "", dr }),
    );
  const outage = config.outage.primaryRegionDown;
  const probeAlarmArn = pulumi.interpolate`arn:${partition.partition}:cloudwatch:${config.region}:${identity.accountId}:alarm:${names.primaryEndpointProbeAlarm}`;
  return new RegionSwitchPlan(
    "dr-region-switch",
    {
      planName: planNameOf(prefix),
      functionName: regionSwitchFunctionName(prefix),
      engineMode: aurora ? "aurora-global" : "instance",
      targets,
      ...(aurora ? {} : { heartbeatFunctionArns }),
      primaryCapacity: { minSize: primary.appMinSize, desiredCapacity: primary.appDesiredCapacity, maxSize: primary.appMaxSize },
      // The primary-region copy of the actions function (the failback's): not declared while the primary region is down.
      ...(outage
        ? {}
        : {
            primaryRegion: {
              provider: otherRegionProvider(`dr-region-switch-${primary.region}`, primary.region, config, stackName),
              kmsKeyArn: primary.kmsKeyArn,
              ...(retained ? { transformations: [retained.transformation()] } : {}),
            },
          }),
      ...(config.failover.automatic
        ? {
            trigger: {
              alarmName: names.primaryEndpointProbeAlarm,
              alarmArn: probeAlarmArn,
              minDelayMinutes: Math.ceil(config.failover.cooldownSeconds / 60),
              topicArn: drTopicArn,
            },
          }
        : {}),
      kmsKeyArn: region.key.keyArn,
      accessLogBucket: region.logArchive.bucketName,
      logRetentionDays: config.network.flowLogRetentionDays,
      protect: config.protect,
      ...(knownHealthCheckIds ? { knownHealthCheckIds } : {}),
    },
    inRegion(provider),
  );
}

/** Where the plan's control plane lives: the partition's global region (arc-region-switch endpoint rule set, `implicitGlobalRegion`). */
export const REGION_SWITCH_CONTROL_PLANE_REGION = "us-east-1";

/**
 * The plan's health-check ids the outage mode attaches without asking the plan (`outage.regionSwitchHealthCheckIds`),
 * or undefined outside the outage mode, or when none are set and the lookup's control plane is up.
 * @throws ConfigError naming `outage.regionSwitchHealthCheckIds` in the outage mode of a us-east-1 primary without them: the lookup
 *   would call the failed region (DESIGN.md, "The outage model").
 */
export function outageHealthCheckIds(config: Pick<ResolvedDrConfig, "outage">, primaryRegion: string): { primary: string; secondary: string } | undefined {
  if (!config.outage.primaryRegionDown) return undefined;
  const ids = config.outage.regionSwitchHealthCheckIds;
  if (ids === undefined && primaryRegion === REGION_SWITCH_CONTROL_PLANE_REGION) {
    throw new ConfigError("Invalid configuration for the outage mode", [
      {
        key: `${CONFIG_NAMESPACE}:outage.regionSwitchHealthCheckIds`,
        value: undefined,
        message:
          `is required while ${primaryRegion} is down: the plan's health checks are looked up through its control plane in ${REGION_SWITCH_CONTROL_PLANE_REGION}; ` +
          "copy healthCheckIds from the regionSwitchPlan output saved before the outage (pulumi stack output regionSwitchPlan)",
      },
    ]);
  }
  return ids;
}

/** The DR region's encrypted notification topic: every DR-region alarm and every workflow notifies it. */
export function drNotificationTopic(config: ResolvedDrConfig, stackName: string, region: RegionResources, provider: aws.Provider): NotificationTopic {
  return new NotificationTopic(
    "dr-notifications",
    {
      topicName: recoveryResourceNames(resourcePrefix(stackName, "dr")).topic,
      kmsKeyArn: region.key.keyArn,
      emailSubscribers: config.failover.notificationEmails,
    },
    inRegion(provider),
  );
}

export function buildRecovery({
  config,
  stackName,
  provider,
  primary,
  region,
  database,
  stableName,
  replication,
  failover,
  drTopic,
  heartbeat,
  cache,
  retained,
  unreachableRegion,
}: RecoveryInputs): RecoveryResources {
  const prefix = resourcePrefix(stackName, "dr");
  const names = recoveryResourceNames(prefix);
  const cacheLag = cacheAlarm(cache, prefix);
  const opts = inRegion(provider);

  // Alarms notify a topic of their own region: one encrypted topic per other region with DR alarms.
  const topics = new Map<string, { topicArn: pulumi.Input<string>; provider?: aws.Provider; keyArn?: pulumi.Output<string> }>([
    [config.region, { topicArn: drTopic.topicArn }],
  ]);
  // No topic (so no alarm) in a region that is down; the primary region's key and topic are retained on delete.
  const topicIn = (alarmRegion: string) => {
    if (alarmRegion === unreachableRegion) return undefined;
    const existing = topics.get(alarmRegion);
    if (existing) return existing;
    const regionalProvider = otherRegionProvider(`dr-alarms-${alarmRegion}`, alarmRegion, config, stackName);
    const topicOpts = {
      ...inRegion(regionalProvider),
      ...(retained && alarmRegion === retained.region ? { transformations: [retained.transformation()] } : {}),
    };
    const key = new RegionalKey(`dr-alarms-${alarmRegion}-key`, { region: alarmRegion, aliasName: `${prefix}-alarms`, protect: config.protect }, topicOpts);
    const topic = new NotificationTopic(
      `dr-alarms-${alarmRegion}`,
      { topicName: `${names.topic}-alarms`, kmsKeyArn: key.keyArn, emailSubscribers: config.failover.notificationEmails },
      topicOpts,
    );
    const created = { topicArn: topic.topicArn, provider: regionalProvider, keyArn: key.keyArn };
    topics.set(alarmRegion, created);
    return created;
  };

  // The alarms placed with the primary region's provider are retained on delete like their topic.
  const primaryProvider = retained ? topicIn(retained.region)?.provider : undefined;
  const retainedChildren =
    retained && primaryProvider ? { transformations: [retained.transformation(inProviderOrRegion([primaryProvider], retained.region))] } : {};
  const alarms = new RecoveryAlarms(
    "dr-alarms",
    {
      names: {
        replicaLagOverRpo: names.replicaLagOverRpoAlarm,
        unhealthyTargets: names.unhealthyTargetsAlarm,
        targetErrors: names.targetErrorsAlarm,
        replicationLatency: names.replicationLatencyAlarm,
        replicationFailures: names.replicationFailuresAlarm,
        primaryHealthCheck: names.primaryHealthCheckAlarm,
        globalTableReplicationLatency: names.globalTableReplicationLatencyAlarm,
        replicationStopped: names.replicationStoppedAlarm,
        primaryHeartbeatErrors: names.primaryHeartbeatErrorsAlarm,
        drHeartbeatErrors: names.drHeartbeatErrorsAlarm,
        ...(cacheLag ? { cacheReplicationLag: cacheLag.cacheReplicationLag } : {}),
      },
      ...(cacheLag ? { cache: cacheLag.cache } : {}),
      drTopic: { topicArn: drTopic.topicArn },
      healthCheckTopic: topicIn(ROUTE53_METRICS_REGION),
      // S3 publishes replication metrics in the source bucket's region.
      replicationTopic: topicIn(primary.region),
      ...(database
        ? primary.dbEngineMode === "aurora-global"
          ? { replicaClusterIdentifier: database.identifier }
          : { replicaIdentifier: database.identifier, replicaEngine: primary.dbEngine }
        : {}),
      ...(primary.globalTableName !== undefined
        ? { globalTable: { tableName: primary.globalTableName, sourceRegion: primary.region, receivingRegion: config.region, topic: topicIn(primary.region) } }
        : {}),
      rpoSeconds: config.recovery.rpoSeconds,
      loadBalancerArn: region.app.albArn,
      targetGroupArn: region.app.targetGroupArn,
      sourceBucketName: primary.bucketName,
      destinationBucketName: region.dataBucket.bucketName,
      replicationRuleId: replication.ruleId,
      healthCheckId: failover.healthCheckId,
      ...(heartbeat && primary.dbHeartbeatFunctionArn !== undefined
        ? { heartbeatFunctions: { primary: primary.dbHeartbeatFunctionArn.split(":").pop() as string, dr: heartbeat.functionName } }
        : {}),
    },
    { ...opts, ...retainedChildren },
  );
  // The primary-region key of the alarm topic (made for the S3 replication alarms): absent while the primary region is down.
  const primaryRegionKeyArn = topicIn(primary.region)?.keyArn;
  const primaryRegionKey = primaryRegionKeyArn ? { primaryRegionKeyArn } : {};

  // The primary's endpoint as the DR region sees it: the signal that survives an outage of the primary region and of
  // us-east-1 (where Route 53 publishes health-check metrics), paging the DR topic and starting the automatic failover.
  const probe = new PrimaryEndpointProbe(
    "dr-primary-probe",
    {
      applicationName: primary.applicationName,
      // Behind the edge the health listener (HTTP 80): the app listener answers 403 without CloudFront's secret header.
      primary: {
        albDnsName: primary.albDnsName,
        protocol: primary.healthCheckProtocol ?? primary.listenerProtocol,
        port: primary.healthCheckPort ?? primary.listenerPort,
        healthPath: healthPathOf(primary),
      },
      evaluationPeriods: probeAlarmPeriods(config),
      topicArn: drTopic.topicArn,
      kmsKeyArn: region.key.keyArn,
      logRetentionDays: config.network.flowLogRetentionDays,
      functionName: names.primaryEndpointProbeFunction,
      alarmName: names.primaryEndpointProbeAlarm,
      errorsAlarmName: names.primaryEndpointProbeErrorsAlarm,
    },
    opts,
  );

  // One orchestrator owns the switch: with a Region switch plan (buildRegionSwitch) no state machine is deployed, so none can
  // promote, scale or repoint against the plan (docs/region-switch.md).
  if (!config.footprint.recoveryWorkflows || !database || !stableName || config.recovery.orchestrator === "region-switch") {
    return { topicArn: drTopic.topicArn, probe, alarms, ...primaryRegionKey };
  }
  const { common } = drCopyTargets(config, primary, provider, database, region);
  const baseTargets: pulumi.Output<RecoveryTargets> = pulumi
    .all([
      common,
      pulumi.all({
        targetGroupArn: region.app.targetGroupArn,
        albDnsName: region.app.albDnsName,
        albZoneId: region.app.albZoneId,
        // The record's check (the endpoint's and the fence): the workflows write it on every PRIMARY record they UPSERT.
        healthCheckId: failover.recordHealthCheckId,
        drZoneId: stableName.zoneId,
        topicArn: drTopic.topicArn,
        // "" without a heartbeat: pulumi.all would widen every field to optional on an undefined one.
        drHeartbeatFunctionArn: heartbeat?.functionArn ?? "",
      }),
    ])
    .apply(([shared, resolved]) => ({
      // The order of the definitions' JSON as before: partition, account, regions, objectives, then the DR copy.
      partition: shared.partition,
      accountId: shared.accountId,
      drRegion: shared.drRegion,
      primaryRegion: shared.primaryRegion,
      rtoSeconds: shared.rtoSeconds,
      rpoSeconds: config.recovery.rpoSeconds,
      replica: shared.replica,
      database: shared.database,
      drAutoScalingGroup: shared.drAutoScalingGroup,
      drTargetGroupArn: resolved.targetGroupArn,
      drLoadBalancer: { dnsName: resolved.albDnsName, zoneId: resolved.albZoneId },
      primaryLoadBalancer: { dnsName: primary.albDnsName, zoneId: primary.albZoneId },
      fence: {
        namespace: FENCE_METRIC.namespace,
        metricName: FENCE_METRIC.metricName,
        dimensions: Object.entries(failover.fence.dimensions).map(([Name, Value]) => ({ Name, Value })),
        alarmName: failover.fence.alarmName,
      },
      // The failover pair's name (behind the edge `origin.<application name>`, stacks/edge.ts): the records the workflows repoint.
      dns: {
        hostedZoneId: primary.hostedZoneId,
        applicationName: failover.applicationName,
        primarySetIdentifier: failover.primarySetIdentifier,
        healthCheckId: resolved.healthCheckId,
        drillPoolName: `drill-pool.${primary.applicationName}`,
      },
      databaseName: { fqdn: stableName.fqdn, drZoneId: resolved.drZoneId, primaryZoneId: primary.databaseZoneId },
      databaseNameTtlSeconds: DATABASE_NAME_TTL_SECONDS,
      primary: {
        databaseIdentifier: primary.dbIdentifier,
        databaseArn: primary.dbArn,
        autoScalingGroupName: primary.autoScalingGroupName,
        targetGroupArn: primary.targetGroupArn,
        capacity: { minSize: primary.appMinSize, desiredCapacity: primary.appDesiredCapacity, maxSize: primary.appMaxSize },
      },
      primaryRegionFunctionArn: `arn:${shared.partition}:lambda:${config.region}:${shared.accountId}:function:${names.primaryRegionFunction}`,
      ...(resolved.drHeartbeatFunctionArn !== "" && primary.dbHeartbeatFunctionArn !== undefined
        ? { heartbeat: { drFunctionArn: resolved.drHeartbeatFunctionArn, primaryFunctionArn: primary.dbHeartbeatFunctionArn } }
        : {}),
      topicArn: resolved.topicArn,
      alarms: {
        replicaLagOverRpo: names.replicaLagOverRpoAlarm,
        ...(primary.dbEngineMode === "instance" && primary.dbEngine === "mysql" ? { replicationStopped: names.replicationStoppedAlarm } : {}),
        drillAbort: [names.unhealthyTargetsAlarm, names.targetErrorsAlarm],
      },
      drill: { trafficPercent: config.failover.drillTrafficPercent, durationSeconds: config.failover.drillDurationSeconds },
    }));
  // The cache step's targets (stacks/cache.ts), added once resolved; none without a cache.
  const targets: pulumi.Output<RecoveryTargets> =
    cache && primary.cache
      ? pulumi
          .all([
            baseTargets,
            cacheTargets(cache, primary.cache, { name: primary.applicationName, protocol: primary.listenerProtocol, paths: config.cache.warmUp.paths }),
          ])
          .apply(([base, cacheTarget]) => ({ ...base, cache: cacheTarget }))
      : baseTargets;

  const workflows = new RecoveryWorkflows(
    "dr-recovery",
    {
      prefix,
      targets,
      kmsKeyArn: region.key.keyArn,
      logRetentionDays: config.network.flowLogRetentionDays,
      cooldownSeconds: config.failover.cooldownSeconds,
      functionName: names.primaryRegionFunction,
      ...(config.failover.automatic
        ? { automaticFailover: { ruleName: names.automaticFailoverRule, alarmArn: automaticFailoverSignal(names, probe, failover, provider).arn } }
        : {}),
    },
    opts,
  );
  return { topicArn: drTopic.topicArn, probe, alarms, ...primaryRegionKey, workflows, targets };
}

/**
 * Periods of 30 s the probe's alarm waits, every attempt failing: as long as the Route 53 health
 * check's detection (`probeEvaluationPeriods`), and at least `AUTOMATIC_FAILOVER_MIN_PROBE_PERIODS`
 * when the alarm starts the failover by itself. A probe watches from one place, the DR region, where
 * Route 53's checkers watch from several, so a short fault between the two regions alone must not
 * promote the replica: 90 s of failures, 9 attempts, where the page alone needs 30 s.
 */
export function probeAlarmPeriods(config: Pick<ResolvedDrConfig, "dns" | "failover">): number {
  const fromHealthCheck = probeEvaluationPeriods(config.dns.healthCheckIntervalSeconds, config.dns.healthCheckFailureThreshold);
  return config.failover.automatic ? Math.max(fromHealthCheck, AUTOMATIC_FAILOVER_MIN_PROBE_PERIODS) : fromHealthCheck;
}

/** The least number of 30 s probe periods, all failing, that starts an automatic failover (`probeAlarmPeriods`). */
export const AUTOMATIC_FAILOVER_MIN_PROBE_PERIODS = 3;

/**
 * The automatic failover's signal, in the DR region: a composite alarm in ALARM while the probe sees
 * the primary down AND the primary is not fenced (`ALARM(probe) AND NOT ALARM(fence)`). Once a
 * failover has fenced the primary, a primary that returns and flaps starts no second failover; after
 * failback releases the fence it is armed again. CloudWatch sends composite alarms' state changes to
 * EventBridge like metric alarms' (CloudWatch User Guide, "Alarm events and EventBridge"); a composite
 * alarm is evaluated when a child changes state (CloudWatch User Guide, "Create a composite alarm").
 */
function automaticFailoverSignal(
  names: ReturnType<typeof recoveryResourceNames>,
  probe: PrimaryEndpointProbe,
  failover: FailoverRouting,
  provider: aws.Provider,
): aws.cloudwatch.CompositeAlarm {
  return new aws.cloudwatch.CompositeAlarm(
    "dr-automatic-failover-signal",
    {
      alarmName: names.automaticFailoverSignalAlarm,
      alarmDescription: "The primary endpoint is down as the DR region sees it, and the primary is not fenced: starts the automatic failover",
      alarmRule: pulumi.interpolate`ALARM("${probe.alarmName}") AND NOT ALARM("${failover.fence.alarmName}")`,
    },
    // CloudWatch refuses a composite alarm whose rule names an alarm that does not exist yet; the fence alarm's name is a
    // plain string, so the dependency on it is explicit.
    { provider, dependsOn: [failover] },
  );
}
