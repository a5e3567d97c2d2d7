// Unit tests for the Aurora global database policies (policy/policies/database.ts), in the style of
// databaseStorage.test.ts: a compliant primary-region and DR-region fixture modelled on what
// ReplicatedDatabase builds in aurora-global mode, which passes every policy, and for each rule a
// fixture broken in exactly that one way that fails with the expected message.
import { expect } from "chai";
import { GLOBAL_MEMBER_IGNORED_CHANGES } from "../../components/databaseEngine";
import { evaluatePolicies } from "../../policy/offline";
import { ALL_POLICIES } from "../../policy/policies";
import { AURORA_TYPES, isGlobalMember, isSecondaryCluster } from "../../policy/policies/database";
import { copyOf, type FixtureResource, planOf, violationsOf } from "./fixtures";

const ACCOUNT = "123456789012";
const PRIMARY_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/67b36b50-b2af-6baa-5415-7657811c9ffb`;
const DR_KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/bedb6028-3f3e-89be-a7f0-2fa27b7a6c37`;
const GLOBAL_ID = "multi-region-dr-primary-db-global";

type Props = Record<string, unknown>;

const CLUSTER_COMMON: Props = {
  engine: "aurora-postgresql",
  engineVersion: "17.4",
  storageEncrypted: true,
  port: 5432,
  backupRetentionPeriod: 7,
  deletionProtection: true,
  skipFinalSnapshot: false,
  copyTagsToSnapshot: true,
  iamDatabaseAuthenticationEnabled: true,
  enabledCloudwatchLogsExports: ["postgresql"],
  globalClusterIdentifier: GLOBAL_ID,
};

const INSTANCE_COMMON: Props = {
  engine: "aurora-postgresql",
  instanceClass: "db.r6g.large",
  publiclyAccessible: false,
  autoMinorVersionUpgrade: true,
  monitoringInterval: 60,
  performanceInsightsEnabled: true,
  performanceInsightsRetentionPeriod: 7,
};

/** The primary region's Aurora resources. */
const PRIMARY: FixtureResource[] = [
  {
    type: AURORA_TYPES.globalCluster,
    name: "primary-db-global",
    region: "us-east-1",
    props: { globalClusterIdentifier: GLOBAL_ID, engine: "aurora-postgresql", engineVersion: "17.4", storageEncrypted: true, deletionProtection: true },
  },
  {
    type: AURORA_TYPES.clusterParameterGroup,
    name: "primary-db-cluster-parameters",
    region: "us-east-1",
    props: {
      family: "aurora-postgresql17",
      parameters: [
        { name: "rds.force_ssl", value: "1", applyMethod: "immediate" },
        { name: "log_min_duration_statement", value: "1000", applyMethod: "immediate" },
      ],
    },
  },
  {
    type: AURORA_TYPES.cluster,
    name: "primary-db-cluster",
    region: "us-east-1",
    props: {
      ...CLUSTER_COMMON,
      clusterIdentifier: "primary-db-cluster-1a2b3c4d",
      kmsKeyId: PRIMARY_KEY,
      dbClusterParameterGroupName: "primary-db-cluster-parameters-5e6f7a8b",
      dbSubnetGroupName: "primary-db-subnets-66db70a5",
      finalSnapshotIdentifier: "multi-region-dr-primary-db-final",
      databaseName: "app",
      masterUsername: "app_admin",
      masterPassword: "mock-password",
    },
    propertyDependencies: { globalClusterIdentifier: ["primary-db-global"], dbClusterParameterGroupName: ["primary-db-cluster-parameters"] },
  },
  ...[0, 1].map((index) => ({
    type: AURORA_TYPES.clusterInstance,
    name: `primary-db-instance-${index}`,
    region: "us-east-1",
    props: { ...INSTANCE_COMMON, clusterIdentifier: "primary-db-cluster-1a2b3c4d", performanceInsightsKmsKeyId: PRIMARY_KEY, promotionTier: index },
    propertyDependencies: { clusterIdentifier: ["primary-db-cluster"] },
  })),
];

