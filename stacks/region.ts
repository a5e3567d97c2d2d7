/**
 * What each region gets, whichever role it plays: its own KMS key, network, log archive, data
 * bucket, app tier and monitoring cluster. The role-specific parts (primary database or read
 * replica, replication, failover records) are added by `primary.ts` and `dr.ts`. Building both
 * regions from this one function is what keeps them at parity (DR invariant 7).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type ResolvedDrConfig } from "../config/drStrategy";
import { type PrimaryConfig } from "../config/schema";
import { type Engine } from "../config/schema";
import { AppParameters } from "../components/appParameters";
import { AppTier } from "../components/appTier";
import { logDeliveryStatements } from "../components/policyDocuments";
import { RegionalKey } from "../components/regionalKey";
import { RegionalNetwork } from "../components/regionalNetwork";
import { objectLockFromConfig, SecureBucket } from "../components/secureBucket";
import { MonitoringCluster } from "../components/monitoringCluster";
import { RecoveryManifest } from "../components/recoveryManifest";
import { type PrimaryOutputs } from "../config/primaryContract";
import { type EdgeOriginAccess } from "../components/edge/originAccess";
import { appAccessOf, appUserData, type AppRuntime } from "./appRuntime";
import { inRegion, resourcePrefix } from "./regionalProvider";
import { S3_FAULT_TARGET_TAG } from "../recovery/faults/catalogue";

/** Days of noncurrent data-bucket versions kept: the undo window for overwrites and deletes. */
export const DATA_NONCURRENT_VERSION_DAYS = 30;
/** Days of access logs kept in the log archive. */
export const ACCESS_LOG_RETENTION_DAYS = 365;

export interface RegionInputs {
  /** The primary's configuration, or the DR's with its strategy applied (config/drStrategy.ts). */
  config: PrimaryConfig | ResolvedDrConfig;
  stackName: string;
  provider: aws.Provider;
  /** Stable database name the app connects to, e.g. `db.app.internal`, its port, engine and database name. */
  databaseHost: string;
  databasePort: number;
  engine: Engine;
  /** The app in this region: its definition and this region's copies of its secrets. */
  app: AppRuntime;
  /** DR stacks: the primary's validated outputs, recorded in the recovery manifest. */
  primaryOutputs?: PrimaryOutputs;
  /** Behind the edge (stacks/edge.ts `primaryEdge`, `drEdgeAccess`): the ALB takes only CloudFront with the secret header. */
  edgeAccess?: EdgeOriginAccess;
}

/** The shared footprint of one region. */
export interface RegionResources {
  key: RegionalKey;
  network: RegionalNetwork;
  logArchive: SecureBucket;
  dataBucket: SecureBucket;
  app: AppTier;
  /** Absent in a DR region whose strategy runs no monitoring cluster (backup-restore). */
  monitoring?: MonitoringCluster;
  manifest: RecoveryManifest;
}

/**
 * The primary's outputs as the manifest records them: without the app's user-data template (up to
 * EC2's 16 KB), its parameters' values (up to 4 KB each) and its secrets' ARNs, since an SSM
 * parameter holds at most 8 KB (Advanced tier, SSM quotas) and the checks that read the manifest need
 * only the app's image and health path. The parameter names stay, each with an empty value. The edge's
 * origin-verify secret is left out: an SSM String parameter is no place for a secret.
 */
export function manifestCopyOf(withSecret: PrimaryOutputs): PrimaryOutputs {
  // The origin-verify secret never goes into the manifest (a plain SSM parameter).
  const { edgeOriginVerifySecret: _secret, ...primary } = withSecret;
  if (primary.app === undefined) return primary;
  const { userDataTemplate: _template, ...definition } = primary.app.definition;
  const parameters = Object.fromEntries(Object.keys(definition.parameters).map((name) => [name, ""]));
  return { ...primary, app: { ...primary.app, definition: { ...definition, parameters }, secrets: { ...primary.app.secrets, secretArns: {} } } };
}

