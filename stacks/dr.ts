/**
 * The DR stack: the standby region and everything that ties the two regions together. It reads the
 * primary's outputs through one StackReference, validates them and the pair's consistency before it
 * creates anything, then builds the shared regional footprint, the cross-region read replica (from
 * the primary's RDS ARN, encrypted with the DR key), replication of the primary bucket into the DR
 * bucket, the Route 53 failover pair, and the recovery workflows with their alarms (`recovery.ts`).
 *
 * What it places in the primary region (the backup plan, the primary vault, the replication
 * configuration of the primary bucket, the alarm topic, key and alarms there; and, when the primary
 * region is us-east-1, the rule forwarding the health-check alarm) is deployed with `retainOnDelete`
 * in the protected default (`RetainedInRegion`), so the outage mode (`outage.primaryRegionDown`)
 * drops it from the state without a call to the failed region, and the way back adopts it again
 * (`outage.adopt`, from the `primaryRegionResourceIds` output). In the outage mode the stack declares
 * no resource, provider or invoke in the primary region; the StackReference reads the Pulumi backend,
 * which must live outside that region (docs/state-backend.md).
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/errors";
import { resolveDrStrategy, type ResolvedDrConfig } from "../config/drStrategy";
import { type DrConfig } from "../config/schema";
import { BackupProtection, restoreTargetsOf } from "../components/backupProtection";
import { MAX_NAME_PREFIX_LENGTH, RESTORE_TARGETS_OUTPUT, type RestoreTargets } from "../components/backupRules";
import { BucketReplication } from "../components/bucketReplication";
import { healthPathOf } from "../config/appDefinition";
import { GlobalTableReplica } from "../components/globalTableReplica";
import { databaseParameters } from "../components/databaseEngine";
import { FailoverRouting } from "../components/failoverRouting";
import { ReplicatedBackups } from "../components/replicatedBackups";
import { ReplicatedDatabase } from "../components/replicatedDatabase";
import { ReplicationHeartbeat } from "../components/replicationHeartbeat";
import { recoveryResourceNames } from "../recovery/names";
import { StableDatabaseName, stableDatabaseFqdn } from "../components/stableDatabaseName";
import { checkAdvancedDynamoDbBackup } from "./dynamoDbBackupSettings";
import { crossStackProblems, type PrimaryOutputs, readPrimaryOutputs } from "./primaryOutputs";
import { type DrSignalScope } from "../monitoring/drSignals";
import { buildMonitoring, monitoringOutputs, regionResourceIds } from "./monitoring";
import { buildFaultInjection } from "./faultInjection";
import { buildRecovery, buildRegionSwitch, drNotificationTopic } from "./recovery";
import { drAppRuntime } from "./appRuntime";
import { buildRegion, type RegionResources } from "./region";
import { inProviderOrRegion, inRegion, otherRegionProvider, regionalProvider, resourcePrefix, RetainedInRegion } from "./regionalProvider";
import { CONFIG_NAMESPACE } from "../config/schema";
import { drCacheSchema } from "../config/cache";
import { buildDrCache, drCacheProblems } from "./cache";
import { buildEdge, buildEdgeAliases, drEdgeAccess, edgeOutputsOf, failoverRecordName, failoverRecordOptions } from "./edge";

export type DrStackOutputs = Record<string, pulumi.Input<unknown>>;

/**
 * Reads the primary through a StackReference, then builds the DR stack.
 * @throws ConfigError when the primary's outputs are missing or wrong, or the pair is inconsistent.
 */
export async function buildDrStack(config: DrConfig, stackName: string): Promise<DrStackOutputs> {
  const reference = new pulumi.StackReference("primary", { name: config.primaryStack });
  const primary = await readPrimaryOutputs(reference, config.primaryStack);
  const checkRegion = advancedBackupCheckRegion(config, primary);
  if (checkRegion !== undefined) await checkAdvancedDynamoDbBackup(checkRegion, stackName);
  return buildDrStackFrom(config, stackName, primary);
}

