/**
 * ReplicatedDatabase: one region's half of the RDS pair.
 * - `primary` mode: an encrypted Multi-AZ instance with automated backups, deletion protection, a
 *   final snapshot, a master password kept by RDS in Secrets Manager, enhanced monitoring,
 *   Performance Insights, log exports, IAM auth and TLS-only connections.
 * - `replica` mode: a cross-region read replica created from the primary's ARN, encrypted with a key
 *   of its own region, in an explicit DB subnet group, promotable (removing `replicateSourceDb`
 *   promotes it; RDS User Guide, "Working with read replicas").
 * - `restore` mode (backup-restore strategy): a new instance restored from the primary's replicated
 *   automated backups to the latest restorable time or a given UTC time (RDS User Guide, "Restoring
 *   to a specified time from a replicated backup"). `restoreToPointInTime` forces replacement when
 *   changed, so the stack keeps the setting for as long as the restored database lives.
 * Both modes sit in isolated subnets behind a security group open only to the given clients.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENGINES, type Engine } from "../config/schema";
import { accountContext } from "./account";
import { type DatabaseParameter, parameterGroupFamily } from "./databaseEngine";
import { managedPolicyArn, serviceTrustPolicy } from "./policyDocuments";

/** Enhanced monitoring granularity, seconds (RDS accepts 0, 1, 5, 10, 15, 30, 60). */
export const ENHANCED_MONITORING_INTERVAL_SECONDS = 60;
/** Performance Insights retention, days: 7 is the free tier (RDS User Guide). */
export const PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7;

interface CommonDatabaseArgs {
  vpcId: pulumi.Input<string>;
  /** Isolated subnets in 2 or more zones: the explicit DB subnet group (Security Hub RDS.18). */
  subnetIds: pulumi.Input<string[]>;
  /** Security groups allowed to connect on the engine port. */
  clientSecurityGroupIds: pulumi.Input<string>[];
  /** KMS key ARN of this component's region for storage, Performance Insights and the secret. */
  kmsKeyArn: pulumi.Input<string>;
  engine: Engine;
  /** Engine version as deployed on the primary, e.g. `17`; sets the parameter-group family. */
  engineVersion: string;
  /** RDS instance class, e.g. `db.t4g.medium`; a replica's is at least the primary's. */
  instanceClass: string;
  /** gp3 storage and its autoscaling ceiling, GiB. */
  allocatedStorageGib: number;
  maxAllocatedStorageGib: number;
  /** Automated backups, days (5-35). */
  backupRetentionDays: number;
  multiAz: boolean;
  /** Identical in both regions (DR invariant 7). */
  parameters: DatabaseParameter[];
  /** Deletion protection, Pulumi `protect` and a final snapshot on delete. */
  protect: boolean;
  /** Prefix of the final snapshot's identifier; the stack name keeps it unique. */
  finalSnapshotPrefix: string;
}

export type ReplicatedDatabaseArgs =
  | (CommonDatabaseArgs & {
      mode: "primary";
      databaseName: string;
      masterUsername: string;
    })
  | (CommonDatabaseArgs & {
      mode: "replica";
      /** ARN of the source DB instance in another region (cross-region replicas need the ARN). */
      sourceDatabaseArn: pulumi.Input<string>;
      /**
       * The replica has been promoted (by the failover or failback workflow): manage it as a
       * standalone instance. Removing `replicateSourceDb` is how the provider models promotion, so an
       * already promoted instance is adopted as it is, not recreated. Default false.
       */
      promoted?: boolean;
    })
  | (CommonDatabaseArgs & {
      mode: "restore";
      /** ARN of the replicated automated backups in this region (`ReplicatedBackups.replicatedBackupsArn`). */
      sourceAutomatedBackupsArn: pulumi.Input<string>;
      /** `latest` (the latest restorable time) or an ISO 8601 UTC time within the retention period. */
      restoreToTime: string;
    });

/** The provider's restore block for a replicated backup: latest restorable time or a given time. */
export function restoreToPointInTime(sourceAutomatedBackupsArn: pulumi.Input<string>, restoreToTime: string): aws.types.input.rds.InstanceRestoreToPointInTime {
  return restoreToTime === "latest"
    ? { sourceDbInstanceAutomatedBackupsArn: sourceAutomatedBackupsArn, useLatestRestorableTime: true }
    : { sourceDbInstanceAutomatedBackupsArn: sourceAutomatedBackupsArn, restoreTime: restoreToTime };
}

export class ReplicatedDatabase extends pulumi.ComponentResource {
  readonly instanceArn: pulumi.Output<string>;
  readonly instanceIdentifier: pulumi.Output<string>;
  /** DNS address of the instance, e.g. `xyz.abc.us-east-1.rds.amazonaws.com`. */
  readonly address: pulumi.Output<string>;
  readonly port: number;
  readonly securityGroupId: pulumi.Output<string>;
  /** The master user secret's ARN (primary mode; a replica shares its source's credentials). */
  readonly masterUserSecretArn: pulumi.Output<string | undefined>;

