// Unit tests for ReplicatedDatabase in aurora-global mode (components/auroraGlobalCluster.ts) under
// Pulumi mocks: the primary region's global cluster, cluster, instances and credentials secret; the
// DR region's secondary cluster; the options that let a switchover or failover stand; the
// validation that refuses a configuration before any resource exists; and the pure engine rules.
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { auroraArgsProblems, clusterArnRegion, MASTER_PASSWORD_LENGTH } from "../components/auroraGlobalCluster";
import {
  AURORA_DEFAULT_VERSIONS,
  auroraEngineVersionProblem,
  auroraInstanceClassProblem,
  auroraParameterGroupFamily,
  databaseParameters,
  GLOBAL_MEMBER_IGNORED_CHANGES,
  isBurstableClass,
  parameterGroupFamily,
  resolvedEngineVersion,
} from "../components/databaseEngine";
import { ReplicatedDatabase, type ReplicatedDatabaseArgs } from "../components/replicatedDatabase";
import { MOCK_ACCOUNT_ID } from "../synth/mockCloud";
import { type PlannedResource, recordStack, type StackPlan } from "../synth/recordStack";
import { EAST_KEY, WEST_KEY } from "./fixtures/regionalKeys";

const T = {
  globalCluster: "aws:rds/globalCluster:GlobalCluster",
  cluster: "aws:rds/cluster:Cluster",
  clusterInstance: "aws:rds/clusterInstance:ClusterInstance",
  clusterParameterGroup: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
  instance: "aws:rds/instance:Instance",
  parameterGroup: "aws:rds/parameterGroup:ParameterGroup",
  subnetGroup: "aws:rds/subnetGroup:SubnetGroup",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  role: "aws:iam/role:Role",
  password: "random:index/randomPassword:RandomPassword",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
};

const PRIMARY_CLUSTER_ARN = `arn:aws:rds:us-east-1:${MOCK_ACCOUNT_ID}:cluster:primary-db-cluster-0a1b2c3d`;
const GLOBAL_ID = "multi-region-dr-primary-db-global";

/** Builds ReplicatedDatabase `db` in `region` under mocks and returns the plan with its outputs. */
function plan(region: string, args: ReplicatedDatabaseArgs): Promise<StackPlan> {
  return recordStack({
    project: "aurora",
    stack: "test",
    role: "primary",
    region,
    program: () => {
      const provider = new aws.Provider("provider", { region });
      const database = new ReplicatedDatabase("db", args, { providers: { aws: provider } } satisfies pulumi.ComponentResourceOptions);
      return {
        engineMode: database.engineMode,
        arn: database.arn,
        identifier: database.identifier,
        address: database.address,
        readerAddress: database.readerAddress,
        port: database.port,
        securityGroupId: database.securityGroupId,
        subnetGroupName: database.subnetGroupName,
        masterUserSecretArn: database.masterUserSecretArn,
        globalClusterIdentifier: database.globalClusterIdentifier,
      };
    },
  });
}

function ofType(resources: PlannedResource[], type: string): PlannedResource[] {
  return resources.filter((resource) => resource.type === type);
}

/** The one resource of `type`. */
function one(resources: PlannedResource[], type: string): PlannedResource {
  const matches = ofType(resources, type);
  expect(
    matches.map((resource) => resource.name),
    `resources of ${type}`,
  ).to.have.length(1);
  return matches[0];
}

/** Expects building to fail with an error of `kind` whose message matches `pattern`. */
async function expectBuildFailure(region: string, args: ReplicatedDatabaseArgs, kind: new (...args: never[]) => Error, pattern: RegExp): Promise<void> {
  let thrown: unknown;
  try {
    await plan(region, args);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "expected the component to throw").to.be.instanceOf(kind);
  expect((thrown as Error).message).to.match(pattern);
}

const common = {
  engineMode: "aurora-global" as const,
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-iso-a", "subnet-iso-b"],
  clientSecurityGroupIds: ["sg-0app"],
  engine: "postgres" as const,
  engineVersion: AURORA_DEFAULT_VERSIONS.postgres,
  instanceClass: "db.r6g.large",
  backupRetentionDays: 7,
  multiAz: true,
  parameters: databaseParameters("postgres"),
  protect: true,
  finalSnapshotPrefix: "multi-region-dr-primary-db",
};

