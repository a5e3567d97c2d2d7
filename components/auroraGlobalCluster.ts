/**
 * The Aurora global database half of ReplicatedDatabase (`engineMode: "aurora-global"`): the
 * resources of one region's Aurora cluster, built as children of the ReplicatedDatabase component,
 * which owns the shared subnet group, security group and enhanced monitoring role.
 *
 * - `primary`: an encrypted `aws.rds.GlobalCluster`, the primary `aws.rds.Cluster` created inside it
 *   (customer KMS key of its region, backups, deletion protection, final snapshot, IAM auth, log
 *   exports, TLS-only cluster parameters), a writer and (multiAz) a reader `aws.rds.ClusterInstance`,
 *   and the master credentials in a KMS-encrypted Secrets Manager secret. RDS-managed master
 *   passwords (`manageMasterUserPassword`) are not supported for clusters in a global database
 *   (Aurora User Guide, "Password management with Amazon Aurora and AWS Secrets Manager",
 *   Limitations), so the password is generated here and stored in the secret.
 * - `secondary`: an `aws.rds.Cluster` in the DR region joined to the global cluster through
 *   `globalClusterIdentifier`, encrypted with the DR region's key, with `sourceRegion` the primary
 *   cluster's region (taken from the primary cluster ARN the DR stack reads through its
 *   StackReference), and no credentials: a secondary shares the primary's. `replicationSourceIdentifier`
 *   is not set: with `globalClusterIdentifier` the two are mutually exclusive on creation, and the
 *   provider docs say to ignore it instead (aws.rds.Cluster docs; aws.rds.GlobalCluster examples).
 *
 * Both clusters ignore the properties a managed switchover or failover changes
 * (`GLOBAL_MEMBER_IGNORED_CHANGES`), so `pulumi up` after a failover never undoes it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Engine } from "../config/schema";
import {
  AURORA_ENGINES,
  AURORA_LOG_EXPORTS,
  auroraEngineVersionProblem,
  auroraInstanceClassProblem,
  auroraParameterGroupFamily,
  type DatabaseParameter,
  GLOBAL_MEMBER_IGNORED_CHANGES,
} from "./databaseEngine";

/** Master password length: Aurora MySQL accepts 8-41 printable characters, Aurora PostgreSQL 8-128 (RDS User Guide, "Naming constraints"). */
export const MASTER_PASSWORD_LENGTH = 32;
/** Punctuation the password may use: every printable ASCII symbol except `/`, `"`, `@` and space, which RDS refuses. */
export const MASTER_PASSWORD_SPECIALS = "!#$%&*()-_=+[]{}<>:?";
/** Days a deleted credentials secret can still be restored (Secrets Manager allows 7-30). */
export const CREDENTIALS_RECOVERY_WINDOW_DAYS = 30;

/** Where a secondary cluster joins: the global cluster and the primary cluster, both from the primary stack's outputs. */
export interface AuroraSecondarySource {
  /** The global cluster's identifier (primary output `dbGlobalClusterIdentifier`). */
  globalClusterIdentifier: string;
  /** ARN of the primary DB cluster (`arn:aws:rds:<region>:<account>:cluster:<id>`, primary output `dbArn`); its region is the `sourceRegion`. */
  primaryClusterArn: string;
}

/** The mode-specific part of an Aurora cluster's arguments. */
export type AuroraRoleArgs =
  | {
      mode: "primary";
      /** Database created in the cluster. */
      databaseName: string;
      masterUsername: string;
      /** Also keep the credentials secret in the DR region (Secrets Manager replica), encrypted with the given key of that region or, without one, `aws/secretsmanager`. */
      credentialsReplica?: { region: string; kmsKeyArn?: pulumi.Input<string> };
    }
  | ({ mode: "secondary" } & AuroraSecondarySource);

/** What the Aurora resources need from ReplicatedDatabase: its arguments and the shared resources it built. */
export interface AuroraClusterArgs {
  engine: Engine;
  /** Aurora engine version, e.g. `17.4` or `8.0.mysql_aurora.3.08.2`. */
  engineVersion: string;
  /** Memory-optimized class (db.r*, db.x*), e.g. `db.r6g.large`. */
  instanceClass: string;
  /** KMS key ARN of this cluster's region: storage, Performance Insights and the credentials secret. */
  kmsKeyArn: pulumi.Input<string>;
  backupRetentionDays: number;
  /** true: a writer and a reader in another zone; false: the writer only. */
  multiAz: boolean;
  /** Cluster parameters, identical in both regions (DR invariant 7). */
  parameters: DatabaseParameter[];
  /** Deletion protection (cluster and global cluster) and Pulumi `protect`. */
  protect: boolean;
  /** Prefix of the final snapshot, the global cluster identifier and the credentials secret's name. */
  finalSnapshotPrefix: string;
  /**
   * Zones of the subnet group, in order: instance 0 goes to the first, instance 1 to the second, so
   * the reader never shares the writer's zone. Without them RDS picks the zones.
   */
  availabilityZones?: pulumi.Input<string>[];
  port: number;
  subnetGroupName: pulumi.Input<string>;
  securityGroupId: pulumi.Input<string>;
  monitoringRoleArn: pulumi.Input<string>;
  monitoringIntervalSeconds: number;
  performanceInsightsRetentionDays: number;
  /** Resources the instances wait for (the monitoring role's policy attachment). */
  instancesDependOn: pulumi.Input<pulumi.Resource>[];
}

