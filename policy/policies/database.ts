/**
 * Database policies: every RDS instance encrypted with a customer-managed key of its own region,
 * private, inside a DB subnet group, backed up, protected from deletion and observable; the primary
 * Multi-AZ. In aurora-global mode the same for the Aurora global database: the global cluster and
 * each regional cluster encrypted (with a key of the cluster's region), protected, backed up,
 * TLS-only and IAM-authenticated; the secondary joining the global cluster without credentials of
 * its own; members ignoring what a switchover changes; instances private, memory-optimized and
 * with encrypted Performance Insights. Sources: @pulumi/awsguard (AG), AWS Security Hub (SH),
 * Checkov (CKV), Well-Architected reliability (WA), the Aurora User Guide (RDS).
 */
import { GLOBAL_MEMBER_IGNORED_CHANGES, TLS_PARAMETERS, auroraInstanceClassProblem, performanceInsightsSupported } from "../../components/databaseEngine";
import { arnRegion } from "../../invariants/plan";
import { asList, dependsOn, ofType, regionOf, resourcePolicy, schema, stackPolicy, TYPES } from "./kit";

/** Aurora resource types (aws.rds.GlobalCluster, Cluster, ClusterInstance, ClusterParameterGroup). */
export const AURORA_TYPES = {
  globalCluster: "aws:rds/globalCluster:GlobalCluster",
  cluster: "aws:rds/cluster:Cluster",
  clusterInstance: "aws:rds/clusterInstance:ClusterInstance",
  clusterParameterGroup: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
} as const;

/** True for a cross-region (or same-region) read replica: it names its source. */
export function isReplica(props: Record<string, any>): boolean {
  return typeof props.replicateSourceDb === "string" && props.replicateSourceDb !== "";
}

/**
 * A KMS key ARN (`arn:<partition>:kms:<region>:<account>:key/<id>`): a key, not an alias such as
 * `alias/aws/rds`. The id is a UUID, or `mrk-` and 32 hex digits for a multi-Region key.
 */
export function isCustomerKeyArn(value: unknown): boolean {
  return typeof value === "string" && /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(?:mrk-)?[0-9a-f-]+$/i.test(value) && !value.includes("alias/aws/");
}

const storageEncrypted = resourcePolicy({
  name: "rds-storage-encrypted",
  description: "RDS storage is encrypted; a cross-region replica through its own kmsKeyId (AG rds-storage-encrypted, SH RDS.3, CKV_AWS_16, WA REL09-BP02)",
  enforcementLevel: "mandatory",
  type: TYPES.rdsInstance,
  check: (props, _config, report) => {
    // A cross-region replica is encrypted by its kmsKeyId; the provider ignores storageEncrypted there (aws.rds.Instance docs).
    if (isReplica(props)) {
      if (typeof props.kmsKeyId !== "string" || props.kmsKeyId === "")
        report("a cross-region replica is encrypted only through kmsKeyId: set it to a key of the replica's region");
    } else if (props.storageEncrypted !== true) report("storageEncrypted must be true: set it (with kmsKeyId) so data and backups are encrypted at rest");
  },
});

const customerManagedKey = resourcePolicy({
  name: "rds-customer-managed-key",
  description: "RDS storage uses a customer-managed KMS key (AG, compliance-policies, WA REL09-BP02)",
  enforcementLevel: "mandatory",
  type: TYPES.rdsInstance,
  check: (props, _config, report) => {
    if (!isCustomerKeyArn(props.kmsKeyId)) {
      report(
        `kmsKeyId ${JSON.stringify(props.kmsKeyId)} is not a customer-managed key ARN: pass the region's KMS key ARN; snapshots encrypted with the AWS-managed key cannot be shared or copied across accounts`,
      );
    }
  },
});

const notPublic = resourcePolicy({
  name: "rds-not-public",
  description: "RDS instances are not publicly accessible (AG, SH RDS.2, CKV_AWS_17)",
  enforcementLevel: "mandatory",
  type: TYPES.rdsInstance,
  check: (props, _config, report) => {
    if (props.publiclyAccessible === true) report("publiclyAccessible must be false: reach the database from the app tier inside the VPC");
  },
});

