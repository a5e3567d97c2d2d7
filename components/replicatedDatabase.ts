/**
 * ReplicatedDatabase: one region's half of the database pair, in one of two engine modes.
 *
 * `engineMode: "instance"` (default), an RDS DB instance:
 * - `primary` mode: an encrypted Multi-AZ instance with automated backups, deletion protection, a
 *   final snapshot, a master password kept by RDS in Secrets Manager, enhanced monitoring,
 *   Performance Insights, log exports, IAM auth and TLS-only connections.
 * - `replica` mode: a cross-region read replica created from the primary's ARN, encrypted with a key
 *   of its own region, in an explicit DB subnet group, promotable (removing `replicateSourceDb`
 *   promotes it; RDS User Guide, "Working with read replicas"). RDS takes no final snapshot of a
 *   replica, so it is deleted without one; once `promoted`, it gets a primary's final snapshot
 *   (`instanceDeletionSettings`). Its creation copies the source's data across regions and may take
 *   hours, so its create timeout grows with the storage (`dataCopyCreateTimeout`).
 * - `restore` mode (backup-restore strategy): a new instance restored from the primary's replicated
 *   automated backups to the latest restorable time or a given UTC time (RDS User Guide, "Restoring
 *   to a specified time from a replicated backup"). `restoreToPointInTime` forces replacement when
 *   changed, so the stack keeps the setting for as long as the restored database lives.
 *
 * `engineMode: "aurora-global"`, an Aurora global database (`auroraGlobalCluster.ts`):
 * - `primary` mode: the global cluster, the primary cluster and its writer (and reader).
 * - `secondary` mode: the DR region's cluster joined to the global cluster.
 *
 * Both modes share the DB subnet group of isolated subnets, the security group open only to the
 * given clients, and the enhanced monitoring role; the outputs are the same in both modes.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENGINES, type Engine } from "../config/schema";
import { accountContext } from "./account";
import { type AuroraRoleArgs, auroraArgsProblems, buildAuroraCluster } from "./auroraGlobalCluster";
import { type DatabaseParameter, type EngineMode, parameterGroupFamily, performanceInsightsSupported } from "./databaseEngine";
import { managedPolicyArn, serviceTrustPolicy } from "./policyDocuments";

/**
 * What a deleted DB instance leaves behind, by role: deletion protection per `protect` always; a
 * final snapshot for a standalone instance (a primary, a restored or a promoted database); none for
 * a read replica, where RDS refuses one: DeleteDBInstance wants `SkipFinalSnapshot` on a read
 * replica and says `FinalDBSnapshotIdentifier` "can't be specified when deleting a read replica"
 * (RDS API Reference, DeleteDBInstance; @pulumi/aws rds.Instance `finalSnapshotIdentifier`: "Must
 * not be provided when deleting a read replica"). With today's settings a `pulumi destroy` or a
 * replacement of the replica would fail. The provider uses both fields only at delete and changes
 * neither through ModifyDBInstance (terraform-provider-aws internal/service/rds/instance.go,
 * resourceInstanceUpdate and resourceInstanceDelete), so switching them on promotion is a state-only
 * update; `pulumi up` must run once before a destroy for the new values to apply.
 */
export function instanceDeletionSettings(args: {
  mode: "primary" | "replica" | "restore";
  promoted?: boolean;
  protect: boolean;
  finalSnapshotPrefix: string;
}): Pick<aws.rds.InstanceArgs, "deletionProtection" | "skipFinalSnapshot" | "finalSnapshotIdentifier"> {
  return args.mode === "replica" && args.promoted !== true
    ? { deletionProtection: args.protect, skipFinalSnapshot: true }
    : { deletionProtection: args.protect, skipFinalSnapshot: false, finalSnapshotIdentifier: `${args.finalSnapshotPrefix}-final` };
}

/**
 * The create timeout of an instance whose creation copies the data: a cross-region read replica,
 * for which RDS snapshots the source, copies the snapshot into the replica's region, restores it and
 * replays what changed since (RDS User Guide, "Creating a read replica in a different AWS Region",
 * how cross-Region replication works: hours, depending on the regions and the amount of data), and a
 * restore from replicated backups. The provider gives up after 40 minutes by default
 * (terraform-provider-aws internal/service/rds/instance.go: Timeouts Create 40m, Update 80m, Delete
 * 60m); RDS goes on, and the stack is left half-deployed. AWS publishes no copy rate, so this
 * budgets `baseHours` plus an hour per `gibPerHour` GiB of the source's storage ceiling (storage
 * autoscaling can grow it that far): 4 h for the default 200 GiB, 12 h for 1 TiB. A create that
 * fails (RDS status `failed`, `incompatible-*`) still ends the wait at once; only a slow one uses
 * the budget. Pulumi `customTimeouts` (Pulumi docs, "Resource option: customTimeouts").
 */