  /**
   * @throws RangeError on backup retention outside 5-35 days, storage under 20 GiB, or a ceiling
   *   below the allocated storage.
   */
  constructor(name: string, args: ReplicatedDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:data:ReplicatedDatabase", name, {}, opts);
    if (!Number.isInteger(args.backupRetentionDays) || args.backupRetentionDays < 5 || args.backupRetentionDays > 35) {
      throw new RangeError(`ReplicatedDatabase ${name}: backupRetentionDays must be 5 to 35, got ${args.backupRetentionDays}`);
    }
    if (args.allocatedStorageGib < 20 || args.maxAllocatedStorageGib < args.allocatedStorageGib) {
      throw new RangeError(
        `ReplicatedDatabase ${name}: storage must be >= 20 GiB with a ceiling >= it, got ${args.allocatedStorageGib}/${args.maxAllocatedStorageGib}`,
      );
    }
    const child = { parent: this };
    const engine = ENGINES[args.engine];
    this.port = engine.port;

    const subnetGroup = new aws.rds.SubnetGroup(`${name}-subnets`, { subnetIds: args.subnetIds, description: `${name} isolated subnets` }, child);
    const securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, { vpcId: args.vpcId, description: `${name}: engine port from the app tier` }, child);
    args.clientSecurityGroupIds.forEach((clientId, index) => {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-in-client-${index}`,
        {
          securityGroupId: securityGroup.id,
          ipProtocol: "tcp",
          fromPort: engine.port,
          toPort: engine.port,
          referencedSecurityGroupId: clientId,
          description: "engine port from a client tier",
        },
        child,
      );
    });
    const parameterGroup = new aws.rds.ParameterGroup(
      `${name}-parameters`,
      {
        family: parameterGroupFamily(args.engine, args.engineVersion),
        parameters: args.parameters,
        description: `${name} parameters, identical in both regions`,
      },
      child,
    );
    const account = accountContext(this);
    const monitoringRole = new aws.iam.Role(
      `${name}-monitoring-role`,
      { assumeRolePolicy: JSON.stringify(serviceTrustPolicy("monitoring.rds.amazonaws.com")) },
      child,
    );
    const monitoringAttachment = new aws.iam.RolePolicyAttachment(
      `${name}-monitoring`,
      { role: monitoringRole.name, policyArn: account.apply(({ partition }) => managedPolicyArn(partition, "service-role/AmazonRDSEnhancedMonitoringRole")) },
      child,
    );

    const shared: aws.rds.InstanceArgs = {
      instanceClass: args.instanceClass,
      storageType: "gp3",
      allocatedStorage: args.allocatedStorageGib,
      maxAllocatedStorage: args.maxAllocatedStorageGib,
      storageEncrypted: true,
      kmsKeyId: args.kmsKeyArn,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [securityGroup.id],
      parameterGroupName: parameterGroup.name,
      publiclyAccessible: false,
      multiAz: args.multiAz,
      backupRetentionPeriod: args.backupRetentionDays,
      deletionProtection: args.protect,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${args.finalSnapshotPrefix}-final`,
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      iamDatabaseAuthenticationEnabled: true,
      enabledCloudwatchLogsExports: [...engine.logExports],
      monitoringInterval: ENHANCED_MONITORING_INTERVAL_SECONDS,
      monitoringRoleArn: monitoringRole.arn,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: args.kmsKeyArn,
      performanceInsightsRetentionPeriod: PERFORMANCE_INSIGHTS_RETENTION_DAYS,
      port: engine.port,
    };
    const instance = new aws.rds.Instance(
      `${name}-instance`,
      args.mode === "primary"
        ? {
            ...shared,
            engine: args.engine,
            engineVersion: args.engineVersion,
            allowMajorVersionUpgrade: false,
            dbName: args.databaseName,
            username: args.masterUsername,
            manageMasterUserPassword: true,
            masterUserSecretKmsKeyId: args.kmsKeyArn,
          }
        : args.mode === "restore"
          ? {
              ...shared,
              engine: args.engine,
              engineVersion: args.engineVersion,
              allowMajorVersionUpgrade: false,
              restoreToPointInTime: restoreToPointInTime(args.sourceAutomatedBackupsArn, args.restoreToTime),
            }
          : args.promoted
            ? { ...shared, engine: args.engine, engineVersion: args.engineVersion, allowMajorVersionUpgrade: false }
            : { ...shared, replicateSourceDb: args.sourceDatabaseArn },
      { parent: this, protect: args.protect, dependsOn: [monitoringAttachment] },
    );

    this.instanceArn = instance.arn;
    this.instanceIdentifier = instance.identifier;
    this.address = instance.address;
    this.securityGroupId = securityGroup.id;
    this.masterUserSecretArn = instance.masterUserSecrets.apply((secrets) => secrets?.[0]?.secretArn);
    this.registerOutputs({
      instanceArn: this.instanceArn,
      instanceIdentifier: this.instanceIdentifier,
      address: this.address,
      securityGroupId: this.securityGroupId,
      masterUserSecretArn: this.masterUserSecretArn,
    });
  }
}