const multiAz = resourcePolicy({
  name: "rds-multi-az",
  description: "The primary RDS instance is Multi-AZ (AG rds-instance-multi-az-enabled, SH RDS.5, CKV_AWS_157, WA REL10-BP01)",
  enforcementLevel: "mandatory",
  type: TYPES.rdsInstance,
  check: (props, _config, report) => {
    if (!isReplica(props) && props.multiAz !== true) report("multiAz must be true on a primary database: a zone failure must not become a regional failover");
  },
});

const backupRetention = resourcePolicy({
  name: "rds-backup-retention",
  description: "RDS automated backups are kept at least the configured days, default 5 (AG rds-instance-backup-enabled, SH RDS.11 asks 7, WA REL09-BP03)",
  enforcementLevel: "mandatory",
  type: TYPES.rdsInstance,
  config: {
    schema: { properties: { minimumRetentionDays: schema.integer("Fewest days of automated backups, 1-35", 1, 5) } },
    defaults: { minimumRetentionDays: 5 },
  },
  check: (props, config, report) => {
    const days = Number(props.backupRetentionPeriod ?? 0);
    if (!(days >= config.minimumRetentionDays)) {
      const why = isReplica(props)
        ? "a promoted replica must be backed up from its first minute as the new primary"
        : "a cross-region read replica also needs backups on its source";
      report(`backupRetentionPeriod is ${days} days, below ${config.minimumRetentionDays}: raise it (${why})`);
    }
  },
});

const deletionProtection = resourcePolicy({
  name: "rds-deletion-protection",
  description:
    "RDS instances have deletion protection; standalone ones keep a final snapshot, read replicas skip it as RDS requires (SH RDS.8, CKV_AWS_293, RDS DeleteDBInstance, DR invariant 10)",
  enforcementLevel: "mandatory",
  type: TYPES.rdsInstance,
  check: (props, _config, report) => {
    if (props.deletionProtection !== true) report("deletionProtection must be true: a destroy or a stray API call must not drop the database");
    const identifier = typeof props.finalSnapshotIdentifier === "string" && props.finalSnapshotIdentifier !== "";
    if (isReplica(props)) {
      // RDS takes no final snapshot of a read replica: DeleteDBInstance wants SkipFinalSnapshot on one and refuses
      // FinalDBSnapshotIdentifier ("can't be specified when deleting a read replica"; RDS API Reference, DeleteDBInstance).
      if (props.skipFinalSnapshot !== true)
        report("skipFinalSnapshot must be true on a read replica: RDS takes no final snapshot of one, so a destroy or a replacement would fail");
      if (identifier)
        report("finalSnapshotIdentifier must not be set on a read replica: DeleteDBInstance refuses it; the replica gets a final snapshot once promoted");
      return;
    }
    if (props.skipFinalSnapshot === true) report("skipFinalSnapshot must not be true: keep a final snapshot when the instance is deleted");
    if (!identifier) {
      report("finalSnapshotIdentifier must be set: without it RDS refuses to delete the instance or, with skipFinalSnapshot, loses the data");
    }
  },
});

/** The Enhanced Monitoring intervals RDS accepts, seconds (0 turns it off). */
const MONITORING_INTERVALS = [1, 5, 10, 15, 30, 60];

const enhancedMonitoring = resourcePolicy({
  name: "rds-enhanced-monitoring",
  description: "RDS Enhanced Monitoring is on (SH RDS.6, CKV_AWS_118)",
  enforcementLevel: "advisory",
  type: TYPES.rdsInstance,
  check: (props, _config, report) => {
    if (!MONITORING_INTERVALS.includes(Number(props.monitoringInterval ?? 0)) || !props.monitoringRoleArn) {
      report("set monitoringInterval (1, 5, 10, 15, 30 or 60 s) and monitoringRoleArn to see OS metrics during a failover");
    }
  },
});