/** The DR region's secondary cluster and its instances. */
const SECONDARY: FixtureResource[] = [
  {
    type: AURORA_TYPES.clusterParameterGroup,
    name: "dr-db-cluster-parameters",
    props: { family: "aurora-postgresql17", parameters: [{ name: "rds.force_ssl", value: "1", applyMethod: "immediate" }] },
  },
  {
    type: AURORA_TYPES.cluster,
    name: "dr-db-cluster",
    props: {
      ...CLUSTER_COMMON,
      clusterIdentifier: "dr-db-cluster-9f8e7d6c",
      kmsKeyId: DR_KEY,
      sourceRegion: "us-east-1",
      dbClusterParameterGroupName: "dr-db-cluster-parameters-1c2d3e4f",
      dbSubnetGroupName: "dr-db-subnets-ecdc921a",
      finalSnapshotIdentifier: "multi-region-dr-dr-db-final",
    },
  },
  {
    type: AURORA_TYPES.clusterInstance,
    name: "dr-db-instance-0",
    props: { ...INSTANCE_COMMON, clusterIdentifier: "dr-db-cluster-9f8e7d6c", performanceInsightsKmsKeyId: DR_KEY },
    propertyDependencies: { clusterIdentifier: ["dr-db-cluster"] },
  },
];

const ALL = [...PRIMARY, ...SECONDARY];

/** A copy of the fixtures with one resource's props patched (a key patched to undefined is removed). */
function withProps(resources: FixtureResource[], name: string, patch: Props): FixtureResource[] {
  expect(resources.map((resource) => resource.name)).to.include(name);
  return resources.map((resource) => {
    if (resource.name !== name) return copyOf(resource);
    const props: Props = { ...copyOf(resource.props), ...patch };
    for (const [key, value] of Object.entries(patch)) if (value === undefined) delete props[key];
    return { ...copyOf(resource), props };
  });
}

/** Runs one policy on the fixtures with the members' ignoreChanges as ReplicatedDatabase sets them, unless overridden by name. */
async function violations(policyName: string, resources: FixtureResource[], ignoreChanges: Record<string, string[]> = {}, settings?: Props): Promise<string[]> {
  const plan = planOf(resources, "dr", "us-west-2");
  for (const resource of plan.resources) {
    if (resource.type === AURORA_TYPES.cluster) resource.ignoreChanges = ignoreChanges[resource.name] ?? [...GLOBAL_MEMBER_IGNORED_CHANGES];
  }
  const policy = ALL_POLICIES.filter((candidate) => candidate.name === policyName);
  expect(policy, policyName).to.have.length(1);
  const report = await evaluatePolicies(plan, settings ? { [policyName]: settings as never } : {}, policy);
  return report.violations.map((violation) => violation.message);
}

async function expectNone(policy: string, resources: FixtureResource[]): Promise<void> {
  const messages = await violations(policy, resources);
  expect(messages, messages.join("\n")).to.deep.equal([]);
}

async function expectOnly(policy: string, resources: FixtureResource[], pattern: RegExp, ignoreChanges?: Record<string, string[]>): Promise<void> {
  const messages = await violations(policy, resources, ignoreChanges);
  expect(messages, messages.join("\n")).to.have.length(1);
  expect(messages[0]).to.match(pattern);
}

const AURORA_POLICIES = [
  "aurora-cluster-encrypted",
  "aurora-global-cluster-encrypted",
  "aurora-deletion-protection",
  "aurora-backup-retention",
  "aurora-iam-authentication",
  "aurora-tls-only",
  "aurora-global-membership",
  "aurora-global-failover-drift",
  "aurora-instance-not-public",
  "aurora-performance-insights",
  "aurora-global-instance-class",
];