/**
 * Where the DR stack reads AWS Backup's region settings before it deploys: the primary region, when
 * the backup plan copies the global table's backups out of it (which needs AWS Backup's advanced
 * DynamoDB features there, stacks/dynamoDbBackupSettings.ts). Undefined when nothing is read: no
 * backups, no global table, or the outage mode (the plan is not declared, and the region is down).
 */
export function advancedBackupCheckRegion(config: DrConfig, primary: Pick<PrimaryOutputs, "region" | "globalTableArn">): string | undefined {
  if (!config.backup.enabled || primary.globalTableArn === undefined || config.outage.primaryRegionDown) return undefined;
  return primary.region;
}

/**
 * Builds the DR stack from the primary's validated outputs.
 * @throws ConfigError when the pair is inconsistent (same region, overlapping CIDRs, a DR tier too
 *   small for the primary's load, different RTO/RPO).
 */
export function buildDrStackFrom(config: DrConfig, stackName: string, primary: PrimaryOutputs): DrStackOutputs {
  const strategy = resolveDrStrategy(config, primary);
  // A DR file that sets cache: differs from its defaults (the schema fills them in either way).
  const cacheWritten = JSON.stringify(config.cache) !== JSON.stringify(drCacheSchema.parse(undefined));
  const problems = [...crossStackProblems(config, primary), ...strategy.problems, ...drCacheProblems(config.cache, cacheWritten, primary.cache)];
  if (problems.length > 0 || !strategy.config) {
    throw new ConfigError(`Invalid configuration for stack "${stackName}" against primary "${config.primaryStack}"`, problems);
  }
  const resolved = strategy.config;
  const outage = config.outage.primaryRegionDown;
  // The protected default retains what lives in the primary region; the teardown mode deletes it (the outage mode refuses that mode).
  const retained = config.protect ? new RetainedInRegion(primary.region, config.outage.adopt) : undefined;
  const provider = regionalProvider(resolved, stackName);
  const opts = inRegion(provider);
  const edgeOutputs = edgeOutputsOf(primary);
  const edgeAccess = drEdgeAccess(edgeOutputs, provider);
  const appRuntime = drAppRuntime(primary, resolved.region, { provider });
  const region = buildRegion({
    config: resolved,
    stackName,
    provider,
    databaseHost: stableDatabaseFqdn(primary.privateZoneName),
    databasePort: primary.dbPort,
    engine: primary.dbEngine,
    app: appRuntime,
    primaryOutputs: primary,
    ...(edgeAccess ? { edgeAccess } : {}),
  });

  const { database, backups } = buildDrDatabase(resolved, stackName, primary, region, opts);
  const stableName =
    database &&
    new StableDatabaseName(
      "dr-db-name",
      {
        zoneName: primary.privateZoneName,
        vpcId: region.network.vpcId,
        vpcRegion: resolved.region,
        // The DR database's own endpoint in both modes, so the unplanned path needs no DNS change: a promoted read replica
        // keeps its endpoint; an Aurora secondary's cluster (writer) endpoint exists but is inactive until the cluster is
        // promoted ("All secondary Regions also have writer endpoints, but they're inactive", AWS Database Blog, "Automate
        // Amazon Aurora Global Database endpoint management"; Aurora User Guide, "Connecting to Amazon Aurora Global
        // Database"). Not the global writer endpoint: before a failover it resolves to the primary region's writer, across
        // regions, and Aurora's global control plane updates it.
        databaseAddress: database.address,
      },
      opts,
    );

  const replication = new BucketReplication(
    "replication",
    {
      // Outage mode: the role stays, the configuration on the primary bucket is not declared (and stays on the bucket).
      configureSource: !outage,
      sourceBucketName: primary.bucketName,
      sourceBucketArn: primary.bucketArn,
      sourceRegion: primary.region,
      sourceKeyArn: primary.kmsKeyArn,
      destinationBucketArn: region.dataBucket.bucketArn,
      destinationRegion: config.region,
      destinationKeyArn: region.key.keyArn,
      destinationObjectLock: region.dataBucket.objectLock !== undefined,
      dependsOn: [region.dataBucket.versioning, ...(region.dataBucket.objectLockConfiguration ? [region.dataBucket.objectLockConfiguration] : [])],
    },
    { ...opts, ...(retained ? { transformations: [retained.transformation(inProviderOrRegion([], primary.region))] } : {}) },
  );

  const drTopic = drNotificationTopic(resolved, stackName, region, provider);
  // recovery.orchestrator: region-switch: the plan first, for the failover records attach its health checks (stacks/recovery.ts).
  const regionSwitch =
    config.recovery.orchestrator === "region-switch" && database && stableName
      ? buildRegionSwitch({
          config: resolved,
          stackName,
          provider,
          primary,
          region,
          database,
          stableName,
          drTopicArn: drTopic.topicArn,
          ...(retained ? { retained } : {}),
        })
      : undefined;
  // CloudFront in front of the pair (stacks/edge.ts, docs/edge.md): the DR stack owns the distribution; the failover pair
  // moves to the failover name, which the distribution's primary origin resolves, and the application name aliases the distribution.
  const edge = buildEdge({
    primary: edgeOutputs,
    applicationName: primary.applicationName,
    hostedZoneId: primary.hostedZoneId,
    drAlbDnsName: region.app.albDnsName,
    primaryRegion: primary.region,
    outage,
    ...(retained ? { retained } : {}),
    namePrefix: resourcePrefix(stackName, "edge"),
    opts,
  });
  const failover = new FailoverRouting(
    "failover",
    {
      hostedZoneId: primary.hostedZoneId,
      applicationName: failoverRecordName(primary),
      // Behind the edge Route 53 checks the health listener (HTTP 80): the app listener takes only CloudFront (components/edge/originAccess.ts).
      primary: {
        region: primary.region,
        albDnsName: primary.albDnsName,
        albZoneId: primary.albZoneId,
        protocol: primary.healthCheckProtocol ?? primary.listenerProtocol,
        port: primary.healthCheckPort ?? primary.listenerPort,
      },
      secondary: {
        region: config.region,
        albDnsName: region.app.albDnsName,
        albZoneId: region.app.albZoneId,
        protocol: region.app.healthCheckProtocol,
        port: region.app.healthCheckPort,
      },
      healthCheckPath: healthPathOf(primary),
      healthCheckIntervalSeconds: config.dns.healthCheckIntervalSeconds,
      healthCheckFailureThreshold: config.dns.healthCheckFailureThreshold,
      fenceAlarmName: recoveryResourceNames(resourcePrefix(stackName, "dr")).fenceAlarm,
      fenceAlarmTopicArn: drTopic.topicArn,
      ...(regionSwitch ? { planHealthChecks: regionSwitch.healthCheckIds } : {}),
    },
    { ...opts, ...failoverRecordOptions(edge) },
  );
  buildEdgeAliases(edge, failover);

  // The DR member of the cache (stacks/cache.ts): the global datastore's secondary, or a regional cache with its warm-up.
  const drCache = buildDrCache(
    config.cache,
    primary.cache,
    {
      region: resolved.region,
      network: region.network,
      key: region.key,
      clientSecurityGroupId: region.app.instanceSecurityGroupId,
      appParameterPath: appRuntime.parameterPath,
      prefix: resourcePrefix(stackName, "dr"),
    },
    resolved.network.flowLogRetentionDays,
    opts,
  );

  // The primary's DynamoDB global table gets its replica here, under the DR key.
  const tableReplica =
    primary.globalTableArn === undefined
      ? undefined
      : new GlobalTableReplica(
          "global-table-replica",
          { region: config.region, globalTableArn: primary.globalTableArn, kmsKeyArn: region.key.keyArn, protect: config.protect },
          opts,
        );

  const backupProtection = resolved.backup.enabled ? buildBackupProtection(resolved, stackName, primary, region, database, opts, retained) : undefined;

  // The same heartbeat as the primary region's: it writes once this replica is promoted, and answers catch-up reads until then.
  const heartbeat =
    database && primary.dbEngineMode === "instance" && resolved.footprint.databaseCopy === "read-replica"
      ? new ReplicationHeartbeat(
          "dr-heartbeat",
          {
            functionName: resourcePrefix(stackName, "dr-heartbeat"),
            region: resolved.region,
            vpcId: region.network.vpcId,
            vpcCidrBlock: resolved.network.cidrBlock,
            subnetIds: region.network.privateSubnetIds,
            databaseIdentifier: database.identifier,
            databaseArns: [database.arn, primary.dbArn],
            databaseSecurityGroupId: database.securityGroupId,
            engine: primary.dbEngine,
            port: primary.dbPort,
            kmsKeyArn: region.key.keyArn,
            logRetentionDays: resolved.network.flowLogRetentionDays,
          },
          opts,
        )
      : undefined;

  const recovery = buildRecovery({
    config: resolved,
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
    ...(drCache ? { cache: drCache } : {}),
    ...(retained ? { retained } : {}),
    ...(outage ? { unreachableRegion: primary.region } : {}),
  });
  // Before the adoption check: the primary-region templates are retained, so `outage.adopt` may name them.
  const faults = config.faultInjection.enabled
    ? buildFaultInjection({
        config: { ...resolved, faultInjection: config.faultInjection },
        stackName,
        drProvider: provider,
        primary: { ...primary, stack: config.primaryStack.split("/").pop() as string },
        drKeyArn: region.key.keyArn,
        ...(recovery.primaryRegionKeyArn ? { primaryKeyArn: recovery.primaryRegionKeyArn } : {}),
        drPrivateSubnetIds: region.network.privateSubnetIds,
        drBucketName: region.dataBucket.bucketName,
        alarms: recovery.alarms,
        ...(retained ? { retained } : {}),
        ...(outage ? { unreachableRegion: primary.region } : {}),
      })
    : undefined;
  const unused = outage ? [] : (retained?.unusedAdoptions() ?? Object.keys(config.outage.adopt));
  if (unused.length > 0) {
    throw new ConfigError(`Invalid configuration for stack "${stackName}"`, [
      {
        key: `${CONFIG_NAMESPACE}:outage.adopt`,
        value: unused,
        message:
          `names no resource this stack places in ${primary.region}` +
          (retained
            ? ` (it places: ${retained.resources.map((resource) => resource.name).join(", ") || "none"})`
            : " (with protect: false nothing is retained, so nothing is adopted)") +
          "; copy the names from the primaryRegionResourceIds output saved before the outage mode, or remove them",
      },
    ]);
  }

  // The DR stack knows every identifier of both regions: its dashboards show exact series.
  const scope = pulumi
    .all([
      region.app.albArn,
      region.app.targetGroupArn,
      region.app.autoScalingGroupName,
      region.dataBucket.bucketName,
      database?.identifier,
      failover.healthCheckId,
    ])
    .apply(([albArn, targetGroupArn, autoScalingGroupName, destinationBucket, replicaIdentifier, healthCheckId]): DrSignalScope => ({
      primary: regionResourceIds(primary.region, primary.albArn, primary.targetGroupArn, primary.autoScalingGroupName),
      standby: regionResourceIds(config.region, albArn, targetGroupArn, autoScalingGroupName),
      ...(replicaIdentifier !== undefined
        ? {
            replica:
              primary.dbEngineMode === "aurora-global"
                ? { kind: "aurora-global", clusterIdentifier: replicaIdentifier }
                : { kind: "instance", identifier: replicaIdentifier },
          }
        : { replica: { kind: primary.dbEngineMode } }),
      ...(primary.globalTableName !== undefined
        ? { globalTable: { tableName: primary.globalTableName, sourceRegion: primary.region, receivingRegion: config.region } }
        : {}),
      replicaExpected: resolved.footprint.databaseCopy === "read-replica" && !config.database.promoted,
      replication: { sourceBucket: primary.bucketName, destinationBucket, ruleId: replication.ruleId },
      healthCheckId,
      rpoSeconds: config.recovery.rpoSeconds,
      objectRpoSeconds: config.recovery.objectRpoSeconds,
    }));
  // Losing this region's monitoring pages from the primary region, through the switch the primary built for it.
  // The outage mode keeps it as it is: dropping it would update the Alertmanager's IAM role policy, and IAM's control
  // plane is in us-east-1, which may be the failed region (DESIGN.md, "The outage model"). Its sends fail meanwhile.
  const heartbeatTarget = resolved.footprint.monitoringCluster ? primary.drMonitoringHeartbeat : undefined;
  const monitoring = buildMonitoring({ config: resolved, stackName, provider, region, scope, ...(heartbeatTarget ? { heartbeatTarget } : {}) });

  const scheme = region.app.listenerProtocol.toLowerCase();
  return {
    role: "dr",
    region: config.region,
    primaryStack: config.primaryStack,
    primaryRegion: primary.region,
    vpcId: region.network.vpcId,
    vpcCidrBlock: config.network.cidrBlock,
    kmsKeyArn: region.key.keyArn,
    applicationName: primary.applicationName,
    applicationUrl: `${primary.listenerProtocol.toLowerCase()}://${primary.applicationName}/`,
    appUrl: pulumi.interpolate`${scheme}://${region.app.albDnsName}/`,
    albArn: region.app.albArn,
    albDnsName: region.app.albDnsName,
    albZoneId: region.app.albZoneId,
    appInstanceType: config.app.instanceType,
    appMinSize: resolved.app.minSize,
    appDesiredCapacity: resolved.app.desiredCapacity,
    appMaxSize: config.app.maxSize,
    autoScalingGroupName: region.app.autoScalingGroupName,
    strategy: resolved.footprint.strategy,
    natGateways: resolved.network.natGateways,
    replicaArn: database?.arn,
    replicaIdentifier: database?.identifier,
    dbEngineMode: primary.dbEngineMode,
    dbSubnetGroupName: database?.subnetGroupName,
    dbSecurityGroupId: database?.securityGroupId,
    replicaAddress: database?.address,
    replicaSourceArn: primary.dbArn,
    replicatedBackupsArn: backups?.replicatedBackupsArn,
    globalTableReplicaArn: tableReplica?.replicaArn,
    databaseStableName: stableName?.fqdn,
    bucketName: region.dataBucket.bucketName,
    bucketArn: region.dataBucket.bucketArn,
    replicationRoleArn: replication.roleArn,
    replicationRuleId: replication.ruleId,
    healthCheckId: failover.healthCheckId,
    // The PRIMARY record's calculated check (endpoint and fence) and the fence's alarm: what an operator reads during a failover.
    primaryRecordHealthCheckId: failover.recordHealthCheckId,
    // The SECONDARY record's calculated check (the DR endpoint, or fenced) and the DR region's probe of the primary.
    secondaryRecordHealthCheckId: failover.secondaryRecordHealthCheckId,
    primaryProbeAlarmName: recovery.probe.alarmName,
    fenceAlarmName: failover.fence.alarmName,
    failoverRecordName: failover.applicationName,
    edgeDistributionId: edge?.distributionId,
    edgeDomainName: edge?.domainName,
    cacheReplicationGroupId: drCache?.cache.replicationGroupId,
    logArchiveBucketName: region.logArchive.bucketName,
    monitoringClusterName: region.monitoring?.clusterName,
    ...monitoringOutputs(monitoring),
    rtoSeconds: config.recovery.rtoSeconds,
    rpoSeconds: config.recovery.rpoSeconds,
    objectRpoSeconds: config.recovery.objectRpoSeconds,
    databasePromoted: config.database.promoted,
    databaseRestored: resolved.footprint.restoring,
    automaticFailover: config.failover.automatic,
    backupEnabled: resolved.backup.enabled,
    backupRetentionDays: resolved.backup.retentionDays,
    backupDrVaultName: backupProtection?.protection.drVaultName,
    backupDrVaultArn: backupProtection?.protection.drVaultArn,
    backupPrimaryVaultName: backupProtection?.protection.primaryVaultName,
    backupPrimaryVaultArn: backupProtection?.protection.primaryVaultArn,
    backupPlanId: backupProtection?.protection.planId,
    backupPromotedPlanId: backupProtection?.protection.promotedPlanId,
    // What the way back adopts (outage.adopt): before the outage mode the retained resources' ids, during it the ids adopt carries.
    primaryRegionResourceIds: outage ? (Object.keys(config.outage.adopt).length > 0 ? config.outage.adopt : undefined) : retained?.ids(),
    outageMode: outage,
    backupRoleArn: backupProtection?.protection.backupRoleArn,
    [RESTORE_TARGETS_OUTPUT]: backupProtection?.restoreTargets,
    notificationTopicArn: recovery.topicArn,
    failoverStateMachineArn: recovery.workflows?.stateMachineArns.failover,
    failbackStateMachineArn: recovery.workflows?.stateMachineArns.failback,
    drillStateMachineArn: recovery.workflows?.stateMachineArns.drill,
    // Which orchestrator owns the switch, and the Region switch plan as plain data (the runbook's --dry-run, the checks).
    recoveryOrchestrator: config.recovery.orchestrator,
    regionSwitchPlan: regionSwitch?.summary,
    recoveryTargets: recovery.targets,
    /** The FIS templates of `npm run drill -- --fault` (docs/fault-injection.md), by fault: id and region. */
    faultTemplates: faults?.templateIds,
  };
}