const primaryArgs = (overrides: Record<string, unknown> = {}): ReplicatedDatabaseArgs =>
  ({
    ...common,
    mode: "primary",
    databaseName: "app",
    masterUsername: "app_admin",
    kmsKeyArn: EAST_KEY,
    availabilityZones: ["us-east-1a", "us-east-1b"],
    ...overrides,
  }) as ReplicatedDatabaseArgs;

const secondaryArgs = (overrides: Record<string, unknown> = {}): ReplicatedDatabaseArgs =>
  ({
    ...common,
    mode: "secondary",
    globalClusterIdentifier: GLOBAL_ID,
    primaryClusterArn: PRIMARY_CLUSTER_ARN,
    kmsKeyArn: WEST_KEY,
    finalSnapshotPrefix: "multi-region-dr-dr-db",
    ...overrides,
  }) as ReplicatedDatabaseArgs;

describe("ReplicatedDatabase aurora-global", () => {
  describe("primary (Aurora PostgreSQL, writer and reader)", () => {
    let resources: PlannedResource[];
    let outputs: Record<string, unknown>;
    let globalCluster: PlannedResource;
    let cluster: PlannedResource;
    let instances: PlannedResource[];
    before(async () => {
      ({ resources, outputs } = await plan("us-east-1", primaryArgs()));
      globalCluster = one(resources, T.globalCluster);
      cluster = one(resources, T.cluster);
      instances = ofType(resources, T.clusterInstance).sort((a, b) => a.name.localeCompare(b.name));
    });

    it("builds a global cluster, a cluster and two instances in the primary region, and no RDS instance", () => {
      expect(ofType(resources, T.instance)).to.have.length(0);
      expect(ofType(resources, T.parameterGroup)).to.have.length(0);
      expect(instances.map((instance) => instance.name)).to.deep.equal(["db-instance-0", "db-instance-1"]);
      for (const resource of [globalCluster, cluster, ...instances, one(resources, T.secret)]) expect(resource.region, resource.name).to.equal("us-east-1");
    });

    it("encrypts the global cluster, protects it and names it from the prefix", () => {
      expect(globalCluster.inputs).to.deep.include({
        globalClusterIdentifier: GLOBAL_ID,
        engine: "aurora-postgresql",
        engineVersion: "17.4",
        storageEncrypted: true,
        deletionProtection: true,
      });
      expect(globalCluster.protect).to.equal(true);
    });

    it("creates the primary cluster inside the global cluster, encrypted with the region's key", () => {
      expect(cluster.inputs).to.deep.include({
        globalClusterIdentifier: GLOBAL_ID,
        engine: "aurora-postgresql",
        engineVersion: "17.4",
        storageEncrypted: true,
        kmsKeyId: EAST_KEY,
        port: 5432,
      });
      expect(cluster.dependencies).to.include(globalCluster.urn);
    });

    it("keeps backups, deletion protection, a final snapshot, tags on snapshots, IAM auth and the postgresql log", () => {
      expect(cluster.inputs).to.deep.include({
        backupRetentionPeriod: 7,
        deletionProtection: true,
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: "multi-region-dr-primary-db-final",
        copyTagsToSnapshot: true,
        iamDatabaseAuthenticationEnabled: true,
        enabledCloudwatchLogsExports: ["postgresql"],
      });
      expect(cluster.protect).to.equal(true);
    });

    it("sits in the shared subnet group and security group, with a TLS-only aurora-postgresql17 cluster parameter group", () => {
      const parameterGroup = one(resources, T.clusterParameterGroup);
      expect(parameterGroup.inputs.family).to.equal("aurora-postgresql17");
      expect(parameterGroup.inputs.parameters).to.deep.include({ name: "rds.force_ssl", value: "1", applyMethod: "immediate" });
      expect(cluster.inputs.dbClusterParameterGroupName).to.equal(parameterGroup.outputs.name);
      expect(cluster.inputs.dbSubnetGroupName).to.equal(one(resources, T.subnetGroup).outputs.name);
      expect(cluster.inputs.vpcSecurityGroupIds).to.deep.equal([one(resources, T.securityGroup).id]);
      expect(one(resources, T.ingress).inputs).to.deep.include({ fromPort: 5432, toPort: 5432, referencedSecurityGroupId: "sg-0app" });
    });

    it("gives the master user a generated password kept in a secret encrypted with the region's key, not an RDS-managed one", () => {
      expect(cluster.inputs.manageMasterUserPassword).to.equal(undefined);
      expect(cluster.inputs.masterUsername).to.equal("app_admin");
      expect(cluster.inputs.databaseName).to.equal("app");
      const password = one(resources, T.password);
      expect(cluster.inputs.masterPassword).to.equal(password.outputs.result);
      expect(password.inputs).to.deep.include({ length: MASTER_PASSWORD_LENGTH, special: true });
      expect(String(password.inputs.overrideSpecial)).to.not.match(/[/"@ ]/);
      const secret = one(resources, T.secret);
      expect(secret.inputs).to.deep.include({ kmsKeyId: EAST_KEY, recoveryWindowInDays: 30 });
      expect(secret.inputs.replicas).to.equal(undefined);
      const value = JSON.parse(String(one(resources, T.secretVersion).inputs.secretString)) as Record<string, unknown>;
      expect(value).to.deep.include({
        username: "app_admin",
        password: cluster.inputs.masterPassword,
        engine: "aurora-postgresql",
        host: cluster.outputs.endpoint,
        port: 5432,
        dbClusterIdentifier: cluster.outputs.clusterIdentifier,
      });
    });

    it("ignores the membership, replication source and engine version a switchover or upgrade changes", () => {
      expect(cluster.ignoreChanges).to.have.members([...GLOBAL_MEMBER_IGNORED_CHANGES]);
      expect(globalCluster.ignoreChanges).to.deep.equal([]);
    });

    it("runs a writer and a reader in two zones, private, monitored, with Performance Insights on the region's key", () => {
      expect(instances.map((instance) => instance.inputs.availabilityZone)).to.deep.equal(["us-east-1a", "us-east-1b"]);
      expect(instances.map((instance) => instance.inputs.promotionTier)).to.deep.equal([0, 1]);
      for (const instance of instances) {
        expect(instance.inputs, instance.name).to.deep.include({
          clusterIdentifier: cluster.id,
          engine: "aurora-postgresql",
          instanceClass: "db.r6g.large",
          dbSubnetGroupName: cluster.inputs.dbSubnetGroupName,
          publiclyAccessible: false,
          autoMinorVersionUpgrade: true,
          monitoringInterval: 60,
          monitoringRoleArn: one(resources, T.role).outputs.arn,
          performanceInsightsEnabled: true,
          performanceInsightsKmsKeyId: EAST_KEY,
          performanceInsightsRetentionPeriod: 7,
        });
      }
      // The reader comes after the writer, so instance 0 is the writer.
      expect(instances[1].dependencies).to.include(instances[0].urn);
    });

    it("outputs the cluster's ARN, identifier, writer and reader endpoints, the global cluster and the secret", () => {
      expect(outputs).to.deep.include({
        engineMode: "aurora-global",
        arn: cluster.outputs.arn,
        identifier: cluster.outputs.clusterIdentifier,
        address: cluster.outputs.endpoint,
        readerAddress: cluster.outputs.readerEndpoint,
        port: 5432,
        subnetGroupName: one(resources, T.subnetGroup).outputs.name,
        globalClusterIdentifier: GLOBAL_ID,
        masterUserSecretArn: one(resources, T.secret).outputs.arn,
      });
      expect(outputs.arn).to.match(/^arn:aws:rds:us-east-1:\d{12}:cluster:/);
      expect(outputs.address).to.not.equal(outputs.readerAddress);
    });
  });

  describe("secondary (DR region)", () => {
    let resources: PlannedResource[];
    let outputs: Record<string, unknown>;
    let cluster: PlannedResource;
    before(async () => {
      ({ resources, outputs } = await plan("us-west-2", secondaryArgs()));
      cluster = one(resources, T.cluster);
    });

    it("joins the primary's global cluster from the DR region, naming the primary's region as the source", () => {
      expect(cluster.region).to.equal("us-west-2");
      expect(cluster.inputs).to.deep.include({
        globalClusterIdentifier: GLOBAL_ID,
        sourceRegion: "us-east-1",
        engine: "aurora-postgresql",
        engineVersion: "17.4",
      });
      expect(cluster.inputs.replicationSourceIdentifier).to.equal(undefined);
    });

    it("is encrypted with the DR region's key, not the primary's", () => {
      expect(cluster.inputs).to.deep.include({ storageEncrypted: true, kmsKeyId: WEST_KEY });
      for (const instance of ofType(resources, T.clusterInstance)) expect(instance.inputs.performanceInsightsKmsKeyId).to.equal(WEST_KEY);
    });

    it("carries no credentials, database name, global cluster or secret of its own", () => {
      for (const field of ["masterUsername", "masterPassword", "masterPasswordWo", "manageMasterUserPassword", "masterUserSecretKmsKeyId", "databaseName"]) {
        expect(cluster.inputs[field], field).to.equal(undefined);
      }
      for (const type of [T.globalCluster, T.password, T.secret, T.secretVersion]) expect(ofType(resources, type), type).to.have.length(0);
      expect(outputs.masterUserSecretArn).to.equal(undefined);
    });

    it("survives a switchover or failover: membership, replication source, version and source region are ignored", () => {
      expect(cluster.ignoreChanges).to.have.members([...GLOBAL_MEMBER_IGNORED_CHANGES, "sourceRegion"]);
      expect(cluster.protect).to.equal(true);
      expect(cluster.inputs).to.deep.include({ deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "multi-region-dr-dr-db-final" });
    });

    it("runs two readers (multiAz) and outputs its own endpoints and the global cluster", () => {
      expect(ofType(resources, T.clusterInstance)).to.have.length(2);
      expect(outputs).to.deep.include({
        engineMode: "aurora-global",
        arn: cluster.outputs.arn,
        address: cluster.outputs.endpoint,
        readerAddress: cluster.outputs.readerEndpoint,
        globalClusterIdentifier: GLOBAL_ID,
      });
      expect(outputs.arn).to.match(/^arn:aws:rds:us-west-2:/);
    });
  });

  it("builds Aurora MySQL with an aurora-mysql8.0 family requiring TLS, its logs and port 3306, writer only without multiAz", async () => {
    const { resources } = await plan(
      "us-east-1",
      primaryArgs({
        engine: "mysql",
        engineVersion: AURORA_DEFAULT_VERSIONS.mysql,
        parameters: databaseParameters("mysql"),
        multiAz: false,
        availabilityZones: undefined,
      }),
    );
    const parameterGroup = one(resources, T.clusterParameterGroup);
    expect(parameterGroup.inputs.family).to.equal("aurora-mysql8.0");
    expect(parameterGroup.inputs.parameters).to.deep.include({ name: "require_secure_transport", value: "1", applyMethod: "immediate" });
    expect(one(resources, T.cluster).inputs).to.deep.include({
      engine: "aurora-mysql",
      port: 3306,
      enabledCloudwatchLogsExports: ["error", "general", "slowquery"],
    });
    const instance = one(resources, T.clusterInstance);
    expect(instance.inputs.availabilityZone).to.equal(undefined);
    expect(one(resources, T.ingress).inputs.fromPort).to.equal(3306);
  });

  it("without protect drops deletion protection and Pulumi protect on the global cluster and the cluster", async () => {
    const { resources } = await plan("us-east-1", primaryArgs({ protect: false }));
    for (const type of [T.globalCluster, T.cluster]) {
      expect(one(resources, type).protect, type).to.equal(false);
      expect(one(resources, type).inputs.deletionProtection, type).to.equal(false);
    }
  });

  it("replicates the credentials secret to the DR region with the given key", async () => {
    const { resources } = await plan("us-east-1", primaryArgs({ credentialsReplica: { region: "us-west-2", kmsKeyArn: WEST_KEY } }));
    expect(one(resources, T.secret).inputs.replicas).to.deep.equal([{ region: "us-west-2", kmsKeyId: WEST_KEY }]);
  });

  describe("refuses before creating anything", () => {
    it("a burstable instance class", async () => {
      await expectBuildFailure(
        "us-east-1",
        primaryArgs({ instanceClass: "db.t4g.medium" }),
        Error,
        /instanceClass: burstable class db\.t4g\.medium cannot run an Aurora global database/,
      );
    });

    it("a general-purpose instance class", async () => {
      await expectBuildFailure(
        "us-east-1",
        primaryArgs({ instanceClass: "db.m6g.large" }),
        Error,
        /instanceClass: db\.m6g\.large is not a memory-optimized class/,
      );
    });

    it("an RDS-style engine version", async () => {
      await expectBuildFailure(
        "us-east-1",
        primaryArgs({ engineVersion: "17" }),
        Error,
        /engineVersion: Aurora PostgreSQL engineVersion "17" must be <major>\.<minor>/,
      );
    });

    it("an Aurora PostgreSQL major outside the supported ones", async () => {
      await expectBuildFailure(
        "us-east-1",
        primaryArgs({ engineVersion: "12.22" }),
        Error,
        /engineVersion: Aurora PostgreSQL 12 is not deployed as a global database/,
      );
    });

    it("a MySQL version that is not Aurora MySQL version 3", async () => {
      await expectBuildFailure(
        "us-east-1",
        primaryArgs({ engine: "mysql", engineVersion: "8.0.39" }),
        Error,
        /engineVersion: Aurora MySQL engineVersion "8\.0\.39" must be 8\.0\.mysql_aurora\.3/,
      );
    });

    it("a secondary whose primary is an RDS instance, not a cluster", async () => {
      await expectBuildFailure(
        "us-west-2",
        secondaryArgs({ primaryClusterArn: `arn:aws:rds:us-east-1:${MOCK_ACCOUNT_ID}:db:primary-db-instance-1` }),
        Error,
        /primaryClusterArn: .* is not a DB cluster ARN/,
      );
    });

    it("a secondary with a malformed global cluster identifier", async () => {
      await expectBuildFailure("us-west-2", secondaryArgs({ globalClusterIdentifier: "1-global" }), Error, /globalClusterIdentifier: "1-global"/);
    });

    it("backups outside 5-35 days", async () => {
      await expectBuildFailure("us-east-1", primaryArgs({ backupRetentionDays: 36 }), RangeError, /backupRetentionDays must be 5 to 35, got 36/);
    });

    it("and lists every problem at once", () => {
      const problems = auroraArgsProblems({
        ...common,
        engineVersion: "17",
        instanceClass: "db.t3.medium",
        mode: "secondary",
        globalClusterIdentifier: GLOBAL_ID,
        primaryClusterArn: "x",
      });
      expect(problems.map((problem) => problem.split(":")[0])).to.deep.equal(["engineVersion", "instanceClass", "primaryClusterArn"]);
    });
  });
});

describe("databaseEngine for Aurora", () => {
  it("accepts the default versions and names their families", () => {
    expect(auroraEngineVersionProblem("postgres", AURORA_DEFAULT_VERSIONS.postgres)).to.equal(undefined);
    expect(auroraEngineVersionProblem("mysql", AURORA_DEFAULT_VERSIONS.mysql)).to.equal(undefined);
    expect(auroraParameterGroupFamily("postgres", "16.6")).to.equal("aurora-postgresql16");
    expect(auroraParameterGroupFamily("mysql", "8.0.mysql_aurora.3.04.3")).to.equal("aurora-mysql8.0");
    expect(parameterGroupFamily("postgres", "17.4", "aurora-global")).to.equal("aurora-postgresql17");
    expect(parameterGroupFamily("postgres", "17")).to.equal("postgres17");
  });

  it("refuses Aurora MySQL 3.00, before global database support", () => {
    expect(auroraEngineVersionProblem("mysql", "8.0.mysql_aurora.3.00.0")).to.match(/older than 3\.01\.0/);
    expect(() => auroraParameterGroupFamily("mysql", "5.7.mysql_aurora.2.12.1")).to.throw(Error, "must be 8.0.mysql_aurora.3");
  });

  it("resolves the default version per engine mode", () => {
    expect(resolvedEngineVersion("postgres", undefined, "aurora-global")).to.equal("17.4");
    expect(resolvedEngineVersion("mysql", undefined, "aurora-global")).to.equal("8.0.mysql_aurora.3.08.2");
    expect(resolvedEngineVersion("postgres", undefined)).to.equal("17");
    expect(resolvedEngineVersion("postgres", "16.6", "aurora-global")).to.equal("16.6");
  });

  it("tells burstable and memory-optimized classes apart", () => {
    expect(isBurstableClass("db.t4g.medium")).to.equal(true);
    expect(isBurstableClass("db.r6g.large")).to.equal(false);
    for (const instanceClass of ["db.r6g.large", "db.r7g.2xlarge", "db.r6id.xlarge", "db.x2g.large"])
      expect(auroraInstanceClassProblem(instanceClass), instanceClass).to.equal(undefined);
    for (const instanceClass of ["db.t3.medium", "db.m7g.large", "db.serverless"])
      expect(auroraInstanceClassProblem(instanceClass), instanceClass).to.be.a("string");
  });

  it("reads the region of a DB cluster ARN only", () => {
    expect(clusterArnRegion(PRIMARY_CLUSTER_ARN)).to.equal("us-east-1");
    expect(clusterArnRegion(`arn:aws:rds:us-east-1:${MOCK_ACCOUNT_ID}:db:primary`)).to.equal(undefined);
    expect(clusterArnRegion("not-an-arn")).to.equal(undefined);
  });
});