export function buildRegion({
  config,
  stackName,
  provider,
  databaseHost,
  databasePort,
  engine,
  app: runtime,
  primaryOutputs,
  edgeAccess,
}: RegionInputs): RegionResources {
  const role = config.role;
  const prefix = resourcePrefix(stackName, role);
  const opts = inRegion(provider);
  const key = new RegionalKey(`${role}-key`, { region: config.region, aliasName: prefix, protect: config.protect }, opts);
  const network = new RegionalNetwork(
    `${role}-network`,
    {
      cidrBlock: config.network.cidrBlock,
      availabilityZoneCount: config.network.availabilityZoneCount,
      natGateways: config.network.natGateways,
      kmsKeyArn: key.keyArn,
      flowLogRetentionDays: config.network.flowLogRetentionDays,
    },
    opts,
  );
  const account = aws.getCallerIdentityOutput({}, { provider });
  const elbAccount = aws.elb.getServiceAccountOutput({}, { provider });
  const logArchive = new SecureBucket(
    `${role}-log-archive`,
    {
      encryption: { kind: "s3-managed" },
      noncurrentVersionExpirationDays: 7,
      currentVersionExpirationDays: ACCESS_LOG_RETENTION_DAYS,
      extraPolicyStatements: (logBucketArn) =>
        pulumi
          .all([account.accountId, elbAccount.arn])
          .apply(([accountId, elbServiceAccountArn]) => logDeliveryStatements({ logBucketArn, accountId, elbServiceAccountArn })),
      protect: config.protect,
    },
    opts,
  );
  // The DR copy may carry Object Lock, so a delete in the primary cannot destroy its last copy.
  const objectLock = config.role === "dr" ? objectLockFromConfig(config.objectLock) : undefined;
  const dataBucket = new SecureBucket(
    `${role}-data`,
    {
      encryption: { kind: "kms", keyArn: key.keyArn },
      ...(objectLock ? { objectLock } : {}),
      noncurrentVersionExpirationDays: DATA_NONCURRENT_VERSION_DAYS,
      accessLogBucket: logArchive.bucketName,
      protect: config.protect,
      // The FIS replication-pause drill finds the replication source by this tag (docs/fault-injection.md).
      ...(role === "primary" ? { tags: { [S3_FAULT_TARGET_TAG.key]: S3_FAULT_TARGET_TAG.value } } : {}),
    },
    opts,
  );
  const runsMonitoring = config.role === "primary" || config.footprint.monitoringCluster;
  const monitoring = !runsMonitoring
    ? undefined
    : new MonitoringCluster(
        `${role}-monitoring`,
        {
          clusterName: `${prefix}-monitoring`,
          vpcId: network.vpcId,
          privateSubnetIds: network.privateSubnetIds,
          kmsKeyArn: key.keyArn,
          kubernetesVersion: config.monitoring.kubernetesVersion,
          nodeInstanceType: config.monitoring.nodeInstanceType,
          nodeCount: config.monitoring.nodeCount,
          publicAccessCidrs: config.monitoring.publicAccessCidrs,
        },
        opts,
      );
  // The app's configuration in this region's Parameter Store (the DR stack writes the primary's values).
  new AppParameters(`${role}-app-parameters`, { path: runtime.parameterPath, parameters: runtime.definition.parameters }, opts);
  const app = new AppTier(
    `${role}-app`,
    {
      region: config.region,
      role,
      primaryRegion: primaryOutputs?.region ?? config.region,
      image: runtime.definition.image,
      imageCopyName: `${prefix}-app`,
      userData: appUserData(runtime, {
        region: config.region,
        role,
        port: config.app.port,
        instanceType: config.app.instanceType,
        engine,
        databaseHost,
        databasePort,
        bucketName: dataBucket.bucketName,
      }),
      healthPath: runtime.definition.healthPath,
      access: appAccessOf(runtime, { bucketArn: dataBucket.bucketArn, keyArn: key.keyArn }),
      vpcId: network.vpcId,
      vpcCidrBlock: config.network.cidrBlock,
      publicSubnetIds: network.publicSubnetIds,
      privateSubnetIds: network.privateSubnetIds,
      kmsKeyArn: key.keyArn,
      accessLogBucketName: logArchive.bucketName,
      instanceType: config.app.instanceType,
      minSize: config.app.minSize,
      desiredCapacity: config.app.desiredCapacity,
      maxSize: config.app.maxSize,
      targetCpuUtilizationPercent: config.app.targetCpuUtilizationPercent,
      appPort: config.app.port,
      ...(config.app.certificateArn !== undefined ? { certificateArn: config.app.certificateArn } : {}),
      databasePort,
      deletionProtection: config.protect,
      ...(monitoring ? { scrapeSourceSecurityGroupId: monitoring.nodeSecurityGroupId } : {}),
      ...(edgeAccess ? { edge: edgeAccess } : {}),
    },
    opts,
  );
  const manifest = new RecoveryManifest(
    "recovery",
    {
      manifest: {
        schemaVersion: 1,
        project: pulumi.getProject(),
        stack: stackName,
        role: config.role,
        region: config.region,
        strategy: config.recovery.strategy,
        rtoSeconds: config.recovery.rtoSeconds,
        rpoSeconds: config.recovery.rpoSeconds,
        objectRpoSeconds: config.recovery.objectRpoSeconds,
        healthPath: runtime.definition.healthPath,
        primary: primaryOutputs && manifestCopyOf(primaryOutputs),
        ...(config.role === "dr"
          ? {
              failoverDecisionSeconds: config.failover.decisionSeconds,
              ...(config.database.promoted ? { databasePromoted: true } : {}),
              ...(config.footprint.restoring ? { databaseRestored: true } : {}),
              ...(config.outage.primaryRegionDown ? { primaryRegionDown: true } : {}),
            }
          : {}),
      },
    },
    opts,
  );
  return { key, network, logArchive, dataBucket, app, monitoring, manifest };
}