/**
 * AWS Backup for the pair: the plan in the primary region backs up the primary database with
 * point-in-time recovery and copies every recovery point to the DR vault under the DR key
 * (`components/backupProtection.ts`). Built by the DR stack, the only one that knows both regions
 * and the DR key. Also the targets `npm run restore` reads: each region's vault, key and database
 * network (a backup-restore DR region has none before a restore).
 */
function buildBackupProtection(
  config: ResolvedDrConfig,
  stackName: string,
  primary: PrimaryOutputs,
  region: RegionResources,
  database: ReplicatedDatabase | undefined,
  opts: pulumi.ComponentResourceOptions,
  retained: RetainedInRegion | undefined,
): { protection: BackupProtection; restoreTargets: pulumi.Output<RestoreTargets> } {
  // No provider of the primary region in the outage mode.
  const reachable = !config.outage.primaryRegionDown;
  const primaryProvider = reachable ? otherRegionProvider(`dr-backup-${primary.region}`, primary.region, config, stackName) : undefined;
  const protection = new BackupProtection(
    "dr-backup",
    {
      namePrefix: resourcePrefix(stackName, "backup").slice(0, MAX_NAME_PREFIX_LENGTH).replace(/-+$/, ""),
      drRegion: config.region,
      primaryRegion: primary.region,
      ...(primaryProvider ? { primaryProvider } : {}),
      primaryRegionReachable: reachable,
      drKeyArn: region.key.keyArn,
      primaryKeyArn: primary.kmsKeyArn,
      databaseArn: primary.dbArn,
      // DynamoDB copies across regions need AWS Backup's advanced DynamoDB features: buildDrStack checked them (stacks/dynamoDbBackupSettings.ts).
      ...(primary.globalTableArn !== undefined ? { tableArn: primary.globalTableArn } : {}),
      retentionDays: config.backup.retentionDays,
      scheduleExpression: config.backup.scheduleExpression,
      vaultLock: config.backup.vaultLock,
      protect: config.protect,
      // After a failover the promoted DR database is the writer: backed up in its own region, copied back once the primary region is there.
      ...(config.database.promoted && database && primary.dbEngineMode === "instance" ? { promotedDatabaseArn: database.arn } : {}),
    },
    { ...opts, ...(retained && primaryProvider ? { transformations: [retained.transformation(inProviderOrRegion([primaryProvider], primary.region))] } : {}) },
  );
  const restoreTargets = restoreTargetsOf(protection, {
    primaryRegion: primary.region,
    drRegion: config.region,
    primary: { dbSubnetGroupName: primary.dbSubnetGroupName, dbSecurityGroupId: primary.dbSecurityGroupId, kmsKeyArn: primary.kmsKeyArn },
    dr: { dbSubnetGroupName: database?.subnetGroupName, dbSecurityGroupId: database?.securityGroupId, kmsKeyArn: region.key.keyArn },
    database: { engine: primary.dbEngine, engineMode: primary.dbEngineMode, instanceClass: primary.dbInstanceClass, multiAz: config.database.multiAz },
  });
  return { protection, restoreTargets };
}

