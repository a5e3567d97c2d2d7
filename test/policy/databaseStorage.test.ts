// Unit tests for the database and storage policies, in the style of pulumi/pulumi-policy-aws: for
// each policy a compliant fixture modelled on the synthesized plans (out/synth/*.plan.json) that
// passes, and for each rule a fixture broken in exactly that one way that fails with the expected
// message; then configuration, enforcement levels and the exported pure helpers.
import { expect } from "chai";
import { parseRecoveryManifest } from "../../config/recoveryManifest";
import { isCustomerKeyArn, isReplica } from "../../policy/policies/database";
import { TYPES } from "../../policy/policies/kit";
import { bucketNameOf, deniesInsecureTransport, encryptionProblem, replicationRuleProblems } from "../../policy/policies/storage";
import { primaryOutputsFixture } from "../fixtures/primaryOutputs";
import { copyOf, type FixtureResource, planOf, violationDetailsOf, violationsOf } from "./fixtures";

const ACCOUNT = "123456789012";
const PRIMARY_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/67b36b50-b2af-6baa-5415-7657811c9ffb`;
const DR_KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/bedb6028-3f3e-89be-a7f0-2fa27b7a6c37`;
const PRIMARY_DB_ARN = `arn:aws:rds:us-east-1:${ACCOUNT}:db:primary-db-instance-9cb3a42d`;
const PRIMARY_BUCKET = "primary-data-b00b7c7";
const DR_BUCKET = "dr-data-d594971";
const DR_LOGS = "dr-log-archive-36f0550";

type Props = Record<string, unknown>;

/** `base` with `patch` over it; a key patched to undefined is removed. */
function patched(base: Props, patch: Props): Props {
  const result: Props = { ...copyOf(base), ...patch };
  for (const [key, value] of Object.entries(patch)) if (value === undefined) delete result[key];
  return result;
}

/** A copy of the fixtures with one resource's props patched. */
function withProps(resources: FixtureResource[], name: string, patch: Props): FixtureResource[] {
  expect(resources.map((resource) => resource.name)).to.include(name);
  return resources.map((resource) => (resource.name === name ? { ...copyOf(resource), props: patched(resource.props, patch) } : copyOf(resource)));
}

/** A copy of the fixtures with one resource's property dependencies replaced (`{}`: linked by value only). */
function withLinks(resources: FixtureResource[], name: string, propertyDependencies: Record<string, string[]>): FixtureResource[] {
  expect(resources.map((resource) => resource.name)).to.include(name);
  return resources.map((resource) => (resource.name === name ? { ...copyOf(resource), propertyDependencies } : copyOf(resource)));
}

/** A copy of the fixtures without the named ones. */
function without(resources: FixtureResource[], ...names: string[]): FixtureResource[] {
  for (const name of names) expect(resources.map((resource) => resource.name)).to.include(name);
  return copyOf(resources.filter((resource) => !names.includes(resource.name)));
}

async function expectNone(policy: string, resources: FixtureResource[], settings?: Props): Promise<void> {
  const messages = await violationsOf(policy, resources, settings);
  expect(messages, messages.join("\n")).to.deep.equal([]);
}

/** Expects exactly `count` violations (default 1), the first matching `pattern`. */
async function expectOnly(policy: string, resources: FixtureResource[], pattern: RegExp, settings?: Props, count = 1): Promise<string[]> {
  const messages = await violationsOf(policy, resources, settings);
  expect(messages, messages.join("\n")).to.have.length(count);
  expect(messages[0]).to.match(pattern);
  return messages;
}

// ---------------------------------------------------------------------------------------------
// Database fixtures: the instances of primary.plan.json and dr.plan.json

const PRIMARY_DB: Props = {
  allocatedStorage: 50,
  allowMajorVersionUpgrade: false,
  autoMinorVersionUpgrade: true,
  backupRetentionPeriod: 7,
  copyTagsToSnapshot: true,
  dbName: "app",
  dbSubnetGroupName: "primary-db-subnets-66db70a5",
  deletionProtection: true,
  enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
  engine: "postgres",
  engineVersion: "17",
  finalSnapshotIdentifier: "multi-region-dr-primary-db-final",
  iamDatabaseAuthenticationEnabled: true,
  instanceClass: "db.t4g.medium",
  kmsKeyId: PRIMARY_KEY,
  manageMasterUserPassword: true,
  masterUserSecretKmsKeyId: PRIMARY_KEY,
  maxAllocatedStorage: 200,
  monitoringInterval: 60,
  monitoringRoleArn: `arn:aws:iam::${ACCOUNT}:role/primary-db-monitoring-role-03d67763`,
  multiAz: true,
  parameterGroupName: "primary-db-parameters-b41ddb1e",
  performanceInsightsEnabled: true,
  performanceInsightsKmsKeyId: PRIMARY_KEY,
  performanceInsightsRetentionPeriod: 7,
  port: 5432,
  publiclyAccessible: false,
  skipFinalSnapshot: false,
  storageEncrypted: true,
  storageType: "gp3",
  username: "app_admin",
  vpcSecurityGroupIds: ["sg-5e1c42513a70"],
};

const DR_REPLICA: Props = {
  allocatedStorage: 50,
  autoMinorVersionUpgrade: true,
  backupRetentionPeriod: 7,
  copyTagsToSnapshot: true,
  dbSubnetGroupName: "dr-db-subnets-ecdc921a",
  deletionProtection: true,
  enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
  iamDatabaseAuthenticationEnabled: true,
  instanceClass: "db.t4g.medium",
  kmsKeyId: DR_KEY,
  maxAllocatedStorage: 200,
  monitoringInterval: 60,
  monitoringRoleArn: `arn:aws:iam::${ACCOUNT}:role/dr-db-monitoring-role-35312dff`,
  multiAz: true,
  parameterGroupName: "dr-db-parameters-8124f77d",
  performanceInsightsEnabled: true,
  performanceInsightsKmsKeyId: DR_KEY,
  performanceInsightsRetentionPeriod: 7,
  port: 5432,
  publiclyAccessible: false,
  replicateSourceDb: PRIMARY_DB_ARN,
  // RDS takes no final snapshot of a read replica (DeleteDBInstance).
  skipFinalSnapshot: true,
  storageEncrypted: true,
  storageType: "gp3",
  vpcSecurityGroupIds: ["sg-f6cb37e8095c"],
};

/** The primary database (us-east-1) with `patch` applied. */
function primaryDb(patch: Props = {}): FixtureResource[] {
  return [{ type: TYPES.rdsInstance, name: "primary-db-instance", region: "us-east-1", props: patched(PRIMARY_DB, patch) }];
}

/** The DR read replica (us-west-2) with `patch` applied. */
function drReplica(patch: Props = {}): FixtureResource[] {
  return [{ type: TYPES.rdsInstance, name: "dr-db-instance", props: patched(DR_REPLICA, patch) }];
}

/** An AWS Backup plan of us-east-1 whose rules copy to the given vault ARNs. */
function backupPlan(rules: { ruleName?: string; copyTo?: (string | undefined)[] }[]): FixtureResource[] {
  return [
    {
      type: TYPES.backupPlan,
      name: "primary-backup-plan",
      region: "us-east-1",
      props: {
        name: "primary-backup-plan",
        rules: rules.map((rule) => ({
          ...(rule.ruleName === undefined ? {} : { ruleName: rule.ruleName }),
          targetVaultName: "primary-vault",
          schedule: "cron(0 5 ? * * *)",
          lifecycle: { deleteAfter: 35 },
          ...(rule.copyTo === undefined
            ? {}
            : { copyActions: rule.copyTo.map((arn) => ({ ...(arn === undefined ? {} : { destinationVaultArn: arn }), lifecycle: { deleteAfter: 35 } })) }),
        })),
      },
    },
  ];
}

const DR_VAULT = `arn:aws:backup:us-west-2:${ACCOUNT}:backup-vault:dr-vault`;
const PRIMARY_VAULT = `arn:aws:backup:us-east-1:${ACCOUNT}:backup-vault:primary-vault`;

