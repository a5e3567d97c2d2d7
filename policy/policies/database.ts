/**
 * Database policies: every RDS instance encrypted with a customer-managed key of its own region,
 * private, inside a DB subnet group, backed up, protected from deletion and observable; the primary
 * Multi-AZ. Sources: @pulumi/awsguard (AG), AWS Security Hub (SH), Checkov (CKV), Well-Architected
 * reliability (WA).
 */
import { arnRegion } from "../../invariants/plan";
import { asList, regionOf, resourcePolicy, schema, TYPES } from "./kit";

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
  description: "RDS instances have deletion protection and keep a final snapshot (SH RDS.8, CKV_AWS_293, DR invariant 10)",
  enforcementLevel: "mandatory",
  type: TYPES.rdsInstance,
  check: (props, _config, report) => {
    if (props.deletionProtection !== true) report("deletionProtection must be true: a destroy or a stray API call must not drop the database");
    if (props.skipFinalSnapshot === true) report("skipFinalSnapshot must not be true: keep a final snapshot when the instance is deleted");
    if (typeof props.finalSnapshotIdentifier !== "string" || props.finalSnapshotIdentifier === "") {
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
  description: "RDS Performance Insights is on and encrypted with a customer-managed key (compliance-policies, CKV_AWS_353/354)",
  enforcementLevel: "advisory",
  type: TYPES.rdsInstance,
  check: (props, _config, report) => {
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
];