export const DATA_COPY_CREATE_TIMEOUT = { baseHours: 2, gibPerHour: 100 } as const;

/** The create timeout for a data-copying create of a database whose storage may reach `storageCeilingGib`, e.g. `4h`. */
export function dataCopyCreateTimeout(storageCeilingGib: number): string {
  return `${DATA_COPY_CREATE_TIMEOUT.baseHours + Math.ceil(storageCeilingGib / DATA_COPY_CREATE_TIMEOUT.gibPerHour)}h`;
}

/** Enhanced monitoring granularity, seconds (RDS accepts 0, 1, 5, 10, 15, 30, 60). */
export const ENHANCED_MONITORING_INTERVAL_SECONDS = 60;
/** Performance Insights retention, days: 7 is the free tier (RDS User Guide). */
export const PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7;

/** Arguments of both engine modes. */
interface SharedDatabaseArgs {
  vpcId: pulumi.Input<string>;
  /** Isolated subnets in 2 or more zones: the explicit DB subnet group (Security Hub RDS.18). */
  subnetIds: pulumi.Input<string[]>;
  /** Security groups allowed to connect on the engine port. */
  clientSecurityGroupIds: pulumi.Input<string>[];
  /** KMS key ARN of this component's region for storage, Performance Insights and the secret. */
  kmsKeyArn: pulumi.Input<string>;
  engine: Engine;
  /**
   * Engine version as deployed on the primary, e.g. `17` (instance) or `17.4` /
   * `8.0.mysql_aurora.3.08.2` (aurora-global); sets the parameter-group family.
   */
  engineVersion: string;
  /**
   * DB instance class, e.g. `db.t4g.medium`; a replica's is at least the primary's. aurora-global
   * needs a memory-optimized class (db.r*, db.x*), e.g. `db.r6g.large`.
   */
  instanceClass: string;
  /** Automated backups, days (5-35). */
  backupRetentionDays: number;
  /** instance: Multi-AZ standby; aurora-global: a reader in a second zone besides the writer. */
  multiAz: boolean;
  /** Identical in both regions (DR invariant 7). */
  parameters: DatabaseParameter[];
  /** Deletion protection, Pulumi `protect` and (but for a read replica) a final snapshot on delete. */
  protect: boolean;
  /** Prefix of the final snapshot's identifier; the stack name keeps it unique (aurora-global: also of the global cluster identifier and the credentials secret). */
  finalSnapshotPrefix: string;
}

/** The RDS instance mode (the default): gp3 storage. */
interface InstanceDatabaseArgs extends SharedDatabaseArgs {
  engineMode?: "instance";
  /** gp3 storage and its autoscaling ceiling, GiB. */
  allocatedStorageGib: number;
  maxAllocatedStorageGib: number;
}

/** The Aurora global database mode: storage grows on its own, so no storage sizes. */
interface AuroraDatabaseArgs extends SharedDatabaseArgs {
  engineMode: "aurora-global";
  /** Zones of the isolated subnets, in order: the writer goes to the first, the reader to the second. Default: RDS picks. */
  availabilityZones?: pulumi.Input<string>[];
}