describe("Aurora global database policies", () => {
  it("are in the pack, and the compliant primary and secondary pass every one", async () => {
    for (const name of AURORA_POLICIES) await expectNone(name, ALL);
  });

  it("make the data-protection rules mandatory and the observability ones advisory", () => {
    const level = (name: string) => ALL_POLICIES.find((policy) => policy.name === name)?.enforcementLevel;
    for (const name of AURORA_POLICIES.filter((name) => !["aurora-iam-authentication", "aurora-performance-insights"].includes(name))) {
      expect(level(name), name).to.equal("mandatory");
    }
    expect(level("aurora-iam-authentication")).to.equal("advisory");
    expect(level("aurora-performance-insights")).to.equal("advisory");
  });

  describe("aurora-cluster-encrypted", () => {
    it("fails an unencrypted cluster", async () => {
      await expectOnly("aurora-cluster-encrypted", withProps(ALL, "dr-db-cluster", { storageEncrypted: false }), /storageEncrypted must be true/);
    });

    it("fails the AWS-managed key", async () => {
      await expectOnly("aurora-cluster-encrypted", withProps(ALL, "primary-db-cluster", { kmsKeyId: "alias/aws/rds" }), /not a customer-managed key ARN/);
    });

    it("fails a secondary encrypted with the primary region's key", async () => {
      await expectOnly(
        "aurora-cluster-encrypted",
        withProps(ALL, "dr-db-cluster", { kmsKeyId: PRIMARY_KEY }),
        /key of us-east-1, not of the cluster's region us-west-2/,
      );
    });
  });

  describe("aurora-global-cluster-encrypted", () => {
    it("fails an unencrypted global cluster", async () => {
      await expectOnly(
        "aurora-global-cluster-encrypted",
        withProps(ALL, "primary-db-global", { storageEncrypted: undefined }),
        /storageEncrypted must be true/,
      );
    });

    it("passes a global cluster built from an existing (encrypted) cluster", async () => {
      await expectNone(
        "aurora-global-cluster-encrypted",
        withProps(ALL, "primary-db-global", { storageEncrypted: undefined, sourceDbClusterIdentifier: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:x` }),
      );
    });
  });

  describe("aurora-deletion-protection", () => {
    it("fails a global cluster without deletion protection", async () => {
      await expectOnly("aurora-deletion-protection", withProps(ALL, "primary-db-global", { deletionProtection: false }), /deletionProtection must be true/);
    });

    it("fails a cluster without deletion protection", async () => {
      await expectOnly("aurora-deletion-protection", withProps(ALL, "dr-db-cluster", { deletionProtection: undefined }), /deletionProtection must be true/);
    });

    it("fails a cluster that skips its final snapshot", async () => {
      await expectOnly("aurora-deletion-protection", withProps(ALL, "primary-db-cluster", { skipFinalSnapshot: true }), /skipFinalSnapshot must not be true/);
    });

    it("fails a cluster without a final snapshot identifier", async () => {
      await expectOnly(
        "aurora-deletion-protection",
        withProps(ALL, "primary-db-cluster", { finalSnapshotIdentifier: undefined }),
        /finalSnapshotIdentifier must be set/,
      );
    });
  });

  describe("aurora-backup-retention", () => {
    it("fails Aurora's default of one day", async () => {
      await expectOnly(
        "aurora-backup-retention",
        withProps(ALL, "dr-db-cluster", { backupRetentionPeriod: undefined }),
        /backupRetentionPeriod is 1 days, below 5/,
      );
    });

    it("follows the configured minimum", async () => {
      const messages = await violations("aurora-backup-retention", ALL, {}, { minimumRetentionDays: 14 });
      expect(messages).to.have.length(2);
      expect(messages[0]).to.match(/is 7 days, below 14/);
    });
  });

  describe("aurora-iam-authentication", () => {
    it("fails a cluster without IAM database authentication", async () => {
      await expectOnly(
        "aurora-iam-authentication",
        withProps(ALL, "primary-db-cluster", { iamDatabaseAuthenticationEnabled: false }),
        /iamDatabaseAuthenticationEnabled/,
      );
    });
  });

  describe("aurora-tls-only", () => {
    it("fails a cluster on the default parameter group", async () => {
      await expectOnly(
        "aurora-tls-only",
        withProps(ALL, "dr-db-cluster", { dbClusterParameterGroupName: undefined }),
        /the default group accepts unencrypted connections/,
      );
    });

    it("fails an aurora-postgresql group without rds.force_ssl", async () => {
      await expectOnly(
        "aurora-tls-only",
        withProps(ALL, "dr-db-cluster-parameters", { parameters: [] }),
        /set rds\.force_ssl to 1 in the aurora-postgresql17 cluster parameter group/,
      );
    });

    it("fails an aurora-mysql group with require_secure_transport off, and passes it on", async () => {
      const mysql = (value: string) =>
        withProps(ALL, "primary-db-cluster-parameters", {
          family: "aurora-mysql8.0",
          parameters: [{ name: "require_secure_transport", value, applyMethod: "immediate" }],
        });
      await expectOnly("aurora-tls-only", mysql("0"), /set require_secure_transport to 1 in the aurora-mysql8\.0 cluster parameter group/);
      await expectNone("aurora-tls-only", mysql("ON"));
    });
  });

  describe("aurora-global-membership", () => {
    it("fails an RDS-managed master password on a global database member", async () => {
      await expectOnly(
        "aurora-global-membership",
        withProps(ALL, "primary-db-cluster", { masterPassword: undefined, manageMasterUserPassword: true }),
        /manageMasterUserPassword is not supported for clusters in an Aurora global database/,
      );
    });

    it("fails a secondary that joins no global cluster", async () => {
      await expectOnly("aurora-global-membership", withProps(ALL, "dr-db-cluster", { globalClusterIdentifier: undefined }), /must join the global cluster/);
    });

    it("fails a secondary with credentials of its own", async () => {
      await expectOnly("aurora-global-membership", withProps(ALL, "dr-db-cluster", { masterPassword: "x" }), /must not set masterPassword/);
    });

    it("fails a secondary whose source region is its own", async () => {
      await expectOnly(
        "aurora-global-membership",
        withProps(ALL, "dr-db-cluster", { sourceRegion: "us-west-2" }),
        /sourceRegion is the cluster's own region us-west-2/,
      );
    });
  });

  describe("aurora-global-failover-drift", () => {
    it("fails a member that does not ignore the replication source", async () => {
      await expectOnly("aurora-global-failover-drift", ALL, /add replicationSourceIdentifier to ignoreChanges/, {
        "dr-db-cluster": ["globalClusterIdentifier", "engineVersion", "sourceRegion"],
      });
    });

    it("fails a primary that ignores nothing", async () => {
      await expectOnly("aurora-global-failover-drift", ALL, /add globalClusterIdentifier, replicationSourceIdentifier, engineVersion to ignoreChanges/, {
        "primary-db-cluster": [],
      });
    });

    it("leaves a standalone cluster alone", async () => {
      const standalone = withProps(ALL, "primary-db-cluster", { globalClusterIdentifier: undefined });
      expect(await violations("aurora-global-failover-drift", standalone, { "primary-db-cluster": [] })).to.deep.equal([]);
    });
  });

  describe("aurora-instance-not-public", () => {
    it("fails a public instance", async () => {
      await expectOnly("aurora-instance-not-public", withProps(ALL, "dr-db-instance-0", { publiclyAccessible: true }), /publiclyAccessible must be false/);
    });
  });

  describe("aurora-performance-insights", () => {
    it("fails Performance Insights off", async () => {
      await expectOnly(
        "aurora-performance-insights",
        withProps(ALL, "primary-db-instance-1", { performanceInsightsEnabled: false }),
        /set performanceInsightsEnabled/,
      );
    });

    it("fails Performance Insights on the AWS-managed key", async () => {
      await expectOnly(
        "aurora-performance-insights",
        withProps(ALL, "primary-db-instance-0", { performanceInsightsKmsKeyId: undefined }),
        /performanceInsightsKmsKeyId/,
      );
    });
  });

  describe("aurora-global-instance-class", () => {
    it("fails a burstable instance in a global database member", async () => {
      await expectOnly(
        "aurora-global-instance-class",
        withProps(ALL, "dr-db-instance-0", { instanceClass: "db.t4g.medium" }),
        /dr-db-instance-0 \(in global database member dr-db-cluster\): burstable class db\.t4g\.medium/,
      );
    });

    it("finds the cluster by identifier when no dependency links them", async () => {
      const unlinked = withProps(ALL, "primary-db-instance-1", { instanceClass: "db.m6g.large" }).map((resource) =>
        resource.name === "primary-db-instance-1" ? { ...resource, propertyDependencies: {} } : resource,
      );
      expect(await violationsOf("aurora-global-instance-class", unlinked)).to.have.length(1);
    });

    it("leaves a burstable instance of a standalone cluster alone", async () => {
      const standalone = withProps(withProps(ALL, "dr-db-cluster", { globalClusterIdentifier: undefined }), "dr-db-instance-0", {
        instanceClass: "db.t4g.medium",
      });
      expect(await violations("aurora-global-instance-class", standalone)).to.deep.equal([]);
    });
  });

  it("tells members and secondaries apart", () => {
    const props = (name: string) => ALL.find((resource) => resource.name === name)!.props;
    expect(isGlobalMember(props("primary-db-cluster"))).to.equal(true);
    expect(isSecondaryCluster(props("primary-db-cluster"))).to.equal(false);
    expect(isSecondaryCluster(props("dr-db-cluster"))).to.equal(true);
    expect(isSecondaryCluster({ globalClusterIdentifier: GLOBAL_ID })).to.equal(true);
  });
});
