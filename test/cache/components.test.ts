// The cache's components under Pulumi mocks (synth/recordStack.ts): the primary's replication group and
// global datastore, the DR member in its three modes, the network rules on both sides, the warm-up
// function, and the replication-lag alarm RecoveryAlarms declares; every refused argument is refused
// before any resource is registered.
import type * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { clusterModeParameterGroup, groupShape } from "../../components/cache/groupShape";
import { cacheLagAlarmArgs, METRICS_PER_ALARM } from "../../components/cache/lagAlarm";
import { PrimaryCache, type PrimaryCacheArgs } from "../../components/cache/primaryCache";
import { SecondaryCache, type SecondaryCacheArgs } from "../../components/cache/secondaryCache";
import { CacheWarmUp, warmUpFunctionPolicy } from "../../components/cache/warmUpFunction";
import { RecoveryAlarms } from "../../components/recoveryAlarms";
import { MOCK_ACCOUNT_ID } from "../../synth/mockCloud";
import { type PlannedResource } from "../../synth/recordStack";
import { planCache } from "./fixtures";

const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const GLOBAL = "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup";
const SUBNETS = "aws:elasticache/subnetGroup:SubnetGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const EAST_KEY = `arn:aws:kms:us-east-1:${MOCK_ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const WEST_KEY = `arn:aws:kms:us-west-2:${MOCK_ACCOUNT_ID}:key/abcd1234-ab12-cd34-ef56-abcdef123456`;

const plan = planCache;

async function expectRefused(region: string, build: (opts: pulumi.ComponentResourceOptions) => void, pattern: RegExp): Promise<void> {
  let thrown: unknown;
  try {
    await plan(region, build);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "expected the component to throw").to.be.instanceOf(Error);
  expect((thrown as Error).message).to.match(pattern);
}

const ofType = (resources: PlannedResource[], type: string) => resources.filter((resource) => resource.type === type);
function only(resources: PlannedResource[], type: string): PlannedResource {
  const found = ofType(resources, type);
  expect(found, type).to.have.length(1);
  return found[0];
}

const network = { vpcId: "vpc-0123", subnetIds: ["subnet-a", "subnet-b"], clientSecurityGroupIds: ["sg-app"], port: 6379 };

function primaryArgs(overrides: Partial<PrimaryCacheArgs> = {}): PrimaryCacheArgs {
  return {
    region: "us-east-1",
    engine: "valkey",
    engineVersion: "8.0",
    nodeType: "cache.m7g.large",
    shards: 1,
    replicasPerShard: 1,
    globalDatastore: true,
    globalDatastoreSuffix: "multi-region-dr-primary-primary-cache",
    kmsKeyArn: EAST_KEY,
    ...network,
    ...overrides,
  };
}

function secondaryArgs(overrides: Partial<SecondaryCacheArgs> = {}): SecondaryCacheArgs {
  return {
    region: "us-west-2",
    mode: "global",
    globalReplicationGroupId: "ldgnf-multi-region-dr-primary-primary-cache",
    engine: "valkey",
    engineVersion: "8.0",
    nodeType: "cache.m7g.large",
    shards: 1,
    replicasPerShard: 1,
    kmsKeyArn: WEST_KEY,
    ...network,
    ...overrides,
  };
}