const logExports = resourcePolicy({
  name: "rds-log-exports",
  description: "RDS exports its logs to CloudWatch Logs (SH RDS.9, CKV_AWS_129)",
  enforcementLevel: "advisory",
  type: TYPES.rdsInstance,
  check: (props, _config, report) => {
    if ((props.enabledCloudwatchLogsExports ?? []).length === 0)
      report("set enabledCloudwatchLogsExports (e.g. postgresql, upgrade) so logs survive the instance");
  },
});

const iamAuthentication = resourcePolicy({
  name: "rds-iam-authentication",
  description: "RDS IAM database authentication is on (SH RDS.10, CKV_AWS_161)",
  enforcementLevel: "advisory",
  type: TYPES.rdsInstance,
  check: (props, _config, report) => {
    if (props.iamDatabaseAuthenticationEnabled !== true) report("set iamDatabaseAuthenticationEnabled to true");
  },
});

const minorUpgrades = resourcePolicy({
  name: "rds-auto-minor-version-upgrade",
  description: "RDS applies minor engine upgrades automatically (SH RDS.13, CKV_AWS_226)",
  enforcementLevel: "advisory",
  type: TYPES.rdsInstance,
  check: (props, _config, report) => {
    if (props.autoMinorVersionUpgrade === false) report("set autoMinorVersionUpgrade to true");
  },
});

const copyTags = resourcePolicy({
  name: "rds-copy-tags-to-snapshot",
  description: "RDS copies tags to snapshots (SH RDS.17, CKV2_AWS_60)",
  enforcementLevel: "advisory",
  type: TYPES.rdsInstance,
  check: (props, _config, report) => {
    if (props.copyTagsToSnapshot !== true) report("set copyTagsToSnapshot to true so restored snapshots keep their ownership and cost tags");
  },
});

const performanceInsights = resourcePolicy({
  name: "rds-performance-insights",
  description:
    "RDS Performance Insights is on and encrypted with a customer-managed key (compliance-policies, CKV_AWS_353/354), where RDS offers it (not MySQL on micro and small classes)",
  enforcementLevel: "advisory",
  type: TYPES.rdsInstance,
  check: (props, _config, report) => {
    const engine = props.engine === "postgres" || props.engine === "mysql" ? props.engine : undefined;
    if (typeof props.instanceClass === "string" && !performanceInsightsSupported(engine, props.instanceClass)) return;
    if (props.performanceInsightsEnabled !== true) report("set performanceInsightsEnabled to true");
    else if (!isCustomerKeyArn(props.performanceInsightsKmsKeyId)) report("set performanceInsightsKmsKeyId to the region's customer-managed key");
  },
});

const inVpc = resourcePolicy({
  name: "rds-in-subnet-group",
  description: "RDS instances run in an explicit DB subnet group (SH RDS.18; a cross-region replica requires one)",
  enforcementLevel: "mandatory",
  type: TYPES.rdsInstance,
  check: (props, _config, report) => {
    if (typeof props.dbSubnetGroupName !== "string" || props.dbSubnetGroupName === "") {
      report("dbSubnetGroupName must be set: name the DB subnet group of the private subnets (a cross-region replica cannot be created without one)");
    }
  },
});

