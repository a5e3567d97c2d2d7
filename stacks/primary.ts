/**
 * The primary stack: the active region. Its shared regional footprint, the primary database behind
 * the stable name, and (unless an existing zone is configured) the public hosted zone of the
 * application name. Its outputs are the contract the DR stack reads (`primaryOutputs.ts`).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENGINES, type PrimaryConfig } from "../config/schema";
import { databaseParameters, parameterGroupFamily, resolvedEngineVersion } from "../components/databaseEngine";
import { GlobalTable } from "../components/globalTable";
import { ReplicatedDatabase } from "../components/replicatedDatabase";
import { ReplicationHeartbeat } from "../components/replicationHeartbeat";
import { StableDatabaseName, stableDatabaseFqdn } from "../components/stableDatabaseName";
import { STRATEGY_PROFILES } from "../config/strategies";
import { type DrSignalScope } from "../monitoring/drSignals";
import { buildMonitoring, monitoringOutputs, regionResourceIds } from "./monitoring";
import { type PrimaryOutputs } from "./primaryOutputs";
import { buildRegion } from "./region";
import { inRegion, otherRegionProvider, regionalProvider, resourcePrefix } from "./regionalProvider";
import { primaryAppRuntime } from "./appRuntime";
import { appDefinitionOf } from "../config/appDefinition";
import { AppSecrets } from "../components/appSecrets";
import { AppDatabaseUser } from "../components/appDatabaseUser";
import { appParameterPath } from "../components/appParameters";
import { buildPrimaryCache, primaryCacheOutput } from "./cache";
import { primaryEdge } from "./edge";

/** Every output is an Output of its contract type; operators get a few more. */
export type PrimaryStackOutputs = { [K in keyof PrimaryOutputs]: pulumi.Input<PrimaryOutputs[K]> } & Record<string, pulumi.Input<unknown>>;