/** The outputs ReplicatedDatabase exposes for an Aurora cluster. */
export interface AuroraClusterOutputs {
  clusterArn: pulumi.Output<string>;
  clusterIdentifier: pulumi.Output<string>;
  /** Cluster (writer) endpoint. */
  endpoint: pulumi.Output<string>;
  /** Reader endpoint, load-balanced across the cluster's readers. */
  readerEndpoint: pulumi.Output<string>;
  globalClusterIdentifier: pulumi.Output<string>;
  /** ARN of the credentials secret (primary); undefined for a secondary. */
  masterUserSecretArn: pulumi.Output<string | undefined>;
}

/** The region of an RDS DB cluster ARN, or undefined when `arn` is not one. */
export function clusterArnRegion(arn: string): string | undefined {
  const match = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):\d{12}:cluster:[a-z][a-z0-9-]*$/.exec(arn);
  return match?.[1];
}

/**
 * Problems with an Aurora cluster's arguments, each naming the argument; empty when valid. Checked
 * by ReplicatedDatabase before it creates anything.
 */
export function auroraArgsProblems(
  args: Pick<AuroraClusterArgs, "engine" | "engineVersion" | "instanceClass" | "availabilityZones"> & AuroraRoleArgs,
): string[] {
  const problems: string[] = [];
  const version = auroraEngineVersionProblem(args.engine, args.engineVersion);
  if (version) problems.push(`engineVersion: ${version}`);
  const instanceClass = auroraInstanceClassProblem(args.instanceClass);
  if (instanceClass) problems.push(`instanceClass: ${instanceClass}`);
  if (args.mode === "secondary") {
    if (!/^[A-Za-z][0-9A-Za-z-:._]*$/.test(args.globalClusterIdentifier)) {
      problems.push(`globalClusterIdentifier: "${args.globalClusterIdentifier}" is not a global cluster identifier (a letter, then letters, digits, - : . _)`);
    }
    if (clusterArnRegion(args.primaryClusterArn) === undefined) {
      problems.push(
        `primaryClusterArn: "${args.primaryClusterArn}" is not a DB cluster ARN (arn:aws:rds:<region>:<account>:cluster:<id>); is the primary stack in aurora-global mode?`,
      );
    }
  }
  return problems;
}

/**
 * Builds the Aurora resources of one region under `parent`.
 * @throws Error when {@link auroraArgsProblems} finds a problem (ReplicatedDatabase checks first).
 */