export type ReplicatedDatabaseArgs =
  | (InstanceDatabaseArgs & {
      mode: "primary";
      databaseName: string;
      masterUsername: string;
    })
  | (InstanceDatabaseArgs & {
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
  | (InstanceDatabaseArgs & {
      mode: "restore";
      /** ARN of the replicated automated backups in this region (`ReplicatedBackups.replicatedBackupsArn`). */
      sourceAutomatedBackupsArn: pulumi.Input<string>;
      /** `latest` (the latest restorable time) or an ISO 8601 UTC time within the retention period. */
      restoreToTime: string;
    })
  | (AuroraDatabaseArgs & AuroraRoleArgs);

/** The provider's restore block for a replicated backup: latest restorable time or a given time. */
export function restoreToPointInTime(sourceAutomatedBackupsArn: pulumi.Input<string>, restoreToTime: string): aws.types.input.rds.InstanceRestoreToPointInTime {
  return restoreToTime === "latest"
    ? { sourceDbInstanceAutomatedBackupsArn: sourceAutomatedBackupsArn, useLatestRestorableTime: true }
    : { sourceDbInstanceAutomatedBackupsArn: sourceAutomatedBackupsArn, restoreTime: restoreToTime };
}

export class ReplicatedDatabase extends pulumi.ComponentResource {
  readonly engineMode: EngineMode;
  /** ARN of the DB instance (`arn:aws:rds:<region>:<account>:db:<id>`) or, aurora-global, of the DB cluster (`...:cluster:<id>`). */
  readonly arn: pulumi.Output<string>;
  /** Identifier of the DB instance or, aurora-global, of the DB cluster. */
  readonly identifier: pulumi.Output<string>;
  /** DNS address to connect to: the instance's, or the cluster (writer) endpoint, e.g. `xyz.cluster-abc.us-east-1.rds.amazonaws.com`. */
  readonly address: pulumi.Output<string>;
  /** DNS address for read-only traffic: the cluster reader endpoint (aurora-global), else the instance's address. */
  readonly readerAddress: pulumi.Output<string>;
  readonly port: number;
  readonly securityGroupId: pulumi.Output<string>;
  /** The DB subnet group's name (a restore into this region's VPC uses it). */
  readonly subnetGroupName: pulumi.Output<string>;
  /**
   * The master user secret's ARN: RDS-managed (instance primary) or the component's own secret
   * (aurora-global primary); undefined for a replica or secondary, which share their source's credentials.
   */
  readonly masterUserSecretArn: pulumi.Output<string | undefined>;
  /** The Aurora global cluster's identifier (aurora-global only). */
  readonly globalClusterIdentifier?: pulumi.Output<string>;

  /**
   * @throws RangeError on backup retention outside 5-35 days, or (instance) storage under 20 GiB or
   *   a ceiling below the allocated storage.
   * @throws Error (aurora-global) on an engine version that cannot run a global database, a
   *   burstable or non memory-optimized instance class, or a secondary's malformed global cluster
   *   identifier or primary cluster ARN (`auroraArgsProblems`).
   */
  constructor(name: string, args: ReplicatedDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:data:ReplicatedDatabase", name, {}, opts);
    if (!Number.isInteger(args.backupRetentionDays) || args.backupRetentionDays < 5 || args.backupRetentionDays > 35) {
      throw new RangeError(`ReplicatedDatabase ${name}: backupRetentionDays must be 5 to 35, got ${args.backupRetentionDays}`);
    }
    if (args.engineMode === "aurora-global") {
      const problems = auroraArgsProblems(args);
      if (problems.length > 0) throw new Error(`ReplicatedDatabase ${name}: ${problems.join("; ")}`);
    } else if (args.allocatedStorageGib < 20 || args.maxAllocatedStorageGib < args.allocatedStorageGib) {
      throw new RangeError(
        `ReplicatedDatabase ${name}: storage must be >= 20 GiB with a ceiling >= it, got ${args.allocatedStorageGib}/${args.maxAllocatedStorageGib}`,
      );
    }
    const child = { parent: this };
    const engine = ENGINES[args.engine];
    this.port = engine.port;
    this.engineMode = args.engineMode ?? "instance";

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
    this.securityGroupId = securityGroup.id;
    this.subnetGroupName = subnetGroup.name;

    if (args.engineMode === "aurora-global") {
      const aurora = buildAuroraCluster(
        name,
        {
          ...args,
          port: engine.port,
          subnetGroupName: subnetGroup.name,
          securityGroupId: securityGroup.id,
          monitoringRoleArn: monitoringRole.arn,
          monitoringIntervalSeconds: ENHANCED_MONITORING_INTERVAL_SECONDS,
          performanceInsightsRetentionDays: PERFORMANCE_INSIGHTS_RETENTION_DAYS,
          instancesDependOn: [monitoringAttachment],
        },
        this,
      );
      this.arn = aurora.clusterArn;
      this.identifier = aurora.clusterIdentifier;
      this.address = aurora.endpoint;
      this.readerAddress = aurora.readerEndpoint;
      this.masterUserSecretArn = aurora.masterUserSecretArn;
      this.globalClusterIdentifier = aurora.globalClusterIdentifier;
    } else {
      const instance = buildInstance(name, args, { subnetGroup, securityGroup, monitoringRole, monitoringAttachment }, this);
      this.arn = instance.arn;
      this.identifier = instance.identifier;
      this.address = instance.address;
      this.readerAddress = instance.address;
      this.masterUserSecretArn = instance.masterUserSecrets.apply((secrets) => secrets?.[0]?.secretArn);
    }
    this.registerOutputs({
      engineMode: this.engineMode,
      arn: this.arn,
      identifier: this.identifier,
      address: this.address,
      readerAddress: this.readerAddress,
      port: this.port,
      securityGroupId: this.securityGroupId,
      subnetGroupName: this.subnetGroupName,
      masterUserSecretArn: this.masterUserSecretArn,
      globalClusterIdentifier: this.globalClusterIdentifier,
    });
  }
}

/** The shared resources an RDS instance uses. */
interface InstanceDependencies {
  subnetGroup: aws.rds.SubnetGroup;
  securityGroup: aws.ec2.SecurityGroup;
  monitoringRole: aws.iam.Role;
  monitoringAttachment: aws.iam.RolePolicyAttachment;
}

/**
 * A standalone instance that was not created as a primary (restored from the primary's backups, or a
 * promoted replica) keeps the master password of its source, whose RDS-managed secret lives in the
 * primary region only (and is deleted with the primary's instance). RDS manages a new master password
 * in a secret of this region, encrypted with this region's key, when the instance is created or
 * modified with ManageMasterUserPassword (RDS User Guide, "Password management with Amazon RDS and
 * AWS Secrets Manager": "Modify a DB instance"); RDS refuses it for a read replica (same page,
 * limitations), so a replica gets it on adoption (`promoted`), never before. RDS generates a new
 * password then: apps (and the replication heartbeat) must read the secret RDS names in
 * DescribeDBInstances `MasterUserSecret` when they connect, not a copy of the source's.
 */
function regionalMasterSecret(
  kmsKeyArn: pulumi.Input<string>,
): Pick<aws.rds.InstanceArgs, "manageMasterUserPassword" | "masterUserSecretKmsKeyId" | "applyImmediately"> {
  // Now, not in the next maintenance window: the region's apps and heartbeat need the credentials during the recovery.
  return { manageMasterUserPassword: true, masterUserSecretKmsKeyId: kmsKeyArn, applyImmediately: true };
}

/** The RDS instance mode's parameter group and instance (primary, cross-region replica or restore), under `parent`. */
function buildInstance(
  name: string,
  args: Extract<ReplicatedDatabaseArgs, InstanceDatabaseArgs>,
  shared: InstanceDependencies,
  parent: pulumi.Resource,
): aws.rds.Instance {
  const engine = ENGINES[args.engine];
  // A new replica or restore copies the data; an adopted (promoted) replica is never created here.
  const copiesData = args.mode === "restore" || (args.mode === "replica" && args.promoted !== true);
  const parameterGroup = new aws.rds.ParameterGroup(
    `${name}-parameters`,
    {
      family: parameterGroupFamily(args.engine, args.engineVersion),
      parameters: args.parameters,
      description: `${name} parameters, identical in both regions`,
    },
    { parent },
  );
  const common: aws.rds.InstanceArgs = {
    instanceClass: args.instanceClass,
    storageType: "gp3",
    allocatedStorage: args.allocatedStorageGib,
    maxAllocatedStorage: args.maxAllocatedStorageGib,
    storageEncrypted: true,
    kmsKeyId: args.kmsKeyArn,
    dbSubnetGroupName: shared.subnetGroup.name,
    vpcSecurityGroupIds: [shared.securityGroup.id],
    parameterGroupName: parameterGroup.name,
    publiclyAccessible: false,
    multiAz: args.multiAz,
    backupRetentionPeriod: args.backupRetentionDays,
    ...instanceDeletionSettings({ ...args, promoted: args.mode === "replica" ? args.promoted : undefined }),
    copyTagsToSnapshot: true,
    autoMinorVersionUpgrade: true,
    iamDatabaseAuthenticationEnabled: true,
    enabledCloudwatchLogsExports: [...engine.logExports],
    monitoringInterval: ENHANCED_MONITORING_INTERVAL_SECONDS,
    monitoringRoleArn: shared.monitoringRole.arn,
    ...(performanceInsightsSupported(args.engine, args.instanceClass)
      ? {
          performanceInsightsEnabled: true,
          performanceInsightsKmsKeyId: args.kmsKeyArn,
          performanceInsightsRetentionPeriod: PERFORMANCE_INSIGHTS_RETENTION_DAYS,
        }
      : // RDS refuses Performance Insights for MySQL on micro and small classes (performanceInsightsSupported).
        { performanceInsightsEnabled: false }),
    port: engine.port,
  };
  return new aws.rds.Instance(
    `${name}-instance`,
    args.mode === "primary"
      ? {
          ...common,
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
            ...common,
            engine: args.engine,
            engineVersion: args.engineVersion,
            allowMajorVersionUpgrade: false,
            restoreToPointInTime: restoreToPointInTime(args.sourceAutomatedBackupsArn, args.restoreToTime),
            ...regionalMasterSecret(args.kmsKeyArn),
          }
        : args.promoted
          ? { ...common, engine: args.engine, engineVersion: args.engineVersion, allowMajorVersionUpgrade: false, ...regionalMasterSecret(args.kmsKeyArn) }
          : { ...common, replicateSourceDb: args.sourceDatabaseArn },
    {
      parent,
      protect: args.protect,
      dependsOn: [shared.monitoringAttachment],
      ...(copiesData ? { customTimeouts: { create: dataCopyCreateTimeout(args.maxAllocatedStorageGib) } } : {}),
    },
  );
}