export function buildPrimaryStack(config: PrimaryConfig, stackName: string): PrimaryStackOutputs {
  const provider = regionalProvider(config, stackName);
  const engine = config.database.engine;
  const engineMode = config.database.engineMode;
  const engineVersion = resolvedEngineVersion(engine, config.database.engineVersion, engineMode);
  // One provider for what the primary stack keeps in the standby region: the app secrets' replica key and its monitoring's dead man's switch.
  const standbyProvider = config.standbyRegion !== undefined ? otherRegionProvider("standby", config.standbyRegion, config, stackName) : undefined;
  // The app's secrets, replicated to the standby region under a key of that region (components/appSecrets.ts).
  const definition = appDefinitionOf(config.app);
  const appSecrets = new AppSecrets(
    "app-secrets",
    {
      prefix: resourcePrefix(stackName, "primary"),
      region: config.region,
      databaseUser: definition.databaseUser,
      secretNames: definition.secretNames,
      ...(config.standbyRegion !== undefined && standbyProvider !== undefined ? { standby: { region: config.standbyRegion, provider: standbyProvider } } : {}),
      protect: config.protect,
    },
    inRegion(provider),
  );
  const parameterPath = appParameterPath(resourcePrefix(stackName, "primary"));
  // The edge's secret and the ALB's CloudFront-only access (stacks/edge.ts); the DR stack builds the distribution.
  const edge = primaryEdge(config.edge, provider);
  const region = buildRegion({
    config,
    stackName,
    provider,
    databaseHost: stableDatabaseFqdn(config.dns.privateZoneName),
    databasePort: ENGINES[engine].port,
    engine,
    app: primaryAppRuntime(definition, parameterPath, config.database.databaseName, appSecrets),
    ...(edge.originAccess ? { edgeAccess: edge.originAccess } : {}),
  });
  // The cache (stacks/cache.ts): the replication group and, by default, the global datastore the DR stack's member joins.
  const cache = buildPrimaryCache(
    config.cache,
    {
      region: config.region,
      network: region.network,
      key: region.key,
      clientSecurityGroupId: region.app.instanceSecurityGroupId,
      appParameterPath: parameterPath,
      prefix: resourcePrefix(stackName, "primary"),
    },
    inRegion(provider),
  );

  const shared = {
    vpcId: region.network.vpcId,
    subnetIds: region.network.isolatedSubnetIds,
    clientSecurityGroupIds: [region.app.instanceSecurityGroupId],
    kmsKeyArn: region.key.keyArn,
    engine,
    engineVersion,
    instanceClass: config.database.instanceClass,
    backupRetentionDays: config.database.backupRetentionDays,
    multiAz: config.database.multiAz,
    parameters: databaseParameters(engine),
    protect: config.protect,
    finalSnapshotPrefix: resourcePrefix(stackName, "db"),
  };
  const credentials = { databaseName: config.database.databaseName, masterUsername: config.database.masterUsername };
  const storage = { allocatedStorageGib: config.database.allocatedStorageGib, maxAllocatedStorageGib: config.database.maxAllocatedStorageGib };
  // Failback (instance mode) rebuilds the primary region as the standby: a replica of the promoted DR
  // database, adopted as standalone once failback has promoted it (docs/runbook.md, "Failback"). An Aurora
  // global database fails back by a managed switchover, which changes no resource here.
  const replicaSourceArn = config.database.replicaSourceArn;
  const database = new ReplicatedDatabase(
    "primary-db",
    engineMode === "aurora-global"
      ? {
          ...shared,
          ...credentials,
          engineMode,
          mode: "primary",
          // The credentials secret is kept in the standby region too, so the app can connect after a failover.
          ...(config.standbyRegion !== undefined ? { credentialsReplica: { region: config.standbyRegion } } : {}),
        }
      : replicaSourceArn === undefined
        ? { ...shared, ...storage, ...credentials, mode: "primary" }
        : { ...shared, ...storage, mode: "replica", sourceDatabaseArn: replicaSourceArn, promoted: config.database.promoted },
    inRegion(provider),
  );
  // The heartbeat keeps the replica's lag meaningful and proves catch-up (components/replicationHeartbeat.ts).
  const heartbeat =
    engineMode === "instance" && STRATEGY_PROFILES[config.recovery.strategy].databaseCopy === "read-replica"
      ? new ReplicationHeartbeat(
          "primary-heartbeat",
          {
            functionName: resourcePrefix(stackName, "primary-heartbeat"),
            region: config.region,
            vpcId: region.network.vpcId,
            vpcCidrBlock: config.network.cidrBlock,
            subnetIds: region.network.privateSubnetIds,
            databaseIdentifier: database.identifier,
            // After a failover the primary-region database replicates from the DR one (database.replicaSourceArn).
            databaseArns: [database.arn, ...(replicaSourceArn !== undefined ? [replicaSourceArn] : [])],
            databaseSecurityGroupId: database.securityGroupId,
            engine,
            port: ENGINES[engine].port,
            kmsKeyArn: region.key.keyArn,
            logRetentionDays: config.network.flowLogRetentionDays,
          },
          inRegion(provider),
        )
      : undefined;
  // The app's own database user, made on the writable database at deploy and on each new credentials version
  // (components/appDatabaseUser.ts). A replica of this stack (failback, until promoted) gets it by replication.
  const writable = replicaSourceArn === undefined || config.database.promoted === true;
  if (writable) {
    new AppDatabaseUser(
      "primary-db-user",
      {
        functionName: resourcePrefix(stackName, "primary-db-user"),
        region: config.region,
        vpcId: region.network.vpcId,
        vpcCidrBlock: config.network.cidrBlock,
        subnetIds: region.network.privateSubnetIds,
        databaseSecurityGroupId: database.securityGroupId,
        engine,
        port: ENGINES[engine].port,
        databaseName: config.database.databaseName,
        database:
          engineMode === "aurora-global"
            ? { kind: "cluster", masterSecretArn: database.masterUserSecretArn as pulumi.Output<string>, endpoint: database.address }
            : { kind: "instance", identifier: database.identifier, arn: database.arn },
        appCredentials: { secretArn: appSecrets.databaseCredentialsSecretArn, versionId: appSecrets.databaseCredentialsVersionId },
        kmsKeyArn: region.key.keyArn,
        logRetentionDays: config.network.flowLogRetentionDays,
        databaseReady: [database],
      },
      inRegion(provider),
    );
  }
  const stableName = new StableDatabaseName(
    "primary-db-name",
    // This stack's database: after a failover and npm run reprotect, the replica that failback promotes (its endpoint
    // kept), so the name is right before failback and the diverged old primary gets no app writes.
    { zoneName: config.dns.privateZoneName, vpcId: region.network.vpcId, vpcRegion: config.region, databaseAddress: database.address },
    inRegion(provider),
  );

  const globalTable = config.globalTable.enabled
    ? new GlobalTable(
        "global-table",
        {
          region: config.region,
          tableName: resourcePrefix(stackName, "table"),
          partitionKey: config.globalTable.partitionKey,
          ...(config.globalTable.sortKey !== undefined ? { sortKey: config.globalTable.sortKey } : {}),
          kmsKeyArn: region.key.keyArn,
          protect: config.protect,
        },
        inRegion(provider),
      )
    : undefined;

  const applicationName = `${config.dns.applicationLabel}.${config.dns.zoneName}`;
  const zone =
    config.dns.hostedZoneId === undefined
      ? new aws.route53.Zone(
          "public-zone",
          { name: config.dns.zoneName, comment: "Application name with DNS failover", enableAcceleratedRecovery: config.dns.acceleratedRecovery },
          { provider },
        )
      : undefined;
  const scheme = region.app.listenerProtocol.toLowerCase();

  const scope = pulumi
    .all([region.app.albArn, region.app.targetGroupArn, region.app.autoScalingGroupName, region.dataBucket.bucketName, globalTable?.tableName])
    .apply(([albArn, targetGroupArn, autoScalingGroupName, sourceBucket, tableName]): DrSignalScope => ({
      primary: regionResourceIds(config.region, albArn, targetGroupArn, autoScalingGroupName),
      ...(config.standbyRegion !== undefined ? { standby: { region: config.standbyRegion } } : {}),
      replica: { kind: engineMode },
      ...(tableName !== undefined && config.standbyRegion !== undefined
        ? { globalTable: { tableName, sourceRegion: config.region, receivingRegion: config.standbyRegion } }
        : {}),
      replicaExpected: STRATEGY_PROFILES[config.recovery.strategy].databaseCopy === "read-replica",
      replication: { sourceBucket },
      rpoSeconds: config.recovery.rpoSeconds,
      objectRpoSeconds: config.recovery.objectRpoSeconds,
    }));
  const monitoring = buildMonitoring({ config, stackName, provider, region, scope, ...(standbyProvider ? { standbyProvider } : {}) });

  return {
    role: "primary",
    region: config.region,
    vpcId: region.network.vpcId,
    vpcCidrBlock: config.network.cidrBlock,
    kmsKeyArn: region.key.keyArn,
    hostedZoneId: zone ? zone.zoneId : (config.dns.hostedZoneId as string),
    hostedZoneNameServers: zone ? zone.nameServers : [],
    applicationName,
    applicationUrl: `${scheme}://${applicationName}/`,
    privateZoneName: config.dns.privateZoneName,
    databaseStableName: stableName.fqdn,
    appUrl: pulumi.interpolate`${scheme}://${region.app.albDnsName}/`,
    albArn: region.app.albArn,
    albDnsName: region.app.albDnsName,
    albZoneId: region.app.albZoneId,
    listenerProtocol: region.app.listenerProtocol,
    listenerPort: region.app.listenerPort,
    healthCheckProtocol: region.app.healthCheckProtocol,
    healthCheckPort: region.app.healthCheckPort,
    ...edge.outputs,
    ...(cache ? { cache: primaryCacheOutput(cache) } : {}),
    appInstanceType: config.app.instanceType,
    appMinSize: config.app.minSize,
    appDesiredCapacity: config.app.desiredCapacity,
    appMaxSize: config.app.maxSize,
    appPort: config.app.port,
    autoScalingGroupName: region.app.autoScalingGroupName,
    autoScalingGroupArn: region.app.autoScalingGroupArn,
    targetGroupArn: region.app.targetGroupArn,
    databaseZoneId: stableName.zoneId,
    dbArn: database.arn,
    dbIdentifier: database.identifier,
    dbEngineMode: engineMode,
    ...(database.globalClusterIdentifier ? { dbGlobalClusterIdentifier: database.globalClusterIdentifier } : {}),
    dbSubnetGroupName: database.subnetGroupName,
    dbSecurityGroupId: database.securityGroupId,
    ...(heartbeat ? { dbHeartbeatFunctionArn: heartbeat.functionArn } : {}),
    dbAddress: database.address,
    dbPort: database.port,
    dbEngine: engine,
    dbEngineVersion: engineVersion,
    dbParameterGroupFamily: parameterGroupFamily(engine, engineVersion, engineMode),
    dbInstanceClass: config.database.instanceClass,
    dbAllocatedStorageGib: config.database.allocatedStorageGib,
    dbMaxAllocatedStorageGib: config.database.maxAllocatedStorageGib,
    dbBackupRetentionDays: config.database.backupRetentionDays,
    dbMasterUserSecretArn: database.masterUserSecretArn,
    ...(globalTable ? { globalTableName: globalTable.tableName, globalTableArn: globalTable.tableArn } : {}),
    bucketName: region.dataBucket.bucketName,
    bucketArn: region.dataBucket.bucketArn,
    logArchiveBucketName: region.logArchive.bucketName,
    monitoringClusterName: region.monitoring?.clusterName,
    ...monitoringOutputs(monitoring),
    strategy: config.recovery.strategy,
    app: pulumi
      .all([
        appSecrets.databaseCredentialsSecretArn,
        appSecrets.databaseCredentialsSecretName,
        appSecrets.secretArns,
        appSecrets.standbyKeyArn,
        region.app.imageId,
      ])
      .apply(([databaseCredentialsSecretArn, databaseCredentialsSecretName, secretArns, standbyKeyArn, launchImageId]) => ({
        definition,
        parameterPath,
        databaseName: config.database.databaseName,
        launchImageId,
        secrets: {
          databaseCredentialsSecretArn,
          databaseCredentialsSecretName,
          secretArns,
          ...(config.standbyRegion !== undefined && standbyKeyArn !== undefined ? { standbyRegion: config.standbyRegion, standbyKeyArn } : {}),
        },
      })),
    ...(config.standbyRegion !== undefined ? { standbyRegion: config.standbyRegion } : {}),
    rtoSeconds: config.recovery.rtoSeconds,
    rpoSeconds: config.recovery.rpoSeconds,
    objectRpoSeconds: config.recovery.objectRpoSeconds,
  };
}