const backupCopies = resourcePolicy({
  name: "backup-copy-to-dr-region",
  description: "AWS Backup plans copy every recovery point to a vault in another region (SH Backup.1, WA REL09-BP02, REL13-BP02)",
  enforcementLevel: "mandatory",
  type: TYPES.backupPlan,
  check: (props, _config, report, resource) => {
    const home = regionOf(resource);
    for (const rule of asList<Record<string, any>>(props.rules)) {
      const copies = asList<Record<string, any>>(rule.copyActions);
      const copyRegions = copies.map((copy) => arnRegion(String(copy.destinationVaultArn ?? "")));
      if (!copyRegions.some((region) => region !== undefined && region !== "" && region !== home)) {
        report(`rule ${rule.ruleName ?? "(unnamed)"}: add a copyAction to a vault in the DR region; a backup kept only in ${home} dies with the region`);
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// Aurora global database

/** True for an Aurora cluster (not a Multi-AZ DB cluster of the mysql/postgres engines). */
export function isAuroraCluster(props: Record<string, any>): boolean {
  return typeof props.engine === "string" && props.engine.startsWith("aurora");
}

/** True for a cluster that is (or joins) an Aurora global database. */
export function isGlobalMember(props: Record<string, any>): boolean {
  return typeof props.globalClusterIdentifier === "string" && props.globalClusterIdentifier !== "";
}

/**
 * True for a secondary cluster: it joins a global cluster (or replicates a cluster) and creates no
 * database of its own, so it names no master user.
 */
export function isSecondaryCluster(props: Record<string, any>): boolean {
  const joins = isGlobalMember(props) || (typeof props.replicationSourceIdentifier === "string" && props.replicationSourceIdentifier !== "");
  return (joins && !props.masterUsername) || (typeof props.sourceRegion === "string" && props.sourceRegion !== "");
}

const auroraClusterEncrypted = resourcePolicy({
  name: "aurora-cluster-encrypted",
  description:
    "Aurora clusters are encrypted with a customer-managed KMS key of their own region (SH RDS.27, CKV_AWS_96, CKV_AWS_327, WA REL09-BP02, DR invariant 8)",
  enforcementLevel: "mandatory",
  type: AURORA_TYPES.cluster,
  check: (props, _config, report, resource) => {
    if (props.storageEncrypted !== true)
      report("storageEncrypted must be true: an Aurora cluster (and a global database secondary) is only encrypted if asked");
    if (!isCustomerKeyArn(props.kmsKeyId)) {
      report(`kmsKeyId ${JSON.stringify(props.kmsKeyId)} is not a customer-managed key ARN: pass the region's KMS key ARN`);
    } else {
      const keyRegion = arnRegion(String(props.kmsKeyId));
      const home = regionOf(resource);
      if (home !== undefined && keyRegion !== home) {
        report(
          `kmsKeyId is a key of ${keyRegion}, not of the cluster's region ${home}: a secondary must be encrypted with its own region's key so it runs when the primary region is down`,
        );
      }
    }
  },
});

const auroraGlobalClusterEncrypted = resourcePolicy({
  name: "aurora-global-cluster-encrypted",
  description: "Aurora global clusters are created encrypted, so every member must be (RDS Aurora User Guide, WA REL09-BP02)",
  enforcementLevel: "mandatory",
  type: AURORA_TYPES.globalCluster,
  check: (props, _config, report) => {
    const fromSource = typeof props.sourceDbClusterIdentifier === "string" && props.sourceDbClusterIdentifier !== "";
    if (props.storageEncrypted !== true && !fromSource) report("storageEncrypted must be true: an unencrypted global database cannot take encrypted members");
  },
});

const auroraDeletionProtection = resourcePolicy({
  name: "aurora-deletion-protection",
  description: "Aurora clusters and global clusters have deletion protection; clusters keep a final snapshot (SH RDS.7, CKV_AWS_139, DR invariant 10)",
  enforcementLevel: "mandatory",
  type: [AURORA_TYPES.cluster, AURORA_TYPES.globalCluster],
  check: (props, _config, report, resource) => {
    if (props.deletionProtection !== true) report("deletionProtection must be true: a destroy or a stray API call must not drop the database");
    if (resource.type !== AURORA_TYPES.cluster) return;
    if (props.skipFinalSnapshot === true) report("skipFinalSnapshot must not be true: keep a final snapshot when the cluster is deleted");
    if (typeof props.finalSnapshotIdentifier !== "string" || props.finalSnapshotIdentifier === "") {
      report("finalSnapshotIdentifier must be set: without it a deleted cluster leaves no snapshot");
    }
  },
});

const auroraBackupRetention = resourcePolicy({
  name: "aurora-backup-retention",
  description:
    "Aurora clusters keep automated backups at least the configured days, default 5 (Aurora default is 1; SH RDS.11 asks 7 of instances, WA REL09-BP03)",
  enforcementLevel: "mandatory",
  type: AURORA_TYPES.cluster,
  config: {
    schema: { properties: { minimumRetentionDays: schema.integer("Fewest days of automated backups of an Aurora cluster, 1-35", 1, 5) } },
    defaults: { minimumRetentionDays: 5 },
  },
  check: (props, config, report) => {
    const days = Number(props.backupRetentionPeriod ?? 1);
    if (!(days >= config.minimumRetentionDays)) {
      report(
        `backupRetentionPeriod is ${days} days, below ${config.minimumRetentionDays}: raise it (a secondary promoted by a failover is the new primary's only backup source)`,
      );
    }
  },
});

const auroraIamAuthentication = resourcePolicy({
  name: "aurora-iam-authentication",
  description: "Aurora clusters have IAM database authentication on (SH RDS.12, CKV_AWS_162)",
  enforcementLevel: "advisory",
  type: AURORA_TYPES.cluster,
  check: (props, _config, report) => {
    if (isAuroraCluster(props) && props.iamDatabaseAuthenticationEnabled !== true) report("set iamDatabaseAuthenticationEnabled to true");
  },
});

const auroraTlsOnly = resourcePolicy({
  name: "aurora-tls-only",
  description:
    "Aurora clusters use a cluster parameter group that refuses unencrypted connections: rds.force_ssl or require_secure_transport (RDS Aurora User Guide, DR invariant 7)",
  enforcementLevel: "mandatory",
  type: [AURORA_TYPES.cluster, AURORA_TYPES.clusterParameterGroup],
  check: (props, _config, report, resource) => {
    if (resource.type === AURORA_TYPES.cluster) {
      if (isAuroraCluster(props) && (typeof props.dbClusterParameterGroupName !== "string" || props.dbClusterParameterGroupName === "")) {
        report("dbClusterParameterGroupName must name the program's cluster parameter group: the default group accepts unencrypted connections");
      }
      return;
    }
    const family = String(props.family ?? "");
    const tls = family.startsWith("aurora-postgresql") ? TLS_PARAMETERS.postgres : family.startsWith("aurora-mysql") ? TLS_PARAMETERS.mysql : undefined;
    if (!tls) return;
    const parameter = asList<Record<string, any>>(props.parameters).find((candidate) => candidate.name === tls.name);
    if (!parameter || !["1", "ON"].includes(String(parameter.value).toUpperCase())) {
      report(`set ${tls.name} to ${tls.value} in the ${family} cluster parameter group, the same in both regions, so clients must use TLS`);
    }
  },
});

const auroraGlobalMembership = resourcePolicy({
  name: "aurora-global-membership",
  description:
    "Aurora global database members: no RDS-managed master password (unsupported there), and a secondary joins a global cluster from another region with no credentials of its own (RDS Aurora User Guide, DR invariant 1)",
  enforcementLevel: "mandatory",
  type: AURORA_TYPES.cluster,
  check: (props, _config, report, resource) => {
    if (isGlobalMember(props) && props.manageMasterUserPassword === true) {
      report(
        "manageMasterUserPassword is not supported for clusters in an Aurora global database: keep the master password in a Secrets Manager secret of your own",
      );
    }
    if (!isSecondaryCluster(props)) return;
    if (!isGlobalMember(props) && !(typeof props.replicationSourceIdentifier === "string" && props.replicationSourceIdentifier !== "")) {
      report("a secondary cluster (sourceRegion set) must join the global cluster: set globalClusterIdentifier to the primary stack's global cluster");
    }
    for (const field of ["masterUsername", "masterPassword", "masterPasswordWo", "manageMasterUserPassword", "databaseName"]) {
      if (props[field] !== undefined && props[field] !== null && props[field] !== false) {
        report(`a secondary cluster must not set ${field}: it shares the primary's credentials and database`);
      }
    }
    const home = regionOf(resource);
    if (typeof props.sourceRegion === "string" && props.sourceRegion === home) {
      report(`sourceRegion is the cluster's own region ${home}: a secondary belongs in another region than its primary`);
    }
  },
});

const auroraFailoverDrift = resourcePolicy({
  name: "aurora-global-failover-drift",
  description:
    "Aurora global database members ignore globalClusterIdentifier, replicationSourceIdentifier and engineVersion, so pulumi up after a switchover or failover does not undo it (DR invariants; Pulumi AWS RDS docs)",
  enforcementLevel: "mandatory",
  type: AURORA_TYPES.cluster,
  check: (props, _config, report, resource) => {
    if (!isGlobalMember(props)) return;
    const ignored = new Set(resource.opts?.ignoreChanges ?? []);
    const missing = GLOBAL_MEMBER_IGNORED_CHANGES.filter((property) => !ignored.has(property));
    if (missing.length > 0) {
      report(`add ${missing.join(", ")} to ignoreChanges: after a switchover AWS changes them, and pulumi up would promote, detach or downgrade the cluster`);
    }
  },
});

const auroraInstanceNotPublic = resourcePolicy({
  name: "aurora-instance-not-public",
  description: "Aurora cluster instances are not publicly accessible (SH RDS.2, CKV_AWS_17)",
  enforcementLevel: "mandatory",
  type: AURORA_TYPES.clusterInstance,
  check: (props, _config, report) => {
    if (props.publiclyAccessible === true) report("publiclyAccessible must be false: reach the database from the app tier inside the VPC");
  },
});

const auroraPerformanceInsights = resourcePolicy({
  name: "aurora-performance-insights",
  description: "Aurora cluster instances have Performance Insights on, encrypted with a customer-managed key (compliance-policies, CKV_AWS_353/354)",
  enforcementLevel: "advisory",
  type: AURORA_TYPES.clusterInstance,
  check: (props, _config, report) => {
    if (props.performanceInsightsEnabled !== true) report("set performanceInsightsEnabled to true");
    else if (!isCustomerKeyArn(props.performanceInsightsKmsKeyId)) report("set performanceInsightsKmsKeyId to the region's customer-managed key");
  },
});

const auroraGlobalInstanceClass = stackPolicy({
  name: "aurora-global-instance-class",
  description: "Instances of an Aurora global database use memory-optimized classes, never burstable ones (RDS Aurora User Guide, configuration requirements)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const clusters = ofType(resources, AURORA_TYPES.cluster).filter((cluster) => isGlobalMember(cluster.props));
    for (const instance of ofType(resources, AURORA_TYPES.clusterInstance)) {
      const cluster = clusters.find(
        (candidate) =>
          dependsOn(instance, candidate, "clusterIdentifier") ||
          (typeof instance.props.clusterIdentifier === "string" &&
            [candidate.props.clusterIdentifier, candidate.props.id].includes(instance.props.clusterIdentifier)),
      );
      if (!cluster) continue;
      const problem = auroraInstanceClassProblem(String(instance.props.instanceClass ?? ""));
      if (problem) report(`${instance.name} (in global database member ${cluster.name}): ${problem}`, instance.urn);
    }
  },
});

export const databasePolicies = [
  storageEncrypted,
  customerManagedKey,
  notPublic,
  multiAz,
  backupRetention,
  deletionProtection,
  enhancedMonitoring,
  logExports,
  iamAuthentication,
  minorUpgrades,
  copyTags,
  performanceInsights,
  inVpc,
  backupCopies,
  auroraClusterEncrypted,
  auroraGlobalClusterEncrypted,
  auroraDeletionProtection,
  auroraBackupRetention,
  auroraIamAuthentication,
  auroraTlsOnly,
  auroraGlobalMembership,
  auroraFailoverDrift,
  auroraInstanceNotPublic,
  auroraPerformanceInsights,
  auroraGlobalInstanceClass,
];