describe("components/cache", function () {
  this.timeout(60000);

  describe("PrimaryCache", () => {
    let resources: PlannedResource[];
    before(async () => {
      resources = await plan("us-east-1", (opts) => void new PrimaryCache("primary-cache", primaryArgs(), opts));
    });

    it("builds a Multi-AZ replication group encrypted in transit and at rest under the primary region's key", () => {
      const group = only(resources, GROUP);
      expect(group.region).to.equal("us-east-1");
      expect(group.inputs).to.include({
        engine: "valkey",
        engineVersion: "8.0",
        nodeType: "cache.m7g.large",
        numCacheClusters: 2,
        automaticFailoverEnabled: true,
        multiAzEnabled: true,
        atRestEncryptionEnabled: true,
        transitEncryptionEnabled: true,
        kmsKeyId: EAST_KEY,
        port: 6379,
      });
      expect(group.protect, "a cache holds copies: not protected").to.equal(false);
    });

    it("makes it the primary of a global datastore, whose primary a deploy never changes back after a failover", () => {
      const global = only(resources, GLOBAL);
      expect(global.inputs.globalReplicationGroupIdSuffix).to.equal("multi-region-dr-primary-primary-cache");
      expect(global.dependencies.some((urn) => urn.endsWith("::primary-cache-group"))).to.equal(true);
      expect(global.ignoreChanges).to.deep.equal(["primaryReplicationGroupId"]);
    });

    it("puts the group in the isolated subnets, behind a security group open to the app tier only, and lets the app tier out to it", () => {
      expect(only(resources, SUBNETS).inputs.subnetIds).to.deep.equal(["subnet-a", "subnet-b"]);
      const ingress = only(resources, INGRESS);
      expect(ingress.inputs).to.include({ referencedSecurityGroupId: "sg-app", fromPort: 6379, toPort: 6379, ipProtocol: "tcp" });
      const egress = only(resources, EGRESS);
      expect(egress.inputs).to.include({ securityGroupId: "sg-app", fromPort: 6379, toPort: 6379 });
    });

    it("without a global datastore builds the group alone; with shards, cluster mode and its parameter group", async () => {
      const regional = await plan(
        "us-east-1",
        (opts) => void new PrimaryCache("c", primaryArgs({ globalDatastore: false, nodeType: "cache.t4g.small" }), opts),
      );
      expect(ofType(regional, GLOBAL)).to.have.length(0);
      const sharded = await plan("us-east-1", (opts) => void new PrimaryCache("c", primaryArgs({ shards: 3, replicasPerShard: 2 }), opts));
      expect(only(sharded, GROUP).inputs).to.include({
        numNodeGroups: 3,
        replicasPerNodeGroup: 2,
        clusterMode: "enabled",
        parameterGroupName: "default.valkey8.cluster.on",
      });
    });

    it("refuses before any resource: a burstable node with a global datastore, an old engine, a key of another region, no replica, a bad suffix", async () => {
      await expectRefused(
        "us-east-1",
        (opts) => void new PrimaryCache("c", primaryArgs({ nodeType: "cache.t4g.small" }), opts),
        /nodeType cache\.t4g\.small cannot run a global datastore/,
      );
      await expectRefused("us-east-1", (opts) => void new PrimaryCache("c", primaryArgs({ engineVersion: "7.1" }), opts), /older than Valkey 7\.2/);
      await expectRefused("us-east-1", (opts) => void new PrimaryCache("c", primaryArgs({ kmsKeyArn: WEST_KEY }), opts), /key of us-west-2/);
      await expectRefused("us-east-1", (opts) => void new PrimaryCache("c", primaryArgs({ replicasPerShard: 0 }), opts), /replicasPerShard must be at least 1/);
      await expectRefused(
        "us-east-1",
        (opts) => void new PrimaryCache("c", primaryArgs({ globalDatastoreSuffix: "Bad--Suffix" }), opts),
        /globalDatastoreSuffix/,
      );
      await expectRefused(
        "us-east-1",
        (opts) => void new PrimaryCache("c", primaryArgs({ clientSecurityGroupIds: [] }), opts),
        /clientSecurityGroupIds is empty/,
      );
    });
  });

  describe("SecondaryCache", () => {
    it("global: joins the global datastore under the DR key, inheriting engine, version, node type, shards and parameter group", async () => {
      const resources = await plan("us-west-2", (opts) => void new SecondaryCache("dr-cache", secondaryArgs({ replicasPerShard: 2 }), opts));
      const group = only(resources, GROUP);
      expect(group.region).to.equal("us-west-2");
      expect(group.inputs).to.include({
        globalReplicationGroupId: "ldgnf-multi-region-dr-primary-primary-cache",
        numCacheClusters: 3,
        kmsKeyId: WEST_KEY,
        automaticFailoverEnabled: true,
        multiAzEnabled: true,
      });
      // The provider refuses these beside globalReplicationGroupId (replication_group.go ConflictsWith): the member inherits them.
      for (const inherited of [
        "engine",
        "engineVersion",
        "nodeType",
        "numNodeGroups",
        "parameterGroupName",
        "atRestEncryptionEnabled",
        "transitEncryptionEnabled",
        "clusterMode",
      ])
        expect(group.inputs, inherited).not.to.have.property(inherited);
    });

    it("global with shards: only the replica count per shard", async () => {
      const resources = await plan("us-west-2", (opts) => void new SecondaryCache("dr-cache", secondaryArgs({ shards: 2 }), opts));
      const inputs = only(resources, GROUP).inputs;
      expect(inputs).to.include({ replicasPerNodeGroup: 1 }).and.not.have.property("numNodeGroups");
      expect(inputs).not.to.have.property("clusterMode");
    });

    it("detached and regional: a standalone group with the primary's engine, version and node type", async () => {
      for (const mode of ["detached", "regional"] as const) {
        const resources = await plan(
          "us-west-2",
          (opts) => void new SecondaryCache("dr-cache", secondaryArgs({ mode, globalReplicationGroupId: undefined }), opts),
        );
        const group = only(resources, GROUP);
        expect(group.inputs).to.include({ engine: "valkey", engineVersion: "8.0", nodeType: "cache.m7g.large", numCacheClusters: 2, kmsKeyId: WEST_KEY });
        expect(group.inputs).not.to.have.property("globalReplicationGroupId");
      }
    });

    it("refuses before any resource: global without the id, a standalone mode with one, a key of the primary's region, no replica", async () => {
      await expectRefused(
        "us-west-2",
        (opts) => void new SecondaryCache("c", secondaryArgs({ globalReplicationGroupId: undefined }), opts),
        /globalReplicationGroupId is required/,
      );
      await expectRefused("us-west-2", (opts) => void new SecondaryCache("c", secondaryArgs({ mode: "regional" }), opts), /is set in regional mode/);
      await expectRefused("us-west-2", (opts) => void new SecondaryCache("c", secondaryArgs({ kmsKeyArn: EAST_KEY }), opts), /key of us-east-1/);
      await expectRefused(
        "us-west-2",
        (opts) => void new SecondaryCache("c", secondaryArgs({ replicasPerShard: 0 }), opts),
        /replicasPerShard must be at least 1/,
      );
    });
  });

  describe("groupShape", () => {
    it("one shard: cluster mode disabled, primary plus replicas", () =>
      expect(groupShape(1, 2, "primary", "redis", "7.1")).to.deep.equal({ numCacheClusters: 3 }));
    it("the default cluster-mode parameter group of each family", () => {
      expect(clusterModeParameterGroup("valkey", "7.2")).to.equal("default.valkey7.cluster.on");
      expect(clusterModeParameterGroup("redis", "7.1")).to.equal("default.redis7.cluster.on");
      expect(clusterModeParameterGroup("redis", "6.x")).to.equal("default.redis6.x.cluster.on");
      expect(clusterModeParameterGroup("redis", "5.0.6")).to.equal("default.redis5.0.cluster.on");
    });
    it("refuses impossible counts", () => expect(() => groupShape(0, 1, "primary", "valkey", "8.0")).to.throw(RangeError));
  });

  describe("CacheWarmUp", () => {
    it("builds a function outside any VPC whose role writes its own log group only", async () => {
      const resources = await plan(
        "us-west-2",
        (opts) => void new CacheWarmUp("warm", { functionName: "dr-cache-warm-up", kmsKeyArn: WEST_KEY, logRetentionDays: 30 }, opts),
      );
      const fn = only(resources, "aws:lambda/function:Function");
      expect(fn.inputs).to.include({ name: "dr-cache-warm-up", runtime: "nodejs22.x", handler: "cacheWarmUp.handler", timeout: 60 });
      expect(fn.inputs).not.to.have.property("vpcConfig");
      expect(only(resources, "aws:cloudwatch/logGroup:LogGroup").inputs).to.include({ name: "/aws/lambda/dr-cache-warm-up", kmsKeyId: WEST_KEY });
      expect(JSON.parse(warmUpFunctionPolicy("arn:aws:logs:us-west-2:1:log-group:/aws/lambda/x")).Statement).to.have.length(1);
    });

    it("refuses a name over Lambda's 64 characters", async () => {
      await expectRefused(
        "us-west-2",
        (opts) => void new CacheWarmUp("warm", { functionName: "x".repeat(65), kmsKeyArn: WEST_KEY, logRetentionDays: 30 }, opts),
        /over 64/,
      );
    });
  });

  describe("the replication-lag alarm (RecoveryAlarms cache)", () => {
    const alarmsWith = (
      cache: { memberClusters: string[]; nodeCount: number } | undefined,
      names: Record<string, string> = { cacheReplicationLag: "dr-cache-replication-lag" },
    ) =>
      plan("us-west-2", (opts) => {
        new RecoveryAlarms(
          "dr-alarms",
          {
            names: {
              replicaLagOverRpo: "lag",
              unhealthyTargets: "unhealthy",
              targetErrors: "5xx",
              replicationLatency: "s3-latency",
              replicationFailures: "s3-failures",
              primaryHealthCheck: "health",
              ...names,
            },
            drTopic: { topicArn: `arn:aws:sns:us-west-2:${MOCK_ACCOUNT_ID}:dr-recovery` },
            rpoSeconds: 30,
            loadBalancerArn: `arn:aws:elasticloadbalancing:us-west-2:${MOCK_ACCOUNT_ID}:loadbalancer/app/dr-alb/0123456789abcdef`,
            targetGroupArn: `arn:aws:elasticloadbalancing:us-west-2:${MOCK_ACCOUNT_ID}:targetgroup/dr-tg/0011223344556677`,
            sourceBucketName: "primary-data",
            destinationBucketName: "dr-data",
            replicationRuleId: "all",
            healthCheckId: "abcdef12-3456-7890-abcd-ef1234567890",
            ...(cache ? { cache } : {}),
          },
          opts,
        );
      });

    it("alarms in the DR region, to the DR topic, on the highest member's GlobalDatastoreReplicationLag over the RPO", async () => {
      const resources = await alarmsWith({ memberClusters: ["dr-cache-001", "dr-cache-002"], nodeCount: 2 });
      const alarm = ofType(resources, ALARM).find((resource) => resource.inputs.name === "dr-cache-replication-lag");
      expect(alarm, "the cache alarm").not.to.equal(undefined);
      expect(alarm!.region).to.equal("us-west-2");
      expect(alarm!.inputs).to.include({ threshold: 30, comparisonOperator: "GreaterThanThreshold", treatMissingData: "notBreaching" });
      expect(alarm!.inputs.alarmActions).to.deep.equal([`arn:aws:sns:us-west-2:${MOCK_ACCOUNT_ID}:dr-recovery`]);
      const queries = alarm!.inputs.metricQueries as {
        id: string;
        expression?: string;
        metric?: { dimensions: Record<string, string>; metricName: string; namespace: string };
      }[];
      expect(
        queries.filter((query) => query.metric).map((query) => [query.metric!.namespace, query.metric!.metricName, query.metric!.dimensions.CacheClusterId]),
      ).to.deep.equal([
        ["AWS/ElastiCache", "GlobalDatastoreReplicationLag", "dr-cache-001"],
        ["AWS/ElastiCache", "GlobalDatastoreReplicationLag", "dr-cache-002"],
      ]);
      expect(queries.find((query) => query.expression)?.expression).to.equal("MAX(METRICS())");
    });

    it(`splits more than ${METRICS_PER_ALARM} members into alarms of ${METRICS_PER_ALARM}`, () => {
      const alarms = cacheLagAlarmArgs("lag", { memberClusters: [], nodeCount: 25 }, 30);
      expect(alarms.map((alarm) => alarm.alarmArgs.name)).to.deep.equal(["lag", "lag-2", "lag-3"]);
    });

    it("needs the alarm's name with a cache, and builds none without one", async () => {
      let thrown: unknown;
      try {
        await alarmsWith({ memberClusters: ["a"], nodeCount: 1 }, {});
      } catch (error) {
        thrown = error;
      }
      expect((thrown as Error).message).to.match(/names\.cacheReplicationLag/);
      const resources = await alarmsWith(undefined);
      expect(ofType(resources, ALARM).filter((resource) => String(resource.inputs.name).includes("cache"))).to.have.length(0);
    });
  });
});