/**
 * The DR region's copy of the database, by strategy: a cross-region read replica (pilot-light,
 * warm-standby, hot-standby), or replicated automated backups (backup-restore) plus, once
 * `database.restoreToTime` is set, the database restored from them.
 */
function buildDrDatabase(
  config: ResolvedDrConfig,
  stackName: string,
  primary: PrimaryOutputs,
  region: RegionResources,
  opts: pulumi.ComponentResourceOptions,
): { database?: ReplicatedDatabase; backups?: ReplicatedBackups } {
  const shared = {
    vpcId: region.network.vpcId,
    subnetIds: region.network.isolatedSubnetIds,
    clientSecurityGroupIds: [region.app.instanceSecurityGroupId],
    kmsKeyArn: region.key.keyArn,
    engine: primary.dbEngine,
    engineVersion: primary.dbEngineVersion,
    instanceClass: primary.dbInstanceClass,
    backupRetentionDays: config.database.backupRetentionDays,
    multiAz: config.database.multiAz,
    parameters: databaseParameters(primary.dbEngine),
    protect: config.protect,
    finalSnapshotPrefix: resourcePrefix(stackName, "db"),
  };
  if (primary.dbEngineMode === "aurora-global") {
    // The contract guarantees the global cluster of an aurora-global primary (config/primaryContract.ts).
    const globalClusterIdentifier = primary.dbGlobalClusterIdentifier as string;
    return {
      database: new ReplicatedDatabase(
        "dr-db",
        { ...shared, engineMode: "aurora-global", mode: "secondary", globalClusterIdentifier, primaryClusterArn: primary.dbArn },
        opts,
      ),
    };
  }
  const common = { ...shared, allocatedStorageGib: primary.dbAllocatedStorageGib, maxAllocatedStorageGib: primary.dbMaxAllocatedStorageGib };
  if (config.footprint.databaseCopy === "read-replica") {
    return {
      database: new ReplicatedDatabase("dr-db", { ...common, mode: "replica", sourceDatabaseArn: primary.dbArn, promoted: config.database.promoted }, opts),
    };
  }
  const backups = new ReplicatedBackups(
    "dr-db-backups",
    { sourceDatabaseArn: primary.dbArn, kmsKeyArn: region.key.keyArn, retentionDays: config.database.backupRetentionDays, protect: config.protect },
    opts,
  );
  if (config.database.restoreToTime === undefined) return { backups };
  const database = new ReplicatedDatabase(
    "dr-db",
    { ...common, mode: "restore", sourceAutomatedBackupsArn: backups.replicatedBackupsArn, restoreToTime: config.database.restoreToTime },
    opts,
  );
  return { database, backups };
}