describe("database policies", () => {
  describe("rds-storage-encrypted", () => {
    it("passes the encrypted primary and replica", async () => {
      await expectNone("rds-storage-encrypted", [...primaryDb(), ...drReplica()]);
    });
    it("fails storageEncrypted false", async () => {
      await expectOnly("rds-storage-encrypted", primaryDb({ storageEncrypted: false }), /^storageEncrypted must be true/);
    });
    it("fails storageEncrypted unset", async () => {
      await expectOnly("rds-storage-encrypted", primaryDb({ storageEncrypted: undefined }), /storageEncrypted must be true: set it \(with kmsKeyId\)/);
    });
    it("passes a cross-region replica encrypted by its kmsKeyId alone (the provider ignores storageEncrypted there)", async () => {
      await expectNone("rds-storage-encrypted", drReplica({ storageEncrypted: undefined }));
    });
    it("fails a cross-region replica without kmsKeyId", async () => {
      await expectOnly("rds-storage-encrypted", drReplica({ kmsKeyId: undefined }), /a cross-region replica is encrypted only through kmsKeyId/);
    });
  });

  describe("rds-customer-managed-key", () => {
    it("passes the region's key ARN on primary and replica", async () => {
      await expectNone("rds-customer-managed-key", [...primaryDb(), ...drReplica()]);
    });
    it("passes a multi-Region customer-managed key (mrk- id)", async () => {
      await expectNone("rds-customer-managed-key", primaryDb({ kmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab` }));
    });
    it("fails the AWS-managed alias alias/aws/rds", async () => {
      await expectOnly("rds-customer-managed-key", primaryDb({ kmsKeyId: "alias/aws/rds" }), /^kmsKeyId "alias\/aws\/rds" is not a customer-managed key ARN/);
    });
    it("fails the ARN of the AWS-managed alias", async () => {
      await expectOnly(
        "rds-customer-managed-key",
        primaryDb({ kmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/aws/rds` }),
        /is not a customer-managed key ARN/,
      );
    });
    it("fails a missing key (the AWS-managed key by default)", async () => {
      await expectOnly("rds-customer-managed-key", primaryDb({ kmsKeyId: undefined }), /^kmsKeyId undefined is not a customer-managed key ARN/);
    });
  });

  describe("rds-not-public", () => {
    it("passes a private instance", async () => {
      await expectNone("rds-not-public", [...primaryDb(), ...drReplica()]);
    });
    it("fails publiclyAccessible true", async () => {
      await expectOnly("rds-not-public", primaryDb({ publiclyAccessible: true }), /^publiclyAccessible must be false/);
    });
  });

  describe("rds-multi-az", () => {
    it("passes a Multi-AZ primary", async () => {
      await expectNone("rds-multi-az", primaryDb());
    });
    it("does not require Multi-AZ of a read replica", async () => {
      await expectNone("rds-multi-az", drReplica({ multiAz: false }));
    });
    it("fails a single-AZ primary", async () => {
      await expectOnly("rds-multi-az", primaryDb({ multiAz: false }), /^multiAz must be true on a primary database/);
    });
    it("fails a primary with multiAz unset", async () => {
      await expectOnly("rds-multi-az", primaryDb({ multiAz: undefined }), /multiAz must be true/);
    });
  });

  describe("rds-backup-retention", () => {
    it("passes 7 days on primary and replica", async () => {
      await expectNone("rds-backup-retention", [...primaryDb(), ...drReplica()]);
    });
    it("passes exactly the default minimum of 5 days", async () => {
      await expectNone("rds-backup-retention", primaryDb({ backupRetentionPeriod: 5 }));
    });
    it("fails a primary below 5 days, naming the replica's need", async () => {
      const [message] = await expectOnly("rds-backup-retention", primaryDb({ backupRetentionPeriod: 4 }), /^backupRetentionPeriod is 4 days, below 5/);
      expect(message).to.include("a cross-region read replica also needs backups on its source");
    });
    it("fails a replica without backups, naming promotion", async () => {
      const [message] = await expectOnly("rds-backup-retention", drReplica({ backupRetentionPeriod: 0 }), /^backupRetentionPeriod is 0 days, below 5/);
      expect(message).to.include("a promoted replica must be backed up from its first minute");
    });
    it("fails an unset retention as 0 days", async () => {
      await expectOnly("rds-backup-retention", primaryDb({ backupRetentionPeriod: undefined }), /^backupRetentionPeriod is 0 days/);
    });
    it("with minimumRetentionDays 7 fails a 5-day instance", async () => {
      await expectOnly("rds-backup-retention", primaryDb({ backupRetentionPeriod: 5 }), /^backupRetentionPeriod is 5 days, below 7/, {
        minimumRetentionDays: 7,
      });
    });
    it("with minimumRetentionDays 7 passes a 7-day instance", async () => {
      await expectNone("rds-backup-retention", primaryDb(), { minimumRetentionDays: 7 });
    });
  });

  describe("rds-deletion-protection", () => {
    it("passes deletion protection with a final snapshot, and a replica that skips it", async () => {
      await expectNone("rds-deletion-protection", [...primaryDb(), ...drReplica()]);
    });
    it("fails a read replica with a final snapshot, which RDS refuses on delete (the program's old replica settings)", async () => {
      const messages = await violationsOf(
        "rds-deletion-protection",
        drReplica({ skipFinalSnapshot: false, finalSnapshotIdentifier: "multi-region-dr-dr-db-final" }),
      );
      expect(messages).to.have.length(2);
      expect(messages[0]).to.match(/^skipFinalSnapshot must be true on a read replica/);
      expect(messages[1]).to.match(/^finalSnapshotIdentifier must not be set on a read replica/);
    });
    it("fails a read replica that leaves skipFinalSnapshot unset (the provider's default is false)", async () => {
      await expectOnly("rds-deletion-protection", drReplica({ skipFinalSnapshot: undefined }), /^skipFinalSnapshot must be true on a read replica/);
    });
    it("fails a read replica without deletion protection", async () => {
      await expectOnly("rds-deletion-protection", drReplica({ deletionProtection: false }), /^deletionProtection must be true/);
    });
    it("asks a promoted replica (no source link) for a primary's final snapshot", async () => {
      const messages = await violationsOf("rds-deletion-protection", drReplica({ replicateSourceDb: undefined }));
      expect(messages.map((message) => message.split(" ")[0])).to.deep.equal(["skipFinalSnapshot", "finalSnapshotIdentifier"]);
      await expectNone(
        "rds-deletion-protection",
        drReplica({ replicateSourceDb: undefined, skipFinalSnapshot: false, finalSnapshotIdentifier: "multi-region-dr-dr-db-final" }),
      );
    });
    it("fails deletionProtection false", async () => {
      await expectOnly("rds-deletion-protection", primaryDb({ deletionProtection: false }), /^deletionProtection must be true/);
    });
    it("fails skipFinalSnapshot true", async () => {
      await expectOnly("rds-deletion-protection", primaryDb({ skipFinalSnapshot: true }), /^skipFinalSnapshot must not be true/);
    });
    it("fails a missing finalSnapshotIdentifier", async () => {
      await expectOnly("rds-deletion-protection", primaryDb({ finalSnapshotIdentifier: undefined }), /^finalSnapshotIdentifier must be set/);
    });
    it("fails an empty finalSnapshotIdentifier", async () => {
      await expectOnly("rds-deletion-protection", primaryDb({ finalSnapshotIdentifier: "" }), /^finalSnapshotIdentifier must be set/);
    });
    it("reports each broken rule once when all three are broken", async () => {
      const messages = await violationsOf(
        "rds-deletion-protection",
        primaryDb({ deletionProtection: false, skipFinalSnapshot: true, finalSnapshotIdentifier: undefined }),
      );
      expect(messages).to.have.length(3);
      expect(messages.map((message) => message.split(" ")[0])).to.deep.equal(["deletionProtection", "skipFinalSnapshot", "finalSnapshotIdentifier"]);
    });
  });

  describe("rds-enhanced-monitoring", () => {
    it("passes a 60 s interval with a role", async () => {
      await expectNone("rds-enhanced-monitoring", [...primaryDb(), ...drReplica()]);
    });
    it("fails monitoring off (interval 0)", async () => {
      await expectOnly(
        "rds-enhanced-monitoring",
        primaryDb({ monitoringInterval: 0 }),
        /^set monitoringInterval \(1, 5, 10, 15, 30 or 60 s\) and monitoringRoleArn/,
      );
    });
    it("fails an interval RDS does not accept (7 s)", async () => {
      await expectOnly("rds-enhanced-monitoring", primaryDb({ monitoringInterval: 7 }), /set monitoringInterval/);
    });
    it("fails a missing monitoringRoleArn", async () => {
      await expectOnly("rds-enhanced-monitoring", primaryDb({ monitoringRoleArn: undefined }), /monitoringRoleArn/);
    });
  });

  describe("rds-log-exports", () => {
    it("passes postgresql and upgrade exports", async () => {
      await expectNone("rds-log-exports", primaryDb());
    });
    it("fails an empty export list", async () => {
      await expectOnly("rds-log-exports", primaryDb({ enabledCloudwatchLogsExports: [] }), /^set enabledCloudwatchLogsExports/);
    });
    it("fails unset exports", async () => {
      await expectOnly("rds-log-exports", primaryDb({ enabledCloudwatchLogsExports: undefined }), /enabledCloudwatchLogsExports/);
    });
  });

  describe("rds-iam-authentication", () => {
    it("passes IAM authentication on", async () => {
      await expectNone("rds-iam-authentication", primaryDb());
    });
    it("fails IAM authentication off", async () => {
      await expectOnly("rds-iam-authentication", primaryDb({ iamDatabaseAuthenticationEnabled: false }), /^set iamDatabaseAuthenticationEnabled to true$/);
    });
  });

  describe("rds-auto-minor-version-upgrade", () => {
    it("passes automatic minor upgrades, explicit or by the RDS default", async () => {
      await expectNone("rds-auto-minor-version-upgrade", [...primaryDb(), ...drReplica({ autoMinorVersionUpgrade: undefined })]);
    });
    it("fails autoMinorVersionUpgrade false", async () => {
      await expectOnly("rds-auto-minor-version-upgrade", primaryDb({ autoMinorVersionUpgrade: false }), /^set autoMinorVersionUpgrade to true$/);
    });
  });

  describe("rds-copy-tags-to-snapshot", () => {
    it("passes copyTagsToSnapshot true", async () => {
      await expectNone("rds-copy-tags-to-snapshot", primaryDb());
    });
    it("fails copyTagsToSnapshot false", async () => {
      await expectOnly("rds-copy-tags-to-snapshot", primaryDb({ copyTagsToSnapshot: false }), /^set copyTagsToSnapshot to true/);
    });
  });

  describe("rds-performance-insights", () => {
    it("passes Performance Insights with the region's key", async () => {
      await expectNone("rds-performance-insights", [...primaryDb(), ...drReplica()]);
    });
    it("fails Performance Insights off", async () => {
      await expectOnly("rds-performance-insights", primaryDb({ performanceInsightsEnabled: false }), /^set performanceInsightsEnabled to true$/);
    });
    it("fails Performance Insights on with the default (AWS-managed) key", async () => {
      await expectOnly("rds-performance-insights", primaryDb({ performanceInsightsKmsKeyId: undefined }), /^set performanceInsightsKmsKeyId/);
    });
    it("fails Performance Insights on with alias/aws/rds", async () => {
      await expectOnly("rds-performance-insights", primaryDb({ performanceInsightsKmsKeyId: "alias/aws/rds" }), /performanceInsightsKmsKeyId/);
    });
    it("passes Performance Insights off where RDS does not offer it: MySQL, and a replica (no engine), on micro and small classes", async () => {
      const off = { performanceInsightsEnabled: false, performanceInsightsKmsKeyId: undefined };
      await expectNone("rds-performance-insights", primaryDb({ ...off, engine: "mysql", instanceClass: "db.t4g.micro" }));
      await expectNone("rds-performance-insights", drReplica({ ...off, instanceClass: "db.t3.small" }));
    });
    it("still fails Performance Insights off for PostgreSQL on a micro class, and for MySQL on a medium one", async () => {
      const off = { performanceInsightsEnabled: false };
      await expectOnly(
        "rds-performance-insights",
        primaryDb({ ...off, engine: "postgres", instanceClass: "db.t4g.micro" }),
        /^set performanceInsightsEnabled to true$/,
      );
      await expectOnly(
        "rds-performance-insights",
        primaryDb({ ...off, engine: "mysql", instanceClass: "db.t4g.medium" }),
        /^set performanceInsightsEnabled to true$/,
      );
    });
  });

  describe("rds-in-subnet-group", () => {
    it("passes an explicit DB subnet group", async () => {
      await expectNone("rds-in-subnet-group", [...primaryDb(), ...drReplica()]);
    });
    it("fails a missing DB subnet group", async () => {
      await expectOnly("rds-in-subnet-group", drReplica({ dbSubnetGroupName: undefined }), /^dbSubnetGroupName must be set/);
    });
    it("fails an empty DB subnet group name", async () => {
      await expectOnly("rds-in-subnet-group", primaryDb({ dbSubnetGroupName: "" }), /dbSubnetGroupName must be set/);
    });
  });

  describe("backup-copy-to-dr-region", () => {
    it("passes a plan that copies every rule's recovery points to the DR region", async () => {
      await expectNone("backup-copy-to-dr-region", backupPlan([{ ruleName: "daily", copyTo: [DR_VAULT] }]));
    });
    it("passes a rule with a same-region copy and a DR-region copy", async () => {
      await expectNone("backup-copy-to-dr-region", backupPlan([{ ruleName: "daily", copyTo: [PRIMARY_VAULT, DR_VAULT] }]));
    });
    it("fails a rule without copy actions", async () => {
      await expectOnly(
        "backup-copy-to-dr-region",
        backupPlan([{ ruleName: "daily" }]),
        /^rule daily: add a copyAction to a vault in the DR region; a backup kept only in us-east-1/,
      );
    });
    it("fails a rule that copies only within its own region", async () => {
      await expectOnly("backup-copy-to-dr-region", backupPlan([{ ruleName: "daily", copyTo: [PRIMARY_VAULT] }]), /^rule daily: add a copyAction/);
    });
    it("fails a copy action without a destination vault ARN", async () => {
      await expectOnly("backup-copy-to-dr-region", backupPlan([{ ruleName: "daily", copyTo: [undefined] }]), /^rule daily: add a copyAction/);
    });
    it("fails a copy action whose destination is not an ARN", async () => {
      await expectOnly("backup-copy-to-dr-region", backupPlan([{ ruleName: "daily", copyTo: ["dr-vault"] }]), /^rule daily: add a copyAction/);
    });
    it("names only the rule that does not copy, or (unnamed)", async () => {
      const messages = await violationsOf(
        "backup-copy-to-dr-region",
        backupPlan([{ ruleName: "daily", copyTo: [DR_VAULT] }, { ruleName: "weekly", copyTo: [] }, { copyTo: [PRIMARY_VAULT] }]),
      );
      expect(messages).to.have.length(2);
      expect(messages[0]).to.match(/^rule weekly:/);
      expect(messages[1]).to.match(/^rule \(unnamed\):/);
    });
  });

  describe("configuration and enforcement levels", () => {
    it("reports mandatory policies as mandatory against the broken resource", async () => {
      const violations = await violationDetailsOf("rds-not-public", primaryDb({ publiclyAccessible: true }));
      expect(violations).to.have.length(1);
      expect(violations[0]).to.include({ policy: "rds-not-public", enforcementLevel: "mandatory", resource: "primary-db-instance" });
    });
    it("reports advisory policies as advisory", async () => {
      const violations = await violationDetailsOf("rds-iam-authentication", primaryDb({ iamDatabaseAuthenticationEnabled: false }));
      expect(violations.map((violation) => violation.enforcementLevel)).to.deep.equal(["advisory"]);
    });
    it("enforcementLevel disabled yields nothing for a broken instance", async () => {
      expect(await violationsOf("rds-storage-encrypted", primaryDb({ storageEncrypted: false }))).to.have.length(1);
      expect(await violationsOf("rds-storage-encrypted", primaryDb({ storageEncrypted: false }), { enforcementLevel: "disabled" })).to.deep.equal([]);
    });
    it("enforcementLevel advisory downgrades a mandatory policy", async () => {
      const violations = await violationDetailsOf("rds-multi-az", primaryDb({ multiAz: false }), { enforcementLevel: "advisory" });
      expect(violations.map((violation) => violation.enforcementLevel)).to.deep.equal(["advisory"]);
    });
    it("a threshold and a level can be set together", async () => {
      const violations = await violationDetailsOf("rds-backup-retention", primaryDb({ backupRetentionPeriod: 6 }), {
        enforcementLevel: "advisory",
        minimumRetentionDays: 7,
      });
      expect(violations).to.have.length(1);
      expect(violations[0].enforcementLevel).to.equal("advisory");
      expect(violations[0].message).to.match(/is 6 days, below 7/);
    });
    it("rejects a threshold below its schema minimum", async () => {
      let error: unknown;
      try {
        await violationsOf("rds-backup-retention", primaryDb(), { minimumRetentionDays: 0 });
      } catch (caught) {
        error = caught;
      }
      expect(String(error)).to.match(/rds-backup-retention\.minimumRetentionDays: 0 is below the minimum 1/);
    });
    it("resource policies ignore other resource types", async () => {
      const bucketWithRdsLikeProps: FixtureResource = { type: TYPES.s3Bucket, name: "odd", props: { publiclyAccessible: true, storageEncrypted: false } };
      await expectNone("rds-not-public", [bucketWithRdsLikeProps]);
      await expectNone("rds-storage-encrypted", [bucketWithRdsLikeProps]);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Storage fixtures: the SecureBucket components of dr.plan.json

/** The DR data bucket's TLS-only policy, as the program writes it (SecureTransport a JSON boolean). */
function tlsPolicy(bucketName: string, extra: Record<string, unknown>[] = []): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`],
        Condition: { Bool: { "aws:SecureTransport": false } },
      },
      ...extra,
    ],
  });
}

const ALB_LOG_STATEMENTS = (bucketName: string) => [
  {
    Sid: "S3ServerAccessLogs",
    Effect: "Allow",
    Principal: { Service: "logging.s3.amazonaws.com" },
    Action: "s3:PutObject",
    Resource: `arn:aws:s3:::${bucketName}/s3/*`,
    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
  },
  {
    Sid: "AlbAccessLogs",
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::797873946194:root" },
    Action: "s3:PutObject",
    Resource: `arn:aws:s3:::${bucketName}/alb/AWSLogs/${ACCOUNT}/*`,
  },
];

const KMS_ENCRYPTION = { rules: [{ applyServerSideEncryptionByDefault: { kmsMasterKeyId: DR_KEY, sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }] };
const S3_ENCRYPTION = { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] };
const LIFECYCLE_RULE = {
  abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
  filter: {},
  id: "expire-noncurrent-versions-and-abort-uploads",
  noncurrentVersionExpiration: { noncurrentDays: 30 },
  status: "Enabled",
};

interface BucketOptions {
  /** data: SSE-KMS and server access logs to `logTarget`; logs: the log archive, SSE-S3. */
  kind: "data" | "logs";
  /** How the companions find their bucket: its `bucket` output and a property dependency (as the program does), or only one of them. */
  link?: "both" | "dependency" | "name";
  /** Server access log archive of a data bucket. */
  logTarget?: string;
}

/** A SecureBucket as the program builds it: the bucket and its seven (data) or six (logs) companions. */
function secureBucket(name: string, bucketName: string, options: BucketOptions): FixtureResource[] {
  const link = options.link ?? "both";
  const companion = (suffix: string, type: string, props: Props): FixtureResource => ({
    type,
    name: `${name}-${suffix}`,
    props: link === "dependency" ? props : { bucket: bucketName, ...props },
    ...(link === "name" ? {} : { propertyDependencies: { bucket: [name] } }),
  });
  const resources: FixtureResource[] = [
    {
      type: TYPES.s3Bucket,
      name,
      props: {
        arn: `arn:aws:s3:::${bucketName}`,
        bucket: bucketName,
        bucketRegionalDomainName: `${bucketName}.s3.us-west-2.amazonaws.com`,
        forceDestroy: false,
        region: "us-west-2",
      },
    },
    companion("public-access", TYPES.s3PublicAccessBlock, {
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }),
    companion("ownership", TYPES.s3OwnershipControls, { rule: { objectOwnership: "BucketOwnerEnforced" } }),
    companion("versioning", TYPES.s3Versioning, { versioningConfiguration: { status: "Enabled" } }),
    companion("policy", TYPES.s3Policy, { policy: tlsPolicy(bucketName, options.kind === "logs" ? ALB_LOG_STATEMENTS(bucketName) : []) }),
    companion("encryption", TYPES.s3Encryption, copyOf(options.kind === "data" ? KMS_ENCRYPTION : S3_ENCRYPTION)),
    companion("lifecycle", TYPES.s3Lifecycle, { rules: [copyOf(LIFECYCLE_RULE)] }),
  ];
  if (options.kind === "data" && options.logTarget) {
    resources.push(companion("access-logging", TYPES.s3Logging, { targetBucket: options.logTarget, targetPrefix: `s3/${bucketName}/` }));
  }
  return resources;
}

/** The DR application load balancer, logging to `logBucket`. */
function alb(logBucket: string): FixtureResource {
  return {
    type: TYPES.loadBalancer,
    name: "dr-app-alb",
    props: {
      accessLogs: { bucket: logBucket, enabled: true, prefix: "alb" },
      desyncMitigationMode: "defensive",
      dropInvalidHeaderFields: true,
      enableDeletionProtection: true,
      internal: false,
      loadBalancerType: "application",
    },
  };
}

/** The DR stack's storage: the data bucket logging to the log archive, which also takes the ALB's logs. */
function drStorage(link: BucketOptions["link"] = "both"): FixtureResource[] {
  return [
    ...secureBucket("dr-data", DR_BUCKET, { kind: "data", link, logTarget: DR_LOGS }),
    ...secureBucket("dr-log-archive", DR_LOGS, { kind: "logs", link }),
    alb(DR_LOGS),
  ];
}

/** A replication rule as the tests edit it: every part may be removed. */
interface ReplicationRule {
  id?: string;
  status: string;
  priority?: number;
  filter?: object;
  deleteMarkerReplication: { status: string };
  sourceSelectionCriteria?: { sseKmsEncryptedObjects: { status: string } };
  destination: {
    bucket?: string;
    encryptionConfiguration?: { replicaKmsKeyId: string };
    metrics?: { eventThreshold: { minutes: number }; status: string };
    replicationTime: { status: string; time: { minutes: number } };
    storageClass?: string;
  };
}

/** The primary's replication configuration into the DR bucket, as dr.plan.json records it. */
const REPLICATION_RULE: ReplicationRule = {
  deleteMarkerReplication: { status: "Enabled" },
  destination: {
    bucket: `arn:aws:s3:::${DR_BUCKET}`,
    encryptionConfiguration: { replicaKmsKeyId: DR_KEY },
    metrics: { eventThreshold: { minutes: 15 }, status: "Enabled" },
    replicationTime: { status: "Enabled", time: { minutes: 15 } },
    storageClass: "STANDARD",
  },
  filter: {},
  id: "replicate-everything-to-dr",
  priority: 1,
  sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
  status: "Enabled",
};

function replicationConfig(patch: Props = {}, ruleOverrides: (rule: ReplicationRule) => void = () => {}): FixtureResource {
  const rule = copyOf(REPLICATION_RULE);
  ruleOverrides(rule);
  return {
    type: TYPES.s3Replication,
    name: "replication-config",
    props: patched(
      {
        arn: `arn:aws:s3:us-east-1:${ACCOUNT}:replication-config-d11f3f0a`,
        bucket: PRIMARY_BUCKET,
        region: "us-east-1",
        role: `arn:aws:iam::${ACCOUNT}:role/replication-role-9af8d65e`,
        rules: [rule],
      },
      patch,
    ),
    propertyDependencies: { bucket: [], role: ["replication-role"], rules: ["dr-data", "dr-key-key"] },
  };
}

interface Statement {
  Sid: string;
  Effect: "Allow";
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, unknown>;
}

/** The replication role's permissions, as the program writes them. */
function replicationStatements(): Statement[] {
  return [
    {
      Sid: "ReadSourceConfiguration",
      Effect: "Allow",
      Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
      Resource: `arn:aws:s3:::${PRIMARY_BUCKET}`,
    },
    {
      Sid: "ReadSourceObjectVersions",
      Effect: "Allow",
      Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
      Resource: `arn:aws:s3:::${PRIMARY_BUCKET}/*`,
    },
    {
      Sid: "WriteReplicas",
      Effect: "Allow",
      Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
      Resource: `arn:aws:s3:::${DR_BUCKET}/*`,
    },
    {
      Sid: "DecryptSourceObjects",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: PRIMARY_KEY,
      Condition: { StringLike: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
    },
    {
      Sid: "EncryptReplicas",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:GenerateDataKey"],
      Resource: DR_KEY,
      Condition: { StringLike: { "kms:ViaService": "s3.us-west-2.amazonaws.com" } },
    },
  ];
}

function replicationRole(link: "dependency" | "name" = "dependency", statements: Statement[] = replicationStatements()): FixtureResource[] {
  return [
    {
      type: TYPES.iamRole,
      name: "replication-role",
      props: {
        arn: `arn:aws:iam::${ACCOUNT}:role/replication-role-9af8d65e`,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        name: "replication-role-9af8d65e",
      },
    },
    {
      type: TYPES.iamRolePolicy,
      name: "replication-permissions",
      props: { policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }), role: "replication-role-9af8d65e" },
      ...(link === "dependency" ? { propertyDependencies: { role: ["replication-role"], policy: ["dr-data", "dr-key-key"] } } : {}),
    },
  ];
}

/** The DR stack's recovery manifest, as dr.plan.json records it. */
const MANIFEST = {
  schemaVersion: 1,
  project: "multi-region-dr",
  stack: "dr",
  role: "dr",
  region: "us-west-2",
  strategy: "warm-standby",
  rtoSeconds: 900,
  rpoSeconds: 60,
  objectRpoSeconds: 900,
  failoverDecisionSeconds: 300,
  primary: primaryOutputsFixture({
    kmsKeyArn: PRIMARY_KEY,
    dbArn: PRIMARY_DB_ARN,
    bucketName: PRIMARY_BUCKET,
    bucketArn: `arn:aws:s3:::${PRIMARY_BUCKET}`,
  }),
};

function manifestParameter(manifest: object = MANIFEST): FixtureResource {
  return {
    type: TYPES.ssmParameter,
    name: "recovery-parameter",
    props: {
      dataType: "text",
      description: "Recovery manifest of stack dr (dr): declared RTO/RPO and the pair contract",
      insecureValue: JSON.stringify(manifest),
      name: "/multi-region-dr/dr/recovery-manifest",
      tier: "Standard",
      type: "String",
    },
  };
}

/** The DR stack's replication wiring: manifest, destination bucket with companions, role and configuration. */
function drReplication(): FixtureResource[] {
  return [manifestParameter(), ...secureBucket("dr-data", DR_BUCKET, { kind: "data", logTarget: DR_LOGS }), ...replicationRole(), replicationConfig()];
}

describe("storage resource policies", () => {
  const dataBucket = () => secureBucket("dr-data", DR_BUCKET, { kind: "data", logTarget: DR_LOGS });

  describe("s3-public-access-block", () => {
    it("passes all four flags true", async () => {
      await expectNone("s3-public-access-block", dataBucket());
    });
    for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
      it(`fails ${flag} false, naming only it`, async () => {
        const [message] = await expectOnly(
          "s3-public-access-block",
          withProps(dataBucket(), "dr-data-public-access", { [flag]: false }),
          /^set \w+ to true: a DR copy/,
        );
        expect(message).to.equal(`set ${flag} to true: a DR copy of the data must be as private as the original`);
      });
    }
    it("fails a block with no flags, naming all four in one report", async () => {
      const flags = { blockPublicAcls: undefined, blockPublicPolicy: undefined, ignorePublicAcls: undefined, restrictPublicBuckets: undefined };
      await expectOnly(
        "s3-public-access-block",
        withProps(dataBucket(), "dr-data-public-access", flags),
        /^set blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets to true/,
      );
    });
  });

  describe("s3-acls-disabled", () => {
    it("passes BucketOwnerEnforced", async () => {
      await expectNone("s3-acls-disabled", dataBucket());
    });
    it("fails BucketOwnerPreferred", async () => {
      await expectOnly(
        "s3-acls-disabled",
        withProps(dataBucket(), "dr-data-ownership", { rule: { objectOwnership: "BucketOwnerPreferred" } }),
        /^rule\.objectOwnership is "BucketOwnerPreferred": set BucketOwnerEnforced$/,
      );
    });
    it("fails a missing rule", async () => {
      await expectOnly("s3-acls-disabled", withProps(dataBucket(), "dr-data-ownership", { rule: undefined }), /^rule\.objectOwnership is undefined/);
    });
  });

  describe("s3-tls-only", () => {
    const policyOf = (statement: Record<string, unknown>) => withProps(dataBucket(), "dr-data-policy", { policy: JSON.stringify({ Statement: [statement] }) });
    const deny = {
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [`arn:aws:s3:::${DR_BUCKET}`, `arn:aws:s3:::${DR_BUCKET}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
    it("passes the program's policy (SecureTransport as a JSON boolean)", async () => {
      await expectNone("s3-tls-only", dataBucket());
    });
    it('passes SecureTransport as the string "false"', async () => {
      await expectNone("s3-tls-only", policyOf(deny));
    });
    it("passes the log archive's policy with its Allow statements besides the deny", async () => {
      await expectNone("s3-tls-only", secureBucket("dr-log-archive", DR_LOGS, { kind: "logs" }));
    });
    it("fails a policy without the TLS statement", async () => {
      await expectOnly("s3-tls-only", policyOf(ALB_LOG_STATEMENTS(DR_BUCKET)[0]), /^add a statement that denies s3:\* to Principal "\*"/);
    });
    it("fails an Allow instead of a Deny", async () => {
      await expectOnly("s3-tls-only", policyOf({ ...deny, Effect: "Allow" }), /aws:SecureTransport is "false"/);
    });
    it("fails a deny of one action only", async () => {
      await expectOnly("s3-tls-only", policyOf({ ...deny, Action: "s3:GetObject" }), /denies s3:\*/);
    });
    it("fails a deny that applies to one principal only", async () => {
      await expectOnly("s3-tls-only", policyOf({ ...deny, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }), /denies s3:\*/);
    });
    it("fails a deny conditioned on SecureTransport true (denies the TLS requests)", async () => {
      await expectOnly("s3-tls-only", policyOf({ ...deny, Condition: { Bool: { "aws:SecureTransport": true } } }), /denies s3:\*/);
    });
    it("fails a policy that is not JSON", async () => {
      await expectOnly("s3-tls-only", withProps(dataBucket(), "dr-data-policy", { policy: "{not json" }), /denies s3:\*/);
    });
  });

  describe("s3-versioning-enabled", () => {
    it("passes Enabled", async () => {
      await expectNone("s3-versioning-enabled", dataBucket());
    });
    it("fails Suspended", async () => {
      await expectOnly(
        "s3-versioning-enabled",
        withProps(dataBucket(), "dr-data-versioning", { versioningConfiguration: { status: "Suspended" } }),
        /^versioningConfiguration\.status is "Suspended": set Enabled/,
      );
    });
    it("fails a missing configuration", async () => {
      await expectOnly("s3-versioning-enabled", withProps(dataBucket(), "dr-data-versioning", { versioningConfiguration: undefined }), /status is undefined/);
    });
  });

  describe("s3-lifecycle", () => {
    const lifecycleWith = (rule: Props) => withProps(dataBucket(), "dr-data-lifecycle", { rules: [rule] });
    it("passes a rule that expires noncurrent versions and aborts uploads", async () => {
      await expectNone("s3-lifecycle", dataBucket());
    });
    it("passes the two actions in two Enabled rules", async () => {
      const rules = [
        patched(LIFECYCLE_RULE, { abortIncompleteMultipartUpload: undefined }),
        patched(LIFECYCLE_RULE, { noncurrentVersionExpiration: undefined, id: "abort" }),
      ];
      await expectNone("s3-lifecycle", withProps(dataBucket(), "dr-data-lifecycle", { rules }));
    });
    it("fails without noncurrentVersionExpiration", async () => {
      await expectOnly(
        "s3-lifecycle",
        lifecycleWith(patched(LIFECYCLE_RULE, { noncurrentVersionExpiration: undefined })),
        /^add an Enabled rule with noncurrentVersionExpiration$/,
      );
    });
    it("fails without abortIncompleteMultipartUpload", async () => {
      await expectOnly(
        "s3-lifecycle",
        lifecycleWith(patched(LIFECYCLE_RULE, { abortIncompleteMultipartUpload: undefined })),
        /^add an Enabled rule with abortIncompleteMultipartUpload$/,
      );
    });
    it("fails a Disabled rule on both counts", async () => {
      const messages = await expectOnly(
        "s3-lifecycle",
        lifecycleWith(patched(LIFECYCLE_RULE, { status: "Disabled" })),
        /noncurrentVersionExpiration/,
        undefined,
        2,
      );
      expect(messages[1]).to.match(/abortIncompleteMultipartUpload/);
    });
  });

  describe("s3-access-logging-target", () => {
    it("passes logging to the log archive", async () => {
      await expectNone("s3-access-logging-target", dataBucket());
    });
    it("fails a missing targetBucket", async () => {
      await expectOnly(
        "s3-access-logging-target",
        withProps(dataBucket(), "dr-data-access-logging", { targetBucket: undefined }),
        /^set targetBucket to the region's log archive bucket$/,
      );
    });
    it("fails a bucket that logs to itself", async () => {
      await expectOnly(
        "s3-access-logging-target",
        withProps(dataBucket(), "dr-data-access-logging", { targetBucket: DR_BUCKET }),
        /^targetBucket is the bucket itself/,
      );
    });
  });

  describe("s3-replication-rules", () => {
    const broken = (change: (rule: ReplicationRule) => void) => [replicationConfig({}, change)];
    it("passes the program's rule", async () => {
      await expectNone("s3-replication-rules", [replicationConfig()]);
    });
    it("fails a configuration without rules", async () => {
      await expectOnly("s3-replication-rules", [replicationConfig({ rules: [] })], /^has no Enabled rule: nothing is replicated/);
    });
    it("fails a configuration whose only rule is Disabled", async () => {
      await expectOnly(
        "s3-replication-rules",
        broken((rule) => (rule.status = "Disabled")),
        /^has no Enabled rule/,
      );
    });
    const cases: [string, (rule: ReplicationRule) => void, RegExp][] = [
      ["a missing destination bucket", (rule) => delete rule.destination.bucket, /destination\.bucket is not set$/],
      [
        "a destination bucket given by name, not ARN",
        (rule) => (rule.destination.bucket = DR_BUCKET),
        /destination\.bucket "dr-data-d594971" is not a bucket ARN/,
      ],
      ["delete markers not replicated", (rule) => (rule.deleteMarkerReplication.status = "Disabled"), /deleteMarkerReplication must be Enabled/],
      ["SSE-KMS objects not selected", (rule) => delete rule.sourceSelectionCriteria, /sourceSelectionCriteria\.sseKmsEncryptedObjects must be Enabled/],
      ["no replica key", (rule) => delete rule.destination.encryptionConfiguration, /replicaKmsKeyId must be a KMS key ARN/],
      [
        "the AWS-managed S3 key as replica key",
        (rule) => (rule.destination.encryptionConfiguration!.replicaKmsKeyId = "alias/aws/s3"),
        /replicaKmsKeyId must be a KMS key ARN/,
      ],
      [
        "no Replication Time Control",
        (rule) => (rule.destination.replicationTime.status = "Disabled"),
        /replicationTime and destination\.metrics must both be Enabled/,
      ],
      ["no replication metrics", (rule) => delete rule.destination.metrics, /replicationTime and destination\.metrics must both be Enabled/],
    ];
    for (const [what, change, pattern] of cases) {
      it(`fails ${what}`, async () => {
        const [message] = await expectOnly("s3-replication-rules", broken(change), pattern);
        expect(message).to.match(/^rule replicate-everything-to-dr: /);
      });
    }
    it("names a rule without id as (no id)", async () => {
      await expectOnly(
        "s3-replication-rules",
        broken((rule) => ((rule.deleteMarkerReplication.status = "Disabled"), delete rule.id)),
        /^rule \(no id\): deleteMarkerReplication/,
      );
    });
  });
});

describe("storage stack policies", () => {
  describe("s3-bucket-safeguards", () => {
    it("passes the DR stack's buckets (companions linked by dependency and name, as the program does)", async () => {
      await expectNone("s3-bucket-safeguards", drStorage());
    });
    it("finds companions through their bucket property dependency alone", async () => {
      const resources = drStorage("dependency");
      // The fixture really links by dependency only: the companion does not name its bucket.
      const plan = planOf(resources);
      const versioning = plan.resources.find((resource) => resource.name === "dr-data-versioning")!;
      expect(versioning.inputs).to.not.have.property("bucket");
      expect(versioning.propertyDependencies.bucket).to.deep.equal([plan.resources.find((resource) => resource.name === "dr-data")!.urn]);
      await expectNone("s3-bucket-safeguards", resources);
    });
    it("finds companions through the bucket name alone", async () => {
      const resources = drStorage("name");
      expect(planOf(resources).resources.every((resource) => Object.keys(resource.propertyDependencies).length === 0)).to.equal(true);
      await expectNone("s3-bucket-safeguards", resources);
    });
    it("does not take another bucket's companions", async () => {
      const resources = [
        ...secureBucket("dr-data", DR_BUCKET, { kind: "data", link: "name" }),
        { type: TYPES.s3Bucket, name: "dr-other", props: { bucket: "dr-other-1234567", forceDestroy: false } },
      ];
      const messages = await violationsOf("s3-bucket-safeguards", resources);
      expect(messages).to.have.length(5);
      expect(messages.every((message) => message.startsWith("dr-other: has no "))).to.equal(true, messages.join("\n"));
    });
    it("does not take unnamed companions for a bucket whose name is unknown", async () => {
      const orphan: FixtureResource[] = [
        { type: TYPES.s3Bucket, name: "nameless", props: { forceDestroy: false } },
        { type: TYPES.s3Versioning, name: "stray-versioning", props: { versioningConfiguration: { status: "Enabled" } } },
        {
          type: TYPES.s3PublicAccessBlock,
          name: "stray-public-access",
          props: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        },
      ];
      const messages = await violationsOf("s3-bucket-safeguards", orphan);
      expect(messages).to.have.length(5);
      expect(messages).to.include("nameless: has no BucketVersioning; add one with status Enabled");
      expect(messages).to.include("nameless: has no BucketPublicAccessBlock; add one with all four flags true");
    });
    it("fails forceDestroy, against the bucket", async () => {
      const violations = await violationDetailsOf("s3-bucket-safeguards", withProps(drStorage(), "dr-data", { forceDestroy: true }));
      expect(violations).to.have.length(1);
      expect(violations[0].message).to.match(/^dr-data: forceDestroy deletes every object on destroy/);
      expect(violations[0]).to.include({ resource: "dr-data", enforcementLevel: "mandatory" });
    });
    const missing: [string, string, RegExp][] = [
      ["public access block", "dr-data-public-access", /^dr-data: has no BucketPublicAccessBlock/],
      ["ownership controls", "dr-data-ownership", /^dr-data: has no BucketOwnershipControls/],
      ["versioning", "dr-data-versioning", /^dr-data: has no BucketVersioning/],
      ["bucket policy", "dr-data-policy", /^dr-data: has no bucket policy that denies requests without TLS/],
      ["encryption configuration", "dr-data-encryption", /^dr-data: has no BucketServerSideEncryptionConfiguration/],
    ];
    for (const [what, companion, pattern] of missing) {
      it(`fails a bucket without its ${what}`, async () => {
        await expectOnly("s3-bucket-safeguards", without(drStorage(), companion), pattern);
      });
    }
    it("fails a bucket policy that does not deny plain HTTP", async () => {
      const allowOnly = JSON.stringify({ Version: "2012-10-17", Statement: ALB_LOG_STATEMENTS(DR_LOGS) });
      await expectOnly(
        "s3-bucket-safeguards",
        withProps(drStorage(), "dr-log-archive-policy", { policy: allowOnly }),
        /^dr-log-archive: has no bucket policy that denies/,
      );
    });
    it("fails a data bucket encrypted with SSE-S3", async () => {
      await expectOnly(
        "s3-bucket-safeguards",
        withProps(drStorage(), "dr-data-encryption", copyOf(S3_ENCRYPTION)),
        /^dr-data: sseAlgorithm is "AES256": use aws:kms/,
      );
    });
    it("fails a data bucket with the AWS-managed S3 key", async () => {
      const rules = [{ applyServerSideEncryptionByDefault: { kmsMasterKeyId: "alias/aws/s3", sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }];
      await expectOnly("s3-bucket-safeguards", withProps(drStorage(), "dr-data-encryption", { rules }), /^dr-data: kmsMasterKeyId must be the ARN/);
    });
    it("fails a data bucket without S3 Bucket Keys", async () => {
      const rules = [{ applyServerSideEncryptionByDefault: { kmsMasterKeyId: DR_KEY, sseAlgorithm: "aws:kms" }, bucketKeyEnabled: false }];
      await expectOnly("s3-bucket-safeguards", withProps(drStorage(), "dr-data-encryption", { rules }), /^dr-data: bucketKeyEnabled must be true/);
    });
    it("passes a data bucket with DSSE-KMS (which has no Bucket Keys)", async () => {
      const rules = [{ applyServerSideEncryptionByDefault: { kmsMasterKeyId: DR_KEY, sseAlgorithm: "aws:kms:dsse" } }];
      await expectNone("s3-bucket-safeguards", withProps(drStorage(), "dr-data-encryption", { rules }));
    });
    it("fails the ALB log archive encrypted with SSE-KMS", async () => {
      await expectOnly(
        "s3-bucket-safeguards",
        withProps(drStorage(), "dr-log-archive-encryption", copyOf(KMS_ENCRYPTION)),
        /^dr-log-archive: receives ALB access logs, which support only SSE-S3: set sseAlgorithm AES256 \(found "aws:kms"\)/,
      );
    });
    it("fails an SSE-S3 bucket that receives no ALB logs", async () => {
      const noAlb = without(drStorage(), "dr-app-alb");
      await expectOnly("s3-bucket-safeguards", noAlb, /^dr-log-archive: sseAlgorithm is "AES256": use aws:kms/);
    });
    it("does not count an ALB whose access logs are disabled", async () => {
      const disabled = withProps(drStorage(), "dr-app-alb", { accessLogs: { bucket: DR_LOGS, enabled: false, prefix: "alb" } });
      await expectOnly("s3-bucket-safeguards", disabled, /^dr-log-archive: sseAlgorithm is "AES256"/);
    });
  });

  describe("s3-logging-and-lifecycle", () => {
    it("passes the DR stack's buckets", async () => {
      await expectNone("s3-logging-and-lifecycle", drStorage());
    });
    it("finds companions through the dependency alone, and through the name alone", async () => {
      await expectNone("s3-logging-and-lifecycle", drStorage("dependency"));
      await expectNone("s3-logging-and-lifecycle", drStorage("name"));
    });
    it("exempts a bucket that receives only S3 server access logs", async () => {
      await expectNone("s3-logging-and-lifecycle", without(drStorage(), "dr-app-alb"));
    });
    it("fails a data bucket without server access logging, as advisory against the bucket", async () => {
      const violations = await violationDetailsOf("s3-logging-and-lifecycle", without(drStorage(), "dr-data-access-logging"));
      expect(violations).to.have.length(1);
      expect(violations[0].message).to.match(/^dr-data: has no BucketLogging; send its server access logs to the log archive bucket$/);
      expect(violations[0]).to.include({ resource: "dr-data", enforcementLevel: "advisory" });
    });
    it("can be raised to mandatory, or disabled, through its settings", async () => {
      const broken = without(drStorage(), "dr-data-lifecycle");
      const raised = await violationDetailsOf("s3-logging-and-lifecycle", broken, { enforcementLevel: "mandatory" });
      expect(raised.map((violation) => [violation.enforcementLevel, violation.message])).to.deep.equal([
        ["mandatory", "dr-data: has no lifecycle configuration"],
      ]);
      expect(await violationsOf("s3-logging-and-lifecycle", broken, { enforcementLevel: "disabled" })).to.deep.equal([]);
    });
    it("fails a log archive that receives no logs and logs nowhere", async () => {
      const messages = await violationsOf("s3-logging-and-lifecycle", without(drStorage(), "dr-data-access-logging", "dr-app-alb"));
      expect(messages).to.deep.equal([
        "dr-data: has no BucketLogging; send its server access logs to the log archive bucket",
        "dr-log-archive: has no BucketLogging; send its server access logs to the log archive bucket",
      ]);
    });
    it("fails a bucket without lifecycle", async () => {
      await expectOnly("s3-logging-and-lifecycle", without(drStorage(), "dr-log-archive-lifecycle"), /^dr-log-archive: has no lifecycle configuration$/);
    });
    it("does not take another bucket's logging as this bucket's", async () => {
      const foreign = withProps(drStorage("name"), "dr-data-access-logging", { bucket: "some-other-bucket" });
      await expectOnly("s3-logging-and-lifecycle", foreign, /^dr-data: has no BucketLogging/);
    });
  });

  describe("s3-replication-cross-region", () => {
    it("passes the DR stack's replication wiring", async () => {
      await expectNone("s3-replication-cross-region", drReplication());
    });
    it("the manifest fixture is the valid one of the real DR plan", async () => {
      expect(parseRecoveryManifest(String(manifestParameter().props.insecureValue)).problems).to.deep.equal([]);
    });
    it("passes a role and role policy found by ARN and name, without dependencies", async () => {
      const resources = [
        manifestParameter(),
        ...secureBucket("dr-data", DR_BUCKET, { kind: "data", link: "name" }),
        ...replicationRole("name"),
        { ...replicationConfig(), propertyDependencies: {} },
      ];
      await expectNone("s3-replication-cross-region", resources);
    });
    it("passes a role and role policy found through their dependencies alone (ARN and name not yet known)", async () => {
      let resources = withProps(drReplication(), "replication-role", { arn: undefined, name: undefined });
      resources = withProps(resources, "replication-permissions", { role: undefined });
      resources = withProps(resources, "replication-config", { role: undefined });
      await expectNone("s3-replication-cross-region", resources);
    });
    it("does not take a role of unknown ARN for a configuration of unknown role", async () => {
      let resources = withProps(drReplication(), "replication-role", { arn: undefined });
      resources = withLinks(withProps(resources, "replication-config", { role: undefined }), "replication-config", {});
      await expectOnly("s3-replication-cross-region", resources, /^replication-config: its role is not a role of this stack/);
    });
    it("does not take a policy of an unnamed role for the replication role's", async () => {
      let resources = withProps(drReplication(), "replication-role", { name: undefined });
      resources = withLinks(withProps(resources, "replication-permissions", { role: undefined }), "replication-permissions", {});
      const messages = await violationsOf("s3-replication-cross-region", resources);
      expect(messages).to.have.length(5);
      expect(messages.every((message) => message.startsWith("replication-config: the replication role may not"))).to.equal(true, messages.join("\n"));
    });
    it("passes a destination versioned through a dependency only", async () => {
      const resources = [
        manifestParameter(),
        ...secureBucket("dr-data", DR_BUCKET, { kind: "data", link: "dependency" }),
        ...replicationRole(),
        replicationConfig(),
      ];
      await expectNone("s3-replication-cross-region", resources);
    });
    it("passes a primary stack without a manifest primary or replication", async () => {
      const primaryManifest = { ...MANIFEST, stack: "primary", role: "primary", region: "us-east-1", primary: undefined };
      await expectNone("s3-replication-cross-region", [manifestParameter(primaryManifest), ...secureBucket("primary-data", PRIMARY_BUCKET, { kind: "data" })]);
    });
    it("fails a DR stack that does not replicate the primary's bucket", async () => {
      await expectOnly(
        "s3-replication-cross-region",
        without(drReplication(), "replication-config"),
        /^the primary data bucket primary-data-b00b7c7 has no replication configuration into this DR stack/,
      );
    });
    it("fails a DR stack whose configuration replicates another bucket", async () => {
      const other = [...without(drReplication(), "replication-config"), replicationConfig({ bucket: "some-other-bucket" })];
      const messages = await violationsOf("s3-replication-cross-region", other);
      expect(messages.filter((message) => message.startsWith("the primary data bucket primary-data-b00b7c7 has no replication"))).to.have.length(1);
    });
    it("accepts the primary's bucket given by ARN", async () => {
      const byArn = [...without(drReplication(), "replication-config"), replicationConfig({ bucket: `arn:aws:s3:::${PRIMARY_BUCKET}` })];
      await expectNone("s3-replication-cross-region", byArn);
    });
    it("fails a role that is not a role of the stack", async () => {
      const resources = [
        ...without(drReplication(), "replication-role", "replication-permissions", "replication-config"),
        { ...replicationConfig(), propertyDependencies: {} },
      ];
      await expectOnly("s3-replication-cross-region", resources, /^replication-config: its role is not a role of this stack/);
    });
    const rights: [string, (statements: Statement[]) => Statement[], RegExp][] = [
      [
        "read the source configuration",
        (statements) => statements.filter((statement) => statement.Sid !== "ReadSourceConfiguration"),
        /may not s3:GetReplicationConfiguration on arn:aws:s3:::primary-data-b00b7c7$/,
      ],
      [
        "read source object versions",
        (statements) => statements.filter((statement) => statement.Sid !== "ReadSourceObjectVersions"),
        /may not s3:GetObjectVersionForReplication on arn:aws:s3:::primary-data-b00b7c7\/\*$/,
      ],
      [
        "decrypt with the source key",
        (statements) => statements.filter((statement) => statement.Sid !== "DecryptSourceObjects"),
        /may not kms:Decrypt with the source key arn:aws:kms:us-east-1:/,
      ],
      [
        "write replicas",
        (statements) => statements.filter((statement) => statement.Sid !== "WriteReplicas"),
        /may not s3:ReplicateObject into arn:aws:s3:::dr-data-d594971$/,
      ],
      [
        "encrypt with the destination key",
        (statements) => statements.filter((statement) => statement.Sid !== "EncryptReplicas"),
        /may not kms:Encrypt with the destination key arn:aws:kms:us-west-2:/,
      ],
    ];
    for (const [what, change, pattern] of rights) {
      it(`fails a role that may not ${what}`, async () => {
        const resources = [
          ...without(drReplication(), "replication-role", "replication-permissions"),
          ...replicationRole("dependency", change(replicationStatements())),
        ];
        const [message] = await expectOnly("s3-replication-cross-region", resources, pattern);
        expect(message).to.match(/^replication-config: the replication role may not /);
      });
    }
    it("fails a role whose permissions are in another role's policy", async () => {
      const resources = without(drReplication(), "replication-permissions");
      const messages = await violationsOf("s3-replication-cross-region", resources);
      expect(messages).to.have.length(5);
      expect(messages.every((message) => message.startsWith("replication-config: the replication role may not"))).to.equal(true, messages.join("\n"));
    });
    it("fails a destination that is not a bucket of the stack", async () => {
      const resources = without(drReplication(), ...secureBucket("dr-data", DR_BUCKET, { kind: "data", logTarget: DR_LOGS }).map((resource) => resource.name));
      await expectOnly("s3-replication-cross-region", resources, /^replication-config: destination arn:aws:s3:::dr-data-d594971 is not a bucket of this stack/);
    });
    it("fails a source in the destination's region", async () => {
      await expectOnly(
        "s3-replication-cross-region",
        withProps(drReplication(), "replication-config", { region: "us-west-2" }),
        /^replication-config: source and destination are both in us-west-2; replicate into the DR region$/,
      );
    });
    it("takes the source region from the provider when the configuration has none", async () => {
      const resources = drReplication().map((resource) =>
        resource.name === "replication-config" ? { ...resource, region: "us-west-2", props: patched(resource.props, { region: undefined }) } : resource,
      );
      await expectOnly("s3-replication-cross-region", resources, /source and destination are both in us-west-2/);
    });
    it("fails an unversioned destination", async () => {
      await expectOnly(
        "s3-replication-cross-region",
        without(drReplication(), "dr-data-versioning"),
        /^replication-config: versioning is not Enabled on the destination dr-data-d594971; S3 rejects replication/,
      );
    });
    it("fails a destination with versioning Suspended", async () => {
      await expectOnly(
        "s3-replication-cross-region",
        withProps(drReplication(), "dr-data-versioning", { versioningConfiguration: { status: "Suspended" } }),
        /versioning is not Enabled on the destination/,
      );
    });
    it("fails a replica key of another region", async () => {
      // The role may use that key, so only the region is wrong.
      const statements = replicationStatements().map((statement) =>
        statement.Sid === "EncryptReplicas" ? { ...statement, Resource: PRIMARY_KEY } : statement,
      );
      const resources = [
        ...without(drReplication(), "replication-role", "replication-permissions", "replication-config"),
        ...replicationRole("dependency", statements),
        replicationConfig({}, (rule) => (rule.destination.encryptionConfiguration!.replicaKmsKeyId = PRIMARY_KEY)),
      ];
      await expectOnly(
        "s3-replication-cross-region",
        resources,
        /^replication-config: replicaKmsKeyId arn:aws:kms:us-east-1:\S+ is a key of us-east-1; use a key of the destination region us-west-2$/,
      );
    });
    it("ignores Disabled rules (s3-replication-rules reports them)", async () => {
      const resources = [
        ...without(drReplication(), "replication-config"),
        replicationConfig({}, (rule) => ((rule.status = "Disabled"), (rule.destination.bucket = "arn:aws:s3:::elsewhere"))),
      ];
      await expectNone("s3-replication-cross-region", resources);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Pure helpers

describe("database and storage helpers", () => {
  describe("isCustomerKeyArn", () => {
    it("accepts key ARNs of any region and partition, including multi-Region keys", () => {
      expect(isCustomerKeyArn(PRIMARY_KEY)).to.equal(true);
      expect(isCustomerKeyArn(DR_KEY)).to.equal(true);
      expect(isCustomerKeyArn(`arn:aws-us-gov:kms:us-gov-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`)).to.equal(true);
      expect(isCustomerKeyArn(`arn:aws:kms:eu-west-1:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`)).to.equal(true);
    });
    it("rejects aliases, AWS-managed keys, bare ids and non-strings", () => {
      expect(isCustomerKeyArn("alias/aws/rds")).to.equal(false);
      expect(isCustomerKeyArn(`arn:aws:kms:us-east-1:${ACCOUNT}:alias/aws/rds`)).to.equal(false);
      expect(isCustomerKeyArn(`arn:aws:kms:us-east-1:${ACCOUNT}:alias/app-data`)).to.equal(false);
      expect(isCustomerKeyArn("67b36b50-b2af-6baa-5415-7657811c9ffb")).to.equal(false);
      expect(isCustomerKeyArn(`arn:aws:kms:us-east-1:12345:key/67b36b50-b2af-6baa-5415-7657811c9ffb`)).to.equal(false);
      expect(isCustomerKeyArn(`arn:aws:s3:::${DR_BUCKET}`)).to.equal(false);
      expect(isCustomerKeyArn(undefined)).to.equal(false);
      expect(isCustomerKeyArn(42)).to.equal(false);
    });
  });

  describe("isReplica", () => {
    it("is true when the instance names its source", () => {
      expect(isReplica(DR_REPLICA)).to.equal(true);
      expect(isReplica({ replicateSourceDb: "primary-db" })).to.equal(true);
    });
    it("is false for a primary, an empty source or a non-string", () => {
      expect(isReplica(PRIMARY_DB)).to.equal(false);
      expect(isReplica({ replicateSourceDb: "" })).to.equal(false);
      expect(isReplica({ replicateSourceDb: 1 })).to.equal(false);
    });
  });

  describe("deniesInsecureTransport", () => {
    const statement = (patch: Props) => ({
      Statement: [patched({ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": false } } }, patch)],
    });
    it('accepts SecureTransport as boolean false and as the string "false", as text or parsed', () => {
      expect(deniesInsecureTransport(tlsPolicy(DR_BUCKET))).to.equal(true);
      expect(deniesInsecureTransport(JSON.stringify(statement({ Condition: { Bool: { "aws:SecureTransport": "false" } } })))).to.equal(true);
      expect(deniesInsecureTransport(statement({}))).to.equal(true);
    });
    it('accepts Principal {AWS: "*"} and {AWS: ["*"]}', () => {
      expect(deniesInsecureTransport(statement({ Principal: { AWS: "*" } }))).to.equal(true);
      expect(deniesInsecureTransport(statement({ Principal: { AWS: ["*"] } }))).to.equal(true);
    });
    it("accepts a deny of every action and a condition key in another case", () => {
      expect(deniesInsecureTransport(statement({ Action: "*" }))).to.equal(true);
      expect(deniesInsecureTransport(statement({ Action: ["s3:GetObject", "s3:*"] }))).to.equal(true);
      expect(deniesInsecureTransport(statement({ Condition: { Bool: { "aws:securetransport": "false" } } }))).to.equal(true);
    });
    it("accepts a single statement object instead of a list", () => {
      expect(deniesInsecureTransport({ Statement: statement({}).Statement[0] })).to.equal(true);
    });
    it('rejects SecureTransport true or "true", and a missing condition', () => {
      expect(deniesInsecureTransport(statement({ Condition: { Bool: { "aws:SecureTransport": true } } }))).to.equal(false);
      expect(deniesInsecureTransport(statement({ Condition: { Bool: { "aws:SecureTransport": "true" } } }))).to.equal(false);
      expect(deniesInsecureTransport(statement({ Condition: undefined }))).to.equal(false);
    });
    it("rejects Allow, a named principal, a service principal and a narrower action", () => {
      expect(deniesInsecureTransport(statement({ Effect: "Allow" }))).to.equal(false);
      expect(deniesInsecureTransport(statement({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }))).to.equal(false);
      expect(deniesInsecureTransport(statement({ Principal: { Service: "*" } }))).to.equal(false);
      expect(deniesInsecureTransport(statement({ Action: ["s3:GetObject", "s3:PutObject"] }))).to.equal(false);
    });
    it("rejects no policy, an empty policy and text that is not JSON", () => {
      expect(deniesInsecureTransport(undefined)).to.equal(false);
      expect(deniesInsecureTransport("{}")).to.equal(false);
      expect(deniesInsecureTransport("Deny aws:SecureTransport false")).to.equal(false);
    });
  });

  describe("replicationRuleProblems", () => {
    it("finds nothing wrong with the program's rule", () => {
      expect(replicationRuleProblems(copyOf(REPLICATION_RULE))).to.deep.equal([]);
    });
    it("finds all five problems of an empty rule, one each", () => {
      const problems = replicationRuleProblems({});
      expect(problems).to.have.length(5);
      expect(problems[0]).to.equal("destination.bucket is not set");
      expect(problems.slice(1).map((problem) => problem.split(" ")[0])).to.deep.equal([
        "deleteMarkerReplication",
        "sourceSelectionCriteria.sseKmsEncryptedObjects",
        "destination.encryptionConfiguration.replicaKmsKeyId",
        "destination.replicationTime",
      ]);
    });
    it("requires both Replication Time Control and metrics", () => {
      const noMetrics = copyOf(REPLICATION_RULE);
      noMetrics.destination.metrics!.status = "Disabled";
      expect(replicationRuleProblems(noMetrics)).to.have.length(1);
      expect(replicationRuleProblems(noMetrics)[0]).to.include("Replication Time Control");
    });
    it("requires the destination bucket as an ARN", () => {
      const byName = copyOf(REPLICATION_RULE);
      byName.destination.bucket = DR_BUCKET;
      expect(replicationRuleProblems(byName)).to.deep.equal([`destination.bucket "${DR_BUCKET}" is not a bucket ARN: S3 expects arn:aws:s3:::<bucket>`]);
    });
  });

  describe("encryptionProblem", () => {
    const sse = (byDefault: Props | undefined, bucketKeyEnabled?: boolean) => ({
      rules: [{ ...(byDefault ? { applyServerSideEncryptionByDefault: byDefault } : {}), ...(bucketKeyEnabled === undefined ? {} : { bucketKeyEnabled }) }],
    });
    it("passes SSE-KMS with a customer-managed key and Bucket Keys", () => {
      expect(encryptionProblem(copyOf(KMS_ENCRYPTION), false)).to.equal(undefined);
    });
    it("passes DSSE-KMS with a customer-managed key (Bucket Keys do not apply)", () => {
      expect(encryptionProblem(sse({ sseAlgorithm: "aws:kms:dsse", kmsMasterKeyId: DR_KEY }), false)).to.equal(undefined);
    });
    it("passes SSE-S3 on the ALB log bucket and fails SSE-KMS there", () => {
      expect(encryptionProblem(copyOf(S3_ENCRYPTION), true)).to.equal(undefined);
      expect(encryptionProblem(copyOf(KMS_ENCRYPTION), true)).to.match(
        /^receives ALB access logs, which support only SSE-S3: set sseAlgorithm AES256 \(found "aws:kms"\)$/,
      );
      expect(encryptionProblem({ rules: [] }, true)).to.match(/\(found undefined\)$/);
    });
    it("fails SSE-S3 on a bucket without ALB logs", () => {
      expect(encryptionProblem(copyOf(S3_ENCRYPTION), false)).to.match(/^sseAlgorithm is "AES256": use aws:kms with the region's customer-managed key$/);
    });
    it("fails no default encryption", () => {
      expect(encryptionProblem({}, false)).to.match(/^sseAlgorithm is undefined/);
      expect(encryptionProblem(sse(undefined, true), false)).to.match(/^sseAlgorithm is undefined/);
    });
    it("fails an AWS-managed or missing key", () => {
      expect(encryptionProblem(sse({ sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/aws/s3" }, true), false)).to.match(/^kmsMasterKeyId must be the ARN/);
      expect(encryptionProblem(sse({ sseAlgorithm: "aws:kms:dsse" }), false)).to.match(/^kmsMasterKeyId must be the ARN/);
    });
    it("fails SSE-KMS without Bucket Keys", () => {
      expect(encryptionProblem(sse({ sseAlgorithm: "aws:kms", kmsMasterKeyId: DR_KEY }), false)).to.match(/^bucketKeyEnabled must be true/);
      expect(encryptionProblem(sse({ sseAlgorithm: "aws:kms", kmsMasterKeyId: DR_KEY }, false), false)).to.match(/^bucketKeyEnabled must be true/);
    });
    it("reads the default from whichever rule carries it", () => {
      const rules = [{ bucketKeyEnabled: true }, { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: DR_KEY } }];
      expect(encryptionProblem({ rules }, false)).to.equal(undefined);
    });
  });

  describe("bucketNameOf", () => {
    it("strips the S3 ARN prefix of any partition", () => {
      expect(bucketNameOf(`arn:aws:s3:::${DR_BUCKET}`)).to.equal(DR_BUCKET);
      expect(bucketNameOf("arn:aws-cn:s3:::logs-cn")).to.equal("logs-cn");
    });
    it("keeps a plain name and turns nothing into the empty string", () => {
      expect(bucketNameOf(DR_BUCKET)).to.equal(DR_BUCKET);
      expect(bucketNameOf(undefined)).to.equal("");
      expect(bucketNameOf(null)).to.equal("");
    });
  });
});