export function buildAuroraCluster(name: string, args: AuroraClusterArgs & AuroraRoleArgs, parent: pulumi.Resource): AuroraClusterOutputs {
  const problems = auroraArgsProblems(args);
  if (problems.length > 0) throw new Error(`ReplicatedDatabase ${name}: ${problems.join("; ")}`);
  const child = { parent };
  const engine = AURORA_ENGINES[args.engine];

  const parameterGroup = new aws.rds.ClusterParameterGroup(
    `${name}-cluster-parameters`,
    {
      family: auroraParameterGroupFamily(args.engine, args.engineVersion),
      parameters: args.parameters,
      description: `${name} cluster parameters, identical in both regions`,
    },
    child,
  );
  const shared: aws.rds.ClusterArgs = {
    engine,
    engineVersion: args.engineVersion,
    storageEncrypted: true,
    kmsKeyId: args.kmsKeyArn,
    dbSubnetGroupName: args.subnetGroupName,
    vpcSecurityGroupIds: [args.securityGroupId],
    dbClusterParameterGroupName: parameterGroup.name,
    port: args.port,
    backupRetentionPeriod: args.backupRetentionDays,
    deletionProtection: args.protect,
    skipFinalSnapshot: false,
    finalSnapshotIdentifier: `${args.finalSnapshotPrefix}-final`,
    copyTagsToSnapshot: true,
    iamDatabaseAuthenticationEnabled: true,
    enabledCloudwatchLogsExports: [...AURORA_LOG_EXPORTS[args.engine]],
  };
  const memberOptions = { parent, protect: args.protect, ignoreChanges: [...GLOBAL_MEMBER_IGNORED_CHANGES] };

  let cluster: aws.rds.Cluster;
  let globalClusterIdentifier: pulumi.Output<string>;
  let masterUserSecretArn: pulumi.Output<string | undefined>;
  if (args.mode === "primary") {
    const globalCluster = new aws.rds.GlobalCluster(
      `${name}-global`,
      {
        globalClusterIdentifier: `${args.finalSnapshotPrefix}-global`,
        engine,
        engineVersion: args.engineVersion,
        storageEncrypted: true,
        deletionProtection: args.protect,
      },
      { parent, protect: args.protect },
    );
    const password = new random.RandomPassword(
      `${name}-master-password`,
      { length: MASTER_PASSWORD_LENGTH, special: true, overrideSpecial: MASTER_PASSWORD_SPECIALS },
      child,
    );
    cluster = new aws.rds.Cluster(
      `${name}-cluster`,
      {
        ...shared,
        globalClusterIdentifier: globalCluster.id,
        databaseName: args.databaseName,
        masterUsername: args.masterUsername,
        masterPassword: password.result,
      },
      memberOptions,
    );
    const secret = new aws.secretsmanager.Secret(
      `${name}-master-credentials`,
      {
        // A prefix, not a name: a deleted secret's name stays taken for the recovery window.
        namePrefix: `${args.finalSnapshotPrefix}/master-user-`,
        description: `${name}: master user of the Aurora global database (RDS cannot manage it for global clusters)`,
        kmsKeyId: args.kmsKeyArn,
        recoveryWindowInDays: CREDENTIALS_RECOVERY_WINDOW_DAYS,
        replicas: args.credentialsReplica ? [{ region: args.credentialsReplica.region, kmsKeyId: args.credentialsReplica.kmsKeyArn }] : undefined,
      },
      child,
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-master-credentials-value`,
      {
        secretId: secret.id,
        // The shape RDS itself stores (username, password, engine, host, port, dbClusterIdentifier).
        secretString: pulumi.secret(
          pulumi.jsonStringify({
            username: args.masterUsername,
            password: password.result,
            engine,
            host: cluster.endpoint,
            port: args.port,
            dbClusterIdentifier: cluster.clusterIdentifier,
          }),
        ),
      },
      child,
    );
    globalClusterIdentifier = globalCluster.globalClusterIdentifier;
    masterUserSecretArn = secret.arn;
  } else {
    cluster = new aws.rds.Cluster(
      `${name}-cluster`,
      // No credentials and no database name: a secondary shares the primary's (the provider sends
      // neither for a global cluster member). sourceRegion is only read on creation.
      { ...shared, globalClusterIdentifier: args.globalClusterIdentifier, sourceRegion: clusterArnRegion(args.primaryClusterArn) },
      { ...memberOptions, ignoreChanges: [...memberOptions.ignoreChanges, "sourceRegion"] },
    );
    globalClusterIdentifier = pulumi.output(args.globalClusterIdentifier);
    masterUserSecretArn = pulumi.output(undefined);
  }

  // Instance 0 is created first, so it is the primary cluster's writer; instance 1 is a reader in
  // another zone (promotion tier 1), the in-region failover target. In the secondary cluster both
  // are readers until a switchover or failover makes one the writer, hence the neutral names.
  // Instances hold no data (the cluster volume does), so they are not Pulumi-protected.
  const instances: aws.rds.ClusterInstance[] = [];
  for (let index = 0; index < (args.multiAz ? 2 : 1); index++) {
    instances.push(
      new aws.rds.ClusterInstance(
        `${name}-instance-${index}`,
        {
          clusterIdentifier: cluster.id,
          engine,
          instanceClass: args.instanceClass,
          dbSubnetGroupName: args.subnetGroupName,
          availabilityZone: args.availabilityZones?.[index],
          promotionTier: index,
          publiclyAccessible: false,
          // Aurora does not apply automatic minor upgrades to global database members (AWS re:Post,
          // "upgrade an Aurora global database"); kept on for when the cluster leaves the global database.
          autoMinorVersionUpgrade: true,
          copyTagsToSnapshot: true,
          monitoringInterval: args.monitoringIntervalSeconds,
          monitoringRoleArn: args.monitoringRoleArn,
          performanceInsightsEnabled: true,
          performanceInsightsKmsKeyId: args.kmsKeyArn,
          performanceInsightsRetentionPeriod: args.performanceInsightsRetentionDays,
        },
        { parent, dependsOn: [...args.instancesDependOn, ...instances] },
      ),
    );
  }

  return {
    clusterArn: cluster.arn,
    clusterIdentifier: cluster.clusterIdentifier,
    endpoint: cluster.endpoint,
    readerEndpoint: cluster.readerEndpoint,
    globalClusterIdentifier,
    masterUserSecretArn,
  };
}
